"""Trained model export jobs: StartTrainedModelExportJob and ListCollaborationTrainedModelExportJobs (§2.6b).

An ACTIVE version's artifacts are copied to

    <s3Uri>/<membershipIdentifier>/exports/<trainedModelId>/<versionIdentifier>/
        model.amlmodel   the Amazon ML model file       (filesToExport MODEL)
        model.json       its card: algorithm, hyperparameters, recipe, schema, metrics, classes, version
        training.log     the training job's log          (filesToExport OUTPUT)
        metrics.json     the metrics extracted from it   (filesToExport OUTPUT)

each file written under a temporary name and renamed, the card last. The
association's `trainedModelExports` policy is enforced: without one nothing may
be exported (ValidationException); files over its maxSize fail the job.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from aml_cli.api.cleanroomsml.resources import EXPORT_JOB as LIFE
from aml_cli.jobs import JobFailed
from aml_cli.service.cleanroomsml import associations, common, ml_configurations, trained_models

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "TrainedModelExportJob"
GIGABYTE = 1 << 30


def start_trained_model_export_job(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.service.cleanroomsml.inference_jobs import check_receiver

    membership = common.membership(store, request["membershipIdentifier"], context)
    ml_configurations.required(store, membership["id"], context)
    model = trained_models.version(store, request["trainedModelArn"], membership["id"],
                                   request.get("trainedModelVersionIdentifier"), context)
    if model["Status"] != "ACTIVE":
        raise common.validation(f"The version {model['versionIdentifier']} of {model['trainedModelArn']} is "
                                f"{model['Status']}; only an ACTIVE version can be exported.")
    association = associations.fetch(store, model["configuredModelAlgorithmAssociationArn"], membership["id"], context)
    if associations.export_policy(association) is None:
        raise common.validation(
            f"Exports are not allowed by the association {association['configuredModelAlgorithmAssociationArn']}: "
            "its privacyConfiguration has no trainedModelExports policy.")
    check_receiver(request["outputConfiguration"], membership, context, "CAN_RECEIVE_MODEL_OUTPUT")
    job_id = common.new_id()
    record = {"name": request["name"], "description": request.get("description"),
              "outputConfiguration": request["outputConfiguration"], "trainedModelArn": model["trainedModelArn"],
              "trainedModelVersionIdentifier": model["versionIdentifier"], **common.owned_fields(context, membership),
              "Status": LIFE.start, "_id": job_id}
    common.create_with_job(store, KIND, job_id, {k: v for k, v in record.items() if v is not None}, context)
    return {}


def list_collaboration_trained_model_export_jobs(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.jobs import reap

    membership = common.listing_membership(store, request, context)
    reap(store)
    found = [r for r in common.of_membership(store, KIND, membership["id"], context)
             if r["trainedModelArn"] == request["trainedModelArn"]]
    if request.get("trainedModelVersionIdentifier"):
        found = [r for r in found if r["trainedModelVersionIdentifier"] == request["trainedModelVersionIdentifier"]]
    return common.page(found, request, "collaborationTrainedModelExportJobs",
                       lambda r: common.view(r, "CollaborationTrainedModelExportJobSummary",
                                             common.collaboration_extra(r)))


# -- the job ----------------------------------------------------------------------------------------------------


def run_export_job(store: Store, resource_id: str, ctx) -> dict:
    record = store.get(KIND, resource_id)
    version = store.get("TrainedModel", record["trainedModelVersionIdentifier"]) or {}
    if version.get("Status") != "ACTIVE" or not version.get("_model_path"):
        raise JobFailed(f"The version {record['trainedModelVersionIdentifier']} is {version.get('Status', 'gone')}; "
                        "it has no model to export.", "MODEL_NOT_ACTIVE")
    association = store.get("ConfiguredModelAlgorithmAssociation",
                            version["configuredModelAlgorithmAssociationArn"].rsplit("/", 1)[1]) or {}
    policy = associations.export_policy(association) or {"maxSize": {"value": 0}, "filesToExport": []}
    files = _files(store, version, policy["filesToExport"])
    total = sum(len(content) if isinstance(content, bytes) else Path(content).stat().st_size
                for content in files.values())
    limit = int(float(policy["maxSize"]["value"]) * GIGABYTE)
    if total > limit:
        raise JobFailed(f"The export is {total} bytes, more than the association's trainedModelExports maxSize of "
                        f"{limit} bytes.", "ARTIFACT_TOO_LARGE")
    with _destination(store, record, version) as folder:
        for name, content in files.items():  # the card last: a folder with model.json is complete
            with folder.replacing(name, "wb") as out:
                if isinstance(content, bytes):
                    out.write(content)
                else:
                    with open(content, "rb") as source:
                        while block := source.read(1 << 20):
                            out.write(block)
    ctx.log(f"Exported {', '.join(files)} ({total} bytes) to {folder.path}")
    return {"_folder": str(folder.path)}


def _files(store: Store, version: dict, kinds: list[str]) -> dict[str, bytes | str]:
    files: dict[str, bytes | str] = {}
    if "OUTPUT" in kinds:
        log = _training_log(store, version)
        if log is not None:
            files["training.log"] = log
        files["metrics.json"] = json.dumps(version.get("_metrics") or {}, indent=1).encode()
    if "MODEL" in kinds:
        from aml_cli.store.artifacts import check_artifact

        what = f"model file of version {version['versionIdentifier']}"  # never a FIFO or a link read forever
        files["model.amlmodel"] = str(check_artifact(version, "_model_path", what))
        files["model.json"] = json.dumps(card(store, version), indent=1, ensure_ascii=False).encode() + b"\n"
    return files


def _training_log(store: Store, version: dict) -> str | None:
    from aml_cli.jobs import log_path

    path = log_path(store, "TrainedModel", version["versionIdentifier"])
    return str(path) if path is not None and path.exists() else None


def card(store: Store, version: dict) -> dict:
    """What a model is, for whoever receives its file: algorithm, settings, recipe, schema, metrics, classes."""
    association = store.get("ConfiguredModelAlgorithmAssociation",
                            version["configuredModelAlgorithmAssociationArn"].rsplit("/", 1)[1]) or {}
    algorithm_id = association.get("configuredModelAlgorithmArn", "/").rsplit("/", 1)[1]
    algorithm = store.get("ConfiguredModelAlgorithm", algorithm_id)
    training = version.get("_training") or {}
    return {
        "trainedModelArn": version["trainedModelArn"], "versionIdentifier": version["versionIdentifier"],
        "name": version["name"], "algorithm": ((algorithm or {}).get("trainingContainerConfig") or {}).get("imageUri"),
        "configuredModelAlgorithmArn": association.get("configuredModelAlgorithmArn"),
        "trainingContainerImageDigest": version.get("trainingContainerImageDigest"),
        "modelType": version.get("_model_type"), "hyperparameters": version.get("hyperparameters") or {},
        "trainingParameters": version.get("_parameters") or {}, "recipe": version.get("_recipe_used"),
        "schema": json.loads(version["_schema"]) if version.get("_schema") else None,
        "classes": training.get("labels") or [], "metrics": version.get("_metrics") or {},
        "passLosses": training.get("pass_losses"), "sizeInBytes": version.get("_size"),
        "file": "model.amlmodel",
    }


def _destination(store: Store, record: dict, version: dict):
    from aml_cli.api.errors import ServiceError

    configuration = store.get("MLConfiguration", record["membershipIdentifier"]) or {}
    if not configuration or configuration.get("_deleted"):
        raise JobFailed("The membership's ML configuration was deleted: there is nowhere to export to.",
                        "INTERNAL_ERROR")
    parts = (record["membershipIdentifier"], "exports", version["trainedModelArn"].rsplit("/", 1)[1],
             version["versionIdentifier"])
    try:
        return ml_configurations.output_folder_of(configuration, store, parts)
    except ServiceError as exc:
        raise JobFailed(exc.message, "INTERNAL_ERROR") from None
