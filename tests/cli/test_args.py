"""argv -> request for one operation: options by rule, values, file://, --cli-input-*, errors."""

from __future__ import annotations

import json

import pytest

from aml_cli.cli.args import option_specs, parse_operation_args
from aml_cli.cli.paramfile import ParamFileError, resolve_param_file
from aml_cli.cli.usage_errors import (
    USAGE,
    CliInputConflictError,
    GeneralError,
    ParamParseError,
    UnknownOptionsError,
    UsageError,
    exit_code_for,
    format_cli_error,
    format_param_validation,
)
from tests.ml_api import operation

CREATE = ["--ml-model-id", "m", "--ml-model-type", "BINARY", "--training-data-source-id", "d"]


def parse(op_name: str, *argv: str, **kwargs):
    return parse_operation_args(operation(op_name), list(argv), **kwargs)


def usage_message(op_name: str, *argv: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse(op_name, *argv)
    return caught.value.message


# ------------------------------------------------------------------ options by rule


def test_options_are_named_by_rule_in_model_order_with_required_marked():
    specs = option_specs(operation("CreateMLModel"))
    members = [(s.name, s.member, s.kind, s.required) for s in specs if s.member]
    assert members == [
        ("--ml-model-id", "MLModelId", "value", True),
        ("--ml-model-name", "MLModelName", "value", False),
        ("--ml-model-type", "MLModelType", "value", True),
        ("--parameters", "Parameters", "value", False),
        ("--training-data-source-id", "TrainingDataSourceId", "value", True),
        ("--recipe", "Recipe", "value", False),
        ("--recipe-uri", "RecipeUri", "value", False),
    ]
    assert [s.name for s in specs if not s.member] == [
        "--cli-input-json",
        "--cli-input-yaml",
        "--generate-cli-skeleton",
    ]


def test_booleans_are_flag_pairs_and_lists_take_several_tokens():
    verbose = next(s for s in option_specs(operation("GetMLModel")) if s.member == "Verbose")
    assert (verbose.kind, verbose.negative) == ("flag", "--no-verbose")
    tags = next(s for s in option_specs(operation("AddTags")) if s.member == "Tags")
    assert tags.kind == "list"


def test_paginated_commands_get_pagination_options_and_hide_the_raw_ones():
    specs = option_specs(operation("DescribeMLModels"))
    names = [s.name for s in specs]
    assert names[-4:] == ["--starting-token", "--page-size", "--max-items", "--generate-cli-skeleton"]
    assert {s.name for s in specs if s.hidden} == {"--next-token", "--limit"}
    assert "--max-items" not in [s.name for s in option_specs(operation("DescribeMLModels"), paginated=False)]


def test_option_help_comes_from_the_api_docs_when_they_exist():
    pytest.importorskip("aml_cli.api.docs")
    spec = option_specs(operation("CreateMLModel"))[0]
    assert spec.help
    assert option_specs(operation("DescribeMLModels"))[-2].help.startswith("Stop after")


# ------------------------------------------------------------------ values


def test_equals_form_and_separate_value_form_are_the_same():
    assert parse("GetMLModel", "--ml-model-id=m").request == parse("GetMLModel", "--ml-model-id", "m").request
    assert parse("GetMLModel", "--ml-model-id=a=b").request == {"MLModelId": "a=b"}
    assert parse("DeleteTags", "--resource-id=r", "--resource-type=MLModel", "--tag-keys=a").request["TagKeys"] == ["a"]


def test_an_option_given_twice_keeps_the_last_value():
    assert parse("GetMLModel", "--ml-model-id", "a", "--ml-model-id", "b").request == {"MLModelId": "b"}
    assert parse("GetMLModel", "--ml-model-id", "a", "--verbose", "--no-verbose").request["Verbose"] is False


def test_numbers_are_converted_and_negative_numbers_are_values():
    request = parse("UpdateMLModel", "--ml-model-id", "m", "--score-threshold", "-0.5").request
    assert request == {"MLModelId": "m", "ScoreThreshold": -0.5}
    assert parse("DescribeMLModels", "--limit", "-3").request == {"Limit": -3}


def test_a_value_that_looks_like_an_option_is_a_missing_argument():
    assert usage_message("GetMLModel", "--ml-model-id", "--verbose") == "argument --ml-model-id: expected one argument"
    assert usage_message("GetMLModel", "--ml-model-id") == "argument --ml-model-id: expected one argument"
    assert parse("GetMLModel", "--ml-model-id", "-x y").request == {"MLModelId": "-x y"}


def test_a_list_option_given_bare_sends_an_empty_list_as_the_aws_cli_does():
    parsed = parse("DeleteTags", "--resource-id", "r", "--tag-keys", "--resource-type", "MLModel")
    assert parsed.request == {"TagKeys": [], "ResourceId": "r", "ResourceType": "MLModel"}


def test_a_flag_refuses_an_explicit_value():
    assert usage_message("GetMLModel", "--ml-model-id", "m", "--verbose=yes") == (
        "argument --verbose: ignored explicit argument 'yes'"
    )


def test_bad_float_is_a_usage_error_but_bad_int_is_a_general_error():
    message = usage_message("UpdateMLModel", "--ml-model-id", "m", "--score-threshold", "high")
    assert message == "argument --score-threshold: invalid float value: 'high'"
    with pytest.raises(GeneralError) as caught:
        parse("DescribeMLModels", "--limit", "five")
    assert str(caught.value) == "invalid literal for int() with base 10: 'five'"
    assert exit_code_for(caught.value) == 255


def test_page_size_and_max_items_are_argparse_integers():
    assert usage_message("DescribeMLModels", "--page-size", "abc") == "argument --page-size: invalid int value: 'abc'"
    assert usage_message("DescribeMLModels", "--max-items", "1.5") == "argument --max-items: invalid int value: '1.5'"
    parsed = parse("DescribeMLModels", "--page-size", "2", "--max-items", "5", "--starting-token", "tok")
    assert (parsed.page_size, parsed.max_items, parsed.starting_token) == (2, 5, "tok")
    assert parsed.request == {} and not parsed.raw_pagination


def test_next_token_or_limit_switch_to_raw_pagination_from_flags_or_input_document():
    assert parse("DescribeMLModels", "--next-token", "x").raw_pagination
    assert parse("DescribeMLModels", "--cli-input-json", '{"Limit": 3}').raw_pagination
    assert not parse("DescribeMLModels", "--eq", "x").raw_pagination


def test_pagination_options_are_unknown_to_commands_without_a_paginator():
    with pytest.raises(UnknownOptionsError) as caught:
        parse("GetMLModel", "--ml-model-id", "m", "--max-items", "3")
    assert caught.value.tokens == ["--max-items", "3"]


def test_structures_take_json_or_shorthand_but_not_a_json_list():
    json_form = parse("CreateDataSourceFromS3", "--data-source-id", "d", "--data-spec", '{"DataLocationS3": "s3://b"}')
    short_form = parse("CreateDataSourceFromS3", "--data-source-id", "d", "--data-spec", "DataLocationS3=s3://b")
    assert json_form.request == short_form.request
    with pytest.raises(ParamParseError) as caught:
        parse("CreateDataSourceFromS3", "--data-source-id", "d", "--data-spec", "[1]")
    assert str(caught.value) == "Error parsing parameter '--data-spec': Invalid JSON:\n[1]"


def test_json_values_keep_their_own_types_for_validation_to_judge():
    request = parse("CreateMLModel", *CREATE, "--parameters", '{"a": 1}').request
    assert request["Parameters"] == {"a": 1}


def test_list_of_structures_after_a_shorthand_token_reads_json_as_shorthand_too():
    """What awscli 1.46 prints for `--tags Key=a '{"Key": "b", "Value": "c"}'` (a mix was accepted before)."""
    with pytest.raises(ParamParseError) as caught:
        parse("AddTags", "--resource-id", "r", "--resource-type", "MLModel", "--tags", "Key=a",
              '{"Key": "b", "Value": "c"}')
    assert str(caught.value) == (
        "Error parsing parameter '--tags': Expected: '=', received: '{' for input:\n"
        '{"Key": "b", "Value": "c"}\n^'
    )


def test_bad_shorthand_names_the_parameter_and_shows_a_caret():
    with pytest.raises(ParamParseError) as caught:
        parse("CreateMLModel", *CREATE, "--parameters", "a")
    assert str(caught.value) == (
        "Error parsing parameter '--parameters': Expected: '=', received: 'EOF' for input:\na\n ^"
    )


# ------------------------------------------------------------------ file:// and fileb://


def test_file_values_keep_their_trailing_newline_and_fileb_gives_bytes(tmp_path):
    (tmp_path / "id.txt").write_text("m-1\n")
    (tmp_path / "id.bin").write_bytes(b"\x00\xff")
    assert parse("GetMLModel", "--ml-model-id", f"file://{tmp_path}/id.txt").request == {"MLModelId": "m-1\n"}
    assert parse("GetMLModel", "--ml-model-id", f"fileb://{tmp_path}/id.bin").request == {"MLModelId": b"\x00\xff"}


def test_file_values_work_for_structures_and_lists(tmp_path):
    (tmp_path / "spec.json").write_text('{"DataLocationS3": "s3://b/k"}')
    (tmp_path / "keys.json").write_text('["a", "b"]')
    request = parse("CreateDataSourceFromS3", "--data-source-id", "d", "--data-spec", f"file://{tmp_path}/spec.json")
    assert request.request["DataSpec"] == {"DataLocationS3": "s3://b/k"}
    argv = ["--resource-id", "r", "--resource-type", "MLModel", "--tag-keys", f"file://{tmp_path}/keys.json"]
    assert parse("DeleteTags", *argv).request["TagKeys"] == ["a", "b"]


def test_a_missing_file_is_a_parameter_parse_error_naming_the_file(tmp_path):
    with pytest.raises(ParamParseError) as caught:
        parse("GetMLModel", "--ml-model-id", "file://nope.txt")
    assert str(caught.value) == (
        "Error parsing parameter '--ml-model-id': Unable to load paramfile file://nope.txt: "
        "[Errno 2] No such file or directory: 'nope.txt'"
    )
    assert exit_code_for(caught.value) == 252


def test_paramfile_expands_home_and_variables(tmp_path, monkeypatch):
    (tmp_path / "v.txt").write_text("value")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AML_TEST_DIR", str(tmp_path))
    assert resolve_param_file("file://~/v.txt") == "value"
    assert resolve_param_file("file://$AML_TEST_DIR/v.txt") == "value"


def test_paramfile_refuses_undecodable_text_and_leaves_other_prefixes_alone(tmp_path):
    (tmp_path / "b.bin").write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(ParamFileError) as caught:
        resolve_param_file(f"file://{tmp_path}/b.bin")
    assert str(caught.value) == (
        f"Unable to load paramfile ({tmp_path}/b.bin), text contents could not be decoded.  "
        "If this is a binary file, please use the fileb:// prefix instead of the file:// prefix."
    )
    assert resolve_param_file("https://example.com/x") == "https://example.com/x"
    assert resolve_param_file("s3://b/k") == "s3://b/k"


# ------------------------------------------------------------------ required, unknown, skeleton


def test_missing_required_options_are_listed_in_model_order():
    message = usage_message("CreateMLModel", "--training-data-source-id", "d")
    assert message == "the following arguments are required: --ml-model-id, --ml-model-type"


def test_missing_required_is_reported_before_unknown_options():
    assert usage_message("GetMLModel", "--foo") == "the following arguments are required: --ml-model-id"


def test_unknown_options_lists_every_leftover_token_with_values():
    with pytest.raises(UnknownOptionsError) as caught:
        parse("GetMLModel", "stray", "--ml-model-id", "m", "--foo", "bar", "--baz=1")
    assert caught.value.tokens == ["stray", "--foo", "bar", "--baz=1"]


@pytest.mark.parametrize(("argv", "expected"), [([], "input"), (["input"], "input"), (["yaml-input"], "yaml-input")])
def test_input_skeleton_switches_off_required_checks(argv, expected):
    assert parse("CreateMLModel", "--generate-cli-skeleton", *argv).skeleton == expected


def test_output_skeleton_still_requires_the_required_options():
    message = usage_message("GetMLModel", "--generate-cli-skeleton", "output")
    assert message == "the following arguments are required: --ml-model-id"
    assert parse("GetMLModel", "--ml-model-id", "m", "--generate-cli-skeleton", "output").skeleton == "output"


def test_skeleton_refuses_an_unknown_kind():
    message = usage_message("GetMLModel", "--generate-cli-skeleton", "inptu")
    assert message == "argument --generate-cli-skeleton: Found invalid choice 'inptu'\n\nMaybe you meant:\n\n  * input"


# ------------------------------------------------------------------ --cli-input-json / --cli-input-yaml


def test_cli_input_json_fills_only_what_the_flags_did_not_set():
    document = json.dumps({"MLModelId": "from-doc", "Verbose": True})
    parsed = parse("GetMLModel", "--cli-input-json", document, "--ml-model-id", "from-flag")
    assert parsed.request == {"MLModelId": "from-flag", "Verbose": True}
    assert parsed.cli_input


def test_cli_input_switches_off_required_checks_and_reads_files(tmp_path):
    (tmp_path / "in.yaml").write_text("MLModelId: m\nVerbose: false\n")
    parsed = parse("GetMLModel", "--cli-input-yaml", f"file://{tmp_path}/in.yaml")
    assert parsed.request == {"MLModelId": "m", "Verbose": False}
    assert parse("CreateMLModel", "--cli-input-json", "{}").request == {}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--cli-input-json", "{not json", "Error parsing parameter 'cli-input-json': Invalid JSON received."),
        (
            "--cli-input-json",
            "[1]",
            "Error parsing parameter '--cli-input-json': Invalid type: expecting map, received <class 'list'>",
        ),
        ("--cli-input-yaml", "a: [", "Error parsing parameter 'cli-input-yaml': Invalid YAML received."),
        (
            "--cli-input-yaml",
            "- 1",
            "Error parsing parameter '--cli-input-yaml': Invalid type: expecting map, received <class 'list'>",
        ),
        (
            "--cli-input-json",
            "file:///no/such.json",
            "Error parsing parameter '--cli-input-json': Unable to load "
            "paramfile file:///no/such.json: [Errno 2] No such file or directory: '/no/such.json'",
        ),
    ],
)
def test_cli_input_errors_match_the_aws_cli(option, value, message):
    with pytest.raises(ParamParseError) as caught:
        parse("GetMLModel", option, value)
    assert str(caught.value) == message
    assert exit_code_for(caught.value) == 252


