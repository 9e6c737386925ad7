"""The client class: one method per operation, derived from the API description, calling the service in-process.

Each call is what a boto3 call is, minus the network: client-side validation
(botocore's rules and report, from `api.validate`), then `service.call` with
the service-side checks, then the response with timestamps as datetimes and
a `ResponseMetadata`; a service error becomes the modeled `ClientError`.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aml_cli.api import Service, service, snake_name
from aml_cli.client.errors import ClientExceptions, OperationNotPageableError, ParamValidationError
from aml_cli.client.values import error_response, python_values, with_metadata

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class ClientMeta:
    """`client.meta`, the parts a script reads: region, endpoint, service name, method names."""

    service_name: str
    region_name: str
    endpoint_url: str
    method_to_api_mapping: dict[str, str] = field(default_factory=dict)


class BaseClient:
    """What every aml client has besides its operations (see `client_class` for those)."""

    _service: Service  # set on each service's class

    def __init__(self, *, synchronous: bool | None, home: str | Path | None, region_name: str | None,
                 endpoint_url: str | None) -> None:
        from aml_cli.service.context import RequestContext, local_identity, synchronous_by_default

        described = self._service
        region = region_name or DEFAULT_REGION
        mapping = {snake_name(name): name for name in described.operation_names()}
        prefix = described.endpoint_prefix
        self.meta = ClientMeta(described.cli_name, region, endpoint_url or f"https://{prefix}.{region}.amazonaws.com",
                               mapping)
        self._context = RequestContext(caller_arn=local_identity(), region=region,
                                       synchronous=synchronous_by_default() if synchronous is None else synchronous)
        self._home = Path(home) if home is not None else None
        self._store: Any = None
        names = described.operation_names()
        self._errors = tuple(sorted({code for name in names for code in described.operation(name).errors}))
        self.exceptions = ClientExceptions(self._errors)

    # -- calls ------------------------------------------------------------------------------------

    def _make_api_call(self, operation_name: str, kwargs: dict) -> dict:
        from aml_cli.api.errors import ServiceError
        from aml_cli.api.validate import ParamValidationError as Problems
        from aml_cli.api.validate import check_client_side
        from aml_cli.service import call

        described = self._service
        op = described.operation(operation_name)
        try:
            check_client_side(op, kwargs)
        except Problems as exc:
            raise ParamValidationError(report="\n".join(exc.problems)) from None
        try:
            wire = call(operation_name, copy.deepcopy(kwargs), self._open_store(), service_name=described.cli_name,
                        context=self._context)
        except ServiceError as exc:
            cls = self.exceptions.from_code(exc.code)
            raise cls(error_response(exc.code, exc.message, described.error_status(exc.code)), operation_name) from None
        return with_metadata(python_values(op.output, wire), wire)

    def _open_store(self) -> Any:
        if self._store is None:
            from aml_cli.store import Store

            self._store = Store(self._home)
        return self._store

    def close(self) -> None:
        """Closes this thread's store connection (it reopens on the next call)."""
        if self._store is not None:
            self._store.close()

    # -- paginators and waiters -------------------------------------------------------------------

    def can_paginate(self, operation_name: str) -> bool:
        api_name = self.meta.method_to_api_mapping.get(operation_name)
        return api_name is not None and self._service.operation(api_name).paginator is not None

    def get_paginator(self, operation_name: str):
        """A paginator for a Describe* method name, e.g. "describe_ml_models"."""
        from aml_cli.client.paginate import Paginator

        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        spec = self._service.operation(self.meta.method_to_api_mapping[operation_name]).paginator
        return Paginator(getattr(self, operation_name), spec)

    @property
    def waiter_names(self) -> list[str]:
        return sorted(snake_name(name) for name in self._service.waiter_names())

    def get_waiter(self, waiter_name: str):
        """A waiter by its snake_case name, e.g. "ml_model_available"."""
        from aml_cli.client.waiters import Waiter

        by_snake = {snake_name(name): name for name in self._service.waiter_names()}
        if waiter_name not in by_snake:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        spec = self._service.waiter(by_snake[waiter_name])
        return Waiter(spec.name, spec, getattr(self, snake_name(spec.operation)))


def _operation_method(described: Service, api_name: str):
    name = snake_name(api_name)

    def method(self: BaseClient, *args: Any, **kwargs: Any) -> dict:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        return self._make_api_call(api_name, kwargs)

    op = described.operation(api_name)
    members = op.input.members
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{api_name}, in-process; keyword arguments: {', '.join(members) or 'none'}."
    method.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
        + [inspect.Parameter(member, inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty
                             if member in op.input.required else None) for member in members]
    )
    return method


_CLASSES: dict[str, type] = {}


def client_class(service_name: str = "machinelearning") -> type[BaseClient]:
    """A service's client class (boto3's name: MachineLearning, CleanRoomsML), built once from its description."""
    if service_name not in _CLASSES:
        described = service(service_name)
        methods = {snake_name(name): _operation_method(described, name) for name in described.operation_names()}
        name = described.service_id.replace(" ", "")
        _CLASSES[service_name] = type(name, (BaseClient,), {"__module__": __name__, "_service": described, **methods})
    return _CLASSES[service_name]
