"""The contract of every Clean Rooms ML and Clean Rooms command: required members, help, README row, completions.

Parametrized over the two descriptions, as `test_contract.py` is over Amazon ML's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aml_cli.api import cli_name, service
from aml_cli.cli.args import option_specs
from aml_cli.cli.completion import SHELLS, script_path
from aml_cli.cli.main import run
from aml_cli.cli.usage_errors import USAGE

REPO = Path(__file__).resolve().parents[2]
PAIRS = [(name, op) for name in ("cleanroomsml", "cleanrooms") for op in service(name).operation_names()]
IDS = [f"{name}-{cli_name(op)}" for name, op in PAIRS]
WITH_REQUIRED = [(name, op) for name, op in PAIRS if service(name).operation(op).input.required]


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


@pytest.mark.parametrize(("service_name", "op"), WITH_REQUIRED, ids=[f"{n}-{cli_name(o)}" for n, o in WITH_REQUIRED])
def test_missing_required_members_are_a_usage_error_252(service_name, op, capsys):
    required = ", ".join(spec.name for spec in option_specs(service(service_name).operation(op)) if spec.required)
    assert run([service_name, cli_name(op)]) == 252
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"\naml: [ERROR]: An error occurred (ParamValidation): the following arguments are required: " \
                  f"{required}\n\n{USAGE}"


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_help_lists_every_option_and_a_description(service_name, op, capsys):
    assert run([service_name, cli_name(op), "help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage:\n  aml {service_name} {cli_name(op)}")
    for spec in option_specs(service(service_name).operation(op)):
        if not spec.hidden:
            assert spec.name in out, spec.name


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_every_command_has_a_row_in_its_services_readme_table(service_name, op):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split(f"`aml {service_name}`:\n", 1)[1].strip().split("\n\n", 1)[0]
    assert any(_word(cli_name(op)).search(row) for row in table.splitlines() if row.startswith("|")), cli_name(op)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_every_command_is_in_every_completion_script(service_name, op, shell):
    assert _word(cli_name(op)).search(script_path(shell).read_text(encoding="utf-8"))


@pytest.mark.parametrize("service_name", ["cleanroomsml", "cleanrooms"])
def test_the_service_help_lists_every_command(service_name, capsys):
    assert run([service_name, "help"]) == 0
    out = capsys.readouterr().out
    for op in service(service_name).operation_names():
        assert _word(cli_name(op)).search(out)
