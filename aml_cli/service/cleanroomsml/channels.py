"""ML input channels: Create, Get, List, DeleteMLInputChannelData, and the collaboration's views (spec §2.5).

Create records the channel CREATE_PENDING and queues its query job
(`channel_job`). Retention is enforced whenever a channel is read: past
`retentionInDays` its data is removed and it is INACTIVE. Deleting the data of
a channel that a training or inference job still reads leaves it
DELETE_PENDING; the first read after those jobs end finishes the deletion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.cleanroomsml.resources import ML_INPUT_CHANNEL as LIFE
from aml_cli.api.errors import ConflictException
from aml_cli.service.cleanroomsml import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "MLInputChannel"
DAY = 86400.0
_ECHOED = ("name", "description", "configuredModelAlgorithmAssociations", "inputChannel", "retentionInDays",
           "kmsKeyArn", "payerConfiguration")
# who may still be reading a channel: the kinds whose jobs read one, and the statuses they read it in
READERS = {"TrainedModel": ("CREATE_PENDING", "CREATE_IN_PROGRESS", "CANCEL_PENDING", "CANCEL_IN_PROGRESS"),
           "TrainedModelInferenceJob": ("CREATE_PENDING", "CREATE_IN_PROGRESS", "CANCEL_PENDING",
                                        "CANCEL_IN_PROGRESS")}


def create_ml_input_channel(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership(store, request["membershipIdentifier"], context)
    _check_association(store, request["configuredModelAlgorithmAssociations"][0], membership["id"], context)
    common.check_role(request["inputChannel"]["roleArn"], "inputChannel.roleArn", context)
    _check_query(request["inputChannel"]["dataSource"])
    tags = common.check_tags(request.get("tags"))
    channel_id = common.new_id()
    arn = common.resource_arn(context, KIND, channel_id, membership["id"])
    record = {"mlInputChannelArn": arn, **{k: request[k] for k in _ECHOED if k in request},
              **common.owned_fields(context, membership), "Status": LIFE.start, "_tags": tags}
    from aml_cli.service.cleanroomsml.channel_job import pending_tables

    query = request["inputChannel"]["dataSource"]["protectedQueryInputParameters"]["sqlParameters"]["queryString"]
    waits = [("DataSource", source_id) for source_id in pending_tables(store, query)]
    common.create_with_job(store, KIND, channel_id, record, context, depends_on=waits)
    return {"mlInputChannelArn": arn}


def _check_association(store: Store, arn: str, membership_id: str, context: RequestContext) -> None:
    """The association must exist (404) and belong to the channel's own membership (400)."""
    target = common.arn_target(arn)
    record = common.resolve(store, "ConfiguredModelAlgorithmAssociation", arn, context,
                            target[1] if target else None)
    if record["membershipIdentifier"] != membership_id:
        raise common.validation(
            f"configuredModelAlgorithmAssociations: {arn} belongs to the membership {record['membershipIdentifier']}, "
            f"not to {membership_id}."
        )


def _check_query(data_source: dict) -> None:
    parameters = data_source.get("protectedQueryInputParameters")
    if parameters is None:
        raise common.validation("inputChannel.dataSource: protectedQueryInputParameters is required.")
    sql = parameters["sqlParameters"]
    if sql.get("analysisTemplateArn"):
        raise common.validation(
            "inputChannel.dataSource.protectedQueryInputParameters.sqlParameters.analysisTemplateArn: aml has no "
            "analysis templates; give the SQL as queryString."
        )
    if not (sql.get("queryString") or "").strip():
        raise common.validation(
            "inputChannel.dataSource.protectedQueryInputParameters.sqlParameters.queryString is required: the SQL "
            "that selects the channel's rows from data sources (a table is a data source ID)."
        )
    if parameters.get("resultFormat") == "PARQUET":
        raise common.validation(
            "inputChannel.dataSource.protectedQueryInputParameters.resultFormat: aml writes channel results as CSV; "
            "PARQUET is not available locally."
        )


# -- reading a channel: retention and pending deletions are settled first ------------------------------------


def refresh(store: Store, record: dict) -> dict:
    """The channel as it now stands: expired data removed, a deletion nobody waits for any more finished."""
    status = record.get("Status")
    expired = status == LIFE.done and common.now() > record["createTime"] + record["retentionInDays"] * DAY
    if expired:
        return _remove_data(store, record, "The channel's data was removed: its retention period ended.",
                            "RETENTION_EXPIRED")
    if status == "DELETE_PENDING" and not _read_by_jobs(store, record):
        return _remove_data(store, record)
    return record


