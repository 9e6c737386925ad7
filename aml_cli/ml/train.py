"""The training driver: chunks of rows in, one model file out.

Pass 0 featurizes each chunk once and writes it to the feature cache (rows
whose target is missing are skipped and counted); the learning passes then
read only the cache. Before learning, three things are fixed from the cached
data: features whose values exceed 1 in magnitude are scaled by their largest
magnitude (the weights are unscaled before saving, so the file holds weights
for the raw features), a REGRESSION target is standardised (its mean and
deviation go into the model), the bias starts at the log-odds of the
class frequencies, and the features present in at least 5% of the rows (and
in at least 50) get a whitening (``whitening.py``: their covariance, estimated
from a sample of the cache, inverted) so that SGD learns them in uncorrelated
coordinates. The step sizes depend on the batch size and on how many other
features a row has on average (see the comment above ``BASE_RATE``): a
feature of a row of 150 words shares the row's correction with the other
149, a rare category of a tabular row with a few.
``sgd.shuffleType=auto`` shuffles the cache once with a generator seeded by
the model ID, so the same ID always trains the same model.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import solvers
from .feature_cache import BatchStore, FeatureCache, part_arrays, shuffled
from .feature_slots import FeatureSlots
from .losses import loss_for
from .model_file import ModelFileError, write_model
from .newton import Newton
from .parallel import ordered_map
from .parameters import TrainingSettings
from .pass_validation import PassValidation
from .predict import encode_targets, label_strings
from .schema import Schema
from .sgd import SGD, Batch, SGDConfig, localize, rebatch, run_passes
from .warm_start import WarmStart
from .whitening import MIN_SHARE, DenseBlock, block_features, fit_block

MAX_CLASSES = 100
TOLERANCE = 1e-4  # a pass improving the mean loss by less than this fraction ends training
WINDOW_NNZ = 16_000_000  # largest block of the cache shuffled in memory at once
COMPACT_STATE = True  # SGD's state stored by feature frequency (``feature_slots.py``): same weights, faster steps


STEPS_PER_PASS = 256
SMALL_DATA_ROWS = 16_384  # up to here (BINARY, REGRESSION): SMALL_DATA_STEPS steps a pass, of SMALL_BATCH rows or more
SMALL_DATA_STEPS = 1024
SMALL_BATCH = 4
MIN_BATCH = 16


def batch_size_for(rows: int, model_type: str = "BINARY") -> int:
    """Rows per step: about STEPS_PER_PASS steps per pass, within MIN_BATCH..4096 rows.

    Small BINARY and REGRESSION sets take four times as many, smaller steps: ten passes of 256 steps leave
    them short of where the data points (validation folds of the benchmark's small sets: AUC and RMSE
    closer to the converged model on 11 of 15). A softmax's gradient spreads over its classes and is noisier
    row by row: MULTICLASS keeps 16 rows or more (with 4, penguins' and wine's validation log loss rose by a
    third).
    """
    if model_type != "MULTICLASS" and rows < SMALL_DATA_ROWS:
        return int(max(SMALL_BATCH, rows // SMALL_DATA_STEPS))
    return int(min(4096, max(MIN_BATCH, rows // STEPS_PER_PASS)))


# Step sizes. Features outside the whitened block (rare categories and bins, words and word pairs) take AdaGrad
# steps of BASE_RATE * sqrt(batch / 16) / sqrt(active), ``active`` the mean number of such features per row: a
# row of 150 words and pairs moves its margin by the sum of 150 steps, a row of a few rare categories by a few,
# so each of the many takes a smaller share and both kinds of row move alike. The block (the frequent features,
# whitened) takes BLOCK_RATE * sqrt(batch / 16). AdaGrad's accumulator starts at (PRIOR_ROWS / batch)^2: as if
# each weight had already seen that many rows of unit gradient, which damps the first steps of a feature met in
# few rows. A softmax spreads each row's gradient over its classes and its rare classes learn from few rows, so
# its rare features step LEARNING_RATE_SCALE times further, under a stronger prior (10 rows: with 1, the
# loans set's job-title words overfit, validation macro F1 0.42 -> 0.38). Every model type returns the mean of
# its last pass's iterates (Polyak-Ruppert averaging), which cancels most of the noise of the last steps.
# Chosen on 3 validation folds of the training files of benchmarks/training.py's 28 real sets (never the test
# files; benchmarks/validation.py, README-section.md there for the figures).
BASE_RATE = 0.3
BLOCK_RATE = 0.1
PRIOR_ROWS = {"BINARY": 1.0, "REGRESSION": 1.0, "MULTICLASS": 10.0}
BLOCK_PRIOR_ROWS = {"BINARY": 10.0, "REGRESSION": 10.0, "MULTICLASS": 10.0}
LEARNING_RATE_SCALE = {"BINARY": 1.0, "REGRESSION": 1.0, "MULTICLASS": 6.0}
PRIOR_SHARE = 0.1  # large batches: the prior is at least this share of the batch's rows
PRIOR_ACTIVE = 10.0  # rows with more features than this (outside the block) take a weaker prior


def prior_for(batch: int, rows: float, active: float = 1.0) -> float:
    """AdaGrad's starting sum (rows / batch)^2, with ``rows`` at least PRIOR_SHARE of the batch.

    AdaGrad's first step is the full rate whatever the gradient's size; on large batches a feature seen in
    a few dozen of their rows would take it at once, so the prior grows with the batch there. Rows with more
    than PRIOR_ACTIVE features (long texts) already share their step among them (``learning_rate_for``), so
    they need less damping: ``rows`` shrinks by ``sqrt(PRIOR_ACTIVE / active)``.
    """
    rows *= min(1.0, math.sqrt(PRIOR_ACTIVE / max(active, 1.0)))
    return (max(rows, PRIOR_SHARE * batch) / batch) ** 2


def learning_rate_for(batch: int, model_type: str = "BINARY", whitened: bool = False, active: float = 1.0) -> float:
    """AdaGrad's base step: a mean over more rows is less noisy, so it may step further (BASE_RATE at 16 rows).

    The whitened block takes the plain step whatever the model type: its directions are uncorrelated, and a
    larger step there only adds noise. The other features share each row's margin with the ``active`` others
    of that row (on average): one step moves the margin by the sum of their steps, so each takes
    ``1 / sqrt(active)`` of it; a row of 150 words and pairs then moves as far as a row of a few categories.
    """
    if whitened:
        return min(1.0, BLOCK_RATE * math.sqrt(batch / 16))
    rate = BASE_RATE * math.sqrt(batch / 16) / math.sqrt(max(active, 1.0))
    return LEARNING_RATE_SCALE[model_type] * min(1.0, rate)


FramesMap = Callable[[Callable[[pd.DataFrame], Any]], Iterator[Any]]  # work -> work(frame) for each frame, in order


class TrainingError(Exception):
    """Training cannot proceed; the message is meant for the model's Message field."""


