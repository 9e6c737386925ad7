"""Evaluations: CreateEvaluation, GetEvaluation, DescribeEvaluations, UpdateEvaluation, DeleteEvaluation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.api import shape
from aml_cli.service import common, describe
from aml_cli.service.compatibility import check_fits

if TYPE_CHECKING:
    from aml_cli.store import Store

KIND = "Evaluation"


def create_evaluation(store: Store, request: dict) -> dict:
    from aml_cli.jobs import submit

    model = common.fetch_dependency(store, "MLModel", request["MLModelId"], "MLModelId")
    source = common.fetch_dependency(store, "DataSource", request["EvaluationDataSourceId"], "EvaluationDataSourceId")
    check_fits(model, source, "EvaluationDataSourceId", need_target=True)
    stamp = common.now()
    record = {
        "EvaluationId": request["EvaluationId"],
        "MLModelId": model["MLModelId"],
        "EvaluationDataSourceId": source["DataSourceId"],
        "InputDataLocationS3": source.get("DataLocationS3"),
        "CreatedByIamUser": common.iam_user(),
        "CreatedAt": stamp,
        "LastUpdatedAt": stamp,
        "Name": request.get("EvaluationName"),
        "Status": "PENDING",
    }
    if common.create_once(store, KIND, record, request):
        depends = [("MLModel", model["MLModelId"]), ("DataSource", source["DataSourceId"])]
        submit(store, KIND, record["EvaluationId"], depends_on=depends)
    return {"EvaluationId": request["EvaluationId"]}


def _view(record: dict) -> dict:
    view = common.public_view(record, shape("Evaluation").members)
    if record["Status"] != "COMPLETED":
        view.pop("ComputeTime", None)
    return view


def get_evaluation(store: Store, request: dict) -> dict:
    record = common.fetch(store, KIND, request["EvaluationId"])
    view = _view(record)
    uri = common.log_uri(record)
    if uri:
        view["LogUri"] = uri
    return {name: view[name] for name in shape("GetEvaluationOutput").members if view.get(name) is not None}


def describe_evaluations(store: Store, request: dict) -> dict:
    return describe.describe(store, KIND, request, _view)


def update_evaluation(store: Store, request: dict) -> dict:
    return common.rename(store, KIND, request["EvaluationId"], request["EvaluationName"])


def delete_evaluation(store: Store, request: dict) -> dict:
    return common.mark_deleted(store, KIND, request["EvaluationId"])
