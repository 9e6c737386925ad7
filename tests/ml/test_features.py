"""The featurizer: layout, determinism, state round trip, missing and unseen values."""

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from aml_cli.ml.features import Featurizer
from aml_cli.ml.recipe import parse_recipe

TYPES = {"age": "NUMERIC", "income": "NUMERIC", "job": "CATEGORICAL", "city": "CATEGORICAL",
         "review": "TEXT", "member": "BINARY"}
BITS = 18


def frame_of(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n).astype(float)
    age[::17] = np.nan
    words = np.array(["good", "bad", "Great!", "service", "slow,", "FAST", "ok"], dtype=object)
    reviews = [" ".join(rng.choice(words, rng.integers(0, 5))) for _ in range(n)]
    job = rng.choice(np.array(["admin", "tech", "retired"], dtype=object), n)
    job[::13] = None
    return pd.DataFrame({
        "age": age, "income": rng.normal(5e4, 1e4, n),
        "job": pd.Series(job, dtype=object), "city": pd.Series(rng.choice(["Oslo", "Lima"], n), dtype=object),
        "review": pd.Series(reviews, dtype=object), "member": rng.integers(0, 2, n).astype(float),
    })


def statistics_of(frame: pd.DataFrame) -> dict:
    attributes = []
    for name, kind in TYPES.items():
        column = frame[name]
        item = {"name": name, "type": kind, "count": int(column.notna().sum()), "missing": int(column.isna().sum())}
        if kind == "NUMERIC":
            values = column.dropna().to_numpy()
            item.update(min=float(values.min()), max=float(values.max()), mean=float(values.mean()),
                        std=float(values.std()), distinct=len(np.unique(values)),
                        quantiles=np.quantile(values, np.linspace(0, 1, 1001)).tolist())
        elif kind == "CATEGORICAL":
            item["top"] = [[k, int(v)] for k, v in column.value_counts().items()]
        elif kind == "TEXT":
            item["top"] = [[k, int(v)] for k, v in column.str.split().explode().value_counts().items()]
        attributes.append(item)
    return {"rows": len(frame), "attributes": attributes, "target": None}


def fitted(outputs: list[str], frame: pd.DataFrame | None = None, groups: dict | None = None) -> Featurizer:
    frame = frame_of() if frame is None else frame
    text = json.dumps({"groups": groups or {}, "outputs": outputs})
    return Featurizer.fit(parse_recipe(text, TYPES), TYPES, statistics_of(frame), hash_bits=BITS)


def columns_of(X: sp.csr_matrix, row: int) -> list[int]:
    return X.indices[X.indptr[row]:X.indptr[row + 1]].tolist()


def names_in(f: Featurizer, X: sp.csr_matrix, row: int) -> list[str]:
    return [f.describe_feature(c) for c in columns_of(X, row)]


DEFAULT_LIKE = ["ALL_BINARY", "ALL_CATEGORICAL", "quantile_bin(ALL_NUMERIC, 10)",
                "ngram(lowercase(no_punct(ALL_TEXT)), 2)"]
EVERYTHING = [*DEFAULT_LIKE, "ALL_INPUTS", "normalize(income)", "osb(review, 3)", "cartesian(job, city)",
              "cartesian(review, quantile_bin(age, 5))", "cartesian(ngram(review, 2), member)", "lowercase(job)"]


def test_matrix_layout_float32_hashed_columns_and_a_bias_last():
    f = fitted(DEFAULT_LIKE)
    X = f.transform(frame_of())
    assert isinstance(X, sp.csr_matrix) and X.dtype == np.float32
    assert f.n_features == 2**BITS + 1 and X.shape == (200, f.n_features)
    assert np.all(X[:, f.bias_index].toarray() == 1.0)
    assert f.describe_feature(f.bias_index) == "(bias)"


def test_every_row_has_one_feature_per_single_valued_output():
    f = fitted(["ALL_BINARY", "ALL_CATEGORICAL", "quantile_bin(ALL_NUMERIC, 10)"])
    X = f.transform(frame_of())
    assert np.all(np.diff(X.indptr) == 1 + 2 + 2 + 1)


