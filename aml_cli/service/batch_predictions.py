"""Batch predictions: CreateBatchPrediction, Get, Describe, Update, Delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import shape
from aml_cli.service import common, describe
from aml_cli.service.compatibility import check_fits
from aml_cli.service.locations import output_folder

if TYPE_CHECKING:
    from aml_cli.store import Store

KIND = "BatchPrediction"


def create_batch_prediction(store: Store, request: dict) -> dict:
    from aml_cli.jobs import submit

    model = common.fetch_dependency(store, "MLModel", request["MLModelId"], "MLModelId")
    source = common.fetch_dependency(
        store, "DataSource", request["BatchPredictionDataSourceId"], "BatchPredictionDataSourceId"
    )
    check_fits(model, source, "BatchPredictionDataSourceId", need_target=False)
    output_folder(request["OutputUri"], "OutputUri")
    stamp = common.now()
    record = {
        "BatchPredictionId": request["BatchPredictionId"],
        "MLModelId": model["MLModelId"],
        "BatchPredictionDataSourceId": source["DataSourceId"],
        "InputDataLocationS3": source.get("DataLocationS3"),
        "CreatedByIamUser": common.iam_user(),
        "CreatedAt": stamp,
        "LastUpdatedAt": stamp,
        "Name": request.get("BatchPredictionName"),
        "Status": "PENDING",
        "OutputUri": request["OutputUri"],
    }
    if common.create_once(store, KIND, record, request):
        depends = [("MLModel", model["MLModelId"]), ("DataSource", source["DataSourceId"])]
        submit(store, KIND, record["BatchPredictionId"], depends_on=depends)
    return {"BatchPredictionId": request["BatchPredictionId"]}


def _view(record: dict) -> dict:
    view = common.public_view(record, shape("BatchPrediction").members)
    if record["Status"] != "COMPLETED":
        view.pop("ComputeTime", None)
    return view


def get_batch_prediction(store: Store, request: dict) -> dict:
    record = common.fetch(store, KIND, request["BatchPredictionId"])
    view = _view(record)
    uri = common.log_uri(record)
    if uri:
        view["LogUri"] = uri
    return {name: view[name] for name in shape("GetBatchPredictionOutput").members if view.get(name) is not None}


def describe_batch_predictions(store: Store, request: dict) -> dict:
    return describe.describe(store, KIND, request, _view)


def update_batch_prediction(store: Store, request: dict) -> dict:
    return common.rename(store, KIND, request["BatchPredictionId"], request["BatchPredictionName"])


def delete_batch_prediction(store: Store, request: dict) -> dict:
    return common.mark_deleted(store, KIND, request["BatchPredictionId"])
