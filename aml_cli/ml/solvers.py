"""Which solver learns a model, and Newton's methods built for it (``train._Learner`` uses these).

- at most 1,024 features present (most tables): Newton's method (``newton.py``), its prior chosen by the
  evidence for BINARY and REGRESSION, then, on small data, by cross-validation over the rows kept in memory
  (``newton_heldout.py``; MULTICLASS starts there from the unit prior);
- more features, BINARY or REGRESSION, rows within ``newton_cg.MAX_NNZ`` non-zeros (small text sets):
  Newton's method with conjugate-gradient steps over the rows kept in memory (``newton_cg.py``);
- anything else (larger data with many features, MULTICLASS with many features, L1, a warm start that
  continues a base model's weights): SGD (``sgd.py``), which ``train.py`` builds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .feature_cache import FeatureCache
from .losses import loss_for
from .newton import Evidence, Newton, NewtonPlan, plan_newton
from .newton_cg import NewtonCG, plan_newton_cg
from .newton_heldout import HeldOutNewton, fits
from .parameters import TrainingSettings

PRIOR_GROUPS = ("numbers", "indicators", "bins")  # the prior's groups, by index (the evidence's: the first two)
EVIDENCE_TYPES = ("BINARY", "REGRESSION")  # the model types whose prior the evidence chooses (first)
HELD_OUT_TYPES = ("BINARY", "REGRESSION", "MULTICLASS")  # ... then compared on held-out rows (small data)


@dataclass(frozen=True)
class Scan:
    """What one read of the feature cache tells before learning."""

    scale: np.ndarray | None  # 1/max|x| for features with values beyond [-1, 1]; None when every value is within
    counts: np.ndarray  # rows each feature is present in
    valued: np.ndarray  # features with values other than 1 (numbers), as against indicators (bins, words...)


def scan_features(cache: FeatureCache) -> Scan:
    """The features' scale, presence counts and kinds, from one read of the cache."""
    peak = np.ones(cache.n_features, dtype=np.float32)
    counts = np.zeros(cache.n_features, dtype=np.int64)
    valued = np.zeros(cache.n_features, dtype=bool)
    large = False
    for X, _ in cache:
        counts += np.bincount(X.indices, minlength=cache.n_features)
        valued[X.indices[X.data != 1]] = True
        big = np.abs(X.data) > 1
        if big.any():
            large = True
            np.maximum.at(peak, X.indices[big], np.abs(X.data[big]))
    return Scan((1.0 / peak).astype(np.float32) if large else None, counts, valued)


def plan_solver(scan: Scan, cache: FeatureCache, model_type: str, outputs: int, settings: TrainingSettings,
                warm: bool) -> tuple[NewtonPlan | None, bool]:
    """Newton's plan (None: SGD) and whether it is Newton-CG's."""
    if settings.l1 > 0 or warm:
        return None, False
    plan = plan_newton(scan.counts, cache.rows, outputs)
    if plan is not None or model_type == "MULTICLASS":
        return plan, False
    plan = plan_newton_cg(scan.counts, cache.rows, cache.nnz, outputs)
    return plan, plan is not None


def newton_solver(plan: NewtonPlan, in_memory: bool, scan: Scan, cache: FeatureCache, model_type: str,
                  outputs: int, settings: TrainingSettings, bias: int | None, bias_start: np.ndarray,
                  tolerance: float, bins: np.ndarray | None = None) -> Newton:
    """Newton's method (or Newton-CG) with its prior: ``sgd.l2RegularizationAmount`` on the scaled weights
    as SGD takes it, or by default a unit Gaussian on every raw weight (``1 / rows`` of the mean loss), which
    the evidence (BINARY, REGRESSION) and then cross-validation (small data; ``bins``: the columns of the
    numbers' bins, a group of their own there) move per group; never on the bias."""
    scale = np.ones(cache.n_features) if scan.scale is None else scan.scale.astype(np.float64)
    prior = np.full(plan.features.size, settings.l2) if settings.l2 > 0 else scale[plan.features] ** 2 / cache.rows
    start = np.zeros((plan.features.size, outputs))
    if bias is not None:
        at = int(np.searchsorted(plan.features, bias))
        if at < plan.features.size and plan.features[at] == bias:
            prior[at] = 0.0
            start[at] = bias_start
    loss = loss_for(model_type)
    if in_memory:
        return NewtonCG(plan, cache.n_features, outputs, loss, prior, start, cache.rows, tolerance,
                        count_prior=settings.l2 == 0)
    if settings.l2 > 0:
        return Newton(plan, cache.n_features, outputs, loss, prior, start, cache.rows, tolerance)
    groups = np.where(scan.valued[plan.features], 0, 1)  # PRIOR_GROUPS
    groups[prior == 0] = -1
    evidence = None
    if model_type in EVIDENCE_TYPES:
        evidence = Evidence(groups.copy(), scale[plan.features] ** 2, 1.0 / cache.rows, model_type == "REGRESSION")
    if model_type in HELD_OUT_TYPES:
        if bins is not None:
            groups[(groups == 1) & np.isin(plan.features, bins)] = 2
        if fits(plan, cache.rows, cache.nnz, outputs, len(np.unique(groups[groups >= 0]))):
            return HeldOutNewton(plan, cache.n_features, outputs, loss, prior, start, cache.rows, tolerance, groups,
                                 scale[plan.features] ** 2, 1.0 / cache.rows, settings.max_passes, evidence)
    return Newton(plan, cache.n_features, outputs, loss, prior, start, cache.rows, tolerance, evidence)


def prior_record(solver: object, rows: int) -> dict[str, dict[str, float]]:
    """The prior precisions the evidence or the held-out rows chose, by group, times the rows (1: the unit
    Gaussian); {} when there are none (SGD, Newton-CG, a given L2, MULTICLASS on larger data)."""
    found = solver.precisions() if isinstance(solver, Newton) else {}
    if not found:
        return {}
    return {"prior_precision": {PRIOR_GROUPS[g]: v * rows for g, v in sorted(found.items())}}


def prior_choice(solver: object) -> str:
    """What chose the prior ``prior_record`` reports, as the training log says it."""
    if not isinstance(solver, HeldOutNewton):
        return "the evidence"
    if solver.compared:
        return "the evidence, then cross-validation" if solver.evidence_first else "cross-validation"
    return "the evidence" if solver.evidence_first else "default (no pass was left to compare priors)"


def describe(plan: NewtonPlan | None, in_memory: bool) -> str | None:
    """One log line on how Newton's method learns the weights (None: SGD, which says so itself)."""
    if plan is None:
        return None
    if in_memory:
        return (f"Features present: {plan.features.size}, learned by Newton's method (steps solved by "
                "conjugate gradients over the training rows, kept in memory)")
    kind = "one Hessian" if plan.full else "one Hessian block per class"
    return (f"Features present: {plan.features.size}, learned by Newton's method ({kind}, "
            f"{plan.hessian_rows} rows a pass for it)")
