"""glassnet.utils.benchmark (PyTorch's torch.utils.benchmark): Timer, Measurement, Compare.

No test asserts on how long anything took: only on structure (how many blocks, runs and
calls), on the statistics computed from given times, and on the tables' layout. Timing runs
use tiny ``min_run_time``s.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet
from glassnet import threads
from glassnet.errors import MissingTorchName
from glassnet.utils import benchmark
from glassnet.utils.benchmark import Compare, Measurement, TaskSpec, Timer

TINY = 0.01  # seconds of runs for the autorange tests

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def spec(**labels) -> TaskSpec:
    return TaskSpec(stmt=labels.pop("stmt", "x + y"), **labels)


class Counter:
    """A statement or setup that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


# ---------------------------------------------------------------------- Timer
def test_timeit_runs_the_statement_number_times_after_a_warm_up():
    stmt, setup = Counter(), Counter()
    m = Timer(stmt=stmt, setup=setup).timeit(number=300)
    assert stmt.calls == 300 + 3  # the block and a warm-up of number // 100
    assert setup.calls == 2  # once before each of the two blocks
    assert m.number_per_run == 300 and len(m.raw_times) == 1 and len(m.times) == 1
    assert m.times[0] == pytest.approx(m.raw_times[0] / 300)
    assert m.median == m.mean == m.times[0] and m.iqr == 0


def test_string_statements_see_globals_and_setup_names():
    seen = []
    m = Timer(stmt="seen.append(a + b)", setup="b = 2", globals={"seen": seen, "a": 1}).timeit(5)
    assert seen and set(seen) == {3}
    assert m.stmt == "seen.append(a + b)" and m.setup == "b = 2"


def test_torch_is_glassnet_in_the_namespace_and_globals_are_not_changed():
    given = {"n": 3}
    out = []
    Timer(stmt="out.append(torch.zeros(n))", globals={**given, "out": out}).timeit(1)
    assert isinstance(out[0], glassnet.Tensor) and out[0].shape == (3,)
    Timer(stmt="pass", globals=given).timeit(1)
    assert given == {"n": 3}


def test_blocked_autorange_blocks_add_up_to_min_run_time():
    blocks = []
    m = Timer(stmt="sum(range(20))").blocked_autorange(
        callback=lambda number, seconds: blocks.append((number, seconds)), min_run_time=TINY
    )
    assert sum(m.raw_times) >= TINY
    assert sum(m.raw_times[:-1]) < TINY  # it stops at the first block that reaches it
    assert blocks == [(m.number_per_run, t) for t in m.raw_times]
    assert m.times == pytest.approx([t / m.number_per_run for t in m.raw_times])
    assert min(m.times) <= m.median <= max(m.times)
    assert min(m.times) <= m.mean <= max(m.times)
    assert m.iqr >= 0


def test_block_size_is_one_two_or_five_times_a_power_of_ten():
    m = Timer(stmt="pass").blocked_autorange(min_run_time=TINY)
    digits = str(m.number_per_run)
    assert digits[0] in "125" and set(digits[1:]) <= {"0"}


def test_a_slow_statement_gets_blocks_of_one_run():
    m = Timer(stmt="time.sleep(0.004)", setup="import time").blocked_autorange(min_run_time=TINY)
    assert m.number_per_run == 1 and len(m.times) >= 1


def test_adaptive_autorange_stops_when_steady_enough():
    blocks = []
    m = Timer(stmt="pass").adaptive_autorange(
        threshold=1e9, min_run_time=TINY, callback=lambda n, t: blocks.append(n)
    )
    # with any spread accepted it stops at the first block with 4 blocks and TINY seconds
    assert len(m.times) >= 4 and sum(m.raw_times) >= TINY
    assert len(m.times) == 4 or sum(m.raw_times[:-1]) < TINY
    assert blocks == [m.number_per_run] * len(m.times)


def test_adaptive_autorange_stops_at_max_run_time():
    m = Timer(stmt="pass").adaptive_autorange(threshold=1e-12, min_run_time=TINY, max_run_time=0.03)
    assert sum(m.raw_times) >= 0.03 and sum(m.raw_times[:-1]) < 0.03


