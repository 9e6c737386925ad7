"""Guarantee 4b: any text given to the parsers is a value or a clear error, never a crash or a traceback."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aml_cli.cli.errors
import aml_cli.service
from aml_cli.api import cli_name
from aml_cli.api.errors import ServiceError
from aml_cli.api.validate import ParamValidationError
from aml_cli.cli.main import run
from aml_cli.cli.shorthand import ShorthandParseError, apply_shape, parse_shorthand
from aml_cli.cli.usage_errors import ParamParseError, UnknownOptionsError, UsageError
from aml_cli.ml.recipe import Recipe, RecipeError, parse_recipe
from tests.ml_api import operation

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# -- shorthand ---------------------------------------------------------------------------------

SHORTHAND_PIECES = st.sampled_from(["Key", "Value", "=", ",", "[", "]", "{", "}", "'", '"', "\\", " ", "a", "1",
                                    "\n", "\\,", "=,", "[]", "{}", "é", "\x00"])
shorthand_text = st.one_of(st.text(), st.lists(SHORTHAND_PIECES, max_size=40).map("".join))


@FUZZ
@given(shorthand_text)
def test_the_shorthand_parser_gives_a_value_or_a_shorthand_parse_error(text):
    try:
        value = parse_shorthand(text)
    except ShorthandParseError as err:
        assert str(err)
        return
    assert isinstance(value, dict | list | str)
    json.dumps(value)


@FUZZ
@given(shorthand_text, st.sampled_from(["DataSpec", "Parameters", "Record", "Tags"]))
def test_shorthand_applied_to_a_shape_gives_a_value_or_a_shorthand_parse_error(text, member):
    shapes = {name: shape for op in ("CreateDataSourceFromS3", "CreateMLModel", "Predict", "AddTags")
              for name, shape in operation(op).input.members.items()}
    try:
        apply_shape(parse_shorthand(text), shapes[member])
    except ShorthandParseError:
        pass
    except (ValueError, TypeError) as err:  # conversions the AWS CLI reports as parameter errors
        assert str(err)


# -- --cli-input-json / --cli-input-yaml, through the whole command line ---------------------------

EXPECTED_ERRORS = (ParamValidationError, ParamParseError, UsageError, UnknownOptionsError, ServiceError)
OPERATIONS = ("GetMLModel", "CreateDataSourceFromS3", "CreateMLModel", "UpdateMLModel", "DescribeMLModels",
              "Predict", "AddTags", "CreateBatchPrediction")
MEMBER_NAMES = sorted({name for op in OPERATIONS for name in operation(op).input.members}
                      | {"DataLocationS3", "DataSchema", "DataRearrangement", "Key", "Value"})
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(MEMBER_NAMES) | st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@pytest.fixture
def stopped_at_the_request(monkeypatch):
    """The service is not called: a request that passes every client check is recorded, with the errors seen."""
    seen: dict[str, list] = {"requests": [], "errors": []}

    def fake_call(name, request, store=None, **context):
        from aml_cli.api.validate import check_service_side

        check_service_side(operation(name), request)
        seen["requests"].append(request)
        return {}

    real_handler = aml_cli.cli.errors.handle_exception

    def recording_handler(exc, *, debug=False):
        seen["errors"].append(exc)
        return real_handler(exc, debug=debug)

    monkeypatch.setattr(aml_cli.service, "call", fake_call)
    monkeypatch.setattr(aml_cli.cli.errors, "handle_exception", recording_handler)
    return seen


def _run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, err.getvalue()


def _assert_request_or_clear_error(seen, code: int, err: str) -> None:
    assert "Traceback" not in err
    if code == 0:
        assert seen["requests"] and isinstance(seen["requests"][-1], dict)
        return
    assert code in (252, 254), err
    assert seen["errors"], err
    assert isinstance(seen["errors"][-1], EXPECTED_ERRORS), repr(seen["errors"][-1])


@FUZZ
@given(st.sampled_from(OPERATIONS), json_values)
def test_any_cli_input_json_document_is_a_request_or_a_clear_error(stopped_at_the_request, op_name, document):
    stopped_at_the_request["errors"].clear()
    code, err = _run(cli_name(op_name), "--cli-input-json", json.dumps(document))
    _assert_request_or_clear_error(stopped_at_the_request, code, err)
    if not isinstance(document, dict):
        assert code == 252


@FUZZ
@given(st.sampled_from(OPERATIONS), st.one_of(st.text(), json_values.map(lambda v: json.dumps(v).replace('"', ""))))
def test_any_cli_input_yaml_text_is_a_request_or_a_clear_error(stopped_at_the_request, op_name, text):
    stopped_at_the_request["errors"].clear()
    code, err = _run(cli_name(op_name), "--cli-input-yaml", text)
    _assert_request_or_clear_error(stopped_at_the_request, code, err)


# -- recipes ---------------------------------------------------------------------------------------

ATTRIBUTES = {"x1": "NUMERIC", "x2": "NUMERIC", "colour": "CATEGORICAL", "note": "TEXT", "flag": "BINARY"}
RECIPE_TOKENS = st.sampled_from(["x1", "x2", "colour", "note", "flag", "g", "a", "ALL_INPUTS", "ALL_TEXT",
                                 "ALL_NUMERIC", "ALL_CATEGORICAL", "ALL_BINARY", "quantile_bin", "normalize",
                                 "ngram", "osb", "cartesian", "lowercase", "no_punct", "(", ")", ",", " ", "'",
                                 "10", "2", "0", "-1", "1000000", "//", "\\"])
expressions = st.lists(RECIPE_TOKENS, min_size=1, max_size=12).map("".join)
recipe_documents = st.fixed_dictionaries(
    {},
    optional={
        "groups": st.dictionaries(st.sampled_from(["g", "h", "x1", "ALL_TEXT", "'q q'"]), expressions, max_size=3),
        "assignments": st.dictionaries(st.sampled_from(["a", "b", "g", "note"]), expressions, max_size=3),
        "outputs": st.lists(expressions, max_size=4),
    },
).map(json.dumps)


@FUZZ
@given(st.one_of(st.text(), recipe_documents, json_values.map(json.dumps)))
def test_the_recipe_parser_gives_a_recipe_or_a_recipe_error(text):
    try:
        recipe = parse_recipe(text, ATTRIBUTES)
    except RecipeError as err:
        assert str(err)
        return
    assert isinstance(recipe, Recipe)
    assert recipe.outputs


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ('{"groups": {"g": "g"}, "outputs": ["g"]}', "g"),
        ('{"groups": {"g": "h", "h": "g"}, "outputs": ["g"]}', "g"),
        ('{"assignments": {"a": "lowercase(a)"}, "outputs": ["a"]}', "a"),
        ('{"groups": {"g": "group(g, x1)"}, "outputs": ["g"]}', "g"),
    ],
    ids=["group-self", "groups-cycle", "assignment-self", "group-call-self"],
)
def test_cyclic_recipes_are_recipe_errors_not_endless_recursion(recipe, message):
    with pytest.raises(RecipeError) as caught:
        parse_recipe(recipe, ATTRIBUTES)
    assert message in str(caught.value)
