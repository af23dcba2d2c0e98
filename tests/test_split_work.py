"""split_work.run_split: ranges cover every row once, results equal the one-range twin."""

import threading

import numpy as np
import pytest

import glassnet
from glassnet import split_work


@pytest.mark.parametrize(("n", "parts"), [(10, 3), (7, 7), (5, 9), (0, 2), (1000, 2)])
def test_row_ranges_cover_every_row_once(n, parts):
    ranges = split_work.row_ranges(n, parts)
    covered = np.concatenate([np.arange(n)[r] for r in ranges]) if n else np.array([])
    np.testing.assert_array_equal(covered, np.arange(n))
    lengths = [r.stop - r.start for r in ranges]
    assert max(lengths) - min(lengths) <= 1


def test_split_equals_one_range():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4001, 33))
    split_out, twin_out = np.empty_like(x), np.empty_like(x)

    def work(out):
        def rows(r):
            np.tanh(x[r], out=out[r])
            out[r] *= 2.0

        return rows

    glassnet.set_num_threads(2)
    try:
        assert split_work.split_count(len(x), 100) == 2
        split_work.run_split(work(split_out), len(x), min_rows=100)
    finally:
        glassnet.set_num_threads(None)
    work(twin_out)(slice(0, len(x)))
    np.testing.assert_array_equal(split_out, twin_out)


def test_small_work_stays_on_the_calling_thread():
    seen = []
    split_work.run_split(lambda r: seen.append(threading.current_thread()), 10, min_rows=100)
    assert seen == [threading.current_thread()]


def test_nested_split_runs_inline_and_an_error_reaches_the_caller():
    glassnet.set_num_threads(2)
    try:

        def outer(rows):
            assert split_work.split_count(1000, 1) == 1  # inside a range: no second split
            if rows.start > 0:
                raise KeyError("second range failed")

        with pytest.raises(KeyError, match="second range failed"):
            split_work.run_split(outer, 1000, min_rows=1)
    finally:
        glassnet.set_num_threads(None)


@pytest.mark.parametrize(
    ("per_row", "least", "expected"), [(1000, 1 << 17, 131), (1 << 20, 1 << 17, 1), (0, 8, 8)]
)
def test_min_rows_for_gives_each_thread_enough_numbers(per_row, least, expected):
    rows = split_work.min_rows_for(per_row, least)
    assert rows == expected
    assert rows == 1 or rows * max(1, per_row) <= least < (rows + 1) * max(1, per_row)
