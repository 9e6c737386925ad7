"""Client-side checks against botocore's own validator; service-side checks by rule."""

import datetime
import decimal

import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.api.model import Shape
from aml_cli.api.validate import (
    RELAXED,
    ParamValidationError,
    check_client_side,
    check_service_side,
    client_problems,
    java_full_match,
    service_problems,
)
from tests.ml_api import operation

botocore_session = pytest.importorskip("botocore.session")
botocore_validate = pytest.importorskip("botocore.validate")

S3_SPEC = {"DataLocationS3": "s3://b/k"}

# (operation, request) pairs: each compared line by line with botocore's report.
CLIENT_CASES = {
    "valid get": ("GetMLModel", {"MLModelId": "ml-1", "Verbose": True}),
    "missing required": ("GetMLModel", {}),
    "several missing in model order": ("CreateMLModel", {"MLModelName": "x"}),
    "unknown key": ("GetMLModel", {"MLModelId": "m", "Foo": 1}),
    "unknown keys in input order": ("GetMLModel", {"Zed": 1, "MLModelId": "m", "Abc": 2}),
    "missing then unknown": ("GetMLModel", {"Foo": 1}),
    "string given an int": ("GetMLModel", {"MLModelId": 5}),
    "string given null": ("GetMLModel", {"MLModelId": None}),
    "string given a list": ("GetMLModel", {"MLModelId": ["a"]}),
    "string given bytes": ("GetMLModel", {"MLModelId": b"abc"}),
    "boolean given a string": ("GetMLModel", {"MLModelId": "m", "Verbose": "true"}),
    "boolean given an int": ("GetMLModel", {"MLModelId": "m", "Verbose": 1}),
    "integer given a string": ("DescribeMLModels", {"Limit": "10"}),
    "integer given a float": ("DescribeMLModels", {"Limit": 2.5}),
    "integer given a bool passes": ("DescribeMLModels", {"Limit": True}),
    "integer below min": ("DescribeMLModels", {"Limit": 0}),
    "integer far below min": ("DescribeMLModels", {"Limit": -7}),
    "false bool as integer is below min": ("DescribeMLModels", {"Limit": False}),
    "integer above max passes client side": ("DescribeMLModels", {"Limit": 1000}),
    "float given a string": ("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": "0.5"}),
    "float given an int passes": ("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": 1}),
    "float given a decimal passes": ("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": decimal.Decimal("0.3")}),
    "float given a bool passes": ("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": True}),
    "float given null": ("UpdateMLModel", {"MLModelId": "m", "ScoreThreshold": None}),
    "empty string below min length": ("GetMLModel", {"MLModelId": ""}),
    "pattern and max not checked": ("GetMLModel", {"MLModelId": "bad id!" * 20}),
    "enum not checked": ("CreateMLModel", {"MLModelId": "m", "MLModelType": "bogus", "TrainingDataSourceId": "d"}),
    "structure given a string": ("CreateDataSourceFromS3", {"DataSourceId": "d", "DataSpec": "s3://b/k"}),
    "structure given a list": ("CreateDataSourceFromS3", {"DataSourceId": "d", "DataSpec": [S3_SPEC]}),
    "nested missing required": ("CreateDataSourceFromS3", {"DataSourceId": "d", "DataSpec": {}}),
    "nested unknown key": (
        "CreateDataSourceFromS3",
        {"DataSourceId": "d", "DataSpec": {**S3_SPEC, "Bogus": "x"}},
    ),
    "nested wrong type": (
        "CreateDataSourceFromS3",
        {"DataSourceId": "d", "DataSpec": {"DataLocationS3": 3, "DataSchema": {}}},
    ),
    "doubly nested": (
        "CreateDataSourceFromRedshift",
        {
            "DataSourceId": "d",
            "RoleARN": "r",
            "DataSpec": {
                "DatabaseInformation": {"DatabaseName": "", "Extra": 1},
                "SelectSqlQuery": "select 1",
                "DatabaseCredentials": {"Username": "u", "Password": "short"},
                "S3StagingLocation": "s3://b/",
            },
        },
    ),
    "rds nested list of strings": (
        "CreateDataSourceFromRDS",
        {
            "DataSourceId": "d",
            "RoleARN": "r",
            "RDSData": {
                "DatabaseInformation": {"InstanceIdentifier": "i", "DatabaseName": "db"},
                "SelectSqlQuery": "q",
                "DatabaseCredentials": {"Username": "u", "Password": "password1"},
                "S3StagingLocation": "s3://b/",
                "ResourceRole": "a",
                "ServiceRole": "b",
                "SubnetId": "c",
                "SecurityGroupIds": ["sg-1", "", 7],
            },
        },
    ),
    "list given a string": ("DeleteTags", {"TagKeys": "k", "ResourceId": "m", "ResourceType": "MLModel"}),
    "list given a tuple passes": ("DeleteTags", {"TagKeys": ("k",), "ResourceId": "m", "ResourceType": "MLModel"}),
    "list element empty and wrong type": (
        "DeleteTags",
        {"TagKeys": ["", 3, "ok"], "ResourceId": "m", "ResourceType": "MLModel"},
    ),
    "empty list passes": ("DeleteTags", {"TagKeys": [], "ResourceId": "m", "ResourceType": "MLModel"}),
    "tags nested": (
        "AddTags",
        {
            "Tags": [{"Key": "a", "Value": ""}, {"Value": 1}, {"Key": "", "Other": "x"}, "notatag"],
            "ResourceId": "m",
            "ResourceType": "MLModel",
        },
    ),
    "map given a list": ("Predict", {"MLModelId": "m", "Record": ["a"], "PredictEndpoint": "e"}),
    "map values of wrong type": (
        "Predict",
        {"MLModelId": "m", "Record": {"a": 1, "b": "ok", "c": None}, "PredictEndpoint": "e"},
    ),
    "map keys of wrong type": (
        "CreateMLModel",
        {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "d", "Parameters": {1: "x", "k": 2}},
    ),
    "everything at once": (
        "CreateMLModel",
        {"Foo": 1, "MLModelName": 3, "Parameters": "x", "MLModelId": "", "Bar": None},
    ),
}


