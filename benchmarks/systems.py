"""The four systems of the training benchmark, each from a training CSV to scores of the test CSV.

- ``aml``: statistics, the default recipe, default parameters (10 passes at most), as a data source with
  ComputeStatistics and CreateMLModel would run them; the time includes the statistics' read.
- ``sklearn-converged``: ``read_csv``, then quantile bins (10, median-imputed) and standardised values of
  every number, one-hot categories and binaries, binary 1-2-gram counts of every text column
  (``CountVectorizer(binary=True, ngram_range=(1, 2))``); ``LogisticRegression`` / ``Ridge`` at their
  default regularisation, run to convergence.
- ``sklearn-sgd``: the same features, ``SGDClassifier(log_loss)`` / ``SGDRegressor``, 10 passes.
- ``vw``: the CSV converted to VW's text format (timed), numbers as they are, categories as names, each
  text column a namespace ``t...`` with word pairs (``--ngram t2``); logistic / ``--oaa`` / squared loss,
  10 passes, no holdout, no quadratic features.

Each returns ``(seconds, metric, log loss)``: AUC, macro F1 or RMSE; the log loss of the predicted
probabilities for BINARY and MULTICLASS (NaN for REGRESSION).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

EPSILON = 1e-15  # probabilities are clipped here before the log, for every system alike


def log_loss(truth: np.ndarray, proba: np.ndarray, labels: list) -> float:
    """Mean -log p(true class); BINARY when ``proba`` is one column of P(1). Unknown classes count as EPSILON."""
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1:
        p = np.where(np.asarray(truth, dtype=np.float64) == 1, proba, 1.0 - proba)
    else:
        index = pd.Index(list(labels)).get_indexer(np.asarray(truth, dtype=object))
        p = np.where(index >= 0, proba[np.arange(len(index)), np.maximum(index, 0)], 0.0)
    return float(np.mean(-np.log(np.clip(p, EPSILON, 1.0))))


def scores(kind: str, truth: np.ndarray, predicted: np.ndarray, labels: list) -> tuple[float, float]:
    """(metric, log loss) from P(1) (BINARY), class probabilities in ``labels`` order, or values."""
    from aml_cli.ml import metrics

    if kind == "BINARY":
        return metrics.binary_auc(truth, predicted), log_loss(truth, predicted, labels)
    if kind == "MULTICLASS":
        best = np.asarray(labels, dtype=object)[np.asarray(predicted).argmax(axis=1)]
        return metrics.macro_f1(truth, best, labels), log_loss(truth, predicted, labels)
    return metrics.rmse(truth, predicted), float("nan")


def truth_of(frame: pd.DataFrame, meta: dict) -> np.ndarray:
    from aml_cli.ml.binary import parse_binary

    values = frame[meta["target"]]
    if meta["model_type"] == "BINARY":
        return parse_binary(values.astype(str)).values
    if meta["model_type"] == "MULTICLASS":
        return values.astype(str).to_numpy(dtype=object)
    return values.astype(float).to_numpy()


def columns_of(meta: dict) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"NUMERIC": [], "CATEGORICAL": [], "TEXT": [], "BINARY": []}
    for attribute in meta["schema"]["attributes"]:
        if attribute["attributeName"] != meta["target"]:
            kinds[attribute["attributeType"]].append(attribute["attributeName"])
    return kinds


def read(path: Path, meta: dict) -> pd.DataFrame:
    """The CSV typed as the schema says; missing text and categories are empty strings."""
    kinds = columns_of(meta)
    dtypes = {c: str for c in kinds["CATEGORICAL"] + kinds["TEXT"] + kinds["BINARY"]}
    dtypes.update({c: np.float64 for c in kinds["NUMERIC"]})
    frame = pd.read_csv(path, dtype={**dtypes, meta["target"]: str})
    for c in dtypes:
        if dtypes[c] is str:
            frame[c] = frame[c].fillna("")
    return frame


# ---------------------------------------------------------------- aml


def run_aml(where: Path, meta: dict) -> tuple[float, float, float]:
    from aml_cli.ml.default_recipe import default_recipe
    from aml_cli.ml.model_file import load_model
    from aml_cli.ml.parameters import TrainingSettings
    from aml_cli.ml.reader import iter_chunks
    from aml_cli.ml.schema import parse_schema
    from aml_cli.ml.statistics import StatisticsAccumulator
    from aml_cli.ml.train import train_model

    schema = parse_schema(json.dumps(meta["schema"]))
    train = [where / "train.csv"]
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        accumulator = StatisticsAccumulator(schema)
        for chunk in iter_chunks(train, schema):
            accumulator.update(chunk)
        statistics = accumulator.result()
        train_model(
            chunks=lambda: (chunk.frame for chunk in iter_chunks(train, schema)),
            schema=schema, statistics=statistics, recipe_text=default_recipe(schema, statistics),
            model_type=meta["model_type"], settings=TrainingSettings(), seed="bench", cache_dir=Path(scratch),
            out_path=Path(scratch) / "model.aml", log=lambda line: None,
        )
        seconds = time.perf_counter() - started
        model = load_model(Path(scratch) / "model.aml")
    return (seconds, *aml_scores(model, where, meta))


def run_aml_commands(where: Path, meta: dict) -> tuple[float, float, float]:
    """aml as a user runs it: ``create-data-source-from-s3 --compute-statistics``, then ``create-ml-model``,
    each a ``python -m aml_cli --sync`` process (its job runs in it, on ``AML_WORKER_THREADS`` threads, with
    the job's chunk size); timed together. The caller's ``RUSAGE_CHILDREN`` is then the larger of the two
    processes' peaks."""
    import os
    import subprocess
    import sys

    from aml_cli.ml.model_file import load_model

    with tempfile.TemporaryDirectory(dir=where) as scratch:
        home, schema_path = Path(scratch) / "home", Path(scratch) / "train.csv.schema"
        schema_path.write_text(json.dumps(meta["schema"]))
        env = {**os.environ, "AML_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        spec = f"DataLocationS3={where / 'train.csv'},DataSchemaLocationS3={schema_path}"
        steps = [["create-data-source-from-s3", "--data-source-id", "ds", "--compute-statistics", "--data-spec", spec],
                 ["create-ml-model", "--ml-model-id", "ml", "--ml-model-type", meta["model_type"],
                  "--training-data-source-id", "ds"]]
        started = time.perf_counter()
        for step in steps:
            subprocess.run([sys.executable, "-m", "aml_cli", "--sync", *step], env=env, check=True,
                           capture_output=True)
        seconds = time.perf_counter() - started
        found = subprocess.run([sys.executable, "-m", "aml_cli", "get-ml-model", "--ml-model-id", "ml"], env=env,
                               check=True, capture_output=True, text=True)
        if json.loads(found.stdout)["Status"] != "COMPLETED":
            raise RuntimeError(f"the model is {json.loads(found.stdout)['Status']}")
        model = load_model(next(home.rglob("*.amlmodel")))
    return (seconds, *aml_scores(model, where, meta))


def aml_scores(model, where: Path, meta: dict) -> tuple[float, float]:
    """(metric, log loss) of an aml model on test.csv, read by aml's own reader."""
    from aml_cli.ml.reader import iter_chunks
    from aml_cli.ml.schema import parse_schema

    schema = parse_schema(json.dumps(meta["schema"]))
    truths, predicted = [], []
    for chunk in iter_chunks([where / "test.csv"], schema):  # aml's own reading of the test file
        truths.append(model.encode_targets(chunk.frame[schema.target]))
        predicted.append(model.predict_frame(chunk.frame))
    truth = np.concatenate(truths)
    known = ~np.isnan(truth.astype(np.float64))
    if meta["model_type"] == "MULTICLASS":  # class indices; -1 (a class training never saw) stays, as a miss
        truth = np.array([*model.labels, None], dtype=object)[truth.astype(np.int64)]
    return scores(meta["model_type"], truth[known], np.concatenate(predicted)[known], model.labels)


# ---------------------------------------------------------------- scikit-learn


def sklearn_features(meta: dict):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, StandardScaler

    kinds = columns_of(meta)
    parts = []
    if kinds["NUMERIC"]:
        binner = KBinsDiscretizer(n_bins=10, encode="onehot", strategy="quantile", subsample=200_000)
        parts.append(("bins", make_pipeline(SimpleImputer(strategy="median"), binner), kinds["NUMERIC"]))
        scaled = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        parts.append(("numbers", scaled, kinds["NUMERIC"]))
    categorical = kinds["CATEGORICAL"] + kinds["BINARY"]
    if categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    for column in kinds["TEXT"]:
        parts.append((f"text_{column}", CountVectorizer(binary=True, ngram_range=(1, 2)), column))
    return ColumnTransformer(parts, sparse_threshold=1.0)


def run_sklearn(where: Path, meta: dict, converged: bool) -> tuple[float, float, float]:
    import warnings

    from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor

    warnings.filterwarnings("ignore")
    kind = meta["model_type"]
    started = time.perf_counter()
    frame = read(where / "train.csv", meta)
    y = truth_of(frame, meta)
    keep = ~pd.isna(y)
    features = sklearn_features(meta)
    X = features.fit_transform(frame[keep])
    y = y[keep]
    mean, scale = (float(np.mean(y)), float(np.std(y))) if kind == "REGRESSION" else (0.0, 1.0)
    if kind == "REGRESSION":
        model = Ridge(alpha=1.0) if converged else SGDRegressor(max_iter=10, tol=None, random_state=0)
        model.fit(X, (y - mean) / scale)
    elif converged:
        model = LogisticRegression(max_iter=5000).fit(X, y)
    else:
        model = SGDClassifier(loss="log_loss", max_iter=10, tol=None, random_state=0).fit(X, y)
    seconds = time.perf_counter() - started
    test = read(where / "test.csv", meta)
    Xt = features.transform(test)
    if kind == "REGRESSION":
        predicted, labels = mean + scale * model.predict(Xt), []
    elif kind == "BINARY":
        predicted, labels = model.predict_proba(Xt)[:, list(model.classes_).index(1.0)], [0, 1]
    else:
        predicted, labels = model.predict_proba(Xt), list(model.classes_)
    return (seconds, *scores(kind, truth_of(test, meta), predicted, labels))


# ---------------------------------------------------------------- Vowpal Wabbit


def _vw_name(text: pd.Series) -> pd.Series:
    return text.str.replace(r"[\s|:]+", "_", regex=True)


def to_vw(frame: pd.DataFrame, meta: dict, labels: list[str]) -> pd.Series:
    """VW text lines: label, then namespaces n (numbers), c (categories, binaries), t_<column> (tokens)."""
    kinds = columns_of(meta)
    y = truth_of(frame, meta)
    if meta["model_type"] == "BINARY":
        label = pd.Series(np.where(y == 1, "1", "-1"), index=frame.index)
    elif meta["model_type"] == "MULTICLASS":
        index = {name: str(i + 1) for i, name in enumerate(labels)}
        label = pd.Series([index.get(v, "1") for v in y], index=frame.index)
    else:
        label = pd.Series(y, index=frame.index).map(repr)
    line = label + " |n"
    for column in kinds["NUMERIC"]:
        values = frame[column]
        line = line + (" " + _vw_name(pd.Series(column, index=frame.index)) + ":" + values.map(repr)).where(
            values.notna(), "")
    line = line + " |c"
    for column in kinds["CATEGORICAL"] + kinds["BINARY"]:
        values = frame[column]
        line = line + (" " + _vw_name(pd.Series(column, index=frame.index)) + "=" + _vw_name(values)).where(
            values != "", "")
    for column in kinds["TEXT"]:
        tokens = frame[column].str.replace(r"[|:\s]+", " ", regex=True)
        line = line + " |t_" + _vw_name(pd.Series(column, index=frame.index)) + " " + tokens
    return line


def run_vw(where: Path, meta: dict) -> tuple[float, float, float]:
    from vowpalwabbit import Workspace

    kind = meta["model_type"]
    with tempfile.TemporaryDirectory() as scratch:
        s = Path(scratch)
        started = time.perf_counter()
        frame = read(where / "train.csv", meta)
        frame = frame[~pd.isna(truth_of(frame, meta))]
        labels = sorted(set(truth_of(frame, meta))) if kind == "MULTICLASS" else [0, 1]
        (s / "train.vw").write_text("\n".join(to_vw(frame, meta, labels)) + "\n")
        loss = {"BINARY": "--loss_function logistic --link logistic",
                "MULTICLASS": f"--oaa {len(labels)} --loss_function logistic --probabilities",
                "REGRESSION": "--loss_function squared"}[kind]
        ngram = " --ngram t2" if columns_of(meta)["TEXT"] else ""
        args = f"-d {s / 'train.vw'} {loss}{ngram} --passes 10 -c --cache_file {s / 'cache'} -k --holdout_off"
        Workspace(f"{args} -f {s / 'model'} --quiet").finish()
        seconds = time.perf_counter() - started
        test = read(where / "test.csv", meta)
        (s / "test.vw").write_text("\n".join(to_vw(test, meta, labels)) + "\n")
        probabilities = " --probabilities" if kind == "MULTICLASS" else ""
        Workspace(f"-t -i {s / 'model'} -d {s / 'test.vw'} -p {s / 'pred'}{probabilities} --quiet").finish()
        lines = (s / "pred").read_text().split("\n")[: len(test)]
    if kind == "MULTICLASS":
        predicted = np.array([[float(item.split(":")[1]) for item in line.split()] for line in lines])
    else:
        predicted = np.array([float(line.split()[0]) for line in lines])
    return (seconds, *scores(kind, truth_of(test, meta), predicted, labels))
