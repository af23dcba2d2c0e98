"""Tests of the in-place forms made from one table (glassnet/inplace_forms.py): each against
PyTorch's in-place method (values, dtype kept, the same object returned), the in-place rules
(version counter, refusal on a leaf that requires grad, a result that would not fit), gradients
through an in-place step on a recorded result, the in-place views and torch.<name>_(x)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.errors import ShapeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
SHAPE = (3, 4)


def _values(domain: str) -> np.ndarray:
    if domain == "unit":  # (-1, 1): asin, atanh, erfinv
        return RNG.uniform(-0.9, 0.9, SHAPE)
    if domain == "open01":  # (0, 1): logit
        return RNG.uniform(0.05, 0.95, SHAPE)
    if domain == "above1":  # acosh
        return RNG.uniform(1.1, 4.0, SHAPE)
    if domain == "positive":
        return RNG.uniform(0.2, 4.0, SHAPE)
    return RNG.normal(size=SHAPE) * 2  # any real number


def _other(domain: str = "any") -> np.ndarray:
    return _values(domain)[0]  # shape (4,): broadcasts into SHAPE


# name, domain of x, extra arguments (arrays become tensors), differentiable
UNARY = [
    ("acos", "unit"), ("arccos", "unit"), ("acosh", "above1"), ("arccosh", "above1"),
    ("asin", "unit"), ("arcsin", "unit"), ("asinh", "any"), ("arcsinh", "any"),
    ("atan", "any"), ("arctan", "any"), ("atanh", "unit"), ("arctanh", "unit"),
    ("cosh", "any"), ("sinh", "any"), ("tan", "unit"), ("erf", "any"), ("erfc", "any"),
    ("erfinv", "unit"), ("digamma", "positive"), ("lgamma", "positive"), ("log2", "positive"),
    ("log10", "positive"), ("logit", "open01"), ("exp2", "any"), ("sinc", "any"),
    ("deg2rad", "any"), ("rad2deg", "any"), ("negative", "any"), ("absolute", "any"),
    ("i0", "any"), ("sgn", "any"), ("fix", "any"), ("round", "any"),
]  # fmt: skip

BINARY = [
    "atan2", "arctan2", "hypot", "copysign", "fmod", "remainder", "true_divide", "divide",
    "multiply", "subtract", "xlogy", "clamp_min", "clamp_max", "ldexp",
]  # fmt: skip

COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
               "less_equal", "not_equal"]  # fmt: skip

NO_GRADIENT_IN_TORCH = {"sgn", "fix", "round", "floor_divide"}  # zero gradients there


def _check_same(g_result, g_x, t_x, dtype):
    assert g_result is g_x
    assert g_x.dtype == np.dtype(dtype)
    rtol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(g_x.numpy(), t_x.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_in_place_matches_torch(case, dtype):
    name, domain = case
    x = _values(domain).astype(dtype)
    g, t = glassnet.tensor(x), torch.tensor(x)
    before = g._version[0]
    _check_same(getattr(g, name + "_")(), g, getattr(t, name + "_")(), dtype)
    assert g._version[0] == before + 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", BINARY + COMPARISONS)
def test_binary_in_place_matches_torch(name, dtype):
    x = _values("positive" if name == "xlogy" else "any").astype(dtype)
    y = _other("positive" if name == "xlogy" else "any").astype(dtype)
    if name == "ldexp":
        y = np.round(y)
    if name in ("clamp_min", "clamp_max"):
        y = y[0].item()  # a number
    g, t = glassnet.tensor(x), torch.tensor(x)
    g_other = glassnet.tensor(y) if isinstance(y, np.ndarray) else y
    t_other = torch.tensor(y) if isinstance(y, np.ndarray) else y
    _check_same(getattr(g, name + "_")(g_other), g, getattr(t, name + "_")(t_other), dtype)


def test_in_place_with_options_matches_torch():
    x = _values("any")
    cases = [
        ("divide_", (_other(),), {"rounding_mode": "floor"}),
        ("divide_", (_other(),), {"rounding_mode": "trunc"}),
        ("subtract_", (_other(),), {"alpha": 2.5}),
        ("round_", (), {"decimals": 2}),
        ("logit_", (), {"eps": 0.1}),
        ("cumsum_", (1,), {}),
        ("cumprod_", (0,), {}),
        ("renorm_", (2, 0, 1.5), {}),
        ("float_power_", (2.5,), {}),
        ("polygamma_", (2,), {}),
        ("mvlgamma_", (2,), {}),
    ]
    for name, args, kwargs in cases:
        base = np.abs(x) + 1.0 if name in ("polygamma_", "mvlgamma_", "float_power_") else x
        g, t = glassnet.tensor(base), torch.tensor(base)
        g_args = [glassnet.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        t_args = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        _check_same(getattr(g, name)(*g_args, **kwargs), g,
                    getattr(t, name)(*t_args, **kwargs), "float64")  # fmt: skip
    with_nan = np.array([np.nan, np.inf, -np.inf, 1.0])
    g, t = glassnet.tensor(with_nan), torch.tensor(with_nan)
    _check_same(g.nan_to_num_(nan=0.5, posinf=9.0), g, t.nan_to_num_(nan=0.5, posinf=9.0),
                "float64")  # fmt: skip


def test_fused_products_in_place_match_torch():
    m, a, b, v = (RNG.normal(size=s) for s in ((3, 4), (3, 2), (2, 4), (4,)))
    cases = [
        ("addmm_", m, (a, b)), ("addr_", m, (RNG.normal(size=3), v)),
        ("addmv_", RNG.normal(size=3), (m, v)),
        ("baddbmm_", RNG.normal(size=(2, 3, 4)), (RNG.normal(size=(2, 3, 2)),
                                                  RNG.normal(size=(2, 2, 4)))),
        ("addbmm_", m, (RNG.normal(size=(2, 3, 2)), RNG.normal(size=(2, 2, 4)))),
    ]  # fmt: skip
    for name, base, args in cases:
        g, t = glassnet.tensor(base), torch.tensor(base)
        out_g = getattr(g, name)(*map(glassnet.tensor, args), beta=0.5, alpha=2.0)
        out_t = getattr(t, name)(*map(torch.tensor, args), beta=0.5, alpha=2.0)
        _check_same(out_g, g, out_t, "float64")


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_in_place_on_floats_and_bools(name):
    x, y = np.array([0.0, 1.0, 2.0, 0.0]), np.array([0.0, 0.0, 3.0, 4.0])
    g, t = glassnet.tensor(x), torch.tensor(x)
    _check_same(getattr(g, name + "_")(glassnet.tensor(y)), g,
                getattr(t, name + "_")(torch.tensor(y)), "float64")  # fmt: skip
    b = glassnet.tensor([True, False, True])
    getattr(b, name + "_")(glassnet.tensor([True, True, False]))
    expected = getattr(torch.tensor([True, False, True]), name + "_")(
        torch.tensor([True, True, False]))  # fmt: skip
    assert b.tolist() == expected.tolist() and b.dtype == np.bool_
    n = glassnet.tensor([0.0, 3.0])
    n.logical_not_()
    assert n.tolist() == torch.tensor([0.0, 3.0]).logical_not_().tolist()


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm",
                                  "floor_divide", "remainder", "fmod"])  # fmt: skip
def test_integer_in_place_matches_torch(name):
    x, y = np.array([12, 7, -9, 30, 5]), np.array([8, 3, 4, 2, 1])
    g, t = glassnet.tensor(x), torch.tensor(x)
    getattr(g, name + "_")(glassnet.tensor(y))
    getattr(t, name + "_")(torch.tensor(y))
    assert g.dtype == np.int64
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    g.bitwise_not_()
    np.testing.assert_array_equal(g.numpy(), t.bitwise_not_().numpy())


def test_float_result_cannot_go_into_an_integer_tensor():
    for name, args in (("sinh_", ()), ("true_divide_", (glassnet.tensor([2, 2]),))):
        x = glassnet.tensor([1, 2])
        with pytest.raises(TypeError, match="int64"):
            getattr(x, name)(*args)
        with pytest.raises(RuntimeError):
            getattr(torch.tensor([1, 2]), name)(*[torch.tensor(a.numpy()) for a in args])
    with pytest.raises(RuntimeError, match="float64"):
        glassnet.tensor([1.0, 2.0]).float_power_(2)


def test_result_that_does_not_fit_is_refused():
    x = glassnet.tensor([1.0, 2.0])
    with pytest.raises(ShapeError, match=r"hypot_: the result has shape \(3, 2\)"):
        x.hypot_(glassnet.ones(3, 2))
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, 2.0]).hypot_(torch.ones(3, 2))
    assert x.tolist() == [1.0, 2.0]  # untouched


def test_leaf_that_requires_grad_is_refused_and_no_grad_allows_it():
    x = glassnet.tensor([0.2, 0.4], requires_grad=True)
    for name in ("atan_", "erfc_", "eq_", "clamp_min_"):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            getattr(x, name)(*(() if name in ("atan_", "erfc_") else (0.3,)))
    with pytest.raises(RuntimeError):
        torch.tensor([0.2, 0.4], requires_grad=True).atan_()
    with glassnet.no_grad():
        x.atan_()
    np.testing.assert_allclose(x.detach().numpy(), np.arctan([0.2, 0.4]), rtol=1e-6)


@pytest.mark.parametrize("name,args", [
    ("tan_", ()), ("sinh_", ()), ("erfinv_", ()), ("lgamma_", ()), ("exp2_", ()),
    ("hypot_", ("other",)), ("atan2_", ("other",)), ("xlogy_", ("other",)),
    ("multiply_", ("other",)), ("clamp_max_", (0.35,)), ("cumprod_", (0,)), ("logit_", ()),
], ids=lambda v: v if isinstance(v, str) else "")  # fmt: skip
def test_gradient_through_in_place_on_a_recorded_result(name, args):
    base = np.array([0.1, 0.3, 0.45])
    other = np.array([0.7, 0.2, 1.5])
    ga = glassnet.tensor(base, requires_grad=True)
    go = glassnet.tensor(other, requires_grad=True)
    ta = torch.tensor(base, requires_grad=True)
    to = torch.tensor(other, requires_grad=True)
    gy, ty = ga * 1.5, ta * 1.5
    g_args = [go if a == "other" else a for a in args]
    t_args = [to if a == "other" else a for a in args]
    before = gy._version[0]
    assert getattr(gy, name)(*g_args) is gy
    assert gy._version[0] == before + 1 and gy.grad_fn is not None
    getattr(ty, name)(*t_args)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    w = np.array([1.0, -2.0, 0.5])
    (gy * glassnet.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    if "other" in args:
        np.testing.assert_allclose(go.grad.numpy(), to.grad.numpy(), rtol=1e-10)


def test_an_op_that_saved_the_old_value_refuses_its_backward():
    a = glassnet.tensor([0.5, 1.0], requires_grad=True)
    b = a * 2
    c = b.sin()  # saves b
    b.atan_()
    with pytest.raises(RuntimeError):
        c.sum().backward()


def test_comparison_in_place_on_a_recorded_result_leaves_the_graph():
    a = glassnet.tensor([0.5, 1.0], requires_grad=True)
    b = a * 2
    b.gt_(1.5)
    assert b.tolist() == [0.0, 1.0] and not b.requires_grad and b.dtype == np.float32


def test_in_place_views_swapaxes_and_swapdims():
    for name in ("swapaxes_", "swapdims_"):
        x = RNG.normal(size=(2, 3, 4))
        g, t = glassnet.tensor(x), torch.tensor(x)
        assert getattr(g, name)(0, 2) is g
        getattr(t, name)(0, 2)
        assert g.shape == tuple(t.shape)
        np.testing.assert_array_equal(g.numpy(), t.numpy())
    a = glassnet.tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    b = a * 1.0
    b.swapaxes_(0, 1)
    (b * glassnet.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_top_level_in_place_functions():
    x = np.array([-1.5, 0.25, 2.0])
    for name in ("abs_", "exp_", "relu_", "sigmoid_", "cos_", "sinc_", "erf_", "deg2rad_",
                 "negative_", "square_", "i0_", "trunc_"):  # fmt: skip
        g, t = glassnet.tensor(x), torch.tensor(x)
        assert getattr(glassnet, name)(g) is g
        getattr(torch, name)(t)
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12, err_msg=name)
    g, t = glassnet.tensor(x), torch.tensor(x)
    glassnet.clamp_min_(g, 0.3)
    torch.clamp_min_(t, 0.3)
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    g = glassnet.tensor(x)
    assert glassnet.zero_(g) is g and g.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(TypeError, match="expected a tensor"):
        glassnet.abs_([1.0])


def test_every_torch_in_place_elementwise_form_of_the_brief_exists():
    names = ["acos_", "acosh_", "asin_", "asinh_", "atan_", "atanh_", "arccos_", "atan2_",
             "cosh_", "sinh_", "tan_", "erf_", "erfc_", "erfinv_", "digamma_", "lgamma_",
             "log2_", "log10_", "logit_", "exp2_", "sinc_", "deg2rad_", "rad2deg_", "round_",
             "fix_", "sgn_", "negative_", "hypot_", "copysign_", "heaviside_", "fmod_",
             "remainder_", "floor_divide_", "true_divide_", "divide_", "multiply_",
             "subtract_", "float_power_", "xlogy_", "gcd_", "lcm_", "clamp_min_", "clamp_max_",
             "cumsum_", "cumprod_", "nan_to_num_", "logical_and_", "logical_or_",
             "logical_xor_", "logical_not_", "bitwise_and_", "bitwise_or_", "bitwise_xor_",
             "bitwise_not_", "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_",
             "greater_equal_", "less_", "less_equal_", "not_equal_", "absolute_", "swapaxes_",
             "swapdims_", "i0_", "ldexp_", "nextafter_", "renorm_", "addr_", "polygamma_",
             "mvlgamma_"]  # fmt: skip
    t = torch.zeros(1)
    missing = [n for n in names if not hasattr(glassnet.Tensor, n)]
    assert not missing and all(hasattr(t, n) for n in names)
    assert glassnet.Tensor.atan_.__name__ == "atan_" and "atan" in glassnet.Tensor.atan_.__doc__


def test_heaviside_and_nextafter_in_place():
    x = np.array([-1.0, 0.0, 2.0])
    g, t = glassnet.tensor(x), torch.tensor(x)
    half_g, half_t = glassnet.tensor([0.5], dtype=glassnet.float64), torch.tensor([0.5]).double()
    _check_same(g.heaviside_(half_g), g, t.heaviside_(half_t), "float64")
    g, t = glassnet.tensor(x), torch.tensor(x)
    g.nextafter_(glassnet.tensor([5.0, 5.0, 5.0], dtype=glassnet.float64))
    t.nextafter_(torch.tensor([5.0, 5.0, 5.0], dtype=torch.float64))
    np.testing.assert_array_equal(g.numpy(), t.numpy())
