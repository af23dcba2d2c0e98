"""The older hook-based weight_norm / spectral_norm, get_total_norm / clip_grads_with_norm_,
conv/linear + BatchNorm fusion and functional_call, against PyTorch."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet import func
from glassnet.nn import utils as U

torch = pytest.importorskip("torch")


def pair(cls_t, cls_g, *args, seed=0):
    torch.manual_seed(seed)
    tm, gm = cls_t(*args), cls_g(*args)
    for name, p in tm.named_parameters():
        getattr(gm, name).array[...] = p.detach().numpy()
    for name, b in tm.named_buffers():
        getattr(gm, name).array[...] = b.numpy()
    return tm, gm


def test_old_weight_norm_matches_torch_and_removes():
    tm, gm = pair(torch.nn.Linear, nn.Linear, 4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.weight_norm(tm)
    with pytest.warns(FutureWarning, match="deprecated"):
        U.weight_norm(gm)
    assert list(gm.state_dict()) == list(tm.state_dict()) == ["bias", "weight_g", "weight_v"]
    np.testing.assert_allclose(gm.weight_g.numpy(), tm.weight_g.detach().numpy(), rtol=1e-6)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (gm(gn.tensor(x)) ** 2).sum().backward()
    for name in ("weight_g", "weight_v"):
        np.testing.assert_allclose(
            getattr(gm, name).grad.numpy(), getattr(tm, name).grad.numpy(), rtol=1e-4, atol=1e-6
        )
    with pytest.warns(FutureWarning), pytest.raises(RuntimeError, match="cannot register two"):
        U.weight_norm(gm)
    U.remove_weight_norm(gm)
    torch.nn.utils.remove_weight_norm(tm)
    assert isinstance(gm.weight, nn.Parameter) and list(gm.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Linear"):
        U.remove_weight_norm(gm)


def test_old_spectral_norm_matches_torch_with_copied_vectors():
    tm, gm = pair(torch.nn.Conv2d, nn.Conv2d, 2, 3, 2, seed=1)
    torch.nn.utils.spectral_norm(tm, n_power_iterations=2)
    U.spectral_norm(gm, n_power_iterations=2)
    assert list(gm.state_dict()) == list(tm.state_dict())
    assert list(gm.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    gm.weight_u.array[...] = tm.weight_u.numpy()
    gm.weight_v.array[...] = tm.weight_v.numpy()
    x = np.random.default_rng(1).standard_normal((2, 2, 4, 4)).astype(np.float32)
    for _ in range(2):
        tm.zero_grad()
        gm.zero_grad()
        (tm(torch.tensor(x)) ** 2).sum().backward()
        (gm(gn.tensor(x)) ** 2).sum().backward()
        np.testing.assert_allclose(gm.weight_u.numpy(), tm.weight_u.numpy(), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-4)
        np.testing.assert_allclose(
            gm.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(), rtol=1e-3, atol=1e-5
        )
    U.remove_spectral_norm(gm)
    torch.nn.utils.remove_spectral_norm(tm)
    assert list(gm.state_dict()) == list(tm.state_dict())
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy(), rtol=1e-4)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        U.remove_spectral_norm(gm)
    with pytest.raises(ValueError, match="n_power_iterations must be positive"):
        U.spectral_norm(nn.Linear(2, 2), n_power_iterations=-1)


def test_get_total_norm_and_clip_grads_with_norm():
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,)]]
    for p in (2.0, 1.0, float("inf")):
        got = U.get_total_norm([gn.tensor(a) for a in arrays], p)
        want = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays], p)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    assert float(U.get_total_norm([])) == 0.0
    gps = [gn.zeros(a.shape, requires_grad=True) for a in arrays]
    tps = [torch.zeros(a.shape, requires_grad=True) for a in arrays]
    for g, t, a in zip(gps, tps, arrays):
        g.grad, t.grad = gn.tensor(a.copy()), torch.tensor(a.copy())
    total = U.get_total_norm([p.grad for p in gps])
    U.clip_grads_with_norm_(gps, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(
        tps, 1.0, torch.nn.utils.get_total_norm([p.grad for p in tps])
    )
    for g, t in zip(gps, tps):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="non-finite"):
        U.get_total_norm([gn.tensor([np.inf])], error_if_nonfinite=True)


@pytest.mark.parametrize(
    "transpose,bias",
    [(False, True), (False, False), (True, True)],
    ids=["conv", "conv-nobias", "convtranspose"],
)
def test_fuse_conv_bn_equals_unfused_eval(transpose, bias):
    gn.manual_seed(3)
    conv = (nn.ConvTranspose2d if transpose else nn.Conv2d)(3, 4, 3, bias=bias)
    bn = nn.BatchNorm2d(4)
    bn.running_mean.array[...] = np.linspace(-1, 1, 4)
    bn.running_var.array[...] = np.linspace(0.5, 2, 4)
    bn.weight.array[...] = np.linspace(0.5, 1.5, 4)
    bn.bias.array[...] = np.linspace(-0.3, 0.3, 4)
    conv.eval(), bn.eval()
    x = gn.randn(2, 3, 5, 5)
    fused = U.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    np.testing.assert_allclose(fused(x).numpy(), bn(conv(x)).numpy(), rtol=1e-4, atol=1e-5)
    assert fused is not conv and fused.bias is not None
    with pytest.raises(AssertionError, match="only for eval mode"):
        U.fuse_conv_bn_eval(conv.train(), bn)


def test_fuse_linear_bn_matches_torch():
    tl, gl = pair(torch.nn.Linear, nn.Linear, 5, 4, seed=4)
    tb, gb = pair(torch.nn.BatchNorm1d, nn.BatchNorm1d, 4, seed=4)
    for t, g in ((tb.running_mean, gb.running_mean), (tb.running_var, gb.running_var)):
        t.copy_(torch.linspace(0.2, 1.2, 4))
        g.array[...] = t.numpy()
    tl.eval(), tb.eval(), gl.eval(), gb.eval()
    tf = torch.nn.utils.fusion.fuse_linear_bn_eval(tl, tb)
    gf = U.fuse_linear_bn_eval(gl, gb)
    np.testing.assert_allclose(gf.weight.numpy(), tf.weight.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(gf.bias.numpy(), tf.bias.detach().numpy(), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="out_features == bn.num_features"):
        U.fuse_linear_bn_eval(gl, nn.BatchNorm1d(3).eval())


def test_functional_call_values_and_gradients():
    tm, gm = pair(torch.nn.Linear, nn.Linear, 3, 2, seed=5)
    rng = np.random.default_rng(5)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    tw = torch.tensor(w, requires_grad=True)
    gw = gn.tensor(w, requires_grad=True)
    tout = torch.func.functional_call(tm, {"weight": tw}, (torch.tensor(x),))
    gout = func.functional_call(gm, {"weight": gw}, (gn.tensor(x),))
    np.testing.assert_allclose(gout.numpy(), tout.detach().numpy(), rtol=1e-5)
    (tout**2).sum().backward()
    (gout**2).sum().backward()
    np.testing.assert_allclose(gw.grad.numpy(), tw.grad.numpy(), rtol=1e-5)
    assert gm.weight.grad is None and isinstance(gm.weight, nn.Parameter)  # restored, untouched
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy())
    with pytest.warns(FutureWarning):
        U.stateless.functional_call(gm, ({"weight": gw}, {"bias": gn.zeros(2)}), gn.tensor(x))
    with pytest.raises(RuntimeError, match="unexpected key\\(s\\): 'nope'"):
        func.functional_call(gm, {"nope": gw}, (gn.tensor(x),), strict=True)
    with pytest.raises(ValueError, match="appears in several dictionaries"):
        func.functional_call(gm, ({"weight": gw}, {"weight": gw}), (gn.tensor(x),))


def test_functional_call_tied_weights_and_func_grad():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied()
    w = gn.eye(2) * 2
    out = func.functional_call(m, {"a.weight": w}, (gn.ones(1, 2),))
    np.testing.assert_allclose(out.numpy(), [[4.0, 4.0]])
    with pytest.raises(ValueError, match="tied keys"):
        func.functional_call(m, {"a.weight": w, "b.weight": gn.eye(2)}, (gn.ones(1, 2),))
    g, aux = func.grad(lambda t: ((t**3).sum(), 7), has_aux=True)(gn.tensor([2.0]))
    np.testing.assert_allclose(g.numpy(), [12.0])
    assert aux == 7
