"""Regressions found by differential testing against PyTorch (helper B): each case is a call
glassnet once answered differently from PyTorch (a value, a dtype, a shape, a gradient, or an
error where PyTorch returns); values, dtypes, shapes and input gradients are compared."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")


def _inputs(lib, arrays, grad):
    out = []
    for a in arrays:
        t = lib.tensor(a)
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        out.append(t)
    return out


def _flat(value):
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _flat(item)]
    return [value]


def _numpy(t):
    return t.detach().numpy()


def compare(fn, arrays, grad=True, rtol=1e-5, atol=1e-6, seed=0):
    """Run ``fn(lib, *tensors)`` with torch and glassnet; compare outputs and input gradients."""
    t_in, g_in = _inputs(torch, arrays, grad), _inputs(gn, arrays, grad)
    t_out, g_out = _flat(fn(torch, *t_in)), _flat(fn(gn, *g_in))
    assert len(t_out) == len(g_out)
    rng = np.random.default_rng(seed)
    t_loss, g_loss = 0, 0
    for t, g in zip(t_out, g_out):
        if not isinstance(t, torch.Tensor):
            assert not isinstance(g, gn.Tensor) and t == g
            continue
        assert str(t.dtype).replace("torch.", "") == str(g.dtype)
        assert tuple(t.shape) == tuple(g.shape)
        np.testing.assert_allclose(_numpy(g), _numpy(t), rtol=rtol, atol=atol, equal_nan=True)
        if t.requires_grad:
            w = rng.standard_normal(tuple(t.shape))
            t_loss = t_loss + (t * torch.tensor(w, dtype=t.dtype)).sum()
            g_loss = g_loss + (g * gn.tensor(w.astype(_numpy(g).dtype))).sum()
    leaves = [(t, g) for t, g in zip(t_in, g_in) if t.requires_grad]
    if leaves and isinstance(t_loss, torch.Tensor):
        t_grads = torch.autograd.grad(t_loss, [t for t, _ in leaves], allow_unused=True)
        g_loss.backward()
        for tg, (t, g) in zip(t_grads, leaves):
            expected = np.zeros(tuple(t.shape)) if tg is None else tg.detach().numpy()
            got = np.zeros(tuple(t.shape)) if g.grad is None else _numpy(g.grad)
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5, equal_nan=True)


def _random(shape, dtype, seed, low=-3.0, high=3.0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype == "int64":
        return np.asarray(rng.integers(int(low), int(high) + 1, size=shape), dtype=np.int64)
    return np.asarray(rng.uniform(low, high, size=shape), dtype=dtype)


SHAPES = [(), (1,), (5,), (2, 3, 4)]


# ---- var / std: PyTorch reads a bool second argument, and the third positional, as unbiased
@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda f, x: f(x, False), id="unbiased-positional"),
        pytest.param(lambda f, x: f(x, True), id="unbiased-true"),
        pytest.param(lambda f, x: f(x, 0, False), id="dim-unbiased"),
        pytest.param(lambda f, x: f(x, -1, False, True), id="dim-unbiased-keepdim"),
        pytest.param(lambda f, x: f(x, dim=0, keepdim=True, correction=0), id="keywords"),
        pytest.param(lambda f, x: f(x, unbiased=False), id="unbiased-keyword"),
    ],
)
def test_variance_arguments(name, shape, call):
    x = _random(shape, "float64", seed=len(shape))
    compare(lambda lib, t: call(getattr(lib, name), t), [x])


@pytest.mark.parametrize("name", ["var", "std"])
def test_variance_method_positional_unbiased(name):
    x = _random((3, 4), "float32", seed=1)
    compare(lambda lib, t: getattr(t, name)(1, False, True), [x])
    compare(lambda lib, t: getattr(t, name)(False), [x])


@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
def test_variance_of_integers_is_refused(name):
    with pytest.raises(TypeError, match="floating point"):
        getattr(gn, name)(gn.tensor([1, 2, 3]))


@pytest.mark.parametrize("shape", [(), (1,), (3, 1)])
def test_std_gradient_is_zero_where_std_is_zero(shape):
    """PyTorch gives a constant slice's std a zero gradient, not nan (0 * inf)."""
    x = np.full(shape, 1.5)
    compare(lambda lib, t: lib.std(t, dim=-1 if shape else None, correction=0), [x])
    compare(lambda lib, t: lib.std_mean(t, correction=0), [x])


