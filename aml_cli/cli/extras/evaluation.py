"""`aml show-evaluation`: an evaluation as the service's console showed it, and more; `--save report.svg|.html`."""

from __future__ import annotations

from aml_cli.cli.extras.charts import column_chart, json_out, save_option_check, save_report, show_table, spark

SAVE_SUFFIXES = (".svg", ".html", ".htm")


def command():
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("show-evaluation", help=EXTRAS["show-evaluation"].summary)
    @click.option("--evaluation-id", required=True, help="A COMPLETED evaluation.")
    @click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
                  help="Score cut-off for the confusion matrix (BINARY; default: the model's ScoreThreshold).")
    @click.option("--save", "save_path", default=None, callback=save_option_check,
                  help="Also write the report to an .svg or .html file.")
    @click.pass_obj
    def show(options, evaluation_id: str, threshold: float | None, save_path: str | None) -> int:
        return show_evaluation(evaluation_id, threshold, save_path, options)

    return show


def show_evaluation(evaluation_id: str, threshold: float | None, save_path: str | None, options) -> int:
    from aml_cli.cli.invoke import call_service

    request = {"EvaluationId": evaluation_id, **({"Threshold": threshold} if threshold is not None else {})}
    report = call_service("ShowEvaluation", request, options)
    if json_out(report, options):
        return 0
    save_report(lambda console: _render_evaluation(console, report), save_path, f"Evaluation {evaluation_id}")
    return 0


def ratio(value: float | None) -> str:
    """A rate for the tables: 0/0 is undefined, shown as n/a rather than a misleading 0.000."""
    return "n/a" if value is None else f"{value:.3f}"


def _render_evaluation(console, report: dict) -> None:
    console.rule(f"Evaluation {report['EvaluationId']} of {report['MLModelId']} ({report['MLModelType']})")
    console.print(f"{report['metric']}: [bold]{report['value']:.4f}[/]   baseline: {report['baseline']:.4f}   "
                  f"records: {report['records']}")
    kind = report["MLModelType"]
    if kind == "BINARY":
        _render_binary(console, report)
    elif kind == "MULTICLASS":
        _render_multiclass(console, report)
    else:
        _render_regression(console, report)


def _render_binary(console, report: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    figures = report["metrics"]
    console.print(Text(f"At the model's threshold {figures['threshold']:.2f}: accuracy {ratio(figures['accuracy'])}, "
                       f"F1 {ratio(figures['f1'])}; log loss {figures['log_loss']:.4f}"))
    for label, counts in report["histograms"].items():
        console.print(Text(f"scores of true {label}: {spark(counts)}  (0 to 1, 20 bins)"))
    at = report["at_threshold"]
    confusion = Table()
    for column in ("", "predicted 1", "predicted 0"):
        confusion.add_column(column, justify="right")
    confusion.add_row("actual 1", str(at["true_positives"]), str(at["false_negatives"]))
    confusion.add_row("actual 0", str(at["false_positives"]), str(at["true_negatives"]))
    show_table(console, f"At threshold {at['threshold']:.2f}", confusion)
    sweep = Table()
    for column in ("threshold", "accuracy", "precision", "recall", "F1", "false positive rate"):
        sweep.add_column(column, justify="right")
    for row in report["thresholds"]:
        sweep.add_row(f"{row['threshold']:.1f}", *(ratio(row[k]) for k in ("accuracy", "precision", "recall", "f1",
                                                                           "false_positive_rate")))
    show_table(console, "By threshold (n/a: no records to divide by)", sweep)
    calibration = Table()
    for column in ("scores", "records", "mean score", "observed share of 1"):
        calibration.add_column(column, justify="right")
    for row in report["calibration"]:
        calibration.add_row(f"{row['low']:.1f}–{row['high']:.1f}", str(row["count"]), ratio(row["mean_score"]),
                            ratio(row["observed_rate"]))
    show_table(console, "Calibration: the share of 1 per score bin", calibration)


def _render_multiclass(console, report: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    figures = report["metrics"]
    line = f"accuracy {ratio(figures['accuracy'])}"
    if "log_loss" in figures:
        line += f"; log loss {figures['log_loss']:.4f}"
        if figures.get("records_of_unknown_classes"):
            line += f" (without {figures['records_of_unknown_classes']} records of classes the model never saw)"
    console.print(Text(line))
    labels = report["labels"]
    matrix = Table()
    matrix.add_column("")
    for label in labels:
        matrix.add_column(label, justify="right")
    matrix.add_column("F1", justify="right")
    for label, row, f1 in zip(labels, report["confusion"], report["per_class_f1"], strict=True):
        matrix.add_row(label, *(str(v) for v in row), f"{f1:.3f}")
    show_table(console, "Confusion matrix (rows: actual, columns: predicted)", matrix)


def _render_regression(console, report: dict) -> None:
    from rich.text import Text

    figures = report["metrics"]
    r2 = "n/a" if figures["r2"] is None else f"{figures['r2']:.4f}"
    console.print(Text(f"RMSE {figures['RegressionRMSE']:.4g}; MAE {figures['mae']:.4g}; R² {r2}"))
    histogram = report["residual_histogram"]
    edges = histogram["edges"]
    console.print("Residuals (prediction - actual): records per bin")
    lines = column_chart(histogram["counts"], floor=0.0, column_width=3, y_format="{:.0f}",
                         x_labels=(f"{edges[0]:.4g}", f"{edges[-1]:.4g}"), x_name="residual")
    for line in lines:
        console.print(Text(line))
