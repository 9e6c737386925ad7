"""Every test runs against its own empty data directory."""

import pytest


@pytest.fixture(autouse=True)
def aml_home(tmp_path, monkeypatch):
    home = tmp_path / "aml-home"
    monkeypatch.setenv("AML_HOME", str(home))
    return home
