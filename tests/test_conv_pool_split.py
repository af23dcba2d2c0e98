"""Convolution, ReLU and pooling split over threads (run_split) give exactly the one-range results."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import split_work
from glassnet.ops import conv as conv_ops
from glassnet.ops.elementwise import ReLU


def _run(fn, arrays, split: bool, monkeypatch):
    """fn's output and the gradients of sum(output * weights) w.r.t. every array."""
    monkeypatch.setattr(conv_ops, "SPLIT_MIN_NUMBERS", 1 if split else 1 << 62)
    monkeypatch.setattr(ReLU, "SPLIT_MIN_NUMBERS", 1 if split else 1 << 62)
    gn.set_num_threads(3 if split else 1)  # three ranges: uneven lengths get tested too
    try:
        ranges = split_work.split_count(len(arrays[0]), conv_ops.rows_per_thread(1))
        assert ranges == (3 if split else 1)
        tensors = [gn.tensor(a, requires_grad=True) for a in arrays]
        y = fn(*tensors)
        weights = np.random.default_rng(1).standard_normal(y.shape)
        (y * gn.tensor(weights)).sum().backward()
        return y.numpy(), [t.grad.numpy() for t in tensors]
    finally:
        gn.set_num_threads(None)


CASES = {
    "conv-wide": ((5, 8, 7, 9), (3, 8, 3, 3), lambda x, w: F.conv2d(x, w, padding=1)),
    "conv-plain": ((5, 2, 7, 9), (6, 2, 3, 3), lambda x, w: F.conv2d(x, w, padding=1)),
    "conv-strided": ((4, 3, 9, 8), (4, 3, 3, 2), lambda x, w: F.conv2d(x, w, stride=2)),
    "conv-transpose": (
        (4, 3, 5, 5),
        (3, 2, 3, 3),
        lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1),
    ),
    "relu": ((5, 3, 4, 4), None, F.relu),
    "relu-channel-first": ((3, 5, 4, 4), None, lambda x: F.relu(x.permute(1, 0, 2, 3))),
    "maxpool-2x2": ((5, 3, 8, 6), None, lambda x: F.max_pool2d(x, 2)),
    "maxpool-2x2-channel-first": (
        (3, 5, 8, 6),
        None,
        lambda x: F.max_pool2d(x.permute(1, 0, 2, 3), 2),
    ),
    "maxpool-2x2-pad": ((5, 3, 6, 6), None, lambda x: F.max_pool2d(x, 2, padding=1)),
    "maxpool-2x2-ties": ((5, 3, 8, 8), None, lambda x: F.max_pool2d(x, 2)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_split_equals_one_range(case, monkeypatch):
    x_shape, w_shape, fn = CASES[case]
    rng = np.random.default_rng(0)
    if case.endswith("ties"):  # many equal values: the first tap must win in every range
        arrays = [rng.integers(0, 2, size=x_shape).astype(np.float32)]
    else:
        arrays = [rng.standard_normal(x_shape).astype(np.float32)]
    if w_shape is not None:
        arrays.append(rng.standard_normal(w_shape).astype(np.float32))
    y_split, grads_split = _run(fn, arrays, True, monkeypatch)
    y_one, grads_one = _run(fn, arrays, False, monkeypatch)
    np.testing.assert_array_equal(y_split, y_one)
    for g_split, g_one in zip(grads_split, grads_one):
        np.testing.assert_array_equal(g_split, g_one)
