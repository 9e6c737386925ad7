"""Evaluations: the service's metrics cross-checked with scikit-learn, the schema check, queueing, CRUD."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, mean_squared_error, roc_auc_score

from aml_cli.api.errors import InvalidInputException, ResourceNotFoundException
from aml_cli.service import call
from aml_cli.store import Store
from tests.service.models_conftest import (
    create_model,
    create_source,
    model_scores,
    record_of,
    result_rows,
    schema_text,
    snapshot,
    sync_jobs,
    tiny_frame,
    tiny_model,
    tiny_source,
    trained_world,
    wait_final,
    wait_idle,
    write_csv,
)


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return trained_world(tmp_path_factory)


def properties(world, short: str) -> dict:
    evaluation = call("GetEvaluation", {"EvaluationId": f"ev-{short}"}, world.store)
    assert evaluation["Status"] == "COMPLETED", evaluation.get("Message")
    return evaluation["PerformanceMetrics"]["Properties"]


def scores_and_truth(world, short: str) -> tuple[np.ndarray, pd.Series]:
    """The model's unrounded scores on the evaluation rows, checked against its batch output, and the truth."""
    data = world.data[short]
    scores = model_scores(world.store, short, data.test, data.schema)
    _, rows = result_rows(world.outputs[short] / "batch-prediction" / "result" / f"bp-{short}-{short}-test.csv.gz")
    printed = np.array([[float(value) for value in row[1:]] for row in rows])
    if short == "bin":
        printed = printed[:, 1]
    elif short == "reg":
        printed = printed[:, 0]
    np.testing.assert_allclose(printed, scores, rtol=1e-6)
    return scores, data.test_frame[data.target]


def test_binary_auc_equals_scikit_learns_on_the_models_own_scores(world):
    scores, truth = scores_and_truth(world, "bin")
    found = properties(world, "bin")
    assert list(found) == ["BinaryAUC"] and isinstance(found["BinaryAUC"], str)
    expected = roc_auc_score((truth == "yes").astype(int), scores)
    assert float(found["BinaryAUC"]) == pytest.approx(expected, abs=1e-9)
    assert 0.9 < expected < 1.0


def test_multiclass_average_f_score_equals_scikit_learns_macro_f1(world):
    scores, truth = scores_and_truth(world, "multi")
    found = properties(world, "multi")
    assert list(found) == ["MulticlassAvgFScore"] and isinstance(found["MulticlassAvgFScore"], str)
    labels = np.array(["setosa", "versicolor", "virginica"])
    expected = f1_score(truth, labels[scores.argmax(axis=1)], average="macro")
    assert float(found["MulticlassAvgFScore"]) == pytest.approx(expected, abs=1e-9)


def test_regression_rmse_equals_the_root_of_scikit_learns_mean_squared_error(world):
    scores, truth = scores_and_truth(world, "reg")
    found = properties(world, "reg")
    assert list(found) == ["RegressionRMSE"] and isinstance(found["RegressionRMSE"], str)
    expected = math.sqrt(mean_squared_error(truth.astype(float), scores))
    assert float(found["RegressionRMSE"]) == pytest.approx(expected, abs=1e-9)


def test_binary_auc_counts_tied_scores_as_half(tmp_path):
    """Constant scores (a model that learnt nothing) must give exactly 0.5, as the trapezoid rule does."""
    store = Store()
    frame, columns, target = tiny_frame("BINARY")
    frame["x1"], frame["x2"], frame["colour"] = 1.0, 2.0, "red"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
        create_model(store, "m", "ds", "BINARY", Recipe='{"outputs": ["x1"]}')
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "ds"}, store)
    evaluation = call("GetEvaluation", {"EvaluationId": "e"}, store)
    assert float(evaluation["PerformanceMetrics"]["Properties"]["BinaryAUC"]) == pytest.approx(0.5, abs=1e-12)


