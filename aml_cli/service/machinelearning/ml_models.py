"""ML models: CreateMLModel, GetMLModel, DescribeMLModels, UpdateMLModel, DeleteMLModel.

Creation validates the request as the service did (parameters, data source,
target type, recipe) and queues a training job behind its data source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException
from aml_cli.service.machinelearning import common, describe

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "MLModel"

TARGET_TYPES = {"BINARY": ("BINARY",), "MULTICLASS": ("CATEGORICAL",), "REGRESSION": ("NUMERIC",)}


def training_parameters(parameters: dict[str, str]) -> dict[str, str]:
    """Checks every training parameter (aml_cli.ml.parameters) and returns them as recorded, defaults filled in."""
    from aml_cli.ml.parameters import ParameterError, echoed

    try:
        return {"algorithm": "sgd", **echoed(parameters)}
    except ParameterError as exc:
        raise InvalidInputException(f"Parameters: {exc}") from None


def create_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    model_id, model_type = request["MLModelId"], request["MLModelType"]
    parameters = training_parameters(request.get("Parameters") or {})
    source = common.fetch_dependency(store, "DataSource", request["TrainingDataSourceId"], "TrainingDataSourceId")
    if not source.get("ComputeStatistics"):
        raise InvalidInputException(
            f"TrainingDataSourceId: the data source {source['DataSourceId']} was created without "
            "ComputeStatistics; a model needs a data source with computed statistics."
        )
    schema = _schema_for(source)
    _check_target(schema, model_type)
    from aml_cli.service.machinelearning.documents import inline_or_location

    recipe = inline_or_location(request, "Recipe", "RecipeUri", store.s3_root, blank_counts=True,
                                s3_fsspec=store.s3_fsspec)
    if recipe is not None:
        _check_recipe(recipe, schema)
    record = common.new_record(KIND, request, context, **{
        "TrainingDataSourceId": source["DataSourceId"],
        "Name": request.get("MLModelName"),
        "EndpointInfo": {"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"},
        "TrainingParameters": parameters,
        "InputDataLocationS3": source.get("DataLocationS3"),
        "Algorithm": "sgd",
        "MLModelType": model_type,
        "_recipe": recipe,
        "_tags": common.inherited_tags(source),
        "_schema": source.get("_schema"),
    })
    if model_type == "BINARY":
        record["ScoreThreshold"] = 0.5
    common.create_once(store, KIND, record, request, context, depends_on=[("DataSource", source["DataSourceId"])])
    return {"MLModelId": model_id}


def _schema_for(source: dict):
    from aml_cli.ml.schema import parse_schema

    return parse_schema(source["_schema"])


def _check_target(schema, model_type: str) -> None:
    if not schema.target:
        raise InvalidInputException(
            "TrainingDataSourceId: the data source's schema names no targetAttributeName; a model needs a target."
        )
    target_type = schema.type_of(schema.target)
    if target_type not in TARGET_TYPES[model_type]:
        raise InvalidInputException(
            f"MLModelType: a {model_type} model needs a {' or '.join(TARGET_TYPES[model_type])} target, "
            f"but the target {schema.target!r} is {target_type}."
        )


def _check_recipe(text: str, schema) -> None:
    from aml_cli.ml.recipe import RecipeError, parse_recipe

    types = {attribute.name: attribute.type for attribute in schema.input_attributes}
    try:
        parse_recipe(text, types)
    except RecipeError as exc:
        raise InvalidInputException(f"Recipe: {exc}") from exc


def get_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    """Metadata only: this path must not import numpy."""
    record = common.fetch(store, KIND, request["MLModelId"])
    extra = {}
    if request.get("Verbose"):
        extra = {"Recipe": record.get("_recipe_used") or record.get("_recipe"), "Schema": record.get("_schema")}
    return _advertised(common.get_view(store, KIND, record, extra), context)


def _advertised(view: dict, context: RequestContext) -> dict:
    if "EndpointInfo" in view:
        from aml_cli.service.machinelearning.realtime import advertised

        view["EndpointInfo"] = advertised(view["EndpointInfo"], context)
    return view


def describe_ml_models(store: Store, request: dict, context: RequestContext) -> dict:
    return describe.describe(store, KIND, request, lambda record: _advertised(common.list_view(KIND, record), context))


def update_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    model_id = request["MLModelId"]
    record = common.fetch(store, KIND, model_id)
    if record["Status"] == "DELETED":
        raise common.not_found(KIND, model_id)
    changes: dict = {}
    if "MLModelName" in request:
        changes["Name"] = request["MLModelName"]
    if "ScoreThreshold" in request:
        threshold = request["ScoreThreshold"]
        if record["MLModelType"] != "BINARY":
            raise InvalidInputException("ScoreThreshold applies only to BINARY models.")
        if not 0.0 <= threshold <= 1.0:
            raise InvalidInputException(f"ScoreThreshold must be between 0 and 1, not {threshold}.")
        changes["ScoreThreshold"] = float(threshold)
        changes["ScoreThresholdLastUpdatedAt"] = common.now()
    if changes:
        common.update_live(store, KIND, model_id, changes)
    return {"MLModelId": model_id}


def delete_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    """DELETED, its training stopped, and its real-time endpoint closed with it."""
    response = common.mark_deleted(store, KIND, request["MLModelId"])

    def close_endpoint(record: dict) -> dict:
        info = {"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"}
        return {**record, "EndpointInfo": info}

    store.modify(KIND, request["MLModelId"], close_endpoint)
    return response


# The job: train on the data source's selected records, write the model file.


def run_ml_model_job(store: Store, resource_id: str, ctx) -> dict:
    import shutil
    from functools import partial

    from aml_cli.jobs import JobFailed
    from aml_cli.ml.default_recipe import default_recipe
    from aml_cli.ml.parameters import parse
    from aml_cli.ml.train import TrainingError, train_model
    from aml_cli.service.machinelearning.data_sources import statistics_of
    from aml_cli.service.machinelearning.dependencies import ready
    from aml_cli.service.machinelearning.on_cluster import cluster_of
    from aml_cli.service.machinelearning.on_cluster import train_model as train_model_on_cluster
    from aml_cli.service.machinelearning.reading import frames_of, mapped_chunks_of
    from aml_cli.store.artifacts import new_artifact_path, remove_quietly

    record = store.get(KIND, resource_id)
    source = ready(store, "DataSource", record["TrainingDataSourceId"], "training data source")
    schema = _schema_for(source)
    statistics = statistics_of(store, source)
    recipe = record.get("_recipe") or default_recipe(schema, statistics)
    parameters = {k: v for k, v in record["TrainingParameters"].items() if k != "algorithm"}
    out_path = new_artifact_path(store, ".amlmodel")
    cache_dir = _fresh_cache_dir(store)
    threads = getattr(ctx, "threads", 1)
    ctx.log(f"Reading and featurizing on {threads} thread{'s' if threads > 1 else ''}")

    def on_reading_threads(work):  # pass 0: each block parsed and featurized on one of the reading threads
        for _chunk, done in mapped_chunks_of(store, source, schema, lambda chunk: work(chunk.frame), threads=threads):
            yield done

    cluster = cluster_of(ctx)
    trainer = train_model if cluster is None else partial(train_model_on_cluster, store, source, cluster, ctx)
    try:
        result = trainer(
            chunks=lambda: frames_of(store, source, schema),
            schema=schema,
            statistics=statistics,
            recipe_text=recipe,
            model_type=record["MLModelType"],
            settings=parse(parameters),
            seed=resource_id,
            cache_dir=cache_dir,
            out_path=out_path,
            log=ctx.log,
            progress=lambda fraction: ctx.progress(fraction, "training"),
            threads=threads,
            frames_map=on_reading_threads,
        )
    except TrainingError as exc:
        remove_quietly(out_path)
        raise JobFailed(str(exc)) from exc
    except OSError as exc:
        remove_quietly(out_path)
        raise JobFailed(f"Training could not write its files: {common.os_error_text(exc)}.") from exc
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    training = {"pass_losses": [float(loss) for loss in result.pass_losses], "pruned": result.pruned,
                "rows_used": result.rows_used, "rows_skipped": result.rows_skipped, "columns": result.n_features}
    return {"SizeInBytes": result.size_in_bytes, "_model_path": str(out_path), "_recipe_used": recipe,
            "_training": training}


def _fresh_cache_dir(store: Store):
    """A folder for the feature cache, named after this process; caches of dead workers are swept first."""
    import os
    import secrets
    import shutil

    from aml_cli.store.artifacts import store_dir
    from aml_cli.store.paths import private_dir

    root = store_dir(store, "tmp")
    for folder in root.glob("train-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return private_dir(root / f"train-{os.getpid()}-{secrets.token_hex(6)}")


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Not API operations: what `aml show-ml-model` and `aml export-ml-model` show of a trained model.


def _completed_model(store: Store, model_id: str):
    """(record, loaded model, readable feature names) of a COMPLETED model."""
    from aml_cli.ml.feature_names import feature_names
    from aml_cli.service.machinelearning.data_sources import statistics_of
    from aml_cli.service.machinelearning.model_cache import loaded_model

    record = common.fetch(store, KIND, model_id)
    if record["Status"] != "COMPLETED":
        raise InvalidInputException(f"The model {model_id} is {record['Status']}, not COMPLETED.")
    model = loaded_model(record)
    source = store.get("DataSource", record["TrainingDataSourceId"])
    from aml_cli.store import StoreError

    try:  # the statistics only name frequent categories and words; without them bins and numbers keep names
        statistics = statistics_of(store, source) if source and source.get("_statistics_path") else {}
    except (OSError, ValueError, StoreError):  # damaged statistics: `aml check-store` names them
        statistics = {}
    return record, model, feature_names(model.featurizer, statistics)


def show_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    """ShowMLModel {MLModelId, Top}: the training curve, the heaviest features per class by name, the recipe
    and the pruning of a model, for `aml show-ml-model` (aml's own)."""
    import numpy as np

    from aml_cli.ml.feature_names import top_features

    model_id, top = request["MLModelId"], request.get("Top", 10)
    record, model, names = _completed_model(store, model_id)
    training = record.get("_training") or {}
    weights = np.asarray(model.weights)
    stored = int(np.count_nonzero(weights)) - int(np.count_nonzero(weights[model.featurizer.bias_index]))
    report = {
        "MLModelId": model_id, "Name": record.get("Name"), "MLModelType": record["MLModelType"],
        "TrainingDataSourceId": record["TrainingDataSourceId"], "ScoreThreshold": record.get("ScoreThreshold"),
        "classes": list(model.labels),
        "training": {"pass_losses": training.get("pass_losses"),
                     "rows_used": training.get("rows_used", model.header.get("training", {}).get("rows")),
                     "rows_skipped": training.get("rows_skipped")},
        "features": {"columns": model.featurizer.n_features, "non_zero_weights": stored,
                     "pruned": training.get("pruned"), "SizeInBytes": record.get("SizeInBytes"),
                     "sgd.maxMLModelSizeInBytes": int(record["TrainingParameters"]["sgd.maxMLModelSizeInBytes"])},
        "recipe": record.get("_recipe_used") or model.recipe_text,
        "recipe_outputs": [{"name": out.name, "type": out.type} for out in model.featurizer.recipe.outputs],
        "bias": [float(w) for w in weights[model.featurizer.bias_index]],
        "top_features": top_features(model, names, top),
    }
    return report


def export_ml_model(store: Store, request: dict, context: RequestContext) -> dict:
    """ExportMLModel {MLModelId, Destination}: the whole model as the documented JSON (docs/model-export.md),
    written to the destination atomically, 0600, for `aml export-ml-model` (aml's own)."""
    import json

    from aml_cli.ml.export import ExportError, export_document
    from aml_cli.store.artifacts import atomic_writer

    model_id, destination = request["MLModelId"], request["Destination"]
    path = _export_path(store, destination)
    record, model, names = _completed_model(store, model_id)
    try:
        document = {"MLModelId": model_id, **export_document(model, names=names,
                                                             threshold=record.get("ScoreThreshold"))}
    except ExportError as exc:
        raise InvalidInputException(f"The model {model_id} cannot be exported: {exc}.") from exc
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        with atomic_writer(path, "w") as handle:
            handle.write(text)
    except OSError as exc:
        raise InvalidInputException(f"Cannot write {path}: {common.os_error_text(exc)}.") from exc
    return {"MLModelId": model_id, "Location": str(path), "SizeInBytes": len(text.encode()),
            "Features": len(document["features"])}


def _export_path(store: Store, destination: str):
    """A local file outside the store's own files (its S3 root excepted); never a folder or a FIFO."""
    import os
    import stat
    from pathlib import Path

    from aml_cli.service.locations import local_path

    path = local_path(destination, "--to", store.s3_root)
    real = Path(os.path.realpath(path))
    home, root = Path(os.path.realpath(store.home)), Path(os.path.realpath(store.s3_root))
    inside_home = real == home or home in real.parents
    if inside_home and root not in real.parents:
        raise InvalidInputException(f"--to: {destination} is inside the aml store ({home}); choose another place.")
    if real.exists() and not stat.S_ISREG(real.stat().st_mode):
        raise InvalidInputException(f"--to: {destination} exists and is not a regular file.")
    return path
