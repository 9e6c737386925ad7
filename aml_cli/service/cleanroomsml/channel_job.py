"""The ML input channel's job: its SQL run in SQLite over Amazon ML data sources, the result kept as CSV (§2.5).

A table is the ID of a COMPLETED data source of the same store (quote IDs with
`-` or `.`: `SELECT * FROM "ds-1"`): its records after its DataRearrangement,
NUMERIC as REAL, BINARY as INTEGER 0/1, the other types as TEXT. Every data
source gets an empty table so the query compiles; only the tables the query
reads, as SQLite's authorizer reports them, are filled. The database is a
temporary file (memory stays bounded whatever the data), opened with an
authorizer that allows reading and nothing else.

The result is written as CSV with a header to an artifact file (atomically):
its columns' types are kept for training and inference, a column named like a
column of a table it reads taking that column's type, another NUMERIC if all
its values are numbers, else CATEGORICAL.
"""

from __future__ import annotations

import contextlib
import csv
import math
import secrets
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from aml_cli.jobs import JobFailed
from aml_cli.service.cleanroomsml import common

if TYPE_CHECKING:
    from aml_cli.store import Store

KIND = "MLInputChannel"
SQL_TYPES = {"NUMERIC": "REAL", "BINARY": "INTEGER"}  # others TEXT
FETCH_ROWS = 10_000
GIGABYTE = 1 << 30
_ALLOWED = (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE)


def run_channel_job(store: Store, resource_id: str, ctx) -> dict:
    from aml_cli.store.artifacts import new_artifact_path
    from aml_cli.store.paths import private_dir, private_file

    record = store.get(KIND, resource_id)
    query = record["inputChannel"]["dataSource"]["protectedQueryInputParameters"]["sqlParameters"]["queryString"]
    sources = {r["DataSourceId"]: r for r in store.list("DataSource") if r.get("Status") == "COMPLETED"}
    database = private_file(private_dir(store.home / "tmp") / f"channel-{secrets.token_hex(8)}.db")  # 0600 first:
    # SQLite keeps an existing file's mode (and gives its journal the same), whatever the caller's umask
    target = new_artifact_path(store, ".csv")
    ctx.on_discard(lambda: target.unlink(missing_ok=True))
    try:
        with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as conn:
            read = _prepare(conn, sources, query)
            ctx.log(f"The query reads: {', '.join(sorted(read)) or 'no data source'}")
            for source_id in sorted(read):
                _load(store, conn, sources[source_id], ctx)
            result = _run(conn, query, target, _source_types(sources, read))
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    ctx.log(f"{result['numberOfRecords']} records, {result['_bytes']} bytes")
    return {**{k: v for k, v in result.items() if k != "_bytes"}, "numberOfFiles": 1.0,
            "sizeInGb": result["_bytes"] / GIGABYTE, "protectedQueryIdentifier": common.new_id(),
            "_data_path": str(target)}


def pending_tables(store: Store, query: str) -> list[str]:
    """Data sources still being made that the query reads: its job waits for them, as a model waits for its
    data source. A query that does not compile waits for nothing (its job fails it with SQLite's message)."""
    making = {r["DataSourceId"]: r for r in store.list("DataSource")
              if r.get("Status") in ("PENDING", "INPROGRESS") and r.get("_schema")}
    if not making:
        return []
    ready = {r["DataSourceId"]: r for r in store.list("DataSource") if r.get("Status") == "COMPLETED"}
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        try:
            return sorted(_prepare(conn, {**ready, **making}, query) & set(making))
        except JobFailed:
            return []


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema_of(source: dict):
    from aml_cli.ml.schema import parse_schema

    return parse_schema(source["_schema"])


