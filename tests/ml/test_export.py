"""The exporter's description of expressions, its readable names, and its refusals of what it cannot describe."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aml_cli.ml import hashing
from aml_cli.ml.export import ExportError, describe_expression, export_document, mode_of
from aml_cli.ml.feature_names import feature_names
from aml_cli.ml.recipe import Apply, Output, Var
from tests.ml.test_features import TYPES, fitted, frame_of, statistics_of


def test_every_column_a_named_value_lands_on_is_the_featurizers_column():
    featurizer = fitted(["quantile_bin(age,5)", "member", "job", "lowercase(no_punct(review))", "income",
                         "ngram(lowercase(review),2)", "cartesian(job,member)"])
    names = feature_names(featurizer, statistics_of(frame_of()))
    frame = frame_of(400, seed=5)
    X = featurizer.transform(frame)
    used = set(X.indices.tolist())
    named = {column for column in names if column in used}
    assert len(named) > 20
    row = int(np.flatnonzero(frame["age"].notna() & (frame["member"] == 1) & (frame["job"] == "tech"))[0])
    labels = {names[c][0] for c in X.indices[X.indptr[row]:X.indptr[row + 1]] if c in names}
    assert {"member = 1", "job = tech", "job = tech and member = 1", "(bias)"} <= labels
    assert any(label.startswith("age ") for label in labels)
    assert names[featurizer.bias_index] == ("(bias)", "")


def test_word_names_follow_lowercase_and_no_punct():
    featurizer = fitted(["lowercase(no_punct(review))", "ngram(review,2)"])
    labels = {label for label, _ in feature_names(featurizer, statistics_of(frame_of())).values()}
    assert 'word "great" in review' in labels and 'word "Great!" in review' in labels
    assert 'words "good bad" in review' in labels


def test_word_names_follow_split_punct_and_land_on_the_featurizers_columns():
    featurizer = fitted(["ngram(lowercase(split_punct(review)),2)"])
    names = feature_names(featurizer, statistics_of(frame_of()))
    labels = {label for label, _ in names.values()}
    assert 'word "great" in review' in labels and 'word "Great!" in review' not in labels
    node = describe_expression(featurizer.recipe.outputs[0].expr.args[0], featurizer)
    assert node["split_punct"] and node["lowercase"] and not node["no_punct"]
    X = featurizer.transform(frame_of(400, seed=5))
    great = [column for column, (label, _) in names.items() if label == 'word "great" in review']
    assert great and set(great) <= set(X.indices.tolist())


def test_expressions_are_described_with_their_fitted_constants():
    featurizer = fitted(["quantile_bin(age,5)", "normalize(income)", "income", "lowercase(job)"])
    bins, norm, raw, job = (describe_expression(out.expr, featurizer) for out in featurizer.recipe.outputs)
    assert bins["op"] == "quantile_bin" and bins["mode"] == "category" and len(bins["boundaries"]) == 4
    assert bins["arg"] == {"op": "variable", "variable": "age", "type": "NUMERIC", "mode": "number"}
    assert norm["mode"] == "number" and norm["std"] > 0
    assert raw["scale"] == pytest.approx(float(frame_of()["income"].abs().max()))
    assert job == {"op": "variable", "variable": "job", "type": "CATEGORICAL", "mode": "category",
                   "lowercase": True, "no_punct": False}


def test_a_transformation_the_exporter_does_not_know_fails_loudly_by_name():
    with pytest.raises(ExportError, match="'sqrt'"):
        mode_of(Apply("sqrt", (Var("age"),)), TYPES)
    featurizer = fitted(["age"])
    odd = dataclasses.replace(featurizer.recipe, outputs=(Output(Apply("sqrt", (Var("age"),)), "NUMERIC"),))
    featurizer.recipe = odd
    model = _model_of(featurizer)
    with pytest.raises(ExportError, match="transformation 'sqrt'"):
        export_document(model, names={}, threshold=None)


def test_a_featurizer_of_another_version_is_refused():
    featurizer = fitted(["age"])
    model = _model_of(featurizer)
    real_state = featurizer.state
    featurizer.state = lambda: ({**real_state()[0], "version": 99}, {})
    with pytest.raises(ExportError, match="version 99"):
        export_document(model, names={}, threshold=None)


def test_the_document_lists_every_non_zero_weight_and_the_bias_apart():
    featurizer = fitted(["job"])
    model = _model_of(featurizer)
    model.weights[[3, 7], 0] = [0.5, -0.25]
    model.weights[featurizer.bias_index, 0] = 1.5
    document = export_document(model, names={3: ("job = tech", "job")}, threshold=0.5)
    assert document["bias"] == [1.5]
    assert document["features"] == [{"column": 3, "name": "job = tech", "output": "job", "weights": [0.5]},
                                    {"column": 7, "name": None, "output": None, "weights": [-0.25]}]
    assert document["outputs"][0]["seed"] == f"0x{int(hashing.tag('job')):016x}"


def _model_of(featurizer):
    from aml_cli.ml.predict import Model
    from aml_cli.ml.schema import parse_schema

    schema = parse_schema('{"version":"1.0","dataFormat":"CSV","dataFileContainsHeader":true,"targetAttributeName":"y",'
                          '"attributes":[{"attributeName":"age","attributeType":"NUMERIC"},'
                          '{"attributeName":"job","attributeType":"CATEGORICAL"},'
                          '{"attributeName":"y","attributeType":"BINARY"}]}')
    weights = np.zeros((featurizer.n_features, 1), dtype=np.float32)
    return Model("BINARY", ["0", "1"], schema, featurizer.recipe.text, {}, featurizer, weights, 0.0, 1.0, {})
