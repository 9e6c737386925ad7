"""Data locations through CreateDataSourceFromS3: s3:// under the local root, file:// URIs, and what is refused."""

from __future__ import annotations

import os

import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.service import call
from tests.service.conftest import (
    ID_SCHEMA,
    create_s3,
    id_rows,
    s3_request,
    schema_text,
    selected_ids,
    snapshot,
    write_csv,
)


def refused(store, request: dict, expected: str) -> str:
    """Asserts the create is InvalidInputException matching `expected` and that nothing was stored."""
    before = snapshot(store)
    with pytest.raises(InvalidInputException, match=expected) as caught:
        call("CreateDataSourceFromS3", request)
    assert snapshot(store) == before
    return caught.value.message


def test_an_s3_uri_reads_the_file_under_the_local_s3_root(store, s3_root):
    write_csv(s3_root / "bucket" / "in" / "data.csv", id_rows(12))
    view = create_s3("s3", "s3://bucket/in/data.csv")
    assert view["Status"] == "COMPLETED"
    assert view["DataLocationS3"] == "s3://bucket/in/data.csv"
    assert selected_ids(store, "s3") == list(range(12))


def test_an_s3_key_prefix_reads_every_matching_file_in_name_order(store, s3_root):
    write_csv(s3_root / "bucket" / "in" / "part-2.csv", id_rows(3, start=3))
    write_csv(s3_root / "bucket" / "in" / "part-1.csv", id_rows(3))
    write_csv(s3_root / "bucket" / "in" / "other.csv", id_rows(3, start=100))
    view = create_s3("prefix", "s3://bucket/in/part-")
    assert view["NumberOfFiles"] == 2
    assert selected_ids(store, "prefix") == list(range(6))


def test_hidden_files_in_a_folder_are_ignored(store, s3_root):
    write_csv(s3_root / "b" / "d" / "data.csv", id_rows(4))
    (s3_root / "b" / "d" / ".DS_Store").write_bytes(b"\x00\x01junk")
    view = create_s3("hidden", "s3://b/d/")
    assert view["Status"] == "COMPLETED" and view["NumberOfFiles"] == 1


@pytest.mark.parametrize("form", ["file://{path}", "file://localhost{path}", "{path}"])
def test_file_uris_and_plain_paths_name_local_files(store, tmp_path, form):
    path = write_csv(tmp_path / "with space" / "data.csv", id_rows(5))
    location = form.format(path=path.as_uri()[len("file://"):] if form.startswith("file") else path)
    view = create_s3("local", location)
    assert view["Status"] == "COMPLETED", view.get("Message")
    assert selected_ids(store, "local") == list(range(5))


def test_a_schema_can_come_from_an_s3_uri(store, s3_root):
    write_csv(s3_root / "b" / "data.csv", id_rows(5))
    (s3_root / "b" / "data.schema").write_text(schema_text(ID_SCHEMA, target="y"))
    call("CreateDataSourceFromS3", s3_request("schema", "s3://b/data.csv", spec_DataSchema=None,
                                              spec_DataSchemaLocationS3="s3://b/data.schema"))
    view = call("GetDataSource", {"DataSourceId": "schema", "Verbose": True})
    assert view["Status"] == "COMPLETED"
    assert '"targetAttributeName": "y"' in view["DataSourceSchema"]


def test_a_file_uri_naming_another_host_is_refused(store):
    refused(store, s3_request("x", "file://example.com/data.csv"), "names another host")


def test_an_s3_uri_without_a_bucket_is_refused(store):
    refused(store, s3_request("x", "s3:///data.csv"), "has no bucket")


@pytest.mark.parametrize(
    "uri", ["s3://bucket/../../outside.csv", "s3://bucket/a/../../../outside.csv", "s3://bucket/%2E%2E/%2E%2E/outside.csv"]
)
def test_an_s3_key_climbing_out_of_the_root_is_refused(store, s3_root, tmp_path, uri):
    write_csv(tmp_path / "outside.csv", id_rows(3))  # exactly where the climb lands
    message = refused(store, s3_request("x", uri), "outside the local S3 root")
    assert uri in message


