"""From an operation's argv to its request dict, as `aws machinelearning <command>` reads it.

Options are derived from the operation's input members (`option_specs`), never
written per operation. Parsing runs in the AWS CLI's phases, so the first error
reported is the one it would report: argparse-level problems (missing value,
bad float or int for typed flags, invalid choice), then missing required
options, then unknown options, then each value (file://, JSON, shorthand,
`int()`), then `--cli-input-json|yaml` filling the members no flag set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aml_cli.api.model import Operation, Shape
from aml_cli.api.naming import cli_name
from aml_cli.api.text import cut
from aml_cli.cli.bounded_yaml import TOO_DEEP
from aml_cli.cli.paramfile import ParamFileError, resolve_param_file
from aml_cli.cli.shorthand import ShorthandParseError, apply_shape, parse_shorthand
from aml_cli.cli.usage_errors import (
    CliInputConflictError,
    GeneralError,
    ParamParseError,
    UnknownOptionsError,
    UsageError,
    invalid_choice_message,
    looks_like_option,
)

SKELETON_CHOICES = ("input", "yaml-input", "output")

_EXTRA_HELP = {
    "--cli-input-json": "Read the request from a JSON document (text or file://); options given on the line win.",
    "--cli-input-yaml": "Read the request from a YAML document (text or file://); options given on the line win.",
    "--starting-token": "Resume listing where an earlier truncated listing stopped (its NextToken).",
    "--page-size": "How many results to ask for per call; the output is the same, only the calls differ.",
    "--max-items": "Stop after this many results; a NextToken is printed to resume from.",
    "--generate-cli-skeleton": "Print a request template (input, yaml-input) or a sample response (output) "
    "instead of running the command.",
}


@dataclass(frozen=True)
class OptionSpec:
    """One command-line option: a member of the input shape, or one of the CLI's own."""

    name: str
    member: str | None
    kind: str  # "value" | "flag" | "list"
    shape: Shape | None = None
    required: bool = False
    negative: str | None = None  # "--no-verbose" for a boolean member
    choices: tuple[str, ...] = ()
    const: str | None = None  # the value when the option is given bare
    hidden: bool = False  # accepted but left out of help (--next-token/--limit of paginated commands)
    input_shape: str = ""
    service: str = "machinelearning"

    @property
    def dest(self) -> str:
        return self.member or self.name[2:]

    @property
    def help(self) -> str:
        """The member's documentation from its service's docs (loaded only when asked)."""
        if self.member is None:
            return _EXTRA_HELP.get(self.name, "")
        from aml_cli.api.docs import member_doc

        return member_doc(self.service, self.input_shape, self.member)


@dataclass
class ParsedArgs:
    """The request and the CLI-only settings found on the command line."""

    request: dict[str, Any]
    skeleton: str | None = None
    starting_token: str | None = None
    page_size: int | None = None
    max_items: int | None = None
    raw_pagination: bool = False
    cli_input: bool = False
    given: list[str] = field(default_factory=list)


_SPEC_CACHE: dict[tuple[str, str, bool], list[OptionSpec]] = {}


def option_specs(op: Operation, *, paginated: bool | None = None) -> list[OptionSpec]:
    """Every option of the command, in help order: members (model order), then the CLI's own."""
    if paginated is None:
        paginated = op.paginator is not None
    key = (op.service, op.name, paginated)
    if key not in _SPEC_CACHE:
        _SPEC_CACHE[key] = _member_specs(op, paginated) + _extra_specs(paginated)
    return list(_SPEC_CACHE[key])


def _member_specs(op: Operation, paginated: bool) -> list[OptionSpec]:
    hidden = {op.paginator.input_token, op.paginator.limit_key} if paginated and op.paginator else set()
    specs = []
    for member, shape in op.input.members.items():
        name = "--" + cli_name(member)
        kind = {"boolean": "flag", "list": "list"}.get(shape.type, "value")
        specs.append(
            OptionSpec(
                name=name,
                member=member,
                kind=kind,
                shape=shape,
                required=member in op.input.required,
                negative="--no-" + cli_name(member) if kind == "flag" else None,
                hidden=member in hidden,
                input_shape=op.input.name,
                service=op.service,
            )
        )
    return specs


