"""`client.get_paginator(...)`: the Describe* listings page by page, with boto3's PaginationConfig.

Semantics follow botocore's: iterating a PageIterator calls the operation
from the start each time and yields whole responses; `PageSize` becomes the
`Limit` member; `MaxItems` cuts the listing, trims the last page's results
and sets `resume_token`, which `StartingToken` takes back (the same base64
token the AWS CLI prints, so either tool resumes the other's listing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aml_cli.client.errors import PaginationError, ParamValidationError

_TRUNCATE = "boto_truncate_amount"


class Paginator:
    """Makes PageIterators for one operation."""

    def __init__(self, method: Callable[..., dict], spec: Any) -> None:
        self._method = method
        self._spec = spec

    def paginate(self, **kwargs: Any) -> PageIterator:
        """The operation's arguments, plus `PaginationConfig={"MaxItems", "PageSize", "StartingToken"}`."""
        config = kwargs.pop("PaginationConfig", None) or {}
        if not isinstance(config, dict):
            raise ParamValidationError(report=f"PaginationConfig must be a dict, not {type(config).__name__}")
        return PageIterator(
            self._method,
            self._spec,
            kwargs,
            max_items=_integer(config, "MaxItems"),
            page_size=_integer(config, "PageSize"),
            starting_token=config.get("StartingToken"),
        )


def _integer(config: dict, key: str) -> int | None:
    value = config.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ParamValidationError(report=f"PaginationConfig {key} must be an integer, not {value!r}") from None


class PageIterator:
    """An iterable of pages (not an iterator: each `iter()` starts the listing again)."""

    def __init__(self, method: Callable[..., dict], spec: Any, kwargs: dict, *, max_items: int | None,
                 page_size: int | None, starting_token: str | None) -> None:
        self._method, self._spec, self._kwargs = method, spec, dict(kwargs)
        self._max_items, self._page_size, self._starting_token = max_items, page_size, starting_token
        self._resume_token: str | None = None

    @property
    def result_keys(self) -> list[str]:
        return [self._spec.result_key]

    @property
    def resume_token(self) -> str | None:
        """Where a listing cut by MaxItems resumes (give it as StartingToken); None when it was not cut."""
        return self._resume_token

    def __iter__(self) -> Iterator[dict]:
        spec = self._spec
        token, skip = self._start()
        request = dict(self._kwargs)
        _set_token(request, spec.input_token, token)
        if self._page_size is not None:
            request[spec.limit_key] = self._page_size
        seen, previous = 0, None
        while True:
            page = self._method(**request)
            results = list(page.get(spec.result_key) or [])[skip:]
            if skip:
                page[spec.result_key] = results
            if self._max_items is not None and seen + len(results) > self._max_items:
                keep = self._max_items - seen
                page[spec.result_key] = results[:keep]
                self._resume_token = _encode({spec.input_token: token, _TRUNCATE: keep + skip})
                yield page
                return
            yield page
            seen += len(results)
            following = page.get(spec.output_token) or None
            if following is None:
                return
            if self._max_items is not None and seen == self._max_items:
                self._resume_token = _encode({spec.input_token: following})
                return
            if following == previous:
                raise PaginationError(message=f"The same next token was received twice: {{'NextToken': {following!r}}}")
            previous, token, skip = following, following, 0
            _set_token(request, spec.input_token, following)

    def _start(self) -> tuple[str | None, int]:
        if self._starting_token is None:
            return None, 0
        from aml_cli.api.pagination import decode_token

        decoded = decode_token(self._starting_token)
        skip = int(decoded.pop(_TRUNCATE, 0) or 0)
        return decoded.get(self._spec.input_token), skip

    def build_full_result(self) -> dict:
        """Every page's results in one list (no ResponseMetadata), and `NextToken` when MaxItems cut it."""
        key = self._spec.result_key
        merged: dict = {}
        for page in self:
            if page.get(key) is not None:
                merged.setdefault(key, []).extend(page[key])
        if self._resume_token is not None:
            merged["NextToken"] = self._resume_token
        return merged

    def search(self, expression: str) -> Iterator[Any]:
        """A JMESPath expression applied to each page; list results are flattened, as botocore does."""
        import jmespath

        compiled = jmespath.compile(expression)
        for page in self:
            found = compiled.search(page)
            if isinstance(found, list):
                yield from found
            else:
                yield found


def _set_token(request: dict, name: str, token: str | None) -> None:
    if token is not None and token != "None":
        request[name] = token
    else:
        request.pop(name, None)


def _encode(token: dict) -> str:
    from aml_cli.api.pagination import encode_token

    return encode_token(token)
