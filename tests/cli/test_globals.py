"""Global options are found anywhere on the line and never confused with the command's own."""

from __future__ import annotations

import pytest

from aml_cli.cli.globals import GLOBAL_OPTIONS, GlobalOptions, split_global_options
from aml_cli.cli.usage_errors import UsageError


def test_defaults_follow_the_environment(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_OUTPUT", raising=False)
    options, rest = split_global_options([])
    assert (options.output, options.color, options.debug, options.sync, rest) == ("json", "auto", False, False, [])
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "text")
    assert GlobalOptions().output == "text"
    assert split_global_options(["--output", "table"])[0].output == "table"


def test_global_options_are_taken_before_and_after_the_command():
    argv = ["--output", "text", "get-ml-model", "--ml-model-id", "m", "--region", "us-east-1", "--debug", "--sync"]
    options, rest = split_global_options(argv)
    assert rest == ["get-ml-model", "--ml-model-id", "m"]
    assert (options.output, options.region, options.debug, options.sync) == ("text", "us-east-1", True, True)
    assert options.given == ["--output", "--region", "--debug", "--sync"]


def test_a_query_value_is_never_mistaken_for_an_operation_token():
    argv = ["describe-ml-models", "--query", "Results[?Status=='COMPLETED'].MLModelId", "--eq", "x"]
    options, rest = split_global_options(argv)
    assert options.query == "Results[?Status=='COMPLETED'].MLModelId"
    assert rest == ["describe-ml-models", "--eq", "x"]


def test_operation_values_pass_through_untouched():
    argv = ["create-ml-model", "--ml-model-name", "json", "--parameters", "output=text", "--recipe", "--no-verify"]
    options, rest = split_global_options(argv)
    assert rest == argv
    assert options.output == GlobalOptions().output and options.given == []


def test_equals_forms_and_typed_values():
    options, rest = split_global_options(["--endpoint-url=http://127.0.0.1:9", "--cli-read-timeout=5", "x"])
    assert (options.endpoint_url, options.cli_read_timeout, rest) == ("http://127.0.0.1:9", 5, ["x"])
    options, _ = split_global_options(["--cli-connect-timeout", "0", "--no-cli-auto-prompt", "--no-paginate"])
    assert (options.cli_connect_timeout, options.cli_auto_prompt, options.no_paginate) == (0, False, True)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "bogus"], "argument --output: Found invalid choice 'bogus'\n"),
        (["--output", "jsonn"], "argument --output: Found invalid choice 'jsonn'\n\nMaybe you meant:\n\n  * json"),
        (["--color", "red"], "argument --color: Found invalid choice 'red'\n"),
        (["--cli-error-format", "xml"], "argument --cli-error-format: Found invalid choice 'xml'\n"),
        (["--cli-binary-format", "raw"], "argument --cli-binary-format: Found invalid choice 'raw'\n"),
        (["--cli-read-timeout", "soon"], "argument --cli-read-timeout: invalid int value: 'soon'"),
        (["--query"], "argument --query: expected one argument"),
        (["--region", "--debug"], "argument --region: expected one argument"),
        (["--debug=yes"], "argument --debug: ignored explicit argument 'yes'"),
    ],
)
def test_bad_global_options_are_usage_errors(argv, message):
    with pytest.raises(UsageError) as caught:
        split_global_options(argv)
    assert caught.value.message == message


@pytest.mark.parametrize("value", ["json", "text", "table", "yaml", "yaml-stream", "off"])
def test_every_output_format_is_accepted(value):
    assert split_global_options(["--output", value])[0].output == value


def test_every_global_option_of_the_aws_cli_is_known():
    expected = {
        "--debug", "--endpoint-url", "--no-verify-ssl", "--no-paginate", "--output", "--query", "--profile",
        "--region", "--version", "--color", "--no-sign-request", "--ca-bundle", "--cli-read-timeout",
        "--cli-connect-timeout", "--cli-binary-format", "--no-cli-pager", "--cli-auto-prompt",
        "--no-cli-auto-prompt", "--cli-error-format", "--sync",
    }  # fmt: skip
    assert set(GLOBAL_OPTIONS) == expected
