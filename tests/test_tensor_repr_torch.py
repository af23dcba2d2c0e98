"""Tensor reprs line up their elements exactly as PyTorch's do."""

import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
NAN, INF = float("nan"), float("inf")
CASES = [
    [4.0, 10.0, 18.0], [1.0, 2.0], [0.5, 10.0], [-1.0, 10.0], [NAN, 1.0], [NAN, 1.5],
    [INF, -2.5, 100.0], [[1.0, -20.0], [300.0, 4.0]], [1e-5, 1.0], [1e9, -1.0], [0.0], [-0.5],
    [NAN, 100.0], [-INF, 1.0], [NAN, 1e-5], [[0.25, -3.125], [7.0, 12.5]],
]  # fmt: skip


@pytest.mark.parametrize("values", CASES, ids=[str(k) for k in range(len(CASES))])
def test_repr_pads_like_torch(values):
    assert repr(gn.tensor(values)) == repr(torch.tensor(values))
