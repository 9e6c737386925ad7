import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge

from aml_cli.ml.losses import loss_for
from aml_cli.ml.sgd import SGD, Batch, SGDConfig, localize, rebatch, run_passes


def problem(n=1500, d=12, seed=0, kind="BINARY"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    if kind == "BINARY":
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w * 0.5 + 0.3)))).astype(float)
    else:
        y = X @ w + 2.0 + rng.normal(scale=0.5, size=n)
    Xb = sp.csr_matrix(np.hstack([X, np.ones((n, 1))]).astype(np.float32))
    return X, Xb, y


def sparse_problem(n=3000, d=400, seed=1, density=0.02):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, random_state=seed, format="csr", dtype=np.float32)
    X.data[:] = 1.0
    w = rng.normal(size=d)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
    return X, y


def train(X, y, config, passes, kind="BINARY", outputs=1, tolerance=0.0):
    sgd = SGD(X.shape[1], outputs, loss_for(kind), config)
    losses = run_passes(
        sgd,
        lambda _: [localize(a, b, X.shape[1], outputs) for a, b in rebatch([(X, y)], config.batch_size)],
        passes,
        tolerance=tolerance,
    )
    return sgd.weights().copy(), losses


def test_full_batch_training_converges_to_sklearns_logistic_regression():
    X, Xb, y = problem()
    n, d = X.shape
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    config = SGDConfig(l2=1.0 / n, batch_size=n, unpenalized=(d,))
    W, _ = train(Xb, y, config, 300)
    assert np.abs(W[:d, 0] - reference.coef_[0]).max() < 1e-4
    assert W[d, 0] == pytest.approx(reference.intercept_[0], abs=1e-4)


def test_mini_batch_training_lands_close_to_sklearns_logistic_regression():
    X, Xb, y = problem()
    n, d = X.shape
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    W, _ = train(Xb, y, SGDConfig(l2=1.0 / n, batch_size=64, unpenalized=(d,)), 30)
    assert np.abs(W[:d, 0] - reference.coef_[0]).max() < 0.1


def test_squared_loss_converges_to_sklearns_ridge():
    X, Xb, y = problem(kind="REGRESSION")
    n, d = X.shape
    reference = Ridge(alpha=1.0, tol=1e-12).fit(X, y)
    config = SGDConfig(l2=1.0 / n, batch_size=n, unpenalized=(d,))
    W, _ = train(Xb, y, config, 2000, kind="REGRESSION")
    assert np.abs(W[:d, 0] - reference.coef_).max() < 1e-3
    assert W[d, 0] == pytest.approx(reference.intercept_, abs=1e-3)


def test_softmax_training_converges_to_sklearns_multinomial_model():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(900, 5))
    y = np.argmax(X @ rng.normal(size=(5, 3)) + rng.gumbel(size=(900, 3)), axis=1)
    Xb = sp.csr_matrix(np.hstack([X, np.ones((900, 1))]).astype(np.float32))
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    W, _ = train(Xb, y, SGDConfig(l2=1.0 / 900, batch_size=900, unpenalized=(5,)), 600, "MULTICLASS", 3)
    # softmax weights are defined up to a constant per feature: compare centred columns
    ours = W[:5] - W[:5].mean(axis=1, keepdims=True)
    theirs = reference.coef_.T - reference.coef_.T.mean(axis=1, keepdims=True)
    assert np.abs(ours - theirs).max() < 1e-3


def test_feeding_chunks_gives_the_same_weights_as_the_whole_matrix():
    X, y = sparse_problem()
    config = SGDConfig(l1=1e-3, batch_size=128)
    whole = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    whole.run_pass(localize(a, b, X.shape[1]) for a, b in rebatch([(X, y)], 128))
    bounds = [0, 1, 77, 300, 301, 1800, 3000]
    pieces = [(X[a:b], y[a:b]) for a, b in itertools.pairwise(bounds)]
    chunked = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    chunked.run_pass(localize(a, b, X.shape[1]) for a, b in rebatch(pieces, 128))
    assert np.array_equal(whole.weights(), chunked.weights())


def test_rebatch_cuts_exact_batches_across_chunk_boundaries():
    X = sp.csr_matrix(np.arange(10, dtype=np.float32)[:, None])
    y = np.arange(10.0)
    pieces = [(X[:3], y[:3]), (X[3:4], y[3:4]), (X[4:10], y[4:10])]
    batches = list(rebatch(pieces, 4))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert np.array_equal(np.concatenate([b[1] for b in batches]), y)
    assert np.array_equal(np.vstack([b[0].toarray() for b in batches])[:, 0], y)


@pytest.mark.parametrize(
    "config", [SGDConfig(batch_size=100), SGDConfig(l1=2e-3, batch_size=100), SGDConfig(l2=1e-2, batch_size=100)]
)
def test_touching_only_a_batchs_features_equals_updating_every_feature(config):
    X, y = sparse_problem(d=5000, density=0.002)
    local = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    dense = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    for _ in range(3):
        local.run_pass(localize(a, b, X.shape[1]) for a, b in rebatch([(X, y)], 100))
        dense.run_pass(Batch(a, b) for a, b in rebatch([(X, y)], 100))
    assert localize(X[:100], y[:100], X.shape[1]).cols is not None
    assert np.allclose(local.weights(), dense.weights(), atol=1e-6)


