"""A service as a value: its protocol, signing name, shapes, operations, errors, paginators and waiters.

Each service's facts live in its own `aml_cli/api/<service>/data.py`, loaded
the first time an operation of that service is asked for; `operation(name)`
resolves only the shapes that operation reaches, so a command that runs one
operation never builds the others, and shape names of different services
(`Tag`, `ResourceNotFoundException`) never meet.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import NamedTuple

SCALARS = frozenset({"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"})


@dataclass(frozen=True)
class Shape:
    """One API shape; `members` keeps the model's order (skeletons and errors rely on it)."""

    name: str
    type: str
    min: int | float | None = None
    max: int | float | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    members: "dict[str, Shape]" = field(default_factory=dict)
    required: tuple[str, ...] = ()
    member: "Shape | None" = None  # list element
    key: "Shape | None" = None  # map key
    value: "Shape | None" = None  # map value
    locations: dict[str, tuple[str, str]] = field(default_factory=dict)  # member -> (uri|querystring|header, name)
    union: bool = False  # exactly one member may be set
    timestamp_format: str | None = None

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALARS

    def location(self, member: str) -> tuple[str, str]:
        """Where a member travels in an HTTP request: ("body", name) unless the model says otherwise."""
        return self.locations.get(member, ("body", member))


class Paginator(NamedTuple):
    input_token: str
    output_token: str
    limit_key: str
    result_key: str


class Http(NamedTuple):
    """How a REST operation travels: method, URI template (`/memberships/{membershipIdentifier}`), success status."""

    method: str
    uri: str
    status: int = 200


class Operation(NamedTuple):
    """An operation with its input/output shapes, error codes, HTTP binding and optional paginator."""

    name: str
    service: str  # the service's CLI name
    input: Shape
    output: Shape
    errors: tuple[str, ...]
    http: Http
    paginator: Paginator | None = None


class Acceptor(NamedTuple):
    state: str  # success | failure | retry
    matcher: str  # path | pathAll | pathAny | error | status
    argument: str | None
    expected: str


class Waiter(NamedTuple):
    name: str
    operation: str
    delay: int
    max_attempts: int
    acceptors: tuple[Acceptor, ...]


class JsonProtocol(NamedTuple):
    """AWS JSON 1.x: every call is `POST /` with `X-Amz-Target: <target_prefix>.<Operation>`."""

    target_prefix: str
    json_version: str = "1.1"
    name: str = "json"


class RestJsonProtocol(NamedTuple):
    """REST-JSON: each operation has its own method and URI; members travel in the path, query, headers or body."""

    name: str = "rest-json"


class Service(NamedTuple):
    """One AWS service as aml speaks it. `data` and `docs` are module paths, imported on first use."""

    cli_name: str  # `aml <cli_name> <command>`, `aws <cli_name> <command>`
    service_id: str  # botocore's serviceId: "Machine Learning", "CleanRoomsML"
    api_version: str
    protocol: JsonProtocol | RestJsonProtocol
    signing_name: str  # the SigV4 scope's service
    endpoint_prefix: str
    data: str
    docs: str
    validation_error: str  # the code of the service's own input validation (InvalidInputException, ...)
    timestamp_format: str  # how its timestamps travel on the wire: "unix-timestamp" or "iso8601"
    resources: str | None = None  # module declaring its resource kinds (aml_cli.api.resources)

    def _facts(self) -> ModuleType:
        return import_module(self.data)

    def shape(self, name: str) -> Shape:
        return _shape(self, name)

    def operation(self, name: str) -> Operation:
        """The operation called `name` (API spelling, e.g. "CreateMLModel"); KeyError if the service has none."""
        return _operation(self, name)

    def operation_names(self) -> tuple[str, ...]:
        return tuple(self._facts().OPERATIONS)

    def waiter(self, name: str) -> Waiter:
        return _waiter(self, name)

    def waiter_names(self) -> tuple[str, ...]:
        return tuple(self._facts().WAITERS)

    def error_codes(self) -> tuple[str, ...]:
        return tuple(self._facts().ERRORS)

    def error_status(self, code: str) -> int:
        """The HTTP status this service answers an error with; 400 for a code its model does not list."""
        return self._facts().ERRORS.get(code, 400)

    def doc_module(self) -> ModuleType:
        return import_module(self.docs)


@cache
def _shape(service: Service, name: str) -> Shape:
    """Resolve a shape and everything it refers to (none of these APIs has recursive shapes)."""
    spec = service._facts().SHAPES[name]
    kind = spec["type"]
    kwargs: dict = {k: spec[k] for k in ("min", "max", "pattern") if k in spec}
    if "enum" in spec:
        kwargs["enum"] = tuple(spec["enum"])
    if "timestampFormat" in spec:
        kwargs["timestamp_format"] = spec["timestampFormat"]
    if kind in ("structure", "document"):
        kwargs["members"] = {m: _shape(service, s) for m, s in spec.get("members", {}).items()}
        kwargs["required"] = tuple(spec.get("required", ()))
        kwargs["locations"] = {m: tuple(where) for m, where in spec.get("locations", {}).items()}
        kwargs["union"] = spec.get("union", False)
    elif kind == "list":
        kwargs["member"] = _shape(service, spec["member"])
    elif kind == "map":
        kwargs["key"] = _shape(service, spec["key"])
        kwargs["value"] = _shape(service, spec["value"])
    return Shape(name=name, type=kind, **kwargs)


NO_OUTPUT = Shape(name="", type="structure")


@cache
def _operation(service: Service, name: str) -> Operation:
    method, uri, status, input_name, output_name, errors = service._facts().OPERATIONS[name]
    pag = service._facts().PAGINATORS.get(name)
    return Operation(
        name=name,
        service=service.cli_name,
        input=_shape(service, input_name),
        output=_shape(service, output_name) if output_name else NO_OUTPUT,
        errors=errors,
        http=Http(method, uri, status),
        paginator=Paginator(*pag) if pag else None,
    )


@cache
def _waiter(service: Service, name: str) -> Waiter:
    spec = service._facts().WAITERS[name]
    return Waiter(
        name=name,
        operation=spec["operation"],
        delay=spec["delay"],
        max_attempts=spec["max_attempts"],
        acceptors=tuple(Acceptor(*a) for a in spec["acceptors"]),
    )
