"""What a second round of tutorial-style probes (seq2seq, data loading, einsum, custom Functions,
char-RNN sampling, weight tying) found differing from PyTorch, each checked against torch."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.data import DataLoader, Dataset, Subset, default_convert, random_split

torch = pytest.importorskip("torch")


# ------------------------------------------------------------- flip is a copy, not a view

FLIPS = {
    "flip": lambda lib, x: x.flip(1),
    "flip_two_dims": lambda lib, x: lib.flip(x, (0, 1)),
    "flip_of_size_one": lambda lib, x: x[:1].flip(0),
    "fliplr": lambda lib, x: lib.fliplr(x),
    "flipud": lambda lib, x: lib.flipud(x),
    "rot90_twice": lambda lib, x: lib.rot90(x, 2),
}


@pytest.mark.parametrize("name", sorted(FLIPS), ids=sorted(FLIPS))
def test_writing_into_a_flipped_tensor_leaves_the_input_alone(name):
    results = []
    for lib in (gn, torch):
        x = lib.arange(6.0).reshape(2, 3)
        y = FLIPS[name](lib, x)
        y.add_(100.0)
        results.append((x.numpy().copy(), y.numpy().copy(), y.is_contiguous()))
    (xg, yg, cg), (xt, yt, ct) = results
    np.testing.assert_array_equal(xg, xt)
    np.testing.assert_array_equal(yg, yt)
    assert cg == ct


def test_a_flipped_target_can_be_viewed_and_keeps_its_gradient():
    # seq2seq tutorials reverse the source (tgt = src.flip(1)) and then call tgt.view(-1)
    assert gn.arange(6).reshape(2, 3).flip(1).view(-1).tolist() == (
        torch.arange(6).reshape(2, 3).flip(1).view(-1).tolist()
    )
    grads = []
    for lib in (gn, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        (x.flip(1) * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


# ------------------------------------------------------------- data: Subset, batch_size=None


def test_subset_indices_are_kept_as_given_and_random_split_gives_lists():
    ours = random_split(list(range(10)), [7, 3], generator=0)
    theirs = torch.utils.data.random_split(
        list(range(10)), [7, 3], generator=torch.Generator().manual_seed(0)
    )
    for a, b in zip(ours, theirs):
        assert type(a.indices) is type(b.indices) is list
        assert type(a.indices[0]) is type(b.indices[0]) is int
    for lib_subset in (Subset, torch.utils.data.Subset):
        s = lib_subset(list(range(10)), [9, 2, 4])
        assert s.indices == [9, 2, 4] and s[1] == 2 and len(s) == 3
        s.indices = [0, 1]  # PyTorch lets a script replace them
        assert len(s) == 2 and s[1] == 1


def test_subset_indices_still_check_their_range():
    with pytest.raises(IndexError, match="must lie in"):
        Subset(list(range(3)), [0, 5])


class _Mixed(Dataset):
    """Samples of the kinds a tutorial's __getitem__ returns."""

    def __init__(self, lib_dataset: type) -> None:
        self.lib_dataset = lib_dataset

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int):
        return (
            np.arange(3, dtype=np.int32) + i,
            np.float64(i),
            "name",
            1.5,
            [np.ones(2, dtype=np.float32)],
            {"k": np.uint8(i)},
        )


def _describe(sample) -> list:
    """Type names and dtypes of a converted sample, the same words for both libraries."""
    out = [type(sample).__name__]
    for part in sample:
        if hasattr(part, "dtype") and not isinstance(part, np.ndarray):
            out.append(("Tensor", str(part.dtype).replace("torch.", ""), tuple(part.shape)))
        elif isinstance(part, (list, dict)):
            out.append(_describe(list(part.values()) if isinstance(part, dict) else part))
        else:
            out.append(type(part).__name__)
    return out


def test_batch_size_none_converts_each_sample_as_pytorch():
    ours = [_describe(s) for s in DataLoader(_Mixed(Dataset), batch_size=None)]
    theirs = [_describe(s) for s in torch.utils.data.DataLoader(_Mixed(Dataset), batch_size=None)]
    assert ours == theirs
    first = next(iter(DataLoader(_Mixed(Dataset), batch_size=None)))
    np.testing.assert_array_equal(first[0].numpy(), [0, 1, 2])


def test_batch_size_none_applies_a_given_collate_fn_to_each_sample():
    ours = list(DataLoader(_Mixed(Dataset), batch_size=None, collate_fn=len))
    theirs = list(torch.utils.data.DataLoader(_Mixed(Dataset), batch_size=None, collate_fn=len))
    assert ours == theirs == [6, 6]


def test_default_convert_keeps_tensors_and_text():
    t = gn.ones(2)
    assert default_convert(t) is t
    words = np.array(["a", "b"])
    assert default_convert(words) is words
    assert torch.utils.data.default_convert(words) is words


# ------------------------------------------------------------- einsum

