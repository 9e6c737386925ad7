"""`--output yaml` and `yaml-stream`, byte for byte as AWS CLI v2 prints them.

AWS CLI v2 dumps with ruamel.yaml's safe dumper (YAML 1.2); we only have
PyYAML (YAML 1.1). The emitters agree on layout, so the differences are in
which plain strings would read back as something else, and so need quotes:
under 1.2 `yes`, `on`, `NaN` and `1:20` are plain strings, `0o17` and
`.5` are numbers. `_Yaml12Dumper` swaps in the 1.2 implicit resolvers and
ruamel's float spelling. This module is imported only when yaml is asked for.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import yaml

# Implicit types of the YAML 1.2 schema as ruamel.yaml resolves plain scalars:
# (tag, pattern, characters a matching scalar can start with).
_YAML12_IMPLICIT = [
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    (
        "float",
        r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+0123456789.",
    ),
    ("int", r"[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+", "-+0123456789"),
    ("merge", r"<<", "<"),
    ("null", r"~|null|Null|NULL|", "~nN"),
    (
        "timestamp",
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?",
        "0123456789",
    ),
    ("value", r"=", "="),
    ("yaml", r"!|&|\*", "!&*"),
]


# ruamel.yaml emits through libyaml when it can, and libyaml folds long
# double-quoted strings differently from the pure-Python emitter.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Yaml12Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """PyYAML's safe dumper resolving plain scalars by YAML 1.2 rules, as ruamel.yaml's safe dumper does."""

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - PyYAML's class-level registry, replaced wholesale


for _tag, _pattern, _first in _YAML12_IMPLICIT:
    _starts = [*_first, ""] if _tag == "null" else list(_first)
    _Yaml12Dumper.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), _starts)


def _represent_float(dumper: yaml.representer.SafeRepresenter, data: float) -> yaml.ScalarNode:
    # YAML 1.2 accepts `1e-06` as written, so no `.0` is inserted as PyYAML does for 1.1.
    if data != data:
        text = ".nan"
    elif data in (float("inf"), float("-inf")):
        text = ".inf" if data > 0 else "-.inf"
    else:
        text = repr(data).lower()
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Yaml12Dumper.add_representer(float, _represent_float)


def format_yaml(value: Any) -> str:
    """`--output yaml`: scalars go through json (as the AWS CLI does), `{}` prints nothing."""
    if value == {}:
        return ""
    if not isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False) + "\n"
    return _dump(value)


def format_yaml_stream(value: Any) -> str:
    """`--output yaml-stream`: one page as a one-item list, so consecutive pages read as one sequence."""
    return _dump([value])


def _dump(value: dict | list) -> str:
    out = io.StringIO()
    yaml.dump(value, out, Dumper=_Yaml12Dumper, default_flow_style=False, allow_unicode=True, sort_keys=True)
    return out.getvalue()
