"""Time a data source's work (chunked reading + statistics) beside pandas.read_csv of the same file.

    python benchmarks/datasource_stats.py [--rows 1000000] [--data X.csv --schema X.csv.schema]

Each measurement runs in a fresh subprocess so that its peak RSS
(resource.getrusage) is its own; rows/s counts the file's records.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = {
    "pandas.read_csv (whole file)": "pandas",
    "aml read (chunks, validation)": "read",
    "aml read + statistics": "stats",
    "aml read + statistics, 8 MB blocks": "stats8",
}


def measure(kind: str, data: Path, schema_path: Path) -> dict:
    """Run one measurement in this process; returns seconds, rows and peak RSS in MB."""
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    if kind == "pandas":
        import pandas as pd

        rows = len(pd.read_csv(data))
    else:
        from aml_cli.ml.reader import ReadReport, iter_chunks
        from aml_cli.ml.schema import parse_schema
        from aml_cli.ml.statistics import StatisticsAccumulator

        schema = parse_schema(schema_path.read_text())
        report = ReadReport()
        accumulator = StatisticsAccumulator(schema) if kind.startswith("stats") else None
        chunk_bytes = 8 << 20 if kind == "stats8" else 32 << 20
        for chunk in iter_chunks([data], schema, report=report, chunk_bytes=chunk_bytes):
            if accumulator is not None:
                accumulator.update(chunk)
        if accumulator is not None:
            json.dumps(accumulator.result())
        rows = report.records
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_kb / 1024}


def run_isolated(kind: str, data: Path, schema_path: Path) -> dict:
    command = [sys.executable, __file__, "--measure", kind, "--data", str(data), "--schema", str(schema_path)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate when --data is not given")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--schema", type=Path)
    parser.add_argument("--measure", choices=sorted(set(MEASURES.values())), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.data, args.schema)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        data, schema_path = args.data, args.schema
        if data is None:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from generate_data import write

            data, schema_path = Path(scratch) / "data.csv", Path(scratch) / "data.csv.schema"
            schema_path.write_text(json.dumps(write(data, args.rows)))
        size_mb = data.stat().st_size / 2**20
        print(f"{data.name}: {size_mb:.0f} MB")
        print(f"{'step':<36} {'seconds':>8} {'rows/s':>12} {'peak RSS MB':>12}")
        for label, kind in MEASURES.items():
            result = run_isolated(kind, data, schema_path)
            rate = result["rows"] / result["seconds"]
            print(f"{label:<36} {result['seconds']:>8.2f} {rate:>12,.0f} {result['peak_mb']:>12.0f}")


if __name__ == "__main__":
    main()
