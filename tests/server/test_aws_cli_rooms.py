"""The installed aws CLI (v1) as a subprocess against the server for Clean Rooms ML and Clean Rooms: the chain
created, listed and read; timestamps printed as the wire carries them; a missing resource; pagination; the
endpoint from the environment. Each run sees only the variables it is given (the `aws` fixture, like env -i)."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime

import pytest

from aml_cli.service import call
from aml_cli.store import Store
from tests.server.rooms import ACCOUNT
from tests.server.support import AWS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(AWS is None, reason="the aws CLI is not installed")]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ml"
WIRE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # what the server sends, and v1 prints unchanged


@pytest.fixture
def url(rooms, serve):
    return serve(rooms[0]).url


def _json(done) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _text(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _create_membership(aws, url) -> tuple[dict, dict]:
    made = _json(aws("cleanrooms", "create-collaboration", "--name", "cli-study", "--members", "[]",
                     "--creator-member-abilities", "CAN_QUERY", "CAN_RECEIVE_RESULTS",
                     "--creator-ml-member-abilities", "customMLMemberAbilities=CAN_RECEIVE_MODEL_OUTPUT",
                     "--creator-display-name", "me", "--query-log-status", "DISABLED", "--endpoint-url", url))
    collaboration = made["collaboration"]
    assert WIRE_TIME.fullmatch(collaboration["createTime"])
    member = _json(aws("cleanrooms", "create-membership", "--collaboration-identifier", collaboration["id"],
                       "--query-log-status", "DISABLED", "--endpoint-url", url))["membership"]
    seen = _json(aws("cleanrooms", "get-membership", "--membership-identifier", member["id"], "--endpoint-url", url))
    assert seen["membership"] == member
    listed = _json(aws("cleanrooms", "list-collaborations", "--endpoint-url", url))["collaborationList"]
    assert collaboration["id"] in {c["id"] for c in listed}
    return collaboration, member


def _until_active(aws, url, *command: str) -> str:
    """Polls a get command (its --query status) until the resource is settled; Clean Rooms ML has no waiters."""
    deadline = time.monotonic() + 120
    while True:
        status = _text(aws("cleanroomsml", *command, "--query", "status", "--output", "text", "--endpoint-url", url))
        if status not in ("CREATE_PENDING", "CREATE_IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def test_the_chain_is_created_listed_and_read_with_the_cli(aws, url):
    _, member = _create_membership(aws, url)
    m = member["id"]
    algorithm = _text(aws("cleanroomsml", "create-configured-model-algorithm", "--name", "cli-sgd", "--role-arn", ROLE,
                          "--training-container-config", "imageUri=aml/sgd", "--output", "text", "--endpoint-url", url))
    assert _json(aws("cleanroomsml", "get-configured-model-algorithm", "--configured-model-algorithm-arn", algorithm,
                     "--endpoint-url", url))["name"] == "cli-sgd"
    association = _text(aws("cleanroomsml", "create-configured-model-algorithm-association", "--membership-identifier",
                            m, "--configured-model-algorithm-arn", algorithm, "--name", "cli-assoc", "--output",
                            "text", "--endpoint-url", url))
    assert _text(aws("cleanroomsml", "list-configured-model-algorithm-associations", "--membership-identifier", m,
                     "--query", "configuredModelAlgorithmAssociations[].name", "--output", "text",
                     "--endpoint-url", url)) == "cli-assoc"
    source = {"protectedQueryInputParameters": {"sqlParameters": {"queryString": 'SELECT * FROM "ds-1"'}}}
    channel = _text(aws("cleanroomsml", "create-ml-input-channel", "--membership-identifier", m,
                        "--configured-model-algorithm-associations", association, "--name", "cli-train",
                        "--retention-in-days", "7", "--input-channel",
                        json.dumps({"dataSource": source, "roleArn": ROLE}), "--output", "text", "--endpoint-url", url))
    assert _until_active(aws, url, "get-ml-input-channel", "--membership-identifier", m,
                         "--ml-input-channel-arn", channel) == "ACTIVE"
    created = _json(aws("cleanroomsml", "create-trained-model", "--membership-identifier", m, "--name", "cli-model",
                        "--configured-model-algorithm-association-arn", association, "--resource-config",
                        "instanceType=ml.m5.xlarge,volumeSizeInGB=1", "--data-channels",
                        f"mlInputChannelArn={channel},channelName=train", "--hyperparameters",
                        "MLModelType=BINARY,targetAttributeName=y,rowId=id,sgd.maxPasses=2", "--endpoint-url", url))
    arn = created["trainedModelArn"]
    assert _until_active(aws, url, "get-trained-model", "--membership-identifier", m, "--trained-model-arn",
                         arn) == "ACTIVE"
    listed = _json(aws("cleanroomsml", "list-trained-models", "--membership-identifier", m, "--endpoint-url", url))
    assert [(t["name"], t["status"]) for t in listed["trainedModels"]] == [("cli-model", "ACTIVE")]
    versions = _json(aws("cleanroomsml", "list-trained-model-versions", "--membership-identifier", m,
                         "--trained-model-arn", arn, "--endpoint-url", url))["trainedModels"]
    assert [v["versionIdentifier"] for v in versions] == [created["versionIdentifier"]]


def test_timestamps_are_printed_as_the_wire_carries_them(aws, url, rooms):
    home, facts = rooms
    direct = call("GetTrainedModel", {"membershipIdentifier": facts["membership"], "trainedModelArn": facts["model"]},
                  Store(home), service_name="cleanroomsml")
    printed = _json(aws("cleanroomsml", "get-trained-model", "--membership-identifier", facts["membership"],
                        "--trained-model-arn", facts["model"], "--endpoint-url", url))
    for name in ("createTime", "updateTime"):
        instant = datetime.fromtimestamp(direct[name], UTC)
        assert printed[name] == instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
    line = _text(aws("cleanroomsml", "get-trained-model", "--membership-identifier", facts["membership"],
                     "--trained-model-arn", facts["model"], "--query", "[status,createTime]", "--output", "text",
                     "--endpoint-url", url))
    assert line == f"ACTIVE\t{printed['createTime']}"


@pytest.mark.parametrize(("service_name", "command", "operation", "message"), [
    ("cleanroomsml", "get-configured-model-algorithm", "GetConfiguredModelAlgorithm",
     "The configured model algorithm {} does not exist."),
    ("cleanroomsml", "get-trained-model", "GetTrainedModel", "The trained model {} does not exist."),
    ("cleanrooms", "get-collaboration", "GetCollaboration",
     "The collaboration {} does not exist in this account and region.")])
def test_a_missing_resource_exits_255_with_the_services_message(aws, url, rooms, service_name, command, operation,
                                                                 message):
    facts, missing = rooms[1], str(uuid.uuid4())
    arguments = {
        "get-configured-model-algorithm": ["--configured-model-algorithm-arn",
                                           f"arn:aws:cleanrooms-ml:us-east-1:{ACCOUNT}:configured-model-algorithm/"
                                           f"{missing}"],
        "get-trained-model": ["--membership-identifier", facts["membership"], "--trained-model-arn",
                              f"arn:aws:cleanrooms-ml:us-east-1:{ACCOUNT}:membership/{facts['membership']}/"
                              f"trained-model/{missing}"],
        "get-collaboration": ["--collaboration-identifier", missing]}[command]
    done = aws(service_name, command, *arguments, "--endpoint-url", url)
    assert done.returncode == 255 and done.stdout == ""
    assert done.stderr == (f"\nAn error occurred (ResourceNotFoundException) when calling the {operation} operation: "
                           f"{message.format(arguments[-1])}\n")


def test_lists_page_with_max_items_and_starting_token(aws, url, rooms):
    facts = rooms[1]
    listing = ("cleanroomsml", "list-ml-input-channels", "--membership-identifier", facts["membership"],
               "--endpoint-url", url)
    whole = [c["name"] for c in _json(aws(*listing))["mlInputChannelsList"]]
    assert sorted(whole) == ["spare", "train"]
    first = _json(aws(*listing, "--max-items", "1"))
    assert len(first["mlInputChannelsList"]) == 1 and first["NextToken"]
    rest = _json(aws(*listing, "--max-items", "1", "--starting-token", first["NextToken"]))
    assert "NextToken" not in rest
    assert [c["name"] for c in first["mlInputChannelsList"] + rest["mlInputChannelsList"]] == whole
    one_a_page = _json(aws(*listing, "--page-size", "1"))  # the CLI follows the server's own nextToken
    assert [c["name"] for c in one_a_page["mlInputChannelsList"]] == whole and "NextToken" not in one_a_page


@pytest.mark.parametrize(("service_name", "variable"), [
    ("cleanroomsml", "AWS_ENDPOINT_URL"), ("cleanroomsml", "AWS_ENDPOINT_URL_CLEANROOMSML"),
    ("cleanrooms", "AWS_ENDPOINT_URL"), ("cleanrooms", "AWS_ENDPOINT_URL_CLEANROOMS")])
def test_the_endpoint_can_come_from_the_environment(aws, url, rooms, service_name, variable):
    facts = rooms[1]
    command, answer = {
        "cleanroomsml": (["get-configured-model-algorithm", "--configured-model-algorithm-arn", facts["algorithm"],
                          "--query", "name"], "sgd"),
        "cleanrooms": (["get-membership", "--membership-identifier", facts["membership"], "--query",
                        "membership.status"], "ACTIVE")}[service_name]
    assert _text(aws(service_name, *command, "--output", "text", **{variable: url})) == answer
