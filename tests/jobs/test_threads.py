"""AML_WORKER_THREADS: a positive integer is taken, anything else means every core; the job context carries it."""

from __future__ import annotations

import pytest

from aml_cli.jobs import JobContext, threads
from aml_cli.jobs.threads import worker_threads
from aml_cli.ml.parallel import default_threads


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("3", 3), (" 16 ", 16)])
def test_a_positive_count_is_taken(text, expected):
    assert worker_threads({"AML_WORKER_THREADS": text}) == expected


@pytest.mark.parametrize("text", ["", "0", "-2", "two", "1.5"])
def test_anything_else_is_every_core(text):
    assert worker_threads({"AML_WORKER_THREADS": text}) == default_threads()
    assert worker_threads({}) == default_threads()


def test_the_job_context_carries_the_count_read_at_start(tmp_path, monkeypatch):
    monkeypatch.setattr(threads, "CONFIGURED", 5)
    ctx = JobContext(tmp_path / "job.log", "DataSource x")
    try:
        assert ctx.threads == 5
    finally:
        ctx.close()
