import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from aml_cli.ml import metrics, newton_cg
from aml_cli.ml.default_recipe import default_recipe
from aml_cli.ml.feature_cache import FeatureCache, shuffled
from aml_cli.ml.model_file import load_model, read_model_file
from aml_cli.ml.parameters import ParameterError, parse
from aml_cli.ml.reader import iter_chunks
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.statistics import StatisticsAccumulator
from aml_cli.ml.train import TrainingError, train_model


def dataset(n=3000, seed=0, kind="BINARY"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], n)
    words = rng.choice(["good fast", "bad slow", "good", "slow", "plain words"], n)
    signal = 1.5 * x + (colour == "red") - (colour == "blue") + 0.8 * np.char.count(words.astype(str), "good")
    if kind == "BINARY":
        target = np.where(signal + rng.logistic(size=n) > 0.3, "yes", "no").astype(object)
    elif kind == "MULTICLASS":
        target = np.array(["low", "mid", "high"])[np.digitize(signal + 0.3 * rng.normal(size=n), [-0.5, 1.0])]
        target = target.astype(object)
    else:
        target = (3.0 * signal + 10 + rng.normal(scale=0.5, size=n)).round(4).astype(object)
    target[::50] = ""  # missing targets: skipped and counted
    frame = pd.DataFrame({"x": x.round(5), "colour": colour, "words": words, "target": target})
    types = {"x": "NUMERIC", "colour": "CATEGORICAL", "words": "TEXT"}
    types["target"] = {"BINARY": "BINARY", "MULTICLASS": "CATEGORICAL", "REGRESSION": "NUMERIC"}[kind]
    return frame, types


def write_data(tmp_path, frame, types):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    schema = {
        "version": "1.0",
        "targetAttributeName": "target",
        "dataFormat": "CSV",
        "dataFileContainsHeader": True,
        "attributes": [{"attributeName": name, "attributeType": kind} for name, kind in types.items()],
    }
    return path, parse_schema(json.dumps(schema))


def fit(tmp_path, kind="BINARY", parameters=None, seed="model-1", chunk_bytes=1 << 20, data=None, name="m.aml"):
    frame, types = data or dataset(kind=kind)
    path, schema = write_data(tmp_path, frame, types)
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema):
        accumulator.update(chunk)
    statistics = accumulator.result()
    lines = []
    result = train_model(
        chunks=lambda: (c.frame for c in iter_chunks([path], schema, chunk_bytes=chunk_bytes)),
        schema=schema,
        statistics=statistics,
        recipe_text=default_recipe(schema, statistics),
        model_type=kind,
        settings=parse(parameters or {}),
        seed=seed,
        cache_dir=tmp_path / "cache",
        out_path=tmp_path / name,
        log=lines.append,
    )
    model = load_model(tmp_path / name)
    model.scratch = tmp_path
    return result, lines, model, frame


def typed(model, frame):
    """The frame as the reader types it under the model's schema."""
    path = model.scratch / "score.csv"
    frame.to_csv(path, index=False)
    return pd.concat([c.frame for c in iter_chunks([path], model.schema)], ignore_index=True)


def test_binary_training_learns_skips_missing_targets_and_logs_what_it_did(tmp_path):
    result, lines, model, frame = fit(tmp_path)
    assert result.rows_skipped == 60 and result.rows_used == 2940
    assert result.size_in_bytes == (tmp_path / "m.aml").stat().st_size
    log = "\n".join(lines)
    for expected in (
        "Recipe used:",
        "quantile_bin",
        "Rows read: 3000; used: 2940; skipped for a missing target: 60",
        "Features:",
        "Pass 1: mean training loss",
        "Training time:",
    ):
        assert expected in log
    assert 1 <= len(result.pass_losses) <= 10 and result.pass_losses[-1] < result.pass_losses[0]
    data = typed(model, frame)
    keep = data["target"].notna().to_numpy()
    auc = metrics.binary_auc(model.encode_targets(data["target"][keep]), model.predict_frame(data[keep]))
    assert auc > 0.75
    assert not (tmp_path / "cache" / "features").exists()


