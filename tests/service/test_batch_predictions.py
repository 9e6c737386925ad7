"""Batch predictions: the service's output layout and columns, one line per record, failures, CRUD."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest

from aml_cli.api.errors import InvalidInputException, ResourceNotFoundException
from aml_cli.service import call
from aml_cli.store import Store
from tests.service.models_conftest import (
    create_model,
    create_source,
    model_scores,
    read_result,
    record_of,
    result_rows,
    schema_text,
    snapshot,
    sync_jobs,
    tiny_frame,
    tiny_model,
    trained_world,
    wait_final,
    wait_idle,
    write_csv,
)

JAVA_FLOAT = re.compile(r"^-?\d\.\d+E-?\d+$")


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return trained_world(tmp_path_factory)


def result_file(world, short: str) -> Path:
    return world.outputs[short] / "batch-prediction" / "result" / f"bp-{short}-{short}-test.csv.gz"


def batch(store: Store, batch_id: str, model_id: str, source_id: str, output) -> dict:
    with sync_jobs():
        call("CreateBatchPrediction", {"BatchPredictionId": batch_id, "MLModelId": model_id,
                                       "BatchPredictionDataSourceId": source_id, "OutputUri": str(output)}, store)
    return call("GetBatchPrediction", {"BatchPredictionId": batch_id}, store)


# -- layout -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("short", ["bin", "multi", "reg"])
def test_the_output_folder_holds_a_gzip_result_and_a_manifest(world, short):
    out = world.outputs[short]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [f"batch-prediction/bp-{short}.manifest", f"batch-prediction/result/bp-{short}-{short}-test.csv.gz"]
    with gzip.open(result_file(world, short)) as handle:
        assert handle.read(3) == b"tag"
    manifest = json.loads((out / "batch-prediction" / f"bp-{short}.manifest").read_text())
    assert manifest == {world.data[short].test.as_uri(): result_file(world, short).as_uri()}


@pytest.mark.parametrize("short", ["bin", "multi", "reg"])
def test_there_is_one_line_per_record_in_input_order_tagged_with_the_row_id(world, short):
    header, rows = result_rows(result_file(world, short))
    assert header[0] == "tag"
    assert [row[0] for row in rows] == list(world.data[short].test_frame["row_id"])
    batch_prediction = call("GetBatchPrediction", {"BatchPredictionId": f"bp-{short}"}, world.store)
    assert batch_prediction["TotalRecordCount"] == len(rows)
    assert batch_prediction["InvalidRecordCount"] == 0
    assert all(JAVA_FLOAT.match(value) for row in rows for value in row[1:] if value not in ("0", "1"))


def test_binary_results_have_best_answer_and_score(world):
    header, rows = result_rows(result_file(world, "bin"))
    assert header == ["tag", "bestAnswer", "score"]
    data = world.data["bin"]
    scores = model_scores(world.store, "bin", data.test, data.schema)
    np.testing.assert_allclose([float(row[2]) for row in rows], scores, rtol=1e-6)
    assert [row[1] for row in rows] == ["1" if s >= 0.5 else "0" for s in scores]
    assert {row[1] for row in rows} == {"0", "1"}


def test_multiclass_results_have_one_score_per_class_summing_to_one(world):
    header, rows = result_rows(result_file(world, "multi"))
    assert header == ["tag", "setosa", "versicolor", "virginica"]
    scores = np.array([[float(v) for v in row[1:]] for row in rows])
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, atol=1e-6)
    predicted = np.array(header[1:])[scores.argmax(axis=1)]
    assert np.mean(predicted == world.data["multi"].test_frame["species"].to_numpy()) > 0.85


def test_regression_results_have_a_score(world):
    header, rows = result_rows(result_file(world, "reg"))
    assert header == ["tag", "score"]
    values = np.array([float(row[1]) for row in rows])
    truth = world.data["reg"].test_frame["progression"].to_numpy()
    assert np.corrcoef(values, truth)[0, 1] > 0.5


def test_without_a_row_id_there_is_no_tag_column(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "REGRESSION")
    frame, columns, target = tiny_frame("REGRESSION")
    with sync_jobs():
        create_source(store, "plain", write_csv(tmp_path / "plain.csv", frame),
                      schema_text(columns, target, row_id=None), stats=False)
    batch(store, "b", "m", "plain", tmp_path / "out")
    header, rows = result_rows(tmp_path / "out" / "batch-prediction" / "result" / "b-plain.csv.gz")
    assert header == ["score"]
    assert len(rows) == len(frame)


def test_an_invalid_record_gives_an_empty_line_and_is_counted(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, _ = tiny_frame("BINARY")
    frame = frame.drop(columns="y").astype({"x1": object})
    frame.loc[[4, 17], "x1"] = "not a number"
    del columns["y"]
    with sync_jobs():
        create_source(store, "new", write_csv(tmp_path / "new.csv", frame), schema_text(columns, None), stats=False)
    result = batch(store, "b", "m", "new", tmp_path / "out")
    assert result["Status"] == "COMPLETED", result.get("Message")
    assert (result["TotalRecordCount"], result["InvalidRecordCount"]) == (60, 2)
    lines = read_result(tmp_path / "out" / "batch-prediction" / "result" / "b-new.csv.gz")
    assert len(lines) == 61
    assert [i for i, line in enumerate(lines[1:]) if line == ""] == [4, 17]
    assert [line.split(",")[0] for line in lines[1:] if line] == [f"t{i}" for i in range(60) if i not in (4, 17)]


def test_a_folder_of_two_files_gives_two_result_files_and_one_manifest(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "MULTICLASS")
    frame, columns, target = tiny_frame("MULTICLASS", rows=30, seed=5)
    write_csv(tmp_path / "in" / "a.csv", frame.iloc[:10])
    write_csv(tmp_path / "in" / "b.csv", frame.iloc[10:])
    with sync_jobs():
        create_source(store, "two", f"{tmp_path / 'in'}/", schema_text(columns, target), stats=False)
    assert batch(store, "b", "m", "two", tmp_path / "out")["TotalRecordCount"] == 30
    folder = tmp_path / "out" / "batch-prediction"
    results = sorted(p.name for p in (folder / "result").iterdir())
    assert results == ["b-a.csv.gz", "b-b.csv.gz"]
    assert [len(read_result(folder / "result" / name)) - 1 for name in results] == [10, 20]
    assert result_rows(folder / "result" / "b-b.csv.gz")[1][0][0] == "t10"
    manifest = json.loads((folder / "b.manifest").read_text())
    assert manifest == {(tmp_path / "in" / n).as_uri(): (folder / "result" / f"b-{n}.gz").as_uri()
                        for n in ("a.csv", "b.csv")}


def test_an_s3_output_uri_writes_under_the_local_s3_root(tmp_path, monkeypatch):
    monkeypatch.setenv("AML_S3_ROOT", str(tmp_path / "s3"))
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    write_csv(tmp_path / "s3" / "bucket" / "in" / "data.csv", tiny_frame("BINARY")[0])
    frame, columns, target = tiny_frame("BINARY")
    with sync_jobs():
        create_source(store, "s3ds", "s3://bucket/in/data.csv", schema_text(columns, target), stats=False)
    assert batch(store, "b", "m", "s3ds", "s3://bucket/out/")["Status"] == "COMPLETED"
    folder = tmp_path / "s3" / "bucket" / "out" / "batch-prediction"
    assert len(read_result(folder / "result" / "b-data.csv.gz")) == len(frame) + 1
    manifest = json.loads((folder / "b.manifest").read_text())
    assert manifest == {"s3://bucket/in/data.csv": "s3://bucket/out/batch-prediction/result/b-data.csv.gz"}


def test_a_failed_job_leaves_no_result_file_that_looks_complete(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, target = tiny_frame("BINARY")
    write_csv(tmp_path / "in" / "a.csv", frame.iloc[:30])
    write_csv(tmp_path / "in" / "b.csv", frame.iloc[30:])
    with sync_jobs():
        create_source(store, "two", f"{tmp_path / 'in'}/", schema_text(columns, target), stats=False)
    blocker = tmp_path / "out" / "batch-prediction" / "result" / "b-b.csv.gz"
    blocker.mkdir(parents=True)  # the second result cannot be put in place
    result = batch(store, "b", "m", "two", tmp_path / "out")
    assert result["Status"] == "FAILED"
    assert "batch prediction output" in result["Message"]
    assert "TotalRecordCount" not in result
    folder = tmp_path / "out" / "batch-prediction"
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    assert not (folder / "b.manifest").exists()


@pytest.mark.slow
def test_a_batch_prediction_on_a_model_that_fails_fails_with_a_clear_message(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("MULTICLASS")
    frame[target] = "only"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
    with sync_jobs(False):
        create_model(store, "m", "ds", "MULTICLASS")
        call("CreateBatchPrediction", {"BatchPredictionId": "b", "MLModelId": "m", "BatchPredictionDataSourceId": "ds",
                                       "OutputUri": str(tmp_path / "out")}, store)
        result = wait_final(store, "BatchPrediction", "b")
        wait_idle(store)
    assert record_of(store, "MLModel", "m")["Status"] == "FAILED"
    assert result["Status"] == "FAILED"
    assert "m" in result["Message"] and "FAILED" in result["Message"]
    assert not list((tmp_path / "out").rglob("*.gz"))


# -- refused requests -------------------------------------------------------------------------------


def test_a_data_source_missing_a_model_attribute_is_invalid_input(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, target = tiny_frame("BINARY")
    del columns["colour"]
    with sync_jobs():
        create_source(store, "short", write_csv(tmp_path / "s.csv", frame.drop(columns="colour")),
                      schema_text(columns, target), stats=False)
    before = snapshot(store)
    with pytest.raises(InvalidInputException) as caught:
        call("CreateBatchPrediction", {"BatchPredictionId": "b", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "short", "OutputUri": str(tmp_path / "o")}, store)
    assert "BatchPredictionDataSourceId" in caught.value.message and "colour" in caught.value.message
    assert snapshot(store) == before


def test_an_output_uri_that_is_a_file_is_invalid_input(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    (tmp_path / "file").write_text("x")
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match="OutputUri"):
        call("CreateBatchPrediction", {"BatchPredictionId": "b", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "m-ds", "OutputUri": str(tmp_path / "file")},
             store)
    assert snapshot(store) == before


def test_the_target_may_be_absent_and_is_ignored_when_present(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, target = tiny_frame("BINARY")
    unlabeled = dict(columns)
    del unlabeled[target]
    with sync_jobs():
        create_source(store, "nolabel", write_csv(tmp_path / "n.csv", frame.drop(columns=target)),
                      schema_text(unlabeled, None), stats=False)
    batch(store, "with", "m", "m-ds", tmp_path / "o1")
    batch(store, "without", "m", "nolabel", tmp_path / "o2")
    with_target = read_result(tmp_path / "o1" / "batch-prediction" / "result" / "with-m-ds.csv.gz")
    without = read_result(tmp_path / "o2" / "batch-prediction" / "result" / "without-n.csv.gz")
    assert with_target == without


# -- describe, update, delete -----------------------------------------------------------------------


def test_describe_batch_predictions_filters_sorts_and_pages(world):
    def ids(**request) -> list[str]:
        return [r["BatchPredictionId"] for r in call("DescribeBatchPredictions", request, world.store)["Results"]]

    assert ids(FilterVariable="MLModelId", EQ="reg") == ["bp-reg"]
    assert ids(FilterVariable="DataSourceId", EQ="bin-test") == ["bp-bin"]
    assert ids(FilterVariable="DataURI", EQ=str(world.data["multi"].test)) == ["bp-multi"]
    assert ids(FilterVariable="Name", SortOrder="dsc") == ["bp-reg", "bp-multi", "bp-bin"]
    assert ids(FilterVariable="Status", EQ="COMPLETED", Limit=2) == ["bp-bin", "bp-multi"]
    page = call("DescribeBatchPredictions", {"Limit": 2}, world.store)
    rest = call("DescribeBatchPredictions", {"Limit": 2, "NextToken": page["NextToken"]}, world.store)
    assert [r["BatchPredictionId"] for r in rest["Results"]] == ["bp-reg"]
    result = call("DescribeBatchPredictions", {"FilterVariable": "MLModelId", "EQ": "bin"}, world.store)["Results"][0]
    assert result["TotalRecordCount"] == len(world.data["bin"].test_frame)
    assert not [key for key in result if key.startswith("_")]


def test_update_batch_prediction_renames_and_delete_marks_deleted(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    batch(store, "b", "m", "m-ds", tmp_path / "out")
    assert call("UpdateBatchPrediction", {"BatchPredictionId": "b", "BatchPredictionName": "n"}, store) == {
        "BatchPredictionId": "b"}
    assert call("GetBatchPrediction", {"BatchPredictionId": "b"}, store)["Name"] == "n"
    call("DeleteBatchPrediction", {"BatchPredictionId": "b"}, store)
    assert call("GetBatchPrediction", {"BatchPredictionId": "b"}, store)["Status"] == "DELETED"


def test_an_unknown_batch_prediction_is_not_found():
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        call("GetBatchPrediction", {"BatchPredictionId": "ghost"}, Store())



def test_relative_locations_are_stored_absolute_so_later_jobs_find_them(tmp_path, monkeypatch):
    """A data source created from one folder is trained on by a worker started from another."""
    import shutil

    from aml_cli.service import call

    work = tmp_path / "work"
    work.mkdir()
    demo = __import__("aml_cli").__path__[0] + "/demo/"
    shutil.copy(demo + "churn.csv.gz", work)
    shutil.copy(demo + "churn.schema", work)
    monkeypatch.chdir(work)
    spec = {"DataLocationS3": "churn.csv.gz", "DataSchemaLocationS3": "churn.schema"}
    call("CreateDataSourceFromS3", {"DataSourceId": "rel", "DataSpec": spec, "ComputeStatistics": True})
    monkeypatch.chdir(tmp_path)
    source = call("GetDataSource", {"DataSourceId": "rel"})
    assert source["DataLocationS3"] == str(work / "churn.csv.gz")
    call("CreateMLModel", {"MLModelId": "rel-m", "MLModelType": "BINARY", "TrainingDataSourceId": "rel"})
    assert call("GetMLModel", {"MLModelId": "rel-m"})["Status"] == "COMPLETED"
    call("CreateBatchPrediction", {"BatchPredictionId": "rel-b", "MLModelId": "rel-m",
                                   "BatchPredictionDataSourceId": "rel", "OutputUri": "out/"})
    batch = call("GetBatchPrediction", {"BatchPredictionId": "rel-b"})
    assert batch["OutputUri"] == str(tmp_path / "out") + "/"
    assert (tmp_path / "out" / "batch-prediction" / "result" / "rel-b-churn.csv.gz").exists()
