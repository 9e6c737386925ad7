"""Tags on all four resource types: add, describe, delete, and the service's limits."""

from __future__ import annotations

import pytest

from aml_cli.api.errors import (
    InvalidInputException,
    InvalidTagException,
    ResourceNotFoundException,
    TagLimitExceededException,
)
from aml_cli.service import call
from aml_cli.store import Store
from tests.service.models_conftest import snapshot, sync_jobs, tiny_model

RESOURCES = {"DataSource": "m-ds", "MLModel": "m", "Evaluation": "e", "BatchPrediction": "b"}


@pytest.fixture(scope="module")
def tagged_store(tmp_path_factory):
    """One resource of each type."""
    folder = tmp_path_factory.mktemp("tags")
    store = Store(folder / "home")
    tiny_model(store, folder, "m", "BINARY")
    with sync_jobs():
        call("CreateEvaluation", {"EvaluationId": "e", "MLModelId": "m", "EvaluationDataSourceId": "m-ds"}, store)
        call("CreateBatchPrediction", {"BatchPredictionId": "b", "MLModelId": "m",
                                       "BatchPredictionDataSourceId": "m-ds", "OutputUri": str(folder / "out")}, store)
    return store


@pytest.fixture(params=list(RESOURCES))
def target(request, tagged_store):
    """(store, ResourceType, ResourceId) with no tags yet."""
    kind, resource_id = request.param, RESOURCES[request.param]
    keys = [tag["Key"] for tag in tags_of(tagged_store, kind, resource_id)]
    if keys:
        call("DeleteTags", {"ResourceId": resource_id, "ResourceType": kind, "TagKeys": keys}, tagged_store)
    return tagged_store, kind, resource_id


def tags_of(store: Store, kind: str, resource_id: str) -> list[dict]:
    answer = call("DescribeTags", {"ResourceId": resource_id, "ResourceType": kind}, store)
    assert (answer["ResourceId"], answer["ResourceType"]) == (resource_id, kind)
    return answer["Tags"]


def add(target, tags: list[dict]) -> dict:
    store, kind, resource_id = target
    return call("AddTags", {"ResourceId": resource_id, "ResourceType": kind, "Tags": tags}, store)


def delete(target, keys: list[str]) -> dict:
    store, kind, resource_id = target
    return call("DeleteTags", {"ResourceId": resource_id, "ResourceType": kind, "TagKeys": keys}, store)


def current(target) -> list[dict]:
    return tags_of(*target)


def test_tags_are_added_described_and_deleted(target):
    assert current(target) == []
    answer = add(target, [{"Key": "team", "Value": "ml"}, {"Key": "stage", "Value": "test"}])
    assert answer == {"ResourceId": target[2], "ResourceType": target[1]}
    assert current(target) == [{"Key": "team", "Value": "ml"}, {"Key": "stage", "Value": "test"}]
    assert delete(target, ["team"]) == {"ResourceId": target[2], "ResourceType": target[1]}
    assert current(target) == [{"Key": "stage", "Value": "test"}]


def test_a_key_without_a_value_has_no_value(target):
    add(target, [{"Key": "flag"}, {"Key": "blank", "Value": ""}])
    assert current(target) == [{"Key": "flag"}, {"Key": "blank", "Value": ""}]


