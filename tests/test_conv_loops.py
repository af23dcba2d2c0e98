"""Compiled conv, pool and ReLU loops (numba) against the NumPy paths they replace, and the gate.

Every compiled path is run on small shapes by lowering ``compiled.COMPILED_MIN_NUMBERS``, and
its output and gradients are compared with the same call with compiled loops switched off
(``jit.set_enabled(False)``), which runs the NumPy path unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import jit
from glassnet.ops import compiled, conv_loops, pool_loops, relu_loops
from glassnet.ops.conv import Col2Im, Im2Col, sliding_geometry
from glassnet.ops.elementwise import ReLU
from glassnet.ops.pool import MaxPool, ScatterToArgmax

DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["float32", "float64"]
KERNELS = [
    (conv_loops, "im2col_images"),
    (conv_loops, "col2im_images"),
    (pool_loops, "max_pool_planes"),
    (pool_loops, "scatter_to_argmax_planes"),
    (relu_loops, "relu_forward"),
    (relu_loops, "relu_backward"),
]


def _tolerance(dtype) -> dict:
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture
def small_work_compiled(monkeypatch):
    """Compiled loops for any size (numba required); the switch is restored afterwards."""
    pytest.importorskip("numba")
    assert jit.available()  # numba imported, as after any large work (ReLU's forward asks)
    monkeypatch.setattr(compiled, "COMPILED_MIN_NUMBERS", 1)
    monkeypatch.setattr(ReLU, "SPLIT_MIN_NUMBERS", 1)
    yield
    jit.set_enabled(None)


def _both(fn):
    """fn() with compiled loops off (the NumPy path), then on."""
    jit.set_enabled(False)
    numpy_result = fn()
    jit.set_enabled(True)
    return numpy_result, fn()


def _output_and_grads(fn, arrays, seed=1):
    """fn's output and the gradients of sum(output * weights) with respect to every array."""
    tensors = [gn.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*tensors)
    weights = np.random.default_rng(seed).standard_normal(y.shape).astype(arrays[0].dtype)
    (y * gn.tensor(weights)).sum().backward()
    return [y.numpy()] + [t.grad.numpy() for t in tensors]


# (input shape, kernel, stride, padding (top, bottom, left, right), dilation, wide)
COLUMN_GEOMETRIES = [
    ((3, 4, 7, 9), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), False),
    ((3, 4, 7, 9), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True),
    ((2, 3, 9, 8), (3, 2), (2, 3), (0, 0, 0, 0), (1, 1), False),
    ((2, 3, 11, 10), (3, 3), (2, 1), (2, 2, 1, 1), (2, 1), False),
    ((2, 3, 6, 6), (2, 2), (1, 1), (2, 2, 2, 2), (3, 3), True),
    ((2, 1, 5, 5), (5, 5), (1, 1), (0, 0, 0, 0), (1, 1), False),
    ((1, 2, 1, 13), (1, 4), (1, 3), (0, 0, 2, 1), (1, 2), False),
]
COLUMN_IDS = ["3x3-pad", "3x3-pad-wide", "strided", "dilated-uneven", "dilated-wide", "5x5", "1d"]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape,kernel,stride,pad,dil,wide", COLUMN_GEOMETRIES, ids=COLUMN_IDS)
def test_compiled_im2col_and_col2im_equal_numpy(
    small_work_compiled, shape, kernel, stride, pad, dil, wide, dtype
):
    rng = np.random.default_rng(0)
    geo = sliding_geometry(shape[2:], kernel, stride, pad, dil)
    x = rng.standard_normal(shape).astype(dtype)
    numpy_cols, compiled_cols = _both(lambda: Im2Col(geo, wide, ones_row=True).forward(x))
    np.testing.assert_array_equal(compiled_cols, numpy_cols)  # a copy: exactly equal
    g = rng.standard_normal(numpy_cols[:-1].shape).astype(dtype)
    numpy_image, compiled_image = _both(lambda: Col2Im(geo, wide).forward(g))
    assert compiled_image.shape == numpy_image.shape == shape
    np.testing.assert_allclose(compiled_image, numpy_image, **_tolerance(dtype))


def test_compiled_im2col_reads_a_channel_first_input(small_work_compiled):
    """A convolution's output (stored channel by channel) goes in without a layout mistake."""
    geo = sliding_geometry((6, 5), (3, 3), (1, 1), (1, 1, 1, 1))
    stored = np.random.default_rng(2).standard_normal((4, 3, 6, 5)).astype(np.float32)
    x = stored.transpose(1, 0, 2, 3)  # (N, C, H, W) stored as (C, N, H, W)
    numpy_cols, compiled_cols = _both(lambda: Im2Col(geo).forward(x))
    np.testing.assert_array_equal(compiled_cols, numpy_cols)


