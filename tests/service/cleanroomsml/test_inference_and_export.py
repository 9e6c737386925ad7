"""Using a trained model: ML configuration, inference jobs and export jobs (spec §2.6b)."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from aml_cli.api.errors import ConflictException, ValidationException
from aml_cli.ml.model_file import load_model
from tests.service.cleanroomsml.support import (
    ROLE,
    Chain,
    association,
    channel,
    hyperparameters,
    membership,
    ml,
    model_request,
)

EXPORTS = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                "filesToExport": ["MODEL", "OUTPUT"]}}}


@pytest.fixture
def chain(store, tmp_path) -> Chain:
    built = Chain(store, tmp_path / "data")
    built.out = tmp_path / "results"
    ml("PutMLConfiguration", {"membershipIdentifier": built.member["id"], "defaultOutputLocation": {
        "destination": {"s3Destination": {"s3Uri": str(built.out)}}, "roleArn": ROLE}}, store)
    built.trained = built.model(params=hyperparameters(**{"sgd.maxPasses": "2"}))
    return built


def _start(chain: Chain, **extra) -> str:
    request = {"membershipIdentifier": chain.member["id"], "name": "score",
               "trainedModelArn": chain.trained["trainedModelArn"], "resourceConfig": {"instanceType": "ml.m5.xlarge"},
               "dataSource": {"mlInputChannelArn": chain.channel},
               "outputConfiguration": {"members": [{"accountId": "000000000000"}]}, **extra}
    return ml("StartTrainedModelInferenceJob", request, chain.store)["trainedModelInferenceJobArn"]


def _job(chain: Chain, arn: str) -> dict:
    return ml("GetTrainedModelInferenceJob", {"membershipIdentifier": chain.member["id"],
                                              "trainedModelInferenceJobArn": arn}, chain.store)


def test_an_inference_job_writes_the_scored_rows_where_the_configuration_says(chain):
    arn = _start(chain, description="d", containerExecutionParameters={"maxPayloadInMB": 1},
                 environment={"E": "1"}, tags={"t": "v"})
    job = _job(chain, arn)
    assert job["status"] == "ACTIVE" and job["trainedModelVersionIdentifier"] == chain.trained["versionIdentifier"]
    assert job["configuredModelAlgorithmAssociationArn"] == chain.association
    assert (job["environment"], job["tags"], job["containerExecutionParameters"]) == (
        {"E": "1"}, {"t": "v"}, {"maxPayloadInMB": 1})
    assert job["inferenceContainerImageDigest"].startswith("sha256:") and job["logsStatus"] == "PUBLISH_SUCCEEDED"
    path = chain.out / chain.member["id"] / arn.rsplit("/", 1)[1] / "output.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with open(path, newline="", encoding="utf-8") as handle:
        scored = list(csv.reader(handle))
    assert scored[0] == ["id", "x1", "x2", "color", "y", "bestAnswer", "score"] and len(scored) == 601
    assert scored[1][0] == "0" and scored[1][5] in ("0", "1") and "E" in scored[1][6]
    assert [p.name for p in path.parent.iterdir()] == ["output.csv"]


def test_a_channel_without_the_target_is_scored_too(chain):
    unlabelled = channel(chain.store, chain.member, chain.association, 'SELECT id, x1, x2, color FROM "ds-1"',
                         name="unlabelled")
    arn = _start(chain, dataSource={"mlInputChannelArn": unlabelled})
    assert _job(chain, arn)["status"] == "ACTIVE"
    path = chain.out / chain.member["id"] / arn.rsplit("/", 1)[1] / "output.csv"
    assert path.read_text().splitlines()[0] == "id,x1,x2,color,bestAnswer,score"


def test_a_channel_missing_a_column_the_model_reads_is_refused(chain):
    narrow = channel(chain.store, chain.member, chain.association, 'SELECT id, x1 FROM "ds-1"', name="narrow")
    with pytest.raises(ValidationException, match="lacks the column"):
        _start(chain, dataSource={"mlInputChannelArn": narrow})


@pytest.mark.parametrize(("change", "message"), [
    ({"outputConfiguration": {"members": [{"accountId": "111122223333"}]}}, "cannot receive results here"),
    ({"outputConfiguration": {"accept": "application/x-parquet", "members": [{"accountId": "000000000000"}]}},
     "not 'application/x-parquet'"),
    ({"trainedModelVersionIdentifier": "00000000-0000-4000-8000-000000000000"}, None),
])
def test_what_an_inference_job_cannot_do_is_refused_before_it_starts(chain, change, message):
    from aml_cli.api.errors import ResourceNotFoundException

    expected = ValidationException if message else ResourceNotFoundException
    with pytest.raises(expected, match=message):
        _start(chain, **change)
    assert chain.store.list("TrainedModelInferenceJob") == []


def test_an_inference_job_needs_an_ml_configuration_and_the_members_ability(store, tmp_path):
    chain = Chain(store, tmp_path / "data")
    chain.trained = chain.model(params=hyperparameters(**{"sgd.maxPasses": "1"}))
    with pytest.raises(ValidationException, match="PutMLConfiguration"):
        _start(chain)
    plain = membership(store, ml_abilities=())
    linked = association(store, plain, chain.algorithm)
    arn = channel(store, plain, linked)
    trained = ml("CreateTrainedModel", model_request(plain, linked, {"train": arn}), store)
    ml("PutMLConfiguration", {"membershipIdentifier": plain["id"], "defaultOutputLocation": {
        "destination": {"s3Destination": {"s3Uri": str(tmp_path / "o")}}, "roleArn": ROLE}}, store)
    with pytest.raises(ValidationException, match="CAN_RECEIVE_INFERENCE_OUTPUT"):
        ml("StartTrainedModelInferenceJob", {
            "membershipIdentifier": plain["id"], "name": "n", "trainedModelArn": trained["trainedModelArn"],
            "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": arn},
            "outputConfiguration": {"members": [{"accountId": "000000000000"}]}}, store)


def test_inference_jobs_list_newest_first_filtered_by_model_and_cannot_be_cancelled_when_done(chain):
    first, second = _start(chain), _start(chain, name="again")
    request = {"membershipIdentifier": chain.member["id"]}
    listed = ml("ListTrainedModelInferenceJobs", request, chain.store)["trainedModelInferenceJobs"]
    assert [j["trainedModelInferenceJobArn"] for j in listed] == [second, first]
    other = ml("ListTrainedModelInferenceJobs", {**request, "trainedModelArn": chain.trained["trainedModelArn"]
                                                 .replace("/trained-model/", "/trained-model/x")}, chain.store)
    assert other["trainedModelInferenceJobs"] == []
    collaboration = ml("ListCollaborationTrainedModelInferenceJobs", {
        "collaborationIdentifier": chain.member["collaborationId"],
        "trainedModelVersionIdentifier": chain.trained["versionIdentifier"]}, chain.store)
    assert [j["creatorAccountId"] for j in collaboration["collaborationTrainedModelInferenceJobs"]] == [
        "000000000000"] * 2
    with pytest.raises(ConflictException, match="ACTIVE"):
        ml("CancelTrainedModelInferenceJob", {**request, "trainedModelInferenceJobArn": first}, chain.store)


def test_a_cancelled_inference_job_ends_inactive_and_leaves_no_output(chain, monkeypatch):
    from aml_cli.jobs import request_cancel
    from aml_cli.service.cleanroomsml import inference_output

    lines = inference_output._lines

    def cancel_midway(model, schema, chunk, accept, limit):
        request_cancel(chain.store, "TrainedModelInferenceJob", key[0])
        monkeypatch.setattr("aml_cli.jobs.worker.CANCEL_POLL_SECONDS", 0.0)
        return lines(model, schema, chunk, accept, limit)

    key = []
    original = inference_output.score_channel

    def remember(store, record, ctx):
        key.append(record["trainedModelInferenceJobArn"].rsplit("/", 1)[1])
        return original(store, record, ctx)

    monkeypatch.setattr(inference_output, "score_channel", remember)
    monkeypatch.setattr(inference_output, "_lines", cancel_midway)
    monkeypatch.setattr(inference_output.models, "CHUNK_BYTES", 4096)  # several chunks, so it is asked again
    arn = _start(chain)
    assert _job(chain, arn)["status"] == "INACTIVE"
    folder = chain.out / chain.member["id"] / arn.rsplit("/", 1)[1]
    assert [p for p in folder.iterdir() if not p.name.endswith(".partial")] == []


def test_an_export_copies_the_model_file_and_its_card(chain, store):
    exporting = association(store, chain.member, chain.algorithm, privacyConfiguration=EXPORTS, name="exports")
    arn = channel(store, chain.member, exporting, name="for-export")
    trained = ml("CreateTrainedModel", model_request(chain.member, exporting, {"train": arn}, name="exported",
                                                     params=hyperparameters(**{"sgd.maxPasses": "2"})), store)
    ml("StartTrainedModelExportJob", {"membershipIdentifier": chain.member["id"], "name": "ship",
                                      "trainedModelArn": trained["trainedModelArn"],
                                      "outputConfiguration": {"members": [{"accountId": "000000000000"}]}}, store)
    folder = (chain.out / chain.member["id"] / "exports" / trained["trainedModelArn"].rsplit("/", 1)[1]
              / trained["versionIdentifier"])
    assert sorted(p.name for p in folder.iterdir()) == ["metrics.json", "model.amlmodel", "model.json",
                                                         "training.log"]
    record = store.get("TrainedModel", trained["versionIdentifier"])
    assert (folder / "model.amlmodel").read_bytes() == Path(record["_model_path"]).read_bytes()
    assert load_model(folder / "model.amlmodel").model_type == "BINARY"
    card = json.loads((folder / "model.json").read_text())
    assert (card["algorithm"], card["modelType"], card["classes"]) == ("aml/sgd", "BINARY", ["0", "1"])
    assert card["versionIdentifier"] == trained["versionIdentifier"] and card["recipe"] == record["_recipe_used"]
    assert card["schema"]["targetAttributeName"] == "y" and card["hyperparameters"] == hyperparameters(
        **{"sgd.maxPasses": "2"})
    listed = ml("ListCollaborationTrainedModelExportJobs", {
        "collaborationIdentifier": chain.member["collaborationId"], "trainedModelArn": trained["trainedModelArn"]},
        store)["collaborationTrainedModelExportJobs"]
    assert [(j["name"], j["status"], j["creatorAccountId"]) for j in listed] == [("ship", "ACTIVE", "000000000000")]


def test_an_association_without_an_export_policy_allows_no_export(chain):
    with pytest.raises(ValidationException, match="Exports are not allowed by the association"):
        ml("StartTrainedModelExportJob", {"membershipIdentifier": chain.member["id"], "name": "ship",
                                          "trainedModelArn": chain.trained["trainedModelArn"],
                                          "outputConfiguration": {"members": [{"accountId": "000000000000"}]}},
           chain.store)
    assert chain.store.list("TrainedModelExportJob") == []


def test_an_export_over_the_policys_max_size_fails_and_writes_nothing(chain, store, monkeypatch):
    from aml_cli.service.cleanroomsml import export_jobs

    monkeypatch.setattr(export_jobs, "GIGABYTE", 10_000)  # maxSize 0.01 "GB" = 100 bytes
    small = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 0.01},
                                                  "filesToExport": ["MODEL"]}}}
    exporting = association(store, chain.member, chain.algorithm, privacyConfiguration=small, name="small")
    arn = channel(store, chain.member, exporting, name="small")
    trained = ml("CreateTrainedModel", model_request(chain.member, exporting, {"train": arn}, name="small"), store)
    ml("StartTrainedModelExportJob", {"membershipIdentifier": chain.member["id"], "name": "ship",
                                      "trainedModelArn": trained["trainedModelArn"],
                                      "outputConfiguration": {"members": [{"accountId": "000000000000"}]}}, store)
    [job] = store.list("TrainedModelExportJob")
    assert job["Status"] == "CREATE_FAILED" and job["statusDetails"]["statusCode"] == "ARTIFACT_TOO_LARGE"
    assert not (chain.out / chain.member["id"] / "exports").exists()