def test_fitting_twice_gives_identical_matrices():
    frame = frame_of()
    a, b = fitted(EVERYTHING).transform(frame), fitted(EVERYTHING).transform(frame)
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_state_round_trip_through_json_transforms_alike():
    f = fitted(EVERYTHING)
    meta, arrays = f.state()
    meta = json.loads(json.dumps(meta))
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    g = Featurizer.from_state(meta, {k: a.copy() for k, a in arrays.items()})
    frame = frame_of(seed=5)
    assert g.n_features == f.n_features
    assert (f.transform(frame) != g.transform(frame)).nnz == 0
    assert g.describe_feature(f.bias_index) == "(bias)"


def test_from_state_refuses_foreign_metadata():
    with pytest.raises(ValueError, match="featurizer"):
        Featurizer.from_state({"format": "something else"}, {})


def test_chunks_transform_like_the_whole_frame():
    f = fitted(EVERYTHING)
    frame = frame_of()
    whole = f.transform(frame)
    parts = sp.vstack([f.transform(frame.iloc[i:i + 37]) for i in range(0, len(frame), 37)]).tocsr()
    assert (whole != parts).nnz == 0


def test_quantile_bins_name_their_interval_and_missing_numbers_get_their_own_bin():
    f = fitted(["quantile_bin(age, 5)"])
    frame = pd.DataFrame({"age": [np.nan, -1000.0, 1000.0]})
    X = f.transform(frame)
    assert names_in(f, X, 0)[0] == "quantile_bin(age,5)=(missing)"
    assert names_in(f, X, 1)[0].startswith("quantile_bin(age,5)=[-inf, ")
    assert names_in(f, X, 2)[0].endswith(", inf)")


def test_rows_in_the_same_bin_share_a_column_and_other_bins_do_not():
    f = fitted(["quantile_bin(income, 10)"])
    frame = frame_of()
    X = f.transform(frame)
    from aml_cli.ml import transforms
    bins = transforms.quantile_bin(frame["income"].to_numpy(), f.arrays[f.fitted["quantile_bin(income,10)"]["bins"]])
    first = X.indices[X.indptr[:-1]]
    assert len(set(zip(bins.tolist(), first.tolist(), strict=True))) == len(set(bins.tolist())) == len(set(first))


def test_numbers_as_read_are_scaled_and_normalize_uses_mean_and_std():
    frame = frame_of()
    stats = {a["name"]: a for a in statistics_of(frame)["attributes"]}
    f = fitted(["income", "normalize(age)"], frame)
    probe = pd.DataFrame({"income": [stats["income"]["max"], 0.0, np.nan], "age": [stats["age"]["mean"] + 2 * stats[
        "age"]["std"], np.nan, 30.0]})
    dense = f.transform(probe).toarray()
    income_col = next(i for i, n in f.names.items() if n == "income")
    age_col = next(i for i, n in f.names.items() if n == "normalize(age)")
    assert dense[0, income_col] == pytest.approx(stats["income"]["max"] / max(abs(stats["income"]["min"]),
                                                                              abs(stats["income"]["max"])))
    assert dense[0, age_col] == pytest.approx(2.0, rel=1e-5)
    assert dense[1, income_col] == 0.0 and dense[1, age_col] == 0.0 and dense[2, income_col] == 0.0
    assert f.transform(probe)[1].nnz == 1  # only the bias: missing and zero numbers add no entry


def test_a_missing_category_is_a_value_of_its_own():
    f = fitted(["job"])
    X = f.transform(pd.DataFrame({"job": pd.Series([None, None, "admin", np.nan], dtype=object)}))
    first = X.indices[X.indptr[:-1]]
    assert first[0] == first[1] == first[3] != first[2]
    assert names_in(f, X, 2)[0] == "job=admin"


