"""Parity with PyTorch: Linear, every activation, Embedding, one_hot, pad, dropout, Flatten/Unflatten.

Weights are copied from the torch layer into the glassnet one; forward values and the
gradients of a weighted sum (with respect to the input and every parameter) must agree.
"""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import glassnet as gn  # noqa: E402
from glassnet import nn  # noqa: E402
from glassnet.nn import functional as F  # noqa: E402

TF = torch.nn.functional


@pytest.fixture(autouse=True)
def _seed_torch():
    torch.manual_seed(0)


def _copy_params(ours, theirs):
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        p.numpy()[...] = tp.detach().numpy()


def _compare(ours, theirs, x_np, rtol=1e-5, atol=1e-6, x_grad=True):
    """Run both modules on x, backprop a fixed random weighting, compare values and grads."""
    x = gn.tensor(x_np, requires_grad=x_grad)
    tx = torch.tensor(x_np, requires_grad=x_grad)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(1).standard_normal(ty.shape).astype(x_np.dtype)
    (y * gn.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    if x_grad:
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(
            p.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )


# ---------------------------------------------------------------------- Linear


@pytest.mark.parametrize(
    ("shape", "bias"),
    [((16, 20), True), ((16, 20), False), ((4, 5, 20), True), ((20,), True)],
    ids=["2d", "2d-nobias", "3d", "1d"],
)
def test_linear_matches_torch(shape, bias):
    ours, theirs = nn.Linear(20, 7, bias=bias), torch.nn.Linear(20, 7, bias=bias)
    _copy_params(ours, theirs)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    _compare(ours, theirs, x, rtol=1e-4, atol=1e-5)
    assert repr(ours) == repr(theirs)


def test_functional_linear_matches_torch_in_float64():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 2, 6)), rng.standard_normal((4, 6)), rng.standard_normal(4)
    ours = F.linear(gn.tensor(x), gn.tensor(w), gn.tensor(b)).numpy()
    theirs = TF.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---------------------------------------------------------------------- activations

ACTIVATION_PAIRS = [
    ("ReLU", {}),
    ("ReLU6", {}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {"alpha": 1.3}),
    ("SELU", {}),
    ("CELU", {"alpha": 0.7}),
    ("GELU", {}),
    ("GELU", {"approximate": "tanh"}),
    ("SiLU", {}),
    ("Mish", {}),
    ("Sigmoid", {}),
    ("LogSigmoid", {}),
    ("Hardsigmoid", {}),
    ("Hardswish", {}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 1.5}),
    ("Tanh", {}),
    ("Tanhshrink", {}),
    ("Softsign", {}),
    ("Softplus", {}),
    ("Softplus", {"beta": 2.0, "threshold": 3.0}),
    ("Threshold", {"threshold": 0.1, "value": -2.0}),
    ("GLU", {"dim": 1}),
    ("Softmax", {"dim": 1}),
    ("Softmin", {"dim": -1}),
    ("LogSoftmax", {"dim": 1}),
    ("PReLU", {}),
    ("PReLU", {"num_parameters": 4, "init": 0.1}),
]


def _kink_free_input(dtype=np.float32):
    x = np.random.default_rng(3).uniform(-7, 7, size=(3, 4, 6))
    for k in (0.0, 3.0, -3.0, 6.0, -0.5, 1.5, 0.1):
        x = np.where(np.abs(x - k) < 0.05, x + 0.1, x)
    x[0, 0, :2] = [25.0, -30.0]  # beyond softplus' threshold and far into the tails
    return x.astype(dtype)


@pytest.mark.parametrize(
    ("name", "kwargs"), ACTIVATION_PAIRS, ids=[f"{n}-{k}" if k else n for n, k in ACTIVATION_PAIRS]
)
def test_activation_module_matches_torch(name, kwargs):
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    _copy_params(ours, theirs)
    _compare(ours, theirs, _kink_free_input(), rtol=2e-5, atol=2e-6)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    ACTIVATION_PAIRS[:-2],
    ids=[f"{n}-{k}" if k else n for n, k in ACTIVATION_PAIRS[:-2]],
)
def test_activation_matches_torch_in_float64(name, kwargs):
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    rtol = 1e-12
    if name == "GELU" and not kwargs:
        rtol = 1e-6  # glassnet's erf is a rational approximation (relative error < 1.2e-7)
    elif name in ("CELU", "Hardsigmoid"):
        rtol = 1e-7  # torch rounds 1/alpha and 1/6 to float32 in these backward kernels
    _compare(ours, theirs, _kink_free_input(np.float64), rtol=rtol, atol=rtol)


