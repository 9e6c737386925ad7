"""Every golden vector of the real AWS CLI's output, printed by our formatters and paginator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aml_cli.api import cli_name
from aml_cli.cli.paginate import iterate_pages, render_paginated, render_single
from tests.ml_api import operation_names

VECTORS = Path(__file__).resolve().parents[1] / "data" / "spec" / "output-vectors.json"
PAGINATED = {"DescribeBatchPredictions", "DescribeDataSources", "DescribeEvaluations", "DescribeMLModels"}
TITLES = {cli_name(name): name for name in operation_names()}


def _cases() -> list[dict]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def _fake_service(pages: list[dict]):
    """Answers like the service: the first page without a token, then the page after the one that gave it."""
    by_token = {page.get("NextToken"): pages[i + 1] for i, page in enumerate(pages[:-1])}

    def call(request: dict) -> dict:
        token = request.get("NextToken")
        return json.loads(json.dumps(pages[0] if token is None else by_token[token]))

    return call


def _render(case: dict) -> str:
    argv = case["argv"]
    title = TITLES[case["command"]]
    output = _option(argv, "--output") or "json"
    query = _option(argv, "--query")
    view = {"output": output, "query": query, "title": title, "width": case["width"]}
    pages = case.get("pages") or [case["response"]]
    if title not in PAGINATED or "--no-paginate" in argv:
        assert len(pages) == 1
        return render_single(pages[0], **view)
    max_items = _option(argv, "--max-items")
    found = iterate_pages(
        _fake_service(pages),
        {},
        input_token="NextToken",
        output_token="NextToken",
        limit_key="Limit",
        result_key="Results",
        max_items=None if max_items is None else int(max_items),
    )
    return render_paginated(found, result_key="Results", **view)


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["name"])
def test_vector_prints_exactly_what_the_aws_cli_printed(case):
    assert _render(case) == case["stdout"]


def test_all_ninety_vectors_are_exercised():
    assert len(_cases()) == 90
