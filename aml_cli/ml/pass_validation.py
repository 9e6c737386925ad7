"""The validation channel's loss after each learning pass, logged so that metric definitions can read it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .feature_cache import FeatureCache
from .losses import loss_for


class PassValidation:
    """The validation rows, featurized once into a cache; their mean loss under the learner's current weights
    (the pass's averaged iterate, on the loss training minimises: a REGRESSION target standardised as in
    training)."""

    def __init__(self, cache: FeatureCache, model_type: str, learner: Any) -> None:
        self.cache = cache
        self.learner, self.loss = learner, loss_for(model_type)
        self.losses: list[float] = []

    def after_pass(self) -> float:
        learner = self.learner
        W = (learner.snapshot if learner.snapshot is not None else learner.pass_weights()).astype(np.float64)
        total = 0.0
        for X, y in self.cache:
            if learner.model_type == "REGRESSION":
                y = (np.asarray(y) - learner.target_mean) / learner.target_scale
            total += float(self.loss.row_loss(y, np.asarray(X @ W)).sum())
        self.losses.append(total / self.cache.rows)
        return self.losses[-1]
