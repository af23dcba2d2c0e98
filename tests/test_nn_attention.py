"""Attention without torch: gradient checks with masks, mask semantics, MultiheadAttention shapes and errors."""

import math

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F


def _t(a, requires_grad=True):
    return gn.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _qkv(shape_q=(2, 3, 4), shape_k=(2, 5, 4), shape_v=(2, 5, 3), seed=0):
    rng = _rng(seed)
    return (
        _t(rng.standard_normal(shape_q)),
        _t(rng.standard_normal(shape_k)),
        _t(rng.standard_normal(shape_v)),
    )


def _reference(q, k, v, bias=None, scale=None):
    """softmax(q k^T * scale + bias) v in NumPy."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if bias is not None:
        s = s + bias
    e = np.exp(s - s.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)) @ v


# ----------------------------------------------------------------------------------------------
# scaled_dot_product_attention
# ----------------------------------------------------------------------------------------------

BOOL_MASK = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 1], [0, 1, 1, 1, 1]], dtype=bool)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"attn_mask": "bool"}, {"is_causal": True}, {"scale": 0.3}],
    ids=["plain", "bool_mask", "causal", "scale"],
)
def test_sdpa_gradcheck(kwargs):
    q, k, v = _qkv()
    if kwargs.get("attn_mask") == "bool":
        kwargs = {"attn_mask": gn.tensor(BOOL_MASK)}
    assert gn.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs), q, k, v)


def test_sdpa_gradcheck_float_mask_is_differentiable_too():
    q, k, v = _qkv(seed=1)
    mask = _t(_rng(2).standard_normal((3, 5)))
    assert gn.gradcheck(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v, mask
    )


def test_sdpa_gradgradcheck_causal():
    q, k, v = _qkv((1, 3, 2), (1, 3, 2), (1, 3, 2), seed=3)
    assert gn.gradgradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v
    )


def test_sdpa_matches_formula_and_bool_mask_means_may_attend():
    q, k, v = (x.numpy() for x in _qkv(seed=4))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=gn.tensor(BOOL_MASK))
    bias = np.where(BOOL_MASK, 0.0, -np.inf)
    np.testing.assert_allclose(out.numpy(), _reference(q, k, v, bias), rtol=1e-12)
    # Dropping the masked keys altogether gives the same result for a row.
    keep = BOOL_MASK[0]
    np.testing.assert_allclose(
        out.numpy()[:, 0], _reference(q[:, :1], k[:, keep], v[:, keep])[:, 0], rtol=1e-12
    )


def test_sdpa_causal_equals_lower_triangular_mask():
    q, k, v = _qkv((2, 4, 3), (2, 6, 3), (2, 6, 2), seed=5)
    tril = gn.tensor(np.tril(np.ones((4, 6), dtype=bool)))
    a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    b = F.scaled_dot_product_attention(q, k, v, attn_mask=tril)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    # The first query sees only the first key: its output is the first value.
    np.testing.assert_allclose(a.numpy()[:, 0], v.numpy()[:, 0], rtol=1e-12)


def test_sdpa_float_mask_is_added_and_scale_is_used():
    q, k, v = (x.numpy() for x in _qkv(seed=6))
    bias = _rng(7).standard_normal((3, 5))
    out = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), attn_mask=_t(bias, False), scale=0.7)
    np.testing.assert_allclose(out.numpy(), _reference(q, k, v, bias, 0.7), rtol=1e-12)


def test_sdpa_fully_masked_row_gives_zeros_and_zero_gradient():
    q, k, v = _qkv(seed=8)
    mask = BOOL_MASK.copy()
    mask[1] = False  # query 1 may attend to nothing
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=gn.tensor(mask))
    assert np.all(out.numpy()[:, 1] == 0) and np.all(np.isfinite(out.numpy()))
    out.sum().backward()
    assert np.all(np.isfinite(q.grad.numpy())) and np.all(q.grad.numpy()[:, 1] == 0)
    assert gn.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=gn.tensor(mask)), q, k, v
    )


def test_sdpa_grouped_query_attention_repeats_heads():
    rng = _rng(9)
    q = _t(rng.standard_normal((2, 4, 3, 5)))
    k, v = _t(rng.standard_normal((2, 2, 6, 5))), _t(rng.standard_normal((2, 2, 6, 5)))
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    k4 = np.repeat(k.numpy(), 2, axis=1)
    v4 = np.repeat(v.numpy(), 2, axis=1)
    np.testing.assert_allclose(out.numpy(), _reference(q.numpy(), k4, v4), rtol=1e-12)


def test_sdpa_dropout():
    q, k, v = _qkv(seed=10)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert np.all(out.numpy() == 0)
    gn.manual_seed(0)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    assert not np.allclose(a, F.scaled_dot_product_attention(q, k, v).numpy())


def test_sdpa_accepts_float32_and_keeps_dtype():
    q = gn.randn(2, 3, 4)
    out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
    assert out.dtype == np.float32 and out.shape == (2, 3, 4)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda q, k, v: F.scaled_dot_product_attention(
                q, k, v, attn_mask=gn.tensor(BOOL_MASK), is_causal=True
            ),
            ValueError,
            "either attn_mask or is_causal",
        ),
        (
            lambda q, k, v: F.scaled_dot_product_attention(q, k[..., :3], v),
            ValueError,
            r"same number of features .* query \(2, 3, 4\) and key \(2, 5, 3\)",
        ),
        (
            lambda q, k, v: F.scaled_dot_product_attention(q, k, v[:, :4]),
            ValueError,
            "key and value must have the same length",
        ),
        (
            lambda q, k, v: F.scaled_dot_product_attention(
                q, k, v, attn_mask=gn.ones(3, 4, dtype=gn.bool)
            ),
            ValueError,
            r"attn_mask of shape \(3, 4\) does not broadcast",
        ),
        (
            lambda q, k, v: F.scaled_dot_product_attention(q.numpy(), k, v),
            TypeError,
            "expected query to be a glassnet Tensor",
        ),
        (lambda q, k, v: F.scaled_dot_product_attention(q, k.float(), v), TypeError, "same dtype"),
        (
            lambda q, k, v: F.scaled_dot_product_attention(
                q, k, v, attn_mask=gn.ones(3, 5, dtype=gn.int64)
            ),
            TypeError,
            "bool or floating",
        ),
        (
            lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=1.5),
            ValueError,
            r"dropout_p must be in \[0, 1\]",
        ),
    ],
    ids=[
        "mask_and_causal",
        "features",
        "lengths",
        "mask_shape",
        "not_tensor",
        "dtype",
        "int_mask",
        "dropout",
    ],
)
def test_sdpa_errors(call, error, message):
    q, k, v = _qkv()
    with pytest.raises(error, match=message):
        call(q, k, v)


# ----------------------------------------------------------------------------------------------
# MultiheadAttention
# ----------------------------------------------------------------------------------------------


def _mha_gradcheck(m, query, key, value, **kwargs):
    names = [n for n, _ in m.named_parameters()]

    def f(q, k, v, *ps):
        saved = []
        for name, t in zip(names, ps):
            owner = m.get_submodule(name.rpartition(".")[0]) if "." in name else m
            attr = name.rpartition(".")[2]
            saved.append((owner, attr, owner._parameters[attr]))
            owner._parameters[attr] = t
        try:
            out, w = m(q, k, v, **kwargs)
            return out if w is None else gn.cat([out.reshape(-1), w.reshape(-1)])
        finally:
            for owner, attr, p in saved:
                owner._parameters[attr] = p

    params = [_t(p.numpy()) for _, p in m.named_parameters()]
    return gn.gradcheck(f, query, key, value, *params)


def test_mha_gradcheck_with_padding_and_attention_masks():
    m = nn.MultiheadAttention(4, 2).double()
    rng = _rng(11)
    for p in m.parameters():  # non-zero biases so that their gradients are exercised
        p.numpy()[...] = rng.uniform(-0.5, 0.5, p.shape)
    q = _t(rng.standard_normal((3, 2, 4)))  # (L, N, E)
    k, v = _t(rng.standard_normal((4, 2, 4))), _t(rng.standard_normal((4, 2, 4)))
    kpm = gn.tensor(np.array([[False, False, True, False], [False, False, False, True]]))
    am = gn.tensor(
        np.array(
            [[False, True, False, False], [False, False, False, False], [True, False, False, False]]
        )
    )
    assert _mha_gradcheck(m, q, k, v, key_padding_mask=kpm, attn_mask=am)


def test_mha_gradcheck_causal_batch_first_kdim_vdim():
    m = nn.MultiheadAttention(4, 2, kdim=3, vdim=2, batch_first=True).double()
    rng = _rng(12)
    q = _t(rng.standard_normal((2, 3, 4)))
    k, v = _t(rng.standard_normal((2, 3, 3))), _t(rng.standard_normal((2, 3, 2)))
    assert _mha_gradcheck(m, q, k, v, is_causal=True, need_weights=False)


def test_mha_gradcheck_bias_kv_and_zero_attn_unbatched():
    m = nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True).double()
    rng = _rng(13)
    q = _t(rng.standard_normal((3, 4)))
    assert _mha_gradcheck(m, q, q, q, average_attn_weights=False)


def test_mha_shapes_and_weights():
    m = nn.MultiheadAttention(8, 2)
    q, kv = gn.randn(5, 3, 8), gn.randn(7, 3, 8)
    out, w = m(q, kv, kv)
    assert out.shape == (5, 3, 8) and w.shape == (3, 5, 7)
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0, rtol=1e-5)
    out, w = m(q, kv, kv, average_attn_weights=False)
    assert w.shape == (3, 2, 5, 7)
    out, w = m(q, kv, kv, need_weights=False)
    assert w is None and out.shape == (5, 3, 8)
    out, w = m(q[:, 0], kv[:, 0], kv[:, 0])  # unbatched
    assert out.shape == (5, 8) and w.shape == (5, 7)
    mb = nn.MultiheadAttention(8, 2, batch_first=True)
    mb.load_state_dict(m.state_dict())
    out_b, w_b = mb(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1))
    out_t, w_t = m(q, kv, kv)
    np.testing.assert_allclose(out_b.transpose(0, 1).numpy(), out_t.numpy(), rtol=1e-5, atol=1e-6)


def test_mha_single_head_is_sdpa_between_projections():
    m = nn.MultiheadAttention(4, 1, batch_first=True).double()
    x = _t(_rng(14).standard_normal((2, 3, 4)), False)
    out, _ = m(x, x, x, is_causal=True)
    w, b = m.in_proj_weight.numpy(), m.in_proj_bias.numpy()
    xs = x.numpy()
    q, k, v = (xs @ w[i * 4 : (i + 1) * 4].T + b[i * 4 : (i + 1) * 4] for i in range(3))
    att = _reference(q, k, v, np.triu(np.full((3, 3), -np.inf), 1))
    expected = att @ m.out_proj.weight.numpy().T + m.out_proj.bias.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


def test_mha_key_padding_mask_ignores_keys():
    m = nn.MultiheadAttention(4, 2)
    q, kv = gn.randn(3, 2, 4), gn.randn(5, 2, 4)
    kpm = np.zeros((2, 5), dtype=bool)
    kpm[0, 3:] = True
    out, w = m(q, kv, kv, key_padding_mask=gn.tensor(kpm))
    assert np.all(w.numpy()[0, :, 3:] == 0)
    out_cut, _ = m(q[:, :1], kv[:3, :1], kv[:3, :1])  # the padded keys removed
    np.testing.assert_allclose(out.numpy()[:, :1], out_cut.numpy(), rtol=1e-5, atol=1e-6)


def test_mha_fully_masked_query_nan_weights_like_pytorch():
    m = nn.MultiheadAttention(4, 2)
    x = gn.randn(3, 1, 4)
    kpm = gn.tensor(np.ones((1, 3), dtype=bool))
    _, w = m(x, x, x, key_padding_mask=kpm)
    assert np.all(np.isnan(w.numpy()))
    out, _ = m(x, x, x, key_padding_mask=kpm, need_weights=False)
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(m.out_proj.bias.numpy(), (3, 1, 4)))


def test_mha_dropout_in_training_only():
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = gn.randn(4, 2, 8)
    a, _ = m(x, x, x)
    b, _ = m(x, x, x)
    assert not np.allclose(a.numpy(), b.numpy())
    m.eval()
    np.testing.assert_array_equal(m(x, x, x)[0].numpy(), m(x, x, x)[0].numpy())


def test_mha_parameters_and_initialisation():
    gn.manual_seed(0)
    m = nn.MultiheadAttention(6, 3)
    assert [n for n, _ in m.named_parameters()] == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert m.in_proj_weight.shape == (18, 6) and m.head_dim == 2
    bound = math.sqrt(6 / (6 + 18))  # Xavier uniform, fan_in 6, fan_out 18
    assert np.abs(m.in_proj_weight.numpy()).max() <= bound
    assert np.all(m.in_proj_bias.numpy() == 0) and np.all(m.out_proj.bias.numpy() == 0)
    m2 = nn.MultiheadAttention(6, 3, kdim=4, vdim=5, bias=False, add_bias_kv=True)
    assert [n for n, _ in m2.named_parameters()] == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "bias_k",
        "bias_v",
        "out_proj.weight",
    ]
    assert m2.k_proj_weight.shape == (6, 4) and m2.v_proj_weight.shape == (6, 5)
    assert m2.in_proj_weight is None and m2.in_proj_bias is None


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda m, q, kv: m(q[..., :3], kv, kv),
            ValueError,
            r"^MultiheadAttention: expected query of shape \(L, N, 4\) or \(L, 4\), got \(3, 2, 3\)",
        ),
        (
            lambda m, q, kv: m(q, kv[..., :2], kv),
            ValueError,
            r"expected key of shape \(S, N, 4\), got \(5, 2, 2\)",
        ),
        (lambda m, q, kv: m(q, kv, kv[:4]), ValueError, "same sequence length"),
        (lambda m, q, kv: m(q, kv[:, :1], kv[:, :1]), ValueError, "same batch size"),
        (
            lambda m, q, kv: m(q, kv, kv, attn_mask=gn.ones(3, 4, dtype=gn.bool)),
            ValueError,
            r"expected attn_mask of shape \(3, 5\) or \(4, 3, 5\), got \(3, 4\)",
        ),
        (
            lambda m, q, kv: m(q, kv, kv, key_padding_mask=gn.ones(5, 2, dtype=gn.bool)),
            ValueError,
            r"expected key_padding_mask of shape \(2, 5\), got \(5, 2\)",
        ),
        (lambda m, q, kv: m(q.double(), kv, kv), TypeError, "expected query of dtype float32"),
        (
            lambda m, q, kv: m(q, kv, kv, attn_mask=gn.ones(3, 5, dtype=gn.int64)),
            TypeError,
            "bool or floating",
        ),
    ],
    ids=["query", "key", "lengths", "batch", "attn_mask", "padding_mask", "dtype", "int_mask"],
)
def test_mha_errors(call, error, message):
    m = nn.MultiheadAttention(4, 2)
    with pytest.raises(error, match=message):
        call(m, gn.randn(3, 2, 4), gn.randn(5, 2, 4))


def test_mha_constructor_errors():
    with pytest.raises(ValueError, match=r"embed_dim \(10\) must be divisible by num_heads \(3\)"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        nn.MultiheadAttention(10, 0)
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\]"):
        nn.MultiheadAttention(10, 2, dropout=-0.1)


def test_mha_error_names_layer_path():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(4, 2)

        def forward(self, x):
            return self.attn(x, x, x)[0]

    model = nn.Sequential(Block())
    with pytest.raises(ValueError, match=r"^0\.attn \(MultiheadAttention\): expected query"):
        model(gn.randn(3, 2, 5))