def test_multiclass_training_takes_its_classes_from_the_statistics(tmp_path):
    result, _, model, frame = fit(tmp_path, kind="MULTICLASS")
    assert model.labels == ["high", "low", "mid"] == result.labels
    data = typed(model, frame)
    probabilities = model.predict_frame(data)
    assert probabilities.shape == (3000, 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    keep = data["target"].notna().to_numpy()
    truth = model.encode_targets(data["target"][keep])
    assert metrics.macro_f1(truth, probabilities[keep].argmax(axis=1), range(3)) > 0.7


def test_more_than_a_hundred_classes_is_a_clear_error(tmp_path):
    frame, types = dataset(kind="MULTICLASS")
    frame["target"] = [f"c{i % 101}" for i in range(len(frame))]
    with pytest.raises(TrainingError, match=r"101 distinct values.*at most 100"):
        fit(tmp_path, kind="MULTICLASS", data=(frame, types))


def test_regression_training_predicts_values_on_the_targets_scale(tmp_path):
    _, _, model, frame = fit(tmp_path, kind="REGRESSION")
    data = typed(model, frame)
    keep = data["target"].notna().to_numpy()
    truth = data["target"][keep].to_numpy(dtype=float)
    error = metrics.rmse(truth, model.predict_frame(data[keep]))
    assert error < 0.35 * truth.std()


@pytest.fixture
def sgd_only(monkeypatch):
    """Rows too many to keep in memory, as if: data with many features goes to SGD, not Newton-CG."""
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)


def many_words(n=3000):
    """The dataset with thousands of distinct words: too many features for Newton's method (SGD learns it
    with ``sgd_only``, Newton-CG without)."""
    frame, types = dataset(n)
    frame["words"] = [f"w{i % 900} v{i % 700} {word}" for i, word in enumerate(frame["words"])]
    return frame, types


def test_auto_shuffle_is_deterministic_for_a_model_id(tmp_path, sgd_only):
    """SGD's weights depend on the order of the rows: the same model ID shuffles alike, another differently."""
    weights = []
    for index, seed in enumerate(["model-1", "model-1", "model-2"]):
        fit(tmp_path, parameters={"sgd.shuffleType": "auto"}, seed=seed, name=f"{index}.aml", data=many_words())
        weights.append(read_model_file(tmp_path / f"{index}.aml").weights)
    assert np.array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[0], weights[2])


def test_without_shuffling_chunking_and_seed_do_not_change_the_model(tmp_path):
    fit(tmp_path, seed="a", name="whole.aml")
    fit(tmp_path, seed="b", chunk_bytes=4096, name="pieces.aml")
    assert np.array_equal(
        read_model_file(tmp_path / "whole.aml").weights, read_model_file(tmp_path / "pieces.aml").weights
    )


def test_the_size_cap_prunes_weights_and_the_log_says_how_many(tmp_path):
    frame, types = dataset()
    frame["words"] = [f"a{i} b{i} c{i} d{i} e{i}" for i in range(len(frame))]  # thousands of token features
    result, lines, _, _ = fit(tmp_path, parameters={"sgd.maxMLModelSizeInBytes": "100000"}, data=(frame, types))
    assert (tmp_path / "m.aml").stat().st_size <= 100_000
    assert result.pruned > 0
    assert any(f"Pruned {result.pruned} of" in line for line in lines)


def test_l1_regularization_stores_fewer_weights(tmp_path):
    frame, types = dataset()
    frame["words"] = [f"w{i % 500} w{i % 37}" for i in range(len(frame))]
    fit(tmp_path, data=(frame, types), name="plain.aml")
    # 0.003, not 0.001: the default recipe makes these words single tokens now, not word pairs, so fewer of the
    # weights are the rare ones a small amount zeroes
    fit(tmp_path, data=(frame, types), parameters={"sgd.l1RegularizationAmount": "0.003"}, name="l1.aml")
    plain = np.count_nonzero(read_model_file(tmp_path / "plain.aml").weights)
    sparse = np.count_nonzero(read_model_file(tmp_path / "l1.aml").weights)
    assert sparse < plain / 2


