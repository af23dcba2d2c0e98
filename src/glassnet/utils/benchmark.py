"""glassnet.utils.benchmark: timing statements, as PyTorch's ``torch.utils.benchmark``
(``Timer``, ``Measurement``, ``Compare``).

A ``Timer`` runs a statement many times and measures the wall time. One measurement is a
block of ``number`` runs timed together; the time per run is the block's time over
``number``, and the block is made long enough that reading the clock costs nothing next to
it. Repeating blocks gives replicates: their median is robust to the odd slow block (another
program waking up), and their interquartile range (IQR, the spread of the middle half) says
how steady the machine was::

    >>> import glassnet.utils.benchmark as benchmark
    >>> x = glassnet.randn(64, 64)
    >>> m = benchmark.Timer("x @ x", globals={"x": x}, label="matmul").blocked_autorange()
    >>> m.median            # seconds per run
    >>> print(m)            # label, statement, median, IQR, how many blocks of how many runs

``Compare`` lays out many measurements as one table per label: a row per ``sub_label``, a
column per ``description``, a section per thread count.

The timing itself is Python's ``timeit``: a loop compiled from the statement, with the
garbage collector off while it runs. As in PyTorch, ``setup`` runs before every block (outside
the timed loop), the statement runs with ``num_threads`` threads (1 by default, so that
results compare across machines: glassnet's BLAS threads, its own split work and its compiled
loops, for the timing only) and the namespace knows ``torch`` (glassnet, which it is under
``glassnet run``) without ``globals``. Unlike PyTorch, ``stmt`` and ``setup`` may also be
callables. Counting instructions with Valgrind (``collect_callgrind``) and the input fuzzers
are not here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import math
import timeit as _timeit
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .. import threads
from ..errors import MissingTorchName

__all__ = [
    "Colorize",
    "Compare",
    "Language",
    "Measurement",
    "TaskSpec",
    "Timer",
    "ordered_unique",
    "select_unit",
    "timer",
    "trim_sigfig",
    "unit_to_english",
]

#: The clock: the highest-resolution one Python has (PyTorch's default too).
timer = _timeit.default_timer

#: A block of runs lasts at least this many readings of the clock: reading it then costs
#: under 0.1 % of the block.
_CLOCK_READINGS_PER_BLOCK = 1000

#: blocked_autorange aims at about this many blocks in its ``min_run_time``.
_BLOCKS_PER_RUN_TIME = 10

#: Measurements whose IQR is more than this fraction of their median carry a warning.
_NOISY = 0.1

#: The most significant figures a measurement claims.
_MOST_FIGURES = 4

#: The z value of a two-sided 90 % interval, for the significant figures of a median.
_Z_90 = 1.645

_UNITS = (("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1.0))
_UNIT_WORDS = {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}


class Language(enum.Enum):
    """The language of a Timer's statement; glassnet times Python only."""

    PYTHON = 0
    CPP = 1


class Colorize(enum.Enum):
    """How ``Compare.colorize`` compares cells: not at all, down each column, along each row."""

    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


def select_unit(t: float) -> tuple[str, float]:
    """The unit to show a time of ``t`` seconds in, and its size in seconds:
    ``select_unit(3e-5) == ("us", 1e-6)``."""
    for (unit, scale), limit in zip(_UNITS, (1e-6, 1e-3, 1.0)):
        if t < limit:  # the limits written out: 1e-9 * 1000 is a hair above 1e-6
            return unit, scale
    return "s", 1.0


def unit_to_english(unit: str) -> str:
    """``"us"`` -> ``"microsecond"``."""
    return _UNIT_WORDS[unit]


def trim_sigfig(x: float, n: int) -> float:
    """``x`` rounded to ``n`` significant figures: ``trim_sigfig(23890.7, 2) == 24000.0``."""
    if x == 0 or not math.isfinite(x):
        return x
    digits = n - 1 - math.floor(math.log10(abs(x)))
    return round(x, digits)


def ordered_unique(items: Iterable[Any]) -> list[Any]:
    """The items without repeats, in the order they first appear."""
    return list(dict.fromkeys(items))


