"""Batch prediction throughput and `aml predict` latency, measured through the real `aml` command.

    python benchmarks/prediction.py [--rows 1000000] [--runs 30] [--workdir DIR]

1. Generates a 1,000,000-row mixed CSV (benchmarks/generate_data.py) and a
   100,000-row training file, trains a BINARY model with the default recipe.
2. Times `aml create-batch-prediction --sync` on the big file as a whole
   process at AML_WORKER_THREADS=1 and 2: rows/s, the ratio to the chosen
   reader (pyarrow.csv streaming, measured in the same run) and the peak RSS
   of that process (getrusage of children).
3. Creates a real-time endpoint and times `aml predict` as whole processes:
   median and 95th percentile over --runs runs, with compiled modules cached
   (as an installed package has them) and without (PYTHONDONTWRITEBYTECODE=1),
   beside `aml get-ml-model` and `python -c pass` timed in turn with them, so
   that the load of the machine weighs on all alike; the load average is printed,
   and the CPU time of each process (what it cost, waits for a core aside).
Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def aml(env: dict, *args: str) -> tuple[float, str]:
    """Runs `python -m aml_cli ...`; returns (seconds, stdout). Raises on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "aml_cli", *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"aml {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def generate(rows: int, out: Path, seed: int) -> Path:
    schema = out.with_suffix(".schema")
    if not out.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate_data.py"), "--rows", str(rows), "--out", str(out),
             "--schema-out", str(schema), "--seed", str(seed)],
            check=True,
        )
    return schema


_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run([sys.executable, '-m', 'aml_cli', *sys.argv[1:]], stdout=subprocess.DEVNULL).returncode\n"
    "print(json.dumps({'code': code, 'seconds': time.perf_counter() - t,"
    " 'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
)


