"""A server that holds, at the suite's size: the functions of `benchmarks/serve.py` with smaller counts.

The benchmark runs 32 clients x 500 calls and 10,000 calls for memory; here 32 clients x 12 calls and
2,000 calls keep the suite within its time. The server is a real `aml serve` process with its own key
file, on a copy of the small trained world.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from tests.server.support import RECORD

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("aml_serve_benchmark", ROOT / "benchmarks" / "serve.py")
bench = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(bench)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def loaded(world_template, tmp_path_factory):
    root, facts = world_template
    home = tmp_path_factory.mktemp("load") / "home"
    shutil.copytree(root / "home", home)
    server = bench.Server(home)
    records = bench.records_of(facts["data"], facts["schema"])
    spec = {"DataLocationS3": str(facts["data"]), "DataSchemaLocationS3": str(facts["schema"])}
    yield server, {"model": "ml-1", "spec": spec, "records": records or [RECORD]}
    assert server.stop() == 0


def test_32_concurrent_boto3_clients_get_every_answer_first_time(loaded):
    server, facts = loaded
    result = bench.mixed_load(server, facts, clients=32, calls=12)
    print(f"\n32 clients x 12 calls: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, "
          f"{result['per_second']:.0f} calls/s")
    assert result["calls"] == 32 * 12
    assert result["errors"] == []
    assert result["retries"] == 0


def test_predict_answers_from_the_model_kept_loaded_in_under_5_ms(loaded):
    """The server's answer time (a raw keep-alive client), and the CPU it spends on each Predict.

    Wall-clock time on an oversubscribed machine measures the scheduler more than the server, so the
    5 ms bound on the p50 is asserted while the load average is below the number of cores; the CPU the
    server spends per call is asserted always, under 4 ms (reloading the model, or converting its
    weights, for every record would each cost more than that). boto3's total is printed beside them.
    """
    server, facts = loaded
    rounds = [bench.raw_predict_latency(server, facts, 200) for _ in range(3)]
    p50, cpu_ms = min(r["p50"] for r in rounds), min(r["cpu_ms"] for r in rounds)
    through_boto3 = bench.predict_latency(server, facts, 100)["p50"]
    load = os.getloadavg()[0]
    print(f"\nPredict answered in p50 {p50:.2f} ms using {cpu_ms:.2f} ms of server CPU; through boto3 p50 "
          f"{through_boto3:.2f} ms; load average {load:.1f}")
    assert cpu_ms < 4.0
    if load < (os.cpu_count() or 1):
        assert p50 < 5.0


def test_slow_clients_do_not_hold_up_the_others(loaded):
    server, _ = loaded
    result = bench.slow_clients(server, slow=20, calls=50)
    print(f"\nwhile 20 clients dribble headers: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
    assert result["p99"] < 1000


def test_memory_stays_flat_over_thousands_of_calls(loaded):
    server, facts = loaded
    held = bench.memory(server, facts, calls=2000)
    print(f"\nRSS {held['before']:.1f} MB -> {held['after']:.1f} MB over {held['calls']} calls")
    assert held["after"] - held["before"] < 10
