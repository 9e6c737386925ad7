"""The ordered thread map: order, bounded window, errors in place, inline with one thread."""

from __future__ import annotations

import threading
import time

import pytest

from aml_cli.ml.parallel import default_threads, ordered_map


def test_results_come_back_in_input_order_whatever_finishes_first():
    def slow_for_small(i: int) -> int:
        time.sleep(0.002 * (10 - i % 10))
        return i * i

    assert list(ordered_map(slow_for_small, range(40), threads=4)) == [i * i for i in range(40)]


def test_one_thread_runs_inline_on_the_calling_thread():
    caller = threading.get_ident()
    assert set(ordered_map(lambda _: threading.get_ident(), range(5), threads=1)) == {caller}


def test_no_more_than_the_window_is_drawn_ahead_of_the_consumer():
    drawn = []

    def source():
        for i in range(100):
            drawn.append(i)
            yield i

    results = ordered_map(lambda i: i, source(), threads=2, window=3)
    assert next(results) == 0
    assert len(drawn) <= 3 + 1


def test_an_error_is_raised_at_its_place_in_the_order():
    def fails_at_five(i: int) -> int:
        if i == 5:
            raise ValueError("five")
        return i

    seen = []
    with pytest.raises(ValueError, match="five"):
        for value in ordered_map(fails_at_five, range(20), threads=3):
            seen.append(value)
    assert seen == [0, 1, 2, 3, 4]


def test_default_threads_is_at_least_one():
    assert default_threads() >= 1
