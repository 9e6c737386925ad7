"""Client-side pagination as the AWS CLI does it: --starting-token, --page-size, --max-items.

Tokens are the AWS CLI's (base64 of a JSON dict), so a token printed by the
real CLI for a truncated listing and one printed by aml look and decode alike.
The service is called through a plain `call(request) -> response` function,
which keeps this module free of the service layer and easy to test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from aml_cli.api.pagination import decode_ours, decode_token, encode_token  # noqa: F401 - decode_token re-exported
from aml_cli.cli.formatters import format_output

_TRUNCATE = "boto_truncate_amount"


class PaginationError(Exception):
    """The service handed back the same page token twice; following it would never end."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _starting_point(starting_token: str, input_token: str) -> tuple[dict, int]:
    """(service tokens keyed by input-token name, results of the first page already consumed)."""
    token = decode_ours(starting_token)
    if token is None:
        return _old_style_token(starting_token, input_token)
    skip = int(token.pop(_TRUNCATE, 0) or 0)
    return {input_token: token.get(input_token)}, skip


def _old_style_token(text: str, input_token: str) -> tuple[dict, int]:
    # Old style: "<service token>___<items to skip>"; otherwise the whole text is the service token.
    head, sep, tail = text.rpartition("___")
    if sep and tail.isdigit():
        return {input_token: None if head == "None" else head}, int(tail)
    return {input_token: text}, 0


def iterate_pages(
    call: Callable[[dict], dict],
    request: dict,
    *,
    input_token: str,
    output_token: str,
    limit_key: str,
    result_key: str,
    page_size: int | None = None,
    max_items: int | None = None,
    starting_token: str | None = None,
) -> Iterator[dict]:
    """Yield service pages; when --max-items cuts the listing, the last page ends with the resume `NextToken`."""
    request = dict(request)
    current: dict = {input_token: None}
    skip = 0
    if starting_token is not None:
        current, skip = _starting_point(starting_token, input_token)
    _set_token(request, input_token, current.get(input_token))
    if page_size is not None:
        request[limit_key] = page_size
    seen = 0
    previous: Any = None
    while True:
        page = dict(call(dict(request)))
        results = list(page.get(result_key) or [])
        if skip:
            results = results[skip:]
            page[result_key] = results
        if max_items is not None and seen + len(results) > max_items:
            keep = max_items - seen
            page[result_key] = results[:keep]
            yield _with_resume_token(page, output_token, {**current, _TRUNCATE: keep + skip})
            return
        seen += len(results)
        following = page.get(output_token) or None
        if following is None:
            page.pop(output_token, None)
            yield page
            return
        if max_items is not None and seen == max_items:
            yield _with_resume_token(page, output_token, {input_token: following})
            return
        yield page
        if following == previous:
            repeated = {input_token: following}
            raise PaginationError(f"The same next token was received twice: {repeated!r}")
        previous = following
        current, skip = {input_token: following}, 0
        _set_token(request, input_token, following)


def _set_token(request: dict, name: str, token: Any) -> None:
    if token is not None and token != "None":
        request[name] = token
    else:
        request.pop(name, None)


def _with_resume_token(page: dict, output_token: str, token: dict) -> dict:
    page.pop(output_token, None)
    page.pop("NextToken", None)
    page["NextToken"] = encode_token(token)
    return page


def merge_pages(pages: Iterable[dict], result_key: str) -> dict:
    """One response from many pages: results concatenated, other keys from the first page, resume token last."""
    merged: dict = {}
    results: list | None = None
    resume: str | None = None
    for number, page in enumerate(pages):
        if number == 0:
            merged = {key: value for key, value in page.items() if key != "NextToken"}
        value = page.get(result_key)
        if value is not None:
            results = list(value) if results is None else results + list(value)
        resume = page.get("NextToken")
    if results is not None:
        merged[result_key] = results
    else:
        merged.pop(result_key, None)
    if resume is not None:
        merged["NextToken"] = resume
    return merged


def apply_query(value: Any, query: str | None) -> Any:
    """JMESPath `--query` on a response; jmespath is imported only when a query is given."""
    if query is None:
        return value
    import jmespath

    return jmespath.search(query, value)


def render_paginated(
    pages: Iterable[dict],
    *,
    output: str,
    query: str | None,
    title: str,
    width: int = 80,
    color: bool = False,
    result_key: str,
) -> str:
    """Print a paginated listing: merged then queried (json/yaml/table), or page by page (text, yaml-stream)."""
    options = {"title": title, "width": width, "color": color}
    if output == "text":
        return _render_text_pages(pages, query, result_key)
    if output == "yaml-stream":
        return "".join(format_output(apply_query(page, query), output, **options) for page in pages)
    return format_output(apply_query(merge_pages(pages, result_key), query), output, **options)


def _render_text_pages(pages: Iterable[dict], query: str | None, result_key: str) -> str:
    # Only the result list of each page is printed; a cut listing ends with its resume token,
    # which also goes through --query (and so prints `None` when the query does not reach it).
    chunks: list[str] = []
    resume: str | None = None
    for page in pages:
        chunks.append(format_output(apply_query({result_key: page.get(result_key)}, query), "text", title=""))
        resume = page.get("NextToken")
    if resume is not None:
        chunks.append(format_output(apply_query({"NextToken": {"NextToken": resume}}, query), "text", title=""))
    return "".join(chunks)


def render_single(
    response: Any, *, output: str, query: str | None, title: str, width: int = 80, color: bool = False
) -> str:
    """Print a response that was not paginated (including --no-paginate pages, NextToken as the service sent it)."""
    return format_output(apply_query(response, query), output, title=title, width=width, color=color)
