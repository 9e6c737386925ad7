"""Guarantee: text that cannot be written as UTF-8 (a lone surrogate) is refused at input and breaks nothing.

JSON may spell `"\\ud800"`, and a shell argument of invalid UTF-8 reaches Python as
`\\udcff`: neither is a character, and a name holding one could never be printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.service import call
from tests.reliability.conftest import REPO, aml, aml_env, call_sync, shared_store, snapshot
from tests.reliability.data import write_csv, write_schema
from tests.reliability.handlers import install_quick


@pytest.fixture
def resources(tmp_path, monkeypatch):
    install_quick(monkeypatch.setitem)
    data, schema = write_csv(tmp_path / "d.csv", 100), write_schema(tmp_path / "d.schema")
    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    call_sync("CreateDataSourceFromS3", DataSourceId="small", ComputeStatistics=True, DataSpec=spec)
    call_sync("CreateMLModel", MLModelId="ml", MLModelType="BINARY", TrainingDataSourceId="small")
    return spec


def assert_refused(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 254, result.stderr
    assert "(InvalidInputException)" in result.stderr and "surrogate" in result.stderr, result.stderr


@pytest.mark.parametrize(("command", "request_"), [
    ("update-data-source", {"DataSourceId": "small", "DataSourceName": "x\ud800"}),
    ("update-ml-model", {"MLModelId": "ml", "MLModelName": "x\udfff"}),
    ("add-tags", {"ResourceId": "small", "ResourceType": "DataSource", "Tags": [{"Key": "k", "Value": "v\ud83d"}]}),
    ("add-tags", {"ResourceId": "small", "ResourceType": "DataSource", "Tags": [{"Key": "k\udc00", "Value": "v"}]}),
    ("create-ml-model", {"MLModelId": "m2", "MLModelType": "BINARY", "TrainingDataSourceId": "small",
                         "MLModelName": "\ud800"}),
    ("predict", {"MLModelId": "ml", "Record": {"x1": "\ud800"}, "PredictEndpoint": "https://x"}),
    ("predict", {"MLModelId": "ml", "Record": {"\ud800": "1"}, "PredictEndpoint": "https://x"}),
], ids=["update-data-source", "update-ml-model", "tag-value", "tag-key", "create", "record-value", "record-key"])
def test_a_lone_surrogate_in_json_input_is_refused_and_every_resource_still_answers(resources, command, request_):
    before = snapshot()
    assert_refused(aml(command, "--cli-input-json", json.dumps(request_)))
    assert snapshot() == before
    for listing in ("describe-data-sources", "describe-ml-models", "describe-tags --resource-id small "
                    "--resource-type DataSource"):
        result = aml(*listing.split())
        assert result.returncode == 0, result.stderr
    assert aml("get-data-source", "--data-source-id", "small").returncode == 0


def test_an_argument_of_invalid_utf8_is_refused(resources):
    before = snapshot()
    argv = [sys.executable, "-m", "aml_cli", "update-data-source", "--data-source-id", "small",
            "--data-source-name", os.fsdecode(b"bad\xff")]
    result = subprocess.run(argv, capture_output=True, text=True, env=aml_env(), cwd=REPO, timeout=60)
    assert_refused(result)
    assert snapshot() == before


def test_every_caller_of_the_service_is_refused_a_lone_surrogate(resources):
    """The Python client and the server call `service.call`: the check is there, not in the CLI."""
    with pytest.raises(InvalidInputException, match="surrogate"):
        call("UpdateDataSource", {"DataSourceId": "small", "DataSourceName": "x\ud800"}, shared_store())
    with pytest.raises(InvalidInputException, match=r"DataSpec\.DataLocationS3"):
        call("CreateDataSourceFromS3", {"DataSourceId": "s2", "DataSpec": {**resources, "DataLocationS3": "\udcff"}},
             shared_store())
    with pytest.raises(InvalidInputException, match="surrogate"):  # aml's own operations too
        call("ShowMLModel", {"MLModelId": "\ud800"}, shared_store())
    import aml_cli

    client = aml_cli.client("machinelearning", home=shared_store().home)
    with pytest.raises(Exception, match="surrogate"):
        client.update_ml_model(MLModelId="ml", MLModelName="y\ud800")
    assert call("GetDataSource", {"DataSourceId": "small"}, shared_store())["Status"] == "COMPLETED"
