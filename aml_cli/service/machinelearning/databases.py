"""Data sources from a database: CreateDataSourceFromRDS and CreateDataSourceFromRedshift, run locally.

How aml maps the request onto a database it can reach:

- **SQLite file.** When `DatabaseInformation.DatabaseName` is a `file://` or
  `sqlite:///` URI, a path (it contains `/` or ends in `.db`, `.sqlite`,
  `.sqlite3` or `.db3`), or the name of an existing file, it is a SQLite
  database opened read-only (`mode=ro` URI, `query_only`, and an authorizer
  that allows nothing but reading). `InstanceIdentifier` (RDS) or
  `ClusterIdentifier` (Redshift) and the credentials are then only recorded.
  A URI or path naming no file is an InvalidInputException.
- **PostgreSQL server.** Otherwise `InstanceIdentifier` / `ClusterIdentifier`
  is the server's host, optionally `host:port` (default 5432), and
  `DatabaseName` the database, opened with `DatabaseCredentials`. This needs
  the `psycopg` driver (`pip install 'aml-cli[postgres]'`); without it the
  request is an InvalidInputException naming that extra. The query runs in a
  read-only transaction through a server-side cursor.

The `SelectSqlQuery` runs when the data source is created, so a database that
cannot be opened, a SQL error or an empty result is an InvalidInputException
and the store is left unchanged. (The service ran it in its Data Pipeline job;
aml runs it up front because the job then reads a plain CSV file.) The result
is staged under `S3StagingLocation` as a CSV file with a header row, under an
internal name (`aml-staged-<random>.csv`, never the data source ID), written
to a temporary name and renamed. From there the data source is processed
exactly like one from S3: `DataLocationS3` is the staged file, and
DataRearrangement and ComputeStatistics apply as usual.

The schema is `DataSchema` or the document at `DataSchemaUri` when given (its
attribute count must match the query's columns; the staged file has a header
row only if the schema says `dataFileContainsHeader`). Otherwise it is inferred
from the values the query returned: a column whose non-NULL values are all
integers or reals (numeric, decimal) is NUMERIC, all booleans BINARY, anything
else (text, dates, mixed, or only NULLs) CATEGORICAL; no target is set. Binary
blobs are refused. NULL becomes an empty (missing) field; line breaks inside a
value become spaces, since an Amazon ML CSV record cannot span lines.

The password is used to connect and nothing else: it is not in the record,
the idempotency fingerprint, the logs nor any error message. Nothing the user
sends reaches a shell.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlparse

from aml_cli.api.errors import IdempotentParameterMismatchException, InvalidInputException
from aml_cli.service.machinelearning import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "DataSource"
POSTGRES_EXTRA = "pip install 'aml-cli[postgres]'"
DEFAULT_POSTGRES_PORT = 5432
FETCH_ROWS = 10_000
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
SQLITE_MAGIC = b"SQLite format 3\x00"

# which request member names the host, and which metadata member carries the database
_ROLES = {
    "RDSMetadata": ("InstanceIdentifier", "Database"),
    "RedshiftMetadata": ("ClusterIdentifier", "RedshiftDatabase"),
}


@dataclass
class StagedResult:
    """The staged CSV and what the query's columns turned out to hold."""

    path: Path
    columns: list[str]
    kinds: list[set[str]] = field(default_factory=list)
    rows: int = 0


def prepare_database_source(
    store: Store, request: dict, context: RequestContext, spec_member: str, metadata_member: str
) -> dict:
    """Create a data source from an RDS/Redshift request: run the query, stage it, then process it as S3 data."""
    from aml_cli.service.machinelearning.data_sources import check_rearrangement, check_schema, new_record
    from aml_cli.service.machinelearning.documents import inline_or_location

    spec = request[spec_member]
    public_request = _without_password(request, spec_member)
    if _already_created(store, request["DataSourceId"], public_request):
        return {"DataSourceId": request["DataSourceId"]}
    given_schema = inline_or_location(spec, "DataSchema", "DataSchemaUri", store.s3_root, s3_fsspec=store.s3_fsspec)
    has_header = True if given_schema is None else check_schema(given_schema).has_header
    check_rearrangement(spec.get("DataRearrangement"))
    folder, name, location = _staging_target(spec["S3StagingLocation"], store)
    with folder:
        result = run_query(spec, _ROLES[metadata_member][0], (folder, name), has_header)
    try:
        schema_text = given_schema if given_schema is not None else inferred_schema(result)
        _check_columns(check_schema(schema_text), result)
        record = new_record(request, location, spec.get("DataRearrangement"), schema_text, context)
        record[metadata_member] = _metadata(spec, metadata_member)
        record["_staged_file"] = str(result.path)
        created = common.create_once(store, KIND, record, public_request, context)
    except BaseException:
        result.path.unlink(missing_ok=True)
        raise
    if not created:  # a twin request won the race: its staged file is the one in use
        result.path.unlink(missing_ok=True)
    return {"DataSourceId": request["DataSourceId"]}