def test_adding_an_existing_key_replaces_its_value(target):
    add(target, [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    add(target, [{"Key": "a", "Value": "changed"}])
    assert sorted((t["Key"], t.get("Value")) for t in current(target)) == [("a", "changed"), ("b", "2")]


def test_deleting_unknown_keys_is_ignored(target):
    add(target, [{"Key": "keep", "Value": "v"}])
    delete(target, ["never-added", "also-not"])
    assert current(target) == [{"Key": "keep", "Value": "v"}]


def test_tags_of_one_resource_do_not_leak_to_the_others(target):
    add(target, [{"Key": "mine", "Value": target[1]}])
    for kind, resource_id in RESOURCES.items():
        if kind != target[1]:
            assert {"Key": "mine", "Value": target[1]} not in tags_of(target[0], kind, resource_id)


def test_fifty_tags_fit_and_the_fifty_first_changes_nothing(target):
    fifty = [{"Key": f"k{i}", "Value": str(i)} for i in range(50)]
    add(target, fifty)
    assert current(target) == fifty
    before = snapshot(target[0])
    with pytest.raises(TagLimitExceededException):
        add(target, [{"Key": "k0", "Value": "new"}, {"Key": "one-more", "Value": "x"}])
    assert snapshot(target[0]) == before
    add(target, [{"Key": "k7", "Value": "replaced"}])
    assert len(current(target)) == 50


def test_one_request_over_the_limit_adds_none_of_its_tags(target):
    add(target, [{"Key": "existing", "Value": "x"}])
    with pytest.raises(TagLimitExceededException):
        add(target, [{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert current(target) == [{"Key": "existing", "Value": "x"}]


@pytest.mark.parametrize(
    "tag",
    [{"Key": ""}, {"Key": "k" * 129}, {"Key": "k", "Value": "v" * 257}, {"Key": "semi;colon"}],
    ids=["empty-key", "key-129", "value-257", "bad-character"],
)
def test_a_tag_outside_the_service_constraints_is_invalid_input_and_changes_nothing(target, tag):
    add(target, [{"Key": "before", "Value": "x"}])
    before = snapshot(target[0])
    with pytest.raises(InvalidInputException):
        add(target, [{"Key": "fine", "Value": "y"}, tag])
    assert snapshot(target[0]) == before


def test_the_longest_key_and_value_are_accepted(target):
    add(target, [{"Key": "k" * 128, "Value": "v" * 256}, {"Key": "Ünïcode key _.:/=+-@", "Value": "a b"}])
    assert current(target) == [{"Key": "k" * 128, "Value": "v" * 256}, {"Key": "Ünïcode key _.:/=+-@", "Value": "a b"}]


@pytest.mark.parametrize("key", ["aws:owner", "AWS:Owner"])
def test_the_aws_prefix_is_reserved(target, key):
    before = snapshot(target[0])
    with pytest.raises(InvalidTagException, match="aws:"):
        add(target, [{"Key": "fine", "Value": "y"}, {"Key": key, "Value": "me"}])
    assert snapshot(target[0]) == before
    with pytest.raises(InvalidTagException):
        delete(target, [key])


@pytest.mark.parametrize("kind", list(RESOURCES))
@pytest.mark.parametrize("operation", ["AddTags", "DescribeTags", "DeleteTags"])
def test_tags_of_an_unknown_resource_are_not_found(tagged_store, kind, operation):
    request = {"ResourceId": "ghost", "ResourceType": kind}
    if operation == "AddTags":
        request["Tags"] = [{"Key": "a", "Value": "b"}]
    elif operation == "DeleteTags":
        request["TagKeys"] = ["a"]
    with pytest.raises(ResourceNotFoundException, match="ghost"):
        call(operation, request, tagged_store)


def test_a_resource_id_of_another_type_is_not_found(tagged_store):
    with pytest.raises(ResourceNotFoundException):
        call("DescribeTags", {"ResourceId": "m", "ResourceType": "DataSource"}, tagged_store)


def test_objects_created_from_tagged_objects_inherit_their_tags(tmp_path):
    world_dir = tmp_path / "inherit"
    world_dir.mkdir()
    store = Store()
    model_id = tiny_model(store, world_dir, "inh", "BINARY")
    model = call("GetMLModel", {"MLModelId": model_id}, store)
    source_id = model["TrainingDataSourceId"]
    call("AddTags", {"ResourceId": source_id, "ResourceType": "DataSource",
                     "Tags": [{"Key": "team", "Value": "data"}, {"Key": "common", "Value": "source"}]}, store)
    call("AddTags", {"ResourceId": model_id, "ResourceType": "MLModel",
                     "Tags": [{"Key": "common", "Value": "model"}]}, store)
    call("CreateEvaluation", {"EvaluationId": "inh-ev", "MLModelId": model_id,
                              "EvaluationDataSourceId": source_id}, store)
    tags = call("DescribeTags", {"ResourceId": "inh-ev", "ResourceType": "Evaluation"}, store)["Tags"]
    assert {tag["Key"]: tag.get("Value") for tag in tags} == {"team": "data", "common": "model"}


def test_a_deleted_model_no_longer_has_an_endpoint(tmp_path):
    store = Store()
    model_id = tiny_model(store, tmp_path, "gone", "BINARY")
    call("CreateRealtimeEndpoint", {"MLModelId": model_id}, store)
    call("DeleteMLModel", {"MLModelId": model_id}, store)
    model = call("GetMLModel", {"MLModelId": model_id}, store)
    assert model["Status"] == "DELETED"
    assert model["EndpointInfo"] == {"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"}
