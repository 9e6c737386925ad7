"""How the built-in `aml/sgd` container reads its hyperparameters and data channels (spec §2.3).

The service cannot know a container's hyperparameters, so nothing here is a
ValidationException: a bad or unknown key fails the version with
ALGORITHM_ERROR and a message naming it. The keys are Amazon ML's names:

| key | values | default |
|---|---|---|
| MLModelType | BINARY, MULTICLASS, REGRESSION | required |
| targetAttributeName | a column of the `train` channel | required |
| rowId, excludedAttributeNames | a column; comma-separated columns | none |
| attributeTypes | col:NUMERIC,col2:TEXT,... over the channel's inferred types | inferred |
| recipe | an Amazon ML recipe (JSON) | suggested from the train channel's statistics |
| sgd.* | as CreateMLModel's Parameters (aml_cli.ml.parameters) | as there |

The target takes the type its model type needs (BINARY, CATEGORICAL, NUMERIC).
Data channels are `train` (required) and `validation` (optional).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aml_cli.jobs import JobFailed

ALGORITHM_ERROR = "ALGORITHM_ERROR"
MODEL_TYPES = ("BINARY", "MULTICLASS", "REGRESSION")
TARGET_TYPES = {"BINARY": "BINARY", "MULTICLASS": "CATEGORICAL", "REGRESSION": "NUMERIC"}
ATTRIBUTE_TYPES = ("NUMERIC", "CATEGORICAL", "TEXT", "BINARY")
OWN_KEYS = ("MLModelType", "targetAttributeName", "rowId", "excludedAttributeNames", "attributeTypes", "recipe")
CHANNELS = ("train", "validation")


@dataclass(frozen=True)
class ContainerInput:
    """What the learner is asked to do: model type, the schema of its channels, recipe, sgd settings."""

    model_type: str
    schema_text: str
    recipe: str | None
    settings: object  # aml_cli.ml.parameters.TrainingSettings
    parameters: dict[str, str]  # the sgd.* keys as TrainingParameters would echo them


def fail(message: str) -> JobFailed:
    return JobFailed(message, ALGORITHM_ERROR)


def check_channel_names(names: list[str]) -> None:
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        raise fail(f"The algorithm aml/sgd reads the data channels train and validation, not {unknown[0]!r}.")
    if "train" not in names:
        raise fail("The algorithm aml/sgd needs a data channel named train.")


def read(hyperparameters: dict[str, str], columns: list[dict]) -> ContainerInput:
    """The container's reading of its hyperparameters over the `train` channel's columns."""
    from aml_cli.ml.parameters import ParameterError, echoed, parse

    sgd = {key: value for key, value in hyperparameters.items() if key.startswith("sgd.")}
    unknown = sorted(set(hyperparameters) - set(OWN_KEYS) - set(sgd))
    if unknown:
        raise fail(f"Unknown hyperparameter {unknown[0]!r}; aml/sgd reads {', '.join(OWN_KEYS)} and sgd.* "
                   "training parameters.")
    try:
        settings, parameters = parse(sgd), echoed(sgd)
    except ParameterError as exc:
        raise fail(f"Hyperparameter {exc}") from None
    model_type = hyperparameters.get("MLModelType")
    if model_type not in MODEL_TYPES:
        raise fail(f"Hyperparameter MLModelType must be one of {', '.join(MODEL_TYPES)}, not {model_type!r}.")
    schema = _schema(hyperparameters, columns, model_type)
    return ContainerInput(model_type, schema, hyperparameters.get("recipe"), settings, parameters)


def _schema(hyperparameters: dict[str, str], columns: list[dict], model_type: str) -> str:
    names = [column["name"] for column in columns]
    target = hyperparameters.get("targetAttributeName")
    if target is None:
        raise fail("Hyperparameter targetAttributeName is required: the train channel's column to predict.")
    row_id = hyperparameters.get("rowId")
    excluded = [name.strip() for name in hyperparameters.get("excludedAttributeNames", "").split(",") if name.strip()]
    for key, name in (("targetAttributeName", target), ("rowId", row_id), *(("excludedAttributeNames", n)
                                                                               for n in excluded)):
        if name is not None and name not in names:
            raise fail(f"Hyperparameter {key}: the train channel has no column {name!r} (its columns: "
                       f"{', '.join(names)}).")
    types = {column["name"]: column["type"] for column in columns}
    types.update(_attribute_types(hyperparameters.get("attributeTypes"), names))
    if "attributeTypes" in hyperparameters and types[target] != TARGET_TYPES[model_type] and target in \
            _attribute_types(hyperparameters["attributeTypes"], names):
        raise fail(f"Hyperparameter attributeTypes: a {model_type} model's target {target!r} must be "
                   f"{TARGET_TYPES[model_type]}, not {types[target]}.")
    types[target] = TARGET_TYPES[model_type]
    document = {"version": "1.0", "targetAttributeName": target, "rowId": row_id, "dataFormat": "CSV",
                "dataFileContainsHeader": True,
                "attributes": [{"attributeName": name, "attributeType": types[name]} for name in names],
                "excludedAttributeNames": excluded}
    from aml_cli.ml.schema import SchemaError, parse_schema

    text = json.dumps(document)
    try:
        parse_schema(text)
    except SchemaError as exc:
        raise fail(f"The hyperparameters describe no usable schema of the train channel: {exc}.") from None
    return text


def _attribute_types(text: str | None, names: list[str]) -> dict[str, str]:
    """`col:NUMERIC,col2:TEXT` -> {col: NUMERIC, col2: TEXT}."""
    found: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, kind = item.rpartition(":")
        name, kind = name.strip(), kind.strip().upper()
        if not sep or name not in names or kind not in ATTRIBUTE_TYPES:
            raise fail(f"Hyperparameter attributeTypes: {item.strip()!r} is not column:TYPE with a column of the "
                       f"train channel and a type among {', '.join(ATTRIBUTE_TYPES)}.")
        found[name] = kind
    return found
