"""Normalization layers against PyTorch: outputs, input/weight/bias grads, running stats, eval."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from norm_paths import both_norm_paths  # noqa: E402, F401  (autouse: both paths)

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


def _rng(seed):
    return np.random.default_rng(seed)


def _copy_params(g_mod, t_mod, rng):
    """Random weight/bias in the torch layer, copied into the glassnet one."""
    with torch.no_grad():
        for name, p in t_mod.named_parameters():
            p.copy_(
                torch.tensor(
                    rng.uniform(0.5, 2.0, p.shape)
                    if name == "weight"
                    else rng.standard_normal(p.shape)
                )
            )
            getattr(g_mod, name).numpy()[...] = p.numpy()


def _step(g_mod, t_mod, x, rng, rtol, atol, backward=True):
    gx = gn.tensor(x, requires_grad=backward)
    tx = torch.tensor(x, requires_grad=backward)
    gy, ty = g_mod(gx), t_mod(tx)
    np.testing.assert_allclose(
        gy.numpy(), ty.detach().numpy(), rtol=rtol, atol=atol, err_msg="output"
    )
    if not backward:
        return
    up = rng.standard_normal(x.shape).astype(x.dtype)
    gy.backward(gn.tensor(up))
    ty.backward(torch.tensor(up))
    np.testing.assert_allclose(
        gx.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol, err_msg="input gradient"
    )
    for name, p in t_mod.named_parameters():
        np.testing.assert_allclose(
            getattr(g_mod, name).grad.numpy(),
            p.grad.numpy(),
            rtol=rtol,
            atol=atol,
            err_msg=f"{name} gradient",
        )


def _compare_buffers(g_mod, t_mod, rtol):
    for name, b in t_mod.named_buffers():
        np.testing.assert_allclose(
            getattr(g_mod, name).numpy(), b.numpy(), rtol=rtol, atol=rtol, err_msg=name
        )


BN_CASES = [
    ("1d-NC", nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 4)),
    ("1d-NCL", nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5)),
    ("2d", nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 4)),
    ("3d", nn.BatchNorm3d, torch.nn.BatchNorm3d, (2, 3, 3, 2, 4)),
]
BN_OPTIONS = [
    dict(),
    dict(momentum=None),
    dict(momentum=0.35, eps=1e-3),
    dict(affine=False),
    dict(bias=False),
    dict(track_running_stats=False),
]
BN_OPTION_IDS = ["default", "cumulative", "momentum-eps", "no-affine", "no-bias", "no-stats"]


@pytest.mark.parametrize("options", BN_OPTIONS, ids=BN_OPTION_IDS)
@pytest.mark.parametrize("case", BN_CASES, ids=[c[0] for c in BN_CASES])
def test_batch_norm_parity(case, options):
    _, g_cls, t_cls, shape = case
    rng = _rng(1)
    c = shape[1]
    g_mod, t_mod = g_cls(c, **options).double(), t_cls(c, **options).double()
    _copy_params(g_mod, t_mod, rng)
    for _ in range(3):  # training steps: outputs, gradients, running statistics
        x = rng.standard_normal(shape) * 2.5 + 0.7
        _step(g_mod, t_mod, x, rng, rtol=1e-10, atol=1e-12)
        for p in (*g_mod.parameters(), *t_mod.parameters()):
            p.grad = None
    _compare_buffers(g_mod, t_mod, rtol=1e-12)
    g_mod.eval()
    t_mod.eval()
    _step(g_mod, t_mod, rng.standard_normal(shape), rng, rtol=1e-10, atol=1e-12)
    _compare_buffers(g_mod, t_mod, rtol=1e-12)


def test_batch_norm_2d_float32_parity():
    rng = _rng(2)
    g_mod, t_mod = nn.BatchNorm2d(16), torch.nn.BatchNorm2d(16)
    _copy_params(g_mod, t_mod, rng)
    for _ in range(3):
        x = (rng.standard_normal((8, 16, 6, 6)) * 3 + 1).astype(np.float32)
        _step(g_mod, t_mod, x, rng, rtol=1e-4, atol=1e-4)
        for p in (*g_mod.parameters(), *t_mod.parameters()):
            p.grad = None
    _compare_buffers(g_mod, t_mod, rtol=1e-5)
    g_mod.eval()
    t_mod.eval()
    _step(
        g_mod,
        t_mod,
        rng.standard_normal((8, 16, 6, 6)).astype(np.float32),
        rng,
        rtol=1e-4,
        atol=1e-5,
    )


def test_functional_batch_norm_parity():
    rng = _rng(3)
    x = rng.standard_normal((5, 3, 4))
    rm_g, rv_g = gn.tensor(rng.standard_normal(3)), gn.tensor(rng.uniform(0.5, 2, 3))
    rm_t, rv_t = torch.tensor(rm_g.numpy().copy()), torch.tensor(rv_g.numpy().copy())
    w, b = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    for training in (True, False):
        gy = F.batch_norm(gn.tensor(x), rm_g, rv_g, gn.tensor(w), gn.tensor(b), training, 0.2, 1e-4)
        ty = torch.nn.functional.batch_norm(
            torch.tensor(x), rm_t, rv_t, torch.tensor(w), torch.tensor(b), training, 0.2, 1e-4
        )
        np.testing.assert_allclose(gy.numpy(), ty.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(rm_g.numpy(), rm_t.numpy(), rtol=1e-12)
        np.testing.assert_allclose(rv_g.numpy(), rv_t.numpy(), rtol=1e-12)


LN_CASES = [
    ("last", (4, 6), 6, {}),
    ("last2", (2, 3, 4, 5), (4, 5), {}),
    ("no-bias", (3, 7), 7, dict(bias=False)),
    ("no-affine", (3, 2, 7), (7,), dict(elementwise_affine=False)),
    ("eps", (5, 4), 4, dict(eps=1e-2)),
]


@pytest.mark.parametrize("case", LN_CASES, ids=[c[0] for c in LN_CASES])
def test_layer_norm_parity(case):
    _, shape, normalized, options = case
    rng = _rng(4)
    g_mod = nn.LayerNorm(normalized, **options).double()
    t_mod = torch.nn.LayerNorm(normalized, **options).double()
    _copy_params(g_mod, t_mod, rng)
    _step(g_mod, t_mod, rng.standard_normal(shape) * 3 + 1, rng, rtol=1e-10, atol=1e-12)


def test_layer_norm_float32_parity():
    rng = _rng(5)
    g_mod, t_mod = nn.LayerNorm(64), torch.nn.LayerNorm(64)
    _copy_params(g_mod, t_mod, rng)
    x = (rng.standard_normal((4, 10, 64)) * 2 + 3).astype(np.float32)
    _step(g_mod, t_mod, x, rng, rtol=1e-4, atol=1e-4)


GN_CASES = [
    ("G1", 1, 4, (3, 4, 5), {}),
    ("G2-2d", 2, 6, (2, 6, 3, 3), {}),
    ("instance", 4, 4, (2, 4, 6), {}),
    ("no-affine", 3, 6, (2, 6, 4), dict(affine=False)),
    ("no-bias", 2, 4, (2, 4, 3), dict(bias=False, eps=1e-3)),
]


@pytest.mark.parametrize("case", GN_CASES, ids=[c[0] for c in GN_CASES])
def test_group_norm_parity(case):
    _, groups, channels, shape, options = case
    rng = _rng(6)
    g_mod = nn.GroupNorm(groups, channels, **options).double()
    t_mod = torch.nn.GroupNorm(groups, channels, **options).double()
    _copy_params(g_mod, t_mod, rng)
    _step(g_mod, t_mod, rng.standard_normal(shape) * 2 - 1, rng, rtol=1e-10, atol=1e-12)


def test_group_norm_float32_parity():
    rng = _rng(7)
    g_mod, t_mod = nn.GroupNorm(4, 16), torch.nn.GroupNorm(4, 16)
    _copy_params(g_mod, t_mod, rng)
    x = rng.standard_normal((4, 16, 5, 5)).astype(np.float32)
    _step(g_mod, t_mod, x, rng, rtol=1e-4, atol=1e-4)


def test_batch_norm_second_derivative_parity():
    rng = _rng(8)
    x = rng.standard_normal((4, 3, 2))
    w = rng.uniform(0.5, 2, 3)
    ga, gw = gn.tensor(x, requires_grad=True), gn.tensor(w, requires_grad=True)
    ta, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gy = F.batch_norm(ga, None, None, gw, None, training=True)
    ty = torch.nn.functional.batch_norm(ta, None, None, tw, None, training=True)
    up = rng.standard_normal(x.shape)
    (gg,) = gn.autograd.grad(gy, ga, gn.tensor(up), create_graph=True)
    (tg,) = torch.autograd.grad(ty, ta, torch.tensor(up), create_graph=True)
    (gg * gg).sum().backward()
    (tg * tg).sum().backward()
    np.testing.assert_allclose(gg.numpy(), tg.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(gw.grad.numpy(), tw.grad.numpy(), rtol=1e-8, atol=1e-10)
