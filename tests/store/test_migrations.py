"""The schema version and its upgrades, on fresh and on older databases."""

import json
import sqlite3

import pytest

from aml_cli.store import Store
from aml_cli.store.migrations import LATEST_VERSION, MIGRATIONS, apply_migrations, schema_version


def tables(path):
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_fresh_store_has_the_latest_schema(aml_home):
    Store(aml_home)
    with sqlite3.connect(aml_home / "aml.db") as conn:
        assert schema_version(conn) == LATEST_VERSION == len(MIGRATIONS) >= 2
    assert {"resources", "jobs"} <= tables(aml_home / "aml.db")


def test_a_version_one_database_is_upgraded_and_keeps_its_records(aml_home):
    aml_home.mkdir(parents=True)
    conn = sqlite3.connect(aml_home / "aml.db", isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=1)
    conn.execute(
        "INSERT INTO resources (kind, id, status, fingerprint, record) VALUES (?, ?, ?, ?, ?)",
        ("MLModel", "old", "COMPLETED", "fp", json.dumps({"Status": "COMPLETED", "Name": "kept"})),
    )
    conn.execute("COMMIT")
    conn.close()
    assert "jobs" not in tables(aml_home / "aml.db")
    store = Store(aml_home)
    assert store.get("MLModel", "old") == {"Status": "COMPLETED", "Name": "kept"}
    assert "jobs" in tables(aml_home / "aml.db")
    assert store.read(schema_version) == LATEST_VERSION


def test_opening_twice_applies_nothing_twice(aml_home):
    Store(aml_home).create("MLModel", "m", {"Status": "PENDING"}, "fp")
    assert Store(aml_home).list("MLModel") == [{"Status": "PENDING"}]


def test_a_database_from_a_newer_aml_is_refused_clearly(aml_home):
    aml_home.mkdir(parents=True)
    with sqlite3.connect(aml_home / "aml.db") as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer aml"):
        Store(aml_home)
