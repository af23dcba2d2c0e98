"""The blocked, multi-core fast path of Normalize (ops/norm_rows.py) against the plain reference."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import split_work
from glassnet.ops import norm_rows
from glassnet.ops.norm import Normalize

# (input shape, statistics axes, parameter shape or None, whether the fast path applies)
CASES = [
    ((6, 5), (1,), (5,), True),  # layer norm
    ((4, 3, 5), (2,), (5,), True),
    ((4, 6, 5), (1, 2), (6, 5), True),  # layer norm over two axes
    ((4, 3, 2, 5), (0, 2, 3), (1, 3, 1, 1), True),  # batch norm 2d
    ((4, 3, 5), (0, 2), (1, 3, 1), True),  # batch norm 1d
    ((4, 2, 3, 5), (2, 3), (1, 2, 3, 1), True),  # group norm (N, G, C/G, HW)
    ((6, 5), (1,), None, True),
    ((4, 3, 2, 5), (0, 2, 3), None, True),
    ((3, 4), (0,), (1, 4), False),  # batch norm on (N, C): the last axis is not reduced
    ((2, 3, 4), (1, 2), (1, 1, 4), False),  # parameter spans the reduced axes only partly
]
IDS = [
    f"{'x'.join(map(str, s))}-over{''.join(map(str, a))}-{'fast' if f else 'ref'}"
    for s, a, _, f in CASES
]


def _run(shape, dims, pshape, fast, bias_only=False, transpose=False):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) * 3 + 1
    g = rng.standard_normal(shape)
    xt = gn.tensor(x, requires_grad=True)
    inp = xt.transpose(0, 1).transpose(0, 1) if transpose else xt
    args = [inp]
    if pshape is not None:
        size = int(np.prod(pshape))
        w = gn.tensor(np.linspace(0.5, 2.0, size).reshape(pshape), requires_grad=True)
        b = gn.tensor(np.linspace(-1.0, 1.0, size).reshape(pshape), requires_grad=True)
        args += [None if bias_only else w, b]
    op = Normalize(dims, 1e-5, fast=fast)
    y = op(*args)
    (y * gn.tensor(g)).sum().backward()
    grads = [a.grad.numpy() for a in [xt] + args[1:] if a is not None]
    return [y.numpy(), op.mean, op.var, *grads], op


@pytest.mark.parametrize("bias_only", [False, True], ids=["affine", "bias-only"])
@pytest.mark.parametrize("shape,dims,pshape,fast", CASES, ids=IDS)
def test_fast_path_matches_reference(shape, dims, pshape, fast, bias_only):
    if bias_only and pshape is None:
        pytest.skip("no parameters to drop")
    got, op = _run(shape, dims, pshape, True, bias_only)
    want, ref = _run(shape, dims, pshape, False, bias_only)
    assert (op.layout is not None) == fast
    assert ref.layout is None
    for a, b in zip(got, want):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_non_contiguous_input_uses_reference():
    shape, dims, pshape = (4, 3, 2, 5), (0, 2, 3), (1, 3, 1, 1)
    rng = np.random.default_rng(0)
    x = gn.tensor(rng.standard_normal((3, 4, 2, 5))).permute(1, 0, 2, 3)
    op = Normalize(dims, 1e-5)
    y = op(x, gn.ones(pshape, dtype=x.dtype), gn.zeros(pshape, dtype=x.dtype))
    assert op.layout is None
    want = Normalize(dims, 1e-5, fast=False)(gn.tensor(np.ascontiguousarray(x.numpy())))
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
    assert y.shape == shape


def test_float32_statistics_stay_accurate():
    """Large offset, small spread: the centred two-pass variance keeps float32 accurate."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((64, 512)) * 0.01 + 100.0).astype(np.float32)
    op = Normalize((1,), 1e-5)
    y = op(gn.tensor(x)).numpy()
    x64 = x.astype(np.float64)
    want = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5)
    assert op.layout is not None
    np.testing.assert_allclose(y, want, atol=2e-3)


