"""`--output text`: tab-separated lines that shell tools (cut, awk, read) consume.

The layout is the AWS CLI's, so scripts written against `aws machinelearning`
keep parsing our output: scalars of a dict on one line in sorted-key order,
prefixed by the upper-cased key that led to them, nested members after.
"""

from __future__ import annotations

from typing import Any


def format_text(value: Any) -> str:
    """Render any JSON value as the AWS CLI's text output (ends with a newline when non-empty)."""
    lines: list[str] = []
    _emit(value, None, None, lines)
    return "".join(line + "\n" for line in lines)


def _is_nested(value: Any) -> bool:
    return isinstance(value, (dict, list))


def _emit(value: Any, identifier: str | None, columns: list[str] | None, lines: list[str]) -> None:
    if isinstance(value, dict):
        _emit_dict(value, identifier, columns, lines)
    elif isinstance(value, list):
        _emit_list(value, identifier, lines)
    else:
        lines.append(str(value))


def _emit_dict(value: dict, identifier: str | None, columns: list[str] | None, lines: list[str]) -> None:
    # Inside a list of dicts every element uses the list's column set, so rows line up.
    if columns is None:
        cells = [str(v) for _, v in sorted(value.items()) if not _is_nested(v)]
        nested = [(k, v) for k, v in sorted(value.items()) if _is_nested(v)]
    else:
        cells = [str(value.get(key, "")) for key in columns]
        nested = [(k, value[k]) for k in sorted(set(value) - set(columns))]
    if cells:
        prefix = [identifier.upper()] if identifier is not None else []
        lines.append("\t".join(prefix + cells))
    for key, member in nested:
        _emit(member, key, None, lines)


def _emit_list(value: list, identifier: str | None, lines: list[str]) -> None:
    if not value:
        return
    if any(isinstance(item, dict) for item in value):
        columns = sorted({k for item in value if isinstance(item, dict) for k, v in item.items() if not _is_nested(v)})
        for item in value:
            _emit(item, identifier, columns, lines)
        return
    scalars = [item for item in value if not _is_nested(item)]
    if scalars or not any(isinstance(item, list) for item in value):
        _emit_scalars(scalars, identifier, lines)
    for item in value:
        if isinstance(item, list):
            _emit(item, identifier, None, lines)


def _emit_scalars(items: list, identifier: str | None, lines: list[str]) -> None:
    if identifier is None:
        lines.append("\t".join(str(item) for item in items))
    else:
        lines.extend(f"{identifier.upper()}\t{item}" for item in items)
