"""`aml show-evaluation`: an evaluation as the service's console showed it; `--save report.svg|.html`."""

from __future__ import annotations

from aml_cli.cli.extras.charts import json_out, spark

SAVE_SUFFIXES = (".svg", ".html", ".htm")


def _save_name(ctx, param, value: str | None) -> str | None:
    """Refuses a file name it cannot write before anything is computed or printed."""
    import click

    if value is not None and not value.lower().endswith(SAVE_SUFFIXES):
        raise click.BadParameter("the file name must end in .svg or .html", ctx=ctx, param=param)
    return value


def command():
    """`aml show-evaluation --evaluation-id ID [--threshold T] [--save FILE]`."""
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("show-evaluation", help=EXTRAS["show-evaluation"].summary)
    @click.option("--evaluation-id", required=True, help="A COMPLETED evaluation.")
    @click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None, help="Score cut-off (BINARY).")
    @click.option("--save", "save_path", default=None, callback=_save_name,
                  help="Also write the report to an .svg or .html file.")
    @click.pass_obj
    def show(options, evaluation_id: str, threshold: float | None, save_path: str | None) -> int:
        return show_evaluation(evaluation_id, threshold, save_path, options)

    return show


def show_evaluation(evaluation_id: str, threshold: float | None, save_path: str | None, options) -> int:
    from aml_cli.service.evaluations import evaluation_report

    report = evaluation_report(evaluation_id, threshold)
    if json_out(report, options):
        return 0
    from rich.console import Console

    console = Console(record=save_path is not None)
    _render_evaluation(console, report)
    if save_path and save_path.lower().endswith(".svg"):
        console.save_svg(save_path, title=f"Evaluation {evaluation_id}")
    elif save_path:
        console.save_html(save_path)
    return 0


def _render_evaluation(console, report: dict) -> None:
    from rich.table import Table

    console.rule(f"Evaluation {report['EvaluationId']} of {report['MLModelId']} ({report['MLModelType']})")
    console.print(f"{report['metric']}: [bold]{report['value']:.4f}[/]   baseline: {report['baseline']:.4f}")
    kind = report["MLModelType"]
    if kind == "BINARY":
        for label, counts in report["histograms"].items():
            console.print(f"scores of true {label}: {spark(counts)}")
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
        console.print(f"residuals (prediction - actual): {spark(report['residual_histogram']['counts'])}")
        edges = report["residual_histogram"]["edges"]
        console.print(f"from {edges[0]:.4g} to {edges[-1]:.4g}")