def _prepare(conn: sqlite3.Connection, sources: dict[str, dict], query: str) -> set[str]:
    """Empty tables for every data source, then the query compiled once: the tables it reads."""
    for source_id, source in sources.items():
        columns = ", ".join(f"{_quote(a.name)} {SQL_TYPES.get(a.type, 'TEXT')}" for a in _schema_of(source).attributes)
        conn.execute(f"CREATE TABLE {_quote(source_id)} ({columns})")
    read: set[str] = set()

    def note(action: int, first: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and first in sources:
            read.add(first)
        return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY

    conn.set_authorizer(note)
    try:
        conn.execute(f"EXPLAIN {query}").fetchall()
    except sqlite3.Error as exc:
        raise JobFailed(_query_message(exc), "QUERY_ERROR") from None
    finally:
        conn.set_authorizer(None)
    return read


def _query_message(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not authorized" in text:
        text += " (an ML input channel's query may only read: SELECT statements over data sources)"
    return f"The query failed: {text}."


def _load(store: Store, conn: sqlite3.Connection, source: dict, ctx) -> None:
    """The data source's selected records into its table, a chunk at a time."""
    from aml_cli.service.machinelearning.reading import chunks_of

    schema = _schema_of(source)
    names = list(schema.names)
    insert = f"INSERT INTO {_quote(source['DataSourceId'])} VALUES ({', '.join('?' * len(names))})"
    rows = 0
    conn.execute("BEGIN")
    for chunk in chunks_of(store, source, schema):
        columns = [_sql_values(chunk.frame[name], schema.type_of(name)) for name in names]
        conn.executemany(insert, zip(*columns, strict=True))
        rows += len(chunk.frame)
    conn.execute("COMMIT")
    ctx.log(f"Loaded {rows} records of {source['DataSourceId']}")


def _sql_values(values, kind: str) -> list:
    """A frame column as SQLite values: REAL, INTEGER 0/1 or TEXT; missing values NULL."""
    if kind == "NUMERIC":
        return [None if math.isnan(v) else float(v) for v in values.to_numpy(dtype=float)]
    if kind == "BINARY":
        return [None if math.isnan(v) else int(v) for v in values.to_numpy(dtype=float)]
    present = values.notna().to_numpy()
    return [str(value) if keep else None for value, keep in zip(values.astype(object).tolist(), present, strict=True)]


def _source_types(sources: dict[str, dict], read: set[str]) -> dict[str, str]:
    """Column name -> type over the tables read; a name typed differently by two tables has none."""
    types: dict[str, str] = {}
    clashes: set[str] = set()
    for source_id in sorted(read):
        for attribute in _schema_of(sources[source_id]).attributes:
            if types.setdefault(attribute.name, attribute.type) != attribute.type:
                clashes.add(attribute.name)
    return {name: kind for name, kind in types.items() if name not in clashes}


def _run(conn: sqlite3.Connection, query: str, target: Path, source_types: dict[str, str]) -> dict:
    from aml_cli.store.artifacts import atomic_writer

    conn.set_authorizer(lambda action, *_: sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY)
    try:
        cursor = conn.execute(query)
        names = [column[0] for column in cursor.description or ()]
        _check_names(names)
        kinds: list[set[str]] = [set() for _ in names]
        count = 0
        with atomic_writer(target, "w") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            while batch := cursor.fetchmany(FETCH_ROWS):
                writer.writerows([_cell(value, kinds[i]) for i, value in enumerate(row)] for row in batch)
                count += len(batch)
        size = target.stat().st_size
    except sqlite3.Error as exc:
        raise JobFailed(_query_message(exc), "QUERY_ERROR") from None
    except OSError as exc:
        raise JobFailed(f"The query result could not be written: {exc.strerror or exc}.", "INTERNAL_ERROR") from None
    columns = [{"name": name, "type": _column_type(name, found, source_types)} for name, found in zip(names, kinds,
                                                                                                       strict=True)]
    return {"numberOfRecords": count, "_columns": columns, "_bytes": size}


def _check_names(names: list[str]) -> None:
    if not names:
        raise JobFailed("The query returns no columns; an ML input channel needs a SELECT.", "QUERY_ERROR")
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise JobFailed(f"The query returns more than one column named {doubled[0]!r}; give each its own alias.",
                        "QUERY_ERROR")


def _cell(value: object, kinds: set[str]) -> object:
    if value is None:
        return ""
    if isinstance(value, bytes):
        kinds.add("BLOB")
        return value.hex()
    kinds.add("NUMERIC" if isinstance(value, int | float) else "TEXT")
    return repr(value) if isinstance(value, float) else value


def _column_type(name: str, found: set[str], source_types: dict[str, str]) -> str:
    numeric_only = found <= {"NUMERIC"}
    declared = source_types.get(name)
    if declared is not None and (numeric_only or declared in ("CATEGORICAL", "TEXT")):
        return declared
    return "NUMERIC" if numeric_only and found else "CATEGORICAL"
