"""Gradient clipping against torch.nn.utils: the same total norm and the same clipped gradients."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.utils import clip_grad_norm_, clip_grad_value_

torch = pytest.importorskip("torch")

SHAPES = [(4, 3), (3,), (2, 2, 5), ()]


def grads_pair(dtype, scale):
    rng = np.random.default_rng(11)
    arrays = [np.asarray(scale * rng.standard_normal(s), dtype=dtype) for s in SHAPES]
    ours, theirs = [], []
    for g in arrays:
        p = gn.tensor(np.zeros_like(g), requires_grad=True)
        p.grad = gn.tensor(g.copy())
        ours.append(p)
        q = torch.zeros(g.shape, dtype=getattr(torch, dtype), requires_grad=True)
        q.grad = torch.tensor(g.copy())
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf], ids=["l1", "l2", "l3.5", "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3], ids=["clips", "no_clip"])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    ours, theirs = grads_pair(dtype, scale=2.0)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_ref = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert str(total.dtype) == str(total_ref.dtype).removeprefix("torch.")
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(total.item(), total_ref.item(), rtol=rtol)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = grads_pair("float64", scale=1.0)
    clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
