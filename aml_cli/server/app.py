"""One request in, one response out: the checks in their order, then the service call.

Order (the first failure wins, and every failure a client causes is a 4xx, so
no SDK retries it): route (content type, target or method and path) ->
signature (or, without auth, the Host check) -> JSON -> validation ->
the service function. Nothing is parsed as JSON before the signature holds.
The HTTP layer (`aml_cli.server.http`) has already checked the method and the
length and read the body; this module never touches a socket, so every
branch is testable with plain values.
"""

from __future__ import annotations

import sys
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import NamedTuple

from aml_cli.api.errors import ServiceError, error_for
from aml_cli.api.validate import client_problems
from aml_cli.server import protocols, routing, sigv4
from aml_cli.server.credentials import KeyPair
from aml_cli.service.context import RequestContext

# The code each JSON service's front door answers with when the request never reached an operation.
UNKNOWN_OPERATION = "UnknownOperationException"


class Response(NamedTuple):
    """What goes back on the wire; `label` names the operation in the log."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    label: str
    request_id: str
    close: bool = False


class Failure(Exception):
    """A request answered with an error: status, `__type`, message, modeled extra members."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict | None = None,
                 headers: list[tuple[str, str]] | None = None, close: bool = False) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or []
        self.close = close


Dispatch = Callable[..., dict]  # service.call's signature: (operation, request, store, service_name=, context=)


@dataclass
class App:
    """The server's answers. `keys` None means --no-auth (then `hosts` are the Host values accepted)."""

    store: object
    keys: dict[str, KeyPair] | None
    advertise_url: str | None = None
    hosts: frozenset[str] = frozenset()
    region: str = "us-east-1"
    local_caller: str = "arn:aws:iam::000000000000:user/local"
    dispatch: Dispatch | None = None
    clock: Callable[[], datetime] | None = None
    secrets: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.secrets = {key: pair.secret for key, pair in (self.keys or {}).items()}

    def respond(self, request: sigv4.Request) -> Response:
        request_id = str(uuid.uuid4())
        route: routing.Route | None = None
        try:
            route = self._route(request)
            context = self._context(request, route)
            result = self._call(route, request, context)
            status, headers, body = protocols.response(route.service, route.operation, result)
        except Failure as failure:
            return error_response(failure, route.service if route else None, request_id, _label(route, request))
        content_type = protocols.content_type(route.service)
        return Response(status, [("Content-Type", content_type), *headers], body, _label(route, request), request_id)

    # -- the steps ------------------------------------------------------------------------------

    def _route(self, request: sigv4.Request) -> routing.Route:
        try:
            if routing.is_json_request(request.method, request.path, request.headers):
                return routing.json_route(request.headers)
            return routing.rest_route(request.method, request.path)
        except routing.RouteError as exc:
            headers = [("Allow", exc.allow)] if exc.allow else []
            raise Failure(exc.status, UNKNOWN_OPERATION, exc.message, headers=headers) from None

    def _context(self, request: sigv4.Request, route: routing.Route) -> RequestContext:
        """Who signed the request (or the local caller without auth), and the URL Predict is advertised at."""
        host = (request.headers.get("host") or [""])[0]
        endpoint = self.advertise_url or (f"http://{host}" if host else None)
        if self.keys is None:
            if host.lower() not in self.hosts:
                raise Failure(403, "AccessDeniedException", f"Host {host[:100]!r} is not this server's loopback "
                              "address; without auth only 127.0.0.1, localhost and [::1] are answered.")
            return RequestContext(caller_arn=self.local_caller, region=self.region, endpoint_url=endpoint)
        try:
            signed = sigv4.verify(request, self.secrets, route.service.signing_name,
                                  self.clock() if self.clock else None)
        except sigv4.AuthError as exc:
            status = 400 if route.service.protocol.name == "json" else 403  # as Coral and REST services answer
            raise Failure(status, exc.code, exc.message) from None
        return RequestContext(caller_arn=self.keys[signed.access_key].caller_arn, region=signed.region,
                              endpoint_url=endpoint)

    def _call(self, route: routing.Route, request: sigv4.Request, context: RequestContext) -> dict:
        described, op = route.service, route.operation
        try:
            arguments = self._arguments(route, request)
        except protocols.DecodeError as exc:
            raise Failure(400, "SerializationException", str(exc)) from None
        problems = client_problems(op.input, arguments)
        if problems:
            noun = "error" if len(problems) == 1 else "errors"
            raise _service_failure(described, error_for(described.validation_error,
                                   f"{len(problems)} validation {noun} detected: " + "; ".join(problems)))
        dispatch = self.dispatch or _service_call
        try:
            return dispatch(op.name, arguments, self.store, service_name=described.cli_name, context=context)
        except ServiceError as exc:
            raise _service_failure(described, exc) from None
        except NotImplementedError as exc:
            raise Failure(400, UNKNOWN_OPERATION, str(exc)) from None
        except Exception:  # a bug: logged with its traceback, answered 500 so it is never mistaken for bad input
            traceback.print_exc(file=sys.stderr)
            code = _internal_code(described)
            raise Failure(500, code, "The server met an internal error; the log has the details.") from None

    def _arguments(self, route: routing.Route, request: sigv4.Request) -> dict:
        op = route.operation
        if route.service.protocol.name == "json":
            return protocols.read_members(op.input, protocols.json_body(request.body, empty_ok=False))
        return protocols.rest_request(op, route.labels, query_pairs(request.query), dict(request.headers),
                                      request.body)


@cache
def _answered() -> tuple[str, ...]:
    from aml_cli.service import answered_services

    return answered_services()


def _service_call(operation: str, request: dict, store, *, service_name: str, context: RequestContext) -> dict:
    """The house's service layer; an operation aml does not answer yet is a routing failure, never a 500."""
    from aml_cli.service import call, routes

    if service_name not in _answered() or operation not in routes(service_name):
        raise NotImplementedError(f"aml does not answer {service_name} {operation} yet.")
    return call(operation, request, store, service_name=service_name, context=context)


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """Name/value pairs, percent-decoded; a `+` stays a plus (SDKs encode spaces as %20)."""
    from urllib.parse import unquote

    pairs = []
    for pair in raw_query.split("&") if raw_query else ():
        name, _, value = pair.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def _internal_code(described) -> str:
    return next((code for code in described.error_codes() if described.error_status(code) == 500),
                "InternalServerException")


def _service_failure(described, exc: ServiceError) -> Failure:
    return Failure(described.error_status(exc.code), exc.code, exc.message, fields=dict(exc.fields))


def _label(route: routing.Route | None, request: sigv4.Request) -> str:
    if route is None:
        return f"{request.method} {request.path[:80]}"
    return f"{route.service.cli_name}.{route.operation.name}"


def error_response(failure: Failure, described, request_id: str, label: str) -> Response:
    """The error as both protocols read it: `__type` in the body (JSON 1.1), `x-amzn-ErrorType` (REST-JSON)."""
    body = protocols.encode({"__type": failure.code, "message": failure.message, **failure.fields})
    headers = [("Content-Type", protocols.content_type(described)), ("x-amzn-ErrorType", failure.code),
               *failure.headers]
    return Response(failure.status, headers, body, label, request_id, close=failure.close)