# Shapes big enough for many blocks once BLOCK_VALUES is made tiny: (shape, axes, parameter shape)
BLOCKED = [
    ((37, 24), (1,), (24,)),  # layer norm: one row per statistic, 37 one-row blocks
    ((5, 3, 4, 7), (2, 3), (1, 3, 4, 1)),  # group norm: 4 consecutive rows per statistic
    ((6, 3, 5), (0, 2), (1, 3, 1)),  # batch norm 1d: a channel's rows spread over the batch
    ((4, 3, 2, 5), (0, 2, 3), None),  # batch norm 2d without parameters
]
BLOCKED_IDS = ["layer", "group", "batch1d", "batch2d-plain"]


@pytest.fixture
def tiny_blocks_two_threads(monkeypatch):
    """Blocks of a few rows, shared out over two threads (whatever the machine's cores)."""
    monkeypatch.setattr(norm_rows, "BLOCK_VALUES", 16)
    monkeypatch.setattr(norm_rows, "MIN_BLOCKS_PER_THREAD", 1)
    gn.set_num_threads(2)
    yield
    gn.set_num_threads(None)


@pytest.mark.parametrize("shape,dims,pshape", BLOCKED, ids=BLOCKED_IDS)
def test_many_blocks_on_two_threads_match_reference(shape, dims, pshape, tiny_blocks_two_threads):
    got, op = _run(shape, dims, pshape, True)
    want, _ = _run(shape, dims, pshape, False)
    assert op.layout is not None and op.layout.block_rows < op.layout.rows  # several blocks
    assert split_work.split_count(op.layout.rows // op.layout.block_rows, 1) == 2
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,dims,pshape", BLOCKED[:3], ids=BLOCKED_IDS[:3])
def test_parameter_gradients_alone_match_reference(shape, dims, pshape, tiny_blocks_two_threads):
    """Only weight and bias want gradients (x is a constant): the backward skips dL/dx."""
    rng = np.random.default_rng(3)
    x, g = rng.standard_normal(shape) * 2 + 1, rng.standard_normal(shape)
    size = int(np.prod(pshape))
    grads = []
    for fast in (True, False):
        w = gn.tensor(np.linspace(0.5, 2.0, size).reshape(pshape), requires_grad=True)
        b = gn.tensor(np.linspace(-1.0, 1.0, size).reshape(pshape), requires_grad=True)
        (Normalize(dims, 1e-5, fast=fast)(gn.tensor(x), w, b) * gn.tensor(g)).sum().backward()
        grads.append((w.grad.numpy(), b.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,dims,pshape", BLOCKED[1:3], ids=BLOCKED_IDS[1:3])
def test_float32_pooled_statistics_stay_accurate(shape, dims, pshape):
    """Rows pooled into one statistic (Chan's formula) keep float32 accurate at a large offset."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape) * 0.01 + 100.0).astype(np.float32)
    op = Normalize(dims, 1e-5)
    y = op(gn.tensor(x)).numpy()
    x64 = x.astype(np.float64)
    mean, var = x64.mean(dims, keepdims=True), x64.var(dims, keepdims=True)
    assert op.layout is not None
    np.testing.assert_allclose(op.var, var, rtol=1e-3)
    np.testing.assert_allclose(y, (x64 - mean) / np.sqrt(var + 1e-5), atol=2e-3)


def test_one_block_and_many_blocks_agree_in_float32(monkeypatch):
    """The blocking and the threads change only the order of float32 sums, not the result."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 48)).astype(np.float32)
    g = rng.standard_normal((64, 48)).astype(np.float32)
    w, b = np.linspace(0.5, 2.0, 48, dtype=np.float32), np.zeros(48, dtype=np.float32)
    layout = norm_rows.row_layout(x, (1,), [w, b])
    results = []
    for values, threads in ((10**9, 1), (100, 2)):
        monkeypatch.setattr(norm_rows, "BLOCK_VALUES", values)
        monkeypatch.setattr(norm_rows, "MIN_BLOCKS_PER_THREAD", 1)
        gn.set_num_threads(threads)
        try:
            y, x_hat, mean, _, invstd = norm_rows.forward_rows(layout, x, 1e-5, w, b)
            grads = norm_rows.backward_rows(layout, g, x, x_hat, mean, invstd, w, b, (True,) * 3)
        finally:
            gn.set_num_threads(None)
        results.append([y, *grads])
    assert norm_rows.BLOCK_VALUES // 48 < 64  # the second run really used several blocks
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
