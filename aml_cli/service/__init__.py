"""The service: one function per operation, request dict in, response dict out.

`call` is the only entry point the CLI (and later the HTTP server) uses. It
applies the service-side validation the real service applies, then routes to
the resource's module, imported only when its operation is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from aml_cli.api import operation, snake_name

if TYPE_CHECKING:
    from aml_cli.store import Store

# operation -> module under aml_cli.service holding its snake_case function
ROUTES: dict[str, str] = {
    "CreateDataSourceFromS3": "data_sources",
    "CreateDataSourceFromRDS": "data_sources",
    "CreateDataSourceFromRedshift": "data_sources",
    "GetDataSource": "data_sources",
    "DescribeDataSources": "data_sources",
    "UpdateDataSource": "data_sources",
    "DeleteDataSource": "data_sources",
    "CreateMLModel": "ml_models",
    "GetMLModel": "ml_models",
    "DescribeMLModels": "ml_models",
    "UpdateMLModel": "ml_models",
    "DeleteMLModel": "ml_models",
    "CreateEvaluation": "evaluations",
    "GetEvaluation": "evaluations",
    "DescribeEvaluations": "evaluations",
    "UpdateEvaluation": "evaluations",
    "DeleteEvaluation": "evaluations",
    "CreateBatchPrediction": "batch_predictions",
    "GetBatchPrediction": "batch_predictions",
    "DescribeBatchPredictions": "batch_predictions",
    "UpdateBatchPrediction": "batch_predictions",
    "DeleteBatchPrediction": "batch_predictions",
    "CreateRealtimeEndpoint": "realtime",
    "DeleteRealtimeEndpoint": "realtime",
    "Predict": "realtime",
    "AddTags": "tags",
    "DescribeTags": "tags",
    "DeleteTags": "tags",
}


def call(operation_name: str, request: dict, store: Store | None = None) -> dict:
    """Run one operation; raises `aml_cli.api.errors.ServiceError` subclasses as the service would."""
    from aml_cli.api.validate import check_service_side

    op = operation(operation_name)
    check_service_side(op, request)
    if store is None:
        from aml_cli.store import Store

        store = Store()
    module = import_module(f"aml_cli.service.{ROUTES[operation_name]}")
    return getattr(module, snake_name(operation_name))(store, request)
