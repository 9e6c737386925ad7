"""Shared material for the service tests of models, evaluations, batch and real-time predictions, tags.

Not a conftest (tests/service/conftest.py belongs to another suite): test
modules import what they need. The expensive part, a store with one trained
model per type plus its evaluation, batch prediction and endpoint, is built
once per session by `trained_world` and must only be read by the tests.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import aml_cli
from aml_cli.jobs import reap
from aml_cli.service import call
from aml_cli.store import Store

DEMO = Path(aml_cli.__file__).parent / "demo"
KINDS = ("DataSource", "MLModel", "Evaluation", "BatchPrediction")
FINAL = {"COMPLETED", "FAILED", "DELETED"}
GET = {"DataSource": "GetDataSource", "MLModel": "GetMLModel", "Evaluation": "GetEvaluation",
       "BatchPrediction": "GetBatchPrediction"}
ID_MEMBER = {"DataSource": "DataSourceId", "MLModel": "MLModelId", "Evaluation": "EvaluationId",
             "BatchPrediction": "BatchPredictionId"}


@contextlib.contextmanager
def sync_jobs(flag: bool = True) -> Iterator[None]:
    """Jobs run inside this process (True) or in detached workers (False) for the block."""
    from tests.conftest import jobs_inline

    with jobs_inline(flag):
        yield


# -- data -----------------------------------------------------------------------------------------


def schema_text(columns: dict[str, str], target: str | None, row_id: str | None = "row_id") -> str:
    """An Amazon ML schema for a CSV with a header whose columns are `columns` (name -> type)."""
    document = {
        "version": "1.0",
        "rowId": row_id,
        "targetAttributeName": target,
        "dataFormat": "CSV",
        "dataFileContainsHeader": True,
        "attributes": [{"attributeName": name, "attributeType": kind} for name, kind in columns.items()],
        "excludedAttributeNames": [],
    }
    if target is None:
        del document["targetAttributeName"]
    if row_id is None:
        del document["rowId"]
    return json.dumps(document, indent=2)


def sklearn_frame(model_type: str) -> tuple[pd.DataFrame, dict[str, str], str]:
    """(frame with a `row_id` first, column types, target name) from scikit-learn's offline datasets."""
    from sklearn import datasets

    if model_type == "BINARY":
        bunch, target, kind = datasets.load_breast_cancer(), "malignant", "BINARY"
        values = np.where(bunch.target == 0, "yes", "no")  # class 0 of the bunch is malignant
    elif model_type == "MULTICLASS":
        bunch, target, kind = datasets.load_iris(), "species", "CATEGORICAL"
        values = np.asarray(bunch.target_names)[bunch.target]
    else:
        bunch, target, kind = datasets.load_diabetes(scaled=False), "progression", "NUMERIC"
        values = bunch.target
    names = [str(name).replace(" ", "_").replace("(", "").replace(")", "") for name in bunch.feature_names]
    frame = pd.DataFrame(bunch.data, columns=names)
    frame.insert(0, "row_id", [f"r{i}" for i in range(len(frame))])
    frame[target] = values
    columns = {"row_id": "CATEGORICAL", **dict.fromkeys(names, "NUMERIC"), target: kind}
    return frame, columns, target


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- service shortcuts ----------------------------------------------------------------------------


def create_source(store: Store, source_id: str, data: Path | str, schema: str, *, stats: bool = True,
                  rearrangement: str | None = None) -> str:
    spec = {"DataLocationS3": str(data), "DataSchema": schema}
    if rearrangement is not None:
        spec["DataRearrangement"] = rearrangement
    call("CreateDataSourceFromS3", {"DataSourceId": source_id, "DataSpec": spec, "ComputeStatistics": stats}, store)
    return source_id


def create_model(store: Store, model_id: str, source_id: str, model_type: str, **members) -> str:
    request = {"MLModelId": model_id, "MLModelType": model_type, "TrainingDataSourceId": source_id, **members}
    call("CreateMLModel", request, store)
    return model_id


def record_of(store: Store, kind: str, resource_id: str) -> dict:
    record = store.get(kind, resource_id)
    assert record is not None, f"{kind} {resource_id} does not exist"
    return record


