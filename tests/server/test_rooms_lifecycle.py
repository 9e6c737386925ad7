"""The README's Clean Rooms ML session through boto3 (`cleanroomsml`, `cleanrooms`, and `machinelearning` for the
data source) and a real server: detached workers, boto3's own paginators, polling where botocore has no waiter
(it has none for these services: tests/server/test_rooms_roundtrips.py checks), the files the jobs write."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import datetime

import pytest

import aml_cli
from tests.server.rooms import wait_for
from tests.server.support import client

DEMO = os.path.join(os.path.dirname(aml_cli.__file__), "demo")
ROLE = "arn:aws:iam::000000000000:role/ml"
EXPORTS = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1},
                                                "filesToExport": ["MODEL"]}}}
RECEIVER = {"members": [{"accountId": "000000000000"}]}


def _input_channel(condition: str) -> dict:
    query = f"SELECT * FROM churn WHERE CAST(customer_id AS INTEGER) {condition}"
    return {"dataSource": {"protectedQueryInputParameters": {"sqlParameters": {"queryString": query}}},
            "roleArn": ROLE}


def _everything(api, operation: str, key: str, **request) -> list[dict]:
    """A list operation walked with boto3's own paginator, one item a page, so the tokens are exercised."""
    pages = list(api.get_paginator(operation).paginate(**request, PaginationConfig={"PageSize": 1}))
    assert "nextToken" not in pages[-1]
    return [item for page in pages for item in page[key]]


def _collaboration(rooms) -> tuple[str, str]:
    made = rooms.create_collaboration(
        name="churn-study", members=[{"accountId": "111122223333", "displayName": "partner", "memberAbilities": []}],
        creatorMemberAbilities=["CAN_QUERY", "CAN_RECEIVE_RESULTS"], creatorDisplayName="analyst",
        creatorMLMemberAbilities={"customMLMemberAbilities": ["CAN_RECEIVE_MODEL_OUTPUT",
                                                              "CAN_RECEIVE_INFERENCE_OUTPUT"]},
        queryLogStatus="DISABLED")["collaboration"]
    member = rooms.create_membership(collaborationIdentifier=made["id"], queryLogStatus="DISABLED")["membership"]
    seen = rooms.get_collaboration(collaborationIdentifier=made["id"])["collaboration"]
    assert (seen["name"], seen["memberStatus"], seen["membershipId"]) == ("churn-study", "ACTIVE", member["id"])
    assert isinstance(seen["createTime"], datetime) and seen["createTime"].tzinfo
    assert [m["id"] for m in _everything(rooms, "list_memberships", "membershipSummaries")] == [member["id"]]
    return made["id"], member["id"]


def _channels(crml, m: str, association: str) -> dict[str, str]:
    made = {name: crml.create_ml_input_channel(
        membershipIdentifier=m, configuredModelAlgorithmAssociations=[association], name=f"churn-{name}",
        retentionInDays=7, inputChannel=_input_channel(condition))["mlInputChannelArn"]
        for name, condition in (("train", "<= 3500"), ("score", "> 3500"))}
    listed = _everything(crml, "list_ml_input_channels", "mlInputChannelsList", membershipIdentifier=m)
    assert sorted(c["name"] for c in listed) == ["churn-score", "churn-train"]
    for arn in made.values():
        view = wait_for(lambda arn=arn: crml.get_ml_input_channel(membershipIdentifier=m, mlInputChannelArn=arn))
        assert view["status"] == "ACTIVE"
    train = crml.get_ml_input_channel(membershipIdentifier=m, mlInputChannelArn=made["train"])
    assert (train["numberOfRecords"], train["numberOfFiles"]) == (3500, 1) and 0 < train["sizeInGb"] < 0.01
    return made


