"""SGD over features stored by frequency learns the very weights of SGD over features in their own order."""

import numpy as np
import pytest
import scipy.sparse as sp

from aml_cli.ml.feature_slots import FeatureSlots
from aml_cli.ml.losses import loss_for
from aml_cli.ml.sgd import SGD, SGDConfig, localize, rebatch, run_passes
from aml_cli.ml.whitening import fit_block


def data(n=900, rare=2000, seed=3, outputs=1):
    """Three frequent correlated numbers and a bias (the block), then many rare indicators."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 1))
    dense = np.hstack([base + 0.3 * rng.normal(size=(n, 3)), np.ones((n, 1))]).astype(np.float32)
    sparse = sp.random(n, rare, density=0.004, random_state=seed, format="csr", dtype=np.float32)
    sparse.data[:] = 1.0
    X = sp.hstack([sp.csr_matrix(dense), sparse], format="csr")
    margin = dense[:, 0] - dense[:, 1] + np.asarray(sparse.sum(axis=1)).ravel() - 0.5
    if outputs == 1:
        y = (rng.random(n) < 1 / (1 + np.exp(-margin))).astype(float)
    else:
        y = np.digitize(margin + 0.5 * rng.normal(size=n), [-0.5, 0.5]).astype(np.int32)
    return X, y


def trained(X, y, config, block, slots, kind, outputs, scale):
    n = X.shape[1]
    if slots is not None:
        block = slots.block(block) if block is not None else None
        unpenalized = tuple(int(slots.of(f)) for f in config.unpenalized)
        config = SGDConfig(**{**config.__dict__, "unpenalized": unpenalized})
    sgd = SGD(n, outputs, loss_for(kind), config, block)
    sgd.W[3 if slots is None else slots.of(3)] = 0.25

    def plain(a, b):
        a = sp.csr_matrix((a.data * scale[a.indices], a.indices, a.indptr), shape=a.shape)
        return localize(a, b, n, outputs)

    def slotted(a, b):
        return slots.localize(a, b, outputs, slots.stored(scale))

    batches = [(plain if slots is None else slotted)(a, b) for a, b in rebatch([(X, y)], config.batch_size)]
    assert all((batch.cols is None) == (config.batch_size > 100) for batch in batches)
    run_passes(sgd, lambda _: batches, 3, tolerance=0.0)
    return sgd.weights() if slots is None else slots.features(sgd.weights())


@pytest.mark.parametrize(("kind", "outputs"), [("BINARY", 1), ("MULTICLASS", 3)])
@pytest.mark.parametrize("batch", [32, 256], ids=["local-columns", "global-columns"])
@pytest.mark.parametrize("regulariser", [{}, {"l2": 1e-3}, {"l1": 1e-4}])
def test_weights_are_bit_for_bit_those_of_the_features_own_order(kind, outputs, batch, regulariser):
    X, y = data(outputs=outputs)
    counts = np.bincount(X.indices, minlength=X.shape[1])
    slots = FeatureSlots.by_frequency(counts)
    assert not np.array_equal(slots.slot, np.arange(X.shape[1]))  # the layout does move features
    scale = np.ones(X.shape[1], dtype=np.float32)
    scale[:3] = np.float32(1 / 3.7)  # the numbers scaled, as train.py scales values beyond [-1, 1]
    block = None if "l1" in regulariser else fit_block([X], np.array([0, 1, 2]), X.shape[0], X.shape[1], bias=3,
                                                       scale=scale)
    config = SGDConfig(batch_size=batch, unpenalized=(3,), average=True, initial_accumulator=0.01, **regulariser)
    plain = trained(X, y, config, block, None, kind, outputs, scale)
    slotted = trained(X, y, config, block, slots, kind, outputs, scale)
    assert plain.dtype == slotted.dtype == np.float32
    assert np.array_equal(plain, slotted)


def test_the_most_present_features_come_first_and_ties_keep_their_order():
    slots = FeatureSlots.by_frequency(np.array([2, 9, 0, 9, 5]))
    assert slots.slot.tolist() == [3, 0, 4, 1, 2]
    weights = np.arange(5, dtype=np.float32)[:, None]
    assert np.array_equal(slots.features(slots.stored(weights)), weights)