def measured(env: dict, *args: str) -> dict:
    """Wall time and peak RSS of one `aml` process (measured by a parent that runs only it)."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], env=env, capture_output=True, text=True)
    result = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"aml {' '.join(args)} failed ({result['code']}):\n{done.stderr}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="aml-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "AML_HOME": str(workdir / "home")}
    env.pop("AML_SYNC", None)

    train_csv, big_csv = workdir / "train.csv", workdir / "score.csv"
    train_schema = generate(args.train_rows, train_csv, seed=1)
    big_schema = generate(args.rows, big_csv, seed=2)
    aml(env, "create-data-source-from-s3", "--data-source-id", "bench-train", "--compute-statistics", "--sync",
        "--data-spec", json.dumps({"DataLocationS3": str(train_csv), "DataSchemaLocationS3": str(train_schema)}))
    aml(env, "create-data-source-from-s3", "--data-source-id", "bench-score", "--sync",
        "--data-spec", json.dumps({"DataLocationS3": str(big_csv), "DataSchemaLocationS3": str(big_schema)}))
    aml(env, "create-ml-model", "--ml-model-id", "bench-model", "--ml-model-type", "BINARY",
        "--training-data-source-id", "bench-train", "--sync")

    sys.path.insert(0, str(HERE))
    from datasource_stats import CHOSEN, run_isolated

    batch_rows = []  # (threads, seconds, peak MB, records/s of the chosen reader at that thread count)
    for threads in (1, 2):
        reader = run_isolated(CHOSEN[1] if threads == 1 else CHOSEN["n"], big_csv, big_schema)
        run = measured({**env, "AML_WORKER_THREADS": str(threads)}, "create-batch-prediction",
                       "--batch-prediction-id", f"bench-batch-{threads}", "--sync", "--ml-model-id", "bench-model",
                       "--batch-prediction-data-source-id", "bench-score",
                       "--output-uri", str(workdir / f"out{threads}"))
        _, text = aml(env, "get-batch-prediction", "--batch-prediction-id", f"bench-batch-{threads}")
        batch = json.loads(text)
        if batch["Status"] != "COMPLETED":
            raise SystemExit(f"batch prediction {batch['Status']}: {batch.get('Message')}")
        batch_rows.append((threads, run["seconds"], run["rss_mb"], reader["rows"] / reader["seconds"]))

    aml(env, "create-realtime-endpoint", "--ml-model-id", "bench-model")
    times = latencies(env, workdir / "bytecode", args.runs)

    records = batch["TotalRecordCount"]
    predict, runs = times["predict"], len(times["predict"])
    median = {name: statistics.median(values) for name, values in times.items()}
    print("| measure | value |")
    print("|---|---|")
    for threads, seconds, rss, reader_rate in batch_rows:
        rate = records / seconds
        print(f"| batch prediction, {records:,} records, whole `aml` process, {threads} thread(s) | {seconds:.2f} s |")
        print(f"| batch prediction throughput, {threads} thread(s) | {rate:,.0f} rows/s "
              f"({rate / reader_rate:.2f} of pyarrow.csv's {reader_rate:,.0f}) |")
        print(f"| batch prediction peak RSS, {threads} thread(s) | {rss:.0f} MB |")
    print(f"| `aml predict` latency, median of {runs} processes | {median['predict']:.0f} ms |")
    print(f"| `aml predict` latency, p95 | {predict[min(runs - 1, round(0.95 * (runs - 1)))]:.0f} ms |")
    print(f"| `aml predict`, no bytecode cache (PYTHONDONTWRITEBYTECODE=1), median | "
          f"{median['predict, no bytecode cache']:.0f} ms |")
    print(f"| `aml get-ml-model` (metadata only), median, same run | {median['get-ml-model']:.0f} ms |")
    print(f"| `python -c pass` (interpreter floor), median, same run | {median['pass']:.0f} ms |")
    print(f"| the full model scoring a one-row frame (the path before), as a process, median, same run | "
          f"{median['frame path']:.0f} ms |")
    print(f"| CPU time (user + system), median: `aml predict` / `get-ml-model` / `pass` / the path before | "
          f"{median['predict cpu']:.0f} / {median['get-ml-model cpu']:.0f} / {median['pass cpu']:.0f} / "
          f"{median['frame path cpu']:.0f} ms |")
    print(f"| load average (1, 5, 15 min) after the timings | {', '.join(f'{v:.1f}' for v in os.getloadavg())} |")


# The path `aml predict` took before the record scorer: the full model (numpy, pandas, scipy) scoring a one-row frame.
_FRAME_PATH = (
    "import json, sys\n"
    "from aml_cli.ml.model_file import load_model\n"
    "from aml_cli.store import Store\n"
    "record = dict(item.split('=', 1) for item in sys.argv[1].split(','))\n"
    "model = load_model(Store().get('MLModel', 'bench-model')['_model_path'])\n"
    "print(json.dumps({'Prediction': model.predict_record(record)}))\n"
)


def latencies(env: dict, bytecode: Path, runs: int) -> dict[str, list[float]]:
    """Milliseconds per whole process, sorted, for `aml predict` and its anchors, run in turn (two warm-up rounds
    fill the file cache and the bytecode cache)."""
    cached = {**env, "PYTHONPYCACHEPREFIX": str(bytecode)}
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    uncached = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    record = "age=44,income=52000,score=0.3,city=oslo,product=p3,review=great fast service,member=yes"
    predict = ["predict", "--ml-model-id", "bench-model", "--record", record,
               "--predict-endpoint", "https://realtime.machinelearning.us-east-1.amazonaws.com"]
    commands = {
        "predict": (cached, ["-m", "aml_cli", *predict]),
        "predict, no bytecode cache": (uncached, ["-m", "aml_cli", *predict]),
        "get-ml-model": (cached, ["-m", "aml_cli", "get-ml-model", "--ml-model-id", "bench-model"]),
        "pass": (cached, ["-c", "pass"]),
        "frame path": (cached, ["-c", _FRAME_PATH, record]),
    }
    found: dict[str, list[float]] = {key: [] for name in commands for key in (name, f"{name} cpu")}
    for round_ in range(runs + 2):
        for name, (environment, argv) in commands.items():
            before, started = _children_cpu(), time.perf_counter()
            done = subprocess.run([sys.executable, *argv], env=environment, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
            if round_ >= 2:
                found[name].append((time.perf_counter() - started) * 1000)
                found[f"{name} cpu"].append((_children_cpu() - before) * 1000)
    return {name: sorted(values) for name, values in found.items()}


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: what a process cost, waits for a core aside."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
