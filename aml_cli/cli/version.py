"""`aml --version`, shaped like `aws --version`."""

import platform
import sys

from aml_cli import __version__


def version_line() -> str:
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"aml-cli/{__version__} Python/{python} {platform.system()}/{platform.release()} source/{platform.machine()}"
