"""Describe*: one filter variable compared with EQ/GT/LT/GE/LE/NE/Prefix, a sort order, and pages.

The service pages with an opaque NextToken. Ours pins the listing to the
resources that existed when its first page was asked for, and says which of
them were already returned (a bitmap over their creation order, compressed):
each later page is the first `Limit` of the others, filtered and sorted as they
now are. So a resource renamed (or finishing, or updated) between two pages
is listed once, wherever its new sort key puts it, and one created meanwhile
never shifts the pages: no result is skipped or repeated. (An offset, or a
keyset cursor on the sort key, repeats a resource renamed past the cursor and
skips one renamed before it.) Values compare as strings, except timestamps
(CreatedAt, LastUpdatedAt), which compare as instants and accept epoch
seconds or ISO 8601 text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException
from aml_cli.api.text import cut

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
    records = store.list(kind)  # creation order: a record's place in it never changes
    token = request.get("NextToken")
    listing = _Listing(len(records)) if token is None else _Listing.read(token, len(records))
    pending = [(rank, record) for rank, record in enumerate(records[: listing.total]) if not listing.returned(rank)]
    ordered = _ordered(pending, kind, request)
    limit = request.get("Limit") or DEFAULT_LIMIT
    page = ordered[:limit]
    response: dict = {"Results": [view(record) for _, record in page]}
    if len(ordered) > limit:
        listing.mark(rank for rank, _ in page)
        response["NextToken"] = listing.token()
    return response


def _ordered(ranked: list[tuple[int, dict]], kind: str, request: dict) -> list[tuple[int, dict]]:
    """The (creation rank, record) pairs the filter keeps, in the requested order (ties in creation order)."""
    variable = request.get("FilterVariable")
    if variable is not None:
        read = VARIABLES[kind][variable]
        kept = [(rank, r) for rank, r in ranked if _matches(read(r), variable, request)]
        return sorted(kept, key=lambda pair: _key(read(pair[1]), variable), reverse=request.get("SortOrder") == "dsc")
    return list(reversed(ranked)) if request.get("SortOrder") == "dsc" else ranked


class _Listing:
    """One listing across its pages: how many resources it covers (those of its first page's moment) and
    which of them it has returned, as a bitmap over their creation ranks."""

    VERSION = b"\x01"

    def __init__(self, total: int, bits: bytearray | None = None) -> None:
        self.total = total
        self.bits = bits if bits is not None else bytearray((total + 7) // 8)

    @classmethod
    def read(cls, token: str, now: int) -> _Listing:
        """A token this service gave out; anything else is invalid input."""
        import base64
        import binascii
        import zlib

        try:  # never inflated past the size a token for `now` resources can have
            packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            raw = zlib.decompressobj().decompress(packed, 10 + (now + 7) // 8)
        except (binascii.Error, ValueError, zlib.error):
            raise InvalidInputException(f"Invalid NextToken: {cut(token, 80)}") from None
        total = int.from_bytes(raw[1:9], "big")
        if raw[:1] != cls.VERSION or total > now or len(raw) != 9 + (total + 7) // 8:
            raise InvalidInputException(f"Invalid NextToken: {cut(token, 80)}")
        return cls(total, bytearray(raw[9:]))

    def returned(self, rank: int) -> bool:
        return bool(self.bits[rank >> 3] & (1 << (rank & 7)))

    def mark(self, ranks) -> None:
        for rank in ranks:
            self.bits[rank >> 3] |= 1 << (rank & 7)

    def token(self) -> str:
        import base64
        import zlib

        raw = self.VERSION + self.total.to_bytes(8, "big") + bytes(self.bits)
        return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


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
