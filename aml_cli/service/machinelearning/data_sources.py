"""Data sources: CreateDataSourceFrom{S3,RDS,Redshift}, Get, Describe, Update, Delete.

Creation checks everything that can be checked at once (locations, schema,
rearrangement) and answers with the ID; reading the rows and computing the
statistics is a job (`run_data_source_job`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException
from aml_cli.service.locations import canonical, input_files
from aml_cli.service.machinelearning import common, describe
from aml_cli.service.machinelearning.documents import inline_or_location

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "DataSource"


def create_data_source_from_s3(store: Store, request: dict, context: RequestContext) -> dict:
    spec = request["DataSpec"]
    location = canonical(spec["DataLocationS3"])
    input_files(location, "DataSpec.DataLocationS3", store.s3_root, s3_fsspec=store.s3_fsspec)
    schema_text = inline_or_location(spec, "DataSchema", "DataSchemaLocationS3", store.s3_root, required=True,
                                     s3_fsspec=store.s3_fsspec)
    check_schema(schema_text)
    check_rearrangement(spec.get("DataRearrangement"))
    record = new_record(request, location, spec.get("DataRearrangement"), schema_text, context)
    common.create_once(store, KIND, record, request, context)
    return {"DataSourceId": request["DataSourceId"]}


def create_data_source_from_rds(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.service.machinelearning.databases import prepare_database_source

    return prepare_database_source(store, request, context, "RDSData", "RDSMetadata")


def create_data_source_from_redshift(store: Store, request: dict, context: RequestContext) -> dict:
    from aml_cli.service.machinelearning.databases import prepare_database_source

    return prepare_database_source(store, request, context, "DataSpec", "RedshiftMetadata")


def check_schema(text: str):
    from aml_cli.ml.schema import SchemaError, parse_schema

    try:
        return parse_schema(text)
    except SchemaError as exc:
        raise InvalidInputException(f"Invalid data schema: {exc}") from exc


def check_rearrangement(text: str | None) -> None:
    if text is None:
        return
    from aml_cli.ml.split import RearrangementError, parse_rearrangement

    try:
        parse_rearrangement(text)
    except RearrangementError as exc:
        raise InvalidInputException(f"Invalid DataRearrangement: {exc}") from exc


def new_record(request: dict, location: str, rearrangement: str | None, schema_text: str,
               context: RequestContext) -> dict:
    """A data source as its Create* records it (the S3, RDS and Redshift forms alike)."""
    record = common.new_record(
        KIND, request, context,
        DataLocationS3=location,
        DataRearrangement=rearrangement,
        Name=request.get("DataSourceName"),
        ComputeStatistics=bool(request.get("ComputeStatistics", False)),
        _schema=schema_text,
    )
    if "RoleARN" in request:
        record["RoleARN"] = request["RoleARN"]
    return record


def get_data_source(store: Store, request: dict, context: RequestContext) -> dict:
    record = common.fetch(store, KIND, request["DataSourceId"])
    extra = {"DataSourceSchema": record.get("_schema")} if request.get("Verbose") else None
    return common.get_view(store, KIND, record, extra)


def describe_data_sources(store: Store, request: dict, context: RequestContext) -> dict:
    return describe.describe(store, KIND, request, lambda record: common.list_view(KIND, record))


def update_data_source(store: Store, request: dict, context: RequestContext) -> dict:
    return common.rename(store, KIND, request["DataSourceId"], request["DataSourceName"])


def delete_data_source(store: Store, request: dict, context: RequestContext) -> dict:
    return common.mark_deleted(store, KIND, request["DataSourceId"])


def statistics_of(store: Store, record: dict) -> dict:
    """The statistics artifact of a COMPLETED data source (for training and the statistics view); a missing,
    truncated or replaced file is StoreDamaged naming it."""
    from aml_cli.store.artifacts import damaged, read_artifact

    if not record.get("_statistics_path"):
        raise InvalidInputException(f"The data source {record['DataSourceId']} has no computed statistics.")
    what = f"statistics file of data source {record['DataSourceId']!r}"
    try:  # a file that is not what the job wrote is named as damaged, never a FileNotFoundError/JSONDecodeError
        document = json.loads(read_artifact(record, "_statistics_path", what))
    except ValueError as err:
        raise damaged(what, record["_statistics_path"], f"is not valid statistics ({err})") from None
    if not isinstance(document, dict):
        raise damaged(what, record["_statistics_path"], "is not valid statistics (not a JSON object)")
    return document


# The job: read every selected record once, count, validate, and (optionally) compute statistics.

MAX_INVALID_RECORDS = 10_000
MAX_INVALID_SHARE = 0.10


def run_data_source_job(store: Store, resource_id: str, ctx) -> dict:
    from aml_cli.ml.reader import ReadReport
    from aml_cli.ml.schema import parse_schema
    from aml_cli.ml.statistics import StatisticsAccumulator
    from aml_cli.service.machinelearning.on_cluster import cluster_of, read_data_source
    from aml_cli.service.machinelearning.reading import input_files_of, mapped_chunks_of

    record = store.get(KIND, resource_id)
    schema = parse_schema(record["_schema"])
    files = input_files_of(store, record)
    cluster = cluster_of(ctx)
    if cluster is not None:
        ctx.log(f"Reading {record['DataLocationS3']}")
        report, statistics = read_data_source(store, record, schema, files, cluster, ctx,
                                              bool(record.get("ComputeStatistics")))
    else:
        threads = getattr(ctx, "threads", 1)
        ctx.log(f"Reading {record['DataLocationS3']} on {threads} thread{'s' if threads > 1 else ''}")
        report = ReadReport()
        statistics = StatisticsAccumulator(schema) if record.get("ComputeStatistics") else None
        total = sum(path.stat().st_size for path in files) or 1
        seen = 0
        digest = statistics.digest if statistics is not None else None  # per chunk, on the reading threads
        for chunk, part in mapped_chunks_of(store, record, schema, digest, report=report, files=files,
                                            threads=threads):
            if statistics is not None:
                statistics.take(part)  # in data order: the one-thread result
            seen += chunk.nbytes  # uncompressed bytes: for .gz data the bar runs ahead, then waits at 99%
            ctx.progress(min(seen / total, 0.99), "reading records")
    for warning in report.warnings:
        ctx.log(f"Warning: {warning}")
    _check_invalid(report)
    ctx.log(f"Records: {report.rows} valid, {report.invalid_rows} invalid; {report.bytes_read} bytes")
    fields = {"DataSizeInBytes": report.bytes_read, "NumberOfFiles": report.files, "_rows": report.rows,
              "_invalid_rows": report.invalid_rows}
    if statistics is not None:
        document = {**statistics.result(), "warnings": list(report.warnings)}
        fields["_statistics_path"] = str(_write_statistics(store, document))
    return fields


def _check_invalid(report) -> None:
    """The data source fails when more than 10,000 or more than 10% of its records are invalid."""
    from aml_cli.jobs import JobFailed

    if report.rows == 0:
        raise JobFailed("The data has no valid records. " + (report.describe_invalid() if report.invalid_rows else ""))
    too_many = report.invalid_rows > MAX_INVALID_RECORDS or report.invalid_rows > MAX_INVALID_SHARE * report.records
    if too_many:
        raise JobFailed(f"Too many invalid records: {report.describe_invalid()}.")


def _write_statistics(store: Store, statistics: dict):
    from aml_cli.jobs import JobFailed
    from aml_cli.store.artifacts import atomic_write_bytes, new_artifact_path

    path = new_artifact_path(store, ".stats.json")
    try:
        atomic_write_bytes(path, json.dumps(statistics, allow_nan=False).encode())
    except OSError as exc:
        raise JobFailed(f"Could not write the statistics: {common.os_error_text(exc)}.") from exc
    return path


def show_data_source_statistics(store: Store, request: dict, context: RequestContext) -> dict:
    """ShowDataSourceStatistics {DataSourceId}: its statistics, for `aml show-data-source-statistics` (aml's own)."""
    data_source_id = request["DataSourceId"]
    record = common.fetch(store, KIND, data_source_id)
    if record["Status"] != "COMPLETED":
        raise InvalidInputException(f"The data source {data_source_id} is {record['Status']}, not COMPLETED.")
    return statistics_of(store, record)


def infer_schema(store: Store, request: dict, context: RequestContext) -> dict:
    """InferSchema: a schema inferred from a sample of the data, for `aml infer-schema` (aml's own).

    Request: DataLocationS3, and optionally TargetAttributeName, RowId,
    ExcludedAttributeNames (a list) and DataFileContainsHeader (a boolean;
    absent, it is detected). Response: {"DataSchema": the schema document}.
    Only a bounded sample is read, whatever the size of the data.
    """
    from aml_cli.ml.infer_schema import InferenceError, infer_schema, read_sample
    from aml_cli.ml.schema import SchemaError

    location = request["DataLocationS3"]
    files = input_files(canonical(location), "DataLocationS3", store.s3_root, s3_fsspec=store.s3_fsspec)
    try:
        document = infer_schema(read_sample(files), header=request.get("DataFileContainsHeader"),
                                target=request.get("TargetAttributeName"), row_id=request.get("RowId"),
                                excluded=tuple(request.get("ExcludedAttributeNames") or ()))
    except (InferenceError, SchemaError) as exc:
        raise InvalidInputException(f"Cannot infer a schema from {location}: {exc}.") from exc
    except (OSError, EOFError) as exc:  # unreadable, or broken gzip
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InvalidInputException(f"Cannot infer a schema from {location}: {reason}.") from exc
    return {"DataSchema": document}