def _without_password(request: dict, spec_member: str) -> dict:
    """The request as fingerprinted for idempotency: the same request with another password is the same."""
    spec = dict(request[spec_member])
    spec["DatabaseCredentials"] = {
        key: value for key, value in spec.get("DatabaseCredentials", {}).items() if key != "Password"
    }
    return {**request, spec_member: spec}


def _already_created(store: Store, data_source_id: str, public_request: dict) -> bool:
    """Answers a repeated create before the query runs again (and stages a second copy)."""
    existing = store.fingerprint(KIND, data_source_id)
    if existing is None:
        return False
    if existing == common.fingerprint(public_request):
        return True
    raise IdempotentParameterMismatchException(
        f"A data source with ID {data_source_id} already exists with different parameters."
    )


def _staging_target(location: str, store: Store):
    """(the open S3StagingLocation folder, the staged file's name, its location as the user spells it)."""
    from aml_cli.service.locations import open_output_folder

    folder = open_output_folder(location, "S3StagingLocation", store)
    name = f"aml-staged-{secrets.token_hex(10)}.csv"
    return folder, name, location.rstrip("/") + "/" + name


def _metadata(spec: dict, metadata_member: str) -> dict:
    user = spec["DatabaseCredentials"]["Username"]
    if metadata_member == "RedshiftMetadata":
        return {"RedshiftDatabase": dict(spec["DatabaseInformation"]), "DatabaseUserName": user,
                "SelectSqlQuery": spec["SelectSqlQuery"]}
    metadata = {"Database": dict(spec["DatabaseInformation"]), "DatabaseUserName": user,
                "SelectSqlQuery": spec["SelectSqlQuery"], "ResourceRole": spec.get("ResourceRole"),
                "ServiceRole": spec.get("ServiceRole"), "DataPipelineId": "df-" + secrets.token_hex(10).upper()}
    return {key: value for key, value in metadata.items() if value is not None}


# -- where the database is ----------------------------------------------------------------


def sqlite_path(database_name: str) -> Path | None:
    """The SQLite file a DatabaseName names, or None when it names a PostgreSQL database."""
    text = database_name.strip()
    parsed = urlparse(text)
    if parsed.scheme.lower() in ("file", "sqlite"):
        if parsed.netloc not in ("", "localhost"):
            raise InvalidInputException(f"DatabaseName: {text} names another host; only local files are supported.")
        path = Path(unquote(parsed.path))
    elif "/" in text or os.sep in text or text.lower().endswith(SQLITE_SUFFIXES) or Path(text).is_file():
        path = Path(text).expanduser()
    else:
        return None
    path = path.absolute()
    if not path.exists():
        raise InvalidInputException(f"DatabaseName: the SQLite database file {path} does not exist.")
    if not path.is_file():
        raise InvalidInputException(f"DatabaseName: {path} is not a file, so it cannot be a SQLite database.")
    return path


def postgres_address(identifier: str) -> tuple[str, int]:
    """host[:port] from InstanceIdentifier or ClusterIdentifier."""
    text = identifier.strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, DEFAULT_POSTGRES_PORT
    if not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise InvalidInputException(f"{identifier} is not a host or host:port of a PostgreSQL server.")
    return host, int(port)


# -- running the query --------------------------------------------------------------------


def run_query(spec: dict, host_member: str, target: tuple, has_header: bool) -> StagedResult:
    """Runs SelectSqlQuery read-only and stages its rows as CSV at `target` (an open output folder and a
    file name in it); InvalidInputException on failure."""
    information = spec["DatabaseInformation"]
    password = spec["DatabaseCredentials"].get("Password", "")
    path = sqlite_path(information["DatabaseName"])
    query = statement(spec["SelectSqlQuery"])
    try:
        if path is not None:
            return _stage(_sqlite_rows(path, query), target, has_header)
        return _stage(_postgres_rows(spec, information[host_member], query), target, has_header)
    except InvalidInputException as exc:
        raise InvalidInputException(_scrub(exc.message, password)) from None


def statement(query: str) -> str:
    """The query without the trailing semicolons scripts often end it with (PostgreSQL wraps it in DECLARE)."""
    text = query.strip().rstrip(";").rstrip()
    if not text:
        raise InvalidInputException("SelectSqlQuery is empty.")
    return text


def _sqlite_rows(path: Path, query: str) -> Generator[Any, None, None]:
    """Yields the column names, then batches of rows, from a SQLite file opened read-only."""
    import sqlite3

    _check_sqlite_file(path)
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InvalidInputException(f"DatabaseName: cannot open the SQLite database {path}: {exc}.") from None
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.set_authorizer(_read_only_authorizer)
        try:
            cursor = conn.execute(query)
            yield [column[0] for column in cursor.description or ()]
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield batch
        except sqlite3.Error as exc:
            hint = " (the database is opened read-only: only SELECT statements may run)" if _denied(exc) else ""
            raise InvalidInputException(f"SelectSqlQuery failed on {path.name}: {exc}{hint}.") from None
    finally:
        conn.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidInputException(f"DatabaseName: cannot read {path}: {exc.strerror}.") from None
    if head and head != SQLITE_MAGIC:
        raise InvalidInputException(f"DatabaseName: {path} is not a SQLite database.")


