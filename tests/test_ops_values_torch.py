"""Parity with PyTorch for what the op table cannot check: integer results, indices, tuples and
predicates, and whether each result requires grad (rounding keeps a zero gradient, tests of
values have none)."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")

F = [[1.5, -2.5, 0.5, 3.0], [-0.5, 2.0, 2.0, -1.0]]
I = [[7, -7, 3, 0], [-4, 5, 9, -1]]


def _outputs(value):
    return list(value) if isinstance(value, tuple) else [value]


VALUES = [
    pytest.param(lambda lib: lib.tensor(I) // 2, id="floordiv_int"),
    pytest.param(lambda lib: lib.tensor(F) // 0.75, id="floordiv_float"),
    pytest.param(lambda lib: 7 // lib.tensor([2, -3]), id="rfloordiv"),
    pytest.param(lambda lib: lib.floor_divide(lib.tensor(I), lib.tensor([2, 3, -2, 5])), id="floor_divide"),
    pytest.param(lambda lib: lib.tensor(I) % 3, id="mod_int"),
    pytest.param(lambda lib: -7.5 % lib.tensor([2.0, -3.0]), id="rmod"),
    pytest.param(lambda lib: lib.remainder(lib.tensor(I), -4), id="remainder_int"),
    pytest.param(lambda lib: lib.fmod(lib.tensor(I), 4), id="fmod_int"),
    pytest.param(lambda lib: lib.div(lib.tensor(I), 2, rounding_mode="trunc"), id="div_trunc_int"),
    pytest.param(lambda lib: lib.div(lib.tensor(I), -2, rounding_mode="floor"), id="div_floor_int"),
    pytest.param(lambda lib: lib.tensor(I).div(4), id="div_true_int"),
    pytest.param(lambda lib: lib.divide(lib.tensor(I), 4, rounding_mode="floor"), id="divide_floor"),
    pytest.param(lambda lib: lib.tensor(I).true_divide(lib.tensor([2, 4, 8, 16])), id="true_divide"),
    pytest.param(lambda lib: lib.tensor(I).floor(), id="floor_int_keeps_dtype"),
    pytest.param(lambda lib: lib.round(lib.tensor([0.5, 1.5, 2.5, -0.5, 1.2345])), id="round_half_even"),
    pytest.param(lambda lib: lib.round(lib.tensor([1.2345, -2.5551], dtype=lib.float64), decimals=2), id="round_decimals"),
    pytest.param(lambda lib: lib.tensor(I).sign(), id="sign_int"),
    pytest.param(lambda lib: lib.tensor([1.0, float("inf"), -float("inf"), float("nan")]).isinf(), id="isinf"),
    pytest.param(lambda lib: lib.isnan(lib.tensor([1.0, float("nan")])), id="isnan"),
    pytest.param(lambda lib: lib.isfinite(lib.tensor([1.0, float("inf"), float("nan")])), id="isfinite"),
    pytest.param(lambda lib: lib.isclose(lib.tensor([1.0, 2.0, float("nan")]), lib.tensor([1.0 + 1e-7, 2.1, float("nan")])), id="isclose"),
    pytest.param(lambda lib: lib.isclose(lib.tensor([float("nan")]), lib.tensor([float("nan")]), equal_nan=True), id="isclose_nan"),
    pytest.param(lambda lib: lib.nonzero(lib.tensor(I)), id="nonzero"),
    pytest.param(lambda lib: lib.tensor(I).nonzero(as_tuple=True), id="nonzero_tuple"),
    pytest.param(lambda lib: lib.argwhere(lib.tensor([0, 3, 0, 1])), id="argwhere"),
    pytest.param(lambda lib: lib.tensor(I).cumsum(1), id="cumsum_int"),
    pytest.param(lambda lib: lib.tensor([True, True, False]).cumsum(0), id="cumsum_bool"),
    pytest.param(lambda lib: lib.tensor(I).cumprod(0), id="cumprod_int"),
    pytest.param(lambda lib: lib.tensor([1.0, 3.0, 3.0, 2.0, 3.0]).cummax(0), id="cummax_ties"),
    pytest.param(lambda lib: lib.tensor([[3, 1, 1], [0, 2, -1]]).cummin(1), id="cummin_int"),
    pytest.param(lambda lib: lib.tensor(F).argsort(dim=1), id="argsort"),
    pytest.param(lambda lib: lib.tensor([2, 1, 2, 1, 2]).argsort(descending=True, stable=True), id="argsort_stable_desc"),
    pytest.param(lambda lib: lib.tensor([2, 1, 2, 1, 2]).sort(stable=True), id="sort_stable"),
    pytest.param(lambda lib: lib.sort(lib.tensor(F), dim=0, descending=True), id="sort_desc"),
    pytest.param(lambda lib: lib.tensor([4.0, 1.0, 3.0, 2.0]).topk(3), id="topk"),
    pytest.param(lambda lib: lib.topk(lib.tensor(I), 2, dim=1, largest=False), id="topk_smallest"),
    pytest.param(lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 3])), id="repeat_interleave_counts"),
    pytest.param(lambda lib: lib.tensor(I).repeat_interleave(2, dim=0), id="repeat_interleave_int"),
    pytest.param(lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2), indexing="ij"), id="meshgrid_ij"),
    pytest.param(lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2), lib.arange(4), indexing="xy"), id="meshgrid_xy3"),
    pytest.param(lambda lib: lib.tensor(I).gather(1, lib.tensor([[0, 0], [3, 1]])), id="gather_int"),
    pytest.param(lambda lib: lib.zeros(3, 4, dtype=lib.int64).scatter(1, lib.tensor([[1], [3], [0]]), 1), id="scatter_one_hot"),
    pytest.param(lambda lib: lib.zeros(3, 4).scatter_(1, lib.tensor([[1], [3], [0]]), 1.0), id="scatter_inplace"),
    pytest.param(lambda lib: lib.zeros(5).scatter_add(0, lib.tensor([0, 1, 0, 4]), lib.ones(4)), id="scatter_add_counts"),
    pytest.param(lambda lib: lib.tensor(I).scatter_reduce(1, lib.tensor([[0, 0], [1, 1]]), lib.tensor([[2, 3], [4, 5]]), "amax", include_self=False), id="scatter_reduce_int"),
    pytest.param(lambda lib: lib.tensor(I).scatter_reduce(1, lib.tensor([[0, 0], [1, 1]]), lib.tensor([[2, 3], [4, 5]]), "mean"), id="scatter_reduce_int_mean"),
    pytest.param(lambda lib: lib.tensor(I).index_select(1, lib.tensor([3, 0])), id="index_select_int"),
    pytest.param(lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 2, 0]), lib.ones(3, 2), alpha=3), id="index_add_alpha"),
    pytest.param(lambda lib: lib.tensor(I).masked_select(lib.tensor(I) > 0), id="masked_select"),
    pytest.param(lambda lib: lib.tensor(I).roll(1, 1), id="roll_int"),
    pytest.param(lambda lib: lib.diag(lib.tensor([1, 2, 3]), -1), id="diag_int"),
    pytest.param(lambda lib: lib.tensor(I).tril(1), id="tril_int"),
    pytest.param(lambda lib: lib.tensor(I).triu(-1), id="triu_int"),
    pytest.param(lambda lib: lib.arange(10).unfold(0, 3, 3), id="unfold_int"),
    pytest.param(lambda lib: lib.einsum("ij->j", lib.tensor(I)), id="einsum_int"),
    pytest.param(lambda lib: lib.tensor([[1, 2], [8, 3]]).log2(), id="log2_of_ints"),
    pytest.param(lambda lib: lib.copysign(lib.tensor([1, 2]), -1), id="copysign_ints"),
    pytest.param(lambda lib: lib.var_mean(lib.tensor(F), dim=0), id="var_mean"),
    pytest.param(lambda lib: lib.std_mean(lib.tensor(F), correction=0), id="std_mean"),
]  # fmt: skip


@pytest.mark.parametrize("make", VALUES)
def test_values_match_torch(make):
    ours, theirs = _outputs(make(gn)), _outputs(make(torch))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype) == str(b.dtype).removeprefix("torch."), (a.dtype, b.dtype)
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, equal_nan=True)


def test_allclose_matches_torch():
    a, b = [1.0, 2.0], [1.0, 2.0 + 1e-6]
    assert gn.allclose(gn.tensor(a), gn.tensor(b)) is torch.allclose(
        torch.tensor(a), torch.tensor(b)
    )
    assert gn.tensor(a).allclose(gn.tensor(b), atol=0, rtol=0) is False


REQUIRES_GRAD = [
    pytest.param(lambda lib, x: x.floor(), id="floor"),
    pytest.param(lambda lib, x: x.ceil(), id="ceil"),
    pytest.param(lambda lib, x: x.round(), id="round"),
    pytest.param(lambda lib, x: x.trunc(), id="trunc"),
    pytest.param(lambda lib, x: x.frac(), id="frac"),
    pytest.param(lambda lib, x: x.sign(), id="sign"),
    pytest.param(lambda lib, x: lib.div(x, 2.0, rounding_mode="floor"), id="div_floor"),
    pytest.param(lambda lib, x: x.isinf(), id="isinf"),
    pytest.param(lambda lib, x: x.isnan(), id="isnan"),
    pytest.param(lambda lib, x: lib.isclose(x, x), id="isclose"),
    pytest.param(lambda lib, x: x.argsort(), id="argsort"),
    pytest.param(lambda lib, x: x.sort().indices, id="sort_indices"),
    pytest.param(lambda lib, x: x.cummax(0).indices, id="cummax_indices"),
    pytest.param(lambda lib, x: x.nonzero(), id="nonzero"),
    pytest.param(lambda lib, x: x.long(), id="long"),
]


@pytest.mark.parametrize("make", REQUIRES_GRAD)
def test_requires_grad_matches_torch(make):
    data = [0.5, -1.5, 2.25]
    ours = make(gn, gn.tensor(data, requires_grad=True))
    theirs = make(torch, torch.tensor(data, requires_grad=True))
    assert ours.requires_grad is theirs.requires_grad


@pytest.mark.parametrize("op", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_gradient_is_zero_as_in_torch(op):
    x = gn.tensor([0.5, -1.5, 2.25], requires_grad=True)
    getattr(x, op)().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3, dtype=np.float32))


def test_cumprod_readable_zero_rule_matches_the_division_rule():
    """The O(n**2) rule used when a factor is 0 and the y / x rule agree where both apply."""
    from glassnet.ops.scan import _cumprod_grad_with_zeros, _reverse_cumsum

    rng = np.random.default_rng(5)
    x = gn.tensor(rng.uniform(0.5, 2.0, size=(3, 5)), dtype=gn.float64)
    g = gn.tensor(rng.normal(size=(3, 5)), dtype=gn.float64)
    y = x.cumprod(1)
    fast = _reverse_cumsum(g * y, 1) / x
    exact = _cumprod_grad_with_zeros(g, x, 1)
    np.testing.assert_allclose(fast.numpy(), exact.numpy(), rtol=1e-12)


def test_bad_arguments_get_one_clear_line():
    x = gn.ones(3, 4)
    with pytest.raises(IndexError, match=r"index values must lie in \[0, 4\)"):
        x.gather(1, gn.tensor([[5]]))
    with pytest.raises(TypeError, match="integer tensor"):
        x.gather(1, gn.tensor([[0.5]]))
    with pytest.raises(ValueError, match="reduce must be one of"):
        x.scatter_reduce(0, gn.tensor([[0]]), x, "median")
    with pytest.raises(ValueError, match="rounding_mode"):
        gn.div(x, 2, rounding_mode="round")
