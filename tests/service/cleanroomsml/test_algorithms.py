"""Configured model algorithms, their associations and ML configurations (spec §2.3, §2.4, §2.6b)."""

from __future__ import annotations

import pytest

from aml_cli.api.errors import AccessDeniedException, ConflictException, ResourceNotFoundException, ValidationException
from aml_cli.service.context import RequestContext
from tests.service.cleanroomsml.support import (
    ACCOUNT,
    OTHER_ROLE,
    ROLE,
    algorithm,
    association,
    channel,
    data_source,
    membership,
    ml,
)


@pytest.mark.parametrize("image", ["aml/sgd", "aml/sgd:latest", "aml/sgd@sha256:" + "0" * 64,
                                   "aml/sgd:1.0@sha256:" + "a" * 64])
def test_the_built_in_learner_is_named_by_its_image_tags_and_digests_ignored(store, image):
    arn = algorithm(store, image)
    assert arn.startswith(f"arn:aws:cleanrooms-ml:us-east-1:{ACCOUNT}:configured-model-algorithm/")
    got = ml("GetConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": arn}, store)
    assert got["trainingContainerConfig"] == {"imageUri": image}
    assert (got["name"], got["roleArn"], got["configuredModelAlgorithmArn"]) == ("sgd", ROLE, arn)


@pytest.mark.parametrize("image", ["123456789012.dkr.ecr.us-east-1.amazonaws.com/my-algo:latest", "aml/xgboost",
                                   "aml/sgd:"])
def test_any_other_image_is_refused_with_the_list_of_built_ins(store, image):
    with pytest.raises(ValidationException, match="the built-in training images are: aml/sgd"):
        algorithm(store, image)
    assert store.list("ConfiguredModelAlgorithm") == []


def test_entrypoint_arguments_inference_container_and_kms_key_are_echoed(store):
    config = {"imageUri": "aml/sgd", "entrypoint": ["python", "train.py"], "arguments": ["--fast"],
              "metricDefinitions": [{"name": "loss", "regex": r"training loss ([0-9.e+-]+)"}]}
    kms = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
    arn = ml("CreateConfiguredModelAlgorithm", {"name": "a", "roleArn": ROLE, "trainingContainerConfig": config,
                                                "inferenceContainerConfig": {"imageUri": "anything"},
                                                "kmsKeyArn": kms, "description": "d"}, store)
    got = ml("GetConfiguredModelAlgorithm", arn, store)
    assert (got["trainingContainerConfig"], got["inferenceContainerConfig"], got["kmsKeyArn"], got["description"]) == (
        config, {"imageUri": "anything"}, kms, "d")


def test_a_metric_regex_must_compile(store):
    config = {"imageUri": "aml/sgd", "metricDefinitions": [{"name": "loss", "regex": "loss ([0-9"}]}
    with pytest.raises(ValidationException, match="not a valid regular expression"):
        ml("CreateConfiguredModelAlgorithm", {"name": "a", "roleArn": ROLE, "trainingContainerConfig": config}, store)


def test_a_role_of_another_account_is_denied(store):
    with pytest.raises(AccessDeniedException, match="111122223333"):
        ml("CreateConfiguredModelAlgorithm", {"name": "a", "roleArn": OTHER_ROLE}, store)


def test_algorithms_list_newest_first_and_delete_unless_associated(store):
    first, second = algorithm(store), algorithm(store)
    listed = ml("ListConfiguredModelAlgorithms", {}, store)["configuredModelAlgorithms"]
    assert [a["configuredModelAlgorithmArn"] for a in listed] == [second, first]
    member = membership(store)
    used = association(store, member, first)
    with pytest.raises(ConflictException, match="depends on this resource"):
        ml("DeleteConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": first}, store)
    ml("DeleteConfiguredModelAlgorithmAssociation", {"membershipIdentifier": member["id"],
                                                     "configuredModelAlgorithmAssociationArn": used}, store)
    assert ml("DeleteConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": first}, store) == {}
    with pytest.raises(ResourceNotFoundException):
        ml("GetConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": first}, store)
    assert [a["configuredModelAlgorithmArn"] for a in ml("ListConfiguredModelAlgorithms", {}, store)[
        "configuredModelAlgorithms"]] == [second]


def test_an_arn_of_another_region_or_account_names_nothing(store):
    arn = algorithm(store)
    west = RequestContext(region="us-west-2", synchronous=True)
    with pytest.raises(ResourceNotFoundException):
        ml("GetConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": arn}, store, context=west)
    with pytest.raises(ResourceNotFoundException):
        ml("GetConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": arn.replace(ACCOUNT, "111122223333")},
           store)


