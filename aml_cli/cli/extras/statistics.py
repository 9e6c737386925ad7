"""`aml show-data-source-statistics`: a data source's statistics as the console's data insights showed them."""

from __future__ import annotations

from aml_cli.cli.extras.charts import json_out, numeric_shape, spark


def run(argv: list[str], options) -> int:
    import click

    from aml_cli.cli.extras import EXTRAS, run_click

    @click.command("show-data-source-statistics", help=EXTRAS["show-data-source-statistics"].summary)
    @click.option("--data-source-id", required=True, help="The data source, created with ComputeStatistics.")
    @click.pass_obj
    def show(options, data_source_id: str) -> int:
        return show_data_source_statistics(data_source_id, options)

    return run_click(show, argv, options)


def _summary(attribute: dict) -> tuple[str, str]:
    kind = attribute["type"]
    if kind == "NUMERIC" and attribute.get("count"):
        text = f"min {attribute['min']:.4g}  mean {attribute['mean']:.4g}  max {attribute['max']:.4g}"
        return text, spark(numeric_shape(attribute.get("quantiles") or [attribute["min"], attribute["max"]]))
    if kind == "BINARY":
        true, false = attribute.get("true", 0), attribute.get("false", 0)
        return f"1: {true}  0: {false}", spark([false, true])
    if kind == "CATEGORICAL":
        top = attribute.get("top", [])[:5]
        shown = ", ".join(f"{value} ({count})" for value, count in top[:3])
        return f"{attribute.get('distinct', 0)} distinct: {shown}", spark([count for _, count in top])
    if kind == "TEXT":
        top = attribute.get("top", [])[:5]
        shown = ", ".join(str(token) for token, _ in top[:3])
        return f"{attribute.get('tokens', 0)} tokens, {attribute.get('distinct_tokens', 0)} distinct: {shown}", ""
    return "", ""



def show_data_source_statistics(data_source_id: str, options) -> int:
    from aml_cli.service.data_sources import statistics_for_id

    statistics = statistics_for_id(data_source_id)
    if json_out(statistics, options):
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
    console = Console()
    console.print(table)
    for warning in statistics.get("warnings", []):
        console.print(f"Warning: {warning}", markup=False, highlight=False)
    return 0


