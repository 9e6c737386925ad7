"""boto3 round trips for all 43 Clean Rooms ML and Clean Rooms operations, signed, against the real service
through a real server, on a world of real resources (tests/server/rooms.py).

Each operation: botocore's status code for it, no retries, a request id, every member of the answer fitting
botocore's output shape, timestamps ISO 8601 on the wire and aware datetimes in boto3's hands; and where the
call starts work (a channel, a training, an inference or export job, a cancel, a delete) the work is followed
through the server to its end. And a service function called directly gives what the server answers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from aml_cli.api import service, snake_name
from aml_cli.service import call
from aml_cli.service.context import RequestContext
from aml_cli.store import Store
from tests.client.test_clean_rooms_clients import _walk
from tests.server.rooms import pending, requests, wait_for
from tests.server.samples import timestamps_of
from tests.server.support import CALLER, client
from tests.server.test_wire import _parsed

SERVICES = ("cleanroomsml", "cleanrooms")
OPERATIONS = [(name, operation) for name in SERVICES for operation in service(name).operation_names()]
ISO_8601 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)")


def test_the_table_names_every_clean_rooms_operation(rooms_template):
    table = requests(rooms_template[1])
    assert {name: sorted(ops) for name, ops in table.items()} == {
        name: sorted(service(name).operation_names()) for name in SERVICES}
    assert len(OPERATIONS) == 43


def test_botocore_has_no_waiters_for_these_services():
    """The walk-through polls because there is nothing to wait with; a waiter botocore adds should be tested."""
    for name in SERVICES:
        assert client("http://127.0.0.1:9", name).waiter_names == []


def _has_timestamp(shape, depth: int = 0) -> bool:
    if shape.type == "timestamp":
        return True
    if depth > 6:
        return False
    children = {"structure": lambda: shape.members.values(), "list": lambda: [shape.member],
                "map": lambda: [shape.value]}.get(shape.type, list)()
    return any(_has_timestamp(child, depth + 1) for child in children)


def _wire_bodies(api) -> list[dict]:
    """The JSON bodies the server sent, as received (before botocore parses them)."""
    bodies: list[dict] = []

    def keep(response_dict, **_):
        bodies.append(json.loads(response_dict["body"] or b"{}"))

    api.meta.events.register("before-parse", keep)
    return bodies


def _followed(name: str, operation: str, api, request: dict, response: dict, facts: dict) -> str | None:
    """The settled status of what the call set going (polled through the server), or None."""
    member = {"membershipIdentifier": facts["membership"]}
    reads = {
        "CreateMLInputChannel": lambda: api.get_ml_input_channel(**member,
                                                                 mlInputChannelArn=response["mlInputChannelArn"]),
        "CreateTrainedModel": lambda: api.get_trained_model(**member, trainedModelArn=response["trainedModelArn"],
                                                            versionIdentifier=response["versionIdentifier"]),
        "CancelTrainedModel": lambda: api.get_trained_model(**member, trainedModelArn=request["trainedModelArn"]),
        "DeleteTrainedModelOutput": lambda: api.get_trained_model(**member, trainedModelArn=request["trainedModelArn"]),
        "DeleteMLInputChannelData": lambda: api.get_ml_input_channel(**member,
                                                                     mlInputChannelArn=request["mlInputChannelArn"]),
        "StartTrainedModelInferenceJob": lambda: api.get_trained_model_inference_job(
            **member, trainedModelInferenceJobArn=response["trainedModelInferenceJobArn"]),
        "CancelTrainedModelInferenceJob": lambda: api.get_trained_model_inference_job(
            **member, trainedModelInferenceJobArn=request["trainedModelInferenceJobArn"]),
        "StartTrainedModelExportJob": lambda: next(
            job for job in api.list_collaboration_trained_model_export_jobs(
                collaborationIdentifier=facts["collaboration"], trainedModelArn=request["trainedModelArn"])[
                "collaborationTrainedModelExportJobs"] if job["name"] == request["name"]),
    }
    return wait_for(reads[operation])["status"] if name == "cleanroomsml" and operation in reads else None


AFTER = {"CancelTrainedModel": "INACTIVE", "CancelTrainedModelInferenceJob": "INACTIVE",
         "DeleteTrainedModelOutput": "INACTIVE", "DeleteMLInputChannelData": "INACTIVE"}


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[f"{n}.{o}" for n, o in OPERATIONS])
def test_clean_rooms_operation_round_trips_through_boto3(name, operation, rooms, serve):
    home, facts = rooms
    api = client(serve(home).url, name)
    wire = _wire_bodies(api)
    request = dict(requests(facts)[name][operation])
    if operation.startswith("Cancel"):
        request.update(pending(api, facts, operation))
    response = getattr(api, snake_name(operation))(**request)
    meta = response.pop("ResponseMetadata")
    model = api.meta.service_model.operation_model(operation)
    assert meta["HTTPStatusCode"] == model.http.get("responseCode", 200)
    assert meta["RetryAttempts"] == 0
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    if model.output_shape is not None:
        assert _walk(model.output_shape, response) == []
    described = service(name).operation(operation).output
    stamps, sent = timestamps_of(described, response), timestamps_of(described, wire[-1])
    assert all(isinstance(stamp, datetime) and stamp.tzinfo for stamp in stamps)
    assert len(sent) == len(stamps) and all(ISO_8601.fullmatch(text) for text in sent), sent
    if operation.startswith(("Get", "List")) and _has_timestamp(described):
        assert stamps, "the world has a resource of every kind, so a read shows its times"
    assert _followed(name, operation, api, request, response, facts) == AFTER.get(operation, _started(operation))


def _started(operation: str) -> str | None:
    return "ACTIVE" if operation in ("CreateMLInputChannel", "CreateTrainedModel", "StartTrainedModelInferenceJob",
                                     "StartTrainedModelExportJob") else None


PARITY = [("cleanroomsml", "GetTrainedModel"), ("cleanroomsml", "GetMLInputChannel"),
          ("cleanroomsml", "GetCollaborationTrainedModel"), ("cleanroomsml", "GetTrainedModelInferenceJob"),
          ("cleanroomsml", "ListTrainedModels"), ("cleanroomsml", "ListMLInputChannels"),
          ("cleanroomsml", "ListTrainedModelVersions"), ("cleanroomsml", "ListCollaborationTrainedModelExportJobs"),
          ("cleanrooms", "GetMembership"), ("cleanrooms", "ListCollaborations")]


@pytest.mark.parametrize(("name", "operation"), PARITY, ids=[f"{n}.{o}" for n, o in PARITY])
def test_a_clean_rooms_service_function_and_the_server_give_the_same_answer(name, operation, rooms, serve):
    home, facts = rooms
    request = requests(facts)[name][operation]
    direct = call(operation, dict(request), Store(home), service_name=name, context=RequestContext(caller_arn=CALLER))
    over_http = getattr(client(serve(home).url, name), snake_name(operation))(**request)
    assert _parsed(over_http) == _parsed(direct)
    assert direct, "an answer with something in it"