def _denied(exc: Exception) -> bool:
    text = str(exc).lower()
    return "not authorized" in text or "readonly" in text or "read-only" in text


def _read_only_authorizer(action: int, *_: object) -> int:
    """Allows reading, selecting and calling functions; denies every change, ATTACH and PRAGMA."""
    import sqlite3

    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
    return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY


def _postgres_rows(spec: dict, identifier: str, query: str) -> Generator[Any, None, None]:
    """Yields the column names, then batches of rows, from PostgreSQL in a read-only transaction."""
    try:
        import psycopg
    except ImportError:
        raise InvalidInputException(
            f"DatabaseInformation names a PostgreSQL server ({identifier}), and querying it needs the psycopg "
            f"driver, which is not installed: {POSTGRES_EXTRA}. A SQLite file can be named by path in DatabaseName."
        ) from None
    host, port = postgres_address(identifier)
    credentials, name = spec["DatabaseCredentials"], spec["DatabaseInformation"]["DatabaseName"]
    try:
        conn = psycopg.connect(host=host, port=port, dbname=name, user=credentials["Username"],
                               password=credentials["Password"], connect_timeout=15)
    except psycopg.Error as exc:
        raise InvalidInputException(f"Cannot connect to the PostgreSQL server at {host}:{port}: {exc}") from None
    try:
        conn.read_only = True
        with conn.cursor(name="aml_select_sql_query") as cursor:
            cursor.execute(query)
            yield [column.name for column in cursor.description or ()]
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield batch
    except psycopg.Error as exc:
        raise InvalidInputException(f"SelectSqlQuery failed on {host}:{port}/{name}: {exc}") from None
    finally:
        conn.close()


def _scrub(message: str, password: str) -> str:
    return message.replace(password, "********") if password else message


# -- staging ------------------------------------------------------------------------------


def _stage(rows: Generator[Any, None, None], target: tuple, has_header: bool) -> StagedResult:
    """Writes the result to a temporary file beside `target`, then renames it into place."""
    try:
        return _write_rows(rows, target, has_header)
    finally:
        rows.close()  # closes the database connection whatever happened


def _write_rows(rows: Iterator[Any], target: tuple, has_header: bool) -> StagedResult:
    import io

    folder, staged = target
    columns = next(rows)
    if not columns:
        raise InvalidInputException("SelectSqlQuery returns no columns; a data source needs a SELECT.")
    result = StagedResult(folder.path / staged, columns, [set() for _ in columns])
    temporary = f".{staged}.{secrets.token_hex(4)}.tmp"
    try:
        with folder.create(temporary) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if has_header:
                writer.writerow(_one_line(name) for name in columns)
            for batch in rows:
                writer.writerows(_csv_row(row, result) for row in batch)
            handle.flush()
            os.fsync(handle.fileno())
        if result.rows == 0:
            raise InvalidInputException("SelectSqlQuery returned no rows; a data source needs at least one record.")
        folder.rename(temporary, folder, staged)
    except OSError as exc:
        raise InvalidInputException(
            f"S3StagingLocation: cannot write {result.path}: {common.os_error_text(exc)}.") from None
    finally:
        folder.remove(temporary)
    return result


def _csv_row(row: tuple, result: StagedResult) -> list[str]:
    result.rows += 1
    return [_cell(value, kinds) for value, kinds in zip(row, result.kinds, strict=True)]


def _cell(value: object, kinds: set[str]) -> str:
    """One value as CSV text, noting its kind for schema inference."""
    if value is None:
        return ""
    if isinstance(value, bool):
        kinds.add("BINARY")
        return "true" if value else "false"
    if isinstance(value, int | float):
        kinds.add("NUMERIC")
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raise InvalidInputException(
            "SelectSqlQuery returns binary data (a BLOB), which a CSV data source cannot hold; "
            "convert it in the query (for example with hex())."
        )
    from decimal import Decimal

    if isinstance(value, Decimal):
        kinds.add("NUMERIC")
        return str(value)
    kinds.add("CATEGORICAL")
    return _one_line(str(value))


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text)


def inferred_schema(result: StagedResult) -> str:
    """An Amazon ML schema for the query's columns by the rule in the module docstring; no target."""
    duplicates = sorted({name for name in result.columns if result.columns.count(name) > 1})
    if duplicates:
        raise InvalidInputException(
            f"SelectSqlQuery returns more than one column named {duplicates[0]!r}; give each column its own alias."
        )
    attributes = [
        {"attributeName": _one_line(name), "attributeType": next(iter(kinds)) if len(kinds) == 1 else "CATEGORICAL"}
        for name, kinds in zip(result.columns, result.kinds, strict=True)
    ]
    document = {"version": "1.0", "targetAttributeName": None, "dataFormat": "CSV",
                "dataFileContainsHeader": True, "attributes": attributes}
    return json.dumps(document, indent=2)


def _check_columns(schema: Any, result: StagedResult) -> None:
    if len(schema.attributes) != len(result.columns):
        raise InvalidInputException(
            f"The data schema has {len(schema.attributes)} attributes but SelectSqlQuery returns "
            f"{len(result.columns)} columns ({', '.join(result.columns)})."
        )
