"""DescribeDataSources: every FilterVariable and operator, both sort orders, Limit and NextToken paging."""

from __future__ import annotations

import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.service import call
from aml_cli.service.context import default_context, use_default
from tests.service.conftest import create_s3, id_rows, write_csv

NAMES = {"ds-a": "alpha", "ds-b": "beta", "ds-c": "gamma", "ds-d": "alphabet", "ds-e": "delta"}


@pytest.fixture
def five(tmp_path, monkeypatch):
    """Five data sources: ds-e FAILED (empty file), ds-c under another IAM user, ds-b renamed last."""
    folder = tmp_path / "data"
    for data_source_id, name in NAMES.items():
        user = "other" if data_source_id == "ds-c" else "me"
        use_default(default_context().but(caller_arn=f"arn:aws:iam::000000000000:user/{user}"))
        if data_source_id == "ds-e":
            (folder / "empty.csv").write_bytes(b"")
            create_s3(data_source_id, folder / "empty.csv", DataSourceName=name)
        else:
            path = write_csv(folder / f"{name}.csv", id_rows(10))
            create_s3(data_source_id, path, DataSourceName=name)
    call("UpdateDataSource", {"DataSourceId": "ds-b", "DataSourceName": "beta"})
    return {view["DataSourceId"]: view for view in call("DescribeDataSources", {})["Results"]}


def ids(request: dict) -> list[str]:
    return [view["DataSourceId"] for view in call("DescribeDataSources", request)["Results"]]


def test_without_a_filter_every_data_source_is_listed_in_creation_order(five):
    assert ids({}) == list(NAMES)
    assert ids({"SortOrder": "dsc"}) == list(reversed(NAMES))


def test_results_are_data_source_views_without_log_uri_or_internal_fields(five):
    for view in five.values():
        assert "LogUri" not in view and "DataSourceSchema" not in view
        assert not any(key.startswith("_") for key in view)
    assert five["ds-e"]["Status"] == "FAILED" and "Message" in five["ds-e"]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("EQ", "alpha", ["ds-a"]),
        ("NE", "alpha", ["ds-d", "ds-b", "ds-e", "ds-c"]),
        ("GT", "beta", ["ds-e", "ds-c"]),
        ("GE", "beta", ["ds-b", "ds-e", "ds-c"]),
        ("LT", "beta", ["ds-a", "ds-d"]),
        ("LE", "beta", ["ds-a", "ds-d", "ds-b"]),
        ("Prefix", "alph", ["ds-a", "ds-d"]),
    ],
)
def test_name_filters_with_every_operator_sort_by_name(five, operator, value, expected):
    assert ids({"FilterVariable": "Name", operator: value}) == expected
    assert ids({"FilterVariable": "Name", operator: value, "SortOrder": "dsc"}) == list(reversed(expected))


def test_status_filter(five):
    assert ids({"FilterVariable": "Status", "EQ": "FAILED"}) == ["ds-e"]
    assert sorted(ids({"FilterVariable": "Status", "EQ": "COMPLETED"})) == ["ds-a", "ds-b", "ds-c", "ds-d"]


def test_iam_user_filter(five):
    assert ids({"FilterVariable": "IAMUser", "EQ": "arn:aws:iam::000000000000:user/other"}) == ["ds-c"]
    assert "ds-c" not in ids({"FilterVariable": "IAMUser", "Prefix": "arn:aws:iam::000000000000:user/m"})


def test_data_location_filter(five):
    gamma = five["ds-c"]["DataLocationS3"]
    assert ids({"FilterVariable": "DataLocationS3", "EQ": gamma}) == ["ds-c"]
    folder = gamma.rsplit("/", 1)[0]
    assert len(ids({"FilterVariable": "DataLocationS3", "Prefix": folder})) == 5


@pytest.mark.parametrize("variable", ["CreatedAt", "LastUpdatedAt"])
def test_time_filters_compare_instants(five, variable):
    middle = five["ds-c"][variable]
    later = ids({"FilterVariable": variable, "GT": str(middle)})
    earlier = ids({"FilterVariable": variable, "LT": str(middle)})
    assert "ds-c" not in later + earlier
    assert sorted(later + earlier + ["ds-c"]) == sorted(NAMES)
    assert ids({"FilterVariable": variable, "GE": str(middle), "LE": str(middle)}) == ["ds-c"]
    assert ids({"FilterVariable": variable, "EQ": str(middle)}) == ["ds-c"]


def test_last_updated_at_sees_a_rename(five):
    assert ids({"FilterVariable": "LastUpdatedAt", "SortOrder": "dsc"})[0] == "ds-b"
    assert ids({"FilterVariable": "CreatedAt", "SortOrder": "dsc"})[0] == "ds-e"


def test_a_time_filter_accepts_iso_8601(five):
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(five["ds-c"]["CreatedAt"] - 0.0005, UTC).isoformat()
    assert ids({"FilterVariable": "CreatedAt", "GT": stamp})[0] == "ds-c"


def test_a_time_filter_with_a_non_time_value_is_invalid_input(five):
    with pytest.raises(InvalidInputException, match="not a valid timestamp"):
        ids({"FilterVariable": "CreatedAt", "GT": "yesterday"})


def test_limit_and_next_token_page_through_everything_once(five):
    seen, token, pages = [], None, 0
    while True:
        request = {"FilterVariable": "Name", "Limit": 2, "SortOrder": "asc"}
        if token:
            request["NextToken"] = token
        response = call("DescribeDataSources", request)
        seen += [view["DataSourceId"] for view in response["Results"]]
        pages += 1
        token = response.get("NextToken")
        if token is None:
            break
    assert pages == 3
    assert seen == ids({"FilterVariable": "Name"})


def test_the_last_page_has_no_next_token(five):
    assert "NextToken" not in call("DescribeDataSources", {"Limit": 5})
    assert "NextToken" in call("DescribeDataSources", {"Limit": 4})


def test_a_forged_next_token_is_invalid_input(five):
    with pytest.raises(InvalidInputException, match="NextToken"):
        call("DescribeDataSources", {"NextToken": "not-a-token"})


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_1_to_100_is_refused(five, limit):
    with pytest.raises(InvalidInputException, match="limit"):
        call("DescribeDataSources", {"Limit": limit})


def test_an_unknown_filter_variable_is_refused(five):
    with pytest.raises(InvalidInputException, match="enum"):
        call("DescribeDataSources", {"FilterVariable": "Colour", "EQ": "x"})


def test_nothing_stored_gives_empty_results():
    assert call("DescribeDataSources", {}) == {"Results": []}
