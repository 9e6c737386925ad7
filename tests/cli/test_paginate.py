"""Client-side pagination and its tokens, as in the AWS CLI conventions, section 4."""

from __future__ import annotations

import base64
import json

import pytest

from aml_cli.cli.paginate import (
    PaginationError,
    decode_token,
    encode_token,
    iterate_pages,
    merge_pages,
    render_paginated,
    render_single,
)

KEYS = {"input_token": "NextToken", "output_token": "NextToken", "limit_key": "Limit", "result_key": "Results"}


class FakeService:
    """Serves `items` in pages of `size` (or the request's Limit), tokens being the next offset as a string."""

    def __init__(self, items: list, size: int = 3) -> None:
        self.items, self.size, self.requests = items, size, []

    def __call__(self, request: dict) -> dict:
        self.requests.append(dict(request))
        start = int(request.get("NextToken", 0))
        end = start + request.get("Limit", self.size)
        page: dict = {"Results": [{"Id": i} for i in self.items[start:end]]}
        if end < len(self.items):
            page["NextToken"] = str(end)
        return page


def ids(pages) -> list:
    return [result["Id"] for page in pages for result in page["Results"]]


# --- tokens -------------------------------------------------------------------------------


def test_a_token_cut_mid_page_encodes_the_service_token_and_the_items_consumed():
    token = {"NextToken": "2", "boto_truncate_amount": 1}
    assert encode_token(token) == "eyJOZXh0VG9rZW4iOiAiMiIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9"


def test_a_token_on_a_page_boundary_encodes_only_the_service_token():
    assert encode_token({"NextToken": "2"}) == "eyJOZXh0VG9rZW4iOiAiMiJ9"


def test_decoding_inverts_encoding():
    token = {"NextToken": None, "boto_truncate_amount": 2}
    assert decode_token(encode_token(token)) == token
    assert decode_token("eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==") == token


def test_bytes_in_a_token_travel_base64_encoded_and_come_back_as_bytes():
    token = {"NextToken": b"\x00\xff"}
    raw = json.loads(base64.b64decode(encode_token(token)))
    assert raw == {"NextToken": "AP8=", "boto_encoded_keys": [["NextToken"]]}
    assert decode_token(encode_token(token)) == token


@pytest.mark.parametrize("raw", ["AAEAAVc2xJ0bUOiQBs3JMaz8f2FmVqkEXAMPLE", "3", "not base64!", "WzFd"])
def test_a_token_that_is_not_base64_json_of_an_object_is_the_services_own(raw):
    assert decode_token(raw) == {"NextToken": raw}


# --- iterate_pages ------------------------------------------------------------------------


def test_without_limits_every_page_is_fetched_and_the_last_has_no_token():
    service = FakeService(list(range(7)))
    pages = list(iterate_pages(service, {"Verbose": True}, **KEYS))
    assert ids(pages) == list(range(7))
    assert [r.get("NextToken") for r in service.requests] == [None, "3", "6"]
    assert all(r["Verbose"] for r in service.requests)
    assert "NextToken" not in pages[-1]


def test_page_size_sets_the_limit_of_every_request():
    service = FakeService(list(range(5)))
    pages = list(iterate_pages(service, {}, page_size=2, **KEYS))
    assert ids(pages) == list(range(5))
    assert [r["Limit"] for r in service.requests] == [2, 2, 2]


def test_max_items_cut_mid_page_ends_with_a_token_that_revisits_that_page():
    pages = list(iterate_pages(FakeService(list(range(7))), {}, max_items=4, **KEYS))
    assert ids(pages) == [0, 1, 2, 3]
    assert list(pages[-1])[-1] == "NextToken"
    assert decode_token(pages[-1]["NextToken"]) == {"NextToken": "3", "boto_truncate_amount": 1}


def test_max_items_on_a_page_boundary_ends_with_the_next_service_token():
    pages = list(iterate_pages(FakeService(list(range(7))), {}, max_items=3, **KEYS))
    assert ids(pages) == [0, 1, 2]
    assert decode_token(pages[-1]["NextToken"]) == {"NextToken": "3"}


def test_max_items_covering_everything_leaves_no_token():
    pages = list(iterate_pages(FakeService(list(range(4))), {}, max_items=10, **KEYS))
    assert ids(pages) == [0, 1, 2, 3]
    assert "NextToken" not in pages[-1]


def test_resuming_from_each_token_lists_every_item_exactly_once():
    service = FakeService(list(range(11)))
    seen: list = []
    token = None
    for _ in range(20):
        pages = list(iterate_pages(service, {}, max_items=4, starting_token=token, **KEYS))
        seen += ids(pages)
        token = pages[-1].get("NextToken")
        if token is None:
            break
    assert seen == list(range(11))


def test_a_starting_token_cut_twice_counts_both_skips():
    token = encode_token({"NextToken": "3", "boto_truncate_amount": 1})
    pages = list(iterate_pages(FakeService(list(range(9))), {}, max_items=1, starting_token=token, **KEYS))
    assert ids(pages) == [4]
    assert decode_token(pages[-1]["NextToken"]) == {"NextToken": "3", "boto_truncate_amount": 2}


