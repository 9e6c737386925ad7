"""Twenty aml processes sharing one fresh data directory never see "database is locked"."""

import subprocess
import sys

import pytest

from aml_cli.store import Store

WORKER = """
import sys
from aml_cli.store import Store

n = int(sys.argv[1])
store = Store()
store.create("MLModel", "counted", {"Status": "PENDING", "Count": 0}, "fp")
for i in range(15):
    assert store.create("DataSource", f"p{n}-{i}", {"Status": "PENDING", "N": n}, "fp") is None
    assert store.get("DataSource", f"p{n}-{i}")["N"] == n
    store.modify("MLModel", "counted", lambda r: {**r, "Count": r["Count"] + 1})
    store.transition("DataSource", f"p{n}-{i}", "INPROGRESS")
    assert len(store.list("DataSource")) >= i + 1
print("ok")
"""


@pytest.mark.slow
def test_twenty_processes_create_read_and_modify_at_once(aml_home):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for n in range(20)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in processes]
    for code, out, err in results:
        assert (code, out, err) == (0, "ok\n", "")
    store = Store(aml_home)
    assert store.get("MLModel", "counted")["Count"] == 20 * 15
    records = store.list("DataSource")
    assert len(records) == 300 and {r["Status"] for r in records} == {"INPROGRESS"}
