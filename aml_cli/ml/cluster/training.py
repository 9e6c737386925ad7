"""Training on a cluster: features built where the partitions are read, the solver's passes data-parallel.

The recipe and the featurizer come from the merged statistics (on the job's
process). Each partition is featurized on a worker as the single machine
featurizes its chunks (`train._featurize`) and stays there, in the cluster's
memory. One read of those features gives, merged, what the single machine's
scan gives: rows, non-zeros, feature counts, peaks and kinds, class counts,
the REGRESSION target's moments (per part, refolded in order: the same bits)
and the whitened block's sums. The solver is then the one the single machine
would choose, from the same figures (`solvers.plan_solver`):

- Newton's method (few features: most tables) is data-parallel exactly: each
  pass's loss, gradient and Hessian are sums over rows, taken per partition
  and added; the step is solved once. Only the Hessian's sample of batches
  (when the rows are many) is drawn per partition.
- Newton-CG (small text sets, at most `newton_cg.MAX_NNZ` non-zeros) and
  Newton's method whose prior is cross-validated (small tables,
  `newton_heldout.py`) keep their rows in memory: they are gathered to the
  job's process, which learns as the single machine does.
- SGD (many features) mixes parameters: each worker runs the pass over one
  contiguous run of the batches (cut by index, so the mixing does not depend
  on the scheduler's placement) from the same weights and AdaGrad state; between passes
  the weights (and the block's) are averaged weighted by rows, the AdaGrad
  sums of squared gradients add their increments (the step sizes shrink as if
  one machine had seen every batch), and the model is the rows-weighted mean
  of the workers' averaged iterates of the last pass. L1 and L2 stay proximal
  steps on each worker; `sgd.maxPasses`, the convergence test and the size cap
  keep their meaning. `sgd.shuffleType=auto` shuffles each partition's rows
  (seeded by the model ID and the partition), not the whole data at once.
"""

from __future__ import annotations

import copy
import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from .. import solvers
from ..feature_cache import matrix_of
from ..newton import Newton, _Sums
from ..newton_heldout import HeldOutNewton
from ..partitions import Task, read_partition
from ..schema import Schema
from ..sgd import SGD, Batch, localize, rebatch
from ..split import Rearrangement
from ..train import (
    TOLERANCE,
    TrainingError,
    TrainResult,
    _echo,
    _featurize,
    _fit_featurizer,
    _Learner,
    _standardised,
    class_labels,
    fit_and_write,
)
from ..whitening import DenseBlock, block_features, block_from_sums, block_sums

# -- on the workers ------------------------------------------------------------------------------------------------


class _Parts(list):
    """The featurized chunks of one partition, kept in memory as `train._featurize` writes a feature cache."""

    def __init__(self, n_features: int) -> None:
        super().__init__()
        self.n_features = n_features

    def append_arrays(self, arrays: dict[str, np.ndarray] | None) -> None:
        if arrays is not None:
            self.append((matrix_of(arrays, self.n_features), arrays["y"]))


@dataclass
class Features:
    """One partition's featurized rows (one part per chunk) and the rows skipped for a missing target."""

    parts: list[tuple[sp.csr_matrix, np.ndarray]]
    skipped: int


def featurize(task: Task, schema: Schema, selection: Rearrangement | None, featurizer: Any, model_type: str,
              labels: list[str]) -> Features:
    parts = _Parts(featurizer.n_features)
    frames = (chunk.frame for chunk in read_partition(task, schema, selection=selection))
    skipped = _featurize(lambda: frames, schema, featurizer, model_type, labels, parts)  # type: ignore[arg-type]
    return Features(list(parts), skipped)


@dataclass
class Facts:
    """What one read of the features tells, mergeable over partitions (in order)."""

    rows: int
    nnz: int
    skipped: int
    counts: np.ndarray
    peak: np.ndarray
    valued: np.ndarray
    large: bool
    classes: np.ndarray
    targets: list[tuple[float, float, float]] = field(default_factory=list)  # per part: sum, squares, scale

    def merge(self, other: Facts) -> Facts:
        self.rows, self.nnz, self.skipped = self.rows + other.rows, self.nnz + other.nnz, self.skipped + other.skipped
        self.counts += other.counts
        np.maximum(self.peak, other.peak, out=self.peak)
        self.valued |= other.valued
        self.large |= other.large
        size = max(len(self.classes), len(other.classes))
        self.classes = np.pad(self.classes, (0, size - len(self.classes))) + np.pad(other.classes,
                                                                                    (0, size - len(other.classes)))
        self.targets += other.targets
        return self


