"""The learner at its defaults (issue 16): converged loss in ten passes, text pairs, calibrated probabilities."""

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from aml_cli.ml import newton, newton_cg, solvers, whitening
from aml_cli.ml.default_recipe import default_recipe
from aml_cli.ml.features import Featurizer
from aml_cli.ml.model_file import load_model
from aml_cli.ml.parameters import TrainingSettings
from aml_cli.ml.reader import iter_chunks
from aml_cli.ml.recipe import parse_recipe
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.statistics import StatisticsAccumulator
from aml_cli.ml.train import learning_rate_for, train_model


def train_frame(tmp_path, frame, types, kind="BINARY", settings=None):
    """Train at the defaults (default recipe, no parameters); the model, its statistics and typed rows."""
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    schema = parse_schema(json.dumps({
        "version": "1.0", "targetAttributeName": "y", "dataFormat": "CSV", "dataFileContainsHeader": True,
        "attributes": [{"attributeName": n, "attributeType": t} for n, t in types.items()]}))
    accumulator = StatisticsAccumulator(schema)
    for chunk in iter_chunks([path], schema):
        accumulator.update(chunk)
    statistics = accumulator.result()
    recipe = default_recipe(schema, statistics)
    result = train_model(
        chunks=lambda: (c.frame for c in iter_chunks([path], schema)), schema=schema, statistics=statistics,
        recipe_text=recipe, model_type=kind, settings=settings or TrainingSettings(), seed="m",
        cache_dir=tmp_path / "cache", out_path=tmp_path / "m.aml", log=lambda _line: None)
    rows = pd.concat([c.frame for c in iter_chunks([path], schema)], ignore_index=True)
    return load_model(tmp_path / "m.aml"), result, rows