def test_l1_gives_exact_zeros_and_fewer_non_zeros_as_the_amount_grows():
    X, y = sparse_problem()
    counts = []
    for amount in [0.0, 1e-3, 1e-2, 5e-2]:
        W, _ = train(X, y, SGDConfig(l1=amount, batch_size=100), 10)
        counts.append(int(np.count_nonzero(W)))
    assert counts[0] == X.shape[1]
    assert counts[1] < counts[0]
    assert counts[3] < counts[2] < counts[1]
    assert counts[3] < X.shape[1] // 2


def test_l2_shrinks_the_norm():
    X, y = sparse_problem()
    norms = [np.linalg.norm(train(X, y, SGDConfig(l2=amount, batch_size=100), 10)[0]) for amount in [0.0, 1e-3, 1e-1]]
    assert norms[2] < norms[1] < norms[0]


def test_unpenalized_features_are_not_shrunk():
    _X, Xb, y = problem(n=500, d=3)
    y = np.ones_like(y)  # the bias alone explains the target
    W, _ = train(Xb, y, SGDConfig(l1=0.05, batch_size=50, unpenalized=(3,)), 20)
    assert W[3, 0] > 2.0
    assert np.count_nonzero(W[:3, 0]) == 0


def test_training_twice_gives_identical_weights():
    X, y = sparse_problem()
    first, _ = train(X, y, SGDConfig(batch_size=64), 3)
    second, _ = train(X, y, SGDConfig(batch_size=64), 3)
    assert np.array_equal(first, second)


def test_passes_stop_early_once_the_loss_stops_improving():
    _X, Xb, y = problem()
    _, losses = train(Xb, y, SGDConfig(batch_size=len(y)), 1000, tolerance=1e-4)
    assert 2 < len(losses) < 1000
    assert losses[-2] - losses[-1] < 1e-4 * losses[-2]


def test_weights_are_float32_with_one_column_per_output():
    sgd = SGD(7, 3, loss_for("MULTICLASS"), SGDConfig())
    assert sgd.weights().shape == (7, 3)
    assert sgd.weights().dtype == np.float32


def test_l1_and_l2_together_are_refused():
    with pytest.raises(ValueError, match="together"):
        SGDConfig(l1=1e-3, l2=1e-3)


def _iterates_of_last_pass(X, y, config, passes):
    """Dense reference: every weight regularised at every step, the mean taken over the last pass's steps."""
    sgd = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    seen = []
    for index in range(passes):
        for a, b in rebatch([(X, y)], config.batch_size):
            sgd.step(Batch(a, b))
            if index == passes - 1:
                seen.append(sgd.W.astype(np.float64).copy())
    return np.mean(seen, axis=0)


@pytest.mark.parametrize(
    "config",
    [SGDConfig(batch_size=100, average=True), SGDConfig(l1=2e-3, batch_size=100, average=True),
     SGDConfig(l2=1e-2, batch_size=100, average=True)],
)
def test_averaging_touching_only_a_batchs_features_gives_the_mean_of_the_last_pass(config):
    X, y = sparse_problem(d=5000, density=0.002)
    local = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    for _ in range(3):
        local.run_pass(localize(a, b, X.shape[1]) for a, b in rebatch([(X, y)], 100))
    assert localize(X[:100], y[:100], X.shape[1]).cols is not None
    expected = _iterates_of_last_pass(X, y, config, 3)
    if config.l1 > 0:  # the features L1 zeroed at the end stay zero
        expected[local._prox(local.W, local.h, slice(None), local.steps - local.applied) == 0] = 0.0
    assert np.abs(expected).max() > 0.05
    assert np.allclose(local.weights(), expected, atol=1e-5)


def test_averaging_changes_the_weights_but_not_the_path():
    X, y = sparse_problem()
    plain = SGD(X.shape[1], 1, loss_for("BINARY"), SGDConfig(batch_size=64, learning_rate=2.0))
    averaged = SGD(X.shape[1], 1, loss_for("BINARY"), SGDConfig(batch_size=64, learning_rate=2.0, average=True))
    for sgd in (plain, averaged):
        for _ in range(3):
            sgd.run_pass(Batch(a, b) for a, b in rebatch([(X, y)], 64))
    assert np.array_equal(plain.W, averaged.W)
    assert not np.allclose(plain.weights(), averaged.weights(), atol=1e-3)
    assert averaged.weights().dtype == np.float32


def test_averaged_l1_weights_are_zero_where_the_last_iterate_is():
    X, y = sparse_problem()
    config = SGDConfig(l1=5e-3, batch_size=64, average=True)
    sgd = SGD(X.shape[1], 1, loss_for("BINARY"), config)
    for _ in range(3):
        sgd.run_pass(localize(a, b, X.shape[1]) for a, b in rebatch([(X, y)], 64))
    last = sgd._prox(sgd.W, sgd.h, slice(None), sgd.steps - sgd.applied)
    assert 0 < np.count_nonzero(last) < X.shape[1]
    assert np.array_equal(sgd.weights() != 0, last != 0)
