"""glassnet.profiler, PyTorch's torch.profiler (and torch.autograd.profiler): where the time of a model goes, op by op.

Under ``glassnet run``, ``torch.profiler`` and ``torch.autograd.profiler`` are both this module::

    from torch.profiler import profile, record_function, ProfilerActivity

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("forward"):
            loss = model(x).sum()
        loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))

What is timed. Every op (``Op.__call__``: ``MatMul``, ``ReLU``, ``Linear``, ...), every step of the
backward walk (one row per node, named after its op: ``MatMulBackward``), every custom
``autograd.Function`` (as one op: its own forward is not looked into), every region marked with
``record_function("name")``, every ``ProfilerStep#N`` of a schedule, and with
``with_modules=True`` every module call (``nn.Module: fc1 (Linear)``). The clock is
``time.perf_counter_ns``, read by hooks at the engine's two choke points (``autograd._op_start_hooks``
/ ``_op_hooks`` around an op's forward, ``_backward_start_hooks`` / ``_backward_done_hooks`` around a
node's rule). The hooks are added when profiling starts and removed when it stops, so a model
that is not being profiled pays nothing but the empty-list checks the engine always makes.

Self time and total time, the two numbers of every row. Events nest: a backward rule runs ops
of its own (``MatMulBackward`` multiplies two matrices with ``MatMul``), a ``record_function``
region contains the ops called inside it, a module contains its layers' ops. For one event,

    total time = its end - its start                 (everything that happened inside it)
    self time  = total time - sum of its children's total times   (what it did itself)

so in ``forward (1.2 ms total) > Linear (0.9 ms) + ReLU (0.1 ms)`` the region's self time is
0.2 ms: Python glue, argument checks, the profiler's own hooks. Self times never overlap, so
they add up to at most the wall time of the profiled block; sort by ``self_cpu_time_total`` to
find the op that does the work, by ``cpu_time_total`` to find the region it sits in. The
``Self CPU %`` column is a row's share of the sum of all self times (the table's last line,
``Self CPU time total``); ``CPU total %`` can add up to more than 100% because totals nest.

Memory (``profile_memory=True``) is the size in bytes of the arrays an event returned (an op's
output, a backward step's input gradients; 0 for views), its children's included in ``CPU
Mem``; NumPy's temporaries inside an op are not seen. FLOPs (``with_flops=True``) are counted
for matrix products (``MatMul``, ``Linear``: 2 per multiply-add; convolutions are ``MatMul`` of
unfolded windows) and for ``Add`` / ``Mul`` (one per output element).

Differences from PyTorch, stated plainly: only the CPU is recorded (``ProfilerActivity.CUDA`` and
``use_cuda=True`` give a warning and are ignored: glassnet has no GPU); rows carry glassnet's op
names, not ``aten::`` ones; a warm-up step of a schedule records nothing, as the collector
needs no warming up; ``torch.profiler.profile`` and ``torch.autograd.profiler.profile`` are one
class here (the first takes keyword arguments only, the second ``enabled`` first).
"""

from __future__ import annotations

import enum
import functools
import itertools
import json
import math
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import autograd
from .profiler_events import (  # noqa: F401 - torch.profiler's names for them
    DeviceType,
    EventList,
    FunctionEvent,
    FunctionEventAvg,
    Interval,
    _check_int,
    _events_from,
)

__all__ = [
    "DeviceType",
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "ProfilerAction",
    "ProfilerActivity",
    "emit_itt",
    "emit_nvtx",
    "kineto_available",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
]


class ProfilerActivity(enum.Enum):
    """What a profiler records. glassnet runs on the CPU only: the others are accepted and ignored."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a schedule asks for at a step: nothing, warming up, recording, or recording and then
    handing the finished cycle to ``on_trace_ready``."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

# The collector that is recording right now (one at a time in a process), or None.
_collector: _Collector | None = None
# Event ids, unique in the process (so that cycles kept together with acc_events never clash).
_event_ids = itertools.count(1)


def supported_activities() -> set[ProfilerActivity]:
    """The activities this machine can record: ``{ProfilerActivity.CPU}``."""
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    """True: the new profiler API works (glassnet's own collector stands in for PyTorch's Kineto)."""
    return True


# ----------------------------------------------------------------------------------------------
# The collector: hooks that time events, kept as plain tuples until somebody asks for them
# ----------------------------------------------------------------------------------------------

# One finished event: (id, parent id, thread, name, kind, start ns, end ns, self ns, input shapes,
# memory with children, own memory, source stack, flops). Kind is the Chrome trace category.
_Record = tuple


def _shapes_of(values: Iterable) -> list[list[int]]:
    """PyTorch's ``input_shapes``: the shape of each tensor argument, [] for anything else."""
    return [list(getattr(v, "shape", ())) if autograd.is_tensor(v) else [] for v in values]


