"""The inference job's work: a channel's rows scored by Amazon ML's batch code, written where the job says.

The rows are read with the channel's columns, typed as the model was trained
where it knows the column (Amazon ML's batch rule) and as the channel inferred
them elsewhere. The scores are `aml_cli.ml.batch_output`'s (Java-style
numbers, bestAnswer at the 0.5 threshold) for text/csv; application/json gives
each line as an object, the scores as JSON numbers. The channel's own values
are written back as the reader typed them: whole numbers without a decimal
point, line breaks inside a text as spaces (one line per record).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from aml_cli.jobs import JobCancelled, JobFailed
from aml_cli.service.cleanroomsml import models

if TYPE_CHECKING:
    from aml_cli.store import Store

THRESHOLD = 0.5
DEFAULT_PAYLOAD_MB = 6  # SageMaker's default for a record sent to a container


def score_channel(store: Store, record: dict, ctx) -> dict:
    from aml_cli.service.cleanroomsml.inference_jobs import FORMATS
    from aml_cli.store.artifacts import remove_quietly

    ctx.log(f"Scoring {record['dataSource']['mlInputChannelArn']} with version "
            f"{record['trainedModelVersionIdentifier']}")
    store.update("TrainedModelInferenceJob", record["trainedModelInferenceJobArn"].rsplit("/", 1)[1],
                 {"logsStatus": "PUBLISH_SUCCEEDED", "logsStatusDetails": ctx.log_path.as_uri()})
    model_record, channel = _model_record(store, record), _channel(store, record)
    model = models.load(model_record)
    schema = reading_schema(model, channel)
    accept = record["outputConfiguration"].get("accept") or "text/csv"
    folder = _folder(store, record)
    path = folder.path / FORMATS[accept]
    ctx.on_discard(lambda: remove_quietly(path))
    limit = ((record.get("containerExecutionParameters") or {}).get("maxPayloadInMB") or DEFAULT_PAYLOAD_MB) * 10**6
    count = 0
    try:
        with folder, folder.replacing(FORMATS[accept], "w") as out:
            if accept == "text/csv":
                out.write(",".join(_quoted([*schema.names, *_score_names(model)])) + "\n")
            for chunk in models.chunks(store, channel, schema, keep_invalid=True):
                if ctx.cancel_requested():
                    raise JobCancelled()
                out.write(_lines(model, schema, chunk, accept, limit))
                count += len(chunk.frame)
    except OSError as exc:
        raise JobFailed(f"The inference output could not be written to {path}: {exc.strerror or exc}.",
                        "INTERNAL_ERROR") from None
    ctx.log(f"Scored {count} records into {path}")
    return {"inferenceContainerImageDigest": models.image_digest(), "_output_path": str(path), "_records": count}


def _model_record(store: Store, record: dict) -> dict:
    model = store.get("TrainedModel", record["trainedModelVersionIdentifier"])
    if model is None or model.get("Status") != "ACTIVE" or not model.get("_model_path"):
        status = model.get("Status") if model else "gone"
        raise JobFailed(f"The trained model version {record['trainedModelVersionIdentifier']} is {status}; it has no "
                        "model to score with.", "MODEL_NOT_ACTIVE")
    return model


def _channel(store: Store, record: dict) -> dict:
    arn = record["dataSource"]["mlInputChannelArn"]
    channel = store.get("MLInputChannel", arn.rsplit("/", 1)[1])
    if channel is None or channel.get("Status") != "ACTIVE" or not channel.get("_data_path"):
        raise JobFailed(f"The ML input channel {arn} is {channel.get('Status') if channel else 'gone'}; its data "
                        "cannot be read.", "INPUT_CHANNEL_FAILED")
    return channel


def _folder(store: Store, record: dict):
    from aml_cli.api.errors import ServiceError
    from aml_cli.service.cleanroomsml.ml_configurations import output_folder_of

    configuration = store.get("MLConfiguration", record["membershipIdentifier"]) or {}
    if not configuration or configuration.get("_deleted"):
        raise JobFailed("The membership's ML configuration was deleted: there is nowhere to write the output.",
                        "INTERNAL_ERROR")
    job_id = record["trainedModelInferenceJobArn"].rsplit("/", 1)[1]
    try:
        return output_folder_of(configuration, store, (record["membershipIdentifier"], job_id))
    except ServiceError as exc:
        raise JobFailed(exc.message, "INTERNAL_ERROR") from None


def reading_schema(model, channel: dict):
    """The channel's columns with the model's types where it has them; the model's target and rowId if present."""
    from aml_cli.ml.schema import Attribute

    trained = {attribute.name: attribute.type for attribute in model.schema.attributes}
    names = [column["name"] for column in channel["_columns"]]
    attributes = tuple(Attribute(c["name"], trained.get(c["name"], c["type"])) for c in channel["_columns"])
    base = model.schema
    return dataclasses.replace(base, attributes=attributes, has_header=True, excluded=(),
                               target=base.target if base.target in names else None,
                               row_id=base.row_id if base.row_id in names else None, row_weight=None)


