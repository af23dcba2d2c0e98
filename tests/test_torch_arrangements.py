"""PyTorch's building and rearranging functions (ops/torch_arrangements.py), the statistics
added to ops/torch_formulas.py, logdet / matrix_power, and finfo / iinfo: values and gradients
against PyTorch (skipped without it), and the errors."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.numerical import gradcheck

RNG = np.random.default_rng(5)
M = RNG.standard_normal((3, 4))
N = RNG.standard_normal((2, 3))
V = RNG.standard_normal(5)
T3 = RNG.standard_normal((2, 3, 4))
SQ = RNG.standard_normal((3, 3)) + 3 * np.eye(3)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# name, call of (library, *tensors), inputs (all differentiable)
CASES = [
    ("atleast_2d", lambda lib, v: lib.atleast_2d(v), (V,)),
    ("atleast_3d", lambda lib, m: lib.atleast_3d(m), (M,)),
    ("atleast_3d_vec", lambda lib, v: lib.atleast_3d(v), (V,)),
    ("dstack", lambda lib, a, b: lib.dstack([a, b]), (M, M * 2)),
    ("tensor_split_n", lambda lib, m: lib.tensor_split(m, 3, dim=1)[0], (M,)),
    ("tensor_split_at", lambda lib, v: lib.tensor_split(v, [1, 4])[1], (V,)),
    ("hsplit", lambda lib, m: lib.hsplit(m, 2)[1], (M,)),
    ("vsplit", lambda lib, t: lib.vsplit(t, [1])[1], (T3,)),
    ("dsplit", lambda lib, t: lib.dsplit(t, 2)[0], (T3,)),
    ("broadcast_tensors", lambda lib, a, b: lib.broadcast_tensors(a, b)[1], (M, V[:4])),
    ("take_along_dim", lambda lib, m: lib.take_along_dim(m, lib.argsort(m, dim=1), dim=1), (M,)),
    ("take_along_flat", lambda lib, m: lib.take_along_dim(m, lib.tensor([0, 5, 11])), (M,)),
    ("kron", lambda lib, a, b: lib.kron(a, b), (M, N)),
    ("kron_mixed", lambda lib, a, b: lib.kron(a, b), (V[:2], N)),
    ("tensordot_int", lambda lib, a, b: lib.tensordot(a, b, dims=1), (N, M)),
    ("tensordot_lists", lambda lib, a, b: lib.tensordot(a, b, dims=([0, 1], [1, 0])), (M, M.T)),
    ("block_diag", lambda lib, a, b, c: lib.block_diag(a, b, c), (M, N, V[:1].reshape(())),),
    ("diag_embed", lambda lib, m: lib.diag_embed(m), (M,)),
    ("diag_embed_offset", lambda lib, m: lib.diag_embed(m, offset=-1), (M,)),
    ("diag_embed_dims", lambda lib, m: lib.diag_embed(m, 1, 0, 2), (M,)),
    ("cartesian_prod", lambda lib, a, b: lib.cartesian_prod(a, b), (V[:3], V[3:])),
    ("combinations", lambda lib, v: lib.combinations(v, 3), (V,)),
    ("combinations_rep", lambda lib, v: lib.combinations(v, 2, with_replacement=True), (V[:3],)),
    ("rot90", lambda lib, m: lib.rot90(m), (M,)),
    ("rot90_k2", lambda lib, t: lib.rot90(t, 2, (1, 2)), (T3,)),
    ("rot90_k-1", lambda lib, t: lib.rot90(t, -1, (0, 2)), (T3,)),
    ("clamp_min", lambda lib, m: lib.clamp_min(m, 0.1), (M,)),
    ("clamp_max", lambda lib, m: m.clamp_max(-0.1), (M,)),
    ("sinc", lambda lib, v: lib.sinc(v), (np.append(V, 0.0),)),
    ("cross", lambda lib, a, b: lib.cross(a, b, dim=0), (M[:2, :3].T, N.T)),
    ("cross_last", lambda lib, a, b: lib.cross(a, b, dim=-1), (M[:2, :3], N)),
    ("kthvalue", lambda lib, m: lib.kthvalue(m, 2, dim=1).values, (M,)),
    ("kthvalue_keep", lambda lib, m: m.kthvalue(3, 0, keepdim=True).values, (M,)),
    ("quantile", lambda lib, m: lib.quantile(m, 0.3, dim=1), (M,)),
    ("quantile_all", lambda lib, m: lib.quantile(m, lib.tensor([0.1, 0.5, 1.0], dtype=lib.float64)), (M,)),
    ("quantile_keep", lambda lib, m: lib.quantile(m, lib.tensor([0.25, 0.75], dtype=lib.float64), dim=0, keepdim=True), (M,)),
    ("quantile_lower", lambda lib, m: lib.quantile(m, 0.4, dim=1, interpolation="lower"), (M,)),
    ("quantile_higher", lambda lib, m: lib.quantile(m, 0.4, dim=1, interpolation="higher"), (M,)),
    ("quantile_midpoint", lambda lib, m: lib.quantile(m, 0.4, dim=1, interpolation="midpoint"), (M,)),
    ("quantile_nearest", lambda lib, m: lib.quantile(m, 0.5, dim=0, interpolation="nearest"), (RNG.standard_normal((5, 2)),)),
    ("cov", lambda lib, m: lib.cov(m), (M,)),
    ("cov_vector", lambda lib, v: lib.cov(v, correction=0), (V,)),
    ("corrcoef", lambda lib, m: lib.corrcoef(m), (M,)),
    ("logdet", lambda lib, a: lib.logdet(a), (SQ,)),
    ("matrix_power", lambda lib, a: lib.matrix_power(a, 5), (SQ,)),
    ("matrix_power_neg", lambda lib, a: lib.linalg.matrix_power(a, -2), (SQ,)),
]  # fmt: skip


@pytest.mark.parametrize("name,call,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(torch, name, call, arrays):
    ours_in = [gn.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = call(gn, *ours_in), call(torch, *theirs_in)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert ours.shape == tuple(theirs.shape)
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        if b.grad is None:  # an input the output does not use
            assert a.grad is None
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["kron", "tensordot_lists", "diag_embed_offset", "sinc",
                                  "cross", "quantile_all", "cov", "corrcoef", "logdet"])  # fmt: skip
def test_gradients_agree_with_finite_differences(name):
    _, call, arrays = next(c for c in CASES if c[0] == name)
    tensors = [gn.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *t: call(gn, *t), *tensors)


def test_index_builders_and_shapes_match_pytorch(torch):
    for args in [(3, 3), (4, 2, 1), (2, 5, -1), (0, 3)]:
        for name in ("tril_indices", "triu_indices"):
            ours, theirs = getattr(gn, name)(*args), getattr(torch, name)(*args)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
            assert ours.numpy().dtype == theirs.numpy().dtype
    assert gn.broadcast_shapes((3, 1), (1, 4), 4) == tuple(
        torch.broadcast_shapes((3, 1), (1, 4), 4)
    )
    assert gn.atleast_1d(gn.tensor(2.0)).shape == (1,)
    pair = gn.atleast_2d(gn.tensor(1.0), gn.tensor([1.0, 2.0]))
    assert [p.shape for p in pair] == [(1, 1), (1, 2)]


def test_nan_and_infinities_as_pytorch_has_them(torch):
    x = np.array([[1.0, np.nan, 3.0], [np.inf, -np.inf, 0.0]])
    for call in (
        lambda lib, t: lib.quantile(t, 0.5, dim=1),
        lambda lib, t: lib.isposinf(t),
        lambda lib, t: lib.isneginf(t),
        lambda lib, t: lib.logdet(lib.tensor([[-2.0, 0.0], [0.0, 1.0]], dtype=lib.float64)),
        lambda lib, t: lib.logdet(lib.zeros(2, 2, dtype=lib.float64)),
    ):
        np.testing.assert_array_equal(
            call(gn, gn.tensor(x)).numpy(), call(torch, torch.tensor(x)).numpy()
        )


def test_finfo_and_iinfo_match_pytorch(torch):
    for name in ("float16", "float32", "float64"):
        ours, theirs = gn.finfo(getattr(gn, name)), torch.finfo(getattr(torch, name))
        for field in ("eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits"):
            assert getattr(ours, field) == getattr(theirs, field), (name, field)
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        ours, theirs = gn.iinfo(getattr(gn, name)), torch.iinfo(getattr(torch, name))
        assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits)
    assert gn.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError, match="floating dtype, got int64"):
        gn.finfo(gn.int64)


def test_mistakes_get_one_clear_line():
    with pytest.raises(ValueError, match="3 sections do not divide dimension 1 of size 4"):
        gn.hsplit(gn.tensor(M), 3)
    with pytest.raises(ValueError, match="do not broadcast"):
        gn.broadcast_shapes((2, 3), (4,))
    with pytest.raises(ValueError, match="dimension 1 must have size 3"):
        gn.cross(gn.tensor(M), gn.tensor(M), dim=1)
    with pytest.raises(IndexError, match=r"k must lie in \[1, 4\]"):
        gn.kthvalue(gn.tensor(M), 5)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        gn.quantile(gn.tensor(M), 0.5, interpolation="cubic")
    with pytest.raises(ValueError, match=r"within \[0, 1\]"):
        gn.quantile(gn.tensor(M), 1.5)
    with pytest.raises(ValueError, match="the two dims must differ"):
        gn.rot90(gn.tensor(M), 1, (1, 1))
    with pytest.raises(TypeError, match="integer power"):
        gn.matrix_power(gn.tensor(SQ), 1.5)
    assert math.isnan(gn.logdet(gn.tensor([[-1.0, 0.0], [0.0, 1.0]])).item())
