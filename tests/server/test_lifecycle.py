"""The README's Amazon ML session through boto3 and a real server: detached workers, boto3's own waiters
and paginators, the endpoint the server advertises, and every kind of resource to its end."""

from __future__ import annotations

import gzip
import os
import shutil

import pytest

import aml_cli
from tests.server.support import client

DEMO = os.path.join(os.path.dirname(aml_cli.__file__), "demo")
FAST = {"Delay": 0.1, "MaxAttempts": 1200}


def _split(percent_begin: int, percent_end: int) -> str:
    return f'{{"splitting":{{"percentBegin":{percent_begin},"percentEnd":{percent_end}}}}}'


@pytest.mark.slow
def test_the_readme_session_runs_through_boto3(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "2")
    shutil.copy(os.path.join(DEMO, "churn.csv.gz"), tmp_path)
    shutil.copy(os.path.join(DEMO, "churn.schema"), tmp_path)
    ml = client(serve().url)
    spec = {"DataLocationS3": str(tmp_path / "churn.csv.gz"), "DataSchemaLocationS3": str(tmp_path / "churn.schema")}
    ml.create_data_source_from_s3(DataSourceId="churn-train", DataSourceName="churn 70%", ComputeStatistics=True,
                                  DataSpec={**spec, "DataRearrangement": _split(0, 70)})
    ml.create_data_source_from_s3(DataSourceId="churn-test", DataSourceName="churn 30%",
                                  DataSpec={**spec, "DataRearrangement": _split(70, 100)})
    ml.create_ml_model(MLModelId="churn-model", MLModelName="will the customer leave?", MLModelType="BINARY",
                       TrainingDataSourceId="churn-train")
    assert ml.get_ml_model(MLModelId="churn-model")["Status"] in ("PENDING", "INPROGRESS")  # detached, as AWS
    ml.get_waiter("ml_model_available").wait(FilterVariable="TrainingDataSourceId", EQ="churn-train",
                                             WaiterConfig=FAST)
    assert ml.get_ml_model(MLModelId="churn-model")["Status"] == "COMPLETED"

    ml.create_evaluation(EvaluationId="churn-eval", MLModelId="churn-model", EvaluationDataSourceId="churn-test")
    ml.create_batch_prediction(BatchPredictionId="churn-batch", MLModelId="churn-model",
                               BatchPredictionDataSourceId="churn-test", OutputUri="s3://predictions/churn/")
    ml.get_waiter("evaluation_available").wait(FilterVariable="MLModelId", EQ="churn-model", WaiterConfig=FAST)
    ml.get_waiter("batch_prediction_available").wait(FilterVariable="MLModelId", EQ="churn-model",
                                                     WaiterConfig=FAST)
    auc = float(ml.get_evaluation(EvaluationId="churn-eval")["PerformanceMetrics"]["Properties"]["BinaryAUC"])
    assert 0.7 < auc <= 1.0
    batch = ml.get_batch_prediction(BatchPredictionId="churn-batch")
    assert (batch["Status"], batch["TotalRecordCount"], batch["InvalidRecordCount"]) == ("COMPLETED", 1500, 0)
    result = tmp_path / "s3" / "predictions" / "churn" / "batch-prediction" / "result" / "churn-batch-churn.csv.gz"
    with gzip.open(result, "rt") as lines:
        assert lines.readline().strip() == "tag,bestAnswer,score"

    endpoint = ml.create_realtime_endpoint(MLModelId="churn-model")["RealtimeEndpointInfo"]
    assert endpoint["EndpointStatus"] == "READY" and endpoint["EndpointUrl"] == ml.meta.endpoint_url
    record = {"state": "KS", "international_plan": "yes", "number_customer_service_calls": "5",
              "total_day_minutes": "320"}
    prediction = ml.predict(MLModelId="churn-model", Record=record, PredictEndpoint=endpoint["EndpointUrl"])
    assert prediction["Prediction"]["predictedLabel"] == "1"

    pages = ml.get_paginator("describe_data_sources").paginate(PaginationConfig={"PageSize": 1})
    assert sorted(d["DataSourceId"] for page in pages for d in page["Results"]) == ["churn-test", "churn-train"]
    assert len(ml.describe_ml_models(Limit=1)["Results"]) == 1

    ml.update_ml_model(MLModelId="churn-model", MLModelName="renamed", ScoreThreshold=0.9)
    assert ml.get_ml_model(MLModelId="churn-model")["Name"] == "renamed"
    ml.update_evaluation(EvaluationId="churn-eval", EvaluationName="renamed")
    ml.update_batch_prediction(BatchPredictionId="churn-batch", BatchPredictionName="renamed")
    ml.update_data_source(DataSourceId="churn-test", DataSourceName="renamed")

    ml.add_tags(ResourceId="churn-model", ResourceType="MLModel", Tags=[{"Key": "team", "Value": "retention"}])
    assert ml.describe_tags(ResourceId="churn-model", ResourceType="MLModel")["Tags"][-1] == {
        "Key": "team", "Value": "retention"}
    ml.delete_tags(ResourceId="churn-model", ResourceType="MLModel", TagKeys=["team"])
    assert "team" not in {t["Key"] for t in ml.describe_tags(ResourceId="churn-model", ResourceType="MLModel")["Tags"]}

    ml.delete_realtime_endpoint(MLModelId="churn-model")
    with pytest.raises(ml.exceptions.PredictorNotMountedException):
        ml.predict(MLModelId="churn-model", Record=record, PredictEndpoint=endpoint["EndpointUrl"])
    ml.delete_batch_prediction(BatchPredictionId="churn-batch")
    ml.delete_evaluation(EvaluationId="churn-eval")
    ml.delete_ml_model(MLModelId="churn-model")
    for source in ("churn-train", "churn-test"):
        ml.delete_data_source(DataSourceId=source)
    assert ml.get_ml_model(MLModelId="churn-model")["Status"] == "DELETED"
    assert ml.get_data_source(DataSourceId="churn-train")["Status"] == "DELETED"
