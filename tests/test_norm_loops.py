"""The compiled loops of the normalization fast path (ops/norm_loops.py) against the NumPy path.

Every case runs the same op twice, with compiled loops and with them switched off, and
compares the outputs, the statistics and every gradient; the NumPy path is the twin (itself
tested against the plain reference in test_norm_fast.py). ``MIN_VALUES`` is lowered so that
small, odd shapes take the compiled path too.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn
import glassnet.nn as nn
from glassnet import jit
from glassnet.ops import norm_loops, norm_rows
from glassnet.ops.norm import Normalize

pytest.importorskip("numba")

# (input shape, statistics axes, parameter shape or None): odd sizes everywhere
CASES = [
    ((7, 13), (1,), (13,)),  # layer norm
    ((3, 5, 11), (1, 2), (5, 11)),  # layer norm over two axes
    ((3, 2, 3, 7), (2, 3), (1, 2, 3, 1)),  # group norm, (N, G, C/G, HW)
    ((3, 5, 3, 7), (0, 2, 3), (1, 5, 1, 1)),  # batch norm 2d
    ((5, 3, 7), (0, 2), (1, 3, 1)),  # batch norm 1d
    ((3, 4, 7), (2,), None),  # instance norm (one statistic per row, no parameters)
    ((7, 13), (1,), None),  # layer norm without affine
    ((3, 5, 3, 7), (0, 2, 3), None),  # batch norm without affine
    ((3, 4, 2, 3, 5), (0, 2, 3, 4), (1, 4, 1, 1, 1)),  # batch norm 3d
    ((3, 4, 5, 7), (1, 3), (1, 1, 5, 1)),  # reduced block in the middle: R = 4 rows 5 apart
    ((3, 4, 5, 7), (1, 3), (3, 1, 5, 1)),  # parameters per sample too: not a cycle of rows
]
IDS = [
    "layer",
    "layer2",
    "group",
    "batch2d",
    "batch1d",
    "instance",
    "layer-plain",
    "batch-plain",
    "batch3d",
    "middle",
    "middle-per-sample",
]
# the cases with parameters (every layout the compiled loops serve)
AFFINE = [case for case in CASES if case[2] is not None]
AFFINE_IDS = [name for name, case in zip(IDS, CASES) if case[2] is not None]
DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["f32", "f64"]
# which parameters the op gets: both, weight only, bias only
PARAMS = ["affine", "weight", "bias"]


def _tolerance(dtype) -> dict:
    return {"rtol": 2e-5, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture
def compile_small(monkeypatch):
    """Compiled loops on every size (not only large inputs); the switch restored after."""
    monkeypatch.setattr(norm_loops, "MIN_VALUES", 0)
    yield
    jit.set_enabled(None)
    gn.set_num_threads(None)


def _inputs(shape, pshape, dtype, seed=0, offset=1.0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + offset).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    if pshape is None:
        return x, g, None, None
    size = int(np.prod(pshape))
    w = np.linspace(0.5, 2.0, size).reshape(pshape).astype(dtype)
    b = np.linspace(-1.0, 1.0, size).reshape(pshape).astype(dtype)
    return x, g, w, b


def _run(compiled, dims, x, g, w=None, b=None, which="affine", need_x=True):
    """Forward and backward of Normalize: (values to compare, the op)."""
    jit.set_enabled(compiled)
    xt = gn.tensor(x, requires_grad=need_x)
    params = []
    if w is not None:
        params = [
            gn.tensor(w, requires_grad=True) if which != "bias" else None,
            gn.tensor(b, requires_grad=True) if which != "weight" else None,
        ]
    op = Normalize(dims, 1e-5)
    y = op(xt, *params)
    (y * gn.tensor(g)).sum().backward()
    grads = [t.grad.numpy() for t in [xt, *params] if t is not None and t.requires_grad]
    return [y.numpy(), op.mean, op.var, *grads], op


def _assert_same(got, want, dtype):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(a, b, **_tolerance(dtype))


# every case with each choice of parameters it has
WITH_PARAMS = [
    (*case, which) for case in CASES for which in (PARAMS if case[2] is not None else ["none"])
]
WITH_PARAMS_IDS = [
    f"{name}-{which}"
    for name, case in zip(IDS, CASES)
    for which in (PARAMS if case[2] is not None else ["none"])
]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape,dims,pshape,which", WITH_PARAMS, ids=WITH_PARAMS_IDS)
def test_compiled_loops_match_numpy_path(shape, dims, pshape, which, dtype, compile_small):
    x, g, w, b = _inputs(shape, pshape, dtype)
    got, op = _run(True, dims, x, g, w, b, which)
    want, twin = _run(False, dims, x, g, w, b, which)
    assert op.layout is not None and op.compiled
    assert twin.layout is not None and not twin.compiled
    _assert_same(got, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape,dims,pshape", AFFINE, ids=AFFINE_IDS)
def test_parameter_gradients_alone_match(shape, dims, pshape, dtype, compile_small):
    """x is a constant: the compiled backward skips dL/dx and still sums dweight and dbias."""
    x, g, w, b = _inputs(shape, pshape, dtype, seed=1)
    got, op = _run(True, dims, x, g, w, b, need_x=False)
    want, _ = _run(False, dims, x, g, w, b, need_x=False)
    assert op.compiled and len(got) == 5  # y, mean, var, dweight, dbias
    _assert_same(got, want, dtype)


@pytest.mark.parametrize("shape,dims,pshape", AFFINE, ids=AFFINE_IDS)
def test_two_threads_give_the_one_thread_result(shape, dims, pshape, compile_small, monkeypatch):
    """Rows shared out over two threads (per-thread dweight/dbias sums added after)."""
    monkeypatch.setattr(norm_rows, "MIN_VALUES_PER_THREAD", 1)
    x, g, w, b = _inputs(shape, pshape, np.float64, seed=2)
    gn.set_num_threads(1)
    one, _ = _run(True, dims, x, g, w, b)
    gn.set_num_threads(2)
    two, op = _run(True, dims, x, g, w, b)
    assert op.compiled
    _assert_same(two, one, np.float64)


@pytest.mark.parametrize("shape,dims,pshape", AFFINE, ids=AFFINE_IDS)
def test_float32_statistics_stay_accurate_at_a_large_offset(shape, dims, pshape, compile_small):
    """Mean 100, spread 0.01: two-pass moments (the mean first, then the squares around it) keep
    float32 exact enough."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 0.01 + 100.0).astype(np.float32)
    jit.set_enabled(True)
    op = Normalize(dims, 1e-5)
    y = op(gn.tensor(x)).numpy()
    x64 = x.astype(np.float64)
    mean, var = x64.mean(dims, keepdims=True), x64.var(dims, keepdims=True)
    assert op.compiled
    np.testing.assert_allclose(op.var, var, rtol=1e-3)
    np.testing.assert_allclose(y, (x64 - mean) / np.sqrt(var + 1e-5), atol=2e-3)


