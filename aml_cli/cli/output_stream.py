"""Where output goes: stdout (through a pager on a terminal, as AWS CLI v2 does) and stderr.

Settings come from the global options once per process; the rest of the CLI
asks here instead of passing the options around.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass
class Settings:
    error_format: str = "enhanced"
    color: str = "auto"
    pager: bool = True
    debug: bool = False


SETTINGS = Settings()


def configure(options) -> None:
    SETTINGS.error_format = getattr(options, "cli_error_format", None) or os.environ.get(
        "AWS_CLI_ERROR_FORMAT", "enhanced"
    )
    SETTINGS.color = getattr(options, "color", None) or "auto"
    SETTINGS.pager = not getattr(options, "no_cli_pager", False)
    SETTINGS.debug = bool(getattr(options, "debug", False))


def terminal_width() -> int:
    """The table formatter's width: the terminal's on a TTY, 80 otherwise (as the AWS CLI)."""
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((80, 24)).columns
    return 80


def use_color() -> bool:
    if SETTINGS.color == "on":
        return True
    if SETTINGS.color == "off":
        return False
    return sys.stdout.isatty()


def _pager_command() -> list[str] | None:
    import shlex

    for source in (os.environ.get("AWS_PAGER"), os.environ.get("PAGER")):
        if source is not None:
            return shlex.split(source) or None
    return ["less"]


def write_stdout(text: str) -> None:
    """Print a command's output; on a terminal, through the pager unless --no-cli-pager."""
    if not text:
        return
    if SETTINGS.pager and sys.stdout.isatty():
        command = _pager_command()
        if command:
            env = dict(os.environ)
            env.setdefault("LESS", "FRX")
            import subprocess

            try:
                # an argument list, never a shell: the pager's name is the only user input here
                subprocess.run(command, input=text.encode(), env=env, check=False)
                return
            except OSError as exc:
                from aml_cli.cli.errors import PagerError

                raise PagerError(str(exc)) from exc
    sys.stdout.write(text)
    sys.stdout.flush()


def write_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
