"""The help topics promise only what aml's code accepts: every example parses with the parser that will
read it, the transformation table is the recipe parser's, and the examples train a model end to end."""

from __future__ import annotations

import csv
import json
import random

import pytest

from aml_cli.api.topics import (
    REARRANGEMENT_EXAMPLES,
    REARRANGEMENT_SHORTHAND,
    RECIPE_EXAMPLE,
    SCHEMA_EXAMPLE,
    TOPICS,
    TRANSFORMATIONS,
    WIDTH,
)
from aml_cli.ml import binary, recipe, schema, split
from tests.ml_api import operation

SCHEMA = schema.parse_schema(SCHEMA_EXAMPLE)
INPUTS = {attribute.name: attribute.type for attribute in SCHEMA.input_attributes}


@pytest.mark.parametrize("name", list(TOPICS))
def test_topics_fit_their_width(name):
    assert [line for line in TOPICS[name].text.splitlines() if len(line) > WIDTH] == []


def test_the_schema_example_uses_every_key_and_type_the_topic_explains():
    document = json.loads(SCHEMA_EXAMPLE)
    guide_keys = [keys[0] for keys in schema._TOP_KEYS.values()]
    assert set(document) == set(guide_keys)
    assert {a["attributeType"] for a in document["attributes"]} == set(schema.ATTRIBUTE_TYPES)
    text = TOPICS["schema"].text
    for word in [*guide_keys, *schema.ATTRIBUTE_TYPES, *schema.SEQUENCE_TYPES, "attributeName", "attributeType"]:
        assert word in text
    older = [key for keys in schema._TOP_KEYS.values() for key in keys[1:]] + ["fieldName", "fieldType"]
    assert all(key in text for key in older)
    assert f"1 to {schema.MAX_ATTRIBUTES}" in text


def test_the_binary_words_of_the_schema_topic_are_the_readers():
    words = ", ".join(binary.FALSE_WORDS) + " or " + ", ".join(binary.TRUE_WORDS)
    assert words in " ".join(TOPICS["schema"].text.split())


def test_the_recipe_example_parses_against_the_schema_example():
    parsed = recipe.parse_recipe(RECIPE_EXAMPLE, INPUTS)
    names = [output.name for output in parsed.outputs]
    assert "quantile_bin(account_length,20)" in names and "quantile_bin(total_day_minutes,20)" in names
    assert "cartesian(state,international_plan)" in names


def test_the_transformation_table_is_the_recipe_parsers():
    assert {t.name: (len(t.args), t.bounds) for t in TRANSFORMATIONS} == recipe._FUNCTIONS
    text = TOPICS["recipe"].text
    for item in TRANSFORMATIONS:
        assert item.signature in text
    for group in [*recipe.PREDEFINED, recipe.ALL_INPUTS, *recipe.SECTIONS]:
        assert group in text
    assert f"{recipe.MAX_OUTPUTS:,}" in text and f"{recipe.MAX_DEPTH} deep" in text


@pytest.mark.parametrize("item", [t for t in TRANSFORMATIONS if t.bounds], ids=lambda t: t.name)
def test_each_range_the_recipe_topic_states_is_the_one_the_parser_enforces(item):
    variable = "last_message" if item.name in ("ngram", "osb") else "account_length"
    low, high = item.bounds

    def outputs(n: int) -> str:
        return json.dumps({"outputs": [f"{item.name}({variable}, {n})"]})

    for n in (low, high):
        recipe.parse_recipe(outputs(n), INPUTS)
    for n in (low - 1, high + 1):
        with pytest.raises(recipe.RecipeError, match=f"from {low} to {high}"):
            recipe.parse_recipe(outputs(n), INPUTS)


def test_the_rearrangement_examples_parse_and_mean_what_the_topic_says():
    parsed = [split.parse_rearrangement(document) for _, document in REARRANGEMENT_EXAMPLES]
    train, test, outside, drawn, rest = parsed
    assert (train.begin, train.end, test.begin, test.end) == (0, 70, 70, 100)
    assert outside.complement and (outside.begin, outside.end) == (0, 25)
    assert drawn.strategy == rest.strategy == "random" and drawn.seed == rest.seed == "churn-2024"
    assert rest.complement and not drawn.complement
    text = TOPICS["data-rearrangement"].text
    assert all(key in text for key in split._SPLITTING_KEYS) and all(s in text for s in split.STRATEGIES)


def test_the_rearrangement_shorthand_of_the_topic_is_read_by_the_cli():
    from aml_cli.cli.args import parse_operation_args

    op = operation("CreateDataSourceFromS3")
    request = parse_operation_args(op, ["--data-source-id", "d", "--data-spec", REARRANGEMENT_SHORTHAND]).request
    spec = request["DataSpec"]
    assert spec["DataLocationS3"] == "churn.csv"
    assert split.parse_rearrangement(spec["DataRearrangement"]).end == 70
    shown = REARRANGEMENT_SHORTHAND.split(",", 2)[2].replace('"', '\\"')
    assert shown in TOPICS["data-rearrangement"].text


def _example_rows(count: int) -> list[list[str]]:
    """Records for the schema example, with a target that depends on the inputs."""
    draw = random.Random(7)
    words = ["refund", "great", "slow", "thanks", "cancel", "help", "fast", "bill"]
    rows = []
    for index in range(count):
        minutes = draw.uniform(0, 350)
        plan = draw.choice(["yes", "no"])
        churn = int(minutes > 250 or (plan == "yes" and draw.random() < 0.5))
        message = " ".join(draw.choice(words) for _ in range(draw.randint(1, 6))) + draw.choice(["!", ".", ""])
        rows.append([f"c{index}", draw.choice(["KS", "OH", "NJ"]), str(draw.randint(1, 240)),
                     f"{minutes:.1f}", plan, message.capitalize(), "note", str(churn)])
    return rows


def test_the_topic_examples_make_data_sources_and_train_a_model(tmp_path, inline_jobs):
    from aml_cli.service import call

    data = tmp_path / "example.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCHEMA.names)
        writer.writerows(_example_rows(400))
    for index, (_, document) in enumerate(REARRANGEMENT_EXAMPLES):
        call("CreateDataSourceFromS3", {
            "DataSourceId": f"ds-{index}", "ComputeStatistics": index == 0,
            "DataSpec": {"DataLocationS3": str(data), "DataSchema": SCHEMA_EXAMPLE, "DataRearrangement": document},
        })
        assert call("GetDataSource", {"DataSourceId": f"ds-{index}"})["Status"] == "COMPLETED"
    call("CreateMLModel", {"MLModelId": "m", "MLModelType": "BINARY", "TrainingDataSourceId": "ds-0",
                           "Recipe": RECIPE_EXAMPLE})
    model = call("GetMLModel", {"MLModelId": "m", "Verbose": True})
    assert model["Status"] == "COMPLETED", model.get("Message")
    assert model["Recipe"] == RECIPE_EXAMPLE
