"""Progress goes to the job's log always, and to what the caller shows (the CLI's bar on a terminal's stderr)."""

import io
import sys

from aml_cli.cli.progress import BarProgress, terminal_progress
from aml_cli.jobs import log_path
from aml_cli.jobs.progress import LogProgress
from tests.jobs.support import pending, set_sync, submit


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_log_progress_writes_a_line_per_tenth_or_new_text():
    lines = []
    progress = LogProgress(lines.append)
    for fraction in (0.0, 0.01, 0.05, 0.1, 0.15, 0.5, 1.0, 1.0):
        progress.update(fraction, "reading")
    progress.update(1.0, "writing")
    progress.update(7.0, "writing")
    assert lines == [
        "progress 0% reading",
        "progress 10% reading",
        "progress 50% reading",
        "progress 100% reading",
        "progress 100% writing",
    ]


def test_the_cli_draws_a_bar_only_when_stderr_is_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert terminal_progress() is None
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    assert terminal_progress() is BarProgress


def test_a_sync_job_shown_on_a_terminal_draws_its_bar_on_stderr_only(store, capsys, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    set_sync(True)
    pending(store, "DataSource", "ds-tty")
    submit(store, "DataSource", "ds-tty", progress=terminal_progress())
    assert store.get("DataSource", "ds-tty")["Status"] == "COMPLETED"
    assert "DataSource ds-tty" in terminal.getvalue()
    assert capsys.readouterr().out == ""
    assert "progress 100% done" in log_path(store, "DataSource", "ds-tty").read_text()


def test_a_sync_job_without_a_progress_sink_prints_nothing(store, capsys):
    set_sync(True)
    pending(store, "DataSource", "ds-pipe")
    submit(store, "DataSource", "ds-pipe")
    assert store.get("DataSource", "ds-pipe")["Status"] == "COMPLETED"
    assert capsys.readouterr() == ("", "")
    assert "progress 100% done" in log_path(store, "DataSource", "ds-pipe").read_text()
