"""Compiled loops (optional, through numba): one pass over the numbers where NumPy needs many.

Why: a NumPy expression such as ``(x - mean) * rstd * weight + bias`` runs as four separate
loops, each reading its inputs from memory and writing a whole new array back. On a CPU the
arithmetic is cheap and the memory traffic is not, so a layer norm or an Adam step written
with NumPy calls takes several times as long as PyTorch's, which runs one fused loop. A loop
written out in plain Python (``for i in range(n): y[i] = ...``) does exactly one pass, but
Python runs it a hundred times slower than NumPy. numba (``pip install 'glassnet[fast]'``)
compiles such a loop to machine code, so the plain loop becomes the fast one.

How it is used: a fast path writes its kernel as an ordinary Python function of NumPy arrays
and decorates it with ``@jit.loop``. ``jit.available()`` says whether compiled loops can run
(numba is installed and they are not switched off); when they cannot, the caller uses its NumPy
path instead, which is also the readable twin the tests compare the kernel with. The compiled
loop releases Python's global lock, so ``split_work.run_split`` can run it on every core, a
range of rows per thread.

A loop may call another loop (a whole time loop calling the loop of one step, or a small
function such as an activation): numba compiles the callee into the caller.

A loop over independent numbers may say so by writing ``for i in prange(n)`` and being
decorated ``@jit.parallel_loop``. In Python (and wherever it cannot run in parallel) ``prange``
is ``range``. Where oneTBB is installed (the ``tbb`` package, which ``mkl`` brings), numba runs
such a loop on its own TBB threads (``parallel_ready``), with as many threads as glassnet's
policy allows (``threads.thread_limit``): waking the second one took about 8 us here (1.4 us
for a loop too small to wake it), against some tens of microseconds for handing a range to a
``split_work`` thread, so the caller calls the loop once instead of splitting it; work smaller
than that runs the loop's ``one_thread`` form. numba's other threading layers are not used:
GNU OpenMP aborts in a forked child (DataLoader workers, the plot worker), and numba's own
queue is not thread-safe.
A parallel loop is compiled without fast-math reassociation and fused multiply-adds, so its
results are the same bits however its range is split; ``@jit.parallel_rows`` is for loops whose
``prange`` steps are whole rows (the normalizations' statistics), which keep the flags.

Compiling takes a fraction of a second per kernel and argument types; numba caches the result
on disk, so later runs only load it. numba is imported on the first ``available()`` call,
not when glassnet is imported (importing numba takes about half a second).

Switch compiled loops off with ``GLASSNET_JIT=0`` in the environment or
``glassnet.jit.set_enabled(False)``; ``set_enabled(None)`` returns to the environment's choice.

The compiled loops may reorder additions (so sums can be vectorized) and fuse a multiply with
an add, which changes results only by rounding; NaN and infinity are kept as IEEE rules say.
"""

from __future__ import annotations

import functools
import os
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import environment, threads
from .c_function import CFunction

# torch.jit's TorchScript names, since ``torch.jit`` is this module under ``glassnet run``:
# glassnet compiles loops, never models, so these give the model back (see torch_switches).
from .torch_switches import jit_ignore as export
from .torch_switches import jit_ignore as ignore
from .torch_switches import jit_ignore as unused
from .torch_switches import jit_is_scripting as is_scripting
from .torch_switches import jit_is_scripting as is_tracing
from .torch_switches import jit_load as load
from .torch_switches import jit_save as save
from .torch_switches import jit_script as script
from .torch_switches import jit_trace as trace

__all__ = [
    "MIN_NUMBERS",
    "Loop",
    "available",
    "export",
    "ignore",
    "is_scripting",
    "is_tracing",
    "load",
    "loaded",
    "loop",
    "parallel_loop",
    "parallel_ready",
    "parallel_rows",
    "pays",
    "pays_without_import",
    "prange",
    "reason_unavailable",
    "save",
    "script",
    "set_enabled",
    "trace",
    "unused",
]

