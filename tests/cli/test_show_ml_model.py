"""aml show-ml-model and aml export-ml-model from the command line."""

from __future__ import annotations

import json

import pytest

from aml_cli.cli.main import run
from aml_cli.service import call
from aml_cli.service.context import RequestContext, use_default
from tests.cli.reports import network_references
from tests.service.models_conftest import schema_text, write_csv
from tests.service.test_model_export import frame


@pytest.fixture
def model(monkeypatch, tmp_path, capsys) -> str:
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))
    train, columns = frame("BINARY", 300, 1)
    spec = {"DataLocationS3": str(write_csv(tmp_path / "t.csv", train)), "DataSchema": schema_text(columns, "y")}
    call("CreateDataSourceFromS3", {"DataSourceId": "train", "DataSpec": spec, "ComputeStatistics": True})
    call("CreateMLModel", {"MLModelId": "m", "MLModelName": "refunds", "MLModelType": "BINARY",
                           "TrainingDataSourceId": "train", "Parameters": {"sgd.maxPasses": "4"}})
    capsys.readouterr()
    return "m"


def test_the_report_draws_the_curve_the_features_and_the_recipe(model, capsys):
    assert run(["show-ml-model", "--ml-model-id", model, "--top", "12"]) == 0
    out = capsys.readouterr().out
    assert "Model m: refunds (BINARY)" in out
    assert "mean training loss per pass" in out and "pass" in out.split("└")[1]
    assert "┤" in out and "█" in out
    assert "Features pushing toward class 1" in out and "Features pushing toward class 0" in out
    assert 'word "refund" in message' in out
    assert "none pruned" in out and "Recipe used" in out


def test_the_report_as_json_has_the_same_figures(model, capsys):
    assert run(["show-ml-model", "--ml-model-id", model, "--output", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["MLModelId"] == "m" and len(report["training"]["pass_losses"]) <= 4
    assert [group["class"] for group in report["top_features"]] == ["1", "0"]
    assert len(report["top_features"][0]["features"]) == 10


@pytest.mark.parametrize("suffix", ["svg", "html"])
def test_the_report_saved_to_a_file_loads_nothing_from_the_network(model, tmp_path, capsys, suffix):
    target = tmp_path / f"model.{suffix}"
    assert run(["show-ml-model", "--ml-model-id", model, "--save", str(target)]) == 0
    text = target.read_text()
    assert "pushing" in text and "toward" in text
    assert network_references(text) == []


def test_a_bad_save_name_is_refused_before_anything_runs(tmp_path, capsys):
    assert run(["show-ml-model", "--ml-model-id", "nope", "--save", str(tmp_path / "r.png")]) == 252
    captured = capsys.readouterr()
    assert captured.out == "" and "must end in .svg or .html" in captured.err


def test_an_unknown_model_is_a_service_error_naming_the_extra(capsys):
    assert run(["show-ml-model", "--ml-model-id", "nope"]) == 254
    assert ("An error occurred (ResourceNotFoundException) when calling the ShowMLModel operation: "
            "A model with ID nope does not exist.") in capsys.readouterr().err


def test_export_writes_the_document_and_prints_where(model, tmp_path, capsys):
    target = tmp_path / "m.json"
    assert run(["export-ml-model", "--ml-model-id", model, "--to", str(target)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["Location"] == str(target) and answer["Features"] > 0
    assert json.loads(target.read_text())["format"] == "aml-model-export"


def test_export_refuses_a_name_that_is_not_json_before_reading_the_model(tmp_path, capsys):
    assert run(["export-ml-model", "--ml-model-id", "nope", "--to", str(tmp_path / "m.txt")]) == 252
    assert "must end in .json" in capsys.readouterr().err
    assert not (tmp_path / "m.txt").exists()


def test_export_into_the_store_is_refused_with_the_service_exit_code(model, aml_home, capsys):
    assert run(["export-ml-model", "--ml-model-id", model, "--to", str(aml_home / "artifacts" / "m.json")]) == 254
    err = capsys.readouterr().err
    assert "when calling the ExportMLModel operation" in err and "inside the aml store" in err


def test_a_model_trained_before_losses_were_kept_still_shows_the_rest(model, capsys):
    from aml_cli.store import Store

    Store().modify("MLModel", model, lambda record: {k: v for k, v in record.items() if k != "_training"})
    assert run(["show-ml-model", "--ml-model-id", model]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Training: 300 rows; the loss of each pass was not recorded for this model." in out
    assert "pruning not recorded" in out
    assert "Features pushing toward class 1" in out


def test_names_survive_a_training_data_source_whose_statistics_are_gone(model, capsys):
    import os

    from aml_cli.store import Store

    os.unlink(Store().get("DataSource", "train")["_statistics_path"])
    assert run(["show-ml-model", "--ml-model-id", model, "--output", "json"]) == 0
    names = [item["feature"] for group in json.loads(capsys.readouterr().out)["top_features"]
             for item in group["features"]]
    assert any(name.startswith(("age ", "income ", "plan ")) for name in names)
