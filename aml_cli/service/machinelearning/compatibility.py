"""Does a data source fit a model? The service required the model's schema, target included for evaluations."""

from __future__ import annotations

from aml_cli.api.errors import InvalidInputException


def check_fits(model: dict, source: dict, member: str, *, need_target: bool) -> None:
    """Every attribute the model reads must be in the data source; where types differ, the model's wins."""
    from aml_cli.ml.schema import parse_schema

    trained = parse_schema(model["_schema"])
    given = parse_schema(source["_schema"])
    present = set(given.names)
    missing = [a.name for a in trained.input_attributes if a.name not in present]
    if missing:
        raise InvalidInputException(
            f"{member}: the data source's schema does not fit the model {model['MLModelId']}: "
            f"missing attribute(s) {', '.join(missing[:10])}."
        )
    if need_target and trained.target not in present:
        raise InvalidInputException(
            f"{member}: the data source has no target attribute {trained.target!r}, which an evaluation needs."
        )
