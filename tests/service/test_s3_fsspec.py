"""s3:// read from S3 itself (AML_S3_READ=fsspec): a real S3 API (moto's server), fsspec with s3fs or
pyarrow's S3 client, and a LocalCluster whose workers read the objects themselves; the results are those
of the same files on local disk."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.service import call
from aml_cli.service.remote_locations import remote_files
from aml_cli.store import Store
from tests.service.test_on_cluster import partitions_in_log, schema, statistics_of, write_data

distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A bucket `data` in a local S3 server: in/ holds the three test files (a hidden one and a folder
    marker beside them), schema/ their schema; the environment points every S3 client (s3fs's too) at it."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    local = write_data(tmp_path_factory.mktemp("s3-data") / "in")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": f"http://{host}:{port}"}.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        import boto3

        client = boto3.client("s3")
        client.create_bucket(Bucket="data")
        for file in sorted(local.iterdir()):
            client.put_object(Bucket="data", Key=f"in/{file.name}", Body=file.read_bytes())
        client.put_object(Bucket="data", Key="in/.hidden.csv", Body=b"not,data\n")
        client.put_object(Bucket="data", Key="in/", Body=b"")
        client.put_object(Bucket="data", Key="schema/d.schema", Body=schema().encode())
        yield local
    server.stop()


@pytest.fixture(scope="module")
def s3_cluster(s3):
    """Started once the environment names the S3 server, so its worker processes inherit it."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster


def create(store, source_id, location, schema_location=None):
    spec = {"DataLocationS3": location}
    spec.update({"DataSchemaLocationS3": schema_location} if schema_location else {"DataSchema": schema()})
    call("CreateDataSourceFromS3", {"DataSourceId": source_id, "DataSpec": spec, "ComputeStatistics": True}, store)
    return call("GetDataSource", {"DataSourceId": source_id, "Verbose": True}, store)


def test_a_location_in_s3_names_its_objects_as_a_local_one_names_its_files(s3):
    def names(uri):
        return [(file.url, file.size) for file in remote_files(uri, "DataLocationS3")]

    sizes = {file.name: file.stat().st_size for file in s3.iterdir()}
    every = [(f"s3://data/in/{name}", sizes[name]) for name in ("a.csv", "b.csv.gz", "c.csv")]
    assert names("s3://data/in/") == names("s3://data/in") == every  # no hidden object, no folder marker
    assert names("s3://data/in/c.csv") == every[2:]
    assert names("s3://data/in/b") == every[1:2]  # a key prefix
    for missing in ("s3://data/nothing", "s3://data/in/d", "s3://no-such-bucket/in/"):
        with pytest.raises(InvalidInputException, match="no data found at"):
            remote_files(missing, "DataLocationS3")


def test_a_data_source_read_from_s3_has_the_local_files_counts_and_statistics(s3, aml_home):
    local, remote = Store(aml_home), Store(aml_home, s3_fsspec=True)
    here = create(local, "here", str(s3))
    there = create(remote, "there", "s3://data/in/", "s3://data/schema/d.schema")
    assert there["Status"] == here["Status"] == "COMPLETED", there.get("Message")
    for field in ("DataSizeInBytes", "NumberOfFiles"):
        assert there[field] == here[field]
    for field in ("_rows", "_invalid_rows"):
        assert remote.get("DataSource", "there")[field] == local.get("DataSource", "here")[field]
    assert statistics_of(remote, "there") == statistics_of(local, "here")


def test_what_is_not_in_s3_is_a_clear_error_and_creates_nothing(s3, aml_home):
    remote = Store(aml_home, s3_fsspec=True)
    cases = [({"DataLocationS3": "s3://data/elsewhere/", "DataSchema": schema()}, "no data found at"),
             ({"DataLocationS3": "s3://data/in/", "DataSchemaLocationS3": "s3://data/schema/none"}, "does not exist")]
    for spec, message in cases:
        with pytest.raises(InvalidInputException, match=message):
            call("CreateDataSourceFromS3", {"DataSourceId": "bad", "DataSpec": spec}, remote)
    assert remote.get("DataSource", "bad") is None


