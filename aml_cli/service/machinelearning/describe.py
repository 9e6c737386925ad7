"""Describe*: one filter variable compared with EQ/GT/LT/GE/LE/NE/Prefix, a sort order, and pages.

The service pages with an opaque NextToken; ours is the offset of the next
result in the filtered, sorted list. Values compare as strings, except
timestamps (CreatedAt, LastUpdatedAt), which compare as instants and accept
epoch seconds or ISO 8601 text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException

if TYPE_CHECKING:
    from aml_cli.store import Store

OPERATORS = ("EQ", "GT", "LT", "GE", "LE", "NE", "Prefix")
TIME_VARIABLES = frozenset({"CreatedAt", "LastUpdatedAt"})
DEFAULT_LIMIT = 100

# FilterVariable -> how to read it from a record, per resource kind
_COMMON: dict[str, Callable[[dict], object]] = {
    "CreatedAt": lambda r: r.get("CreatedAt"),
    "LastUpdatedAt": lambda r: r.get("LastUpdatedAt"),
    "Status": lambda r: r.get("Status"),
    "Name": lambda r: r.get("Name"),
    "IAMUser": lambda r: r.get("CreatedByIamUser"),
}
VARIABLES: dict[str, dict[str, Callable[[dict], object]]] = {
    "DataSource": {**_COMMON, "DataLocationS3": lambda r: r.get("DataLocationS3")},
    "MLModel": {
        **_COMMON,
        "TrainingDataSourceId": lambda r: r.get("TrainingDataSourceId"),
        "RealtimeEndpointStatus": lambda r: (r.get("EndpointInfo") or {}).get("EndpointStatus"),
        "MLModelType": lambda r: r.get("MLModelType"),
        "Algorithm": lambda r: r.get("Algorithm"),
        "TrainingDataURI": lambda r: r.get("InputDataLocationS3"),
    },
    "Evaluation": {
        **_COMMON,
        "MLModelId": lambda r: r.get("MLModelId"),
        "DataSourceId": lambda r: r.get("EvaluationDataSourceId"),
        "DataURI": lambda r: r.get("InputDataLocationS3"),
    },
    "BatchPrediction": {
        **_COMMON,
        "MLModelId": lambda r: r.get("MLModelId"),
        "DataSourceId": lambda r: r.get("BatchPredictionDataSourceId"),
        "DataURI": lambda r: r.get("InputDataLocationS3"),
    },
}


def describe(store: Store, kind: str, request: dict, view: Callable[[dict], dict]) -> dict:
    """Filter, sort and page the resources of `kind`; `view` turns a record into a result."""
    from aml_cli.jobs import reap

    reap(store)
    records = store.list(kind)
    variable = request.get("FilterVariable")
    if variable is not None:
        read = VARIABLES[kind][variable]
        records = [r for r in records if _matches(read(r), variable, request)]
        records = _sorted(records, read, variable, request.get("SortOrder", "asc"))
    elif request.get("SortOrder") == "dsc":
        records = list(reversed(records))
    start = _offset(request.get("NextToken"), len(records))
    limit = request.get("Limit") or DEFAULT_LIMIT
    page = records[start : start + limit]
    response: dict = {"Results": [view(r) for r in page]}
    if start + limit < len(records):
        response["NextToken"] = str(start + limit)
    return response


def _offset(token: str | None, total: int) -> int:
    if token is None:
        return 0
    if not token.isdigit() or int(token) > total:
        raise InvalidInputException(f"Invalid NextToken: {token}")
    return int(token)


def _key(value: object, variable: str) -> object:
    if variable in TIME_VARIABLES:
        return _instant(value)
    return "" if value is None else str(value)


def _instant(value: object) -> float:
    if value is None:
        return float("-inf")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputException(f"Value {text!r} is not a valid timestamp for a date filter.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.timestamp()


def _matches(value: object, variable: str, request: dict) -> bool:
    actual = _key(value, variable)
    for op in OPERATORS:
        wanted = request.get(op)
        if wanted is None:
            continue
        if op == "Prefix":
            if not str(value or "").startswith(wanted):
                return False
            continue
        expected = _key(wanted, variable)
        if not _compare(op, actual, expected):
            return False
    return True


def _compare(op: str, actual, expected) -> bool:
    if op == "EQ":
        return actual == expected
    if op == "NE":
        return actual != expected
    if op == "GT":
        return actual > expected
    if op == "LT":
        return actual < expected
    if op == "GE":
        return actual >= expected
    return actual <= expected


def _sorted(records: list[dict], read, variable: str, order: str) -> list[dict]:
    return sorted(records, key=lambda r: _key(read(r), variable), reverse=order == "dsc")
