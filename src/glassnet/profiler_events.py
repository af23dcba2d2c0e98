"""The profiler's results: ``FunctionEvent`` (one timed op, backward step or region), ``EventList`` and its ``key_averages`` / ``table`` / Chrome trace / stacks.

``profiler.py`` times the events; this file holds what a script reads afterwards. A row of
``prof.key_averages().table()`` is the events of one name (and, if asked, one input shape or
source line) added up: how many there were, their total time (with what they called) and
their self time (without it).
"""

from __future__ import annotations

import enum
import gzip
import json
import math
import os
from collections.abc import Callable, Iterable
from typing import Any

# One finished event: (id, parent id, thread, name, kind, start ns, end ns, self ns, input shapes,
# memory with children, own memory, source stack, flops). Kind is the Chrome trace category.
_Record = tuple


class DeviceType(enum.Enum):
    """Where an event ran (always ``CPU`` in glassnet)."""

    CPU = 0
    CUDA = 1


# ----------------------------------------------------------------------------------------------
# Events and their averages
# ----------------------------------------------------------------------------------------------


class Interval:
    """A span of time in microseconds since the profiler started."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start

    def __repr__(self) -> str:
        return f"Interval(start={self.start:.3f}, end={self.end:.3f})"


class _Times:
    """What events and averages share: the device columns (always 0 here) and the *_str forms."""

    cpu_time_total: float
    self_cpu_time_total: float
    count: int
    device_time_total = 0.0
    self_device_time_total = 0.0
    device_memory_usage = 0
    self_device_memory_usage = 0
    device_type = DeviceType.CPU
    node_id = -1
    is_async = False
    is_remote = False
    is_legacy = False
    overload_name = ""
    scope = 0
    use_device = None

    @property
    def cpu_time(self) -> float:
        """Average total time per call, in microseconds."""
        return self.cpu_time_total / max(self.count, 1)

    @property
    def device_time(self) -> float:
        return 0.0

    cuda_time = device_time
    cuda_time_total = device_time_total
    self_cuda_time_total = self_device_time_total
    cuda_memory_usage = device_memory_usage
    self_cuda_memory_usage = self_device_memory_usage

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)


class FunctionEvent(_Times):
    """One timed event: an op, a backward step, a ``record_function`` region or a module call.

    Times are in microseconds: ``cpu_time_total`` from start to end, ``self_cpu_time_total``
    that minus the total times of the events directly inside it (``cpu_children``).
    """

    count = 1

    def __init__(self, record: _Record, origin_ns: int) -> None:
        (ident, _, tid, name, kind, start, end, self_ns, shapes, mem, self_mem, stack, flops) = (
            record
        )
        self.id = ident
        self.name = name
        self.key = name
        self.kind = kind
        self.thread = tid
        self.time_range = Interval((start - origin_ns) / 1e3, (end - origin_ns) / 1e3)
        self.cpu_time_total = (end - start) / 1e3
        self.self_cpu_time_total = self_ns / 1e3
        self.input_shapes = shapes if shapes is not None else []
        self.cpu_memory_usage = mem
        self.self_cpu_memory_usage = self_mem
        self.stack = stack if stack is not None else []
        self.flops = flops
        self.is_user_annotation = kind == "user_annotation"
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_children: list[FunctionEvent] = []

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_total_str} "
            f"self_cpu_time={self.self_cpu_time_total_str} input_shapes={self.input_shapes}>"
        )


class FunctionEventAvg(_Times):
    """The events of one name (and shapes / source lines, when grouped by them) added up."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.flops = 0
        self.input_shapes: list | None = None
        self.stack: list[str] = []
        self.is_user_annotation = False
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_children: list[FunctionEvent] = []

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        """Add another event (or average) into this one; returns self."""
        if self.count == 0:
            self.is_user_annotation = other.is_user_annotation
            self.cpu_parent, self.cpu_children = other.cpu_parent, other.cpu_children
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.flops += other.flops
        return self

    __iadd__ = add

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} count={self.count} cpu_time={self.cpu_time_str} "
            f"self_cpu_time={self.self_cpu_time_total_str} input_shapes={self.input_shapes}>"
        )


