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
    from aml_cli.service.machinelearning.model_cache import loaded_model

    try:
        return loaded_model(model_record)
    except ServiceError as exc:
        raise JobFailed(exc.message) from exc


def create_scoring(store, kind: str, request: dict, context, *, need_target: bool, extra=None) -> dict:
    """CreateEvaluation and CreateBatchPrediction: a model and a data source that fit it, queued behind both.

    `extra`, if given, is called once the model and data source are checked and returns more record fields.
    """
    from aml_cli.service.machinelearning import common
    from aml_cli.service.machinelearning.compatibility import check_fits

    id_member = common.id_member(kind)
    source_member = "EvaluationDataSourceId" if kind == "Evaluation" else "BatchPredictionDataSourceId"
    name_member = "EvaluationName" if kind == "Evaluation" else "BatchPredictionName"
    model = common.fetch_dependency(store, "MLModel", request["MLModelId"], "MLModelId")
    source = common.fetch_dependency(store, "DataSource", request[source_member], source_member)
    check_fits(model, source, source_member, need_target=need_target)
    record = common.new_record(kind, request, context, **{
        "MLModelId": model["MLModelId"],
        source_member: source["DataSourceId"],
        "InputDataLocationS3": source.get("DataLocationS3"),
        "Name": request.get(name_member),
        **(extra() if extra else {}),
        "_tags": common.inherited_tags(source, model),
    })
    depends = [("MLModel", model["MLModelId"]), ("DataSource", source["DataSourceId"])]
    common.create_once(store, kind, record, request, context, depends_on=depends)
    return {id_member: request[id_member]}
