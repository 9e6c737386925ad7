"""What the reports share: JSON for scripts when `--output json` is given, sparklines, histogram shapes.

Reports are drawn with rich by default; `--output json` on the command line
gives the same figures as JSON instead.
"""

from __future__ import annotations

import json

from aml_cli.cli.output_stream import write_stdout

BARS = " ▁▂▃▄▅▆▇█"


def json_out(data: dict, options) -> bool:
    """Reports are drawn by default; `--output json` on the command line asks for JSON instead."""
    if options.output == "json" and "--output" in options.given:
        write_stdout(json.dumps(data, indent=4, ensure_ascii=False) + "\n")
        return True
    return False


def spark(values: list[float]) -> str:
    if not values:
        return ""
    top = max(values) or 1.0
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in values)


def numeric_shape(quantiles: list[float], bins: int = 16) -> list[float]:
    """A histogram read off the quantile grid: equal-width bins, mass = share of quantiles inside."""
    import bisect

    low, high = quantiles[0], quantiles[-1]
    if high <= low:
        return [1.0]
    edges = [low + (high - low) * i / bins for i in range(bins + 1)]
    cuts = [bisect.bisect_right(quantiles, edge) for edge in edges]
    return [float(cuts[i + 1] - cuts[i]) for i in range(bins)]


def column_chart(values: list[float], *, height: int = 8, floor: float | None = None, x_name: str = "",
                 x_labels: tuple[str, str] | None = None, y_format: str = "{:.4g}", column_width: int = 1) -> list[str]:
    """Vertical bars with a labelled y axis (top and bottom values) and x axis (first and last label).

    Bars start at `floor` (default: 0, or just under the smallest value when all are far from 0, so a
    slowly falling curve still shows its fall); eighth blocks give each row eight levels.
    """
    if not values:
        return []
    top = max(values)
    low = floor if floor is not None else _floor(values)
    span = (top - low) or 1.0
    levels = [max(0, round((v - low) / span * height * 8)) for v in values]
    top_label, low_label = y_format.format(top), y_format.format(low)
    pad = max(len(top_label), len(low_label))
    lines = []
    for row in range(height - 1, -1, -1):
        cells = "".join(_cell(level - row * 8) * column_width for level in levels)
        label = top_label if row == height - 1 else (low_label if row == 0 else "")
        lines.append(f"{label:>{pad}} ┤{cells}".rstrip())
    width = len(values) * column_width
    lines.append(" " * pad + " └" + "─" * width)
    first, last = x_labels or ("", "")
    gap = max(1, width - len(first) - len(last) + 1)
    lines.append(" " * (pad + 2) + first + " " * gap + last + (f"  {x_name}" if x_name else ""))
    return lines


def _floor(values: list[float]) -> float:
    low, high = min(values), max(values)
    if low >= 0 and low < (high - low):
        return 0.0
    return low - (high - low) * 0.1


def _cell(level: int) -> str:
    if level >= 8:
        return "█"
    return BARS[level] if level > 0 else " "


# ---- saved reports -------------------------------------------------------------------------------------

SAVE_SUFFIXES = (".svg", ".html", ".htm")
# Fonts found on the machine, never fetched: a report opened offline (or behind a strict proxy) looks the same.
FONT_STACK = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace"

# Advance width / size of DejaVu Sans Mono (1233/2048), the stack's first font: cells then line up even in
# renderers that ignore the SVG's per-run textLength (cairosvg does).
FONT_ASPECT = 1233 / 2048

# The page rich fills for save_svg (its placeholders), with no web font and no link to anything.
SVG_PAGE = """<svg class="rich-terminal" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">
<style>
.{unique_id}-matrix {{ font-family: @FONTS@; font-size: {char_height}px; line-height: {line_height}px;
  font-variant-east-asian: full-width; }}
.{unique_id}-title {{ font-size: 18px; font-weight: bold; font-family: @FONTS@; }}
{styles}
</style>
<defs>
<clipPath id="{unique_id}-clip-terminal"><rect x="0" y="0" width="{terminal_width}" height="{terminal_height}" />
</clipPath>
{lines}
</defs>
{chrome}
<g transform="translate({terminal_x}, {terminal_y})" clip-path="url(#{unique_id}-clip-terminal)">
{backgrounds}
<g class="{unique_id}-matrix">
{matrix}
</g>
</g>
</svg>
""".replace("@FONTS@", FONT_STACK)

HTML_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<style>
{stylesheet}
body {{ color: {foreground}; background-color: {background}; }}
pre {{ font-family: @FONTS@; line-height: 1.2; }}
</style>
</head>
<body>
<pre><code style="font-family:inherit">{code}</code></pre>
</body>
</html>
""".replace("@FONTS@", FONT_STACK)


def show_table(console, title: str, table) -> None:
    """A table under a title line of its own (a rich title wraps at the table's width, mid-sentence)."""
    from rich.text import Text

    console.print(Text(title, style="italic"))
    console.print(table)


def save_option_check(ctx, param, value: str | None) -> str | None:
    """Click callback: refuses a file name it cannot write before anything is computed or printed."""
    import click

    if value is not None and not value.lower().endswith(SAVE_SUFFIXES):
        raise click.BadParameter("the file name must end in .svg or .html", ctx=ctx, param=param)
    return value


def save_report(render, save_path: str | None, title: str) -> None:
    """Draw a report on the terminal with `render(console)`; with `save_path`, also write it as SVG or HTML."""
    from rich.console import Console

    console = Console(record=save_path is not None)
    render(console)
    if save_path is None:
        return
    if save_path.lower().endswith(".svg"):
        console.save_svg(save_path, title=title, code_format=SVG_PAGE, font_aspect_ratio=FONT_ASPECT)
    else:
        console.save_html(save_path, code_format=HTML_PAGE)
