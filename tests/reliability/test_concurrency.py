"""Guarantee 2: many aml processes at once all answer correctly, and the worker limit holds."""

from __future__ import annotations

import json

import pytest

from tests.reliability.conftest import (
    aml_popen,
    call_sync,
    job_rows,
    shared_store,
    wait_jobs_idle,
    wait_status,
)
from tests.reliability.data import write_csv, write_schema

pytestmark = pytest.mark.slow

OPTION = {"DataSource": "--data-source-id", "MLModel": "--ml-model-id", "Evaluation": "--evaluation-id",
          "BatchPrediction": "--batch-prediction-id"}
NAME_OPTION = {"DataSource": "--data-source-name", "MLModel": "--ml-model-name", "Evaluation": "--evaluation-name",
               "BatchPrediction": "--batch-prediction-name"}
NOUN = {"DataSource": "data-source", "MLModel": "ml-model", "Evaluation": "evaluation",
        "BatchPrediction": "batch-prediction"}
PLURAL = {"DataSource": "data-sources", "MLModel": "ml-models", "Evaluation": "evaluations",
          "BatchPrediction": "batch-predictions"}


def _setup(tmp_path):
    data, schema = write_csv(tmp_path / "d.csv", 2_000), write_schema(tmp_path / "d.schema")
    spec = {"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)}
    for source_id in ("ds-base", "ds-upd", "ds-del"):
        call_sync("CreateDataSourceFromS3", DataSourceId=source_id, ComputeStatistics=True, DataSpec=spec)
    for model_id in ("ml-base", "ml-upd", "ml-del"):
        call_sync("CreateMLModel", MLModelId=model_id, MLModelType="BINARY", TrainingDataSourceId="ds-base")
    for suffix in ("base", "upd", "del"):
        call_sync("CreateEvaluation", EvaluationId=f"ev-{suffix}", MLModelId="ml-base",
                  EvaluationDataSourceId="ds-base")
        call_sync("CreateBatchPrediction", BatchPredictionId=f"bp-{suffix}", MLModelId="ml-base",
                  BatchPredictionDataSourceId="ds-base", OutputUri=str(tmp_path / "out" / suffix))
    return spec


def _create_args(kind: str, spec: dict, tmp_path) -> list[str]:
    if kind == "DataSource":
        return ["create-data-source-from-s3", "--data-source-id", "ds-new", "--compute-statistics",
                "--data-spec", json.dumps(spec)]
    if kind == "MLModel":
        return ["create-ml-model", "--ml-model-id", "ml-new", "--ml-model-type", "BINARY",
                "--training-data-source-id", "ds-base"]
    if kind == "Evaluation":
        return ["create-evaluation", "--evaluation-id", "ev-new", "--ml-model-id", "ml-base",
                "--evaluation-data-source-id", "ds-base"]
    return ["create-batch-prediction", "--batch-prediction-id", "bp-new", "--ml-model-id", "ml-base",
            "--batch-prediction-data-source-id", "ds-base", "--output-uri", str(tmp_path / "out" / "new")]


def _calls(spec: dict, tmp_path) -> list[tuple[str, str, list[str]]]:
    """Five calls per kind: create, get, describe, update, delete — twenty in all."""
    calls = []
    for kind, prefix in (("DataSource", "ds"), ("MLModel", "ml"), ("Evaluation", "ev"), ("BatchPrediction", "bp")):
        noun = NOUN[kind]
        calls += [
            (kind, "create", _create_args(kind, spec, tmp_path)),
            (kind, "get", [f"get-{noun}", OPTION[kind], f"{prefix}-base"]),
            (kind, "describe", [f"describe-{PLURAL[kind]}"]),
            (kind, "update", [f"update-{noun}", OPTION[kind], f"{prefix}-upd", NAME_OPTION[kind], "renamed"]),
            (kind, "delete", [f"delete-{noun}", OPTION[kind], f"{prefix}-del"]),
        ]
    return calls


def _check_answer(kind: str, action: str, stdout: str) -> None:
    answer = json.loads(stdout)
    id_member = {"DataSource": "DataSourceId", "MLModel": "MLModelId", "Evaluation": "EvaluationId",
                 "BatchPrediction": "BatchPredictionId"}[kind]
    prefix = {"DataSource": "ds", "MLModel": "ml", "Evaluation": "ev", "BatchPrediction": "bp"}[kind]
    expected = {"create": f"{prefix}-new", "get": f"{prefix}-base", "update": f"{prefix}-upd",
                "delete": f"{prefix}-del"}
    if action == "describe":
        assert {item[id_member] for item in answer["Results"]} >= {f"{prefix}-base", f"{prefix}-upd"}
    else:
        assert answer[id_member] == expected[action]
    if action == "get":
        assert answer["Status"] == "COMPLETED"


def test_twenty_processes_at_once_all_answer_correctly_without_locks_or_tracebacks(tmp_path):
    spec = _setup(tmp_path)
    calls = _calls(spec, tmp_path)
    assert len(calls) == 20
    processes = [(kind, action, aml_popen(*args, AML_MAX_WORKERS="2")) for kind, action, args in calls]
    for kind, action, process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert "locked" not in stderr.lower() and "Traceback" not in stderr, stderr
        assert process.returncode == 0, (kind, action, stderr)
        assert stderr == "", (kind, action, stderr)
        _check_answer(kind, action, stdout)
    store = shared_store()
    for kind, prefix in (("DataSource", "ds"), ("MLModel", "ml"), ("Evaluation", "ev"), ("BatchPrediction", "bp")):
        assert store.get(kind, f"{prefix}-upd")["Name"] == "renamed"
        assert store.get(kind, f"{prefix}-del")["Status"] == "DELETED"
        assert wait_status(kind, f"{prefix}-new", timeout=120)["Status"] == "COMPLETED"
    assert store.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"


def _most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals covering one instant (an end before a start at the same time)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda event: (event[0], event[1]))
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def test_most_at_once_counts_overlaps():
    assert _most_at_once([(0, 2), (1, 3), (2.5, 4)]) == 2
    assert _most_at_once([(0, 5), (1, 2), (1.5, 3)]) == 3
    assert _most_at_once([(0, 1), (1, 2)]) == 1


def test_eight_trainings_started_at_once_all_complete_and_never_more_than_two_run(tmp_path):
    data, schema = write_csv(tmp_path / "d.csv", 20_000), write_schema(tmp_path / "d.schema")
    call_sync("CreateDataSourceFromS3", DataSourceId="train", ComputeStatistics=True,
              DataSpec={"DataLocationS3": str(data), "DataSchemaLocationS3": str(schema)})
    processes = [
        aml_popen("create-ml-model", "--ml-model-id", f"model-{i}", "--ml-model-type", "BINARY",
                  "--training-data-source-id", "train", AML_MAX_WORKERS="2")
        for i in range(8)
    ]
    for i, process in enumerate(processes):
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert json.loads(stdout) == {"MLModelId": f"model-{i}"}
    records = [wait_status("MLModel", f"model-{i}", timeout=180) for i in range(8)]
    assert [record["Status"] for record in records] == ["COMPLETED"] * 8, [r.get("Message") for r in records]
    store = shared_store()
    wait_jobs_idle(store)
    jobs = [job for job in job_rows(store) if job["kind"] == "MLModel" and job["mode"] == "worker"]
    assert len(jobs) == 8
    assert _most_at_once([(job["started_at"], job["finished_at"]) for job in jobs]) == 2
    assert _most_at_once([(record["StartedAt"], record["FinishedAt"]) for record in records]) <= 2