#: A parallel loop's range: ``range`` itself in Python; numba's ``prange`` once compiled
#: in parallel (``parallel_loop``).
prange = range

#: The fewest numbers a piece of work must touch before a compiled loop is worth calling: below
#: this, the NumPy path is about as fast, and the caller need not import numba at all.
MIN_NUMBERS = 1 << 15

#: The dtypes the loops are compiled for (each dtype is a compilation of its own).
LOOP_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: numba's fast-math flags used: reassociate sums (vectorized reductions), fuse multiply-adds,
#: ignore the sign of zero. Not "nnan"/"ninf": NaN and infinity must still propagate.
FAST_MATH = frozenset({"reassoc", "contract", "nsz"})

_OFF_WORDS = ("0", "off", "false", "no")
_ON_WORDS = ("", "1", "on", "true", "yes", "auto")

_enabled: bool | None = None  # set_enabled's value, if called
_numba: Any = None
_import_error: str | None = None
_import_lock = threading.Lock()
_numba_threads = threading.local()  # .count: what this thread last gave numba.set_num_threads


def set_enabled(enabled: bool | None) -> None:
    """Allow compiled loops (True), forbid them (False), or follow ``GLASSNET_JIT`` (None)."""
    global _enabled
    if enabled is not None and not isinstance(enabled, bool):
        raise ValueError(f"jit.set_enabled expects True, False or None, got {enabled!r}")
    _enabled = enabled


def _wanted() -> bool:
    """The user's choice: set_enabled, else GLASSNET_JIT (on unless it says off)."""
    if _enabled is not None:
        return _enabled
    text = environment.variable("GLASSNET_JIT")
    if not text:  # unset: on (asked at every compiled call, so this case comes first)
        return True
    text = text.strip().lower()
    if text in _OFF_WORDS:
        return False
    if text in _ON_WORDS:
        return True
    raise ValueError(f"GLASSNET_JIT must be 0 or 1 (off or on), got {text!r}")


def _load_numba() -> Any:
    """numba, imported once; None (with the reason kept) when it is missing or broken."""
    global _numba, _import_error
    with _import_lock:
        if _numba is None and _import_error is None:
            try:
                import numba
            except Exception as error:  # missing, or built for another NumPy: run without it
                _import_error = f"numba could not be imported ({type(error).__name__}: {error})"
            else:
                _numba = numba
    return _numba


def available() -> bool:
    """Whether compiled loops run: numba is installed and they are not switched off."""
    return _wanted() and _load_numba() is not None


def loaded() -> bool:
    """Whether compiled loops run and numba is imported already (by earlier large work): for
    callers whose loop saves microseconds a call, less than importing numba costs (0.5 s)."""
    return _numba is not None and _wanted()


def pays(numbers: int, dtype: Any, min_numbers: int = MIN_NUMBERS) -> bool:
    """Whether work touching ``numbers`` numbers of ``dtype`` should run a compiled loop.

    True when it is large enough (``min_numbers``), of a dtype the loops are compiled for
    (float32, float64) and compiled loops are available. The size is checked first: small work
    never imports numba, so a small network starts as fast as without it.
    """
    return numbers >= min_numbers and dtype in LOOP_DTYPES and available()


def pays_without_import(numbers: int, dtype: Any, min_numbers: int = MIN_NUMBERS) -> bool:
    """As ``pays``, but True only once numba is imported (``loaded``): for work whose loop
    saves less than importing numba costs, which runs compiled once other work imported it."""
    return numbers >= min_numbers and dtype in LOOP_DTYPES and loaded()


def reason_unavailable() -> str | None:
    """Why compiled loops do not run (None when they do): switched off, or numba missing."""
    if not _wanted():
        return "compiled loops are switched off (GLASSNET_JIT=0 or jit.set_enabled(False))"
    if _load_numba() is None:
        return _import_error
    return None


