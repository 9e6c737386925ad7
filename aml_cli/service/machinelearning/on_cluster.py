"""The data source, batch prediction and evaluation jobs on a Dask cluster (AML_DASK_SCHEDULER is set).

The job's process plans the partitions of the data's files, has the workers
scan them, composes the scans (`ml.partitions.place`) and has the workers read
them; it merges what comes back and writes or publishes it as the
single-machine job does. Workers get the schema, the model and the partition
tasks; they never see the store.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from operator import itemgetter
from typing import Any


def cluster_of(ctx: Any) -> Any:
    """The job's cluster setting (None: run on this machine); contexts without one run locally."""
    finder = getattr(ctx, "cluster", None)
    return finder() if callable(finder) else None


@contextlib.contextmanager
def _partitioned(setting: Any, ctx: Any, source: dict, files: list, schema: Any) -> Iterator[tuple[Any, list]]:
    """The connected cluster and the data's placed partition tasks; a DataError of the data fails the job as
    the single-machine job fails it, and once the caller is done, a data without records too."""
    from aml_cli.jobs.cluster import Cluster
    from aml_cli.ml.partitions import check_placed, place, plan, scan
    from aml_cli.ml.reader import DataError
    from aml_cli.service.machinelearning.reading import CHUNK_BYTES

    with Cluster(setting, ctx.log) as cluster:
        try:
            partitions = plan(files, setting.partition_bytes, CHUNK_BYTES)
            tasks = place(partitions, list(cluster.results(cluster.map(scan, partitions, schema=schema))))
            ctx.log(f"Partitions: {len(tasks)}")
            yield cluster, tasks
            check_placed(tasks, schema)
        except DataError as exc:
            from aml_cli.jobs import JobFailed

            raise JobFailed(f"The data of {source['DataSourceId']} cannot be used: {exc}") from exc


def read_data_source(store: Any, record: dict, schema: Any, files: list, setting: Any, ctx: Any,
                     compute: bool) -> tuple[Any, Any]:
    """(ReadReport, StatisticsAccumulator or None) of a data source, read and summed on the cluster."""
    from aml_cli.ml.cluster.reading import merge_statistics, statistics_of
    from aml_cli.ml.partitions import merge_reports
    from aml_cli.ml.split import parse_rearrangement

    selection = parse_rearrangement(record.get("DataRearrangement"))
    with _partitioned(setting, ctx, record, files, schema) as (cluster, tasks):
        done = cluster.map(statistics_of, tasks, schema=schema, selection=selection, compute=compute)
        cluster.wait(done, progress=lambda count: ctx.progress(min(count / len(tasks), 0.99), "reading records"))
        reports = list(cluster.results(cluster.map(itemgetter(1), done)))
        statistics = cluster.reduce(merge_statistics, cluster.map(itemgetter(0), done)) if compute else None
    return merge_reports(reports, files), statistics


def score_batch(store: Any, source: dict, schema: Any, files: list, model: Any, threshold: float, staging: Any,
                setting: Any, ctx: Any) -> Any:
    """A batch prediction's result files written into `staging` from the partitions' gzip members, in order;
    returns the merged ReadReport. The caller publishes (or, on any failure, removes) them."""
    from aml_cli.ml.cluster.reading import scored_lines
    from aml_cli.ml.partitions import merge_reports
    from aml_cli.ml.split import parse_rearrangement

    selection = parse_rearrangement(source.get("DataRearrangement"))
    writer = _MemberWriter(staging, model, schema)
    reports = []
    try:
        with _partitioned(setting, ctx, source, files, schema) as (cluster, tasks):
            futures = cluster.map(scored_lines, tasks, schema=schema, selection=selection,
                                  model=cluster.scatter(model), threshold=threshold)
            progress = lambda count: ctx.progress(count / (len(tasks) + 1), "scoring")  # noqa: E731
            for task, (member, report) in zip(tasks, cluster.results(futures, progress), strict=True):
                writer.append(task.partition.file_index, member)
                reports.append(report)
        writer.finish()
    finally:
        writer.close()
    return merge_reports(reports, files)


def evaluation_scores(source: dict, schema: Any, target: str, files: list, model: Any, setting: Any,
                      ctx: Any) -> tuple[list, list]:
    """(targets, scores) per partition, in order, of the records with a target value; gathered whole so that
    the metrics (AUC included) are the single machine's exactly."""
    from aml_cli.ml.cluster.reading import targets_and_scores
    from aml_cli.ml.split import parse_rearrangement

    selection = parse_rearrangement(source.get("DataRearrangement"))
    truths, scores = [], []
    with _partitioned(setting, ctx, source, files, schema) as (cluster, tasks):
        futures = cluster.map(targets_and_scores, tasks, schema=schema, selection=selection, target=target,
                              model=cluster.scatter(model))
        for y, score in cluster.results(futures, lambda count: ctx.progress(count / len(tasks), "scoring")):
            if len(y):
                truths.append(y)
                scores.append(score)
    return truths, scores


def train_model(store: Any, source: dict, setting: Any, ctx: Any, **arguments: Any) -> Any:
    """`ml.train.train_model`'s work on the cluster (`ml.cluster.training`); the same arguments, its result."""
    from aml_cli.ml.cluster.training import train_on_cluster
    from aml_cli.ml.split import parse_rearrangement
    from aml_cli.service.machinelearning.reading import input_files_of

    schema = arguments["schema"]
    with _partitioned(setting, ctx, source, input_files_of(store, source), schema) as (cluster, tasks):
        return train_on_cluster(cluster=cluster, tasks=tasks, selection=parse_rearrangement(
            source.get("DataRearrangement")), **{k: v for k, v in arguments.items() if k not in (
                "chunks", "cache_dir", "threads", "frames_map")})


class _MemberWriter:
    """One gzip file per input file in the staging folder: the header, then the partitions' members in order
    (a multi-member gzip file decompresses to the single-machine job's text)."""

    def __init__(self, staging: Any, model: Any, schema: Any) -> None:
        import gzip

        from aml_cli.ml.batch_output import header

        self.staging = staging
        self.head = gzip.compress((header(model, schema) + "\n").encode(), mtime=0)
        self.index, self.handle = -1, None

    def append(self, file_index: int, member: bytes) -> None:
        while self.index < file_index:
            self._next()
        self.handle.write(member)

    def finish(self) -> None:
        while self.index < len(self.staging.names) - 1:
            self._next()
        self.close()

    def _next(self) -> None:
        self.close()
        self.index += 1
        self.handle = self.staging.stage.create(self.staging.names[self.index])
        self.handle.write(self.head)

    def close(self) -> None:
        import os

        if self.handle is not None:
            with self.handle:
                self.handle.flush()
                os.fsync(self.handle.fileno())
            self.handle = None