def mean_log_loss(y, p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def collinear(n, seed=3):
    """Three nearly collinear numbers whose small differences decide the label: condition number in the
    thousands, the case per-feature steps crawl on."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    x = np.column_stack([z + 0.05 * rng.normal(size=n) for _ in range(3)])
    p = 1 / (1 + np.exp(-(8 * (x[:, 0] - x[:, 1]) + 4 * (x[:, 2] - x[:, 1]) + z)))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": (rng.random(n) < p).astype(int)})


def converged_loss(model, rows, C=1e6):
    """The training loss of an unregularised logistic regression on aml's own features of the same rows."""
    y = rows["y"].to_numpy()
    X = model.featurizer.transform(rows)
    used = np.unique(X.indices)
    reference = LogisticRegression(C=C, max_iter=20000, tol=1e-10).fit(X[:, used], y)
    return mean_log_loss(y, reference.predict_proba(X[:, used])[:, 1])


def regularised_fit(model, rows, precision):
    """scikit-learn's optimum of aml's objective (mean log loss plus a Gaussian prior of ``precision[group] /
    rows`` on each raw weight; numbers and indicators are the groups, the bias is free): each column divided
    by the square root of its precision turns the prior into scikit-learn's C=1 penalty. Returns the raw
    features (used columns), the groups' masks, the raw weights, the bias and P(1)."""
    y = rows["y"].to_numpy()
    X = model.featurizer.transform(rows)
    X.sum_duplicates()
    X = X[:, np.unique(X.indices)].tocsc()
    X = X[:, :-1]  # the last used column is the bias (the featurizer's last column): scikit-learn's intercept
    valued = np.array([np.any(X[:, j].data != 1) for j in range(X.shape[1])])
    groups = {"numbers": valued, "indicators": ~valued}
    root = np.where(valued, np.sqrt(precision["numbers"]), np.sqrt(precision["indicators"]))
    fit = LogisticRegression(C=1.0, max_iter=20000, tol=1e-12).fit(X.multiply(1 / root).tocsr(), y)
    return X, groups, fit.coef_[0] / root, fit.intercept_[0], fit.predict_proba(X.multiply(1 / root).tocsr())[:, 1]


def evidence_precision(X, groups, w, p, precision):
    """MacKay's fixed point, computed here independently: a group's precision is its well-determined
    parameters (1 - precision x posterior variance, summed) over its squared weights."""
    rows = X.shape[0]
    D = np.column_stack([X.toarray(), np.ones(rows)])
    prior = np.append(np.where(groups["numbers"], precision["numbers"], precision["indicators"]), 0.0)
    posterior = np.linalg.inv(D.T @ (D * (p * (1 - p))[:, None]) + np.diag(prior))
    gamma = 1 - prior * np.diag(posterior)
    return {g: max(1.0, gamma[:-1][mask].sum() / np.sum(w[mask] ** 2)) for g, mask in groups.items()}


@pytest.mark.parametrize(("rows", "within"), [(20_000, 0.01), (4_000, 0.035)])
def test_ten_passes_reach_the_converged_loss_on_an_ill_conditioned_problem(tmp_path, monkeypatch, rows, within):
    """Newton's method (the learner for data with few features) lands within 0.1% of the training loss of the
    regularised model it converges to, at the prior precisions that are the evidence's fixed point (checked
    against the fixed point computed independently); SGD with the whitened block (data with many features)
    within 1% of the unregularised optimum (3.5% on a small set, whose smaller steps trade some of it for
    less noise); per-feature steps alone (no block) stop 7% or more above it."""
    monkeypatch.setattr(solvers, "HELD_OUT_TYPES", ())  # the evidence alone (newton_heldout has its own tests)
    frame = collinear(rows)
    types = {"a": "NUMERIC", "b": "NUMERIC", "c": "NUMERIC", "y": "BINARY"}
    model, result, typed = train_frame(tmp_path, frame, types)
    assert len(result.pass_losses) <= 10
    y = typed["y"].to_numpy()
    chosen = model.header["training"]["prior_precision"]
    X, groups, w, _, p = regularised_fit(model, typed, chosen)
    assert abs(mean_log_loss(y, model.predict_frame(typed)) / mean_log_loss(y, p) - 1) < 0.001
    fixed_point = evidence_precision(X, groups, w, p, chosen)
    for group, value in chosen.items():  # a group the data has no use for heads for an infinite precision
        assert value == pytest.approx(fixed_point[group], rel=0.05) if value < 1e4 else fixed_point[group] > 1e4
    assert chosen["indicators"] > 1.5  # the bins, nearly redundant with the numbers, are shrunk harder
    converged = converged_loss(model, typed)
    monkeypatch.setattr(newton, "MAX_FEATURES", 0)  # as if the features were many and the rows did not fit
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)  # in memory: SGD
    sgd, result, _ = train_frame(tmp_path / "sgd", frame, types)
    assert len(result.pass_losses) <= 10
    assert mean_log_loss(y, sgd.predict_frame(typed)) < converged * (1 + within)
    monkeypatch.setattr(whitening, "MIN_SHARE", 2.0)  # no feature is frequent enough: no block
    plain, _, _ = train_frame(tmp_path / "plain", frame, types)
    assert mean_log_loss(y, plain.predict_frame(typed)) > converged * 1.07


def test_text_becomes_words_and_word_pairs_as_the_recipe_says():
    recipe = parse_recipe(json.dumps({"outputs": ["ngram(lowercase(no_punct(ALL_TEXT)),2)"]}), {"t": "TEXT"})
    featurizer = Featurizer.fit(recipe, {"t": "TEXT"}, {"attributes": []}, hash_bits=18)
    X = featurizer.transform(pd.DataFrame({"t": ["Not good!", "good", ""]}))
    assert np.diff(X.indptr).tolist() == [4, 2, 1]  # "not", "good", "not good" and the bias; "good"; the bias
    assert set(X[0].indices) > set(X[1].indices)


