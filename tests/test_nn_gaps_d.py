"""PyTorch parity of the F / nn names added to close gaps: in-place activations, pooling
``*_with_indices``, fractional 3-D pooling, deprecated upsample names, native_channel_shuffle,
multi_head_attention_forward, nn.Buffer, nn.NLLLoss2d and the convolution gradients (F.grad)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
import glassnet.nn.functional as F
from glassnet.errors import ShapeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional
torch_grad = pytest.importorskip("torch.nn.grad")  # a submodule torch.nn does not load itself


def _pair(shape, seed, dtype=np.float64):
    data = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return gn.tensor(data), torch.tensor(data)


def _close(g, t, tol=1e-10):
    np.testing.assert_allclose(g.numpy(), t.detach().numpy(), rtol=tol, atol=tol)


# ---------------------------------------------------------------------- in-place activations

INPLACE = [
    ("relu_", ()),
    ("elu_", (0.7,)),
    ("leaky_relu_", (0.2,)),
    ("hardtanh_", (-0.5, 0.8)),
    ("celu_", (1.3,)),
    ("rrelu_", (0.1, 0.3, False)),
    ("selu_", ()),
    ("threshold_", (0.1, -2.0)),
]


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_activation_writes_into_input(name, args):
    g, t = _pair((4, 5), 0)
    out_g = getattr(F, name)(g, *args)
    out_t = getattr(TF, name)(t, *args)
    assert out_g is g  # the input itself, changed
    _close(g, t)
    _close(out_g, out_t)


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_activation_gradient_flows_through(name, args):
    data = np.random.default_rng(1).standard_normal((3, 6))
    weights = np.random.default_rng(2).standard_normal((3, 6))
    a_g = gn.tensor(data, requires_grad=True)
    a_t = torch.tensor(data, requires_grad=True)
    b_g, b_t = a_g * 1.5, a_t * 1.5
    getattr(F, name)(b_g, *args)
    getattr(TF, name)(b_t, *args)
    (b_g * gn.tensor(weights)).sum().backward()
    (b_t * torch.tensor(weights)).sum().backward()
    # torch's in-place CELU backward works from the result and is less accurate (~4e-8 here)
    _close(a_g.grad, a_t.grad, 1e-6 if name == "celu_" else 1e-10)
    # and the in-place form's gradient is exactly the out-of-place form's
    c_g = gn.tensor(data, requires_grad=True)
    (getattr(F, name[:-1])(c_g * 1.5, *args) * gn.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(a_g.grad.numpy(), c_g.grad.numpy())


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_activation_refuses_leaf_requiring_grad(name, args):
    g = gn.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        getattr(TF, name)(torch.randn(3, requires_grad=True), *args)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        getattr(F, name)(g, *args)


def test_inplace_activation_bad_input_and_version():
    with pytest.raises(TypeError, match="elu_: expected input to be a glassnet Tensor"):
        F.elu_(np.zeros(3))
    with pytest.raises(ValueError, match=r"hardtanh_: min_val \(1\) must not exceed max_val"):
        F.hardtanh_(gn.randn(3), 1, 0)
    x = gn.randn(3)
    version = x._version[0]
    F.leaky_relu_(x)
    assert x._version[0] == version + 1


def test_rrelu_inplace_training_draws_slopes_in_range():
    gn.manual_seed(0)
    data = -np.abs(np.random.default_rng(3).standard_normal(1000)) - 0.1
    x = gn.tensor(data)
    F.rrelu_(x, 0.2, 0.4, training=True)
    slopes = x.numpy() / data
    assert slopes.min() >= 0.2 and slopes.max() <= 0.4 and slopes.std() > 0.03


# ---------------------------------------------------------------------- pooling with indices

MAX_POOLS = [
    ("max_pool1d_with_indices", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d_with_indices", (2, 3, 9, 8), dict(kernel_size=(3, 2), stride=2, dilation=1)),
    ("max_pool3d_with_indices", (1, 2, 6, 7, 5), dict(kernel_size=2, ceil_mode=True)),
    ("adaptive_max_pool1d_with_indices", (2, 3, 10), dict(output_size=4)),
    ("adaptive_max_pool2d_with_indices", (2, 3, 9, 7), dict(output_size=(4, 3))),
    ("adaptive_max_pool3d_with_indices", (1, 2, 6, 5, 7), dict(output_size=(3, 2, 4))),
]


@pytest.mark.parametrize("name,shape,kwargs", MAX_POOLS, ids=[m[0] for m in MAX_POOLS])
def test_pool_with_indices_matches_torch(name, shape, kwargs):
    g, t = _pair(shape, 4)
    g.requires_grad_(True)
    t.requires_grad_(True)
    result_g = getattr(F, name)(g, **kwargs)  # return_indices left False: still a pair
    result_t = getattr(TF, name)(t, **kwargs)
    assert isinstance(result_g, tuple) and len(result_g) == 2
    (y_g, i_g), (y_t, i_t) = result_g, result_t
    _close(y_g, y_t)
    np.testing.assert_array_equal(i_g.numpy(), i_t.numpy())
    up = np.random.default_rng(5).standard_normal(y_t.shape)
    (y_g * gn.tensor(up)).sum().backward()
    (y_t * torch.tensor(up)).sum().backward()
    _close(g.grad, t.grad)


def test_pool_with_indices_bad_input_names_itself():
    with pytest.raises(ShapeError, match=r"^max_pool2d_with_indices: expected a 3-D"):
        F.max_pool2d_with_indices(gn.randn(5), 2)
    with pytest.raises(TypeError, match="^adaptive_max_pool1d_with_indices: "):
        F.adaptive_max_pool1d_with_indices(np.zeros((1, 2, 3)), 2)


# ---------------------------------------------------------------------- fractional pooling

FRACTIONAL = [
    ((2, 3, 9, 8, 7), 2, dict(output_size=(4, 5, 3))),
    ((1, 2, 7, 9, 11), (2, 3, 2), dict(output_size=(3, 4, 6))),
    ((2, 9, 8, 10), 2, dict(output_ratio=(0.5, 0.7, 0.6))),  # unbatched (C, D, H, W)
]


@pytest.mark.parametrize("shape,kernel,kwargs", FRACTIONAL, ids=["size", "kernel3", "ratio"])
def test_fractional_max_pool3d_matches_torch(shape, kernel, kwargs):
    g, t = _pair(shape, 6, np.float32)
    n, c = (shape[0], shape[1]) if len(shape) == 5 else (1, shape[0])
    samples = np.random.default_rng(7).random((n, c, 3)).astype(np.float32)
    g.requires_grad_(True)
    t.requires_grad_(True)
    y_g, i_g = F.fractional_max_pool3d(g, kernel, return_indices=True,
                                       _random_samples=gn.tensor(samples), **kwargs)  # fmt: skip
    y_t, i_t = TF.fractional_max_pool3d(t, kernel, return_indices=True,
                                        _random_samples=torch.tensor(samples), **kwargs)  # fmt: skip
    _close(y_g, y_t, 0)
    np.testing.assert_array_equal(i_g.numpy(), i_t.numpy())
    up = np.random.default_rng(8).standard_normal(y_t.shape).astype(np.float32)
    (y_g * gn.tensor(up)).sum().backward()
    (y_t * torch.tensor(up)).sum().backward()
    _close(g.grad, t.grad, 1e-6)


def test_fractional_with_indices_and_layer_match_torch():
    g, t = _pair((2, 3, 10, 9), 9, np.float32)
    samples = np.random.default_rng(10).random((2, 3, 2)).astype(np.float32)
    y_g, i_g = F.fractional_max_pool2d_with_indices(g, 3, output_size=(5, 4),
                                                    _random_samples=gn.tensor(samples))  # fmt: skip
    y_t, i_t = TF.fractional_max_pool2d_with_indices(t, 3, output_size=(5, 4),
                                                     _random_samples=torch.tensor(samples))  # fmt: skip
    _close(y_g, y_t, 0)
    np.testing.assert_array_equal(i_g.numpy(), i_t.numpy())
    g5, t5 = _pair((2, 3, 8, 9, 10), 11, np.float32)
    s5 = np.random.default_rng(12).random((2, 3, 3)).astype(np.float32)
    layer_g = nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=gn.tensor(s5))
    layer_t = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=torch.tensor(s5))
    _close(layer_g(g5), layer_t(t5), 0)
    y, i = F.fractional_max_pool3d_with_indices(g5, 2, output_size=3)
    assert y.shape == (2, 3, 3, 3, 3) and i.shape == (2, 3, 3, 3, 3)
    assert not isinstance(layer_g, nn.FractionalMaxPool2d)


def test_fractional_max_pool3d_bad_input():
    x = gn.randn(1, 2, 6, 6, 6)
    with pytest.raises(ShapeError, match=r"_random_samples of shape \(1, 2, 3\)"):
        F.fractional_max_pool3d(x, 2, output_size=3, _random_samples=gn.rand(1, 2, 2))
    with pytest.raises(ShapeError, match="output depth 6 with kernel 2 needs an input depth"):
        F.fractional_max_pool3d(x, 2, output_size=(6, 3, 3))
    with pytest.raises(ValueError, match="output_ratio must be a number or 3 numbers"):
        F.fractional_max_pool3d(x, 2, output_ratio=(0.5, 0.5))
    with pytest.raises(ShapeError, match=r"FractionalMaxPool3d: expected input of shape"):
        nn.FractionalMaxPool3d(2, output_size=2)(gn.randn(2, 6, 6))


# ---------------------------------------------------------------------- deprecated names

UPSAMPLE = [
    ("upsample", dict(scale_factor=2, mode="nearest")),
    ("upsample", dict(size=(5, 7), mode="bilinear", align_corners=False)),
    ("upsample_nearest", dict(size=(6, 5))),
    ("upsample_bilinear", dict(scale_factor=2)),
    ("upsample_bilinear", dict(size=(7, 4))),
]


@pytest.mark.parametrize(
    "name,kwargs", UPSAMPLE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(UPSAMPLE)]
)
def test_upsample_names_match_torch_and_warn(name, kwargs):
    g, t = _pair((2, 3, 4, 3), 13)
    g.requires_grad_(True)
    t.requires_grad_(True)
    with pytest.warns(UserWarning, match="deprecated"):
        y_g = getattr(F, name)(g, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y_t = getattr(TF, name)(t, **kwargs)
    _close(y_g, y_t)
    up = np.random.default_rng(14).standard_normal(y_t.shape)
    (y_g * gn.tensor(up)).sum().backward()
    (y_t * torch.tensor(up)).sum().backward()
    _close(g.grad, t.grad)


def test_native_channel_shuffle_matches_torch():
    g, t = _pair((2, 6, 3, 2), 15, np.float32)
    _close(F.native_channel_shuffle(g, 3), TF.native_channel_shuffle(t, 3), 0)
    with pytest.raises(ShapeError, match="divisible by groups"):
        F.native_channel_shuffle(g, 4)


# ---------------------------------------------------------------------- nn.Buffer, NLLLoss2d


def test_buffer_assignment_registers_buffers_as_torch():
    def build(lib):
        m = lib.nn.Module()
        m.mean = lib.nn.Buffer(lib.zeros(3))
        m.cache = lib.nn.Buffer(lib.ones(2), persistent=False)
        m.weight = lib.nn.Parameter(lib.ones(2))
        return m

    m_g, m_t = build(gn), build(torch)
    assert list(dict(m_g.named_buffers())) == list(dict(m_t.named_buffers())) == ["mean", "cache"]
    assert list(m_g.state_dict()) == list(m_t.state_dict()) == ["weight", "mean"]
    assert type(m_g.mean) is gn.Tensor and isinstance(m_g.mean, nn.Buffer)
    assert not isinstance(gn.zeros(2), nn.Buffer)
    m_g.cache = nn.Buffer(gn.zeros(2))  # re-assigned as persistent: now in the state dict
    assert "cache" in m_g.state_dict()
    source = gn.randn(2, requires_grad=True)
    b = nn.Buffer(source)
    assert b.requires_grad and b.is_leaf and nn.Buffer().shape == (0,)


def test_buffer_bad_input():
    with pytest.raises(TypeError, match="Buffer: expected a glassnet Tensor or None, got list"):
        nn.Buffer([1.0, 2.0])
    m = nn.Module()
    m.w = nn.Parameter(gn.ones(2))
    with pytest.raises(TypeError):
        m.w = nn.Buffer(gn.ones(2))
    m.plain = 3
    with pytest.raises(ValueError, match="attribute 'plain' already exists"):
        m.plain = nn.Buffer(gn.ones(2))


def test_nll_loss2d_is_nll_loss_and_warns():
    g, t = _pair((2, 4, 3, 5), 16)
    target = np.random.default_rng(17).integers(0, 4, (2, 3, 5))
    target[0, 0, 0] = -100
    with pytest.warns(FutureWarning, match="NLLLoss2d is deprecated"):
        loss_g = nn.NLLLoss2d(reduction="sum")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss_t = torch.nn.NLLLoss2d(reduction="sum")
    assert isinstance(loss_g, nn.NLLLoss)
    g.requires_grad_(True)
    t.requires_grad_(True)
    out_g = loss_g(F.log_softmax(g, 1), gn.tensor(target))
    out_t = loss_t(TF.log_softmax(t, 1), torch.tensor(target))
    _close(out_g, out_t)
    out_g.backward()
    out_t.backward()
    _close(g.grad, t.grad)


# ---------------------------------------------------------------------- F.grad: conv gradients

CONV_GRADS = [
    (1, (2, 4, 11), (6, 2, 3), dict(stride=2, padding=1, dilation=1, groups=2)),
    (2, (2, 3, 8, 7), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=1)),
    (2, (1, 4, 9, 9), (4, 1, 3, 3), dict(stride=3, padding=2, dilation=2, groups=4)),
    (3, (1, 2, 5, 6, 5), (3, 2, 2, 3, 2), dict(stride=2, padding=1)),
]


@pytest.mark.parametrize(
    "nd,x_shape,w_shape,kwargs", CONV_GRADS, ids=["1d", "2d", "2d-groups", "3d"]
)
def test_conv_gradients_match_torch(nd, x_shape, w_shape, kwargs):
    x_g, x_t = _pair(x_shape, 18)
    w_g, w_t = _pair(w_shape, 19)
    y_t = getattr(TF, f"conv{nd}d")(x_t, w_t, None, **kwargs)
    up_g, up_t = _pair(tuple(y_t.shape), 20)
    for lib_g, lib_t in ((F.grad, torch_grad), (nn.grad, torch_grad)):
        gi = getattr(lib_g, f"conv{nd}d_input")(x_g.shape, w_g, up_g, **kwargs)
        ti = getattr(lib_t, f"conv{nd}d_input")(x_t.shape, w_t, up_t, **kwargs)
        _close(gi, ti)
        gw = getattr(lib_g, f"conv{nd}d_weight")(x_g, w_g.shape, up_g, **kwargs)
        tw = getattr(lib_t, f"conv{nd}d_weight")(x_t, w_t.shape, up_t, **kwargs)
        _close(gw, tw)
    assert not gi.requires_grad and not gw.requires_grad


def test_conv_gradients_are_differentiable_again():
    x_g, x_t = _pair((2, 3, 6, 6), 21)
    w_g, w_t = _pair((4, 3, 3, 3), 22)
    up_g, up_t = _pair((2, 4, 4, 4), 23)
    w_g.requires_grad_(True)
    w_t.requires_grad_(True)
    up_g.requires_grad_(True)
    up_t.requires_grad_(True)
    probe = np.random.default_rng(24).standard_normal((2, 3, 6, 6))
    gi = F.grad.conv2d_input(x_g.shape, w_g, up_g)
    ti = torch_grad.conv2d_input(x_t.shape, w_t, up_t)
    (gi * gn.tensor(probe)).sum().backward()
    (ti * torch.tensor(probe)).sum().backward()
    _close(w_g.grad, w_t.grad)
    _close(up_g.grad, up_t.grad)


def test_conv_gradients_bad_input():
    w = gn.randn(4, 3, 3, 3)
    with pytest.raises(ShapeError, match=r"conv2d_input: grad_output has shape \(2, 4, 5, 5\)"):
        F.grad.conv2d_input((2, 3, 6, 6), w, gn.randn(2, 4, 5, 5))
    with pytest.raises(ShapeError, match="conv2d_weight: expected weight_size of 4"):
        F.grad.conv2d_weight(gn.randn(2, 3, 6, 6), (4, 3, 3), gn.randn(2, 4, 4, 4))
    with pytest.raises(TypeError, match="conv1d_input: expected input_size as a sequence"):
        F.grad.conv1d_input(5, gn.randn(2, 1, 3), gn.randn(1, 2, 3))
    with pytest.raises(TypeError, match="conv3d_weight: "):
        F.grad.conv3d_weight(np.zeros((1, 1, 3, 3, 3)), (1, 1, 2, 2, 2), gn.randn(1, 1, 2, 2, 2))


# ---------------------------------------------------------------------- multi_head_attention_forward

L_, S_, N_, E_, H_ = 4, 5, 2, 6, 3


def _mha_case(case, seed=30):
    """The arguments of one case, as (glassnet kwargs, torch kwargs, names with gradients)."""
    rng = np.random.default_rng(seed)

    def both(*shape, kind="normal"):
        if kind == "bool":
            data = rng.random(shape) < 0.3
        else:
            data = rng.standard_normal(shape) * (0.5 if kind == "normal" else 1.0)
        return gn.tensor(data), torch.tensor(data)

    batched = case != "unbatched"
    seq = (lambda n: (n, N_, E_)) if batched else (lambda n: (n, E_))
    args = {
        "query": both(*seq(L_)),
        "key": both(*seq(S_)),
        "value": both(*seq(S_)),
        "in_proj_weight": both(3 * E_, E_),
        "in_proj_bias": both(3 * E_),
        "out_proj_weight": both(E_, E_),
        "out_proj_bias": both(E_),
    }
    plain = {"embed_dim_to_check": E_, "num_heads": H_, "bias_k": None, "bias_v": None,
             "add_zero_attn": False, "dropout_p": 0.0, "training": False}  # fmt: skip
    if case == "masks":
        args["bias_k"], args["bias_v"] = both(1, 1, E_), both(1, 1, E_)
        args["attn_mask"] = both(L_, S_)
        args["key_padding_mask"] = both(N_, S_, kind="bool")
        args["key_padding_mask"][0].array[:, 0] = False  # no row fully masked
        args["key_padding_mask"][1][:, 0] = False
        plain["add_zero_attn"] = True
    if case == "mask3d":
        mask = both(N_ * H_, L_, S_, kind="bool")
        mask[0].array[..., 0] = False
        mask[1][..., 0] = False
        args["attn_mask"] = mask
        plain["average_attn_weights"] = False
    if case == "separate":
        args["in_proj_weight"] = (None, None)
        args["q_proj_weight"], args["k_proj_weight"], args["v_proj_weight"] = (
            both(E_, E_), both(E_, E_), both(E_, E_))  # fmt: skip
        plain["use_separate_proj_weight"] = True
    if case == "static":
        args["static_k"], args["static_v"] = both(N_ * H_, 7, E_ // H_), both(N_ * H_, 7, E_ // H_)
    if case == "no_weights":
        plain["need_weights"] = False
    g_kw = plain | {name: pair[0] for name, pair in args.items()}
    t_kw = plain | {name: pair[1] for name, pair in args.items()}
    differentiable = [n for n, pair in args.items() if pair[0] is not None and
                      pair[0].array.dtype.kind == "f"]  # fmt: skip
    return g_kw, t_kw, differentiable


MHA_CASES = ["plain", "unbatched", "masks", "mask3d", "separate", "static", "no_weights"]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")  # torch's, on purpose
@pytest.mark.parametrize("case", MHA_CASES)
def test_multi_head_attention_forward_matches_torch(case):
    g_kw, t_kw, names = _mha_case(case)
    for name in names:
        g_kw[name].requires_grad_(True)
        t_kw[name].requires_grad_(True)
    out_g, w_g = F.multi_head_attention_forward(**g_kw)
    out_t, w_t = TF.multi_head_attention_forward(**t_kw)
    _close(out_g, out_t)
    if case == "no_weights":
        assert w_g is None and w_t is None
    else:
        _close(w_g, w_t)
    up = np.random.default_rng(31).standard_normal(out_t.shape)
    loss_g = (out_g * gn.tensor(up)).sum() + (0 if w_g is None else (w_g**2).sum())
    loss_t = (out_t * torch.tensor(up)).sum() + (0 if w_t is None else (w_t**2).sum())
    loss_g.backward()
    loss_t.backward()
    for name in names:
        if t_kw[name].grad is None:  # unused (key and value beside static_k / static_v)
            assert g_kw[name].grad is None, name
        else:
            _close(g_kw[name].grad, t_kw[name].grad)


def test_multi_head_attention_forward_agrees_with_the_layer():
    gn.manual_seed(0)
    mha = nn.MultiheadAttention(E_, H_, add_bias_kv=True)
    x = gn.randn(L_, N_, E_)
    expected, weights = mha(x, x, x)
    out, w = F.multi_head_attention_forward(
        x, x, x, E_, H_, mha.in_proj_weight, mha.in_proj_bias, mha.bias_k, mha.bias_v, False,
        0.0, mha.out_proj.weight, mha.out_proj.bias)  # fmt: skip
    _close(out, expected, 1e-6)
    _close(w, weights, 1e-6)


def test_multi_head_attention_forward_bad_input():
    g_kw, _, _ = _mha_case("plain")
    with pytest.raises(ShapeError, match="expected query with 5 features"):
        F.multi_head_attention_forward(**(g_kw | {"embed_dim_to_check": 5}))
    with pytest.raises(ValueError, match="embed_dim 6 must be divisible by num_heads, got 4"):
        F.multi_head_attention_forward(**(g_kw | {"num_heads": 4}))
    with pytest.raises(ShapeError, match=r"expected attn_mask of shape \(4, 5\) or \(6, 4, 5\)"):
        F.multi_head_attention_forward(**(g_kw | {"attn_mask": gn.zeros(5, 4)}))
    with pytest.raises(ShapeError, match=r"expected key_padding_mask of shape \(2, 5\)"):
        F.multi_head_attention_forward(**(g_kw | {"key_padding_mask": gn.zeros(2, 4)}))
    with pytest.raises(TypeError, match="expected in_proj_weight to be a glassnet Tensor"):
        F.multi_head_attention_forward(**(g_kw | {"in_proj_weight": None}))


NEW_F_NAMES = [
    "relu_", "elu_", "leaky_relu_", "hardtanh_", "celu_", "rrelu_", "selu_", "threshold_",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d", "fractional_max_pool3d_with_indices", "upsample",
    "upsample_nearest", "upsample_bilinear", "native_channel_shuffle",
    "multi_head_attention_forward", "grad",
]  # fmt: skip


def test_new_names_are_where_torch_has_them():
    for name in NEW_F_NAMES:
        assert hasattr(TF, name) and hasattr(F, name), name
    for name in ("Buffer", "NLLLoss2d", "FractionalMaxPool3d"):
        assert hasattr(torch.nn, name) and hasattr(nn, name), name
    assert nn.grad is F.grad
    public = {n for n in dir(torch_grad) if n.startswith("conv")}
    assert public == {n for n in dir(F.grad) if n.startswith("conv")}
