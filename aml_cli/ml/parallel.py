"""Per-chunk work on several threads, results in input order, memory bounded by a window.

The heavy steps (parsing, featurising, scoring) spend their time in C code
that releases the GIL (pandas' parser, numpy, scipy.sparse), so threads give
the cores without copying chunks between processes. Results come back in the
order of their inputs whatever the thread count, and with one thread the
function runs inline: the single-core run is the same computation, in the
same order, so results do not depend on the number of threads.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_threads() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], threads: int = 1, window: int | None = None) -> Iterator[R]:
    """`map(fn, items)` on `threads` threads, in order, with at most `window` items in flight.

    Items are drawn from `items` on the calling thread (so an iterator over a
    file is read by one thread only); `window` (default 2 x threads) bounds
    the chunks held in memory at once. An exception in `fn` is raised here, at
    its item's place in the order, and the rest are cancelled.
    """
    if threads <= 1:
        yield from map(fn, items)
        return
    window = max(window or 2 * threads, threads)
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="aml-chunk") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
