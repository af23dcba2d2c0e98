"""Linear, activations, dropout, embedding, one_hot, pad, Identity/Flatten/Unflatten (no torch needed).

Gradients are checked against finite differences in float64 (first and second order);
forward values against NumPy formulas; errors for their messages (naming the layer's path).
"""

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import autograd, nn
from glassnet.nn import functional as F
from glassnet.ops import nn as ops_nn


def _t(shape, low=-2.0, high=2.0, seed=0, grad=True, avoid=(0.0,)):
    """A float64 tensor of uniform values kept >= 0.05 away from the points in ``avoid``."""
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    for k in avoid:
        near = np.abs(x - k) < 0.05
        x = np.where(near, k + np.where(x >= k, 0.1, -0.1), x)
    return gn.tensor(x, dtype=gn.float64, requires_grad=grad)


# ====================================================================== Linear


@pytest.mark.parametrize(
    ("x_shape", "bias"),
    [((4, 3), True), ((4, 3), False), ((2, 3, 3), True), ((3,), True), ((2, 1, 2, 3), False)],
    ids=["2d-bias", "2d-nobias", "3d-bias", "1d-bias", "4d-nobias"],
)
def test_linear_gradcheck(x_shape, bias):
    x = _t(x_shape, seed=1)
    w = _t((5, 3), seed=2)
    if bias:
        b = _t((5,), seed=3)
        assert gn.gradcheck(F.linear, x, w, b)
        assert gn.gradgradcheck(F.linear, x, w, b)
    else:
        assert gn.gradcheck(F.linear, x, w)
        assert gn.gradgradcheck(F.linear, x, w)


def test_linear_forward_is_x_wt_plus_b_for_any_leading_dims():
    fc = nn.Linear(6, 4)
    x = gn.randn(2, 3, 6)
    expected = x.numpy() @ fc.weight.numpy().T + fc.bias.numpy()
    y = fc(x)
    assert y.shape == (2, 3, 4) and y.dtype == gn.float32
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert fc(gn.randn(6)).shape == (4,)
    assert fc(gn.randn(0, 6)).shape == (0, 4)


def test_linear_fused_gradients_equal_the_composed_ones():
    """The fast first-order path gives the same numbers as transpose + matmul + add."""
    fc = nn.Linear(7, 5)
    x = gn.randn(3, 4, 7, requires_grad=True)
    g = gn.randn(3, 4, 5)
    fc(x).backward(g)
    fused = [x.grad.numpy(), fc.weight.grad.numpy(), fc.bias.grad.numpy()]
    x.grad = fc.weight.grad = fc.bias.grad = None
    (x @ fc.weight.t() + fc.bias).backward(g)
    composed = [x.grad.numpy(), fc.weight.grad.numpy(), fc.bias.grad.numpy()]
    for a, b in zip(fused, composed):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_linear_only_computes_the_gradients_that_are_needed():
    fc = nn.Linear(3, 2, bias=False)
    x = gn.randn(4, 3)  # data: no gradient wanted
    fc(x).sum().backward()
    assert x.grad is None and fc.weight.grad.shape == (2, 3)
    np.testing.assert_allclose(fc.weight.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)), rtol=1e-6)


def test_linear_parameters_repr_and_options():
    fc = nn.Linear(784, 10)
    assert repr(fc) == "Linear(in_features=784, out_features=10, bias=True)"
    assert [n for n, _ in fc.named_parameters()] == ["weight", "bias"]
    assert fc.weight.shape == (10, 784) and fc.bias.shape == (10,)
    nb = nn.Linear(3, 2, bias=False, dtype=gn.float64)
    assert nb.bias is None and list(nb.state_dict()) == ["weight"]
    assert nb.weight.dtype == gn.float64
    assert "bias=False" in repr(nb)
    before = fc.weight.numpy().copy()
    fc.reset_parameters()
    assert not np.array_equal(before, fc.weight.numpy())
    with pytest.raises(ValueError, match="in_features must be a non-negative integer"):
        nn.Linear(3.5, 2)
    with pytest.raises(ValueError, match="CPU only"):
        nn.Linear(3, 2, device="cuda")


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 100)
        self.fc2 = nn.Linear(784, 10)  # bug on purpose: should take 100 inputs

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


