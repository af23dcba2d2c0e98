"""Indexing with tensors mixed with integers, slices and None places the axes as PyTorch does.

NumPy counts an integer among the index arrays when deciding where the indexed axes go;
PyTorch removes the integer's axis first. These tests compare shapes, values, gradients and
__setitem__ with PyTorch on a table of indices and on indices drawn by hypothesis.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassnet as gn

torch = pytest.importorskip("torch")


def _index(lib, spec):
    """Build an index from a spec: ('t', list) -> tensor, ('m', list) -> bool mask, else as is."""
    items = []
    for item in spec:
        if isinstance(item, tuple) and item[0] == "t":
            items.append(lib.tensor(item[1]))
        elif isinstance(item, tuple) and item[0] == "m":
            items.append(lib.tensor(item[1]))
        elif isinstance(item, tuple) and item[0] == "0d":
            items.append(lib.tensor(item[1]))
        else:
            items.append(item)
    return tuple(items)


TABLE = [
    (
        "issue_example",
        (2, 5, 6, 5, 3, 4),
        (1, slice(None), slice(3, 11, 2), ("t", [[0], [1]]), slice(0, 2)),
    ),
    ("int_slice_tensor", (2, 3, 4), (1, slice(None), ("t", [0, 1]))),
    ("tensor_slice_int", (2, 3, 4), (("t", [0, 1]), slice(None), 1)),
    ("slice_int_tensor", (2, 3, 4), (slice(None), 1, ("t", [0, 1]))),
    ("tensor_int_slice_tensor", (2, 3, 4, 5), (("t", [0, 1]), 1, slice(None), ("t", [0, 1]))),
    ("slice_tensor_int_tensor", (2, 3, 4, 5), (slice(None), ("t", [0, 1]), 1, ("t", [0, 1]))),
    ("int_tensor_slice_int", (2, 3, 4, 5), (1, ("t", [0, 2]), slice(None), 1)),
    ("ellipsis_int_tensor", (2, 3, 4), (Ellipsis, 1, ("t", [0, 1]))),
    ("int_ellipsis_tensor", (2, 3, 4), (1, Ellipsis, ("t", [0, 1]))),
    ("none_int_slice_tensor", (2, 3, 4), (None, 1, slice(None), ("t", [0, 1]))),
    ("int_none_slice_tensor", (2, 3, 4), (1, None, slice(None), ("t", [0, 1]))),
    ("tensor_none_int_tensor", (2, 3, 4, 5), (("t", [0, 1]), None, 1, ("t", [0, 1]))),
    ("zero_d_tensor_as_int", (2, 3, 4), (("0d", 1), slice(None), ("t", [0, 1]))),
    ("mask_int", (2, 3, 4), (1, ("m", [True, False, True]), 2)),
    ("int_mask", (2, 3, 4), (slice(None), 1, ("m", [True, False, True, True]))),
    ("int_slice_2d_tensor", (3, 4, 5), (2, slice(1, 3), ("t", [[0, 1], [2, 3]]))),
]


def _check(shape, spec):
    rng = np.random.default_rng(0)
    data = rng.normal(size=shape)
    ours = gn.tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    y = ours[_index(gn, spec)]
    y_ref = theirs[_index(torch, spec)]
    assert y.shape == tuple(y_ref.shape)
    np.testing.assert_array_equal(y.numpy(), y_ref.detach().numpy())
    weights = rng.normal(size=y.shape)
    (y * gn.tensor(weights)).sum().backward()
    (y_ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
    # __setitem__ writes a value of the result's shape into the same places.
    value = rng.normal(size=y.shape)
    a, b = gn.tensor(data), torch.tensor(data)
    a[_index(gn, spec)] = gn.tensor(value)
    b[_index(torch, spec)] = torch.tensor(value)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(("shape", "spec"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_index_placement_matches_torch(shape, spec):
    _check(shape, spec)


def test_issue_example_shape():
    z = gn.zeros(2, 5, 6, 5, 3, 4)
    assert z[1, :, 3:11:2, gn.tensor([[0], [1]]), 0:2].shape == (5, 2, 2, 1, 2, 4)


def test_setitem_gradient_through_mixed_index_matches_torch():
    data = np.arange(24.0).reshape(2, 3, 4)
    value = np.random.default_rng(1).normal(size=(3, 2))
    results = []
    for lib in (gn, torch):
        x = lib.tensor(data, requires_grad=True)
        v = lib.tensor(value, requires_grad=True)
        y = x * 1.0
        y[1, :, lib.tensor([0, 2])] = v * 2
        (y * y).sum().backward()
        results.append((x.grad.numpy(), v.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


@st.composite
def _mixed_index(draw):
    ndim = draw(st.integers(2, 5))
    shape = tuple(draw(st.lists(st.integers(2, 4), min_size=ndim, max_size=ndim)))
    tensor_shape = draw(st.sampled_from([(2,), (1,), (2, 1)]))
    spec = []
    for size in shape:
        kind = draw(st.sampled_from(["int", "slice", "tensor", "full"]))
        if kind == "int":
            spec.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.integers(0, size - 1))
            spec.append(slice(start, None, draw(st.integers(1, 2))))
        elif kind == "tensor":
            values = draw(st.lists(st.integers(0, size - 1), min_size=2, max_size=2))
            spec.append(
                ("t", np.array(values[: int(np.prod(tensor_shape))]).reshape(tensor_shape).tolist())
            )
        else:
            spec.append(slice(None))
        if draw(st.integers(0, 5)) == 0:
            spec.append(None)
    return shape, tuple(spec)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_mixed_index())
def test_random_mixed_indices_match_torch(case):
    shape, spec = case
    _check(shape, spec)