EINSUMS = {
    "capital_letters_implicit": ("Ab,bC", [(2, 3), (3, 4)]),
    "capitals_sort_first": ("bA", [(2, 3)]),
    "capital_letters_with_ellipsis": ("...A,AB->...B", [(2, 3, 5), (5, 4)]),
    "ellipsis_implicit": ("...ij,jk", [(2, 3, 4), (4, 5)]),
    "attention_scores": ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]),
}


@pytest.mark.parametrize("name", sorted(EINSUMS), ids=sorted(EINSUMS))
def test_einsum_equations_match_pytorch(name):
    equation, shapes = EINSUMS[name]
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    ours = [gn.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    yg, yt = gn.einsum(equation, *ours), torch.einsum(equation, *theirs)
    np.testing.assert_allclose(yg.detach().numpy(), yt.detach().numpy(), rtol=1e-10)
    (yg * yg).sum().backward()
    (yt * yt).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9)


SUBLISTS = {
    "matmul": lambda a, b, e: ([a, [0, 1], b, [1, 2], [0, 2]]),
    "implicit_output": lambda a, b, e: ([a, [0, 1], b, [1, 30]]),
    "transpose_implicit": lambda a, b, e: ([a, [1, 0]]),
    "ellipsis": lambda a, b, e: ([e, [Ellipsis, 1], b, [1, 2], [2, Ellipsis]]),
}


@pytest.mark.parametrize("name", sorted(SUBLISTS), ids=sorted(SUBLISTS))
def test_einsum_sublist_form_matches_pytorch(name):
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(5, 2, 3))]
    ours = gn.einsum(*SUBLISTS[name](*[gn.tensor(a) for a in arrays]))
    theirs = torch.einsum(*SUBLISTS[name](*[torch.tensor(a) for a in arrays]))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)


def test_einsum_sublist_refuses_a_label_out_of_range():
    with pytest.raises(ValueError, match=r"integers in \[0, 52\)"):
        gn.einsum(gn.ones(2), [52])


# ------------------------------------------------------------- autograd.Function


def _functions(lib):
    class MulConst(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.k = k
            ctx.save_for_backward(x, w)
            return x * k * w, (x * k).sum()

        @staticmethod
        def backward(ctx, g, g_sum):
            x, w = ctx.saved_tensors
            return g * ctx.k * w + g_sum * ctx.k, None, (g * ctx.k * x).sum(0)

    class Scale(lib.autograd.Function):  # PyTorch's second form: setup_context
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    return MulConst, Scale


def test_gradcheck_passes_numbers_through_and_checks_every_output():
    for lib in (gn, torch):
        mul_const, _ = _functions(lib)
        a = lib.tensor(np.linspace(0, 1, 6).reshape(2, 3), requires_grad=True)
        w = lib.tensor(np.ones(3), requires_grad=True)
        assert lib.autograd.gradcheck(mul_const.apply, (a, 2.0, w))
        assert lib.autograd.gradgradcheck(mul_const.apply, (a, 2.0, w))


def test_gradcheck_still_catches_a_wrong_gradient_of_a_second_output():
    class WrongSecond(gn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, (x * 3).sum()

        @staticmethod
        def backward(ctx, g, g_sum):
            return g * 2 + g_sum * 4  # the sum's slope is 3, not 4

    x = gn.tensor([0.5, 1.5], dtype=gn.float64, requires_grad=True)
    assert not gn.gradcheck(WrongSecond.apply, (x,), raise_exception=False)


def test_setup_context_form_and_the_grad_fn_name():
    names, grads = [], []
    for lib in (gn, torch):
        _, scale = _functions(lib)
        q = lib.ones(2, requires_grad=True)
        y = scale.apply(q, 3.0)
        y.sum().backward()
        grads.append(q.grad.numpy())
        names.append(type(y.grad_fn).__name__)
    np.testing.assert_allclose(grads[0], grads[1])
    assert names == ["ScaleBackward", "ScaleBackward"]
    assert "ScaleBackward" not in gn.autograd.OP_REGISTRY  # users' Functions are not ops


# ------------------------------------------------------------- sampling, buffers


@pytest.mark.parametrize(
    "weights, n",
    [([0.5, 0.5], 3), ([0.0, 0.0], 1), ([0.5, 0.5], 0)],
    ids=["too_many_without_replacement", "zero_sum", "no_samples"],
)
def test_multinomial_refusals_are_pytorchs_runtime_error(weights, n):
    with pytest.raises(RuntimeError):
        torch.multinomial(torch.tensor(weights), n)
    with pytest.raises(RuntimeError):
        gn.multinomial(gn.tensor(weights), n)


def test_get_buffer_finds_a_buffer_by_its_dotted_path():
    for lib in (gn, torch):
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        model[0].register_buffer("scale", lib.full((3,), 2.0))
        assert model.get_buffer("1.running_var") is model[1].running_var
        np.testing.assert_array_equal(model.get_buffer("0.scale").numpy(), [2.0, 2.0, 2.0])
        with pytest.raises(AttributeError):
            model.get_buffer("1.weight")  # a parameter, not a buffer
    assert isinstance(nn.BatchNorm1d(2).get_buffer("num_batches_tracked"), gn.Tensor)
