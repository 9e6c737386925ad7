"""Help everywhere: every operation, member (nested), waiter, extra option and topic has text, and every
way of asking for help (`aml help X`, `aml X help`, `--help`, `-h`) shows the same page.

Parametrized over the API description and the EXTRAS registry, so a command added
there is checked here without a line of test written for it.
"""

from __future__ import annotations

import json

import click
import pytest

from aml_cli.api import cli_name
from aml_cli.api.machinelearning import docs
from aml_cli.api.topics import TOPICS
from aml_cli.api.validate import RELAXED, client_problems
from aml_cli.cli.args import option_specs, parse_operation_args
from aml_cli.cli.commands import GLOBAL_HELP
from aml_cli.cli.extras import EXTRAS, extra_command
from aml_cli.cli.globals import GLOBAL_OPTIONS
from aml_cli.cli.help_format import has_syntax, json_syntax, shorthand_syntax
from aml_cli.cli.main import run
from aml_cli.cli.usage_errors import USAGE
from tests.ml_api import operation, operation_names, shape, waiter, waiter_names

OPERATIONS = operation_names()
WAITERS = waiter_names()


def _members(structure, seen=None) -> list[tuple[str, str]]:
    """(structure shape, member) for every member reachable from `structure`, depth first."""
    seen = set() if seen is None else seen
    pairs = []
    pending = [structure]
    while pending:
        current = pending.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        pairs += [(current.name, member) for member in current.members]
        pending += list(current.members.values()) + [s for s in (current.member, current.key, current.value) if s]
    return pairs


INPUT_MEMBERS = sorted({pair for op in OPERATIONS for pair in _members(operation(op).input)})
SYNTAX_OPTIONS = [
    (op, spec.name) for op in OPERATIONS for spec in option_specs(operation(op))
    if spec.shape is not None and has_syntax(spec.shape)
]


