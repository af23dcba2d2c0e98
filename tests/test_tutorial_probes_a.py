"""What tutorial-style probes (BiLSTM-CRF, seq2seq, DQN, autoencoder, text classification...) found
differing from PyTorch: the named results of max/sort/topk, the summarised repr, MaxUnpool's
stored sizes, and EmbeddingBag's offsets (checked, and the last one honoured)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

torch = pytest.importorskip("torch")

X = [[1.0, 5.0, 2.0], [7.0, 2.0, 7.0]]


def _ours_named(text: str) -> str:
    """PyTorch's repr of a named result, with glassnet's module prefix instead of torch's."""
    return text.replace("torch.return_types.", "glassnet.return_types.")


# ------------------------------------------------------------- named (values, indices) results

NAMED = {
    "max": lambda lib, x: x.max(1),
    "min": lambda lib, x: lib.min(x, dim=0),
    "max_keepdim": lambda lib, x: x.max(1, keepdim=True),
    "sort": lambda lib, x: x.sort(descending=True),
    "topk": lambda lib, x: x.topk(2),
    "kthvalue": lambda lib, x: x.kthvalue(2, 1),
    "median": lambda lib, x: x.median(1),
    "nanmedian": lambda lib, x: lib.nanmedian(x, 1),
    "mode": lambda lib, x: x.mode(1),
    "cummax": lambda lib, x: x.cummax(1),
    "cummin": lambda lib, x: lib.cummin(x, 0),
    "aminmax": lambda lib, x: lib.aminmax(x, dim=1),
    "max_of_a_number": lambda lib, x: lib.tensor(3.0).max(0),
}


@pytest.mark.parametrize("name", list(NAMED), ids=list(NAMED))
def test_named_results_print_and_unpack_as_pytorchs(name):
    theirs = NAMED[name](torch, torch.tensor(X))
    ours = NAMED[name](gn, gn.tensor(X))
    assert repr(ours) == _ours_named(repr(theirs))
    assert type(ours).__name__ == type(theirs).__name__
    for field in ours._fields:  # the parts have PyTorch's names
        np.testing.assert_array_equal(getattr(ours, field).numpy(), getattr(theirs, field).numpy())
    first, second = ours  # still a pair
    np.testing.assert_array_equal(first.numpy(), theirs[0].numpy())
    np.testing.assert_array_equal(second.numpy(), theirs[1].numpy())


def test_named_results_are_tuples_that_pickle_and_are_reachable_as_torch_names():
    result = gn.tensor(X).max(1)
    assert isinstance(result, tuple) and isinstance(result, gn.return_types.max)
    assert result == (result.values, result.indices)
    again = pickle.loads(pickle.dumps(result))
    assert type(again) is gn.return_types.max
    np.testing.assert_array_equal(again.indices.numpy(), [1, 0])
    # The classic tutorial lines: unpacking, indexing and .indices all give the same tensor.
    _, predicted = gn.max(gn.tensor(X), 1)
    assert predicted.tolist() == gn.tensor(X).max(1)[1].tolist() == result.indices.tolist()


def test_the_gradient_still_goes_through_named_results():
    x = gn.tensor(X, requires_grad=True)
    t = torch.tensor(X, requires_grad=True)
    (x.max(1).values.sum() + x.sort(1).values[:, 0].sum()).backward()
    (t.max(1).values.sum() + t.sort(1).values[:, 0].sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


# ------------------------------------------------------------------------- summarised repr


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.arange(2000),
        lambda lib: lib.arange(2000.0) / 7,
        lambda lib: lib.arange(2000).view(40, 50),
        lambda lib: lib.arange(3000.0).view(2, 1500),
        lambda lib: lib.arange(2000).view(10, 10, 20),
        lambda lib: lib.zeros(1001) > 1,
        lambda lib: lib.arange(-1000, 1000) * 1000,
    ],
    ids=["ints", "floats", "rows", "wrapped_rows", "3d", "bools", "wide_ints"],
)
def test_a_summarised_tensor_prints_as_pytorchs(make):
    assert repr(make(gn)) == repr(make(torch))


def test_summary_spacing_follows_the_print_options():
    try:
        gn.set_printoptions(threshold=4, edgeitems=1)
        torch.set_printoptions(threshold=4, edgeitems=1)
        for n in (5, 10):
            assert repr(gn.arange(n)) == repr(torch.arange(n))
        assert repr(gn.arange(8).view(2, 4)) == repr(torch.arange(8).view(2, 4))
        assert repr(gn.arange(3)) == "tensor([0, 1, 2])"  # not summarised: untouched
    finally:
        gn.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


# ------------------------------------------------------------------------ MaxUnpool's sizes


@pytest.mark.parametrize(
    ("layer", "args", "kwargs"),
    [
        ("MaxUnpool1d", (2,), {}),
        ("MaxUnpool2d", (2,), {"stride": 2}),
        ("MaxUnpool2d", ((2, 3),), {"padding": 1}),
        ("MaxUnpool3d", (2,), {}),
    ],
)
def test_max_unpool_keeps_one_size_per_axis_as_pytorch(layer, args, kwargs):
    ours = getattr(nn, layer)(*args, **kwargs)
    theirs = getattr(torch.nn, layer)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert (ours.kernel_size, ours.stride, ours.padding) == (
        theirs.kernel_size,
        theirs.stride,
        theirs.padding,
    )