@pytest.mark.slow
def test_the_readme_clean_rooms_ml_session_runs_through_boto3(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("AML_MAX_WORKERS", "2")
    for name in ("churn.csv.gz", "churn.schema"):
        shutil.copy(os.path.join(DEMO, name), tmp_path)
    url = serve().url
    amazon_ml, rooms, crml = client(url), client(url, "cleanrooms"), client(url, "cleanroomsml")
    amazon_ml.create_data_source_from_s3(DataSourceId="churn", ComputeStatistics=True, DataSpec={
        "DataLocationS3": str(tmp_path / "churn.csv.gz"), "DataSchemaLocationS3": str(tmp_path / "churn.schema")})
    c, m = _collaboration(rooms)
    algorithm = crml.create_configured_model_algorithm(
        name="sgd", roleArn=ROLE, trainingContainerConfig={"imageUri": "aml/sgd"})["configuredModelAlgorithmArn"]
    association = crml.create_configured_model_algorithm_association(
        membershipIdentifier=m, configuredModelAlgorithmArn=algorithm, name="churn-sgd",
        privacyConfiguration=EXPORTS)["configuredModelAlgorithmAssociationArn"]
    assert association.startswith(f"arn:aws:cleanrooms-ml:us-east-1:000000000000:membership/{m}/"
                                  "configured-model-algorithm-association/")
    channels = _channels(crml, m, association)

    created = crml.create_trained_model(
        membershipIdentifier=m, name="churn-model", configuredModelAlgorithmAssociationArn=association,
        resourceConfig={"instanceType": "ml.m5.xlarge", "volumeSizeInGB": 10},
        dataChannels=[{"mlInputChannelArn": channels["train"], "channelName": "train"}],
        hyperparameters={"MLModelType": "BINARY", "targetAttributeName": "churn", "rowId": "customer_id"})
    tm = _everything(crml, "list_trained_models", "trainedModels", membershipIdentifier=m)[0]["trainedModelArn"]
    assert tm == created["trainedModelArn"]
    model = wait_for(lambda: crml.get_trained_model(membershipIdentifier=m, trainedModelArn=tm))
    assert (model["status"], model["versionIdentifier"]) == ("ACTIVE", created["versionIdentifier"])
    assert model["collaborationIdentifier"] == c and model["hyperparameters"]["rowId"] == "customer_id"
    assert model["logsStatus"] == "PUBLISH_SUCCEEDED" and model["updateTime"] >= model["createTime"]
    assert model["trainingContainerImageDigest"].startswith("sha256:")

    crml.put_ml_configuration(membershipIdentifier=m, defaultOutputLocation={
        "destination": {"s3Destination": {"s3Uri": "s3://results/churn"}}, "roleArn": ROLE})
    job = crml.start_trained_model_inference_job(
        membershipIdentifier=m, name="churn-scores", trainedModelArn=tm,
        resourceConfig={"instanceType": "ml.m5.xlarge"}, dataSource={"mlInputChannelArn": channels["score"]},
        outputConfiguration={"accept": "text/csv", **RECEIVER})["trainedModelInferenceJobArn"]
    assert wait_for(lambda: crml.get_trained_model_inference_job(
        membershipIdentifier=m, trainedModelInferenceJobArn=job))["status"] == "ACTIVE"
    jobs = _everything(crml, "list_trained_model_inference_jobs", "trainedModelInferenceJobs", membershipIdentifier=m)
    assert [(j["name"], j["status"], j["trainedModelVersionIdentifier"]) for j in jobs] == [
        ("churn-scores", "ACTIVE", created["versionIdentifier"])]
    with open(tmp_path / "s3" / "results" / "churn" / m / job.rsplit("/", 1)[1] / "output.csv", newline="") as out:
        scored = list(csv.reader(out))
    assert scored[0][0] == "customer_id" and scored[0][-2:] == ["bestAnswer", "score"]
    assert len(scored) == 1 + 1500 and scored[1][0] == "3501"

    crml.start_trained_model_export_job(membershipIdentifier=m, name="churn-export", trainedModelArn=tm,
                                        outputConfiguration=RECEIVER)
    exported = wait_for(lambda: _everything(crml, "list_collaboration_trained_model_export_jobs",
                                            "collaborationTrainedModelExportJobs", collaborationIdentifier=c,
                                            trainedModelArn=tm)[0])
    assert (exported["name"], exported["status"]) == ("churn-export", "ACTIVE")
    folder = tmp_path / "s3" / "results" / "churn" / m / "exports" / tm.rsplit("/", 1)[1]
    assert sorted(p.name for p in folder.glob("*/*")) == ["model.amlmodel", "model.json"]
