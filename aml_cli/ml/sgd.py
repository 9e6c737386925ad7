"""Mini-batch SGD with per-feature adaptive steps over sparse batches.

The update is AdaGrad's composite form (Duchi, Hazan & Singer 2011): for a batch
of b rows with margins ``M = X @ W`` and margin gradients ``G``, the weight
gradient is ``g = X.T @ G / b``; each weight keeps the sum of its squared
gradients ``h`` and moves by ``lr * g / sqrt(h)``, so rare features take big
steps and frequent ones small steps, which is what lets ten passes land close to
the converged model. ``h`` may start above zero (``initial_accumulator``): a
prior that damps the first, noisiest steps of rarely seen features; the
whitened block has its own (``block_initial_accumulator``) and its own rate.

Regularisation is applied as a proximal step after each gradient step, with the
same per-weight step size ``eta = lr / sqrt(h)``:

- L2 (amount ``l2``, objective term ``l2/2 * |w|^2``): ``w /= 1 + eta * l2``;
- L1 (amount ``l1``, objective term ``l1 * |w|_1``): ``w = sign(w) * max(|w| - eta * l1, 0)``,
  which sets weights to exactly zero (the truncated gradient of Langford et al.).

A weight whose feature is absent from a batch has a zero gradient, so its ``h``
and ``eta`` do not change; ``s`` skipped proximal steps then compose in closed
form (``w / (1 + eta*l2)^s`` and a soft threshold of ``s * eta * l1``). That is
what lets a batch touch only the features it contains (work proportional to its
non-zeros, not to the number of features) while giving exactly the weights of
regularising every feature at every step.

With ``average`` the weights returned are the mean of the iterates of the
last pass (Polyak–Ruppert averaging), which cancels most of the noise of
large steps. It is kept lazily too: a feature's sum grows only when a batch
touches it, by the iterates it went through meanwhile (``s`` copies of the
same weights without regularisation; with it, the closed-form sums of the
skipped proximal steps), so averaging costs no more than the updates. Under L1 the mean is kept only
where the last iterate is non-zero, so L1's weights stay truly sparse.

With a ``DenseBlock`` (``whitening.py``) the frequent features' weights are
kept in whitened coordinates ``V``: their gradient (of the centred features)
is mapped by ``A``, AdaGrad steps ``V``, and ``W`` holds the plain weights
``A.T @ V``, whose centring ``mean @ U`` comes off every margin and, at the
end, off the bias. The block is dense (every step updates all of it, at a
cost of about ``2 * d^2`` per output for d block features), so it is kept
to the few frequent features; L2 reaches it as a gradient term, and L1,
which must zero features one by one, trains without a block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from .losses import Loss
from .whitening import DenseBlock


@dataclass(frozen=True)
class SGDConfig:
    """Learning settings; ``l1`` and ``l2`` are never both non-zero."""

    learning_rate: float = 0.5
    block_learning_rate: float | None = None  # the whitened block's step (learning_rate when None)
    l1: float = 0.0
    l2: float = 0.0
    batch_size: int = 2048
    unpenalized: tuple[int, ...] = ()  # feature indices never regularised (the bias)
    initial_accumulator: float = 0.0  # prior sum of squared gradients: damps the first steps of rare features
    block_initial_accumulator: float | None = None  # the whitened block's (initial_accumulator when None)
    average: bool = False  # return the mean of the last pass's iterates instead of the last iterate

    def __post_init__(self) -> None:
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError("regularization amounts must be non-negative")
        if self.l1 > 0 and self.l2 > 0:
            raise ValueError("L1 and L2 regularization cannot be used together")
        if self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("batch size and learning rate must be positive")


@dataclass(frozen=True)
class Batch:
    """Rows for one step; with ``cols`` the columns of X index into ``cols``."""

    X: sp.csr_matrix
    y: np.ndarray
    cols: np.ndarray | None = None


def localize(X: sp.csr_matrix, y: np.ndarray, n_features: int, n_outputs: int = 1) -> Batch:
    """Renumber a batch's columns to the features it touches, when that saves work.

    Touching all ``n_features x n_outputs`` weights costs more than sorting the
    batch's column indices once the weight matrix is several times larger than
    the batch; below that the batch keeps its global columns.
    """
    if n_features * n_outputs <= 4 * X.nnz:
        return Batch(X, y, None)
    indices = np.asarray(X.indices)
    if 64 * indices.size < n_features:  # few non-zeros among many features: sorting them is cheaper
        cols, local = np.unique(indices, return_inverse=True)
    else:  # a mark per feature: linear in the features, where sorting the non-zeros cost 5-20x more
        seen = np.zeros(n_features, dtype=bool)
        seen[indices] = True
        cols = np.flatnonzero(seen)
        position = np.empty(n_features, dtype=np.int32)
        position[cols] = np.arange(cols.size, dtype=np.int32)
        local = position[indices]
    Xl = sp.csr_matrix((X.data, local.astype(np.int32).ravel(), X.indptr), shape=(X.shape[0], cols.size))
    return Batch(Xl, y, cols.astype(np.int64))


def rebatch(
    chunks: Iterable[tuple[sp.csr_matrix, np.ndarray]], size: int
) -> Iterator[tuple[sp.csr_matrix, np.ndarray]]:
    """Cut a stream of chunks into batches of exactly ``size`` rows (the last may be short).

    Batches do not depend on where chunk boundaries fall, so feeding a matrix
    whole or in pieces trains the same weights.
    """
    held: list[tuple[sp.csr_matrix, np.ndarray]] = []
    held_rows = 0
    for X, y in chunks:
        start, rows = 0, X.shape[0]
        if held_rows:
            take = min(size - held_rows, rows)
            held.append((X[:take], y[:take]))
            held_rows += take
            start = take
            if held_rows < size:
                continue
            yield _stack(held)
            held, held_rows = [], 0
        while rows - start >= size:
            yield X[start : start + size], y[start : start + size]
            start += size
        if start < rows:
            held, held_rows = [(X[start:], y[start:])], rows - start
    if held_rows:
        yield _stack(held)


def _stack(parts: list[tuple[sp.csr_matrix, np.ndarray]]) -> tuple[sp.csr_matrix, np.ndarray]:
    if len(parts) == 1:
        return parts[0]
    return sp.vstack([p[0] for p in parts], format="csr"), np.concatenate([p[1] for p in parts])


class SGD:
    """Weights (n_features x n_outputs, float32) and the state that updates them."""

    def __init__(
        self, n_features: int, n_outputs: int, loss: Loss, config: SGDConfig, block: DenseBlock | None = None
    ) -> None:
        self.loss = loss
        self.config = config
        self.W = np.zeros((n_features, n_outputs), dtype=np.float32)
        self.h = np.full((n_features, n_outputs), config.initial_accumulator, dtype=np.float32)
        self.steps = 0
        amount = config.l1 or config.l2
        self.penalty = np.full(n_features, amount, dtype=np.float64)
        if config.unpenalized:
            self.penalty[list(config.unpenalized)] = 0.0
        self.applied = np.zeros(n_features, dtype=np.int64)  # proximal steps applied per feature
        self.regularized = amount > 0
        self.avg_sum = np.zeros_like(self.W) if config.average else None  # float32 like W: 100 classes are big
        self.avg_last = np.zeros(n_features, dtype=np.int64)  # last step whose iterate is in avg_sum
        self.avg_start = 0
        self.block = block
        if block is not None:
            self._init_block(block, n_features, n_outputs)

    def _init_block(self, block: DenseBlock, n_features: int, n_outputs: int) -> None:
        """The block's weights live in whitened coordinates ``V``; ``W`` holds their plain form ``A.T @ V``."""
        if self.config.l1 > 0:
            raise ValueError("L1 keeps weights sparse feature by feature: no whitened block")
        d = block.features.size
        self.position = np.full(n_features, -1, dtype=np.int32)  # int32: half the memory traffic of a gather
        self.position[block.features] = np.arange(d)
        self.penalty[block.features] = 0.0  # L2 reaches the block through its gradient instead
        self.V = np.zeros((d, n_outputs))
        prior = self.config.block_initial_accumulator
        self.hV = np.full((d, n_outputs), float(self.config.initial_accumulator if prior is None else prior))
        self.V_sum = np.zeros_like(self.V)
        self.U = np.zeros_like(self.V)  # the block's plain weights
        self.shift = np.zeros(n_outputs)  # mean @ U: the centring, taken off every margin

    @property
    def n_features(self) -> int:
        return self.W.shape[0]

    def step(self, batch: Batch) -> float:
        """One update from a batch; returns the batch's summed loss before the update."""
        X, y, cols = batch.X, batch.y, batch.cols
        sel = slice(None) if cols is None else cols
        W = self.W[sel]
        h = self.h[sel]
        if self.avg_sum is not None:  # in float64, then stored as float32, as ``avg_sum[sel] += ...`` would
            mean_sum = (self.avg_sum[sel] + self._skipped_sum(W, h, sel)).astype(np.float32)
        if self.regularized:
            W = self._prox(W, h, sel, self.steps - self.applied[sel])
        margins = np.asarray(X @ W, dtype=np.float64)
        if self.block is not None:
            margins -= self.shift
        total = float(self.loss.row_loss(y, margins).sum())
        G = self.loss.margin_gradient(y, margins) / X.shape[0]
        g = np.asarray(X.T @ G, dtype=np.float32)
        if self.block is not None:
            at = self.position[sel]
            inside = at >= 0
            self._block_step(g[inside], at[inside], G.sum(axis=0))
            g[inside] = 0.0  # the block's rows of W are rewritten below
        h = h + g * g
        W = W - self.config.learning_rate * g / np.sqrt(np.maximum(h, np.float32(1e-30)))
        self.steps += 1
        if self.regularized:
            W = self._prox(W, h, sel, 1)
            self.applied[sel] = self.steps
        self.W[sel] = W
        self.h[sel] = h
        if self.block is not None:
            self.W[self.block.features] = self.U
        if self.avg_sum is not None:
            mean_sum += W
            self.avg_sum[sel] = mean_sum
            self.avg_last[sel] = self.steps
        return total

    def _block_step(self, touched: np.ndarray, at: np.ndarray, gradient_sum: np.ndarray) -> None:
        """AdaGrad in whitened coordinates: the gradient of the centred features, mapped by A."""
        block = self.block
        assert block is not None
        gU = np.zeros_like(self.U)
        gU[at] = touched
        gU -= np.outer(block.mean, gradient_sum)
        if self.config.l2 > 0:
            gU += self.config.l2 * self.U
        gV = block.transform @ gU
        self.hV += gV * gV
        rate = self.config.block_learning_rate or self.config.learning_rate
        self.V -= rate * gV / np.sqrt(np.maximum(self.hV, 1e-30))
        self.U = block.transform.T @ self.V
        self.shift = block.mean @ self.U
        self.V_sum += self.V

    def begin_average(self) -> None:
        """Start a new mean of iterates from the current step (called at the start of each pass)."""
        if self.avg_sum is not None:
            self.avg_sum[:] = 0.0
            self.avg_last[:] = self.steps
            self.avg_start = self.steps
        if self.block is not None:
            self.V_sum[:] = 0.0

    def _skipped_sum(self, W: np.ndarray, h: np.ndarray, sel: slice | np.ndarray) -> np.ndarray:
        """Sum of the iterates a weight went through, since it last entered the mean, in steps that did not touch it.

        Those are ``prox^j(W)`` for j in (a, b], where ``W`` was stored ``applied`` steps ago
        (just W without regularisation): F(b) - F(a) for F(s) = sum_{j<=s} prox^j(W), a
        geometric series for L2 and an arithmetic one cut at zero for L1.
        """
        if not self.regularized:
            return (self.steps - self.avg_last[sel]).astype(np.float64)[:, None] * W
        a = (self.avg_last[sel] - self.applied[sel]).astype(np.float64)[:, None]
        b = (self.steps - self.applied[sel]).astype(np.float64)[:, None]
        eta = np.divide(self.config.learning_rate, np.sqrt(h, dtype=np.float64), out=np.zeros(h.shape), where=h > 0)
        c = eta * self.penalty[sel][:, None]
        W = W.astype(np.float64)
        if self.config.l1 > 0:
            stop = np.where(c > 0, np.abs(W) / np.where(c > 0, c, 1.0), np.inf)  # steps until the weight hits zero

            def series(s: np.ndarray) -> np.ndarray:
                m = np.minimum(s, np.floor(stop))
                return np.sign(W) * (m * np.abs(W) - c * m * (m + 1) / 2)
        else:
            r = 1.0 / (1.0 + c)

            def series(s: np.ndarray) -> np.ndarray:
                return W * np.where(c > 0, r * (1.0 - r**s) / np.where(c > 0, 1.0 - r, 1.0), s)
        return series(b) - series(a)

    def _prox(self, W: np.ndarray, h: np.ndarray, sel: slice | np.ndarray, times: np.ndarray | int) -> np.ndarray:
        """``times`` proximal steps of the regulariser, composed in closed form."""
        eta = np.divide(self.config.learning_rate, np.sqrt(h, dtype=np.float64), out=np.zeros(h.shape), where=h > 0)
        shrink = eta * (self.penalty[sel] * np.asarray(times, dtype=np.float64))[:, None]
        if self.config.l1 > 0:
            return (np.sign(W) * np.maximum(np.abs(W) - shrink, 0.0)).astype(np.float32)
        return (W / (1.0 + eta * self.penalty[sel][:, None]) ** np.asarray(times)[..., None]).astype(np.float32)

    def weights(self) -> np.ndarray:
        """The weights with every pending regularisation step applied (their mean over the pass, averaging).

        With a block, its plain weights replace their rows and the bias takes off their centring.
        """
        W = self._plain_weights()
        if self.block is None:
            return W
        averaged = self.avg_sum is not None and self.steps > self.avg_start
        V = self.V_sum / (self.steps - self.avg_start) if averaged else self.V
        U = self.block.transform.T @ V
        W = W.copy()
        W[self.block.features] = U
        W[self.block.bias] -= self.block.mean @ U
        return W

    def _plain_weights(self) -> np.ndarray:
        if self.avg_sum is not None and self.steps > self.avg_start:
            every = slice(None)
            total = self.avg_sum + self._skipped_sum(self.W, self.h, every)
            mean = (total / (self.steps - self.avg_start)).astype(np.float32)
            if self.config.l1 > 0:  # L1 chooses the features: those its last iterate zeroed stay zero
                mean[self._prox(self.W, self.h, every, self.steps - self.applied) == 0] = 0.0
            return mean
        if self.regularized:
            self.W[:] = self._prox(self.W, self.h, slice(None), self.steps - self.applied)
            self.applied[:] = self.steps
        return self.W

    def run_pass(self, batches: Iterable[Batch]) -> float:
        """One pass; returns the mean loss over its rows (measured before each update)."""
        total, rows = 0.0, 0
        self.begin_average()
        for batch in batches:
            total += self.step(batch)
            rows += batch.X.shape[0]
        return total / rows if rows else 0.0

    CONVERGENCE = "the last pass improved the mean training loss by less than 0.01%"

    def converged(self, losses: list[float], tolerance: float) -> bool:
        """The last pass improved the mean loss by less than ``tolerance`` (relative)."""
        return len(losses) > 1 and losses[-2] - losses[-1] < tolerance * max(abs(losses[-2]), 1e-12)


class Solver(Protocol):
    """What ``run_passes`` drives: SGD here, Newton's method (``newton.py``) for data with few features."""

    CONVERGENCE: str  # the stopping rule, as the training log states it

    def run_pass(self, batches: Iterable[Batch]) -> float: ...

    def converged(self, losses: list[float], tolerance: float) -> bool: ...


def run_passes(
    solver: Solver,
    batches: Callable[[int], Iterable[Batch]],
    max_passes: int,
    tolerance: float = 1e-4,
    on_pass: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Passes until ``max_passes`` or until the solver has converged (for SGD: a pass improved the mean
    loss by less than ``tolerance``, relative), as the service treated maxPasses as a ceiling."""
    losses: list[float] = []
    for index in range(max_passes):
        loss = solver.run_pass(batches(index))
        losses.append(loss)
        if on_pass is not None:
            on_pass(index, loss)
        if solver.converged(losses, tolerance):
            break
    return losses