@pytest.mark.parametrize(
    "shape,dims,pshape,where",
    [
        ((7, 13), (1,), (13,), (2, 5)),
        ((3, 2, 3, 7), (2, 3), (1, 2, 3, 1), (1, 0, 2, 3)),
        ((3, 5, 3, 7), (0, 2, 3), (1, 5, 1, 1), (2, 3, 1, 6)),
    ],
    ids=["layer", "group", "batch2d"],
)
@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
def test_nan_and_inf_propagate_as_in_numpy_path(shape, dims, pshape, where, bad, compile_small):
    x, g, w, b = _inputs(shape, pshape, np.float64, seed=4)
    x[where] = bad
    with np.errstate(invalid="ignore"):
        got, _ = _run(True, dims, x, g, w, b)
        want, _ = _run(False, dims, x, g, w, b)
    y = got[0]
    assert np.isnan(y).any() and not np.isnan(y).all()  # only the bad value's statistic spoiled
    for a, c in zip(got, want):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(c))
        finite = np.isfinite(c)
        np.testing.assert_allclose(a[finite], c[finite], rtol=1e-10, atol=1e-12)


def _train_then_eval(compiled, x, g):
    """Two training steps of BatchNorm2d, then its output in eval mode."""
    jit.set_enabled(compiled)
    layer = nn.BatchNorm2d(x.shape[1])
    with gn.no_grad():
        layer.weight.copy_(gn.tensor(np.linspace(0.5, 2.0, x.shape[1])))
    for step in range(2):
        layer.zero_grad()
        (layer(gn.tensor(x * (step + 1))) * gn.tensor(g)).sum().backward()
    grads = [layer.weight.grad.numpy(), layer.bias.grad.numpy()]
    layer.eval()
    out = layer(gn.tensor(x)).numpy()
    return [*grads, layer.running_mean.numpy(), layer.running_var.numpy(), out]


def test_batch_norm_running_statistics_and_eval_mode_match(compile_small):
    x, g, _, _ = _inputs((4, 5, 3, 7), None, np.float64, seed=5)
    _assert_same(_train_then_eval(True, x, g), _train_then_eval(False, x, g), np.float64)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_large_input_takes_compiled_path_by_default(dtype):
    """At the default threshold a (256, 128) layer norm is compiled; a small one is not."""
    try:
        for shape, compiled in (((256, 128), True), ((16, 128), False)):
            x, g, w, b = _inputs(shape, (128,), dtype, seed=6)
            got, op = _run(True, (1,), x, g, w, b)
            want, _ = _run(False, (1,), x, g, w, b)
            assert op.compiled == compiled
            _assert_same(got, want, dtype)
    finally:
        jit.set_enabled(None)


