"""Guarantee 4a: hostile IDs and wrongly typed options are clear errors with AWS's code and exit code."""

from __future__ import annotations

import json
import os
import re

import pytest

from aml_cli.api import cli_name
from tests.ml_api import operation
from tests.reliability.conftest import call_sync, shared_store, snapshot
from tests.reliability.data import write_csv, write_schema
from tests.reliability.handlers import install_quick


@pytest.fixture
def populated(tmp_path, monkeypatch):
    """One resource of each kind (jobs done by the no-op handler), and the files to make more."""
    install_quick(monkeypatch.setitem)
    data, schema = write_csv(tmp_path / "d.csv", 200), write_schema(tmp_path / "d.schema")
    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    call_sync("CreateDataSourceFromS3", DataSourceId="ds", ComputeStatistics=True, DataSpec=spec)
    call_sync("CreateMLModel", MLModelId="ml", MLModelType="BINARY", TrainingDataSourceId="ds")
    call_sync("CreateEvaluation", EvaluationId="ev", MLModelId="ml", EvaluationDataSourceId="ds")
    call_sync("CreateBatchPrediction", BatchPredictionId="bp", MLModelId="ml", BatchPredictionDataSourceId="ds",
              OutputUri=str(tmp_path / "out"))
    return spec


def _error_line(err: str) -> str:
    return err.strip().splitlines()[0] if err.strip() else ""


LONG, TOO_LONG = "a" * 64, "a" * 65


@pytest.mark.parametrize(
    ("resource_id", "rc", "expected"),
    [
        (TOO_LONG, 254, "(InvalidInputException) when calling the GetMLModel operation: 1 validation error detected: "
                        f"Value '{TOO_LONG}' at 'mLModelId' failed to satisfy constraint: Member must have length "
                        "less than or equal to 64"),
        ("a" * 1000, 254, "Member must have length less than or equal to 64"),
        ("", 252, "Parameter validation failed:\nInvalid length for parameter MLModelId, value: 0, "
                  "valid min length: 1"),
        ("a/b", 254, "Value 'a/b' at 'mLModelId' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: [a-zA-Z0-9_.-]+"),
        ("../../etc/passwd", 254, "failed to satisfy constraint: Member must satisfy regular expression pattern"),
        ("/", 254, "failed to satisfy constraint: Member must satisfy regular expression pattern"),
        ("a\x00b", 254, "failed to satisfy constraint: Member must satisfy regular expression pattern"),
        (LONG, 254, f"(ResourceNotFoundException) when calling the GetMLModel operation: A model with ID {LONG} "
                    "does not exist."),
        ("..", 254, "A model with ID .. does not exist."),
    ],
    ids=["65", "1000", "empty", "slash", "traversal", "root", "nul", "64-missing", "dotdot-missing"],
)
def test_ids_beyond_the_limits_or_with_slashes_are_the_services_errors(populated, cli, resource_id, rc, expected):
    before = snapshot()
    code, out, err = cli("get-ml-model", "--ml-model-id", resource_id)
    assert (code, out) == (rc, "")
    assert expected in err
    assert "Traceback" not in err
    assert snapshot() == before


@pytest.mark.parametrize("resource_id", [TOO_LONG, "a/b", "../x", "..\\x", ""])
def test_creating_with_an_invalid_id_changes_nothing(populated, cli, resource_id):
    before = snapshot()
    code, _, err = cli("create-data-source-from-s3", "--data-source-id", resource_id, "--data-spec",
                       json.dumps(populated))
    assert code == (252 if resource_id == "" else 254), err
    assert "InvalidInputException" in err or "ParamValidation" in err
    assert snapshot() == before


INTERNAL_NAME = re.compile(r"^(aml\.db(-wal|-shm)?|artifacts|logs|s3|tmp|train-\d+-[0-9a-f]+|\.?[0-9a-f]{16,}[\w.-]*)$")


