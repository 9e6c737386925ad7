"""The two validations of a request, each where AWS performs it.

The client (the AWS CLI, through botocore) checks required members, unknown
keys, types, minimums and tagged unions, and fails with "Parameter validation
failed" (exit 252). The service checks maximums, patterns and enums and answers
with its own validation error (InvalidInputException in Amazon ML,
ValidationException in Clean Rooms ML) whose message lists every violated
constraint (exit 254). Scripts tell the two apart by exit code, so the split is
kept exactly.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import cache

from aml_cli.api.errors import error_for
from aml_cli.api.model import Operation, Shape
from aml_cli.api.text import cut

# Shapes whose service-side check is relaxed for the local engine, with the reason (listed in the README),
# per service: shape names are the service's own.
RELAXED: dict[str, str] = {
    "S3Url": (
        "DataLocationS3, DataSchemaLocationS3, RecipeUri, OutputUri, S3StagingLocation and DataSchemaUri accept "
        "local paths and file:// URIs besides s3://: any non-empty string up to 2048 characters"
    ),
    "VipURL": "PredictEndpoint accepts the local endpoint's URL: any scheme://address without spaces",
    **dict.fromkeys(
        ("RDSDatabaseName", "RedshiftDatabaseName", "RDSInstanceIdentifier", "RedshiftClusterIdentifier"),
        "DatabaseName may name a local SQLite file (a path), and InstanceIdentifier/ClusterIdentifier a "
        "PostgreSQL host[:port]: any non-empty text without spaces up to 2048 characters",
    ),
}
RELAXED_ML: dict[str, str] = {
    "S3Path": "defaultOutputLocation's s3Uri accepts a local path or file:// URI besides s3:// (as Amazon ML's "
              "OutputUri): any non-empty string up to 1285 characters",
}
RELAXED_BY_SERVICE: dict[str, dict[str, str]] = {"machinelearning": RELAXED, "cleanroomsml": RELAXED_ML}
_RELAXED_URL = "[A-Za-z][A-Za-z0-9+.-]*://\\S+"

_TYPE_NAMES = {
    "string": ("<class 'str'>",),
    "integer": ("<class 'int'>",),
    "long": ("<class 'int'>",),
    "float": ("<class 'float'>", "<class 'decimal.Decimal'>", "<class 'int'>"),
    "double": ("<class 'float'>", "<class 'decimal.Decimal'>", "<class 'int'>"),
    "boolean": ("<class 'bool'>",),
    "structure": ("<class 'dict'>",),
    "map": ("<class 'dict'>",),
    "list": ("<class 'list'>", "<class 'tuple'>"),
    "timestamp": ("<class 'datetime.datetime'>", "timestamp-string"),
    "blob": ("<class 'bytes'>", "<class 'bytearray'>", "file-like object"),
}


class ParamValidationError(Exception):
    """The request breaks a client-side rule; the CLI exits 252."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Parameter validation failed:\n" + "\n".join(problems))


# ---------------------------------------------------------------- client side


def client_problems(shape: Shape, value: object, name: str = "input") -> list[str]:
    """botocore's report lines for `value`, in its order and wording; [] when valid."""
    problems: list[str] = []
    _check_client(shape, value, name, problems)
    return problems


def check_client_side(op: Operation, request: dict) -> None:
    """Raise ParamValidationError if the CLI would refuse to send `request`."""
    problems = client_problems(op.input, request)
    if problems:
        raise ParamValidationError(_at_most(problems))


MAX_PROBLEMS = 100


