"""From the service's wire values to what boto3 hands its caller, and the metadata it adds.

The service answers in the JSON protocol's terms (timestamps as epoch
seconds); botocore turns each timestamp member into a timezone-aware
`datetime` in the local zone and adds `ResponseMetadata`. Errors become the
dict botocore parses from an error body: `Error.Code`, `Error.Message`, the
modeled `message` member, and metadata with the error's HTTP status.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from email.utils import formatdate
from typing import Any

from aml_cli.api.model import Shape

CONTENT_TYPE = "application/x-amz-json-1.1"


def python_values(shape: Shape, value: Any) -> Any:
    """Walk `value` along `shape`; timestamp members become aware datetimes, the rest is copied."""
    if value is None:
        return None
    kind = shape.type
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value).astimezone()
    if kind == "structure" and isinstance(value, dict):
        return {key: python_values(shape.members[key], item) if key in shape.members else item
                for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        return [python_values(shape.member, item) for item in value]  # type: ignore[arg-type]
    if kind == "map" and isinstance(value, dict):
        return {key: python_values(shape.value, item) for key, item in value.items()}  # type: ignore[arg-type]
    return value


def response_metadata(status: int, body: dict) -> dict:
    """`ResponseMetadata` as botocore fills it from the HTTP answer (one attempt, a fresh request ID)."""
    request_id = str(uuid.uuid4())
    length = len(json.dumps(body, separators=(",", ":"), default=str).encode("utf-8"))
    headers = {
        "x-amzn-requestid": request_id,
        "content-type": CONTENT_TYPE,
        "content-length": str(length),
        "date": formatdate(usegmt=True),
    }
    return {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0}


def with_metadata(response: dict, wire: dict) -> dict:
    return {**response, "ResponseMetadata": response_metadata(200, wire)}


def error_response(code: str, message: str, status: int) -> dict:
    """The dict a `ClientError` carries: what botocore parses from a JSON 1.1 error body."""
    body = {"__type": code, "message": message}
    return {"Error": {"Message": message, "Code": code}, "ResponseMetadata": response_metadata(status, body),
            "message": message}
