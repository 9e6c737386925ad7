"""`aml show-data-source-statistics`: a data source's statistics as the console's data insights showed them.

Laid out to read at any width, 80 columns and pipes included: first a compact
table of the counts, whose columns never need more than their header (names
fold rather than get cut), then one block per attribute that stacks its
summary and its distribution under the name, wrapped at the width instead of
squeezed into a table cell.
"""

from __future__ import annotations

from aml_cli.cli.extras.charts import json_out, numeric_shape, spark

INDENT = 4
TOP = 5  # categories or words shown per attribute
VALUE_WIDTH = 30  # a longer category or word is shown cut, ending in …
TABLE_WIDTH = 60  # below this width the counts go into each attribute's block instead of a table


def command():
    """`aml show-data-source-statistics --data-source-id ID`."""
    import click

    from aml_cli.cli.extras import EXTRAS

    summary = EXTRAS["show-data-source-statistics"].summary
    @click.command("show-data-source-statistics", help=summary + " --output json gives the figures for scripts.")
    @click.option("--data-source-id", required=True,
                  help="The data source: COMPLETED, and created with ComputeStatistics.")
    @click.pass_obj
    def show(options, data_source_id: str) -> int:
        return show_data_source_statistics(data_source_id, options)

    return show


def show_data_source_statistics(data_source_id: str, options) -> int:
    from aml_cli.cli.invoke import call_service

    statistics = call_service("ShowDataSourceStatistics", {"DataSourceId": data_source_id}, options)
    if json_out(statistics, options):
        return 0
    from rich.console import Console

    render_statistics(Console(highlight=False), data_source_id, statistics)  # width: terminal, COLUMNS, else 80
    return 0


def render_statistics(console, data_source_id: str, statistics: dict) -> None:
    """The whole report on `console`, at its width."""
    from rich.text import Text

    rows, invalid = statistics["rows"], statistics.get("invalid_rows", 0)
    console.print(Text(f"Data insights: {data_source_id}", style="bold"))
    console.print(Text(f"{rows} records, {invalid} invalid"))
    for line in _target_lines(statistics, console.width):
        console.print(Text(line))
    for warning in statistics.get("warnings", []):
        console.print(Text(f"Warning: {warning}"))
    narrow = console.width < TABLE_WIDTH
    if not narrow:
        console.print()
        console.print(_counts_table(statistics))
    for attribute in statistics["attributes"]:
        _attribute_block(console, attribute, statistics.get("target"), with_counts=narrow)


def _target_lines(statistics: dict, width: int) -> list[str]:
    target, distribution = statistics.get("target"), statistics.get("target_distribution")
    if not target:
        return []
    if not distribution or "histogram" in distribution:
        return [f"Target: {target}"]
    total = sum(distribution.values()) or 1
    shares = [f"{_shown(value)}: {count} ({100 * count / total:.1f}%)" for value, count in distribution.items()]
    return _packed(f"Target: {target};", shares, width, 2)


def _counts_table(statistics: dict):
    """name | type | count | missing | invalid: numbers never wrap, a long name folds whole onto a second line."""
    from rich import box
    from rich.table import Table

    names = [_label(attribute, statistics.get("target")) for attribute in statistics["attributes"]]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("attribute", overflow="fold", min_width=min(24, max(map(len, names), default=9)))
    table.add_column("type", no_wrap=True)
    for column in ("count", "missing", "invalid"):
        table.add_column(column, justify="right", no_wrap=True)
    for name, attribute in zip(names, statistics["attributes"], strict=True):
        counts = (str(attribute.get(key, 0)) for key in ("count", "missing", "invalid"))
        table.add_row(name, attribute["type"], *counts)
    return table


def _label(attribute: dict, target: str | None) -> str:
    return attribute["name"] + (" (target)" if attribute["name"] == target else "")


def _attribute_block(console, attribute: dict, target: str | None, *, with_counts: bool) -> None:
    """The attribute's name and type, then its summary and chart, indented, each line fitted to the width."""
    from rich.text import Text

    console.print()
    heading = Text(_label(attribute, target), style="bold")
    heading.append(f"  {attribute['type']}")
    console.print(heading, overflow="fold")
    width = console.width - INDENT
    lines = _packed("", [f"{key} {attribute.get(key, 0)}" for key in ("count", "missing", "invalid")], width, 0)
    for line in (lines if with_counts else []) + _details(attribute, width):
        console.print(Text(" " * INDENT + line), overflow="fold")


def _details(attribute: dict, width: int) -> list[str]:
    """Summary lines of one attribute, by type; lists break between items, never inside one."""
    kind = attribute["type"]
    if not attribute.get("count"):
        return ["no values"]
    if kind == "NUMERIC":
        return _numeric(attribute, width)
    if kind == "BINARY":
        true, false = attribute.get("true", 0), attribute.get("false", 0)
        total = (true + false) or 1
        shares = [f"1: {true} ({100 * true / total:.1f}%)", f"0: {false} ({100 * false / total:.1f}%)"]
        return [*_packed("", shares, width, 0), f"{spark([false, true])}  (0, 1)"]
    top = attribute.get("top", [])[:TOP]
    counted = [f"{_shown(value)} ({count})" for value, count in top]
    if kind == "CATEGORICAL":
        lines = _packed(f"{attribute.get('distinct', 0)} distinct values; most frequent:", counted, width, 2)
        return [*lines, f"{spark([count for _, count in top])}  (the {len(top)} most frequent)"]
    if kind == "TEXT":
        mean = attribute.get("mean_tokens")
        words = [f"{attribute.get('tokens', 0)} words", f"{attribute.get('distinct_tokens', 0)} distinct"]
        if isinstance(mean, int | float):
            words.insert(1, f"{mean:.1f} per record")
        return [*_packed("", words, width, 0), *_packed("most frequent:", counted, width, 2)]
    return []


def _numeric(attribute: dict, width: int) -> list[str]:
    quantiles = attribute.get("quantiles") or [attribute["min"], attribute["max"]]
    figures = [("min", attribute["min"]), ("median", quantiles[len(quantiles) // 2]),
               ("mean", attribute["mean"]), ("max", attribute["max"]), ("std", attribute.get("std"))]
    parts = [f"{name} {value:.4g}" for name, value in figures if value is not None]
    if attribute.get("distinct") is not None:
        parts.append(f"about {attribute['distinct']} distinct")
    chart = spark(numeric_shape(quantiles))
    return [*_packed("", parts, width, 0), f"{chart}  ({attribute['min']:.4g} to {attribute['max']:.4g})"]


def _packed(head: str, items: list[str], width: int, hang: int) -> list[str]:
    """`head` then the items joined by ", ", broken only between items; lines after the first indented by `hang`."""
    lines, line = [], head
    for index, item in enumerate(items):
        piece = item + ("," if index < len(items) - 1 else "")
        if line.strip() and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = " " * hang + piece
        else:
            line = f"{line} {piece}" if line else piece
    if line.strip() or not lines:
        lines.append(line if items or head else "none")
    return lines


def _shown(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"