CONVOLUTIONS = {
    "conv2d-pad": ((4, 3, 8, 7), (5, 3, 3, 3), lambda x, w: F.conv2d(x, w, padding=1)),
    "conv2d-stride-dilation": (
        (3, 4, 11, 9),
        (2, 4, 3, 2),
        lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=(2, 1), dilation=(2, 3)),
    ),
    "conv2d-groups": ((2, 4, 7, 7), (6, 2, 3, 3), lambda x, w: F.conv2d(x, w, groups=2)),
    "conv1d": ((3, 2, 17), (4, 2, 5), lambda x, w: F.conv1d(x, w, stride=2, padding=3)),
    "conv-transpose2d": (
        (3, 4, 5, 6),
        (4, 2, 3, 3),
        lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
    ),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", list(CONVOLUTIONS), ids=list(CONVOLUTIONS))
def test_compiled_convolutions_equal_numpy_forward_and_gradients(small_work_compiled, case, dtype):
    x_shape, w_shape, fn = CONVOLUTIONS[case]
    rng = np.random.default_rng(3)
    arrays = [
        rng.standard_normal(x_shape).astype(dtype),
        rng.standard_normal(w_shape).astype(dtype),
    ]
    out_channels = w_shape[1] if case == "conv-transpose2d" else w_shape[0]
    arrays.append(rng.standard_normal(out_channels).astype(dtype))

    def with_bias(x, w, b):
        y = fn(x, w)
        return y + b.reshape((1, -1) + (1,) * (y.ndim - 2))

    numpy_run, compiled_run = _both(lambda: _output_and_grads(with_bias, arrays))
    for got, want in zip(compiled_run, numpy_run):
        np.testing.assert_allclose(got, want, **_tolerance(dtype))


def test_compiled_conv2d_with_its_bias_inside_the_product(small_work_compiled):
    """F.conv2d's own bias (the row of ones under the columns) through the compiled path."""
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s) for s in [(3, 2, 9, 8), (4, 2, 3, 3), (4,)]]
    conv = lambda x, w, b: F.conv2d(x, w, b, padding=1)  # noqa: E731
    numpy_run, compiled_run = _both(lambda: _output_and_grads(conv, arrays))
    for got, want in zip(compiled_run, numpy_run):
        np.testing.assert_allclose(got, want, **_tolerance(np.float64))


def test_conv2d_gradcheck_with_compiled_loops(small_work_compiled):
    jit.set_enabled(True)
    rng = np.random.default_rng(5)
    x = gn.tensor(rng.standard_normal((2, 2, 5, 6)), requires_grad=True)
    w = gn.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    assert gn.gradcheck(lambda a, b: F.conv2d(a, b, padding=1, stride=(1, 2)), x, w)
    assert gn.gradgradcheck(lambda a, b: F.conv2d(a, b, padding=1), x, w)


# (input shape, kernel, stride, padding, dilation, ceil_mode) for F.max_pool2d
POOLS = [
    ((3, 4, 8, 8), 2, 2, 0, 1, False),
    ((3, 4, 7, 9), 2, 2, 0, 1, False),  # odd sizes: a last row and column in no window
    ((2, 3, 7, 9), 2, 2, 1, 1, False),
    ((2, 3, 6, 6), 2, 1, 0, 1, False),  # overlapping windows
    ((2, 2, 9, 9), 2, (3, 2), 1, 2, False),  # dilated
    ((2, 3, 9, 7), 3, 2, 1, 1, True),
    ((2, 2, 5, 8), (1, 4), (1, 4), 0, 1, False),
]
POOL_IDS = ["2x2s2", "2x2s2-odd", "2x2s2-pad", "2x2s1", "dilated", "3x3-ceil", "1x4"]


