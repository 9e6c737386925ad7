"""Trained model inference jobs: Start, Get, List, Cancel, and the collaboration's list (spec §2.6b).

An ACTIVE version (default: the latest ACTIVE one) scores the rows of an ACTIVE
ML input channel of the same membership with Amazon ML's batch scoring code,
so its scores are those a batch prediction of the same model gives the same
rows. The output goes to the membership's ML configuration location:

    <s3Uri>/<membershipIdentifier>/<jobId>/output.csv    (accept text/csv, the default)
    <s3Uri>/<membershipIdentifier>/<jobId>/output.json   (accept application/json: one JSON object a line)

one line per channel record: the channel's own columns, then Amazon ML's batch
columns (bestAnswer,score for BINARY; one score per class for MULTICLASS;
score for REGRESSION). The file is written under a temporary name, fsynced and
renamed (0600): a job that failed or was cancelled leaves none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.cleanroomsml.resources import INFERENCE_JOB as LIFE
from aml_cli.api.errors import ConflictException
from aml_cli.service.cleanroomsml import channels, common, ml_configurations, trained_models

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "TrainedModelInferenceJob"
FORMATS = {"text/csv": "output.csv", "application/json": "output.json"}
DEFAULT_ACCEPT = "text/csv"
_ECHOED = ("name", "description", "resourceConfig", "outputConfiguration", "dataSource",
           "containerExecutionParameters", "environment", "kmsKeyArn", "mlModelInferencePayerAccountId")


def start_trained_model_inference_job(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.membership(store, request["membershipIdentifier"], context)
    ml_configurations.required(store, membership["id"], context)
    model = _active_version(store, request, membership["id"], context)
    association = request.get("configuredModelAlgorithmAssociationArn")
    if association is not None and association != model["configuredModelAlgorithmAssociationArn"]:
        from aml_cli.service.cleanroomsml.associations import fetch

        fetch(store, association, membership["id"], context)
        raise common.validation(f"configuredModelAlgorithmAssociationArn: the trained model was trained under "
                                f"{model['configuredModelAlgorithmAssociationArn']}, not {association}.")
    channel_arn = request["dataSource"]["mlInputChannelArn"]
    channel = channels.usable(store, channel_arn, membership["id"], context, "dataSource.mlInputChannelArn")
    if channel["Status"] != "ACTIVE":
        raise common.validation(f"dataSource.mlInputChannelArn: the ML input channel {channel_arn} is "
                                f"{channel['Status']}, not ACTIVE.")
    check_fits(model, channel)
    check_receiver(request["outputConfiguration"], membership, context, "CAN_RECEIVE_INFERENCE_OUTPUT")
    accept = request["outputConfiguration"].get("accept") or DEFAULT_ACCEPT
    if accept not in FORMATS:
        raise common.validation(f"outputConfiguration.accept: aml writes {' or '.join(FORMATS)}, not {accept!r}.")
    job_id = common.new_id()
    arn = common.resource_arn(context, KIND, job_id, membership["id"])
    record = {"trainedModelInferenceJobArn": arn, **{k: request[k] for k in _ECHOED if k in request},
              "trainedModelArn": model["trainedModelArn"], "trainedModelVersionIdentifier": model["versionIdentifier"],
              "configuredModelAlgorithmAssociationArn": model["configuredModelAlgorithmAssociationArn"],
              **common.owned_fields(context, membership), "Status": LIFE.start, "_channel_arns": [channel_arn],
              "_tags": common.check_tags(request.get("tags"))}
    common.create_with_job(store, KIND, job_id, record, context)
    return {"trainedModelInferenceJobArn": arn}


def _active_version(store: Store, request: dict, membership_id: str, context: RequestContext) -> dict:
    """The version named, which must be ACTIVE; else the latest ACTIVE one."""
    arn, wanted = request["trainedModelArn"], request.get("trainedModelVersionIdentifier")
    if wanted is not None:
        record = trained_models.version(store, arn, membership_id, wanted, context)
        if record["Status"] != "ACTIVE":
            raise common.validation(f"The version {wanted} of {arn} is {record['Status']}, not ACTIVE.")
        return record
    active = [r for r in trained_models.versions(store, arn, membership_id, context) if r["Status"] == "ACTIVE"]
    if not active:
        raise common.validation(f"The trained model {arn} has no ACTIVE version to use.")
    return active[0]


def check_fits(model: dict, channel: dict) -> None:
    """Every attribute the model reads must be a column of the channel."""
    from aml_cli.ml.schema import parse_schema

    columns = {column["name"] for column in channel["_columns"]}
    missing = [a.name for a in parse_schema(model["_schema"]).input_attributes if a.name not in columns]
    if missing:
        raise common.validation(f"dataSource.mlInputChannelArn: the channel lacks the column(s) "
                                f"{', '.join(missing[:10])} that the trained model reads.")


def check_receiver(configuration: dict, membership: dict, context: RequestContext, ability: str) -> None:
    """The one receiving member is this account, and its membership may receive this output."""
    account = configuration["members"][0]["accountId"]
    if account != context.account:
        raise common.validation(f"outputConfiguration.members: the account {account} cannot receive results here; "
                                f"locally only the member {context.account} (this account) can.")
    abilities = (membership.get("mlMemberAbilities") or {}).get("customMLMemberAbilities") or []
    if ability not in abilities:
        raise common.validation(f"outputConfiguration.members: the member {account} lacks the ML ability {ability} "
                                f"in the collaboration {membership['collaborationId']}.")


def fetch(store: Store, arn: str, membership_id: str, context: RequestContext) -> dict:
    from aml_cli.jobs import reap

    reap(store)
    return common.resolve(store, KIND, arn, context, membership_id)


def get_trained_model_inference_job(store: Store, request: dict, context: RequestContext) -> dict:
    common.membership(store, request["membershipIdentifier"], context)
    record = fetch(store, request["trainedModelInferenceJobArn"], request["membershipIdentifier"], context)
    return common.view(record, "GetTrainedModelInferenceJobResponse")


def _listed(store: Store, membership_id: str, request: dict, context: RequestContext) -> list[dict]:
    from aml_cli.jobs import reap

    reap(store)
    found = common.of_membership(store, KIND, membership_id, context)
    if request.get("trainedModelArn"):
        found = [r for r in found if r["trainedModelArn"] == request["trainedModelArn"]]
    if request.get("trainedModelVersionIdentifier"):
        found = [r for r in found if r["trainedModelVersionIdentifier"] == request["trainedModelVersionIdentifier"]]
    return found


def list_trained_model_inference_jobs(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.listing_membership(store, request, context)
    return common.page(_listed(store, membership["id"], request, context), request, "trainedModelInferenceJobs",
                       lambda r: common.view(r, "TrainedModelInferenceJobSummary"))


def list_collaboration_trained_model_inference_jobs(store: Store, request: dict, context: RequestContext) -> dict:
    membership = common.listing_membership(store, request, context)
    return common.page(_listed(store, membership["id"], request, context), request,
                       "collaborationTrainedModelInferenceJobs",
                       lambda r: common.view(r, "CollaborationTrainedModelInferenceJobSummary",
                                             common.collaboration_extra(r)))


def cancel_trained_model_inference_job(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.jobs import request_cancel

    common.membership(store, request["membershipIdentifier"], context)
    record = fetch(store, request["trainedModelInferenceJobArn"], request["membershipIdentifier"], context)
    key = record["trainedModelInferenceJobArn"].rsplit("/", 1)[1]
    if record["Status"] not in (LIFE.start, LIFE.running) or request_cancel(store, KIND, key) is None:
        raise ConflictException(f"The inference job {record['trainedModelInferenceJobArn']} is "
                                f"{store.get(KIND, key)['Status']}; only a job being created can be cancelled.")
    return {}


def run_inference_job(store: Store, resource_id: str, ctx) -> dict:
    from aml_cli.service.cleanroomsml.inference_output import score_channel

    return score_channel(store, store.get(KIND, resource_id), ctx)
