"""CreateDataSourceFromS3 end to end through `call`: reading, splitting, statistics, bad data, lifecycle."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from aml_cli.api.errors import IdempotentParameterMismatchException, InvalidInputException, ResourceNotFoundException
from aml_cli.service import call
from tests.service.conftest import (
    ID_SCHEMA,
    clone,
    create_s3,
    id_rows,
    s3_request,
    schema_text,
    selected_ids,
    snapshot,
    split,
    statistics,
    write_csv,
)

# -- reading ----------------------------------------------------------------------------------


def test_a_folder_of_gzip_files_is_one_data_source_with_every_row(store, s3_root):
    folder = s3_root / "bucket" / "parts"
    paths = [write_csv(folder / f"part-{n}.csv.gz", id_rows(40, start=40 * n), gz=True) for n in range(3)]
    view = create_s3("gz", "s3://bucket/parts/")
    assert view["Status"] == "COMPLETED"
    assert view["NumberOfFiles"] == 3
    assert view["DataSizeInBytes"] == sum(path.stat().st_size for path in paths)
    assert selected_ids(store, "gz") == list(range(120))


def test_files_of_a_folder_are_read_in_name_order(store, tmp_path):
    write_csv(tmp_path / "data" / "b.csv", id_rows(5, start=5))
    write_csv(tmp_path / "data" / "a.csv", id_rows(5))
    create_s3("ordered", tmp_path / "data")
    assert selected_ids(store, "ordered") == list(range(10))


# -- splitting --------------------------------------------------------------------------------


@pytest.fixture
def hundred_rows(tmp_path):
    return write_csv(tmp_path / "rows.csv", id_rows(1000))


def test_sequential_70_30_splits_are_disjoint_cover_the_file_and_keep_its_order(store, hundred_rows):
    create_s3("train", hundred_rows, spec_DataRearrangement=split(0, 70))
    create_s3("test", hundred_rows, spec_DataRearrangement=split(0, 70, complement=True))
    train, test = selected_ids(store, "train"), selected_ids(store, "test")
    assert train == list(range(700))
    assert test == list(range(700, 1000))


@pytest.mark.parametrize("seed", ["", "s3://bucket/seed", "42"])
def test_random_70_30_splits_with_a_seed_partition_the_rows(store, hundred_rows, seed):
    create_s3("train", hundred_rows, spec_DataRearrangement=split(0, 70, strategy="random", seed=seed))
    create_s3("test", hundred_rows, spec_DataRearrangement=split(0, 70, complement=True, strategy="random",
                                                                  seed=seed))
    train, test = selected_ids(store, "train"), selected_ids(store, "test")
    assert set(train).isdisjoint(test)
    assert sorted(train + test) == list(range(1000))
    assert train == sorted(train) and test == sorted(test)  # file order kept
    assert 620 <= len(train) <= 780
    assert train != list(range(len(train)))  # not a sequential cut


def test_the_same_seed_gives_the_same_split_and_another_seed_another(store, hundred_rows):
    for name, seed in (("one", "alpha"), ("two", "alpha"), ("three", "beta")):
        create_s3(name, hundred_rows, spec_DataRearrangement=split(10, 60, strategy="random", seed=seed))
    assert selected_ids(store, "one") == selected_ids(store, "two")
    assert selected_ids(store, "one") != selected_ids(store, "three")


def test_three_sequential_ranges_tile_the_file(store, hundred_rows):
    ranges = ((0, 25), (25, 60), (60, 100))
    for begin, end in ranges:
        create_s3(f"r{begin}", hundred_rows, spec_DataRearrangement=split(begin, end))
    pieces = [selected_ids(store, f"r{begin}") for begin, _ in ranges]
    assert [i for piece in pieces for i in piece] == list(range(1000))


def test_a_split_over_a_gzip_folder_reads_back_what_its_data_source_counted(store, s3_root):
    for n in range(2):
        write_csv(s3_root / "b" / "gz" / f"{n}.csv.gz", id_rows(50, start=50 * n), gz=True)
    create_s3("part", "s3://b/gz/", spec_DataRearrangement=split(0, 70, strategy="random", seed="x"))
    assert len(selected_ids(store, "part")) == store.get("DataSource", "part")["_rows"]


# -- statistics against pandas on real data (the bundled churn sample) ----------------------------


@pytest.fixture(scope="module")
def churn_frame():
    """The bundled churn data with a few values blanked out, so missing counts are not all zero."""
    with resources.as_file(resources.files("aml_cli.demo") / "churn.csv.gz") as path:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    for column in ("total_day_minutes", "state", "account_length"):
        frame.loc[rng.random(len(frame)) < 0.05, column] = ""
    return frame


@pytest.fixture
def churn_stats(store, tmp_path, churn_frame):
    path = tmp_path / "churn.csv"
    churn_frame.to_csv(path, index=False, lineterminator="\n")
    schema = (resources.files("aml_cli.demo") / "churn.schema").read_text()
    view = create_s3("churn", path, schema, ComputeStatistics=True)
    assert view["Status"] == "COMPLETED", view.get("Message")
    stats = statistics(store, "churn")
    return {attribute["name"]: attribute for attribute in stats["attributes"]}, json.loads(schema)


def test_numeric_statistics_match_pandas_on_the_churn_data(churn_frame, churn_stats):
    got, schema = churn_stats
    numeric = [a["attributeName"] for a in schema["attributes"] if a["attributeType"] == "NUMERIC"]
    assert len(numeric) > 10
    for name in numeric:
        column = pd.to_numeric(churn_frame[name].replace("", np.nan))
        assert got[name]["count"] == column.notna().sum(), name
        assert got[name]["missing"] == column.isna().sum(), name
        assert got[name]["min"] == pytest.approx(column.min()), name
        assert got[name]["max"] == pytest.approx(column.max()), name
        assert got[name]["mean"] == pytest.approx(column.mean(), rel=1e-9), name
        assert got[name]["std"] == pytest.approx(column.std(ddof=1), rel=1e-9), name


def test_category_counts_match_pandas_on_the_churn_data(churn_frame, churn_stats):
    got, _ = churn_stats
    for name in ("state", "area_code"):
        column = churn_frame[name].replace("", np.nan)
        assert got[name]["missing"] == column.isna().sum()
        assert dict(got[name]["top"]) == column.value_counts().to_dict()


def test_binary_counts_match_pandas_on_the_churn_data(churn_frame, churn_stats):
    got, _ = churn_stats
    truth = churn_frame["international_plan"].str.lower().isin(["yes", "1", "true", "y", "t"])
    assert got["international_plan"]["true"] == truth.sum()
    assert got["international_plan"]["false"] == (~truth).sum()


def test_statistics_cover_only_the_rows_of_the_split(store, hundred_rows):
    create_s3("half", hundred_rows, spec_DataRearrangement=split(0, 50), ComputeStatistics=True)
    stats = statistics(store, "half")
    ids = next(a for a in stats["attributes"] if a["name"] == "id")
    assert (ids["count"], ids["min"], ids["max"]) == (500, 0.0, 499.0)


# -- bad data: found by the job, the data source FAILS with a clear Message -----------------------


def test_a_few_rows_with_the_wrong_column_count_are_dropped_not_fatal(store, tmp_path):
    lines = ["id,x,color,y"] + [f"{i},1.5,red,1" for i in range(50)] + ["50,1.5,red", "51,1,2,3,4"]
    (tmp_path / "few.csv").write_text("\n".join(lines) + "\n")
    view = create_s3("few", tmp_path / "few.csv")
    assert view["Status"] == "COMPLETED"
    assert store.get("DataSource", "few")["_invalid_rows"] == 2
    assert selected_ids(store, "few") == list(range(50))


def test_more_than_ten_percent_bad_rows_fail_the_data_source_naming_their_lines(tmp_path):
    lines = ["id,x,color,y"] + [f"{i},1.5,red,1" for i in range(8)] + ["8,1.5", "9,1.5,red,1,extra"]
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    view = create_s3("bad", tmp_path / "bad.csv")
    assert view["Status"] == "FAILED"
    assert "2 of 10 records are invalid" in view["Message"]
    assert "line 10" in view["Message"] and "line 11" in view["Message"]
    assert "ComputeTime" not in view and "FinishedAt" in view


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"id,x,color,y\n", "has only a header line"),
    ],
    ids=["empty file", "header only"],
)
def test_a_file_without_records_fails_with_a_clear_message(tmp_path, content, expected):
    (tmp_path / "data.csv").write_bytes(content)
    view = create_s3("nothing", tmp_path / "data.csv")
    assert view["Status"] == "FAILED"
    assert expected in view["Message"] and "data.csv" in view["Message"]


def test_invalid_utf8_makes_records_invalid_and_is_named_in_the_message(tmp_path):
    good = [f"{i},1,red,0".encode() for i in range(4)]
    bad = [b"4,1,r\xe9d,0", b"5,1,\xff\xfe,1"]
    (tmp_path / "latin.csv").write_bytes(b"\n".join([b"id,x,color,y", *good, *bad]) + b"\n")
    view = create_s3("latin", tmp_path / "latin.csv")
    assert view["Status"] == "FAILED"
    assert "2 of 6 records are invalid" in view["Message"]
    assert "line 6" in view["Message"] and "UTF-8" in view["Message"]


def test_crlf_lines_a_byte_order_mark_and_quoted_commas_are_read(store, tmp_path):
    text = '\ufeffid,x,color,y\r\n0,1.5,"red, dark",1\r\n1,2,"say ""hi""",0\r\n'
    (tmp_path / "windows.csv").write_bytes(text.encode())
    view = create_s3("windows", tmp_path / "windows.csv", ComputeStatistics=True)
    assert view["Status"] == "COMPLETED", view.get("Message")
    color = next(a for a in statistics(store, "windows")["attributes"] if a["name"] == "color")
    assert dict(color["top"]) == {"red, dark": 1, 'say "hi"': 1}
    assert selected_ids(store, "windows") == [0, 1]