def _nbytes(value: Any) -> int:
    array = getattr(value, "array", None)
    return int(getattr(array, "nbytes", 0))


def _user_stack() -> list[str]:
    """The caller's Python frames outside glassnet, innermost first, as ``file(line): function``."""
    frames = []
    frame = sys._getframe(2)
    while frame is not None and len(frames) < 32:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE_DIR) and not filename.endswith("runpy.py"):
            frames.append(f"{filename}({frame.f_lineno}): {frame.f_code.co_name}")
        frame = frame.f_back
    return frames


_class_names: dict[type, str] = {}


def _op_name(op: Any) -> str:
    """An op's name as a plain string, worked out once per op class (``Op.name`` builds an
    object each time); ops that define their own name (a custom Function's node) are asked."""
    cls = type(op)
    name = _class_names.get(cls)
    if name is None:
        name = str(op.name)
        if getattr(cls, "name", None) is autograd.Op.name:  # the name depends on the class only
            _class_names[cls] = name
    return name


def _flops(op: Any, inputs: tuple, out: Any) -> int:
    """Floating-point operations of an op, counted as PyTorch does: a multiply-add is 2."""
    name = _op_name(op)
    if name == "MatMul" and len(inputs) == 2:
        a, b = (getattr(x, "shape", ()) for x in inputs)
        if len(a) >= 1 and len(b) >= 1:
            inner = a[-1]
            return 2 * inner * math.prod(getattr(out, "shape", ()))
    if name == "Linear" and inputs:  # y = x W^T + b: 2 * (rows of x) * in * out
        x, out_shape = getattr(inputs[0], "shape", ()), getattr(out, "shape", ())
        if len(x) >= 1:
            return 2 * x[-1] * math.prod(out_shape)
    if name in ("Add", "Mul"):
        return math.prod(getattr(out, "shape", ()))
    return 0


