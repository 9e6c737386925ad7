"""The job's Dask client: `AML_DASK_SCHEDULER` names a cluster, and the job runs its partitions there.

`AML_DASK_SCHEDULER=tcp://host:8786` connects to a running scheduler;
`local:N` starts a `distributed.LocalCluster` of N worker processes for the
job and stops it after. Unset, `setting()` is None and nothing of Dask is
imported. The job's process is the client: it plans, composes and publishes;
the workers only run the pure functions of `aml_cli.ml` they are given and
never see the store. `AML_DASK_PARTITION_BYTES` sets the partition size
(default 128 MiB).

A task whose worker dies is run again by Dask (its functions are pure, so the
result is the same); a cluster that cannot be reached or is lost mid-job fails
the job with a message naming it (`JobFailed`), before anything is published.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aml_cli.jobs.worker import JobFailed

SCHEDULER_VARIABLE = "AML_DASK_SCHEDULER"
PARTITION_VARIABLE = "AML_DASK_PARTITION_BYTES"
DEFAULT_PARTITION_BYTES = 128 << 20
CONNECT_SECONDS = 20


@dataclass(frozen=True)
class ClusterSetting:
    """Where the job's partitions run: a scheduler address, or `local:N`."""

    address: str
    partition_bytes: int = DEFAULT_PARTITION_BYTES

    @property
    def local_workers(self) -> int | None:
        """N of `local:N` (None for a scheduler address)."""
        if not self.address.startswith("local:"):
            return None
        return int(self.address.removeprefix("local:"))

    def describe(self) -> str:
        workers = self.local_workers
        return f"the local Dask cluster of {workers} processes" if workers else f"the Dask cluster at {self.address}"


def setting(environ: Mapping[str, str] | None = None) -> ClusterSetting | None:
    """The job's cluster from its environment; None when AML_DASK_SCHEDULER is unset or blank.

    A value that is neither `local:N` (N >= 1) nor a scheduler address fails the job, naming the variable.
    """
    environ = os.environ if environ is None else environ
    address = environ.get(SCHEDULER_VARIABLE, "").strip()
    if not address:
        return None
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise JobFailed(f"{SCHEDULER_VARIABLE}={address} is not valid: use local:N with N >= 1 worker "
                            "processes, or a scheduler address such as tcp://host:8786.")
    elif "://" not in address:
        raise JobFailed(f"{SCHEDULER_VARIABLE}={address} is not valid: use a scheduler address such as "
                        "tcp://host:8786, or local:N.")
    text = environ.get(PARTITION_VARIABLE, "").strip()
    if text and (not text.isdigit() or int(text) < 1):
        raise JobFailed(f"{PARTITION_VARIABLE}={text} is not valid: give a positive number of bytes.")
    return ClusterSetting(address, int(text) if text else DEFAULT_PARTITION_BYTES)


class Cluster:
    """A connected Dask client for one job; every call that the cluster's loss breaks fails the job."""

    def __init__(self, cluster_setting: ClusterSetting, log: Callable[[str], None] = lambda line: None) -> None:
        self.setting = cluster_setting
        self.log = log
        self.client: Any = None
        self._local: Any = None

    @property
    def name(self) -> str:
        return self.setting.describe()

    def __enter__(self) -> Cluster:
        try:
            import distributed
        except ImportError:
            raise JobFailed(f"{SCHEDULER_VARIABLE} is set but Dask is not installed: "
                            "pip install 'aml-cli[dask]'.") from None
        try:
            workers = self.setting.local_workers
            if workers:
                self._local = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=None, silence_logs=40)
                self.client = distributed.Client(self._local, timeout=CONNECT_SECONDS)
            else:
                self.client = distributed.Client(self.setting.address, timeout=CONNECT_SECONDS)
        except Exception as err:
            self.close()
            raise JobFailed(f"Could not reach {self.name}: {_said(err)}") from None
        self.log(f"Running on {self.name} ({len(self.client.scheduler_info().get('workers', {}))} workers)")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        import contextlib

        for thing in (self.client, self._local):
            if thing is not None:
                with contextlib.suppress(Exception):
                    thing.close()
        self.client = self._local = None

    def scatter(self, value: Any) -> Any:
        """A value every worker gets once (a model), as a future to pass to `map`."""
        with self._guard():
            return self.client.scatter(value, broadcast=True, hash=False)

    def map(self, fn: Callable[..., Any], items: Iterable[Any], **kwargs: Any) -> list[Any]:
        """One task per item, `fn(item, **kwargs)`; futures in the items' order."""
        with self._guard():
            return self.client.map(fn, list(items), pure=False, **kwargs)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._guard():
            return self.client.submit(fn, *args, pure=False, **kwargs)

    def results(self, futures: list[Any], progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """The futures' results in order (each released once taken); a task's own error is raised as it is."""
        for index, future in enumerate(futures):
            yield self.result(future)
            future.release()
            if progress is not None:
                progress(index + 1)

    def result(self, future: Any) -> Any:
        try:
            return future.result()
        except Exception as err:
            if getattr(future, "status", None) == "error":
                raise  # the task's own exception (a DataError, ...), re-raised as the single machine raises it
            raise self._lost(err) from None

    def wait(self, futures: list[Any], progress: Callable[[int], None] | None = None) -> None:
        """Until every future is done; then the first task error in order is raised (as a sequential run would)."""
        import distributed

        with self._guard():
            for done, _ in enumerate(distributed.as_completed(futures), start=1):
                if progress is not None:
                    progress(done)
        for future in futures:
            if future.status != "finished":
                self.result(future)

    def runs(self, futures: list[Any]) -> list[tuple[list[int], str]]:
        """The futures' indexes cut into one contiguous run per worker, by index alone (so what is computed
        per run does not depend on where the scheduler placed the results), each with the worker holding
        most of its run's results: where to run it, a hint (another worker may take it)."""
        with self._guard():
            workers = sorted(self.client.scheduler_info().get("workers", {}))
            held = self.client.who_has(futures)
        count = max(1, min(len(workers), len(futures)))
        size, extra = divmod(len(futures), count)
        runs, start = [], 0
        for run in range(count):
            end = start + size + (run < extra)
            holders = [h for future in futures[start:end] for h in sorted(held.get(future.key) or ())]
            runs.append((list(range(start, end)), max(sorted(set(holders)), key=holders.count, default="")))
            start = end
        return runs

    def reduce(self, fn: Callable[[Any, Any], Any], futures: list[Any]) -> Any:
        """`fn` over the results in order, as a balanced tree of tasks on the workers; the final result."""
        level = list(futures)
        while len(level) > 1:
            pairs = [level[i : i + 2] for i in range(0, len(level), 2)]
            level = [self.submit(fn, *pair) if len(pair) == 2 else pair[0] for pair in pairs]
        return self.result(level[0])

    def _guard(self) -> Any:
        import contextlib

        cluster = self

        @contextlib.contextmanager
        def guard() -> Iterator[None]:
            try:
                yield
            except JobFailed:
                raise
            except Exception as err:
                raise cluster._lost(err) from None

        return guard()

    def _lost(self, err: BaseException) -> JobFailed:
        return JobFailed(f"Lost {self.name} during the job: {_said(err)}. Nothing was published.")


def _said(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
