"""The README's session through the Python client, with detached workers and boto3's waiters."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest

import aml_cli

DEMO = Path(aml_cli.__file__).parent / "demo"
ENDPOINT = "https://realtime.machinelearning.us-east-1.amazonaws.com"


def _split(begin: int, end: int) -> str:
    return f'{{"splitting":{{"percentBegin":{begin},"percentEnd":{end}}}}}'


def _spec(begin: int, end: int) -> dict:
    return {"DataLocationS3": str(DEMO / "churn.csv.gz"), "DataSchemaLocationS3": str(DEMO / "churn.schema"),
            "DataRearrangement": _split(begin, end)}


@pytest.mark.slow
def test_the_readme_session_runs_through_the_client(aml_home, monkeypatch):
    monkeypatch.delenv("AML_SYNC", raising=False)
    monkeypatch.setenv("AML_S3_ROOT", str(aml_home / "s3"))
    ml = aml_cli.client("machinelearning", region_name="us-east-1")
    answer = ml.create_data_source_from_s3(DataSourceId="churn-train", DataSourceName="churn 70%",
                                           DataSpec=_spec(0, 70), ComputeStatistics=True)
    assert answer["DataSourceId"] == "churn-train"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200 and answer["ResponseMetadata"]["RequestId"]
    ml.create_data_source_from_s3(DataSourceId="churn-test", DataSourceName="churn 30%", DataSpec=_spec(70, 100))
    ml.create_ml_model(MLModelId="churn-model", MLModelName="will the customer leave?", MLModelType="BINARY",
                       TrainingDataSourceId="churn-train")
    assert ml.get_ml_model(MLModelId="churn-model")["Status"] in ("PENDING", "INPROGRESS")  # detached, as the service
    ml.get_waiter("ml_model_available").wait(FilterVariable="TrainingDataSourceId", EQ="churn-train")
    model = ml.get_ml_model(MLModelId="churn-model")
    assert model["Status"] == "COMPLETED" and model["ScoreThreshold"] == 0.5
    for stamp in ("CreatedAt", "LastUpdatedAt", "StartedAt", "FinishedAt"):
        assert isinstance(model[stamp], datetime) and model[stamp].tzinfo is not None
    assert model["CreatedAt"] <= model["StartedAt"] <= model["FinishedAt"]

    ml.create_evaluation(EvaluationId="churn-eval", MLModelId="churn-model", EvaluationDataSourceId="churn-test")
    ml.get_waiter("evaluation_available").wait(FilterVariable="MLModelId", EQ="churn-model")
    auc = float(ml.get_evaluation(EvaluationId="churn-eval")["PerformanceMetrics"]["Properties"]["BinaryAUC"])
    assert 0.75 < auc < 1.0

    ml.create_batch_prediction(BatchPredictionId="churn-batch", MLModelId="churn-model",
                               BatchPredictionDataSourceId="churn-test", OutputUri="s3://predictions/churn/")
    ml.get_waiter("batch_prediction_available").wait(FilterVariable="MLModelId", EQ="churn-model",
                                                     WaiterConfig={"Delay": 0.2, "MaxAttempts": 600})
    batch = ml.get_batch_prediction(BatchPredictionId="churn-batch")
    assert (batch["Status"], batch["TotalRecordCount"], batch["InvalidRecordCount"]) == ("COMPLETED", 1500, 0)
    result = aml_home / "s3/predictions/churn/batch-prediction/result/churn-batch-churn.csv.gz"
    with gzip.open(result, "rt") as handle:
        assert handle.readline().strip() == "tag,bestAnswer,score"
        assert len(handle.read().splitlines()) == 1500

    endpoint = ml.create_realtime_endpoint(MLModelId="churn-model")["RealtimeEndpointInfo"]
    assert endpoint["EndpointStatus"] == "READY" and isinstance(endpoint["CreatedAt"], datetime)
    record = {"state": "KS", "international_plan": "yes", "number_customer_service_calls": "5",
              "total_day_minutes": "320"}
    prediction = ml.predict(MLModelId="churn-model", Record=record, PredictEndpoint=endpoint["EndpointUrl"])
    assert prediction["Prediction"]["predictedLabel"] in ("0", "1")
    assert prediction["Prediction"]["details"] == {"PredictiveModelType": "BINARY", "Algorithm": "SGD"}

    listed = ml.describe_ml_models()["Results"]
    assert [(m["MLModelId"], m["Status"], m["EndpointInfo"]["EndpointStatus"]) for m in listed] == [
        ("churn-model", "COMPLETED", "READY")]
    sources = ml.get_paginator("describe_data_sources").paginate().build_full_result()
    assert sorted(source["DataSourceId"] for source in sources["Results"]) == ["churn-test", "churn-train"]


def test_synchronous_clients_return_with_the_work_done(aml_home, monkeypatch, tmp_path):
    monkeypatch.delenv("AML_SYNC", raising=False)
    ml = aml_cli.client("machinelearning", synchronous=True)
    ml.create_data_source_from_s3(DataSourceId="train", DataSpec=_spec(0, 20), ComputeStatistics=True)
    assert ml.get_data_source(DataSourceId="train")["Status"] == "COMPLETED"
    ml.create_ml_model(MLModelId="m", MLModelType="BINARY", TrainingDataSourceId="train")
    assert ml.get_ml_model(MLModelId="m")["Status"] == "COMPLETED"
