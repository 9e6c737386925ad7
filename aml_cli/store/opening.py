"""Opening the store's database: what counts as damage, and reading when nothing can be written.

A store whose `aml.db` is missing or empty while its `artifacts/` or `logs/`
hold files lost its database (a truncation, a bad copy): opening it as a new,
empty store would orphan every artifact, so it is StoreDamaged instead.

On a full disk SQLite cannot create or grow the shared-memory index (`-shm`)
that WAL readers need, so even a read fails with "disk I/O error". The
stand-in is a read-only connection: `mode=ro` when an index is already there
to be mapped, else `immutable=1` — which reads the main file only, so it is
used only when no write-ahead log holds frames the main file lacks.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from aml_cli.store.errors import StoreDamaged, StoreError

HELD = ("artifacts", "logs")  # folders whose files only a store's database can account for


def check_database_file(home: Path, db_path: Path) -> bool:
    """True when `aml.db` is missing and may be created; raises StoreDamaged when it is missing or empty
    beside files of a store, or is not a regular file."""
    try:
        info = os.stat(db_path)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise StoreDamaged(f"The aml store's database {db_path} cannot be read ({err.strerror}): the store is "
                           "damaged.") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise StoreDamaged(f"The aml store's database {db_path} is not a regular file; the store is damaged.")
    if info is not None and info.st_size > 0:
        return False
    held = _held_files(home)
    if held:
        state = "is empty (0 bytes)" if info is not None else "is missing"
        raise StoreDamaged(
            f"The aml store's database {db_path} {state}, but the store holds {held} files in "
            f"{' and '.join(HELD)}: its database was lost or truncated, the store is damaged. Restore aml.db "
            "from a backup, or move the folder away to start a new store."
        )
    return info is None


def _held_files(home: Path) -> int:
    count = 0
    for name in HELD:
        try:
            count += sum(1 for _ in os.scandir(home / name))
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            count += 1
    return count


def open_read_only(db_path: Path, why: StoreError) -> sqlite3.Connection:
    """A connection that only reads, for when the store cannot be opened for writing; else raises `why`."""
    uris = [f"file:{quote(str(db_path))}?mode=ro"]
    if _log_is_empty(db_path):
        uris.append(f"file:{quote(str(db_path))}?immutable=1")
    for uri in uris:
        conn = None
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("SELECT COUNT(*) FROM resources").fetchone()
            return conn
        except sqlite3.Error:
            if conn is not None:
                conn.close()
    raise why


def _log_is_empty(db_path: Path) -> bool:
    try:
        return os.stat(f"{db_path}-wal").st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False