class TrainingStopped(TrainingError):
    """``should_stop`` asked training to stop before any learning pass was complete: there is no model."""


@dataclass
class TrainResult:
    """What the job records and logs."""

    size_in_bytes: int
    rows_used: int
    rows_skipped: int
    n_features: int
    pruned: int
    pass_losses: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False  # ``should_stop`` ended training: the model is the last complete pass's
    validation_losses: list[float] = field(default_factory=list)  # mean validation loss after each pass


def class_labels(model_type: str, schema: Schema, statistics: dict[str, Any]) -> list[str]:
    """BINARY: ["0", "1"]; MULTICLASS: the target's values in the statistics, sorted; else []."""
    if model_type == "BINARY":
        return ["0", "1"]
    if model_type != "MULTICLASS":
        return []
    values = _target_values(statistics, schema.target)
    labels = sorted(set(label_strings(pd.Series(values)).dropna().astype(str)))
    if len(labels) > MAX_CLASSES:
        raise TrainingError(
            f"The target attribute {schema.target} has {len(labels)} distinct values; "
            f"a MULTICLASS model allows at most {MAX_CLASSES} classes."
        )
    if len(labels) < 2:
        raise TrainingError(f"The target attribute {schema.target} needs at least two classes for a MULTICLASS model.")
    return labels