class _Collector:
    """Times the events of one recording cycle.

    Each thread keeps a stack of open events (``frames``). Opening an event pushes a frame;
    closing it pops the frame, whose total time is then added to its parent's children time,
    so that ``self = total - children`` comes out when the parent closes. A frame whose end
    never came (its op raised) is dropped when an enclosing event closes: its children are
    handed to that event, and its own time counts as that event's self time.
    """

    def __init__(self, options: dict[str, bool]) -> None:
        self.shapes = options["record_shapes"]
        self.memory = options["profile_memory"]
        self.stacks = options["with_stack"]
        self.count_flops = options["with_flops"]
        self.modules = options["with_modules"]
        self.records: list[_Record] = []
        self.frames: dict[int, list[list]] = {}
        self._ids = _event_ids
        # id of an event that never ended -> id of the event that took its children over
        self.adopted: dict[int, int] = {}
        self._handles: list[Any] = []

    # -- switching on and off ------------------------------------------------------------------
    def install(self) -> None:
        global _collector
        if _collector is not None:
            raise RuntimeError(
                "a profiler is already recording in this process; glassnet records with one "
                "at a time (leave the other `with profile(...)` block first)"
            )
        _collector = self
        autograd._op_start_hooks.append(self.op_started)
        autograd._op_hooks.append(self.op_finished)
        autograd._backward_start_hooks.append(self.backward_started)
        autograd._backward_done_hooks.append(self.backward_finished)
        if self.modules:  # the profiler sits above nn in the layers: imported only when asked
            from .nn.errors import layer_label
            from .nn.hooks import register_module_forward_hook, register_module_forward_pre_hook

            def module_started(module: Any, args: tuple) -> None:
                self.open(module, f"nn.Module: {layer_label(module)}", "python_function", None)

            def module_finished(module: Any, args: tuple, output: Any) -> None:
                self.close(module, time.perf_counter_ns(), 0, 0)

            self._handles = [
                register_module_forward_pre_hook(module_started),
                register_module_forward_hook(module_finished),
            ]

    def uninstall(self) -> None:
        """Remove every hook (safe to call twice, and after a failed install)."""
        global _collector
        for hooks, hook in (
            (autograd._op_start_hooks, self.op_started),
            (autograd._op_hooks, self.op_finished),
            (autograd._backward_start_hooks, self.backward_started),
            (autograd._backward_done_hooks, self.backward_finished),
        ):
            while hook in hooks:
                hooks.remove(hook)
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if _collector is self:
            _collector = None
        self.frames = {}  # events still open (a region left after the profiler) are dropped

    def finished(self) -> list[_Record]:
        """The recorded events, the children of events that never ended given to their adopter."""
        if not self.adopted:
            return self.records
        records = []
        for record in self.records:
            parent = record[1]
            while parent in self.adopted:
                parent = self.adopted[parent]
            records.append(record[:1] + (parent,) + record[2:])
        return records

    # -- opening and closing one event ---------------------------------------------------------
    def open(self, key: Any, name: str, kind: str, shapes: list | None) -> None:
        tid = threading.get_ident()
        frames = self.frames.get(tid)
        if frames is None:
            frames = self.frames[tid] = []
        stack = _user_stack() if self.stacks else None
        parent = frames[-1][3] if frames else 0
        # [key, name, kind, id, parent id, shapes, stack, children ns, children bytes, start]
        frames.append([key, name, kind, next(self._ids), parent, shapes, stack, 0, 0, 0])
        frames[-1][9] = time.perf_counter_ns()  # the clock is read last, after the bookkeeping

    def close(self, key: Any, now: int, nbytes: int, flops: int) -> None:
        tid = threading.get_ident()
        frames = self.frames.get(tid)
        if not frames:
            return  # an event that started before the profiler did
        if frames[-1][0] is not key:
            for i in range(len(frames) - 2, -1, -1):
                if frames[i][0] is key:
                    break
            else:
                return
            for stale in frames[i + 1 :]:  # ended by an exception: give their children up
                frames[i][7] += stale[7]
                frames[i][8] += stale[8]
                self.adopted[stale[3]] = frames[i][3]
            del frames[i + 1 :]
        _, name, kind, ident, parent, shapes, stack, children_ns, children_bytes, start = (
            frames.pop()
        )
        total = now - start
        with_children = nbytes + children_bytes
        if frames:
            frames[-1][7] += total
            frames[-1][8] += with_children
        self.records.append((
            ident, parent, tid, name, kind, start, now, total - children_ns, shapes,
            with_children, nbytes, stack, flops,
        ))  # fmt: skip

    # -- the engine's hooks --------------------------------------------------------------------
    def op_started(self, op: Any, inputs: tuple) -> None:
        self.open(op, _op_name(op), "cpu_op", _shapes_of(inputs) if self.shapes else None)

    def op_finished(self, op: Any, inputs: tuple, out: Any) -> None:
        now = time.perf_counter_ns()
        nbytes = _nbytes(out) if self.memory and not op.makes_view else 0
        flops = _flops(op, inputs, out) if self.count_flops else 0
        self.close(op, now, nbytes, flops)

    def backward_started(self, node: Any, grad_output: Any) -> None:
        shapes = _shapes_of((grad_output,)) if self.shapes else None
        self.open(node, _op_name(node) + "Backward", "cpu_op", shapes)

    def backward_finished(self, node: Any, grad_output: Any, input_grads: tuple) -> None:
        now = time.perf_counter_ns()
        nbytes = 0
        if self.memory:
            passed = getattr(grad_output, "array", None)
            nbytes = sum(_nbytes(g) for g in input_grads if getattr(g, "array", None) is not passed)
        self.close(node, now, nbytes, 0)


# ----------------------------------------------------------------------------------------------
# record_function: a named region of the user's own
# ----------------------------------------------------------------------------------------------


