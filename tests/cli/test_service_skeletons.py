"""Skeletons of Clean Rooms ML and Clean Rooms: byte-identical to the recorded AWS CLI output, 43 of 43."""

import json
from pathlib import Path

import pytest
import yaml

from aml_cli.api import cli_name, service
from aml_cli.cli.main import run
from aml_cli.cli.skeleton import input_skeleton, output_skeleton, yaml_input_skeleton

DATA = Path(__file__).resolve().parents[1] / "data" / "spec"
SERVICES = ("cleanroomsml", "cleanrooms")
PAIRS = [(name, op) for name in SERVICES for op in service(name).operation_names()]
IDS = [f"{name}-{cli_name(op)}" for name, op in PAIRS]


def test_there_is_a_recorded_skeleton_for_each_of_the_43_commands():
    recorded = {(name, path.stem) for name in SERVICES for path in (DATA / name / "skeletons").glob("*.json")}
    assert recorded == {(name, cli_name(op)) for name, op in PAIRS}
    assert len(recorded) == 43


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_input_skeleton_is_byte_identical_to_the_recorded_one(service_name, op):
    expected = (DATA / service_name / "skeletons" / f"{cli_name(op)}.json").read_text()
    assert input_skeleton(service(service_name).operation(op)) == expected


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_input_skeleton_equals_botocores_generator_with_the_first_enum_value(service_name, op, monkeypatch):
    utils = pytest.importorskip("botocore.utils")
    session = pytest.importorskip("botocore.session")
    monkeypatch.setattr(utils.random, "choice", lambda values: values[0])
    shape = session.get_session().get_service_model(service_name).operation_model(op).input_shape
    expected = json.dumps(utils.ArgumentGenerator().generate_skeleton(shape), indent=4) + "\n"
    assert input_skeleton(service(service_name).operation(op)) == expected


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_the_command_prints_the_skeleton_and_its_yaml_form_parses_back(service_name, op, capsys):
    assert run([service_name, cli_name(op), "--generate-cli-skeleton"]) == 0
    printed = capsys.readouterr().out
    assert printed == (DATA / service_name / "skeletons" / f"{cli_name(op)}.json").read_text()
    described = service(service_name).operation(op)
    assert yaml.safe_load(yaml_input_skeleton(described)) == json.loads(printed)


def test_an_output_skeleton_has_the_response_members(capsys):
    arn = "arn:aws:cleanrooms-ml:us-east-1:000000000000:membership/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    assert run(["cleanroomsml", "get-trained-model", "--membership-identifier", "m" * 36, "--trained-model-arn",
                f"{arn}/trained-model/x", "--generate-cli-skeleton", "output"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == set(service("cleanroomsml").operation("GetTrainedModel").output.members)
    assert printed["createTime"] == "1970-01-01T00:00:00"


@pytest.mark.parametrize(("service_name", "op"), PAIRS, ids=IDS)
def test_output_skeleton_equals_botocores_generator_with_member_names(service_name, op, monkeypatch):
    """What `--generate-cli-skeleton output` prints: botocore's fake response, timestamps as ISO text."""
    import datetime

    utils = pytest.importorskip("botocore.utils")
    session = pytest.importorskip("botocore.session")
    monkeypatch.setattr(utils.random, "choice", lambda values: values[0])

    def plain(value):
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return [plain(item) for item in value] if isinstance(value, list) else value

    shape = session.get_session().get_service_model(service_name).operation_model(op).output_shape
    expected = plain(utils.ArgumentGenerator(use_member_names=True).generate_skeleton(shape)) if shape else {}
    assert output_skeleton(service(service_name).operation(op)) == expected
