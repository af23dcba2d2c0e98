"""Every loss against PyTorch: forward values and gradients (input, and target where it has one)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import glassnet as gn  # noqa: E402
import glassnet.nn as nn  # noqa: E402
import glassnet.nn.functional as F  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: torch's thread pool only adds overhead (restored afterwards)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


REDUCTIONS = ["mean", "sum", "none"]


def _rng(seed):
    return np.random.default_rng(seed)


def compare(
    gn_fn, torch_fn, arrays, grad_of, dtype=np.float64, rtol=1e-10, atol=1e-12, constants=()
):
    """Run both libraries on copies of ``arrays``; compare outputs and the gradients of the
    inputs listed in ``grad_of`` (indices), for an upstream gradient of random weights."""
    g_in = [gn.tensor(a.astype(dtype), requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a.astype(dtype), requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    g_const = [gn.tensor(c) for c in constants]
    t_const = [torch.tensor(c) for c in constants]
    g_out = gn_fn(*g_in, *g_const)
    t_out = torch_fn(*t_in, *t_const)
    np.testing.assert_allclose(g_out.numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    assert g_out.dtype == np.dtype(dtype)
    up = _rng(99).uniform(0.5, 1.5, t_out.shape).astype(dtype)
    g_out.backward(gn.tensor(up))
    t_out.backward(torch.tensor(up))
    for i in grad_of:
        np.testing.assert_allclose(
            g_in[i].grad.numpy(),
            t_in[i].grad.numpy(),
            rtol=rtol,
            atol=atol,
            err_msg=f"gradient of input {i}",
        )


# ----------------------------------------------------------------------------------------------
# Regression
# ----------------------------------------------------------------------------------------------


def _regression_arrays(seed=0, shape=(4, 5)):
    rng = _rng(seed)
    x = rng.standard_normal(shape) * 2
    return x, x + rng.standard_normal(shape) * 1.5


REGRESSION = [
    (
        "mse",
        lambda a, b, r: F.mse_loss(a, b, reduction=r),
        lambda a, b, r: TF.mse_loss(a, b, reduction=r),
    ),
    (
        "l1",
        lambda a, b, r: F.l1_loss(a, b, reduction=r),
        lambda a, b, r: TF.l1_loss(a, b, reduction=r),
    ),
    (
        "huber",
        lambda a, b, r: F.huber_loss(a, b, r, 0.8),
        lambda a, b, r: TF.huber_loss(a, b, r, 0.8),
    ),
    (
        "smooth_l1",
        lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.6),
        lambda a, b, r: TF.smooth_l1_loss(a, b, reduction=r, beta=0.6),
    ),
    (
        "smooth_l1_beta0",
        lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0),
        lambda a, b, r: TF.smooth_l1_loss(a, b, reduction=r, beta=0.0),
    ),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", REGRESSION, ids=[c[0] for c in REGRESSION])
def test_regression_parity(case, reduction, dtype):
    _, gfn, tfn = case
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    compare(
        lambda a, b: gfn(a, b, reduction),
        lambda a, b: tfn(a, b, reduction),
        _regression_arrays(1),
        grad_of=(0, 1),
        dtype=dtype,
        **tol,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_parity(name, reduction):
    x, y = _regression_arrays(2)
    w = _rng(3).uniform(0.1, 2.0, x.shape)
    compare(
        lambda a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c),
        lambda a, b, c: getattr(TF, name)(a, b, reduction=reduction, weight=c),
        (x, y, w),
        grad_of=(0, 1),
    )


def test_regression_broadcast_target_parity():
    x, _ = _regression_arrays(4)
    y = _rng(5).standard_normal(5)
    with pytest.warns(UserWarning):
        g = F.mse_loss(gn.tensor(x), gn.tensor(y))
    with pytest.warns(UserWarning):
        t = TF.mse_loss(torch.tensor(x), torch.tensor(y))
    assert g.item() == pytest.approx(t.item(), rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Cross-entropy and NLL
# ----------------------------------------------------------------------------------------------

CE_OPTIONS = [
    dict(),
    dict(weight=True),
    dict(ignore=True),
    dict(weight=True, ignore=True),
    dict(label_smoothing=0.2),
    dict(ignore=True, label_smoothing=0.1),
    dict(weight=True, ignore=True, label_smoothing=0.3),
]
CE_IDS = [
    "plain",
    "weight",
    "ignore",
    "weight-ignore",
    "smooth",
    "ignore-smooth",
    "weight-ignore-smooth",
]
SHAPES = [(6, 5), (3, 4, 5), (2, 3, 4, 2)]
SHAPE_IDS = ["NC", "NCd", "NCd1d2"]


def _class_case(shape, seed, ignore):
    rng = _rng(seed)
    x = rng.standard_normal(shape) * 3
    t = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    if ignore:
        t.reshape(-1)[1::3] = -100
    w = rng.uniform(0.2, 3.0, shape[1])
    return x, t, w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS, ids=CE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_cross_entropy_indices_parity(shape, options, reduction):
    x, t, w = _class_case(shape, 6, options.get("ignore"))
    s = options.get("label_smoothing", 0.0)
    if options.get("weight"):
        compare(
            lambda a, ww, tt: F.cross_entropy(a, tt, ww, reduction=reduction, label_smoothing=s),
            lambda a, ww, tt: TF.cross_entropy(a, tt, ww, reduction=reduction, label_smoothing=s),
            (x, w),
            grad_of=(0,),
            constants=(t,),
        )
    else:
        compare(
            lambda a, tt: F.cross_entropy(a, tt, reduction=reduction, label_smoothing=s),
            lambda a, tt: TF.cross_entropy(a, tt, reduction=reduction, label_smoothing=s),
            (x,),
            grad_of=(0,),
            constants=(t,),
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight=True), dict(label_smoothing=0.25), dict(weight=True, label_smoothing=0.1)],
    ids=["plain", "weight", "smooth", "weight-smooth"],
)
@pytest.mark.parametrize("shape", SHAPES[:2], ids=SHAPE_IDS[:2])
def test_cross_entropy_probabilities_parity(shape, options, reduction):
    rng = _rng(7)
    x = rng.standard_normal(shape)
    p = rng.uniform(0.0, 1.0, shape)
    p /= p.sum(axis=1, keepdims=True)
    w = rng.uniform(0.2, 3.0, shape[1]) if options.get("weight") else None
    s = options.get("label_smoothing", 0.0)
    const = () if w is None else (w,)
    compare(
        lambda a, b, *ww: F.cross_entropy(a, b, *ww, reduction=reduction, label_smoothing=s),
        lambda a, b, *ww: TF.cross_entropy(a, b, *ww, reduction=reduction, label_smoothing=s),
        (x, p),
        grad_of=(0, 1),
        constants=const,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_unbatched_and_custom_ignore_parity(reduction):
    x = _rng(9).standard_normal(5)
    compare(
        lambda a, tt: F.cross_entropy(a, tt, reduction=reduction),
        lambda a, tt: TF.cross_entropy(a, tt, reduction=reduction),
        (x,),
        grad_of=(0,),
        constants=(np.array(3),),
    )
    x, t, w = _class_case((8, 4), 10, ignore=False)
    compare(
        lambda a, ww, tt: F.cross_entropy(a, tt, ww, ignore_index=1, reduction=reduction),
        lambda a, ww, tt: TF.cross_entropy(a, tt, ww, ignore_index=1, reduction=reduction),
        (x, w),
        grad_of=(0,),
        constants=(t,),
    )


def test_cross_entropy_float32_parity():
    x, t, w = _class_case((64, 10), 11, ignore=True)
    compare(
        lambda a, ww, tt: F.cross_entropy(a, tt, ww, label_smoothing=0.1),
        lambda a, ww, tt: TF.cross_entropy(a, tt, ww, label_smoothing=0.1),
        (x, w),
        grad_of=(0,),
        constants=(t,),
        dtype=np.float32,
        rtol=1e-5,
        atol=1e-6,
    )


def test_cross_entropy_second_derivative_parity():
    x, t, w = _class_case((4, 3), 12, ignore=True)
    ga = gn.tensor(x, requires_grad=True)
    (gg,) = gn.autograd.grad(
        F.cross_entropy(ga, gn.tensor(t), gn.tensor(w), label_smoothing=0.1), ga, create_graph=True
    )
    (gg * gg).sum().backward()
    ta = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(
        TF.cross_entropy(ta, torch.tensor(t), torch.tensor(w), label_smoothing=0.1),
        ta,
        create_graph=True,
    )
    (tg * tg).sum().backward()
    np.testing.assert_allclose(gg.numpy(), tg.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS[:4], ids=CE_IDS[:4])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_nll_parity(shape, options, reduction):
    x, t, w = _class_case(shape, 13, options.get("ignore"))
    if options.get("weight"):
        compare(
            lambda a, ww, tt: F.nll_loss(a, tt, ww, reduction=reduction),
            lambda a, ww, tt: TF.nll_loss(a, tt, ww, reduction=reduction),
            (x, w),
            grad_of=(0,),
            constants=(t,),
        )
    else:
        compare(
            lambda a, tt: F.nll_loss(a, tt, reduction=reduction),
            lambda a, tt: TF.nll_loss(a, tt, reduction=reduction),
            (x,),
            grad_of=(0,),
            constants=(t,),
        )


# ----------------------------------------------------------------------------------------------
# Binary and KL
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weight"])
def test_binary_cross_entropy_parity(weighted, reduction):
    rng = _rng(14)
    p = rng.uniform(0.01, 0.99, (4, 3))
    y = rng.uniform(0, 1, (4, 3))
    const = (rng.uniform(0.5, 2, 3),) if weighted else ()
    compare(
        lambda a, b, *w: F.binary_cross_entropy(a, b, *w, reduction=reduction),
        lambda a, b, *w: TF.binary_cross_entropy(a, b, *w, reduction=reduction),
        (p, y),
        grad_of=(0, 1),
        constants=const,
    )


def test_binary_cross_entropy_extremes_parity():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    compare(
        lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
        lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"),
        (p, y),
        grad_of=(0,),
        rtol=1e-8,
    )  # gradients ~1e12 at p = 0 and 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [dict(), dict(weight=True), dict(pos_weight=True), dict(weight=True, pos_weight=True)],
    ids=["plain", "weight", "pos_weight", "both"],
)
def test_bce_with_logits_parity(options, reduction, dtype):
    rng = _rng(15)
    x = rng.standard_normal((5, 3)) * 4
    x[0] = [60.0, -60.0, 0.0]  # far from zero on both sides, and exactly zero
    y = rng.uniform(0, 1, (5, 3))
    w = rng.uniform(0.5, 2, (5, 1)) if options.get("weight") else None
    pw = rng.uniform(0.5, 3, 3) if options.get("pos_weight") else None
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)

    def run(lib_fn, tensor):
        def f(a, b):
            return lib_fn(
                a,
                b,
                None if w is None else tensor(w.astype(dtype)),
                reduction=reduction,
                pos_weight=None if pw is None else tensor(pw.astype(dtype)),
            )

        return f

    compare(
        run(F.binary_cross_entropy_with_logits, gn.tensor),
        run(TF.binary_cross_entropy_with_logits, torch.tensor),
        (x, y),
        grad_of=(0, 1),
        dtype=dtype,
        **tol,
    )


@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True], ids=["prob", "log_target"])
def test_kl_div_parity(log_target, reduction):
    rng = _rng(16)
    x = np.log(rng.dirichlet(np.ones(4), 3))
    y = rng.dirichlet(np.ones(4), 3)
    y[0, 1] = 0.0  # a zero probability: contributes 0 (0 log 0 = 0)
    if log_target:
        y = np.log(rng.dirichlet(np.ones(4), 3))
    grad_of = (0, 1) if log_target else (0,)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        compare(
            lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
            lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
            (x, y),
            grad_of=grad_of,
        )


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ----------------------------------------------------------------------------------------------
# Modules
# ----------------------------------------------------------------------------------------------


def test_loss_modules_parity():
    rng = _rng(17)
    x = rng.standard_normal((6, 4))
    t = rng.integers(0, 4, 6)
    y = rng.uniform(0, 1, (6, 4))
    w = rng.uniform(0.5, 2, 4)
    pairs = [
        (nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum"), x, y),
        (nn.L1Loss(), torch.nn.L1Loss(), x, y),
        (nn.HuberLoss(delta=0.3), torch.nn.HuberLoss(delta=0.3), x, y),
        (nn.SmoothL1Loss(beta=0.3), torch.nn.SmoothL1Loss(beta=0.3), x, y),
        (
            nn.CrossEntropyLoss(gn.tensor(w), label_smoothing=0.1),
            torch.nn.CrossEntropyLoss(torch.tensor(w), label_smoothing=0.1),
            x,
            t,
        ),
        (
            nn.NLLLoss(gn.tensor(w), ignore_index=2),
            torch.nn.NLLLoss(torch.tensor(w), ignore_index=2),
            x,
            t,
        ),
        (nn.BCELoss(gn.tensor(w)), torch.nn.BCELoss(torch.tensor(w)), y * 0.9 + 0.05, y),
        (
            nn.BCEWithLogitsLoss(pos_weight=gn.tensor(w)),
            torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w)),
            x,
            y,
        ),
        (
            nn.KLDivLoss(reduction="batchmean"),
            torch.nn.KLDivLoss(reduction="batchmean"),
            np.log(y / y.sum(1, keepdims=True)),
            y / y.sum(1, keepdims=True),
        ),
    ]
    for g_mod, t_mod, a, b in pairs:
        ga = gn.tensor(a, requires_grad=True)
        ta = torch.tensor(a, requires_grad=True)
        g_out, t_out = g_mod(ga, gn.tensor(b)), t_mod(ta, torch.tensor(b))
        assert g_out.item() == pytest.approx(t_out.item(), rel=1e-10), type(g_mod).__name__
        g_out.backward()
        t_out.backward()
        np.testing.assert_allclose(
            ga.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-14, err_msg=type(g_mod).__name__
        )
