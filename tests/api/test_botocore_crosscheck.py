"""Our API descriptions against botocore's models, service by service, constraint by constraint.

botocore is a test dependency only: it is the reference these tests compare
with, never something aml reads at run time.
"""

from dataclasses import replace

import pytest

from aml_cli.api import SERVICES, service
from aml_cli.api.model import Shape

botocore_loaders = pytest.importorskip("botocore.loaders")
botocore_model = pytest.importorskip("botocore.model")

OPERATION_COUNTS = {"machinelearning": 28, "cleanroomsml": 37, "cleanrooms": 6}
PROTOCOLS = {"machinelearning": "json", "cleanroomsml": "rest-json", "cleanrooms": "rest-json"}


@pytest.fixture(scope="module")
def loader():
    return botocore_loaders.create_loader()


@pytest.fixture(scope="module")
def raw_models(loader):
    return {name: loader.load_service_model(name, "service-2") for name in SERVICES}


@pytest.fixture(scope="module")
def models(raw_models):
    return {name: botocore_model.ServiceModel(raw) for name, raw in raw_models.items()}


def _pairs():
    return [(name, op) for name in SERVICES for op in service(name).operation_names()]


def _botocore_shape_facts(shape, path: str, facts: dict) -> None:
    """Flatten a botocore shape into {path: (type, constraints...)} for a readable diff."""
    meta = shape.metadata
    kind = "document" if meta.get("document") else shape.type_name
    facts[path] = (shape.name, kind, meta.get("min"), meta.get("max"), meta.get("pattern"),
                   tuple(getattr(shape, "enum", None) or ()), shape.serialization.get("timestampFormat"))
    if shape.type_name == "structure":
        facts[path + ".<members>"] = tuple(shape.members)
        facts[path + ".<required>"] = tuple(meta.get("required", ()))
        facts[path + ".<union>"] = bool(meta.get("union"))
        for name, member in shape.members.items():
            if "location" in member.serialization:
                where = (member.serialization["location"], member.serialization.get("name", name))
                facts[f"{path}.{name}.<location>"] = where
            _botocore_shape_facts(member, f"{path}.{name}", facts)
    elif shape.type_name == "list":
        _botocore_shape_facts(shape.member, path + "[]", facts)
    elif shape.type_name == "map":
        _botocore_shape_facts(shape.key, path + "<key>", facts)
        _botocore_shape_facts(shape.value, path + "<value>", facts)


def _our_shape_facts(shape: Shape, path: str, facts: dict) -> None:
    facts[path] = (shape.name, shape.type, shape.min, shape.max, shape.pattern, shape.enum, shape.timestamp_format)
    if shape.type in ("structure", "document"):
        facts[path + ".<members>"] = tuple(shape.members)
        facts[path + ".<required>"] = shape.required
        facts[path + ".<union>"] = shape.union
        for name, member in shape.members.items():
            if name in shape.locations:
                facts[f"{path}.{name}.<location>"] = shape.locations[name]
            _our_shape_facts(member, f"{path}.{name}", facts)
    elif shape.type == "list":
        _our_shape_facts(shape.member, path + "[]", facts)
    elif shape.type == "map":
        _our_shape_facts(shape.key, path + "<key>", facts)
        _our_shape_facts(shape.value, path + "<value>", facts)


def _differences(theirs: dict, ours: dict) -> dict:
    return {
        path: {"botocore": theirs.get(path, "<absent>"), "aml": ours.get(path, "<absent>")}
        for path in sorted(set(theirs) | set(ours))
        if theirs.get(path, "<absent>") != ours.get(path, "<absent>")
    }


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_the_operations_in_scope_and_botocores_metadata(models, name):
    ours, theirs = service(name), models[name]
    assert len(ours.operation_names()) == OPERATION_COUNTS[name]
    assert set(ours.operation_names()) <= set(theirs.operation_names)
    assert (ours.api_version, ours.signing_name, ours.endpoint_prefix, ours.service_id) == (
        theirs.api_version, theirs.signing_name, theirs.endpoint_prefix, theirs.service_id)
    assert ours.protocol.name == theirs.protocol == PROTOCOLS[name]
    if ours.protocol.name == "json":
        assert ours.protocol.target_prefix == theirs.metadata["targetPrefix"]
        assert ours.protocol.json_version == theirs.metadata["jsonVersion"]


def test_machinelearning_has_all_28_operations(models):
    assert sorted(service("machinelearning").operation_names()) == sorted(models["machinelearning"].operation_names)


