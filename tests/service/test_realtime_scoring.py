"""Predict scores with the record scorer: the full model's answers, damaged files refused, no numpy in `aml predict`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aml_cli.api.errors import InternalServerException
from aml_cli.ml.model_file import load_model
from aml_cli.ml.record_scoring import RecordScorer
from aml_cli.service import call
from aml_cli.service.machinelearning import model_cache
from aml_cli.service.machinelearning.realtime import ENDPOINT_URL
from aml_cli.store import Store
from tests.ml.record_models import forge
from tests.service.models_conftest import record_of, tiny_frame, tiny_model

HEAVY = ("numpy", "pandas", "scipy")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test's models are new files; nothing loaded by another test may answer."""
    model_cache._scorer.cache_clear()
    model_cache._load.cache_clear()
    yield
    model_cache._scorer.cache_clear()
    model_cache._load.cache_clear()


def predict(store: Store, model_id: str, record: dict) -> dict:
    request = {"MLModelId": model_id, "Record": record, "PredictEndpoint": ENDPOINT_URL}
    return call("Predict", request, store)["Prediction"]


def mounted(store: Store, folder: Path, model_id: str, kind: str) -> str:
    tiny_model(store, folder, model_id, kind)
    call("CreateRealtimeEndpoint", {"MLModelId": model_id}, store)
    return record_of(store, "MLModel", model_id)["_model_path"]


def records(kind: str) -> list[dict[str, str]]:
    frame, columns, target = tiny_frame(kind, 30)
    rows = [{k: "" if v != v else str(v) for k, v in row.items() if k != target} for row in frame.to_dict("records")]
    return [*rows, {}, {"nothing": "known"}, dict.fromkeys(columns, "?!")]


@pytest.mark.parametrize("kind", ["BINARY", "MULTICLASS", "REGRESSION"])
def test_predict_answers_as_the_full_model(tmp_path, kind):
    store = Store()
    path = mounted(store, tmp_path, "m", kind)
    assert isinstance(model_cache.loaded_scorer(record_of(store, "MLModel", "m")), RecordScorer)
    model = load_model(Path(path))
    for record in records(kind):
        found, expected = predict(store, "m", record), model.predict_record(record)
        assert found.keys() == expected.keys() and found["details"] == expected["details"]
        if kind == "REGRESSION":
            assert found["predictedValue"] == expected["predictedValue"]
        else:
            assert found["predictedLabel"] == expected["predictedLabel"]
            assert found["predictedScores"].keys() == expected["predictedScores"].keys()
            for label, p in expected["predictedScores"].items():
                assert found["predictedScores"][label] == pytest.approx(p, abs=2.0**-50, rel=0)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_predict_refuses_a_damaged_model_file(tmp_path, damage):
    store = Store()
    path = Path(mounted(store, tmp_path, "m", "BINARY"))
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0x01
    else:
        del blob[-64:]
    path.write_bytes(bytes(blob))
    with pytest.raises(InternalServerException, match="damaged and was refused"):
        predict(store, "m", records("BINARY")[0])
    assert call("GetMLModel", {"MLModelId": "m"}, store)["Status"] == "COMPLETED"  # metadata still answers


def test_a_file_only_the_full_model_reads_is_predicted_by_it(tmp_path):
    store = Store()
    path = Path(mounted(store, tmp_path, "m", "MULTICLASS"))
    # the featurizer's type of a variable differs from the schema's: a state the record scorer leaves alone
    forge(path, lambda header, arrays: header["featurizer"]["variables"].update(colour="TEXT"))
    assert not isinstance(model_cache.loaded_scorer(record_of(store, "MLModel", "m")), RecordScorer)
    model = load_model(path)
    assert [predict(store, "m", r) for r in records("MULTICLASS")] == [model.predict_record(r)
                                                                      for r in records("MULTICLASS")]


def test_aml_predict_imports_neither_numpy_pandas_nor_scipy(tmp_path, aml_home):
    store = Store()
    mounted(store, tmp_path, "m", "BINARY")
    record = ",".join(f"{k}={v}" for k, v in records("BINARY")[0].items() if v and "," not in v)
    probe = (
        "import json, sys\n"
        "from aml_cli.cli.main import run\n"
        f"code = run(['predict', '--ml-model-id', 'm', '--record', {record!r}, '--predict-endpoint', 'https://x'])\n"
        f"print(json.dumps([code, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "AML_HOME": str(aml_home)}, check=True)
    code, heavy = json.loads(done.stdout.splitlines()[-1])
    assert code == 0 and heavy == []
    assert "predictedLabel" in done.stdout