def _read_by_jobs(store: Store, channel: dict) -> bool:
    arn = channel["mlInputChannelArn"]
    for kind, statuses in READERS.items():
        for record in store.list(kind):
            if record.get("Status") in statuses and arn in record.get("_channel_arns", ()):
                return True
    return False


def _remove_data(store: Store, record: dict, message: str | None = None, code: str | None = None) -> dict:
    """DELETE_IN_PROGRESS, the data file removed, then INACTIVE (DELETE_FAILED if it cannot be removed)."""
    from pathlib import Path

    key = record["mlInputChannelArn"].rsplit("/", 1)[1]
    if store.transition(KIND, key, "DELETE_IN_PROGRESS", LIFE.stamp("DELETE_IN_PROGRESS", common.now())) is None:
        return store.get(KIND, key)
    try:
        if record.get("_data_path"):
            Path(record["_data_path"]).unlink(missing_ok=True)
    except OSError as exc:
        details = {"statusCode": "DELETE_FAILED", "message": f"The data could not be removed: {exc.strerror}."}
        return store.transition(KIND, key, "DELETE_FAILED", {**LIFE.stamp("DELETE_FAILED", common.now()),
                                                             "statusDetails": details})
    details = {"statusCode": code, "message": message} if message else None
    return store.transition(KIND, key, "INACTIVE", {**LIFE.stamp("INACTIVE", common.now()), "statusDetails": details,
                                                    "_data_path": None})


def fetch(store: Store, arn: str, membership_id: str, context: RequestContext) -> dict:
    from aml_cli.jobs import reap

    reap(store)
    return refresh(store, common.resolve(store, KIND, arn, context, membership_id))


def usable(store: Store, arn: str, membership_id: str, context: RequestContext, member: str) -> dict:
    """A channel a training or inference job may read: neither failed nor without data (400 otherwise)."""
    record = fetch(store, arn, membership_id, context)
    if record["Status"] not in (LIFE.start, LIFE.running, LIFE.done):
        raise common.validation(f"{member}: the ML input channel {arn} is {record['Status']} and cannot be used.")
    return record


def _of(store: Store, membership_id: str, context: RequestContext) -> list[dict]:
    from aml_cli.jobs import reap

    reap(store)
    return [refresh(store, record) for record in common.of_membership(store, KIND, membership_id, context)]


# -- the operations -------------------------------------------------------------------------------------------


def get_ml_input_channel(store: Store, request: dict, context: RequestContext) -> dict:
    common.membership(store, request["membershipIdentifier"], context)
    record = fetch(store, request["mlInputChannelArn"], request["membershipIdentifier"], context)
    return common.view(record, "GetMLInputChannelResponse")


def list_ml_input_channels(store: Store, request: dict, context: RequestContext) -> dict:
    common.listing_membership(store, request, context)
    return common.page(_of(store, request["membershipIdentifier"], context), request, "mlInputChannelsList",
                       lambda record: common.view(record, "MLInputChannelSummary"))


def delete_ml_input_channel_data(store: Store, request: dict, context: RequestContext) -> dict:
    """ACTIVE or CREATE_FAILED -> INACTIVE (via DELETE_PENDING while a job still reads the data)."""
    common.membership(store, request["membershipIdentifier"], context)
    record = fetch(store, request["mlInputChannelArn"], request["membershipIdentifier"], context)
    if record["Status"] not in (LIFE.done, LIFE.failed):
        raise ConflictException(
            f"The ML input channel {record['mlInputChannelArn']} is {record['Status']}; only the data of an ACTIVE "
            "or CREATE_FAILED channel can be deleted."
        )
    if record["Status"] == LIFE.done and _read_by_jobs(store, record):
        key = record["mlInputChannelArn"].rsplit("/", 1)[1]
        store.transition(KIND, key, "DELETE_PENDING", LIFE.stamp("DELETE_PENDING", common.now()))
    else:
        _remove_data(store, record)
    return {}


def get_collaboration_ml_input_channel(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership_of_collaboration(store, request["collaborationIdentifier"], context)
    record = fetch(store, request["mlInputChannelArn"], membership["id"], context)
    return common.view(record, "GetCollaborationMLInputChannelResponse", common.collaboration_extra(record))


def list_collaboration_ml_input_channels(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.listing_membership(store, request, context)
    return common.page(_of(store, membership["id"], context), request, "collaborationMLInputChannelsList",
                       lambda r: common.view(r, "CollaborationMLInputChannelSummary", common.collaboration_extra(r)))
