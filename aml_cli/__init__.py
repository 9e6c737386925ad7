"""aml: Amazon Machine Learning's `aws machinelearning` commands on a local engine.

`aml_cli.client("machinelearning")` is the same service from Python, shaped like a boto3 client
(see `aml_cli.client`); it is imported on first use, so `import aml_cli` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # `aml_cli.client` is the (callable) subpackage; importing it here on first access keeps `import aml_cli` cheap.
    if name == "client":
        from importlib import import_module

        return import_module("aml_cli.client")
    raise AttributeError(f"module 'aml_cli' has no attribute {name!r}")
