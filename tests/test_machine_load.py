"""Counting the cores other programs keep busy (machine_load), from the system's CPU counters."""

import subprocess
import sys
import time

import pytest

from glassnet import machine_load
from glassnet.machine_load import Reading, cores_busy_between, cores_busy_ticks

STAT = """cpu  900 0 90 9000 10 0 5 5 0 0
cpu0 100 1 10 1000 4 0 2 3 0 0
cpu1 200 2 20 2000 6 0 3 2 0 0
cpu2 400 0 40 4000 0 0 0 0 0 0
intr 12345 0 0
"""


@pytest.mark.parametrize(
    "cores, ticks",
    [({0}, 100 + 1 + 10 + 0 + 2 + 3), ({0, 1}, 116 + 200 + 2 + 20 + 3 + 2), ({2}, 440)],
    ids=["one core", "two cores", "another core"],
)
def test_busy_ticks_add_the_busy_columns_of_my_cores(cores, ticks):
    assert cores_busy_ticks(STAT, cores) == ticks


def test_no_line_for_my_cores_is_no_reading():
    assert cores_busy_ticks(STAT, {7}) is None
    assert cores_busy_ticks("intr 1 2 3\n", {0}) is None


@pytest.mark.parametrize(
    "busy, mine, expected",
    [(2.0, 1.0, 1), (2.0, 2.0, 0), (1.3, 1.0, 0), (1.6, 1.0, 1), (3.0, 0.0, 3), (1.0, 1.5, 0)],
    ids=["one core elsewhere", "only mine", "a third", "over a half", "three", "negative"],
)
def test_busy_cores_are_the_busy_time_not_mine_per_second(busy, mine, expected):
    before = Reading(10.0, 100.0, 5.0, 4)
    after = Reading(11.0, 100.0 + busy, 5.0 + mine, 4)
    assert cores_busy_between(before, after) == expected


def test_two_readings_at_once_give_no_count():
    reading = Reading(10.0, 100.0, 5.0, 4)
    assert cores_busy_between(reading, reading) == 0


@pytest.fixture
def fake_counters(monkeypatch):
    """Readings from a list instead of the system; the clock is ours to move."""
    clock = {"now": 100.0}
    readings = []
    monkeypatch.setattr(machine_load, "_last", None)
    monkeypatch.setattr(machine_load, "_count", 0)
    monkeypatch.setattr(machine_load, "_wait", machine_load.FIRST_SECONDS)
    monkeypatch.setattr(machine_load, "_clock", lambda: clock["now"])

    def read(now):
        busy, mine = readings.pop(0)
        return Reading(now, busy, mine, 2)

    monkeypatch.setattr(machine_load, "read_counters", read)
    return clock, readings


def test_the_count_is_read_at_most_once_a_second(fake_counters):
    clock, readings = fake_counters
    readings += [(0.0, 0.0), (2.0, 1.0), (4.0, 3.0)]
    assert machine_load.busy_cores_elsewhere() == 0  # the first reading: nothing to compare
    assert machine_load.free_cores() == 2
    clock["now"] += 1.0
    assert machine_load.busy_cores_elsewhere() == 1  # 2 s busy, 1 s mine, in 1 s: one core
    assert machine_load.free_cores() == 1
    clock["now"] += 0.5
    assert machine_load.free_cores() == 1 and len(readings) == 1  # not read again yet
    clock["now"] += 0.5
    assert machine_load.busy_cores_elsewhere() == 0  # the other program has stopped
    assert machine_load.free_cores() == 2


def test_the_first_count_comes_a_fifth_of_a_second_after_the_first_reading(fake_counters):
    clock, readings = fake_counters
    readings += [(0.0, 0.0), (0.2, 0.0), (1.2, 0.0)]
    assert machine_load.free_cores() == 2  # the first reading (glassnet takes it at import)
    clock["now"] += 0.2
    assert machine_load.free_cores() == 1  # 0.2 s busy elsewhere in 0.2 s: one core
    clock["now"] += 0.5
    assert machine_load.free_cores() == 1 and len(readings) == 1  # now once a second
    clock["now"] += 0.5
    assert machine_load.free_cores() == 1 and not readings


def test_at_least_one_core_is_always_free(fake_counters):
    clock, readings = fake_counters
    readings += [(0.0, 0.0), (5.0, 0.0)]  # five cores' worth elsewhere, on a 2-core reading
    machine_load.busy_cores_elsewhere()
    clock["now"] += 1.0
    assert machine_load.busy_cores_elsewhere() == 5 and machine_load.free_cores() == 1


def test_without_counters_every_core_is_free(monkeypatch):
    monkeypatch.setattr(machine_load, "_last", None)
    monkeypatch.setattr(machine_load, "read_counters", lambda now: None)
    assert machine_load.busy_cores_elsewhere() == 0
    assert machine_load.free_cores() == machine_load.usable_cores()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc/stat")
def test_a_program_spinning_on_a_core_is_counted():
    spinner = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 4\nwhile time.time() < end: pass"]
    )
    try:
        time.sleep(0.5)  # the spinner is running
        before = machine_load.read_counters(time.monotonic())
        time.sleep(1.5)
        after = machine_load.read_counters(time.monotonic())
    finally:
        spinner.kill()
        spinner.wait()
    assert cores_busy_between(before, after) >= 1
