"""The prior chosen by cross-validation on small data (newton_heldout.py)."""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from aml_cli.ml import newton_heldout, solvers
from aml_cli.ml.losses import loss_for
from aml_cli.ml.newton import _Sums
from aml_cli.ml.parameters import TrainingSettings

from .test_learner_defaults import train_frame


def softmax_rows(n=300, p=12, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.4, random_state=seed, format="csr") * 2.0
    X = sp.hstack([X, np.ones((n, 1))], format="csr")  # the bias, last
    W = rng.normal(size=(p + 1, k))
    logits = np.asarray(X @ W)
    y = np.array([rng.choice(k, p=np.exp(r) / np.exp(r).sum()) for r in logits])
    return X, y


def test_a_folds_fit_reaches_the_optimum_scikit_learn_finds():
    """The fold's model (all rows but one fold, the prior on every weight but the bias) is the optimum of its
    objective to FIT_TOLERANCE: its objective within 1e-4 of scikit-learn's multinomial LogisticRegression's
    at the same penalty, and the same probabilities to a few thousandths."""
    X, y = softmax_rows()
    n, p1 = X.shape
    k = 3
    rest = np.arange(n) % 5 != 0
    precision = 0.05
    prior = np.full((p1, 1), precision)
    prior[-1] = 0.0
    loss = loss_for("MULTICLASS")
    start = np.zeros((p1, k))
    sums = _Sums(p1, k, True)
    sums.add_hessian(X.toarray(), np.asarray(X @ start), loss)
    factors = newton_heldout._factors(sums.hessian_matrix(prior, n))
    V = newton_heldout._fit(X, y, rest, loss, prior, start, factors)
    reference = LogisticRegression(C=1 / (precision * rest.sum()), tol=1e-10, max_iter=10000)
    reference.fit(X[rest][:, :-1], y[rest])
    margins = np.asarray(X @ V)
    ours = np.exp(margins - margins.max(axis=1, keepdims=True))
    ours /= ours.sum(axis=1, keepdims=True)
    theirs = reference.predict_proba(X[:, :-1])
    assert np.abs(ours - theirs).max() < 5e-3

    def objective(P, W):
        return float(-np.log(P[rest, y[rest]]).mean() + 0.5 * precision * (W * W).sum())

    optimum = objective(theirs, reference.coef_.T)
    assert optimum <= objective(ours, V[:-1]) < optimum * (1 + 1e-4)


def test_a_move_needs_more_than_the_rows_noise():
    rng = np.random.default_rng(1)
    best = rng.exponential(size=200)
    assert not newton_heldout._better(best.copy(), best)  # the same losses
    swing = 0.5 * np.where(np.arange(200) % 2 == 0, 1.0, -1.0)
    assert not newton_heldout._better(best + swing - 0.01, best)  # a mean drop of 0.01, rows swinging by 0.5
    assert newton_heldout._better(best * 0.8, best)  # every row 20% better


def catalogue(n, seed):
    """Like ggplot2's mpg: a model name (40 values, a handful of rows each) nearly decides the class; two
    numbers add a little. Rows stored in class order."""
    rng = np.random.default_rng(seed)
    model = rng.integers(0, 40, n)
    kind = model % 4
    flip = rng.random(n) < 0.1
    kind = np.where(flip, rng.integers(0, 4, n), kind)
    frame = pd.DataFrame({"model": [f"m{m}" for m in model], "x": rng.normal(size=n) + 0.3 * kind,
                          "z": rng.normal(size=n), "y": [f"k{c}" for c in kind]})
    return frame.sort_values("y", kind="stable").reset_index(drop=True)


TYPES = {"model": "CATEGORICAL", "x": "NUMERIC", "z": "NUMERIC", "y": "CATEGORICAL"}


def held_out_log_loss(model, frame):
    P = model.predict_frame(frame)
    index = np.array([model.labels.index(v) for v in frame["y"]])
    return float(-np.mean(np.log(np.clip(P[np.arange(len(frame)), index], 1e-15, 1))))


def test_few_rows_per_category_take_a_weaker_prior_and_predict_better(tmp_path, monkeypatch):
    """The unit Gaussian shrinks a category seen in five rows hard; the folds choose a weaker prior for the
    categories, and fresh rows of the same kind get a lower log loss than the unit prior gives them."""
    train, fresh = catalogue(200, 2), catalogue(4000, 3)
    model, result, _ = train_frame(tmp_path / "cv", train, TYPES, kind="MULTICLASS")
    chosen = model.header["training"]["prior_precision"]
    assert set(chosen) == {"numbers", "indicators", "bins"}
    assert chosen["indicators"] < 0.5
    assert len(result.pass_losses) <= 10
    monkeypatch.setattr(solvers, "HELD_OUT_TYPES", ())
    unit, _, _ = train_frame(tmp_path / "unit", train, TYPES, kind="MULTICLASS")
    assert "training" in unit.header and "prior_precision" not in unit.header["training"]
    assert held_out_log_loss(model, fresh) < 0.9 * held_out_log_loss(unit, fresh)


def test_without_room_to_settle_again_the_prior_stays(tmp_path):
    """Three passes leave no pass to settle after a move: the unit prior stays and no comparison is made."""
    train = catalogue(200, 2)
    model, result, _ = train_frame(tmp_path, train, TYPES, kind="MULTICLASS",
                                   settings=TrainingSettings(max_passes=3))
    assert len(result.pass_losses) <= 3
    assert set(model.header["training"]["prior_precision"].values()) == {1.0}


def test_a_given_l2_amount_is_the_prior(tmp_path):
    train = catalogue(200, 2)
    model, _, _ = train_frame(tmp_path, train, TYPES, kind="MULTICLASS", settings=TrainingSettings(l2=1e-3))
    assert "prior_precision" not in model.header["training"]