def _code_text(code: str | Callable) -> str:
    """How a statement is shown: the code itself, or ``name()`` for a callable."""
    if callable(code):
        return f"{getattr(code, '__qualname__', type(code).__name__)}()"
    return code


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """What was timed and how it is labelled: everything a Measurement says besides its times.

    ``label`` names what is measured (one table in ``Compare``), ``sub_label`` one variant (a
    row), ``description`` another axis (a column), ``env`` the environment (a build, a
    machine); ``num_threads`` the threads it ran with.
    """

    stmt: str | Callable
    setup: str | Callable = "pass"
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """``"label: sub_label"``, the label, or else the statement."""
        if self.label is None:
            return _code_text(self.stmt)
        return self.label if self.sub_label is None else f"{self.label}: {self.sub_label}"

    def setup_str(self) -> str:
        """``"setup: code"`` (code on its own lines when it has several); empty for ``pass``."""
        text = _code_text(self.setup)
        if text == "pass":
            return ""
        if "\n" not in text.strip():
            return f"setup: {text.strip()}"
        return "setup:\n" + "\n".join(f"  {line}" for line in text.strip().splitlines())

    def summarize(self) -> str:
        """The lines that head a Measurement's printout: title, statement, description, env,
        setup (each when there is one)."""
        lines = [self.title]
        if self.label is not None:
            lines.append(_code_text(self.stmt))
        lines += [x for x in (self.description, self.env and f"env: {self.env}") if x]
        setup = self.setup_str()
        return "\n".join(lines + ([setup] if setup else []))