def help_of(capsys, *argv: str) -> str:
    assert run(list(argv)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


# ---- every piece has its text ------------------------------------------------------------------


@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_every_operation_has_help_text(op_name):
    assert docs.OPERATION_DOCS.get(op_name, "").strip()


@pytest.mark.parametrize(("structure", "member"), INPUT_MEMBERS, ids=lambda value: value)
def test_every_member_of_every_input_shape_has_help_text(structure, member):
    assert docs.MEMBER_DOCS.get((structure, member), "").strip(), f"{structure}.{member} has no help"


@pytest.mark.parametrize("name", WAITERS, ids=cli_name)
def test_every_waiter_has_help_text(name):
    assert docs.WAITER_DOCS.get(name, "").strip()


@pytest.mark.parametrize("name", list(EXTRAS))
def test_every_extra_builds_its_command_and_every_option_has_help_text(name):
    command = extra_command(name)
    assert isinstance(command, click.Command) and command.name == name
    assert (command.help or "").strip()
    for param in command.params:
        assert (getattr(param, "help", None) or "").strip(), f"{name} {param.name} has no help"


@pytest.mark.parametrize("name", list(TOPICS))
def test_every_topic_has_a_summary_and_text(name):
    topic = TOPICS[name]
    assert topic.summary.strip() and topic.summary.endswith(".")
    assert len(topic.text.splitlines()) > 10


def test_every_global_option_and_cli_option_has_help_text():
    assert [name for name in GLOBAL_OPTIONS if not GLOBAL_HELP.get(name)] == []
    cli_own = {spec.name: spec.help for op in OPERATIONS for spec in option_specs(operation(op)) if not spec.member}
    assert [name for name, text in cli_own.items() if not text] == []


def test_every_relaxed_rule_is_described_and_every_member_topic_exists():
    assert set(docs.RELAXED_DOCS) == set(RELAXED)
    assert set(docs.MEMBER_TOPICS.values()) <= set(TOPICS)


# ---- the pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("op_name", OPERATIONS, ids=cli_name)
def test_help_command_shows_the_commands_page_the_same_every_way(capsys, op_name):
    command = cli_name(op_name)
    page = help_of(capsys, "help", command)
    assert page.startswith(f"Usage:\n  aml {command}\n")
    assert help_of(capsys, command, "help") == page
    assert help_of(capsys, command, "--help") == page
    assert help_of(capsys, command, "-h") == page
    assert help_of(capsys, "machinelearning", "help", command) == page
    assert docs.OPERATION_DOCS[op_name].split(". ")[0] in " ".join(page.split())


@pytest.mark.parametrize("name", list(EXTRAS))
def test_help_of_an_extra_is_its_own_page(capsys, name):
    page = help_of(capsys, "help", name)
    assert page.startswith(f"Usage:\n  aml {name}\n")
    assert help_of(capsys, name, "help") == page
    assert help_of(capsys, name, "--help") == page
    for param in extra_command(name).params:
        label = param.opts[0] if isinstance(param, click.Option) else f"<{param.name}>"
        assert f"\n  {label}" in page
        assert " ".join(param.help.split()) in " ".join(page.split())


def test_help_alone_is_the_root_page_with_commands_extras_and_topics(capsys):
    page = help_of(capsys, "help")
    assert help_of(capsys, "--help") == page == help_of(capsys, "machinelearning", "help")
    commands, rest = page.split("Extras (aml only, not in the AWS API):")
    extras, topics = rest.split("Help topics:")
    assert all(f"\n  {cli_name(op)} " in commands or f"\n  {cli_name(op)}\n" in commands for op in OPERATIONS)
    assert "\n  wait " in commands
    assert all(f"\n  {name} " in extras for name in EXTRAS)
    assert all(f"\n  {name} " in topics for name in TOPICS)


@pytest.mark.parametrize("name", list(TOPICS))
def test_help_topic_prints_the_topic(capsys, name):
    assert help_of(capsys, "help", name) == TOPICS[name].text


@pytest.mark.parametrize("argv", [["wait", "help"], ["wait", "--help"], ["wait", "-h"], ["help", "wait"]])
def test_wait_help_lists_the_four_waiters_with_a_line_each(capsys, argv):
    page = help_of(capsys, *argv)
    for name in WAITERS:
        assert f"\n  {cli_name(name)}    " in page
        assert docs.WAITER_DOCS[name].split(";")[0] in " ".join(page.split())


@pytest.mark.parametrize("name", WAITERS, ids=cli_name)
def test_a_waiters_help_shows_its_options_and_how_it_polls(capsys, name):
    command = cli_name(name)
    page = help_of(capsys, "wait", command, "help")
    assert help_of(capsys, "wait", command, "--help") == page == help_of(capsys, "help", "wait", command)
    assert cli_name(waiter(name).operation) in page and "--filter-variable" in page
    assert "--max-items" not in page  # accepted by the parser, refused by every waiter: not offered


def test_wait_alone_is_a_usage_error_that_names_the_waiters(capsys):
    assert run(["wait"]) == 252
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "the following arguments are required: subcommand" in captured.err
    assert all(f"\n  {cli_name(name)} " in captured.err for name in WAITERS)
    assert captured.err.endswith(USAGE)


@pytest.mark.parametrize(("argv", "expected"), [
    (["help", "nope"], "argument operation: Found invalid choice 'nope'"),
    (["help", "schem"], "Maybe you meant:\n\n  * schema"),
    (["help", "wait", "nope"], "argument subcommand: Found invalid choice 'nope'"),
    (["help", "get-ml-model", "extra"], "Unknown options: extra"),
])
def test_help_for_something_that_does_not_exist_is_a_usage_error(capsys, argv, expected):
    assert run(argv) == 252
    captured = capsys.readouterr()
    assert captured.out == "" and expected in captured.err


# ---- what a page says about each member ------------------------------------------------------------


@pytest.mark.parametrize(("op_name", "flag"), SYNTAX_OPTIONS, ids=lambda value: value)
def test_structure_options_list_every_nested_member_with_its_type_and_required_mark(capsys, op_name, flag):
    page = help_of(capsys, cli_name(op_name), "help")
    section = page.split(f"\n  {flag} (", 1)[1].split("\n  --", 1)[0]
    spec = next(s for s in option_specs(operation(op_name)) if s.name == flag)
    for structure, member in _members(spec.shape):
        sub = shape(structure).members[member]
        required = " [required]" if member in shape(structure).required else ""
        line = next((line for line in section.splitlines() if line.strip().startswith(f"{member} -> (")), None)
        assert line is not None, f"{member} missing from {flag}"
        assert line.strip().endswith(f"({_type(sub)}){required}")
    assert "Shorthand syntax:" in section and "JSON syntax" in section


def _type(sub) -> str:
    from aml_cli.cli.help_format import type_label

    return type_label(sub)


@pytest.mark.parametrize(("op_name", "flag"), SYNTAX_OPTIONS, ids=lambda value: value)
def test_the_shorthand_and_json_syntax_shown_parse_to_the_same_well_formed_value(op_name, flag):
    op = operation(op_name)
    spec = next(s for s in option_specs(op) if s.name == flag)
    member, others = spec.member, ["--cli-input-json", "{}"]  # the other required members may stay out
    from_shorthand = parse_operation_args(op, [*others, flag, *shorthand_syntax(spec.shape).split(" ")])
    from_json = parse_operation_args(op, [*others, flag, json_syntax(spec.shape)]).request[member]
    from_shorthand = from_shorthand.request[member]
    assert from_shorthand == from_json == json.loads(json_syntax(spec.shape))
    problems = client_problems(spec.shape, from_json, member)  # placeholders may be shorter than a minimum
    assert [problem for problem in problems if not problem.startswith("Invalid length")] == []


def test_constraints_appear_as_the_api_states_them(capsys):
    page = " ".join(help_of(capsys, "help", "create-data-source-from-rds").split())
    assert "--data-source-id (string) [required]" in page
    assert "Constraints: 1 to 64 characters; matches the pattern [a-zA-Z0-9_.-]+." in page
    assert "Password -> (string) [required] The password of that user, 8 to 128 characters. " \
           "Constraints: 8 to 128 characters." in page
    assert "SecurityGroupIds -> (list of string) [required]" in page and "Each item: 1 to 255 characters." in page
    assert "any non-empty string up to 2048 characters (a local path" in page  # S3Url, relaxed by aml
    assert "See `aml help data-rearrangement`." in page and "\n  aml help schema" in help_of(
        capsys, "help", "create-data-source-from-rds")
    tags = " ".join(help_of(capsys, "help", "add-tags").split())
    assert "Constraints: at most 100 items. Each item is a structure:" in tags
    assert "Possible values: BatchPrediction, DataSource, Evaluation, MLModel." in tags


def test_help_fits_80_columns_except_the_one_line_shorthand(capsys):
    for op_name in OPERATIONS:
        page = help_of(capsys, "help", cli_name(op_name))
        shorthand = {
            shorthand_syntax(spec.shape) for spec in option_specs(operation(op_name))
            if spec.shape is not None and has_syntax(spec.shape)
        }
        long = [line for line in page.splitlines() if len(line) > 80 and line.strip() not in shorthand]
        assert long == [], op_name


def test_every_extra_and_help_topic_has_a_row_in_the_readme_command_table():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2] / "README.md"
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    firsts = {row.split("`")[1] for row in rows}
    assert [name for name in EXTRAS if name not in firsts] == []
    assert [name for name in TOPICS if f"help {name}" not in firsts] == []
    assert {"help", "wait help"} <= firsts
