"""The recipe language: every construct, every type rule, every error and where it points."""

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aml_cli.ml.recipe import (
    CATEGORICAL,
    NUMERIC,
    TEXT,
    TOKENS,
    Recipe,
    RecipeError,
    parse_expression,
    parse_recipe,
    quote_name,
)

VARIABLES = {
    "age": "NUMERIC", "balance": "NUMERIC", "job": "CATEGORICAL", "month": "CATEGORICAL",
    "title": "TEXT", "body": "TEXT", "married": "BINARY", "my var": "CATEGORICAL", "1st": "NUMERIC",
    "it's": "TEXT",
}


def recipe(outputs, groups=None, assignments=None, **extra) -> str:
    document = {}
    if groups is not None:
        document["groups"] = groups
    if assignments is not None:
        document["assignments"] = assignments
    document.update(extra)
    document["outputs"] = outputs
    return json.dumps(document)


def names(parsed: Recipe) -> list[str]:
    return [out.name for out in parsed.outputs]


def error_of(text: str, variables=VARIABLES) -> str:
    with pytest.raises(RecipeError) as info:
        parse_recipe(text, variables)
    return str(info.value)


# ---- constructs ------------------------------------------------------------------

def test_the_seeds_sample_recipe_parses():
    text = '{ "groups": {}, \n"assignments": {}, \n"dependencies": {}, \n"outputs": [\n "\'x\'"\n] }\n'
    assert names(parse_recipe(text, {"x": "NUMERIC"})) == ["x"]


def test_all_inputs_lists_every_variable_in_schema_order():
    assert names(parse_recipe(recipe(["ALL_INPUTS"]), VARIABLES)) == [quote_name(v) for v in VARIABLES]


def test_predefined_groups_select_by_type():
    parsed = parse_recipe(recipe(["ALL_NUMERIC", "ALL_BINARY"]), VARIABLES)
    assert names(parsed) == ["age", "balance", "'1st'", "married"]


def test_groups_nest_and_group_remove_subtracts():
    parsed = parse_recipe(recipe(
        ["G2"], groups={"G1": "group(age, ALL_CATEGORICAL)", "G2": "group_remove(G1, month, 'my var')"}), VARIABLES)
    assert parsed.groups == {"G1": ("age", "job", "month", "my var"), "G2": ("age", "job")}
    assert names(parsed) == ["age", "job"]


def test_groups_may_be_used_before_they_are_defined():
    parsed = parse_recipe(recipe(["A"], groups={"A": "group(B)", "B": "group(age)"}), VARIABLES)
    assert parsed.groups["A"] == ("age",)


def test_a_transformation_of_a_group_applies_to_each_member():
    parsed = parse_recipe(recipe(["quantile_bin(NUMS, 50)"], groups={"NUMS": "group('age','balance')"}), VARIABLES)
    assert names(parsed) == ["quantile_bin(age,50)", "quantile_bin(balance,50)"]


def test_assignments_chain_and_nest():
    parsed = parse_recipe(recipe(
        ["title_ngram", "email_lower"],
        assignments={"email_lower": "lowercase(no_punct(title))", "title_ngram": "ngram(email_lower, 3)"}), VARIABLES)
    assert names(parsed) == ["ngram(lowercase(no_punct(title)),3)", "lowercase(no_punct(title))"]
    assert [out.type for out in parsed.outputs] == [TOKENS, TEXT]


def test_cartesian_of_two_groups_crosses_every_pair():
    parsed = parse_recipe(recipe(["cartesian(ALL_CATEGORICAL, married)"]), VARIABLES)
    assert names(parsed) == ["cartesian(job,married)", "cartesian(month,married)", "cartesian('my var',married)"]


