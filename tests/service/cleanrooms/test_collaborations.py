"""Clean Rooms' collaborations and memberships for the one local account (spec §2.2)."""

from __future__ import annotations

import re

import pytest

from aml_cli.api.errors import AccessDeniedException, ConflictException, ResourceNotFoundException, ValidationException
from aml_cli.service.context import RequestContext
from tests.service.cleanroomsml.support import ACCOUNT, OTHER_ROLE, cr, membership

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _collaboration(store, **overrides) -> dict:
    request = {"members": [{"accountId": "111122223333", "memberAbilities": [], "displayName": "them"}],
               "name": "demo", "creatorMemberAbilities": ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
               "creatorDisplayName": "me", "queryLogStatus": "DISABLED", **overrides}
    return cr("CreateCollaboration", request, store)["collaboration"]


def test_a_collaboration_is_created_with_the_caller_as_creator_invited_until_it_joins(store):
    collaboration = _collaboration(store, description="d", tags={"team": "ml"})
    assert UUID.fullmatch(collaboration["id"])
    assert collaboration["arn"] == f"arn:aws:cleanrooms:us-east-1:{ACCOUNT}:collaboration/{collaboration['id']}"
    assert (collaboration["creatorAccountId"], collaboration["memberStatus"]) == (ACCOUNT, "INVITED")
    assert "membershipId" not in collaboration
    assert isinstance(collaboration["createTime"], float)
    member = cr("CreateMembership", {"collaborationIdentifier": collaboration["id"], "queryLogStatus": "DISABLED"},
                store)["membership"]
    assert member["status"] == "ACTIVE"
    assert member["memberAbilities"] == ["CAN_QUERY", "CAN_RECEIVE_RESULTS"]
    assert member["paymentConfiguration"] == {"queryCompute": {"isResponsible": True}}
    joined = cr("GetCollaboration", {"collaborationIdentifier": collaboration["id"]}, store)["collaboration"]
    assert (joined["memberStatus"], joined["membershipId"], joined["membershipArn"]) == ("ACTIVE", member["id"],
                                                                                         member["arn"])
    assert cr("GetMembership", {"membershipIdentifier": member["id"]}, store)["membership"] == member


def test_the_other_members_are_stored_as_invited_accounts(store):
    collaboration = _collaboration(store)
    record = store.get("Collaboration", collaboration["id"])
    assert record["_members"] == [{"accountId": "111122223333", "memberAbilities": [], "displayName": "them",
                                   "status": "INVITED"}]


@pytest.mark.parametrize(("members", "creator", "message"), [
    ([{"accountId": ACCOUNT, "memberAbilities": [], "displayName": "me again"}], ["CAN_QUERY"], "is a member already"),
    ([{"accountId": "111122223333", "memberAbilities": [], "displayName": "a"},
      {"accountId": "111122223333", "memberAbilities": [], "displayName": "b"}], ["CAN_QUERY"], "more than once"),
    ([{"accountId": "111122223333", "memberAbilities": ["CAN_QUERY"], "displayName": "a"}], ["CAN_QUERY"],
     "Only one member"),
])
def test_invalid_members_are_refused_and_nothing_is_stored(store, members, creator, message):
    with pytest.raises(ValidationException, match=message):
        _collaboration(store, members=members, creatorMemberAbilities=creator)
    assert store.list("Collaboration") == []


def test_a_second_membership_of_the_same_collaboration_is_a_conflict(store):
    member = membership(store)
    with pytest.raises(ConflictException, match="already a member"):
        cr("CreateMembership", {"collaborationIdentifier": member["collaborationId"], "queryLogStatus": "DISABLED"},
           store)
    assert len(store.list("Membership")) == 1


