"""PyTorch parity for the ops a probe of tutorial scripts found wrong: dtype promotion in cat /
stack and in binary ops with 0-d tensors, bincount's dtype, max/min along a dim with ties,
where(cond), dtype= of reductions, scatter(reduce=) and poisson."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]


def _ones(lib, shape, dtype):
    return lib.ones(shape, dtype=getattr(lib, dtype))


def _name(dtype) -> str:
    return str(dtype).replace("torch.", "").replace("glassnet.", "")


# ---------------------------------------------------------------------- cat and the stacks

JOINS = {
    "cat": lambda lib, xs: lib.cat(xs),
    "stack": lambda lib, xs: lib.stack(xs),
    "hstack": lambda lib, xs: lib.hstack(xs),
    "vstack": lambda lib, xs: lib.vstack(xs),
    "column_stack": lambda lib, xs: lib.column_stack(xs),
    "dstack": lambda lib, xs: lib.dstack(xs),
}
PAIRS = [("int64", "float32"), ("int32", "float16"), ("float32", "float64"), ("bool", "int32"),
         ("uint8", "int8"), ("float16", "float32"), ("bool", "float16")]  # fmt: skip


@pytest.mark.parametrize("join", sorted(JOINS))
@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_joins_promote_as_torch(join, pair):
    want = JOINS[join](torch, [_ones(torch, 2, d) for d in pair])
    got = JOINS[join](gn, [_ones(gn, 2, d) for d in pair])
    assert _name(got.dtype) == _name(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)


def test_cat_of_three_dtypes():
    dtypes = ("int8", "int64", "float16")
    want = torch.cat([_ones(torch, 2, d) for d in dtypes])
    assert _name(gn.cat([_ones(gn, 2, d) for d in dtypes]).dtype) == _name(want.dtype)


def test_cat_gradients_come_back_in_each_dtype():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(3).astype(np.float32), rng.standard_normal(2)
    weights = rng.standard_normal(5)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    ga, gb = (gn.tensor(v, requires_grad=True) for v in (a, b))
    (torch.cat([ta, tb]) * torch.tensor(weights)).sum().backward()
    (gn.cat([ga, gb]) * gn.tensor(weights)).sum().backward()
    for g, t in ((ga, ta), (gb, tb)):
        assert _name(g.grad.dtype) == _name(t.grad.dtype) == _name(t.dtype)
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_same_dtype_cat_is_unchanged():
    xs = [gn.ones(2), gn.zeros(3)]
    out = gn.cat(xs)
    assert out.dtype == gn.float32
    np.testing.assert_array_equal(out.numpy(), [1, 1, 0, 0, 0])


# ---------------------------------------------------------------------- binary ops with 0-d tensors

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "radd": lambda a, b: b + a,
    "rmul": lambda a, b: b * a,
    "rdiv": lambda a, b: b / a,
    "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
    "ge": lambda a, b: b >= a,
    "maximum": lambda a, b: _lib(a).maximum(a, b),
    "minimum": lambda a, b: _lib(a).minimum(b, a),
    "where": lambda a, b: _lib(a).where(a > 0, a, b),
    "where_swapped": lambda a, b: _lib(a).where(a > 0, b, a),
    "atan2": lambda a, b: _lib(a).atan2(a, b),
    "copysign": lambda a, b: _lib(a).copysign(b, a),
    "fn_add": lambda a, b: _lib(a).add(a, b),
    "fn_mul": lambda a, b: _lib(a).mul(b, a),
}


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else gn


DIM_ZERO = [("float32", "float64"), ("float16", "float32"), ("float64", "float16"),
            ("int32", "int64"), ("int8", "int64"), ("int32", "float64"), ("int64", "float16"),
            ("bool", "int8"), ("uint8", "float32"), ("float32", "int64")]  # fmt: skip


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("pair", DIM_ZERO, ids="-".join)
def test_binary_ops_count_0d_tensors_as_torch(op, pair):
    dim_dtype, zero_dtype = pair
    if op == "sub" and dim_dtype == "bool":
        pytest.skip("PyTorch refuses '-' with a bool tensor")
    values = np.array([1.5, 2.0, 3.0])
    results = []
    for lib in (torch, gn):
        a = lib.tensor(values).to(getattr(lib, dim_dtype))
        b = lib.tensor(2.0).to(getattr(lib, zero_dtype))
        results.append(BINARY[op](a, b))
    want, got = results
    assert _name(got.dtype) == _name(want.dtype), (op, pair)
    np.testing.assert_allclose(
        got.numpy().astype(np.float64), want.numpy().astype(np.float64), rtol=1e-3
    )


def test_two_0d_tensors_promote_normally():
    got = gn.tensor(2.0, dtype=gn.float16) + gn.tensor(2.0)
    want = torch.tensor(2.0, dtype=torch.float16) + torch.tensor(2.0)
    assert _name(got.dtype) == _name(want.dtype) == "float32"


def test_dimensioned_tensors_still_widen():
    assert (gn.ones(2) + gn.ones(2, dtype=gn.float64)).dtype == gn.float64
    assert (gn.ones(2, dtype=gn.int32) + gn.ones(2, dtype=gn.int64)).dtype == gn.int64


def test_gradient_of_a_0d_float64_factor_comes_back_in_float64():
    x = np.array([0.5, -1.5, 2.0], dtype=np.float32)
    tx, ts = torch.tensor(x, requires_grad=True), torch.tensor(3.0, dtype=torch.float64,
                                                                requires_grad=True)  # fmt: skip
    gx, gs = gn.tensor(x, requires_grad=True), gn.tensor(3.0, dtype=gn.float64,
                                                         requires_grad=True)  # fmt: skip
    (tx * ts).pow(2).sum().backward()
    (gx * gs).pow(2).sum().backward()
    assert gx.grad.dtype == gn.float32 and gs.grad.dtype == gn.float64
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gs.grad.numpy(), ts.grad.numpy(), rtol=1e-6)


def test_0d_promotion_gradcheck():
    x = gn.tensor([0.5, -1.5, 2.0], dtype=gn.float64, requires_grad=True)
    s = gn.tensor(3.0, dtype=gn.float64, requires_grad=True)
    assert gn.gradcheck(lambda x, s: gn.where(x > 0, x * s, s - x), x, s)


# ---------------------------------------------------------------------- bincount


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", None])
def test_bincount_dtype_as_torch(dtype):
    idx = [0, 1, 1, 3]
    w = [0.5, 1.0, 2.0, 4.0]
    kwargs = {}
    results = []
    for lib in (torch, gn):
        if dtype is not None:
            kwargs = {"weights": lib.tensor(w).to(getattr(lib, dtype))}
        results.append(lib.bincount(lib.tensor(idx), minlength=5, **kwargs))
    want, got = results
    assert _name(got.dtype) == _name(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy())


# ---------------------------------------------------------------------- max / min along a dim

EXTREMES = {
    "max_dim_values": lambda x: x.max(dim=0).values,
    "max_positional": lambda x: x.max(0)[0],
    "fn_max": lambda x: _lib(x).max(x, 0).values,
    "min_dim": lambda x: (-x).min(dim=0).values,
    "fn_min_keepdim": lambda x: _lib(x).min(-x, 0, keepdim=True)[0],
    "max_all": lambda x: x.max(),
    "min_all": lambda x: (-x).min(),
    "amax": lambda x: x.amax(0),
    "amin": lambda x: x.amin(dim=0),
    "amax_all": lambda x: x.amax(),
    "aminmax": lambda x: _lib(x).aminmax(x, dim=0).max,
}


@pytest.mark.parametrize("reduce", sorted(EXTREMES))
@pytest.mark.parametrize("values", [[2.0, 2.0, 1.0], [1.0, 2.0, 2.0], [1.0, 1.0, 1.0]],
                         ids=["tie-first", "tie-last", "all-equal"])  # fmt: skip
def test_ties_gradient_as_torch(reduce, values):
    grads = []
    for lib in (torch, gn):
        x = lib.tensor(values, requires_grad=True)
        EXTREMES[reduce](x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["max", "min"])
def test_dim_extreme_2d_as_torch(dim, keepdim, name):
    data = np.array([[2.0, 2.0, 1.0], [3.0, 1.0, 3.0], [0.0, 5.0, 5.0]])
    weights = np.arange(1.0, 10.0).reshape(3, 3)
    out = []
    for lib in (torch, gn):
        x = lib.tensor(data, requires_grad=True)
        result = getattr(x, name)(dim, keepdim=keepdim)
        w = lib.tensor(weights.reshape(-1)[: result.values.numel()]).reshape(result.values.shape)
        (result.values * w).sum().backward()
        out.append((result.values.detach().numpy(), result.indices.numpy(), x.grad.numpy()))
    for g, t in zip(out[1], out[0]):
        np.testing.assert_allclose(g, t)


def test_dim_max_gradcheck_and_second_derivative():
    x = gn.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gn.gradcheck(lambda x: x.max(1).values * 2, x)
    assert gn.gradgradcheck(lambda x: x.min(0, keepdim=True).values ** 2, x)


def test_dim_max_of_0d_and_empty():
    value = gn.tensor(3.0).max(0)
    assert float(value.values) == 3.0 and int(value.indices) == 0
    empty = gn.zeros(2, 0).max(0)
    assert tuple(empty.values.shape) == (0,) and empty.indices.dtype == gn.int64
    with pytest.raises(IndexError, match="size 0"):
        gn.zeros(0, 2).max(0)
    with pytest.raises(IndexError, match="out of range"):
        gn.ones(2, 2).min(2)


# ---------------------------------------------------------------------- where(cond)


@pytest.mark.parametrize(
    "data",
    [[0, 3, 0, 5], [[0, 3], [4, 0]], [[[True, False]], [[False, True]]], 1.0, 0.0, []],
    ids=["1d", "2d", "3d-bool", "0d-true", "0d-false", "empty"],
)
def test_where_with_one_argument_is_nonzero_as_tuple(data):
    want = torch.where(torch.tensor(data))
    got = gn.where(gn.tensor(data))
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, t in zip(got, want):
        assert g.dtype == gn.int64
        np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_where_with_two_arguments_is_an_error():
    with pytest.raises(TypeError, match="both x and y"):
        gn.where(gn.tensor([True]), gn.ones(1))


# ---------------------------------------------------------------------- dtype= of reductions

WITH_DTYPE = {
    "mean_fn": lambda lib, x, d: lib.mean(x, dtype=d),
    "mean_method_dim": lambda lib, x, d: x.mean(1, dtype=d),
    "mean_keepdim": lambda lib, x, d: x.mean(dim=0, keepdim=True, dtype=d),
    "sum_fn": lambda lib, x, d: lib.sum(x, 1, dtype=d),
    "sum_method": lambda lib, x, d: x.sum(dtype=d),
    "prod_fn": lambda lib, x, d: lib.prod(x, dtype=d),
    "prod_method_dim": lambda lib, x, d: x.prod(0, dtype=d),
    "cumsum": lambda lib, x, d: x.cumsum(1, dtype=d),
    "cumprod_fn": lambda lib, x, d: lib.cumprod(x, dim=0, dtype=d),
    "softmax_fn": lambda lib, x, d: lib.softmax(x, 1, dtype=d),
    "softmax_method": lambda lib, x, d: x.softmax(dim=0, dtype=d),
    "log_softmax_fn": lambda lib, x, d: lib.log_softmax(x, 1, dtype=d),
    "log_softmax_method": lambda lib, x, d: x.log_softmax(0, dtype=d),
}


@pytest.mark.parametrize("reduce", sorted(WITH_DTYPE))
def test_reductions_take_dtype_as_torch(reduce):
    data = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    results = []
    for lib in (torch, gn):
        x = lib.tensor(data, requires_grad=True)
        y = WITH_DTYPE[reduce](lib, x, lib.float64)
        y.sum().backward()
        results.append((y, x.grad))
    (ty, tg), (gy, gg) = results
    assert _name(gy.dtype) == _name(ty.dtype) == "float64"
    assert _name(gg.dtype) == _name(tg.dtype) == "float32"
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gg.numpy(), tg.numpy(), rtol=1e-5, atol=1e-6)


def test_mean_of_integers_with_a_float_dtype():
    got = gn.mean(gn.tensor([1, 2, 4]), dtype=gn.float64)
    want = torch.mean(torch.tensor([1, 2, 4]), dtype=torch.float64)
    assert got.dtype == gn.float64 and float(got) == pytest.approx(float(want))
    with pytest.raises(TypeError, match="floating"):
        gn.tensor([1, 2]).mean(dtype=gn.int64)


# ---------------------------------------------------------------------- scatter(reduce=)

INDEX = [[1, 1], [0, 3]]


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("form", ["method", "function", "value", "value_keyword"])
def test_scatter_reduce_keyword_as_torch(reduce, form):
    results = []
    for lib in (torch, gn):
        x, idx, src = lib.full((2, 4), 2.0), lib.tensor(INDEX), lib.full((2, 2), 3.0)
        if form == "method":
            results.append(x.scatter(1, idx, src, reduce=reduce))
        elif form == "function":
            results.append(lib.scatter(x, 1, idx, src, reduce=reduce))
        elif form == "value":
            results.append(x.scatter(1, idx, 3.0, reduce=reduce))
        else:
            results.append(x.scatter(1, idx, value=3.0, reduce=reduce))
    np.testing.assert_allclose(results[1].numpy(), results[0].numpy())


def test_scatter_reduce_keyword_integers():
    got = gn.ones(2, 4, dtype=gn.int64).scatter(1, gn.tensor(INDEX), 3, reduce="multiply")
    want = torch.ones(2, 4, dtype=torch.int64).scatter(1, torch.tensor(INDEX), 3, reduce="multiply")
    assert got.dtype == gn.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce_keyword_gradcheck(reduce):
    # PyTorch has no derivative here; glassnet's is checked against numerical differences.
    rng = np.random.default_rng(3)
    x = gn.tensor(rng.uniform(0.5, 2, (2, 4)), requires_grad=True)
    src = gn.tensor(rng.uniform(0.5, 2, (2, 2)), requires_grad=True)
    idx = gn.tensor(INDEX)
    assert gn.gradcheck(lambda x, s: x.scatter(1, idx, s, reduce=reduce), x, src)


def test_scatter_bad_reduce_is_a_clear_error():
    with pytest.raises(ValueError, match="'add' or 'multiply'"):
        gn.zeros(2, 4).scatter(1, gn.tensor(INDEX), gn.ones(2, 2), reduce="mean")


def test_scatter_in_place_with_reduce():
    got = gn.zeros(2, 4).scatter_(1, gn.tensor(INDEX), gn.ones(2, 2), reduce="add")
    np.testing.assert_array_equal(got.numpy(), [[0, 2, 0, 0], [1, 0, 0, 1]])


# ---------------------------------------------------------------------- poisson


def test_poisson_shape_dtype_and_seed():
    rates = gn.tensor([[0.5, 1.0, 4.0]] * 2)
    gn.manual_seed(7)
    first = gn.poisson(rates)
    gn.manual_seed(7)
    second = gn.poisson(rates)
    assert first.shape == (2, 3) and first.dtype == gn.float32
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    assert np.all(first.numpy() == np.round(first.numpy())) and np.all(first.numpy() >= 0)
    assert gn.poisson(gn.tensor([1.0], dtype=gn.float64)).dtype == gn.float64
    assert float(gn.poisson(gn.zeros(5)).sum()) == 0.0


def test_poisson_draws_have_the_rates_as_mean_and_variance():
    gn.manual_seed(0)
    rates = np.array([0.3, 2.0, 9.0])
    draws = gn.poisson(gn.tensor(np.tile(rates, (20000, 1)))).numpy()
    np.testing.assert_allclose(draws.mean(axis=0), rates, rtol=0.05)
    np.testing.assert_allclose(draws.var(axis=0), rates, rtol=0.08)


def test_poisson_generator_and_gradient_as_torch():
    g = gn.Generator().manual_seed(3)
    a = gn.poisson(gn.full((4,), 2.0), generator=g)
    g.manual_seed(3)
    np.testing.assert_array_equal(a.numpy(), gn.poisson(gn.full((4,), 2.0), generator=g).numpy())
    grads = []
    for lib in (torch, gn):
        rates = lib.tensor([1.0, 3.0], requires_grad=True)
        y = lib.poisson(rates)
        assert y.requires_grad
        (y * 2).sum().backward()
        grads.append(rates.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


def test_poisson_bad_input():
    with pytest.raises(TypeError, match="floating"):
        gn.poisson(gn.tensor([1, 2]))
    with pytest.raises(ValueError, match="non-negative"):
        gn.poisson(gn.tensor([1.0, -0.5]))
