"""The code shared by the conv, transformer, distribution and incomplete-gamma families, against PyTorch.

Each family now has one body behind several public names (a base class, a shared helper); these
tests pin what such a merge could break unseen: PyTorch's signatures of every name, the argument
each error names, values of the variants that run the same helper, and per-element convergence.
"""

import importlib
import inspect

import numpy as np
import pytest

import glassnet as gn
import glassnet.distributions as D
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.errors import ShapeError
from glassnet.ops import conv as conv_ops

torch = pytest.importorskip("torch")
TD = torch.distributions


def _parameters(f):
    """(name, default) of every parameter, a function default by its name (F.relu as "relu")."""
    return [
        (p.name, p.default.__name__ if callable(p.default) else p.default)
        for p in inspect.signature(f).parameters.values()
    ]


SIGNATURES = {
    "TransformerEncoderLayer": (nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer),
    "TransformerDecoderLayer": (nn.TransformerDecoderLayer, torch.nn.TransformerDecoderLayer),
    "TransformerEncoder": (nn.TransformerEncoder, torch.nn.TransformerEncoder),
    "TransformerDecoder": (nn.TransformerDecoder, torch.nn.TransformerDecoder),
    "Beta": (D.Beta, TD.Beta),
    "Kumaraswamy": (D.Kumaraswamy, TD.Kumaraswamy),
    "HalfCauchy": (D.HalfCauchy, TD.HalfCauchy),
    "HalfNormal": (D.HalfNormal, TD.HalfNormal),
    **{
        f"conv{nd}d_{wrt}": (getattr(F.grad, f"conv{nd}d_{wrt}"),
                             getattr(torch.nn.grad, f"conv{nd}d_{wrt}"))
        for nd in (1, 2, 3)
        for wrt in ("input", "weight")
    },
}  # fmt: skip


@pytest.mark.parametrize("name", list(SIGNATURES), ids=list(SIGNATURES))
def test_every_name_keeps_pytorchs_signature(name):
    ours, theirs = SIGNATURES[name]
    assert _parameters(ours) == _parameters(theirs)
    if name.startswith("conv"):
        assert ours.__name__ == ours.__qualname__ == name
        assert ours.__doc__.startswith(f"dL/d{'x' if name.endswith('input') else 'w'} of ``conv")


# ---------------------------------------------------------------------- convolution gradients


