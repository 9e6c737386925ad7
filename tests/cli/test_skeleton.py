"""Skeletons: byte-identical JSON input, commented YAML input, the fake output."""

import io
import json
from pathlib import Path

import pytest
import yaml

from aml_cli.api import cli_name
from aml_cli.api.docs import first_sentence
from aml_cli.api.machinelearning.docs import MEMBER_DOCS
from aml_cli.cli.skeleton import input_skeleton, output_skeleton, yaml_input_skeleton
from tests.ml_api import operation, operation_names

SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "skeletons"
NAMES = sorted(operation_names())
IDS = [cli_name(name) for name in NAMES]


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_input_skeleton_is_byte_identical_to_the_aws_cli(name):
    expected = SPEC / f"{cli_name(name)}.json"
    assert input_skeleton(operation(name)) == expected.read_text()


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_input_skeleton_equals_botocores_generator_with_the_first_enum_value(name, monkeypatch):
    """Works without the shared spec: v2 takes enum[0] where v1's generator picks at random."""
    utils = pytest.importorskip("botocore.utils")
    session = pytest.importorskip("botocore.session")
    monkeypatch.setattr(utils.random, "choice", lambda values: values[0])
    shape = session.get_session().get_service_model("machinelearning").operation_model(name).input_shape
    expected = json.dumps(utils.ArgumentGenerator().generate_skeleton(shape), indent=4) + "\n"
    assert input_skeleton(operation(name)) == expected


def test_input_skeleton_uses_the_first_enum_value_and_typed_zeros():
    skeleton = json.loads(input_skeleton(operation("DescribeMLModels")))
    assert skeleton["FilterVariable"] == "CreatedAt"
    assert skeleton["SortOrder"] == "asc"
    assert skeleton["Limit"] == 0 and type(skeleton["Limit"]) is int
    update = json.loads(input_skeleton(operation("UpdateMLModel")))
    assert update["ScoreThreshold"] == 0.0 and type(update["ScoreThreshold"]) is float


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_yaml_input_skeleton_parses_back_to_the_json_skeleton(name):
    op = operation(name)
    assert yaml.safe_load(yaml_input_skeleton(op)) == json.loads(input_skeleton(op))


def test_yaml_input_skeleton_comments_required_members_docs_and_enums():
    text = yaml_input_skeleton(operation("CreateMLModel"))
    lines = text.splitlines()
    first_doc = first_sentence(MEMBER_DOCS[("CreateMLModelInput", "MLModelId")])
    assert lines[0] == f"MLModelId: ''  # [REQUIRED] {first_doc}"
    assert lines[1].startswith("MLModelName: '' # ") and "[REQUIRED]" not in lines[1]
    assert lines[2].startswith("MLModelType: REGRESSION # [REQUIRED] ")
    assert lines[2].endswith("Valid values are: REGRESSION, BINARY, MULTICLASS.")
    assert lines[3].startswith("Parameters: # ")
    assert lines[4] == "  KeyName: ''"
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_yaml_input_skeleton_nests_structures_and_lists():
    lines = yaml_input_skeleton(operation("AddTags")).splitlines()
    assert lines[0].startswith("Tags:  # [REQUIRED] ")
    assert lines[1].startswith("- Key: ''  # ")
    assert lines[2].startswith("  Value: '' # ")
    rds = yaml_input_skeleton(operation("CreateDataSourceFromRDS")).splitlines()
    assert "    InstanceIdentifier: ''  # [REQUIRED] " in "\n".join(rds)
    position = next(i for i, line in enumerate(rds) if line.startswith("  SecurityGroupIds:"))
    assert rds[position + 1] == "  - ''"


def test_yaml_comments_hold_only_the_first_sentence():
    text = yaml_input_skeleton(operation("CreateMLModel"))
    full = MEMBER_DOCS[("CreateMLModelInput", "TrainingDataSourceId")]
    assert first_sentence(full) != full
    assert first_sentence(full) in text and full not in text