def facts_of(features: Features, n_features: int, model_type: str) -> Facts:
    """`solvers.scan_features`, the class counts and the target's per-part sums, for one partition."""
    peak = np.ones(n_features, dtype=np.float32)
    counts = np.zeros(n_features, dtype=np.int64)
    valued = np.zeros(n_features, dtype=bool)
    large = False
    classes = np.zeros(0, dtype=np.int64)
    targets = []
    largest = max((float(np.abs(y).max()) for _, y in features.parts if len(y)), default=0.0)
    scale = math.ldexp(1.0, min(math.frexp(largest)[1], 1023)) if largest > 0 else 1.0
    for X, y in features.parts:
        counts += np.bincount(X.indices, minlength=n_features)
        valued[X.indices[X.data != 1]] = True
        big = np.abs(X.data) > 1
        if big.any():
            large = True
            np.maximum.at(peak, X.indices[big], np.abs(X.data[big]))
        if model_type == "REGRESSION":
            z = np.asarray(y, dtype=np.float64) / scale
            targets.append((float(np.sum(z)), float(np.sum(z * z)), scale))
        else:
            found = np.bincount(np.asarray(y, dtype=np.int64))
            classes = np.pad(classes, (0, max(len(found) - len(classes), 0)))
            classes[: len(found)] += found
    rows = sum(X.shape[0] for X, _ in features.parts)
    nnz = sum(X.nnz for X, _ in features.parts)
    return Facts(rows, nnz, features.skipped, counts, peak, valued, large, classes, targets)


def merge_facts(first: Facts, second: Facts) -> Facts:
    return first.merge(second)


def sums_of_block(features: Features, block: np.ndarray, rows: int, n_features: int,
                  scale: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, int]:
    return block_sums((X for X, _ in features.parts), block, rows, n_features, scale)


def add_block_sums(first: tuple, second: tuple) -> tuple:
    return first[0] + second[0], first[1] + second[1], first[2] + second[2]


def batches_of(features: Features, batch_size: int, n_features: int, outputs: int, scale: np.ndarray | None,
               model_type: str, target_mean: float, target_scale: float, shuffle_seed: int | None) -> list[Batch]:
    """A partition's rows scaled, standardised and cut into batches as `train._Learner.cut_batches` cuts the
    cache (shuffled within the partition when a seed is given)."""
    parts = list(features.parts)
    if shuffle_seed is not None and parts:
        X = sp.vstack([X for X, _ in parts], format="csr") if len(parts) > 1 else parts[0][0]
        y = np.concatenate([np.asarray(y) for _, y in parts])
        order = np.random.default_rng(shuffle_seed).permutation(len(y))
        parts = [(X[order], y[order])]

    def prepared() -> Iterable[tuple[sp.csr_matrix, np.ndarray]]:
        for X, y in parts:
            if scale is not None:
                X = sp.csr_matrix((X.data * scale[X.indices], X.indices, X.indptr), shape=X.shape)
            if model_type == "REGRESSION":
                y = _standardised(np.asarray(y, dtype=np.float64), target_mean, target_scale)
            yield X, y

    return [localize(X, y, n_features, outputs) for X, y in rebatch(prepared(), batch_size)]


def newton_sums(batches: list[Batch], newton: Newton) -> _Sums:
    return newton.pass_sums(batches)


def merge_sums(first: _Sums, second: _Sums) -> _Sums:
    return first.merge(second)


@dataclass
class PassResult:
    """One worker's pass from the mixed state: its last iterate, AdaGrad sums, averaged iterate, loss, rows."""

    W: np.ndarray
    h: np.ndarray
    averaged: np.ndarray
    V: np.ndarray | None
    hV: np.ndarray | None
    loss: float
    rows: int


@dataclass
class MixedState:
    """What changes between passes: the weights and AdaGrad sums (the block's too); the rest is reset."""

    W: np.ndarray
    h: np.ndarray
    V: np.ndarray | None = None
    hV: np.ndarray | None = None