@pytest.mark.parametrize("nd", [1, 2, 3], ids=["1d", "2d", "3d"])
def test_conv_gradients_by_keyword_in_float64_match_pytorch(nd):
    torch_grad = importlib.import_module("torch.nn.grad")  # a submodule torch.nn may not load
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((2, 4) + (5,) * nd)
    w = rng.standard_normal((6, 2) + (3,) * nd)
    kwargs = {"stride": 2, "padding": 1, "dilation": 1, "groups": 2}
    g = rng.standard_normal(tuple(getattr(torch.nn.functional, f"conv{nd}d")(
        torch.tensor(x), torch.tensor(w), **kwargs).shape))  # fmt: skip
    ours_in = getattr(F.grad, f"conv{nd}d_input")(
        input_size=list(x.shape), weight=gn.tensor(w), grad_output=gn.tensor(g), **kwargs
    )
    theirs_in = getattr(torch_grad, f"conv{nd}d_input")(
        input_size=list(x.shape), weight=torch.tensor(w), grad_output=torch.tensor(g), **kwargs
    )
    ours_w = getattr(F.grad, f"conv{nd}d_weight")(
        input=gn.tensor(x), weight_size=w.shape, grad_output=gn.tensor(g), **kwargs
    )
    theirs_w = getattr(torch_grad, f"conv{nd}d_weight")(
        input=torch.tensor(x), weight_size=w.shape, grad_output=torch.tensor(g), **kwargs
    )
    assert ours_in.dtype == gn.float64 and ours_w.dtype == gn.float64
    np.testing.assert_allclose(ours_in.numpy(), theirs_in.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours_w.numpy(), theirs_w.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_gradients_name_the_argument_that_is_not_a_tensor():
    w, x, g = gn.randn(4, 3, 3, 3), gn.randn(2, 3, 6, 6), gn.randn(2, 4, 4, 4)
    with pytest.raises(TypeError, match=r"^conv2d_input: expected weight to be a glassnet Tensor"):
        F.grad.conv2d_input("not a size", w.numpy(), g)  # the tensors are checked first
    with pytest.raises(TypeError, match=r"^conv2d_weight: expected input to be a glassnet Tensor"):
        F.grad.conv2d_weight(x.numpy(), (4, 3, 3, 3), g)
    with pytest.raises(TypeError, match=r"^conv3d_weight: expected grad_output to be a glassnet"):
        F.grad.conv3d_weight(gn.randn(1, 1, 3, 3, 3), (1, 1, 2, 2, 2), 1.0)
    with pytest.raises(ShapeError, match=r"^conv2d_weight: expected weight_size of 4 non-neg"):
        F.grad.conv2d_weight(x, (4, 3, -3, 3), g)


# ---------------------------------------------------------------------- convolution errors


@pytest.mark.parametrize(
    "nd,padded,kernel",
    [(1, "3", "5"), (2, "9 x 3", "5 x 5"), (3, "9 x 3 x 9", "5 x 5 x 5")],
    ids=["1d", "2d", "3d"],
)
def test_a_kernel_larger_than_the_input_is_named_per_axis(nd, padded, kernel):
    spatial = {1: (3,), 2: (9, 3), 3: (9, 3, 9)}[nd]
    message = (
        rf"^conv{nd}d: the input is smaller than the kernel: padded input size per channel is "
        rf"\({padded}\), \(dilated\) kernel size is \({kernel}\)$"
    )
    with pytest.raises(ShapeError, match=message):
        getattr(F, f"conv{nd}d")(gn.randn(1, 2, *spatial), gn.randn(4, 2, *(5,) * nd))
    with pytest.raises(RuntimeError):  # PyTorch refuses the same input
        getattr(torch.nn.functional, f"conv{nd}d")(torch.randn(1, 2, *spatial),
                                                   torch.randn(4, 2, *(5,) * nd))  # fmt: skip


@pytest.mark.parametrize(
    "nd,size", [(1, "-2"), (2, r"\(-2, 3\)"), (3, r"\(3, -2, 3\)")], ids=["1d", "2d", "3d"]
)
def test_an_empty_transposed_output_is_named(nd, size):
    spatial = {1: (1,), 2: (1, 2), 3: (2, 1, 2)}[nd]
    padding = {1: 2, 2: (2, 0), 3: (0, 2, 0)}[nd]
    with pytest.raises(
        ShapeError, match=rf"^conv_transpose{nd}d: the output size would be {size} "
    ):
        getattr(F, f"conv_transpose{nd}d")(gn.randn(1, 2, *spatial), gn.randn(2, 3, *(2,) * nd),
                                           padding=padding)  # fmt: skip


@pytest.mark.parametrize("op,name", [(conv_ops.Im2Col, "im2col"), (conv_ops.Col2Im, "col2im")])
def test_the_wide_layout_is_refused_for_a_strided_geometry(op, name):
    geo = conv_ops.sliding_geometry((6, 7), (3, 3), (2, 1))
    with pytest.raises(
        ValueError, match=rf"^{name}: the wide layout needs stride \(1, 1\), got \(2, 1\)$"
    ):
        op(geo, wide=True)


# ---------------------------------------------------------------------- transformer


def test_transformer_layers_keep_pytorchs_parts_in_its_order():
    for ours_class, theirs_class in (
        (nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer),
        (nn.TransformerDecoderLayer, torch.nn.TransformerDecoderLayer),
    ):
        ours, theirs = ours_class(8, 2, 16), theirs_class(8, 2, 16)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]


