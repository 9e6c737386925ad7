"""The pager, as AWS CLI v2 uses it: only on a terminal, AWS_PAGER > PAGER > less, disabled by '' or --no-cli-pager."""

import sys

import pytest

from aml_cli.cli.main import run


@pytest.fixture
def terminal(capfd, monkeypatch):
    """Makes stdout look like a terminal; called in the test body, where capfd's stdout is the live one."""
    monkeypatch.delenv("PAGER", raising=False)
    return lambda: monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_on_a_terminal_output_goes_through_the_pager(terminal, monkeypatch, capfd, tmp_path):
    terminal()
    seen = tmp_path / "paged.txt"
    monkeypatch.setenv("AWS_PAGER", f"tee {seen}")
    assert run(["get-ml-model", "--ml-model-id", "x", "--generate-cli-skeleton"]) == 0
    assert seen.read_text() == '{\n    "MLModelId": "",\n    "Verbose": true\n}\n'


def test_an_empty_pager_or_no_cli_pager_prints_directly(terminal, monkeypatch, capfd, tmp_path):
    terminal()
    seen = tmp_path / "paged.txt"
    monkeypatch.setenv("AWS_PAGER", f"tee {seen}")
    assert run(["get-ml-model", "--ml-model-id", "x", "--generate-cli-skeleton", "--no-cli-pager"]) == 0
    monkeypatch.setenv("AWS_PAGER", "")
    assert run(["get-ml-model", "--ml-model-id", "x", "--generate-cli-skeleton"]) == 0
    assert not seen.exists()
    assert capfd.readouterr().out.count('"MLModelId"') == 2


def test_a_pager_that_cannot_start_is_253(terminal, monkeypatch, capfd):
    terminal()
    monkeypatch.setenv("AWS_PAGER", "no-such-pager-here")
    assert run(["get-ml-model", "--ml-model-id", "x", "--generate-cli-skeleton"]) == 253
    err = capfd.readouterr().err
    assert "An error occurred (Pager): Unable to redirect output to pager." in err
    assert "No such file or directory: 'no-such-pager-here'" in err