def test_a_record_predicts_exactly_as_its_row_in_a_frame(tmp_path):
    _, _, model, frame = fit(tmp_path)
    data = typed(model, frame)
    scores = model.predict_frame(data)
    for row in [0, 7, 50]:
        record = {k: str(v) for k, v in frame.iloc[row].items() if k != "target"}
        prediction = model.predict_record(record)
        label = prediction["predictedLabel"]
        assert prediction["predictedScores"][label] == pytest.approx(scores[row], abs=1e-9)
        assert label == ("1" if scores[row] >= 0.5 else "0")
        assert prediction["details"] == {"PredictiveModelType": "BINARY", "Algorithm": "SGD"}


def test_a_record_ignores_unknown_attributes_and_treats_absent_ones_as_missing(tmp_path):
    _, _, model, _ = fit(tmp_path)
    bare = model.predict_record({"x": "0.5"})
    noisy = model.predict_record({"x": "0.5", "unknown": "whatever", "colour": ""})
    assert bare == noisy
    assert model.predict_record({"x": "not a number"}) == model.predict_record({})


def test_regression_and_multiclass_records_have_the_predict_shape(tmp_path):
    _, _, regression, _ = fit(tmp_path, kind="REGRESSION", name="r.aml")
    answer = regression.predict_record({"x": "1", "colour": "red", "words": "good"})
    assert set(answer) == {"predictedValue", "details"} and isinstance(answer["predictedValue"], float)
    _, _, multiclass, _ = fit(tmp_path, kind="MULTICLASS", name="m3.aml")
    answer = multiclass.predict_record({"x": "2", "colour": "red", "words": "good"})
    assert set(answer["predictedScores"]) == {"high", "low", "mid"}
    assert answer["predictedLabel"] == max(answer["predictedScores"], key=answer["predictedScores"].get)
    assert sum(answer["predictedScores"].values()) == pytest.approx(1.0)


def test_no_rows_with_a_target_is_a_training_error(tmp_path):
    frame, types = dataset()
    frame["target"] = ""
    frame.loc[0, "target"] = "yes"  # the statistics need one value; the rest are missing
    frame.loc[0, "target"] = ""
    with pytest.raises(TrainingError):
        fit(tmp_path, data=(frame, types))


def test_l1_and_l2_together_are_refused():
    with pytest.raises(ParameterError, match="cannot be used together"):
        parse({"sgd.l1RegularizationAmount": "0.1", "sgd.l2RegularizationAmount": "0.1"})
    assert parse({}).max_passes == 10 and parse({}).shuffle == "none"


def test_the_feature_cache_gives_back_what_was_written_and_shuffles_reproducibly(tmp_path):
    rng = np.random.default_rng(0)
    parts = [
        sp.random(n, 50, density=0.1, format="csr", dtype=np.float32, random_state=i) for i, n in enumerate([30, 1, 45])
    ]
    targets = [rng.normal(size=p.shape[0]) for p in parts]
    cache = FeatureCache(tmp_path / "c", 50)
    for X, y in zip(parts, targets, strict=True):
        cache.append(X, y)
    cache.append(sp.csr_matrix((0, 50), dtype=np.float32), np.zeros(0))
    assert cache.rows == 76 and len(cache.parts) == 3
    for (X, y), (X0, y0) in zip(cache, zip(parts, targets, strict=True), strict=True):
        assert (X != X0).nnz == 0 and np.array_equal(y, y0)
    one = shuffled(cache, tmp_path / "s1", np.random.default_rng(5), window_nnz=10**9)
    two = shuffled(cache, tmp_path / "s2", np.random.default_rng(5), window_nnz=10**9)
    (A, a), (B, b) = one.read(0), two.read(0)
    assert (A != B).nnz == 0 and np.array_equal(a, b)
    assert sorted(a) == sorted(np.concatenate(targets)) and not np.array_equal(a, np.concatenate(targets))
    full = sp.vstack(parts).toarray()
    order = [int(np.flatnonzero(np.concatenate(targets) == value)[0]) for value in a]
    assert np.array_equal(A.toarray(), full[order])
    small = shuffled(cache, tmp_path / "s3", np.random.default_rng(5), window_nnz=1)
    assert len(small.parts) == 3 and small.rows == 76