CORNERS = [
    ("ReLU", {}),
    ("ReLU6", {}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 1.5}),
    ("LeakyReLU", {}),
    ("ELU", {}),
    ("CELU", {}),
    ("PReLU", {}),
    ("Threshold", {"threshold": 0.1, "value": 2.0}),
    ("Hardsigmoid", {}),
    ("Hardswish", {}),
    ("Softplus", {"beta": 2.0, "threshold": 1.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), CORNERS, ids=[c[0] for c in CORNERS])
def test_gradients_at_the_kinks_match_torch(name, kwargs):
    """Exactly at a corner (x = 0 for ReLU, 6 for ReLU6, ...) the one-sided choice is torch's."""
    x = np.array([-6, -3, -1, -0.5, 0, 0.1, 0.5, 1, 1.5, 3, 6], dtype=np.float32)
    _compare(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), x)


def test_softmax_legacy_dim_matches_torch():
    x = np.random.default_rng(4).standard_normal((2, 3, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, tfn in [(F.softmax, TF.softmax), (F.log_softmax, TF.log_softmax)]:
            for arr in (x, x[0], x[0, 0]):
                np.testing.assert_allclose(
                    fn(gn.tensor(arr)).numpy(), tfn(torch.tensor(arr)).numpy(), rtol=1e-5, atol=1e-6
                )


# ---------------------------------------------------------------------- Embedding, one_hot, pad


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"padding_idx": 1}, {"padding_idx": -1, "scale_grad_by_freq": True}],
    ids=["plain", "padding", "padding-freq"],
)
def test_embedding_matches_torch(kwargs):
    ours, theirs = nn.Embedding(6, 4, **kwargs), torch.nn.Embedding(6, 4, **kwargs)
    _copy_params(ours, theirs)
    idx = np.array([[0, 1, 1, 5], [5, 5, 2, 1]])
    y, ty = ours(gn.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    w = np.random.default_rng(5).standard_normal(ty.shape).astype(np.float32)
    (y * gn.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(
        ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6, atol=1e-6
    )
    assert repr(ours) == repr(theirs)


def test_embedding_max_norm_matches_torch():
    table = np.random.default_rng(6).standard_normal((5, 3)) * 3
    ours, theirs = gn.tensor(table), torch.tensor(table)
    idx = np.array([0, 2, 2, 4])
    y = F.embedding(gn.tensor(idx), ours, max_norm=1.5, norm_type=1.0)
    ty = TF.embedding(torch.tensor(idx), theirs, max_norm=1.5, norm_type=1.0)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)  # renormed in place


def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 2]])
    for n in (-1, 6):
        ours = F.one_hot(gn.tensor(idx), n)
        theirs = TF.one_hot(torch.tensor(idx), n)
        assert ours.dtype == gn.int64 and theirs.dtype == torch.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode):
    x = np.random.default_rng(7).standard_normal((2, 3, 4, 5))
    pad = (2, 1, 3, 0)
    y = F.pad(gn.tensor(x, requires_grad=True), pad, mode=mode)
    tx = torch.tensor(x, requires_grad=True)
    ty = TF.pad(tx, pad, mode=mode)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    g = np.random.default_rng(8).standard_normal(ty.shape)
    xg = gn.tensor(x, requires_grad=True)
    (F.pad(xg, pad, mode=mode) * gn.tensor(g)).sum().backward()
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_statistics_match_torch(p):
    x = np.ones(100_000, dtype=np.float32)
    ours = F.dropout(gn.tensor(x), p).numpy()
    theirs = TF.dropout(torch.tensor(x), p).numpy()
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.01)
    np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-6)  # {0, 1/(1-p)}
    d, td = nn.Dropout(p).eval(), torch.nn.Dropout(p).eval()
    np.testing.assert_array_equal(d(gn.tensor(x)).numpy(), td(torch.tensor(x)).numpy())
    assert repr(d) == repr(td)


def test_dropout2d_statistics_match_torch():
    x = np.ones((64, 32, 3, 3), dtype=np.float32)
    ours = nn.Dropout2d(0.3)(gn.tensor(x)).numpy()
    theirs = torch.nn.Dropout2d(0.3)(torch.tensor(x)).numpy()
    for y in (ours, theirs):
        assert np.array_equal(y.min(axis=(2, 3)), y.max(axis=(2, 3)))
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.03)
    np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-6)


# ---------------------------------------------------------------------- Flatten / Unflatten


def test_flatten_unflatten_match_torch():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    for ours, theirs in [
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(0, -2), torch.nn.Flatten(0, -2)),
        (nn.Unflatten(2, (2, 2)), torch.nn.Unflatten(2, (2, 2))),
    ]:
        np.testing.assert_array_equal(ours(gn.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
        assert repr(ours) == repr(theirs)
