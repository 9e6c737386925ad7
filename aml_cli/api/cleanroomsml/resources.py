"""Clean Rooms ML's resource kinds and their lifecycles (spec §1.3, §2.5-2.6b).

The service documents the statuses but no transition table; the moves below
are aml's reading of them. There is no CANCELLED or COMPLETED: INACTIVE is
the end of a cancel, of a deleted output and of expired channel data. Every
move stamps `updateTime`; a failure's cause goes to `statusDetails`
{statusCode, message}, INTERNAL_ERROR when nobody named one (a dead worker).
"""

from aml_cli.api.resources import Lifecycle, ResourceKind, transitions

_JOBS = "aml_cli.service.cleanroomsml"


def _lifecycle(moves: dict, *, cancellable: bool = False) -> Lifecycle:
    """Every kind here starts, runs, ends and fails alike; only its moves and whether it cancels differ."""
    cancel = {"cancel_requested": "CANCEL_PENDING", "cancelling": "CANCEL_IN_PROGRESS",
              "cancelled": "INACTIVE"} if cancellable else {}
    return Lifecycle(
        start="CREATE_PENDING", running="CREATE_IN_PROGRESS", done="ACTIVE", failed="CREATE_FAILED",
        allowed=moves, stamps={status: ("updateTime",) for status in moves}, message_field="statusDetails",
        failure_code="INTERNAL_ERROR", **cancel,
    )


_TRAINED_MODEL_MOVES = transitions({
    "CREATE_PENDING": "CREATE_IN_PROGRESS CREATE_FAILED CANCEL_PENDING",
    "CREATE_IN_PROGRESS": "ACTIVE CREATE_FAILED CANCEL_PENDING",
    "CANCEL_PENDING": "CANCEL_IN_PROGRESS INACTIVE CANCEL_FAILED",
    "CANCEL_IN_PROGRESS": "INACTIVE CANCEL_FAILED",
    "CANCEL_FAILED": "",
    "ACTIVE": "DELETE_PENDING",
    "CREATE_FAILED": "DELETE_PENDING",
    "DELETE_PENDING": "DELETE_IN_PROGRESS DELETE_FAILED",
    "DELETE_IN_PROGRESS": "INACTIVE DELETE_FAILED",
    "DELETE_FAILED": "DELETE_PENDING",
    "INACTIVE": "",
})

TRAINED_MODEL = _lifecycle(_TRAINED_MODEL_MOVES, cancellable=True)

# Expired or deleted data leaves the channel INACTIVE; DELETE_* while a job still reads it.
_CHANNEL_MOVES = transitions({
    "CREATE_PENDING": "CREATE_IN_PROGRESS CREATE_FAILED",
    "CREATE_IN_PROGRESS": "ACTIVE CREATE_FAILED",
    "ACTIVE": "DELETE_PENDING DELETE_IN_PROGRESS INACTIVE",
    "CREATE_FAILED": "DELETE_IN_PROGRESS INACTIVE",
    "DELETE_PENDING": "DELETE_IN_PROGRESS INACTIVE",
    "DELETE_IN_PROGRESS": "INACTIVE DELETE_FAILED",
    "DELETE_FAILED": "DELETE_IN_PROGRESS INACTIVE",
    "INACTIVE": "",
})

ML_INPUT_CHANNEL = _lifecycle(_CHANNEL_MOVES)

_INFERENCE_MOVES = transitions({
    "CREATE_PENDING": "CREATE_IN_PROGRESS CREATE_FAILED CANCEL_PENDING",
    "CREATE_IN_PROGRESS": "ACTIVE CREATE_FAILED CANCEL_PENDING",
    "CANCEL_PENDING": "CANCEL_IN_PROGRESS INACTIVE CANCEL_FAILED",
    "CANCEL_IN_PROGRESS": "INACTIVE CANCEL_FAILED",
    "CANCEL_FAILED": "",
    "ACTIVE": "",
    "CREATE_FAILED": "",
    "INACTIVE": "",
})

INFERENCE_JOB = _lifecycle(_INFERENCE_MOVES, cancellable=True)

_EXPORT_MOVES = transitions({
    "CREATE_PENDING": "CREATE_IN_PROGRESS CREATE_FAILED",
    "CREATE_IN_PROGRESS": "ACTIVE CREATE_FAILED",
    "ACTIVE": "",
    "CREATE_FAILED": "",
})

EXPORT_JOB = _lifecycle(_EXPORT_MOVES)

KINDS = (
    ResourceKind(
        name="ConfiguredModelAlgorithm", service="cleanroomsml", noun="configured model algorithm",
        id_member="configuredModelAlgorithmArn", module="algorithms",
    ),
    ResourceKind(
        name="ConfiguredModelAlgorithmAssociation", service="cleanroomsml",
        noun="configured model algorithm association", id_member="configuredModelAlgorithmAssociationArn",
        module="associations",
    ),
    ResourceKind(
        name="MLConfiguration", service="cleanroomsml", noun="ML configuration", id_member="membershipIdentifier",
        module="ml_configurations",
    ),
    ResourceKind(
        name="MLInputChannel", service="cleanroomsml", noun="ML input channel", id_member="mlInputChannelArn",
        module="channels", lifecycle=ML_INPUT_CHANNEL, job=f"{_JOBS}.channel_job:run_channel_job",
    ),
    ResourceKind(
        name="TrainedModel", service="cleanroomsml", noun="trained model", id_member="trainedModelArn",
        module="trained_models", lifecycle=TRAINED_MODEL, job=f"{_JOBS}.training:run_training_job",
    ),
    ResourceKind(
        name="TrainedModelInferenceJob", service="cleanroomsml", noun="trained model inference job",
        id_member="trainedModelInferenceJobArn", module="inference_jobs", lifecycle=INFERENCE_JOB,
        job=f"{_JOBS}.inference_jobs:run_inference_job",
    ),
    ResourceKind(
        name="TrainedModelExportJob", service="cleanroomsml", noun="trained model export job",
        id_member="name", module="export_jobs", lifecycle=EXPORT_JOB, job=f"{_JOBS}.export_jobs:run_export_job",
    ),
)