def wait_final(store: Store, kind: str, resource_id: str, timeout: float = 60.0) -> dict:
    """Polls (as every reader does, reaping dead workers) until the resource is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap(store)
        record = record_of(store, kind, resource_id)
        if record["Status"] in FINAL:
            return record
        time.sleep(0.05)
    raise AssertionError(f"{kind} {resource_id} still {record_of(store, kind, resource_id)['Status']}")


def wait_status(store: Store, kind: str, resource_id: str, wanted: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = record_of(store, kind, resource_id)
        if record["Status"] == wanted:
            return record
        if record["Status"] in FINAL:
            raise AssertionError(f"{kind} {resource_id} reached {record['Status']}, not {wanted}")
        time.sleep(0.01)
    raise AssertionError(f"{kind} {resource_id} never reached {wanted}")


def wait_idle(store: Store, timeout: float = 60.0) -> None:
    """No job queued or running: no worker of this test outlives it."""
    deadline = time.monotonic() + timeout
    query = "SELECT COUNT(*) FROM jobs WHERE state != 'done'"
    while store.read(lambda conn: conn.execute(query).fetchone()[0]):
        if time.monotonic() > deadline:
            raise AssertionError("jobs still active")
        reap(store)
        time.sleep(0.05)


def job_pid(store: Store, kind: str, resource_id: str) -> int | None:
    query = "SELECT pid FROM jobs WHERE kind = ? AND resource_id = ? ORDER BY seq DESC LIMIT 1"
    row = store.read(lambda conn: conn.execute(query, (kind, resource_id)).fetchone())
    return None if row is None else row[0]


def snapshot(store: Store) -> dict:
    """Every record and job row, to show that a refused request changed nothing."""
    jobs = store.read(lambda conn: conn.execute("SELECT job_id, state FROM jobs ORDER BY seq").fetchall())
    return {"records": {kind: store.list(kind) for kind in KINDS}, "jobs": jobs}


def read_result(path: Path) -> list[str]:
    """A batch result file's lines (header first), blank lines kept."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return handle.read().split("\n")[:-1]


def result_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = read_result(path)
    return next(csv.reader([lines[0]])), [next(csv.reader([line])) if line else [] for line in lines[1:]]


def csv_records(path: Path) -> list[dict[str, str]]:
    """The raw string fields of each CSV row, as Predict's Record receives them."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def model_scores(store: Store, model_id: str, data: Path, schema: str) -> np.ndarray:
    """The model's unrounded scores for every valid record of `data`, read as batch prediction reads it."""
    from aml_cli.ml.model_file import load_model
    from aml_cli.ml.reader import iter_chunks
    from aml_cli.ml.schema import parse_schema

    model = load_model(Path(record_of(store, "MLModel", model_id)["_model_path"]))
    parts = [model.predict_frame(chunk.frame) for chunk in iter_chunks([Path(data)], parse_schema(schema))]
    return np.concatenate(parts)


# -- the shared world -----------------------------------------------------------------------------

TYPES = ("BINARY", "MULTICLASS", "REGRESSION")
SHORT = {"BINARY": "bin", "MULTICLASS": "multi", "REGRESSION": "reg"}


@dataclass
class Dataset:
    model_type: str
    target: str
    columns: dict[str, str]
    schema: str
    train: Path
    test: Path
    test_frame: pd.DataFrame


@dataclass
class World:
    """A store with, per type: data sources `<t>-train`/`<t>-test`, model `<t>` (endpoint READY),
    evaluation `ev-<t>` and batch prediction `bp-<t>` written under `out/<t>`; plus the demo's
    churn model `churn` (no endpoint) on the 70% split `churn-train`."""

    home: Path
    store: Store
    data: dict[str, Dataset] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    created: dict[str, float] = field(default_factory=dict)


def make_dataset(folder: Path, model_type: str) -> Dataset:
    frame, columns, target = sklearn_frame(model_type)
    test_rows = np.arange(len(frame)) % 3 == 0
    train = write_csv(folder / f"{SHORT[model_type]}-train.csv", frame[~test_rows])
    test = write_csv(folder / f"{SHORT[model_type]}-test.csv", frame[test_rows])
    schema = schema_text(columns, target)
    return Dataset(model_type, target, columns, schema, train, test, frame[test_rows].reset_index(drop=True))


