"""The database schema as an ordered list of steps, one per schema version.

`PRAGMA user_version` records how many steps a database has had; opening a
store applies the missing ones in a single write transaction. Steps are only
ever appended: a released step never changes, so any older database upgrades.
"""

from __future__ import annotations

import sqlite3

# Step n (1-based) takes a database from version n-1 to version n.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: resources, one row per kind + ID; the record is JSON, the rest is for lookups.
    (
        """CREATE TABLE resources (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            status TEXT,
            fingerprint TEXT NOT NULL,
            record TEXT NOT NULL,
            UNIQUE (kind, id)
        )""",
        "CREATE INDEX resources_by_kind_status ON resources (kind, status, seq)",
    ),
    # 2: background jobs, one per Create* that does work; seq gives FIFO order. mode 'inline'
    # is a job run synchronously by the calling process: watched for death, not counted as a worker.
    (
        """CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            job_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
            mode TEXT NOT NULL DEFAULT 'worker' CHECK (mode IN ('worker', 'inline')),
            depends_on TEXT NOT NULL DEFAULT '[]',
            pid INTEGER,
            pid_start TEXT,
            log_path TEXT,
            queued_at REAL,
            started_at REAL,
            finished_at REAL
        )""",
        "CREATE INDEX jobs_by_state ON jobs (state, seq)",
        "CREATE INDEX jobs_by_resource ON jobs (kind, resource_id)",
    ),
    # 3: what a job runs, recorded when it is queued ("module:function"), so that the jobs package
    # never needs to know which service a kind of resource belongs to.
    ("ALTER TABLE jobs ADD COLUMN handler TEXT",),
    # 4: a job is claimed in one transaction and its worker spawned outside any: the claim's token (the worker
    # takes the job over by it) and whether the pid is still the claimer's (starting = 1) or the worker's.
    ("ALTER TABLE jobs ADD COLUMN claim TEXT", "ALTER TABLE jobs ADD COLUMN starting INTEGER NOT NULL DEFAULT 0"),
)

LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migration steps this database has had."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Runs the missing steps up to `target`; the caller holds the write transaction."""
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise RuntimeError(
            f"The aml data directory was written by a newer aml (schema {current}, this aml knows "
            f"{LATEST_VERSION}); upgrade aml or set AML_HOME to another folder."
        )
    for version in range(current + 1, target + 1):
        for statement in MIGRATIONS[version - 1]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version:d}")
    return max(current, target)
