"""Statistics and batch prediction on several threads give the one-thread results: the same statistics
document and the same output bytes, over files of many chunks with invalid records among them."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from aml_cli.service import call
from aml_cli.service.machinelearning import reading
from tests.service.models_conftest import create_model, create_source, schema_text, sync_jobs


def messy_csv(path, rows: int = 3000, seed: int = 3):
    """Mixed columns, with bad numbers, short rows, an open quote, a multi-line record, a non-ASCII word."""
    rng = np.random.default_rng(seed)
    words = ["good", "bad", "fast", "slow", "ok", "Fine.", "ÉTÉ", "x"]
    lines = ["row_id,age,city,review,member,label"]
    for i in range(rows):
        review = " ".join(rng.choice(words, rng.integers(0, 5)))
        if i % 97 == 5:
            review = f'"quoted, {review}"'
        age = f"{rng.normal(40, 10):.3f}" if i % 13 else ""
        line = f"r{i},{age},c{rng.integers(0, 40)},{review},{rng.choice(['yes', 'no', '1', '0'])},{i % 3 % 2}"
        if i % 211 == 7:
            line = f"r{i},forty,c1,bad number,yes,1"
        elif i % 307 == 11:
            line = f"r{i},1,c1"
        elif i % 401 == 13:
            line = f'r{i},1,c1,"open quote,yes,1'
        elif i % 503 == 17:
            line = f'r{i},2,c2,"two\nlines",no,0'
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SCHEMA = schema_text({"row_id": "CATEGORICAL", "age": "NUMERIC", "city": "CATEGORICAL", "review": "TEXT",
                      "member": "BINARY", "label": "BINARY"}, target="label")


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_BYTES", 4096)  # dozens of blocks, parsed out of order


def run_at(monkeypatch, threads: int, fn):
    from aml_cli.jobs import threads as setting

    monkeypatch.setattr(setting, "CONFIGURED", threads)  # AML_WORKER_THREADS, as a process reads it at start
    with sync_jobs():
        return fn()


def test_statistics_on_several_threads_are_the_one_thread_statistics(tmp_path, monkeypatch, small_chunks, store):
    data = messy_csv(tmp_path / "messy.csv")
    documents = []
    for threads in (1, 3):
        source = run_at(monkeypatch, threads, lambda t=threads: create_source(store, f"ds-{t}", data, SCHEMA))
        record = call("GetDataSource", {"DataSourceId": source}, store)
        assert record["Status"] == "COMPLETED", record.get("Message")
        document = call("ShowDataSourceStatistics", {"DataSourceId": source}, store)
        documents.append((json.dumps(document, sort_keys=True), record["DataSizeInBytes"]))
    assert documents[0] == documents[1]
    assert json.loads(documents[0][0])["invalid_rows"] > 20


def test_batch_prediction_on_several_threads_writes_the_one_thread_bytes(tmp_path, monkeypatch, small_chunks, store):
    data = messy_csv(tmp_path / "messy.csv")
    with sync_jobs():
        create_source(store, "train", data, SCHEMA)
        create_model(store, "model", "train", "BINARY")
        create_source(store, "score", data, SCHEMA, stats=False)
    outputs, counts = [], []
    for threads in (1, 3):
        out = tmp_path / f"out{threads}"
        run_at(monkeypatch, threads, lambda o=out, t=threads: call("CreateBatchPrediction", {
            "BatchPredictionId": f"bp{t}", "MLModelId": "model", "BatchPredictionDataSourceId": "score",
            "OutputUri": str(o)}, store))
        got = call("GetBatchPrediction", {"BatchPredictionId": f"bp{threads}"}, store)
        assert got["Status"] == "COMPLETED", got.get("Message")
        counts.append((got["TotalRecordCount"], got["InvalidRecordCount"]))
        outputs.append((out / "batch-prediction" / "result" / f"bp{threads}-messy.csv.gz").read_bytes())
    assert outputs[0] == outputs[1]
    assert counts[0] == counts[1] and counts[0][1] > 20
    lines = gzip.decompress(outputs[0]).decode().split("\n")
    assert len(lines) - 2 == counts[0][0]  # the header, one line per record, the final line end
    assert lines.count("") - 1 == counts[0][1]  # an empty line per invalid record
