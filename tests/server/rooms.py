"""A Clean Rooms world for the server tests, and a valid request for each of the 43 Clean Rooms ML and Clean Rooms
operations in it.

The world is made through the service layer with jobs inline, once per test process: a COMPLETED data
source, a collaboration with its membership (and one without, to join), algorithms, associations, ACTIVE
channels, ACTIVE trained models, an ML configuration, an ACTIVE inference job and an ACTIVE export job.
What a request deletes or cancels is a spare, so each operation has something of its own to act on.
"""

from __future__ import annotations

import time
from pathlib import Path

from aml_cli.store import Store
from tests.conftest import jobs_inline
from tests.service.cleanroomsml.support import (
    ROLE,
    algorithm,
    association,
    channel,
    channel_request,
    cr,
    data_source,
    hyperparameters,
    membership,
    ml,
    model_request,
    trained_model,
)

ACCOUNT = "000000000000"
RECEIVER = {"members": [{"accountId": ACCOUNT}]}
EXPORTS = {"policies": {"trainedModelExports": {"maxSize": {"unit": "GB", "value": 1.0},
                                                "filesToExport": ["MODEL"]}}}
SHORT = hyperparameters(**{"sgd.maxPasses": "2"})
LONG = hyperparameters(**{"sgd.maxPasses": "10000"})  # trains for minutes unless it is cancelled
SETTLED = {"ACTIVE", "CREATE_FAILED", "INACTIVE", "CANCEL_FAILED", "DELETE_FAILED"}


def output_location(s3_uri: str = "s3://results/rooms") -> dict:
    return {"destination": {"s3Destination": {"s3Uri": s3_uri}}, "roleArn": ROLE}


def build_rooms(home: Path, folder: Path) -> dict:
    """Every kind of Clean Rooms resource, settled; returns the identifiers the requests name."""
    store = Store(home)
    with jobs_inline():
        data_source(store, folder)
        member = membership(store)
        to_join = cr("CreateCollaboration", {"members": [], "name": "to-join", "creatorDisplayName": "me",
                                             "creatorMemberAbilities": ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
                                             "queryLogStatus": "DISABLED"}, store)["collaboration"]["id"]
        used = algorithm(store, tags={"stage": "world"})
        spare_algorithm = algorithm(store)
        linked = association(store, member, used, privacyConfiguration=EXPORTS)
        spare_association = association(store, member, used, name="spare")
        train = channel(store, member, linked, name="train")
        spare_channel = channel(store, member, linked, 'SELECT * FROM "ds-1" WHERE id < 100', name="spare")
        model = trained_model(store, member, linked, {"train": train}, params=SHORT, tags={"stage": "world"})
        spare_model = trained_model(store, member, linked, {"train": train}, name="spare", params=SHORT)
        ml("PutMLConfiguration", {"membershipIdentifier": member["id"], "defaultOutputLocation": output_location()},
           store)
        job = ml("StartTrainedModelInferenceJob", inference_request(member["id"], model["trainedModelArn"], train),
                 store)["trainedModelInferenceJobArn"]
        ml("StartTrainedModelExportJob", {"membershipIdentifier": member["id"], "name": "world-export",
                                          "trainedModelArn": model["trainedModelArn"],
                                          "outputConfiguration": RECEIVER}, store)
    return {"membership": member["id"], "collaboration": member["collaborationId"], "to_join": to_join,
            "algorithm": used, "spare_algorithm": spare_algorithm, "association": linked,
            "spare_association": spare_association, "channel": train, "spare_channel": spare_channel,
            "model": model["trainedModelArn"], "version": model["versionIdentifier"],
            "spare_model": spare_model["trainedModelArn"], "inference_job": job}


def inference_request(membership_id: str, model_arn: str, channel_arn: str, name: str = "world-scores") -> dict:
    return {"membershipIdentifier": membership_id, "name": name, "trainedModelArn": model_arn,
            "resourceConfig": {"instanceType": "ml.m5.xlarge"}, "dataSource": {"mlInputChannelArn": channel_arn},
            "outputConfiguration": {"accept": "text/csv", **RECEIVER}}


def _member(f: dict, **request) -> dict:
    return {"membershipIdentifier": f["membership"], **request}


def _collaboration(f: dict, **request) -> dict:
    return {"collaborationIdentifier": f["collaboration"], **request}


