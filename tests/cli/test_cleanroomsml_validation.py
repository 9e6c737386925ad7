"""The validation split of `aml cleanroomsml`: one table of bad inputs, each with its exit code and error code.

As botocore does, the client catches required members, types and minimums (exit 252, "Parameter validation
failed"); maximums, patterns, enums and every rule of the service reach it (exit 254, its error code). A few
rows run as real processes to prove the exit codes scripts see.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from aml_cli.cli.main import run
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
from tests.service.cleanroomsml.support import OTHER_ROLE, ROLE, Chain, hyperparameters, ml

ZERO = "00000000-0000-4000-8000-000000000000"
SGD = "imageUri=aml/sgd"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A chain in one store: membership, association, an ACTIVE channel and model, a failed channel."""
    root = tmp_path_factory.mktemp("validation")
    previous = use_default(RequestContext(synchronous=True))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AML_S3_ROOT", str(root / "s3"))
            store = Store(root / "home")
            chain = Chain(store, root / "data")
            model = chain.model(params=hyperparameters(**{"sgd.maxPasses": "1"}))
            from tests.service.cleanroomsml.support import channel

            failed = channel(store, chain.member, chain.association, "SELECT broken", name="failed")
    finally:
        use_default(previous)
    return SimpleNamespace(home=root / "home", m=chain.member["id"], c=chain.member["collaborationId"],
                           association=chain.association, channel=chain.channel, failed=failed,
                           model=model["trainedModelArn"], algorithm=chain.algorithm, store=store)


@pytest.fixture
def w(world, monkeypatch):
    monkeypatch.setenv("AML_HOME", str(world.home))
    monkeypatch.setenv("AML_SYNC", "1")
    return world


def _model_args(w, *extra: str, name: str = "new", channels: str | None = None) -> list[str]:
    return ["cleanroomsml", "create-trained-model", "--membership-identifier", w.m, "--name", name,
            "--configured-model-algorithm-association-arn", w.association,
            "--resource-config", "instanceType=ml.m5.xlarge,volumeSizeInGB=1",
            "--data-channels", channels or f"mlInputChannelArn={w.channel},channelName=train", *extra]


def _channel_json(query: str = 'SELECT * FROM "ds-1"', role: str = ROLE) -> str:
    return json.dumps({"dataSource": {"protectedQueryInputParameters": {"sqlParameters": {"queryString": query}}},
                       "roleArn": role})