def _target_values(statistics: dict[str, Any], target: str | None) -> list[Any]:
    """The target's distinct values from the statistics' ``target_distribution`` ({value: count})."""
    distribution = statistics.get("target_distribution")
    if not isinstance(distribution, dict) or "histogram" in distribution:
        raise TrainingError(
            f"The data source statistics have no class counts for the target attribute {target}; "
            "a MULTICLASS model needs a CATEGORICAL (or BINARY) target."
        )
    return list(distribution)


def train_model(
    *,
    chunks: Callable[[], Iterator[pd.DataFrame]],
    schema: Schema,
    statistics: dict[str, Any],
    recipe_text: str,
    model_type: str,
    settings: TrainingSettings,
    seed: str,
    cache_dir: Path,
    out_path: Path,
    log: Callable[[str], None],
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    warm_start: WarmStart | None = None,
    validation: Callable[[], Iterator[pd.DataFrame]] | None = None,
    threads: int = 1,
    frames_map: FramesMap | None = None,
) -> TrainResult:
    """Train a model of ``model_type`` and write it to ``out_path``.

    ``should_stop`` is asked between chunks and mini-batches; when it answers True training ends and the
    last complete pass is saved (``TrainingStopped`` if none is). ``warm_start`` continues a model (see
    WarmStart); ``validation`` gives frames whose mean loss is logged after every pass. ``threads`` featurize
    the chunks and cut the batches (the job layer chooses how many); the model is the same at any count.
    ``frames_map(work)``, when given, yields ``work(frame)`` for the frames of ``chunks`` in order, run where
    they are read (a reader's threads): pass 0 then parses and featurizes a chunk on one thread.
    """
    started = time.monotonic()
    report = progress or (lambda _fraction: None)
    if schema.target is None:
        raise TrainingError("The schema names no targetAttributeName; a model needs a target.")
    if warm_start is not None:
        labels, featurizer, recipe_text = warm_start.labels, warm_start.featurizer, warm_start.recipe_text
    else:
        labels = class_labels(model_type, schema, statistics)
        featurizer = _fit_featurizer(recipe_text, schema, statistics)
    log("Recipe used:\n" + recipe_text.strip())
    log(f"Model type {model_type}; parameters: " + ", ".join(f"{k}={v}" for k, v in sorted(_echo(settings).items())))
    cache = FeatureCache(Path(cache_dir) / "features", featurizer.n_features)
    skipped = _featurize(chunks, schema, featurizer, model_type, labels, cache, should_stop, threads, frames_map)
    log(f"Rows read: {cache.rows + skipped}; used: {cache.rows}; skipped for a missing target: {skipped}")
    log(f"Features: {featurizer.n_features}; non-zero values: {cache.nnz}")
    if cache.rows == 0:
        raise TrainingError(f"No training rows have a value for the target attribute {schema.target}.")
    report(0.2)
    learner = _Learner(cache, model_type, len(labels) if model_type == "MULTICLASS" else 1, settings, featurizer,
                       warm_start)
    checked = _validation(validation, schema, featurizer, model_type, labels, learner, Path(cache_dir), threads)
    log(learner.describe())
    if settings.shuffle == "auto":
        learner.cache = shuffled(cache, Path(cache_dir) / "shuffled", _rng(seed), WINDOW_NNZ)
        cache.remove()
    store, first_pass = learner.cut_batches(Path(cache_dir) / "batches", threads)

    return fit_and_write(learner, store, first_pass, featurizer=featurizer, labels=labels, schema=schema,
                         recipe_text=recipe_text, model_type=model_type, settings=settings, out_path=out_path,
                         log=log, report=report, should_stop=should_stop, checked=checked, skipped=skipped,
                         started=started)


