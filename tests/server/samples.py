"""Values made from an API shape: requests botocore accepts, responses botocore parses, and what boto3 returns.

Strings carry the characters that travel badly (`:`, `/`, a space, a `+`,
non-ASCII) so that path labels, the query string and JSON bodies are all
exercised; timestamps are one known instant with milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aml_cli.api.model import Shape

INSTANT = 1718000000.123
TEXT = "arn:aws:x/y z+é"


def sample(shape: Shape, *, everything: bool, depth: int = 0) -> object:
    """A value of `shape`: required members only (a minimal request) or every member (a full response)."""
    kind = shape.type
    if kind == "structure":
        names = list(shape.members) if everything else list(shape.required) + list(shape.locations)
        if shape.union:
            names = names[:1] or list(shape.members)[:1]
        if depth > 6:
            names = list(shape.required)
        return {name: sample(shape.members[name], everything=everything, depth=depth + 1)
                for name in dict.fromkeys(names)}
    if kind == "list":
        count = max(1, int(shape.min or 0))
        return [sample(shape.member, everything=everything, depth=depth + 1) for _ in range(count)]  # type: ignore
    if kind == "map":
        return {"key": sample(shape.value, everything=everything, depth=depth + 1)}  # type: ignore[arg-type]
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        text = TEXT
        return text + "x" * max(0, int(shape.min or 0) - len(text))
    if kind in ("integer", "long"):
        return max(1, int(shape.min or 0))
    if kind in ("float", "double"):
        return max(1.5, float(shape.min or 0))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return INSTANT
    if kind == "document":
        return {"a": 1}
    raise AssertionError(f"no sample for {kind}")


def as_python(shape: Shape, value: object) -> object:
    """What boto3 hands back for a wire value: timestamps as aware datetimes."""
    if shape.type == "structure" and isinstance(value, dict):
        return {k: as_python(shape.members[k], v) for k, v in value.items()}
    if shape.type == "list" and isinstance(value, list):
        return [as_python(shape.member, v) for v in value]  # type: ignore[arg-type]
    if shape.type == "map" and isinstance(value, dict):
        return {k: as_python(shape.value, v) for k, v in value.items()}  # type: ignore[arg-type]
    if shape.type == "timestamp":
        return datetime.fromtimestamp(value, UTC)  # type: ignore[arg-type]
    return value


def timestamps_of(shape: Shape, value: object) -> list[object]:
    """Every value a timestamp member holds in `value`."""
    found: list[object] = []
    if shape.type == "structure" and isinstance(value, dict):
        for name, item in value.items():
            if name in shape.members:
                found += timestamps_of(shape.members[name], item)
    elif shape.type == "list" and isinstance(value, list):
        for item in value:
            found += timestamps_of(shape.member, item)  # type: ignore[arg-type]
    elif shape.type == "map" and isinstance(value, dict):
        for item in value.values():
            found += timestamps_of(shape.value, item)  # type: ignore[arg-type]
    elif shape.type == "timestamp":
        found.append(value)
    return found
