"""Tests of the smaller PyTorch functions and Tensor attributes added in ops/torch_extras.py,
windows.py and tensor_extras.py: values, dtypes and gradients against PyTorch, gradcheck in
float64, the dtype rules over every pair of dtypes, and the error messages of bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import glassnet
from glassnet.errors import ShapeError
from glassnet.numerical import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)


def _to_g(a, requires_grad=False):
    if isinstance(a, np.ndarray):
        return glassnet.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")
    return a


def _to_t(a, requires_grad=False):
    if isinstance(a, np.ndarray):
        return torch.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f")
    return a


def _check(name, *args, grad=True, method=False, grad_of=None, **kwargs):
    """glassnet.name(*args) against torch.name(*args): values, dtypes and (float64) the
    gradients of sum(w * y) for every floating array argument (those at ``grad_of``)."""
    g_args = [_to_g(a, grad) for a in args]
    t_args = [_to_t(a, grad) for a in args]
    if method:
        g_out = getattr(g_args[0], name)(*g_args[1:], **kwargs)
        t_out = getattr(t_args[0], name)(*t_args[1:], **kwargs)
    else:
        g_out = getattr(glassnet, name)(*g_args, **kwargs)
        t_out = getattr(torch, name)(*t_args, **kwargs)
    g_outs = g_out if isinstance(g_out, tuple) else (g_out,)
    t_outs = t_out if isinstance(t_out, tuple) else (t_out,)
    assert len(g_outs) == len(t_outs)
    for g, t in zip(g_outs, t_outs):
        assert g.dtype == t.detach().numpy().dtype, (name, g.dtype, t.dtype)
        assert tuple(g.shape) == tuple(t.shape), (name, g.shape, t.shape)
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-12,
                                   atol=1e-13, equal_nan=True, err_msg=name)  # fmt: skip
    if grad and t_outs[0].requires_grad:
        w = RNG.normal(size=tuple(t_outs[0].shape))
        (g_outs[0] * glassnet.tensor(w)).sum().backward()
        (t_outs[0] * torch.tensor(w)).sum().backward()
        for i, (g, t) in enumerate(zip(g_args, t_args)):
            if grad_of is not None and i not in grad_of:
                continue
            if isinstance(t, torch.Tensor) and t.requires_grad:
                t_grad = t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
                g_grad = g.grad.numpy() if g.grad is not None else np.zeros(g.shape)
                np.testing.assert_allclose(g_grad, t_grad, rtol=1e-10, atol=1e-12, err_msg=name)
    return g_out


X = RNG.normal(size=(3, 4))
V4, V3 = RNG.normal(size=4), RNG.normal(size=3)
CUBE = RNG.normal(size=(3, 4, 5))
WITH_NAN = X.copy()
WITH_NAN[0, 1] = WITH_NAN[2, 0] = WITH_NAN[2, 3] = np.nan

CASES = [
    ("dist", (X, X[::-1].copy()), {}), ("dist", (X, np.zeros_like(X)), {"p": 1}),
    ("dist", (X, 2 * X), {"p": math.inf}), ("dist", (X, V4), {"p": 3.5}),
    ("inner", (X, RNG.normal(size=(2, 4))), {}), ("inner", (V4, V4), {}),
    ("inner", (CUBE, RNG.normal(size=5)), {}),
    ("ger", (V4, V3), {}), ("addr", (X.T.copy(), V4, V3), {"beta": 0.5, "alpha": 2.0}),
    ("addr", (X.T.copy(), V4, V3), {}), ("vdot", (V4, V4[::-1].copy()), {}),
    ("fliplr", (X,), {}), ("flipud", (CUBE,), {}), ("diagflat", (X,), {}),
    ("diagflat", (V4,), {"offset": -2}),
    ("vander", (V3,), {}), ("vander", (np.array([0.0, 1.5, -2.0]),), {"N": 5, "increasing": True}),
    ("index_fill", (X, 1, np.array([0, 2]), -1.5), {}),
    ("select_scatter", (X, V3, 1, 2), {}), ("select_scatter", (CUBE, X, 2, -1), {}),
    ("slice_scatter", (X, X[:, 1:3].copy(), 1, 1, 3), {}),
    ("slice_scatter", (X, X[::2].copy() * 3), {"start": None, "end": None, "step": 2}),
    ("diagonal_scatter", (X, V3), {}), ("diagonal_scatter", (X, V3[:2].copy(), -1), {}),
    ("diagonal_scatter", (CUBE, RNG.normal(size=(4, 3)), 0, 0, 2), {}),
    ("diagonal_scatter", (CUBE, RNG.normal(size=(3, 3)), 1, 2, 1), {}),
    ("renorm", (X, 2, 0, 1.0), {}), ("renorm", (X, 1, 1, 0.8), {}),
    ("renorm", (X, 3, 1, 100.0), {}),
    ("trapezoid", (X,), {}), ("trapezoid", (X, V4), {}), ("trapezoid", (X,), {"dx": 0.5, "dim": 0}),
    ("trapz", (X, V4), {}),
    ("cumulative_trapezoid", (X,), {}), ("cumulative_trapezoid", (X, np.sort(V3)), {"dim": 0}),
    ("nanquantile", (WITH_NAN, 0.3), {}), ("nanquantile", (WITH_NAN, 0.7), {"dim": 1}),
    ("nanquantile", (WITH_NAN, np.array([0.1, 0.5, 0.9])), {"dim": 0, "keepdim": True}),
    ("nanquantile", (WITH_NAN, 0.4), {"dim": 1, "interpolation": "midpoint"}),
    ("nanquantile", (WITH_NAN, 0.4), {"dim": 1, "interpolation": "nearest"}),
    ("nanquantile", (WITH_NAN, 0.4), {"dim": 1, "interpolation": "lower"}),
    ("nanmedian", (WITH_NAN,), {}), ("nanmedian", (WITH_NAN, 1), {}),
    ("nanmedian", (WITH_NAN, 0), {"keepdim": True}),
    ("rsub", (X, 2.0), {}), ("rsub", (X, 3 * X), {"alpha": 2}),
    ("logaddexp2", (X, V4), {}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_function_matches_torch(case):
    name, args, kwargs = case
    # torch's own vander backward fails (an in-place cumprod), so gradcheck covers it below;
    # torch also differentiates nanquantile with respect to q, glassnet only for the input
    _check(name, *args, grad=name != "vander", grad_of=(0,) if name == "nanquantile" else None,
           **kwargs)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_method_form_matches_torch(case):
    name, args, kwargs = case
    if not hasattr(torch.Tensor, name):
        assert not hasattr(glassnet.Tensor, name) or name in ("rsub",)
        return
    _check(name, *args, grad=False, method=True, **kwargs)


def test_gradchecks():
    def t(a):
        return glassnet.tensor(a, requires_grad=True)

    assert gradcheck(glassnet.dist, t(X), t(X[::-1].copy()))
    assert gradcheck(lambda a, b: glassnet.dist(a, b, 3.5), t(X), t(V4))
    assert gradcheck(glassnet.inner, t(CUBE), t(RNG.normal(size=(2, 5))))
    assert gradcheck(lambda m, a, b: glassnet.addr(m, a, b, beta=0.3, alpha=1.7),
                     t(X.T.copy()), t(V4), t(V3))  # fmt: skip
    assert gradcheck(lambda x: glassnet.vander(x, 4), t(np.array([0.0, 1.5, -2.0])))
    assert gradcheck(lambda a, b: glassnet.select_scatter(a, b, 0, 1), t(X), t(V4))
    assert gradcheck(lambda a, b: glassnet.diagonal_scatter(a, b, 1), t(X), t(V3))
    assert gradcheck(lambda a: glassnet.renorm(a, 2, 0, 1.0), t(X))
    assert gradcheck(glassnet.trapezoid, t(X), t(V4))
    assert gradcheck(lambda y: glassnet.cumulative_trapezoid(y, dx=0.3), t(X))
    assert gradcheck(lambda a: glassnet.nanquantile(a, 0.35, dim=1), t(WITH_NAN))
    assert gradcheck(lambda a: glassnet.nanmedian(a, 1).values, t(WITH_NAN))
    assert gradcheck(glassnet.logaddexp2, t(X), t(V4))


def test_all_nan_slices_and_empty_inputs():
    rows = np.array([[np.nan, np.nan], [1.0, np.nan], [3.0, 1.0]])
    values, indices = glassnet.nanmedian(glassnet.tensor(rows), 1)
    t_values, t_indices = torch.nanmedian(torch.tensor(rows), 1)
    np.testing.assert_array_equal(values.numpy(), t_values.numpy())
    # the index of an all-NaN slice is not specified (torch's follows its sort); the others are
    np.testing.assert_array_equal(indices.numpy()[1:], t_indices.numpy()[1:])
    assert math.isnan(glassnet.nanquantile(glassnet.tensor(rows), 0.5, dim=1)[0].item())
    assert glassnet.trapezoid(glassnet.zeros(0)).item() == 0.0
    assert glassnet.cumulative_trapezoid(glassnet.ones(1)).shape == (0,)
    # the median of nothing is NaN, as PyTorch gives it (not an error)
    assert math.isnan(glassnet.nanmedian(glassnet.zeros(0)).item())
    assert math.isnan(torch.nanmedian(torch.zeros(0)).item())


def test_unique_consecutive_matches_torch():
    flat = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    _check("unique_consecutive", flat, return_inverse=True, return_counts=True)
    _check("unique_consecutive", flat.reshape(2, 4), return_inverse=True)
    rows = np.array([[1, 1], [1, 1], [2, 3], [1, 1]])
    _check("unique_consecutive", rows, dim=0, return_inverse=True, return_counts=True)
    _check("unique_consecutive", rows, dim=1, return_counts=True)
    _check("unique_consecutive", np.array([2.5, 2.5, np.nan, 1.0]), grad=False)
    g = glassnet.tensor(flat).unique_consecutive()
    assert g.tolist() == torch.tensor(flat).unique_consecutive().tolist()


def test_unravel_index_matches_torch_and_checks_bounds():
    _check("unravel_index", np.array([0, 5, 11, -1, 7]), (3, 4))
    _check("unravel_index", np.array(17), (2, 3, 4))
    with pytest.raises(IndexError, match=r"must lie in \[-12, 11\]"):
        glassnet.unravel_index(glassnet.tensor([12]), (3, 4))
    with pytest.raises(TypeError, match="integer indices"):
        glassnet.unravel_index(glassnet.tensor([1.0]), (3, 4))


def test_split_with_sizes():
    pieces = glassnet.tensor(X).split_with_sizes([1, 3], 1)
    t_pieces = torch.tensor(X).split_with_sizes([1, 3], 1)
    assert [p.shape for p in pieces] == [tuple(p.shape) for p in t_pieces]
    for g, t in zip(glassnet.split_with_sizes(glassnet.tensor(X), [2, 1]),
                    torch.split_with_sizes(torch.tensor(X), [2, 1])):  # fmt: skip
        np.testing.assert_array_equal(g.numpy(), t.numpy())
    with pytest.raises(ValueError, match="sum to 4"):
        glassnet.tensor(X).split_with_sizes([1, 2], 1)


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])  # fmt: skip
def test_windows_match_torch(name):
    for length, periodic in itertools.product([0, 1, 2, 5, 16], [True, False]):
        g = getattr(glassnet, name)(length, periodic)
        t = getattr(torch, name)(length, periodic)
        assert g.dtype == np.float32 and g.shape == tuple(t.shape)
        np.testing.assert_allclose(g.numpy(), t.numpy(), atol=1e-6)  # torch's float32 sums
    g = getattr(glassnet, name)(9, dtype=glassnet.float64)
    t = getattr(torch, name)(9, dtype=torch.float64)
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match="non-negative integer"):
        getattr(glassnet, name)(-1)
    with pytest.raises(TypeError, match="floating dtype"):
        getattr(glassnet, name)(4, dtype=glassnet.int64)


def test_window_options():
    np.testing.assert_allclose(
        glassnet.hamming_window(7, False, 0.5, 0.5).numpy(),
        torch.hamming_window(7, False, 0.5, 0.5).numpy(),
        atol=1e-7,
    )
    np.testing.assert_allclose(
        glassnet.kaiser_window(8, beta=3.5).numpy(),
        torch.kaiser_window(8, True, 3.5).numpy(),
        atol=1e-6,
    )
    assert glassnet.hann_window(4, requires_grad=True).requires_grad


DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def test_promote_types_and_can_cast_over_every_pair():
    for a, b in itertools.product(DTYPES, DTYPES):
        g = glassnet.promote_types(getattr(glassnet, a), getattr(glassnet, b))
        t = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert str(t) == f"torch.{g}", (a, b)
        assert glassnet.can_cast(getattr(glassnet, a), getattr(glassnet, b)) == torch.can_cast(
            getattr(torch, a), getattr(torch, b)), (a, b)  # fmt: skip


def test_result_type_follows_torch_priorities():
    cases = [
        (np.array([1]), 1.0), (np.array([1.0], np.float16), np.array(1.0)),
        (np.array(1, np.uint8), 300), (np.array([True]), 1), (np.array([1]), np.array(1.0)),
        (np.array([1], np.int32), np.array(1, np.int64)), (np.array(1, np.int32), np.array([1], np.int8)),
        (np.array([1.0], np.float32), np.array([1.0])), (np.array([True]), False), (3, 2.0),
        (np.array(1.5, np.float16), 2),
    ]  # fmt: skip
    for a, b in cases:
        g = glassnet.result_type(_to_g(a), _to_g(b))
        t = torch.result_type(_to_t(a), _to_t(b))
        assert str(t) == f"torch.{g}", (a, b, g, t)
    with pytest.raises(TypeError, match="expected tensors or numbers"):
        glassnet.result_type(glassnet.tensor([1]), "x")


def test_small_top_level_functions_and_constants():
    assert glassnet.is_nonzero(glassnet.tensor([2.0])) and not glassnet.is_nonzero(
        glassnet.tensor(0)
    )
    with pytest.raises(RuntimeError, match="one element"):
        glassnet.is_nonzero(glassnet.tensor([1, 2]))
    assert glassnet.is_same_size(glassnet.zeros(2, 3), glassnet.ones(2, 3))
    assert not glassnet.zeros(2, 3).is_same_size(glassnet.zeros(3, 2))
    s = glassnet.scalar_tensor(3)
    assert s.shape == () and s.dtype == torch.scalar_tensor(3).numpy().dtype and s.item() == 3.0
    assert glassnet.scalar_tensor(2, dtype=glassnet.int64).dtype == np.int64
    assert (glassnet.pi, glassnet.e, glassnet.inf) == (torch.pi, torch.e, torch.inf)
    assert math.isnan(glassnet.nan) and glassnet.newaxis is None
    assert glassnet.zeros(3)[:, glassnet.newaxis].shape == (3, 1)
    np.testing.assert_array_equal(glassnet.row_stack((glassnet.ones(2), glassnet.zeros(2))).numpy(),
                                  torch.row_stack((torch.ones(2), torch.zeros(2))).numpy())  # fmt: skip


def test_bad_input_messages():
    with pytest.raises(ShapeError, match="fliplr: expected a tensor of at least 2 dimensions"):
        glassnet.fliplr(glassnet.zeros(3))
    with pytest.raises(ShapeError, match="flipud"):
        glassnet.flipud(glassnet.tensor(1.0))
    with pytest.raises(ShapeError, match="ger: expected a 1-D tensor"):
        glassnet.ger(glassnet.zeros(2, 2), glassnet.zeros(2))
    with pytest.raises(ShapeError, match="vdot: expected two vectors of one length"):
        glassnet.vdot(glassnet.zeros(2), glassnet.zeros(3))
    with pytest.raises(ShapeError, match="inner: the last dimensions must match"):
        glassnet.inner(glassnet.zeros(2, 3), glassnet.zeros(2))
    with pytest.raises(ShapeError, match=r"select_scatter: src must have shape \(4,\)"):
        glassnet.select_scatter(glassnet.zeros(3, 4), glassnet.zeros(3), 0, 0)
    with pytest.raises(ShapeError, match="diagonal_scatter: src must have shape"):
        glassnet.diagonal_scatter(glassnet.zeros(3, 4), glassnet.zeros(4))
    with pytest.raises(ValueError, match="renorm: p must be positive"):
        glassnet.renorm(glassnet.zeros(3, 4), 0, 0, 1.0)
    with pytest.raises(ShapeError, match="trapezoid: x has 3 points"):
        glassnet.trapezoid(glassnet.zeros(3, 4), glassnet.zeros(3))
    with pytest.raises(ValueError, match="interpolation must be one of"):
        glassnet.nanquantile(glassnet.zeros(3), 0.5, interpolation="cubic")


def test_addr_with_beta_zero_ignores_nan_in_input():
    base = np.full((2, 3), np.nan)
    _check("addr", base, np.ones(2), np.arange(3.0), beta=0)


# ---------------------------------------------------------------------- Tensor attributes


def test_flags_and_no_op_memory_methods():
    g, t = glassnet.zeros(2), torch.zeros(2)
    for name in ("is_cpu", "is_sparse", "is_quantized", "is_meta", "is_mkldnn", "is_nested",
                 "is_xpu", "is_mps", "is_sparse_csr"):  # fmt: skip
        assert getattr(g, name) == getattr(t, name), name
    assert g.is_inference() == t.is_inference() is False
    assert g.is_conj() is False and g.is_neg() is False
    assert g.pin_memory() is g and g.share_memory_() is g
    assert not g.is_pinned()
    for dtype in DTYPES:
        assert glassnet.zeros(1, dtype=getattr(glassnet, dtype)).is_signed() == torch.zeros(
            1, dtype=getattr(torch, dtype)).is_signed(), dtype  # fmt: skip


def test_retains_grad():
    a = glassnet.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    assert not a.retains_grad and not b.retains_grad
    b.retain_grad()
    assert b.retains_grad
    ta = torch.tensor([1.0, 2.0], requires_grad=True)
    tb = ta * 2
    tb.retain_grad()
    assert tb.retains_grad and not ta.retains_grad


def test_new():
    x = glassnet.zeros(2, dtype=glassnet.float64)
    t = torch.zeros(2, dtype=torch.float64)
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == np.float64
    assert x.new([1, 2]).tolist() == t.new([1, 2]).tolist() and x.new([1, 2]).dtype == np.float64
    assert x.new().shape == tuple(t.new().shape) == (0,)
    assert glassnet.zeros(1, dtype=glassnet.int64).new([1.7]).dtype == np.int64


def test_resize_keeps_numbers_in_row_major_order():
    g, t = glassnet.arange(6.0), torch.arange(6.0)
    before = g._version[0]
    assert g.resize_(2, 3) is g and g._version[0] > before
    t.resize_(2, 3)
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    g.resize_((2, 2))
    t.resize_((2, 2))
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    g.resize_(5)
    assert g.shape == (5,) and g.tolist()[:4] == [0.0, 1.0, 2.0, 3.0]  # the rest: zeros here
    g.resize_as_(glassnet.zeros(1, 2))
    assert g.shape == (1, 2) and g.tolist() == [[0.0, 1.0]]
    assert glassnet.resize_as_(g, glassnet.zeros(2)) is g and g.shape == (2,)


def test_resize_of_a_tensor_that_requires_grad():
    x = glassnet.zeros(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot change the number of elements"):
        x.resize_(5)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x.resize_(2, 2)
    y = x * 2  # a recorded result of the same size is reshaped in the graph
    y.resize_(2, 2)
    (y * glassnet.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0, 8.0])
    with pytest.raises(ValueError, match="non-negative integer sizes"):
        glassnet.zeros(2).resize_(-1)


def test_index_fill_out_of_place_and_in_place_agree():
    g = glassnet.tensor(X)
    out = g.index_fill(0, glassnet.tensor([1]), 7.0)
    assert out is not g and g.tolist() == X.tolist()
    g.index_fill_(0, glassnet.tensor([1]), 7.0)
    np.testing.assert_array_equal(out.numpy(), g.numpy())
    tensor_value = glassnet.index_fill(glassnet.tensor(X), 1, glassnet.tensor([0]),
                                       glassnet.tensor(2.0))  # fmt: skip
    assert tensor_value[:, 0].tolist() == [2.0, 2.0, 2.0]


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_torch(reduce, include_self):
    base, source = RNG.normal(size=(4, 3)), RNG.normal(size=(5, 3))
    index = np.array([0, 2, 2, 3, 0])
    _check("index_reduce", base, 0, index, source, reduce, include_self=include_self)
    g, t = glassnet.tensor(base.T.copy()), torch.tensor(base.T.copy())
    out = g.index_reduce_(1, glassnet.tensor(index), glassnet.tensor(source.T.copy()), reduce,
                          include_self=include_self)  # fmt: skip
    t.index_reduce_(1, torch.tensor(index), torch.tensor(source.T.copy()), reduce,
                    include_self=include_self)  # fmt: skip
    assert out is g
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12)


def test_index_reduce_bad_input():
    with pytest.raises(ValueError, match="reduce must be"):
        glassnet.index_reduce(glassnet.zeros(3), 0, glassnet.tensor([0]), glassnet.ones(1), "sum")
    with pytest.raises(ShapeError, match="does not fit input"):
        glassnet.index_reduce(glassnet.zeros(3, 2), 0, glassnet.tensor([0]), glassnet.ones(2, 2),
                              "amax")  # fmt: skip
