"""The trained model's job: Amazon ML's learner on the rows of its data channels (spec §2.6).

One engine: the statistics, recipe, featurizer, SGD and model file are those
of CreateMLModel (`aml_cli.ml.train.train_model`), so the same rows and
parameters give the same weights. The learner is asked between chunks and
mini-batches whether to stop (`should_stop`): for a cancel request, and for
the stopping condition's deadline (default 86400 s). At the deadline the last
complete pass is kept, as SageMaker's built-ins do: the version is ACTIVE with
statusDetails MAX_RUNTIME_EXCEEDED (CREATE_FAILED if no pass was complete). A
cancelled version keeps nothing: its model file is discarded and it ends
INACTIVE, even when training finished as the cancel arrived (the store
refuses ACTIVE once the cancel is recorded).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aml_cli.jobs import JobCancelled, JobFailed
from aml_cli.service.cleanroomsml import hyperparameters as container

if TYPE_CHECKING:
    from aml_cli.store import Store

KIND = "TrainedModel"
DEFAULT_MAX_RUNTIME = 86400  # SageMaker's default stopping condition
clock = time.monotonic  # the job's clock (a test may put a fake one here)


class _Stop:
    """should_stop for the learner: a cancel request or the deadline, whichever comes first (and which)."""

    def __init__(self, ctx, seconds: float) -> None:
        self.ctx, self.deadline, self.reason = ctx, clock() + seconds, None

    def __call__(self) -> bool:
        if self.reason is None:
            if self.ctx.cancel_requested():
                self.reason = "cancel"
            elif clock() >= self.deadline:
                self.reason = "deadline"
        return self.reason is not None


def run_training_job(store: Store, resource_id: str, ctx) -> dict:
    from aml_cli.service.cleanroomsml import models

    record = store.get(KIND, resource_id)
    store.update(KIND, resource_id, {"logsStatus": "PUBLISH_SUCCEEDED", "logsStatusDetails": ctx.log_path.as_uri()})
    names = [channel["channelName"] for channel in record["dataChannels"]]
    container.check_channel_names(names)
    channel_records = {c["channelName"]: _ready_channel(store, c["mlInputChannelArn"]) for c in record["dataChannels"]}
    train = channel_records["train"]
    spec = container.read(record.get("hyperparameters") or {}, train["_columns"])
    base = models.load_base(store, record, spec) if record.get("_warm_start") else None
    limit = (record.get("stoppingCondition") or {}).get("maxRuntimeInSeconds", DEFAULT_MAX_RUNTIME)
    stop = _Stop(ctx, limit)
    trained = models.train(store, record, spec, channel_records, base, stop, ctx)
    if stop.reason == "cancel":
        raise JobCancelled()
    fields = models.finish(store, record, trained, spec, ctx)
    if stop.reason == "deadline":
        passes = len(trained[0].pass_losses)
        fields["statusDetails"] = {"statusCode": "MAX_RUNTIME_EXCEEDED",
                                   "message": f"Training reached maxRuntimeInSeconds={limit} and stopped after "
                                              f"{passes} of {spec.settings.max_passes} passes; the model is that "
                                              f"of pass {passes}."}
    return fields


def _ready_channel(store: Store, arn: str) -> dict:
    """The channel's record, ACTIVE with its data; INPUT_CHANNEL_FAILED otherwise."""
    record = store.get("MLInputChannel", arn.rsplit("/", 1)[1])
    if record is None or record.get("Status") != "ACTIVE" or not record.get("_data_path"):
        status = record.get("Status") if record else "gone"
        raise JobFailed(f"The ML input channel {arn} is {status}; its data cannot be read.", "INPUT_CHANNEL_FAILED")
    return record
