"""Our API description against botocore's machinelearning model, constraint by constraint.

botocore is a test dependency only: it is the reference this test compares
with, never something aml reads at run time.
"""

from dataclasses import replace

import pytest

from aml_cli.api import data, operation, operation_names, waiter, waiter_names
from aml_cli.api.docs import MEMBER_DOCS, OPERATION_DOCS, WAITER_DOCS
from aml_cli.api.model import Shape

botocore_loaders = pytest.importorskip("botocore.loaders")
botocore_model = pytest.importorskip("botocore.model")


@pytest.fixture(scope="module")
def loader():
    return botocore_loaders.create_loader()


@pytest.fixture(scope="module")
def service(loader):
    return botocore_model.ServiceModel(loader.load_service_model("machinelearning", "service-2"))


def _botocore_shape_facts(shape, path: str, facts: dict) -> None:
    """Flatten a botocore shape into {path: (type, constraints...)} for a readable diff."""
    meta = shape.metadata
    facts[path] = (
        shape.name,
        shape.type_name,
        meta.get("min"),
        meta.get("max"),
        meta.get("pattern"),
        tuple(getattr(shape, "enum", None) or ()),
    )
    if shape.type_name == "structure":
        facts[path + ".<members>"] = tuple(shape.members)
        facts[path + ".<required>"] = tuple(meta.get("required", ()))
        for name, member in shape.members.items():
            _botocore_shape_facts(member, f"{path}.{name}", facts)
    elif shape.type_name == "list":
        _botocore_shape_facts(shape.member, path + "[]", facts)
    elif shape.type_name == "map":
        _botocore_shape_facts(shape.key, path + "<key>", facts)
        _botocore_shape_facts(shape.value, path + "<value>", facts)


def _our_shape_facts(shape: Shape, path: str, facts: dict) -> None:
    facts[path] = (shape.name, shape.type, shape.min, shape.max, shape.pattern, shape.enum)
    if shape.type == "structure":
        facts[path + ".<members>"] = tuple(shape.members)
        facts[path + ".<required>"] = shape.required
        for name, member in shape.members.items():
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


def test_the_operations_are_the_same_28(service):
    assert len(operation_names()) == 28
    assert sorted(operation_names()) == sorted(service.operation_names)


@pytest.mark.parametrize("name", sorted(data.OPERATIONS))
@pytest.mark.parametrize("side", ["input", "output"])
def test_operation_shapes_match_botocore_member_by_member(service, name, side):
    theirs_shape = getattr(service.operation_model(name), f"{side}_shape")
    theirs: dict = {}
    ours: dict = {}
    _botocore_shape_facts(theirs_shape, side, theirs)
    _our_shape_facts(getattr(operation(name), side), side, ours)
    assert _differences(theirs, ours) == {}


@pytest.mark.parametrize("name", sorted(data.OPERATIONS))
def test_error_shapes_match_botocore_in_order(service, name):
    theirs = tuple(shape.name for shape in service.operation_model(name).error_shapes)
    assert operation(name).errors == theirs


@pytest.mark.parametrize("name", sorted(data.OPERATIONS))
def test_error_shape_members_match_botocore(service, name):
    for error in service.operation_model(name).error_shapes:
        theirs: dict = {}
        ours: dict = {}
        _botocore_shape_facts(error, error.name, theirs)
        _our_shape_facts(_resolve(error.name), error.name, ours)
        assert _differences(theirs, ours) == {}


def _resolve(name: str) -> Shape:
    from aml_cli.api import shape

    return shape(name)


def test_paginators_match_botocore(loader):
    theirs = loader.load_service_model("machinelearning", "paginators-1")["pagination"]
    ours = {
        name: {
            "input_token": op.paginator.input_token,
            "output_token": op.paginator.output_token,
            "limit_key": op.paginator.limit_key,
            "result_key": op.paginator.result_key,
        }
        for name in operation_names()
        if (op := operation(name)).paginator is not None
    }
    assert ours == theirs


def test_the_comparison_notices_a_changed_constraint(service):
    theirs: dict = {}
    ours: dict = {}
    _botocore_shape_facts(service.operation_model("GetMLModel").input_shape, "input", theirs)
    real = operation("GetMLModel").input
    changed_id = replace(real.members["MLModelId"], max=65)
    _our_shape_facts(replace(real, members={**real.members, "MLModelId": changed_id}), "input", ours)
    assert list(_differences(theirs, ours)) == ["input.MLModelId"]


def test_waiters_match_botocore_acceptor_by_acceptor(loader):
    theirs = loader.load_service_model("machinelearning", "waiters-2")["waiters"]
    assert sorted(waiter_names()) == sorted(theirs)
    for name, spec in theirs.items():
        ours = waiter(name)
        assert (ours.operation, ours.delay, ours.max_attempts) == (
            spec["operation"],
            spec["delay"],
            spec["maxAttempts"],
        )
        assert [(a.state, a.matcher, a.argument, a.expected) for a in ours.acceptors] == [
            (a["state"], a["matcher"], a.get("argument"), a["expected"]) for a in spec["acceptors"]
        ]


def _input_members(shape: Shape, seen: set, found: set) -> None:
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type == "structure":
        for name, member in shape.members.items():
            found.add((shape.name, name))
            _input_members(member, seen, found)
    elif shape.type == "list":
        _input_members(shape.member, seen, found)
    elif shape.type == "map":
        _input_members(shape.key, seen, found)
        _input_members(shape.value, seen, found)


def test_every_input_member_has_its_own_doc_and_no_doc_is_stray():
    found: set = set()
    seen: set = set()
    for name in operation_names():
        _input_members(operation(name).input, seen, found)
    assert found - set(MEMBER_DOCS) == set()
    assert set(MEMBER_DOCS) - found == set()
    assert ("Tag", "Key") in found and ("S3DataSpec", "DataLocationS3") in found


def test_every_operation_and_waiter_has_a_plain_doc():
    assert set(OPERATION_DOCS) == set(operation_names())
    assert set(WAITER_DOCS) == set(waiter_names())
    for text in [*OPERATION_DOCS.values(), *MEMBER_DOCS.values(), *WAITER_DOCS.values()]:
        assert text.strip() == text and text.endswith(".")
        assert "<" not in text and "``" not in text  # plain text, no markup


def test_our_docs_are_not_botocores(service):
    """Docs are ours: no member doc may equal botocore's first sentence for that member."""
    for (shape_name, member), text in MEMBER_DOCS.items():
        theirs = service.shape_for(shape_name).members[member].documentation or ""
        plain = " ".join(theirs.replace("<p>", " ").replace("</p>", " ").split())
        assert text.split(". ")[0] not in plain, (shape_name, member)
