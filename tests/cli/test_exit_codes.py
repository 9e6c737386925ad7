"""Exit codes and exact stderr/stdout of `aml`, run as a real process (`python -m aml_cli`).

Scripts test exit codes, so each code of the AWS CLI v2 (0, 130, 252, 254, 255)
is provoked here the way a user would meet it; stdout stays empty on every error.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aml_cli import __version__
from aml_cli.cli.usage_errors import USAGE

REPO = Path(__file__).resolve().parents[2]
MODEL_ID = "ml-1"
STAMP = 1428966068.123  # 2015-04-13T23:01:08.123000+00:00


def aml_env(**extra: str) -> dict[str, str]:
    """The test's AML_HOME (set by the autouse fixture), UTC, and this checkout importable."""
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    for key in ("AML_SYNC", "AWS_DEFAULT_OUTPUT", "AWS_CLI_ERROR_FORMAT", "AML_WAITER_TIMEOUT"):
        env.pop(key, None)
    env.update(extra)
    return env


def aml(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m aml_cli *args` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "aml_cli", *args],
        capture_output=True,
        text=True,
        env=aml_env(**env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def aml_process(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start `python -m aml_cli *args` without waiting for it."""
    return subprocess.Popen(
        [sys.executable, "-m", "aml_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=aml_env(**env),
    )


def put_model(model_id: str = MODEL_ID, status: str = "COMPLETED", **changes: object) -> dict:
    """An ML model record straight into the store, as a finished job would have left it."""
    from aml_cli.store import Store

    record = {
        "MLModelId": model_id,
        "TrainingDataSourceId": "ds-1",
        "CreatedByIamUser": "arn:aws:iam::000000000000:user/tester",
        "CreatedAt": STAMP,
        "LastUpdatedAt": STAMP,
        "Name": "model one",
        "Status": status,
        "SizeInBytes": 1024,
        "EndpointInfo": {"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"},
        "TrainingParameters": {"sgd.maxPasses": "10"},
        "InputDataLocationS3": "s3://bucket/data.csv",
        "Algorithm": "sgd",
        "MLModelType": "BINARY",
        "ScoreThreshold": 0.5,
        **changes,
    }
    store = Store()
    try:
        store.create("MLModel", model_id, record, "test-fingerprint")
    finally:
        store.close()
    return record


def error(message: str) -> str:
    """stderr of an error in the default (enhanced) format."""
    return f"\naml: [ERROR]: {message}\n"


def usage_error(message: str) -> str:
    return f"\naml: [ERROR]: An error occurred (ParamValidation): {message}\n\n{USAGE}"


MODEL_TEXT = (
    "2015-04-13T23:01:08.123000+00:00\tarn:aws:iam::000000000000:user/tester\ts3://bucket/data.csv\t"
    "2015-04-13T23:01:08.123000+00:00\tml-1\tBINARY\tmodel one\t0.5\t1024\tCOMPLETED\tds-1\n"
    "ENDPOINTINFO\tNONE\t0\n"
    "TRAININGPARAMETERS\t10\n"
)


def assert_error(result: subprocess.CompletedProcess[str], code: int, stderr: str) -> None:
    assert (result.returncode, result.stderr, result.stdout) == (code, stderr, "")


# --- 0 ---------------------------------------------------------------------------------------------


def test_a_successful_call_exits_0_with_the_response_on_stdout():
    put_model()
    result = aml("get-ml-model", "--ml-model-id", MODEL_ID, "--output", "text")
    assert (result.returncode, result.stdout, result.stderr) == (0, MODEL_TEXT, "")


def test_global_options_are_accepted_before_and_after_the_command():
    put_model()
    before = aml("--output", "text", "get-ml-model", "--ml-model-id", MODEL_ID)
    after = aml("get-ml-model", "--ml-model-id", MODEL_ID, "--output", "text")
    assert (before.returncode, before.stdout) == (0, MODEL_TEXT)
    assert (after.returncode, after.stdout) == (0, MODEL_TEXT)


def test_machinelearning_prefix_runs_the_same_command():
    put_model()
    plain = aml("get-ml-model", "--ml-model-id", MODEL_ID)
    prefixed = aml("machinelearning", "get-ml-model", "--ml-model-id", MODEL_ID)
    assert plain.returncode == prefixed.returncode == 0
    assert prefixed.stdout == plain.stdout
    assert '"MLModelId": "ml-1"' in plain.stdout


def test_version_prints_one_line_and_exits_0():
    result = aml("--version")
    python = ".".join(str(part) for part in sys.version_info[:3])
    system = f"{platform.system()}/{platform.release()} source/{platform.machine()}"
    expected = f"aml-cli/{__version__} Python/{python} {system}\n"
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


# --- 252 -------------------------------------------------------------------------------------------


def test_missing_required_option_is_a_usage_error_252():
    result = aml("get-ml-model")
    assert_error(result, 252, usage_error("the following arguments are required: --ml-model-id"))


def test_several_missing_required_options_are_listed_in_model_order():
    result = aml("create-evaluation", "--evaluation-id", "ev-1")
    assert_error(
        result, 252, usage_error("the following arguments are required: --ml-model-id, --evaluation-data-source-id")
    )


def test_machinelearning_alone_asks_for_an_operation():
    assert_error(aml("machinelearning"), 252, usage_error("the following arguments are required: operation"))


def test_a_misspelt_command_suggests_the_right_one():
    result = aml("get-ml-modle")
    message = "argument operation: Found invalid choice 'get-ml-modle'\n\nMaybe you meant:\n\n  * get-ml-model"
    assert_error(result, 252, usage_error(message))


def test_unknown_options_list_every_leftover_token_252():
    result = aml("get-ml-model", "--ml-model-id", "x", "--foo", "bar")
    assert_error(result, 252, f"\n{USAGE}\n\naml: [ERROR]: Unknown options: --foo, bar\n")


def test_malformed_shorthand_is_a_parameter_parsing_error_252():
    result = aml("create-data-source-from-s3", "--data-source-id", "d", "--data-spec", "DataLocationS3")
    message = (
        "Error parsing parameter '--data-spec': Expected: '=', received: 'EOF' for input:\n"
        "DataLocationS3\n"
        "              ^"
    )
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_malformed_json_is_a_parameter_parsing_error_252():
    result = aml(
        "create-ml-model", "--ml-model-id", "m", "--ml-model-type", "BINARY",
        "--training-data-source-id", "d", "--parameters", '{"a":',
    )  # fmt: skip
    message = "Error parsing parameter '--parameters': Invalid JSON: Expecting value: line 1 column 6 (char 5)\n"
    assert_error(result, 252, error(f'An error occurred (ParamValidation): {message}JSON received: {{"a":'))


def test_cli_input_json_that_is_not_json_is_252():
    result = aml("get-ml-model", "--cli-input-json", "{nope")
    assert_error(
        result, 252, error("An error occurred (ParamValidation): Error parsing parameter 'cli-input-json': "
                           "Invalid JSON received.")
    )  # fmt: skip


def test_a_bad_query_is_252_and_names_the_option():
    result = aml("describe-ml-models", "--query", "foo[")
    message = 'Bad value for --query foo[: Invalid jmespath expression: Incomplete expression:\n"foo["\n     ^'
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_no_paginate_with_max_items_is_252():
    result = aml("describe-ml-models", "--no-paginate", "--max-items", "2")
    message = "Cannot specify --no-paginate along with pagination arguments: --max-items"
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_client_side_validation_failure_is_252():
    result = aml("get-ml-model", "--cli-input-json", '{"MLModelId": ""}')
    message = "Parameter validation failed:\nInvalid length for parameter MLModelId, value: 0, valid min length: 1"
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_every_client_side_problem_gets_its_own_line():
    result = aml("get-ml-model", "--cli-input-json", '{"Foo": 1, "MLModelId": 5}')
    message = (
        "Parameter validation failed:\n"
        'Unknown parameter in input: "Foo", must be one of: MLModelId, Verbose\n'
        "Invalid type for parameter MLModelId, value: 5, type: <class 'int'>, valid types: <class 'str'>"
    )
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


# --- 254 -------------------------------------------------------------------------------------------


def test_a_missing_resource_is_a_service_error_254():
    result = aml("get-ml-model", "--ml-model-id", "x")
    message = "An error occurred (ResourceNotFoundException) when calling the GetMLModel operation: "
    assert_error(result, 254, error(message + "A model with ID x does not exist."))


def test_a_pattern_violation_is_checked_by_the_service_254():
    result = aml("get-ml-model", "--ml-model-id", "a b")
    message = (
        "An error occurred (InvalidInputException) when calling the GetMLModel operation: 1 validation error "
        "detected: Value 'a b' at 'mLModelId' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [a-zA-Z0-9_.-]+"
    )
    assert_error(result, 254, error(message))


# --- 255 -------------------------------------------------------------------------------------------


def test_a_non_integer_for_an_integer_member_is_255():
    result = aml("describe-ml-models", "--limit", "five")
    assert_error(result, 255, error("invalid literal for int() with base 10: 'five'"))


NEWER = ("The aml data directory was written by a newer aml (schema 99, this aml knows {known}); upgrade aml or "
         "set AML_HOME to another folder.")


def _store_of_a_newer_aml() -> str:
    """A store whose schema this aml does not know: a RuntimeError no front end expects (a damaged store is
    the service's InternalServerException instead, see tests/reliability/test_damaged_store.py)."""
    import sqlite3

    from aml_cli.store.migrations import LATEST_VERSION

    home = Path(os.environ["AML_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(home / "aml.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    return NEWER.format(known=LATEST_VERSION)


def test_an_unexpected_error_is_255_with_a_message_and_no_traceback():
    message = _store_of_a_newer_aml()
    result = aml("get-ml-model", "--ml-model-id", "x")
    assert_error(result, 255, error(message))


def test_debug_adds_the_traceback_of_an_unexpected_error():
    message = _store_of_a_newer_aml()
    result = aml("get-ml-model", "--ml-model-id", "x", "--debug")
    assert result.returncode == 255
    assert result.stdout == ""
    assert "Traceback (most recent call last):" in result.stderr
    assert f"RuntimeError: {message}" in result.stderr
    assert result.stderr.endswith(error(message))


# --- 130 -------------------------------------------------------------------------------------------


def _wait_until_polling(process: subprocess.Popen[str], limit: float = 20.0) -> None:
    """Until the process has the store open (so it is past start-up and inside the waiter's loop)."""
    fds = Path(f"/proc/{process.pid}/fd")
    deadline = time.monotonic() + limit
    while fds.exists() and time.monotonic() < deadline and process.poll() is None:
        try:
            targets = [os.readlink(fd) for fd in fds.iterdir()]
        except OSError:
            targets = []
        if any(target.endswith("aml.db") for target in targets):
            time.sleep(0.3)
            return
        time.sleep(0.05)
    if not fds.exists():
        time.sleep(1.5)


@pytest.mark.slow
def test_ctrl_c_while_waiting_exits_130_with_a_newline_on_stdout():
    put_model(status="PENDING")
    process = aml_process("wait", "ml-model-available")
    try:
        _wait_until_polling(process)
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, stdout, stderr) == (130, "\n", "")


def test_a_metadata_command_builds_only_its_own_operation():
    """`aml get-ml-model` resolves the shapes of GetMLModel alone, not all 28 operations."""
    probe = (
        "import sys; from aml_cli.cli.main import run; from aml_cli.api import model; "
        "code = run(['get-ml-model', '--ml-model-id', 'x']); "
        "print(model._operation.cache_info().currsize, model._shape.cache_info().currsize, "
        "sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'pandas', 'rich', 'yaml', 'jmespath')))"
    )
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=dict(os.environ))
    operations, shapes, heavy = done.stdout.split(" ", 2)
    assert int(operations) == 1
    assert int(shapes) == len(_reachable("GetMLModelInput") | _reachable("GetMLModelOutput"))  # not the API's 152
    assert heavy.strip() == "[]"


def _reachable(name: str) -> set[str]:
    from aml_cli.api.machinelearning import data

    spec = data.SHAPES[name]
    found = {name}
    for child in [*spec.get("members", {}).values(), spec.get("member"), spec.get("key"), spec.get("value")]:
        if child:
            found |= _reachable(child)
    return found
