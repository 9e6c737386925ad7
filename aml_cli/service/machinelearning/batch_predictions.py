"""Batch predictions: CreateBatchPrediction, Get, Describe, Update, Delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aml_cli.service.locations import canonical, output_folder
from aml_cli.service.machinelearning import common, describe
from aml_cli.service.machinelearning.scoring import create_scoring

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "BatchPrediction"


def create_batch_prediction(store: Store, request: dict, context: RequestContext) -> dict:
    def output() -> dict:
        output_folder(request["OutputUri"], "OutputUri", store.s3_root)
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


# The job: score every record of every input file and write the service's output layout:
#   <OutputUri>/batch-prediction/result/<id>-<input file name>.gz   (gzip CSV, one line per record)
#   <OutputUri>/batch-prediction/<id>.manifest                       (input file URI -> result file URI)


def run_batch_prediction_job(store: Store, resource_id: str, ctx) -> dict:
    import json

    from aml_cli.jobs import JobFailed
    from aml_cli.ml.reader import ReadReport
    from aml_cli.service.machinelearning.dependencies import ready
    from aml_cli.service.machinelearning.reading import chunks_of, input_files_of
    from aml_cli.service.machinelearning.scoring import model_for_job, scoring_schema
    from aml_cli.store.artifacts import atomic_write_bytes, remove_quietly

    record = store.get(KIND, resource_id)
    model_record = ready(store, "MLModel", record["MLModelId"], "model")
    source = ready(store, "DataSource", record["BatchPredictionDataSourceId"], "batch data source")
    schema, _ = scoring_schema(model_record, source)
    model = model_for_job(model_record)
    folder = output_folder(record["OutputUri"], "OutputUri", store.s3_root) / "batch-prediction"
    files = input_files_of(store, source)
    targets = [folder / "result" / f"{resource_id}-{path.name.removesuffix('.gz')}.gz" for path in files]
    report = ReadReport()
    writer = _ResultWriter(targets, model, schema, float(model_record.get("ScoreThreshold", 0.5)))
    try:
        with writer:
            for chunk in chunks_of(store, source, schema, keep_invalid=True, report=report, files=files):
                writer.write(chunk)
                ctx.progress((chunk.file_index + 1) / (len(files) + 1), "scoring")
        manifest = {
            _uri_like(source["DataLocationS3"], path): _uri_like(record["OutputUri"], target)
            for path, target in zip(files, targets, strict=True)
        }
        atomic_write_bytes(folder / f"{resource_id}.manifest", json.dumps(manifest).encode())
    except OSError as exc:
        for target in targets:
            remove_quietly(target)
        raise JobFailed(f"Could not write the batch prediction output: {common.os_error_text(exc)}.") from exc
    ctx.log(f"Scored {report.records} records ({report.invalid_rows} invalid) into {folder}")
    return {"TotalRecordCount": report.records, "InvalidRecordCount": report.invalid_rows}


class _ResultWriter:
    """One gzip CSV per input file, each written under a temporary name and renamed when whole.

    A failure leaves no result file that looks complete; an input file with
    no selected record still gets its (header-only) result.
    """

    def __init__(self, targets, model, schema, threshold: float) -> None:
        self.targets, self.model, self.schema, self.threshold = targets, model, schema, threshold
        self.index = -1
        self._context = None
        self._out = None

    def __enter__(self) -> _ResultWriter:
        return self

    def write(self, chunk) -> None:
        from aml_cli.ml.batch_output import lines_for

        while self.index < chunk.file_index:
            self._next()
        self._out.write(lines_for(self.model, self.schema, chunk, self.threshold).encode())

    def _next(self) -> None:
        import gzip

        from aml_cli.ml.batch_output import header
        from aml_cli.store.artifacts import atomic_writer

        self._close(None)
        self.index += 1
        target = self.targets[self.index]
        from aml_cli.store.paths import private_dir

        private_dir(target.parent)
        self._context = atomic_writer(target)
        raw = self._context.__enter__()
        self._out = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        self._out.write((header(self.model, self.schema) + "\n").encode())

    def _close(self, exc: BaseException | None) -> None:
        if self._context is None:
            return
        context, out = self._context, self._out
        self._context = self._out = None
        if exc is None:
            out.close()
            context.__exit__(None, None, None)
        else:
            context.__exit__(type(exc), exc, exc.__traceback__)

    def __exit__(self, kind, exc, tb) -> None:
        if exc is None:
            while self.index < len(self.targets) - 1:
                self._next()
        self._close(exc)


def _uri_like(location: str, path) -> str:
    """A file named the way the user named its location: s3:// stays s3://, the rest file://."""
    if location.startswith("s3://"):
        from aml_cli.store.paths import s3_root

        try:
            return "s3://" + path.resolve().relative_to(s3_root().resolve()).as_posix()
        except ValueError:
            pass
    return path.as_uri()