def fit_and_write(learner: _Learner, store: BatchStore | None, first_pass: Iterator[Batch] | None = None, *,
                  featurizer: Any, labels: list[str], schema: Schema,
                  recipe_text: str, model_type: str, settings: TrainingSettings, out_path: Path,
                  log: Callable[[str], None], report: Callable[[float], None],
                  should_stop: Callable[[], bool] | None, checked: PassValidation | None, skipped: int,
                  started: float) -> TrainResult:
    """The learning passes over the cut batches (None: the learner's solver reads its own, as a cluster's
    does), then the model file; the logs and the result the job records."""

    def on_pass(index: int, loss: float) -> None:
        log(f"Pass {index + 1}: mean training loss {loss:.6g}")
        if checked is not None:
            log(f"Pass {index + 1}: mean validation loss {checked.after_pass():.6g}")
        report(0.2 + 0.75 * (index + 1) / settings.max_passes)

    def batches(index: int) -> Iterator[Batch]:
        if store is None:  # the solver reads its own
            return iter(())
        return first_pass if index == 0 and first_pass is not None else iter(store)

    losses = learner.fit(batches, on_pass, should_stop, keep_passes=checked is not None)
    if learner.stopped:
        log(f"Stopped after {len(losses)} of {settings.max_passes} passes; the model is that of pass {len(losses)}.")
    if learner.prior_record():
        chosen = learner.prior_record()["prior_precision"]
        log(f"Prior precision on the raw weights, chosen by {solvers.prior_choice(learner.solver)} (per row of "
            "training): "
            + ", ".join(f"{group} {value:.4g}" for group, value in chosen.items()))
    if len(losses) < settings.max_passes:
        log(f"Converged after {len(losses)} passes ({learner.solver.CONVERGENCE}).")
    header = {
        "model_type": model_type,
        "schema": schema.text,
        "recipe": recipe_text,
        "labels": labels,
        "parameters": _echo(settings),
        "featurizer": featurizer.state()[0],
        "target_mean": learner.target_mean,
        "target_scale": learner.target_scale,
        "training": {"rows": learner.cache_rows, "passes": len(losses), **learner.prior_record()},
    }
    arrays = {f"featurizer/{k}": v for k, v in featurizer.state()[1].items()}
    keep = [learner.bias] if learner.bias is not None else []
    try:
        written = write_model(
            out_path, header=header, weights=learner.weights, arrays=arrays, max_bytes=settings.max_bytes, keep=keep
        )
    except ModelFileError as err:
        raise TrainingError(err.message) from None
    if written.pruned:
        log(
            f"Pruned {written.pruned} of {written.pruned + written.stored_weights} non-zero weights "
            f"(the smallest in magnitude) to fit sgd.maxMLModelSizeInBytes={settings.max_bytes}."
        )
    seconds = time.monotonic() - started
    log(f"Model file: {written.size} bytes, {written.stored_weights} weights stored ({written.encoding}).")
    log(f"Training time: {seconds:.2f} s")
    if store is not None:
        store.remove()
    report(1.0)
    return TrainResult(
        written.size, learner.cache_rows, skipped, featurizer.n_features, written.pruned, losses, labels, seconds,
        stopped=learner.stopped, validation_losses=checked.losses if checked is not None else [],
    )


def _echo(settings: TrainingSettings) -> dict[str, str]:
    echoed = {
        "sgd.maxMLModelSizeInBytes": str(settings.max_bytes),
        "sgd.maxPasses": str(settings.max_passes),
        "sgd.shuffleType": settings.shuffle,
    }
    if settings.l1:
        echoed["sgd.l1RegularizationAmount"] = repr(settings.l1)
    if settings.l2:
        echoed["sgd.l2RegularizationAmount"] = repr(settings.l2)
    return echoed