def _pool_input(shape, values, dtype, rng):
    if values == "ties":  # few distinct values: the first tap must win every tie
        return rng.integers(0, 2, size=shape).astype(dtype)
    if values == "inf":
        return rng.choice([-np.inf, 0.0, 1.0, np.inf], size=shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if values == "nan":  # NaN wins over numbers, the last NaN tap of a window is kept
        x[rng.random(shape) < 0.2] = np.nan
    return x


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("values", ["random", "ties", "inf", "nan"])
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil", POOLS, ids=POOL_IDS)
def test_compiled_max_pool_equals_numpy(
    small_work_compiled, shape, kernel, stride, padding, dilation, ceil, values, dtype
):
    rng = np.random.default_rng(6)
    x = _pool_input(shape, values, dtype, rng)

    def pool():
        y, idx = F.max_pool2d(
            gn.tensor(x), kernel, stride, padding, dilation, ceil_mode=ceil, return_indices=True
        )
        return y.numpy(), idx.numpy()

    (want_y, want_idx), (got_y, got_idx) = _both(pool)
    np.testing.assert_array_equal(got_y, want_y)  # NaN where NumPy has NaN
    np.testing.assert_array_equal(got_idx, want_idx)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape,kernel,stride,padding,dilation,ceil", POOLS, ids=POOL_IDS)
def test_compiled_max_pool_gradient_equals_numpy(
    small_work_compiled, shape, kernel, stride, padding, dilation, ceil, dtype
):
    rng = np.random.default_rng(7)
    x = _pool_input(shape, "ties" if kernel == 2 else "random", dtype, rng)
    pool = lambda a: F.max_pool2d(a, kernel, stride, padding, dilation, ceil_mode=ceil)  # noqa: E731
    numpy_run, compiled_run = _both(lambda: _output_and_grads(pool, [x]))
    for got, want in zip(compiled_run, numpy_run):
        np.testing.assert_allclose(got, want, **_tolerance(dtype))


@pytest.mark.parametrize("channel_first", [False, True], ids=["nchw", "channel-first"])
def test_compiled_max_pool_keeps_the_layout(small_work_compiled, channel_first):
    rng = np.random.default_rng(8)
    stored = rng.standard_normal((4, 3, 6, 8)).astype(np.float32)
    x = stored.transpose(1, 0, 2, 3) if channel_first else stored
    geo = sliding_geometry(x.shape[2:], (2, 2), (2, 2))

    def run():
        op = MaxPool(geo)
        y = op.forward(x)
        g = np.ascontiguousarray(rng.standard_normal(y.shape).astype(np.float32))
        return y, op.argmax, ScatterToArgmax(geo, op.argmax).forward(g)

    (y0, a0, dx0), (y1, a1, dx1) = _both(run)
    assert (y1.strides[1] > y1.strides[0]) == channel_first == (dx1.strides[1] > dx1.strides[0])
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(a1, a0)
    assert a1.dtype == a0.dtype


def test_max_pool_gradgradcheck_with_compiled_loops(small_work_compiled):
    jit.set_enabled(True)
    x = gn.tensor(np.random.default_rng(9).standard_normal((2, 2, 6, 7)), requires_grad=True)
    assert gn.gradcheck(lambda a: F.max_pool2d(a, 2), x)
    assert gn.gradgradcheck(lambda a: F.max_pool2d(a, 3, 2, 1), x)


def test_avg_pool_is_unchanged_with_compiled_loops(small_work_compiled):
    x = np.random.default_rng(10).standard_normal((2, 3, 7, 8)).astype(np.float32)
    pool = lambda a: F.avg_pool2d(a, 3, 2, 1)  # noqa: E731
    numpy_run, compiled_run = _both(lambda: _output_and_grads(pool, [x]))
    for got, want in zip(compiled_run, numpy_run):
        np.testing.assert_array_equal(got, want)


RELU_LAYOUTS = {
    "contiguous": lambda a: a,
    "channel-first": lambda a: a.transpose(1, 0, 2, 3),
    "sliced": lambda a: a[:, :, :, 1:],  # gaps in memory: the NumPy path
}


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", list(RELU_LAYOUTS), ids=list(RELU_LAYOUTS))
@pytest.mark.parametrize("shared", [True, False], ids=["shared-out", "one-call"])
def test_compiled_relu_equals_numpy_with_nan_and_inf(
    small_work_compiled, monkeypatch, layout, dtype, shared
):
    """Both compiled paths (shared out over threads as a large array is; one call on this
    thread as a mid-sized one is) give NumPy's numbers, NaN and infinities included."""
    if not shared:
        monkeypatch.setattr(ReLU, "SPLIT_MIN_NUMBERS", 1 << 20)
    rng = np.random.default_rng(11)
    x = RELU_LAYOUTS[layout](rng.standard_normal((5, 4, 6, 7)).astype(dtype))
    x[0, 0, 0, :3] = [np.nan, np.inf, -np.inf]
    x[1, 1, 1, :2] = [-0.0, 0.0]
    g = np.empty_like(x)  # the gradient arrives in the output's layout
    g[...] = rng.standard_normal(x.shape)
    g[0, 0, 1, :2] = [np.inf, np.nan]  # where x < 0: inf * 0 is NaN, as in NumPy
    x[0, 0, 1, :2] = -1.0

    def run():
        op = ReLU()
        y = op.forward(x)
        with gn.no_grad():
            dx = op.backward(gn.tensor(g))[0].numpy()
        return y, dx

    with np.errstate(invalid="ignore"):
        (y0, dx0), (y1, dx1) = _both(run)
    np.testing.assert_array_equal(y1, y0)
    np.testing.assert_array_equal(dx1, dx0)  # NaN where NumPy has NaN
    assert np.isnan(dx1[0, 0, 1, :2]).all() and np.isnan(y1[0, 0, 0, 0])
    assert dx1.strides == dx0.strides and y1.strides == y0.strides


def test_relu_second_order_is_unchanged_with_compiled_loops(small_work_compiled):
    jit.set_enabled(True)
    x = gn.tensor(np.random.default_rng(12).standard_normal((3, 2, 4, 5)), requires_grad=True)
    assert gn.gradgradcheck(lambda a: F.relu(a) ** 2, x)


def _forbid_kernels(monkeypatch):
    """Make every compiled kernel raise when called."""

    def refuse(*args):
        raise AssertionError("a compiled loop ran")

    for module, name in KERNELS:
        monkeypatch.setattr(module, name, refuse)


def _small_network_step(seed=13):
    rng = np.random.default_rng(seed)
    x = gn.tensor(rng.standard_normal((4, 2, 12, 12)).astype(np.float32), requires_grad=True)
    w = gn.tensor(rng.standard_normal((8, 2, 3, 3)).astype(np.float32), requires_grad=True)
    y = F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2)
    y.sum().backward()
    return [y.numpy(), x.grad.numpy(), w.grad.numpy()]


