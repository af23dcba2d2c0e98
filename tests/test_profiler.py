"""glassnet.profiler (torch.profiler / torch.autograd.profiler): counts, self vs total times,
tables, Chrome traces, schedules, hooks removed afterwards, and a script under glassnet run."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd, nn, profiler, profiler_events, run
from glassnet.autograd import Op
from glassnet.nn import hooks as nn_hooks
from glassnet.profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    tensorboard_trace_handler,
)

COLUMNS = [
    "Name",
    "Self CPU %",
    "Self CPU",
    "CPU total %",
    "CPU total",
    "CPU time avg",
    "# of Calls",
]


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))


def _averages(prof, **kwargs) -> dict:
    return {a.key: a for a in prof.key_averages(**kwargs)}


def _hook_lists() -> list[list]:
    return [
        list(autograd._op_start_hooks),
        list(autograd._op_hooks),
        list(autograd._backward_start_hooks),
        list(autograd._backward_hooks),
        list(nn_hooks.global_forward_pre_hooks),
        list(nn_hooks.global_forward_hooks),
    ]


def _table_rows(text: str) -> list[list[str]]:
    """The body rows of a table, each split on its two-space column gaps."""
    lines = text.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("---")]
    assert len(rules) == 3, text
    return [
        [c.strip() for c in line.split("  ") if c.strip()]
        for line in lines[rules[1] + 1 : rules[2]]
    ]


def _header(text: str) -> list[str]:
    line = text.splitlines()[1]
    return [c.strip() for c in line.split("  ") if c.strip()]


# ----------------------------------------------------------------------------------------------
# What is counted, and self vs total
# ----------------------------------------------------------------------------------------------


def test_linear_relu_forward_backward_counts():
    model, x = _mlp(), gn.randn(4, 8)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model(x).sum().backward()
    counts = {k: a.count for k, a in _averages(prof).items()}
    assert counts == {
        "Linear": 2,
        "ReLU": 1,
        "Sum": 1,
        "SumBackward": 1,
        "LinearBackward": 2,
        "ReLUBackward": 1,
    }


def test_matmul_backward_rows_hold_their_inner_matmuls():
    x = gn.randn(4, 8, requires_grad=True)
    w = gn.randn(8, 3, requires_grad=True)
    with profile() as prof:
        (x @ w).sum().backward()
    averages = _averages(prof)
    assert averages["MatMul"].count == 3  # one forward, dL/dx and dL/dw in the backward
    assert averages["MatMulBackward"].count == 1
    (node,) = [e for e in prof.events() if e.name == "MatMulBackward"]
    assert [c.name for c in node.cpu_children].count("MatMul") == 2
    forward = [e for e in prof.events() if e.name == "MatMul" and e.cpu_parent is None]
    assert len(forward) == 1


def test_self_is_total_minus_children_and_fits_in_the_wall_time():
    model, x = _mlp(), gn.randn(16, 8)
    model(x)  # warm up, so that the wall time is not all first-call costs
    start = time.perf_counter_ns()
    with profile() as prof:
        with record_function("step"):
            for _ in range(3):
                model(x).sum().backward()
    wall_us = (time.perf_counter_ns() - start) / 1e3
    events = prof.events()
    assert len(events) > 20
    for e in events:
        assert 0 <= e.self_cpu_time_total <= e.cpu_time_total
        children = sum(c.cpu_time_total for c in e.cpu_children)
        assert e.self_cpu_time_total == pytest.approx(e.cpu_time_total - children, abs=1e-3)
        for c in e.cpu_children:  # a child lies inside its parent
            assert e.time_range.start <= c.time_range.start <= c.time_range.end <= e.time_range.end
    assert events.self_cpu_time_total <= wall_us
    (step,) = [e for e in events if e.name == "step"]
    assert events.self_cpu_time_total == pytest.approx(step.cpu_time_total, rel=1e-9)
    for a in prof.key_averages():
        assert 0 <= a.self_cpu_time_total <= a.cpu_time_total
        assert a.cpu_time == pytest.approx(a.cpu_time_total / a.count)


def test_custom_function_is_one_op_and_its_backward_holds_its_ops():
    class Square(gn.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a * g

    x = gn.randn(5, requires_grad=True)
    before = _hook_lists()
    with profile() as prof:
        Square.apply(x).sum().backward()
    assert _hook_lists() == before
    events = prof.events()
    top = [e.name for e in events if e.cpu_parent is None]
    assert top == ["Square", "Sum", "SumBackward", "SquareBackward"]
    assert not [e for e in events if e.name == "Square"][0].cpu_children  # forward: one step
    (node,) = [e for e in events if e.name == "SquareBackward"]
    assert [c.name for c in node.cpu_children] == ["Mul", "Mul"]


class _Refuses(Op):
    """y = x, except that forward raises (a stand-in for any op failing mid-model)."""

    def forward(self, x):
        raise ValueError("refused")


def test_an_op_that_raises_inside_a_region_leaves_times_consistent():
    x = gn.randn(3, 3)
    with profile() as prof:
        with record_function("outer"):
            with pytest.raises(ValueError, match="refused"):
                _Refuses()(x)
            x @ x
            x + x
    (outer,) = [e for e in prof.events() if e.name == "outer"]
    assert [c.name for c in outer.cpu_children] == ["MatMul", "Add"]
    children = sum(c.cpu_time_total for c in outer.cpu_children)
    assert outer.self_cpu_time_total == pytest.approx(outer.cpu_time_total - children, abs=1e-3)
    assert "_Refuses" not in {e.name for e in prof.events()}


def test_ops_of_another_thread_are_not_children_of_this_threads_region():
    x = gn.randn(4, 4)
    with profile() as prof:
        with record_function("main"):
            worker = threading.Thread(target=lambda: x @ x)
            worker.start()
            worker.join()
            x + x
    events = prof.events()
    (main,) = [e for e in events if e.name == "main"]
    assert [c.name for c in main.cpu_children] == ["Add"]
    (matmul,) = [e for e in events if e.name == "MatMul"]
    assert matmul.cpu_parent is None and matmul.thread != main.thread


# ----------------------------------------------------------------------------------------------
# record_function
# ----------------------------------------------------------------------------------------------


def test_record_function_as_context_manager_and_decorator():
    x = gn.randn(4, 4)

    @record_function("double")
    def double(t):
        return t + t

    with profile() as prof:
        with record_function("region"):
            x @ x
        for _ in range(3):
            double(x)
    averages = _averages(prof)
    assert averages["region"].count == 1 and averages["double"].count == 3
    assert averages["Add"].count == 3
    for e in prof.events():
        if e.name in ("Add", "MatMul"):
            assert e.cpu_parent.name == {"Add": "double", "MatMul": "region"}[e.name]
        if e.name in ("region", "double"):
            assert e.is_user_annotation
    assert double(gn.ones(2)).tolist() == [2.0, 2.0]  # outside a profiler it only runs


def test_record_function_decorator_nests_in_recursion():
    @record_function("depth")
    def down(n):
        return 0 if n == 0 else 1 + down(n - 1)

    with profile() as prof:
        assert down(3) == 3
    depths = [e for e in prof.events() if e.name == "depth"]
    assert len(depths) == 4
    assert [len(e.cpu_children) for e in depths] == [1, 1, 1, 0]


def test_record_function_rejects_a_name_that_is_not_a_string():
    with pytest.raises(TypeError, match=r"record_function expects a name \(str\), got int"):
        record_function(3)


# ----------------------------------------------------------------------------------------------
# key_averages and the table
# ----------------------------------------------------------------------------------------------


def test_table_has_pytorchs_columns_and_total_line():
    model, x = _mlp(), gn.randn(4, 8)
    with profile() as prof:
        model(x).sum().backward()
    text = prof.key_averages().table()
    assert _header(text) == COLUMNS
    total = prof.events().self_cpu_time_total
    assert text.splitlines()[-1] == f"Self CPU time total: {profiler_events._format_time(total)}"
    widths = {len(line) for line in text.splitlines()[:-1]}
    assert len(widths) == 1  # every line of the grid is as wide as the others


@pytest.mark.parametrize(
    "sort_by,column",
    [("cpu_time_total", "cpu_time_total"), ("self_cpu_time_total", "self_cpu_time_total"),
     ("cpu_time", "cpu_time"), ("count", "count")],
    ids=["total", "self", "average", "count"],
)  # fmt: skip
def test_table_rows_follow_sort_by(sort_by, column):
    model, x = _mlp(), gn.randn(4, 8)
    with profile() as prof:
        for _ in range(2):
            model(x).sum().backward()
        x + x
    averages = prof.key_averages()
    expected = [a.key for a in sorted(averages, key=lambda a: getattr(a, column), reverse=True)]
    rows = _table_rows(averages.table(sort_by=sort_by, row_limit=-1))
    assert [r[0] for r in rows] == expected
    values = [
        getattr(a, column) for a in sorted(averages, key=lambda a: getattr(a, column), reverse=True)
    ]
    assert values == sorted(values, reverse=True)


def test_row_limit_is_respected():
    model, x = _mlp(), gn.randn(4, 8)
    with profile() as prof:
        model(x).sum().backward()
    averages = prof.key_averages()
    assert len(averages) == 6
    assert len(_table_rows(averages.table(row_limit=3))) == 3
    assert len(_table_rows(averages.table(row_limit=0))) == 0
    assert len(_table_rows(averages.table(row_limit=-1))) == 6
    top = _table_rows(averages.table(sort_by="self_cpu_time_total", row_limit=1))
    assert top[0][0] == max(averages, key=lambda a: a.self_cpu_time_total).key


def test_table_refuses_an_unknown_sort_key():
    with profile() as prof:
        gn.ones(2) + 1
    with pytest.raises(
        ValueError, match=r"expected None or one of .*'cpu_time_total'.*got 'cpu_totl'"
    ):
        prof.key_averages().table(sort_by="cpu_totl")
    with pytest.raises(TypeError, match="row_limit must be an int, got str"):
        prof.key_averages().table(row_limit="5")


def test_group_by_input_shape_separates_shapes():
    layer = nn.Linear(8, 3)
    with profile(record_shapes=True) as prof:
        layer(gn.randn(4, 8))
        layer(gn.randn(7, 8))
        layer(gn.randn(4, 8))
    assert _averages(prof)["Linear"].count == 3
    grouped = [a for a in prof.key_averages(group_by_input_shape=True) if a.key == "Linear"]
    by_shape = {str(a.input_shapes): a.count for a in grouped}
    assert by_shape == {"[[4, 8], [3, 8], [3]]": 2, "[[7, 8], [3, 8], [3]]": 1}
    text = prof.key_averages(group_by_input_shape=True).table()
    assert _header(text)[-1] == "Input Shapes" and "[[7, 8], [3, 8], [3]]" in text
    assert "Input Shapes" not in prof.key_averages().table()


def test_time_unit_fixes_the_unit_of_every_time():
    with profile() as prof:
        gn.ones(3) * 2
    for row in _table_rows(prof.key_averages().table(time_unit="ms")):
        assert row[2].endswith("ms") and row[4].endswith("ms") and row[5].endswith("ms")


def test_old_api_prints_every_event_on_its_own_row():
    model, x = _mlp(), gn.randn(4, 8)
    with gn.autograd.profiler.profile(enabled=True, use_cuda=False, record_shapes=True) as prof:
        with gn.autograd.profiler.record_function("fwd"):
            model(x)
    names = [r[0] for r in _table_rows(str(prof))]
    assert names == ["fwd", "Linear", "ReLU", "Linear"]
    assert _header(str(prof))[-1] == "Input Shapes"  # per-event tables show what was recorded
    assert prof.self_cpu_time_total == pytest.approx(prof.events().self_cpu_time_total)
    assert prof.total_average().count == 4


def test_disabled_profiler_records_nothing():
    before = _hook_lists()
    with profile(enabled=False) as prof:
        assert _hook_lists() == before
        gn.ones(2) + 1
        prof.step()
    assert len(prof.events()) == 0 and prof.step_num == 1


# ----------------------------------------------------------------------------------------------
# Memory, FLOPs, modules, stacks
# ----------------------------------------------------------------------------------------------


def test_profile_memory_counts_output_bytes():
    layer = nn.Linear(8, 16)
    with profile(profile_memory=True) as prof:
        with record_function("block"):
            gn.relu(layer(gn.randn(4, 8)))
    averages = _averages(prof)
    assert averages["Linear"].self_cpu_memory_usage == 4 * 16 * 4  # float32 (4, 16)
    assert averages["block"].self_cpu_memory_usage == 0
    assert averages["block"].cpu_memory_usage == 2 * 4 * 16 * 4
    assert _header(prof.key_averages().table())[6:8] == ["CPU Mem", "Self CPU Mem"]


def test_with_flops_counts_matrix_products():
    layer = nn.Linear(8, 16)
    a, b = gn.randn(2, 5, 6), gn.randn(6, 7)
    with profile(with_flops=True) as prof:
        layer(gn.randn(4, 8))
        a @ b
    averages = _averages(prof)
    assert averages["Linear"].flops == 2 * 4 * 8 * 16
    assert averages["MatMul"].flops == 2 * 2 * 5 * 6 * 7
    assert _header(prof.key_averages().table())[-1] == "Total KFLOPs"


def test_with_modules_adds_module_rows_around_their_ops():
    model, x = _mlp(), gn.randn(4, 8)
    with profile(with_modules=True) as prof:
        model(x)
    assert not nn_hooks.global_forward_pre_hooks and not nn_hooks.global_forward_hooks
    events = prof.events()
    names = [e.name for e in events]
    assert names[:3] == ["nn.Module: Sequential", "nn.Module: 0 (Linear)", "Linear"]
    (first,) = [e for e in events if e.name == "nn.Module: 0 (Linear)"]
    assert first.cpu_parent.name == "nn.Module: Sequential"
    assert [c.name for c in first.cpu_children] == ["Linear"]


def test_with_stack_keeps_the_callers_source_lines(tmp_path):
    x = gn.randn(3, 3)
    with profile(with_stack=True) as prof:
        x @ x
    (matmul,) = [e for e in prof.events() if e.name == "MatMul"]
    assert matmul.stack[0].startswith(__file__) and "test_with_stack" in matmul.stack[0]
    assert "Source Location" in _header(prof.key_averages(group_by_stack_n=1).table())
    path = tmp_path / "stacks.txt"
    prof.export_stacks(str(path))
    lines = path.read_text().splitlines()
    assert any(line.rsplit(" ", 1)[0].endswith(";MatMul") for line in lines)
    assert all(int(line.rsplit(" ", 1)[1]) > 0 for line in lines)


# ----------------------------------------------------------------------------------------------
# Chrome trace
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trace.json", "trace.json.gz"], ids=["plain", "gzip"])
def test_chrome_trace_is_valid_json_with_the_events(tmp_path, name):
    x = gn.randn(4, 4, requires_grad=True)
    with profile(record_shapes=True) as prof:
        with record_function("region"):
            (x @ x).sum().backward()
    path = tmp_path / name
    prof.export_chrome_trace(str(path))
    data = path.read_bytes()
    document = json.loads(gzip.decompress(data) if name.endswith(".gz") else data)
    spans = [e for e in document["traceEvents"] if e["ph"] == "X"]
    assert len(spans) == len(prof.events())
    assert {s["name"] for s in spans} >= {"region", "MatMul", "MatMulBackward", "Sum"}
    (region,) = [s for s in spans if s["name"] == "region"]
    assert region["cat"] == "user_annotation"
    for s in spans:
        assert s["dur"] >= 0 and isinstance(s["ts"], float)
        assert region["ts"] <= s["ts"] and s["ts"] + s["dur"] <= region["ts"] + region["dur"] + 1e-6
    matmul = [s for s in spans if s["name"] == "MatMul"][0]
    assert matmul["args"]["Input Dims"] == [[4, 4], [4, 4]]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]  # written atomically


def test_chrome_trace_before_anything_was_recorded_is_refused(tmp_path):
    prof = profile()
    with pytest.raises(RuntimeError, match="recorded nothing yet"):
        prof.export_chrome_trace(str(tmp_path / "t.json"))


# ----------------------------------------------------------------------------------------------
# Schedules, step(), on_trace_ready
# ----------------------------------------------------------------------------------------------


def test_schedule_calls_on_trace_ready_once_per_cycle():
    x = gn.randn(4, 4)
    seen = []

    def ready(prof):
        averages = _averages(prof)
        seen.append((prof.step_num, averages["ProfilerStep*"].count, averages["MatMul"].count))

    sched = schedule(wait=1, warmup=1, active=2, repeat=2)
    with profile(schedule=sched, on_trace_ready=ready) as prof:
        for _ in range(10):
            x @ x
            prof.step()
    assert seen == [(4, 2, 2), (8, 2, 2)]
    steps = sorted(e.name for e in prof.events() if e.name.startswith("ProfilerStep#"))
    assert steps == ["ProfilerStep#6", "ProfilerStep#7"]


def test_schedule_actions():
    sched = schedule(wait=1, warmup=1, active=2, repeat=1, skip_first=1)
    N, W, R, S = (ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
                  ProfilerAction.RECORD_AND_SAVE)  # fmt: skip
    assert [sched(i) for i in range(7)] == [N, N, W, R, S, N, N]
    again = schedule(wait=2, warmup=0, active=1, skip_first_wait=1)
    assert [again(i) for i in range(5)] == [S, N, N, S, N]


def test_schedule_matches_pytorch():
    torch = pytest.importorskip("torch")
    import torch.profiler as torch_profiler

    for kwargs in (
        dict(wait=1, warmup=1, active=2, repeat=2),
        dict(wait=0, warmup=2, active=1, repeat=0, skip_first=3),
        dict(wait=2, warmup=1, active=3, repeat=1, skip_first_wait=1),
    ):
        ours, theirs = schedule(**kwargs), torch_profiler.schedule(**kwargs)
        assert [ours(i).name for i in range(30)] == [theirs(i).name for i in range(30)], kwargs
    assert torch.__version__


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        (dict(wait=-1, warmup=0, active=1), ValueError, "wait must be >= 0, got -1"),
        (dict(wait=0, warmup=0, active=0), ValueError, "active must be >= 1, got 0"),
        (dict(wait=0, warmup=-2, active=1), ValueError, "warmup must be >= 0, got -2"),
        (dict(wait=0, warmup=0, active=1, repeat=-1), ValueError, "repeat must be >= 0, got -1"),
        (dict(wait=1.5, warmup=0, active=1), TypeError, "wait must be an int, got float 1.5"),
    ],
    ids=["negative-wait", "no-active", "negative-warmup", "negative-repeat", "float"],
)
def test_schedule_refuses_bad_numbers(kwargs, error, message):
    with pytest.raises(error, match=message):
        schedule(**kwargs)


def test_step_outside_the_profiler_is_refused():
    prof = profile(schedule=schedule(wait=0, warmup=0, active=1))
    with pytest.raises(
        RuntimeError, match=r"profile.step\(\) was called while the profiler is not running"
    ):
        prof.step()
    with prof:
        prof.step()
    with pytest.raises(RuntimeError, match="not running"):
        prof.step()


def test_tensorboard_trace_handler_writes_one_file_per_cycle(tmp_path):
    folder = tmp_path / "log"
    x = gn.randn(3, 3)
    sched = schedule(wait=1, warmup=0, active=1, repeat=2)
    with profile(
        schedule=sched, on_trace_ready=tensorboard_trace_handler(str(folder), "worker0")
    ) as prof:
        for _ in range(6):
            x @ x
            prof.step()
    files = sorted(os.listdir(folder))
    assert len(files) == 2
    steps = []
    for name in files:
        assert name.startswith("worker0.") and name.endswith(".pt.trace.json")
        spans = [
            e for e in json.loads((folder / name).read_text())["traceEvents"] if e["ph"] == "X"
        ]
        assert len(spans) == 2 and spans[1]["name"] == "MatMul"
        steps.append(spans[0]["name"])
    assert sorted(steps) == ["ProfilerStep#1", "ProfilerStep#3"]


def test_acc_events_keeps_every_cycle():
    x = gn.randn(3, 3)
    sched = schedule(wait=0, warmup=0, active=1)
    with profile(schedule=sched, acc_events=True) as prof:
        for _ in range(3):
            x @ x
            prof.step()
    assert _averages(prof)["MatMul"].count == 3


def test_start_and_stop_by_hand_and_the_module_under_both_names():
    assert gn.autograd.profiler is profiler
    prof = profiler.profile()
    prof.start()
    with pytest.raises(RuntimeError, match="already running"):
        prof.start()
    gn.ones(3) * 2
    prof.stop()
    prof.stop()  # a second stop changes nothing
    assert [e.name for e in prof.events()] == ["Mul"]
    assert not autograd._op_start_hooks


def test_results_inside_the_block_are_refused():
    with profile() as prof:
        with pytest.raises(RuntimeError, match="no results yet"):
            prof.key_averages()


# ----------------------------------------------------------------------------------------------
# Hooks come and go; bad arguments
# ----------------------------------------------------------------------------------------------


def test_hooks_are_removed_after_the_block_and_after_an_exception():
    before = _hook_lists()
    with profile(with_modules=True):
        assert len(autograd._op_start_hooks) == len(before[0]) + 1
        assert len(nn_hooks.global_forward_hooks) == len(before[5]) + 1
    assert _hook_lists() == before
    with pytest.raises(KeyError):
        with profile(with_modules=True):
            _mlp()(gn.randn(2, 8))
            raise KeyError("boom")
    assert _hook_lists() == before
    assert profiler._collector is None


def test_a_second_profiler_at_once_is_refused():
    with profile() as outer:
        with pytest.raises(RuntimeError, match="already recording"):
            with profile():
                pass
        gn.ones(2) + 1
    assert "Add" in _averages(outer)


def test_a_gpu_activity_warns_and_is_ignored():
    with pytest.warns(UserWarning, match="glassnet has no GPU: ProfilerActivity.CUDA is ignored"):
        prof = profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
    with prof:
        gn.ones(2) + 1
    assert "Add" in _averages(prof)
    with pytest.warns(UserWarning, match="use_cuda=True is ignored"):
        gn.autograd.profiler.profile(use_cuda=True)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(activities="cpu"), "activities must be a list of ProfilerActivity"),
        (dict(activities=["cpu"]), "activities must hold ProfilerActivity members, got 'cpu'"),
        (dict(record_shapes="yes"), "record_shapes must be True or False, got str 'yes'"),
        (dict(schedule=3), "schedule must be callable"),
    ],
    ids=["string-activities", "string-member", "string-flag", "schedule-not-callable"],
)
def test_profile_refuses_bad_arguments(kwargs, message):
    with pytest.raises(TypeError, match=message):
        profile(**kwargs)


def test_nothing_is_hooked_when_not_profiling():
    assert profiler._collector is None
    assert not autograd._op_start_hooks and not autograd._backward_start_hooks
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with record_function("idle"):  # no profiler: nothing is recorded anywhere
            gn.ones(2) + 1


# ----------------------------------------------------------------------------------------------
# Under glassnet run, and next to PyTorch
# ----------------------------------------------------------------------------------------------

SCRIPT = """
import torch
import torch.profiler
from torch.profiler import profile, record_function, ProfilerActivity, schedule, tensorboard_trace_handler

