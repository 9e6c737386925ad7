"""Typed views of `data.py`, built on demand for one operation at a time.

`operation("GetMLModel")` resolves only the shapes that operation reaches, so
a command that runs one operation never builds the other 27.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from aml_cli.api import data

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
    members: dict[str, Shape] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    member: Shape | None = None  # list element
    key: Shape | None = None  # map key
    value: Shape | None = None  # map value

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALARS


@dataclass(frozen=True)
class Paginator:
    input_token: str
    output_token: str
    limit_key: str
    result_key: str


@dataclass(frozen=True)
class Operation:
    """An operation with its input/output shapes, error codes and optional paginator."""

    name: str
    input: Shape
    output: Shape
    errors: tuple[str, ...]
    paginator: Paginator | None = None


@dataclass(frozen=True)
class Acceptor:
    state: str  # success | failure | retry
    matcher: str  # path | pathAll | pathAny | error | status
    argument: str | None
    expected: str


@dataclass(frozen=True)
class Waiter:
    name: str
    operation: str
    delay: int
    max_attempts: int
    acceptors: tuple[Acceptor, ...]


@cache
def shape(name: str) -> Shape:
    """Resolve a shape and everything it refers to (the API has no recursive shapes)."""
    spec = data.SHAPES[name]
    kind = spec["type"]
    kwargs: dict = {k: spec[k] for k in ("min", "max", "pattern") if k in spec}
    if "enum" in spec:
        kwargs["enum"] = tuple(spec["enum"])
    if kind == "structure":
        kwargs["members"] = {m: shape(s) for m, s in spec["members"].items()}
        kwargs["required"] = tuple(spec.get("required", ()))
    elif kind == "list":
        kwargs["member"] = shape(spec["member"])
    elif kind == "map":
        kwargs["key"] = shape(spec["key"])
        kwargs["value"] = shape(spec["value"])
    return Shape(name=name, type=kind, **kwargs)


@cache
def operation(name: str) -> Operation:
    """The operation called `name` (API spelling, e.g. "CreateMLModel"); KeyError if none."""
    input_name, output_name, errors = data.OPERATIONS[name]
    pag = data.PAGINATORS.get(name)
    return Operation(
        name=name,
        input=shape(input_name),
        output=shape(output_name),
        errors=errors,
        paginator=Paginator(*pag) if pag else None,
    )


def operation_names() -> tuple[str, ...]:
    return tuple(data.OPERATIONS)


@cache
def waiter(name: str) -> Waiter:
    spec = data.WAITERS[name]
    return Waiter(
        name=name,
        operation=spec["operation"],
        delay=spec["delay"],
        max_attempts=spec["max_attempts"],
        acceptors=tuple(Acceptor(*a) for a in spec["acceptors"]),
    )


def waiter_names() -> tuple[str, ...]:
    return tuple(data.WAITERS)
