"""The same commands on a Dask cluster (a real LocalCluster of 2 processes): the single machine's results."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aml_cli.service import call
from tests.service.conftest import schema_text

distributed = pytest.importorskip("distributed")

COLUMNS = {"row_id": "CATEGORICAL", "x": "NUMERIC", "y": "NUMERIC", "color": "CATEGORICAL", "note": "TEXT",
           "label": "BINARY"}


@pytest.fixture(scope="module")
def dask_cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster


@pytest.fixture
def on_cluster(monkeypatch, dask_cluster):
    """Returns a switch: on() points jobs at the cluster, off() back at this machine. Blocks of 4 KiB and
    partitions of 8 KiB, so that even these small files are several partitions."""
    monkeypatch.setattr("aml_cli.service.machinelearning.reading.CHUNK_BYTES", 4096)

    class Switch:
        def on(self):
            monkeypatch.setenv("AML_DASK_SCHEDULER", dask_cluster.scheduler_address)
            monkeypatch.setenv("AML_DASK_PARTITION_BYTES", "8192")

        def off(self):
            monkeypatch.delenv("AML_DASK_SCHEDULER", raising=False)

    return Switch()


def frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=rows), rng.normal(size=rows)
    color = rng.choice(["red", "green", "blue", "dark, blue"], rows)
    words = np.array(["good", "bad", "line\nbreak", 'say "hi"', "ok"])
    note = [" ".join(rng.choice(words, rng.integers(1, 4))) for _ in range(rows)]
    label = np.where(x + 0.5 * y + (color == "red") + rng.normal(scale=0.7, size=rows) > 0.3, "yes", "no")
    data = pd.DataFrame({"row_id": [f"r{i}" for i in range(rows)], "x": x.round(5), "y": y.round(5),
                         "color": color, "note": note, "label": label})
    data.loc[rng.random(rows) < 0.05, "y"] = np.nan
    return data


def write_data(folder: Path, seed: int = 1) -> Path:
    """A folder of three files: plain, gzip and plain with a few invalid records."""
    folder.mkdir(parents=True, exist_ok=True)
    frame(600, seed).to_csv(folder / "a.csv", index=False, lineterminator="\n")
    with gzip.open(folder / "b.csv.gz", "wt", newline="") as handle:
        frame(300, seed + 1).to_csv(handle, index=False, lineterminator="\n")
    text = frame(500, seed + 2).to_csv(index=False, lineterminator="\n").splitlines()
    text[17] = "r17,not a number,1,red,x,yes"
    text[140] = 'r140,1,2,"open quote,x,no'
    (folder / "c.csv").write_text("\n".join(text) + "\n")
    return folder


def schema(target="label"):
    return schema_text(COLUMNS, target=target, rowId="row_id")


def create_source(store, source_id, location, rearrangement=None):
    spec = {"DataLocationS3": str(location), "DataSchema": schema()}
    if rearrangement:
        spec["DataRearrangement"] = rearrangement
    call("CreateDataSourceFromS3", {"DataSourceId": source_id, "DataSpec": spec, "ComputeStatistics": True}, store)
    return call("GetDataSource", {"DataSourceId": source_id, "Verbose": True}, store)


def statistics_of(store, source_id):
    return json.loads(Path(store.get("DataSource", source_id)["_statistics_path"]).read_text())


def test_a_data_source_on_the_cluster_has_the_single_machines_counts_and_statistics(store, tmp_path, on_cluster):
    data = write_data(tmp_path / "data")
    split = '{"splitting": {"percentBegin": 5, "percentEnd": 90}}'
    single = create_source(store, "single", data, split)
    on_cluster.on()
    clustered = create_source(store, "clustered", data, split)
    assert clustered["Status"] == single["Status"] == "COMPLETED"
    for field in ("DataSizeInBytes", "NumberOfFiles"):
        assert clustered[field] == single[field]
    for field in ("_rows", "_invalid_rows"):
        assert store.get("DataSource", "clustered")[field] == store.get("DataSource", "single")[field]
    assert statistics_of(store, "clustered") == statistics_of(store, "single")  # every figure, exactly
    assert partitions_in_log(store, "DataSource", "clustered") > 3


def partitions_in_log(store, kind, resource_id) -> int:
    """How many partitions the job's log says it read, on which cluster (0: it ran on this machine)."""
    import re

    from aml_cli.jobs import log_path

    text = log_path(store, kind, resource_id).read_text()
    found = re.search(r"Partitions: (\d+)", text)
    return int(found.group(1)) if found and "Running on the " in text else 0


