"""Configured model algorithms: Create, Get, List, Delete (spec §2.3).

A training container is one of aml's built-in learners, named by its image:
`aml/sgd` (an optional `:tag` or `@sha256:...` is accepted and ignored) is the
Amazon ML learner, reading its hyperparameters as a container would. Entrypoint
and arguments are echoed; each metric definition's regex runs over the
learner's log lines. The inference container is kept as given.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aml_cli.api.errors import ConflictException
from aml_cli.service.cleanroomsml import common

if TYPE_CHECKING:
    from aml_cli.service.context import RequestContext
    from aml_cli.store import Store

KIND = "ConfiguredModelAlgorithm"
BUILT_INS = ("aml/sgd",)
_IMAGE = re.compile(r"(?P<name>[^:@]+)(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?")
_ECHOED = ("name", "description", "roleArn", "trainingContainerConfig", "inferenceContainerConfig", "kmsKeyArn")


def built_in(image_uri: str) -> str | None:
    """The built-in learner an image names ("aml/sgd"), or None."""
    match = _IMAGE.fullmatch(image_uri.strip())
    return match.group("name") if match and match.group("name") in BUILT_INS else None


def create_configured_model_algorithm(store: Store, request: dict, context: RequestContext) -> dict:
    common.check_role(request["roleArn"], "roleArn", context)
    training = request.get("trainingContainerConfig")
    if training is not None:
        _check_training_container(training)
    tags = common.check_tags(request.get("tags"))
    algorithm_id = common.new_id()
    arn = common.resource_arn(context, KIND, algorithm_id)
    record = {"configuredModelAlgorithmArn": arn, **{k: request[k] for k in _ECHOED if k in request},
              **common.owned_fields(context), "_tags": tags}
    store.create(KIND, algorithm_id, record, algorithm_id)
    return {"configuredModelAlgorithmArn": arn}


def _check_training_container(config: dict) -> None:
    if built_in(config["imageUri"]) is None:
        raise common.validation(
            f"trainingContainerConfig.imageUri: {config['imageUri']} is not a built-in algorithm of aml; "
            f"the built-in training images are: {', '.join(BUILT_INS)}."
        )
    for definition in config.get("metricDefinitions") or ():
        try:
            re.compile(definition["regex"])
        except re.error as exc:
            raise common.validation(
                f"trainingContainerConfig.metricDefinitions: the regex of {definition['name']!r} is not a valid "
                f"regular expression: {exc}."
            ) from None


def fetch(store: Store, arn: str, context: RequestContext) -> dict:
    return common.resolve(store, KIND, arn, context)


def get_configured_model_algorithm(store: Store, request: dict, context: RequestContext) -> dict:
    record = fetch(store, request["configuredModelAlgorithmArn"], context)
    return common.view(record, "GetConfiguredModelAlgorithmResponse")


def list_configured_model_algorithms(store: Store, request: dict, context: RequestContext) -> dict:
    records = [r for r in common.newest_first(store.list(KIND)) if common.visible(r, context)]
    return common.page(records, request, "configuredModelAlgorithms",
                       lambda record: common.view(record, "ConfiguredModelAlgorithmSummary"))


def delete_configured_model_algorithm(store: Store, request: dict, context: RequestContext) -> dict:
    """ConflictException while an association uses it ("another resource depends on this resource")."""
    arn = request["configuredModelAlgorithmArn"]
    record = fetch(store, arn, context)
    users = [r for r in store.list("ConfiguredModelAlgorithmAssociation")
             if common.visible(r, context) and r["configuredModelAlgorithmArn"] == arn]
    if users:
        user = users[0]["configuredModelAlgorithmAssociationArn"]
        raise ConflictException(
            f"Another resource depends on this resource: the association {user} uses the configured model "
            f"algorithm {arn}."
        )
    common.soft_delete(store, KIND, record["configuredModelAlgorithmArn"].rsplit("/", 1)[1])
    return {}
