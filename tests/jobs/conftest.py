"""Job tests use the test-only handlers in tests/jobs/handlers.py, recorded with each job they submit."""

import pytest

from aml_cli.store import Store
from tests.jobs.support import set_sync


@pytest.fixture(autouse=True)
def test_handlers(monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "2")
    set_sync(None)
    yield
    set_sync(None)


@pytest.fixture
def store(aml_home):
    return Store(aml_home)