def test_unsafe_yaml_tags_are_refused_and_never_constructed(tmp_path):
    marker = tmp_path / "constructed"
    document = f'MLModelId: !!python/object/apply:os.system ["touch {marker}"]'
    with pytest.raises(ParamParseError, match="Invalid YAML received"):
        parse("GetMLModel", "--cli-input-yaml", document)
    with pytest.raises(ParamParseError, match="Invalid YAML received"):
        parse("GetMLModel", "--cli-input-yaml", "MLModelId: !!python/object:builtins.object {}")
    assert not marker.exists()


def test_only_one_cli_input_document_may_be_given():
    with pytest.raises(CliInputConflictError) as caught:
        parse("GetMLModel", "--cli-input-json", "{}", "--cli-input-yaml", "{}")
    assert str(caught.value) == "Only one --cli-input- parameter may be specified."
    assert exit_code_for(caught.value) == 252


# ------------------------------------------------------------------ stderr text


def test_usage_error_text_is_framed_with_the_aml_usage():
    text = format_cli_error(UsageError("the following arguments are required: --ml-model-id"))
    assert text == (
        "\naml: [ERROR]: An error occurred (ParamValidation): the following arguments are required: --ml-model-id"
        "\n\nusage: aml [options] <command> <subcommand> [<subcommand> ...] [parameters]\n"
        "To see help text, you can run:\n\n  aml help\n  aml <command> help\n  aml <command> <subcommand> help\n"
    )
    assert USAGE.startswith("usage: aml [options]")