def test_the_batch_store_gives_back_every_batch_unchanged_across_windows(tmp_path):
    from aml_cli.ml.feature_cache import BatchStore
    from aml_cli.ml.sgd import localize, rebatch

    X = sp.random(500, 5000, density=0.002, format="csr", dtype=np.float32, random_state=3)
    y = np.arange(500.0)
    batches = [localize(a, b, 5000) for a, b in rebatch([(X, y)], 64)]
    dense = localize(X[:64, :10], y[:64], 10)  # few features: keeps global columns
    store = BatchStore(tmp_path / "b")
    for batch in [*batches, dense]:
        store.add(batch, window_nnz=150)
    store.flush()
    assert store.windows > 1
    back = list(store)
    assert len(back) == len(batches) + 1
    for original, read in zip([*batches, dense], back, strict=True):
        assert (original.X != read.X).nnz == 0 and original.X.shape == read.X.shape
        assert np.array_equal(original.y, read.y)
        assert (original.cols is None) == (read.cols is None)
        if original.cols is not None:
            assert np.array_equal(original.cols, read.cols)


def test_frequent_features_are_whitened_except_under_l1(tmp_path, sgd_only):
    (tmp_path / "plain").mkdir()
    (tmp_path / "l1").mkdir()
    _, lines, _, _ = fit(tmp_path / "plain", data=many_words())
    whitened = [line for line in lines if "whitened basis" in line]
    assert len(whitened) == 1 and int(whitened[0].rsplit(": ", 1)[1]) >= 2
    _, lines, _, _ = fit(tmp_path / "l1", parameters={"sgd.l1RegularizationAmount": "1e-4"}, data=many_words())
    assert not any("whitened basis" in line for line in lines)


def test_the_convergence_line_names_the_rule_of_the_solver_that_ran(tmp_path):
    """Newton's method stops on its predicted decrease, SGD on a pass's improvement: the log says which."""
    (tmp_path / "newton").mkdir()
    (tmp_path / "sgd").mkdir()
    _, lines, _, _ = fit(tmp_path / "newton")
    log = "\n".join(lines)
    assert "Newton" in log and "Converged after" in log
    assert ("(a comparison of priors on held-out rows kept the current one, and the next Newton step would lower "
            "the regularised loss by less than 0.02% of it)") in log  # small data: the prior is cross-validated
    (tmp_path / "given").mkdir()
    _, lines, _, _ = fit(tmp_path / "given", parameters={"sgd.l2RegularizationAmount": "1e-4"})
    log = "\n".join(lines)
    assert "(the next Newton step would lower the regularised loss by less than 0.02% of it)" in log
    _, lines, _, _ = fit(tmp_path / "sgd", parameters={"sgd.maxPasses": "100", "sgd.l1RegularizationAmount": "1e-6"})
    log = "\n".join(lines)
    assert "Converged after" in log, log
    assert "(the last pass improved the mean training loss by less than 0.01%)" in log


def test_the_log_says_what_chose_the_prior(tmp_path):
    """Cross-validation once it has compared priors; the default when no pass was left to compare them."""
    for where, parameters, said in (("cv", {}, "chosen by cross-validation (per row"),
                                    ("short", {"sgd.maxPasses": "2"},
                                     "chosen by default (no pass was left to compare priors)")):
        (tmp_path / where).mkdir()
        _, lines, _, _ = fit(tmp_path / where, kind="MULTICLASS", parameters=parameters)
        log = "\n".join(lines)
        assert "Prior precision on the raw weights, " + said in log, log
