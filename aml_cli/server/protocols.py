"""The two wire protocols, read and written from the API description alone.

AWS JSON 1.1 (Amazon ML): the request is the body, a JSON object; timestamps
travel as epoch seconds. REST-JSON (Clean Rooms, Clean Rooms ML): members
travel where the input shape's `locations` say (URI labels, the query string,
headers), the rest in a JSON body; timestamps as ISO 8601 unless a shape says
otherwise. Inside aml every timestamp is epoch seconds (a float), so reading
turns the wire's form into that and writing turns it back. JSON `null` and
unknown members are dropped on the way in, as botocore drops them on the way out.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from aml_cli.api.model import Operation, Service, Shape


class DecodeError(Exception):
    """The request body or a member sent outside it cannot be read as the model says."""


# ------------------------------------------------------------------------------------------------- reading


def json_body(body: bytes, *, empty_ok: bool) -> dict:
    """The JSON object a body holds; `{}` for no body where the protocol allows none."""
    if not body.strip():
        if empty_ok:
            return {}
        raise DecodeError("The request body is empty; a JSON object is required.")
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DecodeError(f"The request body is not valid JSON: {exc}") from None
    except RecursionError:  # no member of any of these APIs nests deeper than a few levels
        raise DecodeError("The request body nests too deep to be a request of this API.") from None
    if not isinstance(value, dict):
        raise DecodeError(f"The request body must be a JSON object, not {type(value).__name__}.")
    return value


def read_members(shape: Shape, value: Any) -> Any:
    """`value` along `shape`: nulls and unknown members gone, timestamps as epoch seconds.

    A value of the wrong type is left as it is, for validation to name it in the service's words.
    """
    kind = shape.type
    if kind == "structure" and isinstance(value, dict):
        return {name: read_members(shape.members[name], item) for name, item in value.items()
                if name in shape.members and item is not None}
    if kind == "list" and isinstance(value, list):
        return [read_members(shape.member, item) for item in value if item is not None]  # type: ignore[arg-type]
    if kind == "map" and isinstance(value, dict):
        return {key: read_members(shape.value, item) for key, item in value.items()  # type: ignore[arg-type]
                if item is not None}
    if kind == "timestamp":
        return epoch_of(value)
    return value


def epoch_of(value: Any) -> Any:
    """Epoch seconds from a number, a numeric string or ISO 8601 text (the forms SDKs send); else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def rest_request(op: Operation, labels: dict[str, str], query: list[tuple[str, str]],
                 headers: dict[str, list[str]], body: bytes) -> dict:
    """The request dict of a REST-JSON call: body members, then labels, query and headers per the model."""
    shape = op.input  # GET and DELETE carry no body; POST, PUT and PATCH may send none when no member goes there
    request = {name: item for name, item in json_body(body, empty_ok=True).items()
               if shape.location(name)[0] == "body"}
    for member, (where, wire) in shape.locations.items():
        member_shape = shape.members[member]
        if where == "uri" and wire in labels:
            request[member] = scalar(member_shape, labels[wire], member)
        elif where == "querystring":
            _query_member(request, member, member_shape, wire, query)
        elif where == "header" and wire.lower() in headers:
            request[member] = scalar(member_shape, headers[wire.lower()][0], member)
    return read_members(shape, request)


def _query_member(request: dict, member: str, shape: Shape, wire: str, query: list[tuple[str, str]]) -> None:
    if shape.type == "map":  # a query-string map takes every parameter no other member names
        request[member] = {name: value for name, value in query}
        return
    values = [value for name, value in query if name == wire]
    if not values:
        return
    if shape.type == "list":
        request[member] = [scalar(shape.member, value, member) for value in values]  # type: ignore[arg-type]
    else:
        request[member] = scalar(shape, values[0], member)


def scalar(shape: Shape, text: str, member: str) -> Any:
    """A member sent as text (a URI label, a query parameter, a header) as its shape's type."""
    kind = shape.type
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise DecodeError(f"{member} must be a number, not {text!r}.") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise DecodeError(f"{member} must be true or false, not {text!r}.")
        return text.lower() == "true"
    if kind == "timestamp":
        moment = epoch_of(text)
        if isinstance(moment, str):
            raise DecodeError(f"{member} must be a timestamp, not {text!r}.")
        return moment
    return text


# ------------------------------------------------------------------------------------------------- writing


def write_members(shape: Shape, value: Any, timestamp_format: str) -> Any:
    """`value` along `shape` for the wire: timestamps in the shape's (else the service's) format, nulls dropped."""
    kind = shape.type
    if value is None:
        return None
    if kind == "structure" and isinstance(value, dict):
        return {name: write_members(shape.members[name], item, timestamp_format) if name in shape.members else item
                for name, item in value.items() if item is not None}
    if kind == "list" and isinstance(value, list):
        return [write_members(shape.member, item, timestamp_format) for item in value]  # type: ignore[arg-type]
    if kind == "map" and isinstance(value, dict):
        return {key: write_members(shape.value, item, timestamp_format)  # type: ignore[arg-type]
                for key, item in value.items()}
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return wire_timestamp(float(value), shape.timestamp_format or timestamp_format)
    return value


def wire_timestamp(seconds: float, form: str) -> float | str:
    """Epoch seconds rounded to milliseconds, or ISO 8601 in UTC with milliseconds (`2026-11-23T15:22:37.285Z`)."""
    if form == "iso8601" and math.isfinite(seconds):
        moment = datetime.fromtimestamp(round(seconds, 3), UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return round(seconds, 3)


def encode(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def response(service: Service, op: Operation, result: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, extra headers and body of a successful call, as the service's protocol writes them."""
    wire = write_members(op.output, result, service.timestamp_format)
    if service.protocol.name == "json":
        return 200, [], encode(wire)
    headers = []
    for member, (where, name) in op.output.locations.items():
        if where == "header" and member in wire:
            headers.append((name, str(wire.pop(member))))
    return op.http.status, headers, encode(wire)


def content_type(service: Service | None) -> str:
    if service is None or service.protocol.name == "json":
        return "application/x-amz-json-1.1"
    return "application/json"