def test_more_than_10000_invalid_records_fail_even_under_ten_percent(tmp_path):
    good = "".join(f"{i},1,red,0\n" for i in range(110_000))
    bad = "".join(f"{i},1,red\n" for i in range(10_001))
    (tmp_path / "many.csv").write_text("id,x,color,y\n" + good + bad)
    view = create_s3("many", tmp_path / "many.csv")
    assert view["Status"] == "FAILED"
    assert "10001 of 120001 records are invalid" in view["Message"]


def test_a_record_over_100_kb_is_invalid(store, tmp_path):
    rows = [*id_rows(20), [20, 1, "x" * (101 * 1024), 0]]
    write_csv(tmp_path / "long.csv", rows)
    view = create_s3("long", tmp_path / "long.csv")
    assert view["Status"] == "COMPLETED"
    assert store.get("DataSource", "long")["_invalid_rows"] == 1
    assert selected_ids(store, "long") == list(range(20))


def test_text_in_a_numeric_column_counts_as_invalid(store, tmp_path):
    rows = [*id_rows(30), ["thirty", 1, "red", 0]]
    write_csv(tmp_path / "text.csv", rows)
    view = create_s3("text", tmp_path / "text.csv", ComputeStatistics=True)
    assert view["Status"] == "COMPLETED"
    ids = next(a for a in statistics(store, "text")["attributes"] if a["name"] == "id")
    assert ids["invalid"] == 1 and ids["count"] == 30


