"""Every test runs against its own empty data directory, with the default request context."""

import contextlib
from collections.abc import Iterator

import pytest

from aml_cli.service.context import RequestContext, use_default


@pytest.fixture(autouse=True)
def aml_home(tmp_path, monkeypatch):
    home = tmp_path / "aml-home"
    monkeypatch.setenv("AML_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _default_context_restored():
    """Service calls that pass no context get detached jobs unless a test says otherwise."""
    previous = use_default(RequestContext())
    yield
    use_default(previous)


@contextlib.contextmanager
def jobs_inline(flag: bool = True) -> Iterator[None]:
    """Jobs of context-less service calls run inside this process (True) or in detached workers (False)."""
    previous = use_default(RequestContext(synchronous=flag))
    try:
        yield
    finally:
        use_default(previous)


@pytest.fixture
def inline_jobs():
    with jobs_inline():
        yield
