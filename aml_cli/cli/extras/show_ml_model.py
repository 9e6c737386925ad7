"""`aml show-ml-model`: inside a trained model — its training curve, heaviest features, recipe and pruning."""

from __future__ import annotations

from aml_cli.cli.extras.charts import column_chart, json_out, save_option_check, save_report, show_table


def command():
    import click

    from aml_cli.cli.extras import EXTRAS

    @click.command("show-ml-model", help=EXTRAS["show-ml-model"].summary)
    @click.option("--ml-model-id", required=True, help="A COMPLETED model.")
    @click.option("--top", type=click.IntRange(1, 100), default=10, show_default=True,
                  help="How many features to list per class.")
    @click.option("--save", "save_path", default=None, callback=save_option_check,
                  help="Also write the report to an .svg or .html file.")
    @click.pass_obj
    def show(options, ml_model_id: str, top: int, save_path: str | None) -> int:
        from aml_cli.cli.invoke import call_service

        report = call_service("ShowMLModel", {"MLModelId": ml_model_id, "Top": top}, options)
        if json_out(report, options):
            return 0
        save_report(lambda console: render_model(console, report), save_path, f"Model {ml_model_id}")
        return 0

    return show


def render_model(console, report: dict) -> None:
    from rich.text import Text

    name = f": {report['Name']}" if report.get("Name") else ""
    console.rule(f"Model {report['MLModelId']}{name} ({report['MLModelType']})")
    training = report["training"]
    losses = training.get("pass_losses")
    rows = f"{training['rows_used']} rows" if training.get("rows_used") is not None else "rows not recorded"
    if losses:
        console.print(f"Training: {rows}, {len(losses)} passes; mean training loss per pass "
                      f"{losses[0]:.4g} → {losses[-1]:.4g}")
        width = max(1, min(6, 60 // len(losses)))
        for line in column_chart(losses, x_labels=("1", str(len(losses))), x_name="pass", column_width=width):
            console.print(Text(line))
    else:
        console.print(f"Training: {rows}; the loss of each pass was not recorded for this model.")
    console.print(Text(_features_line(report["features"])))
    console.print(Text(f"Bias: {', '.join(f'{w:.4g}' for w in report['bias'])}"))
    _render_top_features(console, report)
    console.print("Recipe used (long lines broken at commas):")
    for line in report["recipe"].strip().splitlines():
        for piece in break_after_commas(line, console.width):
            console.print(Text(piece), overflow="fold")


def _render_top_features(console, report: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    for group in report["top_features"]:
        table = Table()
        table.add_column("feature", overflow="fold")
        table.add_column("weight", justify="right", no_wrap=True)
        for item in group["features"]:
            table.add_row(Text(item["feature"]), f"{item['weight']:.4f}")
        if not group["features"]:
            table.add_row(Text("(none)"), "")
        show_table(console, _group_title(report["MLModelType"], group["class"]), table)

def break_after_commas(line: str, width: int) -> list[str]:
    """A line longer than `width` as pieces ending at commas, the rest indented under its start."""
    if len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    pieces, current = [], ""
    for part in line.split(","):
        candidate = f"{current},{part}" if current else part
        if current and len(candidate) + 1 > width:
            pieces.append(current + ",")
            current = indent + part
        else:
            current = candidate
    return [*pieces, current]


def _features_line(features: dict) -> str:
    pruned = features.get("pruned")
    pruned_text = "pruning not recorded" if pruned is None else (
        f"{pruned} pruned to fit sgd.maxMLModelSizeInBytes={features['sgd.maxMLModelSizeInBytes']}" if pruned
        else "none pruned")
    return (f"Features: {features['non_zero_weights']} non-zero weights over {features['columns']} hashed columns; "
            f"{pruned_text}.\nModel file: {features['SizeInBytes']} bytes "
            f"(at most {features['sgd.maxMLModelSizeInBytes']}).")


def _group_title(model_type: str, label: str) -> str:
    if model_type == "REGRESSION":
        return f"Features that {label} most (weight in target units)"
    return f"Features pushing toward class {label}"