class _Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = _Encoder()

    def forward(self, x):
        return self.encoder(x)


def test_linear_shape_error_names_the_layer_path():
    model = _Model()
    with pytest.raises(ValueError) as info:
        model(gn.randn(32, 784))
    assert (
        str(info.value) == "encoder.fc2 (Linear): expected input of shape (*, 784), got (32, 100)"
    )
    with pytest.raises(ValueError, match=r"^Linear: expected input of shape \(\*, 3\), got \(\)$"):
        nn.Linear(3, 2)(gn.tensor(1.0))


def test_linear_type_and_dtype_errors():
    fc = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(TypeError, match=r"0 \(Linear\): expected input to be a glassnet Tensor"):
        fc(np.zeros((2, 3)))
    with pytest.raises(TypeError, match=r"0 \(Linear\): .*same floating dtype.*input float64"):
        fc(gn.zeros(2, 3, dtype=gn.float64))
    with pytest.raises(TypeError, match="input int64"):
        fc(gn.zeros(2, 3, dtype=gn.int64))
    with pytest.raises(
        ValueError, match=r"linear: expected bias of shape \(2,\), got shape \(3,\)"
    ):
        F.linear(gn.zeros(1, 3), gn.zeros(2, 3), gn.zeros(3))
    with pytest.raises(ValueError, match="weight to be a 2-D Tensor"):
        F.linear(gn.zeros(1, 3), gn.zeros(3))


# ====================================================================== activations

_ERF = np.vectorize(math.erf)
SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805
KINKS = (0.0, 3.0, -3.0, 6.0, -0.5, 1.5, 0.1, 1.0, -1.0)


def _sig(x):
    return 1 / (1 + np.exp(-x))


