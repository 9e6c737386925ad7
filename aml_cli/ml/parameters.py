"""The learner's training parameters, described once: key, type, range, default, which exclude each other.

Amazon ML's `Parameters` of CreateMLModel and Clean Rooms ML's `hyperparameters`
of the built-in `aml/sgd` algorithm are both read with `parse`; the service
turns a `ParameterError` into its own error, and `train` receives the parsed
`TrainingSettings`, never the raw text. Pure Python: importing this module
costs nothing, so services validate a request without loading numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One `sgd.*` key: its type, its bounds or choices, and its default (None: absent unless given)."""

    key: str
    kind: str  # "integer" | "number" | "choice"
    default: int | float | str | None = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("sgd.maxMLModelSizeInBytes", "integer", 33554432, 100000, 2147483648),
    Parameter("sgd.maxPasses", "integer", 10, 1, 10000),
    Parameter("sgd.shuffleType", "choice", "none", choices=("auto", "none")),
    Parameter("sgd.l1RegularizationAmount", "number", low=0.0),
    Parameter("sgd.l2RegularizationAmount", "number", low=0.0),
)
BY_KEY = {parameter.key: parameter for parameter in PARAMETERS}
EXCLUSIVE = (("sgd.l1RegularizationAmount", "sgd.l2RegularizationAmount"),)


class ParameterError(ValueError):
    """A training parameter the learner cannot take; the text names the key."""


@dataclass(frozen=True)
class TrainingSettings:
    """The parsed `sgd.*` parameters, with the defaults filled in."""

    max_passes: int = 10
    shuffle: str = "none"
    l1: float = 0.0
    l2: float = 0.0
    max_bytes: int = 33554432


def values(parameters: dict[str, str]) -> dict[str, int | float | str]:
    """Every key checked and converted, defaults filled in; ParameterError for the first thing wrong."""
    unknown = sorted(set(parameters) - set(BY_KEY))
    if unknown:
        raise ParameterError(
            f"unknown training parameter {unknown[0]!r}; valid parameters are {', '.join(BY_KEY)}."
        )
    for first, second in EXCLUSIVE:
        if first in parameters and second in parameters:
            raise ParameterError(f"{first} and {second} cannot be used together.")
    found: dict[str, int | float | str] = {}
    for parameter in PARAMETERS:
        if parameter.key in parameters:
            found[parameter.key] = _value(parameter, parameters[parameter.key])
        elif parameter.default is not None:
            found[parameter.key] = parameter.default
    return found


def parse(parameters: dict[str, str]) -> TrainingSettings:
    """The settings training runs with."""
    found = values(parameters)
    return TrainingSettings(
        max_passes=int(found["sgd.maxPasses"]),
        shuffle=str(found["sgd.shuffleType"]),
        l1=float(found.get("sgd.l1RegularizationAmount", 0.0)),
        l2=float(found.get("sgd.l2RegularizationAmount", 0.0)),
        max_bytes=int(found["sgd.maxMLModelSizeInBytes"]),
    )


def echoed(parameters: dict[str, str]) -> dict[str, str]:
    """The parameters as the service records and returns them (TrainingParameters): defaults filled in,
    integers in their plain form, amounts as they were given."""
    found = values(parameters)
    shown = {key: str(value) for key, value in found.items()}
    for key in ("sgd.l1RegularizationAmount", "sgd.l2RegularizationAmount"):
        if key in parameters:
            shown[key] = parameters[key]
    return shown


def _value(parameter: Parameter, text: object) -> int | float | str:
    raw = str(text)
    if parameter.kind == "choice":
        if raw not in parameter.choices:
            raise ParameterError(f"{parameter.key} must be {' or '.join(parameter.choices)}, not {raw!r}.")
        return raw
    if parameter.kind == "integer":
        try:
            value: int | float = int(raw.strip())
        except ValueError:
            raise ParameterError(f"{parameter.key} must be an integer, not {raw!r}.") from None
        if not parameter.low <= value <= parameter.high:  # type: ignore[operator]
            raise ParameterError(f"{parameter.key} must be between {parameter.low} and {parameter.high}, not {value}.")
        return value
    try:
        value = float(raw)
    except ValueError:
        raise ParameterError(f"{parameter.key} must be a number, not {raw!r}.") from None
    if math.isnan(value) or math.isinf(value) or value < (parameter.low or 0.0):
        raise ParameterError(f"{parameter.key} must be a non-negative number, not {raw!r}.")
    return value
