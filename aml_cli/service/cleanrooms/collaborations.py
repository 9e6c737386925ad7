"""Collaborations: CreateCollaboration, GetCollaboration, ListCollaborations.

The caller is the creator; the collaboration's `memberStatus` is the caller's:
INVITED until it creates its membership, ACTIVE after. The other members are
kept as invited accounts (their abilities and payment settings checked and
stored) and never act locally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import service
from aml_cli.api.errors import ValidationException
from aml_cli.service.cleanrooms import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "Collaboration"
CLEANROOMS = service("cleanrooms")
_ECHOED = ("name", "description", "creatorDisplayName", "dataEncryptionMetadata", "queryLogStatus", "jobLogStatus",
           "analyticsEngine", "allowedResultRegions", "isMetricsEnabled")


def create_collaboration(store: Store, request: dict, context: RequestContext) -> dict:
    _check_members(request, context)
    tags = common.check_tags(request.get("tags"))
    collaboration_id = common.new_id()
    stamp = common.now()
    record = {
        "id": collaboration_id,
        "arn": common.arn("cleanrooms", context, f"collaboration/{collaboration_id}"),
        "creatorAccountId": context.account,
        "createTime": stamp,
        "updateTime": stamp,
        "memberStatus": "INVITED",
        **{name: request[name] for name in _ECHOED if name in request},
        "autoApprovedChangeTypes": request.get("autoApprovedChangeRequestTypes"),
        "_creatorMemberAbilities": list(request["creatorMemberAbilities"]),
        "_creatorMLMemberAbilities": request.get("creatorMLMemberAbilities"),
        "_creatorPaymentConfiguration": request.get("creatorPaymentConfiguration"),
        "_members": [{**member, "status": "INVITED"} for member in request["members"]],
        "_tags": tags,
        **common.owner_fields(context),
    }
    store.create(KIND, collaboration_id, record, collaboration_id)
    return {"collaboration": _view(record)}


def _check_members(request: dict, context: RequestContext) -> None:
    """Other accounts only, each once; one member at most may run queries, one at most pays for them."""
    accounts = [member["accountId"] for member in request["members"]]
    if context.account in accounts:
        raise ValidationException(
            f"members: the creator's account {context.account} is a member already; list only the other accounts."
        )
    duplicates = sorted({account for account in accounts if accounts.count(account) > 1})
    if duplicates:
        raise ValidationException(f"members: the account {duplicates[0]} is listed more than once.")
    everyone = [(request["creatorMemberAbilities"], request.get("creatorPaymentConfiguration")),
                *((member["memberAbilities"], member.get("paymentConfiguration")) for member in request["members"])]
    if sum("CAN_QUERY" in abilities for abilities, _ in everyone) > 1:
        raise ValidationException("Only one member of a collaboration can have the ability CAN_QUERY.")
    payers = sum(bool(((payment or {}).get("queryCompute") or {}).get("isResponsible")) for _, payment in everyone)
    if payers > 1:
        raise ValidationException("Only one member of a collaboration can be responsible for query compute costs.")


def creator_pays(record: dict) -> bool:
    """Whether the creator pays for queries: as its payment configuration says, else yes (it is the one account)."""
    configured = record.get("_creatorPaymentConfiguration")
    return True if configured is None else bool(configured["queryCompute"]["isResponsible"])


def fetch(store: Store, collaboration_id: str, context: RequestContext) -> dict:
    return common.fetch_owned(store, KIND, collaboration_id, context,
                              f"The collaboration {collaboration_id} does not exist in this account and region.")


def _view(record: dict) -> dict:
    return common.view(record, CLEANROOMS.shape("Collaboration"))


def get_collaboration(store: Store, request: dict, context: RequestContext) -> dict:
    return {"collaboration": _view(fetch(store, request["collaborationIdentifier"], context))}


def list_collaborations(store: Store, request: dict, context: RequestContext) -> dict:
    return common.listing(store, KIND, request, context, status_member="memberStatus",
                          result_key="collaborationList", summary=CLEANROOMS.shape("CollaborationSummary"))
