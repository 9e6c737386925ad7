"""The resource kinds each service declares, against botocore's model: statuses, ID members, routes."""

from importlib import import_module

import pytest

from aml_cli.api import SERVICES, resource_kinds, service
from aml_cli.service import routes

botocore_session = pytest.importorskip("botocore.session")

# kind -> botocore's shape of its status enum (kinds without a lifecycle have none)
STATUS_SHAPES = {
    "DataSource": "EntityStatus", "MLModel": "EntityStatus", "Evaluation": "EntityStatus",
    "BatchPrediction": "EntityStatus", "MLInputChannel": "MLInputChannelStatus", "TrainedModel": "TrainedModelStatus",
    "TrainedModelInferenceJob": "TrainedModelInferenceJobStatus",
    "TrainedModelExportJob": "TrainedModelExportJobStatus",
}
KINDS = [(name, kind) for name in SERVICES for kind in resource_kinds(name).values()]


@pytest.fixture(scope="module")
def models():
    session = botocore_session.get_session()
    return {name: session.get_service_model(name) for name in SERVICES}


def test_kind_names_are_unique_across_services():
    names = [kind.name for _, kind in KINDS]
    assert len(names) == len(set(names))
    assert {"Collaboration", "Membership", "ConfiguredModelAlgorithm", "ConfiguredModelAlgorithmAssociation",
            "MLConfiguration", "MLInputChannel", "TrainedModel", "TrainedModelInferenceJob",
            "TrainedModelExportJob"} <= set(names)


@pytest.mark.parametrize(("service_name", "kind"), [pair for pair in KINDS if pair[1].lifecycle is not None],
                         ids=lambda value: getattr(value, "name", value))
def test_every_status_a_lifecycle_moves_through_is_one_botocore_knows(models, service_name, kind):
    enum = models[service_name].shape_for(STATUS_SHAPES[kind.name]).enum
    assert kind.lifecycle.statuses <= set(enum), kind.lifecycle.statuses - set(enum)
    if kind.lifecycle.cancelled:
        assert {kind.lifecycle.cancel_requested, kind.lifecycle.cancelling} <= set(enum)


def test_clean_rooms_ml_lifecycles_cover_their_whole_enums(models):
    for kind in ("TrainedModel", "MLInputChannel", "TrainedModelInferenceJob", "TrainedModelExportJob"):
        declared = resource_kinds("cleanroomsml")[kind].lifecycle.statuses
        assert declared == set(models["cleanroomsml"].shape_for(STATUS_SHAPES[kind]).enum), kind


@pytest.mark.parametrize("service_name", SERVICES)
def test_every_operation_routes_to_a_module_of_its_service(service_name):
    table = routes(service_name)
    assert set(service(service_name).operation_names()) <= set(table)
    kinds = {kind.module for kind in resource_kinds(service_name).values()}
    own = {table[name] for name in import_module(f"aml_cli.service.{service_name}").AML_OPERATIONS}  # aml's own
    assert set(table.values()) - kinds - own <= {"realtime", "tags"}
