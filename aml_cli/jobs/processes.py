"""Who is alive: process identity that survives pid reuse."""

from __future__ import annotations

import os
from pathlib import Path


def process_start(pid: int) -> str | None:
    """The kernel's start time of a live process (so a reused pid is told apart); None if gone.

    Where /proc does not exist, "" stands for "alive, start time unknown".
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    if fields[0] in ("Z", "X"):  # a zombie has finished
        return None
    return fields[19]  # field 22 of proc(5): starttime


def is_alive(pid: int | None, recorded_start: str | None) -> bool:
    """True while the process that was recorded is still the one running under that pid."""
    if pid is None:
        return False
    current = process_start(pid)
    if current is None:
        return False
    return not recorded_start or not current or current == recorded_start
