"""The four waiters on real resources: success when COMPLETED, failure when FAILED, timeout when nothing matches."""

from __future__ import annotations

import pytest

from aml_cli.cli.errors import WaiterError
from aml_cli.cli.waiters import wait_for
from aml_cli.service import call
from aml_cli.store import Store
from tests.ml_api import waiter
from tests.service.models_conftest import (
    create_model,
    create_source,
    record_of,
    schema_text,
    sync_jobs,
    tiny_frame,
    tiny_source,
    wait_idle,
    write_csv,
)

BY_NAME = {"FilterVariable": "Name", "EQ": "wanted"}


def completed_chain(store: Store, folder) -> None:
    """A data source, model, evaluation and batch prediction, all named "wanted" and COMPLETED."""
    with sync_jobs():
        tiny_source(store, folder, "ds", "BINARY")
        call("UpdateDataSource", {"DataSourceId": "ds", "DataSourceName": "wanted"}, store)
        create_model(store, "m", "ds", "BINARY", MLModelName="wanted")
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "ds",
                                  "EvaluationName": "wanted"}, store)
        call("CreateBatchPrediction", {"BatchPredictionId": "b", "MLModelId": "m", "BatchPredictionDataSourceId": "ds",
                                       "OutputUri": str(folder / "out"), "BatchPredictionName": "wanted"}, store)


@pytest.mark.parametrize("name", ["DataSourceAvailable", "MLModelAvailable", "EvaluationAvailable",
                                  "BatchPredictionAvailable"])
def test_each_waiter_succeeds_on_completed_resources(tmp_path, name):
    completed_chain(Store(), tmp_path)
    assert wait_for(waiter(name), dict(BY_NAME)) is None


@pytest.mark.slow
def test_evaluation_available_waits_for_a_queued_evaluation_to_complete(tmp_path):
    store = Store()
    with sync_jobs():
        tiny_source(store, tmp_path, "ds", "BINARY")
    with sync_jobs(False):
        create_model(store, "m", "ds", "BINARY")
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "ds"}, store)
        assert record_of(store, "Evaluation", "e")["Status"] == "PENDING"
        wait_for(waiter("EvaluationAvailable"), {"FilterVariable": "MLModelId", "EQ": "m"})
        assert record_of(store, "Evaluation", "e")["Status"] == "COMPLETED"
        wait_idle(store)


def test_ml_model_available_fails_on_a_failed_model(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("MULTICLASS")
    frame[target] = "only"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
        create_model(store, "m", "ds", "MULTICLASS", MLModelName="wanted")
    with pytest.raises(WaiterError) as caught:
        wait_for(waiter("MLModelAvailable"), dict(BY_NAME))
    assert str(caught.value) == (
        'Waiter MLModelAvailable failed: Waiter encountered a terminal failure state: For expression '
        '"Results[].Status" we matched expected path: "FAILED" at least once'
    )


def test_data_source_available_fails_on_a_failed_data_source(tmp_path):
    store = Store()
    frame, columns, target = tiny_frame("BINARY")
    frame["x1"] = "not a number"
    with sync_jobs():
        create_source(store, "ds", write_csv(tmp_path / "d.csv", frame), schema_text(columns, target))
    assert record_of(store, "DataSource", "ds")["Status"] == "FAILED"
    with pytest.raises(WaiterError, match="terminal failure state"):
        wait_for(waiter("DataSourceAvailable"), {"FilterVariable": "DataLocationS3", "EQ": str(tmp_path / "d.csv")})


@pytest.mark.parametrize("name", ["EvaluationAvailable", "BatchPredictionAvailable"])
def test_a_waiter_with_nothing_to_match_gives_up_after_its_time(tmp_path, monkeypatch, name):
    monkeypatch.setenv("AML_WAITER_TIMEOUT", "0.3")
    completed_chain(Store(), tmp_path)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        wait_for(waiter(name), {"FilterVariable": "Name", "EQ": "nothing has this name"})