def test_output_skeleton_fills_strings_with_member_names():
    fake = output_skeleton(operation("GetMLModel"))
    assert list(fake) == list(operation("GetMLModel").output.members)
    assert fake["MLModelId"] == "MLModelId"
    assert fake["Status"] == "Status"  # an enum too gets its member's name
    assert fake["SizeInBytes"] == 0
    assert fake["ScoreThreshold"] == 0.0
    assert fake["CreatedAt"] == "1970-01-01T00:00:00"
    assert fake["EndpointInfo"]["EndpointUrl"] == "EndpointUrl"
    assert fake["EndpointInfo"]["PeakRequestsPerSecond"] == 0
    assert fake["TrainingParameters"] == {"KeyName": ""}


def test_output_skeleton_lists_hold_one_element_and_booleans_are_true():
    fake = output_skeleton(operation("DescribeDataSources"))
    assert len(fake["Results"]) == 1
    assert fake["Results"][0]["ComputeStatistics"] is True
    assert fake["Results"][0]["RDSMetadata"]["Database"]["InstanceIdentifier"] == "InstanceIdentifier"
    assert fake["NextToken"] == "NextToken"
    tags = output_skeleton(operation("DescribeTags"))
    assert tags == {
        "ResourceId": "ResourceId",
        "ResourceType": "ResourceType",
        "Tags": [{"Key": "Key", "Value": "Value"}],
    }


def test_output_skeleton_maps_take_a_sample_of_their_value_type():
    fake = output_skeleton(operation("Predict"))
    assert fake == {
        "Prediction": {
            "predictedLabel": "predictedLabel",
            "predictedValue": 0.0,
            "predictedScores": {"KeyName": 0.0},
            "details": {"KeyName": ""},
        }
    }


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_output_skeleton_matches_botocores_generator_where_values_are_named(name):
    """botocore's generator with member names is the reference (timestamps as text on our side)."""
    utils = pytest.importorskip("botocore.utils")
    session = pytest.importorskip("botocore.session")
    shape = session.get_session().get_service_model("machinelearning").operation_model(name).output_shape
    theirs = json.loads(
        json.dumps(utils.ArgumentGenerator(use_member_names=True).generate_skeleton(shape), default=str)
    )
    theirs_text = json.dumps(theirs).replace("1970-01-01 00:00:00", "1970-01-01T00:00:00")
    assert json.dumps(output_skeleton(operation(name))) == theirs_text


@pytest.mark.parametrize("name", NAMES, ids=IDS)
def test_yaml_input_skeleton_is_what_v2s_yaml_library_writes(name, monkeypatch):
    """Where ruamel.yaml is installed, dump the same commented map as AWS CLI v2 does and compare bytes."""
    import ruamel.yaml as ruamel  # the test extra has it: AWS CLI v2 writes its YAML skeletons with it

    utils = pytest.importorskip("botocore.utils")
    session = pytest.importorskip("botocore.session")
    monkeypatch.setattr(utils.random, "choice", lambda values: values[0])

    class Commented(utils.ArgumentGenerator):
        def _generate_type_structure(self, shape, stack):
            mapping = ruamel.CommentedMap()
            for member, member_shape in shape.members.items():
                mapping[member] = self._generate_skeleton(member_shape, stack, name=member)
                parts = ["[REQUIRED]"] if member in shape.required_members else []
                parts.append(first_sentence(MEMBER_DOCS[(shape.name, member)]))
                if getattr(member_shape, "enum", None):
                    parts.append(f"Valid values are: {', '.join(member_shape.enum)}.")
                mapping.yaml_add_eol_comment("# " + " ".join(parts), member)
            return mapping

        def _generate_type_map(self, shape, stack):
            return dict(super()._generate_type_map(shape, stack))

    shape = session.get_session().get_service_model("machinelearning").operation_model(name).input_shape
    out = io.StringIO()
    ruamel.YAML().dump(Commented().generate_skeleton(shape), out)
    assert yaml_input_skeleton(operation(name)) == out.getvalue()
