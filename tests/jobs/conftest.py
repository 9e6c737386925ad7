"""Job tests use the test-only handlers in tests/jobs/handlers.py."""

import pytest

from aml_cli.jobs import set_sync
from aml_cli.store import Store

HANDLERS = "DataSource=tests.jobs.handlers:data_source,MLModel=tests.jobs.handlers:ml_model"


@pytest.fixture(autouse=True)
def test_handlers(monkeypatch):
    monkeypatch.setenv("AML_TEST_HANDLERS", HANDLERS)
    monkeypatch.setenv("AML_MAX_WORKERS", "2")
    monkeypatch.delenv("AML_SYNC", raising=False)
    set_sync(None)
    yield
    set_sync(None)


@pytest.fixture
def store(aml_home):
    return Store(aml_home)
