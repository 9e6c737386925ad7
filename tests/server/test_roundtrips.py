"""boto3 round trips for every operation in the API descriptions, signed, through a real server.

Amazon ML: each of the 28 operations with a minimal valid request on a world
of COMPLETED resources. REST-JSON: every operation of Clean Rooms ML and
Clean Rooms goes through boto3 -> server -> a recording dispatch -> back, so
labels, query strings, bodies, timestamps and statuses are checked against
the description now; and every operation of a REST service that aml answers
runs against the real service layer (parametrized by `answered_services()`).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from aml_cli.api import service, snake_name
from aml_cli.service import answered_services
from tests.server.samples import as_python, sample, timestamps_of
from tests.server.support import RECORD, client

ML = service("machinelearning")
REST_SERVICES = ["cleanroomsml", "cleanrooms"]
ROLE = "arn:aws:iam::000000000000:role/aml"


def _ml_requests(facts: dict) -> dict[str, dict]:
    database = str(facts["database"])
    credentials = {"Username": "analyst", "Password": "secret-password"}
    staging = "s3://staging/db/"
    return {
        "AddTags": {"ResourceId": "ml-1", "ResourceType": "MLModel", "Tags": [{"Key": "team", "Value": "a b"}]},
        "CreateBatchPrediction": {"BatchPredictionId": "bp-new", "MLModelId": "ml-1",
                                  "BatchPredictionDataSourceId": "ds-1", "OutputUri": "s3://out/new/"},
        "CreateDataSourceFromRDS": {"DataSourceId": "ds-rds", "RoleARN": ROLE, "RDSData": {
            "DatabaseInformation": {"InstanceIdentifier": "local-db", "DatabaseName": database},
            "SelectSqlQuery": "SELECT * FROM orders", "DatabaseCredentials": credentials,
            "S3StagingLocation": staging, "ResourceRole": "DataPipelineDefaultResourceRole",
            "ServiceRole": "DataPipelineDefaultRole", "SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"]}},
        "CreateDataSourceFromRedshift": {"DataSourceId": "ds-rs", "RoleARN": ROLE, "DataSpec": {
            "DatabaseInformation": {"ClusterIdentifier": "local-cluster", "DatabaseName": database},
            "SelectSqlQuery": "SELECT * FROM orders", "DatabaseCredentials": credentials,
            "S3StagingLocation": staging}},
        "CreateDataSourceFromS3": {"DataSourceId": "ds-new", "DataSpec": {
            "DataLocationS3": str(facts["data"]), "DataSchemaLocationS3": str(facts["schema"])}},
        "CreateEvaluation": {"EvaluationId": "ev-new", "MLModelId": "ml-1", "EvaluationDataSourceId": "ds-1"},
        "CreateMLModel": {"MLModelId": "ml-new", "MLModelType": "BINARY", "TrainingDataSourceId": "ds-1"},
        "CreateRealtimeEndpoint": {"MLModelId": "ml-1"},
        "DeleteBatchPrediction": {"BatchPredictionId": "bp-spare"},
        "DeleteDataSource": {"DataSourceId": "ds-spare"},
        "DeleteEvaluation": {"EvaluationId": "ev-spare"},
        "DeleteMLModel": {"MLModelId": "ml-spare"},
        "DeleteRealtimeEndpoint": {"MLModelId": "ml-1"},
        "DeleteTags": {"ResourceId": "ml-1", "ResourceType": "MLModel", "TagKeys": ["team"]},
        "DescribeBatchPredictions": {},
        "DescribeDataSources": {},
        "DescribeEvaluations": {},
        "DescribeMLModels": {},
        "DescribeTags": {"ResourceId": "ml-1", "ResourceType": "MLModel"},
        "GetBatchPrediction": {"BatchPredictionId": "bp-1"},
        "GetDataSource": {"DataSourceId": "ds-1"},
        "GetEvaluation": {"EvaluationId": "ev-1"},
        "GetMLModel": {"MLModelId": "ml-1"},
        "Predict": {"MLModelId": "ml-1", "Record": RECORD},  # PredictEndpoint: the EndpointUrl the server gave
        "UpdateBatchPrediction": {"BatchPredictionId": "bp-1", "BatchPredictionName": "renamed"},
        "UpdateDataSource": {"DataSourceId": "ds-1", "DataSourceName": "renamed"},
        "UpdateEvaluation": {"EvaluationId": "ev-1", "EvaluationName": "renamed"},
        "UpdateMLModel": {"MLModelId": "ml-1", "MLModelName": "renamed", "ScoreThreshold": 0.4},
    }


def test_the_table_below_names_every_amazon_ml_operation(world):
    assert sorted(_ml_requests(world[1])) == sorted(ML.operation_names())


@pytest.mark.parametrize("operation", ML.operation_names())
def test_amazon_ml_operation_round_trips_through_boto3(operation, world, serve):
    home, facts = world
    running = serve(home)
    ml = client(running.url)
    request = _ml_requests(facts)[operation]
    if operation == "Predict":
        request["PredictEndpoint"] = ml.get_ml_model(MLModelId="ml-1")["EndpointInfo"]["EndpointUrl"]
    response = getattr(ml, snake_name(operation))(**request)
    meta = response.pop("ResponseMetadata")
    assert meta["HTTPStatusCode"] == 200
    assert meta["RetryAttempts"] == 0
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    stamps = timestamps_of(ML.operation(operation).output, response)
    assert all(isinstance(stamp, datetime) and stamp.tzinfo for stamp in stamps)
    assert "amazonaws.com" not in repr(response)
    if operation.startswith(("Get", "Describe")) and operation != "DescribeTags":
        assert stamps, "a resource view carries its CreatedAt"


@pytest.mark.parametrize("name", REST_SERVICES)
@pytest.mark.parametrize("everything", [False, True], ids=["minimal", "full"])
def test_every_rest_json_operation_round_trips_its_members_and_timestamps(name, everything, serve):
    """boto3 encodes, the server routes, decodes and re-encodes; a recording dispatch stands in for the service."""
    described = service(name)
    seen: list[tuple] = []

    def dispatch(operation, request, store, *, service_name, context):
        seen.append((service_name, operation, request))
        return sample(described.operation(operation).output, everything=True)

    api = client(serve(dispatch=dispatch).url, name)
    for operation in described.operation_names():
        op = described.operation(operation)
        request = sample(op.input, everything=everything)
        response = getattr(api, snake_name(operation))(**request)
        meta = response.pop("ResponseMetadata")
        assert (meta["HTTPStatusCode"], meta["RetryAttempts"]) == (op.http.status, 0), operation
        assert response == as_python(op.output, sample(op.output, everything=True)), operation
        service_name, routed, received = seen.pop()
        assert (service_name, routed) == (name, operation)
        assert _rounded(received) == _rounded(request), operation


def _rounded(value):
    """Floats to milliseconds (a timestamp crosses the wire as ISO 8601 text), recursively."""
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return round(value, 3) if isinstance(value, float) else value


@pytest.mark.parametrize("name", [n for n in answered_services() if service(n).protocol.name == "rest-json"])
def test_every_operation_of_an_answered_rest_service_reaches_the_service(name, serve):
    """A minimal request of each operation gets the service's own answer: 2xx, or a modeled error, never a 5xx."""
    described = service(name)
    api = client(serve().url, name)
    for operation in described.operation_names():
        op = described.operation(operation)
        try:
            response = getattr(api, snake_name(operation))(**sample(op.input, everything=False))
        except api.exceptions.ClientError as exc:
            meta = exc.response["ResponseMetadata"]
            assert 400 <= meta["HTTPStatusCode"] < 500, (operation, exc)
            assert exc.response["Error"]["Code"] in (*described.error_codes(), described.validation_error)
        else:
            assert response["ResponseMetadata"]["HTTPStatusCode"] == op.http.status