def _events_from(records: list[_Record], origin_ns: int) -> list[FunctionEvent]:
    """Events in the order they started (an event before the ones inside it), linked into trees."""
    events = [FunctionEvent(r, origin_ns) for r in sorted(records, key=lambda r: (r[5], -r[6]))]
    by_id = {e.id: e for e in events}
    for record, event in zip(sorted(records, key=lambda r: (r[5], -r[6])), events):
        parent = by_id.get(record[1])
        if parent is not None:
            event.cpu_parent = parent
            parent.cpu_children.append(event)
    return events


# ----------------------------------------------------------------------------------------------
# EventList: the table, key averages, Chrome trace and stacks
# ----------------------------------------------------------------------------------------------

# The keys table(sort_by=...) accepts; the device ones are all 0 on glassnet but keep
# scripts written for a GPU running.
_SORT_KEYS = tuple(
    "cpu_time_total self_cpu_time_total cpu_time count cpu_memory_usage self_cpu_memory_usage "
    "flops cuda_time cuda_time_total self_cuda_time_total device_time device_time_total "
    "self_device_time_total cuda_memory_usage self_cuda_memory_usage device_memory_usage "
    "self_device_memory_usage".split()
)
_STACK_METRICS = ("self_cpu_time_total", "self_cuda_time_total", "self_device_time_total")


def _format_time(us: float, unit: str | None = None) -> str:
    if unit == "s" or (unit is None and us >= 1e6):
        return f"{us / 1e6:.3f}s"
    if unit == "ms" or (unit is None and us >= 1e3):
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes: int) -> str:
    for size, unit in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


