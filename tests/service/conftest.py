"""Service tests: jobs run synchronously unless a test asks for detached workers; data lives under tmp_path."""

from __future__ import annotations

import copy
import csv
import gzip
import json
import time
from pathlib import Path

import pytest

from aml_cli.service import call
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store

FINAL = {"COMPLETED", "FAILED", "DELETED"}
ROLE = "arn:aws:iam::000000000000:role/aml"


@pytest.fixture(autouse=True)
def sync_jobs(monkeypatch, tmp_path):
    """Jobs run inline and a private S3 root for every test; `detached` undoes the first."""
    monkeypatch.setenv("AML_S3_ROOT", str(tmp_path / "s3"))
    previous = use_default(RequestContext(synchronous=True))
    yield
    use_default(previous)


@pytest.fixture
def detached(monkeypatch):
    """Real detached workers (`python -m aml_cli.jobs`), as a user's shell gets them."""
    monkeypatch.setenv("AML_MAX_WORKERS", "2")
    use_default(RequestContext(synchronous=False))


@pytest.fixture
def store(aml_home) -> Store:
    return Store(aml_home)


@pytest.fixture
def s3_root(tmp_path) -> Path:
    root = tmp_path / "s3"
    root.mkdir(exist_ok=True)
    return root


def schema_text(columns: dict[str, str], *, target: str | None = None, header: bool = True, **extra) -> str:
    """An Amazon ML schema (the guide's spelling) for `columns` name -> type."""
    document = {"version": "1.0", "targetAttributeName": target, "dataFormat": "CSV",
                "dataFileContainsHeader": header,
                "attributes": [{"attributeName": name, "attributeType": kind} for name, kind in columns.items()],
                **extra}
    return json.dumps(document)


ID_SCHEMA = {"id": "NUMERIC", "x": "NUMERIC", "color": "CATEGORICAL", "y": "BINARY"}
ID_HEADER = tuple(ID_SCHEMA)


def id_rows(count: int, start: int = 0) -> list[list]:
    """Rows whose first field is a unique ID, so a split can be checked row by row."""
    colors = ("red", "green", "blue")
    return [[i, round(i * 0.5, 1), colors[i % 3], i % 2] for i in range(start, start + count)]


def write_csv(path: Path, rows: list[list], header: tuple[str, ...] | None = ID_HEADER, *, gz: bool = False) -> Path:
    """A CSV file as Amazon ML reads it (`\\n` lines, minimal quoting), gzip-compressed if asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def s3_request(data_source_id: str, location: str | Path, schema: str | None = None, **overrides) -> dict:
    """A valid CreateDataSourceFromS3 request; `overrides` replace top-level or (spec_...) DataSpec members."""
    spec = {"DataLocationS3": str(location), "DataSchema": schema if schema is not None else schema_text(ID_SCHEMA)}
    request: dict = {"DataSourceId": data_source_id, "DataSpec": spec}
    for key, value in overrides.items():
        if key.startswith("spec_"):
            if value is None:
                spec.pop(key[5:], None)
            else:
                spec[key[5:]] = value
        else:
            request[key] = value
    return request


def create_s3(data_source_id: str, location: str | Path, schema: str | None = None, **overrides) -> dict:
    """Creates a data source (sync mode: already finished) and returns its GetDataSource view."""
    call("CreateDataSourceFromS3", s3_request(data_source_id, location, schema, **overrides))
    return call("GetDataSource", {"DataSourceId": data_source_id})


def split(percent_begin: float, percent_end: float, *, complement: bool = False, strategy: str = "sequential",
          seed: str | None = None) -> str:
    splitting: dict = {"percentBegin": percent_begin, "percentEnd": percent_end, "complement": complement,
                       "strategy": strategy}
    if seed is not None:
        splitting["strategyParams"] = {"randomSeed": seed}
    return json.dumps({"splitting": splitting})


def selected_ids(store: Store, data_source_id: str, column: str = "id") -> list[int]:
    """The `column` values of the records a data source selects, read back as training reads them."""
    from aml_cli.ml.schema import parse_schema
    from aml_cli.service.machinelearning.reading import chunks_of

    record = store.get("DataSource", data_source_id)
    schema = parse_schema(record["_schema"])
    values: list[int] = []
    for chunk in chunks_of(store, record, schema):
        values += [int(v) for v in chunk.frame[column].tolist()]
    return values


def statistics(store: Store, data_source_id: str) -> dict:
    from aml_cli.service.machinelearning.data_sources import statistics_of

    return statistics_of(store, store.get("DataSource", data_source_id))


def wait_final(store: Store, data_source_id: str, timeout: float = 60.0) -> dict:
    """Polls GetDataSource (which notices dead workers) until the data source is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = call("GetDataSource", {"DataSourceId": data_source_id}, store)
        if view["Status"] in FINAL:
            return view
        time.sleep(0.1)
    raise AssertionError(f"{data_source_id} still {view['Status']} after {timeout}s")


def snapshot(store: Store) -> tuple:
    """Everything a failed create must leave as it was: records and jobs."""
    jobs = store.read(lambda conn: conn.execute("SELECT kind, resource_id, state FROM jobs ORDER BY seq").fetchall())
    return store.list("DataSource"), jobs


def clone(request: dict) -> dict:
    return copy.deepcopy(request)