@pytest.mark.parametrize(
    "shape,dims,pshape,runs",
    [
        ((3, 2, 3, 7), (2, 3), (1, 2, 3, 1), (3, 1)),  # group norm: 3 consecutive rows
        ((3, 5, 3, 7), (0, 2, 3), (1, 5, 1, 1), (3, 5)),  # batch norm: 3 rows, 5 apart
        ((3, 4, 5, 7), (1, 3), (1, 1, 5, 1), (4, 5)),  # the reduced block in the middle
        ((3, 2, 3, 7), (2, 3), None, (1, 1)),  # no parameters: one row of 21 values each
    ],
    ids=["group", "batch2d", "middle", "group-plain"],
)
def test_layout_runs_name_each_statistics_rows(shape, dims, pshape, runs):
    """``runs`` = (R, inner): statistic s covers rows first + i * inner, exactly its values."""
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    params = [] if pshape is None else [np.ones(pshape)]
    layout = norm_rows.row_layout(x, dims, params)
    assert layout.runs == runs and layout.compilable
    per_stat, inner = runs
    X = layout.matrix(x)
    # the statistics in order, from the plain reduction: each one's values as a sorted set
    moved = np.moveaxis(x, dims, tuple(range(x.ndim - len(dims), x.ndim)))
    want = moved.reshape(-1, layout.count)
    for s in range(want.shape[0]):
        first = (s // inner) * (per_stat * inner) + s % inner
        rows = X[[first + i * inner for i in range(per_stat)]]
        np.testing.assert_array_equal(np.sort(rows.ravel()), np.sort(want[s]))


def test_layout_without_evenly_spaced_rows_stays_on_numpy_path(compile_small):
    """Reduced leading axes that are not one block (axes 0 and 2 of (A, B, C)): NumPy blocks."""
    shape, dims, pshape = (3, 4, 5, 7), (0, 2, 3), (1, 4, 5, 1)
    x, g, w, b = _inputs(shape, pshape, np.float64, seed=8)
    got, op = _run(True, dims, x, g, w, b)
    assert op.layout is not None and op.layout.runs is None and not op.compiled
    want, _ = _run(False, dims, x, g, w, b)
    _assert_same(got, want, np.float64)


def test_switched_off_runs_numpy_path(compile_small):
    x, g, w, b = _inputs((7, 13), (13,), np.float64)
    _, op = _run(False, (1,), x, g, w, b)
    assert op.layout is not None and not op.compiled


def test_float16_input_stays_on_numpy_path(compile_small):
    x = np.random.default_rng(7).standard_normal((7, 13)).astype(np.float16)
    jit.set_enabled(True)
    assert not norm_loops.worth_compiling(x)


def test_small_normalization_does_not_import_numba():
    code = (
        "import sys, numpy as np, glassnet as gn, glassnet.nn as nn\n"
        "x = gn.tensor(np.ones((8, 3, 4, 4)), requires_grad=True)\n"
        "for layer in (nn.BatchNorm2d(3), nn.GroupNorm(3, 3), nn.LayerNorm(4)):\n"
        "    layer(x).sum().backward()\n"
        "assert 'numba' not in sys.modules, 'numba imported'\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("GLASSNET_JIT", None)
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


@st.composite
def _norm_problems(draw):
    """A random layer, group or batch norm problem: (shape, dims, parameter shape or None)."""
    kind = draw(st.sampled_from(["layer", "group", "batch"]))
    size = st.integers(1, 6)
    n, c, hw = draw(size), draw(size), draw(size)
    affine = draw(st.booleans())
    if kind == "layer":
        shape, dims, pshape = (n, c, hw), (2,), (hw,)
    elif kind == "group":
        groups = draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0]))
        shape, dims = (n, groups, c // groups, hw), (2, 3)
        pshape = (1, groups, c // groups, 1)
    else:
        shape, dims, pshape = (n + 1, c, hw), (0, 2), (1, c, 1)  # at least 2 values a channel
    return shape, dims, pshape if affine else None


@settings(max_examples=40, deadline=None)
@given(problem=_norm_problems(), seed=st.integers(0, 2**16))
def test_compiled_loops_match_numpy_path_on_random_shapes(problem, seed):
    """float64 (in float32 a random near-constant statistic could amplify rounding past any
    fixed tolerance; the fixed float32 cases above cover the single-precision loops)."""
    shape, dims, pshape = problem
    dtype = np.float64
    x, g, w, b = _inputs(shape, pshape, dtype, seed=seed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(norm_loops, "MIN_VALUES", 0)
        try:
            got, op = _run(True, dims, x, g, w, b)
            want, _ = _run(False, dims, x, g, w, b)
        finally:
            jit.set_enabled(None)
    assert op.compiled
    _assert_same(got, want, dtype)