def test_max_pool_and_unpool_round_trip_as_the_autoencoder_uses_them():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    x, t = gn.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, i = nn.MaxPool2d(2, stride=2, return_indices=True)(x)
    ty, ti = torch.nn.MaxPool2d(2, stride=2, return_indices=True)(t)
    ours = nn.MaxUnpool2d(2, stride=2)(y, i, output_size=x.size())
    theirs = torch.nn.MaxUnpool2d(2, stride=2)(ty, ti, output_size=t.size())
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    weights = np.arange(150, dtype=np.float32).reshape(2, 3, 5, 5)
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


# --------------------------------------------------------------------- EmbeddingBag offsets


def _bag_pair(mode: str, include_last_offset: bool = False, padding_idx=None):
    theirs = torch.nn.EmbeddingBag(
        6, 3, mode=mode, include_last_offset=include_last_offset, padding_idx=padding_idx
    )
    ours = nn.EmbeddingBag(
        6, 3, mode=mode, include_last_offset=include_last_offset, padding_idx=padding_idx
    )
    ours.weight.data = gn.tensor(theirs.weight.detach().numpy().copy())
    return ours, theirs


INDICES = [1, 2, 4, 5, 4, 3, 2]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize(
    ("offsets", "last"),
    [([0, 2, 2, 5], False), ([0, 3], False), ([0, 2, 7], True), ([0, 0, 4, 7], True)],
    ids=["empty_bag", "two_bags", "last_offset", "last_offset_empty_bag"],
)
@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_bag_with_offsets_matches_pytorch(mode, offsets, last, padding_idx):
    ours, theirs = _bag_pair(mode, last, padding_idx)
    a = ours(gn.tensor(INDICES), gn.tensor(offsets))
    b = theirs(torch.tensor(INDICES), torch.tensor(offsets))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)
    weights = np.arange(b.numel(), dtype=np.float32).reshape(tuple(b.shape))
    (a * gn.tensor(weights)).sum().backward()
    (b * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), atol=1e-6)


def test_the_last_offset_ends_the_last_bag():
    """With include_last_offset the indices after the last offset belong to no bag (glassnet
    used to run the last bag to the end of the input)."""
    ours = nn.EmbeddingBag(4, 1, mode="sum", include_last_offset=True)
    ours.weight.data = gn.tensor([[1.0], [10.0], [100.0], [1000.0]])
    out = ours(gn.tensor([0, 1, 2, 3]), gn.tensor([0, 1, 3]))
    assert out.tolist() == [[1.0], [110.0]]


def test_text_classification_offsets_from_cumsum():
    """The tutorial's collate: offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)."""
    lengths = [0, 4, 3, 1]
    ours_offsets = gn.tensor(lengths[:-1]).cumsum(dim=0)
    theirs_offsets = torch.tensor(lengths[:-1]).cumsum(dim=0)
    assert ours_offsets.tolist() == theirs_offsets.tolist() and ours_offsets.dtype == gn.int64
    ours, theirs = _bag_pair("mean")
    text = [1, 2, 3, 4, 5, 0, 1, 2]
    a = ours(gn.tensor(text), ours_offsets)
    b = theirs(torch.tensor(text), theirs_offsets)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)


def test_no_offsets_gives_no_bags():
    ours, theirs = _bag_pair("mean")
    a = ours(gn.tensor([1, 2]), gn.tensor([], dtype=gn.long))
    b = theirs(torch.tensor([1, 2]), torch.tensor([], dtype=torch.long))
    assert tuple(a.shape) == tuple(b.shape) == (0, 3)


@pytest.mark.parametrize(
    ("offsets", "error", "message"),
    [
        (gn.tensor([0.0, 2.0]), TypeError, r"offsets must be integer positions \(int64\), got "
         r"dtype float32"),
        (gn.tensor([[0, 1]]), ValueError, r"offsets must be 1-D, got shape \(1, 2\)"),
        (gn.tensor([1, 2]), ValueError, r"offsets\[0\] must be 0 .*got 1"),
        (gn.tensor([0, 2, 1]), ValueError, r"must not decrease .*\(3\), got \[0, 2, 1\]"),
        (gn.tensor([0, 5]), ValueError, r"must not decrease and not pass .*\(3\), got \[0, 5\]"),
    ],
    ids=["float", "2d", "not_from_0", "decreasing", "past_the_end"],
)  # fmt: skip
def test_bad_offsets_get_one_clear_line(offsets, error, message):
    with pytest.raises(error, match=message):
        nn.EmbeddingBag(5, 2)(gn.tensor([1, 2, 3]), offsets)


def test_include_last_offset_needs_an_end():
    with pytest.raises(ValueError, match=r"include_last_offset=True offsets needs at least one"):
        nn.EmbeddingBag(5, 2, include_last_offset=True)(
            gn.tensor([1]), gn.tensor([], dtype=gn.long)
        )


# ------------------------------------------------------------------- cat of 0-d tensors


@pytest.mark.parametrize("position", [0, 1])
def test_cat_of_a_number_says_how_to_fix_it(position):
    """The BiLSTM-CRF tutorial calls .view(1) on each score before torch.cat because PyTorch
    refuses 0-d tensors there; glassnet refuses them too (a RuntimeError, as PyTorch's)."""
    parts = [gn.tensor([1.0]), gn.tensor([2.0])]
    parts[position] = gn.tensor(3.0)
    with pytest.raises(
        RuntimeError, match=rf"cat: tensor {position} is 0-dimensional .*\.view\(1\)"
    ):
        gn.cat(parts)
    with pytest.raises(RuntimeError):
        torch.cat([torch.tensor(p.numpy()) for p in parts])
    joined = gn.cat([p.view(1) for p in parts])
    assert joined.tolist() == torch.cat([torch.tensor(p.numpy()).view(1) for p in parts]).tolist()