def test_a_batch_prediction_on_the_cluster_writes_the_single_machines_results(store, tmp_path, on_cluster):
    data = write_data(tmp_path / "data")
    create_source(store, "train", data)
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "train"}, store)
    outputs = {}
    for name in ("single", "clustered"):
        if name == "clustered":
            on_cluster.on()
        create_source(store, f"batch-{name}", data)
        call("CreateBatchPrediction", {"BatchPredictionId": f"bp-{name}", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": f"batch-{name}",
                                       "OutputUri": str(tmp_path / name)}, store)
        outputs[name] = call("GetBatchPrediction", {"BatchPredictionId": f"bp-{name}"}, store)
    single, clustered = outputs["single"], outputs["clustered"]
    assert clustered["Status"] == "COMPLETED" and partitions_in_log(store, "BatchPrediction", "bp-clustered") > 3
    assert partitions_in_log(store, "BatchPrediction", "bp-single") == 0
    assert (clustered["TotalRecordCount"], clustered["InvalidRecordCount"]) == (
        single["TotalRecordCount"], single["InvalidRecordCount"])
    for source in ("a.csv", "b.csv", "c.csv"):
        expected = gzip.decompress((tmp_path / "single/batch-prediction/result" / f"bp-single-{source}.gz")
                                   .read_bytes())
        found = gzip.decompress((tmp_path / "clustered/batch-prediction/result" / f"bp-clustered-{source}.gz")
                                .read_bytes())
        assert found == expected and expected.count(b"\n") > 100
    manifest = json.loads((tmp_path / "clustered/batch-prediction/bp-clustered.manifest").read_text())
    assert sorted(Path(uri).name for uri in manifest.values()) == [f"bp-clustered-{n}.csv.gz" for n in "abc"]
    assert sorted(p.name for p in (tmp_path / "clustered/batch-prediction").iterdir()) == [
        "bp-clustered.manifest", "result"]


def test_an_evaluation_on_the_cluster_has_the_single_machines_metric_exactly(store, tmp_path, on_cluster):
    data = write_data(tmp_path / "data")
    create_source(store, "train", data, '{"splitting": {"percentBegin": 0, "percentEnd": 70}}')
    create_source(store, "test", data, '{"splitting": {"percentBegin": 70, "percentEnd": 100}}')
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "train"}, store)
    call("CreateEvaluation", {"EvaluationId": "ev-single", "MLModelId": "m", "EvaluationDataSourceId": "test"}, store)
    on_cluster.on()
    call("CreateEvaluation", {"EvaluationId": "ev-cluster", "MLModelId": "m", "EvaluationDataSourceId": "test"}, store)
    single = call("GetEvaluation", {"EvaluationId": "ev-single"}, store)
    clustered = call("GetEvaluation", {"EvaluationId": "ev-cluster"}, store)
    assert clustered["Status"] == "COMPLETED"
    assert clustered["PerformanceMetrics"] == single["PerformanceMetrics"]
    details = [np.load(store.get("Evaluation", name)["_details_path"]) for name in ("ev-single", "ev-cluster")]
    np.testing.assert_array_equal(details[0]["score"], details[1]["score"])


def test_a_scheduler_address_that_answers_nothing_fails_the_job_naming_it(store, tmp_path, monkeypatch):
    data = write_data(tmp_path / "data")
    monkeypatch.setenv("AML_DASK_SCHEDULER", "tcp://127.0.0.1:9")
    monkeypatch.setattr("aml_cli.jobs.cluster.CONNECT_SECONDS", 2)
    view = create_source(store, "nowhere", data)
    assert view["Status"] == "FAILED"
    assert "Could not reach the Dask cluster at tcp://127.0.0.1:9" in view["Message"]


@pytest.mark.parametrize("value", ["local:0", "local:two", "somewhere"])
def test_a_scheduler_setting_that_is_not_one_fails_the_job_naming_the_variable(store, tmp_path, monkeypatch, value):
    monkeypatch.setenv("AML_DASK_SCHEDULER", value)
    view = create_source(store, "bad", write_data(tmp_path / "data"))
    assert view["Status"] == "FAILED" and "AML_DASK_SCHEDULER" in view["Message"]


