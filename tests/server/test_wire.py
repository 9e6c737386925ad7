"""What travels on the wire: timestamps per protocol, the advertised EndpointUrl, pages that end, parity, speed."""

from __future__ import annotations

import io
import json
import re
import time

import pytest

from aml_cli.api import service
from aml_cli.server import routing
from aml_cli.service import call
from aml_cli.service.context import RequestContext
from aml_cli.store import Store
from tests.server.samples import sample
from tests.server.support import CALLER, RECORD, SECRET, client, json_headers, send


def test_amazon_ml_timestamps_are_epoch_seconds_with_milliseconds(world, serve):
    home, _ = world
    answer = send(serve(home).url, "POST", "/", b'{"MLModelId": "ml-1"}', json_headers("GetMLModel"))
    assert answer.status == 200
    assert isinstance(answer.body["CreatedAt"], float)
    assert round(answer.body["CreatedAt"], 3) == answer.body["CreatedAt"]
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"


def test_rest_json_timestamps_are_iso_8601(serve):
    described = service("cleanroomsml")
    op = described.operation("GetConfiguredModelAlgorithm")
    url = serve(dispatch=lambda *a, **k: sample(op.output, everything=True)).url
    arn = "arn%3Aaws%3Acleanrooms-ml%3Aus-east-1%3A0%3Ax"
    answer = send(url, "GET", f"/configured-model-algorithms/{arn}", service="cleanrooms-ml")
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    assert answer.body["createTime"] == "2024-06-10T06:13:20.123Z"


def test_endpoint_url_is_the_servers_own_wherever_it_is_shown(world, serve):
    home, _ = world
    running = serve(home)
    ml = client(running.url)
    shown = [ml.get_ml_model(MLModelId="ml-1")["EndpointInfo"]["EndpointUrl"],
             ml.create_realtime_endpoint(MLModelId="ml-1")["RealtimeEndpointInfo"]["EndpointUrl"],
             *[m["EndpointInfo"]["EndpointUrl"] for m in ml.describe_ml_models()["Results"]
               if m["EndpointInfo"]["EndpointStatus"] == "READY"]]
    assert set(shown) == {running.url}
    prediction = ml.predict(MLModelId="ml-1", Record=RECORD, PredictEndpoint=shown[0])["Prediction"]
    assert prediction["predictedLabel"] in ("0", "1")


def test_advertise_url_is_what_clients_are_told(world, serve):
    home, _ = world
    running = serve(home, advertise_url="http://models.internal:9999")
    info = client(running.url).get_ml_model(MLModelId="ml-1")["EndpointInfo"]
    assert info["EndpointUrl"] == "http://models.internal:9999"


def test_predict_reaches_the_server_through_predict_endpoint_alone(world, serve):
    """botocore sends Predict to PredictEndpoint's host, whatever endpoint_url the client has."""
    home, _ = world
    running = serve(home)
    elsewhere = client("http://127.0.0.1:9")  # nothing listens there
    answer = elsewhere.predict(MLModelId="ml-1", Record=RECORD, PredictEndpoint=running.url + "/ignored?q=1")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_pages_end_and_never_repeat_a_token(world, serve):
    home, _ = world
    ml = client(serve(home).url)
    pages = list(ml.get_paginator("describe_data_sources").paginate(PaginationConfig={"PageSize": 1}))
    ids = [result["DataSourceId"] for page in pages for result in page["Results"]]
    assert sorted(ids) == ["ds-1", "ds-spare"]
    assert "NextToken" not in pages[-1]
    raw = send(ml.meta.endpoint_url, "POST", "/", b'{"Limit": 5}', json_headers("DescribeDataSources"))
    assert "NextToken" not in raw.body


def _parsed(value):
    """Timestamps (datetimes from boto3, epoch floats from the service) as epoch milliseconds."""
    from datetime import datetime

    if isinstance(value, dict):
        return {k: _parsed(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_parsed(v) for v in value]
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, float):
        return round(value, 3)
    return value


@pytest.mark.parametrize(("operation", "request_"), [
    ("GetMLModel", {"MLModelId": "ml-1", "Verbose": True}), ("GetEvaluation", {"EvaluationId": "ev-1"}),
    ("GetDataSource", {"DataSourceId": "ds-1", "Verbose": True}), ("DescribeBatchPredictions", {}),
    ("Predict", {"MLModelId": "ml-1", "Record": RECORD, "PredictEndpoint": "http://x"}),
    ("DescribeTags", {"ResourceId": "ml-1", "ResourceType": "MLModel"})])
def test_a_service_function_and_the_server_give_the_same_answer(world, serve, operation, request_):
    from aml_cli.api import snake_name

    home, _ = world
    running = serve(home)
    direct = call(operation, dict(request_), Store(home), context=RequestContext(caller_arn=CALLER,
                                                                                 endpoint_url=running.url))
    if operation == "Predict":
        request_ = {**request_, "PredictEndpoint": running.url}
    over_http = getattr(client(running.url), snake_name(operation))(**request_)
    assert _parsed(over_http) == _parsed(direct)


def test_the_creator_is_the_signers_identity(world, serve):
    home, facts = world
    ml = client(serve(home).url)
    ml.create_data_source_from_s3(DataSourceId="ds-mine", DataSpec={
        "DataLocationS3": str(facts["data"]), "DataSchemaLocationS3": str(facts["schema"])})
    assert ml.get_data_source(DataSourceId="ds-mine")["CreatedByIamUser"] == CALLER


def test_no_path_reaches_two_rest_operations():
    templates = routing.templates()
    for first in templates:
        for second in templates:
            if first is second or first.operation.http.method != second.operation.http.method:
                continue
            probe = "/" + "/".join("x" if part.startswith("{") else part for part in first.segments)
            same = second.segments == first.segments
            assert same is False, (first.operation.name, second.operation.name)
            try:
                found = routing.rest_route(first.operation.http.method, probe)
            except routing.RouteError:
                pytest.fail(f"{probe} does not route")
            assert found.operation.name == first.operation.name, probe


def test_a_hundred_keep_alive_calls_take_under_a_second(serve):
    ml = client(serve().url)
    ml.describe_ml_models()
    rounds = []
    for _ in range(3):  # the best of three, so a busy machine's moment does not decide
        started = time.perf_counter()
        for _ in range(100):
            ml.describe_ml_models(Limit=1)
        rounds.append(time.perf_counter() - started)
    assert min(rounds) < 1.0  # Nagle meeting delayed ACKs would take ~4.4 s


def test_each_request_is_one_log_line_without_secrets(serve, aml_home):
    from aml_cli import server
    from tests.server.support import KEYS

    log = io.StringIO()
    running = server.start(server.Settings(port=0), Store(aml_home), KEYS, log=log)
    try:
        ml = client(running.url)
        ml.describe_ml_models()
        with pytest.raises(ml.exceptions.ResourceNotFoundException):
            ml.get_ml_model(MLModelId="nope")
    finally:
        running.stop()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\S+Z machinelearning\.DescribeMLModels 200 \d+\.\dms [0-9a-f-]{36}", lines[0])
    assert " machinelearning.GetMLModel 400 " in lines[1]
    assert SECRET not in log.getvalue() and "Signature=" not in log.getvalue()


def test_unknown_members_and_nulls_are_dropped(world, serve):
    home, _ = world
    body = json.dumps({"MLModelId": "ml-1", "Verbose": None, "NotAMember": 1}).encode()
    assert send(serve(home).url, "POST", "/", body, json_headers("GetMLModel")).status == 200