@pytest.mark.parametrize(("name", "op"), _pairs())
@pytest.mark.parametrize("side", ["input", "output"])
def test_operation_shapes_match_botocore_member_by_member(models, name, op, side):
    theirs_shape = getattr(models[name].operation_model(op), f"{side}_shape")
    ours_shape = getattr(service(name).operation(op), side)
    if theirs_shape is None:
        assert ours_shape.members == {}
        return
    theirs: dict = {}
    ours: dict = {}
    _botocore_shape_facts(theirs_shape, side, theirs)
    _our_shape_facts(ours_shape, side, ours)
    assert _differences(theirs, ours) == {}


@pytest.mark.parametrize(("name", "op"), _pairs())
def test_http_binding_and_errors_match_botocore(models, name, op):
    theirs = models[name].operation_model(op)
    ours = service(name).operation(op)
    assert (ours.http.method, ours.http.uri) == (theirs.http["method"], theirs.http["requestUri"])
    assert ours.http.status == theirs.http.get("responseCode", 200)
    assert ours.errors == tuple(shape.name for shape in theirs.error_shapes)


@pytest.mark.parametrize(("name", "op"), _pairs())
def test_error_shapes_and_statuses_match_botocore(models, raw_models, name, op):
    ours_service = service(name)
    for error in models[name].operation_model(op).error_shapes:
        theirs: dict = {}
        ours: dict = {}
        _botocore_shape_facts(error, error.name, theirs)
        _our_shape_facts(ours_service.shape(error.name), error.name, ours)
        assert _differences(theirs, ours) == {}
        raw = raw_models[name]["shapes"][error.name]  # botocore's shape objects drop the fault trait
        expected = raw.get("error", {}).get("httpStatusCode") or (500 if raw.get("fault") else 400)
        assert ours_service.error_status(error.name) == expected, error.name


def test_resource_not_found_has_each_services_own_status():
    assert service("machinelearning").error_status("ResourceNotFoundException") == 400
    assert service("cleanroomsml").error_status("ResourceNotFoundException") == 404
    assert service("cleanroomsml").error_status("ConflictException") == 409


@pytest.mark.parametrize("name", SERVICES)
def test_paginators_match_botocore(loader, name):
    theirs = loader.load_service_model(name, "paginators-1")["pagination"]
    ours_service = service(name)
    ours = {
        op: {
            "input_token": pag.input_token,
            "output_token": pag.output_token,
            "limit_key": pag.limit_key,
            "result_key": pag.result_key,
        }
        for op in ours_service.operation_names()
        if (pag := ours_service.operation(op).paginator) is not None
    }
    assert ours == {op: spec for op, spec in theirs.items() if op in ours_service.operation_names()}


def test_every_list_operation_in_scope_pages():
    """Of Clean Rooms ML's 16 paginators, the 5 lookalike ones are out of scope; Clean Rooms pages its two lists."""
    for name, expected in (("cleanroomsml", 11), ("cleanrooms", 2), ("machinelearning", 4)):
        described = service(name)
        assert sum(described.operation(op).paginator is not None for op in described.operation_names()) == expected


def test_the_comparison_notices_a_changed_constraint(models):
    theirs: dict = {}
    ours: dict = {}
    _botocore_shape_facts(models["machinelearning"].operation_model("GetMLModel").input_shape, "input", theirs)
    real = service("machinelearning").operation("GetMLModel").input
    changed_id = replace(real.members["MLModelId"], max=65)
    _our_shape_facts(replace(real, members={**real.members, "MLModelId": changed_id}), "input", ours)
    assert list(_differences(theirs, ours)) == ["input.MLModelId"]


def test_the_comparison_notices_a_moved_member(models):
    theirs: dict = {}
    ours: dict = {}
    op = "GetTrainedModel"
    _botocore_shape_facts(models["cleanroomsml"].operation_model(op).input_shape, "input", theirs)
    real = service("cleanroomsml").operation(op).input
    moved = {**real.locations, "versionIdentifier": ("header", "versionIdentifier")}
    _our_shape_facts(replace(real, locations=moved), "input", ours)
    assert list(_differences(theirs, ours)) == ["input.versionIdentifier.<location>"]


@pytest.mark.parametrize("name", SERVICES)
def test_waiters_match_botocore_acceptor_by_acceptor(loader, name):
    try:
        theirs = loader.load_service_model(name, "waiters-2")["waiters"]
    except botocore_loaders.DataNotFoundError:
        theirs = {}
    ours_service = service(name)
    assert sorted(ours_service.waiter_names()) == sorted(theirs)
    for waiter_name, spec in theirs.items():
        ours = ours_service.waiter(waiter_name)
        assert (ours.operation, ours.delay, ours.max_attempts) == (spec["operation"], spec["delay"],
                                                                   spec["maxAttempts"])
        assert [(a.state, a.matcher, a.argument, a.expected) for a in ours.acceptors] == [
            (a["state"], a["matcher"], a.get("argument"), a["expected"]) for a in spec["acceptors"]
        ]