def _thread_counts() -> tuple[int, int]:
    return threads.thread_limit(), threads.get_num_threads()


@pytest.mark.parametrize("n", [1, 2], ids=["one-thread", "two-threads"])
def test_num_threads_holds_while_timing_and_is_put_back(n):
    pytest.importorskip("threadpoolctl")
    before = _thread_counts()
    seen = []
    Timer(stmt=lambda: seen.append(_thread_counts()), num_threads=n).timeit(3)
    assert set(seen) == {(n, n)}
    assert _thread_counts() == before


def test_num_threads_put_back_when_the_statement_raises():
    before = threads.thread_limit()
    with pytest.raises(ZeroDivisionError):
        Timer(stmt="1 / 0", num_threads=3).timeit(1)
    assert threads.thread_limit() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"stmt": 3}, TypeError, "stmt must be"),
        ({"setup": None}, TypeError, "setup must be"),
        ({"num_threads": 0}, ValueError, "num_threads"),
        ({"num_threads": 1.5}, ValueError, "num_threads"),
        ({"global_setup": "import os"}, ValueError, "global_setup"),
        ({"globals": [1]}, TypeError, "globals must be a dict"),
        ({"language": "fortran"}, ValueError, "language"),
        ({"language": "c++"}, MissingTorchName, "C++"),
    ],
    ids=[
        "stmt",
        "setup",
        "zero-threads",
        "float-threads",
        "global-setup",
        "globals",
        "lang",
        "cpp",
    ],
)
def test_bad_timer_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        Timer(**kwargs)


def test_syntax_errors_show_when_the_timer_is_made():
    with pytest.raises(SyntaxError):
        Timer(stmt="x +")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.timeit(0),
        lambda t: t.timeit(2.5),
        lambda t: t.blocked_autorange(min_run_time=0),
        lambda t: t.adaptive_autorange(max_run_time=-1),
        lambda t: t.adaptive_autorange(threshold=0),
    ],
    ids=["timeit-0", "timeit-float", "blocked-0", "adaptive-max", "adaptive-threshold"],
)
def test_bad_run_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call(Timer("pass"))


def test_repeat_and_callgrind_say_what_to_use_instead():
    with pytest.raises(NotImplementedError, match="blocked_autorange"):
        Timer("pass").repeat()
    with pytest.raises(MissingTorchName) as info:
        Timer("pass").collect_callgrind()
    assert "\n" not in str(info.value) and "collect_callgrind" in str(info.value)


# ---------------------------------------------------------------------- Measurement
RAW = [1e-3, 2e-3, 1.5e-3, 1.2e-3]


def test_measurement_statistics_from_given_times():
    m = Measurement(10, RAW, spec(label="L", sub_label="s", description="d"))
    times = np.array(RAW) / 10
    assert m.times == pytest.approx(times.tolist())
    assert m.median == pytest.approx(np.median(times))
    assert m.mean == pytest.approx(times.mean())
    assert m.iqr == pytest.approx(np.percentile(times, 75) - np.percentile(times, 25))
    assert m.title == "L: s" and m.as_row_name == "s" and m.description == "d"
    assert m.has_warnings  # the IQR is 35 % of the median
    assert not m.meets_confidence(0.1) and m.meets_confidence(0.5)


def test_measurement_matches_torch_statistics():
    torch_benchmark = pytest.importorskip("torch.utils.benchmark")
    ts = torch_benchmark.Timer("pass", label="L").timeit(1).task_spec
    theirs = torch_benchmark.Measurement(number_per_run=10, raw_times=RAW, task_spec=ts)
    ours = Measurement(10, RAW, spec(label="L"))
    for name in ("times", "median", "mean", "iqr", "number_per_run", "raw_times"):
        assert getattr(ours, name) == pytest.approx(getattr(theirs, name)), name
    assert ours.has_warnings == theirs.has_warnings


