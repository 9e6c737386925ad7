"""Evaluation metrics the service reported, and the figures its console showed.

``binary_auc`` (BinaryAUC), ``macro_f1`` (MulticlassAvgFScore) and ``rmse``
(RegressionRMSE) are the three PerformanceMetrics; the rest (confusion
matrices, precision/recall/F1/FPR/accuracy at a threshold) feed the report the
console drew. All take whole arrays; nothing loops per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def binary_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve, exact; tied scores form one diagonal step (trapezoid).

    Scores are sorted descending and cut at each distinct value; the curve
    joins the (FPR, TPR) points of consecutive cuts with straight lines, which
    is the probability that a random positive outscores a random negative,
    counting ties as one half. NaN when either class is absent.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    score = np.asarray(score, dtype=np.float64).ravel()
    positives = float(y.sum())
    negatives = float(y.size - positives)
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]
    tp = np.r_[0.0, np.cumsum(t)[last_of_tie]]
    fp = np.r_[0.0, (last_of_tie + 1) - tp[1:]]
    area = np.sum(np.diff(fp) * (tp[1:] + tp[:-1])) / 2.0
    return float(area / (positives * negatives))


def confusion_matrix(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray, labels: Sequence) -> np.ndarray:
    """Counts[i, j] of rows whose true label is labels[i] and prediction labels[j]."""
    index = pd.Index(list(labels))
    k = len(index)
    t = index.get_indexer(np.asarray(y_true, dtype=object)).astype(np.int64)
    p = index.get_indexer(np.asarray(y_pred, dtype=object)).astype(np.int64)
    keep = (t >= 0) & (p >= 0)
    return np.bincount(t[keep] * k + p[keep], minlength=k * k).reshape(k, k)


def per_class_f1(matrix: np.ndarray) -> np.ndarray:
    """F1 of each class from a confusion matrix; 0 where a class is never true nor predicted."""
    tp = np.diag(matrix).astype(np.float64)
    denominator = matrix.sum(axis=0) + matrix.sum(axis=1)
    return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def macro_f1(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray, labels: Sequence) -> float:
    """Unweighted mean of the per-class F1 over ``labels`` (MulticlassAvgFScore)."""
    return float(per_class_f1(confusion_matrix(y_true, y_pred, labels)).mean())


def rmse(y: np.ndarray, prediction: np.ndarray) -> float:
    """Root of the mean squared error (RegressionRMSE)."""
    r = np.asarray(prediction, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.sqrt(np.mean(r * r)))


def binary_report(y: np.ndarray, score: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """The console's figures at a threshold: scores >= threshold are predicted 1."""
    y = np.asarray(y, dtype=np.float64).ravel() > 0.5
    predicted = np.asarray(score, dtype=np.float64).ravel() >= threshold
    tp = int(np.sum(y & predicted))
    fp = int(np.sum(~y & predicted))
    fn = int(np.sum(y & ~predicted))
    tn = int(np.sum(~y & ~predicted))
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        "threshold": float(threshold),
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": tn,
        "false_negatives": fn,
        "accuracy": _ratio(tp + tn, y.size),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "false_positive_rate": _ratio(fp, fp + tn),
    }


def _ratio(num: float, den: float) -> float:
    return float(num) / den if den else 0.0
