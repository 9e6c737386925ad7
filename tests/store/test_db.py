"""Resource records: create, read, change, transitions, odd IDs."""

import itertools
import os

import pytest

from aml_cli.api.machinelearning.resources import LIFECYCLE
from aml_cli.store import Store

NEXT_STATUS = LIFECYCLE.allowed

STATUSES = list(NEXT_STATUS)


@pytest.fixture
def store(aml_home):
    return Store(aml_home)


def test_a_created_record_reads_back_equal(store):
    record = {"Status": "PENDING", "Name": "n", "Nested": {"a": [1, 2.5, None]}}
    assert store.create("MLModel", "m1", record, "fp-1") is None
    assert store.get("MLModel", "m1") == record
    assert store.fingerprint("MLModel", "m1") == "fp-1"


def test_a_missing_record_reads_as_none(store):
    assert store.get("MLModel", "nope") is None
    assert store.modify("MLModel", "nope", lambda record: record) is None
    assert store.transition("MLModel", "nope", "DELETED") is None


def test_creating_an_existing_id_returns_the_first_fingerprint_and_changes_nothing(store):
    store.create("DataSource", "ds", {"Status": "PENDING", "Name": "first"}, "fp-first")
    assert store.create("DataSource", "ds", {"Status": "COMPLETED", "Name": "second"}, "fp-second") == "fp-first"
    assert store.get("DataSource", "ds") == {"Status": "PENDING", "Name": "first"}


def test_the_same_id_under_two_kinds_is_two_resources(store):
    store.create("DataSource", "x", {"Status": "PENDING"}, "a")
    assert store.create("MLModel", "x", {"Status": "COMPLETED"}, "b") is None
    assert store.get("DataSource", "x")["Status"] == "PENDING"
    assert store.get("MLModel", "x")["Status"] == "COMPLETED"


def test_list_returns_one_kind_in_creation_order(store):
    for n, kind in zip(range(6), itertools.cycle(["Evaluation", "BatchPrediction"]), strict=False):
        store.create(kind, f"id-{5 - n}", {"Status": "PENDING", "N": n}, "fp")
    assert [record["N"] for record in store.list("Evaluation")] == [0, 2, 4]
    assert [record["N"] for record in store.list("BatchPrediction")] == [1, 3, 5]
    assert store.list("MLModel") == []


def test_modify_writes_what_fn_returns_and_none_changes_nothing(store):
    store.create("MLModel", "m", {"Status": "PENDING", "Count": 1}, "fp")
    assert store.modify("MLModel", "m", lambda r: {**r, "Count": r["Count"] + 1})["Count"] == 2
    assert store.modify("MLModel", "m", lambda r: None) == {"Status": "PENDING", "Count": 2}
    assert store.get("MLModel", "m")["Count"] == 2


def test_modify_gives_fn_a_copy_so_a_failing_fn_changes_nothing(store):
    store.create("MLModel", "m", {"Status": "PENDING", "Tags": []}, "fp")

    def broken(record):
        record["Tags"].append("x")
        raise RuntimeError("halfway")

    with pytest.raises(RuntimeError):
        store.modify("MLModel", "m", broken)
    assert store.get("MLModel", "m")["Tags"] == []


def test_update_merges_fields(store):
    store.create("MLModel", "m", {"Status": "PENDING", "Name": "a"}, "fp")
    assert store.update("MLModel", "m", {"Name": "b", "Extra": 1}) == {"Status": "PENDING", "Name": "b", "Extra": 1}


@pytest.mark.parametrize(("old", "new"), list(itertools.product(STATUSES, STATUSES)))
def test_a_transition_happens_only_if_the_table_allows_it(store, old, new):
    store.create("Evaluation", "e", {"Status": old, "Name": "n"}, "fp")
    result = store.transition("Evaluation", "e", new, {"Message": "why"})
    if new in NEXT_STATUS[old]:
        assert result == {"Status": new, "Name": "n", "Message": "why"}
    else:
        assert result is None
        assert store.get("Evaluation", "e") == {"Status": old, "Name": "n"}


def test_the_transition_table_is_the_service_lifecycle():
    assert {
        "PENDING": {"INPROGRESS", "FAILED", "DELETED", "COMPLETED"},
        "INPROGRESS": {"COMPLETED", "FAILED", "DELETED"},
        "COMPLETED": {"DELETED"},
        "FAILED": {"DELETED"},
        "DELETED": set(),
    } == {status: set(following) for status, following in NEXT_STATUS.items()}


def test_a_transition_change_of_none_removes_the_field(store):
    store.create("MLModel", "m", {"Status": "INPROGRESS", "ComputeTime": 5}, "fp")
    assert store.transition("MLModel", "m", "COMPLETED", {"ComputeTime": None}) == {"Status": "COMPLETED"}


def test_the_status_column_follows_the_record(store):
    store.create("MLModel", "m", {"Status": "PENDING"}, "fp")
    store.transition("MLModel", "m", "INPROGRESS")
    query = "SELECT status FROM resources WHERE kind = 'MLModel' AND id = 'm'"
    assert store.read(lambda conn: conn.execute(query).fetchone()[0]) == "INPROGRESS"


@pytest.mark.parametrize("resource_id", [".", "..", "a/b", "../../etc/passwd", "ünï-çødé", "x" * 64, "-"])
def test_any_id_is_data_and_never_reaches_a_file_name(store, aml_home, resource_id):
    store.create("DataSource", resource_id, {"Status": "PENDING", "DataSourceId": resource_id}, "fp")
    assert store.get("DataSource", resource_id)["DataSourceId"] == resource_id
    assert store.list("DataSource") == [{"Status": "PENDING", "DataSourceId": resource_id}]
    names = {name for _, dirs, files in os.walk(aml_home) for name in dirs + files}
    assert names == {"aml.db", "aml.db-wal", "aml.db-shm"}
    assert not (aml_home.parent / "etc").exists()


def test_a_second_store_on_the_same_home_sees_the_same_records(store, aml_home):
    store.create("MLModel", "m", {"Status": "PENDING"}, "fp")
    assert Store(aml_home).get("MLModel", "m") == {"Status": "PENDING"}


def test_the_database_is_in_wal_mode_and_private(store, aml_home):
    assert store.read(lambda conn: conn.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
    store.create("MLModel", "m", {"Status": "PENDING"}, "fp")
    for name in ("aml.db", "aml.db-wal", "aml.db-shm"):
        assert (aml_home / name).stat().st_mode & 0o777 == 0o600
    assert aml_home.stat().st_mode & 0o777 == 0o700


def test_a_failing_write_rolls_back_everything_it_did(store):
    def half(conn):
        conn.execute("INSERT INTO resources (kind, id, status, fingerprint, record) VALUES ('X', 'y', 'P', 'f', '{}')")
        raise ValueError("stop")

    with pytest.raises(ValueError):
        store.write(half)
    assert store.get("X", "y") is None


@pytest.mark.parametrize("begin", ["BEGIN", "BEGIN IMMEDIATE"])
def test_a_transaction_an_interrupt_left_open_does_not_block_the_next_one(store, begin):
    # a SIGTERM in a worker raises wherever it lands, e.g. just after a BEGIN and before its guard
    store.create("DataSource", "ds-1", {"Status": "PENDING"}, "fp")
    store.connection().execute(begin)
    assert store.transition("DataSource", "ds-1", "INPROGRESS") is not None
    store.connection().execute(begin)
    assert store.read(lambda conn: conn.execute("SELECT count(*) FROM resources").fetchone()[0]) == 1
    assert not store.connection().in_transaction
