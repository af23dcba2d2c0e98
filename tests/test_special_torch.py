"""Tests of glassnet.special (torch.special) and the new top-level special functions (polygamma,
mvlgamma, i0, erfc, logaddexp2, ldexp, nextafter, frexp): values, dtypes, edge values and
gradients against PyTorch, gradcheck in float64, and mpmath where PyTorch itself is inexact."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
import glassnet.special as gs
from glassnet.numerical import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
WIDE = np.concatenate([np.linspace(-9.5, 9.5, 77), [0.0, 1e-6, -1e-6, 0.5, -0.5, 1.0, 30.0]])
POSITIVE = np.concatenate([np.linspace(0.05, 20.0, 60), [1e-4, 1.0, 2.0, 150.5]])
UNIT = np.concatenate([np.linspace(0.001, 0.999, 60), [1e-12, 1e-6, 0.5, 1 - 1e-9]])
# erfcx: WIDE above -6, both sides of the switch to the continued fraction at 3, and far out
ERFCX_POINTS = np.concatenate([WIDE[WIDE > -6], [2.99, 3.01, 50, 1e4]])
GAMMA_POINTS = np.concatenate([POSITIVE, [-0.5, -2.5]])  # and two negatives between the poles
LOG_NDTR_POINTS = np.concatenate([WIDE, [-40.0, -1.0, -0.99]])  # its switch at -1, the far tail


def _pair(values, dtype="float64", requires_grad=True):
    a = np.asarray(values, dtype=dtype)
    return (glassnet.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))  # fmt: skip


def _compare(g_fn, t_fn, points, rtol=1e-12, atol=1e-14, grad_rtol=None, grad_atol=None):
    """Values and gradients (of sum(w * y)) of one function, glassnet against torch, float64."""
    gx, tx = _pair(points)
    gy, ty = g_fn(gx), t_fn(tx)
    assert gy.dtype == np.float64
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    w = RNG.normal(size=ty.shape)
    (gy * glassnet.tensor(w)).sum().backward()
    if ty.requires_grad:
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(),
                                   rtol=grad_rtol or rtol * 10, atol=grad_atol or atol * 10)  # fmt: skip


# name, torch function, points, value rtol, value atol, gradient rtol, gradient atol
UNARY = [
    ("erf", torch.special.erf, WIDE, 1e-15, 1e-16, 1e-13, 1e-15),
    ("erfc", torch.special.erfc, WIDE, 1e-13, 1e-300, 1e-12, 1e-300),
    ("erfcx", torch.special.erfcx, ERFCX_POINTS, 1e-13, 1e-300, 1e-11, 1e-14),
    ("erfinv", torch.special.erfinv, np.linspace(-0.999, 0.999, 41), 1e-12, 1e-14, 1e-11, 1e-12),
    ("expit", torch.special.expit, WIDE, 1e-14, 1e-16, 1e-13, 1e-16),
    ("logit", torch.special.logit, UNIT, 1e-12, 1e-14, 1e-11, 1e-12),
    ("gammaln", torch.special.gammaln, GAMMA_POINTS, 1e-12, 1e-13, 1e-9, 1e-11),
    ("digamma", torch.special.digamma, GAMMA_POINTS, 1e-11, 1e-12, 1e-8, 1e-10),
    ("psi", torch.special.psi, POSITIVE, 1e-11, 1e-12, 1e-8, 1e-10),
    ("i0", torch.special.i0, WIDE, 1e-14, 1e-16, 1e-13, 1e-15),
    ("i0e", torch.special.i0e, WIDE, 1e-14, 1e-16, 1e-13, 1e-15),
    ("i1", torch.special.i1, WIDE, 1e-14, 1e-16, 1e-13, 1e-15),
    ("i1e", torch.special.i1e, WIDE, 1e-14, 1e-16, 1e-13, 1e-15),
    ("ndtr", torch.special.ndtr, WIDE[WIDE > -8], 1e-13, 1e-16, 1e-12, 1e-16),
    ("ndtri", torch.special.ndtri, UNIT, 1e-12, 1e-13, 1e-11, 1e-11),
    ("log_ndtr", torch.special.log_ndtr, LOG_NDTR_POINTS, 1e-13, 1e-16, 1e-11, 1e-16),
    # near 0 both sinc gradients, (cos(pi x) - sinc(x)) / x, lose digits to cancellation
    ("sinc", torch.special.sinc, WIDE, 1e-13, 1e-15, 1e-11, 1e-9),
    ("entr", torch.special.entr, POSITIVE, 1e-13, 1e-15, 1e-12, 1e-14),
    ("expm1", torch.special.expm1, WIDE, 1e-14, 1e-16, 1e-13, 1e-16),
    ("exp2", torch.special.exp2, WIDE, 1e-14, 1e-16, 1e-13, 1e-16),
    ("log1p", torch.special.log1p, POSITIVE, 1e-14, 1e-16, 1e-13, 1e-16),
    ("round", torch.special.round, WIDE, 0, 0, 0, 0),
    # torch's J0, J1 are good to ~1e-7 only (mpmath checks glassnet's tightly, below)
    ("bessel_j0", torch.special.bessel_j0, np.linspace(-4.9, 4.9, 33), 1e-7, 1e-9, 0, 0),
    ("bessel_j1", torch.special.bessel_j1, np.linspace(-4.9, 4.9, 33), 1e-7, 1e-9, 0, 0),
]


@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_special_matches_torch(case):
    name, t_fn, points, rtol, atol, grad_rtol, grad_atol = case
    _compare(getattr(gs, name), t_fn, points, rtol, atol, grad_rtol or 1e-12, grad_atol or 1e-14)


@pytest.mark.parametrize("case", UNARY, ids=[c[0] for c in UNARY])
def test_unary_special_float32_and_integer_inputs(case):
    name, t_fn = case[0], case[1]
    points = np.asarray(case[2], np.float32)
    g = getattr(gs, name)(glassnet.tensor(points))
    t = t_fn(torch.tensor(points))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=2e-5, atol=2e-6)
    if name not in ("ndtri", "logit", "erfinv", "round"):  # NaN or infinite at most integers;
        # (torch.special.round of integers raises; glassnet's keeps them as they are)
        ints = getattr(gs, name)(glassnet.tensor([0, 1, 2]))
        assert ints.dtype == t_fn(torch.tensor([0, 1, 2])).numpy().dtype


EDGES = [math.inf, -math.inf, math.nan, 0.0, -0.0, 1.0, -1.0, 50.0, -50.0]
# glassnet gives the mathematical value where torch's gives NaN (I_nu, J_nu at +-inf, below)
# or an underflowed 0 (ndtr far left); those points are checked against the maths instead.
EDGE_NAMES = ["erf", "erfc", "erfcx", "expit", "gammaln", "digamma", "i0e", "i1e", "log_ndtr",
              "sinc", "entr", "expm1", "exp2", "log1p", "round", "ndtr"]  # fmt: skip


@pytest.mark.parametrize("name", EDGE_NAMES)
def test_edge_values_match_torch(name):
    points = [v for v in EDGES if not (name == "ndtr" and v == -50.0)]
    g = getattr(gs, name)(glassnet.tensor(points, dtype=glassnet.float64)).numpy()
    t = getattr(torch.special, name)(torch.tensor(points, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(g, t, rtol=1e-13, atol=0, equal_nan=True)


def test_edge_values_where_glassnet_keeps_the_mathematics():
    x = glassnet.tensor([math.inf, -math.inf, math.nan], dtype=glassnet.float64)
    np.testing.assert_array_equal(gs.i0(x).numpy(), [math.inf, math.inf, math.nan])
    np.testing.assert_array_equal(gs.i1(x).numpy(), [math.inf, -math.inf, math.nan])
    np.testing.assert_array_equal(gs.bessel_j0(x).numpy(), [0.0, 0.0, math.nan])
    np.testing.assert_array_equal(gs.bessel_j1(x).numpy(), [0.0, 0.0, math.nan])
    # Phi(-40) = 3.7e-350 underflows; Phi(-30) = 4.9e-198 does not (torch gives 0)
    assert gs.ndtr(glassnet.tensor([-30.0], dtype=glassnet.float64)).item() == pytest.approx(
        4.906713927148187e-198, rel=1e-12
    )
    p = glassnet.tensor([0.0, 1.0, -0.5, 1.5, math.nan], dtype=glassnet.float64)
    np.testing.assert_array_equal(gs.ndtri(p).numpy(), [-math.inf, math.inf, math.nan, math.nan,
                                                         math.nan])  # fmt: skip
    np.testing.assert_array_equal(
        gs.ndtri(p).numpy(), torch.special.ndtri(torch.tensor(p.numpy())).numpy()
    )


def test_bessel_j_against_mpmath_and_loosely_against_torch():
    # torch's own J0/J1 lose up to 1e-6 between 5 and 25; mpmath is the oracle there
    points = np.concatenate([np.linspace(-60, 60, 61), [4.99, 5.01, 24.99, 25.01, 1e-8]])
    for name in ("bessel_j0", "bessel_j1"):
        g = getattr(gs, name)(glassnet.tensor(points, dtype=glassnet.float64)).numpy()
        t = getattr(torch.special, name)(torch.tensor(points)).numpy()
        np.testing.assert_allclose(g, t, atol=1e-5)
    mpmath = pytest.importorskip("mpmath")
    for name, order in (("bessel_j0", 0), ("bessel_j1", 1)):
        g = getattr(gs, name)(glassnet.tensor(points, dtype=glassnet.float64)).numpy()
        exact = np.array([float(mpmath.besselj(order, v)) for v in points])
        np.testing.assert_allclose(g, exact, rtol=1e-12, atol=1e-15)


def test_bessel_i_far_out_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    points = [19.9, 20.1, 55.5, -300.0, 700.0]
    for order, name in ((0, "i0"), (1, "i1")):
        g = getattr(gs, name)(glassnet.tensor(points, dtype=glassnet.float64)).numpy()
        exact = np.array([float(mpmath.besseli(order, v)) for v in points])
        np.testing.assert_allclose(g, exact, rtol=1e-14)


GRADCHECK = [
    ("erfc", WIDE[::9] / 3), ("erfcx", np.array([-1.5, 0.2, 2.9, 3.2, 8.0])),
    ("ndtr", WIDE[::9] / 2), ("log_ndtr", np.array([-30.0, -3.0, -1.0, 0.4, 5.0])),
    ("ndtri", np.array([0.01, 0.3, 0.5, 0.8, 0.99])), ("i0", WIDE[::9]), ("i0e", WIDE[::9] + 0.1),
    ("i1", WIDE[::9]), ("i1e", WIDE[::9] + 0.1), ("bessel_j0", np.array([-7.0, -0.3, 3, 12, 30])),
    ("bessel_j1", np.array([-7.0, -0.3, 3, 12, 30])), ("entr", np.array([0.1, 0.5, 2.0, 7.0])),
]  # fmt: skip


@pytest.mark.parametrize("case", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck_and_second_derivative(case):
    name, points = case
    x = glassnet.tensor(points, dtype=glassnet.float64, requires_grad=True)
    assert gradcheck(getattr(gs, name), x)
    assert gradgradcheck(getattr(gs, name), x)


def test_gradient_at_zero_of_the_order_one_functions():
    for name in ("i1", "i1e", "bessel_j1", "i0e"):
        x = glassnet.tensor([0.0], dtype=glassnet.float64, requires_grad=True)
        getattr(gs, name)(x).sum().backward()
        expected = 0.0 if name == "i0e" else 0.5
        assert x.grad.item() == expected, name
    tx = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    torch.special.i1(tx).backward()
    assert tx.grad.item() == 0.5


# ---------------------------------------------------------------------- polygamma, zeta, mvlgamma


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_polygamma_matches_torch(n):
    points = np.concatenate([np.linspace(-5.3, 30.0, 80), [1e-3, 0.5, 1e4]])
    rtol = 1e-8 if n == 1 else 1e-12  # torch's trigamma is good to ~5e-10
    _compare(lambda x: glassnet.polygamma(n, x), lambda x: torch.polygamma(n, x), points,
             rtol=rtol, atol=1e-12, grad_rtol=1e-7, grad_atol=1e-9)  # fmt: skip
    assert np.allclose(glassnet.tensor(points).polygamma(n).numpy(),
                       torch.tensor(points).polygamma(n).numpy(), rtol=1e-5)  # fmt: skip


def test_polygamma_poles_and_errors():
    x = glassnet.tensor([0.0, -1.0], dtype=glassnet.float64)
    assert np.all(np.isinf(glassnet.polygamma(3, x).numpy()))
    np.testing.assert_array_equal(glassnet.polygamma(2, x).numpy(),
                                  torch.polygamma(2, torch.tensor(x.numpy())).numpy())  # fmt: skip
    with pytest.raises(ValueError, match="non-negative integer"):
        glassnet.polygamma(-1, x)
    with pytest.raises(ValueError, match="non-negative integer"):
        glassnet.polygamma(1.5, x)


def test_polygamma_gradcheck_and_trigamma_now_differentiable():
    x = glassnet.tensor([-2.5, 0.3, 1.7, 9.0], dtype=glassnet.float64, requires_grad=True)
    for n in (1, 2, 3):
        assert gradcheck(lambda v, n=n: glassnet.polygamma(n, v), x)
    assert gradgradcheck(glassnet.digamma, x)


def test_zeta_matches_torch_including_edges():
    s = np.array([0.5, 1.0, 2.0, 2.0, 2.0, 2.5, 3.0, 2.0, 2.0, 4.5, 2.0, 7.0])
    q = np.array([1.0, 1.0, 0.0, -1.0, -0.5, -0.5, -1.5, 3.3, 1e8, 2.0, -1e-9, 0.01])
    g = gs.zeta(glassnet.tensor(s), glassnet.tensor(q)).numpy()
    t = torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy()
    np.testing.assert_allclose(g, t, rtol=1e-13, equal_nan=True)
    assert gs.zeta(2.0, glassnet.tensor([1.0])).item() == pytest.approx(math.pi**2 / 6, rel=1e-7)
    assert gs.zeta(glassnet.tensor([3.0], dtype=glassnet.float64), 1).dtype == np.float64


def test_zeta_gradient_in_q_and_refusal_in_s():
    gq, tq = _pair([0.3, 1.0, 2.5, 11.0])
    ts = torch.tensor([2.0, 3.5, 2.2, 5.0], dtype=torch.float64)
    g = gs.zeta(glassnet.tensor(ts.numpy()), gq)
    t = torch.special.zeta(ts, tq)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-13)
    g.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(gq.grad.numpy(), tq.grad.numpy(), rtol=1e-12)
    s = glassnet.tensor([2.0], dtype=glassnet.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="with respect to s"):
        gs.zeta(s, glassnet.tensor([1.0], dtype=glassnet.float64)).sum().backward()


@pytest.mark.parametrize("p", [1, 2, 5])
def test_mvlgamma_matches_torch(p):
    points = np.linspace((p - 1) / 2 + 0.05, 12, 25)
    _compare(lambda x: gs.multigammaln(x, p), lambda x: torch.special.multigammaln(x, p), points,
             rtol=1e-12, atol=1e-12, grad_rtol=1e-9, grad_atol=1e-10)  # fmt: skip
    _compare(lambda x: glassnet.mvlgamma(x, p), lambda x: torch.mvlgamma(x, p), points,
             rtol=1e-12, atol=1e-12, grad_rtol=1e-9, grad_atol=1e-10)  # fmt: skip


def test_mvlgamma_refuses_its_domain():
    with pytest.raises(ValueError, match=r"greater than \(p-1\)/2"):
        glassnet.mvlgamma(glassnet.tensor([0.9, 3.0]), 3)
    with pytest.raises(ValueError, match="p must be an integer"):
        glassnet.mvlgamma(glassnet.tensor([3.0]), 0)


# ---------------------------------------------------------------------- two-argument functions


def test_xlogy_and_xlog1py_with_zeros_and_numbers():
    x = np.array([0.0, 0.0, 0.0, 1.5, -2.0, 3.0])
    y = np.array([0.0, -1.0, math.nan, 0.5, 2.0, -0.5])
    for g_fn, t_fn in ((gs.xlogy, torch.special.xlogy), (gs.xlog1py, torch.special.xlog1py)):
        gx, tx = _pair(x)
        gy, ty = _pair(np.abs(y) if g_fn is gs.xlogy else y)
        g, t = g_fn(gx, gy), t_fn(tx, ty)
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), equal_nan=True)
        g.sum().backward()
        t.sum().backward()
        finite = np.isfinite(tx.grad.numpy())
        np.testing.assert_allclose(gx.grad.numpy()[finite], tx.grad.numpy()[finite], rtol=1e-12)
        np.testing.assert_allclose(gy.grad.numpy()[3:], ty.grad.numpy()[3:], rtol=1e-12)
    number = gs.xlog1py(2.0, glassnet.tensor([0.5, 1.0], dtype=glassnet.float64))
    assert number.dtype == np.float64
    np.testing.assert_allclose(number.numpy(), torch.special.xlog1py(
        2.0, torch.tensor([0.5, 1.0], dtype=torch.float64)).numpy())  # fmt: skip
    assert gradcheck(gs.xlog1py, glassnet.tensor([0.5, -2.0], dtype=glassnet.float64,
                     requires_grad=True), glassnet.tensor([0.3, 4.0], dtype=glassnet.float64,
                     requires_grad=True))  # fmt: skip


def test_softmax_family_with_dtype():
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    g = gs.softmax(glassnet.tensor(x), 1, dtype=glassnet.float64)
    t = torch.special.softmax(torch.tensor(x), 1, dtype=torch.float64)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        gs.log_softmax(glassnet.tensor(x), 0).numpy(),
        torch.special.log_softmax(torch.tensor(x), 0).numpy(),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        gs.logsumexp(glassnet.tensor(x), 1).numpy(),
        torch.special.logsumexp(torch.tensor(x), 1).numpy(),
        rtol=1e-6,
    )


def test_logaddexp2_ldexp_values_and_gradients():
    a, b = RNG.normal(size=(3, 1)) * 30, RNG.normal(size=(1, 4)) * 30
    ga, ta = _pair(a)
    gb, tb = _pair(b)
    g, t = glassnet.logaddexp2(ga, gb), torch.logaddexp2(ta, tb)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-13)
    g.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gb.grad.numpy(), tb.grad.numpy(), rtol=1e-12)
    gx, tx = _pair([1.5, -2.0, 0.0, 3.0])
    ge, te = _pair([2.0, -1.0, 5.0, 0.5])
    g, t = glassnet.ldexp(gx, ge), torch.ldexp(tx, te)
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy())
    (g * glassnet.tensor([1.0, 2, 3, 4])).sum().backward()
    (t * torch.tensor([1.0, 2, 3, 4])).sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(ge.grad.numpy(), te.grad.numpy(), rtol=1e-14)
    ints = glassnet.ldexp(glassnet.tensor([1, 3]), glassnet.tensor([2, 1]))
    assert ints.dtype == torch.ldexp(torch.tensor([1, 3]), torch.tensor([2, 1])).numpy().dtype
    np.testing.assert_array_equal(ints.numpy(), [4.0, 6.0])
    assert glassnet.tensor([1.0, 2.0]).ldexp(glassnet.tensor([3, 3])).tolist() == [8.0, 16.0]


def test_frexp_nextafter_copysign_heaviside():
    x = np.array([0.0, 1.0, -3.5, 1e-30, 1e30, 0.75], dtype=np.float32)
    gm, ge = glassnet.frexp(glassnet.tensor(x))
    tm, te = torch.frexp(torch.tensor(x))
    np.testing.assert_array_equal(gm.numpy(), tm.numpy())
    np.testing.assert_array_equal(ge.numpy(), te.numpy())
    assert ge.dtype == np.int32 and gm.dtype == np.float32
    gx = glassnet.tensor([3.0, -5.0], dtype=glassnet.float64, requires_grad=True)
    glassnet.frexp(gx).mantissa.sum().backward()
    np.testing.assert_array_equal(gx.grad.numpy(), [0.25, 0.125])
    with pytest.raises(TypeError, match="floating"):
        glassnet.frexp(glassnet.tensor([1, 2]))
    a, b = np.array([1.0, 0.0, -2.0], np.float32), np.array([2.0, -1.0, -3.0], np.float32)
    np.testing.assert_array_equal(glassnet.nextafter(glassnet.tensor(a), glassnet.tensor(b)).numpy(),
                                  torch.nextafter(torch.tensor(a), torch.tensor(b)).numpy())  # fmt: skip
    with pytest.raises(TypeError, match="one dtype"):
        glassnet.nextafter(glassnet.tensor(a), glassnet.tensor(b, dtype=glassnet.float64))
    assert glassnet.copysign(glassnet.tensor([1.0]), -1.0).item() == -1.0
    assert glassnet.heaviside(glassnet.tensor([0.0, 2.0]), glassnet.tensor([0.5])).tolist() == [
        0.5,
        1.0,
    ]


def test_top_level_and_method_forms_exist():
    x = glassnet.tensor([0.5, 1.5], dtype=glassnet.float64)
    np.testing.assert_allclose(glassnet.i0(x).numpy(), torch.i0(torch.tensor(x.numpy())).numpy())
    np.testing.assert_allclose(x.i0().numpy(), glassnet.i0(x).numpy())
    np.testing.assert_allclose(glassnet.erfc(x).numpy(), torch.erfc(torch.tensor(x.numpy())))
    np.testing.assert_allclose(x.erfc().numpy(), glassnet.erfc(x).numpy())
    np.testing.assert_allclose(
        (x + 1).mvlgamma(2).numpy(), torch.tensor(x.numpy() + 1).mvlgamma(2).numpy(), rtol=1e-13
    )
    for name in ("gammaln", "psi", "multigammaln", "expit", "zeta", "bessel_j0"):
        assert callable(getattr(glassnet.special, name))


def test_lgamma_of_a_broadcast_view_is_computed_not_lost():
    values = np.array([0.5, 2.0, 3.0])
    got = glassnet.lgamma(glassnet.tensor(values).expand(2, 3)).numpy()  # a stride-0 view
    np.testing.assert_allclose(got, np.broadcast_to([math.lgamma(v) for v in values], (2, 3)))