def _extra_specs(paginated: bool) -> list[OptionSpec]:
    specs = [OptionSpec("--cli-input-json", None, "value"), OptionSpec("--cli-input-yaml", None, "value")]
    if paginated:
        specs += [OptionSpec(name, None, "value") for name in ("--starting-token", "--page-size", "--max-items")]
    specs.append(OptionSpec("--generate-cli-skeleton", None, "value", choices=SKELETON_CHOICES, const="input"))
    return specs


def parse_operation_args(op: Operation, argv: list[str], *, paginated: bool | None = None) -> ParsedArgs:
    """Turn the tokens after the command name into a request; raises the errors of usage_errors."""
    specs = option_specs(op, paginated=paginated)
    raw, leftovers = _scan(specs, argv)
    skeleton = raw.get("generate-cli-skeleton")
    cli_input_given = "cli-input-json" in raw or "cli-input-yaml" in raw
    if not cli_input_given and skeleton not in ("input", "yaml-input"):
        missing = [s.name for s in specs if s.required and s.dest not in raw]
        if missing:
            raise UsageError("the following arguments are required: " + ", ".join(missing))
    if leftovers:
        raise UnknownOptionsError(leftovers)
    if "cli-input-json" in raw and "cli-input-yaml" in raw:
        raise CliInputConflictError()
    request = {s.member: _member_value(s, raw[s.dest]) for s in specs if s.member and s.dest in raw}
    for kind in ("json", "yaml"):
        if f"cli-input-{kind}" in raw:
            document = load_cli_input(kind, raw[f"cli-input-{kind}"])
            for key, value in document.items():
                request.setdefault(key, value)
    parsed = ParsedArgs(request=request, skeleton=skeleton, cli_input=cli_input_given, given=list(raw))
    if "starting-token" in raw:
        parsed.starting_token = _text_value("--starting-token", raw["starting-token"])
    parsed.page_size = raw.get("page-size")
    parsed.max_items = raw.get("max-items")
    pag = op.paginator
    parsed.raw_pagination = pag is not None and (pag.input_token in request or pag.limit_key in request)
    return parsed


def _scan(specs: list[OptionSpec], argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """argparse's pass: claim each option's tokens (last occurrence wins); the rest are leftovers."""
    table: dict[str, OptionSpec] = {}
    for spec in specs:
        table[spec.name] = spec
        if spec.negative:
            table[spec.negative] = spec
    raw: dict[str, Any] = {}
    leftovers: list[str] = []
    pos = 0
    while pos < len(argv):
        token = argv[pos]
        pos += 1
        name, explicit = token.split("=", 1) if token.startswith("--") and "=" in token else (token, None)
        spec = table.get(name)
        if spec is None:
            leftovers.append(token)
            continue
        value, pos = _take(spec, name, explicit, argv, pos, table)
        raw[spec.dest] = value
    return raw, leftovers


def _take(
    spec: OptionSpec, name: str, explicit: str | None, argv: list[str], pos: int, table: dict[str, OptionSpec]
) -> tuple[Any, int]:
    """The value an option claims, and the position after it."""
    if spec.kind == "flag":
        if explicit is not None:
            raise UsageError(f"argument {name}: ignored explicit argument '{explicit}'")
        return name != spec.negative, pos
    if spec.kind == "list":
        if explicit is not None:
            return [explicit], pos
        start = pos  # nargs '*' as in the AWS CLI: a bare list option sends an empty list
        while pos < len(argv) and not looks_like_option(argv[pos], table):
            pos += 1
        return argv[start:pos], pos
    if explicit is None and pos < len(argv) and not looks_like_option(argv[pos], table):
        explicit, pos = argv[pos], pos + 1
    if explicit is None:
        if spec.const is None:
            raise UsageError(f"argument {name}: expected one argument")
        explicit = spec.const
    return _typed_at_scan(spec, name, explicit), pos


def _typed_at_scan(spec: OptionSpec, name: str, value: str) -> Any:
    """Conversions argparse itself makes (its errors come before any other check)."""
    if spec.choices and value not in spec.choices:
        raise UsageError(invalid_choice_message(name, value, spec.choices))
    if name in ("--page-size", "--max-items"):
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"argument {name}: invalid int value: '{value}'") from None
    if spec.shape is not None and spec.shape.type in ("float", "double"):
        text = _text_value(name, value)
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"argument {name}: invalid float value: '{value}'") from None
    return value


