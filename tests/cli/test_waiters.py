"""`aml wait <waiter>` against resources put into the store directly, as real processes.

Acceptors, messages and exit codes are the AWS CLI v2's: success prints nothing
(0); a FAILED resource, a timeout or an unmatched service error exit 255.
"""

from __future__ import annotations

import time

import pytest

from aml_cli.cli.usage_errors import USAGE
from aml_cli.cli.waiters import _match
from tests.cli.test_exit_codes import aml, aml_process, assert_error, error, put_model
from tests.ml_api import ML, waiter

FAILURE_STATE = (
    'Waiter encountered a terminal failure state: For expression "Results[].Status" '
    'we matched expected path: "FAILED" at least once'
)


def test_waiter_succeeds_at_once_when_every_match_is_completed():
    put_model("m-1")
    put_model("m-2")
    result = aml("wait", "ml-model-available")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_waiter_filters_with_the_describe_options():
    put_model("m-ok")
    put_model("m-bad", status="FAILED", Name="broken", Message="boom")
    result = aml("wait", "ml-model-available", "--filter-variable", "Name", "--eq", "model one")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_waiter_returns_when_a_pending_resource_completes():
    from aml_cli.store import Store

    put_model("m-1", status="PENDING")
    process = aml_process("wait", "ml-model-available", AML_WAITER_TIMEOUT="30")
    try:
        time.sleep(0.8)
        assert process.poll() is None, "the waiter stopped before the model completed"
        store = Store()
        assert store.transition("MLModel", "m-1", "COMPLETED") is not None
        store.close()
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, stdout, stderr) == (0, "", "")


def test_a_failed_resource_ends_the_wait_with_255():
    put_model("m-ok")
    put_model("m-bad", status="FAILED", Message="boom")
    result = aml("wait", "ml-model-available")
    assert_error(result, 255, error(f"Waiter MLModelAvailable failed: {FAILURE_STATE}"))


def test_every_waiter_names_itself_in_the_failure_message():
    from aml_cli.store import Store

    store = Store()
    record = {"DataSourceId": "ds-1", "Status": "FAILED", "CreatedAt": 1.0, "LastUpdatedAt": 1.0, "Name": "d"}
    store.create("DataSource", "ds-1", record, "test-fingerprint")
    store.close()
    result = aml("wait", "data-source-available")
    assert_error(result, 255, error(f"Waiter DataSourceAvailable failed: {FAILURE_STATE}"))


def test_waiting_past_the_time_limit_is_255_max_attempts_exceeded():
    put_model("m-1", status="PENDING")
    started = time.monotonic()
    result = aml("wait", "ml-model-available", AML_WAITER_TIMEOUT="1")
    assert_error(result, 255, error("Waiter MLModelAvailable failed: Max attempts exceeded"))
    assert time.monotonic() - started < 15


def test_no_matching_resource_never_counts_as_success():
    put_model("m-1")
    result = aml("wait", "ml-model-available", "--filter-variable", "Name", "--eq", "nothing", AML_WAITER_TIMEOUT="1")
    assert_error(result, 255, error("Waiter MLModelAvailable failed: Max attempts exceeded"))


def test_a_service_error_no_acceptor_matches_is_255():
    result = aml("wait", "ml-model-available", "--filter-variable", "Bogus", "--eq", "x")
    assert (result.returncode, result.stdout) == (255, "")
    prefix = error("Waiter MLModelAvailable failed: An error occurred (InvalidInputException): ").rstrip("\n")
    assert result.stderr.startswith(prefix)
    assert "'Bogus'" in result.stderr


def test_pagination_options_are_accepted_but_fail_as_in_the_aws_cli():
    result = aml("wait", "ml-model-available", "--max-items", "3")
    message = (
        "Parameter validation failed:\n"
        'Unknown parameter in input: "PaginationConfig", must be one of: '
        "FilterVariable, EQ, GT, LT, GE, LE, NE, Prefix, SortOrder, NextToken, Limit"
    )
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_client_side_validation_runs_before_polling():
    result = aml("wait", "ml-model-available", "--limit", "0")
    message = "Parameter validation failed:\nInvalid value for parameter Limit, value: 0, valid min value: 1"
    assert_error(result, 252, error(f"An error occurred (ParamValidation): {message}"))


def test_an_unknown_waiter_is_a_usage_error_with_a_suggestion():
    result = aml("wait", "ml-model-avail")
    message = "argument subcommand: Found invalid choice 'ml-model-avail'\n\nMaybe you meant:\n\n  * ml-model-available"
    assert_error(result, 252, f"\naml: [ERROR]: An error occurred (ParamValidation): {message}\n\n{USAGE}")


def test_wait_alone_asks_for_a_waiter_and_lists_the_waiters():
    from aml_cli.cli.help import waiter_list

    result = aml("wait")
    message = "the following arguments are required: subcommand\n\n" + waiter_list(ML)
    assert_error(result, 252, f"\naml: [ERROR]: An error occurred (ParamValidation): {message}\n\n{USAGE}")
    for name in ("data-source-available", "ml-model-available", "evaluation-available", "batch-prediction-available"):
        assert f"\n  {name} " in result.stderr


def test_a_waiter_prints_the_polled_operations_skeleton_instead_of_waiting():
    result = aml("wait", "ml-model-available", "--generate-cli-skeleton")
    assert result.returncode == 0, result.stderr
    assert '"FilterVariable": "CreatedAt"' in result.stdout


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        (["COMPLETED", "COMPLETED"], "success"),
        (["COMPLETED", "FAILED"], "failure"),
        (["FAILED", "PENDING"], "failure"),
        (["COMPLETED", "INPROGRESS"], None),
        ([], None),
    ],
)
def test_acceptors_are_tried_in_order(statuses, state):
    spec = waiter("MLModelAvailable")
    response = {"Results": [{"Status": status} for status in statuses]}
    assert _match(spec, response) == state
