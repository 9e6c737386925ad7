"""A process killed in the middle of store writes never leaves a broken store."""

import json
import random
import signal
import subprocess
import sys
import time

import pytest

from aml_cli.store import Store

WRITER = """
import sys
from aml_cli.store import Store

store = Store()
round_, = sys.argv[1:]
print("ready", flush=True)
for i in range(100000):
    record = {"Status": "PENDING", "Round": round_, "I": i, "Payload": "x" * (i % 5000)}
    store.create("BatchPrediction", f"r{round_}-{i}", record, "fp")
    store.modify("BatchPrediction", f"r{round_}-{i}", lambda r: {**r, "Touched": True})
"""


@pytest.mark.slow
def test_fifty_writers_killed_at_random_points_leave_every_record_whole(aml_home):
    rng = random.Random(7)
    Store(aml_home)
    for round_ in range(50):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(round_)], stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.03))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        writer.stdout.close()
    store = Store(aml_home)
    rows = store.read(lambda conn: conn.execute("SELECT id, status, record FROM resources").fetchall())
    assert rows, "the writers never got to write"
    for resource_id, status, text in rows:
        record = json.loads(text)
        assert resource_id == f"r{record['Round']}-{record['I']}"
        assert status == record["Status"] == "PENDING"
        assert record["Payload"] == "x" * (record["I"] % 5000)
    assert store.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
