"""What evaluations and batch predictions share: the model, and the data read with the model's types."""

from __future__ import annotations

import dataclasses

from aml_cli.api.errors import ServiceError


def scoring_schema(model_record: dict, source_record: dict):
    """The data source's schema with the training types where they differ (the service's rule)."""
    from aml_cli.ml.schema import Attribute, parse_schema

    trained = parse_schema(model_record["_schema"])
    given = parse_schema(source_record["_schema"])
    types = {attribute.name: attribute.type for attribute in trained.attributes}
    attributes = tuple(Attribute(a.name, types.get(a.name, a.type)) for a in given.attributes)
    return dataclasses.replace(given, attributes=attributes), trained


def model_for_job(model_record: dict):
    """The trained model; a damaged file fails the job with the reason."""
    from aml_cli.jobs import JobFailed
    from aml_cli.service.model_cache import loaded_model

    try:
        return loaded_model(model_record)
    except ServiceError as exc:
        raise JobFailed(exc.message) from exc