def test_transformer_stacks_and_custom_parts():
    with pytest.raises(ValueError, match=r"^TransformerDecoder: num_layers must be a positive "):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2), True)
    custom = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1)
    model = nn.Transformer(8, 2, num_decoder_layers=3, dim_feedforward=16, custom_encoder=custom)
    assert model.encoder is custom and custom.norm is None
    assert len(model.decoder.layers) == 3 and isinstance(model.decoder.norm, nn.LayerNorm)
    theirs = torch.nn.Transformer(8, 2, num_decoder_layers=3, dim_feedforward=16,
                                  custom_encoder=torch.nn.TransformerEncoder(
                                      torch.nn.TransformerEncoderLayer(8, 2, 16), 1,
                                      enable_nested_tensor=False))  # fmt: skip
    assert list(model.state_dict()) == list(theirs.state_dict())


# ---------------------------------------------------------------------- distributions


CENTRED = {
    "Normal": lambda T, loc: T.Normal(loc, loc.abs() + 0.5),
    "VonMises": lambda T, loc: T.VonMises(loc, loc.abs() + 0.5),
    "MultivariateNormal": lambda T, loc: T.MultivariateNormal(loc, scale_tril=_eye(T, loc)),
    "LowRankMultivariateNormal": lambda T, loc: T.LowRankMultivariateNormal(
        loc, loc.unsqueeze(-1) * 0.3, loc.abs() + 0.5
    ),
}


def _eye(T, loc):
    eye = np.eye(loc.shape[-1]) * 1.5
    return gn.tensor(eye) if T is D else torch.tensor(eye)


@pytest.mark.parametrize("name", list(CENTRED), ids=list(CENTRED))
def test_mean_and_mode_are_loc_as_in_pytorch_also_after_expand(name):
    loc = np.random.default_rng(5).standard_normal((2, 3))
    ours = CENTRED[name](D, gn.tensor(loc))
    ours = ours.expand((4,) + ours.batch_shape)
    theirs = CENTRED[name](TD, torch.tensor(loc)).expand(ours.batch_shape)
    assert ours.batch_shape == tuple(theirs.batch_shape)
    for moment in ("mean", "mode"):
        np.testing.assert_array_equal(
            getattr(ours, moment).numpy(), getattr(theirs, moment).numpy(), err_msg=moment
        )


@pytest.mark.parametrize("name", ["Beta", "Kumaraswamy", "HalfCauchy", "HalfNormal"])
def test_shared_parameters_constraints_and_support(name):
    ours, theirs = getattr(D, name), getattr(TD, name)
    assert set(ours.arg_constraints) == set(theirs.arg_constraints)
    probe = [-0.5, 0.0, 0.5, 1.0, 1.5]
    np.testing.assert_array_equal(
        ours.support.check(gn.tensor(probe)).numpy(), theirs.support.check(torch.tensor(probe))
    )
    assert ours.has_rsample == theirs.has_rsample
    # A base class shared, not one family made a kind of the other.
    assert not issubclass(D.Kumaraswamy, D.Beta) and not issubclass(D.HalfNormal, D.HalfCauchy)


def test_folded_families_have_mode_zero_in_the_scales_dtype():
    for name in ("HalfCauchy", "HalfNormal"):
        scale = np.array([[0.5], [2.0]])
        ours, theirs = getattr(D, name)(gn.tensor(scale)), getattr(TD, name)(torch.tensor(scale))
        assert ours.mode.dtype == gn.float64
        np.testing.assert_array_equal(ours.mode.numpy(), theirs.mode.numpy())


# ---------------------------------------------------------------------- incomplete gamma


def test_igamma_elements_converge_each_at_their_own_pace():
    # One call mixing fast and slow elements of both expansions: each must stop on its own.
    a = np.array([0.5, 3.0, 1e4, 2e5, 1e4, 7.0, 0.01, 2e5])
    x = np.array([0.1, 2.0, 1e4 - 30, 2e5 + 100, 1e4 + 40, 30.0, 5.0, 2e5 - 300])
    for ours, theirs in (
        (gn.igamma, torch.special.gammainc),
        (gn.igammac, torch.special.gammaincc),
    ):
        got = ours(gn.tensor(a), gn.tensor(x)).numpy()
        want = theirs(torch.tensor(a), torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13)