def _at_most(problems: list[str]) -> list[str]:
    """Every problem of a request with a few; the first MAX_PROBLEMS of one with thousands (a bounded message)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more problems"]


def _child(name: str, member: str) -> str:
    return member if name == "input" else f"{name}.{member}"


def _check_client(shape: Shape, value: object, name: str, problems: list[str]) -> None:
    if not _has_type(shape.type, value):
        types = ", ".join(_TYPE_NAMES[shape.type])
        problems.append(
            f"Invalid type for parameter {name}, value: {cut(str(value))}, type: {type(value)}, valid types: {types}"
        )
        return
    if shape.type == "structure":
        _check_structure(shape, value, name, problems)  # type: ignore[arg-type]
    elif shape.type == "list":
        _check_min(shape, len(value), name, "length", problems)  # type: ignore[arg-type]
        for index, item in enumerate(value):  # type: ignore[attr-defined]
            _check_client(shape.member, item, f"{name}[{index}]", problems)  # type: ignore[arg-type]
    elif shape.type == "map":
        for key, item in value.items():  # type: ignore[attr-defined]
            shown = cut(str(key))
            _check_client(shape.key, key, f"{name} (key: {shown})", problems)  # type: ignore[arg-type]
            _check_client(shape.value, item, f"{name}.{shown}", problems)  # type: ignore[arg-type]
    elif shape.type == "string":
        _check_min(shape, len(value), name, "length", problems)  # type: ignore[arg-type]
    elif shape.type in ("integer", "long", "float", "double"):
        _check_min(shape, value, name, "value", problems)


def _check_structure(shape: Shape, value: dict, name: str, problems: list[str]) -> None:
    if shape.union and len(value) != 1:
        keys = ", ".join(shape.members)
        problems.append(  # botocore's two texts, the missing space of the second one included
            f"Invalid number of parameters set for tagged union structure {name}. Can only set one of the "
            f"following keys: {keys}." if value else f"Must set one of the following keys for tagged unionstructure "
            f"{name}: {keys}."
        )
    problems.extend(
        f'Missing required parameter in {name}: "{member}"' for member in shape.required if member not in value
    )
    allowed = ", ".join(shape.members)
    problems.extend(
        f'Unknown parameter in {name}: "{cut(str(key))}", must be one of: {allowed}'
        for key in value if key not in shape.members
    )
    for key, item in value.items():
        if key in shape.members:
            _check_client(shape.members[key], item, _child(name, key), problems)


def _check_min(shape: Shape, measure: object, name: str, what: str, problems: list[str]) -> None:
    if shape.min is not None and measure < shape.min:  # type: ignore[operator]
        problems.append(f"Invalid {what} for parameter {name}, value: {measure}, valid min {what}: {shape.min}")


def _has_type(kind: str, value: object) -> bool:
    """Python types botocore accepts per shape type (a bool is an int, an int a float)."""
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int)
    if kind in ("float", "double"):
        import decimal

        return isinstance(value, float | int | decimal.Decimal)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("structure", "map"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list | tuple)
    if kind == "timestamp":
        return _is_timestamp(value)
    if kind == "blob":
        return isinstance(value, bytes | bytearray | str) or hasattr(value, "read")
    return True


def _is_timestamp(value: object) -> bool:
    """A datetime, epoch seconds (number or numeric string) or an ISO 8601 string."""
    if isinstance(value, datetime.datetime | int | float):
        return True
    if not isinstance(value, str):
        return False
    try:
        float(value)
        return True
    except ValueError:
        pass
    try:
        datetime.datetime.fromisoformat(value.strip())
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------- text every service refuses

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(request: object, service_name: str) -> None:
    """Raise the service's validation error when any string of the request (a key too) holds a lone surrogate.

    JSON may spell one (`"\\ud800"`) and an argument of invalid UTF-8 reaches Python as one; neither
    is a character, the services refuse them, and a name holding one could never be written out. Applies
    to every operation, aml's own included, whoever calls.
    """
    found = _surrogate_at(request, "")
    if found is not None:
        from aml_cli.api import service

        path, char = found
        where = f"{path} holds" if path else "The request holds"
        raise error_for(
            service(service_name).validation_error,
            f"{where} a lone surrogate (U+{ord(char):04X}), which is not a character; text must be valid Unicode.",
        )


def _surrogate_at(value: object, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        return None if match is None else (path, match.group())
    if isinstance(value, dict):
        for key, item in value.items():
            found = _surrogate_at(key, f"{path} (a key)" if path else "A key") or _surrogate_at(
                item, f"{path}.{cut(str(key))}" if path else cut(str(key)))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _surrogate_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- service side


def service_problems(shape: Shape, value: object, path: str = "", service: str = "machinelearning") -> list[str]:
    """The service's constraint messages for `value` ("Value 'x' at 'p' failed to satisfy ...")."""
    problems: list[str] = []
    _check_service(shape, value, path, problems, RELAXED_BY_SERVICE.get(service, {}))
    return problems


def check_service_side(op: Operation, request: dict) -> None:
    """Raise the service's validation error, as it does, when a member breaks max, pattern or enum."""
    problems = service_problems(op.input, request, service=op.service)
    if problems:
        from aml_cli.api import service

        count = len(problems)
        noun = "error" if count == 1 else "errors"
        message = f"{count} validation {noun} detected: " + "; ".join(_at_most(problems))
        raise error_for(service(op.service).validation_error, message)


def _member_path(path: str, member: str) -> str:
    """The wire path of a member: first letter lower-cased (MLModelId -> mLModelId), dotted."""
    step = member[:1].lower() + member[1:]
    return f"{path}.{step}" if path else step