# (id, functional call, module, NumPy reference)
ACTIVATIONS = [
    ("relu", F.relu, nn.ReLU(), lambda x: np.maximum(x, 0)),
    ("relu6", F.relu6, nn.ReLU6(), lambda x: np.clip(x, 0, 6)),
    (
        "leaky_relu",
        lambda x: F.leaky_relu(x, 0.2),
        nn.LeakyReLU(0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
    ),
    (
        "elu",
        lambda x: F.elu(x, 1.3),
        nn.ELU(1.3),
        lambda x: np.where(x > 0, x, 1.3 * np.expm1(x)),
    ),
    ("selu", F.selu, nn.SELU(), lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x))),
    (
        "celu",
        lambda x: F.celu(x, 0.7),
        nn.CELU(0.7),
        lambda x: np.where(x > 0, x, 0.7 * np.expm1(x / 0.7)),
    ),
    ("gelu", F.gelu, nn.GELU(), lambda x: 0.5 * x * (1 + _ERF(x / math.sqrt(2)))),
    (
        "gelu_tanh",
        lambda x: F.gelu(x, approximate="tanh"),
        nn.GELU("tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
    ("silu", F.silu, nn.SiLU(), lambda x: x * _sig(x)),
    ("mish", F.mish, nn.Mish(), lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    ("sigmoid", F.sigmoid, nn.Sigmoid(), _sig),
    ("logsigmoid", F.logsigmoid, nn.LogSigmoid(), lambda x: -np.log1p(np.exp(-x))),
    ("hardsigmoid", F.hardsigmoid, nn.Hardsigmoid(), lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    ("hardswish", F.hardswish, nn.Hardswish(), lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    (
        "hardtanh",
        lambda x: F.hardtanh(x, -0.5, 1.5),
        nn.Hardtanh(-0.5, 1.5),
        lambda x: np.clip(x, -0.5, 1.5),
    ),
    ("tanh", F.tanh, nn.Tanh(), np.tanh),
    ("tanhshrink", F.tanhshrink, nn.Tanhshrink(), lambda x: x - np.tanh(x)),
    ("softsign", F.softsign, nn.Softsign(), lambda x: x / (1 + np.abs(x))),
    (
        "softplus",
        lambda x: F.softplus(x, beta=2.0, threshold=3.0),
        nn.Softplus(beta=2.0, threshold=3.0),
        lambda x: np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2),
    ),
    (
        "threshold",
        lambda x: F.threshold(x, 0.1, -2.0),
        nn.Threshold(0.1, -2.0),
        lambda x: np.where(x > 0.1, x, -2.0),
    ),
    (
        "softmax",
        lambda x: F.softmax(x, dim=1),
        nn.Softmax(dim=1),
        lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True),
    ),
    (
        "softmin",
        lambda x: F.softmin(x, dim=1),
        nn.Softmin(dim=1),
        lambda x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True),
    ),
    (
        "log_softmax",
        lambda x: F.log_softmax(x, dim=-1),
        nn.LogSoftmax(dim=-1),
        lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    ),
    (
        "glu",
        lambda x: F.glu(x, dim=-1),
        nn.GLU(),
        lambda x: x[..., :2] * _sig(x[..., 2:]),
    ),
]
ACT_IDS = [a[0] for a in ACTIVATIONS]


@pytest.mark.parametrize(("name", "fn", "module", "ref"), ACTIVATIONS, ids=ACT_IDS)
def test_activation_forward_matches_numpy(name, fn, module, ref):
    x = _t((3, 4), low=-7, high=7, seed=4, grad=False, avoid=KINKS)
    expected = ref(x.numpy())
    np.testing.assert_allclose(fn(x).numpy(), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(module(x).numpy(), expected, rtol=1e-6, atol=1e-7)
    x32 = x.float()
    assert module(x32).dtype == gn.float32
    np.testing.assert_allclose(module(x32).numpy(), expected, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize(("name", "fn", "module", "ref"), ACTIVATIONS, ids=ACT_IDS)
def test_activation_gradcheck(name, fn, module, ref):
    x = _t((3, 4), low=-7, high=7, seed=5, avoid=KINKS)
    assert gn.gradcheck(fn, x)
    assert gn.gradgradcheck(fn, x, atol=1e-4)


def test_activation_modules_reject_non_tensors_naming_the_layer():
    with pytest.raises(TypeError, match=r"^ReLU: expected input to be a glassnet Tensor"):
        nn.ReLU()([1.0, -1.0])
    model = nn.Sequential(nn.Identity(), nn.GELU())
    with pytest.raises(TypeError, match=r"^1 \(GELU\): expected input to be a glassnet Tensor"):
        model(np.ones(3))


@pytest.mark.parametrize("fn", [F.elu, F.silu, F.selu, F.sigmoid, F.logsigmoid, F.softplus, F.mish])
def test_smooth_activations_do_not_overflow(fn):
    x = gn.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning from NumPy
        y = fn(x)
        y.sum().backward()
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad.numpy()))


def test_prelu_learns_one_slope_or_one_per_channel():
    shared = nn.PReLU().double()
    x = _t((2, 3, 4), seed=6)
    assert gn.gradcheck(F.prelu, x, shared.weight.detach().requires_grad_())
    per_channel = nn.PReLU(3, init=0.1)
    assert per_channel.weight.shape == (3,) and np.all(
        per_channel.weight.numpy() == np.float32(0.1)
    )
    w = _t((3,), seed=7)
    assert gn.gradcheck(F.prelu, x, w)
    y = F.prelu(x, w).numpy()
    expected = np.where(x.numpy() > 0, x.numpy(), w.numpy()[None, :, None] * x.numpy())
    np.testing.assert_allclose(y, expected)
    with pytest.raises(ValueError, match=r"PReLU: expected input of shape \(N, 3, \*\)"):
        per_channel(gn.randn(2, 4, 5))
    assert repr(per_channel) == "PReLU(num_parameters=3)"


def test_softmax_without_dim_warns_and_picks_the_legacy_dim():
    x = gn.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.Softmax()(x)
    np.testing.assert_allclose(y.numpy().sum(axis=1), 1.0, rtol=1e-6)  # 2-D -> dim 1
    with pytest.warns(UserWarning):
        y = F.log_softmax(gn.randn(2, 3, 4))
    np.testing.assert_allclose(np.exp(y.numpy()).sum(axis=0), 1.0, rtol=1e-5)  # 3-D -> dim 0


def test_softmax_dtype_and_dim_errors():
    y = F.softmax(gn.randn(2, 3), dim=-1, dtype=gn.float64)
    assert y.dtype == gn.float64
    model = nn.Sequential(nn.Softmax(dim=2))
    with pytest.raises(
        ValueError, match=r"^0 \(Softmax\): expected input of shape with at least 3"
    ):
        model(gn.randn(2, 3))
    with pytest.raises(ValueError, match=r"GLU: expected input of shape with an even size"):
        nn.GLU()(gn.randn(2, 3))


def test_activation_reprs_follow_pytorch():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ELU(alpha=0.5, inplace=True)) == "ELU(alpha=0.5, inplace=True)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