class Measurement:
    """Replicated timings of one statement: blocks of ``number_per_run`` runs each.

    ``raw_times`` are the blocks' times (seconds per block), ``times`` the same per run
    (``raw_times[i] / number_per_run``); ``median``, ``mean`` and ``iqr`` are over ``times``.
    ``len(times) * number_per_run`` runs were timed in all.

    Args:
        number_per_run: runs in each block.
        raw_times: the time of each block in seconds.
        task_spec: what was timed (a ``TaskSpec``).
        metadata: anything to keep with it (a dict), or None.
    """

    def __init__(
        self,
        number_per_run: int,
        raw_times: list[float],
        task_spec: TaskSpec,
        metadata: dict | None = None,
    ) -> None:
        if (
            isinstance(number_per_run, bool)
            or not isinstance(number_per_run, int)
            or number_per_run < 1
        ):
            raise ValueError(
                f"Measurement: number_per_run must be a whole number >= 1, got {number_per_run!r}"
            )
        if not isinstance(task_spec, TaskSpec):
            raise TypeError(
                f"Measurement: task_spec must be a TaskSpec, got {type(task_spec).__name__}"
            )
        raw = [float(t) for t in raw_times]
        if not raw:
            raise ValueError("Measurement: raw_times is empty; expected at least one block's time")
        self.number_per_run = number_per_run
        self.raw_times = raw
        self.task_spec = task_spec
        self.metadata = metadata
        self.times = [t / number_per_run for t in raw]
        # numpy's default (linear) quantiles, the same as PyTorch's
        self._p25, self._median, self._p75 = (
            float(q) for q in np.quantile(self.times, [0.25, 0.5, 0.75])
        )
        self._mean = float(np.mean(self.times))

    # ---------------------------------------------------------------- the statistics
    @property
    def median(self) -> float:
        """The median time per run, in seconds."""
        return self._median

    @property
    def mean(self) -> float:
        """The mean time per run, in seconds."""
        return self._mean

    @property
    def iqr(self) -> float:
        """The interquartile range of the times per run: 75th minus 25th percentile, seconds."""
        return self._p75 - self._p25

    @property
    def significant_figures(self) -> int:
        """How many digits of the median can be trusted (1 to 4), estimated from the IQR.

        For roughly normal noise the standard deviation is IQR / 1.349, so the median of n
        replicates is known to about z * IQR / (1.349 * sqrt(n)) (z = 1.645 for a 90 %
        interval); the figures are the digits of the median down to that uncertainty's first
        digit. Fewer than 4 replicates say too little about the spread: 1 figure; and more
        than 4 are never claimed, as a wall clock's readings are not steadier than that.
        """
        n = len(self.times)
        if n < 4 or self._median <= 0:
            return 1
        uncertainty = _Z_90 * self.iqr / (1.349 * math.sqrt(n))
        if uncertainty <= 0:
            return _MOST_FIGURES
        figures = math.floor(math.log10(self._median)) - math.floor(math.log10(uncertainty)) + 1
        return int(min(_MOST_FIGURES, max(1, figures)))

    def meets_confidence(self, threshold: float = _NOISY) -> bool:
        """Whether the IQR is below ``threshold`` times the median (a steady measurement)."""
        return self._median > 0 and self.iqr / self._median < threshold

    @property
    def _warnings(self) -> tuple[str, ...]:
        if len(self.times) < 4 or self._median <= 0 or self.iqr / self._median <= _NOISY:
            return ()
        share = 100 * self.iqr / self._median
        return (
            f"  WARNING: the interquartile range is {share:.1f}% of the median: other work on "
            "the machine may have disturbed the timing.",
        )

    @property
    def has_warnings(self) -> bool:
        """Whether the replicates spread widely (IQR above 10 % of the median)."""
        return bool(self._warnings)

    # ---------------------------------------------------------------- what was timed
    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def as_row_name(self) -> str:
        """The row's name in ``Compare``: the sub_label, else the statement."""
        return self.task_spec.sub_label or _code_text(self.task_spec.stmt) or "[Unknown]"

    @property
    def stmt(self) -> str | Callable:
        return self.task_spec.stmt

    @property
    def setup(self) -> str | Callable:
        return self.task_spec.setup

    @property
    def global_setup(self) -> str:
        return self.task_spec.global_setup

    @property
    def label(self) -> str | None:
        return self.task_spec.label

    @property
    def sub_label(self) -> str | None:
        return self.task_spec.sub_label

    @property
    def description(self) -> str | None:
        return self.task_spec.description

    @property
    def env(self) -> str | None:
        return self.task_spec.env

    @property
    def num_threads(self) -> int:
        return self.task_spec.num_threads

    @staticmethod
    def merge(measurements: Iterable[Measurement]) -> list[Measurement]:
        """Pool the replicates of measurements of the same task into one each.

        Times are kept per run (``number_per_run=1``), since the blocks may have had different
        sizes; metadata is dropped, as it may differ between them.
        """
        pooled: dict[TaskSpec, list[float]] = {}
        for m in measurements:
            if not isinstance(m, Measurement):
                raise TypeError(f"merge expects Measurements, got {type(m).__name__}")
            pooled.setdefault(m.task_spec, []).extend(m.times)
        return [Measurement(1, times, spec) for spec, times in pooled.items()]

    def __repr__(self) -> str:
        n = len(self.times)
        unit, scale = select_unit(self._median)
        lines = [f"<{type(self).__module__}.{type(self).__qualname__} object at {hex(id(self))}>"]
        lines.append(self.task_spec.summarize())
        if n == 1:
            lines.append(f"  {self._median / scale:.2f} {unit}")
        else:
            lines.append(f"  Median: {self._median / scale:.2f} {unit}")
        if n >= 4:
            lines.append(
                f"  IQR:    {self.iqr / scale:.2f} {unit} "
                f"({self._p25 / scale:.2f} to {self._p75 / scale:.2f})"
            )
        runs = "run" if self.number_per_run == 1 else "runs"
        threads_word = "thread" if self.num_threads == 1 else "threads"
        if n == 1:
            lines.append(
                f"  1 measurement, {self.number_per_run} {runs}, {self.num_threads} {threads_word}"
            )
        else:
            lines.append(
                f"  {n} measurements, {self.number_per_run} {runs} per measurement, "
                f"{self.num_threads} {threads_word}"
            )
        lines += self._warnings
        return "\n".join(lines)

    __str__ = __repr__


