"""The normalizations give the same bits on one thread and on two, compiled on numba's threads
(``jit.parallel_rows``) or split over glassnet's own (``split_work``).

One exception, by design: LayerNorm's weight and bias gradients are sums over rows, added up
per range of rows and then over the ranges, so a different number of ranges groups the
additions differently (rounding only)."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn


def _run(layer, x_array, threads):
    gn.set_num_threads(threads)
    try:
        x = gn.tensor(x_array, requires_grad=True)
        y = layer(x)
        (y * y).sum().backward()
        grads = [p.grad.numpy().copy() for p in layer.parameters()]
        for p in layer.parameters():
            p.grad = None
        return y.numpy().copy(), x.grad.numpy().copy(), grads
    finally:
        gn.set_num_threads(None)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: nn.GroupNorm(8, 64), (32, 64, 16, 16)),
        (lambda: nn.BatchNorm2d(64), (32, 64, 16, 16)),
        (lambda: nn.LayerNorm(512), (1024, 512)),
    ],
    ids=["GroupNorm", "BatchNorm2d", "LayerNorm"],
)
def test_one_thread_and_two_give_the_same_bits(make, shape):
    gn.manual_seed(0)
    layer = make()
    x = np.random.default_rng(1).standard_normal(shape, dtype=np.float32) * 3 + 1
    one, two = _run(layer, x, 1), _run(layer, x, 2)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    for a, b in zip(one[2], two[2]):
        if isinstance(layer, nn.LayerNorm):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4 * np.abs(b).max())
        else:
            np.testing.assert_array_equal(a, b)