class record_function:  # noqa: N801 - PyTorch's name
    """Mark a region of code so that it shows as its own row (and span in the trace).

    As a context manager ``with record_function("data loading"): ...`` or as a decorator
    ``@record_function("attention")``. Outside a profiler it does nothing. The row's total time
    is the region's wall time; its self time what is left after the ops inside it.

    Args:
        name: the row's name.
        args: an optional string kept with the event (shown in the Chrome trace's args).
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"record_function expects a name (str), got {type(name).__name__}")
        if args is not None and not isinstance(args, str):
            raise TypeError(
                f"record_function's args must be a str or None, got {type(args).__name__}"
            )
        self.name = name
        self.args = args
        self._collector: _Collector | None = None

    def __enter__(self) -> record_function:
        collector = _collector
        if collector is not None:
            self._collector = collector
            collector.open(self, self.name, "user_annotation", [] if collector.shapes else None)
        return self

    def __exit__(self, *exc: object) -> None:
        collector, self._collector = self._collector, None
        if collector is not None:
            collector.close(self, time.perf_counter_ns(), 0, 0)

    def __call__(self, function: Callable) -> Callable:
        if not callable(function):
            raise TypeError(
                f"record_function used as a decorator expects a function, got {type(function).__name__}"
            )

        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):  # a fresh one per call: calls may nest
                return function(*args, **kwargs)

        return recorded

    def __repr__(self) -> str:
        return f"record_function({self.name!r})"


# ----------------------------------------------------------------------------------------------
# Schedules and trace handlers
# ----------------------------------------------------------------------------------------------


class _Schedule:
    """The action for each step number (see ``schedule``)."""

    def __init__(self, wait: int, warmup: int, active: int, repeat: int, skip_first: int,
                 skip_first_wait: int) -> None:  # fmt: skip
        self.wait, self.warmup, self.active = wait, warmup, active
        self.repeat, self.skip_first, self.skip_first_wait = repeat, skip_first, skip_first_wait

    def __call__(self, step: int) -> ProfilerAction:
        _check_int("schedule", "the step number", step, 0)
        if step < self.skip_first:
            return ProfilerAction.NONE
        step -= self.skip_first
        if self.skip_first_wait:  # the first cycle starts at its warm-up
            step += self.wait
        cycle = self.wait + self.warmup + self.active
        if self.repeat > 0 and step // cycle >= self.repeat:
            return ProfilerAction.NONE
        place = step % cycle
        if place < self.wait:
            return ProfilerAction.NONE
        if place < self.wait + self.warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD_AND_SAVE if place == cycle - 1 else ProfilerAction.RECORD

    def __repr__(self) -> str:
        return (
            f"schedule(wait={self.wait}, warmup={self.warmup}, active={self.active}, "
            f"repeat={self.repeat}, skip_first={self.skip_first}, "
            f"skip_first_wait={self.skip_first_wait})"
        )


def schedule(
    *, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:  # fmt: skip
    """Which steps ``profile`` records, counted by ``prof.step()``.

    The first ``skip_first`` steps are skipped; then a cycle repeats: ``wait`` steps idle,
    ``warmup`` steps warming up, ``active`` steps recorded. At the end of each cycle's last
    active step the recorded events go to ``on_trace_ready``. ``repeat`` cycles are run (0:
    as many as there are steps); ``skip_first_wait=1`` starts the first cycle at its warm-up.

    Example: ``schedule(wait=1, warmup=1, active=2, repeat=1)`` records steps 2 and 3 and hands
    them over when ``prof.step()`` moves on from step 3.
    """
    where = "torch.profiler.schedule"
    _check_int(where, "wait", wait, 0)
    _check_int(where, "warmup", warmup, 0)
    _check_int(where, "active", active, 1)
    _check_int(where, "repeat", repeat, 0)
    _check_int(where, "skip_first", skip_first, 0)
    _check_int(where, "skip_first_wait", skip_first_wait, 0)
    return _Schedule(wait, warmup, active, repeat, skip_first, skip_first_wait)


def tensorboard_trace_handler(
    dir_name: str | os.PathLike[str], worker_name: str | None = None, use_gzip: bool = False,
    use_python_export: bool = False,
) -> Callable[[profile], None]:  # fmt: skip
    """An ``on_trace_ready`` that writes each finished cycle into ``dir_name`` as
    ``<worker>.<milliseconds>.pt.trace.json`` (``.gz`` with ``use_gzip``), the layout
    TensorBoard's profiler plugin reads. ``worker_name`` defaults to ``<host>_<pid>``."""
    if not isinstance(dir_name, (str, os.PathLike)):
        raise TypeError(
            f"tensorboard_trace_handler expects a folder path (str or os.PathLike), got "
            f"{type(dir_name).__name__}"
        )
    folder = os.fspath(dir_name)

    def write_trace(prof: profile) -> None:
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise NotADirectoryError(
                f"tensorboard_trace_handler: expected a folder, but {folder!r} is a file"
            )
        os.makedirs(folder, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        suffix = ".pt.trace.json.gz" if use_gzip else ".pt.trace.json"
        stamp = time.time_ns() // 1_000_000
        while os.path.exists(os.path.join(folder, f"{worker}.{stamp}{suffix}")):
            stamp += 1  # two cycles within a millisecond: keep both
        prof.export_chrome_trace(os.path.join(folder, f"{worker}.{stamp}{suffix}"))

    return write_trace


# ----------------------------------------------------------------------------------------------
# profile
# ----------------------------------------------------------------------------------------------

_GPU_ACTIVITIES = ("CUDA", "XPU", "MTIA", "HPU", "PrivateUse1")


class profile:  # noqa: N801 - PyTorch's name
    """Record where the time goes while a block of code runs.

    ``torch.profiler.profile`` (keyword arguments) and ``torch.autograd.profiler.profile``
    (``enabled`` first) in one class::

        with profile(record_shapes=True) as prof:
            model(x).sum().backward()
        print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))

    Args:
        enabled: False records nothing (the old API's switch).
        activities: ``ProfilerActivity`` members; only ``CPU`` is recorded (others warn).
        schedule: a ``schedule(...)`` (or any ``step -> ProfilerAction``); ``prof.step()``
            moves it on. Without one, everything between start and stop is one cycle.
        on_trace_ready: called as ``on_trace_ready(prof)`` when a cycle is done (e.g.
            ``tensorboard_trace_handler(dir)``), and at stop if a cycle is being recorded.
        record_shapes: keep each op's input shapes (``key_averages(group_by_input_shape=True)``).
        profile_memory: note the bytes of the arrays each event returned.
        with_stack: keep the Python source lines (outside glassnet) each event came from.
        with_flops: count the floating-point operations of matrix products, ``Add``, ``Mul``.
        with_modules: a row per module call, ``nn.Module: <path> (<class>)``.
        acc_events: keep the events of every cycle, not only the last one.
        use_cuda, use_device: the old API's device switches; a GPU warns and is ignored.

    Read the results after the block (or in ``on_trace_ready``): ``events()``,
    ``key_averages()``, ``table()``, ``export_chrome_trace(path)``, ``export_stacks(path)``.
    """

    def __init__(
        self,
        enabled: bool = True,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[profile], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        use_device: str | None = None,
        use_kineto: bool = False,
        use_cpu: bool = True,
        custom_trace_id_callback: Callable[[], str] | None = None,
        post_processing_timeout_s: float | None = None,
    ) -> None:
        for name, value in (("enabled", enabled), ("record_shapes", record_shapes),
                            ("profile_memory", profile_memory), ("with_stack", with_stack),
                            ("with_flops", with_flops), ("with_modules", with_modules),
                            ("acc_events", acc_events)):  # fmt: skip
            if not isinstance(value, (bool, int, np.bool_)):  # a string "False" would be true
                raise TypeError(
                    f"profile: {name} must be True or False, got {type(value).__name__} {value!r}"
                )
        self._check_devices(activities, use_cuda, use_device)
        if execution_trace_observer is not None:
            warnings.warn(
                "glassnet's profiler writes no execution trace: execution_trace_observer is ignored",
                stacklevel=2,
            )
        if schedule is not None and not callable(schedule):
            raise TypeError(
                f"profile: schedule must be callable (torch.profiler.schedule(...)), got {type(schedule).__name__}"
            )
        if on_trace_ready is not None and not callable(on_trace_ready):
            raise TypeError(
                f"profile: on_trace_ready must be callable, got {type(on_trace_ready).__name__}"
            )
        self.enabled = enabled
        self.schedule = schedule if schedule is not None else (lambda step: ProfilerAction.RECORD)
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.acc_events = acc_events
        self._options = {
            "record_shapes": record_shapes,
            "profile_memory": profile_memory,
            "with_stack": with_stack,
            "with_flops": with_flops,
            "with_modules": with_modules,
        }
        self.step_num = 0
        self.current_action = ProfilerAction.NONE
        self._running = False
        self._collector: _Collector | None = None
        self._records: list[_Record] | None = None  # the finished cycle(s)
        self._events: EventList | None = None
        self._step_region: record_function | None = None
        self._origin_ns = time.perf_counter_ns()
        self._base_time_ns = time.time_ns()
        self._metadata: dict[str, Any] = {}
        self._trace_id = custom_trace_id_callback() if custom_trace_id_callback else None

    @staticmethod
    def _check_devices(activities: Any, use_cuda: Any, use_device: Any) -> None:
        gpus = []
        if activities is not None:
            if isinstance(activities, (str, ProfilerActivity)) or not isinstance(
                activities, Iterable
            ):
                raise TypeError(
                    "profile: activities must be a list of ProfilerActivity "
                    f"(e.g. [ProfilerActivity.CPU]), got {activities!r}"
                )
            for activity in activities:
                if not isinstance(activity, ProfilerActivity):
                    raise TypeError(
                        f"profile: activities must hold ProfilerActivity members, got {activity!r}"
                    )
                if activity.name in _GPU_ACTIVITIES:
                    gpus.append(f"ProfilerActivity.{activity.name}")
        if use_cuda:
            gpus.append("use_cuda=True")
        if use_device not in (None, "cpu"):
            gpus.append(f"use_device={use_device!r}")
        if gpus:
            warnings.warn(
                f"glassnet has no GPU: {', '.join(gpus)} is ignored, only the CPU is profiled",
                stacklevel=3,
            )

    # -- starting, stepping, stopping ----------------------------------------------------------
    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start profiling (``with profile(...)`` calls it)."""
        if self._running:
            raise RuntimeError("profile.start(): this profiler is already running")
        if self.enabled:
            action = self._action(self.step_num)
            if action in _RECORDING:
                self._begin_cycle()
            self.current_action = action
        self._running = True

    def step(self) -> None:
        """Mark the end of one training step: moves the schedule on (records ``ProfilerStep#N``)."""
        if not self._running:
            raise RuntimeError(
                "profile.step() was called while the profiler is not running: call it inside "
                "`with profile(...) as prof:` (or between prof.start() and prof.stop())"
            )
        if not self.enabled:
            self.step_num += 1
            return
        self._close_step_region()
        before = self.current_action
        self.step_num += 1
        self.current_action = self._action(self.step_num)
        if before in _RECORDING and (
            before is ProfilerAction.RECORD_AND_SAVE or self.current_action not in _RECORDING
        ):
            self._end_cycle()
            self._trace_ready()
        if self.current_action in _RECORDING and self._collector is None:
            self._begin_cycle()
        elif self._collector is not None:
            self._open_step_region()

    def stop(self) -> None:
        """Stop profiling; a cycle being recorded is finished and handed to ``on_trace_ready``."""
        if not self._running:
            return
        self._running = False
        if self._collector is None:
            return
        self._close_step_region()
        self._end_cycle()
        self._trace_ready()

    def _action(self, step: int) -> ProfilerAction:
        action = self.schedule(step)
        if not isinstance(action, ProfilerAction):
            raise TypeError(
                f"profile: the schedule must return a ProfilerAction, got {action!r} at step {step}"
            )
        return action

    def _begin_cycle(self) -> None:
        collector = _Collector(self._options)
        collector.install()
        self._collector = collector
        self._open_step_region()

    def _end_cycle(self) -> None:
        collector, self._collector = self._collector, None
        if collector is None:
            return
        collector.uninstall()
        if self.acc_events and self._records is not None:
            self._records = self._records + collector.finished()
        else:
            self._records = collector.finished()
        self._events = None

    def _open_step_region(self) -> None:
        if self.record_steps:
            self._step_region = record_function(f"ProfilerStep#{self.step_num}")
            self._step_region.__enter__()

    def _close_step_region(self) -> None:
        region, self._step_region = self._step_region, None
        if region is not None:
            region.__exit__(None, None, None)

    def _trace_ready(self) -> None:
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    # -- results ---------------------------------------------------------------------------------
    def events(self) -> EventList:
        """Every recorded event of the last finished cycle, in the order they started."""
        if self._records is None:
            if self._running and self.enabled:
                raise RuntimeError(
                    "the profiler has no results yet: read them after the `with profile(...)` "
                    "block, or in on_trace_ready"
                )
            return EventList(**self._list_options())
        if self._events is None:
            self._events = EventList(
                _events_from(self._records, self._origin_ns), **self._list_options()
            )
        return self._events

    def _list_options(self) -> dict[str, bool]:
        return {
            "profile_memory": self._options["profile_memory"],
            "with_flops": self._options["with_flops"],
        }

    @property
    def function_events(self) -> EventList:
        """The old API's name for ``events()``."""
        return self.events()

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:  # fmt: skip
        """The events added up per name (see ``EventList.key_averages``)."""
        # PyTorch gives empty shapes and stacks here; a warning says why they are empty.
        if group_by_input_shape and not self._options["record_shapes"]:
            warnings.warn(
                "key_averages(group_by_input_shape=True): no shapes were recorded (pass "
                "record_shapes=True to profile), so every row's shapes are []",
                stacklevel=2,
            )
        if group_by_stack_n and not self._options["with_stack"]:
            warnings.warn(
                "key_averages(group_by_stack_n=...): no source lines were recorded (pass "
                "with_stack=True to profile), so the rows are not split by them",
                stacklevel=2,
            )
        return self.events().key_averages(
            group_by_input_shape, group_by_stack_n, group_by_overload_name
        )

    def table(self, *args: Any, **kwargs: Any) -> str:
        """The old API's table: every event on its own row (``EventList.table``'s arguments)."""
        return self.events().table(*args, **kwargs)

    def __str__(self) -> str:
        return self.table()

    def total_average(self) -> FunctionEventAvg:
        return self.events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of all self times in microseconds: the CPU time of everything recorded."""
        return self.events().self_cpu_time_total

    def add_metadata(self, key: str, value: str) -> None:
        """Keep ``key: value`` in the Chrome trace's top level."""
        self._metadata[str(key)] = str(value)

    def add_metadata_json(self, key: str, value: str) -> None:
        """Keep ``key`` with ``value`` (a JSON text, parsed) in the Chrome trace's top level."""
        self._metadata[str(key)] = json.loads(value)

    def get_trace_id(self) -> str | None:
        return self._trace_id

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write the last cycle's events as a Chrome trace JSON file (``.gz``: compressed)."""
        if self._records is None:
            raise RuntimeError("export_chrome_trace: the profiler has recorded nothing yet")
        metadata = dict(self._metadata, baseTimeNanoseconds=self._base_time_ns)
        if self._trace_id is not None:
            metadata["trace_id"] = self._trace_id
        self.events().export_chrome_trace(path, metadata)

    def export_stacks(
        self, path: str | os.PathLike[str], metric: str = "self_cpu_time_total"
    ) -> None:
        """Write the source stacks with their times, for a flame graph (needs ``with_stack=True``)."""
        if not self._options["with_stack"]:
            raise ValueError(
                "export_stacks needs the source lines: pass with_stack=True to profile(...)"
            )
        self.events().export_stacks(path, metric)


class _NoTool:
    """emit_nvtx / emit_itt: they mark ranges for NVIDIA's and Intel's tools, which glassnet
    does not run under; the context manager does nothing (and says so once if enabled)."""

    tool = ""

    def __init__(self, enabled: bool = True, record_shapes: bool = False) -> None:
        if enabled:
            warnings.warn(
                f"glassnet does not emit {self.tool} ranges; {type(self).__name__} does nothing",
                stacklevel=2,
            )

    def __enter__(self) -> _NoTool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class emit_nvtx(_NoTool):  # noqa: N801 - PyTorch's name
    tool = "NVTX"


class emit_itt(_NoTool):  # noqa: N801 - PyTorch's name
    tool = "ITT"