def test_significant_figures_grow_with_steadier_times():
    rng = np.random.default_rng(0)
    noisy = Measurement(1, (1e-3 * rng.uniform(0.5, 1.5, 50)).tolist(), spec())
    steady = Measurement(1, (1e-3 * (1 + 1e-4 * rng.standard_normal(50))).tolist(), spec())
    assert 1 <= noisy.significant_figures < steady.significant_figures <= 4
    assert Measurement(1, [1e-3, 2e-3], spec()).significant_figures == 1  # too few to tell
    # RAW: median 135 us, IQR 47.5 us over 4 blocks: +-1.645 * 47.5 / (1.349 * 2) = +-29 us
    assert Measurement(10, RAW, spec()).significant_figures == 2  # 1.35e-4 known to 1e-5


def test_measurement_printout_lines():
    one = repr(Measurement(100, [2.5e-3], spec(stmt="x @ x")))
    lines = one.splitlines()
    assert lines[0].startswith("<glassnet.utils.benchmark.Measurement object at 0x")
    assert lines[1:] == ["x @ x", "  25.00 us", "  1 measurement, 100 runs, 1 thread"]
    four = repr(Measurement(10, RAW, spec(label="L", description="d", num_threads=2)))
    assert four.splitlines()[1:] == [
        "L",
        "x + y",
        "d",
        "  Median: 135.00 us",
        "  IQR:    47.50 us (115.00 to 162.50)",
        "  4 measurements, 10 runs per measurement, 2 threads",
        "  WARNING: the interquartile range is 35.2% of the median: other work on the "
        "machine may have disturbed the timing.",
    ]
    m = Measurement(10, RAW, spec())
    assert str(m) == repr(m)


def test_setup_is_shown_unless_it_is_pass():
    m = Timer(stmt="a", setup="a = 1\nb = 2", label="L").timeit(1)
    assert "setup:\n  a = 1\n  b = 2" in repr(m)
    assert "setup" not in repr(Timer(stmt="pass").timeit(1))


def test_merge_pools_times_per_run_by_task():
    a, b = spec(description="a"), spec(description="b")
    merged = Measurement.merge(
        [Measurement(10, [1e-3, 2e-3], a), Measurement(2, [4e-4], a), Measurement(1, [5.0], b)]
    )
    assert [m.description for m in merged] == ["a", "b"]
    assert merged[0].number_per_run == 1
    assert merged[0].times == pytest.approx([1e-4, 2e-4, 2e-4])
    assert merged[1].times == [5.0]


@pytest.mark.parametrize(
    ("args", "error"),
    [((0, [1.0]), ValueError), ((1, []), ValueError), ((1, [1.0], "spec"), TypeError)],
    ids=["zero-runs", "no-times", "not-a-spec"],
)
def test_bad_measurements_are_refused(args, error):
    number, raw, *rest = args
    with pytest.raises(error):
        Measurement(number, raw, rest[0] if rest else spec())