def _score_names(model) -> list[str]:
    if model.model_type == "BINARY":
        return ["bestAnswer", "score"]
    return [str(label) for label in model.labels] if model.model_type == "MULTICLASS" else ["score"]


def _lines(model, schema, chunk, accept: str, limit: int) -> str:
    import numpy as np

    valid = np.asarray(chunk.valid, dtype=bool)
    if not valid.all():
        line = int(np.asarray(chunk.line_numbers)[~valid][0])
        raise JobFailed(f"The record at line {line} of the channel's data cannot be read with the model's types.",
                        "INPUT_CHANNEL_FAILED")
    own = _own_columns(chunk.frame, schema)
    sizes = [len(line) for line in own]
    if sizes and max(sizes) > limit:
        raise JobFailed(f"The record at line {int(chunk.line_numbers[int(np.argmax(sizes))])} is larger than "
                        f"maxPayloadInMB ({limit // 10**6} MB).", "PAYLOAD_TOO_LARGE")
    if accept == "application/json":
        return _json_lines(model, schema, chunk.frame)
    from aml_cli.ml.batch_output import lines_for

    scores = lines_for(model, dataclasses.replace(schema, row_id=None), chunk, THRESHOLD).splitlines()
    return "".join(f"{a},{b}\n" for a, b in zip(own, scores, strict=True))


def _own_columns(frame, schema) -> list[str]:
    columns = [_text(frame[a.name], a.type) for a in schema.attributes]
    joined = columns[0]
    for column in columns[1:]:
        joined = joined + "," + column
    return joined.tolist()


def _text(values, kind: str):
    """A column as CSV fields: numbers as the reader typed them (whole ones without '.0'), missing empty."""
    import numpy as np

    if kind in ("NUMERIC", "BINARY"):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
        text = [("" if n != n else str(int(n)) if w else repr(float(n))) for n, w in zip(numbers, whole, strict=True)]
        import pandas as pd

        return pd.Series(text, index=values.index, dtype=object)
    text = values.astype(object).where(values.notna(), "").astype(str).str.replace(r"[\r\n]+", " ", regex=True)
    quoted = '"' + text.str.replace('"', '""', regex=False) + '"'
    return text.where(~text.str.contains(r'[",]', regex=True), quoted)


def _quoted(names: list[str]) -> list[str]:
    import pandas as pd

    return _text(pd.Series(names, dtype=object), "TEXT").tolist()


def _json_lines(model, schema, frame) -> str:
    import numpy as np

    scores = np.asarray(model.predict_frame(frame))
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    lines = []
    for index, row in enumerate(rows):
        if model.model_type == "BINARY":
            extra = {"bestAnswer": "1" if scores[index] >= THRESHOLD else "0", "score": float(scores[index])}
        elif model.model_type == "MULTICLASS":
            extra = {str(label): float(p) for label, p in zip(model.labels, scores[index], strict=True)}
        else:
            extra = {"score": float(scores[index])}
        lines.append(json.dumps({**{k: _plain(v) for k, v in row.items()}, **extra}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _plain(value):
    """A frame value as JSON: whole floats as integers, NaN as null."""
    if isinstance(value, float):
        return None if value != value else int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value