def test_get_evaluation_reports_its_inputs_times_and_log(world):
    evaluation = call("GetEvaluation", {"EvaluationId": "ev-reg"}, world.store)
    assert evaluation["MLModelId"] == "reg" and evaluation["EvaluationDataSourceId"] == "reg-test"
    assert evaluation["InputDataLocationS3"] == str(world.data["reg"].test)
    assert evaluation["Name"] == "reg evaluation"
    assert evaluation["CreatedAt"] <= evaluation["StartedAt"] <= evaluation["FinishedAt"]
    assert isinstance(evaluation["ComputeTime"], int)
    log = Path(urlparse(evaluation["LogUri"]).path).read_text()
    assert "RegressionRMSE" in log
    assert "Message" not in evaluation
    assert not [key for key in evaluation if key.startswith("_")]


# -- does the data fit the model? -------------------------------------------------------------------


def test_a_data_source_missing_a_model_attribute_is_invalid_input(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, target = tiny_frame("BINARY")
    del columns["x2"]
    with sync_jobs():
        create_source(store, "short", write_csv(tmp_path / "s.csv", frame.drop(columns="x2")),
                      schema_text(columns, target), stats=False)
    before = snapshot(store)
    with pytest.raises(InvalidInputException) as caught:
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "short"}, store)
    assert "EvaluationDataSourceId" in caught.value.message and "x2" in caught.value.message
    assert snapshot(store) == before


def test_a_data_source_without_the_target_cannot_evaluate(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, _ = tiny_frame("BINARY")
    del columns["y"]
    with sync_jobs():
        create_source(store, "nolabel", write_csv(tmp_path / "n.csv", frame.drop(columns="y")),
                      schema_text(columns, None), stats=False)
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match="target"):
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "nolabel"}, store)
    assert snapshot(store) == before


def test_where_a_type_differs_the_training_type_wins(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    frame, columns, target = tiny_frame("BINARY")
    columns["colour"] = "TEXT"
    with sync_jobs():
        create_source(store, "other", write_csv(tmp_path / "o.csv", frame), schema_text(columns, target), stats=False)
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "other"}, store)
        call("CreateEvaluation", {"EvaluationId": "same", "MLModelId": "m", "EvaluationDataSourceId": "m-ds"}, store)
    other = call("GetEvaluation", {"EvaluationId": "e"}, store)
    same = call("GetEvaluation", {"EvaluationId": "same"}, store)
    assert other["Status"] == "COMPLETED", other.get("Message")
    assert other["PerformanceMetrics"] == same["PerformanceMetrics"]


@pytest.mark.parametrize("member", ["MLModelId", "EvaluationDataSourceId"])
def test_an_evaluation_of_something_missing_is_invalid_input(tmp_path, member):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    request = {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "m-ds", member: "ghost"}
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match=member):
        call("CreateEvaluation", request, store)
    assert snapshot(store) == before


# -- queued behind an unfinished model --------------------------------------------------------------


@pytest.mark.slow
def test_an_evaluation_of_a_pending_model_waits_for_it(tmp_path):
    store = Store()
    with sync_jobs():
        tiny_source(store, tmp_path, "ds", "REGRESSION")
    with sync_jobs(False):
        create_model(store, "m", "ds", "REGRESSION")
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "ds"}, store)
        assert record_of(store, "MLModel", "m")["Status"] in ("PENDING", "INPROGRESS")
        evaluation = wait_final(store, "Evaluation", "e")
        wait_idle(store)
    assert evaluation["Status"] == "COMPLETED", evaluation.get("Message")
    assert evaluation["StartedAt"] >= record_of(store, "MLModel", "m")["FinishedAt"]
    assert float(evaluation["PerformanceMetrics"]["Properties"]["RegressionRMSE"]) > 0


@pytest.mark.slow
def test_an_evaluation_of_a_model_that_fails_fails_with_a_clear_message(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("MULTICLASS")
    frame[target] = "only"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
    with sync_jobs(False):
        create_model(store, "m", "ds", "MULTICLASS")
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "ds"}, store)
        evaluation = wait_final(store, "Evaluation", "e")
        wait_idle(store)
    assert record_of(store, "MLModel", "m")["Status"] == "FAILED"
    assert evaluation["Status"] == "FAILED"
    assert "m" in evaluation["Message"] and "FAILED" in evaluation["Message"]
    assert "PerformanceMetrics" not in evaluation


# -- describe, update, delete -----------------------------------------------------------------------