def test_a_word_pair_carries_what_single_words_cannot(tmp_path):
    """'good' and 'bad' flip their meaning after 'not': only the pairs separate the classes."""
    rng = np.random.default_rng(5)
    phrases = np.array(["good", "not good", "bad", "not bad"])
    label = np.array([1, 0, 0, 1])
    pick = rng.integers(0, 4, 3000)
    filler = rng.choice(["the food", "it was", "really", "service"], 3000)
    frame = pd.DataFrame({"t": np.char.add(np.char.add(filler, " "), phrases[pick]), "y": label[pick]})
    model, _, rows = train_frame(tmp_path, frame, {"t": "TEXT", "y": "BINARY"})
    p = model.predict_frame(rows)
    assert np.all((p > 0.9) == (rows["y"].to_numpy() == 1))


def test_predicted_probabilities_match_a_simulated_logistic_model(tmp_path):
    """Rows drawn from a known logistic model: the predicted probabilities on fresh rows are within 0.02 of the
    true ones on average, across the whole range (no squeezing towards 0.5)."""
    rng = np.random.default_rng(7)

    def draw(n):
        x1, x2 = rng.normal(size=n), rng.uniform(-2, 2, size=n)
        colour = rng.choice(["red", "green", "blue"], n)
        margin = 1.5 * x1 - x2 + 0.8 * (colour == "red") - 0.4
        truth = 1 / (1 + np.exp(-margin))
        frame = pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "y": (rng.random(n) < truth).astype(int)})
        return frame, truth

    frame, _ = draw(20_000)
    types = {"x1": "NUMERIC", "x2": "NUMERIC", "colour": "CATEGORICAL", "y": "BINARY"}
    model, _, _ = train_frame(tmp_path, frame, types)
    fresh, truth = draw(5_000)
    predicted = model.predict_frame(fresh.drop(columns=["y"]).astype({"colour": "str"}))
    assert np.mean(np.abs(predicted - truth)) < 0.02
    assert predicted.min() < 0.05 and predicted.max() > 0.95


@pytest.mark.parametrize(("active", "smaller"), [(1.0, False), (100.0, True)])
def test_features_of_busy_rows_take_smaller_steps(active, smaller):
    one = learning_rate_for(64, "BINARY", active=1.0)
    assert (learning_rate_for(64, "BINARY", active=active) < one) == smaller
    assert learning_rate_for(64, "BINARY", active=100.0) == pytest.approx(one / 10)