def test_a_raw_service_token_resumes_at_that_token():
    service = FakeService(list(range(7)))
    pages = list(iterate_pages(service, {}, starting_token="6", **KEYS))
    assert ids(pages) == [6]
    assert service.requests[0]["NextToken"] == "6"


def test_an_old_style_token_carries_the_items_to_skip_after_three_underscores():
    pages = list(iterate_pages(FakeService(list(range(7))), {}, starting_token="3___2", **KEYS))
    assert ids(pages) == [5, 6]


def test_the_same_token_twice_stops_pagination_with_an_error():
    def stuck(request: dict) -> dict:
        return {"Results": [1], "NextToken": "again"}

    with pytest.raises(PaginationError, match="The same next token was received twice"):
        list(iterate_pages(stuck, {}, **KEYS))


# --- merging and rendering ----------------------------------------------------------------


def test_merging_concatenates_results_and_keeps_the_resume_token_last():
    pages = [{"Results": [1], "NextToken": "s1"}, {"Results": [2, 3], "NextToken": "resume"}]
    merged = merge_pages(pages, "Results")
    assert merged == {"Results": [1, 2, 3], "NextToken": "resume"}
    assert list(merged) == ["Results", "NextToken"]
    assert merge_pages([{"Results": [1], "NextToken": "s1"}, {"Results": [2]}], "Results") == {"Results": [1, 2]}


def test_json_output_merges_pages_before_the_query():
    pages = iterate_pages(FakeService(list(range(5)), size=2), {}, **KEYS)
    out = render_paginated(
        pages, output="json", query="length(Results)", title="DescribeMLModels", result_key="Results"
    )
    assert out == "5\n"


def test_text_output_queries_each_page_and_ends_with_the_resume_token():
    pages = iterate_pages(FakeService(list(range(5)), size=2), {}, max_items=3, **KEYS)
    out = render_paginated(pages, output="text", query=None, title="DescribeMLModels", result_key="Results")
    token = encode_token({"NextToken": "2", "boto_truncate_amount": 1})
    assert out == f"RESULTS\t0\nRESULTS\t1\nRESULTS\t2\nNEXTTOKEN\t{token}\n"


def test_text_output_with_a_query_prints_none_where_the_resume_token_would_be():
    pages = iterate_pages(FakeService(list(range(5)), size=2), {}, max_items=3, **KEYS)
    out = render_paginated(pages, output="text", query="Results[].Id", title="X", result_key="Results")
    assert out == "0\t1\n2\nNone\n"


def test_yaml_stream_prints_each_page_as_its_own_list_item():
    pages = iterate_pages(FakeService(list(range(3)), size=2), {}, **KEYS)
    out = render_paginated(pages, output="yaml-stream", query=None, title="X", result_key="Results")
    assert out == "- NextToken: '2'\n  Results:\n  - Id: 0\n  - Id: 1\n- Results:\n  - Id: 2\n"


def test_table_output_merges_pages_into_one_table():
    pages = iterate_pages(FakeService(list(range(3)), size=2), {}, **KEYS)
    out = render_paginated(pages, output="table", query=None, title="DescribeX", result_key="Results")
    assert out.count("DescribeX") == 1
    assert out.count("Results") == 1
    assert all(f"|  {i}" in out for i in range(3))


def test_a_single_response_is_queried_then_formatted():
    response = {"MLModelId": "ml-1", "Status": "COMPLETED", "NextToken": "raw"}
    assert render_single(response, output="text", query="[Status,NextToken]", title="X") == "COMPLETED\traw\n"
    assert render_single(response, output="json", query=None, title="X").endswith('"NextToken": "raw"\n}\n')


# --- cross-check against botocore's paginator (a test-only reference) ----------------------


def _botocore_pages(service, max_items, page_size, starting_token):
    import jmespath
    from botocore.paginate import PageIterator

    pages = PageIterator(
        lambda **kwargs: service(kwargs),
        ["NextToken"],
        [jmespath.compile("NextToken")],
        None,
        [jmespath.compile("Results")],
        [],
        "Limit",
        max_items,
        starting_token,
        page_size,
        {},
    )
    return [page["Results"] for page in pages], pages.resume_token


@pytest.mark.parametrize("count", [0, 1, 5, 9])
@pytest.mark.parametrize("page_size", [None, 1, 2, 4])
@pytest.mark.parametrize("max_items", [None, 1, 3, 4])
def test_pages_and_resume_tokens_match_botocore(count, page_size, max_items):
    pytest.importorskip("botocore")
    token = None
    for _ in range(12):  # follow the resume tokens to the end of the listing
        theirs, their_token = _botocore_pages(FakeService(list(range(count))), max_items, page_size, token)
        ours = list(
            iterate_pages(
                FakeService(list(range(count))),
                {},
                page_size=page_size,
                max_items=max_items,
                starting_token=token,
                **KEYS,
            )
        )
        assert [page["Results"] for page in ours] == theirs
        assert ours[-1].get("NextToken") == their_token
        token = their_token
        if token is None:
            break
