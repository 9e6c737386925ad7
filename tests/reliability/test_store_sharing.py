"""Guarantee 1: nothing acknowledged is lost, even when one process opens the store twice."""

from __future__ import annotations

import subprocess
import sys

from aml_cli.store import Store
from tests.reliability.conftest import REPO, aml_env

OTHER_PROCESS = """
from aml_cli.store import Store
store = Store()
for i in range(50):
    store.create("DataSource", f"other-{i}", {"Status": "PENDING", "Pad": "o" * 500}, "fp")
store.close()
"""


def test_a_second_store_in_the_same_process_never_corrupts_the_first_ones_writes(aml_home):
    """Opening and closing aml.db while a connection is open drops that connection's POSIX locks; then
    another process, thinking itself the last, checkpoints and deletes the WAL under it (found by this suite)."""
    first = Store(aml_home)
    for i in range(50):
        first.create("DataSource", f"first-{i}", {"Status": "PENDING", "Pad": "f" * 500}, "fp")
    Store(aml_home)  # e.g. service.call(request) without a store, while `first` is still open
    subprocess.run([sys.executable, "-c", OTHER_PROCESS], check=True, env=aml_env(), cwd=REPO, timeout=60)
    for i in range(50):
        first.create("DataSource", f"later-{i}", {"Status": "PENDING", "Pad": "l" * 500}, "fp")
    first.close()
    reopened = Store(aml_home)
    assert reopened.read(lambda conn: conn.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
    assert len(reopened.list("DataSource")) == 150
