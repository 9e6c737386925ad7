"""The CLI's progress sink: a transient rich bar on a terminal's stderr, for jobs run in this process.

stdout is left alone so `--output json` stays machine-readable, and rich is
imported only when a bar is actually drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


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
        self._progress.update(self._task, completed=min(1.0, max(0.0, float(fraction))), description=label)

    def close(self) -> None:
        self._progress.stop()


def terminal_progress() -> Callable[[str], BarProgress] | None:
    """A bar maker when stderr is a terminal, else None (the job's log still records its progress)."""
    if sys.stderr is not None and sys.stderr.isatty():
        return BarProgress
    return None
