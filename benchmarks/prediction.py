"""Batch prediction throughput and `aml predict` latency, measured through the real `aml` command.

    python benchmarks/prediction.py [--rows 1000000] [--runs 30] [--workdir DIR]

1. Generates a 1,000,000-row mixed CSV (benchmarks/generate_data.py) and a
   100,000-row training file, trains a BINARY model with the default recipe.
2. Times `aml create-batch-prediction --sync` on the big file as a whole
   process at AML_WORKER_THREADS=1 and 2: rows/s, the ratio to the chosen
   reader (pyarrow.csv streaming, measured in the same run) and the peak RSS
   of that process (getrusage of children).
3. Creates a real-time endpoint and times `aml predict` as whole processes:
   median and 95th percentile over --runs runs.
Prints one markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
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
    record = "age=44,income=52000,score=0.3,city=oslo,product=p3,review=great fast service,member=yes"
    latencies = []
    for _ in range(args.runs + 2):
        elapsed, _ = aml(env, "predict", "--ml-model-id", "bench-model", "--record", record,
                         "--predict-endpoint", "https://realtime.machinelearning.us-east-1.amazonaws.com")
        latencies.append(elapsed * 1000)
    latencies = sorted(latencies[2:])  # the first runs warm the file cache
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]

    records = batch["TotalRecordCount"]
    print("| measure | value |")
    print("|---|---|")
    for threads, seconds, rss, reader_rate in batch_rows:
        rate = records / seconds
        print(f"| batch prediction, {records:,} records, whole `aml` process, {threads} thread(s) | {seconds:.2f} s |")
        print(f"| batch prediction throughput, {threads} thread(s) | {rate:,.0f} rows/s "
              f"({rate / reader_rate:.2f} of pyarrow.csv's {reader_rate:,.0f}) |")
        print(f"| batch prediction peak RSS, {threads} thread(s) | {rss:.0f} MB |")
    print(f"| `aml predict` latency, median of {len(latencies)} processes | {statistics.median(latencies):.0f} ms |")
    print(f"| `aml predict` latency, p95 | {p95:.0f} ms |")


if __name__ == "__main__":
    main()
