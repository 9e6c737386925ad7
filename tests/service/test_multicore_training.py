"""Training on several threads (pass 0 parsed and featurized on the reading threads, batches cut on the
pool) writes the one-thread model file byte for byte, over a file of many chunks with invalid records."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

from aml_cli.jobs import threads as threads_setting
from aml_cli.ml import newton_cg
from aml_cli.service import call
from aml_cli.service.machinelearning import reading
from tests.service.models_conftest import create_model, create_source, record_of, schema_text, sync_jobs


def wordy_csv(path, rows: int = 3000, seed: int = 5):
    """Thousands of distinct words (too many features for Newton's method), a few invalid records."""
    rng = np.random.default_rng(seed)
    lines = ["row_id,age,city,review,label"]
    for i in range(rows):
        words = rng.integers(0, 2500, rng.integers(1, 6))
        label = int(rng.random() < 1 / (1 + np.exp(-(words % 7 - 3).mean())))
        age = f"{rng.normal(40, 10):.3f}" if i % 13 else ""
        lines.append(f"r{i},{age},c{rng.integers(0, 40)},{' '.join(f'w{w}' for w in words)},{label}")
        if i % 400 == 9:
            lines.append(f"r{i}b,forty,c1,bad number,1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SCHEMA = schema_text({"row_id": "CATEGORICAL", "age": "NUMERIC", "city": "CATEGORICAL", "review": "TEXT",
                      "label": "BINARY"}, target="label")


@pytest.mark.parametrize("solver", ["sgd", "newton-cg"])
def test_a_model_trained_on_several_threads_is_the_one_thread_model(tmp_path, monkeypatch, store, solver):
    if solver == "sgd":
        monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)  # rows too many to keep in memory, as if: SGD
    data = wordy_csv(tmp_path / "wordy.csv")
    with sync_jobs():
        create_source(store, "train", data, SCHEMA)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 4096)  # dozens of blocks, parsed and featurized out of order
    files = []
    for threads in (1, 3):
        monkeypatch.setattr(threads_setting, "CONFIGURED", threads)  # AML_WORKER_THREADS, as read at start
        with sync_jobs():
            create_model(store, f"model-{threads}", "train", "BINARY")
        record = record_of(store, "MLModel", f"model-{threads}")
        assert record["Status"] == "COMPLETED", record.get("Message")
        files.append(Path(record["_model_path"]).read_bytes())
    log = Path(urlparse(call("GetMLModel", {"MLModelId": "model-3"}, store)["LogUri"]).path).read_text()
    assert ("whitened basis" in log) == (solver == "sgd") and ("conjugate gradients" in log) == (solver != "sgd")
    assert "Reading and featurizing on 3 threads" in log
    assert files[0] == files[1]
