"""Memberships: CreateMembership, GetMembership, ListMemberships.

The one local account has one membership per collaboration, ACTIVE as soon as
it is created; its abilities are those the collaboration gave its creator. Its
log, result and payment settings must agree with the collaboration's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import service
from aml_cli.api.errors import ConflictException, ValidationException
from aml_cli.service.cleanrooms import collaborations, common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "Membership"
CLEANROOMS = service("cleanrooms")
_ECHOED = ("queryLogStatus", "jobLogStatus", "defaultResultConfiguration", "defaultJobResultConfiguration",
           "isMetricsEnabled")


def create_membership(store: Store, request: dict, context: RequestContext) -> dict:
    collaboration = collaborations.fetch(store, request["collaborationIdentifier"], context)
    _check_settings(request, collaboration, context)
    tags = common.check_tags(request.get("tags"))
    membership_id = common.new_id()
    stamp = common.now()
    record = {
        "id": membership_id,
        "arn": common.arn("cleanrooms", context, f"membership/{membership_id}"),
        "collaborationArn": collaboration["arn"],
        "collaborationId": collaboration["id"],
        "collaborationCreatorAccountId": collaboration["creatorAccountId"],
        "collaborationCreatorDisplayName": collaboration["creatorDisplayName"],
        "collaborationName": collaboration["name"],
        "createTime": stamp,
        "updateTime": stamp,
        "status": "ACTIVE",
        "memberAbilities": collaboration["_creatorMemberAbilities"],
        "mlMemberAbilities": collaboration.get("_creatorMLMemberAbilities"),
        **{name: request[name] for name in _ECHOED if name in request},
        "paymentConfiguration": request.get("paymentConfiguration") or _default_payment(collaboration),
        "_tags": tags,
        **common.owner_fields(context),
    }

    def join(conn) -> None:
        """In the membership's own transaction: the collaboration learns of it, or neither is written."""
        from aml_cli.store.db import load_record, save_record

        current = load_record(conn, collaborations.KIND, collaboration["id"])
        if current.get("membershipId"):
            raise ConflictException(
                f"The account {context.account} is already a member of the collaboration {collaboration['id']} "
                f"(membership {current['membershipId']})."
            )
        save_record(conn, collaborations.KIND, collaboration["id"], {
            **current, "memberStatus": "ACTIVE", "membershipId": membership_id, "membershipArn": record["arn"],
            "updateTime": stamp})

    store.create(KIND, membership_id, record, membership_id, also=join)
    return {"membership": _view(record)}


def _check_settings(request: dict, collaboration: dict, context: RequestContext) -> None:
    for member in ("queryLogStatus", "jobLogStatus"):
        if request.get(member) == "ENABLED" and collaboration.get(member, "DISABLED") != "ENABLED":
            raise ValidationException(
                f"{member}: the collaboration {collaboration['id']} has {member} DISABLED, so a membership "
                "cannot enable it."
            )
    result = request.get("defaultResultConfiguration")
    if result is not None and "CAN_RECEIVE_RESULTS" not in collaboration["_creatorMemberAbilities"]:
        raise ValidationException(
            "defaultResultConfiguration: this member cannot receive results (its abilities lack CAN_RECEIVE_RESULTS)."
        )
    for configuration in (result, request.get("defaultJobResultConfiguration")):
        common.check_role((configuration or {}).get("roleArn"), "roleArn", context)
    payment = request.get("paymentConfiguration")
    if payment is not None and bool(payment["queryCompute"]["isResponsible"]) != collaboration_pays(collaboration):
        raise ValidationException(
            "paymentConfiguration.queryCompute.isResponsible must be "
            f"{str(collaboration_pays(collaboration)).lower()}, as the collaboration configured this member."
        )


def collaboration_pays(collaboration: dict) -> bool:
    return collaborations.creator_pays(collaboration)


def _default_payment(collaboration: dict) -> dict:
    configured = collaboration.get("_creatorPaymentConfiguration")
    return configured or {"queryCompute": {"isResponsible": collaborations.creator_pays(collaboration)}}


def fetch(store: Store, membership_id: str, context: RequestContext) -> dict:
    """This account's membership; ResourceNotFoundException otherwise (Clean Rooms ML's 404 as well)."""
    return common.fetch_owned(store, KIND, membership_id, context,
                              f"The membership {membership_id} does not exist in this account and region.")


def of_collaboration(store: Store, collaboration_id: str, context: RequestContext) -> dict:
    """The caller's membership of a collaboration; ResourceNotFoundException when it has none."""
    collaboration = collaborations.fetch(store, collaboration_id, context)
    if not collaboration.get("membershipId"):
        raise common.ResourceNotFoundException(
            f"The account {context.account} has no membership of the collaboration {collaboration_id}."
        )
    return fetch(store, collaboration["membershipId"], context)


def _view(record: dict) -> dict:
    return common.view(record, CLEANROOMS.shape("Membership"))


def get_membership(store: Store, request: dict, context: RequestContext) -> dict:
    return {"membership": _view(fetch(store, request["membershipIdentifier"], context))}


def list_memberships(store: Store, request: dict, context: RequestContext) -> dict:
    return common.listing(store, KIND, request, context, status_member="status",
                          result_key="membershipSummaries", summary=CLEANROOMS.shape("MembershipSummary"))
