"""Configured model algorithm associations: Create, Get, List, Delete, and the collaboration's views (spec §2.4).

An association makes an algorithm usable in one membership, with its privacy
configuration. Of that configuration `trainedModels.maxArtifactSize` is
enforced (a bigger model fails ARTIFACT_TOO_LARGE) and `trainedModelExports`
decides whether and what a model may export; the log and metric policies are
validated and stored. Associations cannot be changed, as the guide says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import resource_kind
from aml_cli.api.errors import ConflictException
from aml_cli.service.cleanroomsml import algorithms, common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "ConfiguredModelAlgorithmAssociation"
GIGABYTE = 1 << 30
_ECHOED = ("configuredModelAlgorithmArn", "name", "description", "privacyConfiguration")


def create_configured_model_algorithm_association(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership(store, request["membershipIdentifier"], context)
    algorithms.fetch(store, request["configuredModelAlgorithmArn"], context)
    _check_privacy(store, membership, request.get("privacyConfiguration"))
    tags = common.check_tags(request.get("tags"))
    association_id = common.new_id()
    arn = common.resource_arn(context, KIND, association_id, membership["id"])
    record = {"configuredModelAlgorithmAssociationArn": arn, **{k: request[k] for k in _ECHOED if k in request},
              **common.owned_fields(context, membership), "_tags": tags}
    store.create(KIND, association_id, record, association_id)
    return {"configuredModelAlgorithmAssociationArn": arn}


def _check_privacy(store: Store, membership: dict, configuration: dict | None) -> None:
    """Log policies may only name accounts of the collaboration."""
    policies = (configuration or {}).get("policies") or {}
    accounts = common.collaboration_accounts(store, membership)
    for section in ("trainedModels", "trainedModelInferenceJobs"):
        for policy in (policies.get(section) or {}).get("containerLogs") or ():
            strangers = [account for account in policy["allowedAccountIds"] if account not in accounts]
            if strangers:
                raise common.validation(
                    f"privacyConfiguration.policies.{section}.containerLogs: the account {strangers[0]} is not a "
                    f"member of the collaboration {membership['collaborationId']}."
                )


def max_artifact_bytes(association: dict) -> int | None:
    """trainedModels.maxArtifactSize in bytes, or None when the association sets no limit."""
    limit = (((association.get("privacyConfiguration") or {}).get("policies") or {}).get("trainedModels")
             or {}).get("maxArtifactSize")
    return None if limit is None else int(float(limit["value"]) * GIGABYTE)


def export_policy(association: dict) -> dict | None:
    return ((association.get("privacyConfiguration") or {}).get("policies") or {}).get("trainedModelExports")


def fetch(store: Store, arn: str, membership_id: str, context: RequestContext) -> dict:
    return common.resolve(store, KIND, arn, context, membership_id)


def get_configured_model_algorithm_association(store: Store, request: dict, context: RequestContext) -> dict:
    common.membership(store, request["membershipIdentifier"], context)
    record = fetch(store, request["configuredModelAlgorithmAssociationArn"], request["membershipIdentifier"], context)
    return common.view(record, "GetConfiguredModelAlgorithmAssociationResponse")


def list_configured_model_algorithm_associations(store: Store, request: dict, context: RequestContext) -> dict:
    common.listing_membership(store, request, context)
    records = common.of_membership(store, KIND, request["membershipIdentifier"], context)
    return common.page(records, request, "configuredModelAlgorithmAssociations",
                       lambda record: common.view(record, "ConfiguredModelAlgorithmAssociationSummary"))


def delete_configured_model_algorithm_association(store: Store, request: dict, context: RequestContext) -> dict:
    """ConflictException while a channel or a trained model still uses it."""
    membership_id, arn = request["membershipIdentifier"], request["configuredModelAlgorithmAssociationArn"]
    common.membership(store, membership_id, context)
    record = fetch(store, arn, membership_id, context)
    for kind, uses in (("MLInputChannel", lambda r: arn in r["configuredModelAlgorithmAssociations"]),
                       ("TrainedModel", lambda r: r["configuredModelAlgorithmAssociationArn"] == arn)):
        users = [r for r in common.of_membership(store, kind, membership_id, context)
                 if uses(r) and r.get("Status") != "INACTIVE"]
        if users:
            raise ConflictException(
                f"Another resource depends on this resource: the {common.noun(kind)} "
                f"{users[0][resource_kind(kind).id_member]} uses the association {arn}."
            )
    common.soft_delete(store, KIND, record["configuredModelAlgorithmAssociationArn"].rsplit("/", 1)[1])
    return {}


def get_collaboration_configured_model_algorithm_association(store: Store, request: dict,
                                                             context: RequestContext) -> dict:
    membership = common.membership_of_collaboration(store, request["collaborationIdentifier"], context)
    record = fetch(store, request["configuredModelAlgorithmAssociationArn"], membership["id"], context)
    return common.view(record, "GetCollaborationConfiguredModelAlgorithmAssociationResponse",
                       common.collaboration_extra(record))


def list_collaboration_configured_model_algorithm_associations(store: Store, request: dict,
                                                               context: RequestContext) -> dict:
    membership = common.listing_membership(store, request, context)
    records = common.of_membership(store, KIND, membership["id"], context)
    summary = "CollaborationConfiguredModelAlgorithmAssociationSummary"
    return common.page(records, request, "collaborationConfiguredModelAlgorithmAssociations",
                       lambda record: common.view(record, summary, common.collaboration_extra(record)))
