"""Amazon ML's four resource kinds: PENDING -> INPROGRESS -> COMPLETED | FAILED, and DELETED from any of them."""

from aml_cli.api.resources import Lifecycle, ResourceKind, transitions

LIFECYCLE = Lifecycle(
    start="PENDING",
    running="INPROGRESS",
    done="COMPLETED",
    failed="FAILED",
    allowed=transitions(
        {
            "PENDING": "INPROGRESS FAILED DELETED COMPLETED",
            "INPROGRESS": "COMPLETED FAILED DELETED",
            "COMPLETED": "DELETED",
            "FAILED": "DELETED",
            "DELETED": "",
        }
    ),
    stamps={
        "INPROGRESS": ("StartedAt", "LastUpdatedAt"),
        "COMPLETED": ("FinishedAt", "LastUpdatedAt"),
        "FAILED": ("FinishedAt", "LastUpdatedAt"),
        "DELETED": ("LastUpdatedAt",),
    },
    message_field="Message",
    compute_time_field="ComputeTime",
)

_COMMON_FILTERS = {
    "CreatedAt": "CreatedAt",
    "LastUpdatedAt": "LastUpdatedAt",
    "Status": "Status",
    "Name": "Name",
    "IAMUser": "CreatedByIamUser",
}

_JOBS = "aml_cli.service.machinelearning"

KINDS = (
    ResourceKind(
        name="DataSource",
        service="machinelearning",
        noun="data source",
        id_member="DataSourceId",
        module="data_sources",
        lifecycle=LIFECYCLE,
        job=f"{_JOBS}.data_sources:run_data_source_job",
        filters={**_COMMON_FILTERS, "DataLocationS3": "DataLocationS3"},
    ),
    ResourceKind(
        name="MLModel",
        service="machinelearning",
        noun="model",
        id_member="MLModelId",
        module="ml_models",
        lifecycle=LIFECYCLE,
        job=f"{_JOBS}.ml_models:run_ml_model_job",
        filters={
            **_COMMON_FILTERS,
            "TrainingDataSourceId": "TrainingDataSourceId",
            "RealtimeEndpointStatus": "EndpointInfo.EndpointStatus",
            "MLModelType": "MLModelType",
            "Algorithm": "Algorithm",
            "TrainingDataURI": "InputDataLocationS3",
        },
    ),
    ResourceKind(
        name="Evaluation",
        service="machinelearning",
        noun="evaluation",
        id_member="EvaluationId",
        module="evaluations",
        lifecycle=LIFECYCLE,
        job=f"{_JOBS}.evaluations:run_evaluation_job",
        filters={
            **_COMMON_FILTERS,
            "MLModelId": "MLModelId",
            "DataSourceId": "EvaluationDataSourceId",
            "DataURI": "InputDataLocationS3",
        },
    ),
    ResourceKind(
        name="BatchPrediction",
        service="machinelearning",
        noun="batch prediction",
        id_member="BatchPredictionId",
        module="batch_predictions",
        lifecycle=LIFECYCLE,
        job=f"{_JOBS}.batch_predictions:run_batch_prediction_job",
        cleanup=f"{_JOBS}.batch_predictions:clean_failed_batch_prediction",
        filters={
            **_COMMON_FILTERS,
            "MLModelId": "MLModelId",
            "DataSourceId": "BatchPredictionDataSourceId",
            "DataURI": "InputDataLocationS3",
        },
    ),
)
