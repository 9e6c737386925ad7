"""The console's views, in a terminal: data insights and evaluation reports (aml extras).

`--output json` gives the same figures as JSON for scripts; otherwise rich
renders them, and `--save report.svg|.html` writes what was shown to a file.
"""

from __future__ import annotations

import json

from aml_cli.cli.output_stream import write_stdout

BARS = " ▁▂▃▄▅▆▇█"


def _json_out(data: dict, options) -> bool:
    """Reports are drawn by default; `--output json` on the command line asks for JSON instead."""
    if options.output == "json" and "--output" in options.given:
        write_stdout(json.dumps(data, indent=4, ensure_ascii=False) + "\n")
        return True
    return False


def _spark(values: list[float]) -> str:
    if not values:
        return ""
    top = max(values) or 1.0
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)


def _numeric_shape(quantiles: list[float], bins: int = 16) -> list[float]:
    """A histogram read off the quantile grid: equal-width bins, mass = share of quantiles inside."""
    import bisect

    low, high = quantiles[0], quantiles[-1]
    if high <= low:
        return [1.0]
    edges = [low + (high - low) * i / bins for i in range(bins + 1)]
    cuts = [bisect.bisect_right(quantiles, edge) for edge in edges]
    return [float(cuts[i + 1] - cuts[i]) for i in range(bins)]


def _summary(attribute: dict) -> tuple[str, str]:
    kind = attribute["type"]
    if kind == "NUMERIC" and attribute.get("count"):
        text = f"min {attribute['min']:.4g}  mean {attribute['mean']:.4g}  max {attribute['max']:.4g}"
        return text, _spark(_numeric_shape(attribute.get("quantiles") or [attribute["min"], attribute["max"]]))
    if kind == "BINARY":
        true, false = attribute.get("true", 0), attribute.get("false", 0)
        return f"1: {true}  0: {false}", _spark([false, true])
    if kind == "CATEGORICAL":
        top = attribute.get("top", [])[:5]
        shown = ", ".join(f"{value} ({count})" for value, count in top[:3])
        return f"{attribute.get('distinct', 0)} distinct: {shown}", _spark([count for _, count in top])
    if kind == "TEXT":
        top = attribute.get("top", [])[:5]
        shown = ", ".join(str(token) for token, _ in top[:3])
        return f"{attribute.get('tokens', 0)} tokens, {attribute.get('distinct_tokens', 0)} distinct: {shown}", ""
    return "", ""


def show_data_source_statistics(data_source_id: str, options) -> int:
    from aml_cli.service.data_sources import statistics_for_id

    statistics = statistics_for_id(data_source_id)
    if _json_out(statistics, options):
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Data insights: {data_source_id} ({statistics['rows']} records)")
    for column in ("attribute", "type", "count", "missing", "invalid", "summary", "distribution"):
        table.add_column(
            column,
            justify="right" if column in ("count", "missing", "invalid") else "left",
            no_wrap=column in ("attribute", "type", "distribution"),
        )
    for attribute in statistics["attributes"]:
        summary, chart = _summary(attribute)
        name = attribute["name"] + (" (target)" if attribute["name"] == statistics.get("target") else "")
        table.add_row(
            name, attribute["type"], str(attribute.get("count", 0)), str(attribute.get("missing", 0)),
            str(attribute.get("invalid", 0)), summary, chart,
        )
    Console().print(table)
    return 0


def show_evaluation(evaluation_id: str, threshold: float | None, save_path: str | None, options) -> int:
    from aml_cli.service.evaluations import evaluation_report

    report = evaluation_report(evaluation_id, threshold)
    if _json_out(report, options):
        return 0
    from rich.console import Console

    console = Console(record=save_path is not None)
    _render_evaluation(console, report)
    if save_path:
        from aml_cli.cli.usage_errors import UsageError

        if save_path.lower().endswith(".svg"):
            console.save_svg(save_path, title=f"Evaluation {evaluation_id}")
        elif save_path.lower().endswith((".html", ".htm")):
            console.save_html(save_path)
        else:
            raise UsageError("argument --save: the file name must end in .svg or .html")
    return 0


def _render_evaluation(console, report: dict) -> None:
    from rich.table import Table

    console.rule(f"Evaluation {report['EvaluationId']} of {report['MLModelId']} ({report['MLModelType']})")
    console.print(f"{report['metric']}: [bold]{report['value']:.4f}[/]   baseline: {report['baseline']:.4f}")
    kind = report["MLModelType"]
    if kind == "BINARY":
        for label, counts in report["histograms"].items():
            console.print(f"scores of true {label}: {_spark(counts)}")
        at = report["at_threshold"]
        confusion = Table(title=f"At threshold {at['threshold']:.2f}")
        for column in ("", "predicted 1", "predicted 0"):
            confusion.add_column(column)
        confusion.add_row("actual 1", str(at["true_positives"]), str(at["false_negatives"]))
        confusion.add_row("actual 0", str(at["false_positives"]), str(at["true_negatives"]))
        console.print(confusion)
        sweep = Table(title="By threshold")
        for column in ("threshold", "accuracy", "precision", "recall", "F1", "false positive rate"):
            sweep.add_column(column, justify="right")
        for row in report["thresholds"]:
            sweep.add_row(*(f"{row[k]:.3f}" for k in ("threshold", "accuracy", "precision", "recall", "f1",
                                                       "false_positive_rate")))
        console.print(sweep)
    elif kind == "MULTICLASS":
        labels = report["labels"]
        matrix = Table(title="Confusion matrix (rows: actual, columns: predicted)")
        matrix.add_column("")
        for label in labels:
            matrix.add_column(label, justify="right")
        matrix.add_column("F1", justify="right")
        for label, row, f1 in zip(labels, report["confusion"], report["per_class_f1"], strict=True):
            matrix.add_row(label, *(str(v) for v in row), f"{f1:.3f}")
        console.print(matrix)
    else:
        console.print(f"residuals (prediction - actual): {_spark(report['residual_histogram']['counts'])}")
        edges = report["residual_histogram"]["edges"]
        console.print(f"from {edges[0]:.4g} to {edges[-1]:.4g}")