def build_world(home: Path) -> World:
    """Trains everything once, in sync mode; about two seconds."""
    previous = os.environ.get("AML_HOME")
    world = World(home, Store(home / "aml-home"))
    store = world.store
    try:
        os.environ["AML_HOME"] = str(store.home)
        with sync_jobs():
            for model_type in TYPES:
                short = SHORT[model_type]
                data = world.data[short] = make_dataset(home / "data", model_type)
                create_source(store, f"{short}-train", data.train, data.schema)
                create_source(store, f"{short}-test", data.test, data.schema, stats=False)
                create_model(store, short, f"{short}-train", model_type, MLModelName=f"{short} model")
                world.created[short] = record_of(store, "MLModel", short)["CreatedAt"]
                call("CreateRealtimeEndpoint", {"MLModelId": short}, store)
                call("CreateEvaluation", {"EvaluationId": f"ev-{short}", "MLModelId": short,
                                          "EvaluationDataSourceId": f"{short}-test",
                                          "EvaluationName": f"{short} evaluation"}, store)
                world.outputs[short] = home / "out" / short
                call("CreateBatchPrediction", {"BatchPredictionId": f"bp-{short}", "MLModelId": short,
                                               "BatchPredictionDataSourceId": f"{short}-test",
                                               "OutputUri": str(world.outputs[short]),
                                               "BatchPredictionName": f"{short} batch"}, store)
            churn_schema = (DEMO / "churn.schema").read_text()
            split = '{"splitting": {"percentBegin": 0, "percentEnd": 70}}'
            create_source(store, "churn-train", DEMO / "churn.csv.gz", churn_schema, rearrangement=split)
            create_model(store, "churn", "churn-train", "BINARY", MLModelName="churn demo")
    finally:
        if previous is None:
            os.environ.pop("AML_HOME", None)
        else:
            os.environ["AML_HOME"] = previous
    for kind in KINDS:
        for record in store.list(kind):
            assert record["Status"] == "COMPLETED", (kind, record.get("Message"))
    return world


_WORLD: list[World] = []


def trained_world(tmp_path_factory) -> World:
    """The session's one World (built on first use)."""
    if not _WORLD:
        _WORLD.append(build_world(tmp_path_factory.mktemp("world")))
    return _WORLD[0]


# -- small, per-test data -------------------------------------------------------------------------


def tiny_frame(model_type: str, rows: int = 60, seed: int = 0) -> tuple[pd.DataFrame, dict[str, str], str]:
    """A small learnable dataset: x1, x2 NUMERIC, colour CATEGORICAL, and a target of the type's kind."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    colour = rng.choice(["red", "green", "blue"], size=rows)
    frame = pd.DataFrame({"row_id": [f"t{i}" for i in range(rows)], "x1": x1.round(4), "x2": x2.round(4),
                          "colour": colour})
    if model_type == "BINARY":
        frame["y"], kind = np.where(x1 + 0.3 * rng.normal(size=rows) > 0, "1", "0"), "BINARY"
    elif model_type == "MULTICLASS":
        frame["y"], kind = np.where(x1 > 0.5, "high", np.where(x1 < -0.5, "low", "mid")), "CATEGORICAL"
    else:
        frame["y"], kind = (3 * x1 - x2 + 0.1 * rng.normal(size=rows)).round(4), "NUMERIC"
    return frame, {"row_id": "CATEGORICAL", "x1": "NUMERIC", "x2": "NUMERIC", "colour": "CATEGORICAL",
                   "y": kind}, "y"


def tiny_source(store: Store, folder: Path, source_id: str, model_type: str, *, stats: bool = True,
                rows: int = 60) -> str:
    frame, columns, target = tiny_frame(model_type, rows)
    path = write_csv(folder / f"{source_id}.csv", frame)
    return create_source(store, source_id, path, schema_text(columns, target), stats=stats)


def tiny_model(store: Store, folder: Path, model_id: str, model_type: str, **members) -> str:
    """A trained model of `model_type` on its own tiny data source `<model_id>-ds` (sync mode)."""
    with sync_jobs():
        source = tiny_source(store, folder, f"{model_id}-ds", model_type)
        create_model(store, model_id, source, model_type, **members)
    assert record_of(store, "MLModel", model_id)["Status"] == "COMPLETED"
    return model_id
