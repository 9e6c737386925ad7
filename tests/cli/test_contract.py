"""The contract every operation keeps: skeleton, required members, help, README row, completions.

Parametrized over the API description, so an operation added there is checked
here without a line of test written for it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aml_cli.api import cli_name
from aml_cli.cli.args import option_specs
from aml_cli.cli.commands import root_group
from aml_cli.cli.completion import SHELLS, script_path
from aml_cli.cli.usage_errors import USAGE
from tests.ml_api import operation, operation_names

REPO = Path(__file__).resolve().parents[2]
SKELETONS = REPO / "tests" / "data" / "spec" / "skeletons"
OPERATIONS = operation_names()
WITH_REQUIRED = [name for name in OPERATIONS if operation(name).input.required]


def invoke(*args: str):
    return CliRunner().invoke(root_group(), list(args), catch_exceptions=False)


def _word(name: str) -> re.Pattern[str]:
    """The command name as a whole word (so get-ml-model does not match inside get-ml-models)."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_skeleton_equals_the_aws_cli_v2_skeleton(op_name):
    expected_file = SKELETONS / f"{cli_name(op_name)}.json"
    result = invoke(cli_name(op_name), "--generate-cli-skeleton")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("op_name", WITH_REQUIRED, ids=cli_name)
def test_missing_required_members_are_a_usage_error_252(op_name):
    op = operation(op_name)
    required = ", ".join(spec.name for spec in option_specs(op) if spec.required)
    result = invoke(cli_name(op_name))
    assert result.exit_code == 252
    assert result.stdout == ""
    message = f"the following arguments are required: {required}"
    assert result.stderr == f"\naml: [ERROR]: An error occurred (ParamValidation): {message}\n\n{USAGE}"


@pytest.mark.parametrize("op_name", WITH_REQUIRED, ids=cli_name)
def test_missing_required_members_in_cli_input_json_fail_client_side_252(op_name):
    result = invoke(cli_name(op_name), "--cli-input-json", "{}")
    assert result.exit_code == 252
    assert result.stdout == ""
    first = next(member for member in operation(op_name).input.members if member in operation(op_name).input.required)
    assert "Parameter validation failed:\n" in result.stderr
    assert f'Missing required parameter in input: "{first}"' in result.stderr


@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_help_lists_every_option_of_the_operation(op_name):
    result = invoke(cli_name(op_name), "help")
    assert result.exit_code == 0, result.stderr
    for spec in option_specs(operation(op_name)):
        if spec.hidden:
            continue
        assert spec.name in result.stdout
        if spec.negative:
            assert spec.negative in result.stdout


def _readme_table_rows() -> list[str]:
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet, so it has no command table to check")
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("|")]
    if not rows:
        pytest.skip("README.md has no command table yet")
    return rows


@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_every_command_has_a_row_in_the_readme_command_table(op_name):
    rows = _readme_table_rows()
    pattern = _word(cli_name(op_name))
    assert any(pattern.search(row) for row in rows), f"{cli_name(op_name)} is not in README.md's command table"


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_every_command_is_in_every_completion_script(op_name, shell):
    text = script_path(shell).read_text(encoding="utf-8")
    assert _word(cli_name(op_name)).search(text), f"{cli_name(op_name)} missing from completions/aml.{shell}"
