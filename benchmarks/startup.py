"""How long `aml get-ml-model` takes as a whole process, beside `aws machinelearning`, and what it imports.

Start-up is what a shell loop or Makefile pays on every line, so it is measured
the way a user meets it: a fresh process each run, median of many, after a
warm-up, with an empty data directory. Run from anywhere:

    python benchmarks/startup.py            # prints the medians, the ratio and the import check
    python benchmarks/startup.py --check    # exit 1 when a target is missed (for CI)

Targets: under 150 ms median, under a third of the AWS CLI's time, and none of
numpy, pandas, rich, yaml, jmespath imported (`-X importtime`) for this call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AML_ARGS = ["get-ml-model", "--ml-model-id", "x"]
AWS_ARGS = ["machinelearning", "get-ml-model", "--ml-model-id", "x", "--generate-cli-skeleton"]
HEAVY = ("numpy", "pandas", "rich", "yaml", "jmespath")
TARGET_SECONDS = 0.150
TARGET_RATIO = 1 / 3


def environment(home: Path, bytecode: Path | None) -> dict[str, str]:
    """An empty AML_HOME, and this checkout importable even when aml is not installed.

    With `bytecode`, compiled modules are cached there (as an installed package has
    them); without, every run compiles every module, as under PYTHONDONTWRITEBYTECODE=1.
    """
    env = dict(os.environ)
    env["AML_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


def real_executable(name: str) -> str | None:
    """The program on PATH; a pyenv shim is resolved so its own start-up is not charged to the program."""
    found = shutil.which(name)
    if found and "/shims/" in found and shutil.which("pyenv"):
        result = subprocess.run(["pyenv", "which", name], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return found


def median_seconds(argv: list[str], env: dict[str, str], cwd: Path, runs: int, warmup: int) -> float:
    """Median wall time of `runs` whole-process runs, after `warmup` untimed ones."""
    times = []
    for index in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
        if index >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def import_times(env: dict[str, str], cwd: Path) -> list[tuple[str, int, int]]:
    """(module, self µs, cumulative µs) for every import of the command, from `-X importtime`."""
    argv = [sys.executable, "-X", "importtime", "-m", "aml_cli", *AML_ARGS]
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = line[len("import time:") :].split("|")
        rows.append((name.strip(), int(own), int(total)))
    return rows


def heavy_imports(rows: list[tuple[str, int, int]]) -> list[str]:
    """Which of HEAVY were imported (their top-level package, or any submodule)."""
    names = {name for name, _, _ in rows}
    return [pkg for pkg in HEAVY if any(n == pkg or n.startswith(pkg + ".") for n in names)]


def report_imports(rows: list[tuple[str, int, int]], top: int) -> None:
    own_total = sum(own for _, own, _ in rows)
    aml_own = sum(own for name, own, _ in rows if name.startswith("aml_cli"))
    print(f"imports: {len(rows)} modules, {own_total / 1000:.1f} ms in all, {aml_own / 1000:.1f} ms in aml_cli's own")
    print(f"  slowest by cumulative time (top {top}):")
    for name, own, total in sorted(rows, key=lambda row: -row[2])[:top]:
        print(f"    {total / 1000:7.1f} ms  (self {own / 1000:5.1f})  {name}")
    print(f"  aml_cli modules by own time (top {top}):")
    own_rows = [row for row in rows if row[0].startswith("aml_cli")]
    for name, own, _ in sorted(own_rows, key=lambda row: -row[1])[:top]:
        print(f"    {own / 1000:7.1f} ms  {name}")


def measure(args: argparse.Namespace) -> bool:
    """Print the numbers; True when every target is met."""
    with tempfile.TemporaryDirectory(prefix="aml-startup-") as tmp:
        cwd = Path(tmp)
        env = environment(cwd / "aml-home", cwd / "bytecode")
        aml_argv = [sys.executable, "-m", "aml_cli", *AML_ARGS]
        results: dict[str, float] = {}
        results["python -c pass (interpreter floor)"] = median_seconds(
            [sys.executable, "-c", "pass"], env, cwd, args.runs, args.warmup
        )
        aml_module = median_seconds(aml_argv, env, cwd, args.runs, args.warmup)
        results["python -m aml_cli " + " ".join(AML_ARGS)] = aml_module
        uncached = environment(cwd / "aml-home", None)
        results["  the same, no bytecode cache (PYTHONDONTWRITEBYTECODE=1)"] = median_seconds(
            aml_argv, uncached, cwd, args.runs, args.warmup
        )
        aml_script = shutil.which("aml")
        if aml_script:
            results["aml " + " ".join(AML_ARGS)] = median_seconds(
                [aml_script, *AML_ARGS], env, cwd, args.runs, args.warmup
            )
        aws = real_executable("aws")
        aws_time = None
        if aws:
            aws_time = median_seconds([aws, *AWS_ARGS], env, cwd, args.runs, args.warmup)
            results["aws " + " ".join(AWS_ARGS)] = aws_time
        rows = import_times(env, cwd)
    print(f"median of {args.runs} runs after {args.warmup} warm-up runs, empty AML_HOME, bytecode cached:")
    for label, seconds in results.items():
        print(f"  {seconds * 1000:7.1f} ms  {label}")
    ok = aml_module < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS * 1000:.0f} ms: {'met' if ok else 'MISSED'}")
    if aws_time:
        ratio = aml_module / aws_time
        verdict = "met" if ratio < TARGET_RATIO else "MISSED"
        print(f"ratio aml / aws: {ratio:.2f} (target < {TARGET_RATIO:.2f}: {verdict})")
        ok = ok and ratio < TARGET_RATIO
    else:
        print("aws is not installed: no ratio")
    heavy = heavy_imports(rows)
    print("heavy modules imported: " + (", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY)))
    report_imports(rows, args.top)
    return ok and not heavy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (median taken)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs first")
    parser.add_argument("--top", type=int, default=12, help="how many of the slowest imports to list")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    ok = measure(args)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