def test_std_second_derivative_still_matches():
    x = _random((3, 4), "float64", seed=3)
    t, g = torch.tensor(x, requires_grad=True), gn.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(t.std(dim=1).sum(), t, create_graph=True)
    (gg,) = gn.autograd.grad(g.std(dim=1).sum(), g, create_graph=True)
    (tgg,) = torch.autograd.grad((tg**2).sum(), t)
    (ggg,) = gn.autograd.grad((gg**2).sum(), g)
    np.testing.assert_allclose(_numpy(ggg), tgg.numpy(), rtol=1e-6, atol=1e-9)


# ---- masked_fill / index_fill keep the tensor's dtype (the value is cast)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("value", [2.7, -1.5, 2, True, 0])
def test_masked_fill_keeps_dtype(dtype, value):
    x, mask = _random((3, 4), dtype, seed=4), _random((4,), "bool", seed=5)
    compare(lambda lib, t, m: t.masked_fill(m, value), [x, mask])
    compare(lambda lib, t, m: t.detach().clone().masked_fill_(m, value), [x, mask], grad=False)
    compare(lambda lib, t: t.index_fill(1, lib.tensor([0, 2]), value), [x])


@pytest.mark.parametrize("value_dtype", ["float32", "float64"])
def test_masked_fill_tensor_value(value_dtype):
    x, mask = _random((3, 4), "float32", seed=6), _random((3, 1), "bool", seed=7)
    compare(lambda lib, t, m, v: t.masked_fill(m, v), [x, mask, _random((), value_dtype, 8)])


def test_masked_fill_refuses_a_value_with_dimensions():
    with pytest.raises(ValueError, match="0-dimensional"):
        gn.zeros(3).masked_fill(gn.tensor([True, False, True]), gn.ones(3))


# ---- clamp with tensor bounds, and PyTorch's promotion with number bounds
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("bound_dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), id="both"),
        pytest.param(lambda lib, x, lo, hi: x.clamp(min=lo), id="min"),
        pytest.param(lambda lib, x, lo, hi: lib.clamp(x, max=hi), id="max"),
        pytest.param(lambda lib, x, lo, hi: lib.clamp(x, hi, lo), id="min-above-max"),
        pytest.param(lambda lib, x, lo, hi: lib.clamp_min(x, lo), id="clamp_min"),
        pytest.param(lambda lib, x, lo, hi: x.clamp_max(hi), id="clamp_max"),
        pytest.param(lambda lib, x, lo, hi: x.clip(lo[0], hi), id="clip-0d"),
    ],
)
def test_clamp_to_tensors(dtype, bound_dtype, call):
    x = _random((3, 4), dtype, seed=9)
    lo, hi = _random((4,), bound_dtype, 10, -2, 0), _random((3, 1), bound_dtype, 11, 0, 2)
    compare(call, [x, lo, hi])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("bounds", [(0.5, None), (None, 1.5), (0, 2), (-1, 1.5), (2, 1)])
def test_clamp_number_bounds_promote(dtype, bounds):
    x = _random((3, 4), dtype, seed=12)
    compare(lambda lib, t: lib.clamp(t, *bounds), [x])
    compare(lambda lib, t: t.clip(*bounds), [x])


# ---- where of two numbers: PyTorch's default dtypes
@pytest.mark.parametrize("a", [1.0, 0, True, -1.5])
@pytest.mark.parametrize("b", [2.5, 3, False])
def test_where_of_two_numbers(a, b):
    compare(lambda lib, c: lib.where(c, a, b), [_random((2, 3), "bool", seed=13)])