def requests(f: dict) -> dict[str, dict]:
    """A valid request of each operation, by service and operation name, over the world's identifiers `f`.

    The two cancels name a resource the test first makes through the server (`pending`), since a settled
    world has nothing being created.
    """
    member = {"id": f["membership"]}
    return {"cleanroomsml": {
        "CancelTrainedModel": _member(f),  # + trainedModelArn of a model being trained
        "CancelTrainedModelInferenceJob": _member(f),  # + trainedModelInferenceJobArn of a job being run
        "CreateConfiguredModelAlgorithm": {"name": "new", "roleArn": ROLE, "description": "d",
                                           "trainingContainerConfig": {"imageUri": "aml/sgd:1"}},
        "CreateConfiguredModelAlgorithmAssociation": _member(f, configuredModelAlgorithmArn=f["algorithm"],
                                                             name="new"),
        "CreateMLInputChannel": channel_request(member, f["association"], 'SELECT * FROM "ds-1" WHERE id >= 300',
                                                name="new"),
        "CreateTrainedModel": model_request(member, f["association"], {"train": f["channel"]}, name="new",
                                            params=SHORT),
        "DeleteConfiguredModelAlgorithm": {"configuredModelAlgorithmArn": f["spare_algorithm"]},
        "DeleteConfiguredModelAlgorithmAssociation": _member(
            f, configuredModelAlgorithmAssociationArn=f["spare_association"]),
        "DeleteMLConfiguration": _member(f),
        "DeleteMLInputChannelData": _member(f, mlInputChannelArn=f["spare_channel"]),
        "DeleteTrainedModelOutput": _member(f, trainedModelArn=f["spare_model"]),
        "GetCollaborationConfiguredModelAlgorithmAssociation": _collaboration(
            f, configuredModelAlgorithmAssociationArn=f["association"]),
        "GetCollaborationMLInputChannel": _collaboration(f, mlInputChannelArn=f["channel"]),
        "GetCollaborationTrainedModel": _collaboration(f, trainedModelArn=f["model"], versionIdentifier=f["version"]),
        "GetConfiguredModelAlgorithm": {"configuredModelAlgorithmArn": f["algorithm"]},
        "GetConfiguredModelAlgorithmAssociation": _member(f, configuredModelAlgorithmAssociationArn=f["association"]),
        "GetMLConfiguration": _member(f),
        "GetMLInputChannel": _member(f, mlInputChannelArn=f["channel"]),
        "GetTrainedModel": _member(f, trainedModelArn=f["model"]),
        "GetTrainedModelInferenceJob": _member(f, trainedModelInferenceJobArn=f["inference_job"]),
        "ListCollaborationConfiguredModelAlgorithmAssociations": _collaboration(f),
        "ListCollaborationMLInputChannels": _collaboration(f, maxResults=1),
        "ListCollaborationTrainedModelExportJobs": _collaboration(f, trainedModelArn=f["model"]),
        "ListCollaborationTrainedModelInferenceJobs": _collaboration(f, trainedModelArn=f["model"]),
        "ListCollaborationTrainedModels": _collaboration(f),
        "ListConfiguredModelAlgorithmAssociations": _member(f),
        "ListConfiguredModelAlgorithms": {},
        "ListMLInputChannels": _member(f),
        "ListTagsForResource": {"resourceArn": f["model"]},
        "ListTrainedModelInferenceJobs": _member(f, trainedModelArn=f["model"],
                                                 trainedModelVersionIdentifier=f["version"]),
        "ListTrainedModelVersions": _member(f, trainedModelArn=f["model"], status="ACTIVE"),
        "ListTrainedModels": _member(f, maxResults=5),
        "PutMLConfiguration": _member(f, defaultOutputLocation=output_location("s3://results/elsewhere")),
        "StartTrainedModelExportJob": _member(f, name="new-export", trainedModelArn=f["model"],
                                              trainedModelVersionIdentifier=f["version"],
                                              outputConfiguration=RECEIVER),
        "StartTrainedModelInferenceJob": inference_request(f["membership"], f["model"], f["channel"], "new-scores"),
        "TagResource": {"resourceArn": f["model"], "tags": {"team": "a b/c"}},
        "UntagResource": {"resourceArn": f["model"], "tagKeys": ["stage"]},
    }, "cleanrooms": {
        "CreateCollaboration": {"members": [{"accountId": "111122223333", "displayName": "partner",
                                             "memberAbilities": []}],
                                "name": "new", "creatorMemberAbilities": ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
                                "creatorDisplayName": "me", "queryLogStatus": "DISABLED"},
        "CreateMembership": {"collaborationIdentifier": f["to_join"], "queryLogStatus": "DISABLED"},
        "GetCollaboration": {"collaborationIdentifier": f["collaboration"]},
        "GetMembership": {"membershipIdentifier": f["membership"]},
        "ListCollaborations": {"memberStatus": "ACTIVE"},
        "ListMemberships": {"status": "ACTIVE"},
    }}


def pending(api, f: dict, operation: str) -> dict:
    """The identifier a cancel needs, of a resource this server is creating right now."""
    if operation == "CancelTrainedModel":
        made = api.create_trained_model(**model_request({"id": f["membership"]}, f["association"],
                                                        {"train": f["channel"]}, name="to-cancel", params=LONG))
        return {"trainedModelArn": made["trainedModelArn"]}
    made = api.start_trained_model_inference_job(**inference_request(f["membership"], f["model"], f["channel"],
                                                                     "to-cancel"))
    return {"trainedModelInferenceJobArn": made["trainedModelInferenceJobArn"]}


def wait_for(read, timeout: float = 120.0) -> dict:
    """Polls `read()` (a boto3 Get) until its status is settled; Clean Rooms ML has no waiters."""
    deadline = time.monotonic() + timeout
    while True:
        view = read()
        if view["status"] in SETTLED or time.monotonic() > deadline:
            return view
        time.sleep(0.1)