def evaluation_ids(world, **request) -> list[str]:
    return [r["EvaluationId"] for r in call("DescribeEvaluations", request, world.store)["Results"]]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        ({"FilterVariable": "MLModelId", "EQ": "multi"}, ["ev-multi"]),
        ({"FilterVariable": "DataSourceId", "EQ": "reg-test"}, ["ev-reg"]),
        ({"FilterVariable": "Name", "Prefix": "bin"}, ["ev-bin"]),
        ({"FilterVariable": "Status", "EQ": "COMPLETED"}, ["ev-bin", "ev-multi", "ev-reg"]),
        ({"FilterVariable": "Status", "NE": "COMPLETED"}, []),
        ({"FilterVariable": "Name", "SortOrder": "dsc"}, ["ev-reg", "ev-multi", "ev-bin"]),
        ({"FilterVariable": "CreatedAt", "SortOrder": "dsc", "Limit": 1}, ["ev-reg"]),
    ],
)
def test_describe_evaluations_filters_and_sorts(world, request_, expected):
    assert evaluation_ids(world, **request_) == expected


def test_describe_evaluations_filters_by_data_uri_and_pages(world):
    assert evaluation_ids(world, FilterVariable="DataURI", EQ=str(world.data["multi"].test)) == ["ev-multi"]
    first = call("DescribeEvaluations", {"Limit": 2}, world.store)
    rest = call("DescribeEvaluations", {"Limit": 2, "NextToken": first["NextToken"]}, world.store)
    assert [r["EvaluationId"] for r in first["Results"] + rest["Results"]] == ["ev-bin", "ev-multi", "ev-reg"]
    assert "NextToken" not in rest


def test_update_evaluation_renames_and_delete_marks_deleted(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    with sync_jobs():
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "m-ds",
                                  "EvaluationName": "old"}, store)
    assert call("UpdateEvaluation", {"EvaluationId": "e", "EvaluationName": "new"}, store) == {"EvaluationId": "e"}
    assert call("GetEvaluation", {"EvaluationId": "e"}, store)["Name"] == "new"
    assert call("DeleteEvaluation", {"EvaluationId": "e"}, store) == {"EvaluationId": "e"}
    assert call("GetEvaluation", {"EvaluationId": "e"}, store)["Status"] == "DELETED"


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("GetEvaluation", {"EvaluationId": "ghost"}),
        ("UpdateEvaluation", {"EvaluationId": "ghost", "EvaluationName": "x"}),
        ("DeleteEvaluation", {"EvaluationId": "ghost"}),
    ],
)
def test_an_unknown_evaluation_is_not_found(operation, request_):
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        call(operation, request_, Store())


def test_multiclass_report_has_a_confusion_matrix_and_per_class_f1(world):
    from aml_cli.service import call

    report = call("ShowEvaluation", {"EvaluationId": "ev-multi"}, world.store)
    labels = report["labels"]
    matrix = np.array(report["confusion"])
    assert matrix.shape == (len(labels), len(labels))
    assert matrix.sum() == report["records"]
    assert report["value"] == pytest.approx(float(properties(world, "multi")["MulticlassAvgFScore"]), abs=1e-12)
    assert report["value"] == pytest.approx(np.mean(report["per_class_f1"]), abs=1e-12)
    assert 0.0 < report["baseline"] < report["value"]  # always guessing the majority class is worse


def test_regression_report_compares_rmse_with_predicting_the_training_mean(world):
    from aml_cli.service import call

    data = world.data["reg"]
    report = call("ShowEvaluation", {"EvaluationId": "ev-reg"}, world.store)
    truth = data.test_frame[data.target].to_numpy(dtype=float)
    train_mean = pd.read_csv(data.train)[data.target].mean()
    assert report["baseline"] == pytest.approx(math.sqrt(np.mean((truth - train_mean) ** 2)), rel=1e-9)
    assert report["value"] < report["baseline"]
    assert sum(report["residual_histogram"]["counts"]) == len(truth)


def test_report_of_an_unfinished_or_unknown_evaluation_is_refused(world):
    from aml_cli.service import call

    with pytest.raises(ResourceNotFoundException):
        call("ShowEvaluation", {"EvaluationId": "nope"}, world.store)
