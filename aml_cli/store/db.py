"""The metadata store: SQLite in WAL mode, shared safely by many aml processes.

Readers never block writers (WAL); every write is a `BEGIN IMMEDIATE`
transaction, retried with backoff while another process holds the lock, so a
busy database makes a command wait a moment instead of failing with
"database is locked" — but never longer than LOCK_WAIT_SECONDS: then it is a
clear, retryable StoreBusy. On a full disk (SQLite cannot even map its
shared-memory index) reads fall back to a read-only connection and writes are
StoreFull; a status move the reaper could not write is still shown to this
process's readers. A missing or empty `aml.db` beside artifacts is a damaged
store, never a new one. Resource IDs are data in rows, never file names.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from aml_cli.api import resource_kind
from aml_cli.api.resources import Lifecycle
from aml_cli.store import migrations
from aml_cli.store.errors import StoreBusy, StoreDamaged, StoreError, from_sqlite
from aml_cli.store.opening import check_database_file, open_read_only
from aml_cli.store.paths import aml_home, private_dir, private_file, s3_read_fsspec, worker_limit
from aml_cli.store.paths import s3_root as configured_s3_root

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
LOCK_WAIT_SECONDS = BUSY_TIMEOUT_MS / 1000  # the whole wait for the write lock, then StoreBusy


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _backoff(attempt: int) -> None:
    """Sleeps a little longer each time, with jitter so waiting processes spread out."""
    time.sleep(min(0.5, 0.005 * (2 ** min(attempt, 7))) * (0.5 + random.random()))


def load_record(conn: sqlite3.Connection, kind: str, resource_id: str) -> dict | None:
    """Reads one record with an open connection (inside or outside a transaction)."""
    row = conn.execute("SELECT record FROM resources WHERE kind = ? AND id = ?", (kind, resource_id)).fetchone()
    return None if row is None else json.loads(row[0])


def save_record(conn: sqlite3.Connection, kind: str, resource_id: str, record: dict) -> None:
    """Overwrites an existing record; the caller holds the write transaction."""
    conn.execute(
        "UPDATE resources SET record = ?, status = ? WHERE kind = ? AND id = ?",
        (json.dumps(record), record.get("Status"), kind, resource_id),
    )


def lifecycle_of(kind: str) -> Lifecycle:
    """The declared lifecycle of a kind; a kind without one has no statuses to move between."""
    declared = resource_kind(kind).lifecycle
    if declared is None:
        raise ValueError(f"{kind} has no lifecycle")
    return declared


def moved(record: dict | None, kind: str, new_status: str, changes: dict | None = None) -> dict | None:
    """The record moved to `new_status` with `changes` if its kind's lifecycle allows it, else None.

    A change whose value is None removes that field, as the API omits absent members.
    """
    if record is None or not lifecycle_of(kind).may_move(record.get("Status", ""), new_status):
        return None
    record = dict(record)
    for key, value in (changes or {}).items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    record["Status"] = new_status
    return record


def apply_transition(
    conn: sqlite3.Connection, kind: str, resource_id: str, new_status: str, changes: dict | None = None
) -> dict | None:
    """Moves a record to `new_status` if its kind's lifecycle allows it; None when it does not (or no record)."""
    record = moved(load_record(conn, kind, resource_id), kind, new_status, changes)
    if record is not None:
        save_record(conn, kind, resource_id, record)
    return record