class Loop:
    """A plain Python loop over NumPy arrays, compiled by numba on its first call.

    Calling the ``Loop`` runs the compiled machine code (numba must be available: callers
    check ``jit.available()`` first). ``python`` is the function as written; calling it runs
    the same loop in the Python interpreter, slowly, which is how the tests check small cases
    without numba.
    """

    def __init__(
        self,
        python: Callable[..., Any],
        parallel: bool = False,
        whole_rows: bool = False,
        on_threads: bool = True,
    ) -> None:
        self.python = python
        self.parallel = parallel  # written with prange: may run on numba's threads
        self.whole_rows = whole_rows  # each prange step is one whole row, on one thread
        self.on_threads = on_threads  # False: the one-thread form of a parallel loop
        self.runs_parallel = False  # compiled with parallel=True (known once compiled)
        self._compiled: Any = None
        self._one_thread: Loop | None = None
        self._lock = threading.Lock()
        functools.update_wrapper(self, python)

    def _compile(self) -> Any:
        numba = _load_numba()
        if numba is None:
            raise RuntimeError(f"{self.python.__name__} needs numba: {reason_unavailable()}")
        with self._lock:
            if self._compiled is None:
                options = dict(nogil=True, fastmath=set(FAST_MATH), error_model="numpy")
                python, cacheable = _calling_compiled(self.python)
                if self.parallel and not self.whole_rows:
                    # Where the threads split the range, a number may fall to the loop's
                    # scalar rest instead of its vector body: without reassociation and
                    # fused multiply-adds both compute the same bits, so the result does not
                    # depend on the split (measured: RMSprop differed in the last bit at the
                    # split). The same flags serve the loop compiled for one thread, so that
                    # every form of it gives those bits. A loop over whole rows computes every
                    # row with the same instructions wherever the split falls: it keeps them.
                    options["fastmath"] = set(FAST_MATH) - {"reassoc", "contract"}
                if self.parallel and self.on_threads and parallel_ready():
                    python = _named(python, "_parallel", {"prange": numba.prange})
                    options["parallel"] = True
                    self.runs_parallel = True
                elif self.parallel and not self.whole_rows:
                    python = _named(python, "_same_bits")  # its flags differ from a loop's
                try:
                    self._compiled = numba.njit(cache=cacheable, **options)(python)
                except RuntimeError:  # no folder to cache into (read-only install): compile anew
                    self._compiled = numba.njit(cache=False, **options)(python)
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        compiled = self._compiled if self._compiled is not None else self._compile()
        if self.runs_parallel:
            self._follow_thread_limit()
        return compiled(*args)

    @property
    def home(self) -> str:
        """The file the loop is written in (numba's disk cache follows that file's changes)."""
        return self.python.__code__.co_filename

    @functools.cached_property
    def in_python(self) -> Callable[..., Any]:
        """The loop as Python runs it, calling the Python form of every loop it calls: slow,
        but it needs no numba (``python`` itself would call those loops compiled)."""
        callees = {name: callee.in_python for name, callee in _callees(self.python).items()}
        return _with_globals(self.python, callees) if callees else self.python

    @property
    def one_thread(self) -> Loop:
        """This loop compiled to run on the calling thread alone (the loop itself unless it is
        a ``parallel_loop``), for work too small to pay for waking numba's threads: measured,
        waking the second thread took about 8 us, while a ReLU of 65,536 numbers takes 6 us on
        one core. ``split_work`` ranges call it too: they already have a thread each."""
        if not self.parallel or not self.on_threads:
            return self
        if self._one_thread is None:
            self._one_thread = Loop(self.python, True, self.whole_rows, on_threads=False)
        return self._one_thread

    def compiled_parallel(self) -> bool:
        """Whether this loop runs on numba's threads (compiling it if need be): then its caller
        calls it once over all the work instead of splitting it (``split_work``)."""
        if self._compiled is None:
            self._compile()
        return self.runs_parallel

    def _follow_thread_limit(self) -> None:
        """Give numba glassnet's thread count (``threads.thread_limit``) when it changed."""
        wanted = max(1, min(threads.thread_limit(), _numba.config.NUMBA_NUM_THREADS))
        if wanted != getattr(_numba_threads, "count", 0):  # numba's count is per thread too
            _numba.set_num_threads(wanted)
            _numba_threads.count = wanted


