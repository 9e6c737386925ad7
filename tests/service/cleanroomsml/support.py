"""The Clean Rooms ML chain for service tests: collaboration, membership, data source, algorithm, association,
channel, trained model, each made through `aml_cli.service.call` as a user's script would."""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path

from aml_cli.service import call

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ml"
OTHER_ROLE = "arn:aws:iam::111122223333:role/ml"
RESOURCE_CONFIG = {"instanceType": "ml.m5.xlarge", "volumeSizeInGB": 1}
SCHEMA = {"id": "NUMERIC", "x1": "NUMERIC", "x2": "NUMERIC", "color": "CATEGORICAL", "y": "BINARY"}
FINAL = {"ACTIVE", "CREATE_FAILED", "INACTIVE", "CANCEL_FAILED", "DELETE_FAILED"}


def ml(operation: str, request: dict, store=None, context=None) -> dict:
    return call(operation, request, store, service_name="cleanroomsml", context=context)


def cr(operation: str, request: dict, store=None, context=None) -> dict:
    return call(operation, request, store, service_name="cleanrooms", context=context)


def rows(count: int, seed: int = 1, start: int = 0, shift: float = 0.0) -> list[list]:
    """A learnable BINARY set: y depends on x1, x2 and whether color is red."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + count):
        x1, x2, color = rng.gauss(shift, 1), rng.gauss(0, 1), rng.choice(("red", "green", "blue"))
        y = int(x1 + 0.5 * x2 + (color == "red") + rng.gauss(0, 0.5) > 0.5)
        out.append([i, round(x1, 4), round(x2, 4), color, y])
    return out


def schema_text(columns: dict[str, str] = SCHEMA, target: str | None = "y", row_id: str | None = "id") -> str:
    return json.dumps({"version": "1.0", "targetAttributeName": target, "rowId": row_id, "dataFormat": "CSV",
                       "dataFileContainsHeader": True,
                       "attributes": [{"attributeName": n, "attributeType": t} for n, t in columns.items()]})


def data_source(store, folder: Path, source_id: str = "ds-1", data: list[list] | None = None,
                columns: dict[str, str] = SCHEMA, **extra) -> str:
    """A COMPLETED Amazon ML data source with statistics (jobs run inline in service tests)."""
    path = folder / f"{source_id}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(columns))
        writer.writerows(data if data is not None else rows(600))
    call("CreateDataSourceFromS3", {"DataSourceId": source_id, "ComputeStatistics": True,
                                    "DataSpec": {"DataLocationS3": str(path), "DataSchema": schema_text(columns),
                                                 **extra}}, store)
    return source_id


def membership(store, abilities=("CAN_QUERY", "CAN_RECEIVE_RESULTS"),
               ml_abilities=("CAN_RECEIVE_MODEL_OUTPUT", "CAN_RECEIVE_INFERENCE_OUTPUT"), members=()) -> dict:
    request = {"members": list(members), "name": "demo", "creatorMemberAbilities": list(abilities),
               "creatorDisplayName": "me", "queryLogStatus": "DISABLED"}
    if ml_abilities:
        request["creatorMLMemberAbilities"] = {"customMLMemberAbilities": list(ml_abilities)}
    collaboration = cr("CreateCollaboration", request, store)["collaboration"]
    return cr("CreateMembership", {"collaborationIdentifier": collaboration["id"], "queryLogStatus": "DISABLED"},
              store)["membership"]


def algorithm(store, image: str = "aml/sgd", **extra) -> str:
    request = {"name": "sgd", "roleArn": ROLE, "trainingContainerConfig": {"imageUri": image}, **extra}
    return ml("CreateConfiguredModelAlgorithm", request, store)["configuredModelAlgorithmArn"]


def association(store, member: dict, algorithm_arn: str | None = None, **extra) -> str:
    request = {"membershipIdentifier": member["id"], "configuredModelAlgorithmArn": algorithm_arn or algorithm(store),
               "name": "assoc", **extra}
    return ml("CreateConfiguredModelAlgorithmAssociation", request, store)["configuredModelAlgorithmAssociationArn"]


def channel_request(member: dict, association_arn: str, query: str, name: str = "ch", retention: int = 7,
                    **extra) -> dict:
    return {"membershipIdentifier": member["id"], "configuredModelAlgorithmAssociations": [association_arn],
            "inputChannel": {"dataSource": {"protectedQueryInputParameters": {"sqlParameters": {"queryString": query}}},
                             "roleArn": ROLE},
            "name": name, "retentionInDays": retention, **extra}


def channel(store, member: dict, association_arn: str, query: str = 'SELECT * FROM "ds-1"', **extra) -> str:
    return ml("CreateMLInputChannel", channel_request(member, association_arn, query, **extra),
              store)["mlInputChannelArn"]


def hyperparameters(**overrides: str) -> dict:
    return {"MLModelType": "BINARY", "targetAttributeName": "y", "rowId": "id", **overrides}


def model_request(member: dict, association_arn: str, channels: dict[str, str], name: str = "model",
                  params: dict | None = None, **extra) -> dict:
    return {"membershipIdentifier": member["id"], "name": name, "configuredModelAlgorithmAssociationArn":
            association_arn, "resourceConfig": RESOURCE_CONFIG,
            "dataChannels": [{"mlInputChannelArn": arn, "channelName": n} for n, arn in channels.items()],
            "hyperparameters": params if params is not None else hyperparameters(), **extra}


def trained_model(store, member: dict, association_arn: str, channels: dict[str, str], **extra) -> dict:
    return ml("CreateTrainedModel", model_request(member, association_arn, channels, **extra), store)


def get_model(store, member: dict, arn: str, version: str | None = None) -> dict:
    request = {"membershipIdentifier": member["id"], "trainedModelArn": arn}
    if version:
        request["versionIdentifier"] = version
    return ml("GetTrainedModel", request, store)


def wait_model(store, member: dict, arn: str, version: str, statuses=FINAL, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        view = get_model(store, member, arn, version)
        if view["status"] in statuses or time.monotonic() > deadline:
            return view
        time.sleep(0.05)


class Chain:
    """Everything up to an ACTIVE channel over `ds-1`."""

    def __init__(self, store, folder: Path, data: list[list] | None = None) -> None:
        self.store = store
        data_source(store, folder, data=data)
        self.member = membership(store)
        self.algorithm = algorithm(store)
        self.association = association(store, self.member, self.algorithm)
        self.channel = channel(store, self.member, self.association)

    def model(self, **extra) -> dict:
        channels = extra.pop("channels", {"train": self.channel})
        return trained_model(self.store, self.member, self.association, channels, **extra)

    def get(self, arn: str, version: str | None = None) -> dict:
        return get_model(self.store, self.member, arn, version)
