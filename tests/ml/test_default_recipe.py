"""The suggested recipe: bin counts from statistics, the service's layout, never the target."""

import json

import pandas as pd
import pytest

from aml_cli.ml.default_recipe import bin_count, default_recipe
from aml_cli.ml.features import Featurizer
from aml_cli.ml.recipe import parse_recipe
from aml_cli.ml.schema import parse_schema


def schema_of(attributes, **fields):
    document = {"version": "1.0", "dataFormat": "CSV", "dataFileContainsHeader": True,
                "attributes": [{"attributeName": n, "attributeType": t} for n, t in attributes], **fields}
    return parse_schema(json.dumps(document))


def numeric(name, count, distinct, missing=0):
    return {"name": name, "type": "NUMERIC", "count": count, "missing": missing, "distinct": distinct}


@pytest.mark.parametrize(("count", "distinct", "bins"), [
    (100, 100, 10),            # few rows: the smallest choice
    (5_000, 3, 10),            # few distinct values: never below 10
    (5_000, 5_000, 10),        # 10 bins of 500 values
    (10_000, 10_000, 20),
    (60_000, 60_000, 100),     # 120 fits between 100 and 200
    (125_000, 125_000, 200),   # 250 fits between 200 and 500
    (1_000_000, 900_000, 500),  # capped at 500
    (1_000_000, 80, 20),       # 40 distinct-pairs -> 20
    (1_000_000, 1_000, 500),
])
def test_bin_count_follows_the_documented_rule(count, distinct, bins):
    assert bin_count(numeric("x", count, distinct), rows=count) == bins


def test_bin_count_without_statistics_falls_back_to_the_row_count():
    assert bin_count({}, rows=100_000) == 200
    assert bin_count({}, rows=0) == 10


def test_the_default_recipe_groups_numbers_by_bin_count_in_the_services_layout():
    schema = schema_of([("age", "NUMERIC"), ("balance", "NUMERIC"), ("day", "NUMERIC"), ("job", "CATEGORICAL"),
                        ("y", "BINARY")], targetAttributeName="y")
    statistics = {"rows": 100_000, "attributes": [
        numeric("age", 100_000, 70), numeric("balance", 100_000, 9_000), numeric("day", 100_000, 31)]}
    document = json.loads(default_recipe(schema, statistics))
    assert document == {
        "groups": {"NUMERIC_VARS_QB_20": "group('age')", "NUMERIC_VARS_QB_200": "group('balance')",
                   "NUMERIC_VARS_QB_10": "group('day')"},
        "assignments": {},
        "outputs": ["ALL_CATEGORICAL", "quantile_bin(NUMERIC_VARS_QB_10,10)", "quantile_bin(NUMERIC_VARS_QB_20,20)",
                    "quantile_bin(NUMERIC_VARS_QB_200,200)", "normalize(ALL_NUMERIC)"],
    }
    assert list(document["groups"]) == ["NUMERIC_VARS_QB_10", "NUMERIC_VARS_QB_20", "NUMERIC_VARS_QB_200"]


def test_numbers_sharing_a_bin_count_share_a_group():
    schema = schema_of([("a", "NUMERIC"), ("b", "NUMERIC")])
    statistics = {"rows": 500, "attributes": [numeric("a", 500, 500), numeric("b", 500, 400)]}
    assert json.loads(default_recipe(schema, statistics))["groups"] == {"NUMERIC_VARS_QB_10": "group('a','b')"}


def test_target_row_id_and_excluded_attributes_never_appear():
    schema = schema_of([("id", "NUMERIC"), ("secret", "NUMERIC"), ("x", "NUMERIC"), ("t", "TEXT"), ("b", "BINARY"),
                        ("y", "NUMERIC")], targetAttributeName="y", rowId="id", excludedAttributeNames=["secret"])
    statistics = {"rows": 1000, "attributes": [numeric(n, 1000, 1000) for n in ("id", "secret", "x", "y")]}
    text = default_recipe(schema, statistics)
    for name in ("'id'", "'secret'", "'y'"):
        assert name not in text
    inputs = {a.name: a.type for a in schema.input_attributes}
    parsed = parse_recipe(text, inputs)
    used = {var for out in parsed.outputs for var in _variables(out.expr)}
    assert used == {"x", "t", "b"}