@pytest.mark.parametrize(("expression", "kind"), [
    ("lowercase(title)", TEXT), ("no_punct(job)", CATEGORICAL), ("split_punct(title)", TEXT),
    ("ngram(title, 2)", TOKENS),
    ("osb(body, 10)", TOKENS), ("quantile_bin(age, 5)", CATEGORICAL), ("quantile_bin(age, 1000)", CATEGORICAL),
    ("normalize(age)", NUMERIC), ("cartesian(job, quantile_bin(age, 10))", CATEGORICAL),
    ("cartesian(title, job)", TOKENS), ("cartesian(ngram(title, 2), married)", TOKENS),
])
def test_each_transformation_yields_its_type(expression, kind):
    assert parse_recipe(recipe([expression]), VARIABLES).outputs[0].type == kind


def test_quoted_names_with_single_double_and_escaped_quotes():
    parsed = parse_recipe(recipe(["'my var'", '"1st"', "'it\\'s'", "\"it's\""]), VARIABLES)
    assert names(parsed) == ["'my var'", "'1st'", "'it\\'s'"]  # the two spellings of it's are one output


def test_bare_names_may_hold_spaces():
    assert names(parse_recipe(recipe(["my var"]), VARIABLES)) == ["'my var'"]


def test_comments_end_outputs_entries_inside_or_after_the_string():
    text = '{"outputs": [\n  "quantile_bin(age, 10) // ten bins",\n  "job" // the job\n, "\'a//b\'"]}'
    parsed = parse_recipe(text, {**VARIABLES, "a//b": "CATEGORICAL"})
    assert names(parsed) == ["quantile_bin(age,10)", "job", "'a//b'"]


def test_an_entry_that_is_only_a_comment_adds_nothing():
    assert names(parse_recipe(recipe(["// nothing here", "job"]), VARIABLES)) == ["job"]


def test_repeated_outputs_are_kept_once():
    assert names(parse_recipe(recipe(["job", "ALL_CATEGORICAL"]), VARIABLES)) == ["job", "month", "'my var'"]


def test_quoted_definition_names_may_start_with_a_digit():
    parsed = parse_recipe(recipe(["'2nd group'"], groups={"'2nd group'": "group(age)"}), VARIABLES)
    assert parsed.groups == {"2nd group": ("age",)}


def test_whitespace_around_tokens_is_ignored():
    assert names(parse_recipe(recipe(["  quantile_bin (  age ,\t10 )  "]), VARIABLES)) == ["quantile_bin(age,10)"]


def test_parse_expression_builds_a_tree():
    node = parse_expression("ngram(lowercase('t 1'), 2)")
    assert node.func == "ngram" and node.args[0].args[0].value == "t 1" and node.args[1].digits == "2"