def _check_service(shape: Shape, value: object, path: str, problems: list[str], relaxed: dict) -> None:
    if shape.type == "structure" and isinstance(value, dict):
        for member, member_shape in shape.members.items():
            if member in value:
                _check_service(member_shape, value[member], _member_path(path, member), problems, relaxed)
        return
    rules = [f"Member must {rule}" for rule in _broken_rules(shape, value, relaxed)]
    problems.extend(f"Value {_java_text(value)} at '{path}' failed to satisfy constraint: {rule}" for rule in rules)
    if shape.type == "list" and isinstance(value, list | tuple):
        for index, item in enumerate(value, start=1):
            _check_service(shape.member, item, f"{path}.{index}.member", problems, relaxed)  # type: ignore[arg-type]
    elif shape.type == "map" and isinstance(value, dict):
        _check_map_entries(shape, value, path, problems, relaxed)


def _check_map_entries(shape: Shape, value: dict, path: str, problems: list[str], relaxed: dict) -> None:
    """Map keys and values are reported against the map as a whole, as the service does."""
    for part, part_shape, items in (("keys", shape.key, value.keys()), ("value", shape.value, value.values())):
        broken = sorted({rule for item in items for rule in _broken_rules(part_shape, item, relaxed)})  # type: ignore
        for rule in broken:
            problems.append(
                f"Value {_java_text(value)} at '{path}' failed to satisfy constraint: "
                f"Map {part} must satisfy constraint: [Member must {rule}]"
            )


def _broken_rules(shape: Shape, value: object, relaxed: dict) -> list[str]:
    """Constraint phrases ("have length less than or equal to 64") that `value` breaks."""
    if shape.name in relaxed and isinstance(value, str):
        return _relaxed_rules(shape.name, value)
    rules: list[str] = []
    if isinstance(value, str | list | tuple | dict) and shape.type in ("string", "list", "map"):
        rules += _bound_rules("length", len(value), shape)
    elif shape.type in ("integer", "long", "float", "double") and isinstance(value, int | float):
        rules += _bound_rules("value", value, shape)
    if isinstance(value, str):
        if shape.pattern is not None and not java_full_match(shape.pattern, value):
            rules.append(f"satisfy regular expression pattern: {shape.pattern}")
        if shape.enum and value not in shape.enum:
            rules.append(f"satisfy enum value set: [{', '.join(shape.enum)}]")
    return rules


def _bound_rules(what: str, measure: float, shape: Shape) -> list[str]:
    rules = []
    if shape.min is not None and measure < shape.min:
        rules.append(f"have {what} greater than or equal to {shape.min}")
    if shape.max is not None and measure > shape.max:
        rules.append(f"have {what} less than or equal to {shape.max}")
    return rules


def _relaxed_rules(shape_name: str, value: str) -> list[str]:
    if not value:
        return ["have length greater than or equal to 1"]
    limit = 1285 if shape_name == "S3Path" else 2048
    if len(value) > limit:
        return [f"have length less than or equal to {limit}"]
    if shape_name == "VipURL" and not re.fullmatch(_RELAXED_URL, value):
        return [f"satisfy regular expression pattern: {_RELAXED_URL}"]
    if shape_name.endswith(("DatabaseName", "Identifier")) and not re.fullmatch(r"\S+", value):
        return ["satisfy regular expression pattern: \\S+"]
    return []


def _java_text(value: object) -> str:
    """A value as the service prints it: strings and numbers quoted, lists and maps Java-style."""
    return "null" if value is None else f"'{cut(_java_str(value))}'"


def _java_str(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_java_str(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_java_str(k)}={_java_str(v)}" for k, v in value.items()) + "}"
    return str(value)


# Java's \p{L}, \p{N}, \p{Z} have no Python `re` spelling; each becomes a private-use stand-in
# in the pattern and every character of that Unicode category becomes the stand-in in the value.
# This holds while such a pattern names no literal letter, digit or space (true of TagKey/TagValue).
_CATEGORY_STANDINS = {"L": "\ue000", "N": "\ue001", "Z": "\ue002"}


@cache
def _python_pattern(pattern: str) -> tuple[re.Pattern[str], bool]:
    translated = re.sub(r"\\p\{([LNZ])\}", lambda m: _CATEGORY_STANDINS[m.group(1)], pattern)
    return re.compile(translated), translated != pattern


def java_full_match(pattern: str, value: str) -> bool:
    """Whether `value` matches the model's (Java) pattern as a whole, as String.matches does."""
    compiled, by_category = _python_pattern(pattern)
    if by_category:
        value = "".join(_CATEGORY_STANDINS.get(unicodedata.category(ch)[0], ch) for ch in value)
    return compiled.fullmatch(value) is not None