def text(name, tokens, distinct):
    return {"name": name, "type": "TEXT", "tokens": tokens, "distinct_tokens": distinct}


def test_text_is_lowercased_split_at_punctuation_into_words_and_word_pairs():
    schema = schema_of([("review", "TEXT"), ("y", "BINARY")], targetAttributeName="y")
    document = json.loads(default_recipe(schema, {"rows": 10, "attributes": []}))
    assert document["outputs"] == ["ngram(lowercase(split_punct(ALL_TEXT)),2)"]
    assert [o.name for o in parse_recipe(json.dumps(document), {"review": "TEXT"}).outputs] == [
        "ngram(lowercase(split_punct(review)),2)"]


def test_links_share_their_words_by_default_and_stay_whole_under_an_explicit_no_punct():
    """The default recipe's text splits at punctuation: two tweets' links share "https", "t", "co" and the
    pairs of them; a recipe that asks for no_punct keeps the service's meaning (edge punctuation only), each
    link one token of its own."""
    schema = schema_of([("tweet", "TEXT"), ("y", "BINARY")], targetAttributeName="y")
    frame = pd.DataFrame({"tweet": ["Watch https://t.co/x7Gq", "Great night! https://t.co/Ab9z"]})
    shared = {}
    for name, text in (("default", default_recipe(schema, {"rows": 2, "attributes": []})),
                       ("no_punct", json.dumps({"outputs": ["ngram(lowercase(no_punct(ALL_TEXT)),2)"]}))):
        featurizer = Featurizer.fit(parse_recipe(text, {"tweet": "TEXT"}), {"tweet": "TEXT"}, {"attributes": []})
        X = featurizer.transform(frame)
        shared[name] = len((set(X[0].indices) & set(X[1].indices)) - {featurizer.bias_index})
    assert shared == {"default": 5, "no_punct": 0}  # https, t, co, "https t", "t co"


def test_every_text_attribute_gets_words_and_pairs_whatever_its_vocabulary():
    schema = schema_of([("title", "TEXT"), ("body", "TEXT"), ("y", "BINARY")], targetAttributeName="y")
    statistics = {"rows": 10_000, "attributes": [text("title", 1_000_000, 50), text("body", 50_000, 5_000)]}
    document = json.loads(default_recipe(schema, statistics))
    assert document["groups"] == {}
    parsed = parse_recipe(json.dumps(document), {"title": "TEXT", "body": "TEXT"})
    assert {o.name for o in parsed.outputs} == {"ngram(lowercase(split_punct(title)),2)",
                                               "ngram(lowercase(split_punct(body)),2)"}


def test_numbers_are_binned_and_standardised_both():
    schema = schema_of([("a", "NUMERIC"), ("c", "CATEGORICAL"), ("y", "NUMERIC")], targetAttributeName="y")
    statistics = {"rows": 500, "attributes": [numeric("a", 500, 500)]}
    parsed = parse_recipe(default_recipe(schema, statistics), {"a": "NUMERIC", "c": "CATEGORICAL"})
    assert [(o.name, o.type) for o in parsed.outputs] == [
        ("c", "CATEGORICAL"), ("quantile_bin(a,10)", "CATEGORICAL"), ("normalize(a)", "NUMERIC")]


def test_names_with_quotes_and_backslashes_survive_the_round_trip():
    names = ["it's", "back\\slash", "two words", "1st"]
    schema = schema_of([(n, "NUMERIC") for n in names])
    text = default_recipe(schema, {"rows": 10, "attributes": []})
    parsed = parse_recipe(text, dict.fromkeys(names, "NUMERIC"))
    assert [out.expr.args[0].name for out in parsed.outputs] == names + names  # bins, then standardised values


def test_a_schema_without_inputs_gets_all_inputs():
    schema = schema_of([("y", "BINARY")], targetAttributeName="y")
    assert json.loads(default_recipe(schema, {"rows": 0, "attributes": []}))["outputs"] == ["ALL_INPUTS"]


def _variables(expr):
    if hasattr(expr, "args"):
        for arg in expr.args:
            yield from _variables(arg)
    else:
        yield expr.name
