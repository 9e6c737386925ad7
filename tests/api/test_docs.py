"""The help text of every service: complete, plain, and ours.

Which members need a doc is computed straight from each service's data module
(the SHAPES and OPERATIONS dicts), walking every input shape through lists,
maps and nested structures. botocore is a test dependency only: it is read
here to show that no entry starts with a sentence of botocore's own text.
"""

import html
import importlib
import re

import pytest

from aml_cli.api import SERVICES


def _modules(service: str):
    data = importlib.import_module(f"aml_cli.api.{service}.data")
    docs = importlib.import_module(f"aml_cli.api.{service}.docs")
    return data, docs


def _input_members(shapes: dict, name: str, seen: set, found: set) -> None:
    if name in seen:
        return
    seen.add(name)
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        for member, target in shape["members"].items():
            found.add((name, member))
            _input_members(shapes, target, seen, found)
    elif kind == "list":
        _input_members(shapes, shape["member"], seen, found)
    elif kind == "map":
        _input_members(shapes, shape["key"], seen, found)
        _input_members(shapes, shape["value"], seen, found)


def reachable_input_members(data) -> set:
    found: set = set()
    seen: set = set()
    for spec in data.OPERATIONS.values():
        input_shape = spec[3]
        if input_shape:
            _input_members(data.SHAPES, input_shape, seen, found)
    return found


def _plain(doc: str | None) -> str:
    """botocore's HTML documentation as plain text, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", doc or "")
    return " ".join(html.unescape(text).split())


def _first(text: str) -> str:
    return text.split(". ")[0]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_a_doc_and_none_is_stray(service):
    data, docs = _modules(service)
    assert set(docs.OPERATION_DOCS) == set(data.OPERATIONS)
    assert set(docs.WAITER_DOCS) == set(data.WAITERS)


@pytest.mark.parametrize("service", SERVICES)
def test_every_reachable_input_member_has_a_doc_and_none_is_stray(service):
    data, docs = _modules(service)
    found = reachable_input_members(data)
    assert found - set(docs.MEMBER_DOCS) == set()
    assert set(docs.MEMBER_DOCS) - found == set()


def test_the_walk_reaches_nested_members():
    ml, _ = _modules("cleanroomsml")
    found = reachable_input_members(ml)
    assert ("ProtectedQuerySQLParameters", "queryString") in found  # four structures deep
    assert ("CustomEntityConfig", "customDataIdentifiers") in found  # through a list
    assert ("WorkerComputeConfigurationProperties", "spark") in found  # a union member
    cr, _ = _modules("cleanrooms")
    assert ("MembershipJobComputePaymentConfig", "isResponsible") in reachable_input_members(cr)


@pytest.mark.parametrize("service", SERVICES)
def test_entries_are_plain_text(service):
    _, docs = _modules(service)
    entries = {**docs.OPERATION_DOCS, **docs.WAITER_DOCS, **{str(k): v for k, v in docs.MEMBER_DOCS.items()}}
    for key, text in entries.items():
        assert isinstance(text, str) and text, key
        assert text.strip() == text, key
        assert text.endswith("."), key
        assert "<" not in text and "``" not in text, key
        assert "  " not in text, key


@pytest.mark.parametrize("service", SERVICES)
def test_docs_modules_import_no_botocore(service):
    _, docs = _modules(service)
    with open(docs.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert "botocore" not in source
    assert docs.__doc__


@pytest.mark.parametrize("service", SERVICES)
def test_our_docs_are_not_botocores(service):
    """No entry's first sentence may appear in botocore's documentation of the same member or operation."""
    session = pytest.importorskip("botocore.session")
    model = session.get_session().get_service_model(service)
    _, docs = _modules(service)
    for op_name, text in docs.OPERATION_DOCS.items():
        theirs = _plain(model.operation_model(op_name).documentation)
        assert _first(text) not in theirs, op_name
    for (shape_name, member), text in docs.MEMBER_DOCS.items():
        theirs = _plain(model.shape_for(shape_name).members[member].documentation)
        assert _first(text) not in theirs, (shape_name, member)
