"""The same commands on one machine and on a Dask LocalCluster of 1 and 2 workers: time and equality.

    python benchmarks/cluster.py --rows 10000000        # the issue's size (about 550 MB of CSV)
    python benchmarks/cluster.py --rows 2000000 --workers 1,2

A generated CSV (benchmarks/generate_data.py, BINARY target) is split 90/10 into a training and a test
file. Each configuration runs, through the service as a user's commands do (jobs inline, a fresh store):
CreateDataSourceFromS3 with statistics, CreateMLModel, CreateBatchPrediction of the test file and
CreateEvaluation on it. "single" is the machine's own path (AML_DASK_SCHEDULER unset); "dask N" points
AML_DASK_SCHEDULER at a LocalCluster of N single-threaded worker processes started beforehand (its start-up
is timed apart). Printed: each step's seconds; the training statistics identical to the single machine's;
the batch-prediction output (decompressed) identical to this machine's scoring of the same model (the
cluster's model is its own, so its scores are compared through the AUC); the AUC difference.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import generate_data


def prepare(folder: Path, rows: int) -> tuple[Path, Path, str]:
    """train.csv and test.csv (90/10 by position) and the schema; reused when present."""
    train, test, schema_path = folder / "train.csv", folder / "test.csv", folder / "schema.json"
    if not schema_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        whole = folder / "all.csv"
        schema = generate_data.write(whole, rows, target="binary")
        cut = int(rows * 0.9)
        with whole.open() as source, train.open("w") as first, test.open("w") as second:
            head = source.readline()
            first.write(head)
            second.write(head)
            for index, line in enumerate(source):
                (first if index < cut else second).write(line)
        whole.unlink()
        schema_path.write_text(json.dumps(schema))
    return train, test, schema_path.read_text()


def run(name: str, train: Path, test: Path, schema: str, home: Path) -> dict:
    """The four commands in a fresh store; their seconds and what to compare."""
    os.environ["AML_HOME"] = str(home)
    from aml_cli.service import call
    from aml_cli.service.context import RequestContext, use_default
    from aml_cli.store import Store

    use_default(RequestContext(synchronous=True))
    store = Store(home)
    seconds = {}

    def timed(step: str, operation: str, request: dict, get: str, member: str) -> dict:
        started = time.perf_counter()
        call(operation, request, store)
        seconds[step] = time.perf_counter() - started
        view = call(get, {member: request[member]}, store)
        if view["Status"] != "COMPLETED":
            raise SystemExit(f"{name}: {operation} {view['Status']}: {view.get('Message')}")
        return view

    for source, path in (("train", train), ("test", test)):
        spec = {"DataLocationS3": str(path), "DataSchema": schema}
        timed(f"data source ({source})", "CreateDataSourceFromS3",
              {"DataSourceId": source, "DataSpec": spec, "ComputeStatistics": True}, "GetDataSource", "DataSourceId")
    timed("model", "CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "train"},
          "GetMLModel", "MLModelId")
    out = home.with_name(home.name + "-out")
    timed("batch prediction", "CreateBatchPrediction", {"BatchPredictionId": "bp", "MLModelId": "m",
          "BatchPredictionDataSourceId": "test", "OutputUri": str(out)}, "GetBatchPrediction", "BatchPredictionId")
    evaluation = timed("evaluation", "CreateEvaluation", {"EvaluationId": "ev", "MLModelId": "m",
                       "EvaluationDataSourceId": "test"}, "GetEvaluation", "EvaluationId")
    statistics = Path(store.get("DataSource", "train")["_statistics_path"]).read_bytes()
    same_batch = True
    if os.environ.get("AML_DASK_SCHEDULER"):  # the same model scored on this machine: the output must be the same
        address = os.environ.pop("AML_DASK_SCHEDULER")
        here = home.with_name(home.name + "-here")
        call("CreateBatchPrediction", {"BatchPredictionId": "bp-here", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "test", "OutputUri": str(here)}, store)
        os.environ["AML_DASK_SCHEDULER"] = address
        same_batch = _decompressed(out) == _decompressed(here)
    return {"name": name, "seconds": seconds, "auc": float(evaluation["PerformanceMetrics"]["Properties"]["BinaryAUC"]),
            "statistics": hashlib.sha256(statistics).hexdigest(), "same_batch": same_batch}


def _decompressed(out: Path) -> str:
    result = next((out / "batch-prediction" / "result").iterdir())
    return hashlib.sha256(gzip.decompress(result.read_bytes())).hexdigest()


@contextlib.contextmanager
def local_cluster(workers: int):
    import distributed

    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        startup = time.perf_counter() - started
        os.environ["AML_DASK_SCHEDULER"] = cluster.scheduler_address
        try:
            yield startup
        finally:
            os.environ.pop("AML_DASK_SCHEDULER", None)


def table(results: list[dict], rows: int) -> str:
    steps = list(results[0]["seconds"])
    base = results[0]
    lines = ["| configuration | " + " | ".join(steps) + " | total (s) | statistics | batch output | AUC | ΔAUC |",
             "|---" * (len(steps) + 6) + "|"]
    for r in results:
        total = sum(r["seconds"].values())
        cells = [f"{r['seconds'][s]:.1f}" for s in steps]
        same = ["same" if r["statistics"] == base["statistics"] else "DIFFERENT",
                "same" if r["same_batch"] else "DIFFERENT"]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + f" | {total:.1f} | {same[0]} | {same[1]} | "
                     f"{r['auc']:.4f} | {r['auc'] - base['auc']:+.4f} |")
    return "\n".join(lines) + f"\n\n{rows:,} rows generated; seconds per step, median of one run each."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", default="1,2", help="LocalCluster sizes to run, comma-separated")
    parser.add_argument("--partition-mb", type=int, default=128, help="AML_DASK_PARTITION_BYTES in MiB")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "aml-bench-cluster")
    args = parser.parse_args(argv)
    train, test, schema = prepare(args.data_dir / f"rows-{args.rows}", args.rows)
    print(f"train {train.stat().st_size / 1e6:.0f} MB, test {test.stat().st_size / 1e6:.0f} MB; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    os.environ["AML_DASK_PARTITION_BYTES"] = str(args.partition_mb << 20)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        results.append(run("single", train, test, schema, Path(scratch) / "single"))
        print(json.dumps(results[-1]), flush=True)
        for workers in [int(n) for n in args.workers.split(",") if n]:
            with local_cluster(workers) as startup:
                results.append(run(f"dask {workers}", train, test, schema, Path(scratch) / f"dask-{workers}"))
            results[-1]["startup"] = startup
            print(json.dumps(results[-1]), flush=True)
    print(table(results, args.rows))
    print("cluster start-up (s): " + ", ".join(f"{r['name']} {r['startup']:.1f}" for r in results[1:]))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
