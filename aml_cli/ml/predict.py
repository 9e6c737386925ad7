"""A loaded model: featurize rows as in training, then score them.

Scores per model type: BINARY the probability of class 1, MULTICLASS one
probability per class (in ``labels`` order), REGRESSION the value. Frames are
typed as the reader types them; ``predict_record`` types a Predict request's
strings the same way, so one record scores exactly as the same row in a batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .binary import binary_from_scalar, parse_binary
from .losses import sigmoid, softmax
from .model_file import ModelFile
from .record_features import number_from_scalar
from .schema import Schema, parse_schema

_LARGEST = float(np.finfo(np.float64).max)


@dataclass
class Model:
    """Everything prediction needs, read from one model file."""

    model_type: str
    labels: list[str]
    schema: Schema
    recipe_text: str
    parameters: dict[str, str]
    featurizer: Any
    weights: np.ndarray  # (n_features, k) float32
    target_mean: float
    target_scale: float
    header: dict[str, Any]

    @classmethod
    def from_file(cls, model_file: ModelFile) -> Model:
        from .features import Featurizer

        h = model_file.header
        featurizer_arrays = {
            name.removeprefix("featurizer/"): a
            for name, a in model_file.arrays.items()
            if name.startswith("featurizer/")
        }
        return cls(
            model_type=h["model_type"],
            labels=list(h["labels"]),
            schema=parse_schema(h["schema"]),
            recipe_text=h["recipe"],
            parameters=dict(h.get("parameters", {})),
            featurizer=Featurizer.from_state(h["featurizer"], featurizer_arrays),
            weights=model_file.weights,
            target_mean=float(h.get("target_mean", 0.0)),
            target_scale=float(h.get("target_scale", 1.0)),
            header=h,
        )

    def margins(self, frame: pd.DataFrame) -> np.ndarray:
        """Linear scores (rows, k) in float64."""
        X = self.featurizer.transform(frame)
        return np.asarray(X @ self._weights64, dtype=np.float64)

    @cached_property
    def _weights64(self) -> np.ndarray:
        """The weights in float64, converted once: a loaded model scores many single records (Predict)."""
        return self.weights.astype(np.float64)

    def predict_frame(self, frame: pd.DataFrame) -> np.ndarray:
        """BINARY: P(1) per row; MULTICLASS: (rows, classes) probabilities; REGRESSION: values."""
        m = self.margins(frame)
        if self.model_type == "BINARY":
            return sigmoid(m[:, 0])
        if self.model_type == "MULTICLASS":
            return softmax(m)
        with np.errstate(over="ignore"):  # a score past the largest float is the largest float
            return np.clip(self.target_mean + self.target_scale * m[:, 0], -_LARGEST, _LARGEST)

    def encode_targets(self, values: pd.Series) -> np.ndarray:
        """True targets as the scores compare to them: 0/1, class index (-1 if unknown), or float."""
        return encode_targets(self.model_type, values, self.labels)

    def record_frame(self, record: dict[str, str]) -> pd.DataFrame:
        """One row typed per the schema; absent or unparsable values are missing, unknown keys ignored."""
        columns: dict[str, Any] = {}
        for attribute in self.schema.attributes:
            value = record.get(attribute.name)
            if attribute.type == "NUMERIC":
                columns[attribute.name] = np.array([number_from_scalar(value)], dtype=np.float64)
            elif attribute.type == "BINARY":
                columns[attribute.name] = np.array([binary_from_scalar(value)], dtype=np.float64)
            else:
                text = value if isinstance(value, str) and value != "" else np.nan
                columns[attribute.name] = pd.Series([text], dtype="str")
        return pd.DataFrame(columns)

    def predict_record(self, record: dict[str, str], threshold: float = 0.5) -> dict[str, Any]:
        """The Predict API's ``Prediction`` for one record."""
        score = self.predict_frame(self.record_frame(record))
        details = {"PredictiveModelType": self.model_type, "Algorithm": "SGD"}
        if self.model_type == "BINARY":
            p = float(score[0])
            label = "1" if p >= threshold else "0"
            return {"predictedLabel": label, "predictedScores": {label: p}, "details": details}
        if self.model_type == "MULTICLASS":
            probabilities = score[0]
            best = int(np.argmax(probabilities))
            scores = {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}
            return {"predictedLabel": self.labels[best], "predictedScores": scores, "details": details}
        return {"predictedValue": float(score[0]), "details": details}


def label_strings(values: pd.Series) -> pd.Series:
    """Class labels as text: strings as they are, integral numbers without a trailing '.0'."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype(np.float64)
        integral = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = numbers.map(repr).astype(object)
        text[integral] = numbers[integral].astype(np.int64).astype(str)
        text[numbers.isna()] = np.nan
        return text
    return values.astype(object)


def encode_targets(model_type: str, values: pd.Series, labels: list[str]) -> np.ndarray:
    """Targets for training and scoring; NaN (or -1 for classes) where missing or unusable."""
    if model_type == "BINARY":
        if pd.api.types.is_numeric_dtype(values.dtype):
            numbers = values.to_numpy(dtype=np.float64)
            return np.where((numbers == 0) | (numbers == 1), numbers, np.nan)
        return parse_binary(values.astype(object)).values
    if model_type == "MULTICLASS":
        text = label_strings(values)
        return pd.Index(labels).get_indexer(text.to_numpy(dtype=object)).astype(np.int64)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