def test_switched_off_the_numpy_path_runs(small_work_compiled, monkeypatch):
    _forbid_kernels(monkeypatch)
    jit.set_enabled(False)
    _small_network_step()  # would raise if a compiled loop ran


def test_switched_on_the_compiled_loops_run(small_work_compiled, monkeypatch):
    ran = set()
    for module, name in KERNELS:
        kernel = getattr(module, name)

        def counted(*args, _kernel=kernel, _name=name):
            ran.add(_name)
            return _kernel(*args)

        # ReLU asks its loops whether they run on numba's threads and for their one-thread
        # form: both answered by the counted loop itself
        if isinstance(kernel, jit.Loop):
            counted.compiled_parallel = kernel.compiled_parallel
            counted.one_thread = counted
        monkeypatch.setattr(module, name, counted)
    jit.set_enabled(True)
    _small_network_step()
    assert ran == {name for _, name in KERNELS}


def test_small_work_never_asks_for_numba(monkeypatch):
    """Below the size gate jit.available() (which imports numba) is never called."""

    def refuse():
        raise AssertionError("jit.available() was called for small work")

    monkeypatch.setattr(jit, "available", refuse)
    _small_network_step()


def test_mid_sized_work_never_imports_numba(monkeypatch):
    """A ReLU over a whole evaluation set, a Linear layer's product and a large product of two
    arrays run without numba until other work has imported it (the import takes 0.5 s)."""
    import glassnet.nn as nn
    from glassnet.split_work import split_ufunc

    def refuse():
        raise AssertionError("numba was asked for")

    monkeypatch.setattr(jit, "_numba", None)
    monkeypatch.setattr(jit, "available", refuse)
    monkeypatch.setattr(jit, "_load_numba", refuse)
    rng = np.random.default_rng(14)
    x = rng.standard_normal((360, 256)).astype(np.float32)  # 92,160 numbers
    np.testing.assert_array_equal(F.relu(gn.tensor(x)).numpy(), np.maximum(x, 0))
    layer = nn.Linear(784, 128)
    with gn.no_grad():
        layer(gn.tensor(rng.standard_normal((64, 784)).astype(np.float32)))
    big = rng.standard_normal((1024, 512)).astype(np.float32)
    np.testing.assert_array_equal(split_ufunc(np.multiply, big, big), big * big)


@pytest.mark.parametrize("dtype", [np.float16, np.int64], ids=["float16", "int64"])
def test_other_dtypes_take_the_numpy_path(small_work_compiled, monkeypatch, dtype):
    _forbid_kernels(monkeypatch)
    jit.set_enabled(True)
    x = np.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6).astype(dtype)
    geo = sliding_geometry((6, 6), (2, 2), (2, 2))
    MaxPool(geo).forward(x)
    Im2Col(geo).forward(x)


def test_compiled_split_over_threads_equals_one_range(small_work_compiled, monkeypatch):
    """Ranges of images / planes / elements on three threads give the one-range numbers."""
    from glassnet.ops import conv as conv_ops

    jit.set_enabled(True)
    monkeypatch.setattr(conv_ops, "SPLIT_MIN_NUMBERS", 1)
    runs = []
    for threads in (1, 3):
        gn.set_num_threads(threads)
        try:
            runs.append(_small_network_step())
        finally:
            gn.set_num_threads(None)
    for split, one in zip(*runs):
        np.testing.assert_array_equal(split, one)