# ---- a reduction over dim=() or [] reduces every axis
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "nansum", "nanmean", "norm"])
@pytest.mark.parametrize("dim", [(), []])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reduction_over_empty_dims_reduces_all(name, dim, keepdim):
    x = _random((3, 4), "float32", seed=14)
    compare(lambda lib, t: getattr(lib, name)(t, dim=dim, keepdim=keepdim), [x])


# ---- erf of a 0-d float64 tensor
def test_erf_of_a_0d_float64_tensor():
    compare(lambda lib, t: t.erf(), [np.array(0.5)])
    compare(lambda lib, t: lib.erf(t), [np.array(-1.25)])


# ---- running ops on 0-d tensors, empty tensors, and nan
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (2, 3)])
@pytest.mark.parametrize("dim", [0, -1])
def test_running_ops_on_small_shapes(name, shape, dim):
    x = _random(shape, "float64", seed=15)
    compare(lambda lib, t: getattr(lib, name)(t, dim), [x])
    compare(lambda lib, t: getattr(t, name)(dim=dim), [x])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_running_extreme_indices_with_nan(name):
    row = np.array([1.0, np.nan, 3.0, -np.inf, np.nan, 5.0], dtype=np.float32)
    compare(lambda lib, t: getattr(lib, name)(t, 1), [np.stack([row, row[::-1]])], grad=False)


# ---- integers to negative integer tensor powers
@pytest.mark.parametrize("shapes", [((6,), (6,)), ((2, 3), (3,)), ((3, 1), (1, 4))])
def test_integer_power_with_negative_exponents(shapes):
    a = _random(shapes[0], "int64", 16, -3, 3)
    b = _random(shapes[1], "int64", 17, -4, 3)
    compare(lambda lib, x, y: x**y, [a, b])
    compare(lambda lib, y: 2**y, [b])
    compare(lambda lib, y: lib.pow(-1, y), [b])


def test_integer_tensor_to_a_negative_number_is_still_refused():
    with pytest.raises(ValueError, match="negative integer powers"):
        gn.tensor([2, 3]) ** -1


# ---- flip takes the dims as separate arguments (the method form)
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, x: x.flip(0, -1), id="varargs"),
        pytest.param(lambda lib, x: x.flip(1), id="one"),
        pytest.param(lambda lib, x: lib.flip(x, [1, 2]), id="list"),
        pytest.param(lambda lib, x: lib.flip(x, dims=(0,)), id="keyword"),
    ],
)
def test_flip_forms(call):
    compare(call, [_random((2, 3, 4), "float32", seed=18)])


