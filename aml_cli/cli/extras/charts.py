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
