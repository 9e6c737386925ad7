"""The whitened block of frequent features: which features, the whitening itself, and SGD learning through it."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from aml_cli.ml import whitening
from aml_cli.ml.losses import loss_for
from aml_cli.ml.sgd import SGD, Batch, SGDConfig, localize, rebatch, run_passes
from aml_cli.ml.whitening import block_features, fit_block


def test_block_features_are_the_frequent_ones_without_the_bias():
    counts = np.array([1000, 50, 49, 500, 1000, 0])
    assert block_features(counts, rows=1000, exclude=(4,)).tolist() == [0, 1, 3]


def test_block_features_need_enough_rows_to_estimate_a_covariance():
    counts = np.array([100, 60, 49, 10])
    assert block_features(counts, rows=100).tolist() == [0, 1]  # 5% would be 5 rows; at least 50 are needed


def test_block_features_keep_the_most_frequent_when_there_are_too_many(monkeypatch):
    monkeypatch.setattr(whitening, "MAX_BLOCK", 2)
    monkeypatch.setattr(whitening, "MIN_ROWS", 1)
    counts = np.array([10, 90, 30, 80, 20])
    assert block_features(counts, rows=100).tolist() == [1, 3]


def test_many_classes_get_a_smaller_block(monkeypatch):
    monkeypatch.setattr(whitening, "MAX_BLOCK_WORK", 100)
    monkeypatch.setattr(whitening, "MIN_ROWS", 1)
    counts = np.array([10, 90, 30, 80, 20, 70])
    assert block_features(counts, rows=100, outputs=1).tolist() == [0, 1, 2, 3, 4, 5]
    assert block_features(counts, rows=100, outputs=25).tolist() == [1, 3]


def correlated(n=4000, seed=0):
    """Two nearly equal numbers whose small difference decides the label, a third independent one, a bias."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    x = np.column_stack([z, z + 0.1 * rng.normal(size=n), rng.normal(size=n)]) * 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-((x[:, 0] - x[:, 1]) * 40 + x[:, 2] * 3)))).astype(float)
    X = sp.csr_matrix(np.column_stack([x, np.ones(n)]).astype(np.float32))
    return X, y


def test_whitened_features_have_unit_covariance(monkeypatch):
    monkeypatch.setattr(whitening, "RIDGE", 0.0)  # the ridge keeps collinear bins invertible; here none are
    X, _ = correlated()
    block = fit_block([X], np.array([0, 1, 2]), X.shape[0], X.shape[1], bias=3)
    Z = (X[:, :3].toarray() - block.mean) @ block.transform.T
    covariance = np.cov(Z, rowvar=False, bias=True)
    assert np.allclose(covariance, np.eye(3), atol=0.01)
    assert np.allclose(block.mean, X[:, :3].toarray().mean(axis=0))


def test_the_block_is_the_same_from_pieces_and_drops_features_that_never_vary():
    X, _ = correlated(n=500)
    X = sp.hstack([X[:, :3], sp.csr_matrix(np.ones((500, 1), np.float32)), X[:, 3:]], format="csr")  # constant
    whole = fit_block([X], np.array([0, 1, 2, 3]), 500, X.shape[1], bias=4)
    pieces = fit_block([X[:123], X[123:400], X[400:]], np.array([0, 1, 2, 3]), 500, X.shape[1], bias=4)
    assert whole.features.tolist() == [0, 1, 2]
    assert np.allclose(whole.transform, pieces.transform) and np.allclose(whole.mean, pieces.mean)
    assert fit_block([X], np.array([0, 3]), 500, X.shape[1], bias=4) is None


def test_a_scale_given_applies_to_the_sampled_rows_as_if_the_data_were_scaled():
    X, _ = correlated(n=400)
    scale = np.array([0.5, 2.0, 1.0, 1.0], dtype=np.float32)
    scaled = sp.csr_matrix((X.data * scale[X.indices], X.indices, X.indptr), shape=X.shape)
    given = fit_block([X], np.array([0, 1, 2]), 400, 4, bias=3, scale=scale)
    done = fit_block([scaled], np.array([0, 1, 2]), 400, 4, bias=3)
    assert np.allclose(given.mean, done.mean) and np.allclose(given.transform, done.transform)


def train(X, y, config, passes, block=None, kind="BINARY", outputs=1, local=True):
    sgd = SGD(X.shape[1], outputs, loss_for(kind), config, block)

    def batches(_):
        cut = rebatch([(X, y)], config.batch_size)
        return [localize(a, b, X.shape[1], outputs) if local else Batch(a, b) for a, b in cut]

    losses = run_passes(sgd, batches, passes, tolerance=0.0)
    return sgd, losses


