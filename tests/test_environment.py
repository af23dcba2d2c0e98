"""environment.variable reads a variable as os.environ.get does, and sees every change at once."""

import os

import pytest

from glassnet import environment, jit, threads


@pytest.mark.parametrize("value", ["1", " off ", "", "dé jà", "x=y;z"])
def test_a_variable_reads_as_os_environ_get(monkeypatch, value):
    monkeypatch.setenv("GLASSNET_TEST_VARIABLE", value)
    assert environment.variable("GLASSNET_TEST_VARIABLE") == os.environ.get(
        "GLASSNET_TEST_VARIABLE"
    )
    monkeypatch.delenv("GLASSNET_TEST_VARIABLE")
    assert environment.variable("GLASSNET_TEST_VARIABLE") == ""


def test_changes_count_at_once_for_the_switches_that_read_it(monkeypatch):
    jit.set_enabled(None)
    try:
        monkeypatch.setenv("GLASSNET_JIT", "0")
        assert not jit._wanted()
        monkeypatch.setenv("GLASSNET_JIT", "1")
        assert jit._wanted()
        monkeypatch.setenv("GLASSNET_NUM_THREADS", "3")
        assert threads._requested() == 3
        monkeypatch.delenv("GLASSNET_NUM_THREADS")
        assert threads._requested() is None
    finally:
        jit.set_enabled(None)


def test_where_os_environ_keeps_no_bytes_it_is_os_environ_get(monkeypatch):
    monkeypatch.setattr(environment, "_BYTES_STORE", False)
    monkeypatch.setenv("GLASSNET_TEST_VARIABLE", "7")
    assert environment.variable("GLASSNET_TEST_VARIABLE") == "7"
    assert environment.variable("GLASSNET_TEST_UNSET_VARIABLE") == ""
