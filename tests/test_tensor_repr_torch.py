"""Tensor reprs line up their elements exactly as PyTorch's do."""

import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
NAN, INF = float("nan"), float("inf")
CASES = [
    [4.0, 10.0, 18.0], [1.0, 2.0], [0.5, 10.0], [-1.0, 10.0], [NAN, 1.0], [NAN, 1.5],
    [INF, -2.5, 100.0], [[1.0, -20.0], [300.0, 4.0]], [1e-5, 1.0], [1e9, -1.0], [0.0], [-0.5],
    [NAN, 100.0], [-INF, 1.0], [NAN, 1e-5], [[0.25, -3.125], [7.0, 12.5]],
    [1.5, -2.25, 100.0, 0.001], [1.5, 2000.0], [1.0, 5000.0], [1.0, 500.0], [0.0, 0.0],
    [-0.0, 2.0], [1e-5, 0.0], [0.5, NAN, INF], [123456789.0], [True, True], [True, False],
    [False], [[True], [False]], [],
]  # fmt: skip


@pytest.mark.parametrize("values", CASES, ids=[str(k) for k in range(len(CASES))])
def test_repr_pads_like_torch(values):
    assert repr(gn.tensor(values)) == repr(torch.tensor(values))


def test_empty_and_summarised_tensors_print_as_in_torch():
    import numpy as np

    for shape, dtype in [((0, 3), "float32"), ((0,), "int32"), ((2, 0), "float64")]:
        ours = gn.zeros(shape, dtype=getattr(gn, dtype))
        theirs = torch.zeros(shape, dtype=getattr(torch, dtype))
        assert repr(ours).replace("glassnet.", "torch.") == repr(theirs)
    x = np.zeros(2000, np.float32)
    x[5] = 1e-6  # not among the elements shown: the format is chosen from those shown
    assert "e-" not in repr(gn.tensor(x)) and "e-" not in repr(torch.tensor(x))


def test_sci_mode_can_be_forced_either_way():
    try:
        gn.set_printoptions(sci_mode=False)
        assert repr(gn.tensor([1e-5, 1.0])) == "tensor([0.0000, 1.0000])"
        gn.set_printoptions(sci_mode=True)
        assert repr(gn.tensor([1.5, 2.0])) == "tensor([1.5000e+00, 2.0000e+00])"
    finally:
        gn.set_printoptions(profile="default")
    assert repr(gn.tensor([1.5, 2.0])) == "tensor([1.5000, 2.0000])"
    with pytest.raises(ValueError, match="sci_mode must be True, False or None"):
        gn.set_printoptions(sci_mode="yes")
