"""Clean Rooms ML's side of the one engine: channel rows in, Amazon ML's trainer and model file out.

Shared by training (`training`), inference and export: reading a channel's
rows with a schema, the warm start from a base version, the artifact limit,
the metrics that metric definitions extract from the learner's log.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aml_cli.jobs import JobCancelled, JobFailed
from aml_cli.service.cleanroomsml.hyperparameters import ALGORITHM_ERROR, fail

if TYPE_CHECKING:
    from aml_cli.store import Store

KIND = "TrainedModel"
CHUNK_BYTES = 4 << 20  # as reading.CHUNK_BYTES
MAX_LOG_BYTES = 16 << 20  # metric definitions read at most this much of a log


def image_digest(image: str = "aml/sgd") -> str:
    """`sha256:` + a digest of aml's version and the learner: what trainingContainerImageDigest reports."""
    from aml_cli import __version__

    return "sha256:" + hashlib.sha256(f"aml-cli {__version__} {image}".encode()).hexdigest()


def frames(store: Store, channel: dict, schema) -> Iterator:
    """The channel's rows as typed frames (valid records only), in order."""
    for chunk in chunks(store, channel, schema):
        yield chunk.frame


def chunks(store: Store, channel: dict, schema, *, keep_invalid: bool = False, report=None) -> Iterator:
    from aml_cli.ml.reader import DataError, iter_chunks
    from aml_cli.store.artifacts import artifact_problem, damaged

    problem = artifact_problem(channel, "_data_path") if channel.get("_data_path") else None
    if problem is not None and problem != "is missing":  # a FIFO or a link there would hang or lead astray
        raise damaged(f"data file of {channel['mlInputChannelArn']}", channel["_data_path"], problem)
    try:
        yield from iter_chunks([Path(channel["_data_path"])], schema, chunk_bytes=CHUNK_BYTES,
                               keep_invalid=keep_invalid, report=report)
    except DataError as exc:
        raise JobFailed(f"The data of {channel['mlInputChannelArn']} cannot be used: {exc}",
                        "INPUT_CHANNEL_FAILED") from None
    except FileNotFoundError:
        raise JobFailed(f"The data of {channel['mlInputChannelArn']} is gone (deleted or expired).",
                        "INPUT_CHANNEL_FAILED") from None


def statistics(store: Store, channel: dict, schema, ctx) -> dict:
    from aml_cli.ml.statistics import StatisticsAccumulator

    accumulator = StatisticsAccumulator(schema)
    for chunk in chunks(store, channel, schema):
        accumulator.update(chunk)
    ctx.log(f"Statistics of the train channel: {accumulator.rows} valid records")
    if accumulator.rows == 0:
        raise JobFailed("The train channel has no records.", "INPUT_CHANNEL_FAILED")
    return accumulator.result()


def load(record: dict):
    """The model file of an ACTIVE version; a damaged or missing file is an internal error, never run."""
    from aml_cli.ml.model_file import ModelFileError, load_model

    try:
        return load_model(Path(record["_model_path"]))
    except (ModelFileError, OSError, TypeError) as exc:
        raise JobFailed(f"The model file of version {record['versionIdentifier']} cannot be read: {exc}",
                        "INTERNAL_ERROR") from None


def load_base(store: Store, record: dict, spec):
    """The warm start of an incremental version: its base's model, which must predict the same thing."""
    from aml_cli.ml.schema import parse_schema
    from aml_cli.ml.warm_start import WarmStart

    base = store.get(KIND, record["_warm_start"])
    if base is None or base.get("Status") != "ACTIVE" or not base.get("_model_path"):
        raise JobFailed(f"The base version {record['_warm_start']} is no longer ACTIVE with a model.",
                        "INPUT_CHANNEL_FAILED")
    model, schema = load(base), parse_schema(spec.schema_text)
    if model.model_type != spec.model_type or model.schema.target != schema.target:
        raise fail(f"The base model predicts {model.schema.target!r} as {model.model_type}; this version asks for "
                   f"{schema.target!r} as {spec.model_type}. A continued model keeps its type and target.")
    wanted = {a.name: a.type for a in schema.attributes}
    for attribute in model.schema.input_attributes:
        if wanted.get(attribute.name) != attribute.type:
            raise fail(f"The base model reads {attribute.name!r} as {attribute.type}; the train channel gives it as "
                       f"{wanted.get(attribute.name, 'nothing')}.")
    return WarmStart.of(model)