@pytest.mark.parametrize(("settings", "error", "message"), [
    ({"queryLogStatus": "ENABLED"}, ValidationException, "cannot enable it"),
    ({"paymentConfiguration": {"queryCompute": {"isResponsible": False}}}, ValidationException, "must be true"),
    ({"defaultResultConfiguration": {"outputConfiguration": {"s3": {"resultFormat": "CSV", "bucket": "results"}},
                                     "roleArn": OTHER_ROLE}}, AccessDeniedException, "111122223333"),
])
def test_membership_settings_must_agree_with_the_collaboration(store, settings, error, message):
    collaboration = _collaboration(store)
    with pytest.raises(error, match=message):
        cr("CreateMembership", {"collaborationIdentifier": collaboration["id"], "queryLogStatus": "DISABLED",
                                **settings}, store)
    assert store.list("Membership") == []


def test_results_need_the_ability_to_receive_them(store):
    collaboration = _collaboration(store, creatorMemberAbilities=["CAN_QUERY"])
    configuration = {"outputConfiguration": {"s3": {"resultFormat": "CSV", "bucket": "results"}}}
    with pytest.raises(ValidationException, match="CAN_RECEIVE_RESULTS"):
        cr("CreateMembership", {"collaborationIdentifier": collaboration["id"], "queryLogStatus": "DISABLED",
                                "defaultResultConfiguration": configuration}, store)


def test_lists_are_newest_first_filtered_and_paged(store):
    first = _collaboration(store, name="first")
    second = _collaboration(store, name="second")
    cr("CreateMembership", {"collaborationIdentifier": first["id"], "queryLogStatus": "DISABLED"}, store)
    listed = cr("ListCollaborations", {}, store)["collaborationList"]
    assert [c["name"] for c in listed] == ["second", "first"]
    assert [c["name"] for c in cr("ListCollaborations", {"memberStatus": "ACTIVE"}, store)["collaborationList"]] == [
        "first"]
    page = cr("ListCollaborations", {"maxResults": 1}, store)
    assert [c["id"] for c in page["collaborationList"]] == [second["id"]]
    rest = cr("ListCollaborations", {"maxResults": 1, "nextToken": page["nextToken"]}, store)
    assert [c["id"] for c in rest["collaborationList"]] == [first["id"]] and "nextToken" not in rest
    assert len(cr("ListMemberships", {"status": "ACTIVE"}, store)["membershipSummaries"]) == 1
    assert cr("ListMemberships", {"status": "REMOVED"}, store)["membershipSummaries"] == []


def test_a_token_that_is_not_ours_is_a_validation_error(store):
    with pytest.raises(ValidationException, match="nextToken"):
        cr("ListCollaborations", {"nextToken": "not-a-token"}, store)


def test_unknown_ids_and_other_regions_find_nothing(store):
    member = membership(store)
    with pytest.raises(ResourceNotFoundException):
        cr("GetMembership", {"membershipIdentifier": "00000000-0000-4000-8000-000000000000"}, store)
    west = RequestContext(region="us-west-2", synchronous=True)
    with pytest.raises(ResourceNotFoundException):
        cr("GetMembership", {"membershipIdentifier": member["id"]}, store, context=west)
    with pytest.raises(ResourceNotFoundException):
        cr("GetCollaboration", {"collaborationIdentifier": member["collaborationId"]}, store, context=west)
    assert cr("ListMemberships", {}, store, context=west)["membershipSummaries"] == []


def test_pages_neither_repeat_nor_skip_when_collaborations_are_made_between_them(store):
    for i in range(4):
        _collaboration(store, name=f"c{i}")  # listed newest first: c3 c2 c1 c0
    page = cr("ListCollaborations", {"maxResults": 2}, store)
    assert [c["name"] for c in page["collaborationList"]] == ["c3", "c2"]
    _collaboration(store, name="newer")  # an offset token would show c2 again
    rest = cr("ListCollaborations", {"maxResults": 2, "nextToken": page["nextToken"]}, store)
    assert [c["name"] for c in rest["collaborationList"]] == ["c1", "c0"] and "nextToken" not in rest