def test_unknown_options_text_puts_the_usage_first():
    text = format_cli_error(UnknownOptionsError(["--foo", "bar"]))
    assert text == f"\n{USAGE}\n\naml: [ERROR]: Unknown options: --foo, bar\n"


def test_parse_and_general_error_texts():
    assert format_cli_error(ParamParseError("--parameters", "Invalid JSON: x\nJSON received: {  ")) == (
        "\naml: [ERROR]: An error occurred (ParamValidation): Error parsing parameter '--parameters': "
        "Invalid JSON: x\nJSON received: {\n"
    )
    assert format_cli_error(GeneralError("invalid literal for int() with base 10: 'five'")) == (
        "\naml: [ERROR]: invalid literal for int() with base 10: 'five'\n"
    )
    assert format_cli_error(ParamParseError("--x", "bad"), error_format="legacy") == (
        "\naml: [ERROR]: Error parsing parameter '--x': bad\n"
    )


def test_param_validation_text_lists_each_problem():
    validate = pytest.importorskip("aml_cli.api.validate")
    err = validate.ParamValidationError(['Missing required parameter in input: "MLModelId"'])
    expected = (
        "\naml: [ERROR]: An error occurred (ParamValidation): Parameter validation failed:\n"
        'Missing required parameter in input: "MLModelId"\n'
    )
    assert format_param_validation(err) == expected
    assert format_cli_error(err) == expected
    assert exit_code_for(err) == 252


def test_a_list_option_decides_json_or_shorthand_once_from_its_first_value():
    """`--tags Key=a,Value=b '[{"Key": "c"}]'`: the second value is read as shorthand too, as the AWS CLI does."""
    with pytest.raises(ParamParseError) as caught:
        parse("AddTags", "--resource-id", "r", "--resource-type", "MLModel",
              "--tags", "Key=a,Value=b", '[{"Key": "c"}]')
    assert str(caught.value).startswith("Error parsing parameter '--tags': Expected: '=', received: '['")
    request = parse("AddTags", "--resource-id", "r", "--resource-type", "MLModel",
                    "--tags", '{"Key": "a", "Value": "b"}', '{"Key": "c"}').request
    assert request["Tags"] == [{"Key": "a", "Value": "b"}, {"Key": "c"}]
    with pytest.raises(ParamParseError, match="Invalid JSON"):
        parse("AddTags", "--resource-id", "r", "--resource-type", "MLModel", "--tags", '{"Key": "a"}', "Key=c")
