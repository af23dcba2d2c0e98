"""Gradient clipping without torch: hand-computed norms and values, edge cases and errors."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.utils import clip_grad_norm_, clip_grad_value_


def with_grad(values, dtype="float64"):
    p = gn.tensor(np.zeros(np.shape(values)), dtype=dtype, requires_grad=True)
    p.grad = gn.tensor(np.array(values, dtype=dtype))
    return p


def test_clip_grad_norm_scales_all_gradients_together():
    a, b = with_grad([3.0, 0.0]), with_grad([[0.0], [4.0]])  # total 2-norm 5
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert isinstance(total, gn.Tensor) and total.shape == ()
    assert total.item() == pytest.approx(5.0)
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [3 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad.numpy(), [[0.0], [4 * scale]], rtol=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone():
    a = with_grad([0.3, -0.4])
    total = clip_grad_norm_(a, max_norm=1.0)  # a single tensor is accepted
    assert total.item() == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad.numpy(), [0.3, -0.4])


@pytest.mark.parametrize(
    "norm_type, expected",
    [(1.0, 10.0), (2.0, math.sqrt(30.0)), (3.0, 100.0 ** (1 / 3)), (math.inf, 4.0), (0.0, 2.0)],
    ids=["l1", "l2", "l3", "inf", "l0"],
)
def test_clip_grad_norm_norm_types(norm_type, expected):
    a, b = with_grad([1.0, -2.0]), with_grad([3.0, 4.0])
    total = clip_grad_norm_([a, b], max_norm=1e9, norm_type=norm_type)
    assert total.item() == pytest.approx(expected, rel=1e-12)


def test_clip_grad_norm_skips_missing_grads_and_empty_lists():
    a = with_grad([6.0, 8.0])
    b = gn.tensor([1.0], requires_grad=True)  # no grad
    assert clip_grad_norm_(iter([a, b]), 5.0).item() == pytest.approx(10.0)
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0], rtol=1e-6)
    assert b.grad is None
    zero = clip_grad_norm_([], 1.0)
    assert zero.item() == 0.0 and zero.dtype == np.float32


def test_clip_grad_norm_keeps_float32():
    a = with_grad([30.0, 40.0], dtype="float32")
    total = clip_grad_norm_([a], 1.0)
    assert total.dtype == np.float32 and a.grad.numpy().dtype == np.float32
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.8], rtol=1e-6)


def test_clip_grad_norm_nonfinite():
    a = with_grad([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad.numpy(), [np.inf, 1.0])  # untouched after the error
    total = clip_grad_norm_([a], 1.0)
    assert math.isinf(total.item())
    b = with_grad([np.nan, 1.0])
    assert math.isnan(clip_grad_norm_([b], 1.0).item())
    assert np.isnan(b.grad.numpy()).all()  # scaled by nan, as in PyTorch


def test_clip_grad_value_clamps_in_place():
    a, b = with_grad([-3.0, 0.5, 2.0]), with_grad([[0.1, -0.2]])
    grad = a.grad
    assert clip_grad_value_([a, b], 1.0) is None
    assert a.grad is grad
    np.testing.assert_array_equal(a.grad.numpy(), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [[0.1, -0.2]])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda ps: clip_grad_norm_(ps, -1.0), "max_norm=-1.0"),
        (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=-2), "norm_type=-2.0"),
        (lambda ps: clip_grad_value_(ps, -0.5), "clip_value=-0.5"),
    ],
    ids=["negative_max_norm", "negative_norm_type", "negative_clip_value"],
)
def test_clip_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call([with_grad([1.0])])


def test_clip_refuses_non_tensors():
    with pytest.raises(TypeError, match="item 1 is a list"):
        clip_grad_norm_([with_grad([1.0]), [1.0]], 1.0)
