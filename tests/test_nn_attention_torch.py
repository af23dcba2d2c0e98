"""Attention against PyTorch: scaled_dot_product_attention and MultiheadAttention with copied weights."""

import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402
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


TOL = {np.float64: dict(rtol=1e-9, atol=1e-11), np.float32: dict(rtol=1e-4, atol=1e-5)}


def _pair(array, dtype, requires_grad=True):
    a = np.asarray(array, dtype=dtype)
    return torch.tensor(a, requires_grad=requires_grad), gn.tensor(a, requires_grad=requires_grad)


def _close(t, g, dtype, what):
    np.testing.assert_allclose(g.numpy(), t.detach().numpy(), err_msg=what, **TOL[dtype])


def _mask_pair(array):
    return torch.tensor(array), gn.tensor(array)


SDPA_CASES = [
    "plain",
    "bool_2d",
    "bool_4d_fully_masked_row",
    "float_mask_grad",
    "causal",
    "causal_rectangular",
    "scale",
    "gqa",
    "3d",
]


@pytest.mark.parametrize("case", SDPA_CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_sdpa_matches_torch(case, dtype):
    rng = np.random.default_rng(0)
    N, Hq, Hk, L, S, E, Ev = 2, 4, 4, 5, 7, 8, 6
    if case == "gqa":
        Hk = 2
    if case == "causal":
        S = L
    lead_q, lead_k = ((N, Hq), (N, Hk)) if case != "3d" else ((N,), (N,))
    tq, gq = _pair(rng.standard_normal(lead_q + (L, E)), dtype)
    tk, gk = _pair(rng.standard_normal(lead_k + (S, E)), dtype)
    tv, gv = _pair(rng.standard_normal(lead_k + (S, Ev)), dtype)
    tkw, gkw, mask_pair = {}, {}, None
    if case == "bool_2d":
        m = rng.random((L, S)) > 0.4
        m[:, 0] = True
        tkw["attn_mask"], gkw["attn_mask"] = _mask_pair(m)
    elif case == "bool_4d_fully_masked_row":
        m = rng.random((N, 1, L, S)) > 0.4
        m[0, 0, 2] = False
        m[1, 0, 4] = False
        tkw["attn_mask"], gkw["attn_mask"] = _mask_pair(m)
    elif case == "float_mask_grad":
        mask_pair = _pair(rng.standard_normal((N, Hq, L, S)), dtype)
        tkw["attn_mask"], gkw["attn_mask"] = mask_pair
    elif case in ("causal", "causal_rectangular"):
        tkw["is_causal"] = gkw["is_causal"] = True
    elif case == "scale":
        tkw["scale"] = gkw["scale"] = 0.37
    elif case == "gqa":
        tkw["enable_gqa"] = gkw["enable_gqa"] = True
    t_out = TF.scaled_dot_product_attention(tq, tk, tv, **tkw)
    g_out = F.scaled_dot_product_attention(gq, gk, gv, **gkw)
    _close(t_out, g_out, dtype, "output")
    w = rng.standard_normal(t_out.shape).astype(dtype)
    (t_out * torch.tensor(w)).sum().backward()
    (g_out * gn.tensor(w)).sum().backward()
    for t, g, name in ((tq, gq, "query"), (tk, gk, "key"), (tv, gv, "value")):
        _close(t.grad, g.grad, dtype, f"d {name}")
    if mask_pair is not None:
        _close(mask_pair[0].grad, mask_pair[1].grad, dtype, "d attn_mask")


def _mha_pair(dtype, **kwargs):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(8, 2, **kwargs).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    rng = np.random.default_rng(1)
    with torch.no_grad():  # non-zero biases so that their gradients are compared too
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape))))
    gm = nn.MultiheadAttention(8, 2, **kwargs).to(dtype)
    result = gm.load_state_dict(
        {k: gn.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}
    )
    assert not result.missing_keys and not result.unexpected_keys
    return tm, gm


MHA_CASES = [
    ("plain", {}, {}),
    ("batch_first_per_head_weights", {"batch_first": True}, {"average_attn_weights": False}),
    ("kdim_vdim", {"kdim": 5, "vdim": 3}, {}),
    ("no_bias_bias_kv_zero_attn", {"bias": False, "add_bias_kv": True, "add_zero_attn": True}, {}),
    ("padding_and_bool_mask", {}, {"key_padding_mask": "bool", "attn_mask": "bool"}),
    (
        "bias_kv_with_masks",
        {"add_bias_kv": True},
        {"key_padding_mask": "bool", "attn_mask": "bool"},
    ),
    ("float_3d_mask", {}, {"attn_mask": "float3d"}),
    ("causal_hint", {}, {"attn_mask": "causal", "is_causal": True}),
    ("no_weights", {}, {"need_weights": False, "key_padding_mask": "bool"}),
    ("fully_masked_no_weights", {}, {"need_weights": False, "key_padding_mask": "dead"}),
]


