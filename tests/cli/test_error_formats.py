"""--cli-error-format: enhanced (default), legacy, and the structured formats, for CLI and service errors."""

import json

from aml_cli.cli.main import run


def test_a_usage_error_in_json_is_a_code_and_message(capsys):
    assert run(["get-ml-model", "--cli-error-format", "json"]) == 252
    err = capsys.readouterr()
    assert err.out == ""
    body = json.loads(err.err)
    assert body["Code"] == "ParamValidation"
    assert "the following arguments are required: --ml-model-id" in body["Message"]


def test_legacy_drops_the_code_of_cli_side_errors(capsys):
    assert run(["get-ml-model", "--ml-model-id", "x", "--query", "a[", "--cli-error-format", "legacy"]) == 252
    err = capsys.readouterr().err
    assert err.startswith("\naml: [ERROR]: Bad value for --query a[: ")
    assert "An error occurred" not in err


def test_a_service_error_in_json_keeps_its_aws_code(capsys):
    assert run(["get-ml-model", "--ml-model-id", "nope", "--cli-error-format", "json"]) == 254
    body = json.loads(capsys.readouterr().err)
    assert body == {"Code": "ResourceNotFoundException", "Message": "A model with ID nope does not exist."}


def test_validation_problems_in_text_format(capsys):
    assert run(["get-ml-model", "--cli-input-json", '{"MLModelId": ""}', "--cli-error-format", "text"]) == 252
    err = capsys.readouterr().err
    assert err.startswith("ParamValidation\tParameter validation failed:")