def test_a_symlink_from_the_s3_root_to_outside_is_refused(store, s3_root, tmp_path):
    secret = write_csv(tmp_path / "secret" / "data.csv", id_rows(3))
    (s3_root / "bucket").mkdir(parents=True)
    (s3_root / "bucket" / "link.csv").symlink_to(secret)
    refused(store, s3_request("x", "s3://bucket/link.csv"), "outside the local S3 root")


def test_a_symlinked_folder_out_of_the_s3_root_is_refused(store, s3_root, tmp_path):
    write_csv(tmp_path / "elsewhere" / "data.csv", id_rows(3))
    (s3_root / "bucket").mkdir(parents=True)
    (s3_root / "bucket" / "dir").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    refused(store, s3_request("x", "s3://bucket/dir/"), "outside the local S3 root")


def test_a_symlink_that_stays_inside_the_s3_root_is_followed(store, s3_root):
    real = write_csv(s3_root / "bucket" / "real.csv", id_rows(3))
    (s3_root / "bucket" / "alias.csv").symlink_to(real)
    assert create_s3("alias", "s3://bucket/alias.csv")["Status"] == "COMPLETED"


def test_a_fifo_is_refused_without_blocking(store, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    refused(store, s3_request("x", fifo), "not a regular file")


def test_a_fifo_inside_a_data_folder_is_refused(store, tmp_path):
    write_csv(tmp_path / "d" / "a.csv", id_rows(3))
    os.mkfifo(tmp_path / "d" / "b.csv")
    refused(store, s3_request("x", tmp_path / "d"), "not a regular file")


def test_a_directory_given_as_the_schema_location_is_refused(store, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(3))
    (tmp_path / "schemas").mkdir()
    message = refused(store, s3_request("x", data, spec_DataSchema=None,
                                        spec_DataSchemaLocationS3=str(tmp_path / "schemas")),
                      "a directory where a file is expected")
    assert message.startswith("DataSchemaLocationS3")


def test_a_schema_file_that_is_not_utf8_is_refused(store, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(3))
    (tmp_path / "bad.schema").write_bytes(b'{"attributes": [{"attributeName": "\xe9"}]}')
    refused(store, s3_request("x", data, spec_DataSchema=None, spec_DataSchemaLocationS3=str(tmp_path / "bad.schema")),
            "not valid UTF-8")


def test_a_missing_schema_file_is_refused(store, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(3))
    refused(store, s3_request("x", data, spec_DataSchema=None, spec_DataSchemaLocationS3=str(tmp_path / "no.schema")),
            "does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file, so permissions cannot be tested")
def test_an_unreadable_data_file_is_refused(store, tmp_path):
    data = write_csv(tmp_path / "data.csv", id_rows(3))
    data.chmod(0)
    refused(store, s3_request("x", data), "not readable")


@pytest.mark.parametrize("uri", ["https://bucket.s3.amazonaws.com/data.csv", "hdfs://cluster/data.csv"])
def test_a_remote_location_is_refused_saying_it_is_not_local(store, uri):
    message = refused(store, s3_request("x", uri), "is not a local location")
    assert uri in message


def test_a_data_file_that_vanishes_before_the_job_fails_the_data_source(monkeypatch, store, tmp_path):
    import aml_cli.jobs
    from aml_cli.api import resource_kind

    data = write_csv(tmp_path / "data.csv", id_rows(3))
    with monkeypatch.context() as patch:
        patch.setattr(aml_cli.jobs.scheduler, "start_queued", lambda *args, **kwargs: None)  # not started yet
        call("CreateDataSourceFromS3", s3_request("late", data))
    data.unlink()
    handler = resource_kind("DataSource").job
    aml_cli.jobs.start_queued(store, "DataSource", "late", aml_cli.jobs.Work(handler, synchronous=True))
    view = call("GetDataSource", {"DataSourceId": "late"})
    assert view["Status"] == "FAILED"
    assert "no data found" in view["Message"]