def test_inplace_flag_leaves_the_input_alone():
    x = gn.tensor([-1.0, 2.0])
    y = F.relu(x, inplace=True)
    assert np.array_equal(y.numpy(), [0.0, 2.0]) and np.array_equal(x.numpy(), [-1.0, 2.0])


def test_integer_inputs_become_float_like_pytorch():
    assert F.sigmoid(gn.tensor([0, 1])).dtype == gn.float32
    assert F.relu(gn.tensor([-1, 2])).dtype == gn.int64  # relu keeps integers, as torch does


# ====================================================================== the fused ops themselves

NN_OP_CASES = {
    "Linear": lambda x, w: ops_nn.Linear()(x, w),
    "Hardtanh": lambda x, w: ops_nn.Hardtanh(-0.5, 1.0)(x),
    "ELU": lambda x, w: ops_nn.ELU(0.8, 1.1, 0.6)(x),
    "SiLU": lambda x, w: ops_nn.SiLU()(x),
    # adjoint=True: the padding / frequency factors are part of the function, so its true
    # derivative is the scatter with the same factors (plain lookups: see the embedding tests)
    "EmbeddingLookup": lambda x, w: ops_nn.EmbeddingLookup(
        np.array([0, 2, 2, 1]), 1, True, adjoint=True
    )(w),
    "EmbeddingScatter": lambda x, w: ops_nn.EmbeddingScatter(
        np.array([[0, 2], [2, 3]]), 4, 3, True
    )(x),
}


@pytest.mark.parametrize("name", sorted(NN_OP_CASES))
def test_nn_op_first_and_second_derivatives(name):
    x = _t((2, 2, 3), seed=8, avoid=(0.0,))
    w = _t((4, 3), seed=9)
    fn = NN_OP_CASES[name]
    assert (
        gn.gradcheck(fn, x, w)
        if name != "EmbeddingLookup"
        else gn.gradcheck(lambda w: fn(None, w), w)
    )
    if name == "EmbeddingLookup":
        assert gn.gradgradcheck(lambda w: fn(None, w) ** 2, w, atol=1e-4)
    else:
        assert gn.gradgradcheck(lambda x, w: fn(x, w) * fn(x, w), x, w, atol=1e-4)


def test_every_op_in_ops_nn_is_checked():
    ours = {n for n, c in autograd.OP_REGISTRY.items() if c.__module__ == "glassnet.ops.nn"}
    assert ours == set(NN_OP_CASES) | {"Dropout"}  # Dropout: see test_dropout_gradcheck


# ====================================================================== dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    x = gn.ones(200_000)
    y = F.dropout(x, p).numpy()
    assert (y == 0).mean() == pytest.approx(p, abs=0.005)
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the mean


def test_dropout_gradient_is_the_same_mask():
    x = gn.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3)
    y.sum().backward()
    kept = y.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.7, rtol=1e-6)

    def fixed_mask_dropout(t):
        gn.manual_seed(5)  # the same mask on every evaluation
        return F.dropout(t, 0.4)

    assert gn.gradcheck(fixed_mask_dropout, _t((3, 4), seed=10))
    assert gn.gradgradcheck(lambda t: fixed_mask_dropout(t) ** 2, _t((3, 4), seed=10))