# -- malformed input: InvalidInputException at create time, nothing stored -------------------------


def _attributes(*pairs):
    return [{"attributeName": name, "attributeType": kind} for name, kind in pairs]


MALFORMED_SCHEMAS = {
    "not JSON": ("{version: 1.0", "not valid JSON"),
    "a list": ("[]", "must be a JSON object"),
    "no attributes": (json.dumps({"version": "1.0"}), "no 'attributes'"),
    "empty attributes": (json.dumps({"attributes": []}), "is empty"),
    "unknown type": (json.dumps({"attributes": _attributes(("a", "NUMBER"))}), 'unknown attributeType "NUMBER"'),
    "duplicate name": (json.dumps({"attributes": _attributes(("a", "TEXT"), ("a", "BINARY"))}),
                       "same name as attribute 1"),
    "unknown target": (json.dumps({"targetAttributeName": "z", "attributes": _attributes(("a", "TEXT"))}),
                       'targetAttributeName "z" is not one of'),
    "excluded target": (json.dumps({"targetAttributeName": "a", "excludedAttributeNames": ["a"],
                                    "attributes": _attributes(("a", "TEXT"), ("b", "TEXT"))}),
                        "cannot be excluded"),
    "unknown excluded": (json.dumps({"excludedAttributeNames": ["q"], "attributes": _attributes(("a", "TEXT"))}),
                         'names "q"'),
    "bad version": (json.dumps({"version": "2.0", "attributes": _attributes(("a", "TEXT"))}), 'must be "1.0"'),
    "bad format": (json.dumps({"dataFormat": "JSON", "attributes": _attributes(("a", "TEXT"))}), 'must be "CSV"'),
    "bad header flag": (json.dumps({"dataFileContainsHeader": "maybe", "attributes": _attributes(("a", "TEXT"))}),
                        "must be true or false"),
    "nameless attribute": (json.dumps({"attributes": [{"attributeType": "TEXT"}]}), "attribute 1 has no name"),
}


