"""ML input channels: SQL in SQLite over COMPLETED data sources, kept as CSV, retention enforced (spec §2.5)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from aml_cli.api.errors import ConflictException, ResourceNotFoundException, ValidationException
from aml_cli.service import call
from tests.service.cleanroomsml.support import (
    ACCOUNT,
    Chain,
    association,
    channel,
    channel_request,
    data_source,
    membership,
    ml,
    rows,
)


@pytest.fixture
def chain(store, tmp_path) -> Chain:
    return Chain(store, tmp_path / "data")


def _get(chain: Chain, arn: str) -> dict:
    return ml("GetMLInputChannel", {"membershipIdentifier": chain.member["id"], "mlInputChannelArn": arn},
              chain.store)


def _rows_of(store, arn: str) -> list[list[str]]:
    record = store.get("MLInputChannel", arn.rsplit("/", 1)[1])
    with open(record["_data_path"], newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_a_channel_runs_its_query_over_a_data_source_and_counts_the_records(chain):
    got = _get(chain, chain.channel)
    assert got["status"] == "ACTIVE" and got["numberOfRecords"] == 600
    assert (got["numberOfFiles"], got["retentionInDays"]) == (1.0, 7)
    assert 0 < got["sizeInGb"] < 1e-3 and len(got["protectedQueryIdentifier"]) == 36
    assert got["configuredModelAlgorithmAssociations"] == [chain.association]
    data = _rows_of(chain.store, chain.channel)
    assert data[0] == ["id", "x1", "x2", "color", "y"] and len(data) == 601
    record = chain.store.get("MLInputChannel", chain.channel.rsplit("/", 1)[1])
    assert record["_columns"] == [{"name": "id", "type": "NUMERIC"}, {"name": "x1", "type": "NUMERIC"},
                                  {"name": "x2", "type": "NUMERIC"}, {"name": "color", "type": "CATEGORICAL"},
                                  {"name": "y", "type": "BINARY"}]


def test_the_sql_filters_joins_and_computes_and_new_columns_get_inferred_types(chain, tmp_path):
    data_source(chain.store, tmp_path / "data", "ds.2", data=rows(50, seed=9))
    query = ('SELECT a.id, a.x1 * 2 AS doubled, b.color AS other, a.y FROM "ds-1" a JOIN "ds.2" b ON a.id = b.id '
             "WHERE a.id < 20 ORDER BY a.id")
    arn = channel(chain.store, chain.member, chain.association, query, name="joined")
    assert _get(chain, arn)["numberOfRecords"] == 20
    data = _rows_of(chain.store, arn)
    assert data[0] == ["id", "doubled", "other", "y"] and data[1][0] == "0.0"
    types = {c["name"]: c["type"] for c in chain.store.get("MLInputChannel", arn.rsplit("/", 1)[1])["_columns"]}
    assert types == {"id": "NUMERIC", "doubled": "NUMERIC", "other": "CATEGORICAL", "y": "BINARY"}


def test_only_the_tables_the_query_reads_are_loaded(chain, tmp_path):
    data_source(chain.store, tmp_path / "data", "unused", data=rows(10))
    arn = channel(chain.store, chain.member, chain.association, 'SELECT count(*) AS n FROM "ds-1"')
    from aml_cli.jobs import log_path

    log = log_path(chain.store, "MLInputChannel", arn.rsplit("/", 1)[1]).read_text()
    assert "The query reads: ds-1" in log and "Loaded 600 records of ds-1" in log and "unused" not in log
    assert _rows_of(chain.store, arn) == [["n"], ["600"]]


def test_a_data_sources_rearrangement_is_the_table(store, tmp_path):
    split = json.dumps({"splitting": {"percentBegin": 0, "percentEnd": 25}})
    data_source(store, tmp_path, "part", DataRearrangement=split)
    member = membership(store)
    arn = channel(store, member, association(store, member), 'SELECT * FROM "part"')
    assert ml("GetMLInputChannel", {"membershipIdentifier": member["id"], "mlInputChannelArn": arn},
              store)["numberOfRecords"] == 150


@pytest.mark.parametrize(("query", "message"), [
    ('SELECT * FROM "nope"', "no such table: nope"),
    ("SELEC 1", "syntax error"),
    ('DELETE FROM "ds-1"', "not authorized"),
    ('SELECT a, a FROM (SELECT 1 AS a)', "more than one column named 'a'"),
])
def test_a_failing_query_fails_the_channel_with_sqlites_message(chain, query, message):
    arn = channel(chain.store, chain.member, chain.association, query, name="bad")
    got = _get(chain, arn)
    assert got["status"] == "CREATE_FAILED"
    assert got["statusDetails"]["statusCode"] == "QUERY_ERROR" and message in got["statusDetails"]["message"]
    assert "numberOfRecords" not in got


def test_a_data_source_that_is_not_completed_is_no_table(chain, tmp_path):
    data_source(chain.store, tmp_path / "bad", "failed", data=[["one", "two", "three", "red", "x"]] * 20)
    assert call("GetDataSource", {"DataSourceId": "failed"}, chain.store)["Status"] == "FAILED"
    arn = channel(chain.store, chain.member, chain.association, 'SELECT * FROM "failed"', name="x")
    assert "no such table: failed" in _get(chain, arn)["statusDetails"]["message"]


@pytest.mark.parametrize(("change", "message"), [
    ({"analysisTemplateArn": "arn:aws:cleanrooms:us-east-1:000000000000:membership/m/analysistemplate/t"},
     "no analysis templates"),
    ({"queryString": "  "}, "queryString is required"),
])
def test_templates_and_empty_queries_are_refused(chain, change, message):
    request = channel_request(chain.member, chain.association, "SELECT 1")
    request["inputChannel"]["dataSource"]["protectedQueryInputParameters"]["sqlParameters"].update(change)
    with pytest.raises(ValidationException, match=message):
        ml("CreateMLInputChannel", request, chain.store)


def test_parquet_results_are_refused_and_compute_settings_echoed(chain):
    request = channel_request(chain.member, chain.association, 'SELECT * FROM "ds-1"')
    parameters = request["inputChannel"]["dataSource"]["protectedQueryInputParameters"]
    parameters["resultFormat"] = "PARQUET"
    with pytest.raises(ValidationException, match="PARQUET"):
        ml("CreateMLInputChannel", request, chain.store)
    parameters["resultFormat"] = "CSV"
    parameters["computeConfiguration"] = {"worker": {"type": "CR.4X", "number": 4}}
    arn = ml("CreateMLInputChannel", request, chain.store)["mlInputChannelArn"]
    assert _get(chain, arn)["inputChannel"] == request["inputChannel"]


def test_the_association_must_be_of_the_same_membership(store, tmp_path):
    data_source(store, tmp_path)
    first, second = membership(store), membership(store)
    theirs = association(store, second)
    with pytest.raises(ValidationException, match="belongs to the membership"):
        channel(store, first, theirs)
    with pytest.raises(ResourceNotFoundException):
        channel(store, first, theirs.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000")


def test_past_its_retention_a_channel_is_inactive_and_its_data_gone(chain):
    key = chain.channel.rsplit("/", 1)[1]
    path = Path(chain.store.get("MLInputChannel", key)["_data_path"])
    chain.store.update("MLInputChannel", key, {"createTime": chain.store.get("MLInputChannel", key)["createTime"]
                                               - 7 * 86400 - 1})
    got = _get(chain, chain.channel)
    assert got["status"] == "INACTIVE" and got["statusDetails"]["statusCode"] == "RETENTION_EXPIRED"
    assert not path.exists()
    with pytest.raises(ValidationException, match="INACTIVE"):
        chain.model()


def test_deleting_the_data_leaves_the_channel_listed_and_inactive(chain):
    key = chain.channel.rsplit("/", 1)[1]
    path = Path(chain.store.get("MLInputChannel", key)["_data_path"])
    request = {"membershipIdentifier": chain.member["id"], "mlInputChannelArn": chain.channel}
    assert ml("DeleteMLInputChannelData", request, chain.store) == {}
    assert _get(chain, chain.channel)["status"] == "INACTIVE" and not path.exists()
    with pytest.raises(ConflictException):
        ml("DeleteMLInputChannelData", request, chain.store)
    listed = ml("ListMLInputChannels", {"membershipIdentifier": chain.member["id"]}, chain.store)
    assert [(c["mlInputChannelArn"], c["status"]) for c in listed["mlInputChannelsList"]] == [
        (chain.channel, "INACTIVE")]


def test_data_a_job_still_reads_is_deleted_when_it_ends(chain):
    key = chain.channel.rsplit("/", 1)[1]
    chain.store.create("TrainedModel", "reader", {"Status": "CREATE_IN_PROGRESS", "_channel_arns": [chain.channel]},
                       "fp")
    request = {"membershipIdentifier": chain.member["id"], "mlInputChannelArn": chain.channel}
    ml("DeleteMLInputChannelData", request, chain.store)
    assert _get(chain, chain.channel)["status"] == "DELETE_PENDING"
    assert Path(chain.store.get("MLInputChannel", key)["_data_path"]).exists()
    chain.store.update("TrainedModel", "reader", {"Status": "ACTIVE"})
    assert _get(chain, chain.channel)["status"] == "INACTIVE"


def test_the_collaboration_views_leave_out_the_query_kms_key_and_tags(chain):
    collaboration = {"collaborationIdentifier": chain.member["collaborationId"]}
    seen = ml("GetCollaborationMLInputChannel", {**collaboration, "mlInputChannelArn": chain.channel}, chain.store)
    assert seen["creatorAccountId"] == ACCOUNT and seen["numberOfRecords"] == 600
    assert not {"inputChannel", "kmsKeyArn", "tags"} & set(seen)
    listed = ml("ListCollaborationMLInputChannels", collaboration, chain.store)["collaborationMLInputChannelsList"]
    assert [(c["mlInputChannelArn"], c["creatorAccountId"]) for c in listed] == [(chain.channel, ACCOUNT)]


def test_a_detached_channel_goes_from_pending_to_active(store, tmp_path, detached):
    import time

    from aml_cli.service.context import RequestContext, use_default

    use_default(RequestContext(synchronous=True))
    data_source(store, tmp_path)
    member = membership(store)
    arn_association = association(store, member)
    use_default(RequestContext(synchronous=False))
    arn = channel(store, member, arn_association)
    first = ml("GetMLInputChannel", {"membershipIdentifier": member["id"], "mlInputChannelArn": arn}, store)
    assert first["status"] in ("CREATE_PENDING", "CREATE_IN_PROGRESS", "ACTIVE")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = ml("GetMLInputChannel", {"membershipIdentifier": member["id"], "mlInputChannelArn": arn}, store)
        if got["status"] == "ACTIVE":
            break
        time.sleep(0.1)
    assert got["status"] == "ACTIVE" and got["numberOfRecords"] == 600


def test_a_channel_waits_for_a_data_source_still_being_made(store, tmp_path, detached):
    import time

    from aml_cli.service.context import RequestContext, use_default

    use_default(RequestContext(synchronous=True))
    member = membership(store)
    arn_association = association(store, member)
    use_default(RequestContext(synchronous=False))
    data_source(store, tmp_path, "fresh", data=rows(20_000))
    arn = channel(store, member, arn_association, 'SELECT count(*) AS n FROM fresh')
    assert store.get("DataSource", "fresh")["Status"] in ("PENDING", "INPROGRESS")
    deps = store.read(lambda conn: conn.execute("SELECT depends_on FROM jobs WHERE kind = 'MLInputChannel'").fetchone())
    assert json.loads(deps[0]) == [["DataSource", "fresh"]]
    deadline = time.monotonic() + 60
    while (got := ml("GetMLInputChannel", {"membershipIdentifier": member["id"], "mlInputChannelArn": arn},
                     store))["status"] not in ("ACTIVE", "CREATE_FAILED") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert got["status"] == "ACTIVE" and got["numberOfRecords"] == 1