@pytest.fixture(scope="module")
def machinelearning():
    return botocore_session.get_session().get_service_model("machinelearning")


def _botocore_lines(machinelearning, name: str, request: object) -> list[str]:
    report = botocore_validate.ParamValidator().validate(request, machinelearning.operation_model(name).input_shape)
    text = report.generate_report()
    return text.split("\n") if text else []


@pytest.mark.parametrize(("name", "request_"), list(CLIENT_CASES.values()), ids=list(CLIENT_CASES))
def test_client_problems_match_botocores_report_line_for_line(machinelearning, name, request_):
    assert client_problems(operation(name).input, request_) == _botocore_lines(machinelearning, name, request_)


def test_the_client_cases_do_find_problems():
    failing = [
        case for case, (name, request) in CLIENT_CASES.items() if client_problems(operation(name).input, request)
    ]
    assert len(failing) >= 30
    assert "valid get" not in failing


def test_a_top_level_request_that_is_not_a_map_is_a_type_problem(machinelearning):
    problems = client_problems(operation("GetMLModel").input, ["MLModelId"])
    assert problems == _botocore_lines(machinelearning, "GetMLModel", ["MLModelId"])
    assert problems == [
        "Invalid type for parameter input, value: ['MLModelId'], type: <class 'list'>, valid types: <class 'dict'>"
    ]


def test_the_documented_example_line_is_exact():
    problems = client_problems(operation("GetMLModel").input, {"MLModelId": 5, "Foo": 1})
    assert problems == [
        'Unknown parameter in input: "Foo", must be one of: MLModelId, Verbose',
        "Invalid type for parameter MLModelId, value: 5, type: <class 'int'>, valid types: <class 'str'>",
    ]


def test_a_nested_name_can_be_given_for_a_sub_structure():
    spec = operation("CreateDataSourceFromS3").input.members["DataSpec"]
    assert client_problems(spec, {}, "DataSpec") == ['Missing required parameter in DataSpec: "DataLocationS3"']


def test_timestamps_accept_datetimes_epochs_and_iso_strings():
    stamp = Shape(name="EpochTime", type="timestamp")
    for good in (datetime.datetime(2020, 1, 1), 0, 1.5, "1428966068", "2015-04-13T23:01:08"):
        assert client_problems(stamp, good, "At") == []
    assert client_problems(stamp, "yesterday", "At") == [
        "Invalid type for parameter At, value: yesterday, type: <class 'str'>, "
        "valid types: <class 'datetime.datetime'>, timestamp-string"
    ]


def test_check_client_side_raises_with_every_problem_and_the_cli_text():
    with pytest.raises(ParamValidationError) as caught:
        check_client_side(operation("GetMLModel"), {"Foo": 1})
    assert caught.value.problems == [
        'Missing required parameter in input: "MLModelId"',
        'Unknown parameter in input: "Foo", must be one of: MLModelId, Verbose',
    ]
    assert str(caught.value) == "Parameter validation failed:\n" + "\n".join(caught.value.problems)


