"""The installed aws CLI (v1) as a subprocess against the server: output, exit codes, wait, predict, endpoints.

Each run gets only PATH, HOME and the AWS variables it needs (like `env -i`), so nothing of the machine's
own AWS setup takes part. The key file holds the tests' key pair in the shared-credentials format.
"""

from __future__ import annotations

import json
import shutil

import pytest

from aml_cli.service import answered_services, call
from aml_cli.service.context import RequestContext
from aml_cli.store import Store
from tests.server.support import AWS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(AWS is None, reason="the aws CLI is not installed")]


@pytest.fixture
def url(world, serve):
    return serve(world[0]).url


def test_describe_prints_the_wire_values(aws, url):
    done = aws("machinelearning", "describe-ml-models", "--endpoint-url", url)
    assert done.returncode == 0, done.stderr
    models = {m["MLModelId"]: m for m in json.loads(done.stdout)["Results"]}
    assert set(models) == {"ml-1", "ml-spare"}
    assert isinstance(models["ml-1"]["CreatedAt"], float)  # the CLI prints the wire's epoch seconds unchanged
    assert models["ml-1"]["EndpointInfo"]["EndpointUrl"] == url


def test_a_missing_model_exits_255_with_the_services_message(aws, url):
    done = aws("machinelearning", "get-ml-model", "--ml-model-id", "ml-x", "--endpoint-url", url)
    assert done.returncode == 255
    assert done.stderr == ("\nAn error occurred (ResourceNotFoundException) when calling the GetMLModel operation: "
                           "A model with ID ml-x does not exist.\n")


def test_predict_goes_to_the_predict_endpoint_even_without_endpoint_url(aws, url):
    done = aws("machinelearning", "predict", "--ml-model-id", "ml-1", "--record", "x=3.5,color=red",
               "--predict-endpoint", url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Prediction"]["details"]["PredictiveModelType"] == "BINARY"


def test_wait_succeeds_on_completed_models(aws, url):
    done = aws("machinelearning", "wait", "ml-model-available", "--filter-variable", "TrainingDataSourceId",
               "--eq", "ds-1", "--endpoint-url", url)
    assert (done.returncode, done.stderr) == (0, "")


def test_wait_fails_on_a_failed_model(aws, world, serve, tmp_path):
    home, facts = world
    doomed = tmp_path / "doomed.csv"
    shutil.copy(facts["data"], doomed)
    store, context = Store(home), RequestContext(synchronous=True)
    call("CreateDataSourceFromS3", {"DataSourceId": "ds-doomed", "ComputeStatistics": True, "DataSpec": {
        "DataLocationS3": str(doomed), "DataSchemaLocationS3": str(facts["schema"])}}, store, context=context)
    doomed.unlink()
    call("CreateMLModel", {"MLModelId": "ml-doomed", "MLModelType": "BINARY", "TrainingDataSourceId": "ds-doomed"},
         store, context=context)
    assert call("GetMLModel", {"MLModelId": "ml-doomed"}, store)["Status"] == "FAILED"
    done = aws("machinelearning", "wait", "ml-model-available", "--filter-variable", "TrainingDataSourceId",
               "--eq", "ds-doomed", "--endpoint-url", serve(home).url)
    assert done.returncode == 255
    assert done.stderr.strip() == ('Waiter MLModelAvailable failed: Waiter encountered a terminal failure state: '
                                   'For expression "Results[].Status" we matched expected path: "FAILED" at least '
                                   'once')


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_MACHINE_LEARNING", "AWS_ENDPOINT_URL"])
def test_the_endpoint_can_come_from_the_environment(aws, url, variable):
    done = aws("machinelearning", "get-ml-model", "--ml-model-id", "ml-1", "--query", "Status", **{variable: url})
    assert (done.returncode, done.stdout.strip()) == (0, '"COMPLETED"'), done.stderr


def test_no_sign_request_works_against_no_auth_only(aws, world, serve):
    home, _ = world
    signed_only = aws("machinelearning", "describe-ml-models", "--no-sign-request", "--endpoint-url",
                      serve(home).url)
    assert signed_only.returncode == 255
    assert "(MissingAuthenticationTokenException)" in signed_only.stderr
    open_door = aws("machinelearning", "describe-ml-models", "--no-sign-request", "--endpoint-url",
                    serve(home, auth=False).url, "--query", "length(Results)")
    assert (open_door.returncode, open_door.stdout.strip()) == (0, "2"), open_door.stderr


@pytest.mark.parametrize("name", ["cleanroomsml", "cleanrooms"])
def test_the_rest_services_are_reached_by_the_cli(aws, url, name):
    command = "list-configured-model-algorithms" if name == "cleanroomsml" else "list-collaborations"
    done = aws(name, command, "--endpoint-url", url)
    assert name in answered_services()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
