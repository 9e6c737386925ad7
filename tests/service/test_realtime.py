"""Real-time endpoints and Predict: endpoint lifecycle, answer shapes per type, and equality with batch scores."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from aml_cli.api.errors import LimitExceededException, PredictorNotMountedException, ResourceNotFoundException
from aml_cli.service import call
from aml_cli.service.machinelearning.realtime import ENDPOINT_URL
from aml_cli.store import Store
from tests.service.models_conftest import (
    DEMO,
    create_model,
    create_source,
    csv_records,
    model_scores,
    sync_jobs,
    tiny_model,
    trained_world,
)


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    return trained_world(tmp_path_factory)


def predict(store: Store, model_id: str, record: dict) -> dict:
    request = {"MLModelId": model_id, "Record": record, "PredictEndpoint": ENDPOINT_URL}
    return call("Predict", request, store)["Prediction"]


def first_record(world, short: str) -> dict[str, str]:
    return csv_records(world.data[short].test)[0]


# -- endpoints --------------------------------------------------------------------------------------


def test_creating_an_endpoint_makes_it_ready_and_get_ml_model_shows_it(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "BINARY")
    answer = call("CreateRealtimeEndpoint", {"MLModelId": "m"}, store)
    info = answer["RealtimeEndpointInfo"]
    assert answer["MLModelId"] == "m"
    assert info["EndpointStatus"] == "READY" and info["PeakRequestsPerSecond"] == 200
    assert info["EndpointUrl"].startswith("https://") and isinstance(info["CreatedAt"], float)
    assert call("GetMLModel", {"MLModelId": "m"}, store)["EndpointInfo"] == info
    again = call("CreateRealtimeEndpoint", {"MLModelId": "m"}, store)["RealtimeEndpointInfo"]
    assert again == info
    ready = call("DescribeMLModels", {"FilterVariable": "RealtimeEndpointStatus", "EQ": "READY"}, store)
    assert [r["MLModelId"] for r in ready["Results"]] == ["m"]


def test_deleting_the_endpoint_unmounts_the_model(tmp_path):
    store = Store()
    tiny_model(store, tmp_path, "m", "REGRESSION")
    call("CreateRealtimeEndpoint", {"MLModelId": "m"}, store)
    assert "predictedValue" in predict(store, "m", {"x1": "1"})
    info = call("DeleteRealtimeEndpoint", {"MLModelId": "m"}, store)["RealtimeEndpointInfo"]
    assert info["EndpointStatus"] == "NONE" and info["PeakRequestsPerSecond"] == 0
    shown = call("GetMLModel", {"MLModelId": "m"}, store)["EndpointInfo"]
    assert shown["EndpointStatus"] == "NONE" and shown["PeakRequestsPerSecond"] == 0
    with pytest.raises(PredictorNotMountedException):
        predict(store, "m", {"x1": "1"})


def test_a_model_without_a_ready_endpoint_is_not_mounted(world):
    with pytest.raises(PredictorNotMountedException, match="churn"):
        predict(world.store, "churn", {"state": "KS"})


@pytest.mark.parametrize("operation", ["CreateRealtimeEndpoint", "DeleteRealtimeEndpoint"])
def test_an_endpoint_for_an_unknown_model_is_not_found(operation):
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        call(operation, {"MLModelId": "ghost"}, Store())


def test_predict_with_an_unknown_model_is_not_found():
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        predict(Store(), "ghost", {"a": "1"})


# -- shapes -----------------------------------------------------------------------------------------

def test_a_binary_prediction_has_a_label_and_that_labels_score(world):
    prediction = predict(world.store, "bin", first_record(world, "bin"))
    assert set(prediction) == {"predictedLabel", "predictedScores", "details"}
    assert prediction["details"] == {"PredictiveModelType": "BINARY", "Algorithm": "SGD"}
    label = prediction["predictedLabel"]
    assert label in ("0", "1")
    assert list(prediction["predictedScores"]) == [label]
    score = prediction["predictedScores"][label]
    assert (score >= 0.5) == (label == "1")


def test_a_multiclass_prediction_scores_every_class(world):
    prediction = predict(world.store, "multi", first_record(world, "multi"))
    assert set(prediction) == {"predictedLabel", "predictedScores", "details"}
    assert prediction["details"] == {"PredictiveModelType": "MULTICLASS", "Algorithm": "SGD"}
    scores = prediction["predictedScores"]
    assert sorted(scores) == ["setosa", "versicolor", "virginica"]
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-9)
    assert prediction["predictedLabel"] == max(scores, key=scores.get)


def test_a_regression_prediction_has_a_value(world):
    prediction = predict(world.store, "reg", first_record(world, "reg"))
    assert set(prediction) == {"predictedValue", "details"}
    assert prediction["details"] == {"PredictiveModelType": "REGRESSION", "Algorithm": "SGD"}
    assert isinstance(prediction["predictedValue"], float)


# -- records ----------------------------------------------------------------------------------------


def test_unknown_attributes_and_the_target_are_ignored(world):
    record = first_record(world, "bin")
    plain = predict(world.store, "bin", record)
    assert predict(world.store, "bin", {**record, "no_such_attribute": "42"}) == plain
    assert predict(world.store, "bin", {**record, "malignant": "no"}) == predict(
        world.store, "bin", {**record, "malignant": "yes"})
    assert predict(world.store, "bin", {k: v for k, v in record.items() if k != "malignant"}) == plain


def test_a_missing_attribute_is_treated_as_a_missing_value(world, tmp_path):
    data = world.data["reg"]
    record = first_record(world, "reg")
    partial = {k: v for k, v in record.items() if k not in ("bmi", "bp")}
    row = {**record, "bmi": "", "bp": ""}
    path = tmp_path / "row.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    expected = model_scores(world.store, "reg", path, data.schema)[0]
    assert predict(world.store, "reg", partial)["predictedValue"] == pytest.approx(expected, abs=1e-9)
    assert predict(world.store, "reg", row)["predictedValue"] == pytest.approx(expected, abs=1e-9)
    assert predict(world.store, "reg", partial) != predict(world.store, "reg", record)


def test_a_record_over_100_kb_is_refused(world):
    record = {**first_record(world, "multi"), "note": "x" * (100 * 1024)}
    with pytest.raises(LimitExceededException):
        predict(world.store, "multi", record)
    assert "predictedLabel" in predict(world.store, "multi", {**record, "note": "x" * 90_000})


# -- predict equals batch -------------------------------------------------------------------------


@pytest.mark.parametrize("short", ["bin", "multi", "reg"])
def test_predict_equals_the_batch_score_of_every_row(world, short):
    data = world.data[short]
    expected = model_scores(world.store, short, data.test, data.schema)
    records = csv_records(data.test)
    assert len(records) == len(expected)
    found = []
    for record in records:
        prediction = predict(world.store, short, record)
        if short == "bin":
            found.append(next(iter(prediction["predictedScores"].values())))
        elif short == "multi":
            found.append([prediction["predictedScores"][label] for label in ("setosa", "versicolor", "virginica")])
        else:
            found.append(prediction["predictedValue"])
    np.testing.assert_allclose(np.array(found), expected, rtol=0, atol=1e-9)


def test_predict_equals_the_batch_score_with_categorical_and_binary_inputs(tmp_path):
    """The churn data has text categories and yes/no flags: Predict must type them as the reader does."""
    store = Store()
    lines = gzip.decompress((DEMO / "churn.csv.gz").read_bytes()).decode().splitlines()[:401]
    data = tmp_path / "churn.csv"
    data.write_text("\n".join(lines) + "\n")
    schema = (DEMO / "churn.schema").read_text()
    with sync_jobs():
        create_source(store, "churn", data, schema)
        create_model(store, "m", "churn", "BINARY")
    call("CreateRealtimeEndpoint", {"MLModelId": "m"}, store)
    expected = model_scores(store, "m", data, schema)
    found = [next(iter(predict(store, "m", record)["predictedScores"].values())) for record in csv_records(data)]
    np.testing.assert_allclose(found, expected, rtol=0, atol=1e-9)
    assert len(set(np.round(expected, 6))) > 100
