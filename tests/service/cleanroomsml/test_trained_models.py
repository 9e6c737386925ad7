"""Trained models on the Amazon ML engine: create checks, the job's outcomes, lists, deleted outputs (spec §2.6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aml_cli.api import service
from aml_cli.api.errors import ConflictException, ResourceNotFoundException, ValidationException
from tests.service.cleanroomsml.support import (
    ACCOUNT,
    Chain,
    algorithm,
    association,
    channel,
    hyperparameters,
    ml,
    model_request,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FAST = {"sgd.maxPasses": "2"}


@pytest.fixture
def chain(store, tmp_path) -> Chain:
    return Chain(store, tmp_path / "data")


def test_a_trained_model_is_active_with_every_field_of_get_trained_model(chain):
    kms = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"
    created = chain.model(description="first", kmsKeyArn=kms, trainingInputMode="FastFile",
                          environment={"MY_FLAG": "1"}, stoppingCondition={"maxRuntimeInSeconds": 3600},
                          tags={"team": "ml"}, resourceConfig={"instanceType": "ml.c5.2xlarge", "volumeSizeInGB": 50,
                                                               "instanceCount": 2},
                          channels={"train": chain.channel})
    arn, version = created["trainedModelArn"], created["versionIdentifier"]
    assert re.fullmatch(rf"arn:aws:cleanrooms-ml:us-east-1:{ACCOUNT}:membership/{chain.member['id']}/trained-model/"
                        rf"[0-9a-f-]{{36}}", arn) and UUID.fullmatch(version)
    got = chain.get(arn)
    assert got["status"] == "ACTIVE" and "statusDetails" not in got
    assert (got["membershipIdentifier"], got["collaborationIdentifier"]) == (chain.member["id"],
                                                                             chain.member["collaborationId"])
    assert (got["trainedModelArn"], got["versionIdentifier"], got["name"], got["description"]) == (
        arn, version, "model", "first")
    assert got["configuredModelAlgorithmAssociationArn"] == chain.association
    assert got["resourceConfig"] == {"instanceType": "ml.c5.2xlarge", "volumeSizeInGB": 50, "instanceCount": 2}
    assert (got["trainingInputMode"], got["stoppingCondition"], got["kmsKeyArn"]) == (
        "FastFile", {"maxRuntimeInSeconds": 3600}, kms)
    assert (got["hyperparameters"], got["environment"], got["tags"]) == (hyperparameters(), {"MY_FLAG": "1"},
                                                                         {"team": "ml"})
    assert got["dataChannels"] == [{"mlInputChannelArn": chain.channel, "channelName": "train"}]
    assert (got["metricsStatus"], got["logsStatus"]) == ("PUBLISH_SUCCEEDED", "PUBLISH_SUCCEEDED")
    assert Path(got["logsStatusDetails"].removeprefix("file://")).read_text().count("mean training loss") >= 1
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", got["trainingContainerImageDigest"])
    assert got["createTime"] <= got["updateTime"]
    assert "incrementalTrainingDataChannels" not in got
    record = chain.store.get("TrainedModel", version)
    assert Path(record["_model_path"]).stat().st_size == record["_size"] > 0


def test_a_channels_distribution_type_comes_back_as_sent(chain):
    channels = [{"mlInputChannelArn": chain.channel, "channelName": "train", "s3DataDistributionType":
                 "ShardedByS3Key"}]
    request = {**model_request(chain.member, chain.association, {}), "dataChannels": channels}
    created = ml("CreateTrainedModel", request, chain.store)
    assert chain.get(created["trainedModelArn"])["dataChannels"] == channels


def test_create_checks_what_it_names_404_first_then_400_then_409(chain, store):
    member, other = chain.member["id"], "00000000-0000-4000-8000-000000000000"
    base = model_request(chain.member, chain.association, {"train": chain.channel})
    with pytest.raises(ResourceNotFoundException):
        ml("CreateTrainedModel", {**base, "membershipIdentifier": other}, store)
    with pytest.raises(ResourceNotFoundException):
        ml("CreateTrainedModel", {**base, "configuredModelAlgorithmAssociationArn": chain.association.rsplit("/", 1)[0]
                                  + "/" + other}, store)
    with pytest.raises(ResourceNotFoundException):
        ml("CreateTrainedModel", model_request(chain.member, chain.association,
                                               {"train": chain.channel.rsplit("/", 1)[0] + "/" + other}), store)
    second = association(store, chain.member, chain.algorithm)
    with pytest.raises(ValidationException, match="another association"):
        ml("CreateTrainedModel", {**base, "configuredModelAlgorithmAssociationArn": second}, store)
    with pytest.raises(ValidationException, match="used more than once"):
        ml("CreateTrainedModel", {**base, "dataChannels": base["dataChannels"] * 2}, store)
    failed = channel(store, chain.member, chain.association, "SELECT nothing", name="failed")
    with pytest.raises(ValidationException, match="CREATE_FAILED"):
        ml("CreateTrainedModel", model_request(chain.member, chain.association, {"train": failed}), store)
    ml("CreateTrainedModel", {**base, "hyperparameters": hyperparameters(**FAST)}, store)
    with pytest.raises(ConflictException, match="already exists"):
        ml("CreateTrainedModel", base, store)
    assert len(store.list("TrainedModel")) == 1
    assert member


def test_an_algorithm_without_a_training_container_cannot_train(chain, store):
    bare = ml("CreateConfiguredModelAlgorithm", {"name": "bare", "roleArn": "arn:aws:iam::000000000000:role/r"},
              store)["configuredModelAlgorithmArn"]
    linked = association(store, chain.member, bare)
    arn = channel(store, chain.member, linked, name="c2")
    with pytest.raises(ValidationException, match="no trainingContainerConfig"):
        ml("CreateTrainedModel", model_request(chain.member, linked, {"train": arn}), store)


@pytest.mark.parametrize(("params", "channels", "message"), [
    (hyperparameters(learningRate="0.1"), ("train",), "Unknown hyperparameter 'learningRate'"),
    ({"targetAttributeName": "y"}, ("train",), "MLModelType must be one of"),
    ({"MLModelType": "BINARY"}, ("train",), "targetAttributeName is required"),
    (hyperparameters(targetAttributeName="z"), ("train",), "no column 'z'"),
    (hyperparameters(**{"sgd.maxPasses": "0"}), ("train",), "sgd.maxPasses must be between 1 and 10000"),
    (hyperparameters(attributeTypes="x1:NUMBER"), ("train",), "attributeTypes"),
    (hyperparameters(recipe="{not json"), ("train",), "recipe"),
    (hyperparameters(), ("train", "test"), "not 'test'"),
    (hyperparameters(), ("validation",), "needs a data channel named train"),
])
def test_what_the_container_cannot_read_fails_the_version_with_algorithm_error(chain, params, channels, message):
    created = chain.model(params=params, channels={name: chain.channel for name in channels})
    got = chain.get(created["trainedModelArn"])
    assert got["status"] == "CREATE_FAILED"
    assert got["statusDetails"]["statusCode"] == "ALGORITHM_ERROR" and message in got["statusDetails"]["message"]
    assert not chain.store.get("TrainedModel", created["versionIdentifier"]).get("_model_path")


def test_a_model_bigger_than_the_associations_max_artifact_size_fails(chain, store, monkeypatch):
    from aml_cli.service.cleanroomsml import associations as module

    monkeypatch.setattr(module, "GIGABYTE", 100_000)  # 0.01 "GB" = 1000 bytes: smaller than any model file
    limited = association(store, chain.member, chain.algorithm, privacyConfiguration={
        "policies": {"trainedModels": {"maxArtifactSize": {"unit": "GB", "value": 0.01}}}})
    arn = channel(store, chain.member, limited, name="limited")
    created = ml("CreateTrainedModel", model_request(chain.member, limited, {"train": arn},
                                                     params=hyperparameters(**FAST)), store)
    got = chain.get(created["trainedModelArn"])
    assert got["status"] == "CREATE_FAILED" and got["statusDetails"]["statusCode"] == "ARTIFACT_TOO_LARGE"
    assert "more than the association's maxArtifactSize of 1000 bytes" in got["statusDetails"]["message"]
    assert list((store.home / "artifacts").glob("*.amlmodel")) == []


def test_metric_definitions_read_the_learners_log_and_a_validation_channel_is_scored_each_pass(chain, store):
    config = {"imageUri": "aml/sgd", "metricDefinitions": [
        {"name": "train:loss", "regex": r"mean training loss ([0-9.e+-]+)"},
        {"name": "validation:loss", "regex": r"mean validation loss ([0-9.e+-]+)"}]}
    measured = ml("CreateConfiguredModelAlgorithm", {"name": "m", "roleArn": "arn:aws:iam::000000000000:role/r",
                                                     "trainingContainerConfig": config},
                  store)["configuredModelAlgorithmArn"]
    linked = association(store, chain.member, measured)
    train = channel(store, chain.member, linked, 'SELECT * FROM "ds-1" WHERE id < 450', name="t")
    held_out = channel(store, chain.member, linked, 'SELECT * FROM "ds-1" WHERE id >= 450', name="v")
    created = ml("CreateTrainedModel", model_request(chain.member, linked, {"train": train, "validation": held_out},
                                                     params=hyperparameters(**{"sgd.maxPasses": "3"})), store)
    got = chain.get(created["trainedModelArn"])
    record = store.get("TrainedModel", created["versionIdentifier"])
    assert got["status"] == "ACTIVE"
    assert len(record["_metrics"]["train:loss"]) == len(record["_metrics"]["validation:loss"]) >= 2
    assert record["_metrics"]["validation:loss"] == pytest.approx(record["_training"]["validation_losses"], rel=1e-5)
    assert got["metricsStatusDetails"].startswith("train:loss=") and "validation:loss=" in got["metricsStatusDetails"]


def test_lists_give_one_summary_per_model_newest_first_and_versions_ten_a_page(chain, store):
    first = chain.model(name="first", params=hyperparameters(**FAST))
    second = chain.model(name="second", params=hyperparameters(**FAST))
    listed = ml("ListTrainedModels", {"membershipIdentifier": chain.member["id"]}, store)["trainedModels"]
    assert [m["trainedModelArn"] for m in listed] == [second["trainedModelArn"], first["trainedModelArn"]]
    assert set(listed[0]) <= set(service("cleanroomsml").shape("TrainedModelSummary").members)
    incremental = [{"trainedModelArn": first["trainedModelArn"], "channelName": "base"}]
    for _ in range(10):
        chain.model(name="first", params=hyperparameters(**{"sgd.maxPasses": "1"}),
                    incrementalTrainingDataChannels=incremental)
    request = {"membershipIdentifier": chain.member["id"], "trainedModelArn": first["trainedModelArn"]}
    page = ml("ListTrainedModelVersions", request, store)
    assert len(page["trainedModels"]) == 10 and "nextToken" in page
    rest = ml("ListTrainedModelVersions", {**request, "nextToken": page["nextToken"]}, store)
    assert [v["versionIdentifier"] for v in rest["trainedModels"]] == [first["versionIdentifier"]]
    assert len(ml("ListTrainedModels", {"membershipIdentifier": chain.member["id"]}, store)["trainedModels"]) == 2


def test_deleting_a_versions_output_removes_its_model_and_keeps_it_listed(chain, store):
    created = chain.model(params=hyperparameters(**FAST))
    arn, version = created["trainedModelArn"], created["versionIdentifier"]
    path = Path(store.get("TrainedModel", version)["_model_path"])
    request = {"membershipIdentifier": chain.member["id"], "trainedModelArn": arn}
    assert ml("DeleteTrainedModelOutput", request, store) == {}
    assert chain.get(arn)["status"] == "INACTIVE" and not path.exists()
    with pytest.raises(ConflictException, match="INACTIVE"):
        ml("DeleteTrainedModelOutput", request, store)
    assert [m["status"] for m in ml("ListTrainedModels", {"membershipIdentifier": chain.member["id"]},
                                    store)["trainedModels"]] == ["INACTIVE"]
    failed = chain.model(name="failed", params={"MLModelType": "BINARY"})
    ml("DeleteTrainedModelOutput", {**request, "trainedModelArn": failed["trainedModelArn"]}, store)
    assert chain.get(failed["trainedModelArn"])["status"] == "INACTIVE"


def test_unknown_versions_and_other_memberships_find_nothing(chain, store):
    created = chain.model(params=hyperparameters(**FAST))
    with pytest.raises(ResourceNotFoundException, match="no version"):
        chain.get(created["trainedModelArn"], "00000000-0000-4000-8000-000000000000")
    with pytest.raises(ResourceNotFoundException):
        chain.get(created["trainedModelArn"].replace(chain.member["id"], "00000000-0000-4000-8000-000000000000"))
    from tests.service.cleanroomsml.support import membership

    other = membership(store)
    with pytest.raises(ResourceNotFoundException):
        ml("GetTrainedModel", {"membershipIdentifier": other["id"], "trainedModelArn": created["trainedModelArn"]},
           store)


def test_the_collaboration_views_leave_out_hyperparameters_environment_and_tags(chain, store):
    created = chain.model(params=hyperparameters(**FAST), environment={"A": "b"}, tags={"t": "v"})
    collaboration = {"collaborationIdentifier": chain.member["collaborationId"]}
    seen = ml("GetCollaborationTrainedModel", {**collaboration, "trainedModelArn": created["trainedModelArn"]}, store)
    assert seen["creatorAccountId"] == ACCOUNT and seen["status"] == "ACTIVE"
    assert not {"hyperparameters", "environment", "kmsKeyArn", "tags", "dataChannels"} & set(seen)
    listed = ml("ListCollaborationTrainedModels", collaboration, store)["collaborationTrainedModels"]
    assert [(m["trainedModelArn"], m["creatorAccountId"]) for m in listed] == [(created["trainedModelArn"], ACCOUNT)]


def test_another_algorithm_may_not_continue_a_model(chain, store):
    created = chain.model(params=hyperparameters(**FAST))
    other = association(store, chain.member, algorithm(store))
    arn = channel(store, chain.member, other, name="other")
    with pytest.raises(ValidationException, match="another configured model algorithm"):
        ml("CreateTrainedModel", model_request(chain.member, other, {"train": arn}, incrementalTrainingDataChannels=[
            {"trainedModelArn": created["trainedModelArn"], "channelName": "base"}]), store)