def test_an_association_keeps_its_privacy_configuration_and_has_collaboration_views(store):
    member = membership(store)
    privacy = {"policies": {"trainedModels": {"maxArtifactSize": {"unit": "GB", "value": 0.5},
                                              "containerMetrics": {"noiseLevel": "LOW"}},
                            "trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                    "filesToExport": ["MODEL"]}}}
    arn = association(store, member, privacyConfiguration=privacy, description="d", tags={"k": "v"})
    request = {"membershipIdentifier": member["id"], "configuredModelAlgorithmAssociationArn": arn}
    got = ml("GetConfiguredModelAlgorithmAssociation", request, store)
    assert (got["privacyConfiguration"], got["tags"], got["collaborationIdentifier"]) == (
        privacy, {"k": "v"}, member["collaborationId"])
    collaboration = {"collaborationIdentifier": member["collaborationId"]}
    seen = ml("GetCollaborationConfiguredModelAlgorithmAssociation",
              {**collaboration, "configuredModelAlgorithmAssociationArn": arn}, store)
    assert seen["creatorAccountId"] == ACCOUNT and "tags" not in seen
    listed = ml("ListCollaborationConfiguredModelAlgorithmAssociations", collaboration, store)
    assert [a["configuredModelAlgorithmAssociationArn"] for a in
            listed["collaborationConfiguredModelAlgorithmAssociations"]] == [arn]
    assert [a["name"] for a in ml("ListConfiguredModelAlgorithmAssociations", {"membershipIdentifier": member["id"]},
                                  store)["configuredModelAlgorithmAssociations"]] == ["assoc"]


def test_an_association_needs_an_existing_algorithm_and_membership(store):
    member = membership(store)
    missing = algorithm(store).rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    with pytest.raises(ResourceNotFoundException):
        association(store, member, missing)
    with pytest.raises(ResourceNotFoundException):
        association(store, {**member, "id": "00000000-0000-4000-8000-000000000000"}, algorithm(store))


def test_log_policies_may_only_name_accounts_of_the_collaboration(store):
    member = membership(store, members=[{"accountId": "111122223333", "memberAbilities": [], "displayName": "b"}])
    logs = [{"allowedAccountIds": ["111122223333", ACCOUNT]}]
    association(store, member, privacyConfiguration={"policies": {"trainedModels": {"containerLogs": logs}}})
    with pytest.raises(ValidationException, match="444455556666 is not a member"):
        association(store, member, privacyConfiguration={"policies": {"trainedModels": {"containerLogs": [
            {"allowedAccountIds": ["444455556666"]}]}}})


def test_an_association_in_use_by_a_channel_cannot_be_deleted(store, tmp_path):
    data_source(store, tmp_path)
    member = membership(store)
    arn = association(store, member)
    channel(store, member, arn)
    with pytest.raises(ConflictException, match="ML input channel"):
        ml("DeleteConfiguredModelAlgorithmAssociation", {"membershipIdentifier": member["id"],
                                                         "configuredModelAlgorithmAssociationArn": arn}, store)


def test_lists_of_a_membership_one_is_not_in_are_denied(store):
    with pytest.raises(AccessDeniedException):
        ml("ListConfiguredModelAlgorithmAssociations", {"membershipIdentifier": "00000000-0000-4000-8000-"
                                                                                "000000000000"}, store)
    with pytest.raises(AccessDeniedException):
        ml("ListCollaborationTrainedModels", {"collaborationIdentifier": "00000000-0000-4000-8000-000000000000"},
           store)


def test_an_ml_configuration_is_put_read_and_deleted(store, tmp_path):
    member = membership(store)
    request = {"membershipIdentifier": member["id"]}
    with pytest.raises(ResourceNotFoundException):
        ml("GetMLConfiguration", request, store)
    for uri in ("s3://results/ml", str(tmp_path / "out"), (tmp_path / "out2").as_uri()):
        location = {"destination": {"s3Destination": {"s3Uri": uri}}, "roleArn": ROLE}
        assert ml("PutMLConfiguration", {**request, "defaultOutputLocation": location}, store) == {}
        got = ml("GetMLConfiguration", request, store)
        assert (got["membershipIdentifier"], got["defaultOutputLocation"]) == (member["id"], location)
    assert ml("DeleteMLConfiguration", request, store) == {}
    with pytest.raises(ResourceNotFoundException):
        ml("GetMLConfiguration", request, store)
    with pytest.raises(ResourceNotFoundException):
        ml("DeleteMLConfiguration", request, store)


def test_an_ml_configuration_needs_its_accounts_role_and_a_writable_place(store, tmp_path):
    member = membership(store)
    with pytest.raises(AccessDeniedException):
        ml("PutMLConfiguration", {"membershipIdentifier": member["id"], "defaultOutputLocation": {
            "destination": {"s3Destination": {"s3Uri": "s3://results"}}, "roleArn": OTHER_ROLE}}, store)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValidationException, match="not a folder"):
        ml("PutMLConfiguration", {"membershipIdentifier": member["id"], "defaultOutputLocation": {
            "destination": {"s3Destination": {"s3Uri": str(blocker)}}, "roleArn": ROLE}}, store)
    assert store.list("MLConfiguration") == []


def test_a_page_after_a_deleted_resource_neither_repeats_nor_skips(store):
    arns = [algorithm(store) for _ in range(4)]  # listed newest first: 3 2 1 0

    def listed(**request):
        return ml("ListConfiguredModelAlgorithms", request, store)

    page = listed(maxResults=2)
    assert [a["configuredModelAlgorithmArn"] for a in page["configuredModelAlgorithms"]] == [arns[3], arns[2]]
    ml("DeleteConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": arns[3]}, store)  # before the cursor
    rest = listed(maxResults=2, nextToken=page["nextToken"])
    assert [a["configuredModelAlgorithmArn"] for a in rest["configuredModelAlgorithms"]] == [arns[1], arns[0]]
    page = listed(maxResults=1)
    assert [a["configuredModelAlgorithmArn"] for a in page["configuredModelAlgorithms"]] == [arns[2]]
    ml("DeleteConfiguredModelAlgorithm", {"configuredModelAlgorithmArn": arns[2]}, store)  # the cursor itself
    rest = listed(maxResults=1, nextToken=page["nextToken"])
    assert [a["configuredModelAlgorithmArn"] for a in rest["configuredModelAlgorithms"]] == [arns[1]]