@pytest.mark.parametrize(("schema", "expected"), MALFORMED_SCHEMAS.values(), ids=MALFORMED_SCHEMAS.keys())
def test_a_malformed_schema_is_refused_precisely_and_stores_nothing(store, hundred_rows, schema, expected):
    before = snapshot(store)
    with pytest.raises(InvalidInputException) as caught:
        call("CreateDataSourceFromS3", s3_request("bad", hundred_rows, schema))
    assert caught.value.message.startswith("Invalid data schema: ")
    assert expected in caught.value.message
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"spec_DataSchema": None}, "A data schema is required"),
        ({"spec_DataSchemaLocationS3": "/etc/hostname"}, "either DataSchema or DataSchemaLocationS3"),
        ({"spec_DataRearrangement": '{"splitting": {"percentBegin": 10, "percentEnd": 120}}'}, "Invalid Data"),
        ({"spec_DataRearrangement": '{"splitting": {"strategy": "shuffle"}}'}, "Invalid DataRearrangement"),
        ({"spec_DataRearrangement": "not json"}, "Invalid DataRearrangement"),
        ({"spec_DataLocationS3": "https://example.com/data.csv"}, "not a local location"),
        ({"spec_DataLocationS3": "/no/such/folder/"}, "no data found"),
    ],
    ids=["no schema", "two schemas", "percent over 100", "unknown strategy", "rearrangement not JSON",
         "remote location", "missing location"],
)
def test_other_malformed_requests_are_refused_and_store_nothing(store, hundred_rows, overrides, expected):
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match=expected):
        call("CreateDataSourceFromS3", s3_request("bad", hundred_rows, **overrides))
    assert snapshot(store) == before


# -- IDs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data_source_id", [".", "..", "-", "a" * 64])
def test_odd_but_valid_ids_work_and_never_become_file_names(store, hundred_rows, aml_home, data_source_id):
    view = create_s3(data_source_id, hundred_rows)
    assert (view["DataSourceId"], view["Status"]) == (data_source_id, "COMPLETED")
    names = {path.name for path in aml_home.rglob("*")}
    assert data_source_id not in names