# ---- errors ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ("[]", "a recipe is a JSON object, not an array"),
    (recipe([]), "outputs: the outputs section is empty"),
    ('{"groups": {}}', "the outputs section is missing"),
    ('{"outputs": "job"}', "outputs is a JSON array, not a string"),
    ('{"outputs": [1]}', "outputs[0]: an outputs entry is a string, not a number"),
    ('{"outputs": [""]}', "outputs[0]: an outputs entry may not be empty"),
    ('{"outputs": ["job"], "extras": {}}', "unknown section 'extras'"),
    ('{"outputs": ["job"], "groups": {}}', "sections must come in the order groups, assignments, outputs"),
    ('{"assignments": {}, "groups": {}, "outputs": ["job"]}', "sections must come in the order"),
    ('{"dependencies": {"a": "b"}, "outputs": ["job"]}', "the dependencies section must be empty"),
    ('{"groups": {"G": "group(age)", "G": "group(job)"}, "outputs": ["G"]}', "'G' is defined twice"),
    ('{"groups": [], "outputs": ["job"]}', "groups is a JSON object, not an array"),
    ('{"groups": {"G": 3}, "outputs": ["job"]}', "groups, entry 'G': the definition is a string, not a number"),
    (recipe(["G"], groups={"1G": "group(age)"}), "groups, entry '1G': a name must start with a letter"),
    (recipe(["G"], groups={"G(x)": "group(age)"}), "a name must start with a letter"),
    (recipe(["G"], groups={"G" * 65: "group(age)"}), "a name is 1 to 64 characters long"),
    (recipe(["job"], groups={"ALL_TEXT": "group(age)"}), "'ALL_TEXT' is a predefined group"),
    (recipe(["job"], groups={"age": "group(age)"}), "'age' is already a variable of the data source"),
    (recipe(["X"], groups={"X": "group(age)"}, assignments={"X": "job"}), "'X' is both a group and an assignment"),
    (recipe(["G"], groups={"G": "group(G)"}), "groups, entry 'G': 'G' refers to itself (G -> G)"),
    (recipe(["A"], groups={"A": "group(B)", "B": "group(C)", "C": "group(A)"}), "(A -> B -> C -> A)"),
    (recipe(["a"], assignments={"a": "lowercase(b)", "b": "no_punct(a)"}), "'a' refers to itself (a -> b -> a)"),
    (recipe(["G"], groups={"G": "group(ALL_INPUTS)"}), "ALL_INPUTS cannot be used inside a group"),
    (recipe(["G"], groups={"G": "age"}), "a group is defined as group(...) or group_remove(...)"),
    (recipe(["G"], groups={"G": "group(nope)"}), "unknown variable or group 'nope'"),
    (recipe(["G"], groups={"G": "group(lowercase(title))"}), "a group holds variables and groups only"),
    (recipe(["G"], groups={"G": "group_remove(age, job)"}), "the first argument of group_remove must be a group"),
    (recipe(["G"], groups={"G": "group_remove(ALL_TEXT)"}), "group_remove needs a group and at least one name"),
    (recipe(["G"], groups={"G": "group(a)"}, assignments={"a": "job"}), "assignment 'a' cannot be used inside"),
    (recipe(["group(age)"]), "group() may only define a group in the groups section"),
    (recipe(["nope"]), "outputs[0]: unknown variable, group or assignment 'nope'"),
    (recipe(["frobnicate(age)"]), "unknown transformation 'frobnicate'"),
    (recipe(["quantile_bin(title, 10)"]), "quantile_bin needs a NUMERIC variable, but title is TEXT"),
    (recipe(["quantile_bin(ALL_INPUTS, 10)"]), "quantile_bin needs a NUMERIC variable, but job is CATEGORICAL"),
    (recipe(["quantile_bin(normalize(age), 10)"]), "quantile_bin needs a NUMERIC variable as read"),
    (recipe(["normalize(job)"]), "normalize needs a NUMERIC variable, but job is CATEGORICAL"),
    (recipe(["ngram(job, 2)"]), "ngram needs a TEXT value, but job is CATEGORICAL"),
    (recipe(["osb(ngram(title, 2), 2)"]), "osb needs a TEXT value, but ngram(title,2) is TOKENS"),
    (recipe(["lowercase(age)"]), "lowercase needs a TEXT or CATEGORICAL value, but age is NUMERIC"),
    (recipe(["split_punct(job)"]), "split_punct needs a TEXT value, but job is CATEGORICAL"),
    (recipe(["cartesian(age, job)"]), "cartesian needs categorical or text values"),
    (recipe(["ngram(title, 1)"]), "ngram takes a number from 2 to 10, not 1"),
    (recipe(["osb(title, 11)"]), "osb takes a number from 2 to 10, not 11"),
    (recipe(["quantile_bin(age, 4)"]), "quantile_bin takes a number from 5 to 1000, not 4"),
    (recipe(["quantile_bin(age, 1001)"]), "not 1001"),
    (recipe(["quantile_bin(age, " + "9" * 5000 + ")"]), "quantile_bin takes a number from 5 to 1000"),
    (recipe(["quantile_bin(age)"]), "quantile_bin takes a variable and a number from 5 to 1000"),
    (recipe(["normalize(age, 3)"]), "normalize takes one argument"),
    (recipe(["cartesian(job, 3)"]), "a number may only be the last argument"),
    (recipe(["cartesian(job)"]), "cartesian takes 2 arguments"),
    (recipe(["lowercase(title, body)"]), "lowercase takes one argument"),
    (recipe(["2"]), "a number may only be the last argument"),
    (recipe(["ALL_TEXT"]), "the outputs select no variables"),
])
def test_errors_say_what_is_wrong_and_where(text, message):
    variables = {"x": "TEXT"} if "ALL_TEXT\"]" in text and "groups" not in text else VARIABLES
    if text == recipe(["ALL_TEXT"]):
        variables = {"age": "NUMERIC"}
    assert message in error_of(text, variables)