def _close_interrupted(conn: sqlite3.Connection) -> None:
    """Rolls back a transaction an exception left open between its BEGIN and its guard (a signal can)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


class Store:
    """One aml data directory: `aml.db` plus artifact files beside it.

    Its settings are read once, when it is opened (the front end's moment):
    the folder `s3://` URIs map to (`AML_S3_ROOT`), whether s3:// data is read
    from S3 itself instead (`AML_S3_READ=fsspec`), and the number of detached
    workers that may run at once (`AML_MAX_WORKERS`); nothing below the front
    ends reads the environment again.
    """

    def __init__(self, home: Path | None = None, *, s3_root: Path | None = None,
                 max_workers: int | None = None, s3_fsspec: bool | None = None) -> None:
        self.home = Path(home) if home is not None else aml_home()
        self.s3_root = Path(s3_root) if s3_root is not None else configured_s3_root(self.home)
        self.s3_fsspec = s3_fsspec if s3_fsspec is not None else s3_read_fsspec()
        self.max_workers = max_workers if max_workers is not None else worker_limit()
        self.db_path = self.home / "aml.db"
        self._local = threading.local()
        self._unwritten: dict[tuple[str, str], tuple[str, dict]] = {}
        try:
            private_dir(self.home)
        except OSError as err:
            raise StoreDamaged(f"The aml store folder {self.home} cannot be used: {err.strerror or err}.") from None
        if check_database_file(self.home, self.db_path):
            # Only a missing file is created here: opening and closing an existing aml.db would drop the
            # POSIX locks an open SQLite connection of this process holds on it. sqlite gives -wal/-shm
            # the same 0600 mode.
            private_file(self.db_path)
        self.connection()  # applies missing migrations before anyone reads

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the schema brought up to date) on first use.

        When it cannot be opened for writing (a full disk), a read-only one stands in, and `write` tries
        again each time before it gives up with the reason.
        """
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            return conn
        try:
            conn, why = self._retry(self._open, writing=False), None
        except StoreError as err:
            conn, why = open_read_only(self.db_path, err), err
        self._local.conn, self._local.pid, self._local.why = conn, os.getpid(), why
        return conn

    def _writable(self) -> sqlite3.Connection:
        """This thread's connection for a write; reopened if it was a read-only stand-in, else the reason."""
        conn = self.connection()
        if getattr(self._local, "why", None) is None:
            return conn
        self.close()
        conn = self.connection()
        if self._local.why is not None:
            raise self._local.why
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # an acknowledged write survives power loss
            conn.execute("PRAGMA foreign_keys = ON")
            if migrations.schema_version(conn) != migrations.LATEST_VERSION:
                self._transaction(conn, migrations.apply_migrations)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        """Closes this thread's connection; the store reopens on next use."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            if self._local.pid == os.getpid():
                conn.close()

    def _retry(self, action: Callable[[], T], writing: bool = True) -> T:
        """Runs `action`, again while the database is busy, for at most LOCK_WAIT_SECONDS in all; SQLite's
        errors that are about the store (full, damaged, unreadable) come out as StoreError."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        attempt = 0
        while True:
            try:
                return action()
            except sqlite3.OperationalError as err:
                if not _is_busy(err):
                    raise from_sqlite(err, self.db_path, writing) or err from err
                if time.monotonic() > deadline:
                    raise StoreBusy(
                        f"The aml store {self.db_path} is busy: another aml process has held its write lock for "
                        f"more than {LOCK_WAIT_SECONDS:g} seconds. Try again in a moment."
                    ) from err
            except sqlite3.DatabaseError as err:
                raise from_sqlite(err, self.db_path, writing) or err from err
            _backoff(attempt)
            attempt += 1

    def _transaction(self, conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
        """One attempt: BEGIN IMMEDIATE, fn, COMMIT (itself retried in place); rolls back on any error.

        BEGIN is inside the guarded block because a worker's SIGTERM raises wherever Python happens to be:
        a transaction it left open would make every later BEGIN of the process fail.
        """
        _close_interrupted(conn)
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = fn(conn)
            self._retry(lambda: conn.execute("COMMIT"))
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Runs fn in a write transaction, retried while the database is busy.

        Not reentrant: fn uses the connection it is given, never other Store
        methods. fn may run more than once, so it must not act outside the connection
        unless it can tell a repeat (the scheduler does: see jobs.scheduler).
        """
        return self._retry(lambda: self._transaction(self._writable(), fn))

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Runs fn against a consistent snapshot (a deferred read transaction)."""

        def attempt() -> T:
            conn = self.connection()
            _close_interrupted(conn)
            try:
                conn.execute("BEGIN")
                return fn(conn)
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

        return self._retry(attempt, writing=False)

    # -- resources -----------------------------------------------------------

    def create(
        self,
        kind: str,
        resource_id: str,
        record: dict,
        fingerprint: str,
        also: Callable[[sqlite3.Connection], object] | None = None,
    ) -> str | None:
        """Inserts a record; if the ID exists, returns its fingerprint and changes nothing.

        `also` runs in the same transaction after a successful insert (the jobs
        package queues the resource's work there, so both happen or neither).
        """

        def insert(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT fingerprint FROM resources WHERE kind = ? AND id = ?", (kind, resource_id)
            ).fetchone()
            if row is not None:
                return row[0]
            conn.execute(
                "INSERT INTO resources (kind, id, status, fingerprint, record) VALUES (?, ?, ?, ?, ?)",
                (kind, resource_id, record.get("Status"), fingerprint, json.dumps(record)),
            )
            if also is not None:
                also(conn)
            return None

        return self.write(insert)

    def get(self, kind: str, resource_id: str) -> dict | None:
        """The record, or None: naming the AWS error for a miss is the service's job."""
        return self._shown(kind, self._retry(lambda: load_record(self.connection(), kind, resource_id), False))

    def show_unwritten(self, kind: str, resource_id: str, new_status: str, changes: dict) -> None:
        """A status move that could not be written (a full disk): this process's reads show it until it is."""
        self._unwritten[(kind, resource_id)] = (new_status, changes)

    def _shown(self, kind: str, record: dict | None) -> dict | None:
        if record is None or not self._unwritten:
            return record
        resource_id = record.get(resource_kind(kind).id_member)
        pending = self._unwritten.get((kind, resource_id))
        if pending is None:
            return record
        shown = moved(record, kind, *pending)
        if shown is None:  # written since, or moved on: nothing to show any more
            self._unwritten.pop((kind, resource_id), None)
            return record
        return shown

    def modify(self, kind: str, resource_id: str, fn: Callable[[dict], dict | None]) -> dict | None:
        """Read-modify-write in one transaction; fn returns the new record or None for no change.

        Returns the record as it now stands, or None when there is no such resource.
        """

        def change(conn: sqlite3.Connection) -> dict | None:
            record = load_record(conn, kind, resource_id)
            if record is None:
                return None
            updated = fn(json.loads(json.dumps(record)))
            if updated is None:
                return record
            save_record(conn, kind, resource_id, updated)
            return updated

        return self.write(change)

    def update(self, kind: str, resource_id: str, changes: dict) -> dict | None:
        """Merges `changes` into the record (no status check: use transition for Status)."""
        return self.modify(kind, resource_id, lambda record: {**record, **changes})

    def transition(self, kind: str, resource_id: str, new_status: str, changes: dict | None = None) -> dict | None:
        """Moves to `new_status` with `changes` if the kind's lifecycle allows; returns the new record or None."""
        return self.write(lambda conn: apply_transition(conn, kind, resource_id, new_status, changes))

    def list(self, kind: str) -> list[dict]:
        """Every record of a kind, in creation order (DELETED ones included)."""
        query = "SELECT record FROM resources WHERE kind = ? ORDER BY seq"
        rows = self._retry(lambda: self.connection().execute(query, (kind,)).fetchall(), False)
        return [self._shown(kind, json.loads(row[0])) for row in rows]

    def fingerprint(self, kind: str, resource_id: str) -> str | None:
        """The fingerprint stored at creation, for idempotency checks."""
        row = self._retry(
            lambda: (
                self.connection()
                .execute("SELECT fingerprint FROM resources WHERE kind = ? AND id = ?", (kind, resource_id))
                .fetchone()
            ),
            False,
        )
        return None if row is None else row[0]
