"""Memory benchmark: a ~2 GB CSV through the real `aml` command, peak RSS and wall time per step.

Generates the mixed numeric/categorical/text/binary set of generate_data.py
(about 67 bytes a row, so 30,000,000 rows make ~2 GB) in a scratch folder on
disk, then runs each step as `python -m aml_cli --sync ...` with AML_HOME in
that folder:

1. create-data-source-from-s3 with ComputeStatistics (reads the CSV once);
2. create-ml-model, BINARY, default recipe and parameters, except
   sgd.shuffleType (``auto`` by default here: the shuffle is the step most
   likely to hold data in memory);
3. get-ml-model, to check the model is COMPLETED.

Each step runs under its own intermediate process, which reports
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the one command it waited for,
so the peak of one step is never mixed with another's. The scratch folder
(CSV, store, caches) is deleted at the end unless --keep is given.

    python benchmarks/memory.py                      # 30,000,000 rows
    python benchmarks/memory.py --rows 3000000 --shuffle none --threads 1

The steps run on ``AML_WORKER_THREADS`` threads (``--threads``; by default every core): reading, statistics,
featurising and cutting batches keep a window of chunks in flight per thread.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BYTES_PER_ROW = 67  # measured on generate_data.py's output; used only to check the free space first
DISK_FACTOR = 5  # CSV + feature cache + shuffled copy + batch store, with room to spare
TARGET_MB = 1024


def measured(command: list[str], env: dict[str, str]) -> dict:
    """Run ``command`` under an intermediate process; its peak RSS (MB), wall time and exit code."""
    probe = [sys.executable, __file__, "--probe", "--", *command]
    started = time.perf_counter()
    done = subprocess.run(probe, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, **report}


def probe(command: list[str]) -> None:
    """The intermediate process: run one command, then print its exit code, output tail and peak RSS."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    tail = (done.stdout + done.stderr).strip()[-2000:]
    print(json.dumps({"exit_code": done.returncode, "peak_mb": peak, "output": tail}))


def free_rows(folder: Path, wanted: int) -> int:
    """As many of ``wanted`` rows as the disk under ``folder`` has room for (CSV and caches)."""
    free = shutil.disk_usage(folder).free
    return min(wanted, int(free / (BYTES_PER_ROW * DISK_FACTOR)))


def aml(*args: str) -> list[str]:
    return [sys.executable, "-m", "aml_cli", "--sync", *args]


def steps(csv: Path, schema: Path, shuffle: str) -> list[tuple[str, list[str]]]:
    spec = f"DataLocationS3={csv},DataSchemaLocationS3={schema}"
    parameters = json.dumps({"sgd.shuffleType": shuffle})
    return [
        ("create-data-source-from-s3 (statistics)",
         aml("create-data-source-from-s3", "--data-source-id", "big", "--compute-statistics", "--data-spec", spec)),
        (f"create-ml-model (BINARY, shuffle {shuffle})",
         aml("create-ml-model", "--ml-model-id", "big-model", "--ml-model-type", "BINARY",
             "--training-data-source-id", "big", "--parameters", parameters)),
        ("get-ml-model", aml("get-ml-model", "--ml-model-id", "big-model")),
    ]


def run(rows: int, scratch: Path, shuffle: str, threads: int | None = None) -> list[dict]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate_data

    csv = scratch / "big.csv"
    started = time.perf_counter()
    schema = generate_data.write(csv, rows, target="binary")
    (scratch / "big.csv.schema").write_text(json.dumps(schema))
    size = csv.stat().st_size
    print(f"generated {rows:,} rows, {size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    env = {**os.environ, "AML_HOME": str(scratch / "home"), "PYTHONPATH": str(ROOT)}
    if threads:
        env["AML_WORKER_THREADS"] = str(threads)
    results = []
    for name, command in steps(csv, scratch / "big.csv.schema", shuffle):
        outcome = measured(command, env)
        results.append({"step": name, "rows": rows, "csv_bytes": size, **outcome})
        print(f"{name}: {outcome['peak_mb']:.0f} MB, {outcome['seconds']:.1f} s, exit {outcome['exit_code']}",
              file=sys.stderr)
        if outcome["exit_code"] != 0:
            print(outcome["output"], file=sys.stderr)
            break
    status = json.loads(results[-1]["output"]).get("Status") if results[-1]["exit_code"] == 0 else None
    results[-1]["model_status"] = status
    return results


def table(results: list[dict]) -> str:
    lines = ["| step | rows | CSV (GB) | wall time (s) | peak RSS (MB) | exit |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['step']} | {r['rows']:,} | {r['csv_bytes'] / 1e9:.2f} | {r['seconds']:.1f} | "
                     f"{r['peak_mb']:.0f} | {r['exit_code']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="peak RSS of aml on a ~2 GB CSV")
    parser.add_argument("--rows", type=int, default=30_000_000)
    parser.add_argument("--shuffle", choices=("auto", "none"), default="auto")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/var/tmp")),
                        help="where the scratch folder goes (on disk, not tmpfs)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--threads", type=int, help="AML_WORKER_THREADS for the steps (default: every core)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe(args.command)
        return
    scratch = Path(tempfile.mkdtemp(prefix="aml-memory-", dir=args.dir))
    try:
        rows = free_rows(scratch, args.rows)
        if rows < args.rows:
            print(f"only room for {rows:,} rows on {args.dir}; using that many", file=sys.stderr)
        results = run(rows, scratch, args.shuffle, args.threads)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print(table(results))
    training = [r for r in results if r["step"].startswith("create-ml-model")]
    if training:
        verdict = "met" if training[0]["peak_mb"] < TARGET_MB and results[-1].get("model_status") == "COMPLETED" \
            else "NOT met"
        print(f"\ntraining peak RSS {training[0]['peak_mb']:.0f} MB (target < {TARGET_MB} MB): {verdict}; "
              f"model status {results[-1].get('model_status')}")


if __name__ == "__main__":
    main()