def _rng(seed: str) -> np.random.Generator:
    digest = hashlib.sha256(seed.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def _fit_featurizer(recipe_text: str, schema: Schema, statistics: dict[str, Any]) -> Any:
    from .features import Featurizer
    from .recipe import RecipeError, parse_recipe

    types = {attribute.name: attribute.type for attribute in schema.input_attributes}
    try:
        return Featurizer.fit(parse_recipe(recipe_text, types), types, statistics)
    except RecipeError as err:
        raise TrainingError(f"The recipe cannot be used: {err}") from None


def _featurize(
    chunks: Callable[[], Iterator[pd.DataFrame]],
    schema: Schema,
    featurizer: Any,
    model_type: str,
    labels: list[str],
    cache: FeatureCache,
    should_stop: Callable[[], bool] | None = None,
    threads: int = 1,
    frames_map: FramesMap | None = None,
) -> int:
    """Pass 0: featurize every chunk into the cache; returns the rows skipped for a missing target.

    Chunks are featurized on ``threads`` threads (or where ``frames_map`` runs its work), and their parts
    written in the chunks' order (``ordered_map``): each part is a function of its chunk alone, so the cache
    is the same at any thread count.
    """

    def featurized(frame: pd.DataFrame) -> tuple[int, dict[str, np.ndarray] | None]:
        y = encode_targets(model_type, frame[schema.target], labels)
        keep = y >= 0 if model_type == "MULTICLASS" else ~np.isnan(y)
        missing = int(np.count_nonzero(~keep))
        if not keep.any():
            return missing, None
        rows = frame if keep.all() else frame[keep]
        targets = y[keep].astype(np.int32 if model_type == "MULTICLASS" else np.float64)
        return missing, part_arrays(featurizer.transform(rows), targets, cache.n_features)

    skipped = 0
    done = frames_map(featurized) if frames_map is not None else ordered_map(featurized, chunks(), threads)
    for missing, arrays in done:
        if should_stop is not None and should_stop():
            raise TrainingStopped("Training was stopped before its first pass was complete.")
        skipped += missing
        cache.append_arrays(arrays)
    return skipped


class _Learner:
    """The solver over the cache, with feature scaling, target standardisation and bias initialisation.

    The solver is chosen by ``solvers.plan_solver``: Newton's method for few features, Newton-CG for small
    text, SGD (built here) for the rest.
    """

    def __init__(
        self, cache: FeatureCache, model_type: str, outputs: int, settings: TrainingSettings, featurizer: Any,
        warm_start: WarmStart | None = None,
    ) -> None:
        self.cache = cache
        self.cache_rows = cache.rows
        self.model_type = model_type
        self.outputs = outputs
        self.settings = settings
        self.bias: int | None = featurizer.bias_index
        self.stopped = False
        self.snapshot: np.ndarray | None = None
        self.warm_start = warm_start
        if warm_start is not None:
            self.target_mean, self.target_scale = warm_start.target_mean, warm_start.target_scale
        else:
            self.target_mean, self.target_scale = self._target_moments()
        scan = solvers.scan_features(cache)
        self.scale = scan.scale
        self.plan, self.in_memory = solvers.plan_solver(scan, cache, model_type, outputs, settings,
                                                        warm_start is not None)
        self.block: DenseBlock | None = None
        self.slots: FeatureSlots | None = None
        if self.plan is not None:
            self.batch_size = self.plan.batch_rows
            bias_start = self._bias_start() if self.bias is not None else np.zeros(outputs)
            self.solver: SGD | Newton = solvers.newton_solver(self.plan, self.in_memory, scan, cache, model_type,
                                                              outputs, settings, self.bias, bias_start, TOLERANCE,
                                                              featurizer.bin_columns())
        else:
            self.solver = self._sgd(scan.counts, settings)
        self.weights = np.zeros((cache.n_features, outputs), dtype=np.float32)

    def _sgd(self, counts: np.ndarray, settings: TrainingSettings) -> SGD:
        """SGD with its settings; its state addresses features by ``self.slots`` (``feature_slots.py``)."""
        model_type = self.model_type
        self.block = None if self.warm_start is not None else self._fit_block(counts, settings)
        self.slots = FeatureSlots.by_frequency(counts) if COMPACT_STATE else None
        slot = (lambda feature: feature) if self.slots is None else self.slots.of
        batch = self.batch_size = batch_size_for(self.cache_rows, model_type)
        active = self._active(counts)
        self.config = SGDConfig(
            learning_rate=learning_rate_for(batch, model_type, active=active),
            block_learning_rate=learning_rate_for(batch, model_type, whitened=True),
            l1=settings.l1,
            l2=settings.l2,
            batch_size=batch,
            initial_accumulator=prior_for(batch, PRIOR_ROWS[model_type], active),
            block_initial_accumulator=prior_for(batch, BLOCK_PRIOR_ROWS[model_type]),
            average=True,
            unpenalized=() if self.bias is None else (int(slot(self.bias)),),
        )
        block = self.block if self.block is None or self.slots is None else self.slots.block(self.block)
        sgd = SGD(self.cache.n_features, self.outputs, loss_for(model_type), self.config, block)
        if self.warm_start is not None:
            self._start_from(sgd, self.warm_start.weights)
        elif self.bias is not None:
            sgd.W[slot(self.bias)] = self._bias_start()
        return sgd

    def prior_record(self) -> dict[str, dict[str, float]]:
        """The prior precisions the evidence chose (``solvers.prior_record``)."""
        return solvers.prior_record(self.solver, self.cache_rows)

    def describe(self) -> str:
        """One log line on how the weights are learned."""
        newton = solvers.describe(self.plan, self.in_memory)
        if newton is not None:
            return newton
        if self.block is not None:
            return (f"Features present in at least {MIN_SHARE:.0%} of the rows learned in a whitened basis: "
                    f"{self.block.features.size}")
        return "Features learned by SGD with per-feature steps"

    def _active(self, counts: np.ndarray) -> float:
        """Features present per row on average, the bias and the block's left out."""
        total = float(counts.sum()) - (0.0 if self.bias is None else float(counts[self.bias]))
        if self.block is not None:
            total -= float(counts[self.block.features].sum())
        return total / max(self.cache_rows, 1)

    def _fit_block(self, counts: np.ndarray, settings: TrainingSettings) -> DenseBlock | None:
        """The frequent features' whitening; none under L1, whose point is choosing features one by one."""
        if settings.l1 > 0 or self.bias is None:
            return None
        features = block_features(counts, self.cache_rows, exclude=(self.bias,), outputs=self.outputs)
        parts = (X for X, _ in self.cache)
        return fit_block(parts, features, self.cache_rows, self.cache.n_features, self.bias, self.scale)

    def _target_moments(self) -> tuple[float, float]:
        """The REGRESSION target's mean and deviation, summed over the targets divided by a power of two at
        least their largest magnitude: exact, and finite for targets of 1e200 (whose squares are not)."""
        if self.model_type != "REGRESSION":
            return 0.0, 1.0
        largest = max((float(np.abs(y).max()) for _, y in self.cache if len(y)), default=0.0)
        scale = math.ldexp(1.0, min(math.frexp(largest)[1], 1023)) if largest > 0 else 1.0
        total = squares = 0.0
        for _, y in self.cache:
            z = np.asarray(y, dtype=np.float64) / scale
            total += float(np.sum(z))
            squares += float(np.sum(z * z))
        mean = total / self.cache_rows
        deviation = math.sqrt(max(squares / self.cache_rows - mean * mean, 0.0))
        return mean * scale, min(deviation * scale, _LARGEST) if deviation > 0 else 1.0

    def _bias_start(self) -> np.ndarray:
        """The bias at the class frequencies' log-odds (BINARY) or centred log-priors (MULTICLASS); 0 for
        REGRESSION, whose target is standardised."""
        k = self.outputs
        if self.model_type == "REGRESSION":
            return np.zeros(k)
        counts = np.zeros(max(k, 2))
        for _, y in self.cache:
            counts += np.bincount(np.asarray(y, dtype=np.int64), minlength=counts.size)[: counts.size]
        prior = (counts + 0.5) / (counts.sum() + 0.5 * counts.size)
        if self.model_type == "BINARY":
            return np.array([math.log(prior[1] / prior[0])])
        return np.log(prior) - np.log(prior).mean()

    def _start_from(self, sgd: SGD, weights: np.ndarray) -> None:
        """Warm start: SGD begins at a base model's weights (of the raw features; SGD's are of the scaled ones)."""
        W = np.asarray(weights, dtype=np.float32)
        if W.shape != sgd.W.shape:
            raise TrainingError(f"The base model's weights have shape {W.shape}, not {sgd.W.shape}.")
        W = W if self.scale is None else W / self.scale[:, None]
        sgd.W[:] = W if self.slots is None else self.slots.stored(W)

    def cut_batches(self, directory: Path, threads: int = 1) -> tuple[BatchStore, Iterator[Batch]]:
        """The first pass's batches, cut, scaled and renumbered as it takes them, and the store that keeps
        them for the later passes, which read them as they are.

        Batches are cut in order on this thread and scaled and renumbered on ``threads`` threads while the
        solver steps (each a function of its rows alone, so the batches are the same at any thread count);
        once the last is stored the cache is removed.
        """
        store = BatchStore(directory)
        n, k = self.cache.n_features, self.outputs

        slots = self.slots
        scale = None if self.scale is None or slots is None else slots.stored(self.scale)

        def ready(batch: tuple[sp.csr_matrix, np.ndarray]) -> Batch:
            X, y = batch
            if slots is not None:
                return slots.localize(X, y, k, scale)
            if self.scale is not None:
                X = sp.csr_matrix((X.data * self.scale[X.indices], X.indices, X.indptr), shape=X.shape)
            return localize(X, y, n, k)

        def first_pass() -> Iterator[Batch]:
            for batch in ordered_map(ready, rebatch(self._parts(), self.batch_size), threads):
                store.add(batch, WINDOW_NNZ)
                yield batch
            store.flush()
            self.cache.remove()

        return store, first_pass()

    def _parts(self) -> Iterator[tuple[sp.csr_matrix, np.ndarray]]:
        for X, y in self.cache:
            if self.model_type == "REGRESSION":
                y = _standardised(np.asarray(y, dtype=np.float64), self.target_mean, self.target_scale)
            yield X, y

    def fit(self, batches: Callable[[int], Iterator[Batch]], on_pass: Callable[[int, float], None],
            should_stop: Callable[[], bool] | None = None, keep_passes: bool = False) -> list[float]:
        """The passes' mean losses (``batches(index)``: pass index's batches); with ``should_stop`` training may
        end early, keeping the last complete pass."""
        if should_stop is None and not keep_passes:
            losses = run_passes(self.solver, batches, self.settings.max_passes, TOLERANCE, on_pass)
            self.weights = self.pass_weights()
            return losses
        done: list[float] = []

        def after_pass(index: int, loss: float) -> None:
            self.snapshot = self.pass_weights()
            done.append(loss)
            on_pass(index, loss)

        try:
            run_passes(self.solver, lambda index: _until(batches(index), should_stop), self.settings.max_passes,
                       TOLERANCE, after_pass)
        except _Stopped:
            self.stopped = True
            if self.snapshot is None:
                raise TrainingStopped("Training was stopped before its first pass was complete.") from None
        self.weights = self.snapshot if self.snapshot is not None else self.pass_weights()
        return done

    def pass_weights(self) -> np.ndarray:
        """The weights of the raw features now (the pass's averaged iterate, the feature scaling undone)."""
        W = self.solver.weights()
        if isinstance(self.solver, SGD) and self.slots is not None:
            W = self.slots.features(W)
        if self.scale is not None:
            W = W * self.scale[:, None].astype(np.float32)
        return W.astype(np.float32)


_LARGEST = float(np.finfo(np.float64).max)


def _standardised(y: np.ndarray, mean: float, scale: float) -> np.ndarray:
    """(y - mean) / scale; where y - mean would pass the largest float, y / scale - mean / scale instead."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = (y - mean) / scale
    wide = ~np.isfinite(out) & np.isfinite(y)
    if wide.any():
        out[wide] = y[wide] / scale - mean / scale
    return out


# -- continuing a model and stopping early (Clean Rooms ML's incremental training and stopping condition) ---------


def _validation(frames: Callable[[], Iterator[pd.DataFrame]] | None, schema: Schema, featurizer: Any,
                model_type: str, labels: list[str], learner: _Learner, cache_dir: Path,
                threads: int = 1) -> PassValidation | None:
    if frames is None:
        return None
    cache = FeatureCache(cache_dir / "validation", featurizer.n_features)
    _featurize(frames, schema, featurizer, model_type, labels, cache, threads=threads)
    if cache.rows == 0:
        raise TrainingError(f"No validation rows have a value for the target attribute {schema.target}.")
    return PassValidation(cache, model_type, learner)


class _Stopped(Exception):
    """``should_stop`` answered True between two mini-batches."""


def _until(batches: Iterator[Any], should_stop: Callable[[], bool] | None) -> Iterator[Any]:
    for batch in batches:
        if should_stop is not None and should_stop():
            raise _Stopped()
        yield batch
