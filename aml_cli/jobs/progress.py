"""How a job's progress is shown: a rich bar on a terminal's stderr, else lines in its log.

The bar is only for synchronous runs whose stderr is a terminal; stdout is
left alone so `--output json` stays machine-readable, and rich is imported
only when a bar is actually drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LogProgress:
    """Writes a log line when the text changes or another tenth of the work is done."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._last: tuple[int, str] | None = None

    def update(self, fraction: float, text: str = "") -> None:
        step = (int(_clamp(fraction) * 10), text)
        if step != self._last:
            self._last = step
            self._log(f"progress {_clamp(fraction):.0%} {text}".rstrip())

    def close(self) -> None:
        """Nothing to release: every line is already in the log."""


class BarProgress:
    """A transient rich progress bar on stderr."""

    def __init__(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self._progress: Any = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._description = description
        self._task = self._progress.add_task(description, total=1.0)
        self._progress.start()

    def update(self, fraction: float, text: str = "") -> None:
        label = f"{self._description}: {text}" if text else self._description
        self._progress.update(self._task, completed=_clamp(fraction), description=label)

    def close(self) -> None:
        self._progress.stop()


def make_progress(description: str, log: Callable[[str], None], interactive: bool) -> LogProgress | BarProgress:
    """A bar when the caller runs the job in a terminal, log lines otherwise."""
    if interactive:
        return BarProgress(description)
    return LogProgress(log)


def _clamp(fraction: float) -> float:
    return min(1.0, max(0.0, float(fraction)))