# (id, argv builder, exit code, code or message piece)
CASES = [
    # client side (botocore's validator): required members, types, minimums -> 252
    ("membership-too-short", lambda w: ["cleanroomsml", "list-trained-models", "--membership-identifier", "abc"],
     252, "Invalid length for parameter membershipIdentifier, value: 3, valid min length: 36"),
    ("runtime-zero", lambda w: _model_args(w, "--stopping-condition", "maxRuntimeInSeconds=0"), 252,
     "Invalid value for parameter stoppingCondition.maxRuntimeInSeconds, value: 0, valid min value: 1"),
    ("volume-zero", lambda w: [*_model_args(w)[:-2], "--resource-config", "instanceType=ml.m5.xlarge,volumeSizeInGB=0",
                               *_model_args(w)[-2:]], 252, "valid min value: 1"),
    ("empty-hyperparameter", lambda w: _model_args(w, "--hyperparameters", "MLModelType="), 252,
     "Invalid length for parameter hyperparameters.MLModelType, value: 0, valid min length: 1"),
    ("no-data-channels", lambda w: _model_args(w, channels="[]"), 252,
     "Invalid length for parameter dataChannels, value: 0, valid min length: 1"),
    ("missing-name", lambda w: ["cleanroomsml", "create-configured-model-algorithm", "--role-arn", ROLE], 252,
     "the following arguments are required: --name"),
    ("retention-zero", lambda w: ["cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m,
                                  "--configured-model-algorithm-associations", w.association, "--name", "c",
                                  "--retention-in-days", "0", "--input-channel", _channel_json()], 252,
     "valid min value: 1"),
    ("retention-not-a-number", lambda w: ["cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m,
                                          "--configured-model-algorithm-associations", w.association, "--name", "c",
                                          "--retention-in-days", "week", "--input-channel", _channel_json()], 255,
     "invalid literal for int() with base 10: 'week'"),  # as the AWS CLI: a value it cannot convert is exit 255
    # service side (its own validation): maximums, patterns, enums -> 254 ValidationException
    ("instance-count-9", lambda w: [*_model_args(w)[:-2], "--resource-config",
                                    "instanceType=ml.m5.xlarge,volumeSizeInGB=1,instanceCount=9",
                                    *_model_args(w)[-2:]], 254, "ValidationException"),
    ("bad-instance-type", lambda w: [*_model_args(w)[:-2], "--resource-config", "instanceType=m5.huge,volumeSizeInGB=1",
                                     *_model_args(w)[-2:]], 254, "satisfy enum value set"),
    ("tag-value-300", lambda w: _model_args(w, "--tags", "k=" + "v" * 300), 254,
     "Map value must satisfy constraint: [Member must have length less than or equal to 256]"),
    ("runtime-too-long", lambda w: _model_args(w, "--stopping-condition", "maxRuntimeInSeconds=2419201"), 254,
     "Member must have value less than or equal to 2419200"),
    ("retention-31", lambda w: ["cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m,
                                "--configured-model-algorithm-associations", w.association, "--name", "c",
                                "--retention-in-days", "31", "--input-channel", _channel_json()], 254,
     "less than or equal to 30"),
    ("name-64", lambda w: _model_args(w, name="n" * 64), 254, "length less than or equal to 63"),
    ("membership-not-uuid", lambda w: ["cleanroomsml", "list-trained-models", "--membership-identifier", "x" * 36],
     254, "satisfy regular expression pattern: [0-9a-f]{8}-"),
    ("channel-name-pattern", lambda w: _model_args(w, channels=f"mlInputChannelArn={w.channel},channelName=a b"), 254,
     "satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+"),
    ("environment-key", lambda w: _model_args(w, "--environment", "1BAD=x"), 254,
     "Map keys must satisfy constraint"),
    ("kms-key-pattern", lambda w: _model_args(w, "--kms-key-arn", "arn:aws:kms:us-east-1:000000000000:alias/x"), 254,
     "kmsKeyArn"),
    ("input-mode-enum", lambda w: _model_args(w, "--training-input-mode", "Stream"), 254, "[File, FastFile, Pipe]"),
    ("two-associations", lambda w: ["cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m,
                                    "--configured-model-algorithm-associations", w.association, w.association,
                                    "--name", "c", "--retention-in-days", "3", "--input-channel", _channel_json()],
     254, "length less than or equal to 1"),
    # the service's rules (spec 2.3-2.6) -> 254 with their codes
    ("role-of-another-account", lambda w: ["cleanroomsml", "create-configured-model-algorithm", "--name", "a",
                                           "--role-arn", OTHER_ROLE], 254, "AccessDeniedException"),
    ("channel-role-of-another-account", lambda w: [
        "cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m, "--name", "c",
        "--configured-model-algorithm-associations", w.association, "--retention-in-days", "3",
        "--input-channel", _channel_json(role=OTHER_ROLE)], 254, "AccessDeniedException"),
    ("image-not-built-in", lambda w: ["cleanroomsml", "create-configured-model-algorithm", "--name", "a", "--role-arn",
                                      ROLE, "--training-container-config", "imageUri=my/own:1"], 254,
     "the built-in training images are: aml/sgd"),
    ("unknown-membership", lambda w: [*_model_args(w)[:3], ZERO, *_model_args(w)[4:]], 254,
     "(ResourceNotFoundException)"),
    ("unknown-association", lambda w: [
        *_model_args(w)[:7], w.association.rsplit("/", 1)[0] + "/" + ZERO, *_model_args(w)[8:]], 254,
     "(ResourceNotFoundException)"),
    ("failed-channel", lambda w: _model_args(w, channels=f"mlInputChannelArn={w.failed},channelName=train"), 254,
     "is CREATE_FAILED and cannot be used"),
    ("channel-name-twice", lambda w: _model_args(w, channels=json.dumps(
        [{"mlInputChannelArn": w.channel, "channelName": "train"}] * 2)), 254, "used more than once"),
    ("name-taken", lambda w: _model_args(w, name="model"), 254, "(ConflictException)"),
    ("unknown-base-version", lambda w: _model_args(w, "--incremental-training-data-channels",
                                                   f"trainedModelArn={w.model},versionIdentifier={ZERO},"
                                                   "channelName=base"), 254, "has no version"),
    ("analysis-template", lambda w: ["cleanroomsml", "create-ml-input-channel", "--membership-identifier", w.m,
                                     "--configured-model-algorithm-associations", w.association, "--name", "c",
                                     "--retention-in-days", "3", "--input-channel", json.dumps({
                                         "dataSource": {"protectedQueryInputParameters": {"sqlParameters": {
                                             "analysisTemplateArn": "arn:aws:cleanrooms:us-east-1:000000000000:"
                                                                    "membership/m/analysistemplate/t"}}},
                                         "roleArn": ROLE})], 254, "no analysis templates"),
    ("cancel-active", lambda w: ["cleanroomsml", "cancel-trained-model", "--membership-identifier", w.m,
                                 "--trained-model-arn", w.model], 254, "(ConflictException)"),
    ("inference-without-configuration", lambda w: [
        "cleanroomsml", "start-trained-model-inference-job", "--membership-identifier", w.m, "--name", "j",
        "--trained-model-arn", w.model, "--resource-config", "instanceType=ml.m5.xlarge",
        "--output-configuration", "members=[{accountId=000000000000}]", "--data-source",
        f"mlInputChannelArn={w.channel}"], 254, "PutMLConfiguration"),
    ("export-not-allowed", lambda w: [
        "cleanroomsml", "start-trained-model-export-job", "--membership-identifier", w.m, "--name", "e",
        "--trained-model-arn", w.model, "--output-configuration", "members=[{accountId=000000000000}]"], 254,
     "PutMLConfiguration"),
    ("aws-tag-key", lambda w: ["cleanroomsml", "tag-resource", "--resource-arn", w.algorithm, "--tags", "aws:x=1"],
     254, "reserved prefix 'aws:'"),
    ("out-of-scope-arn", lambda w: ["cleanroomsml", "list-tags-for-resource", "--resource-arn",
                                    "arn:aws:cleanrooms-ml:us-east-1:000000000000:training-dataset/t"], 254,
     "(ResourceNotFoundException)"),
    ("list-not-a-member", lambda w: ["cleanroomsml", "list-ml-input-channels", "--membership-identifier", ZERO], 254,
     "(AccessDeniedException)"),
    ("collaboration-with-self", lambda w: ["cleanrooms", "create-collaboration", "--name", "c",
                                           "--members", "accountId=000000000000,memberAbilities=[],displayName=me",
                                           "--creator-member-abilities", "CAN_QUERY", "--creator-display-name", "me",
                                           "--query-log-status", "DISABLED"], 254, "is a member already"),
]


