"""Per-partition reading work: statistics, batch-prediction lines, evaluation scores."""

from __future__ import annotations

import gzip
from typing import Any

import numpy as np

from ..partitions import Task, read_partition
from ..reader import ReadReport
from ..schema import Schema
from ..split import Rearrangement
from ..statistics import StatisticsAccumulator


def statistics_of(task: Task, schema: Schema, selection: Rearrangement | None,
                  compute: bool) -> tuple[StatisticsAccumulator | None, ReadReport]:
    """A data source's read of one partition: its report, and its statistics when they are computed."""
    report = ReadReport()
    accumulator = StatisticsAccumulator(schema) if compute else None
    for chunk in read_partition(task, schema, selection=selection, report=report):
        if accumulator is not None:
            accumulator.update(chunk)
    return accumulator, report


def merge_statistics(first: StatisticsAccumulator | None,
                     second: StatisticsAccumulator | None) -> StatisticsAccumulator | None:
    """The statistics of two consecutive stretches of the data (a step of the reduction tree)."""
    return None if first is None or second is None else first.merge(second)


def scored_lines(task: Task, schema: Schema, selection: Rearrangement | None, model: Any,
                 threshold: float) -> tuple[bytes, ReadReport]:
    """One partition's batch-prediction lines (one per record, in order) as a gzip member, and its report.

    Gzip members concatenate into one valid gzip file: the job appends them in partition order.
    """
    from ..batch_output import lines_for

    report = ReadReport()
    pieces = [lines_for(model, schema, chunk, threshold).encode()
              for chunk in read_partition(task, schema, selection=selection, keep_invalid=True, report=report)]
    return gzip.compress(b"".join(pieces), mtime=0), report


def targets_and_scores(task: Task, schema: Schema, selection: Rearrangement | None, target: str,
                       model: Any) -> tuple[np.ndarray, np.ndarray]:
    """The encoded targets and the scores of one partition's records that have a target value."""
    truths, scores = [], []
    for chunk in read_partition(task, schema, selection=selection):
        values = chunk.frame[target]
        keep = ~values.isna().to_numpy()
        if not keep.any():
            continue
        frame = chunk.frame[keep]
        truths.append(model.encode_targets(frame[target]))
        scores.append(model.predict_frame(frame))
    if not truths:
        width = () if model.model_type != "MULTICLASS" else (len(model.labels),)
        return np.empty(0), np.empty((0, *width))
    return np.concatenate(truths), np.concatenate(scores)
