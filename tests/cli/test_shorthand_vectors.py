"""Every shorthand/JSON/file:// vector recorded from the real AWS CLI, through parse_operation_args."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aml_cli.api import cli_name
from aml_cli.cli.args import parse_operation_args
from aml_cli.cli.usage_errors import GeneralError, ParamParseError, UsageError, exit_code_for
from tests.ml_api import operation, operation_names

VECTORS = Path(__file__).resolve().parents[1] / "data" / "spec" / "shorthand-vectors.json"
OPERATIONS = {cli_name(name): name for name in operation_names()}


def _vectors() -> dict:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


def _case_id(case: dict) -> str:
    raw = case["raw"] if isinstance(case["raw"], str) else " ".join(case["raw"] or [case["option"]])
    return f"{case['command']} {case['option']} {raw}"[:80]


CASES = _vectors()["cases"]


def _argv_in(tmp_path: Path, argv: list[str]) -> list[str]:
    """Point the vectors' relative file:// paths at copies of their files in tmp_path."""
    for name, text in _vectors()["files"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [f"file://{tmp_path / a[7:]}" if a.startswith("file://") else a for a in argv]


def _expected_kind(case: dict) -> type[Exception] | str:
    error = case["error"]
    if error.startswith("Parameter validation failed"):
        return "validation"
    if error.startswith("invalid literal for int()"):
        return GeneralError
    if error.startswith("aws: error:"):
        return UsageError
    return ParamParseError


def test_the_vectors_are_present():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", [c for c in CASES if "parsed" in c], ids=_case_id)
def test_vector_parses_to_the_request_the_aws_cli_sends(case, tmp_path):
    op = operation(OPERATIONS[case["command"]])
    parsed = parse_operation_args(op, _argv_in(tmp_path, case["argv"]))
    assert parsed.request == case["parsed"]


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=_case_id)
def test_vector_fails_with_the_aws_cli_error_kind_and_exit_code(case, tmp_path):
    op = operation(OPERATIONS[case["command"]])
    argv = _argv_in(tmp_path, case["argv"])
    kind = _expected_kind(case)
    if kind == "validation":
        validate = pytest.importorskip("aml_cli.api.validate")
        request = parse_operation_args(op, argv).request
        with pytest.raises(validate.ParamValidationError) as caught:
            validate.check_client_side(op, request)
        assert caught.value.problems == case["error"].splitlines()[1:]
        assert exit_code_for(caught.value) == 252
        return
    with pytest.raises(kind) as caught:
        parse_operation_args(op, argv)
    assert exit_code_for(caught.value) == (255 if kind is GeneralError else 252)
    if kind is GeneralError:
        assert str(caught.value) == case["error"]
    if kind is ParamParseError:
        assert str(caught.value).startswith(f"Error parsing parameter '{case['option']}': ")
        if "{self." not in case["error"]:  # v1 leaves some templates unformatted; compare the others
            assert case["error"].strip() in str(caught.value)
