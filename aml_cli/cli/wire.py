"""From the service's wire values to what the CLI prints.

The service returns timestamps as epoch seconds, as the JSON 1.1 protocol
sends them; the AWS CLI v2 shows them as ISO 8601 in the local time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aml_cli.api.model import Shape


def iso_timestamp(epoch: float) -> str:
    """1428966068.123 -> '2015-04-13T23:01:08.123000+00:00' (local zone; microseconds only if non-zero)."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat()


def to_cli_values(shape: Shape, value: Any) -> Any:
    """Walk `value` along `shape`, turning timestamp members into ISO strings."""
    if value is None:
        return None
    kind = shape.type
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return iso_timestamp(value)
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            out[key] = to_cli_values(member, item) if member is not None else item
        return out
    if kind == "list" and isinstance(value, list) and shape.member is not None:
        return [to_cli_values(shape.member, item) for item in value]
    if kind == "map" and isinstance(value, dict) and shape.value is not None:
        return {key: to_cli_values(shape.value, item) for key, item in value.items()}
    return value