def _check_int(where: str, name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{where}: {name} must be >= {low}, got {value}")
    return value


class EventList(list):
    """A list of ``FunctionEvent`` (from ``prof.events()``) or ``FunctionEventAvg`` (from
    ``key_averages()``), with PyTorch's table, averages and exports."""

    def __init__(self, *args: Any, profile_memory: bool = False, with_flops: bool = False,
                 show_shapes: bool | None = None, show_stacks: bool | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        kwargs.pop("use_device", None)
        kwargs.pop("use_cuda", None)
        super().__init__(*args, **kwargs)
        self._profile_memory = profile_memory
        self._with_flops = with_flops
        self._show_shapes = show_shapes
        self._show_stacks = show_stacks

    def _like(self, items: Iterable, **changes: Any) -> EventList:
        options = {
            "profile_memory": self._profile_memory,
            "with_flops": self._with_flops,
            "show_shapes": self._show_shapes,
            "show_stacks": self._show_stacks,
        }
        options.update(changes)
        return EventList(items, **options)

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of every event's self time in microseconds: the CPU time of the whole list."""
        return sum(e.self_cpu_time_total for e in self)

    def total_average(self) -> FunctionEventAvg:
        """All events added into one ``FunctionEventAvg`` named "Total"."""
        total = FunctionEventAvg("Total")
        for event in self:
            total.add(event)
        return total

    def key_averages(
        self,
        group_by_input_shapes: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
        *,
        group_by_input_shape: bool | None = None,
    ) -> EventList:
        """One ``FunctionEventAvg`` per event name, in the order the names first appeared.

        ``group_by_input_shapes=True`` separates calls by their input shapes (needs
        ``record_shapes=True``); ``group_by_stack_n=N`` by their innermost N source lines
        (needs ``with_stack=True``). ``ProfilerStep#1``, ``#2``, ... become one ``ProfilerStep*``.
        """
        if group_by_input_shape is not None:  # the spelling of profile.key_averages
            group_by_input_shapes = group_by_input_shape
        _check_int("key_averages", "group_by_stack_n", group_by_stack_n, 0)
        groups: dict[tuple, FunctionEventAvg] = {}
        for event in self:
            name = "ProfilerStep*" if event.key.startswith("ProfilerStep#") else event.key
            shapes = str(event.input_shapes) if group_by_input_shapes else None
            stack = tuple(event.stack[:group_by_stack_n]) if group_by_stack_n else ()
            key = (name, shapes, stack)
            average = groups.get(key)
            if average is None:
                average = groups[key] = FunctionEventAvg(name)
                if group_by_input_shapes:
                    average.input_shapes = event.input_shapes
                average.stack = list(stack)
            average.add(event)
        return self._like(
            groups.values(),
            show_shapes=bool(group_by_input_shapes),
            show_stacks=bool(group_by_stack_n),
        )

    # -- the table ---------------------------------------------------------------------------------
    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        """The rows as an aligned text table, as PyTorch prints it.

        Args:
            sort_by: a column to sort by, largest first (``"cpu_time_total"``,
                ``"self_cpu_time_total"``, ``"cpu_time"`` (the average), ``"count"``, the memory
                and device keys), or None to keep the list's order.
            row_limit: at most this many rows (a negative number: all of them).
            header: a line printed above the table.
            top_level_events_only: only rows not inside another event.
            time_unit: ``"s"``, ``"ms"`` or ``"us"`` for every time, instead of a unit per value.
        """
        if sort_by is not None and sort_by not in _SORT_KEYS:
            raise ValueError(
                f"table(sort_by=...) expected None or one of {', '.join(map(repr, _SORT_KEYS))}; "
                f"got {sort_by!r}"
            )
        if isinstance(row_limit, bool) or not isinstance(row_limit, int):
            raise TypeError(
                f"table: row_limit must be an int, got {type(row_limit).__name__} {row_limit!r}"
            )
        if time_unit not in (None, "s", "ms", "us"):
            raise ValueError(
                f"table(time_unit=...) expected 's', 'ms', 'us' or None, got {time_unit!r}"
            )
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if top_level_events_only:
            rows = [e for e in rows if e.cpu_parent is None]
        if row_limit >= 0:
            rows = rows[:row_limit]
        return _build_table(
            self, rows, header, time_unit,
            (max_name_column_width, max_shapes_column_width, max_src_column_width),
        )  # fmt: skip

    def __str__(self) -> str:
        return self.table()

    # -- exports -------------------------------------------------------------------------------
    def export_chrome_trace(
        self, path: str | os.PathLike[str], metadata: dict | None = None
    ) -> None:
        """Write the events as a Chrome trace (open it at chrome://tracing or ui.perfetto.dev).

        One complete event (``"ph": "X"``) per row with its start ``ts`` and duration ``dur`` in
        microseconds; written atomically, gzip-compressed when ``path`` ends in ``.gz``.
        """
        from .atomic import atomic_write

        pid = os.getpid()
        trace: list[dict] = [
            {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "glassnet"}},
        ]
        for e in self:
            if not isinstance(e, FunctionEvent):
                raise TypeError(
                    "export_chrome_trace needs the events (prof.events()), not their averages"
                )
            args: dict[str, Any] = {"Ev Idx": e.id}
            if e.input_shapes:
                args["Input Dims"] = e.input_shapes
            if e.stack:
                args["Call stack"] = ";".join(e.stack)
            if e.self_cpu_memory_usage:
                args["Bytes"] = e.self_cpu_memory_usage
            if e.flops:
                args["flops"] = e.flops
            trace.append({
                "ph": "X", "cat": e.kind, "name": e.name, "pid": pid, "tid": e.thread,
                "ts": e.time_range.start, "dur": e.time_range.elapsed_us(), "args": args,
            })  # fmt: skip
        document = {
            "schemaVersion": 1,
            "displayTimeUnit": "ms",
            "traceName": os.fspath(path),
            "traceEvents": trace,
            **(metadata or {}),
        }
        data = json.dumps(document).encode("utf-8")
        if os.fspath(path).endswith(".gz"):
            data = gzip.compress(data)
        with atomic_write(path, "wb") as f:
            f.write(data)

    def export_stacks(
        self, path: str | os.PathLike[str], metric: str = "self_cpu_time_total"
    ) -> None:
        """Write ``outermost;...;innermost;op value`` lines (flame graph input; needs ``with_stack``)."""
        if metric not in _STACK_METRICS:
            raise ValueError(
                f"export_stacks(metric=...) expected one of {_STACK_METRICS}, got {metric!r}"
            )
        from .atomic import atomic_write

        with atomic_write(path, "w") as f:
            for e in self:
                value = int(getattr(e, metric))
                if e.stack and value > 0:
                    f.write(";".join(reversed(e.stack)) + f";{e.key} {value}\n")


def _build_table(
    events: EventList, rows: list, header: str | None, unit: str | None, widths: tuple
) -> str:
    """The text table of ``rows``; percentages are shares of the whole list ``events``."""
    max_name, max_shapes, max_src = widths
    self_total = events.self_cpu_time_total
    show_shapes = events._show_shapes
    if show_shapes is None:
        show_shapes = any(getattr(e, "input_shapes", None) for e in rows)
    show_stacks = events._show_stacks
    if show_stacks is None:
        show_stacks = any(e.stack for e in rows)

    def percent(part: float) -> str:
        return f"{100.0 * part / self_total:.2f}%" if self_total > 0 else "0.00%"

    columns: list[tuple[str, int, Callable[[Any], str]]] = []

    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 3] + "..."

    name_width = min(max((len(e.key) for e in rows), default=4), max_name) + 4
    columns.append(("Name", name_width, lambda e: cut(e.key, max_name)))
    columns += [
        ("Self CPU %", 12, lambda e: percent(e.self_cpu_time_total)),
        ("Self CPU", 12, lambda e: _format_time(e.self_cpu_time_total, unit)),
        ("CPU total %", 12, lambda e: percent(e.cpu_time_total)),
        ("CPU total", 12, lambda e: _format_time(e.cpu_time_total, unit)),
        ("CPU time avg", 12, lambda e: _format_time(e.cpu_time, unit)),
    ]
    if events._profile_memory:
        columns.append(("CPU Mem", 12, lambda e: _format_memory(e.cpu_memory_usage)))
        columns.append(("Self CPU Mem", 12, lambda e: _format_memory(e.self_cpu_memory_usage)))
    columns.append(("# of Calls", 12, lambda e: str(e.count)))
    if events._with_flops:
        largest = max((e.flops for e in rows), default=0)
        power = min(max(int(math.log10(largest)) // 3, 0), 5) if largest > 0 else 0
        prefix = ("", "K", "M", "G", "T", "P")[power]
        columns.append((
            f"Total {prefix}FLOPs", 12,
            lambda e: f"{e.flops / 10 ** (3 * power):.3f}" if e.flops else "--",
        ))  # fmt: skip
    if show_shapes:
        width = min(max((len(str(e.input_shapes)) for e in rows), default=12), max_shapes) + 4
        columns.append(("Input Shapes", width, lambda e: cut(str(e.input_shapes), max_shapes)))
    if show_stacks:
        width = min(max((len(s) for e in rows for s in e.stack), default=15), max_src) + 4
        columns.append(
            ("Source Location", width, lambda e: cut(e.stack[0], max_src) if e.stack else "")
        )

    rule = "  ".join("-" * w for _, w, _ in columns) + "  "
    lines = [] if header is None else [header]
    lines += [rule, "  ".join(title.rjust(w) for title, w, _ in columns) + "  ", rule]
    for e in rows:
        lines.append("  ".join(cell(e).rjust(w) for _, w, cell in columns) + "  ")
    lines += [rule, f"Self CPU time total: {_format_time(self_total, unit)}", ""]
    return "\n".join(lines)
