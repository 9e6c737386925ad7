"""Guarantee: batch output stays in its place: no symbolic link below it, never in the store, never at `/`.

Every folder aml makes under an output location is made relative to a folder handle it checked, never
through a symbolic link, and a create that is refused makes no folder at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.reliability.conftest import aml, files_under, snapshot, wait_status
from tests.reliability.data import write_csv, write_schema


@pytest.fixture
def world(aml_home, tmp_path):
    """A bucket with a COMPLETED data source and model, and a folder outside the S3 root."""
    bucket = aml_home / "s3" / "bkt"
    write_csv(bucket / "d.csv", 300)
    write_schema(bucket / "d.schema")
    spec = "DataLocationS3=s3://bkt/d.csv,DataSchemaLocationS3=s3://bkt/d.schema"
    assert aml("create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec", spec,
               "--sync").returncode == 0
    made = aml("create-ml-model", "--ml-model-id", "ml", "--ml-model-type", "BINARY", "--training-data-source-id",
               "ds", "--sync")
    assert made.returncode == 0, made.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    return bucket, outside


def predict_into(uri: str, batch_id: str = "bp", *extra: str):
    """`file://` on the command line names a parameter file (as in the AWS CLI): such URIs go in as JSON."""
    request = {"BatchPredictionId": batch_id, "MLModelId": "ml", "BatchPredictionDataSourceId": "ds",
               "OutputUri": uri}
    return aml("create-batch-prediction", "--cli-input-json", json.dumps(request), *extra)


def assert_refused(result, *words: str) -> None:
    assert result.returncode == 254, result.stdout + result.stderr
    assert "(InvalidInputException)" in result.stderr and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("linked", ["batch-prediction", "batch-prediction/result"])
def test_a_symlinked_folder_below_the_output_location_is_refused(world, linked):
    bucket, outside = world
    link = bucket / "out1" / linked
    link.parent.mkdir(parents=True)
    link.symlink_to(outside, target_is_directory=True)
    before = snapshot()
    assert_refused(predict_into("s3://bkt/out1/", "bp", "--sync"), "OutputUri", "symbolic link")
    assert snapshot() == before
    assert files_under(outside) == {}


def test_a_symlink_planted_after_the_create_is_never_followed_by_the_job(world):
    """The create is checked; then, while the job waits for its model, a link appears where it will write."""
    bucket, outside = world
    made = aml("create-ml-model", "--ml-model-id", "slow", "--ml-model-type", "BINARY",
               "--training-data-source-id", "ds")
    assert made.returncode == 0, made.stderr
    queued = aml("create-batch-prediction", "--batch-prediction-id", "late", "--ml-model-id", "slow",
                 "--batch-prediction-data-source-id", "ds", "--output-uri", "s3://bkt/out2/")
    assert queued.returncode == 0, queued.stderr
    (bucket / "out2").mkdir(exist_ok=True)
    (bucket / "out2" / "batch-prediction").symlink_to(outside, target_is_directory=True)
    assert wait_status("MLModel", "slow", timeout=120)["Status"] == "COMPLETED"
    record = wait_status("BatchPrediction", "late", timeout=120)
    assert record["Status"] == "FAILED", record
    assert "symbolic link" in record["Message"], record["Message"]
    assert files_under(outside) == {}


@pytest.mark.parametrize("where", ["/", "file:///", "/."])
def test_an_output_location_at_the_filesystem_root_is_refused(world, where):
    stray = Path("/batch-prediction")
    assert not stray.exists(), "remove /batch-prediction (an earlier aml wrote it) before this test"
    before = snapshot()
    try:
        assert_refused(predict_into(where, "bp", "--sync"), "OutputUri", "root")
        assert not stray.exists()
    finally:  # --sync: a regression has written by now; never leave its files at /
        import shutil

        shutil.rmtree(stray, ignore_errors=True)
    assert snapshot() == before


@pytest.mark.parametrize("inside", ["", "artifacts", "logs", "tmp", "logs/new-folder", "artifacts/../logs"])
def test_an_output_location_inside_the_store_is_refused(world, aml_home, inside):
    target = aml_home / inside if inside else aml_home
    before, artifacts = snapshot(), files_under(aml_home / "artifacts")
    for uri in (str(target), target.as_uri()):
        assert_refused(predict_into(uri), "OutputUri", "inside the aml store")
    assert snapshot() == before
    assert files_under(aml_home / "artifacts") == artifacts
    assert not (aml_home / "logs" / "new-folder").exists()
    assert not (target / "batch-prediction").exists()


def test_the_s3_root_inside_the_store_folder_is_still_a_place_for_output(world, aml_home):
    made = predict_into("s3://bkt/fine/", "bp", "--sync")
    assert made.returncode == 0, made.stderr
    assert wait_status("BatchPrediction", "bp")["Status"] == "COMPLETED"
    assert (aml_home / "s3" / "bkt" / "fine" / "batch-prediction" / "bp.manifest").is_file()


def test_a_refused_create_leaves_no_folder_behind(world, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second" / "deeper"
    made = predict_into(str(first), "bp", "--sync")
    assert made.returncode == 0, made.stderr
    before = snapshot()
    mismatch = predict_into(str(second), "bp")
    assert mismatch.returncode == 254 and "(IdempotentParameterMismatchException)" in mismatch.stderr, mismatch.stderr
    assert not (tmp_path / "second").exists(), "the refused create made its OutputUri folders"
    missing = aml("create-batch-prediction", "--batch-prediction-id", "bp2", "--ml-model-id", "no-such-model",
                  "--batch-prediction-data-source-id", "ds", "--output-uri", str(tmp_path / "third"))
    assert missing.returncode == 254, missing.stderr
    assert not (tmp_path / "third").exists()
    assert snapshot() == before


def test_a_queued_batch_prediction_makes_its_folders_only_when_it_runs(world, tmp_path):
    """The create checks the place; the job, which writes there, makes the folders (0700)."""
    target = tmp_path / "made" / "by" / "the-job"
    made = predict_into(str(target), "bp", "--sync")
    assert made.returncode == 0, made.stderr
    for folder in (tmp_path / "made", tmp_path / "made" / "by", target, target / "batch-prediction"):
        assert folder.is_dir() and not folder.is_symlink()
        assert oct(os.stat(folder).st_mode & 0o777) == "0o700", folder


def test_a_clean_rooms_output_written_through_its_handle_never_follows_a_link_swapped_in(tmp_path):
    """Inference and export outputs are written relative to the checked folder's handle: a folder swapped for
    a link to elsewhere between the check and the write leaves the elsewhere untouched."""
    from aml_cli.service.locations import open_output_subfolder
    from aml_cli.store import Store

    store = Store(tmp_path / "home", s3_root=tmp_path / "s3")
    (tmp_path / "s3" / "bkt").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = open_output_subfolder("s3://bkt/out/", "s3Uri", store, ("member", "job"))
    with folder:
        job = tmp_path / "s3" / "bkt" / "out" / "member" / "job"
        job.rename(job.with_name("moved"))
        job.symlink_to(elsewhere)
        with folder.replacing("output.csv", "w") as out:
            out.write("score\n1\n")
    assert list(elsewhere.iterdir()) == []
    moved = job.with_name("moved")
    assert [p.name for p in moved.iterdir()] == ["output.csv"]
    assert (moved / "output.csv").read_text() == "score\n1\n"
    assert (moved / "output.csv").stat().st_mode & 0o777 == 0o600


def test_a_failed_write_through_a_handle_leaves_nothing(tmp_path):
    from aml_cli.service.locations import open_output_subfolder
    from aml_cli.store import Store

    store = Store(tmp_path / "home", s3_root=tmp_path / "s3")
    (tmp_path / "s3" / "bkt").mkdir(parents=True)
    with open_output_subfolder("s3://bkt/out/", "s3Uri", store, ("m",)) as folder:
        with pytest.raises(RuntimeError), folder.replacing("model.json", "wb") as out:
            out.write(b"half")
            raise RuntimeError("stopped")
        assert folder.names() == []
