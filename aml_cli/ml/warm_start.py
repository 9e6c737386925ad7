"""Incremental training's starting point: what a continued model keeps of its base (Clean Rooms ML, spec §2.6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class WarmStart:
    """What incremental training keeps of its base model: the recipe and its fitted transformations (the
    featurizer: bins, vocabularies, hashing), the classes, the target's standardisation, and the weights
    SGD starts from. The frequent features are not whitened (the block's coordinates belong to the base's
    data), and the bias keeps its learned value."""

    recipe_text: str
    featurizer: Any
    labels: list[str]
    weights: np.ndarray  # (n_features, k) of the raw features, as the model file holds them
    target_mean: float = 0.0
    target_scale: float = 1.0

    @classmethod
    def of(cls, model: Any) -> WarmStart:
        """From a loaded model (``predict.Model``)."""
        return cls(model.recipe_text, model.featurizer, list(model.labels), np.asarray(model.weights, np.float32),
                   model.target_mean, model.target_scale)