def _calling_compiled(python: Callable[..., Any]) -> tuple[Callable[..., Any], bool]:
    """``python`` as numba should see it, every ``Loop`` (or ``CFunction``) it calls replaced by
    its compiled form; and whether numba may cache the result on disk.

    So one loop can call another (a whole time loop calling the loop of one step, or a small
    function such as a gate activation), and numba compiles the callee into the caller, where
    the two are optimized together. numba's disk cache is renewed when the caller's own file
    changes, not a callee's, so a loop calling into another file is compiled afresh in each
    process instead (keep the loops that call each other in one file).
    """
    callees = _callees(python)
    if not callees:
        return python, True
    twin = _with_globals(python, {name: callee._compile() for name, callee in callees.items()})
    home = python.__code__.co_filename
    same_file = all(callee.home == home for callee in callees.values())
    return twin, same_file


def _callees(python: Callable[..., Any]) -> dict[str, Loop | CFunction]:
    """The ``Loop``s and C functions (``c_function.CFunction``) ``python`` calls, by the
    global names it calls them by."""
    names = python.__code__.co_names
    callees = python.__globals__.items()
    return {n: v for n, v in callees if n in names and isinstance(v, (Loop, CFunction))}


def _with_globals(python: Callable[..., Any], replaced: dict[str, Any]) -> Callable[..., Any]:
    """A copy of ``python`` (same code, name and docstring) that sees the global names in
    ``replaced`` as the values given there, for numba to compile."""
    scope = dict(python.__globals__)
    scope.update(replaced)
    twin = types.FunctionType(
        python.__code__, scope, python.__name__, python.__defaults__, python.__closure__
    )
    return functools.update_wrapper(twin, python)


def loop(python: Callable[..., Any]) -> Loop:
    """Decorator: make ``python`` (a loop over NumPy arrays) a ``Loop`` numba compiles."""
    return Loop(python)


def parallel_loop(python: Callable[..., Any]) -> Loop:
    """Decorator: as ``loop``, for a loop whose ``prange`` iterations are independent (each
    writes only its own numbers): compiled to run them on numba's threads where
    ``parallel_ready``, else as a plain loop."""
    return Loop(python, parallel=True)


def parallel_rows(python: Callable[..., Any]) -> Loop:
    """Decorator: as ``parallel_loop``, for a loop whose ``prange`` steps are whole rows (a
    row's inner loops, sums included, run on one thread), so it keeps numba's fast-math flags:
    each row is computed the same way however the rows are shared out."""
    return Loop(python, parallel=True, whole_rows=True)


def _named(
    python: Callable[..., Any], suffix: str, replaced: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """``python`` (seeing the globals in ``replaced`` as given there) under a name of its own
    for numba's disk cache, which tells compilations apart by name and source, not by their
    flags: a parallel compilation, or a plain one without some fast-math flags, must never
    load another's machine code."""
    twin = _with_globals(python, replaced or {})
    twin.__qualname__ = python.__qualname__ + suffix
    return twin


@functools.cache
def parallel_ready() -> bool:
    """Whether parallel loops run on numba's threads: numba is there, oneTBB loads, and numba
    is left to choose its threading layer (``NUMBA_THREADING_LAYER`` unset) or told "tbb"."""
    numba = _load_numba()
    if numba is None:
        return False
    chosen = os.environ.get("NUMBA_THREADING_LAYER", "").strip().lower()
    if chosen not in ("", "default", "tbb"):
        return False
    from .mkl_library import load_tbb

    if not load_tbb():
        return False
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401 - numba's TBB layer, built against TBB
    except ImportError:
        return False
    numba.config.THREADING_LAYER = "tbb"
    return True