@pytest.mark.parametrize("resource_id", [".", "..", "...", LONG, "-rf", "aml.db"])
def test_valid_ids_that_look_like_paths_work_and_never_become_file_names(tmp_path, cli, resource_id):
    data, schema = write_csv(tmp_path / "d.csv", 300), write_schema(tmp_path / "d.schema")
    spec = json.dumps({"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    assert cli("create-data-source-from-s3", f"--data-source-id={resource_id}", "--compute-statistics",
               "--data-spec", spec, "--sync")[0] == 0
    assert cli("create-ml-model", f"--ml-model-id={resource_id}", "--ml-model-type", "BINARY",
               f"--training-data-source-id={resource_id}", "--sync")[0] == 0
    code, out, err = cli("get-ml-model", f"--ml-model-id={resource_id}")
    assert code == 0, err
    assert json.loads(out)["MLModelId"] == resource_id
    assert json.loads(out)["Status"] == "COMPLETED"
    home = shared_store().home
    for folder, dirs, files in os.walk(home):
        for name in dirs + files:
            assert INTERNAL_NAME.match(name), f"{os.path.join(folder, name)} is not an internal name"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aml-home", "d.csv", "d.schema"]


# -- every option of a few commands, given the wrong type --------------------------------------

WRONG_VALUE = {"string": 5, "integer": "five", "long": "five", "float": "half", "double": "half",
               "boolean": "yes", "structure": [1], "map": [1], "list": {"not": "a list"}}
OPERATIONS = ("CreateDataSourceFromS3", "CreateMLModel", "UpdateMLModel", "DescribeMLModels", "Predict", "AddTags",
              "CreateBatchPrediction")


def _wrong_type_cases():
    for op_name in OPERATIONS:
        for member, member_shape in operation(op_name).input.members.items():
            yield pytest.param(op_name, member, WRONG_VALUE[member_shape.type], id=f"{cli_name(op_name)}-{member}")


@pytest.mark.parametrize(("op_name", "member", "value"), list(_wrong_type_cases()))
def test_every_member_given_the_wrong_type_in_json_is_a_252_naming_it(populated, cli, op_name, member, value):
    before = snapshot()
    code, out, err = cli(cli_name(op_name), "--cli-input-json", json.dumps({member: value}))
    assert (code, out) == (252, "")
    assert f"Invalid type for parameter {member}, value: {value}" in err
    assert "Traceback" not in err
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "rc", "expected"),
    [
        (["update-ml-model", "--ml-model-id", "ml", "--score-threshold", "abc"], 252,
         "argument --score-threshold: invalid float value: 'abc'"),
        (["describe-ml-models", "--limit", "abc"], 255, "invalid literal for int() with base 10: 'abc'"),
        (["describe-ml-models", "--page-size", "abc"], 252, "argument --page-size: invalid int value: 'abc'"),
        (["describe-ml-models", "--max-items", "1.5"], 252, "argument --max-items: invalid int value: '1.5'"),
        (["describe-ml-models", "--sort-order", "sideways"], 254, "Member must satisfy enum value set: [asc, dsc]"),
        (["describe-ml-models", "--filter-variable", "Colour"], 254, "Member must satisfy enum value set"),
        (["create-data-source-from-s3", "--data-source-id", "x", "--data-spec", "[1, 2]"], 252,
         "Error parsing parameter '--data-spec': Invalid JSON"),
        (["create-data-source-from-s3", "--data-source-id", "x", "--data-spec", "garbage"], 252,
         "Error parsing parameter '--data-spec': Expected: '=', received: 'EOF' for input:"),
        (["create-data-source-from-s3", "--data-source-id", "x", "--data-spec", "DataLocationS3=a",
          "--compute-statistics", "yes"], 252, "Unknown options: yes"),
        (["create-ml-model", "--ml-model-id", "x", "--ml-model-type", "BINARY", "--training-data-source-id", "ds",
          "--parameters", "[1]"], 252, "Error parsing parameter '--parameters': Invalid JSON"),
        (["create-ml-model", "--ml-model-id", "x", "--ml-model-type", "SIDEWAYS", "--training-data-source-id", "ds"],
         254, "Member must satisfy enum value set: [REGRESSION, BINARY, MULTICLASS]"),
        (["predict", "--ml-model-id", "ml", "--record", "[1]", "--predict-endpoint", "x"], 252,
         "Error parsing parameter '--record': Invalid JSON"),
        (["add-tags", "--resource-id", "ml", "--resource-type", "Bogus", "--tags", "Key=a"], 254,
         "Member must satisfy enum value set: [BatchPrediction, DataSource, Evaluation, MLModel]"),
        (["get-ml-model", "--ml-model-id", "ml", "--verbose", "maybe"], 252, "Unknown options: maybe"),
        (["get-ml-model", "--ml-model-id"], 252, "argument --ml-model-id: expected one argument"),
        (["get-ml-model", "--cli-input-json", "[1]"], 252,
         "Error parsing parameter '--cli-input-json': Invalid type: expecting map, received <class 'list'>"),
        (["get-ml-model", "--cli-input-json", "{"], 252, "Error parsing parameter 'cli-input-json': Invalid JSON"),
    ],
    ids=lambda value: None,
)
def test_options_given_the_wrong_type_on_the_command_line_answer_as_the_aws_cli(populated, cli, args, rc, expected):
    before = snapshot()
    code, out, err = cli(*args)
    assert (code, out) == (rc, "")
    assert expected in err
    assert "Traceback" not in err
    assert snapshot() == before


# -- YAML that would construct objects -------------------------------------------------------------

@pytest.mark.parametrize(
    "document",
    [
        'MLModelId: !!python/object/apply:os.system ["touch {marker}"]',
        '!!python/object/apply:os.system ["touch {marker}"]',
        'MLModelId: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        'MLModelId: !!python/name:os.system',
        '- !!python/object/apply:subprocess.check_call [["touch", "{marker}"]]',
    ],
)
def test_yaml_tags_that_would_build_objects_are_refused_and_nothing_runs(populated, cli, tmp_path, document):
    marker = tmp_path / "pwned"
    before = snapshot()
    code, out, err = cli("get-ml-model", "--cli-input-yaml", document.format(marker=marker))
    assert (code, out) == (252, "")
    assert "Error parsing parameter 'cli-input-yaml': Invalid YAML received." in err
    assert not marker.exists()
    assert snapshot() == before


def test_yaml_tags_in_a_yaml_file_are_refused_too(populated, cli, tmp_path):
    marker = tmp_path / "pwned"
    document = tmp_path / "request.yaml"
    document.write_text(f'MLModelId: ml\nVerbose: !!python/object/apply:os.system ["touch {marker}"]\n')
    code, _, err = cli("get-ml-model", "--cli-input-yaml", f"file://{document}")
    assert code == 252, err
    assert not marker.exists()