# ---- reductions of empty tensors
@pytest.mark.parametrize("name", ["amax", "amin", "prod", "logsumexp", "sum", "mean"])
@pytest.mark.parametrize("shape,dim", [((3, 0), 0), ((3, 0), 1), ((0,), 0), ((0, 3, 2), 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_of_empty_tensors(name, shape, dim, keepdim):
    if name in ("amax", "amin") and shape[dim] == 0:
        pytest.skip("PyTorch refuses to reduce an empty axis to its extreme")
    compare(lambda lib, t: getattr(lib, name)(t, dim, keepdim=keepdim), [np.zeros(shape)])


def test_extreme_of_an_empty_axis_is_refused():
    with pytest.raises(ValueError, match="empty"):
        gn.zeros(3, 0).amax(1)


# ---- integer division by zero is refused (NumPy would answer 0), as PyTorch
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, a, b: a // b, id="floordiv"),
        pytest.param(lambda lib, a, b: a % b, id="mod"),
        pytest.param(lambda lib, a, b: lib.fmod(a, b), id="fmod"),
        pytest.param(lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), id="div-trunc"),
        pytest.param(lambda lib, a, b: lib.div(a, b, rounding_mode="floor"), id="div-floor"),
        pytest.param(lambda lib, a, b: 7 // b, id="rfloordiv"),
        pytest.param(lambda lib, a, b: a // 0, id="by-number"),
    ],
)
def test_integer_division_by_zero_raises(call):
    a, b = np.array([3, -3, 4]), np.array([1, 0, 2])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(torch, torch.tensor(a), torch.tensor(b))
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        call(gn, gn.tensor(a), gn.tensor(b))
    with pytest.raises(RuntimeError):  # also PyTorch's exception type
        call(gn, gn.tensor(a), gn.tensor(b))


def test_integer_division_without_zero_and_float_division_by_zero():
    a, b = np.array([7, -7, 4]), np.array([2, -3, 5])
    compare(lambda lib, x, y: (x // y, x % y, lib.fmod(x, y)), [a, b])
    compare(lambda lib, x: lib.zeros(0, dtype=lib.int64) // x, [np.array(0)])


# ---- bool inputs: square gives int64, sign gives the bools back
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_square_and_sign_of_bools(shape):
    x = _random(shape, "bool", seed=19)
    compare(lambda lib, t: (lib.square(t), t.square(), lib.sign(t), lib.sgn(t), t.sign()), [x])


# ---- unique over a dim: the distinct slices, with their inverse and counts
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("shape", [(3, 3), (4, 2, 3), (6,)])
@pytest.mark.parametrize(
    "options",
    [
        dict(dim=0),
        dict(dim=-1, return_inverse=True, return_counts=True),
        dict(dim=0, return_counts=True),
    ],
)
def test_unique_along_a_dim(dtype, shape, options):
    x = _random(shape, dtype, 20, 0, 1)
    compare(lambda lib, t: lib.unique(t, **options), [x], grad=False)
    compare(lambda lib, t: t.unique(**options), [x], grad=False)


# ---- norm with p = 0 (a count), negative p, and the nuclear norm
@pytest.mark.parametrize("p", [0, -1, -0.5, 3, "nuc"])
@pytest.mark.parametrize("shape", [(3, 4), (5,), (2, 3, 4)])
def test_norm_orders(p, shape):
    x = _random(shape, "float64", seed=21)
    if p == "nuc":
        if len(shape) != 2:
            with pytest.raises(ValueError, match="nuc"):
                gn.norm(gn.tensor(x), p="nuc")
            return
        compare(lambda lib, t: lib.norm(t, p="nuc"), [x])
        compare(lambda lib, t: lib.norm(t, p="nuc", dim=(0, 1), keepdim=True), [x])
        return
    compare(lambda lib, t: lib.norm(t, p=p), [x])
    compare(lambda lib, t: lib.norm(t, p, -1, True), [x])
    compare(lambda lib, t: t.norm(p, dim=0), [x])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.bool_])
def test_integer_products_are_int64(dtype):
    x = np.asarray([1, 2, 3, 1], dtype=dtype)
    compare(lambda lib, t: (t.prod(), lib.prod(t, 0, keepdim=True), t.sum()), [x])


# ---- diagonal is a view: an in-place change of it changes the tensor, with its gradient
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (2, 3, 4)])
@pytest.mark.parametrize("offset", [0, 1, -1, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (-1, 0)])
def test_diagonal_is_a_view(shape, offset, dims):
    x = _random(shape, "float64", seed=22)

    def write(lib, t):
        y = t * 1
        y.diagonal(offset, *dims).mul_(3)
        return y

    compare(lambda lib, t: lib.diagonal(t, offset, *dims), [x])
    compare(write, [x])
    compare(lambda lib, t: (lambda y: (y.diagonal(offset, *dims).fill_(0.5), y)[1])(t * 1), [x])


def test_diagonal_view_shares_memory_and_second_derivative():
    x = gn.zeros(3, 3)
    x.diagonal().fill_(1.0)
    np.testing.assert_array_equal(x.numpy(), np.eye(3))
    a = _random((3, 3), "float64", seed=23)
    t, g = torch.tensor(a, requires_grad=True), gn.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad((t.diagonal(1) ** 3).sum(), t, create_graph=True)
    (gg,) = gn.autograd.grad((g.diagonal(1) ** 3).sum(), g, create_graph=True)
    np.testing.assert_allclose(_numpy(gg), tg.detach().numpy(), rtol=1e-10)
    (tgg,) = torch.autograd.grad(tg.sum(), t)
    (ggg,) = gn.autograd.grad(gg.sum(), g)
    np.testing.assert_allclose(_numpy(ggg), tgg.numpy(), rtol=1e-10)


# ---- clone and expand read no input value, so a later in-place change is no error
@pytest.mark.parametrize(
    "make_view",
    [
        pytest.param(lambda y: y.clone(), id="clone"),
        pytest.param(lambda y: y.expand(2, 3), id="expand"),
    ],
)
def test_clone_and_expand_allow_later_inplace_changes(make_view):
    x = _random((3,), "float64", seed=24)

    def run(lib, t):
        y = t * 1
        out = make_view(y) * 2
        y.add_(1)
        return out

    compare(run, [x])


# ---- augmented assignments change the tensor itself (every alias sees it), as in PyTorch
@pytest.mark.parametrize(
    "operator",
    ["//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="],
)
def test_augmented_assignment_is_in_place(operator):
    data, other = np.array([5, 7, 12]), np.array([2, 3, 1])
    results = []
    for lib in (torch, gn):
        x = lib.tensor(data)
        alias = x
        namespace = {"alias": alias, "other": lib.tensor(other)}
        exec(f"alias {operator} other", namespace)
        results.append((x.numpy().copy(), str(x.dtype).replace("torch.", "")))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    assert results[1][1] == results[0][1]


# ---- view(dtype): the same bytes read as another dtype, sharing memory
@pytest.mark.parametrize("source", ["float32", "float64", "int64"])
@pytest.mark.parametrize("target", ["int32", "float32", "int64", "uint8", "int16"])
def test_view_as_another_dtype(source, target):
    x = _random((2, 3, 4), source, seed=25)
    compare(lambda lib, t: t.view(getattr(lib, target)), [x], grad=False)


def test_view_dtype_shares_memory():
    x = gn.zeros(2)
    x.view(gn.int32)[0] = 1065353216  # the bits of 1.0 in float32
    np.testing.assert_array_equal(x.numpy(), [1.0, 0.0])


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, x: x[[]], id="rows"),
        pytest.param(lambda lib, x: x[:, []], id="columns"),
        pytest.param(lambda lib, x: (lambda y: (y.__setitem__([], 5.0), y)[1])(x * 1), id="set"),
    ],
)
def test_empty_list_index(call):
    compare(call, [_random((3, 4), "float32", seed=26)])


# ---- cat leaves out empty 1-D tensors (PyTorch's rule; the start of a collecting loop)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda lib, e, x: lib.cat([e, x]), id="first"),
        pytest.param(lambda lib, e, x: lib.cat([x, e, x], dim=-1), id="middle"),
        pytest.param(lambda lib, e, x: lib.cat([e, e]), id="only-empty"),
        pytest.param(lambda lib, e, x: lib.cat([e, x[0], e]), id="one-dim"),
        pytest.param(lambda lib, e, x: lib.cat([x[:0], x]), id="empty-rows"),
    ],
)
def test_cat_with_empty_one_dimensional_tensors(dtype, call):
    compare(call, [np.zeros((0,), dtype=dtype), _random((2, 3), dtype, seed=27)])


def test_cat_collecting_loop_and_mismatch():
    out = gn.tensor([])
    for i in range(3):
        out = gn.cat([out, gn.ones(2, 3) * i])
    assert out.shape == (6, 3) and out.dtype == gn.float32
    assert gn.cat([gn.tensor([]), gn.ones(2, dtype=gn.int64)]).dtype == gn.float32
    with pytest.raises(ValueError, match="cat"):
        gn.cat([gn.zeros(0, 2), gn.ones(2, 3)])
