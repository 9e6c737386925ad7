"""Tuning harness: aml against the converged scikit-learn model on validation folds of the TRAINING files.

The test files of ``training.py`` are never read here. Each dataset's train.csv (as ``training.py``
prepared it) is cut into ``--folds`` folds (seeded); for each fold aml trains on the others and is scored
on it, and so are the three references (converged, 10-pass SGD, VW: their scores are kept in
``converged.json``, ``sgd.json``, ``vw.json`` beside the folds, since they never change). A dataset meets
the targets as ``training.py`` counts them, on the means over folds. ``--set module.NAME=value`` overrides a
constant of ``aml_cli.ml`` in this process, so a variation of the learner or of the default recipe is
measured without editing the code:

    python benchmarks/validation.py --datasets text --set train.PRIOR_ROWS='{"BINARY":10.0}'

Prints per dataset the mean over folds of the metric and log loss for both, and their gap.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import systems  # noqa: E402
import training  # noqa: E402


def folds(where: Path, count: int) -> list[Path]:
    """Fold folders (train.csv = the other folds, test.csv = this fold) cut from where/train.csv."""
    meta = json.loads((where / "meta.json").read_text())
    frame = pd.read_csv(where / "train.csv", dtype=str, keep_default_na=False)
    fold_of = np.random.default_rng(1).permutation(len(frame)) % count
    made = []
    for k in range(count):
        folder = where / "validation" / f"fold-{k}-of-{count}"
        if not (folder / "meta.json").exists():
            folder.mkdir(parents=True, exist_ok=True)
            frame[fold_of != k].to_csv(folder / "train.csv", index=False)
            frame[fold_of == k].to_csv(folder / "test.csv", index=False)
            (folder / "meta.json").write_text(json.dumps({**meta, "train_rows": int((fold_of != k).sum())}))
        made.append(folder)
    return made


REFERENCES = {"sklearn-converged": "converged.json", "sklearn-sgd": "sgd.json", "vw": "vw.json"}


def reference(system: str, folder: Path, meta: dict) -> tuple[float, float]:
    """A reference system's (metric, log loss) on a fold, computed once and kept beside the fold."""
    saved = folder / REFERENCES[system]
    if not saved.exists():
        if system == "vw":
            _, score, loss = systems.run_vw(folder, meta)
        else:
            _, score, loss = systems.run_sklearn(folder, meta, converged=system == "sklearn-converged")
        saved.write_text(json.dumps([score, loss]))
    score, loss = json.loads(saved.read_text())
    return score, loss


def override(setting: str) -> None:
    """module.NAME=value (a Python literal) set on aml_cli.ml.<module>."""
    target, _, literal = setting.partition("=")
    module_name, _, name = target.rpartition(".")
    module = importlib.import_module(f"aml_cli.ml.{module_name}")
    value = ast.literal_eval(literal)
    current = getattr(module, name)
    if isinstance(current, dict) and isinstance(value, dict):
        value = {**current, **value}
    setattr(module, name, value)


def evaluate(name: str, data_dir: Path, count: int) -> dict:
    where = training.prepare(name, data_dir, 1_000_000)
    meta = json.loads((where / "meta.json").read_text())
    scored: dict[str, list[tuple[float, float]]] = {"aml": [], **{system: [] for system in REFERENCES}}
    seconds = 0.0
    for folder in folds(where, count):
        took, score, loss = systems.run_aml(folder, meta)
        seconds += took
        scored["aml"].append((score, loss))
        for system in REFERENCES:
            scored[system].append(reference(system, folder, meta))
    means = {system: np.mean(values, axis=0).tolist() for system, values in scored.items()}
    kind = meta["model_type"]
    by_system = {system: {"score": m[0], "logloss": m[1]} for system, m in means.items()}
    found = training.gaps(name, kind, by_system)
    assert found is not None
    return {**found, "aml": means["aml"], "converged": means["sklearn-converged"], "means": means,
            "seconds": seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="real")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], help="module.NAME=literal (repeatable)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("TMPDIR", "/tmp")) / "aml-bench" / "rows-1000000")
    args = parser.parse_args(argv)
    for setting in args.set:
        override(setting)
    names = [n for item in args.datasets.split(",") for n in training.GROUPS.get(item, (item,))]
    met = 0
    for name in names:
        r = evaluate(name, args.data_dir, args.folds)
        met += r["met"]
        loss = "" if math.isnan(r["loss_gap"]) else f" loss {r['aml'][1]:.4f}/{r['converged'][1]:.4f} " \
                                                    f"({r['loss_gap']:+.1%})"
        below = f" below {','.join(r['below'])}" if r["below"] else ""
        print(f"{name:14s} {r['type']:10s} metric {r['aml'][0]:.4f}/{r['converged'][0]:.4f} "
              f"(gap {r['gap']:+.4f}){loss}{below} {'met' if r['met'] else 'NO'} {r['seconds']:.1f}s", flush=True)
    print(f"targets met on {met} of {len(names)} (means over {args.folds} validation folds)")


if __name__ == "__main__":
    main()