@pytest.mark.parametrize(("build", "code", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_bad_input_has_its_exit_code_and_error(w, capsys, build, code, expected):
    before = {kind: len(w.store.list(kind)) for kind in ("TrainedModel", "MLInputChannel", "ConfiguredModelAlgorithm")}
    assert run(build(w)) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert expected in captured.err, captured.err
    if code == 252:
        assert "Parameter validation failed" in captured.err or "usage:" in captured.err
    elif code == 254:
        assert captured.err.startswith("\naml: [ERROR]: An error occurred (") and "operation: " in captured.err
    assert before == {kind: len(w.store.list(kind)) for kind in before}  # nothing was made


def test_the_exit_codes_are_those_a_script_sees(w):
    from tests.cli.test_exit_codes import aml

    client = aml("cleanroomsml", "list-trained-models", "--membership-identifier", "abc")
    service = aml("cleanroomsml", "list-trained-models", "--membership-identifier", "x" * 36)
    ok = aml("cleanroomsml", "list-trained-models", "--membership-identifier", w.m, "--query", "length(trainedModels)")
    assert (client.returncode, service.returncode, ok.returncode, ok.stdout) == (252, 254, 0, "1\n")
    assert service.stderr.startswith(
        "\naml: [ERROR]: An error occurred (ValidationException) when calling the ListTrainedModels operation: 1 "
        f"validation error detected: Value '{'x' * 36}' at 'membershipIdentifier' failed to satisfy constraint")


def test_kms_key_resource_config_environment_and_modes_come_back_as_sent(w, capsys):
    kms = "arn:aws:kms:us-east-1:000000000000:key/abc"
    args = _model_args(w, "--kms-key-arn", kms, "--environment", "A=1,B=two", "--training-input-mode", "Pipe",
                       "--hyperparameters", "MLModelType=BINARY,targetAttributeName=y,sgd.maxPasses=1",
                       name="echo", channels=f"mlInputChannelArn={w.channel},channelName=train,"
                                             "s3DataDistributionType=ShardedByS3Key")
    args[args.index("--resource-config") + 1] = "instanceType=ml.p3.2xlarge,volumeSizeInGB=7,instanceCount=3"
    assert run(args) == 0
    arn = json.loads(capsys.readouterr().out)["trainedModelArn"]
    got = ml("GetTrainedModel", {"membershipIdentifier": w.m, "trainedModelArn": arn}, w.store)
    assert (got["kmsKeyArn"], got["environment"], got["trainingInputMode"]) == (kms, {"A": "1", "B": "two"}, "Pipe")
    assert got["resourceConfig"] == {"instanceType": "ml.p3.2xlarge", "volumeSizeInGB": 7, "instanceCount": 3}
    assert got["dataChannels"][0]["s3DataDistributionType"] == "ShardedByS3Key"
