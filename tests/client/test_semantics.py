"""Exceptions, paginators, waiters and values with boto3's semantics, checked against botocore's own classes.

botocore's Paginator and Waiter run over this client's methods, so each test
compares what aml does with what boto3 would do on the same answers.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import aml_cli
from tests.service.models_conftest import schema_text, tiny_frame, write_csv

botocore_paginate = pytest.importorskip("botocore.paginate")
botocore_waiter = pytest.importorskip("botocore.waiter")
PAGINATION = {"input_token": "NextToken", "output_token": "NextToken", "limit_key": "Limit", "result_key": "Results"}


@pytest.fixture
def ml(aml_home):
    return aml_cli.client("machinelearning", synchronous=True)


@pytest.fixture
def seven_models(ml, tmp_path):
    frame, columns, target = tiny_frame("BINARY", rows=40)
    path = write_csv(tmp_path / "tiny.csv", frame)
    ml.create_data_source_from_s3(DataSourceId="ds", ComputeStatistics=True,
                                  DataSpec={"DataLocationS3": str(path), "DataSchema": schema_text(columns, target)})
    for index in range(7):
        ml.create_ml_model(MLModelId=f"m{index}", MLModelType="BINARY", TrainingDataSourceId="ds",
                           Parameters={"sgd.maxPasses": "1"})
    return [f"m{index}" for index in range(7)]


def _plain(pages) -> list[dict]:
    return [{key: value for key, value in page.items() if key != "ResponseMetadata"} for page in pages]


def _operation_model(name: str):
    from botocore.loaders import create_loader
    from botocore.model import ServiceModel

    return ServiceModel(create_loader().load_service_model("machinelearning", "service-2")).operation_model(name)


def _boto_iterator(ml, config: dict, **kwargs):
    """botocore's PageIterator over this client's method; use each once (botocore's resumes where it stopped)."""
    paginator = botocore_paginate.Paginator(ml.describe_ml_models, PAGINATION, _operation_model("DescribeMLModels"))
    return paginator.paginate(PaginationConfig=dict(config), **kwargs)


def test_seven_models_in_pages_of_two_are_four_pages(ml, seven_models):
    pages = list(ml.get_paginator("describe_ml_models").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["Results"]) for page in pages] == [2, 2, 2, 1]
    assert [m["MLModelId"] for page in pages for m in page["Results"]] == seven_models
    assert all(page["ResponseMetadata"]["HTTPStatusCode"] == 200 for page in pages)
    assert _plain(pages) == _plain(_boto_iterator(ml, {"PageSize": 2}))


@pytest.mark.parametrize("config", [{"PageSize": 2, "MaxItems": 3}, {"PageSize": 3, "MaxItems": 6},
                                    {"MaxItems": 5}, {"PageSize": 4}, {}])
def test_pages_tokens_and_full_results_equal_botocores(ml, seven_models, config):
    ours = ml.get_paginator("describe_ml_models").paginate(PaginationConfig=config, SortOrder="asc")
    theirs = _boto_iterator(ml, config, SortOrder="asc")
    assert _plain(ours) == _plain(theirs)
    assert ours.resume_token == theirs.resume_token
    assert ours.build_full_result() == _boto_iterator(ml, config, SortOrder="asc").build_full_result()


