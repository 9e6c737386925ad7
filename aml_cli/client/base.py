"""The client class: one method per operation, derived from the API description, calling the service in-process.

Each call is what a boto3 call is, minus the network: client-side validation
(botocore's rules and report, from `api.validate`), then `service.call` with
the service-side checks, then the response with timestamps as datetimes and
a `ResponseMetadata`; a service error becomes the modeled `ClientError`.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aml_cli.api import operation, operation_names, snake_name, waiter, waiter_names
from aml_cli.client.errors import ClientExceptions, OperationNotPageableError, ParamValidationError
from aml_cli.client.values import error_response, python_values, with_metadata

SERVICE_NAME = "machinelearning"
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

    def __init__(self, *, synchronous: bool | None, home: str | Path | None, region_name: str | None,
                 endpoint_url: str | None) -> None:
        region = region_name or DEFAULT_REGION
        mapping = {snake_name(name): name for name in operation_names()}
        self.meta = ClientMeta(SERVICE_NAME, region, endpoint_url or f"https://{SERVICE_NAME}.{region}.amazonaws.com",
                               mapping)
        self._synchronous = synchronous
        self._home = Path(home) if home is not None else None
        self._store: Any = None
        self._errors = tuple(sorted({code for name in operation_names() for code in operation(name).errors}))
        self.exceptions = ClientExceptions(self._errors)

    # -- calls ------------------------------------------------------------------------------------

    def _make_api_call(self, operation_name: str, kwargs: dict) -> dict:
        from aml_cli.api.errors import ServiceError
        from aml_cli.api.validate import ParamValidationError as Problems
        from aml_cli.api.validate import check_client_side
        from aml_cli.service import call

        op = operation(operation_name)
        try:
            check_client_side(op, kwargs)
        except Problems as exc:
            raise ParamValidationError(report="\n".join(exc.problems)) from None
        try:
            with _jobs_mode(self._synchronous):
                wire = call(operation_name, copy.deepcopy(kwargs), self._open_store())
        except ServiceError as exc:
            cls = self.exceptions.from_code(exc.code)
            raise cls(error_response(exc.code, exc.message, exc.http_status), operation_name) from None
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
        return api_name is not None and operation(api_name).paginator is not None

    def get_paginator(self, operation_name: str):
        """A paginator for a Describe* method name, e.g. "describe_ml_models"."""
        from aml_cli.client.paginate import Paginator

        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        spec = operation(self.meta.method_to_api_mapping[operation_name]).paginator
        return Paginator(getattr(self, operation_name), spec)

    @property
    def waiter_names(self) -> list[str]:
        return sorted(snake_name(name) for name in waiter_names())

    def get_waiter(self, waiter_name: str):
        """A waiter by its snake_case name, e.g. "ml_model_available"."""
        from aml_cli.client.waiters import Waiter

        by_snake = {snake_name(name): name for name in waiter_names()}
        if waiter_name not in by_snake:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        spec = waiter(by_snake[waiter_name])
        return Waiter(spec.name, spec, getattr(self, snake_name(spec.operation)))


@contextlib.contextmanager
def _jobs_mode(synchronous: bool | None) -> Iterator[None]:
    """Detached workers (False), in-process jobs (True), or whatever AML_SYNC says (None) for one call."""
    if synchronous is None:
        yield
        return
    from aml_cli.jobs import set_sync

    set_sync(synchronous)
    try:
        yield
    finally:
        set_sync(None)


def _operation_method(api_name: str):
    name = snake_name(api_name)

    def method(self: BaseClient, *args: Any, **kwargs: Any) -> dict:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        return self._make_api_call(api_name, kwargs)

    members = operation(api_name).input.members
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"{api_name}, in-process; keyword arguments: {', '.join(members) or 'none'}."
    method.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
        + [inspect.Parameter(member, inspect.Parameter.KEYWORD_ONLY, default=inspect.Parameter.empty
                             if member in operation(api_name).input.required else None) for member in members]
    )
    return method


_CLASS: list[type] = []


def client_class() -> type[BaseClient]:
    """The MachineLearning client class, built once from the API description."""
    if not _CLASS:
        methods = {snake_name(name): _operation_method(name) for name in operation_names()}
        _CLASS.append(type("MachineLearning", (BaseClient,), {"__module__": __name__, **methods}))
    return _CLASS[0]
