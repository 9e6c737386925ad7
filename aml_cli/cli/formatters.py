"""One entry point for every `--output` format.

The value given is the response after `--query`. yaml is imported only on
the yaml paths so that `--output json` (the default) stays cheap to start.
"""

from __future__ import annotations

import json
from typing import Any


def format_output(value: Any, output: str, *, title: str, width: int = 80, color: bool = False) -> str:
    """Render `value` in `output` format exactly as AWS CLI v2 prints it; `color` affects only tables."""
    if output == "json":
        return format_json(value)
    if output == "text":
        from aml_cli.cli.format_text import format_text

        return format_text(value)
    if output == "table":
        from aml_cli.cli.format_table import format_table

        return format_table(value, title=title, width=width, color=color)
    if output == "yaml":
        from aml_cli.cli.format_yaml import format_yaml

        return format_yaml(value)
    if output == "yaml-stream":
        from aml_cli.cli.format_yaml import format_yaml_stream

        return format_yaml_stream(value)
    if output == "off":
        return ""
    raise ValueError(f"Unknown output type: {output}")


def format_json(value: Any) -> str:
    """Indent 4, raw UTF-8; `{}` (an operation with no output members) prints nothing at all."""
    if value == {}:
        return ""
    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"