def state_of(sgd: SGD) -> MixedState:
    block = sgd.block is not None
    return MixedState(sgd.W, sgd.h, sgd.V if block else None, sgd.hV if block else None)


def sgd_pass(template: SGD, state: MixedState, *groups: list[Batch]) -> PassResult:
    """A pass of SGD over the batches of some partitions from the mixed state; `template` (sent once) holds
    the configuration, the block and the penalties, and is copied, never changed."""
    sgd = copy.deepcopy(template)
    sgd.W[:], sgd.h[:] = state.W, state.h
    if sgd.block is not None:
        sgd.V, sgd.hV = state.V.copy(), state.hV.copy()
        sgd.U = sgd.block.transform.T @ sgd.V
        sgd.shift = sgd.block.mean @ sgd.U
    batches = [batch for group in groups for batch in group]
    rows = sum(batch.X.shape[0] for batch in batches)
    loss = sgd.run_pass(batches) * rows
    averaged = sgd.weights().copy()
    W = sgd._prox(sgd.W, sgd.h, slice(None), sgd.steps - sgd.applied) if sgd.regularized else sgd.W
    block = sgd.block is not None
    return PassResult(np.asarray(W), sgd.h, averaged, sgd.V if block else None, sgd.hV if block else None, loss, rows)


# -- on the job's process ------------------------------------------------------------------------------------------


@dataclass
class _Shape:
    """What the solvers read of a feature cache besides its rows' values."""

    n_features: int
    rows: int
    nnz: int


class _OnCluster:
    """The solver's passes over the partitions' batches on the cluster; `run_passes` drives it as a solver."""

    def __init__(self, cluster: Any, inner: SGD | Newton, batches: list[Any],
                 runs: list[tuple[list[int], str]]) -> None:
        self.cluster, self.inner, self.batches, self.runs = cluster, inner, batches, runs
        self.averaged: np.ndarray | None = None
        self.template: Any = None

    def run_pass(self, _batches: Iterable[Batch]) -> float:
        if isinstance(self.inner, Newton):
            shared = self.cluster.scatter(self.inner)
            sums = self.cluster.reduce(merge_sums, self.cluster.map(newton_sums, self.batches, newton=shared))
            return self.inner.finish_pass(sums)
        if self.template is None:
            self.template = self.cluster.scatter(self.inner)
        state = self.cluster.scatter(state_of(self.inner))
        futures = [self.cluster.submit(sgd_pass, self.template, state, *[self.batches[i] for i in run],
                                       **_near(worker))
                   for run, worker in self.runs]
        return self._mix(list(self.cluster.results(futures)))

    def _mix(self, results: list[PassResult]) -> float:
        """Parameter mixing: rows-weighted means of the weights, AdaGrad sums plus every worker's increment."""
        sgd = self.inner
        assert isinstance(sgd, SGD)
        rows = sum(r.rows for r in results)
        share = [r.rows / rows for r in results]
        h0 = sgd.h.copy()
        sgd.W[:] = sum(w * r.W for w, r in zip(share, results, strict=True))
        sgd.h[:] = h0 + sum(r.h - h0 for r in results)
        self.averaged = sum(w * r.averaged for w, r in zip(share, results, strict=True)).astype(np.float32)
        if sgd.block is not None:
            hV0 = sgd.hV.copy()
            sgd.V = sum(w * r.V for w, r in zip(share, results, strict=True))
            sgd.hV = hV0 + sum(r.hV - hV0 for r in results)
            sgd.U = sgd.block.transform.T @ sgd.V
            sgd.shift = sgd.block.mean @ sgd.U
            sgd.W[sgd.block.features] = sgd.U
        sgd.steps = 0
        sgd.applied[:] = 0
        sgd.avg_last[:] = 0
        sgd.avg_start = 0
        return sum(r.loss for r in results) / max(rows, 1)

    @property
    def CONVERGENCE(self) -> str:  # the solvers' class attribute: here the inner solver's
        return self.inner.CONVERGENCE

    def converged(self, losses: list[float], tolerance: float) -> bool:
        return self.inner.converged(losses, tolerance)

    def weights(self) -> np.ndarray:
        if isinstance(self.inner, Newton) or self.averaged is None:
            return self.inner.weights()
        return self.averaged