@contextlib.contextmanager
def _thread_count(n: int) -> Iterator[None]:
    """Run the block with ``n`` threads everywhere glassnet chooses a thread count.

    That is NumPy's BLAS (``threads.blas_threads``) and glassnet's own parallel work (the split
    work and the compiled loops, which ask ``threads.thread_limit()``, the user's choice first).
    The user's choice is put back afterwards.
    """
    before = threads._chosen  # put back below (threads has no public getter for it)
    threads._chosen = n
    try:
        with threads.blas_threads(n):
            yield
    finally:
        threads._chosen = before


class Timer:
    """Times a statement, as PyTorch's ``torch.utils.benchmark.Timer``.

    Args:
        stmt: the code to time (a string, run with ``globals``), or a callable taking nothing.
        setup: code run before each block of runs, not timed (a string or a callable).
        global_setup: C++ only in PyTorch; must stay empty.
        timer: the clock, a function returning seconds (``time.perf_counter``).
        globals: the names ``stmt`` and ``setup`` see (copied; ``torch`` is added as glassnet).
        label, sub_label, description, env: how the measurement is labelled (see ``TaskSpec``).
        num_threads: how many threads the statement may use while it is timed.
        language: "python" (or ``Language.PYTHON``); glassnet cannot time C++.

    Methods: ``timeit(number)`` one block; ``blocked_autorange(min_run_time=0.2)`` blocks until
    ``min_run_time`` seconds of runs; ``adaptive_autorange(threshold=0.1, ...)`` blocks until
    the IQR is below ``threshold`` times the median.
    """

    def __init__(
        self,
        stmt: str | Callable = "pass",
        setup: str | Callable = "pass",
        global_setup: str = "",
        timer: Callable[[], float] = timer,
        globals: dict[str, Any] | None = None,  # noqa: A002 - PyTorch's argument name
        label: str | None = None,
        sub_label: str | None = None,
        description: str | None = None,
        env: str | None = None,
        num_threads: int = 1,
        language: Language | str = Language.PYTHON,
    ) -> None:
        if _language(language) is Language.CPP:
            raise MissingTorchName(
                "timing C++ statements (Timer(language='c++'): glassnet times Python only)"
            )
        for name, code in (("stmt", stmt), ("setup", setup)):
            if not (isinstance(code, str) or callable(code)):
                raise TypeError(
                    f"Timer: {name} must be Python code (a string) or a callable, "
                    f"got {type(code).__name__}"
                )
        if global_setup:
            raise ValueError(
                f"Timer: global_setup is for C++ statements only, got {global_setup!r}; "
                "put Python code in setup instead"
            )
        if not callable(timer):
            raise TypeError(f"Timer: timer must be a function returning seconds, got {timer!r}")
        if globals is not None and not isinstance(globals, dict):
            raise TypeError(f"Timer: globals must be a dict, got {type(globals).__name__}")
        if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"Timer: num_threads must be a whole number >= 1, got {num_threads!r}")
        namespace = dict(globals or {})
        if "torch" not in namespace or "glassnet" not in namespace:
            import glassnet  # the package above this one: only imported when a Timer is made

            namespace.setdefault("torch", glassnet)
            namespace.setdefault("glassnet", glassnet)
        self._clock = timer
        # timeit compiles stmt and setup into one function now: a syntax error shows here
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=namespace)
        self._task_spec = TaskSpec(
            stmt=stmt, setup=setup, global_setup=global_setup, label=label, sub_label=sub_label,
            description=description, env=env, num_threads=num_threads,
        )  # fmt: skip

    # ---------------------------------------------------------------- running
    def _timeit(self, number: int) -> float:
        """Seconds for one block of ``number`` runs (setup first, untimed)."""
        return max(self._timer.timeit(number), 0.0)

    def _clock_cost(self) -> float:
        """Seconds one reading of the clock takes (the least of a few tries)."""
        clock = self._clock
        costs = []
        for _ in range(5):
            start = clock()
            costs.append(clock() - start)
        return max(min(costs), 0.0)

    def _block_size(self, block_time: float) -> int:
        """Runs per block so that a block lasts about ``block_time`` seconds, and at least
        ``_CLOCK_READINGS_PER_BLOCK`` readings of the clock.

        After one run to warm up (a first run may be slow: caches fill, libraries set
        themselves up), the statement is run in blocks of 1, 10, 100, ... runs until one takes
        a tenth of the aim; the block is then scaled to the aim and rounded down to 1, 2 or 5
        times a power of ten.
        """
        aim = max(block_time, _CLOCK_READINGS_PER_BLOCK * self._clock_cost())
        self._timeit(1)  # the very first run may be slow (lazy set-up): it must not set the size
        number = 1
        while True:
            elapsed = self._timeit(number)
            if elapsed >= aim / 10 or number >= 10**9:
                break
            number *= 10
        wanted = max(1.0, number * aim / max(elapsed, 1e-12))
        power = 10 ** math.floor(math.log10(wanted))
        return int(max(m * power for m in (1, 2, 5) if m * power <= wanted))

    def timeit(self, number: int = 1000000) -> Measurement:
        """One block of ``number`` runs, after a warm-up of ``number // 100`` runs (at least
        one): a Measurement with one replicate, as Python's ``timeit.Timer.timeit``."""
        number = _runs(number, "timeit")
        with _thread_count(self._task_spec.num_threads):
            self._timeit(max(1, number // 100))
            elapsed = self._timeit(number)
        return Measurement(number, [elapsed], self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1) -> list[Measurement]:
        """Not offered, as in PyTorch: ``blocked_autorange`` gives the replicates instead."""
        raise NotImplementedError(
            "Timer.repeat is not offered (as in PyTorch): use blocked_autorange(), which "
            "repeats blocks of runs, or timeit(number) for one block"
        )

    def autorange(self, callback: Callable[[int, float], Any] | None = None) -> None:
        """Not offered, as in PyTorch: ``blocked_autorange`` chooses the block size."""
        raise NotImplementedError(
            "Timer.autorange is not offered (as in PyTorch): use blocked_autorange()"
        )

    def blocked_autorange(
        self, callback: Callable[[int, float], Any] | None = None, min_run_time: float = 0.2
    ) -> Measurement:
        """Blocks of runs until their times add up to ``min_run_time`` seconds.

        The block size is chosen first (``_block_size``: about a tenth of ``min_run_time``, and
        long enough that reading the clock does not count), so there are about ten replicates.
        ``callback(number, seconds)`` is called after each block.
        """
        min_run_time = _seconds(min_run_time, "min_run_time")
        with _thread_count(self._task_spec.num_threads):
            number = self._block_size(min_run_time / _BLOCKS_PER_RUN_TIME)
            times: list[float] = []
            while not times or sum(times) < min_run_time:
                times.append(self._timeit(number))
                if callback is not None:
                    callback(number, times[-1])
        return Measurement(number, times, self._task_spec)

    def adaptive_autorange(
        self,
        threshold: float = _NOISY,
        *,
        min_run_time: float = 0.01,
        max_run_time: float = 10.0,
        callback: Callable[[int, float], Any] | None = None,
    ) -> Measurement:
        """Blocks of runs until the times are steady: at least 4 blocks and ``min_run_time``
        seconds, and an IQR below ``threshold`` times the median; or ``max_run_time`` seconds.

        ``callback(number, seconds)`` is called after each block.
        """
        min_run_time = _seconds(min_run_time, "min_run_time")
        max_run_time = _seconds(max_run_time, "max_run_time")
        if not (isinstance(threshold, (int, float)) and threshold > 0):
            raise ValueError(
                f"adaptive_autorange: threshold must be a number > 0, got {threshold!r}"
            )
        with _thread_count(self._task_spec.num_threads):
            number = self._block_size(min_run_time / _BLOCKS_PER_RUN_TIME)
            times: list[float] = []
            while not times or sum(times) < max_run_time:
                times.append(self._timeit(number))
                if callback is not None:
                    callback(number, times[-1])
                if len(times) >= 4 and sum(times) >= min_run_time:
                    if Measurement(number, times, self._task_spec).meets_confidence(threshold):
                        break
        return Measurement(number, times, self._task_spec)

    def collect_callgrind(self, *args: Any, **kwargs: Any) -> Any:
        """Instruction counts need Valgrind's Callgrind, which glassnet does not drive."""
        raise MissingTorchName(
            "torch.utils.benchmark.Timer.collect_callgrind (instruction counts with Valgrind; "
            "blocked_autorange() measures the wall time)"
        )


def _language(language: Language | str) -> Language:
    if isinstance(language, Language):
        return language
    names = {
        "py": Language.PYTHON,
        "python": Language.PYTHON,
        "cpp": Language.CPP,
        "c++": Language.CPP,
    }
    if isinstance(language, str) and language.lower() in names:
        return names[language.lower()]
    raise ValueError(f"Timer: language must be 'python' (or 'c++'), got {language!r}")


def _runs(number: Any, where: str) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"{where}: number must be a whole number of runs >= 1, got {number!r}")
    return number


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
    return float(value)


# ---------------------------------------------------------------------- Compare
# ANSI terminal colours for Compare.colorize
_BOLD, _DIM, _GREEN, _RED, _YELLOW, _END = (
    "\033[1m", "\033[2m", "\033[92m", "\033[31m", "\033[33m", "\033[0m",
)  # fmt: skip


def _colour(ratio: float) -> str:
    """The colour of a cell ``ratio`` times slower than the fastest it is compared with:
    the fastest bold green, within 10 % green, up to 2x yellow, beyond that red (bold from 5x)."""
    if ratio <= 1.0:
        return _BOLD + _GREEN
    if ratio <= 1.1:
        return _GREEN
    if ratio <= 2.0:
        return _YELLOW
    return _RED if ratio <= 5.0 else _BOLD + _RED


class Compare:
    """Many measurements as tables, as PyTorch's ``torch.utils.benchmark.Compare``.

    One table per ``label``; in it a column per ``description``, a section per thread count,
    and in each section a row per ``sub_label`` (or statement, without one). A cell is the
    median time of its measurement (measurements of one cell are pooled), all cells of a table
    in one unit, the one that suits its fastest::

        [------------ ops ------------]
                     |    mm    |  add
        1 thread: ---------------------
              n=10   |     3.7  |  1.6
              n=100  |    25.9  |  6.0

        Times are in microseconds (us).

    ``print()`` prints it, ``str()`` gives it. ``trim_significant_figures()`` rounds each cell
    to the digits its replicates support; ``colorize()`` colours cells against the fastest of
    their column (``rowwise=True``: of their row); ``highlight_warnings()`` marks cells whose
    replicates spread widely with ``(! N%)``, the IQR as a share of the median.

    Args:
        results: the Measurements.
    """

    def __init__(self, results: Iterable[Measurement]) -> None:
        self._results: list[Measurement] = []
        self._trim = False
        self._colorize = Colorize.NONE
        self._highlight = False
        self.extend_results(results)

    def extend_results(self, results: Iterable[Measurement]) -> None:
        """Add more measurements."""
        results = list(results)
        for r in results:
            if not isinstance(r, Measurement):
                raise TypeError(
                    f"Compare expects Measurements (from Timer), got {type(r).__name__}"
                )
        self._results.extend(results)

    def trim_significant_figures(self) -> None:
        """Show each cell with only the digits its replicates support."""
        self._trim = True

    def colorize(self, rowwise: bool = False) -> None:
        """Colour each cell by how much slower it is than the fastest of its column (or row)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self) -> None:
        """Mark cells whose replicates spread widely with ``(! N%)``."""
        self._highlight = True

    def print(self) -> None:
        print(str(self))

    def __str__(self) -> str:
        return "\n".join(self._render())

    def _render(self) -> list[str]:
        groups: dict[str | None, list[Measurement]] = {}
        for m in self._results:
            groups.setdefault(m.label, []).append(m)
        lines: list[str] = []
        for label, results in groups.items():
            lines += self._table(label, results)
            lines.append("")
        return lines

    def _table(self, label: str | None, results: list[Measurement]) -> list[str]:
        """The lines of one label's table."""
        cells: dict[tuple[int, str, str], list[Measurement]] = {}
        for m in results:
            cells.setdefault((m.num_threads, m.as_row_name, m.description or ""), []).append(m)
        pooled = {key: _pool(ms) for key, ms in cells.items()}
        columns = ordered_unique(key[2] for key in pooled)
        thread_counts = sorted({key[0] for key in pooled})
        rows = {n: ordered_unique(k[1] for k in pooled if k[0] == n) for n in thread_counts}
        unit, scale = select_unit(min(m.median for m in pooled.values()))

        numbers = {key: self._number(m, scale) for key, m in pooled.items()}
        notes = {key: self._note(m) for key, m in pooled.items()}
        number_width = {c: max(len(t) for k, t in numbers.items() if k[2] == c) for c in columns}
        note_width = {c: max(len(t) for k, t in notes.items() if k[2] == c) for c in columns}
        width = {c: max(len(c), number_width[c] + note_width[c]) for c in columns}
        row_width = max(len(r) for names in rows.values() for r in names)
        indent = "      "

        def cell(key: tuple[int, str, str]) -> str:
            c = key[2]
            if key not in pooled:
                return " " * width[c]
            text = numbers[key].rjust(number_width[c]) + notes[key].ljust(note_width[c])
            text = text.rjust(width[c])
            colour = self._cell_colour(key, pooled)
            return f"{colour}{text}{_END}" if colour else text

        header = (
            " " * (len(indent) + row_width)
            + "  |  "
            + "  |  ".join(c.center(width[c]) for c in columns)
        )
        table_width = len(header)
        body: list[str] = []
        for n in thread_counts:
            heading = f"{n} thread{'' if n == 1 else 's'}: "
            body.append(heading + "-" * max(3, table_width - len(heading)))
            for r in rows[n]:
                body.append(
                    indent + r.ljust(row_width) + "  |  "
                    + "  |  ".join(cell((n, r, c)) for c in columns)
                )  # fmt: skip
        title = f" {label} " if label else " "
        lines = ["[" + title.center(table_width - 2, "-") + "]", header, *body, ""]
        lines.append(f"Times are in {unit_to_english(unit)}s ({unit}).")
        if self._highlight and any(notes.values()):
            lines.append(
                "(! N%): the interquartile range of that cell's replicates is N% of its median."
            )
        return lines

    def _number(self, m: Measurement, scale: float) -> str:
        value = m.median / scale
        if not self._trim:
            return f"{value:.1f}"
        figures = m.significant_figures
        value = trim_sigfig(value, figures)
        decimals = 0 if value == 0 else max(0, figures - 1 - math.floor(math.log10(abs(value))))
        return f"{value:.{decimals}f}"

    def _note(self, m: Measurement) -> str:
        if not (self._highlight and m.has_warnings):
            return ""
        return f" (! {100 * m.iqr / m.median:.0f}%)"

    def _cell_colour(
        self, key: tuple[int, str, str], pooled: dict[tuple[int, str, str], Measurement]
    ) -> str:
        if self._colorize is Colorize.NONE:
            return ""
        n, row, column = key
        if self._colorize is Colorize.COLUMNWISE:
            peers = [m for k, m in pooled.items() if k[0] == n and k[2] == column]
        else:
            peers = [m for k, m in pooled.items() if k[0] == n and k[1] == row]
        fastest = min(m.median for m in peers)
        if len(peers) < 2 or fastest <= 0:
            return ""
        return _colour(pooled[key].median / fastest)


def _pool(measurements: list[Measurement]) -> Measurement:
    """One measurement of a table cell: the one, or several pooled (times per run)."""
    if len(measurements) == 1:
        return measurements[0]
    times = [t for m in measurements for t in m.times]
    return Measurement(1, times, measurements[0].task_spec)