def test_dropout_eval_mode_and_edge_probabilities():
    drop = nn.Dropout(0.5)
    x = gn.randn(4, 5, requires_grad=True)
    assert drop.eval()(x) is x
    assert drop.train()(x) is not x
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.9, training=False) is x
    y = F.dropout(x, 1.0)
    assert np.all(y.numpy() == 0)
    y.sum().backward()
    assert np.all(x.grad.numpy() == 0) and not np.any(np.isnan(x.grad.numpy()))


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", True])
def test_dropout_probability_is_validated(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(gn.ones(3), p)


def test_dropout_masks_follow_manual_seed():
    gn.manual_seed(1)
    a = F.dropout(gn.ones(100), 0.5).numpy()
    gn.manual_seed(1)
    b = F.dropout(gn.ones(100), 0.5).numpy()
    c = F.dropout(gn.ones(100), 0.5).numpy()
    assert np.array_equal(a, b) and not np.array_equal(b, c)


@pytest.mark.parametrize(
    ("layer", "shape", "spatial"),
    [
        (nn.Dropout1d(0.5), (8, 16, 10), (2,)),
        (nn.Dropout2d(0.5), (8, 16, 5, 5), (2, 3)),
        (nn.Dropout2d(0.5), (16, 5, 5), (2,)),  # read as (N, C, L), as PyTorch does
        (nn.Dropout3d(0.5), (4, 16, 2, 3, 3), (2, 3, 4)),
    ],
    ids=["1d", "2d", "2d-3d-input", "3d"],
)
@pytest.mark.filterwarnings("ignore:dropout2d")
def test_channel_dropout_zeroes_whole_channels(layer, shape, spatial):
    y = layer(gn.ones(*shape)).numpy()
    per_channel = y.min(axis=spatial), y.max(axis=spatial)
    assert np.array_equal(per_channel[0], per_channel[1])  # all-or-nothing per channel
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.2 < (y == 0).mean() < 0.8


def test_channel_dropout_shape_errors():
    model = nn.Sequential(nn.Dropout2d())
    with pytest.raises(
        ValueError, match=r"0 \(Dropout2d\): expected input of shape \(N, C, H, W\)"
    ):
        model(gn.ones(3))  # a 2-D (N, C) input warns, as in PyTorch (tests/test_nn_dropout.py)
    with pytest.raises(ValueError, match="dropout1d: expected a 2-D"):
        F.dropout1d(gn.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="3-D input"):
        F.dropout2d(gn.ones(2, 3, 4))
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"


# ====================================================================== embedding

IDX = gn.tensor([[0, 2, 2], [3, 2, 0]])  # repeated indices: their gradients add up


def test_embedding_gradcheck_with_repeated_indices():
    w = _t((5, 3), seed=11)
    assert gn.gradcheck(lambda w: F.embedding(IDX, w), w)
    assert gn.gradgradcheck(lambda w: F.embedding(IDX, w) ** 2, w, atol=1e-4)


def test_embedding_forward_and_gradient_counts():
    emb = nn.Embedding(5, 3)
    y = emb(IDX)
    assert y.shape == (2, 3, 3)
    np.testing.assert_array_equal(y.numpy(), emb.weight.numpy()[IDX.numpy()])
    y.sum().backward()
    counts = np.bincount(IDX.numpy().ravel(), minlength=5)[:, None]
    np.testing.assert_array_equal(emb.weight.grad.numpy(), np.broadcast_to(counts, (5, 3)))


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16])
def test_embedding_accepts_any_integer_index_dtype(dtype):
    emb = nn.Embedding(5, 2)
    y = emb(gn.tensor(np.array([4, 1, 1], dtype=dtype)))
    np.testing.assert_array_equal(y.numpy(), emb.weight.numpy()[[4, 1, 1]])
    y.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0, 2, 0, 0, 1])


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=-3)  # row 2
    assert emb.padding_idx == 2 and np.all(emb.weight.numpy()[2] == 0)
    with gn.no_grad():
        emb.weight.numpy()[2] = 7.0  # a non-zero padding row is still returned as is
    y = emb(IDX)
    assert np.all(y.numpy()[0, 1] == 7.0)
    (y * y).sum().backward()
    assert np.all(emb.weight.grad.numpy()[2] == 0)
    assert np.all(emb.weight.grad.numpy()[0] != 0)
    assert repr(emb) == "Embedding(5, 3, padding_idx=2)"


