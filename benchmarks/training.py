"""Training benchmark: aml against scikit-learn and Vowpal Wabbit on the same CSV files.

For each dataset (``datasets.py``) the rows are split 70/30 into train.csv and test.csv (seeded, fixed),
then each system (``systems.py``) goes from the training CSV to a trained model in its own process (so
its peak RSS is its own), and the model scores test.csv. Reported per dataset and system: the test metric
(AUC for BINARY, macro F1 for MULTICLASS, RMSE for REGRESSION), the log loss of the predicted
probabilities (BINARY, MULTICLASS), wall time from CSV to trained model and peak RSS; then, per dataset,
aml's gap to the converged scikit-learn model against the targets, and last the worst gap per type.

Targets (issue 16): BINARY AUC within 0.005 of converged and log loss within 5%; MULTICLASS macro F1 within
0.01 and log loss within 5%; REGRESSION RMSE within 2%; and never below scikit-learn's 10-pass SGD or VW.

    python benchmarks/training.py                       # churn, loans, diamonds, generated (700,000 train rows)
    python benchmarks/training.py --datasets all        # every real dataset, and the generated linear one
    python benchmarks/training.py --datasets text --systems aml,sklearn-converged
    python benchmarks/training.py --rows 10000000 --threads 1,2   # the generated set alone (7,000,000 train rows)

With ``--rows`` aml runs as a user runs it, ``create-data-source-from-s3 --compute-statistics`` then
``create-ml-model`` through ``python -m aml_cli --sync`` (peak RSS: the larger of those two processes'), once
per ``--threads`` value (``AML_WORKER_THREADS``); generated sets above 2,000,000 rows are written block by
block (``generate_data.write_split``), never held in memory.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import datasets  # noqa: E402
import systems  # noqa: E402

SYSTEMS = ("aml", "sklearn-sgd", "sklearn-converged", "vw")
METRIC = {"BINARY": "AUC", "MULTICLASS": "macro F1", "REGRESSION": "RMSE"}
GROUPS = {"all": datasets.ALL, "real": datasets.REAL, "text": tuple(datasets.TEXT)}
METRIC_GAP = {"BINARY": 0.005, "MULTICLASS": 0.01}  # absolute, below the converged model
LOSS_RATIO = 0.05  # log loss at most 5% above the converged model's
RMSE_RATIO = 0.02  # RMSE at most 2% above the converged model's
STREAM_ROWS = 2_000_000  # larger generated sets are split block by block, never held in memory (its rows are i.i.d.)


def prepare(name: str, folder: Path, rows: int) -> Path:
    """train.csv, test.csv and meta.json (schema, target, type) under folder/name; reused if present."""
    where = folder / name
    if (where / "meta.json").exists():
        return where
    where.mkdir(parents=True, exist_ok=True)
    if name == "generated" and rows > STREAM_ROWS:
        return _prepare_streamed(where, rows)
    frame, types, target, model_type = datasets.loaders(rows)[name]()
    for column in frame.select_dtypes(include=["object", "string"]).columns:  # one line a record, for any reader
        frame[column] = frame[column].str.replace(r"[\r\n]+", " ", regex=True)
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


def _prepare_streamed(where: Path, rows: int) -> Path:
    """The large generated set, written straight to train.csv / test.csv block by block (70/30 of each block)."""
    import generate_data

    schema, train_rows = generate_data.write_split(where / "train.csv", where / "test.csv", rows)
    schema = {key: schema[key] for key in ("version", "targetAttributeName", "dataFormat", "dataFileContainsHeader",
                                           "attributes")}
    meta = {"schema": schema, "target": "label", "model_type": "BINARY", "train_rows": train_rows}
    (where / "meta.json").write_text(json.dumps(meta, indent=1))
    return where


def worker(system: str, where: Path) -> None:
    meta = json.loads((where / "meta.json").read_text())
    if system == "aml":
        seconds, score, loss = systems.run_aml(where, meta)
    elif system == "aml-commands":
        seconds, score, loss = systems.run_aml_commands(where, meta)
    elif system == "vw":
        seconds, score, loss = systems.run_vw(where, meta)
    else:
        seconds, score, loss = systems.run_sklearn(where, meta, converged=system == "sklearn-converged")
    who = resource.RUSAGE_CHILDREN if system == "aml-commands" else resource.RUSAGE_SELF  # aml's processes
    peak_mb = resource.getrusage(who).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "score": float(score), "logloss": float(loss), "peak_mb": peak_mb}))


def measure(system: str, where: Path, threads: str | None = None) -> dict:
    command = [sys.executable, __file__, "--worker", system, str(where)]
    env = {**os.environ, "AML_WORKER_THREADS": threads} if threads else None
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def runs(systems_list: str, threads: str | None, rows_mode: bool) -> list[tuple[str, str, str | None]]:
    """(label, worker system, AML_WORKER_THREADS) per run. With --rows aml runs as its two commands, once
    per thread count given (the default: every core)."""
    found = []
    for system in systems_list.split(","):
        if system != "aml" or not rows_mode:
            found.append((system, system, None))
            continue
        for count in (threads.split(",") if threads else [None]):
            label = "aml" if count is None else f"aml, {count} thread{'s' if count != '1' else ''}"
            found.append((label, "aml-commands", count))
    return found


# ---------------------------------------------------------------- report


def _number(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.4f}" if kind != "REGRESSION" or abs(value) < 100 else f"{value:.1f}"


def table(results: list[dict]) -> str:
    lines = ["| dataset | type | train rows | system | metric | score | log loss | CSV→model (s) | peak RSS (MB) |",
             "|---|---|---:|---|---|---:|---:|---:|---:|"]
    for r in results:
        head = f"| {r['dataset']} | {r['type']} | {r['rows']:,} | {r['system']} |"
        if "error" in r:
            lines.append(f"{head} | failed: {r['error']} | | | |")
            continue
        lines.append(f"{head} {METRIC[r['type']]} | {_number(r['score'], r['type'])} | "
                     f"{_number(r['logloss'], 'BINARY')} | {r['seconds']:.2f} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def gaps(dataset: str, kind: str, by_system: dict[str, dict]) -> dict | None:
    """aml against the converged model (and SGD, VW): the gaps the targets bound, and whether each is met."""
    aml, converged = by_system.get("aml", {}), by_system.get("sklearn-converged", {})
    if "score" not in aml or "score" not in converged:
        return None
    if kind == "REGRESSION":
        gap = aml["score"] / converged["score"] - 1.0
        met = gap <= RMSE_RATIO
        loss_gap = float("nan")
    else:
        gap = converged["score"] - aml["score"]
        loss_gap = aml["logloss"] / converged["logloss"] - 1.0
        met = gap <= METRIC_GAP[kind] and loss_gap <= LOSS_RATIO
    beaten = []
    for other in ("sklearn-sgd", "vw"):
        score = by_system.get(other, {}).get("score")
        if score is not None and (aml["score"] > score if kind == "REGRESSION" else aml["score"] < score):
            beaten.append(other)
    return {"dataset": dataset, "type": kind, "gap": gap, "loss_gap": loss_gap, "below": beaten,
            "met": met and not beaten}


def gap_table(rows: list[dict]) -> str:
    lines = ["| dataset | type | metric gap to converged | log loss vs converged | below | target met |",
             "|---|---|---:|---:|---|---|"]
    for g in rows:
        metric = f"{g['gap']:+.2%} RMSE" if g["type"] == "REGRESSION" else f"{g['gap']:+.4f}"
        loss = "" if math.isnan(g["loss_gap"]) else f"{g['loss_gap']:+.1%}"
        lines.append(f"| {g['dataset']} | {g['type']} | {metric} | {loss} | {', '.join(g['below'])} | "
                     f"{'yes' if g['met'] else 'NO'} |")
    return "\n".join(lines)


def worst(rows: list[dict]) -> str:
    """One line: the worst gap per type and how many datasets meet every target."""
    parts = []
    for kind in METRIC:
        mine = [g for g in rows if g["type"] == kind]
        if not mine:
            continue
        top = max(mine, key=lambda g: g["gap"])
        text = f"{kind}: worst {METRIC[kind]} gap {top['gap']:+.4f} ({top['dataset']})"
        if kind == "REGRESSION":
            text = f"{kind}: worst RMSE gap {top['gap']:+.2%} ({top['dataset']})"
        else:
            loss = max(mine, key=lambda g: g["loss_gap"])
            text += f", log loss {loss['loss_gap']:+.1%} ({loss['dataset']})"
        parts.append(text)
    met = sum(g["met"] for g in rows)
    return f"worst gaps to converged: {'; '.join(parts)}; targets met on {met} of {len(rows)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="aml vs scikit-learn vs Vowpal Wabbit: CSV to model")
    parser.add_argument("--datasets", help="names, or all / real / text (comma-separated); default: the first "
                        "four, or with --rows the generated set alone")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--rows", type=int, help="rows of the generated set (70%% train; default 1,000,000)")
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "aml-bench")
    parser.add_argument("--threads", help="with --rows: aml once per AML_WORKER_THREADS value (e.g. 1,2)")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return
    chosen = args.datasets or ("generated" if args.rows else "churn,loans,diamonds,generated")
    rows_mode, args.rows = args.rows, args.rows or 1_000_000
    names = [n for item in chosen.split(",") for n in GROUPS.get(item, (item,))]
    results, rows = [], []
    for name in names:
        where = prepare(name, args.data_dir / f"rows-{args.rows}", args.rows)
        meta = json.loads((where / "meta.json").read_text())
        by_system = {}
        for system, worker_system, threads in runs(args.systems, args.threads, bool(rows_mode)):
            by_system[system] = outcome = measure(worker_system, where, threads)
            if worker_system == "aml-commands":
                by_system["aml"] = outcome  # the gaps take aml's last run
            results.append({"dataset": name, "type": meta["model_type"], "rows": meta["train_rows"],
                            "system": system, **outcome})
            print(f"{name:14s} {system:18s} {json.dumps(outcome)}", file=sys.stderr, flush=True)
        found = gaps(name, meta["model_type"], by_system)
        if found:
            rows.append(found)
    print(table(results))
    if rows:
        print()
        print(gap_table(rows))
        print()
        print(worst(rows))


if __name__ == "__main__":
    main()
