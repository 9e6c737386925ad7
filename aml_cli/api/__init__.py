"""The API description: the single source of truth for the CLI, validation and the service.

Imports only the standard library; nothing in here may import numpy, pandas or click.
"""

from aml_cli.api.model import Operation, Shape, operation, operation_names, shape, waiter, waiter_names
from aml_cli.api.naming import cli_name, snake_name

__all__ = [
    "Operation",
    "Shape",
    "cli_name",
    "operation",
    "operation_names",
    "shape",
    "snake_name",
    "waiter",
    "waiter_names",
]