# ---------------------------------------------------------------------- Compare
def grid() -> list[Measurement]:
    """2 sub_labels x 3 descriptions x 2 thread counts, median (i + 1) microseconds each."""
    out = []
    i = 0
    for threads_ in (1, 2):
        for sub in ("small", "large"):
            for desc in ("add", "mul", "matmul"):
                i += 1
                task = spec(label="ops", sub_label=sub, description=desc, num_threads=threads_)
                out.append(Measurement(1, [i * 1e-6] * 5, task))
    return out


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of a table (the lines with a ``|``)."""
    return [
        [c.strip() for c in ANSI.sub("", line).split("|")]
        for line in text.splitlines()
        if "|" in line
    ]


def test_compare_has_a_row_per_sub_label_and_a_column_per_description():
    text = str(Compare(grid()))
    rows = table_rows(text)
    header, body = rows[0], rows[1:]
    assert header == ["", "add", "mul", "matmul"]
    assert [r[0] for r in body] == ["small", "large", "small", "large"]  # per thread section
    assert [r[1:] for r in body] == [[f"{3 * k + j + 1:.1f}" for j in range(3)] for k in range(4)]
    assert text.count("1 thread: ") == 1 and text.count("2 threads: ") == 1
    assert text.index("1 thread: ") < text.index("2 threads: ")
    assert text.splitlines()[0].startswith("[") and " ops " in text.splitlines()[0]
    assert "Times are in microseconds (us)." in text


def test_compare_layout_matches_torch():
    torch_benchmark = pytest.importorskip("torch.utils.benchmark")
    theirs = []
    for m in grid():
        ts = torch_benchmark.Timer(
            "pass", label=m.label, sub_label=m.sub_label, description=m.description,
            num_threads=m.num_threads,
        ).timeit(1).task_spec  # fmt: skip
        theirs.append(torch_benchmark.Measurement(1, m.raw_times, ts))
    assert table_rows(str(Compare(grid()))) == table_rows(str(torch_benchmark.Compare(theirs)))


def test_one_table_per_label_in_its_own_unit():
    fast = Measurement(1, [3e-9] * 4, spec(label="fast"))
    slow = Measurement(1, [2.0] * 4, spec(label="slow", sub_label="big"))
    text = str(Compare([fast, slow]))
    assert text.count("Times are in") == 2
    assert "nanoseconds (ns)" in text and "seconds (s)." in text
    names = [r[0] for r in table_rows(text) if r[0]]  # the rows, not the headers
    assert names == ["x + y", "big"]  # the statement stands for a missing sub_label


def test_several_measurements_of_one_cell_are_pooled():
    task = spec(label="L", sub_label="s", description="d")
    text = str(Compare([Measurement(1, [1e-6] * 3, task), Measurement(1, [3e-6] * 4, task)]))
    assert table_rows(text)[1] == ["s", "3.0"]  # the median of the seven times


def test_trim_significant_figures_rounds_cells():
    rng = np.random.default_rng(1)
    noisy = Measurement(
        1, (1.2345e-3 * (1 + 0.3 * rng.standard_normal(8))).tolist(), spec(label="L")
    )
    c = Compare([noisy])
    before = table_rows(str(c))[1][1]
    c.trim_significant_figures()
    after = table_rows(str(c))[1][1]
    unit, scale = benchmark.select_unit(noisy.median)
    assert unit == "ms"
    assert float(after) == benchmark.trim_sigfig(noisy.median / scale, noisy.significant_figures)
    assert after != before and float(after) == pytest.approx(float(before), rel=0.5)


def test_colorize_marks_the_fastest_of_each_column():
    c = Compare(grid())
    assert "\x1b[" not in str(c)
    c.colorize()
    lines = [line for line in str(c).splitlines() if "small" in line]
    assert all("\x1b[1m\x1b[92m" in line for line in lines[:1])  # small is fastest per column
    c.colorize(rowwise=True)
    first = next(line for line in str(c).splitlines() if "small" in line)
    cells = first.split("|")[1:]
    assert "\x1b[1m\x1b[92m" in cells[0] and "\x1b[1m\x1b[92m" not in cells[2]


def test_highlight_warnings_marks_noisy_cells_only():
    noisy = Measurement(1, RAW, spec(label="L", sub_label="noisy"))
    steady = Measurement(1, [1e-3] * 4, spec(label="L", sub_label="steady"))
    c = Compare([noisy, steady])
    assert "(!" not in str(c)
    c.highlight_warnings()
    rows = {r[0]: r[1] for r in table_rows(str(c))[1:]}
    assert rows["noisy"].endswith("(! 35%)") and "(!" not in rows["steady"]


def test_compare_refuses_other_objects_and_extends():
    with pytest.raises(TypeError, match="Measurement"):
        Compare([1.0])
    c = Compare([])
    c.extend_results(grid()[:2])
    assert len(table_rows(str(c))) == 2


def test_helpers():
    assert benchmark.select_unit(3e-5) == ("us", 1e-6)
    assert benchmark.select_unit(2.0) == ("s", 1.0)
    assert benchmark.select_unit(3e-9) == ("ns", 1e-9)
    assert benchmark.trim_sigfig(23890.7, 2) == 24000.0
    assert benchmark.unit_to_english("ms") == "millisecond"
    assert benchmark.ordered_unique([3, 1, 3, 2]) == [3, 1, 2]


def test_torch_utils_benchmark_is_this_module_under_the_alias():
    from glassnet.torch_alias import aliased_torch

    with aliased_torch():
        import torch.utils.benchmark as tb

        assert tb is benchmark and tb.Timer is Timer
