"""How a job's progress is recorded: a line in its log for every tenth of the work, and whatever the caller
shows besides (the CLI's bar on a terminal; nothing in a server or a detached worker)."""

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


class Tee:
    """Progress to the log always, and to what the caller shows (a terminal's bar, say) when it gave one."""

    def __init__(self, log: LogProgress, shown: Any | None) -> None:
        self._sinks = [sink for sink in (log, shown) if sink is not None]

    def update(self, fraction: float, text: str = "") -> None:
        for sink in self._sinks:
            sink.update(_clamp(fraction), text)

    def close(self) -> None:
        for sink in self._sinks:
            sink.close()


def _clamp(fraction: float) -> float:
    return min(1.0, max(0.0, float(fraction)))
