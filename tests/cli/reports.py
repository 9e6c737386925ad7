"""Helpers for the report tests: a small evaluated model of each type, offline checks, pictures of saved reports."""

from __future__ import annotations

import re
from pathlib import Path

from aml_cli.service import call
from tests.service.models_conftest import schema_text, write_csv
from tests.service.test_model_export import frame

SVG_NAMESPACE = 'xmlns="http://www.w3.org/2000/svg"'


def evaluated(kind: str, folder: Path, rows: int = 300) -> str:
    """A model of `kind` trained and evaluated in this process; returns the evaluation's ID (= kind, lower case)."""
    short = kind.lower()
    train, columns = frame(kind, rows, 1)
    test, _ = frame(kind, rows // 2, 2)
    schema = schema_text(columns, "y")
    for name, data, stats in ((f"{short}-train", train, True), (f"{short}-test", test, False)):
        spec = {"DataLocationS3": str(write_csv(folder / f"{name}.csv", data)), "DataSchema": schema}
        call("CreateDataSourceFromS3", {"DataSourceId": name, "DataSpec": spec, "ComputeStatistics": stats})
    call("CreateMLModel", {"MLModelId": f"{short}-model", "MLModelType": kind,
                           "TrainingDataSourceId": f"{short}-train"})
    call("CreateEvaluation", {"EvaluationId": short, "MLModelId": f"{short}-model",
                              "EvaluationDataSourceId": f"{short}-test"})
    assert call("GetEvaluation", {"EvaluationId": short})["Status"] == "COMPLETED"
    return short


def network_references(text: str) -> list[str]:
    """Every http:// or https:// in a saved report, the SVG namespace (a name, never fetched) aside."""
    return re.findall(r"https?://[^\s\"')<>]*", text.replace(SVG_NAMESPACE, ""))


def picture(svg: Path) -> Path:
    """The SVG rendered to PNG beside it (cairosvg, a test dependency), to look at as a person would."""
    import cairosvg

    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png), output_width=1000)
    return png