# Masks that differ per batch element ("dead" rows, 3-D float masks) only exist with a batch.
MHA_RUNS = [
    pytest.param(mod_kw, call_kw, batched, id=f"{name}-{'batched' if batched else 'unbatched'}")
    for name, mod_kw, call_kw in MHA_CASES
    for batched in (True, False)
    if batched or not any(v in ("dead", "float3d") for v in call_kw.values())
]


@pytest.mark.parametrize("mod_kw,call_kw,batched", MHA_RUNS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_mha_matches_torch(mod_kw, call_kw, dtype, batched):
    tm, gm = _mha_pair(dtype, **mod_kw)
    L, S, N, E = 4, 6, 3, 8
    kd, vd = mod_kw.get("kdim", E), mod_kw.get("vdim", E)
    bf = mod_kw.get("batch_first", False)
    rng = np.random.default_rng(2)

    def shape(length, feats):
        if not batched:
            return (length, feats)
        return (N, length, feats) if bf else (length, N, feats)

    tq, gq = _pair(rng.standard_normal(shape(L, E)), dtype)
    tk, gk = _pair(rng.standard_normal(shape(S, kd)), dtype)
    tv, gv = _pair(rng.standard_normal(shape(S, vd)), dtype)
    tkw, gkw = {}, {}
    for name, value in call_kw.items():
        if value == "bool" and name == "key_padding_mask":
            m = np.zeros((N, S) if batched else (S,), dtype=bool)
            m[..., -2:] = True
            if batched:
                m[1] = False
            tkw[name], gkw[name] = _mask_pair(m)
        elif value == "dead":
            m = np.zeros((N, S), dtype=bool)
            m[1] = True
            tkw[name], gkw[name] = _mask_pair(m)
        elif value == "bool":
            m = rng.random((L, S)) > 0.7
            m[:, 0] = False
            tkw[name], gkw[name] = _mask_pair(m)
        elif value == "float3d":
            tkw[name], gkw[name] = _pair(rng.standard_normal((N * 2, L, S)), dtype, False)
        elif value == "causal":
            tkw[name], gkw[name] = _mask_pair(np.triu(np.ones((L, S), dtype=bool), 1))
        else:
            tkw[name] = gkw[name] = value
    t_out, t_w = tm(tq, tk, tv, **tkw)
    g_out, g_w = gm(gq, gk, gv, **gkw)
    _close(t_out, g_out, dtype, "attn_output")
    assert (t_w is None) == (g_w is None)
    if t_w is not None:
        _close(t_w, g_w, dtype, "attn_weights")
    r = rng.standard_normal(t_out.shape).astype(dtype)
    t_loss = (t_out * torch.tensor(r)).sum()
    g_loss = (g_out * gn.tensor(r)).sum()
    if t_w is not None:
        t_loss = t_loss + (t_w**2).sum()
        g_loss = g_loss + (g_w**2).sum()
    t_loss.backward()
    g_loss.backward()
    for t, g, name in ((tq, gq, "query"), (tk, gk, "key"), (tv, gv, "value")):
        _close(t.grad, g.grad, dtype, f"d {name}")
    for name, p in tm.named_parameters():
        _close(p.grad, gm.get_parameter(name).grad, dtype, f"d {name}")


def test_mha_fully_masked_weights_are_nan_like_torch():
    tm, gm = _mha_pair(np.float64)
    x = np.random.default_rng(3).standard_normal((3, 2, 8))
    m = np.zeros((2, 3), dtype=bool)
    m[0] = True
    t_out, t_w = tm(*(torch.tensor(x),) * 3, key_padding_mask=torch.tensor(m))
    g_out, g_w = gm(*(gn.tensor(x),) * 3, key_padding_mask=gn.tensor(m))
    np.testing.assert_array_equal(np.isnan(g_w.numpy()), np.isnan(t_w.detach().numpy()))
    np.testing.assert_array_equal(np.isnan(g_out.numpy()), np.isnan(t_out.detach().numpy()))
    np.testing.assert_allclose(g_out.numpy()[:, 1], t_out.detach().numpy()[:, 1], rtol=1e-9)