model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
x = torch.randn(4, 8)
with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
    with record_function("model_inference"):
        model(x).sum().backward()
print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
with torch.autograd.profiler.profile(enabled=True, use_cuda=False) as old:
    with torch.autograd.profiler.record_function("old_api"):
        model(x)
print(sorted(a.key for a in old.key_averages()))
ready = []
with torch.profiler.profile(schedule=schedule(wait=0, warmup=1, active=1),
                            on_trace_ready=tensorboard_trace_handler("tb")) as p:
    for _ in range(4):
        model(x)
        p.step()
import os
print("traces", len(os.listdir("tb")))
"""


def test_a_pytorch_script_profiles_under_glassnet_run(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "prof_script.py"
    path.write_text(SCRIPT)
    assert run.main([str(path)]) == 0
    out = capsys.readouterr().out
    table = out[: out.index("Self CPU time total")] + "Self CPU time total"
    assert _header(table) == COLUMNS
    names = [r[0] for r in _table_rows(out[: out.index("Self CPU time total") + 40])]
    assert names[0] == "model_inference" and "LinearBackward" in names
    assert "['Linear', 'ReLU', 'old_api']" in out
    assert "traces 2" in out


def test_table_columns_are_those_of_pytorch():
    torch = pytest.importorskip("torch")
    from torch.profiler import profile as torch_profile

    x = torch.randn(4, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch_profile(record_shapes=True, profile_memory=True) as theirs:
            x @ x
    with profile(record_shapes=True, profile_memory=True) as ours:
        gn.randn(4, 4) @ gn.randn(4, 4)
    for kwargs in ({}, {"group_by_input_shape": True}):
        their_text = theirs.key_averages(**kwargs).table()
        our_text = ours.key_averages(**kwargs).table()
        assert _header(our_text) == _header(their_text)
        assert (
            our_text.splitlines()[-1].split(":")[0]
            == their_text.strip().splitlines()[-1].split(":")[0]
        )
    assert np.isfinite(ours.self_cpu_time_total)
