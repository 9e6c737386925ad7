"""`--cli-input-yaml` documents, loaded safely and within a bound.

The safe loader builds no Python objects from tags, but YAML aliases let a
1 KB document stand for a value of billions of nodes (nine lists of nine
aliases of the list before): loading shares the nodes, and anything that
walks the value afterwards (validation, an error message echoing it) pays
for the whole expansion. So the loaded value is measured as if expanded,
counting each shared part every time it is referred to, and refused past
MAX_EXPANDED: the same bound as a parameter file, which no document without
aliases can pass. A document that refers to itself is refused too.
"""

from __future__ import annotations

from typing import Any

from aml_cli.cli.paramfile import MAX_PARAM_FILE_BYTES
from aml_cli.cli.usage_errors import ParamParseError

MAX_EXPANDED = MAX_PARAM_FILE_BYTES
TOO_DEEP = "it is nested too deeply (over about 900 levels)."
OPTION = "cli-input-yaml"


class _TooLarge(Exception):
    """The value, expanded, passes the bound (or never ends)."""


def load_yaml(text: str) -> Any:
    """The document's value; ParamParseError for invalid YAML, deep nesting or an alias expansion past the bound."""
    import yaml

    try:
        document = yaml.safe_load(text)
    except RecursionError:
        raise ParamParseError(OPTION, f"Invalid YAML received: {TOO_DEEP}") from None
    except yaml.YAMLError:
        raise ParamParseError(OPTION, "Invalid YAML received.") from None
    try:
        expanded_size(document, MAX_EXPANDED)
    except (_TooLarge, RecursionError):
        raise ParamParseError(
            OPTION,
            f"The YAML document's aliases expand it past {MAX_EXPANDED} characters (16 MiB), or make it refer "
            "to itself; aml refuses such documents.",
        ) from None
    return document


def expanded_size(value: Any, limit: int) -> int:
    """The value's size as if every alias were a copy: characters of text, 1 per other scalar and container.

    Each shared container is measured once (memoized by identity) and counted every time it appears;
    raises _TooLarge as soon as the total passes `limit`, or on a cycle.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(item: Any) -> int:
        if isinstance(item, str | bytes):
            return len(item)
        if not isinstance(item, list | dict):
            return 1
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise _TooLarge()
        open_.add(key)
        parts = item.items() if isinstance(item, dict) else ((None, element) for element in item)
        total = 1
        for name, element in parts:
            total += (0 if name is None else size(name)) + size(element)
            if total > limit:
                raise _TooLarge()
        open_.discard(key)
        sizes[key] = total
        return total

    return size(value)