def without_s3fs(monkeypatch):
    """fsspec as it is where s3fs is not installed."""
    import fsspec

    from aml_cli.ml import data_files

    real = fsspec.filesystem

    def filesystem(scheme, **options):
        if scheme == "s3":
            raise ImportError("Install s3fs to access S3")
        return real(scheme, **options)

    monkeypatch.setattr(fsspec, "filesystem", filesystem)
    monkeypatch.setattr(data_files, "_ARROW_S3", [])
    return data_files


def test_without_s3fs_pyarrows_s3_client_reads_the_same_objects(s3, monkeypatch):
    without_s3fs(monkeypatch)
    files = remote_files("s3://data/in/", "DataLocationS3")
    assert [file.name for file in files] == ["a.csv", "b.csv.gz", "c.csv"]
    for file in files:
        with file.open("rb") as handle:
            handle.seek(5)
            assert handle.read() == (s3 / file.name).read_bytes()[5:]


def test_without_an_s3_driver_the_error_says_what_to_install(s3, aml_home, monkeypatch):
    data_files = without_s3fs(monkeypatch)
    monkeypatch.setattr(data_files, "_arrow_s3", lambda: None)
    with pytest.raises(InvalidInputException, match="needs s3fs"):
        create(Store(aml_home, s3_fsspec=True), "bad", "s3://data/in/")


def test_on_the_cluster_the_workers_read_s3_and_give_the_local_results(s3, s3_cluster, aml_home, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr("aml_cli.service.machinelearning.reading.CHUNK_BYTES", 4096)
    local, remote = Store(aml_home), Store(aml_home, s3_fsspec=True)
    create(local, "train", str(s3))
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "train"}, local)
    create(local, "batch-here", str(s3))
    call("CreateBatchPrediction", {"BatchPredictionId": "bp-here", "MLModelId": "m",
                                   "OutputUri": str(tmp_path / "here"), "BatchPredictionDataSourceId": "batch-here"},
         local)
    monkeypatch.setenv("AML_DASK_SCHEDULER", s3_cluster.scheduler_address)
    monkeypatch.setenv("AML_DASK_PARTITION_BYTES", "8192")
    create(remote, "batch-there", "s3://data/in/")
    assert statistics_of(remote, "batch-there") == statistics_of(local, "batch-here")
    assert partitions_in_log(remote, "DataSource", "batch-there") > 3
    call("CreateBatchPrediction", {"BatchPredictionId": "bp-there", "MLModelId": "m",
                                   "OutputUri": str(tmp_path / "there"), "BatchPredictionDataSourceId": "batch-there"},
         remote)
    view = call("GetBatchPrediction", {"BatchPredictionId": "bp-there"}, remote)
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert partitions_in_log(remote, "BatchPrediction", "bp-there") > 3
    for name in ("a.csv", "b.csv", "c.csv"):
        expected = gzip.decompress((tmp_path / f"here/batch-prediction/result/bp-here-{name}.gz").read_bytes())
        found = gzip.decompress((tmp_path / f"there/batch-prediction/result/bp-there-{name}.gz").read_bytes())
        assert found == expected and expected.count(b"\n") > 100
    manifest = json.loads((tmp_path / "there/batch-prediction/bp-there.manifest").read_text())
    assert sorted(manifest) == ["s3://data/in/a.csv", "s3://data/in/b.csv.gz", "s3://data/in/c.csv"]
    assert sorted(Path(uri).name for uri in manifest.values()) == [f"bp-there-{n}.csv.gz" for n in "abc"]


@pytest.mark.parametrize("uri, message", [
    ("s3:///in/", "has no bucket"), ("s3://data/in/\x00a.csv", "NUL"), ("s3://data/in/a%00.csv", "NUL"),
    ("s3://data/..", r"\.\. segment"), ("s3://data/in/../schema/d.schema", r"\.\. segment"),
    ("s3://data/./in/a.csv", r"\. or \.\. segment"),
    ("s3://Not A Bucket!/x", "no data found|cannot read|does not exist"),
])
def test_a_hostile_s3_location_is_a_clear_error_for_data_and_schema_alike(s3, aml_home, uri, message):
    remote = Store(aml_home, s3_fsspec=True)
    for spec in ({"DataLocationS3": uri, "DataSchema": schema()},
                 {"DataLocationS3": "s3://data/in/", "DataSchemaLocationS3": uri}):
        with pytest.raises(InvalidInputException, match=message):
            call("CreateDataSourceFromS3", {"DataSourceId": "bad", "DataSpec": spec}, remote)
    assert remote.get("DataSource", "bad") is None
