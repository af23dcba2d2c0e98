"""How many of this process's cores other programs keep busy, read from the system's CPU counters.

Work split over threads runs at the pace of its slowest thread. When another program keeps a
core busy, the thread that lands on that core gets a time slice now and then, and the other
threads wait for it at every hand-off: on a 2-core machine with one busy core, a 2-thread
matrix product took ten times as long as a 1-thread one (measured for glassnet's and
PyTorch's). So glassnet counts the busy cores and leaves them alone (``threads.free_cores``).

The count comes from two readings of Linux's per-core counters (``/proc/stat``: how long
each core has been busy) and of this process's own CPU time (``os.times``), about a second
apart::

    busy elsewhere = (busy time of my cores - my own CPU time) / seconds between the readings

rounded to whole cores, so a program that uses a third of a core counts as none. Where the
counters do not exist (not Linux) every core counts as free.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

__all__ = ["busy_cores_elsewhere", "free_cores", "usable_cores", "REFRESH_SECONDS"]

#: The counters are read at most this often; between readings the last count is returned, so
#: asking costs well under a microsecond (ops ask before every split of their work).
REFRESH_SECONDS = 1.0
#: The first count may come sooner, from the reading taken when glassnet was imported: a
#: training run that starts at once should not spend its first second on busy cores.
FIRST_SECONDS = 0.2

# /proc/stat's per-core columns, in its order; the busy ones are all but idle and iowait.
# Time stolen by the hypervisor (steal) counts as busy: the core was not ours to use.
_BUSY_COLUMNS = (0, 1, 2, 5, 6, 7)  # user, nice, system, irq, softirq, steal


class Reading(NamedTuple):
    """One reading: ``when`` (time.monotonic seconds), ``busy`` (seconds the cores this
    process may use have been busy, since boot), ``mine`` (this process's CPU seconds) and
    ``cores`` (how many cores it may use)."""

    when: float
    busy: float
    mine: float
    cores: int


_clock = time.monotonic  # seconds, for the time between readings
_last: Reading | None = None  # the latest reading (the first is taken at import, at the end)
_count = 0  # the busy cores elsewhere, as computed from the last two readings


def busy_cores_elsewhere() -> int:
    """How many of this process's cores other programs kept busy, over the last second or so.

    0 on an idle machine (or where it cannot be measured), 1 while another program keeps one
    core busy, and so on; 0 until a reading at least ``FIRST_SECONDS`` after the first.
    """
    _refresh()
    return _count


def free_cores() -> int:
    """The cores this process may use less those other programs keep busy (at least 1)."""
    _refresh()
    return max(1, _last.cores - _count)


_wait = FIRST_SECONDS  # how old the last reading must be to be read again


def _refresh() -> None:
    """Take a new reading (and count again) when the last one is old enough (``_wait``)."""
    global _last, _count, _wait
    now = _clock()
    if _last is not None and now - _last.when < _wait:
        return
    if _last is not None:
        _wait = REFRESH_SECONDS
    reading = read_counters(now)
    if reading is None:  # nothing to measure: every core counts as free
        _count, _last = 0, Reading(now, 0.0, 0.0, usable_cores())
        return
    if _last is not None and _last.cores == reading.cores:
        _count = cores_busy_between(_last, reading)
    _last = reading


def usable_cores() -> int:
    """How many cores this process may run on (its affinity; the machine's where unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cores_busy_between(before: Reading, after: Reading) -> int:
    """The cores others kept busy between two readings: the busy time of the cores, less this
    process's own, per second of the time between them, rounded to whole cores (at least 0)."""
    seconds = after.when - before.when
    if seconds <= 0:
        return 0
    others = (after.busy - before.busy) - (after.mine - before.mine)
    return max(0, int(others / seconds + 0.5))


def read_counters(now: float) -> Reading | None:
    """A ``Reading`` of the counters now, or None where there are none (not Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            text = f.read()
        mine_cores = os.sched_getaffinity(0)
        ticks_per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, AttributeError, ValueError):
        return None
    busy_ticks = cores_busy_ticks(text, mine_cores)
    if busy_ticks is None:
        return None
    times = os.times()
    return Reading(now, busy_ticks / ticks_per_second, times.user + times.system, len(mine_cores))


def cores_busy_ticks(stat_text: str, cores: set[int]) -> int | None:
    """The busy clock ticks of the ``cores`` in the text of ``/proc/stat`` (None if it has no
    line for any of them). A core's line reads ``cpu3 user nice system idle iowait irq
    softirq steal ...``; the first line (``cpu``, all cores together) is skipped."""
    total, found = 0, False
    for line in stat_text.splitlines():
        if not line.startswith("cpu") or line.startswith("cpu "):
            continue
        name, *columns = line.split()
        if not name[3:].isdigit() or int(name[3:]) not in cores or len(columns) < 8:
            continue
        total += sum(int(columns[i]) for i in _BUSY_COLUMNS)
        found = True
    return total if found else None


# The first reading, so that the first count needs no wait (see FIRST_SECONDS).
_last = read_counters(_clock())
