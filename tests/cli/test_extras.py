"""The aml-only commands: demo, show-data-source-statistics, show-evaluation, help sections."""

import json

import pytest

from aml_cli.cli.main import run
from aml_cli.service.context import RequestContext, use_default


@pytest.fixture
def demo_done(monkeypatch, capsys):
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))
    assert run(["demo"]) == 0
    return capsys.readouterr()


def test_demo_trains_and_evaluates_a_model_on_the_bundled_data(demo_done):
    model = json.loads(demo_done.out[: demo_done.out.index("\n}\n") + 2])
    assert model["MLModelId"] == "demo-model"
    assert model["Status"] == "COMPLETED"
    assert model["MLModelType"] == "BINARY"
    auc = float(demo_done.out.split("BinaryAUC = ")[1].split()[0])
    assert 0.7 < auc <= 1.0
    assert "create-ml-model" in demo_done.err


def test_demo_can_run_twice_on_the_same_store(demo_done, capsys):
    assert run(["demo"]) == 0
    assert "BinaryAUC" in capsys.readouterr().out


def test_statistics_as_json_describe_every_attribute(demo_done, capsys):
    assert run(["show-data-source-statistics", "--data-source-id", "demo-train", "--output", "json"]) == 0
    statistics = json.loads(capsys.readouterr().out)
    names = [attribute["name"] for attribute in statistics["attributes"]]
    assert "churn" in names and "total_day_minutes" in names
    assert statistics["rows"] == 3500


def test_statistics_drawn_as_a_table_by_default(demo_done, capsys):
    assert run(["show-data-source-statistics", "--data-source-id", "demo-train"]) == 0
    out = capsys.readouterr().out
    assert "total_day_minutes" in out and "NUMERIC" in out


def test_statistics_of_an_unknown_data_source_is_a_service_error(capsys):
    assert run(["show-data-source-statistics", "--data-source-id", "nope"]) == 254
    assert "ResourceNotFoundException" in capsys.readouterr().err


def test_evaluation_report_as_json_has_the_console_figures(demo_done, capsys):
    assert run(["show-evaluation", "--evaluation-id", "demo-evaluation", "--threshold", "0.3", "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metric"] == "BinaryAUC"
    assert report["at_threshold"]["threshold"] == 0.3
    assert [round(row["threshold"], 1) for row in report["thresholds"]] == [t / 10 for t in range(1, 10)]
    at = report["at_threshold"]
    assert at["true_positives"] + at["false_positives"] + at["true_negatives"] + at["false_negatives"] == 1500


@pytest.mark.parametrize("suffix", ["svg", "html"])
def test_evaluation_report_saved_to_a_file(demo_done, tmp_path, capsys, suffix):
    target = tmp_path / f"report.{suffix}"
    assert run(["show-evaluation", "--evaluation-id", "demo-evaluation", "--save", str(target)]) == 0
    text = target.read_text()
    assert "BinaryAUC" in text
    assert ("<svg" in text) if suffix == "svg" else ("<html" in text.lower())


def test_evaluation_report_refuses_other_file_types(demo_done, tmp_path, capsys):
    assert run(["show-evaluation", "--evaluation-id", "demo-evaluation", "--save", str(tmp_path / "r.pdf")]) == 252


def test_extras_have_their_own_help_section(capsys):
    assert run(["help"]) == 0
    out = capsys.readouterr().out
    commands, extras = out.split("Extras (aml only, not in the AWS API)")
    assert "get-ml-model" in commands and "demo" not in commands
    assert "show-evaluation" in extras and "get-ml-model" not in extras


def test_an_extras_service_error_names_the_extra_as_its_operation(capsys):
    assert run(["show-data-source-statistics", "--data-source-id", "nope"]) == 254
    err = capsys.readouterr().err
    assert "when calling the ShowDataSourceStatistics operation: A data source with ID nope does not exist." in err


def test_a_save_name_of_the_wrong_type_is_refused_before_anything_runs(tmp_path, capsys):
    """No evaluation exists: the name is checked first, so the error is the usage error, not a lookup."""
    assert run(["show-evaluation", "--evaluation-id", "nope", "--save", str(tmp_path / "report.png")]) == 252
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "must end in .svg or .html" in captured.err
    assert not (tmp_path / "report.png").exists()


def test_every_extra_is_declared_once_with_a_summary_and_an_operation_name():
    from aml_cli.cli.extras import EXTRAS

    for name, extra in EXTRAS.items():
        assert extra.name == name and extra.summary.endswith(".")
        assert extra.operation[0].isupper() and "-" not in extra.operation


def _id_only_extras() -> list[str]:
    """Extras whose required options are all IDs: given "nope", each must meet a missing resource."""
    from aml_cli.cli.extras import EXTRAS, extra_command

    found = []
    for name in EXTRAS:
        required = [p for p in extra_command(name).params if p.required]
        if required and all(p.opts[0].endswith("-id") for p in required if hasattr(p, "opts")):
            found.append(name)
    return found


@pytest.mark.parametrize("name", _id_only_extras())
def test_every_extra_names_itself_when_a_resource_is_missing(capsys, name):
    from aml_cli.cli.extras import EXTRAS, extra_command

    argv = [name]
    for param in extra_command(name).params:
        if param.required:
            argv += [param.opts[0], "nope"]
    assert run(argv) == 254
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"An error occurred (ResourceNotFoundException) when calling the {EXTRAS[name].operation} operation: " \
           in captured.err


# infer-schema, and the header warning in show-data-source-statistics


def _people(path):
    colours, keen = ("red", "blue", "green"), ("no", "yes", "yes")
    rows = [f'{i},{20 + i % 50},{colours[i % 3]},"note {i}, with\nits own words",{keen[i % 3]}' for i in range(300)]
    path.write_text("id,age,colour,note,keen\n" + "\n".join(rows) + "\n")
    return path


def test_infer_schema_prints_a_schema_that_a_data_source_reads_to_the_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))
    data = _people(tmp_path / "people.csv")
    assert run(["infer-schema", "--data-location-s3", str(data), "--target", "keen", "--row-id", "id"]) == 0
    printed = capsys.readouterr().out
    document = json.loads(printed)
    assert [(a["attributeName"], a["attributeType"]) for a in document["attributes"]] == [
        ("id", "CATEGORICAL"), ("age", "NUMERIC"), ("colour", "CATEGORICAL"), ("note", "TEXT"), ("keen", "BINARY")]
    assert (document["targetAttributeName"], document["rowId"]) == ("keen", "id")
    schema = tmp_path / "people.csv.schema"
    schema.write_text(printed)
    spec = f"DataLocationS3={data},DataSchemaLocationS3={schema}"
    assert run(["create-data-source-from-s3", "--data-source-id", "people", "--data-spec", spec,
                "--compute-statistics"]) == 0
    capsys.readouterr()
    assert run(["get-data-source", "--data-source-id", "people", "--query", "Status"]) == 0
    assert capsys.readouterr().out.strip() == '"COMPLETED"'


