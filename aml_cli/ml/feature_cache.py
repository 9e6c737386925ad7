"""Featurized rows on disk, so the CSV is parsed once however many passes follow.

Each part is four ``.npy`` files — the CSR arrays (data float32, indices int32,
indptr int64) and the targets — written as the first pass featurizes a chunk
and read back by later passes with ``np.load(mmap_mode="r",
allow_pickle=False)``: the operating system pages them in as a pass walks
through, so memory stays bounded by one part whatever the data's size.

``shuffled`` rewrites a cache once, deterministically from a seed: parts are
grouped in a seeded random order into windows of bounded size and the rows of
each window are permuted. When the data fits in one window this is a full
shuffle; beyond that, rows mix within windows built from parts far apart in
the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .sgd import Batch

_ARRAYS = ("data", "indices", "indptr", "y")
_FILE_MODE, _DIR_MODE = 0o600, 0o700  # features hold the user's data: the owner's alone, whatever the umask


def private_folder(directory: Path) -> Path:
    """`directory` and its missing parents, made 0700."""
    missing = []
    current = Path(directory)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=_DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, _DIR_MODE)
    return Path(directory)


def save_private(path: Path, array: np.ndarray) -> None:
    """`np.save` into a new file made 0600 (never through a link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, _FILE_MODE)
    os.fchmod(fd, _FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


@dataclass(frozen=True)
class Part:
    """One stored chunk: its file stem and sizes."""

    stem: str
    rows: int
    nnz: int


class FeatureCache:
    """An append-only sequence of (CSR matrix, targets) parts in one directory."""

    def __init__(self, directory: Path, n_features: int) -> None:
        self.directory = private_folder(Path(directory))
        self.n_features = n_features
        self.parts: list[Part] = []

    @property
    def rows(self) -> int:
        return sum(part.rows for part in self.parts)

    @property
    def nnz(self) -> int:
        return sum(part.nnz for part in self.parts)

    def append(self, X: sp.csr_matrix, y: np.ndarray) -> None:
        """Store one chunk (empty chunks are skipped)."""
        self.append_arrays(part_arrays(X, y, self.n_features))

    def append_arrays(self, arrays: dict[str, np.ndarray] | None) -> None:
        """Store one chunk's arrays as ``part_arrays`` made them (None: an empty chunk, skipped)."""
        if arrays is None:
            return
        stem = f"part-{len(self.parts):06d}"
        for name, array in arrays.items():
            save_private(self.directory / f"{stem}.{name}.npy", array)
        self.parts.append(Part(stem, len(arrays["y"]), len(arrays["data"])))

    def read(self, index: int) -> tuple[sp.csr_matrix, np.ndarray]:
        """One part, memory-mapped (nothing is copied until used)."""
        stem = self.parts[index].stem
        a = {
            name: np.load(self.directory / f"{stem}.{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS
        }
        return matrix_of(a, self.n_features), a["y"]

    def __iter__(self) -> Iterator[tuple[sp.csr_matrix, np.ndarray]]:
        for index in range(len(self.parts)):
            yield self.read(index)

    def remove(self) -> None:
        """Delete the cache's files."""
        shutil.rmtree(self.directory, ignore_errors=True)
        self.parts = []


def matrix_of(arrays: dict[str, np.ndarray], n_features: int) -> sp.csr_matrix:
    """The CSR matrix of a part's arrays (as `part_arrays` made them), sharing their memory."""
    return sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                         shape=(len(arrays["y"]), n_features), copy=False)


def part_arrays(X: sp.csr_matrix, y: np.ndarray, n_features: int) -> dict[str, np.ndarray] | None:
    """A chunk's CSR arrays as the cache stores them (sorted column indices; None for no rows).

    Pure, so featurising threads can make them while the cache writes the parts before in order.
    """
    if X.shape[0] == 0:
        return None
    if X.shape[0] != len(y) or X.shape[1] != n_features:
        raise ValueError("chunk shape does not match the cache")
    X = X.tocsr()
    X.sort_indices()
    return {
        "data": X.data.astype(np.float32, copy=False),
        "indices": X.indices.astype(np.int32, copy=False),
        "indptr": X.indptr.astype(np.int64, copy=False),
        "y": np.asarray(y),
    }


def shuffled(source: FeatureCache, directory: Path, rng: np.random.Generator, window_nnz: int) -> FeatureCache:
    """A copy of ``source`` with rows shuffled within windows of at most ``window_nnz`` non-zeros.

    A part larger than the window forms a window of its own.
    """
    target = FeatureCache(directory, source.n_features)
    order = rng.permutation(len(source.parts))
    window: list[int] = []
    size = 0
    for index in order.tolist():
        nnz = source.parts[index].nnz
        if window and size + nnz > window_nnz:
            _write_window(source, target, window, rng)
            window, size = [], 0
        window.append(index)
        size += nnz
    if window:
        _write_window(source, target, window, rng)
    return target


def _write_window(source: FeatureCache, target: FeatureCache, window: list[int], rng: np.random.Generator) -> None:
    parts = [source.read(i) for i in window]
    X = sp.vstack([p[0] for p in parts], format="csr") if len(parts) > 1 else parts[0][0]
    y = np.concatenate([np.asarray(p[1]) for p in parts])
    permutation = rng.permutation(len(y))
    target.append(X[permutation], y[permutation])


_BATCH_ARRAYS = ("data", "indices", "indptr", "y", "cols", "bounds")


class BatchStore:
    """Training batches cut and column-renumbered once, stored so later passes only slice them.

    Batches are grouped into windows of bounded size; a window is seven
    ``.npy`` files (the CSR arrays of all its batches end to end, each batch's
    own ``indptr`` starting at 0, the targets, the touched columns, and a
    table of where each batch starts in each array). Reading a batch is a few
    slices of memory-mapped arrays: no copy, no parsing.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = private_folder(Path(directory))
        self.windows = 0
        self._pending: list[Batch] = []
        self._pending_nnz = 0

    def add(self, batch: Batch, window_nnz: int) -> None:
        """Queue a batch; a full window is written out."""
        self._pending.append(batch)
        self._pending_nnz += batch.X.nnz
        if self._pending_nnz >= window_nnz:
            self.flush()

    def flush(self) -> None:
        """Write the queued batches as one window."""
        if not self._pending:
            return
        batches, self._pending, self._pending_nnz = self._pending, [], 0
        rows = np.cumsum([0] + [b.X.shape[0] for b in batches])
        nnz = np.cumsum([0] + [b.X.nnz for b in batches])
        ncols = np.cumsum([0] + [0 if b.cols is None else b.cols.size for b in batches])
        dense = np.array([b.cols is None for b in batches] + [False], dtype=np.int64)
        arrays = {
            "data": np.concatenate([b.X.data.astype(np.float32, copy=False) for b in batches]),
            "indices": np.concatenate([b.X.indices.astype(np.int32, copy=False) for b in batches]),
            "indptr": np.concatenate([b.X.indptr.astype(np.int32, copy=False) for b in batches]),
            "y": np.concatenate([np.asarray(b.y) for b in batches]),
            "cols": np.concatenate([np.zeros(0, np.int64)] + [b.cols for b in batches if b.cols is not None]),
            "bounds": np.stack([rows, nnz, ncols, dense, [b.X.shape[1] for b in batches] + [0]], axis=1),
        }
        for name, array in arrays.items():
            save_private(self.directory / f"window-{self.windows:06d}.{name}.npy", array)
        self.windows += 1

    def __iter__(self) -> Iterator[Batch]:
        for window in range(self.windows):
            a = {  # plain arrays over the maps: a memmap's slices cost a Python call each
                name: np.asarray(np.load(self.directory / f"window-{window:06d}.{name}.npy", mmap_mode="r",
                                         allow_pickle=False))
                for name in _BATCH_ARRAYS
            }
            bounds = np.asarray(a["bounds"])
            for i in range(len(bounds) - 1):
                (r0, p0, c0, dense, width), (r1, p1, c1, _, _) = bounds[i], bounds[i + 1]
                X = sp.csr_matrix(
                    (a["data"][p0:p1], a["indices"][p0:p1], a["indptr"][r0 + i : r1 + i + 1]),
                    shape=(int(r1 - r0), int(width)),
                    copy=False,
                )
                yield Batch(X, a["y"][r0:r1], None if dense else a["cols"][c0:c1])

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        self.windows = 0
