"""`show-data-source-statistics` reads well at 80 and 120 columns and piped: nothing collapses into a
column a character or two wide, every attribute name appears whole, no line runs past the width."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from importlib import resources

import pytest
from rich.console import Console

from aml_cli.cli.extras.statistics import render_statistics
from aml_cli.cli.main import run
from aml_cli.service.context import RequestContext, use_default

LONG_NAME = "number_of_calls_to_customer_service_in_the_last_twelve_months"
STATISTICS = {
    "version": 1, "rows": 1200, "invalid_rows": 3, "target": "label",
    "target_distribution": {"spam": 300, "ham": 897},
    "attributes": [
        {"name": "id", "type": "CATEGORICAL", "count": 1200, "missing": 0, "invalid": 0, "distinct": 1200,
         "top": [["a-very-long-identifier-value-that-goes-on-and-on", 1], ["b", 1], ["c", 1]]},
        {"name": LONG_NAME, "type": "NUMERIC", "count": 1190, "missing": 10, "invalid": 0, "min": 0.0,
         "max": 12.0, "mean": 1.62, "std": 1.31, "distinct": 13, "quantiles": [0.0, 0.0, 1.0, 1.0, 2.0, 4.0, 12.0]},
        {"name": "opted_in", "type": "BINARY", "count": 1197, "missing": 0, "invalid": 3, "true": 400, "false": 797},
        {"name": "message", "type": "TEXT", "count": 1150, "missing": 50, "invalid": 0, "tokens": 15000,
         "distinct_tokens": 2100, "mean_tokens": 13.04,
         "top": [["the", 900], ["free", 400], ["call", 380], ["now", 300], ["you", 280]]},
        {"name": "empty_column", "type": "NUMERIC", "count": 0, "missing": 1200, "invalid": 0, "min": None,
         "max": None, "mean": None, "std": None, "distinct": 0, "quantiles": []},
        {"name": "label", "type": "CATEGORICAL", "count": 1197, "missing": 0, "invalid": 3, "distinct": 2,
         "top": [["ham", 897], ["spam", 300]]},
    ],
}


def rendered(width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, color_system=None)
    render_statistics(console, "ds", STATISTICS)
    return console.file.getvalue()


def assert_reads_well(text: str, names: list[str], width: int) -> None:
    lines = text.splitlines()
    assert [line for line in lines if len(line) > width] == []
    cells = [cell.strip() for line in lines for cell in re.split(r"\s{2,}|[│┃|]", line)]
    squeezed = [cell for cell in cells if re.fullmatch(r"[A-Za-z_…]{1,2}", cell) and cell not in names]
    assert squeezed == [], f"cells collapsed to a letter or two: {squeezed}"
    for name in names:
        assert any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", line) for line in lines), f"{name} not whole"


@pytest.mark.parametrize("width", [80, 120])
def test_the_report_reads_well_at_terminal_widths(width):
    text = rendered(width)
    assert_reads_well(text, [a["name"] for a in STATISTICS["attributes"]], width)
    assert re.search(r"^opted_in\s+BINARY\s+1197\s+0\s+3$", text, re.M)  # a table row stays one line
    assert "1: 400 (33.4%), 0: 797 (66.6%)" in text
    assert "min 0, median 1, mean 1.62, max 12, std 1.31, about 13 distinct" in text
    assert "15000 words, 13.0 per record, 2100 distinct" in text
    assert "most frequent: the (900), free (400), call (380), now (300), you (280)" in " ".join(text.split())
    assert "Target: label; spam: 300 (25.1%), ham: 897 (74.9%)" in text
    assert "\nempty_column  NUMERIC\n    no values\n" in text


def test_a_narrow_report_stacks_the_counts_under_each_name():
    text = rendered(44)
    assert_reads_well(text, ["id", "opted_in", "message", "label"], 44)
    assert "opted_in  BINARY\n    count 1197, missing 0, invalid 3\n" in text


@pytest.fixture
def churn_source(monkeypatch):
    """The bundled churn CSV as a data source with statistics (jobs in this process)."""
    monkeypatch.setenv("AML_SYNC", "1")  # for `aml` commands; the service calls below get it from:
    use_default(RequestContext(synchronous=True))
    demo = resources.files("aml_cli") / "demo"
    spec = f"DataLocationS3={demo / 'churn.csv.gz'},DataSchemaLocationS3={demo / 'churn.schema'}"
    assert run(["create-data-source-from-s3", "--data-source-id", "churn", "--data-spec", spec,
                "--compute-statistics"]) == 0
    return ["state", "account_length", "number_customer_service_calls", "churn", "international_plan"]


@pytest.mark.parametrize("width", ["80", "120"])
def test_the_command_reads_well_at_80_and_120_columns(churn_source, monkeypatch, capsys, width):
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", width)
    assert run(["show-data-source-statistics", "--data-source-id", "churn"]) == 0
    text = capsys.readouterr().out
    assert_reads_well(text, churn_source, int(width))
    assert re.search(r"^number_customer_service_calls\s+NUMERIC\s+5000\s+0\s+0$", text, re.M)


def test_the_command_reads_well_piped(churn_source, aml_home):
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    result = subprocess.run(
        [sys.executable, "-m", "aml_cli", "show-data-source-statistics", "--data-source-id", "churn"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, check=False, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_reads_well(result.stdout, churn_source, 80)
    assert max(len(line) for line in result.stdout.splitlines()) > 60  # the 80 columns are used, not fewer
