"""Guarantee: a damaged store is named, not guessed at, and never makes a command hang.

Each attack damages the store from outside, as a disk error, a bad copy or a hostile user would: the
statistics a model trains from deleted, truncated or edited; `artifacts`, `tmp` or `logs` replaced by a
file; a model file replaced by a link to /dev/zero or by a FIFO; `aml.db` emptied, made a folder or
filled with junk beside existing artifacts. Each gives a clear message naming the damaged file (never a
FileNotFoundError, JSONDecodeError or NotADirectoryError), and `aml check-store` lists what is damaged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reliability.conftest import aml, call_sync, shared_store
from tests.reliability.data import write_csv, write_schema

GUESSES = ("FileNotFoundError", "JSONDecodeError", "NotADirectoryError", "IsADirectoryError", "Traceback",
           "Internal error")
RECORD = "x1=0.5,x2=1,colour=c1,note=w1"


@pytest.fixture
def data(tmp_path) -> dict:
    csv, schema = write_csv(tmp_path / "in" / "d.csv", 400), write_schema(tmp_path / "in" / "d.schema")
    return {"DataLocationS3": str(csv), "DataSchemaLocationS3": str(schema)}


@pytest.fixture
def source(aml_home, data) -> dict:
    call_sync("CreateDataSourceFromS3", DataSourceId="ds", ComputeStatistics=True, DataSpec=data)
    return shared_store().get("DataSource", "ds")


@pytest.fixture
def model(source) -> dict:
    call_sync("CreateMLModel", MLModelId="ml", MLModelType="BINARY", TrainingDataSourceId="ds")
    call_sync("CreateRealtimeEndpoint", MLModelId="ml")
    return shared_store().get("MLModel", "ml")


def assert_named(text: str, path: str | Path, *words: str) -> None:
    assert str(path) in text and "damaged" in text, text
    for word in words:
        assert word in text, text
    for guess in GUESSES:
        assert guess not in text, text


def check_store() -> tuple[int, dict | None, str]:
    done = aml("check-store", timeout=60)
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stderr


# -- statistics ------------------------------------------------------------------------------------------------


def _damage_statistics(path: Path, how: str) -> str:
    """Damages the file; returns the words the message must hold."""
    blob = path.read_bytes()
    if how == "deleted":
        path.unlink()
        return "is missing"
    if how == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
        return "truncated"
    if how == "emptied":
        path.write_bytes(b"")
        return "truncated"
    path.write_bytes(blob.replace(b'"', b"'", 1))  # one byte edited, the same size
    return "checksum"


@pytest.mark.parametrize("how", ["deleted", "truncated", "emptied", "edited"])
def test_damaged_statistics_fail_the_training_naming_the_file(source, how):
    path = Path(source["_statistics_path"])
    words = _damage_statistics(path, how)
    call_sync("CreateMLModel", MLModelId="after", MLModelType="BINARY", TrainingDataSourceId="ds")
    record = shared_store().get("MLModel", "after")
    assert record["Status"] == "FAILED"
    assert_named(record["Message"], path, "statistics file of data source 'ds'", words)
    shown = aml("show-data-source-statistics", "--data-source-id", "ds")
    assert shown.returncode == 254
    assert_named(shown.stderr, path, "(InternalServerException)", words)
    code, report, _ = check_store()
    assert code == 1 and [(d["Kind"], d["Id"], d["File"], d["Path"]) for d in report["Damaged"]] == [
        ("DataSource", "ds", "statistics", str(path))]


# -- the store's own folders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["artifacts", "tmp", "logs"])
def test_a_store_folder_replaced_by_a_file_is_named(aml_home, data, folder):
    call_sync("CreateDataSourceFromS3", DataSourceId="first", DataSpec=data)  # the store exists
    target = aml_home / folder
    shutil.rmtree(target, ignore_errors=True)
    target.write_text("not a folder")
    made = aml("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec",
               f"DataLocationS3={data['DataLocationS3']},DataSchemaLocationS3={data['DataSchemaLocationS3']}",
               "--sync")
    trained = aml("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY",
                  "--training-data-source-id", "ds", "--sync")
    texts = [made.stderr, trained.stderr]
    for resource_id, kind in (("ds", "DataSource"), ("ml", "MLModel")):
        record = shared_store().get(kind, resource_id)
        if record is not None and record["Status"] == "FAILED":
            texts.append(record["Message"])
    damage = [text for text in texts if str(target) in text]
    assert damage, texts
    for text in damage:
        assert_named(text, target, "is a file")
    assert target.read_text() == "not a folder"
    code, report, err = check_store()
    assert code != 0
    assert str(target) in (json.dumps(report) if report else err)


# -- model files that would never end --------------------------------------------------------------------------


def _replace_model(path: Path, how: str, tmp_path: Path) -> None:
    path.unlink()
    if how == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif how == "FIFO":
        os.mkfifo(path)
    else:
        os.mkfifo(tmp_path / "fifo")
        path.symlink_to(tmp_path / "fifo")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["link to /dev/zero", "FIFO", "link to a FIFO"])
def test_a_model_file_that_never_ends_is_refused_at_once(model, tmp_path, how):
    path = Path(model["_model_path"])
    _replace_model(path, how, tmp_path)
    try:
        predicted = aml("predict", "--ml-model-id", "ml", "--predict-endpoint", "https://example.com",
                        "--record", RECORD, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"predict hung on a model file that is a {how}")
    assert predicted.returncode == 254
    assert_named(predicted.stderr, path, "(InternalServerException)")
    evaluated = aml("create-evaluation", "--evaluation-id", "ev", "--ml-model-id", "ml",
                    "--evaluation-data-source-id", "ds", "--sync", timeout=60)
    assert evaluated.returncode == 0, evaluated.stderr
    record = shared_store().get("Evaluation", "ev")
    assert record["Status"] == "FAILED"
    assert_named(record["Message"], path)
    code, report, _ = check_store()
    assert code == 1 and [(d["Kind"], d["Path"]) for d in report["Damaged"]] == [("MLModel", str(path))]


# -- the database ----------------------------------------------------------------------------------------------


def _damage_database(home: Path, how: str) -> str:
    db = home / "aml.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if how == "emptied":
        db.write_bytes(b"")
        return "is empty (0 bytes)"
    if how == "deleted":
        db.unlink()
        return "is missing"
    if how == "a folder":
        db.unlink()
        db.mkdir()
        return "is not a regular file"
    db.write_bytes(b"not a database, though it is long enough to look like one " * 100)
    return "is damaged"


@pytest.mark.parametrize("how", ["emptied", "deleted", "a folder", "junk"])
def test_a_lost_database_beside_artifacts_is_an_error_not_a_new_store(model, aml_home, how):
    shared_store().close()
    del_store_cache(aml_home)
    artifacts = sorted(p.name for p in (aml_home / "artifacts").iterdir())
    words = _damage_database(aml_home, how)
    before = (aml_home / "aml.db").lstat() if (aml_home / "aml.db").exists() else None
    for args in (["describe-ml-models"], ["get-ml-model", "--ml-model-id", "ml"], ["check-store"],
                 ["create-data-source-from-s3", "--data-source-id", "new", "--data-spec",
                  "DataLocationS3=x.csv,DataSchemaLocationS3=x.schema"]):
        done = aml(*args)
        assert done.returncode == 254, (args, done.stdout, done.stderr)
        assert_named(done.stderr, aml_home / "aml.db", "(InternalServerException)", words)
    assert sorted(p.name for p in (aml_home / "artifacts").iterdir()) == artifacts
    after = (aml_home / "aml.db").lstat() if (aml_home / "aml.db").exists() else None
    assert (before and (before.st_size, before.st_mode)) == (after and (after.st_size, after.st_mode))


def del_store_cache(home: Path) -> None:
    from tests.reliability import conftest

    conftest._STORES.pop(str(home), None)


def test_an_empty_folder_is_still_a_new_store(aml_home):
    aml_home.mkdir(parents=True)
    (aml_home / "aml.db").write_bytes(b"")  # empty, but no artifact or log it could have lost
    listed = aml("describe-ml-models")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {"Results": []}
    assert check_store()[:2] == (0, {"Home": str(aml_home), "ResourcesChecked": 0, "FilesChecked": 0,
                                     "Damaged": []})


# -- aml check-store -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_check_store_names_every_damaged_file_and_only_those(model, tmp_path, aml_home):
    call_sync("CreateEvaluation", EvaluationId="ev", MLModelId="ml", EvaluationDataSourceId="ds")
    code, report, err = check_store()
    assert (code, report["Damaged"]) == (0, []), err
    assert (report["ResourcesChecked"], report["FilesChecked"]) == (3, 3)
    store = shared_store()
    statistics = Path(store.get("DataSource", "ds")["_statistics_path"])
    details = Path(store.get("Evaluation", "ev")["_details_path"])
    model_path = Path(model["_model_path"])
    statistics.unlink()
    kept = details.read_bytes()
    details.write_bytes(kept[:-1] + bytes([kept[-1] ^ 1]))  # the same size, one byte changed
    blob = model_path.read_bytes()
    model_path.write_bytes(blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:])
    code, report, _ = check_store()
    assert code == 1
    found = {(d["Kind"], d["Id"], d["File"]): (d["Path"], d["Problem"]) for d in report["Damaged"]}
    assert set(found) == {("DataSource", "ds", "statistics"), ("Evaluation", "ev", "details"),
                          ("MLModel", "ml", "model")}
    assert found[("DataSource", "ds", "statistics")] == (str(statistics), "is missing")
    assert "checksum" in found[("Evaluation", "ev", "details")][1]
    assert "checksum" in found[("MLModel", "ml", "model")][1]
    text = aml("check-store", "--output", "text")
    assert text.returncode == 1 and str(statistics) in text.stdout


@pytest.mark.slow
def test_check_store_covers_every_service_and_a_damaged_channel_fails_training_naming_it(aml_home, tmp_path):
    from tests.conftest import jobs_inline
    from tests.service.cleanroomsml.support import Chain

    with jobs_inline(True):
        chain = Chain(shared_store(), tmp_path / "data")
        model = chain.model()
    code, report, err = check_store()
    assert (code, report["Damaged"]) == (0, []), err
    kinds = {"DataSource", "MLInputChannel", "TrainedModel"}
    assert report["FilesChecked"] >= len(kinds)
    data = Path(shared_store().get("MLInputChannel", chain.channel.rsplit("/", 1)[1])["_data_path"])
    data.unlink()
    os.mkfifo(data)  # a reader that opened it would wait forever
    weights = Path(shared_store().get("TrainedModel", model["versionIdentifier"])["_model_path"])
    weights.write_bytes(weights.read_bytes()[:100])
    code, report, _ = check_store()
    assert code == 1
    assert {(d["Service"], d["Kind"], d["File"], d["Path"]) for d in report["Damaged"]} == {
        ("cleanroomsml", "MLInputChannel", "data", str(data)), ("cleanroomsml", "TrainedModel", "model", str(weights))}
    with jobs_inline(True):
        again = chain.model(name="again")
    version = shared_store().get("TrainedModel", again["versionIdentifier"])
    assert version["Status"] == "CREATE_FAILED"
    assert_named(json.dumps(version["statusDetails"]), data, "is a FIFO")
