"""Trained models: Create, Get, List, ListTrainedModelVersions, Cancel, DeleteTrainedModelOutput, and the
collaboration's views (spec §2.6).

A trained model is an ARN with one or more versions; each version is a record
(keyed by its versionIdentifier) with its own status and its own training job
(`training`). The first version is the base. A create whose incremental channel
continues a model under that model's own name adds a version to it; under
another name it starts a new model from the base's weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.cleanroomsml.resources import TRAINED_MODEL as LIFE
from aml_cli.api.errors import ConflictException, ResourceNotFoundException
from aml_cli.service.cleanroomsml import algorithms, associations, channels, common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "TrainedModel"
VERSIONS_PAGE = 10  # ListTrainedModelVersions' default page; the other lists give 100
_ECHOED = ("name", "description", "configuredModelAlgorithmAssociationArn", "hyperparameters", "environment",
           "resourceConfig", "stoppingCondition", "dataChannels", "trainingInputMode", "kmsKeyArn",
           "mlModelTrainingPayerAccountId")
CREATING = frozenset({LIFE.start, LIFE.running})


def create_trained_model(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership(store, request["membershipIdentifier"], context)
    association = associations.fetch(store, request["configuredModelAlgorithmAssociationArn"], membership["id"],
                                     context)
    algorithm = algorithms.fetch(store, association["configuredModelAlgorithmArn"], context)
    found = [_channel(store, channel, membership, association, context) for channel in request["dataChannels"]]
    incremental = (request.get("incrementalTrainingDataChannels") or [None])[0]
    base = _base_of(store, incremental, membership, algorithm, context) if incremental else None
    _check_channel_names(request, incremental)
    if algorithm.get("trainingContainerConfig") is None:
        raise common.validation(f"The configured model algorithm {algorithm['configuredModelAlgorithmArn']} has no "
                                "trainingContainerConfig: it cannot train.")
    continues = base is not None and base["name"] == request["name"]
    model_arn = base["trainedModelArn"] if continues else _new_model(store, request, membership, context)
    version_id = common.new_id()
    record = {"trainedModelArn": model_arn, "versionIdentifier": version_id,
              **{k: request[k] for k in _ECHOED if k in request}, **common.owned_fields(context, membership),
              "Status": LIFE.start, "_channel_arns": [c["mlInputChannelArn"] for c in found],
              "_base": not continues}
    if incremental is not None:
        record["incrementalTrainingDataChannels"] = [{"channelName": incremental["channelName"],
                                                       "versionIdentifier": base["versionIdentifier"],
                                                       "modelName": base["name"]}]
        record["_warm_start"] = base["versionIdentifier"]
    tags = request.get("tags")
    if continues:
        _add_tags(store, model_arn, membership["id"], tags, context)
    else:
        record["_tags"] = common.check_tags(tags)
    depends = [("MLInputChannel", c["mlInputChannelArn"].rsplit("/", 1)[1]) for c in found]
    common.create_with_job(store, KIND, version_id, record, context, depends_on=depends)
    return {"trainedModelArn": model_arn, "versionIdentifier": version_id}


def _channel(store: Store, channel: dict, membership: dict, association: dict, context: RequestContext) -> dict:
    arn = channel["mlInputChannelArn"]
    target = common.arn_target(arn)
    record = channels.fetch(store, arn, target[1] if target else "", context)
    if record["membershipIdentifier"] != membership["id"]:
        raise common.validation(f"dataChannels: the ML input channel {arn} is not of the collaboration "
                                f"{membership['collaborationId']}.")
    if association["configuredModelAlgorithmAssociationArn"] not in record["configuredModelAlgorithmAssociations"]:
        raise common.validation(f"dataChannels: the ML input channel {arn} was made for another association than "
                                f"{association['configuredModelAlgorithmAssociationArn']}.")
    return channels.usable(store, arn, membership["id"], context, "dataChannels")


def _check_channel_names(request: dict, incremental: dict | None) -> None:
    names = [channel["channelName"] for channel in request["dataChannels"]]
    if incremental is not None:
        names.append(incremental["channelName"])
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise common.validation(f"The channel name {doubled[0]!r} is used more than once; each data channel and "
                                "the incremental training channel need their own names.")


def _base_of(store: Store, incremental: dict, membership: dict, algorithm: dict, context: RequestContext) -> dict:
    """The version an incremental model starts from: ACTIVE, trained with the same algorithm."""
    base = version(store, incremental["trainedModelArn"], membership["id"], incremental.get("versionIdentifier"),
                   context)
    if base["Status"] != LIFE.done:
        raise common.validation(f"incrementalTrainingDataChannels: the version {base['versionIdentifier']} of "
                                f"{base['trainedModelArn']} is {base['Status']}, not ACTIVE.")
    base_association = store.get("ConfiguredModelAlgorithmAssociation",
                                 base["configuredModelAlgorithmAssociationArn"].rsplit("/", 1)[1]) or {}
    if base_association.get("configuredModelAlgorithmArn") != algorithm["configuredModelAlgorithmArn"]:
        raise common.validation(f"incrementalTrainingDataChannels: {base['trainedModelArn']} was trained with "
                                "another configured model algorithm; a model continues with its own algorithm.")
    return base


def _new_model(store: Store, request: dict, membership: dict, context: RequestContext) -> str:
    taken = [r for r in common.of_membership(store, KIND, membership["id"], context) if r["name"] == request["name"]]
    if taken:
        raise ConflictException(f"A trained model named {request['name']!r} already exists in the membership "
                                f"{membership['id']}: {taken[0]['trainedModelArn']}.")
    return common.resource_arn(context, KIND, common.new_id(), membership["id"])


def _add_tags(store: Store, model_arn: str, membership_id: str, tags: dict | None, context: RequestContext) -> None:
    key = base_version(store, model_arn, membership_id, context)["versionIdentifier"]
    common.check_tags(tags, (store.get(KIND, key) or {}).get("_tags"))
    store.modify(KIND, key, lambda record: {**record, "_tags": common.check_tags(tags, record.get("_tags"))})


# -- finding versions -----------------------------------------------------------------------------------------


def versions(store: Store, model_arn: str, membership_id: str, context: RequestContext) -> list[dict]:
    """Every version of a trained model, newest first; ResourceNotFoundException if it has none here."""
    from aml_cli.jobs import reap

    target = common.arn_target(model_arn)
    parts = common.arn_parts(model_arn) or {}
    if (target is None or target[0] != KIND or target[1] != membership_id or parts.get("region") != context.region
            or parts.get("account") != context.account):
        raise common.not_found(KIND, model_arn)
    reap(store)
    found = [r for r in common.of_membership(store, KIND, membership_id, context) if r["trainedModelArn"] == model_arn]
    if not found:
        raise common.not_found(KIND, model_arn)
    return found


def base_version(store: Store, model_arn: str, membership_id: str, context: RequestContext) -> dict:
    return next(r for r in versions(store, model_arn, membership_id, context) if r.get("_base"))


def version(store: Store, model_arn: str, membership_id: str, version_id: str | None, context: RequestContext,
            default: str = "latest") -> dict:
    """One version: the one named, else the latest (or the base, for `default="base"`)."""
    found = versions(store, model_arn, membership_id, context)
    if version_id is None:
        return found[0] if default == "latest" else next(r for r in found if r.get("_base"))
    for record in found:
        if record["versionIdentifier"] == version_id:
            return record
    raise ResourceNotFoundException(f"The trained model {model_arn} has no version {version_id}.")


def _latest_per_model(records: list[dict]) -> list[dict]:
    seen: set[str] = set()
    latest = []
    for record in records:  # newest first: the first of each ARN is its latest version
        if record["trainedModelArn"] not in seen:
            seen.add(record["trainedModelArn"])
            latest.append(record)
    return latest


def _with_tags(store: Store, record: dict, membership_id: str, context: RequestContext) -> dict:
    base = base_version(store, record["trainedModelArn"], membership_id, context)
    return {**record, "_tags": base.get("_tags") or {}}


# -- the operations -------------------------------------------------------------------------------------------


def get_trained_model(store: Store, request: dict, context: RequestContext) -> dict:
    membership_id = common.membership(store, request["membershipIdentifier"], context)["id"]
    record = version(store, request["trainedModelArn"], membership_id, request.get("versionIdentifier"), context)
    return common.view(_with_tags(store, record, membership_id, context), "GetTrainedModelResponse")


def list_trained_models(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.jobs import reap

    common.listing_membership(store, request, context)
    reap(store)
    records = _latest_per_model(common.of_membership(store, KIND, request["membershipIdentifier"], context))
    return common.page(records, request, "trainedModels", lambda r: common.view(r, "TrainedModelSummary"))


def list_trained_model_versions(store: Store, request: dict, context: RequestContext) -> dict:
    membership_id = common.listing_membership(store, request, context)["id"]
    found = versions(store, request["trainedModelArn"], membership_id, context)
    if request.get("status"):
        found = [r for r in found if r["Status"] == request["status"]]
    return common.page(found, request, "trainedModels", lambda r: common.view(r, "TrainedModelSummary"),
                       default=VERSIONS_PAGE)


def cancel_trained_model(store: Store, request: dict, context: RequestContext) -> dict:
    """CREATE_PENDING|CREATE_IN_PROGRESS -> CANCEL_PENDING -> (the job sees it) CANCEL_IN_PROGRESS -> INACTIVE."""
    from aml_cli.jobs import request_cancel

    membership_id = common.membership(store, request["membershipIdentifier"], context)["id"]
    record = version(store, request["trainedModelArn"], membership_id, request.get("versionIdentifier"), context,
                     default="base")
    if record["Status"] not in CREATING or request_cancel(store, KIND, record["versionIdentifier"]) is None:
        current = store.get(KIND, record["versionIdentifier"])["Status"]
        raise ConflictException(f"The version {record['versionIdentifier']} of {record['trainedModelArn']} is "
                                f"{current}; only a version being created can be cancelled.")
    return {}


def delete_trained_model_output(store: Store, request: dict, context: RequestContext) -> dict:
    """ACTIVE|CREATE_FAILED -> DELETE_PENDING -> DELETE_IN_PROGRESS -> INACTIVE, the model file removed."""
    import os

    membership_id = common.membership(store, request["membershipIdentifier"], context)["id"]
    record = version(store, request["trainedModelArn"], membership_id, request.get("versionIdentifier"), context,
                     default="base")
    key = record["versionIdentifier"]
    if store.transition(KIND, key, "DELETE_PENDING", LIFE.stamp("DELETE_PENDING", common.now())) is None:
        raise ConflictException(f"The version {key} of {record['trainedModelArn']} is {record['Status']}; only the "
                                "output of an ACTIVE or CREATE_FAILED version can be deleted.")
    store.transition(KIND, key, "DELETE_IN_PROGRESS", LIFE.stamp("DELETE_IN_PROGRESS", common.now()))
    try:
        if record.get("_model_path"):
            os.unlink(record["_model_path"])
    except FileNotFoundError:
        pass
    except OSError as exc:
        details = {"statusCode": "DELETE_FAILED", "message": f"The model file could not be removed: {exc.strerror}."}
        store.transition(KIND, key, "DELETE_FAILED", {**LIFE.stamp("DELETE_FAILED", common.now()),
                                                      "statusDetails": details})
        return {}
    store.transition(KIND, key, "INACTIVE", {**LIFE.stamp("INACTIVE", common.now()), "_model_path": None})
    return {}


def get_collaboration_trained_model(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership_of_collaboration(store, request["collaborationIdentifier"], context)
    record = version(store, request["trainedModelArn"], membership["id"], request.get("versionIdentifier"), context)
    return common.view(record, "GetCollaborationTrainedModelResponse", common.collaboration_extra(record))


def list_collaboration_trained_models(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.jobs import reap

    membership = common.listing_membership(store, request, context)
    reap(store)
    records = _latest_per_model(common.of_membership(store, KIND, membership["id"], context))
    return common.page(records, request, "collaborationTrainedModels",
                       lambda r: common.view(r, "CollaborationTrainedModelSummary", common.collaboration_extra(r)))