def _load(name: str, value: str) -> str | bytes:
    try:
        return resolve_param_file(value)
    except ParamFileError as err:
        raise ParamParseError(name, str(err)) from None


def _text_value(name: str, value: str) -> str:
    loaded = _load(name, value)
    return loaded.decode("utf-8", "replace") if isinstance(loaded, bytes) else loaded


def _member_value(spec: OptionSpec, raw: Any) -> Any:
    """The API value of one member from its raw tokens."""
    assert spec.shape is not None
    if spec.kind == "flag" or isinstance(raw, float):
        return raw
    if spec.kind == "list":
        return _list_value(spec.name, spec.shape, raw)
    return _single_value(spec.name, spec.shape, _load(spec.name, raw))


def _single_value(name: str, shape: Shape, value: str | bytes) -> Any:
    if shape.type in ("structure", "map"):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        if text.lstrip().startswith("{"):
            return _json(name, text)
        if text.lstrip().startswith("["):
            raise ParamParseError(name, f"Invalid JSON:\n{text}")
        return _shorthand(name, shape, text)
    return _scalar(shape, value)


def _list_value(name: str, shape: Shape, tokens: list[str]) -> list[Any]:
    """One JSON list, or one element per token; no tokens, no elements.

    As the AWS CLI does, JSON or shorthand is decided once, from the first
    token: if it starts with `[` or `{` every element is JSON (a structure's
    must be an object), otherwise every element is shorthand, even one that
    looks like JSON.
    """
    values: list[Any] = list(tokens)
    if len(tokens) == 1:
        values = [_load(name, tokens[0])]
        if isinstance(values[0], str) and values[0].lstrip().startswith("["):
            return _json(name, values[0])
    member = shape.member
    assert member is not None
    if member.type not in ("structure", "map"):
        return [_scalar(member, value) for value in values]
    first = values[0] if values else ""
    if isinstance(first, str) and first.lstrip().startswith(("[", "{")):
        return [_json_object(name, value) for value in values]
    return [_shorthand(name, member, value) for value in values]


def _json_object(name: str, value: str | bytes) -> Any:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if not text.lstrip().startswith("{"):
        raise ParamParseError(name, f"Invalid JSON:\n{text}")
    return _json(name, text)


def _scalar(shape: Shape, value: Any) -> Any:
    try:
        if shape.type in ("integer", "long"):
            return int(value)
        if shape.type in ("float", "double"):
            return float(value)
    except (TypeError, ValueError) as err:
        raise GeneralError(str(err)) from None
    if shape.type == "boolean" and isinstance(value, str):
        return value.lower() != "false" and bool(value)
    return value


def _json(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ParamParseError(name, f"Invalid JSON: {TOO_DEEP}\nJSON received: {cut(text)}") from None
    except ValueError as err:
        raise ParamParseError(name, f"Invalid JSON: {err}\nJSON received: {cut(text)}") from None


def _shorthand(name: str, shape: Shape, text: str) -> Any:
    try:
        return apply_shape(parse_shorthand(text), shape)
    except ShorthandParseError as err:
        raise ParamParseError(name, str(err)) from None
    except (TypeError, ValueError) as err:
        raise GeneralError(str(err)) from None


def load_cli_input(kind: str, value: str) -> dict[str, Any]:
    """The --cli-input-json|yaml document (literal or file://), which must be a map."""
    option = f"--cli-input-{kind}"
    text = _text_value(option, value)
    if kind == "json":
        try:
            document = json.loads(text)
        except RecursionError:
            raise ParamParseError("cli-input-json", f"Invalid JSON received: {TOO_DEEP}") from None
        except ValueError:
            raise ParamParseError("cli-input-json", "Invalid JSON received.") from None
    else:
        from aml_cli.cli.bounded_yaml import load_yaml

        document = load_yaml(text)
    if not isinstance(document, dict):
        raise ParamParseError(option, f"Invalid type: expecting map, received {type(document)}")
    return document