def test_infer_schema_takes_several_excluded_names_and_a_header_override(tmp_path, capsys):
    data = _people(tmp_path / "people.csv")
    argv = ["infer-schema", "--data-location-s3", f"file://{data}", "--excluded", "age", "colour",
            "--data-file-contains-header", "TRUE"]
    assert run(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["excludedAttributeNames"] == ["age", "colour"] and document["dataFileContainsHeader"] is True
    assert run(["infer-schema", "--data-location-s3", str(data), "--data-file-contains-header", "false"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["attributes"][0] == {"attributeName": "Var01", "attributeType": "CATEGORICAL"}


def test_infer_schema_errors_name_the_extra_and_keep_aws_exit_codes(tmp_path, capsys):
    data = _people(tmp_path / "people.csv")
    assert run(["infer-schema", "--data-location-s3", str(data), "--target", "nope"]) == 254
    err = capsys.readouterr().err
    assert "(InvalidInputException) when calling the InferSchema operation: Cannot infer a schema from" in err
    assert 'targetAttributeName "nope" is not one of the columns (id, age, colour, note, keen)' in err
    assert run(["infer-schema"]) == 252
    assert "--data-location-s3" in capsys.readouterr().err
    assert run(["infer-schema", "--data-location-s3", str(tmp_path / "none.csv")]) == 254
    capsys.readouterr()
    assert run(["infer-schema", "--data-location-s3", str(data), "--excluded"]) == 252
    assert "'--excluded' requires an argument" in capsys.readouterr().err


def test_statistics_show_a_header_that_names_fields_differently(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))
    data = _people(tmp_path / "people.csv")
    assert run(["infer-schema", "--data-location-s3", str(data), "--target", "keen"]) == 0
    document = json.loads(capsys.readouterr().out)
    document["attributes"][1]["attributeName"] = "years"
    spec = json.dumps({"DataLocationS3": str(data), "DataSchema": json.dumps(document)})
    assert run(["create-data-source-from-s3", "--data-source-id", "p", "--data-spec", spec,
                "--compute-statistics"]) == 0
    capsys.readouterr()
    assert run(["show-data-source-statistics", "--data-source-id", "p"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("Warning: the header line of people.csv names 1 of its 5 fields differently from the schema (values "
            "are matched by position, as the service did): field 2 is `age` in the header and `years` in the "
            "schema") in out
