"""`--debug`: diagnostics on stderr, among them the exact request sent; stdout never changes."""

from __future__ import annotations

import re

import pytest

from tests.cli.test_exit_codes import MODEL_ID, aml, put_model

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - \w+ - [\w.]+ - DEBUG - ")


def _calling_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "calling " in line and " with parameters: " in line]


def test_debug_logs_the_request_as_one_line_of_json():
    result = aml("get-ml-model", "--ml-model-id", "x", "--debug")
    lines = _calling_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith('calling GetMLModel with parameters: {"MLModelId":"x"}')
    assert LOG_LINE.match(lines[0]), lines[0]


def test_debug_shows_what_the_flags_became():
    result = aml("get-ml-model", "--ml-model-id", "x", "--verbose", "--debug")
    (line,) = _calling_lines(result.stderr)
    assert line.endswith('calling GetMLModel with parameters: {"MLModelId":"x","Verbose":true}')


def test_debug_logs_nothing_as_sent_when_client_side_validation_fails():
    result = aml("get-ml-model", "--cli-input-json", '{"MLModelId": ""}', "--debug")
    assert result.returncode == 252
    assert _calling_lines(result.stderr) == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_leaves_stdout_unchanged(where):
    put_model()
    command = ["get-ml-model", "--ml-model-id", MODEL_ID, "--output", "text"]
    plain = aml(*command)
    debug = aml("--debug", *command) if where == "before" else aml(*command, "--debug")
    assert plain.returncode == debug.returncode == 0
    assert debug.stdout == plain.stdout
    assert plain.stderr == ""
    assert _calling_lines(debug.stderr)[0].endswith(f'{{"MLModelId":"{MODEL_ID}"}}')


def test_debug_leaves_stdout_empty_on_a_service_error():
    result = aml("get-ml-model", "--ml-model-id", "x", "--debug")
    assert (result.returncode, result.stdout) == (254, "")
    assert result.stderr.endswith(
        "An error occurred (ResourceNotFoundException) when calling the GetMLModel operation: "
        "A model with ID x does not exist.\n"
    )


def test_every_debug_line_is_in_the_log_format():
    result = aml("get-ml-model", "--ml-model-id", "x", "--debug")
    log_lines = [line for line in result.stderr.splitlines() if " - DEBUG - " in line]
    assert len(log_lines) >= 3
    assert all(LOG_LINE.match(line) for line in log_lines)
    arguments = "Arguments entered to CLI: ['get-ml-model', '--ml-model-id', 'x', '--debug']"
    assert any(line.endswith(arguments) for line in log_lines)
