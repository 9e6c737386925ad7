"""CreateDataSourceFromRDS / FromRedshift on a SQLite file, and the PostgreSQL path with and without its driver."""

from __future__ import annotations

import json
import sqlite3
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from aml_cli.api.errors import IdempotentParameterMismatchException, InvalidInputException
from aml_cli.service import call
from aml_cli.service.context import RequestContext
from tests.service.conftest import ROLE, schema_text, selected_ids, snapshot, split, statistics

PASSWORD = "s3cret-Pa55word"
REGIONS = ("north", "south", "east, west", 'the "middle"')

CONTEXT = RequestContext(synchronous=True)


@pytest.fixture
def shop(tmp_path, monkeypatch) -> Path:
    """A SQLite file in the working directory (so DatabaseName fits the API's 64 characters)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sales (id INTEGER, amount REAL, region TEXT, note TEXT, code)")
    rows = [(i, None if i % 17 == 0 else round(i * 1.25, 2), REGIONS[i % 4], None, i if i % 2 else f"c{i}")
            for i in range(200)]
    conn.executemany("INSERT INTO sales VALUES (?, ?, ?, ?, ?)", rows)
    conn.execute("CREATE TABLE blobs (id INTEGER, data BLOB)")
    conn.execute("INSERT INTO blobs VALUES (1, x'00ff')")
    conn.commit()
    conn.close()
    return path


def rds_request(data_source_id: str = "rds", database: str = "shop.db", query: str = "SELECT * FROM sales",
                **spec) -> dict:
    data = {"DatabaseInformation": {"InstanceIdentifier": "local-db", "DatabaseName": database},
            "SelectSqlQuery": query, "DatabaseCredentials": {"Username": "analyst", "Password": PASSWORD},
            "S3StagingLocation": "s3://staging/rds/", "ResourceRole": "DataPipelineDefaultResourceRole",
            "ServiceRole": "DataPipelineDefaultRole", "SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"], **spec}
    return {"DataSourceId": data_source_id, "RDSData": data, "RoleARN": ROLE}


def redshift_request(data_source_id: str = "rs", database: str = "shop", query: str = "SELECT * FROM sales",
                     **spec) -> dict:
    data = {"DatabaseInformation": {"ClusterIdentifier": "local-cluster", "DatabaseName": database},
            "SelectSqlQuery": query, "DatabaseCredentials": {"Username": "analyst", "Password": PASSWORD},
            "S3StagingLocation": "s3://staging/rs/", **spec}
    return {"DataSourceId": data_source_id, "DataSpec": data, "RoleARN": ROLE}


def create_rds(request: dict) -> dict:
    call("CreateDataSourceFromRDS", request)
    return call("GetDataSource", {"DataSourceId": request["DataSourceId"], "Verbose": True})


def refused(store, operation: str, request: dict, expected: str) -> str:
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match=expected) as caught:
        call(operation, request)
    assert snapshot(store) == before
    return caught.value.message


def staged_files(s3_root: Path) -> list[Path]:
    return sorted(path for path in s3_root.rglob("*") if path.is_file())


# -- SQLite through RDS ---------------------------------------------------------------------------


def test_an_rds_query_on_a_sqlite_file_becomes_a_completed_data_source(store, shop, s3_root):
    view = create_rds(rds_request())
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert view["NumberOfFiles"] == 1
    assert selected_ids(store, "rds") == list(range(200))
    [staged] = staged_files(s3_root)
    assert view["DataLocationS3"] == "s3://staging/rds/" + staged.name
    assert view["DataSizeInBytes"] == staged.stat().st_size
    assert "rds" not in staged.name.replace("aml-staged", "")
    assert staged.stat().st_mode & 0o777 == 0o600


def test_rds_metadata_records_the_request_but_never_the_password(store, shop, aml_home, s3_root):
    view = create_rds(rds_request(DataRearrangement=split(0, 50)))
    metadata = view["RDSMetadata"]
    assert metadata["Database"] == {"InstanceIdentifier": "local-db", "DatabaseName": "shop.db"}
    assert metadata["DatabaseUserName"] == "analyst"
    assert metadata["SelectSqlQuery"] == "SELECT * FROM sales"
    assert metadata["ResourceRole"] == "DataPipelineDefaultResourceRole"
    assert metadata["ServiceRole"] == "DataPipelineDefaultRole"
    assert metadata["DataPipelineId"].startswith("df-")
    assert view["RoleARN"] == ROLE and view["DataRearrangement"] == split(0, 50)
    assert "RedshiftMetadata" not in view
    for path in [*aml_home.rglob("*"), *s3_root.rglob("*")]:
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_the_schema_is_inferred_from_the_column_values(shop):
    schema = json.loads(create_rds(rds_request())["DataSourceSchema"])
    types_ = {a["attributeName"]: a["attributeType"] for a in schema["attributes"]}
    # id integers, amount reals (some NULL), region text, note only NULLs, code mixed numbers and text
    assert types_ == {"id": "NUMERIC", "amount": "NUMERIC", "region": "CATEGORICAL", "note": "CATEGORICAL",
                      "code": "CATEGORICAL"}
    assert schema["targetAttributeName"] is None and schema["dataFileContainsHeader"] is True


def test_a_given_schema_is_used_as_given(store, shop):
    given = schema_text({"id": "NUMERIC", "amount": "NUMERIC", "region": "CATEGORICAL"}, target="amount")
    view = create_rds(rds_request(query="SELECT id, amount, region FROM sales", DataSchema=given))
    assert view["Status"] == "COMPLETED"
    assert view["DataSourceSchema"] == given


def test_a_given_schema_without_header_gets_a_staged_file_without_one(store, shop, s3_root):
    given = schema_text({"id": "NUMERIC"}, header=False)
    view = create_rds(rds_request(query="SELECT id FROM sales WHERE id < 3", DataSchema=given))
    assert view["Status"] == "COMPLETED"
    assert staged_files(s3_root)[0].read_text() == "0\n1\n2\n"


def test_a_schema_whose_attribute_count_differs_from_the_columns_is_refused(store, shop, s3_root):
    given = schema_text({"id": "NUMERIC"})
    message = refused(store, "CreateDataSourceFromRDS", rds_request(query="SELECT id, region FROM sales",
                                                                    DataSchema=given), "1 attributes")
    assert "2 columns (id, region)" in message
    assert staged_files(s3_root) == []


def test_values_with_commas_quotes_and_line_breaks_survive_staging(store, shop, tmp_path):
    conn = sqlite3.connect(shop)
    conn.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    conn.executemany("INSERT INTO notes VALUES (?, ?)", [(1, 'a "quoted", text'), (2, "two\nlines"), (3, "plain")])
    conn.commit()
    conn.close()
    view = create_rds(rds_request(query="SELECT id, body FROM notes"))
    assert view["Status"] == "COMPLETED", view.get("Message")
    call("CreateDataSourceFromRDS", {**rds_request("notes-stats", query="SELECT id, body FROM notes"),
                                     "ComputeStatistics": True})
    body = next(a for a in statistics(store, "notes-stats")["attributes"] if a["name"] == "body")
    assert dict(body["top"]) == {'a "quoted", text': 1, "two lines": 1, "plain": 1}


def test_rds_splits_are_complementary(store, shop):
    create_rds(rds_request("train", DataRearrangement=split(0, 70, strategy="random", seed="k")))
    create_rds(rds_request("test", DataRearrangement=split(0, 70, complement=True, strategy="random", seed="k")))
    train, test = selected_ids(store, "train"), selected_ids(store, "test")
    assert set(train).isdisjoint(test) and sorted(train + test) == list(range(200))


def test_rds_statistics_match_pandas_on_the_query_result(store, shop):
    create_rds({**rds_request(query="SELECT id, amount, region FROM sales"), "ComputeStatistics": True})
    frame = pd.read_sql_query("SELECT id, amount, region FROM sales", sqlite3.connect(shop))
    got = {a["name"]: a for a in statistics(store, "rds")["attributes"]}
    assert got["amount"]["count"] == frame["amount"].notna().sum()
    assert got["amount"]["missing"] == frame["amount"].isna().sum()
    assert got["amount"]["mean"] == pytest.approx(frame["amount"].mean())
    assert got["amount"]["std"] == pytest.approx(frame["amount"].std())
    assert (got["id"]["min"], got["id"]["max"]) == (0.0, 199.0)
    assert dict(got["region"]["top"]) == frame["region"].value_counts().to_dict()


def test_a_sqlite_file_can_be_named_by_file_uri(store, shop):
    from aml_cli.service.machinelearning.data_sources import create_data_source_from_rds

    for n, name in enumerate((shop.as_uri(), "sqlite:///" + str(shop).lstrip("/"), str(shop))):
        create_data_source_from_rds(store, rds_request(f"uri{n}", database=name), CONTEXT)
        assert call("GetDataSource", {"DataSourceId": f"uri{n}"})["Status"] == "COMPLETED"


def test_a_trailing_semicolon_and_a_schema_uri_are_accepted(store, shop, s3_root):
    (s3_root / "schemas").mkdir(parents=True)
    (s3_root / "schemas" / "ids.json").write_text(schema_text({"id": "NUMERIC"}))
    view = create_rds(rds_request(query="SELECT id FROM sales ;\n", DataSchemaUri="s3://schemas/ids.json"))
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert json.loads(view["DataSourceSchema"])["attributes"] == [{"attributeName": "id", "attributeType": "NUMERIC"}]
    assert view["RDSMetadata"]["SelectSqlQuery"] == "SELECT id FROM sales ;\n"


def test_a_schema_given_twice_is_refused(store, shop):
    refused(store, "CreateDataSourceFromRDS",
            rds_request(DataSchema=schema_text({"id": "NUMERIC"}), DataSchemaUri="s3://schemas/ids.json"),
            "either DataSchema or DataSchemaUri")


def test_a_malformed_rearrangement_is_refused_before_the_query_runs(store, shop, s3_root):
    refused(store, "CreateDataSourceFromRDS", rds_request(DataRearrangement='{"splitting": {"percentEnd": 101}}'),
            "Invalid DataRearrangement")
    assert staged_files(s3_root) == []


# -- SQLite through Redshift ---------------------------------------------------------------------------


def test_a_redshift_database_name_naming_an_existing_file_is_a_sqlite_database(store, shop):
    (shop.parent / "shop").write_bytes(shop.read_bytes())
    call("CreateDataSourceFromRedshift", redshift_request())
    view = call("GetDataSource", {"DataSourceId": "rs"})
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert view["RedshiftMetadata"] == {
        "RedshiftDatabase": {"DatabaseName": "shop", "ClusterIdentifier": "local-cluster"},
        "DatabaseUserName": "analyst", "SelectSqlQuery": "SELECT * FROM sales"}
    assert "RDSMetadata" not in view
    assert view["DataLocationS3"].startswith("s3://staging/rs/aml-staged-")
    assert selected_ids(store, "rs") == list(range(200))


def test_redshift_with_a_sqlite_path_runs_the_query(store, shop):
    from aml_cli.service.machinelearning.data_sources import create_data_source_from_redshift

    create_data_source_from_redshift(store, redshift_request(database=str(shop)), CONTEXT)
    assert len(selected_ids(store, "rs")) == 200


def test_redshift_with_a_sqlite_path_passes_the_service_check(store, shop):
    call("CreateDataSourceFromRedshift", redshift_request(database="shop.db"))
    assert call("GetDataSource", {"DataSourceId": "rs"})["Status"] == "COMPLETED"


# -- errors at create time: clear, and nothing stored or staged -----------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM missing_table", "no such table: missing_table"),
        ("SELEC id FROM sales", "syntax error"),
        ("SELECT nope FROM sales", "no such column: nope"),
        ("SELECT id FROM sales WHERE id < 0", "returned no rows"),
        ("SELECT id, id FROM sales", "more than one column named 'id'"),
        ("SELECT * FROM blobs", "binary data"),
        ("SELECT 1; SELECT 2", "one statement"),
    ],
)
def test_a_query_that_cannot_give_a_data_source_is_invalid_input(store, shop, s3_root, query, expected):
    refused(store, "CreateDataSourceFromRDS", rds_request(query=query), expected)
    assert staged_files(s3_root) == []


@pytest.mark.parametrize(
    "query",
    ["DELETE FROM sales", "DROP TABLE sales", "INSERT INTO sales (id) VALUES (1)", "ATTACH DATABASE 'x.db' AS x",
     "PRAGMA journal_mode = DELETE", "UPDATE sales SET id = 0"],
)
def test_the_database_is_opened_read_only(store, shop, query):
    before = shop.read_bytes()
    refused(store, "CreateDataSourceFromRDS", rds_request(query=query), "read-only")
    assert shop.read_bytes() == before
    assert not (shop.parent / "x.db").exists()


def test_a_missing_database_file_is_invalid_input(store, shop):
    message = refused(store, "CreateDataSourceFromRDS", rds_request(database="gone.db"), "does not exist")
    assert "gone.db" in message


def test_a_file_that_is_not_sqlite_is_invalid_input(store, shop):
    (shop.parent / "notes.db").write_text("just text\n")
    refused(store, "CreateDataSourceFromRDS", rds_request(database="notes.db"), "is not a SQLite database")


def test_sql_errors_never_show_the_password(store, shop):
    message = refused(store, "CreateDataSourceFromRDS", rds_request(query=f"SELECT '{PASSWORD}' FROM nowhere"),
                      "no such table")
    assert PASSWORD not in message


# -- idempotency -------------------------------------------------------------------------------------------


def test_the_same_rds_request_twice_is_one_data_source_and_one_staged_file(store, shop, s3_root):
    assert call("CreateDataSourceFromRDS", rds_request()) == {"DataSourceId": "rds"}
    assert call("CreateDataSourceFromRDS", rds_request()) == {"DataSourceId": "rds"}
    assert len(store.list("DataSource")) == 1 and len(staged_files(s3_root)) == 1


def test_another_password_is_still_the_same_request(store, shop):
    call("CreateDataSourceFromRDS", rds_request())
    again = rds_request()
    again["RDSData"]["DatabaseCredentials"]["Password"] = "another-password"
    assert call("CreateDataSourceFromRDS", again) == {"DataSourceId": "rds"}


def test_another_query_under_the_same_id_is_a_mismatch(store, shop, s3_root):
    call("CreateDataSourceFromRDS", rds_request())
    refused_mismatch = rds_request(query="SELECT id FROM sales")
    with pytest.raises(IdempotentParameterMismatchException):
        call("CreateDataSourceFromRDS", refused_mismatch)
    assert len(staged_files(s3_root)) == 1


# -- PostgreSQL ----------------------------------------------------------------------------------------------


def test_postgresql_without_its_driver_names_the_extra_to_install(store, shop, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    message = refused(store, "CreateDataSourceFromRDS", rds_request(database="warehouse"), "psycopg")
    assert "pip install 'aml-cli[postgres]'" in message
    assert "local-db" in message


class FakePsycopg(types.ModuleType):
    """Just enough of psycopg 3 to check what aml asks of it; rows come from a SQLite file."""

    class Error(Exception):
        pass

    def __init__(self, source: Path, fail_connect: bool = False) -> None:
        super().__init__("psycopg")
        self.source, self.fail_connect, self.calls = source, fail_connect, []

    def connect(self, **kwargs):
        self.calls.append(("connect", kwargs))
        if self.fail_connect:
            raise self.Error(f"password authentication failed (password={kwargs['password']})")
        return FakeConnection(self)


class FakeConnection:
    def __init__(self, module: FakePsycopg) -> None:
        self.module, self.read_only = module, False

    def cursor(self, name=None):
        self.module.calls.append(("cursor", name, self.read_only))
        return FakeCursor(self.module)

    def close(self):
        self.module.calls.append(("close",))


class FakeCursor:
    def __init__(self, module: FakePsycopg) -> None:
        self.module = module
        self.inner = sqlite3.connect(module.source).cursor()
        self.description = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.inner.connection.close()

    def execute(self, query):
        try:
            self.inner.execute(query)
        except sqlite3.Error as exc:
            raise self.module.Error(str(exc)) from exc
        self.description = [types.SimpleNamespace(name=column[0]) for column in self.inner.description]

    def fetchmany(self, size):
        return self.inner.fetchmany(size)


def test_postgresql_is_queried_read_only_with_the_request_credentials(store, shop, monkeypatch):
    fake = FakePsycopg(shop)
    monkeypatch.setitem(sys.modules, "psycopg", fake)
    call("CreateDataSourceFromRDS", rds_request(database="warehouse", query="SELECT id, region FROM sales"))
    assert fake.calls[0] == ("connect", {"host": "local-db", "port": 5432, "dbname": "warehouse",
                                         "user": "analyst", "password": PASSWORD, "connect_timeout": 15})
    assert fake.calls[1][2] is True  # read_only set before the cursor exists
    assert fake.calls[-1] == ("close",)
    assert selected_ids(store, "rds") == list(range(200))


def test_redshift_on_postgresql_uses_the_cluster_as_host(store, shop, monkeypatch):
    fake = FakePsycopg(shop)
    monkeypatch.setitem(sys.modules, "psycopg", fake)
    call("CreateDataSourceFromRedshift", redshift_request(database="dev", query="SELECT id FROM sales"))
    assert fake.calls[0][1]["host"] == "local-cluster" and fake.calls[0][1]["dbname"] == "dev"
    assert call("GetDataSource", {"DataSourceId": "rs"})["Status"] == "COMPLETED"


def test_a_failed_postgresql_connection_is_invalid_input_without_the_password(store, shop, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", FakePsycopg(shop, fail_connect=True))
    message = refused(store, "CreateDataSourceFromRDS", rds_request(database="warehouse"),
                      "Cannot connect to the PostgreSQL server at local-db:5432")
    assert PASSWORD not in message and "********" in message


def test_a_postgresql_query_error_is_invalid_input(store, shop, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", FakePsycopg(shop))
    refused(store, "CreateDataSourceFromRDS", rds_request(database="warehouse", query="SELECT * FROM nope"),
            "SelectSqlQuery failed on local-db:5432/warehouse: no such table: nope")


@pytest.mark.parametrize(("identifier", "address"), [("db", ("db", 5432)), ("db.example:6543", ("db.example", 6543))])
def test_host_and_port_come_from_the_identifier(identifier, address):
    from aml_cli.service.machinelearning.databases import postgres_address

    assert postgres_address(identifier) == address


@pytest.mark.parametrize("identifier", ["db:", "db:port", ":5432", "db:70000"])
def test_a_malformed_host_port_is_invalid_input(identifier):
    from aml_cli.service.machinelearning.databases import postgres_address

    with pytest.raises(InvalidInputException, match="host:port"):
        postgres_address(identifier)


def test_an_instance_identifier_may_carry_a_port(store, shop, monkeypatch):
    fake = FakePsycopg(shop)
    monkeypatch.setitem(sys.modules, "psycopg", fake)
    request = rds_request(database="warehouse")
    request["RDSData"]["DatabaseInformation"]["InstanceIdentifier"] = "localhost:5433"
    call("CreateDataSourceFromRDS", request)
    assert fake.calls[0][1]["port"] == 5433


# -- a real PostgreSQL server (skipped without psycopg or the server binaries) -------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL server on 127.0.0.1 (run as `nobody` when we are root, as postgres demands).

    Its folder is made directly under the system temp dir: pytest's own is private to us, and `nobody`
    must be able to reach it.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    psycopg = pytest.importorskip("psycopg")
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("PostgreSQL server binaries are not installed")
    folder = Path(tempfile.mkdtemp(prefix="aml-pg-"))
    (folder / "pw").write_text(PASSWORD + "\n")
    user = {"user": "nobody", "group": "nogroup"} if os.geteuid() == 0 else {}
    if user:
        shutil.chown(folder, "nobody", "nogroup")
        shutil.chown(folder / "pw", "nobody", "nogroup")
    port = _free_port()

    def run(*argv: str) -> None:
        subprocess.run(argv, check=True, capture_output=True, cwd=folder, timeout=120, **user)

    run("initdb", "-D", str(folder / "data"), "-U", "analyst", f"--pwfile={folder / 'pw'}",
        "--auth=scram-sha-256")
    run("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "log"), "-w",
        "-o", f"-p {port} -h 127.0.0.1 -k {folder}", "start")
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="analyst", password=PASSWORD, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE warehouse")
        with psycopg.connect(host="127.0.0.1", port=port, user="analyst", password=PASSWORD,
                             dbname="warehouse") as conn:
            conn.execute("CREATE SEQUENCE tickets")
            conn.execute("CREATE TABLE orders (id integer, total numeric(8,2), paid boolean, city text, day date)")
            conn.execute("INSERT INTO orders SELECT i, i * 1.5, i % 3 = 0, 'city' || (i % 4), "
                         "DATE '2015-04-09' + i FROM generate_series(0, 149) AS i")
        yield port
    finally:
        subprocess.run(["pg_ctl", "-D", str(folder / "data"), "-m", "immediate", "stop"], capture_output=True,
                       cwd=folder, timeout=60, **user)
        shutil.rmtree(folder, ignore_errors=True)


def _pg_request(port: int, **changes) -> dict:
    request = rds_request(database="warehouse", query="SELECT * FROM orders ORDER BY id;", **changes)
    request["RDSData"]["DatabaseInformation"]["InstanceIdentifier"] = f"127.0.0.1:{port}"
    return request


@pytest.mark.slow
def test_a_real_postgresql_query_becomes_a_data_source(store, postgres):
    from aml_cli.service.machinelearning.data_sources import create_data_source_from_rds

    create_data_source_from_rds(store, {**_pg_request(postgres), "ComputeStatistics": True}, CONTEXT)
    view = call("GetDataSource", {"DataSourceId": "rds", "Verbose": True})
    assert view["Status"] == "COMPLETED", view.get("Message")
    types_ = {a["attributeName"]: a["attributeType"] for a in json.loads(view["DataSourceSchema"])["attributes"]}
    assert types_ == {"id": "NUMERIC", "total": "NUMERIC", "paid": "BINARY", "city": "CATEGORICAL",
                      "day": "CATEGORICAL"}
    got = {a["name"]: a for a in statistics(store, "rds")["attributes"]}
    assert got["paid"]["true"] == 50 and got["total"]["max"] == pytest.approx(149 * 1.5)
    assert selected_ids(store, "rds") == list(range(150))


@pytest.mark.slow
def test_a_real_postgresql_server_refuses_writes_from_the_query(store, postgres):
    from aml_cli.service.machinelearning.data_sources import create_data_source_from_rds

    def create(query: str) -> None:
        create_data_source_from_rds(store, _pg_request(postgres, SelectSqlQuery=query), CONTEXT)

    with pytest.raises(InvalidInputException, match="read-only transaction"):
        create("SELECT nextval('tickets') AS t")
    with pytest.raises(InvalidInputException, match="SelectSqlQuery failed"):
        create("DELETE FROM orders RETURNING id")
    create("SELECT count(*) AS n FROM orders")
    assert call("GetDataSource", {"DataSourceId": "rds"})["Status"] == "COMPLETED"
    assert selected_ids(store, "rds", column="n") == [150]  # nothing was deleted


@pytest.mark.slow
def test_a_wrong_postgresql_password_is_invalid_input_that_does_not_echo_it(store, postgres):
    from aml_cli.service.machinelearning.data_sources import create_data_source_from_rds

    request = _pg_request(postgres)
    request["RDSData"]["DatabaseCredentials"]["Password"] = "not-the-password"
    with pytest.raises(InvalidInputException, match="Cannot connect to the PostgreSQL server") as caught:
        create_data_source_from_rds(store, request, CONTEXT)
    assert "not-the-password" not in caught.value.message