def test_check_client_side_passes_a_valid_request():
    check_client_side(operation("GetMLModel"), {"MLModelId": "ml-1"})


# ---------------------------------------------------------------- service side


def _service_message(name: str, request: dict) -> str:
    with pytest.raises(InvalidInputException) as caught:
        check_service_side(operation(name), request)
    assert caught.value.code == "InvalidInputException"
    return caught.value.message


SERVICE_CASES = {
    "pattern on an id": (
        "GetMLModel",
        {"MLModelId": "bad id"},
        "1 validation error detected: Value 'bad id' at 'mLModelId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    "pattern is a full match": (
        "GetMLModel",
        {"MLModelId": "ok-id/"},
        "1 validation error detected: Value 'ok-id/' at 'mLModelId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    "max length of a string": (
        "GetMLModel",
        {"MLModelId": "a" * 65},
        f"1 validation error detected: Value '{'a' * 65}' at 'mLModelId' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    ),
    "max value of a number": (
        "DescribeMLModels",
        {"Limit": 101},
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    ),
    "enum": (
        "DescribeMLModels",
        {"SortOrder": "up"},
        "1 validation error detected: Value 'up' at 'sortOrder' failed to satisfy constraint: "
        "Member must satisfy enum value set: [asc, dsc]",
    ),
    "two errors joined": (
        "CreateMLModel",
        {"MLModelId": "x y", "MLModelType": "LINEAR", "TrainingDataSourceId": "d"},
        "2 validation errors detected: Value 'x y' at 'mLModelId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'LINEAR' at 'mLModelType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [REGRESSION, BINARY, MULTICLASS]",
    ),
    "nested path": (
        "CreateDataSourceFromRedshift",
        {
            "DataSourceId": "d",
            "RoleARN": "r",
            "DataSpec": {
                "DatabaseInformation": {"DatabaseName": "sales db", "ClusterIdentifier": "c-1"},
                "SelectSqlQuery": "q",
                "DatabaseCredentials": {"Username": "u", "Password": "p" * 65},
                "S3StagingLocation": "s3://b/",
            },
        },
        "2 validation errors detected: Value 'sales db' at 'dataSpec.databaseInformation.databaseName' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: \\S+; "
        f"Value '{'p' * 65}' at 'dataSpec.databaseCredentials.password' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    ),
    "list elements": (
        "DeleteTags",
        {"TagKeys": ["ok", "b" * 129], "ResourceId": "m", "ResourceType": "MLModel"},
        f"1 validation error detected: Value '{'b' * 129}' at 'tagKeys.2.member' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    ),
    "list max length": (
        "DeleteTags",
        {"TagKeys": ["k"] * 101, "ResourceId": "m", "ResourceType": "MLModel"},
        "1 validation error detected: Value '[" + ", ".join(["k"] * 101) + "]' at 'tagKeys' "
        "failed to satisfy constraint: Member must have length less than or equal to 100",
    ),
    "structures inside lists": (
        "AddTags",
        {"Tags": [{"Key": "a"}, {"Key": "b", "Value": "no;semicolons"}], "ResourceId": "m", "ResourceType": "MLModel"},
        "1 validation error detected: Value 'no;semicolons' at 'tags.2.member.value' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    ),
    "name that is only spaces": (
        "UpdateMLModel",
        {"MLModelId": "m", "MLModelName": "   "},
        "1 validation error detected: Value '   ' at 'mLModelName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: .*\\S.*|^$",
    ),
    "min length reported by the service too": (
        "GetMLModel",
        {"MLModelId": ""},
        "2 validation errors detected: Value '' at 'mLModelId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'mLModelId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
    "relaxed location still has a max": (
        "CreateBatchPrediction",
        {"BatchPredictionId": "b", "MLModelId": "m", "BatchPredictionDataSourceId": "d", "OutputUri": "/" * 2049},
        f"1 validation error detected: Value '{'/' * 2049}' at 'outputUri' failed to satisfy constraint: "
        "Member must have length less than or equal to 2048",
    ),
    "relaxed location must not be empty": (
        "CreateDataSourceFromS3",
        {"DataSourceId": "d", "DataSpec": {"DataLocationS3": ""}},
        "1 validation error detected: Value '' at 'dataSpec.dataLocationS3' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    ),
    "relaxed endpoint must look like a url": (
        "Predict",
        {"MLModelId": "m", "Record": {}, "PredictEndpoint": "localhost"},
        "1 validation error detected: Value 'localhost' at 'predictEndpoint' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [A-Za-z][A-Za-z0-9+.-]*://\\S+",
    ),
}


@pytest.mark.parametrize(("name", "request_", "message"), list(SERVICE_CASES.values()), ids=list(SERVICE_CASES))
def test_service_side_messages_are_the_services(name, request_, message):
    assert _service_message(name, request_) == message


VALID_FOR_SERVICE = {
    "ids": ("GetMLModel", {"MLModelId": "Ab_9.-x", "Verbose": False}),
    "empty name": ("UpdateMLModel", {"MLModelId": "m", "MLModelName": ""}),
    "limit bounds": ("DescribeMLModels", {"Limit": 100, "SortOrder": "dsc", "FilterVariable": "Algorithm"}),
    "unicode tags": (
        "AddTags",
        {
            "Tags": [{"Key": "Größe 1", "Value": "東京 +@=/:."}, {"Key": "k"}],
            "ResourceId": "m",
            "ResourceType": "MLModel",
        },
    ),
    "s3 location": ("CreateDataSourceFromS3", {"DataSourceId": "d", "DataSpec": {"DataLocationS3": "s3://b/k.csv"}}),
    "local path location": (
        "CreateDataSourceFromS3",
        {"DataSourceId": "d", "DataSpec": {"DataLocationS3": "data/x.csv"}},
    ),
    "file uri locations": (
        "CreateDataSourceFromS3",
        {
            "DataSourceId": "d",
            "DataSpec": {"DataLocationS3": "file:///tmp/x/", "DataSchemaLocationS3": "/tmp/x.schema"},
        },
    ),
    "local recipe uri": (
        "CreateMLModel",
        {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "d", "RecipeUri": "./recipe.json"},
    ),
    "local output uri": (
        "CreateBatchPrediction",
        {"BatchPredictionId": "b", "MLModelId": "m", "BatchPredictionDataSourceId": "d", "OutputUri": "out/"},
    ),
    "local staging and schema uri": (
        "CreateDataSourceFromRedshift",
        {
            "DataSourceId": "d",
            "RoleARN": "r",
            "DataSpec": {
                "DatabaseInformation": {"DatabaseName": "sales", "ClusterIdentifier": "c-1"},
                "SelectSqlQuery": "q",
                "DatabaseCredentials": {"Username": "u", "Password": "password1"},
                "S3StagingLocation": "/tmp/stage/",
                "DataSchemaUri": "file://schema.json",
            },
        },
    ),
    "local endpoint": (
        "Predict",
        {"MLModelId": "m", "Record": {"a": "1"}, "PredictEndpoint": "http://127.0.0.1:8080/"},
    ),
    "real endpoint": (
        "Predict",
        {"MLModelId": "m", "Record": {}, "PredictEndpoint": "https://realtime.machinelearning.us-east-1.amazonaws.com"},
    ),
}


@pytest.mark.parametrize(("name", "request_"), list(VALID_FOR_SERVICE.values()), ids=list(VALID_FOR_SERVICE))
def test_the_service_accepts_valid_and_relaxed_values(name, request_):
    check_service_side(operation(name), request_)


def test_relaxations_are_listed_with_a_reason_for_the_readme():
    assert set(RELAXED) == {
        "S3Url",
        "VipURL",
        "RDSDatabaseName",
        "RedshiftDatabaseName",
        "RDSInstanceIdentifier",
        "RedshiftClusterIdentifier",
    }
    assert all(len(reason) > 20 for reason in RELAXED.values())


def test_unrelaxed_patterns_stay_strict_for_the_same_kind_of_value():
    """A local path is fine for a location or a database name, but not for a resource ID."""
    spec = operation("CreateDataSourceFromRDS").input
    problems = service_problems(spec.members["DataSourceId"], "/tmp/db", "dataSourceId")
    assert problems == [
        "Value '/tmp/db' at 'dataSourceId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    ]


def test_map_constraints_are_reported_against_the_map():
    keyed = Shape(name="M", type="map", key=Shape(name="K", type="string", max=2), value=Shape(name="V", type="string"))
    assert service_problems(keyed, {"abc": "x"}, "things") == [
        "Value '{abc=x}' at 'things' failed to satisfy constraint: "
        "Map keys must satisfy constraint: [Member must have length less than or equal to 2]"
    ]


def test_service_side_ignores_values_of_the_wrong_type():
    """Types are the client's job; the service check must not crash on them."""
    assert service_problems(operation("DescribeMLModels").input, {"Limit": "many", "SortOrder": 3}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", True), ("a b", True), ("Ünïcødé ٣", True), ("tab\there", False), ("semi;colon", False), ("", True)],
)
def test_java_unicode_classes_are_honoured(value, expected):
    assert java_full_match("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", value) is expected
