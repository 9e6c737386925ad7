"""Batch predictions: CreateBatchPrediction, Get, Describe, Update, Delete.

The output layout is the service's:
    <OutputUri>/batch-prediction/result/<id>-<input file name>.gz   (gzip CSV, one line per record)
    <OutputUri>/batch-prediction/<id>.manifest                       (input file URI -> result file URI)
written through `batch_results`: staged privately, published whole, the manifest last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.service.locations import canonical, check_output_folder
from aml_cli.service.machinelearning import batch_results, common, describe
from aml_cli.service.machinelearning.scoring import create_scoring

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "BatchPrediction"


def create_batch_prediction(store: Store, request: dict, context: RequestContext) -> dict:
    def output() -> dict:
        """The place is checked, nothing is made: the job makes its folders, so a refused create leaves none."""
        check_output_folder(request["OutputUri"], "OutputUri", store, below=batch_results.LAYOUT)
        return {"OutputUri": canonical(request["OutputUri"])}

    return create_scoring(store, KIND, request, context, need_target=False, extra=output)


def _view(record: dict) -> dict:
    return common.list_view(KIND, record)


def get_batch_prediction(store: Store, request: dict, context: RequestContext) -> dict:
    return common.get_view(store, KIND, common.fetch(store, KIND, request["BatchPredictionId"]))


def describe_batch_predictions(store: Store, request: dict, context: RequestContext) -> dict:
    return describe.describe(store, KIND, request, _view)


def update_batch_prediction(store: Store, request: dict, context: RequestContext) -> dict:
    return common.rename(store, KIND, request["BatchPredictionId"], request["BatchPredictionName"])


def delete_batch_prediction(store: Store, request: dict, context: RequestContext) -> dict:
    return common.mark_deleted(store, KIND, request["BatchPredictionId"])


# The job: score every record of every input file into the staging folder, then publish the set.


def run_batch_prediction_job(store: Store, resource_id: str, ctx) -> dict:
    from aml_cli.ml.reader import ReadReport
    from aml_cli.service.machinelearning.dependencies import ready
    from aml_cli.service.machinelearning.reading import input_files_of, mapped_chunks_of
    from aml_cli.service.machinelearning.scoring import model_for_job, scoring_schema

    record = store.get(KIND, resource_id)
    model_record = ready(store, "MLModel", record["MLModelId"], "model")
    source = ready(store, "DataSource", record["BatchPredictionDataSourceId"], "batch data source")
    schema, _ = scoring_schema(model_record, source)
    model = model_for_job(model_record)
    from aml_cli.service.machinelearning.on_cluster import cluster_of, score_batch

    files = input_files_of(store, source)
    report = ReadReport()
    threshold = float(model_record.get("ScoreThreshold", 0.5))
    cluster = cluster_of(ctx)
    with batch_results.Staging(store, record, [path.name for path in files]) as staging:
        if cluster is not None:
            report = score_batch(store, source, schema, files, model, threshold, staging, cluster, ctx)
        else:
            writer = batch_results.ResultWriter(staging, model, schema, threshold)
            threads = getattr(ctx, "threads", 1)
            ctx.log(f"Scoring on {threads} thread{'s' if threads > 1 else ''}")
            for chunk, encoded in mapped_chunks_of(store, source, schema, writer.encode, keep_invalid=True,
                                                   report=report, files=files, threads=threads):
                writer.write(chunk, encoded)
                ctx.progress((chunk.file_index + 1) / (len(files) + 1), "scoring")
            writer.finish()
        staging.publish(source["DataLocationS3"], files)
        ctx.log(f"Scored {report.records} records ({report.invalid_rows} invalid) into {staging.published_in}")
    return {"TotalRecordCount": report.records, "InvalidRecordCount": report.invalid_rows}


def clean_failed_batch_prediction(store: Store, resource_id: str) -> None:
    """The kind's cleanup: what a batch prediction whose worker died left (staging, half a publication)."""
    record = store.get(KIND, resource_id)
    if record is not None:
        batch_results.clean(store, record)