def wordy(n, seed=11):
    """A text problem with thousands of distinct words (too many for Newton's Hessian): a few hundred carry
    the label, some repeated within a row, and every row has a number."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(scale=1.5, size=300)
    texts, labels, numbers = [], [], rng.normal(size=n)
    for i in range(n):
        signal = rng.integers(0, 300, 4)
        noise = rng.integers(300, 5000, 8)
        words = [f"s{j}" for j in signal] + [f"n{j}" for j in noise] + [f"s{signal[0]}"]  # one word twice
        margin = effect[signal].sum() + effect[signal[0]] + 0.8 * numbers[i]
        texts.append(" ".join(rng.permutation(words)))
        labels.append(int(rng.random() < 1 / (1 + np.exp(-margin))))
    return pd.DataFrame({"t": texts, "x": numbers, "y": labels})


def raw_problem(model, rows):
    """aml's features of the rows (repeated hits summed) without the bias, and the model's weights and bias
    on them."""
    X = model.featurizer.transform(rows)
    X.sum_duplicates()
    used = np.unique(X.indices)
    weights = np.asarray(model.weights.toarray() if sp.issparse(model.weights) else model.weights)[used, 0]
    return X[:, used[:-1]].astype(np.float64).tocsc(), weights[:-1], weights[-1]  # the bias is the last column


def objective(X, y, w, b, root):
    """Mean log loss plus a Gaussian prior of precision root**2 / rows on each weight."""
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return mean_log_loss(y, p) + 0.5 * float(np.sum((root * w) ** 2)) / len(y)


def optimum(X, y, root, C=1.0):
    """scikit-learn's optimum of ``objective``: each column divided by its root makes the prior C=1's."""
    scaled = X.multiply(1 / root).tocsr()
    fit = LogisticRegression(C=C, max_iter=20000, tol=1e-12).fit(scaled, y)
    return fit.coef_[0] / root, fit.intercept_[0]


def test_newton_cg_reaches_the_regularised_optimum_on_text_within_ten_passes(tmp_path, monkeypatch):
    """Small data with many features: Newton's method with its steps solved by conjugate gradients lands on
    the optimum of its objective (computed here by scikit-learn: a unit Gaussian prior on each raw weight,
    and on a count's weight per the most hits one row has) within 0.01%, in under ten passes; SGD's ten
    passes stop further away."""
    solves = []
    monkeypatch.setattr(newton_cg.NewtonCG, "_solve_cg", lambda self, g, inner=newton_cg.NewtonCG._solve_cg:
                        solves.append(1) or inner(self, g))
    frame = wordy(2500)
    types = {"t": "TEXT", "x": "NUMERIC", "y": "BINARY"}
    model, result, rows = train_frame(tmp_path, frame, types)
    assert solves and len(result.pass_losses) < 10
    y = rows["y"].to_numpy()
    X, w, b = raw_problem(model, rows)
    valued = np.array([np.any(X[:, j].data % 1 != 0) for j in range(X.shape[1])])
    most = np.asarray(abs(X).max(axis=0).toarray()).ravel()
    assert most[~valued].max() >= 2  # repeated words
    root = np.where(valued, 1.0, most)
    best = objective(X, y, *optimum(X, y, root), root)
    assert best <= objective(X, y, w, b, root) < best * 1.0001
    monkeypatch.setattr(newton_cg, "MAX_NNZ", 0)  # the rows do not fit: SGD
    sgd, _, _ = train_frame(tmp_path / "sgd", frame, types)
    assert objective(X, y, *raw_problem(sgd, rows)[1:], root) > best * 1.01


def test_an_l2_amount_is_the_prior_of_newton_cg_as_given(tmp_path):
    """sgd.l2RegularizationAmount keeps its meaning under Newton-CG: the mean loss plus l2 / 2 times the
    squared weights (of the features scaled to [-1, 1], as SGD takes it), repeated words included."""
    frame = wordy(1500, seed=12).drop(columns=["x"])
    types = {"t": "TEXT", "y": "BINARY"}
    tmp_path.mkdir(exist_ok=True)
    model, _, rows = train_frame(tmp_path, frame, types, settings=TrainingSettings(l2=1e-3))
    y = rows["y"].to_numpy()
    X, w, b = raw_problem(model, rows)
    root = np.full(X.shape[1], np.sqrt(1e-3 * len(y)))
    best = objective(X, y, *optimum(X, y, root), root)
    assert best <= objective(X, y, w, b, root) < best * 1.0001


def test_newton_cg_reaches_ridges_optimum_on_text_regression(tmp_path):
    """REGRESSION with many features: Newton-CG lands on scikit-learn's Ridge with the same prior (a unit
    Gaussian on each raw weight of the standardised target, a count's per its most hits in a row)."""
    from sklearn.linear_model import Ridge

    frame = wordy(2000, seed=13)
    rng = np.random.default_rng(13)
    frame["y"] = frame["y"] * 3.0 + frame["x"] + rng.normal(scale=0.5, size=len(frame))
    model, result, rows = train_frame(tmp_path, frame, {"t": "TEXT", "x": "NUMERIC", "y": "NUMERIC"}, "REGRESSION")
    assert len(result.pass_losses) < 10
    y = rows["y"].to_numpy(dtype=float)
    X, _, _ = raw_problem(model, rows)
    valued = np.array([np.any(X[:, j].data % 1 != 0) for j in range(X.shape[1])])
    root = np.where(valued, 1.0, np.asarray(abs(X).max(axis=0).toarray()).ravel())
    scaled = X.multiply(1 / root).tocsr()
    standard = (y - y.mean()) / y.std()
    ridge = Ridge(alpha=1.0, tol=1e-12, solver="sparse_cg", max_iter=100_000).fit(scaled, standard)
    reference = y.mean() + y.std() * ridge.predict(scaled)
    assert np.max(np.abs(model.predict_frame(rows) - reference)) < 0.01 * y.std()
