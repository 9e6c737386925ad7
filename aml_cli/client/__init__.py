"""aml from Python: `aml_cli.client("machinelearning")`, an in-process client that speaks boto3.

    import aml_cli
    ml = aml_cli.client("machinelearning")
    ml.create_ml_model(MLModelId="m1", MLModelType="BINARY", TrainingDataSourceId="ds1")
    ml.get_waiter("ml_model_available").wait(FilterVariable="TrainingDataSourceId", EQ="ds1")
    ml.get_ml_model(MLModelId="m1")["Status"]  # 'COMPLETED'

The methods, their keyword arguments, the response dicts (timestamps as
aware datetimes, a `ResponseMetadata`), the exceptions (`ml.exceptions.
ResourceNotFoundException`, all `ClientError`s), paginators and waiters are
boto3's; calls go straight to aml's service layer in this process, with no
server and no botocore. Jobs run as the service runs them (detached workers)
unless `synchronous=True` runs them inside the call.

This module is itself callable, so `aml_cli.client(...)` works whether or not
`aml_cli.client` has been imported as a package (importing a subpackage makes
it an attribute of its parent, which would otherwise hide a function of that name).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

from aml_cli.client.errors import (
    BotoCoreError,
    ClientError,
    OperationNotPageableError,
    PaginationError,
    ParamValidationError,
    UnknownServiceError,
    WaiterError,
)

# boto3.client's connection and credential arguments: accepted so boto3 code runs unchanged, and unused here.
_IGNORED = frozenset({"api_version", "use_ssl", "verify", "aws_access_key_id", "aws_secret_access_key",
                      "aws_session_token", "config", "aws_account_id"})


def client(service_name: str, region_name: str | None = None, *, synchronous: bool | None = None,
           home: str | Path | None = None, endpoint_url: str | None = None, **boto3_options: Any):
    """A client for `service_name` ("machinelearning").

    `synchronous`: True runs each job (training, evaluation, ...) inside the Create* call, which then returns
    with the resource COMPLETED or FAILED; False starts detached workers, as the service did; None (default)
    follows `AML_SYNC`. Each client carries its own mode, so clients of both modes may share a process.
    `home`: the data directory (default `AML_HOME`, else the user data dir).
    """
    unknown = sorted(set(boto3_options) - _IGNORED)
    if unknown:
        raise TypeError(f"client() got an unexpected keyword argument {unknown[0]!r}")
    from aml_cli.service import answered_services

    known = answered_services()
    if service_name not in known:
        raise UnknownServiceError(service_name=service_name, known_service_names=", ".join(sorted(known)))
    from aml_cli.client.base import client_class

    return client_class(service_name)(synchronous=synchronous, home=home, region_name=region_name,
                                      endpoint_url=endpoint_url)


class _CallableModule(types.ModuleType):
    def __call__(self, service_name: str, *args: Any, **kwargs: Any):
        return client(service_name, *args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "BotoCoreError",
    "ClientError",
    "OperationNotPageableError",
    "PaginationError",
    "ParamValidationError",
    "UnknownServiceError",
    "WaiterError",
    "client",
]
