"""Newton's method whose prior is chosen by cross-validation on the training rows, within the same passes.

The unit Gaussian prior (scikit-learn's C=1) suits a softmax badly: on validation folds of the benchmark's
MULTICLASS sets the best prior on a group of features (the numbers, the numbers' bins, the categories and
words) ranged from 64 times weaker than the unit prior to the unit prior itself, and differed between the
groups of one dataset (`mpg`: the categories weak, the bins unit; `penguins`: the numbers weak); MacKay's
evidence, which chooses well for BINARY and REGRESSION, shrank the softmax far too hard. So the prior is
chosen as cross-validation chooses it:

- small data only (every row in each pass's Hessian, at most ``MAX_NNZ`` non-zero values): the first pass
  keeps the rows in memory, as ``newton_cg`` does; every row belongs to one of ``FOLDS`` folds, by its
  position (rows stored in class order still spread over every fold);
- once Newton's step is small (the weights near the current prior's optimum: ``SETTLED``), and while the
  passes left leave room to settle again, the pass's Hessian and the kept rows compare priors: for each
  group in turn, its precision times ``FACTOR`` to the powers -``STEPS``..``STEPS``; each candidate's model
  is fitted on all folds but one, for each fold, in memory (nonlinear conjugate gradients preconditioned by
  the candidate's Hessian of all rows, one block per class, with exact line searches, to ``FIT_TOLERANCE``;
  each fit starts from its neighbouring candidate's), and scored by the loss of the rows it did not see; the
  group moves to the best candidate if that holds out better by more than the rows' noise (``_better``);
- the pass's Newton step is then taken at the prior so chosen, on all the rows.

The data is read once a pass as before; the comparison costs solves, bounded by ``WORK``, never a read.
Larger data keeps the unit prior, which its rows then dominate anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from .losses import Loss
from .newton import MAX_PRECISION, Evidence, Newton, NewtonPlan, _solve, _Sums, _with_prior
from .sgd import Batch

FOLDS = 5
FACTOR = 4.0  # a group's precision moves by this factor a step
STEPS = 3  # steps in one direction, at most, per comparison
LEAST = 1e-4  # a group's precision on its raw weights, at least (times the unit Gaussian's)
SETTLED = 0.02  # priors are compared when Newton's step would lower the objective by at most this share
MARGIN = 1e-3  # a group moves only if the held-out loss drops by this share
SPREAD = 1.0  # ... and by this many standard errors of the rows' differences
MAX_NNZ = 4_000_000  # non-zero values of the kept rows, at most
WORK = 2e10  # floating-point operations of one comparison, at most (estimated)
FIT_ITERATIONS = 60  # of one fold's fit, at most
FIT_TOLERANCE = 1e-6  # a fold's fit ends when its next step would lower its objective by less than this
LINE_ITERATIONS = 3  # Newton iterations of a line search along one direction, at most


def fits(plan: NewtonPlan, rows: int, nnz: int, outputs: int, groups: int) -> bool:
    """Whether the comparison fits: every row in the Hessian, the rows in memory, its solves within WORK."""
    p, k = plan.features.size, max(outputs, 1)
    factor = (p * k) ** 3 / 3 if plan.full else k * p**3 / 3
    iteration = 2 * (p * k) ** 2 + 6 * nnz * k
    work = (1 + 2 * STEPS * groups) * (factor + FOLDS * FIT_ITERATIONS * iteration)
    return plan.hessian_rows >= rows and nnz <= MAX_NNZ and work <= WORK


def _better(found: np.ndarray, best: np.ndarray) -> bool:
    """Whether the rows' held-out losses ``found`` beat ``best``: lower in the mean by ``MARGIN`` of it and by
    ``SPREAD`` standard errors of the rows' differences (tiny data's noise is not a reason to move)."""
    difference = best - found
    error = float(difference.std()) / np.sqrt(max(difference.size - 1, 1))
    return float(difference.mean()) > max(MARGIN * float(best.mean()), SPREAD * error)


class HeldOutNewton(Newton):
    """Newton's method with the prior's precision per group chosen by cross-validation (module docstring).

    ``groups`` gives each planned feature its group (-1: its prior stays as given, as the bias's 0),
    ``scale2`` the square of its scale (a precision ``a`` on a raw weight is ``a * scale2`` on the learned one),
    ``unit`` the unit Gaussian's precision (1 / rows), where every group starts.
    """

    CONVERGENCE = ("a comparison of priors on held-out rows kept the current one, and the next Newton step "
                   "would lower the regularised loss by less than 0.02% of it")

    def __init__(self, plan: NewtonPlan, n_features: int, outputs: int, loss: Loss, prior: np.ndarray,
                 start: np.ndarray, rows: int, tolerance: float, groups: np.ndarray, scale2: np.ndarray,
                 unit: float, max_passes: int = 10, evidence: Evidence | None = None) -> None:
        super().__init__(plan, n_features, outputs, loss, prior, start, rows, tolerance, evidence)
        self.max_passes, self.passes = max_passes, 0
        self.groups, self.scale2, self.unit = np.asarray(groups), np.asarray(scale2, dtype=np.float64), unit
        self.present = np.unique(self.groups[self.groups >= 0])
        self.precision = np.full(int(self.groups.max(initial=-1)) + 1, unit)  # per group, on raw weights
        self.parts: list[tuple[sp.csr_matrix, np.ndarray]] = []
        self.X: sp.csr_matrix | None = None
        self.y: np.ndarray | None = None
        self.fold_of = np.zeros(0, dtype=np.int64)
        self.confirmed = False  # the last comparison kept the current prior
        self.evidence_first = evidence is not None  # the evidence chooses until the comparison starts
        self.compared = False  # whether a comparison of priors has run

    def run_pass(self, batches: Iterable[Batch]) -> float:
        self.passes += 1
        return super().run_pass(batches)

    def _take_curvature(self, sums: _Sums, index: int, X: sp.csr_matrix, y: np.ndarray, margins: np.ndarray) -> None:
        super()._take_curvature(sums, index, X, y, margins)
        if self.X is None:
            self.parts.append((X, np.asarray(y)))

    def _direction(self, sums: _Sums, data_gradient: np.ndarray, first: bool) -> np.ndarray:
        """Newton's step at the current prior; when it is small and passes are left to settle again, the prior
        the comparison chooses, and the step at it."""
        if self.X is None:
            self.X = sp.vstack([X for X, _ in self.parts], format="csr")
            self.y = np.concatenate([y for _, y in self.parts])
            self.parts = []
            self.fold_of = np.arange(self.X.shape[0]) % FOLDS
        curvature = sums.hessian_matrix(np.zeros_like(self.prior), max(sums.hessian_rows, 1))
        self.moved = False
        if self.evidence is not None and not first:  # the evidence's choice first, where the comparison starts
            self.moved = self._choose_prior(curvature, data_gradient)
            inside = self.groups >= 0
            for group in self.present:
                at = np.flatnonzero(inside & (self.groups == group))[0]
                self.precision[group] = self.prior[at, 0] / self.scale2[at]
        direction = self._step(curvature, data_gradient)
        objective = self.mean_loss + 0.5 * float((self.prior * self.W * self.W).sum())
        decrease = -float(((data_gradient + self.prior * self.W) * direction).sum())
        settled = decrease <= SETTLED * max(abs(objective), 1e-12)
        if not first and not self.moved and not self.confirmed and settled and self.passes + 2 <= self.max_passes:
            self.evidence = None  # the comparison decides from here on
            self._choose(curvature)
            if self.moved:
                direction = self._step(curvature, data_gradient)
        return direction

    def _step(self, curvature: np.ndarray | list[np.ndarray], data_gradient: np.ndarray) -> np.ndarray:
        return _solve(_with_prior(curvature, self.prior, self.plan.full), data_gradient + self.prior * self.W,
                      self.plan.full)

    def _choose(self, curvature: np.ndarray | list[np.ndarray]) -> None:
        """One round over the groups: each group's precision moves to the best of ``FACTOR`` to the power
        -STEPS..STEPS times it, if that holds out better (each fold's fit starting from its neighbour's)."""
        start = self.precision.copy()
        self.compared = True
        score, fitted = self._held_out(self.precision, curvature, None)
        for group in self.present:
            best, best_score, best_fits = self.precision, score, fitted
            for factor in (1 / FACTOR, FACTOR):
                candidate, starts = self.precision, fitted
                for _ in range(STEPS):
                    candidate = candidate.copy()
                    candidate[group] = min(max(candidate[group] * factor, LEAST * self.unit), MAX_PRECISION)
                    if candidate[group] == self.precision[group]:
                        break
                    found, starts = self._held_out(candidate, curvature, starts)
                    if _better(found, best_score):
                        best, best_score, best_fits = candidate, found, starts
            self.precision, score, fitted = best, best_score, best_fits
        self.moved = bool(np.any(self.precision != start))
        self.confirmed = not self.moved
        self.prior = self._prior_of(self.precision)

    def _prior_of(self, precision: np.ndarray) -> np.ndarray:
        prior = self.prior.copy()
        inside = self.groups >= 0
        prior[inside, 0] = precision[self.groups[inside]] * self.scale2[inside]
        return prior

    def _held_out(self, precision: np.ndarray, curvature: np.ndarray | list[np.ndarray],
                  starts: list[np.ndarray] | None) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each row's loss under the model fitted at ``precision`` on the folds other than its own, and the
        folds' models (each fit starts from ``starts``' or, without them, from the current weights)."""
        prior = self._prior_of(precision)
        factors = _factors(_class_blocks(_with_prior(curvature, prior, self.plan.full), self.k))
        X, y = self.X, self.y
        assert X is not None and y is not None
        losses, fits = np.zeros(X.shape[0]), []
        for j in range(FOLDS):
            rest = self.fold_of != j
            V = _fit(X, y, rest, self.loss, prior, self.W if starts is None else starts[j], factors)
            losses[~rest] = self.loss.row_loss(y[~rest], np.asarray(X[~rest] @ V))
            fits.append(V)
        return losses, fits

    def converged(self, losses: list[float], tolerance: float) -> bool:
        """Newton's rule, once a comparison has kept the current prior."""
        return self.finished and (self.confirmed or self.t < 1e-8)

    def precisions(self) -> dict[int, float]:
        """Each group's prior precision on its raw weights (mean-loss units) as the comparisons left it."""
        return {int(group): float(self.precision[group]) for group in self.present}


def _fit(X: sp.csr_matrix, y: np.ndarray, rest: np.ndarray, loss: Loss, prior: np.ndarray, start: np.ndarray,
         factors: list[tuple]) -> np.ndarray:
    """The weights minimising the mean loss of the ``rest`` rows plus the prior, from ``start``: conjugate
    gradients (Polak-Ribiere), preconditioned by ``factors`` (a nearby Hessian's), each line search exact."""
    weight = rest / max(int(rest.sum()), 1)
    V = start.copy()
    margins = np.asarray(X @ V)
    value = float((loss.row_loss(y, margins) * weight).sum()) + 0.5 * float((prior * V * V).sum())
    previous_g = previous_z = direction = None
    for _ in range(FIT_ITERATIONS):
        g = np.asarray(X.T @ (loss.margin_gradient(y, margins) * weight[:, None])) + prior * V
        z = _precondition(factors, g)
        if direction is None:
            direction = -z
        else:
            beta = max(0.0, float((g * (z - previous_z)).sum()) / max(float((previous_g * previous_z).sum()), 1e-300))
            direction = -z + beta * direction
            if float((g * direction).sum()) >= 0:
                direction = -z
        if not -float((g * direction).sum()) > FIT_TOLERANCE * max(abs(value), 1e-12):
            break
        along = np.asarray(X @ direction)
        t, value = _line_search(_Line(y, margins, along, weight, loss, prior, V, direction), value)
        if t == 0.0:
            break
        V = V + t * direction
        margins = margins + t * along
        previous_g, previous_z = g, z
    return V


class _Line:
    """The objective of a fold's fit along one direction: its value, slope and bend at a step length."""

    def __init__(self, y: np.ndarray, margins: np.ndarray, along: np.ndarray, weight: np.ndarray, loss: Loss,
                 prior: np.ndarray, V: np.ndarray, direction: np.ndarray) -> None:
        self.y, self.margins, self.along, self.weight, self.loss = y, margins, along, weight, loss
        self.vPv = float((prior * V * V).sum())
        self.vPd = float((prior * V * direction).sum())
        self.dPd = float((prior * direction * direction).sum())

    def at(self, t: float) -> tuple[float, float, float]:
        value, slope, bend = self.loss.along(self.y, self.margins + t * self.along, self.along)
        w = self.weight
        return (float((value * w).sum()) + 0.5 * (self.vPv + 2 * t * self.vPd + t * t * self.dPd),
                float((slope * w).sum()) + self.vPd + t * self.dPd, float((bend * w).sum()) + self.dPd)


def _line_search(line: _Line, value: float) -> tuple[float, float]:
    """The step length that minimises the objective along the line, and the objective there: Newton's method
    in one dimension from the full preconditioned step, halved whenever it would not lower the objective."""
    t, trial = 0.0, 1.0
    for _ in range(LINE_ITERATIONS):
        found, slope, bend = line.at(trial)
        while not found < value and trial - t > 1e-6:
            trial = t + 0.5 * (trial - t)
            found, slope, bend = line.at(trial)
        if not found < value:
            break
        t, value = trial, found
        if not bend > 0 or abs(slope) <= 1e-9 * bend:
            break
        trial = max(t - slope / bend, 0.0)
        if abs(trial - t) <= 1e-3 * max(t, 1e-12):
            break
    return t, value


def _class_blocks(hessian: np.ndarray | list[np.ndarray], k: int) -> np.ndarray | list[np.ndarray]:
    """A full softmax Hessian's blocks of one class each (feature-major, output-minor): the folds' fits are
    preconditioned by them, k^2 times cheaper to factor than the whole, for a few more iterations."""
    if isinstance(hessian, list) or k == 1:
        return hessian
    return [hessian[a::k, a::k] for a in range(k)]


def _factors(hessian: np.ndarray | list[np.ndarray]) -> list[tuple]:
    """Cholesky factors of the Hessian (one, or one per output's block), with a tiny ridge."""
    found = []
    for H in hessian if isinstance(hessian, list) else [hessian]:
        jitter = 1e-10 * max(float(np.trace(H)) / H.shape[0], 1e-12)
        found.append(la.cho_factor(H + jitter * np.eye(H.shape[0]), lower=True, check_finite=False))
    return found


def _precondition(factors: list[tuple], g: np.ndarray) -> np.ndarray:
    """H^-1 g through the factors (per output's block when there is one factor per output)."""
    if len(factors) == 1:
        return la.cho_solve(factors[0], g.ravel(), check_finite=False).reshape(g.shape)
    return np.column_stack([la.cho_solve(f, g[:, a], check_finite=False) for a, f in enumerate(factors)])
