"""Evaluation metrics the service reported, and the figures its console showed.

``binary_auc`` (BinaryAUC), ``macro_f1`` (MulticlassAvgFScore) and ``rmse``
(RegressionRMSE) are the three PerformanceMetrics; the rest (confusion
matrices, precision/recall/F1/FPR/accuracy at a threshold, log loss,
calibration, MAE, R²) feed the report ``aml show-evaluation`` draws. All take
whole arrays; nothing loops per row. A ratio whose denominator is 0 (precision
with no predicted positive, say) is ``None``: undefined, not 0.
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
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return {
        "threshold": float(threshold),
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": tn,
        "false_negatives": fn,
        "accuracy": _ratio(tp + tn, y.size),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_positive_rate": _ratio(fp, fp + tn),
    }


def _ratio(num: float, den: float) -> float | None:
    return float(num) / den if den else None


# Probabilities are clipped to [eps, 1 - eps] (float64's eps) before the log, so a confident mistake costs
# about 36 nats instead of infinity; scikit-learn's log_loss clips the same way.
_EPS = float(np.finfo(np.float64).eps)


def binary_log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Mean of -[y log p + (1 - y) log(1 - p)], p = P(class 1)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    p = np.clip(np.asarray(p, dtype=np.float64).ravel(), _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def multiclass_log_loss(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean of -log P(true class); rows are clipped then renormalised, as scikit-learn does."""
    P = np.clip(np.asarray(probabilities, dtype=np.float64), _EPS, 1 - _EPS)
    P = P / P.sum(axis=1, keepdims=True)
    index = np.asarray(y, dtype=np.int64).ravel()
    return float(-np.mean(np.log(P[np.arange(index.size), index])))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Share of rows predicted right."""
    return float(np.mean(np.asarray(y_true).ravel() == np.asarray(y_pred).ravel()))


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float | int | None]]:
    """Predicted against observed positive rate per score bin of equal width.

    Bin i holds scores in (i/bins, (i+1)/bins], the first also 0 (scikit-learn's
    calibration_curve cuts the same way); an empty bin has count 0 and no rates.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    p = np.asarray(p, dtype=np.float64).ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.searchsorted(edges[1:-1], p, side="left")
    counts = np.bincount(which, minlength=bins)
    score_sums = np.bincount(which, weights=p, minlength=bins)
    positive_sums = np.bincount(which, weights=y, minlength=bins)
    return [{"low": float(edges[i]), "high": float(edges[i + 1]), "count": int(counts[i]),
             "mean_score": _ratio(score_sums[i], counts[i]), "observed_rate": _ratio(positive_sums[i], counts[i])}
            for i in range(bins)]


def mae(y: np.ndarray, prediction: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(prediction, dtype=np.float64) - np.asarray(y, dtype=np.float64))))


def r2(y: np.ndarray, prediction: np.ndarray) -> float | None:
    """1 - SS_residual / SS_total; None when the targets do not vary (SS_total = 0)."""
    y = np.asarray(y, dtype=np.float64).ravel()
    residual = np.sum((y - np.asarray(prediction, dtype=np.float64).ravel()) ** 2)
    total = np.sum((y - y.mean()) ** 2)
    return float(1.0 - residual / total) if total > 0 else None
