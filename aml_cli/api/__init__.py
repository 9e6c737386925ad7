"""The API descriptions: one `Service` value per service, the single source of truth for every front end.

Imports only the standard library; nothing in here may import numpy, pandas or click.
Adding a service means adding its folder (`api/<name>/`: `__init__.py` with
`SERVICE`, `data.py`, `docs.py`, `resources.py`; `service/<name>/`) and its name below.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from aml_cli.api.model import Operation, Service, Shape
from aml_cli.api.naming import cli_name, snake_name
from aml_cli.api.resources import Lifecycle, ResourceKind

SERVICES = ("machinelearning", "cleanroomsml", "cleanrooms")
DEFAULT_SERVICE = "machinelearning"  # `aml get-ml-model` is `aml machinelearning get-ml-model`


class UnknownServiceError(KeyError):
    """No service of that name is described."""


def service(name: str = DEFAULT_SERVICE) -> Service:
    """The description of a service by its CLI name; UnknownServiceError if aml does not speak it."""
    if name not in SERVICES:
        raise UnknownServiceError(name)
    return import_module(f"aml_cli.api.{name}").SERVICE


def service_names() -> tuple[str, ...]:
    return SERVICES


@cache
def _kinds_of(service_name: str) -> dict[str, ResourceKind]:
    module = service(service_name).resources
    return {} if module is None else {kind.name: kind for kind in import_module(module).KINDS}


def resource_kinds(service_name: str) -> dict[str, ResourceKind]:
    """The kinds a service declares, by name."""
    return _kinds_of(service_name)


def resource_kind(name: str) -> ResourceKind:
    """A kind by its store name, whatever its service (names are unique across services); KeyError if none."""
    for service_name in SERVICES:
        kinds = _kinds_of(service_name)
        if name in kinds:
            return kinds[name]
    raise KeyError(name)


__all__ = [
    "DEFAULT_SERVICE",
    "SERVICES",
    "Lifecycle",
    "Operation",
    "ResourceKind",
    "Service",
    "Shape",
    "UnknownServiceError",
    "cli_name",
    "resource_kind",
    "resource_kinds",
    "service",
    "service_names",
    "snake_name",
]
