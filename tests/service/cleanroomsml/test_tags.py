"""Tags on Clean Rooms ML's taggable kinds: at creation, TagResource, UntagResource, ListTagsForResource (§2.7)."""

from __future__ import annotations

import pytest

from aml_cli.api.errors import ResourceNotFoundException, ValidationException
from tests.service.cleanroomsml.support import ROLE, Chain, hyperparameters, ml


@pytest.fixture
def tagged(store, tmp_path) -> dict:
    """One resource of each taggable kind, each created with the tag {"made": "<kind>"}."""
    chain = Chain(store, tmp_path / "data")
    algorithm = ml("CreateConfiguredModelAlgorithm", {"name": "a", "roleArn": ROLE, "tags": {"made": "algorithm"},
                                                      "trainingContainerConfig": {"imageUri": "aml/sgd"}},
                   store)["configuredModelAlgorithmArn"]
    association = ml("CreateConfiguredModelAlgorithmAssociation", {
        "membershipIdentifier": chain.member["id"], "configuredModelAlgorithmArn": algorithm, "name": "t",
        "tags": {"made": "association"}}, store)["configuredModelAlgorithmAssociationArn"]
    from tests.service.cleanroomsml.support import channel, trained_model

    channel_arn = channel(store, chain.member, association, tags={"made": "channel"})
    model = trained_model(store, chain.member, association, {"train": channel_arn}, tags={"made": "model"},
                          params=hyperparameters(**{"sgd.maxPasses": "1"}))
    ml("PutMLConfiguration", {"membershipIdentifier": chain.member["id"], "defaultOutputLocation": {
        "destination": {"s3Destination": {"s3Uri": str(tmp_path / "out")}}, "roleArn": ROLE}}, store)
    job = ml("StartTrainedModelInferenceJob", {
        "membershipIdentifier": chain.member["id"], "name": "j", "trainedModelArn": model["trainedModelArn"],
        "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": channel_arn},
        "outputConfiguration": {"members": [{"accountId": "000000000000"}]}, "tags": {"made": "job"}},
        store)["trainedModelInferenceJobArn"]
    member = chain.member["id"]
    gets = {
        algorithm: ("GetConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": algorithm}),
        association: ("GetConfiguredModelAlgorithmAssociation",
                      {"membershipIdentifier": member, "configuredModelAlgorithmAssociationArn": association}),
        channel_arn: ("GetMLInputChannel", {"membershipIdentifier": member, "mlInputChannelArn": channel_arn}),
        model["trainedModelArn"]: ("GetTrainedModel", {"membershipIdentifier": member,
                                                       "trainedModelArn": model["trainedModelArn"]}),
        job: ("GetTrainedModelInferenceJob", {"membershipIdentifier": member, "trainedModelInferenceJobArn": job}),
    }
    return {"store": store, "gets": gets, "made": dict(zip(gets, ("algorithm", "association", "channel", "model",
                                                                  "job"), strict=True))}


def _tags(tagged: dict, arn: str) -> dict:
    return ml("ListTagsForResource", {"resourceArn": arn}, tagged["store"])["tags"]


def test_create_time_tags_show_in_get_and_in_list_tags_for_resource(tagged):
    for arn, (operation, request) in tagged["gets"].items():
        expected = {"made": tagged["made"][arn]}
        assert ml(operation, request, tagged["store"])["tags"] == expected, operation
        assert _tags(tagged, arn) == expected


def test_tag_resource_adds_and_overwrites_and_untag_resource_removes(tagged):
    for arn, (operation, request) in tagged["gets"].items():
        ml("TagResource", {"resourceArn": arn, "tags": {"made": "over", "extra": "1"}}, tagged["store"])
        assert _tags(tagged, arn) == {"made": "over", "extra": "1"}
        ml("UntagResource", {"resourceArn": arn, "tagKeys": ["made", "absent"]}, tagged["store"])
        assert _tags(tagged, arn) == {"extra": "1"} == ml(operation, request, tagged["store"])["tags"]


@pytest.mark.parametrize("key", ["aws:owner", "AWS:Owner", "Aws:x"])
def test_reserved_keys_are_refused_and_nothing_changes(tagged, key):
    arn = next(iter(tagged["gets"]))
    with pytest.raises(ValidationException, match="reserved prefix 'aws:'"):
        ml("TagResource", {"resourceArn": arn, "tags": {"fine": "1", key: "x"}}, tagged["store"])
    with pytest.raises(ValidationException, match="reserved prefix"):
        ml("UntagResource", {"resourceArn": arn, "tagKeys": [key]}, tagged["store"])
    assert _tags(tagged, arn) == {"made": "algorithm"}


def test_a_51st_tag_is_refused_and_nothing_changes(tagged):
    arn = list(tagged["gets"])[3]
    ml("TagResource", {"resourceArn": arn, "tags": {f"k{i}": "v" for i in range(49)}}, tagged["store"])
    assert len(_tags(tagged, arn)) == 50
    with pytest.raises(ValidationException, match="at most 50 tags"):
        ml("TagResource", {"resourceArn": arn, "tags": {"one-more": "v"}}, tagged["store"])
    assert len(_tags(tagged, arn)) == 50 and "one-more" not in _tags(tagged, arn)


def test_create_with_51_tags_creates_nothing(tagged):
    store = tagged["store"]
    before = len(store.list("ConfiguredModelAlgorithm"))
    with pytest.raises(ValidationException, match="at most 50 tags"):
        ml("CreateConfiguredModelAlgorithm", {"name": "a", "roleArn": ROLE, "tags": {f"k{i}": "v" for i in range(51)}},
           store)
    assert len(store.list("ConfiguredModelAlgorithm")) == before


@pytest.mark.parametrize("arn", [
    "arn:aws:cleanrooms-ml:us-east-1:000000000000:configured-model-algorithm/00000000-0000-4000-8000-000000000000",
    "arn:aws:cleanrooms-ml:us-east-1:000000000000:training-dataset/00000000-0000-4000-8000-000000000000",
    "arn:aws:cleanrooms-ml:us-east-1:000000000000:audience-model/abc",
    "arn:aws:cleanrooms-ml:us-east-1:000000000000:membership/00000000-0000-4000-8000-000000000000/ml-input-channel/x",
])
def test_an_unknown_or_out_of_scope_arn_is_not_found(tagged, arn):
    for operation, request in (("ListTagsForResource", {}), ("TagResource", {"tags": {"a": "b"}}),
                               ("UntagResource", {"tagKeys": ["a"]})):
        with pytest.raises(ResourceNotFoundException):
            ml(operation, {"resourceArn": arn, **request}, tagged["store"])


def test_a_continued_models_tags_belong_to_the_model(tagged):
    store = tagged["store"]
    model_arn = list(tagged["gets"])[3]
    operation, request = tagged["gets"][model_arn]
    version = ml(operation, request, store)
    linked = version["configuredModelAlgorithmAssociationArn"]
    ml("CreateTrainedModel", {"membershipIdentifier": version["membershipIdentifier"], "name": version["name"],
                              "configuredModelAlgorithmAssociationArn": linked,
                              "resourceConfig": version["resourceConfig"], "dataChannels": version["dataChannels"],
                              "hyperparameters": version["hyperparameters"], "tags": {"second": "2"},
                              "incrementalTrainingDataChannels": [{"trainedModelArn": model_arn,
                                                                   "channelName": "base"}]}, store)
    assert _tags(tagged, model_arn) == {"made": "model", "second": "2"} == ml(operation, request, store)["tags"]
