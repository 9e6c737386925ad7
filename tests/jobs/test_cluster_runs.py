"""How SGD's batches are cut among a cluster's workers: by index alone, placement only a hint."""

from __future__ import annotations

from types import SimpleNamespace

from aml_cli.jobs.cluster import Cluster, ClusterSetting


class _Client:
    """Just what `Cluster.runs` asks a Dask client: its workers and who holds each result."""

    def __init__(self, workers: list[str], held: dict[str, tuple[str, ...]]) -> None:
        self.workers, self.held = workers, held

    def scheduler_info(self) -> dict:
        return {"workers": {worker: {} for worker in self.workers}}

    def who_has(self, futures: list) -> dict:
        return {future.key: self.held.get(future.key, ()) for future in futures}


def _runs(workers: list[str], held: dict[str, tuple[str, ...]], count: int) -> list[tuple[list[int], str]]:
    cluster = Cluster(ClusterSetting("tcp://nowhere:8786"))
    cluster.client = _Client(workers, held)
    return cluster.runs([SimpleNamespace(key=f"k{i}") for i in range(count)])


def test_runs_are_contiguous_by_index_whatever_the_placement():
    scattered = {"k0": ("w2",), "k1": ("w1",), "k2": ("w2",), "k3": ("w1",), "k4": ("w1",)}
    gathered = dict.fromkeys(scattered, ("w1",))
    for held in (scattered, gathered, {}):
        assert [run for run, _ in _runs(["w2", "w1"], held, 5)] == [[0, 1, 2], [3, 4]]


def test_each_run_is_hinted_to_the_worker_holding_most_of_it():
    held = {"k0": ("w2",), "k1": ("w1", "w2"), "k2": ("w1",), "k3": ("w1",)}
    assert _runs(["w1", "w2"], held, 4) == [([0, 1], "w2"), ([2, 3], "w1")]
    assert _runs(["w1", "w2"], {}, 2) == [([0], ""), ([1], "")]  # nothing known: no hint


def test_fewer_batches_than_workers_give_one_run_each():
    assert [run for run, _ in _runs(["a", "b", "c"], {}, 2)] == [[0], [1]]
    assert [run for run, _ in _runs([], {}, 3)] == [[0, 1, 2]]
