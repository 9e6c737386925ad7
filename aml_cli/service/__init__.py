"""The services: one function per operation, request dict in, response dict out.

`call` is the only entry point the front ends use (the CLI, the server, the
Python client). It applies the service-side validation the real service
applies, then routes to the function of the same name (snake_case) in the
module of the resource kind the operation names (`aml_cli.service.<service>.<module>`),
imported only when that operation is called. Timestamps in requests and
responses are epoch seconds; each front end writes them its service's way.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from aml_cli.api import DEFAULT_SERVICE, resource_kinds, service, snake_name

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store


def call(
    operation_name: str,
    request: dict,
    store: Store | None = None,
    *,
    service_name: str = DEFAULT_SERVICE,
    context: RequestContext | None = None,
) -> dict:
    """Run one operation; raises `aml_cli.api.errors.ServiceError` subclasses as the service would.

    aml's own operations (the extras' ShowMLModel, InferSchema, ...) are routed
    the same way; they validate their requests themselves.
    """
    described = service(service_name)
    function = _function(service_name, operation_name)
    from aml_cli.api.validate import check_service_side, check_text

    check_text(request, service_name)
    if operation_name in described.operation_names():
        check_service_side(described.operation(operation_name), request)
    if context is None:
        from aml_cli.service.context import default_context

        context = default_context()
    from aml_cli.store import Store, StoreError

    try:
        return function(store if store is not None else Store(), request, context)
    except StoreError as err:  # busy, full or damaged: the service's own internal error, with the cause
        raise internal_error(service_name, err.message) from err


def internal_error(service_name: str, message: str):
    """The error a service answers when the engine, not the request, failed (its 500)."""
    from aml_cli.api.errors import error_for

    codes = service(service_name).error_codes()
    code = next((c for c in ("InternalServerException", "InternalServiceException") if c in codes),
                "InternalServerException")
    return error_for(code, message)


def _function(service_name: str, operation_name: str):
    module = routes(service_name).get(operation_name)
    if module is None:
        raise KeyError(f"{service_name} has no operation {operation_name}")
    return getattr(import_module(f"aml_cli.service.{service_name}.{module}"), snake_name(operation_name))


@cache
def routes(service_name: str) -> dict[str, str]:
    """Operation -> module: the module of the kind whose name the operation contains (the longest, so
    ListTrainedModelInferenceJobs goes to inference jobs, not trained models), else the service's own table."""
    package = import_module(f"aml_cli.service.{service_name}")
    kinds = sorted(resource_kinds(service_name).values(), key=lambda kind: -len(kind.name))
    table: dict[str, str] = {}
    for name in (*service(service_name).operation_names(), *package.AML_OPERATIONS):
        owner = next((kind.module for kind in kinds if kind.name in name), None)
        table[name] = package.OTHER_ROUTES.get(name, owner)
    return {name: module for name, module in table.items() if module is not None}


def implements(service_name: str) -> bool:
    """Whether aml answers this service's operations (its service package exists)."""
    from importlib.util import find_spec

    return find_spec(f"aml_cli.service.{service_name}") is not None


def answered_services() -> tuple[str, ...]:
    """The described services aml answers: what `aml <service>`, the server and `aml_cli.client` reach."""
    from aml_cli.api import service_names

    return tuple(name for name in service_names() if implements(name))