@pytest.mark.parametrize(
    ("data_source_id", "constraint"),
    [
        ("a/b", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        ("../x", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        ("a b", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        ("a" * 65, "Member must have length less than or equal to 64"),
    ],
)
def test_invalid_ids_are_refused_by_the_service_check(store, hundred_rows, data_source_id, constraint):
    before = snapshot(store)
    with pytest.raises(InvalidInputException) as caught:
        call("CreateDataSourceFromS3", s3_request(data_source_id, hundred_rows))
    assert caught.value.message == (
        f"1 validation error detected: Value '{data_source_id}' at 'dataSourceId' failed to satisfy constraint: "
        f"{constraint}"
    )
    assert snapshot(store) == before


# -- idempotency ----------------------------------------------------------------------------------


def test_the_same_create_twice_returns_the_id_and_runs_one_job(store, hundred_rows):
    request = s3_request("same", hundred_rows, DataSourceName="first")
    assert call("CreateDataSourceFromS3", request) == {"DataSourceId": "same"}
    assert call("CreateDataSourceFromS3", clone(request)) == {"DataSourceId": "same"}
    jobs = store.read(lambda conn: conn.execute("SELECT resource_id FROM jobs").fetchall())
    assert jobs == [("same",)]
    assert len(store.list("DataSource")) == 1


def test_a_different_create_under_an_existing_id_is_a_mismatch(store, hundred_rows):
    call("CreateDataSourceFromS3", s3_request("same", hundred_rows))
    before = snapshot(store)
    with pytest.raises(IdempotentParameterMismatchException, match="same"):
        call("CreateDataSourceFromS3", s3_request("same", hundred_rows, ComputeStatistics=True))
    assert snapshot(store) == before


# -- Get: fields present by status ---------------------------------------------------------------------


def test_get_verbose_adds_the_schema_as_given(hundred_rows):
    schema = schema_text(ID_SCHEMA, target="y")
    create_s3("v", hundred_rows, schema)
    assert "DataSourceSchema" not in call("GetDataSource", {"DataSourceId": "v"})
    assert call("GetDataSource", {"DataSourceId": "v", "Verbose": True})["DataSourceSchema"] == schema


def test_a_pending_data_source_has_no_start_finish_or_compute_time(monkeypatch, hundred_rows):
    import aml_cli.jobs

    monkeypatch.setattr(aml_cli.jobs.scheduler, "start_queued", lambda *args, **kwargs: None)  # the job never starts
    view = create_s3("waiting", hundred_rows, ComputeStatistics=True)
    assert view["Status"] == "PENDING"
    for absent in ("StartedAt", "FinishedAt", "ComputeTime", "LogUri", "Message", "DataSizeInBytes"):
        assert absent not in view
    assert view["CreatedAt"] == view["LastUpdatedAt"]


def test_compute_time_is_given_only_when_statistics_were_computed(hundred_rows):
    with_stats = create_s3("with", hundred_rows, ComputeStatistics=True)
    without = create_s3("without", hundred_rows)
    assert isinstance(with_stats["ComputeTime"], int) and with_stats["ComputeTime"] >= 0
    assert "ComputeTime" not in without
    for view in (with_stats, without):
        assert view["StartedAt"] <= view["FinishedAt"]
        assert view["LogUri"].startswith("file://")
        assert "Message" not in view


def test_a_completed_data_source_shows_the_request_and_the_reading(hundred_rows):
    view = create_s3("full", hundred_rows, DataSourceName="rows", RoleARN="arn:aws:iam::1:role/r",
                     spec_DataRearrangement=split(0, 70))
    assert view["Name"] == "rows"
    assert view["RoleARN"] == "arn:aws:iam::1:role/r"
    assert view["DataLocationS3"] == str(hundred_rows)
    assert view["DataRearrangement"] == split(0, 70)
    assert view["NumberOfFiles"] == 1 and view["DataSizeInBytes"] == hundred_rows.stat().st_size
    assert view["ComputeStatistics"] is False
    assert view["CreatedByIamUser"].startswith("arn:aws:iam::")
    assert not any(key.startswith("_") for key in view)


def test_get_of_an_unknown_id_is_resource_not_found():
    with pytest.raises(ResourceNotFoundException, match="A data source with ID nope does not exist"):
        call("GetDataSource", {"DataSourceId": "nope"})


# -- Update and Delete ----------------------------------------------------------------------------------


def test_update_renames_and_moves_last_updated_at(hundred_rows):
    before = create_s3("named", hundred_rows, DataSourceName="old")
    assert call("UpdateDataSource", {"DataSourceId": "named", "DataSourceName": "new"}) == {"DataSourceId": "named"}
    after = call("GetDataSource", {"DataSourceId": "named"})
    assert after["Name"] == "new"
    assert after["LastUpdatedAt"] >= before["LastUpdatedAt"]
    assert after["CreatedAt"] == before["CreatedAt"] and after["Status"] == "COMPLETED"


def test_update_of_an_unknown_id_is_resource_not_found():
    with pytest.raises(ResourceNotFoundException):
        call("UpdateDataSource", {"DataSourceId": "ghost", "DataSourceName": "x"})


def test_a_deleted_data_source_stays_readable_and_cannot_be_deleted_again(hundred_rows):
    create_s3("gone", hundred_rows)
    assert call("DeleteDataSource", {"DataSourceId": "gone"}) == {"DataSourceId": "gone"}
    assert call("GetDataSource", {"DataSourceId": "gone"})["Status"] == "DELETED"
    with pytest.raises(ResourceNotFoundException, match="gone"):
        call("DeleteDataSource", {"DataSourceId": "gone"})


def test_delete_of_an_unknown_id_is_resource_not_found():
    with pytest.raises(ResourceNotFoundException):
        call("DeleteDataSource", {"DataSourceId": "ghost"})