def test_without_the_switch_a_job_imports_nothing_of_dask(tmp_path):
    data = write_data(tmp_path / "data")
    script = f"""
import json, sys
from aml_cli.service import call
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
use_default(RequestContext(synchronous=True))
store = Store()
spec = {{"DataLocationS3": {str(data)!r}, "DataSchema": {schema()!r}}}
call("CreateDataSourceFromS3", {{"DataSourceId": "d", "DataSpec": spec, "ComputeStatistics": True}}, store)
assert call("GetDataSource", {{"DataSourceId": "d"}}, store)["Status"] == "COMPLETED"
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("dask", "distributed", "fsspec"))))
"""
    env = {"AML_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.slow
def test_local_n_starts_a_cluster_of_its_own_for_the_job(store, tmp_path, monkeypatch):
    data = write_data(tmp_path / "data")
    create_source(store, "single", data)
    monkeypatch.setenv("AML_DASK_SCHEDULER", "local:2")
    clustered = create_source(store, "clustered", data)
    assert clustered["Status"] == "COMPLETED"
    assert statistics_of(store, "clustered") == statistics_of(store, "single")
    assert "Running on the local Dask cluster of 2 processes" in log_text(store, "clustered")


def log_text(store, resource_id):
    from aml_cli.jobs import log_path

    return log_path(store, "DataSource", resource_id).read_text()


def train_both(store, tmp_path, on_cluster, parameters, data=None):
    """The same model trained on this machine and on the cluster, each evaluated on the same held-out 30%."""
    data = data or write_data(tmp_path / "data")
    create_source(store, "train", data, '{"splitting": {"percentBegin": 0, "percentEnd": 70}}')
    create_source(store, "test", data, '{"splitting": {"percentBegin": 70, "percentEnd": 100}}')
    found = {}
    for name in ("single", "clustered"):
        if name == "clustered":
            on_cluster.on()
        call("CreateMLModel", {"MLModelId": name, "MLModelType": "BINARY", "TrainingDataSourceId": "train",
                               "Parameters": parameters}, store)
        model = call("GetMLModel", {"MLModelId": name}, store)
        assert model["Status"] == "COMPLETED", model.get("Message")
        call("CreateEvaluation", {"EvaluationId": f"ev-{name}", "MLModelId": name, "EvaluationDataSourceId": "test"},
             store)
        auc = float(call("GetEvaluation", {"EvaluationId": f"ev-{name}"}, store)["PerformanceMetrics"]["Properties"][
            "BinaryAUC"])
        found[name] = (model, auc)
    return found


def weights_of(store, model_id):
    from aml_cli.ml.model_file import load_model

    return load_model(Path(store.get("MLModel", model_id)["_model_path"])).weights


def test_a_model_of_few_features_trained_on_the_cluster_is_newtons_optimum_as_on_one_machine(store, tmp_path,
                                                                                             on_cluster):
    # a given L2 is the prior (no cross-validation): the passes are sums over the partitions
    found = train_both(store, tmp_path, on_cluster, {"sgd.maxPasses": "10", "sgd.l2RegularizationAmount": "1e-3"})
    assert "Newton's sums over" in log_of(store, "MLModel", "clustered")
    assert "passes (the next Newton step would lower" in log_of(store, "MLModel", "clustered")  # its own rule
    np.testing.assert_allclose(weights_of(store, "clustered"), weights_of(store, "single"), rtol=1e-4, atol=1e-5)
    assert found["clustered"][1] == pytest.approx(found["single"][1], abs=1e-4)
    assert found["clustered"][0]["SizeInBytes"] == found["single"][0]["SizeInBytes"]


def test_a_small_table_whose_prior_is_cross_validated_learns_on_the_gathered_rows_as_on_one_machine(
        store, tmp_path, on_cluster):
    found = train_both(store, tmp_path, on_cluster, {})
    log = log_of(store, "MLModel", "clustered")
    assert "the rows gathered to this process (the prior's cross-validation keeps them in memory)" in log
    assert "chosen by the evidence, then cross-validation" in log_of(store, "MLModel", "single")
    np.testing.assert_array_equal(weights_of(store, "clustered"), weights_of(store, "single"))
    assert found["clustered"][1] == found["single"][1]


@pytest.mark.slow
def test_an_sgd_model_trained_on_the_cluster_by_parameter_mixing_scores_as_well(store, tmp_path, on_cluster):
    found = train_both(store, tmp_path, on_cluster, {"sgd.l1RegularizationAmount": "1e-6"})  # L1: SGD's path
    assert "SGD with parameter mixing over 2 workers" in log_of(store, "MLModel", "clustered")
    # the batches mixed together follow their index, not the scheduler's placement: a second training is the same
    call("CreateMLModel", {"MLModelId": "again", "MLModelType": "BINARY", "TrainingDataSourceId": "train",
                           "Parameters": {"sgd.l1RegularizationAmount": "1e-6"}}, store)
    np.testing.assert_array_equal(weights_of(store, "again"), weights_of(store, "clustered"))
    assert found["clustered"][1] == pytest.approx(found["single"][1], abs=0.01)
    assert found["clustered"][1] > 0.85


def log_of(store, kind, resource_id):
    from aml_cli.jobs import log_path

    return log_path(store, kind, resource_id).read_text()


def test_a_small_text_model_trained_on_the_cluster_gathers_its_rows_for_newton_cg(store, tmp_path, on_cluster):
    rng = np.random.default_rng(7)
    data = write_data(tmp_path / "data")
    for path in (data / "a.csv", data / "c.csv"):  # many distinct words: more than Newton's 1,024 features
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table["note"] = [" ".join(f"word{n}" for n in rng.integers(0, 4000, 6)) for _ in range(len(table))]
        table.to_csv(path, index=False, lineterminator="\n")
    found = train_both(store, tmp_path, on_cluster, {}, data)
    assert "the rows gathered to this process" in log_of(store, "MLModel", "clustered")
    np.testing.assert_allclose(weights_of(store, "clustered"), weights_of(store, "single"), rtol=1e-3, atol=1e-4)
    assert found["clustered"][1] == pytest.approx(found["single"][1], abs=1e-3)


def _cluster_model(store, model_id, parameters):
    call("CreateMLModel", {"MLModelId": model_id, "MLModelType": "BINARY", "TrainingDataSourceId": "train",
                           "Parameters": parameters}, store)
    record = store.get("MLModel", model_id)
    assert record["Status"] == "COMPLETED", record.get("Message")
    assert "SGD with parameter mixing over 2 workers" in log_of(store, "MLModel", model_id)
    return record


@pytest.mark.slow
def test_on_the_cluster_passes_shuffling_l2_and_the_size_cap_keep_their_meaning(store, tmp_path, on_cluster,
                                                                                 monkeypatch):
    import re

    from aml_cli.ml import newton_cg

    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)  # rows too many to keep in memory, as if: SGD by mixing

    rng = np.random.default_rng(4)
    data = tmp_path / "wide"
    data.mkdir()
    rows = 3000
    words = [" ".join(f"w{n}" for n in rng.integers(0, 30_000, size=6)) for _ in range(rows)]
    x = rng.normal(size=rows)
    label = np.where(x + rng.normal(scale=0.5, size=rows) > 0, "yes", "no")
    pd.DataFrame({"row_id": [f"r{i}" for i in range(rows)], "x": x.round(5), "y": rng.normal(size=rows).round(5),
                  "color": rng.choice(["red", "blue"], rows), "note": words, "label": label}).to_csv(
        data / "a.csv", index=False, lineterminator="\n")
    on_cluster.on()
    create_source(store, "train", data)
    two = log_of(store, "MLModel", _cluster_model(store, "two", {"sgd.maxPasses": "2"})["MLModelId"])
    assert "Pass 2: mean training loss" in two and "Pass 3:" not in two
    plain, ridge = (weights_of(store, _cluster_model(store, name, extra)["MLModelId"]) for name, extra in (
        ("plain", {"sgd.maxPasses": "3"}), ("ridge", {"sgd.maxPasses": "3", "sgd.l2RegularizationAmount": "0.1"})))
    assert np.abs(ridge).sum() < 0.5 * np.abs(plain).sum()  # L2 shrinks the weights as on one machine
    shuffled = weights_of(store, _cluster_model(store, "shuffled", {"sgd.maxPasses": "3", "sgd.shuffleType": "auto"})[
        "MLModelId"])
    assert np.isfinite(shuffled).all() and np.abs(shuffled).sum() > 0  # how a partition is shuffled: test below
    capped = _cluster_model(store, "capped", {"sgd.maxPasses": "3", "sgd.maxMLModelSizeInBytes": "100000"})
    assert Path(capped["_model_path"]).stat().st_size <= 100_000 < Path(store.get("MLModel", "plain")[
        "_model_path"]).stat().st_size
    assert re.search(r"Pruned \d+ of \d+ non-zero weights", log_of(store, "MLModel", "capped"))


def test_a_shuffled_partition_is_cut_in_its_seeds_order_and_an_unshuffled_one_in_file_order():
    import scipy.sparse as sp

    from aml_cli.ml.cluster.training import Features, batches_of

    rows = 500
    parts = [(sp.random(250, 40, density=0.1, format="csr", dtype=np.float32, random_state=k),
              np.arange(250 * k, 250 * (k + 1), dtype=np.float64)) for k in range(2)]
    features = Features(parts, skipped=0)

    def order(seed):
        return np.concatenate([b.y for b in batches_of(features, 64, 40, 1, None, "BINARY", 0.0, 1.0, seed)])

    np.testing.assert_array_equal(order(None), np.arange(rows))
    shuffled = order(7)
    assert sorted(shuffled.tolist()) == list(range(rows)) and not np.array_equal(shuffled, np.arange(rows))
    np.testing.assert_array_equal(order(7), shuffled)  # the seed's order, every time
    assert not np.array_equal(order(8), shuffled)
