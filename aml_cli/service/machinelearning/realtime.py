"""Real-time endpoints and Predict.

A local endpoint needs no servers, so CreateRealtimeEndpoint makes it READY at
once (the service went through UPDATING). Predict accepts any PredictEndpoint:
the local engine answers whatever URL a script passes. A front end reached over
HTTP (`aml serve`) names its own URL in the context: every EndpointUrl it
answers with is that one, since SDKs send Predict to the EndpointUrl they read
(an amazonaws.com URL would send the record to AWS).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aml_cli.api.errors import InvalidInputException, LimitExceededException, PredictorNotMountedException
from aml_cli.service.machinelearning import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "MLModel"
ENDPOINT_URL = "https://realtime.machinelearning.us-east-1.amazonaws.com"
PEAK_REQUESTS_PER_SECOND = 200
MAX_RECORD_BYTES = 100 * 1024


def create_realtime_endpoint(store: Store, request: dict, context: RequestContext) -> dict:
    model_id = request["MLModelId"]
    record = common.fetch(store, KIND, model_id)
    if record["Status"] in ("FAILED", "DELETED"):
        raise InvalidInputException(f"The model {model_id} is {record['Status']}; it cannot have an endpoint.")
    info = record.get("EndpointInfo") or {}
    if info.get("EndpointStatus") != "READY":
        info = {
            "PeakRequestsPerSecond": PEAK_REQUESTS_PER_SECOND,
            "CreatedAt": common.now(),
            "EndpointUrl": ENDPOINT_URL,  # stored as the service named it; each front end shows its own
            "EndpointStatus": "READY",
        }
        store.modify(KIND, model_id, lambda current: {**current, **common.touch({"EndpointInfo": info})})
    return {"MLModelId": model_id, "RealtimeEndpointInfo": advertised(info, context)}


def advertised(info: dict | None, context: RequestContext) -> dict | None:
    """The endpoint as this caller should reach it: its EndpointUrl is the front end's own URL, if it has one."""
    if not info or "EndpointUrl" not in info or not context.endpoint_url:
        return info
    return {**info, "EndpointUrl": context.endpoint_url}


def delete_realtime_endpoint(store: Store, request: dict, context: RequestContext) -> dict:
    model_id = request["MLModelId"]
    record = common.fetch(store, KIND, model_id)
    info = dict(record.get("EndpointInfo") or {})
    info.update({"PeakRequestsPerSecond": 0, "EndpointStatus": "NONE"})
    info.pop("EndpointUrl", None)
    store.modify(KIND, model_id, lambda current: {**current, **common.touch({"EndpointInfo": info})})
    return {"MLModelId": model_id, "RealtimeEndpointInfo": info}


def predict(store: Store, request: dict, context: RequestContext) -> dict:
    model_id = request["MLModelId"]
    record = common.fetch(store, KIND, model_id)
    if (record.get("EndpointInfo") or {}).get("EndpointStatus") != "READY":
        raise PredictorNotMountedException(f"No real-time endpoint is mounted for the model {model_id}.")
    size = len(json.dumps(request["Record"], ensure_ascii=False).encode())
    if size > MAX_RECORD_BYTES:
        raise LimitExceededException(f"The record is {size} bytes; the limit is {MAX_RECORD_BYTES}.")
    from aml_cli.service.machinelearning.model_cache import loaded_scorer

    scorer = loaded_scorer(record)  # no numpy, pandas or scipy: a Predict process starts in a blink
    prediction = scorer.predict_record(request["Record"], threshold=record.get("ScoreThreshold", 0.5))
    return {"Prediction": prediction}