def test_embedding_scale_grad_by_freq_and_max_norm():
    emb = nn.Embedding(5, 3, scale_grad_by_freq=True)
    emb(IDX).sum().backward()
    used = np.isin(np.arange(5), IDX.numpy())
    # each used row gets its count of contributions, each divided by that count: 1
    np.testing.assert_array_equal(
        emb.weight.grad.numpy(), np.repeat(used[:, None], 3, axis=1) * 1.0
    )
    w = gn.tensor(np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    y = F.embedding(gn.tensor([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(np.linalg.norm(y.numpy(), axis=1), [1.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(w.numpy()[2], [6.0, 8.0])  # not looked up: unchanged


def test_embedding_index_errors_name_the_layer_the_index_and_the_size():
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)

        def forward(self, x):
            return self.emb(x)

    with pytest.raises(IndexError) as info:
        Tagger()(gn.tensor([[1, 2], [12, 3]]))
    assert str(info.value) == (
        "emb (Embedding): index 12 at position (1, 0) is out of range for an embedding table "
        "of size 10 (valid indices are 0 to 9)"
    )
    with pytest.raises(IndexError, match="index -1 at position"):
        nn.Embedding(10, 4)(gn.tensor([-1, 0]))
    with pytest.raises(
        TypeError, match=r"Embedding: expected a Tensor of integer indices.*\.long\(\)"
    ):
        nn.Embedding(10, 4)(gn.tensor([1.0]))
    with pytest.raises(ValueError, match="padding_idx must be within"):
        nn.Embedding(10, 4, padding_idx=10)


def test_embedding_from_pretrained_is_frozen_by_default():
    table = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and emb.weight.numpy() is table.numpy()
    np.testing.assert_array_equal(emb(gn.tensor([1])).numpy(), [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


# ====================================================================== one_hot and pad


def test_one_hot():
    y = F.one_hot(gn.tensor([[0, 2], [1, 2]]))
    assert y.dtype == gn.int64 and y.shape == (2, 2, 3)
    np.testing.assert_array_equal(y.numpy(), np.eye(3, dtype=np.int64)[[[0, 2], [1, 2]]])
    assert F.one_hot(gn.tensor([1]), num_classes=5).shape == (1, 5)
    with pytest.raises(
        ValueError, match=r"class values must be in \[0, num_classes\) = \[0, 3\), got 3"
    ):
        F.one_hot(gn.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match="got -1"):
        F.one_hot(gn.tensor([-1]), 3)
    with pytest.raises(TypeError, match="integer class indices"):
        F.one_hot(gn.tensor([0.0]))
    with pytest.raises(ValueError, match="empty tensor"):
        F.one_hot(gn.tensor(np.zeros(0, dtype=np.int64)))


@pytest.mark.parametrize(
    ("mode", "np_mode"), [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")]
)
def test_pad_modes_match_numpy_and_gradcheck(mode, np_mode):
    x = _t((2, 3, 4), seed=12)
    y = F.pad(x, (2, 1, 1, 2), mode=mode)
    expected = np.pad(x.numpy(), ((0, 0), (1, 2), (2, 1)), mode=np_mode)
    np.testing.assert_array_equal(y.numpy(), expected)
    assert gn.gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), x)


def test_pad_constant_and_errors():
    x = gn.ones(2, 3)
    np.testing.assert_array_equal(F.pad(x, (1, 0), value=5.0).numpy()[:, 0], [5.0, 5.0])
    assert F.pad(x, (1, 1, 1, 1)).shape == (4, 5)
    with pytest.raises(ValueError, match="reflect padding"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="mode must be"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"\(before, after\) pairs"):
        F.pad(x, (1, 1, 1))


# ====================================================================== Identity, Flatten, Unflatten


def test_identity_flatten_unflatten():
    x = gn.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Identity(54, unused=True)(x) is x
    y = nn.Flatten()(x)
    assert y.shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    z = nn.Unflatten(1, (3, 20))(y)
    assert z.shape == (2, 3, 20)
    assert nn.Unflatten(-1, (-1, 5))(y).shape == (2, 12, 5)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(x.shape))
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (3, 20))) == "Unflatten(dim=1, unflattened_size=(3, 20))"


def test_flatten_unflatten_errors_name_the_layer():
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (7, 7)))
    with pytest.raises(
        ValueError, match=r"^1 \(Unflatten\): expected input of shape whose dimension 1 has size 49"
    ):
        model(gn.zeros(2, 3, 4))
    with pytest.raises(
        ValueError, match=r"^0 \(Flatten\): expected input of shape with dimensions 1 to -1"
    ):
        model(gn.zeros(5))
    with pytest.raises(TypeError, match="tuple or list of ints"):
        nn.Unflatten(1, 49)