class _ClusterLearner(_Learner):
    """`train._Learner` whose reads of the cache are the cluster's merged figures and whose passes run there."""

    def __init__(self, cluster: Any, features: list[Any], facts: Facts, model_type: str, outputs: int,
                 settings: Any, featurizer: Any, seed: str) -> None:
        self.cluster, self.features, self.facts, self.seed = cluster, features, facts, seed
        self.cache = _Shape(featurizer.n_features, facts.rows, facts.nnz)  # type: ignore[assignment]
        self.cache_rows = facts.rows
        self.model_type, self.outputs, self.settings = model_type, outputs, settings
        self.bias = featurizer.bias_index
        self.stopped, self.snapshot, self.warm_start = False, None, None
        self.target_mean, self.target_scale = self._target_moments()
        scan = solvers.Scan((1.0 / facts.peak).astype(np.float32) if facts.large else None, facts.counts,
                            facts.valued)
        self.scale = scan.scale
        self.plan, self.in_memory = solvers.plan_solver(scan, self.cache, model_type, outputs, settings, False)
        self.block: DenseBlock | None = None
        if self.plan is not None:
            self.batch_size = self.plan.batch_rows
            bias_start = self._bias_start() if self.bias is not None else np.zeros(outputs)
            self.solver = solvers.newton_solver(self.plan, self.in_memory, scan, self.cache, model_type, outputs,
                                                settings, self.bias, bias_start, TOLERANCE, featurizer.bin_columns())
        else:
            self.solver = self._sgd(scan.counts, settings)
        self.weights = np.zeros((featurizer.n_features, outputs), dtype=np.float32)

    def _target_moments(self) -> tuple[float, float]:
        """As `train._Learner._target_moments`, from the parts' sums refolded in order (the same bits)."""
        if self.model_type != "REGRESSION":
            return 0.0, 1.0
        parts = self.facts.targets
        scale = max((s for _, _, s in parts), default=1.0)
        total = squares = 0.0
        for part_total, part_squares, part_scale in parts:
            ratio = part_scale / scale
            total += part_total * ratio
            squares += part_squares * ratio * ratio
        mean = total / self.cache_rows
        deviation = math.sqrt(max(squares / self.cache_rows - mean * mean, 0.0))
        largest = float(np.finfo(np.float64).max)
        return mean * scale, min(deviation * scale, largest) if deviation > 0 else 1.0

    def _bias_start(self) -> np.ndarray:
        k = self.outputs
        if self.model_type == "REGRESSION":
            return np.zeros(k)
        counts = np.zeros(max(k, 2))
        found = self.facts.classes[: counts.size]
        counts[: len(found)] += found
        prior = (counts + 0.5) / (counts.sum() + 0.5 * counts.size)
        if self.model_type == "BINARY":
            return np.array([math.log(prior[1] / prior[0])])
        return np.log(prior) - np.log(prior).mean()

    def _fit_block(self, counts: np.ndarray, settings: Any) -> DenseBlock | None:
        if settings.l1 > 0 or self.bias is None:
            return None
        features = block_features(counts, self.cache_rows, exclude=(self.bias,), outputs=self.outputs)
        if features.size < 2 or self.cache_rows == 0:
            return None
        sums = self.cluster.reduce(add_block_sums, self.cluster.map(
            sums_of_block, self.features, block=features, rows=self.cache_rows, n_features=self.cache.n_features,
            scale=self._shared_scale()))
        return block_from_sums(features, *sums, self.bias)

    def _shared_scale(self) -> Any:
        """The feature scale, sent to every worker once (an array is never a task's literal argument)."""
        if self.scale is None:
            return None
        if getattr(self, "_scale_future", None) is None:
            self._scale_future = self.cluster.scatter(self.scale)
        return self._scale_future

    def prior_record(self) -> dict[str, dict[str, float]]:
        inner = self.solver.inner if isinstance(self.solver, _OnCluster) else self.solver
        return solvers.prior_record(inner, self.cache_rows)

    def cut_on_cluster(self, seed: int | None) -> None:
        """The batches cut where the features are; the solver then runs its passes there."""
        cluster = self.cluster
        batches = [cluster.submit(batches_of, part, self.batch_size, self.cache.n_features, self.outputs,
                                  self._shared_scale(),
                                  self.model_type, self.target_mean, self.target_scale,
                                  None if seed is None else seed + index)
                   for index, part in enumerate(self.features)]
        cluster.wait(batches)
        for part in self.features:
            part.release()
        if self.in_memory or isinstance(self.solver, HeldOutNewton):  # they keep the rows: few, learned here
            gathered = [b for f in cluster.results(batches) for b in f]
            self.solver.run_pass = _gathered(self.solver.run_pass, _recut(gathered, self.batch_size,
                                                                          self.cache.n_features, self.outputs))
            return
        self.solver = _OnCluster(cluster, self.solver, batches, cluster.runs(batches))