def train(store: Store, record: dict, spec, channels: dict, base, stop, ctx):
    """Statistics, recipe and the learner over the train channel; (TrainResult, model file, recipe)."""
    import shutil

    from aml_cli.ml.default_recipe import default_recipe
    from aml_cli.ml.schema import parse_schema
    from aml_cli.ml.train import TrainingError, TrainingStopped, train_model
    from aml_cli.store.artifacts import new_artifact_path, remove_quietly

    schema = parse_schema(spec.schema_text)
    stats = statistics(store, channels["train"], schema, ctx)
    recipe = base.recipe_text if base is not None else spec.recipe or default_recipe(schema, stats)
    out_path = new_artifact_path(store, ".amlmodel")
    ctx.on_discard(lambda: remove_quietly(out_path))
    cache_dir = _cache_dir(store)
    validation = channels.get("validation")
    try:
        result = train_model(
            chunks=lambda: frames(store, channels["train"], schema), schema=schema, statistics=stats,
            recipe_text=recipe, model_type=spec.model_type, settings=spec.settings, seed=record["versionIdentifier"],
            cache_dir=cache_dir, out_path=out_path, log=ctx.log,
            progress=lambda fraction: ctx.progress(fraction, "training"), should_stop=stop, warm_start=base,
            validation=(lambda: frames(store, validation, schema)) if validation is not None else None,
            threads=getattr(ctx, "threads", 1))
    except TrainingStopped as exc:
        remove_quietly(out_path)
        if stop.reason == "cancel":
            raise JobCancelled() from None
        raise JobFailed(f"Training reached its maxRuntimeInSeconds before a pass was complete: {exc}",
                        "MAX_RUNTIME_EXCEEDED") from None
    except TrainingError as exc:
        remove_quietly(out_path)
        raise JobFailed(str(exc), ALGORITHM_ERROR) from None
    except OSError as exc:
        remove_quietly(out_path)
        raise JobFailed(f"Training could not write its files: {exc.strerror or exc}.", "INTERNAL_ERROR") from None
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    return result, out_path, recipe


def _cache_dir(store: Store) -> Path:
    import os
    import secrets

    from aml_cli.store.paths import private_dir

    return private_dir(private_dir(store.home / "tmp") / f"train-{os.getpid()}-{secrets.token_hex(6)}")


def finish(store: Store, record: dict, trained: tuple, spec, ctx) -> dict:
    """The fields an ACTIVE version gets; ARTIFACT_TOO_LARGE over the association's maxArtifactSize."""
    from aml_cli.service.cleanroomsml.associations import max_artifact_bytes
    from aml_cli.store.artifacts import remove_quietly

    result, out_path, recipe = trained
    association = store.get("ConfiguredModelAlgorithmAssociation",
                            record["configuredModelAlgorithmAssociationArn"].rsplit("/", 1)[1]) or {}
    limit = max_artifact_bytes(association)
    if limit is not None and result.size_in_bytes > limit:
        remove_quietly(out_path)
        raise JobFailed(f"The model artifact is {result.size_in_bytes} bytes, more than the association's "
                        f"maxArtifactSize of {limit} bytes.", "ARTIFACT_TOO_LARGE")
    metrics = extract_metrics(_definitions(store, association), ctx.log_path)
    training = {"pass_losses": [float(x) for x in result.pass_losses], "validation_losses": result.validation_losses,
                "rows_used": result.rows_used, "rows_skipped": result.rows_skipped, "columns": result.n_features,
                "pruned": result.pruned, "labels": result.labels, "stopped": result.stopped}
    return {"_model_path": str(out_path), "_size": result.size_in_bytes, "_recipe_used": recipe,
            "_schema": spec.schema_text, "_model_type": spec.model_type, "_parameters": spec.parameters,
            "_training": training, "_metrics": metrics, "metricsStatus": "PUBLISH_SUCCEEDED",
            "metricsStatusDetails": metrics_summary(metrics), "trainingContainerImageDigest": image_digest()}


def _definitions(store: Store, association: dict) -> list[dict]:
    arn = association.get("configuredModelAlgorithmArn", "")
    algorithm = store.get("ConfiguredModelAlgorithm", arn.rsplit("/", 1)[-1]) or {}
    return list((algorithm.get("trainingContainerConfig") or {}).get("metricDefinitions") or [])


def extract_metrics(definitions: list[dict], log_path: Path) -> dict[str, list[float]]:
    """Each definition's regex searched in every log line; its first group (else the match) as a number."""
    found: dict[str, list[float]] = {d["name"]: [] for d in definitions}
    if not definitions:
        return found
    compiled = [(d["name"], re.compile(d["regex"])) for d in definitions]
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        for line in handle.read(MAX_LOG_BYTES).splitlines():
            for name, pattern in compiled:
                match = pattern.search(line)
                if match is not None:
                    try:
                        found[name].append(float(match.group(1) if pattern.groups else match.group(0)))
                    except ValueError:
                        continue
    return found


def metrics_summary(metrics: dict[str, list[float]]) -> str:
    if not metrics:
        return "No metric definitions: nothing to extract from the log."
    return "; ".join(f"{name}={values[-1]:.6g} ({len(values)} values)" if values else f"{name}: no value"
                     for name, values in metrics.items())
