"""The record scorer answers as ``Model.predict_record``: same features in the same order, same margins bit for
bit, same labels and values, probabilities within 2**-50 (libm's tanh and exp against numpy's)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aml_cli.ml import hashing, losses, scalar_hashing, transforms
from aml_cli.ml.record_scoring import RecordScorer, _pairwise_sum, _strictly_increasing, softmax
from tests.ml.record_models import EVERY_TRANSFORMATION, ODD_RECORDS, WORDS, forge, made, records_of, trained

PROBABILITY_TOLERANCE = 2.0**-50
KINDS = ("BINARY", "MULTICLASS", "REGRESSION")


@pytest.fixture(autouse=True)
def _crosses_of_no_osb_pairs(monkeypatch):
    """The frame featurizer fails on a cross with an OSB of no pairs (a text of one token: `_merge` of no streams);
    the reference here is that featurizer with no pairs meaning no features, which is what the record scorer does."""
    from aml_cli.ml import features

    merge = features._merge

    def merged(streams):
        empty = transforms.TokenStream(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64))
        return merge(streams) if streams else empty

    monkeypatch.setattr(features, "_merge", merged)


def assert_same_features_and_margins(model, scorer: RecordScorer, record: dict) -> None:
    """The CSR row of the record (entries in stored order) and its product with the float64 weights."""
    row = model.featurizer.transform(model.record_frame(record))
    assert scorer.featurizer.features(record) == list(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    assert scorer.margins(record) == np.asarray(row @ model._weights64)[0].tolist()


def assert_same_prediction(model, scorer: RecordScorer, record: dict, threshold: float = 0.5) -> None:
    expected, found = model.predict_record(record, threshold), scorer.predict_record(record, threshold)
    assert found["details"] == expected["details"] and set(found) == set(expected)
    if "predictedValue" in expected:
        assert math.isnan(expected["predictedValue"]) == math.isnan(found["predictedValue"])
        assert found["predictedValue"] == expected["predictedValue"] or math.isnan(found["predictedValue"])
        return
    ours, theirs = found["predictedScores"], expected["predictedScores"]
    if found["predictedLabel"] != expected["predictedLabel"]:  # only at a tie within the tolerance
        spread = max(theirs.values()) - sorted(theirs.values())[-2] if len(theirs) > 1 else abs(
            next(iter(theirs.values())) - threshold)
        assert spread <= PROBABILITY_TOLERANCE
        return
    assert list(ours) == list(theirs)
    for label, p in theirs.items():
        assert abs(ours[label] - p) <= PROBABILITY_TOLERANCE


def assert_answers_alike(model, scorer: RecordScorer, records: list[dict]) -> None:
    for record in records:
        assert_same_features_and_margins(model, scorer, record)
        assert_same_prediction(model, scorer, record)


# -- models trained as `create-ml-model` trains them -------------------------------------------------------

@pytest.fixture(scope="module")
def trained_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trained")
    found = {(kind, "default"): trained(folder / kind, kind) for kind in KINDS}
    for kind in ("BINARY", "MULTICLASS"):
        found[(kind, "every")] = trained(folder / f"{kind}-every", kind, EVERY_TRANSFORMATION)
    return found


@pytest.mark.parametrize(("kind", "recipe"), [(k, "default") for k in KINDS] + [("BINARY", "every"),
                                                                                ("MULTICLASS", "every")])
def test_every_row_and_every_odd_record_scores_as_the_full_model(trained_models, kind, recipe):
    model, scorer, data = trained_models[(kind, recipe)]
    assert isinstance(scorer, RecordScorer)
    assert_answers_alike(model, scorer, records_of(data.head(150)) + ODD_RECORDS)


def test_the_threshold_decides_the_binary_label_as_before(trained_models):
    model, scorer, data = trained_models[("BINARY", "default")]
    for record in records_of(data.head(40)):
        for threshold in (0.0, 0.1, 0.5, 0.9, 1.0):
            assert_same_prediction(model, scorer, record, threshold)


# -- models made with chosen weights: colliding features, sparse files, every type -------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("hash_bits", "density"), [(3, 1.0), (6, 0.3), (12, 0.01), (20, 0.0005)])
def test_made_models_score_as_the_full_model(tmp_path, kind, hash_bits, density):
    model, scorer = made(tmp_path, kind, hash_bits=hash_bits, density=density, seed=hash_bits)
    assert_answers_alike(model, scorer, records_of(made_data(kind, hash_bits).head(60)) + ODD_RECORDS)


def made_data(kind: str, seed: int):
    from tests.ml.record_models import frame

    return frame(kind=kind, seed=seed)


def test_a_model_pruned_to_its_size_cap_scores_as_the_full_model(tmp_path):
    model, scorer = made(tmp_path, "MULTICLASS", hash_bits=10, density=0.5, max_bytes=20_000)
    assert np.count_nonzero(model.weights) < model.weights.size / 4
    assert_answers_alike(model, scorer, records_of(made_data("MULTICLASS", 3).head(60)) + ODD_RECORDS)


values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "yes", "NO", " t ", "nan", "-0", "1e309", "0x10", "1_0", "3.5", "-2e5"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.lists(st.sampled_from([*WORDS, "!", "...", "a,b", "ß", "\u00a0", "\x00"]), max_size=8).map(" ".join),
)
fields = st.sampled_from(["x", "big number", "colour", "shape", "flag", "words", "note", "target", "other"])


@pytest.fixture(scope="module")
def made_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("made")
    return {kind: made(folder / kind, kind, hash_bits=5, density=0.7) for kind in KINDS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=st.dictionaries(fields, values, max_size=9), kind=st.sampled_from(KINDS))
def test_any_record_scores_as_the_full_model(made_models, record, kind):
    model, scorer = made_models[kind]
    assert_same_features_and_margins(model, scorer, record)
    assert_same_prediction(model, scorer, record)


# -- the pieces against their array twins ----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=70))
def test_a_string_hashes_as_hashing_hashes_it(text):
    assert scalar_hashing.hash_text(text) == int(hashing.hash_strings([text])[0])


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 2**64 - 1), b=st.integers(0, 2**64 - 1))
def test_combine_and_mix_are_hashings(a, b):
    assert scalar_hashing.combine(a, b) == int(hashing.combine(np.uint64(a), np.uint64(b)))
    assert scalar_hashing.mix64(a) == int(hashing.mix64(np.uint64(a)))


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(finite, st.just(math.nan)), mean=finite, std=st.one_of(finite, st.just(math.inf)))
def test_normalize_of_one_value_is_transforms_normalize(value, mean, std):
    from aml_cli.ml.record_features import _normalize

    expected = transforms.normalize(np.array([value]), mean, std)[0]
    assert _normalize(value, mean, std) == expected


@settings(max_examples=300, deadline=None)
@given(items=st.lists(st.integers(-(2**31), 2**31 - 1), max_size=40), width=st.sampled_from([4, 8]))
def test_the_increasing_check_agrees_with_a_plain_loop(items, width):
    if width == 8:
        items = [i * 2**31 + (i % 7) for i in items]
    raw = memoryview(np.asarray(items, dtype="<i4" if width == 4 else "<i8").tobytes())
    plain = all(i >= 0 for i in items) and all(a < b for a, b in itertools.pairwise(items))
    assert _strictly_increasing(raw, width) == plain
    ordered = sorted({min(abs(i), 2**31 - 1) for i in items})
    ordered_raw = memoryview(np.asarray(ordered, dtype="<i4" if width == 4 else "<i8").tobytes())
    assert _strictly_increasing(ordered_raw, width)


@pytest.mark.parametrize("width", [4, 8])
def test_the_increasing_check_finds_one_step_back_in_a_long_array(width):
    items = np.arange(0, 3 * 130_367, 3, dtype="<i4" if width == 4 else "<i8")
    assert _strictly_increasing(memoryview(items.tobytes()), width)
    for at in (1, 65_000, items.size - 1):
        bad = items.copy()
        bad[at] = bad[at - 1]
        assert not _strictly_increasing(memoryview(bad.tobytes()), width)
    assert not _strictly_increasing(memoryview(np.append(items, -1).astype(items.dtype).tobytes()), width)


@pytest.mark.parametrize("size", [*range(1, 40), 127, 128, 129, 130, 255, 256, 257, 300, 1000])
def test_exponentials_are_summed_in_numpys_order(size):
    rng = np.random.default_rng(size)
    e = np.exp(rng.normal(scale=8.0, size=size))  # a wide range, so that the order shows in the last bits
    listed = e.tolist()
    assert _pairwise_sum(listed) == e[None, :].sum(axis=1)[0]


@pytest.mark.parametrize("scale", [0.01, 1.0, 10.0, 40.0, 800.0])
def test_probabilities_stay_within_the_tolerance_of_numpys(scale):
    margins = np.random.default_rng(7).normal(scale=scale, size=(4000, 5))
    ours = np.array([0.5 * (1.0 + math.tanh(0.5 * m)) for m in margins[:, 0].tolist()])
    assert np.abs(ours - losses.sigmoid(margins[:, 0])).max() <= PROBABILITY_TOLERANCE
    ours = np.array([softmax(row) for row in margins.tolist()])
    assert np.abs(ours - losses.softmax(margins)).max() <= PROBABILITY_TOLERANCE


def test_no_punct_and_tokens_follow_transforms_on_unusual_text():
    import pandas as pd

    from aml_cli.ml.record_features import _EDGE_PUNCT, _tokens

    texts = ["", " ", "a", "!!!", "..a..", "a.b", "(x) [y]", "ÉTÉ! naïve?", "a\x00 b\x01c", "\u00a0x\u2003y\u3000",
             "İ", "ǅungla", "x\x1cy\x1dz\x1e\x1f", "'q' \"d\"", "😀!", "end."]
    series = pd.Series(texts, dtype=object)
    assert [_EDGE_PUNCT.sub("", t) for t in texts] == transforms.no_punct(series).tolist()
    for lower in (False, True):
        for strip in (False, True):
            stream = transforms.token_stream(series, lower=lower, strip_punct=strip)
            for row, text in enumerate(texts):
                expected = stream.hashes[stream.rows == row].tolist()
                assert _tokens(text, lower=lower, strip=strip) == expected, (text, lower, strip)


# -- the file: weights as read_model_file reads them, the same refusals -----------------------------------

@pytest.mark.parametrize(("density", "kind"), [(1.0, "DenseWeights"), (0.05, "SparseWeights")])
def test_the_weights_are_read_as_read_model_file_reads_them(tmp_path, density, kind):
    model, scorer = made(tmp_path, "MULTICLASS", hash_bits=9, density=density)
    assert type(scorer.weights).__name__ == kind
    assert [scorer.weights.row(c) for c in range(model.weights.shape[0])] == model.weights.tolist()


def test_sparse_indices_out_of_order_or_repeated_score_as_the_full_model(tmp_path):
    from aml_cli.ml.model_file import load_model
    from aml_cli.ml.record_scoring import MappedWeights, load_scorer

    made(tmp_path, "MULTICLASS", hash_bits=7, density=0.2)

    def shuffle(header, arrays):
        order = np.random.default_rng(1).permutation(arrays["weights.index"].size)
        arrays["weights.index"] = arrays["weights.index"][order]
        arrays["weights.value"] = arrays["weights.value"][order]
        arrays["weights.index"][5] = arrays["weights.index"][9]  # the same weight twice: the later one counts

    forge(tmp_path / "m.aml", shuffle)
    model, scorer = load_model(tmp_path / "m.aml"), load_scorer(tmp_path / "m.aml")
    assert isinstance(scorer.weights, MappedWeights)
    assert [scorer.weights.row(c) for c in range(model.weights.shape[0])] == model.weights.tolist()
    assert_answers_alike(model, scorer, records_of(made_data("MULTICLASS", 0).head(30)))


@pytest.mark.parametrize("bad", [-1, 10**6])
def test_a_sparse_index_outside_the_weights_is_refused_like_read_model_file(tmp_path, bad):
    from aml_cli.ml.model_bytes import ModelFileError
    from aml_cli.ml.model_file import read_model_file
    from aml_cli.ml.record_scoring import load_scorer

    made(tmp_path, "BINARY", hash_bits=7, density=0.2)
    forge(tmp_path / "m.aml", lambda header, arrays: arrays["weights.index"].__setitem__(-1 if bad > 0 else 0, bad))
    with pytest.raises(ModelFileError, match="weights are damaged"):
        read_model_file(tmp_path / "m.aml")
    with pytest.raises(ModelFileError, match="weights are damaged"):
        load_scorer(tmp_path / "m.aml")


@pytest.mark.parametrize("damage", ["truncate", "flip", "pad", "magic"])
def test_a_damaged_file_is_refused_with_read_model_files_reason(tmp_path, damage):
    from aml_cli.ml.model_bytes import ModelFileError
    from aml_cli.ml.model_file import read_model_file
    from aml_cli.ml.record_scoring import load_scorer

    made(tmp_path, "BINARY", hash_bits=7, density=0.2)
    blob = bytearray((tmp_path / "m.aml").read_bytes())
    if damage == "truncate":
        blob = blob[:-3]
    elif damage == "flip":
        blob[-20] ^= 0x10
    elif damage == "pad":
        blob += b"\0"
    else:
        blob[1] ^= 0xFF
    (tmp_path / "m.aml").write_bytes(bytes(blob))
    with pytest.raises(ModelFileError) as reference:
        read_model_file(tmp_path / "m.aml")
    with pytest.raises(ModelFileError) as ours:
        load_scorer(tmp_path / "m.aml")
    assert ours.value.message == reference.value.message


@pytest.mark.parametrize("change", ["types", "format", "weights dtype"])
def test_a_state_the_scorer_does_not_read_is_left_to_the_full_model(tmp_path, change):
    from aml_cli.ml.record_scoring import load_scorer

    made(tmp_path, "BINARY", hash_bits=7, density=1.0)

    def edit(header, arrays):
        if change == "types":
            header["featurizer"]["variables"]["shape"] = "TEXT"
        elif change == "format":
            header["featurizer"]["version"] = 2
        else:
            arrays["weights"] = (arrays["weights"] * 100).astype("<i4")

    forge(tmp_path / "m.aml", edit)
    assert load_scorer(tmp_path / "m.aml") is None


def test_float64_dense_weights_score_as_the_full_model(tmp_path):
    from aml_cli.ml.model_file import load_model
    from aml_cli.ml.record_scoring import load_scorer

    made(tmp_path, "REGRESSION", hash_bits=7, density=1.0)
    forge(tmp_path / "m.aml", lambda header, arrays: arrays.update(weights=arrays["weights"].astype("<f8") / 3))
    model, scorer = load_model(tmp_path / "m.aml"), load_scorer(tmp_path / "m.aml")
    assert model.weights.dtype == np.float64
    assert_answers_alike(model, scorer, records_of(made_data("REGRESSION", 0).head(30)) + ODD_RECORDS)
    assert_answers_alike(model, scorer, records_of(made_data("REGRESSION", 0).head(30)) + ODD_RECORDS)


@pytest.mark.parametrize("dtype", [object, "str"])  # "str": pandas' arrow-backed text, the reader's fast path
def test_split_punct_tokens_follow_transforms_in_both_text_stores(dtype):
    import pandas as pd

    from aml_cli.ml.record_features import _tokens

    texts = ["", "https://t.co/x7Gq and more", "Well-known C++ (v2.0)!", "a,b;c  d", "!!!", "x\u00a0y/z",
             "émigré's café-au-lait", "end.", "'q' \"d\"", "a\x00b"]
    series = pd.Series(texts, dtype=dtype)
    for lower in (False, True):
        stream = transforms.token_stream(series, lower=lower, split_punct=True)
        for row, text in enumerate(texts):
            expected = stream.hashes[stream.rows == row].tolist()
            assert _tokens(text, lower=lower, strip=False, split=True) == expected, (text, lower)
