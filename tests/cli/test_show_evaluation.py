"""show-evaluation's added figures (checked against scikit-learn), n/a for 0/0, offline reports that render."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aml_cli.cli.main import run
from aml_cli.service.context import RequestContext, use_default
from aml_cli.store import Store
from tests.cli.reports import evaluated, network_references, picture


@pytest.fixture(autouse=True)
def sync(monkeypatch):
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))


def _details(evaluation_id: str):
    record = Store().get("Evaluation", evaluation_id)
    with np.load(record["_details_path"], allow_pickle=False) as details:
        return details["y"], details["score"]


def _report(evaluation_id: str, capsys, *extra: str) -> dict:
    assert run(["show-evaluation", "--evaluation-id", evaluation_id, "--output", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_binary_adds_log_loss_accuracy_f1_and_calibration(tmp_path, capsys):
    from sklearn.metrics import accuracy_score, f1_score, log_loss

    report = _report(evaluated("BINARY", tmp_path), capsys)
    y, p = _details("binary")
    figures = report["metrics"]
    assert figures["threshold"] == 0.5
    assert figures["log_loss"] == pytest.approx(log_loss(y, p), abs=1e-9)
    assert figures["accuracy"] == pytest.approx(accuracy_score(y, p >= 0.5))
    assert figures["f1"] == pytest.approx(f1_score(y, p >= 0.5))
    assert sum(row["count"] for row in report["calibration"]) == report["records"] == len(y)
    fullest = max(report["calibration"], key=lambda row: row["count"])
    inside = (p > fullest["low"]) & (p <= fullest["high"])
    assert fullest["count"] == inside.sum() > 0
    assert fullest["observed_rate"] == pytest.approx(y[inside].mean())
    assert fullest["mean_score"] == pytest.approx(p[inside].mean())


def test_the_models_threshold_figures_stay_when_another_threshold_is_asked(tmp_path, capsys):
    evaluation = evaluated("BINARY", tmp_path)
    default, other = _report(evaluation, capsys), _report(evaluation, capsys, "--threshold", "0.9")
    assert default["metrics"] == other["metrics"]
    assert other["at_threshold"]["threshold"] == 0.9


def test_multiclass_adds_accuracy_and_log_loss_from_the_kept_probabilities(tmp_path, capsys):
    from sklearn.metrics import accuracy_score, log_loss

    report = _report(evaluated("MULTICLASS", tmp_path), capsys)
    y, P = _details("multiclass")
    assert P.shape == (len(y), 3)
    assert report["metrics"]["accuracy"] == pytest.approx(accuracy_score(y, P.argmax(axis=1)))
    assert report["metrics"]["log_loss"] == pytest.approx(log_loss(y, P, labels=[0, 1, 2]), abs=1e-9)


def test_an_evaluation_kept_without_probabilities_still_renders_what_it_has(tmp_path, capsys):
    evaluated("MULTICLASS", tmp_path)
    record = Store().get("Evaluation", "multiclass")
    y, P = _details("multiclass")
    np.savez_compressed(record["_details_path"], y=y, score=P.argmax(axis=1), labels=np.array(["high", "low", "mid"]))
    Store().update("Evaluation", "multiclass", {"_artifacts": None})  # as kept by an aml that recorded no checksums
    report = _report("multiclass", capsys)
    assert "log_loss" not in report["metrics"] and report["metrics"]["accuracy"] > 0
    assert run(["show-evaluation", "--evaluation-id", "multiclass"]) == 0
    assert "log loss" not in capsys.readouterr().out


def test_regression_adds_mae_r2_and_a_residual_chart_with_labelled_axes(tmp_path, capsys):
    from sklearn.metrics import mean_absolute_error, r2_score

    report = _report(evaluated("REGRESSION", tmp_path), capsys)
    y, prediction = _details("regression")
    assert report["metrics"]["mae"] == pytest.approx(mean_absolute_error(y, prediction))
    assert report["metrics"]["r2"] == pytest.approx(r2_score(y, prediction))
    assert run(["show-evaluation", "--evaluation-id", "regression"]) == 0
    out = capsys.readouterr().out
    edges = report["residual_histogram"]["edges"]
    assert f"{edges[0]:.4g}" in out and f"{edges[-1]:.4g}" in out and "residual" in out
    assert f"{max(report['residual_histogram']['counts'])} ┤" in out and " 0 ┤" in out
    assert "MAE" in out and "R²" in out


def test_a_rate_with_nothing_to_divide_by_is_shown_as_n_a():
    from rich.console import Console

    from aml_cli.cli.extras.evaluation import _render_binary, ratio
    from aml_cli.ml.metrics import binary_report, calibration

    y, p = np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.4])  # no score reaches 0.5 and above
    report = {"metrics": {"threshold": 0.5, "accuracy": 0.5, "f1": 0.0, "log_loss": 0.7},
              "histograms": {"0": [1], "1": [1]}, "at_threshold": binary_report(y, p, 0.5),
              "thresholds": [binary_report(y, p, t / 10) for t in range(1, 10)], "calibration": calibration(y, p)}
    console = Console(record=True, width=100)
    _render_binary(console, report)
    text = console.export_text()
    row = next(line for line in text.splitlines() if line.startswith("│       0.5"))
    assert row.split("│")[3].strip() == "n/a"  # precision with no predicted positive
    assert ratio(None) == "n/a" and ratio(0.0) == "0.000"
    assert "0.000" not in row.split("│")[3]


@pytest.mark.parametrize("kind", ["BINARY", "MULTICLASS", "REGRESSION"])
def test_saved_reports_load_nothing_from_the_network_and_render(tmp_path, capsys, kind):
    evaluation = evaluated(kind, tmp_path)
    commands = [["show-evaluation", "--evaluation-id", evaluation],
                ["show-ml-model", "--ml-model-id", f"{evaluation}-model"]]
    for number, command in enumerate(commands):
        for suffix in ("svg", "html"):
            target = tmp_path / f"report-{number}.{suffix}"
            assert run([*command, "--save", str(target)]) == 0
            text = target.read_text(encoding="utf-8")
            assert network_references(text) == [], (command, suffix)
            assert "@font-face" not in text and "url(" not in text.replace("url(#", "")
        png = picture(tmp_path / f"report-{number}.svg")
        assert png.stat().st_size > 10_000  # a drawn page, not an empty one
    capsys.readouterr()
