"""2x2 max pooling as a knockout (ops/pool.max_of_four) against the plain tap-by-tap scan."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.ops.conv import sliding_geometry
from glassnet.ops.pool import max_of_four, max_pool_reference

# (input shape, kernel, stride, padding (top, bottom, left, right), dilation)
GEOMETRIES = [
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0, 0, 0), (1, 1)),
    ((2, 3, 7, 9), (2, 2), (2, 2), (1, 1, 1, 1), (1, 1)),
    ((1, 2, 6, 6), (2, 2), (1, 1), (0, 0, 0, 0), (1, 1)),  # overlapping windows
    ((1, 2, 9, 9), (2, 2), (3, 2), (0, 0, 1, 1), (2, 2)),  # dilated
    ((2, 2, 5, 8), (1, 4), (1, 4), (0, 0, 0, 0), (1, 1)),  # four taps in a row
]
GEO_IDS = ["2x2s2", "2x2s2-pad1", "2x2s1", "2x2-dil2", "1x4"]


def _geo(shape, kernel, stride, pad, dil):
    return sliding_geometry(shape[2:], kernel, stride, pad, dil)


@pytest.mark.parametrize("values", ["random", "ties", "inf"])
@pytest.mark.parametrize("shape,kernel,stride,pad,dil", GEOMETRIES, ids=GEO_IDS)
def test_knockout_matches_reference(shape, kernel, stride, pad, dil, values):
    rng = np.random.default_rng(3)
    if values == "random":
        x = rng.standard_normal(shape)
    elif values == "ties":  # few distinct values: many ties, which go to the first tap
        x = rng.integers(0, 2, size=shape).astype(np.float64)
    else:
        x = rng.choice([-np.inf, 0.0, 1.0, np.inf], size=shape)
    geo = _geo(shape, kernel, stride, pad, dil)
    best, argmax = max_of_four(x, geo)
    want_best, want_argmax = max_pool_reference(x, geo)
    np.testing.assert_array_equal(best, want_best)
    np.testing.assert_array_equal(argmax, want_argmax)
    assert argmax.dtype == want_argmax.dtype


def test_knockout_defers_to_reference_on_nan():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    assert max_of_four(x, _geo(x.shape, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1))) is None
    y, idx = F.max_pool2d(gn.tensor(x), 2, return_indices=True)
    assert np.isnan(y.numpy()[0, 0, 0, 0]) and idx.numpy()[0, 0, 0, 0] == 5


@pytest.mark.parametrize("channel_first", [False, True], ids=["nchw", "channel-first"])
def test_max_pool2d_gradient_goes_to_first_tied_tap(channel_first):
    rng = np.random.default_rng(4)
    a = rng.integers(0, 2, size=(3, 2, 6, 6)).astype(np.float64)
    base = gn.tensor(np.ascontiguousarray(a.transpose(1, 0, 2, 3)) if channel_first else a)
    base.requires_grad_(True)
    x = base.permute(1, 0, 2, 3) if channel_first else base
    y = F.max_pool2d(x, 2)
    g = rng.standard_normal(y.shape)
    (y * gn.tensor(g)).sum().backward()
    geo = _geo(a.shape, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1))
    _, argmax = max_pool_reference(a, geo)
    want = np.zeros_like(a)
    i, j = np.divmod(argmax, 2)
    n, c, p, q = np.indices(argmax.shape)
    want[n, c, 2 * p + i, 2 * q + j] = g
    grad = base.grad.numpy()
    np.testing.assert_array_equal(grad.transpose(1, 0, 2, 3) if channel_first else grad, want)