def test_with_the_block_training_reaches_the_same_optimum():
    X, y = correlated(n=1500)
    n = X.shape[0]
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X[:, :3].toarray(), y)
    block = fit_block([X], np.array([0, 1, 2]), n, 4, bias=3)
    sgd, _ = train(X, y, SGDConfig(l2=1.0 / n, batch_size=n, unpenalized=(3,), learning_rate=0.1), 3000, block)
    W = sgd.weights()
    assert np.abs(W[:3, 0] - reference.coef_[0]).max() < 1e-2
    assert W[3, 0] == pytest.approx(reference.intercept_[0], abs=1e-3)


def test_the_block_learns_a_correlated_direction_much_faster():
    X, y = correlated()
    config = SGDConfig(batch_size=32, unpenalized=(3,), learning_rate=0.1, average=True)
    block = fit_block([X], np.array([0, 1, 2]), X.shape[0], 4, bias=3)
    _, plain = train(X, y, config, 10)
    _, whitened = train(X, y, config, 10, block)
    assert whitened[-1] < plain[-1] - 0.05


def test_weights_give_the_margins_training_used():
    X, y = correlated(n=600)
    block = fit_block([X], np.array([0, 1, 2]), 600, 4, bias=3)
    sgd, _ = train(X, y, SGDConfig(batch_size=50, unpenalized=(3,)), 2, block)
    before = float(sgd.loss.row_loss(y, np.asarray(X @ sgd.weights(), dtype=np.float64)).sum())
    inside = sgd.step(Batch(X, y))  # the loss of the same weights, as the step measures it
    assert inside == pytest.approx(before, rel=1e-5)


@pytest.mark.parametrize("l2", [0.0, 1e-2])
def test_touching_only_a_batchs_features_equals_updating_every_feature_with_a_block(l2):
    rng = np.random.default_rng(4)
    X, y = correlated(n=800)
    rare = sp.random(800, 3000, density=0.002, random_state=5, format="csr", dtype=np.float32)
    rare.data[:] = 1.0
    X = sp.hstack([X, rare], format="csr")
    y = np.where(rng.random(800) < 0.1, 1 - y, y)
    block = fit_block([X], np.array([0, 1, 2]), 800, X.shape[1], bias=3)
    config = SGDConfig(batch_size=40, unpenalized=(3,), l2=l2, average=True)
    local, _ = train(X, y, config, 3, block)
    dense, _ = train(X, y, config, 3, block, local=False)
    assert localize(X[:40], y[:40], X.shape[1]).cols is not None
    assert np.allclose(local.weights(), dense.weights(), atol=1e-5)


def test_softmax_with_a_block_learns_one_plain_weight_column_per_class():
    X, _ = correlated(n=900)
    x = X.toarray()
    y = np.digitize((x[:, 0] - x[:, 1]) * 40 + x[:, 2] * 3, [-1.0, 1.0])  # three classes from the same signal
    block = fit_block([X], np.array([0, 1, 2]), 900, 4, bias=3)
    sgd, losses = train(X, y, SGDConfig(batch_size=30, unpenalized=(3,)), 5, block, "MULTICLASS", 3)
    W = sgd.weights()
    assert W.shape == (4, 3)
    accuracy = np.mean(np.argmax(np.asarray(X @ W), axis=1) == y)
    assert losses[-1] < 0.8 * losses[0] and accuracy > 0.7


def test_l1_trains_without_a_block():
    X, _ = correlated(n=200)
    block = fit_block([X], np.array([0, 1, 2]), 200, 4, bias=3)
    with pytest.raises(ValueError, match="L1"):
        SGD(4, 1, loss_for("BINARY"), SGDConfig(l1=1e-3), block)


def test_the_block_takes_its_own_step_size():
    X, y = correlated(n=600)
    block = fit_block([X], np.array([0, 1, 2]), 600, 4, bias=3)
    slow, _ = train(X, y, SGDConfig(batch_size=50, unpenalized=(3,), block_learning_rate=1e-6), 1, block)
    fast, _ = train(X, y, SGDConfig(batch_size=50, unpenalized=(3,), block_learning_rate=0.5), 1, block)
    assert np.abs(slow.U).max() < 1e-3 < np.abs(fast.U).max()
    assert np.abs(slow.W[3]) > 0.01  # the bias, outside the block, learns at the ordinary rate


def test_a_feature_with_non_finite_values_stays_out_of_the_block():
    X, _ = correlated(n=300)
    X = X.tolil()
    X[5, 0] = np.inf
    assert fit_block([X.tocsr()], np.array([0, 1, 2]), 300, 4, bias=3).features.tolist() == [1, 2]
    X[6, 1] = np.nan
    assert fit_block([X.tocsr()], np.array([0, 1, 2]), 300, 4, bias=3) is None