def test_a_resume_token_continues_where_max_items_stopped(ml, seven_models):
    paginator = ml.get_paginator("describe_ml_models")
    first = paginator.paginate(PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
    assert [m["MLModelId"] for m in first["Results"]] == seven_models[:3]
    rest_config = {"PageSize": 2, "StartingToken": first["NextToken"]}
    rest = paginator.paginate(PaginationConfig=rest_config).build_full_result()
    assert [m["MLModelId"] for m in rest["Results"]] == seven_models[3:]
    assert "NextToken" not in rest
    assert rest == _boto_iterator(ml, rest_config).build_full_result()


def test_search_flattens_each_pages_results(ml, seven_models):
    pages = ml.get_paginator("describe_ml_models").paginate(PaginationConfig={"PageSize": 3})
    assert list(pages.search("Results[].MLModelId")) == seven_models


def test_a_modeled_error_is_caught_by_its_class_and_by_client_error(ml):
    with pytest.raises(ml.exceptions.ResourceNotFoundException) as caught:
        ml.get_evaluation(EvaluationId="nope")
    error = caught.value
    assert isinstance(error, ml.exceptions.ClientError) and isinstance(error, aml_cli.client.ClientError)
    assert error.response["Error"] == {"Code": "ResourceNotFoundException",
                                       "Message": "An evaluation with ID nope does not exist."}
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.operation_name == "GetEvaluation"
    assert str(error) == ("An error occurred (ResourceNotFoundException) when calling the GetEvaluation operation: "
                          "An evaluation with ID nope does not exist.")
    assert ml.exceptions.from_code("ResourceNotFoundException") is type(error)


def test_a_service_side_check_is_an_invalid_input_client_error(ml):
    with pytest.raises(ml.exceptions.InvalidInputException) as caught:
        ml.get_ml_model(MLModelId="x" * 65)
    assert caught.value.response["Error"]["Message"].startswith("1 validation error detected: Value")


def test_a_client_side_check_raises_param_validation_error_and_sends_nothing(ml, aml_home):
    with pytest.raises(aml_cli.client.ParamValidationError) as caught:
        ml.create_ml_model(MLModelId="m", MLModelType="BINARY")
    missing = 'Missing required parameter in input: "TrainingDataSourceId"'
    assert str(caught.value) == f"Parameter validation failed:\n{missing}"
    assert ml.describe_ml_models()["Results"] == []


def test_timestamps_are_the_aware_datetimes_botocore_parses_from_the_wire(ml, seven_models, aml_home):
    from botocore.parsers import DEFAULT_TIMESTAMP_PARSER

    from aml_cli.service import call

    wire = call("GetMLModel", {"MLModelId": "m0"})
    ours = ml.get_ml_model(MLModelId="m0")
    for member in ("CreatedAt", "LastUpdatedAt", "StartedAt", "FinishedAt"):
        assert isinstance(ours[member], datetime)
        assert ours[member] == DEFAULT_TIMESTAMP_PARSER(wire[member])
        assert ours[member].utcoffset() == DEFAULT_TIMESTAMP_PARSER(wire[member]).utcoffset()
    assert {k: v for k, v in ours.items() if k != "ResponseMetadata" and not isinstance(v, datetime)} == {
        k: v for k, v in wire.items() if k not in ("CreatedAt", "LastUpdatedAt", "StartedAt", "FinishedAt")}


def _boto_waiter(ml, name: str):
    from botocore.waiter import WaiterModel

    from aml_cli.api import snake_name
    from tests.ml_api import waiter

    spec = waiter(name)
    document = {"version": 2, "waiters": {name: {
        "operation": spec.operation, "delay": spec.delay, "maxAttempts": spec.max_attempts,
        "acceptors": [{"state": a.state, "matcher": a.matcher, "argument": a.argument, "expected": a.expected}
                      for a in spec.acceptors]}}}
    config = WaiterModel(document).get_waiter(name)
    return botocore_waiter.Waiter(name, config, getattr(ml, snake_name(spec.operation)))


def test_a_failed_resource_fails_the_waiter_with_botocores_reason(ml, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b\n" + "x,1,2\n" * 20)
    schema = json.dumps({"version": "1.0", "dataFormat": "CSV", "dataFileContainsHeader": True, "attributes": [
        {"attributeName": "a", "attributeType": "CATEGORICAL"}, {"attributeName": "b", "attributeType": "NUMERIC"}]})
    ml.create_data_source_from_s3(DataSourceId="bad", DataSpec={"DataLocationS3": str(broken), "DataSchema": schema})
    assert ml.get_data_source(DataSourceId="bad")["Status"] == "FAILED"
    query = {"FilterVariable": "DataLocationS3", "EQ": str(broken)}
    with pytest.raises(aml_cli.client.WaiterError) as ours:
        ml.get_waiter("data_source_available").wait(**query)
    with pytest.raises(botocore_waiter.WaiterError) as theirs:
        _boto_waiter(ml, "DataSourceAvailable").wait(**query)
    assert str(ours.value) == str(theirs.value)
    assert ours.value.last_response["Results"][0]["Status"] == "FAILED"


def test_a_waiter_out_of_attempts_says_so_as_botocore_does(ml):
    query = {"FilterVariable": "Name", "EQ": "nothing has this name", "WaiterConfig": {"Delay": 0, "MaxAttempts": 3}}
    with pytest.raises(aml_cli.client.WaiterError) as ours:
        ml.get_waiter("ml_model_available").wait(**query)
    with pytest.raises(botocore_waiter.WaiterError) as theirs:
        _boto_waiter(ml, "MLModelAvailable").wait(**query)
    assert str(ours.value) == str(theirs.value) == "Waiter MLModelAvailable failed: Max attempts exceeded"


def test_a_waiter_succeeds_at_once_on_completed_work(ml, seven_models):
    assert ml.get_waiter("ml_model_available").wait(FilterVariable="TrainingDataSourceId", EQ="ds") is None


def test_a_waiter_validates_its_arguments_like_the_operation(ml):
    with pytest.raises(aml_cli.client.ParamValidationError, match='Unknown parameter in input: "Bogus"'):
        ml.get_waiter("ml_model_available").wait(Bogus=1)