def _near(worker: str) -> dict[str, Any]:
    """Dask's placement hint for a task: the worker that holds its batches, if another is not freer."""
    return {"workers": [worker], "allow_other_workers": True} if worker else {}


def _recut(batches: list[Batch], size: int, n_features: int, outputs: int) -> list[Batch]:
    """The gathered partitions' batches cut again across partitions, as the single machine cuts its rows (a
    pass's Hessian then samples the same batches, and the model is the single machine's)."""
    def rows() -> Iterable[tuple[sp.csr_matrix, np.ndarray]]:
        for batch in batches:
            X = batch.X
            if batch.cols is not None:
                X = sp.csr_matrix((X.data, np.asarray(batch.cols)[X.indices], X.indptr), shape=(X.shape[0], n_features))
            yield X, batch.y

    return [localize(X, y, n_features, outputs) for X, y in rebatch(rows(), size)]


def _gathered(run_pass: Callable[[Iterable[Batch]], float], batches: list[Batch]) -> Callable[..., float]:
    return lambda _ignored: run_pass(batches)


def train_on_cluster(*, cluster: Any, tasks: list[Task], selection: Rearrangement | None, schema: Schema,
                     statistics: dict[str, Any], recipe_text: str, model_type: str, settings: Any, seed: str,
                     out_path: Path, log: Callable[[str], None],
                     progress: Callable[[float], None] | None = None) -> TrainResult:
    """`train.train_model` with the partitions featurized and learned from on the cluster; the same model file."""
    started = time.monotonic()
    report = progress or (lambda _fraction: None)
    if schema.target is None:
        raise TrainingError("The schema names no targetAttributeName; a model needs a target.")
    labels = class_labels(model_type, schema, statistics)
    featurizer = _fit_featurizer(recipe_text, schema, statistics)
    log("Recipe used:\n" + recipe_text.strip())
    log(f"Model type {model_type}; parameters: " + ", ".join(f"{k}={v}" for k, v in sorted(_echo(settings).items())))
    shared = cluster.scatter(featurizer)
    features = cluster.map(featurize, tasks, schema=schema, selection=selection, featurizer=shared,
                           model_type=model_type, labels=labels)
    facts = cluster.reduce(merge_facts, cluster.map(facts_of, features, n_features=featurizer.n_features,
                                                     model_type=model_type))
    log(f"Rows read: {facts.rows + facts.skipped}; used: {facts.rows}; skipped for a missing target: {facts.skipped}")
    log(f"Features: {featurizer.n_features}; non-zero values: {facts.nnz}")
    if facts.rows == 0:
        raise TrainingError(f"No training rows have a value for the target attribute {schema.target}.")
    report(0.2)
    outputs = len(labels) if model_type == "MULTICLASS" else 1
    learner = _ClusterLearner(cluster, features, facts, model_type, outputs, settings, featurizer, seed)
    log(learner.describe())
    shuffle = _seed(seed) if settings.shuffle == "auto" else None
    learner.cut_on_cluster(shuffle)
    log(f"Passes on the cluster: {_how(learner)}")
    return fit_and_write(learner, None, featurizer=featurizer, labels=labels, schema=schema, recipe_text=recipe_text,
                         model_type=model_type, settings=settings, out_path=out_path, log=log, report=report,
                         should_stop=None, checked=None, skipped=facts.skipped, started=started)


def _how(learner: _ClusterLearner) -> str:
    if learner.in_memory:
        return "the rows gathered to this process (Newton-CG keeps them in memory)"
    if isinstance(learner.solver, HeldOutNewton):
        return "the rows gathered to this process (the prior's cross-validation keeps them in memory)"
    if learner.plan is not None:
        return f"Newton's sums over {len(learner.features)} partitions"
    return f"SGD with parameter mixing over {len(learner.solver.runs)} workers"


def _seed(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "little")