def test_unseen_categories_get_a_feature_without_error():
    f = fitted(["job", "member"])
    X = f.transform(pd.DataFrame({"job": ["astronaut", "admin"], "member": [1.0, np.nan]}))
    assert np.all(np.diff(X.indptr) == 3)
    assert names_in(f, X, 0)[0] == f"hashed feature {columns_of(X, 0)[0]}"
    assert names_in(f, X, 0)[1] == "member=1" and names_in(f, X, 1)[1] == "member=(missing)"


def test_binary_given_as_words_is_read_by_the_binary_rule():
    f = fitted(["member"])
    X = f.transform(pd.DataFrame({"member": pd.Series(["yes", "F", None], dtype=object)}))
    assert [names_in(f, X, r)[0] for r in range(3)] == ["member=1", "member=0", "member=(missing)"]


def test_missing_columns_count_as_missing_values():
    f = fitted(["job", "review", "quantile_bin(age, 5)"])
    X = f.transform(pd.DataFrame(index=range(2)))
    assert names_in(f, X, 0) == ["job=(missing)", "quantile_bin(age,5)=(missing)", "(bias)"]
    assert np.array_equal(columns_of(X, 0), columns_of(X, 1))


def test_text_tokens_are_features_and_repeated_words_add_up():
    f = fitted(["review"])
    X = f.transform(pd.DataFrame({"review": ["good good service", None]}))
    dense = X.toarray()
    good = next(i for i, n in f.names.items() if n == "review=good")
    service = next(i for i, n in f.names.items() if n == "review=service")
    assert dense[0, good] == 2.0 and dense[0, service] == 1.0
    assert X[1].nnz == 1  # missing text: only the bias


def test_ngram_of_cleaned_text_finds_the_cleaned_words():
    f = fitted(["ngram(lowercase(no_punct(review)), 2)"])
    X = f.transform(pd.DataFrame({"review": ["Great! FAST"]}))
    names = names_in(f, X, 0)
    assert "ngram(lowercase(no_punct(review)),2)=great" in names
    assert "ngram(lowercase(no_punct(review)),2)=fast" in names
    assert len(names) == 4  # great, fast, "great fast", bias


def test_crossing_two_categories_gives_one_column_per_pair():
    f = fitted(["cartesian(job, city)"])
    frame = pd.DataFrame({"job": ["admin", "admin", "tech", "admin"], "city": ["Oslo", "Oslo", "Oslo", "Lima"]})
    first = f.transform(frame).indices[[0, 2, 4, 6]]
    assert first[0] == first[1] and len({first[0], first[2], first[3]}) == 3


def test_crossing_text_with_a_category_gives_a_feature_per_token():
    f = fitted(["cartesian(review, city)"])
    X = f.transform(pd.DataFrame({"review": ["good bad", "good"], "city": ["Oslo", "Oslo"]}))
    assert np.diff(X.indptr).tolist() == [3, 2]
    assert columns_of(X, 0)[0] == columns_of(X, 1)[0]


def test_outputs_with_the_same_values_use_different_columns():
    f = fitted(["job", "lowercase(job)"])
    X = f.transform(pd.DataFrame({"job": ["admin"]}))
    a, b, _ = columns_of(X, 0)
    assert a != b


def test_an_empty_frame_gives_an_empty_matrix():
    f = fitted(EVERYTHING)
    X = f.transform(frame_of().iloc[:0])
    assert X.shape == (0, f.n_features) and X.nnz == 0


def test_hash_bits_outside_the_supported_range_are_refused():
    with pytest.raises(ValueError, match="hash_bits"):
        Featurizer.fit(parse_recipe('{"outputs": ["job"]}', TYPES), TYPES, {"attributes": []}, hash_bits=40)


@pytest.mark.parametrize("output", ["cartesian(job, osb(review, 3))", "cartesian(ngram(review, 2), osb(review, 3))"])
def test_a_cross_with_text_that_has_no_tokens_in_a_chunk_adds_nothing(output):
    f = fitted([output])
    frame = frame_of(20)
    for empty in (None, ""):
        frame["review"] = empty
        X = f.transform(frame)
        assert X.shape[0] == 20 and np.diff(X.indptr).tolist() == [1] * 20  # the bias alone