@pytest.mark.parametrize(("entry", "message", "column"), [
    ("quantile_bin(age 10)", "expected ',' or ')'", 17),
    ("ngram(title, 2", "expected ',' or ')'", 14),
    ("ngram(title, 2))", "unexpected text after the expression", 15),
    ("ngram(, 2)", "unexpected ','", 6),
    ("1st", "a name must start with a letter or be quoted", 0),
    ("lowercase('title)", "unterminated quoted name", 10),
    ("lowercase('')", "a quoted name may not be empty", 10),
    ("a" * 65, "a name is 1 to 64 characters long unless quoted", 0),
    ("cartesian(job, )", "unexpected ')'", 15),
    ("cartesian(job, ", "expected a name or a transformation", 15),
    ("quantile_bin(title, 10)", "quantile_bin needs a NUMERIC variable", 13),
])
def test_syntax_errors_put_a_caret_under_the_bad_character(entry, message, column):
    text = error_of(recipe(["job", entry]))
    first, shown, caret = text.splitlines()
    assert first.startswith("Invalid recipe: outputs[1]: ") and message in first
    assert shown == "    " + entry
    assert caret == "    " + " " * column + "^"


def test_json_errors_point_into_the_recipe_text():
    text = error_of('{"outputs": ["job",]}')
    assert text.splitlines()[0] == "Invalid recipe: not valid JSON: Expecting value (line 1, column 20)"
    assert text.splitlines()[2] == "    " + " " * 19 + "^"


def test_nesting_beyond_the_limit_is_an_error_not_a_crash():
    deep = "lowercase(" * 40 + "title" + ")" * 40
    assert "nest deeper than" in error_of(recipe([deep]))
    assert "Invalid recipe" in error_of("[" * 100_000 + "]" * 100_000)


def test_more_than_ten_thousand_outputs_is_an_error():
    variables = {f"v{i}": "CATEGORICAL" for i in range(101)}
    outputs = [f"cartesian(ALL_CATEGORICAL, v{i})" for i in range(101)]
    assert "the outputs make more than 10000 variables" in error_of(recipe(outputs), variables)


def test_recipe_error_is_a_value_error():
    assert issubclass(RecipeError, ValueError)


# ---- properties -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_recipe_or_a_recipe_error(text):
    with contextlib.suppress(RecipeError):
        assert isinstance(parse_recipe(text, VARIABLES), Recipe)


_PIECES = st.sampled_from(["age", "job", "title", "'my var'", "ALL_TEXT", "ALL_INPUTS", "G", "A", "(", ")", ",",
                           " ", "2", "10", "ngram(", "osb(", "quantile_bin(", "normalize(", "cartesian(",
                           "lowercase(", "no_punct(", "group(", "//", "'", '"', "\\"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=4),
       st.lists(_PIECES, max_size=8).map("".join), st.lists(_PIECES, max_size=8).map("".join))
def test_near_miss_recipes_give_a_recipe_or_a_recipe_error(outputs, group, assignment):
    with contextlib.suppress(RecipeError):
        parse_recipe(recipe(outputs, groups={"G": group}, assignments={"A": assignment}), VARIABLES)
