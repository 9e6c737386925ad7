"""The three losses Amazon ML trained with, as arrays in, arrays out.

Every loss works on a margin matrix ``M`` of shape (rows, k): k = 1 for BINARY
and REGRESSION, k = number of classes for MULTICLASS. Targets are float 0/1
(BINARY), int class indices (MULTICLASS) or floats (REGRESSION). ``loss``
returns one value per row, ``gradient`` the derivative of that row's loss with
respect to its margins (same shape as ``M``); the SGD turns it into a weight
gradient with one sparse product ``X.T @ G``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def logistic_loss(y: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """log(1 + exp(-s*m)) with s = 2y - 1; logaddexp never overflows."""
    s = 2.0 * y - 1.0
    return np.logaddexp(0.0, -s * margin)


def logistic_gradient(y: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """sigmoid(m) - y, with the sigmoid in its tanh form so no exp overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * margin)) - y


def sigmoid(margin: np.ndarray) -> np.ndarray:
    """Probability of class 1; the tanh form is exact and overflow-free."""
    return 0.5 * (1.0 + np.tanh(0.5 * margin))


def softmax(margins: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    shifted = margins - margins.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_loss(y: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Cross-entropy -m[y] + logsumexp(m), the logsumexp taken max-shifted."""
    top = margins.max(axis=1)
    lse = top + np.log(np.exp(margins - top[:, None]).sum(axis=1))
    rows = np.arange(margins.shape[0])
    return lse - margins[rows, y]


def softmax_gradient(y: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """softmax(m) - onehot(y)."""
    g = softmax(margins)
    g[np.arange(margins.shape[0]), y] -= 1.0
    return g


def squared_loss(y: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """(m - y)^2 / 2, so that the gradient is the plain residual."""
    r = margin - y
    return 0.5 * r * r


def squared_gradient(y: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """m - y."""
    return margin - y


@dataclass(frozen=True)
class Loss:
    """A loss on (rows, k) margins; ``y`` is reshaped to fit by ``column``."""

    name: str
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    column: bool  # True: y is (rows,) and the margin is the single column of M

    def row_loss(self, y: np.ndarray, margins: np.ndarray) -> np.ndarray:
        """Loss per row for margins of shape (rows, k)."""
        if self.column:
            return self.loss(y, margins[:, 0])
        return self.loss(y, margins)

    def margin_gradient(self, y: np.ndarray, margins: np.ndarray) -> np.ndarray:
        """Gradient per row and margin, shape (rows, k)."""
        if self.column:
            return self.gradient(y, margins[:, 0])[:, None]
        return self.gradient(y, margins)

    def along(self, y: np.ndarray, margins: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per row: the loss, and its first and second derivatives along ``direction`` (rows, k) of the
        margins, from one evaluation (a line search's needs)."""
        if self.name == "squared":
            r, d = margins[:, 0] - y, direction[:, 0]
            return 0.5 * r * r, r * d, d * d
        if self.column:
            m, d = margins[:, 0], direction[:, 0]
            p = sigmoid(m)
            return logistic_loss(y, m), (p - y) * d, p * (1.0 - p) * d * d
        shifted = margins - margins.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1)
        P = e / total[:, None]
        rows = np.arange(margins.shape[0])
        Pd = (P * direction).sum(axis=1)
        return np.log(total) - shifted[rows, y], Pd - direction[rows, y], (P * direction**2).sum(axis=1) - Pd**2


LOSSES: dict[str, Loss] = {
    "BINARY": Loss("logistic", logistic_loss, logistic_gradient, column=True),
    "MULTICLASS": Loss("multinomial logistic", softmax_loss, softmax_gradient, column=False),
    "REGRESSION": Loss("squared", squared_loss, squared_gradient, column=True),
}


def loss_for(model_type: str) -> Loss:
    """The loss Amazon ML used for a model type."""
    try:
        return LOSSES[model_type]
    except KeyError:
        raise ValueError(f"unknown model type {model_type!r}") from None
