"""What Clean Rooms ML's modules share: memberships, ARNs of its kinds, views, lookups, messages.

Records keep the API's member names (`name`, `createTime`, `statusDetails`);
a kind with a lifecycle keeps its status under the store's `Status`, shown as
`status`. A record is keyed in the store by the last part of its ARN (a
trained model's versions by their versionIdentifier). Deleted records stay,
marked `_deleted`, and are never found again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import resource_kind, service
from aml_cli.api.errors import AccessDeniedException, ResourceNotFoundException, ValidationException
from aml_cli.service.cleanrooms import common as shared
from aml_cli.service.cleanrooms.common import arn_parts, check_role, check_tags, new_id, newest_first, now, page

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

ML = service("cleanroomsml")
SERVICE_ARN_NAME = "cleanrooms-ml"
# kind -> the ARN's resource type (membership-scoped kinds live under membership/<id>/)
ARN_TYPES = {
    "ConfiguredModelAlgorithm": "configured-model-algorithm",
    "ConfiguredModelAlgorithmAssociation": "configured-model-algorithm-association",
    "MLInputChannel": "ml-input-channel",
    "TrainedModel": "trained-model",
    "TrainedModelInferenceJob": "trained-model-inference-job",
}
OUT_OF_SCOPE_TYPES = ("training-dataset", "audience-model", "configured-audience-model", "audience-generation-job")

__all__ = ["ML", "check_role", "check_tags", "new_id", "newest_first", "now", "page"]


def noun(kind: str) -> str:
    return resource_kind(kind).noun


def membership(store: Store, membership_id: str, context: RequestContext) -> dict:
    """The caller's membership (Clean Rooms' record); ResourceNotFoundException otherwise."""
    from aml_cli.service.cleanrooms.memberships import fetch

    return fetch(store, membership_id, context)


def membership_of_collaboration(store: Store, collaboration_id: str, context: RequestContext) -> dict:
    from aml_cli.service.cleanrooms.memberships import of_collaboration

    return of_collaboration(store, collaboration_id, context)


def listing_membership(store: Store, request: dict, context: RequestContext) -> dict:
    """The membership a List* call names (by membershipIdentifier or collaborationIdentifier). List
    operations have no ResourceNotFoundException: a caller who is not that member is denied access."""
    try:
        if "membershipIdentifier" in request:
            return membership(store, request["membershipIdentifier"], context)
        return membership_of_collaboration(store, request["collaborationIdentifier"], context)
    except ResourceNotFoundException as exc:
        raise AccessDeniedException(f"Access denied: {exc.message}") from None


def resource_arn(context: RequestContext, kind: str, resource_id: str, membership_id: str | None = None) -> str:
    path = f"{ARN_TYPES[kind]}/{resource_id}"
    if membership_id is not None:
        path = f"membership/{membership_id}/{path}"
    return shared.arn(SERVICE_ARN_NAME, context, path)


def arn_target(value: str) -> tuple[str | None, str | None, str] | None:
    """(kind, membership ID, resource ID) an ARN of this service names; kind None for an out-of-scope type."""
    parts = arn_parts(value)
    if parts is None or parts["service"] != SERVICE_ARN_NAME:
        return None
    pieces = parts["path"].split("/")
    membership_id = None
    if pieces[0] == "membership" and len(pieces) >= 4:
        membership_id, pieces = pieces[1], pieces[2:]
    by_type = {arn_type: kind for kind, arn_type in ARN_TYPES.items()}
    kind = by_type.get(pieces[0])
    if kind is None or len(pieces) != 2 or (membership_id is None) != (kind == "ConfiguredModelAlgorithm"):
        return (None, membership_id, "/".join(pieces[1:])) if pieces[0] in OUT_OF_SCOPE_TYPES else None
    return kind, membership_id, pieces[1]


def not_found(kind: str, value: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The {noun(kind)} {value} does not exist.")


def visible(record: dict | None, context: RequestContext) -> bool:
    return shared.visible(record, context) and not record.get("_deleted")


def resolve(store: Store, kind: str, value: str, context: RequestContext, membership_id: str | None = None) -> dict:
    """The record an ARN of `kind` names, of this account and region (and of `membership_id`, if given);
    ResourceNotFoundException for anything else, including ARNs of another account, region or membership."""
    target = arn_target(value)
    if target is None or target[0] != kind or (membership_id is not None and target[1] != membership_id):
        raise not_found(kind, value)
    parts = arn_parts(value) or {}
    record = store.get(kind, target[2])
    if parts.get("region") != context.region or parts.get("account") != context.account or not visible(record,
                                                                                                         context):
        raise not_found(kind, value)
    return record


def of_membership(store: Store, kind: str, membership_id: str, context: RequestContext) -> list[dict]:
    """The visible records of a kind in one membership, newest first."""
    return [record for record in newest_first(store.list(kind))
            if visible(record, context) and record.get("membershipIdentifier") == membership_id]


def view(record: dict, shape_name: str, extra: dict | None = None) -> dict:
    return shared.view(record, ML.shape(shape_name), extra)


def collaboration_extra(record: dict) -> dict:
    """What collaboration views add: the member who created the resource."""
    return {"creatorAccountId": record["_account"]}


def validation(message: str) -> ValidationException:
    return ValidationException(message)


def owned_fields(context: RequestContext, membership: dict | None = None) -> dict:
    """The fields every new record gets: owner, times, and its membership and collaboration when it has one."""
    stamp = now()
    fields = {"createTime": stamp, "updateTime": stamp, **shared.owner_fields(context)}
    if membership is not None:
        fields.update(membershipIdentifier=membership["id"], collaborationIdentifier=membership["collaborationId"])
    return fields


def create_with_job(store: Store, kind: str, key: str, record: dict, context: RequestContext,
                    depends_on=()) -> None:
    """Records a new resource with its kind's job queued in the same transaction (run inline when synchronous)."""
    from aml_cli.jobs import Work
    from aml_cli.jobs import create_with_job as record_and_queue

    work = Work(resource_kind(kind).job or "", synchronous=context.synchronous, progress=context.progress)
    record_and_queue(store, kind, key, record, key, work, depends_on)


def soft_delete(store: Store, kind: str, resource_id: str) -> None:
    store.update(kind, resource_id, {"_deleted": now(), "updateTime": now()})


def collaboration_accounts(store: Store, membership: dict) -> set[str]:
    """Every account of the membership's collaboration: the creator and the invited members."""
    collaboration = store.get("Collaboration", membership["collaborationId"]) or {}
    return {collaboration.get("creatorAccountId", ""), *(m["accountId"] for m in collaboration.get("_members", []))}
