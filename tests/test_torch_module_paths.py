"""PyTorch's internal module paths under glassnet: torch.nn.modules.*, torch.utils.hooks, torch.types, torch.multiprocessing."""

import importlib
import os
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from cli_run import run

import glassnet as gn
import glassnet.torch_multiprocessing as gmp
from glassnet import nn
from glassnet.nn import functional as F
from glassnet.nn.modules import batchnorm, conv, instancenorm, lazy, loss, pooling, transformer
from glassnet.nn.modules import utils as mutils
from glassnet.utils.hooks import RemovableHandle

SUBMODULES = [
    "activation", "adaptive", "batchnorm", "channelshuffle", "container", "conv", "distance",
    "dropout", "flatten", "fold", "instancenorm", "lazy", "linear", "loss", "module",
    "normalization", "padding", "pixelshuffle", "pooling", "rnn", "sparse", "transformer",
    "upsampling", "utils",
]  # fmt: skip
# PyTorch names glassnet does not have (yet); every other name of each file's __all__ must exist.
NOT_GIVEN = {
    "container": {"Container"},
    "module": {
        "register_module_full_backward_pre_hook", "register_module_backward_hook",
        "register_module_full_backward_hook", "register_module_buffer_registration_hook",
        "register_module_module_registration_hook", "register_module_parameter_registration_hook",
    },
}  # fmt: skip

SCRIPT_IMPORTS = """\
import torch
import torch.nn.modules.loss
from torch.nn.modules.loss import _Loss, _WeightedLoss, CrossEntropyLoss
from torch.nn.modules.utils import _pair, _single, _triple, _quadruple, _ntuple
from torch.nn.modules.module import Module
from torch.nn.modules.conv import _ConvNd, Conv2d
from torch.nn.modules.batchnorm import _BatchNorm, _NormBase
from torch.nn.modules.activation import MultiheadAttention, ReLU
from torch.nn.modules.container import Sequential, ModuleList
from torch.nn.modules.linear import Linear, Identity
from torch.nn.modules.rnn import RNNBase, LSTM
from torch.nn.modules.pooling import _MaxPoolNd, _AvgPoolNd, _AdaptiveAvgPoolNd, MaxPool2d
from torch.nn.modules.dropout import _DropoutNd, Dropout
from torch.nn.modules.normalization import LayerNorm, GroupNorm
from torch.nn.modules.sparse import Embedding
from torch.nn.modules.transformer import TransformerEncoderLayer, _get_clones
from torch.nn.modules.flatten import Flatten, Unflatten
from torch.nn.modules.padding import ZeroPad2d, ReflectionPad2d
from torch.nn.modules.pixelshuffle import PixelShuffle
from torch.nn.modules.upsampling import Upsample
from torch.nn.modules.distance import CosineSimilarity
from torch.nn.modules.instancenorm import _InstanceNorm, InstanceNorm2d
from torch.nn.modules.lazy import LazyModuleMixin
from torch.nn.modules.channelshuffle import ChannelShuffle
from torch.nn.modules.fold import Fold, Unfold
from torch.nn.modules.adaptive import AdaptiveLogSoftmaxWithLoss
from torch.utils.hooks import RemovableHandle
from torch.types import Number, Device, _dtype, _size, _int, _float, _bool
import torch.multiprocessing as mp
"""


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "script.py"
    path.write_text(SCRIPT_IMPORTS + textwrap.dedent(body))
    return str(path)


# ----------------------------------------------------------------------------------------------
# The paths, through `glassnet run` and directly
# ----------------------------------------------------------------------------------------------


def test_script_imports_every_path_and_gets_glassnet_classes(capsys, tmp_path):
    script = _script(
        tmp_path,
        """
        print(torch.nn.modules.loss.CrossEntropyLoss is torch.nn.CrossEntropyLoss)
        print(Conv2d is torch.nn.Conv2d, LSTM is torch.nn.LSTM, Embedding is torch.nn.Embedding)
        print(isinstance(torch.nn.Conv2d(1, 2, 3), _ConvNd), isinstance(torch.nn.LSTM(2, 3), RNNBase))
        print(isinstance(torch.nn.BatchNorm2d(3), _BatchNorm), isinstance(CrossEntropyLoss(), _Loss))
        print(_pair(3), _ntuple(3)(1), _dtype is torch.dtype, Number)
        h = torch.nn.Linear(2, 2).register_forward_hook(lambda m, i, o: None)
        print(isinstance(h, RemovableHandle), mp.get_sharing_strategy())
        """,
    )
    code, out, err = run(capsys, "run", script)
    assert code == 0, err
    assert out.splitlines() == [
        "True",
        "True True True",
        "True True",
        "True True",
        "(3, 3) (1, 1, 1) True int | float | bool",
        "True file_descriptor" if sys.platform.startswith("linux") else out.splitlines()[-1],
    ]


def test_glassnet_nn_modules_imports_first_in_a_fresh_interpreter():
    # Loading the package before anything else of glassnet must not meet an import cycle.
    code = (
        "import glassnet.nn.modules.loss as m, glassnet; print(m._Loss is glassnet.nn.loss._Loss)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize("name", SUBMODULES, ids=SUBMODULES)
def test_each_file_has_pytorchs_public_names(name):
    pytest.importorskip("torch")
    ours = importlib.import_module(f"glassnet.nn.modules.{name}")
    theirs = importlib.import_module(f"torch.nn.modules.{name}")
    assert ours.__doc__.startswith(f"PyTorch's torch.nn.modules.{name}: ")
    missing = set(theirs.__all__) - set(dir(ours)) - NOT_GIVEN.get(name, set())
    assert not missing
    for public in ours.__all__:  # glassnet's own classes, not copies
        if hasattr(nn, public):
            assert getattr(ours, public) is getattr(nn, public), public


def test_package_names_the_layers_as_pytorchs_does():
    assert gn.nn.modules.Linear is nn.Linear and gn.nn.modules.Module is nn.Module
    assert gn.nn.modules.loss.MSELoss is nn.MSELoss
    assert gn.nn.modules.conv.LazyConv2d is nn.LazyConv2d


# ----------------------------------------------------------------------------------------------
# torch.nn.modules.utils
# ----------------------------------------------------------------------------------------------

TUPLE_CASES = [3, (1, 2), [4, 5, 6], 0.5, None, "ab", range(2)]


@pytest.mark.parametrize("value", TUPLE_CASES, ids=[repr(v) for v in TUPLE_CASES])
def test_ntuple_helpers_match_pytorch(value):
    torch_utils = pytest.importorskip("torch.nn.modules.utils")
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        assert getattr(mutils, name)(value) == getattr(torch_utils, name)(value)
        assert getattr(mutils, name).__name__ == name
    assert mutils._ntuple(5)(value) == torch_utils._ntuple(5)(value)


def test_ntuple_helpers_without_torch():
    assert mutils._pair(3) == (3, 3) and mutils._pair((1, 2)) == (1, 2)
    assert mutils._single(7) == (7,) and mutils._triple(0) == (0, 0, 0)
    assert mutils._quadruple(1) == (1, 1, 1, 1) and mutils._ntuple(3)([1, 2]) == (1, 2)
    assert mutils._reverse_repeat_tuple((1, 2), 2) == (2, 2, 1, 1)
    assert mutils._list_with_default([None, 4], [8, 3, 5, 7]) == [5, 4]
    assert mutils._list_with_default(3, [8, 3]) == 3
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        mutils._list_with_default([None, 4], [5, 7])


def test_consume_prefix_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present as theirs

    def make():
        sd = {"module.fc.weight": 1, "module.fc.bias": 2, "head.w": 3}
        return sd

    ours_sd, theirs_sd = make(), make()
    mutils.consume_prefix_in_state_dict_if_present(ours_sd, "module.")
    theirs(theirs_sd, "module.")
    assert list(ours_sd.items()) == list(theirs_sd.items()) == [
        ("head.w", 3), ("fc.weight", 1), ("fc.bias", 2)
    ]  # fmt: skip
    # With per-module metadata, as a real state dict has.
    sd = torch.nn.DataParallel(torch.nn.Linear(2, 1)).state_dict()
    copy_for_ours = type(sd)(sd)
    copy_for_ours._metadata = dict(sd._metadata)
    theirs(sd, "module.")
    mutils.consume_prefix_in_state_dict_if_present(copy_for_ours, "module.")
    assert list(copy_for_ours) == list(sd) == ["weight", "bias"]
    assert set(copy_for_ours._metadata) == set(sd._metadata)


# ----------------------------------------------------------------------------------------------
# _Loss and _WeightedLoss as bases of a script's own losses
# ----------------------------------------------------------------------------------------------


def _focal_class(base, F_):
    class FocalLoss(base):
        """-(1 - p_t)**gamma * log p_t, with optional class weights."""

        def __init__(self, weight=None, gamma=2.0, reduction="mean"):
            super().__init__(weight=weight, reduction=reduction)
            self.gamma = gamma

        def forward(self, logits, target):
            logp = F_.log_softmax(logits, dim=1)
            logp_t = logp.gather(1, target.reshape(-1, 1)).reshape(-1)
            loss = -((1 - logp_t.exp()) ** self.gamma) * logp_t
            if self.weight is not None:
                loss = loss * self.weight[target]
            if self.reduction == "mean":
                return loss.mean()
            return loss.sum() if self.reduction == "sum" else loss

    return FocalLoss


def _abs_class(base):
    class AbsLoss(base):
        def __init__(self, reduction="mean"):
            super().__init__(reduction=reduction)

        def forward(self, x, y):
            d = (x - y).abs()
            return {"mean": d.mean, "sum": d.sum, "none": lambda: d}[self.reduction]()

    return AbsLoss


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_custom_losses_match_pytorch(reduction):
    torch = pytest.importorskip("torch")
    from torch.nn.modules.loss import _Loss as TLoss
    from torch.nn.modules.loss import _WeightedLoss as TWeighted

    rng = np.random.default_rng(1)
    logits = rng.standard_normal((6, 4)).astype(np.float32)
    target = rng.integers(0, 4, 6)
    weight = np.array([0.5, 1.0, 2.0, 1.5], np.float32)

    ours = _focal_class(loss._WeightedLoss, F)(gn.tensor(weight), reduction=reduction)
    theirs = _focal_class(TWeighted, torch.nn.functional)(torch.tensor(weight), reduction=reduction)
    x = gn.tensor(logits, requires_grad=True)
    tx = torch.tensor(logits, requires_grad=True)
    a, b = ours(x, gn.tensor(target)), theirs(tx, torch.tensor(target))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-6)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert dict(ours.named_buffers()).keys() == {"weight"} and ours.reduction == reduction

    y = rng.standard_normal(6).astype(np.float32)
    ours_abs = _abs_class(loss._Loss)(reduction)
    theirs_abs = _abs_class(TLoss)(reduction)
    np.testing.assert_allclose(
        ours_abs(gn.tensor(y), gn.zeros(6)).numpy(),
        theirs_abs(torch.tensor(y), torch.zeros(6)).numpy(),
        rtol=1e-6,
    )
    assert repr(ours_abs) == f"AbsLoss(reduction={reduction!r})"


def test_loss_bases_take_pytorchs_keywords():
    base = loss._Loss(size_average=None, reduce=None, reduction="sum")
    assert base.reduction == "sum"
    with pytest.warns(UserWarning, match="deprecated"):
        assert loss._Loss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="deprecated"):
        assert loss._Loss(reduce=False).reduction == "none"
    weighted = loss._WeightedLoss(weight=gn.tensor([1.0, 2.0]), reduction="none")
    assert weighted.reduction == "none" and "weight" in dict(weighted.named_buffers())
    assert loss._WeightedLoss().weight is None
    with pytest.raises(ValueError, match="reduction"):
        loss._Loss(reduction="average")
    assert isinstance(nn.CrossEntropyLoss(), loss._WeightedLoss)
    assert isinstance(nn.MSELoss(), loss._Loss) and not isinstance(nn.MSELoss(), loss._WeightedLoss)


@pytest.mark.filterwarnings("ignore:size_average and reduce are deprecated")
def test_loss_bases_take_pytorchs_positional_order():
    # Old PyTorch code: super().__init__(size_average, reduce, reduction) / (weight, ...).
    assert loss._Loss(None, None, "sum").reduction == "sum"
    assert loss._WeightedLoss(None, None, None, "sum").reduction == "sum"
    assert loss._Loss(True, False).reduction == "none"  # reduce=False wins, as in PyTorch
    assert loss._Loss(False).reduction == "sum"


# ----------------------------------------------------------------------------------------------
# The bases in PyTorch's form: _ConvNd, _BatchNorm, _InstanceNorm, _AvgPoolNd, LazyModuleMixin
# ----------------------------------------------------------------------------------------------


def _std_conv_class(base, pair, F_):
    class StdConv2d(base):
        """A convolution with a standardized weight, written on PyTorch's _ConvNd."""

        def __init__(self, c_in, c_out, k, padding_mode="zeros"):
            super().__init__(c_in, c_out, pair(k), pair(1), pair(k // 2), pair(1),
                             False, pair(0), 1, True, padding_mode)  # fmt: skip

        def forward(self, x):
            w = self.weight - self.weight.mean(dim=(1, 2, 3), keepdim=True)
            if self.padding_mode != "zeros":
                x = F_.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
                return F_.conv2d(x, w, self.bias, self.stride, 0, self.dilation, self.groups)
            return F_.conv2d(x, w, self.bias, self.stride, self.padding, self.dilation, self.groups)

    return StdConv2d


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect"])
def test_conv_subclass_matches_pytorch(padding_mode):
    torch = pytest.importorskip("torch")
    from torch.nn.modules.conv import _ConvNd as TConvNd
    from torch.nn.modules.utils import _pair as tpair

    ours = _std_conv_class(conv._ConvNd, mutils._pair, F)(3, 4, 3, padding_mode)
    theirs = _std_conv_class(TConvNd, tpair, torch.nn.functional)(3, 4, 3, padding_mode)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "transposed", "output_padding", "groups", "padding_mode",
                 "_reversed_padding_repeated_twice"):  # fmt: skip
        mine, pytorchs = getattr(ours, name), getattr(theirs, name)
        assert (list(mine) if isinstance(mine, tuple) else mine) == (
            list(pytorchs) if isinstance(pytorchs, tuple) else pytorchs
        ), name
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()
    ]
    ours.load_state_dict({k: gn.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((2, 3, 6, 5)).astype(np.float32)
    np.testing.assert_allclose(
        ours(gn.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-4,
        atol=1e-5,
    )


def test_conv_bases_count_glassnets_own_convolutions():
    assert isinstance(nn.Conv2d(1, 2, 3), conv._ConvNd) and issubclass(nn.Conv1d, conv._ConvNd)
    assert isinstance(nn.ConvTranspose2d(1, 2, 3), conv._ConvNd)
    assert isinstance(nn.ConvTranspose3d(1, 2, 3), conv._ConvTransposeNd)
    assert not isinstance(nn.Conv2d(1, 2, 3), conv._ConvTransposeNd)
    assert not isinstance(nn.Linear(2, 2), conv._ConvNd)
    mine = _std_conv_class(conv._ConvNd, mutils._pair, F)
    assert not isinstance(nn.Conv2d(1, 2, 3), mine)  # a script's subclass is an ordinary class
    with pytest.raises(TypeError, match="kernel_size as a tuple"):
        conv._ConvNd(1, 2, 3, 1, 0, 1, False, 0, 1, True, "zeros")


def test_transposed_conv_subclass_gets_pytorchs_weight_shape():
    pytest.importorskip("torch")
    from torch.nn.modules.conv import _ConvTransposeNd as TBase

    def build(base):
        return base(4, 6, (3, 3), (2, 2), (1, 1), (1, 1), True, (1, 1), 2, True, "zeros")

    ours, theirs = build(conv._ConvTransposeNd), build(TBase)
    assert tuple(ours.weight.shape) == tuple(theirs.weight.shape) == (4, 3, 3, 3)
    assert ours.output_padding == theirs.output_padding and ours.transposed


def _bn_class(base):
    class BatchNormAnyD(base):
        def _check_input_dim(self, input):
            if input.dim() < 2:
                raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    return BatchNormAnyD


def test_batchnorm_subclass_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.nn.modules.batchnorm import _BatchNorm as TBatchNorm

    ours, theirs = _bn_class(batchnorm._BatchNorm)(3), _bn_class(TBatchNorm)(3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(3).standard_normal((4, 3, 5)).astype(np.float32) * 2 + 1
    for _ in range(2):
        a, b = ours(gn.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-5)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(
            getattr(ours, name).numpy(), getattr(theirs, name).numpy(), rtol=1e-5, atol=1e-6
        )
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 2
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(
        ours(gn.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5
    )
    with pytest.raises(ValueError, match="at least 2D input"):
        ours(gn.ones(3))


def test_batchnorm_bases_count_glassnets_own_layers_as_pytorch_does():
    bn, inorm = batchnorm._BatchNorm, instancenorm._InstanceNorm
    assert all(
        isinstance(m, bn) for m in (nn.BatchNorm1d(2), nn.BatchNorm2d(2), nn.SyncBatchNorm(2))
    )
    assert not isinstance(nn.InstanceNorm2d(2), bn) and not isinstance(nn.LayerNorm(2), bn)
    assert isinstance(nn.InstanceNorm2d(2), batchnorm._NormBase) and isinstance(
        nn.InstanceNorm1d(2), inorm
    )
    assert isinstance(_bn_class(bn)(2), batchnorm._NormBase)
    with pytest.raises(NotImplementedError, match="_check_input_dim"):
        bn(2)(gn.ones(2, 2))


def _in_class(base):
    class InstanceNorm2dChecked(base):
        def _get_no_batch_dim(self):
            return 3

        def _check_input_dim(self, input):
            if input.dim() not in (3, 4):
                raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")

    return InstanceNorm2dChecked


def test_instancenorm_subclass_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.nn.modules.instancenorm import _InstanceNorm as TInstanceNorm

    ours = _in_class(instancenorm._InstanceNorm)(3, affine=True)
    theirs = _in_class(TInstanceNorm)(3, affine=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 5)).astype(np.float32)
    for sample in (x, x[0]):
        np.testing.assert_allclose(
            ours(gn.tensor(sample)).detach().numpy(),
            theirs(torch.tensor(sample)).detach().numpy(),
            rtol=1e-4,
            atol=1e-5,
        )
    with pytest.raises(ValueError, match="3D or 4D"):
        ours(gn.ones(2, 3))


def test_pool_and_dropout_bases_take_pytorchs_arguments():
    class HalfPool(pooling._AvgPoolNd):  # PyTorch's _AvgPoolNd takes no arguments
        def __init__(self):
            super().__init__()
            self.kernel_size, self.stride, self.padding = 2, 2, 0

        def forward(self, x):
            return F.avg_pool2d(x, self.kernel_size, self.stride)

    assert HalfPool()(gn.ones(1, 1, 4, 4)).shape == (1, 1, 2, 2)
    assert repr(HalfPool()) == "HalfPool(kernel_size=2, stride=2, padding=0)"
    assert isinstance(nn.AvgPool2d(2), pooling._AvgPoolNd)
    assert isinstance(nn.MaxUnpool2d(2), pooling._MaxUnpoolNd)

    class MaxPoolKeep(pooling._MaxPoolNd):
        def forward(self, x):
            return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    assert MaxPoolKeep(2).stride == 2 and MaxPoolKeep(2)(gn.ones(1, 1, 4, 4)).shape == (1, 1, 2, 2)

    class ScaleDropout(gn.nn.modules.dropout._DropoutNd):
        def forward(self, x):
            return x * (1 - self.p)

    d = ScaleDropout(p=0.25, inplace=True)
    assert d.p == 0.25 and d.inplace and float(d(gn.ones(1))[0]) == 0.75
    with pytest.raises(ValueError):
        ScaleDropout(p=1.5)


def test_lazy_module_mixin():
    class LazyScale(lazy.LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(gn.empty(0))

        def initialize_parameters(self, x):
            self.scale = nn.Parameter(gn.full((x.shape[-1],), 2.0))

        def forward(self, x):
            return x * self.scale

    m = LazyScale()
    assert m.has_uninitialized_params() and isinstance(m, lazy.LazyModuleMixin)
    np.testing.assert_allclose(m(gn.ones(2, 3)).numpy(), np.full((2, 3), 2.0))
    assert not m.has_uninitialized_params() and m.scale.shape == (3,)

    class Forgets(lazy.LazyModuleMixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(gn.empty(0))

        def initialize_parameters(self, x):
            pass

        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="left w without a shape"):
        Forgets()(gn.ones(2))
    assert isinstance(nn.LazyLinear(3), lazy.LazyModuleMixin)
    assert isinstance(nn.LazyConv2d(4, 3), lazy.LazyModuleMixin)
    layer = nn.LazyLinear(3)
    layer(gn.ones(2, 5))
    assert not isinstance(layer, lazy.LazyModuleMixin)  # it became a plain Linear, as in PyTorch


def test_transformer_helpers():
    layer = nn.Linear(2, 2)
    clones = transformer._get_clones(layer, 3)
    assert isinstance(clones, nn.ModuleList) and len(clones) == 3
    assert clones[0].weight is not layer.weight
    np.testing.assert_array_equal(clones[2].weight.numpy(), layer.weight.numpy())
    assert transformer._get_activation_fn("gelu") is F.gelu
    with pytest.raises(RuntimeError, match="relu/gelu"):
        transformer._get_activation_fn("tanh")
    mask = transformer._generate_square_subsequent_mask(3).numpy()
    assert mask[0, 1] == -np.inf and mask[1, 0] == 0 and mask[2, 2] == 0


def test_linear_and_module_files():
    from glassnet.nn.modules import linear, module

    assert issubclass(linear.NonDynamicallyQuantizableLinear, nn.Linear)
    assert linear.NonDynamicallyQuantizableLinear(2, 3).weight.shape == (3, 2)
    assert module._IncompatibleKeys is nn.IncompatibleKeys
    assert module._addindent("a\nb", 2) == "a\n  b"


# ----------------------------------------------------------------------------------------------
# torch.utils.hooks and torch.types
# ----------------------------------------------------------------------------------------------


def test_removable_handle_removes_a_hook():
    model = nn.Linear(2, 2)
    calls = []
    handle = model.register_forward_hook(lambda m, i, o: calls.append(1))
    assert isinstance(handle, RemovableHandle) and RemovableHandle is nn.hooks.RemovableHandle
    model(gn.ones(1, 2))
    handle.remove()
    model(gn.ones(1, 2))
    assert calls == [1]
    # A handle made by a script for its own dict of hooks, as with PyTorch's.
    hooks = {}
    own = RemovableHandle(hooks)
    hooks[own.id] = print
    with own:
        assert own.id in hooks
    assert hooks == {}


def test_unserializable_hook_marks_and_returns_the_hook():
    from glassnet.utils.hooks import unserializable_hook

    def hook(grad):
        return grad

    assert unserializable_hook(hook) is hook and hook.__torch_unserializable__ is True


def test_torch_types_match_pytorchs():
    import typing

    import glassnet.torch_types as T

    torch_types = pytest.importorskip("torch.types")
    assert typing.get_args(T.Number) == typing.get_args(torch_types.Number) == (int, float, bool)
    assert T._Number == torch_types._Number
    assert typing.get_args(T.Device)[1:] == typing.get_args(torch_types.Device)[1:]
    assert typing.get_args(T.Device)[0] is gn.device
    assert T._dtype is gn.dtype and T._int is int and T._float is float and T._bool is bool
    assert typing.get_args(T._size)[0] is gn.Size
    assert isinstance(gn.float32, T._dtype) and isinstance("cpu", typing.get_args(T.Device))

    def f(x: T.Number, d: T.Device = None) -> T._size:
        return (1,)

    assert typing.get_type_hints(f)["x"] == T.Number


# ----------------------------------------------------------------------------------------------
# torch.multiprocessing
# ----------------------------------------------------------------------------------------------


def test_multiprocessing_has_pythons_names_and_pytorchs():
    import multiprocessing

    for name in multiprocessing.__all__:
        assert getattr(gmp, name) is getattr(multiprocessing, name)
    assert gn.multiprocessing is gmp
    torch_mp = pytest.importorskip("torch.multiprocessing")
    assert set(torch_mp.__all__) <= set(gmp.__all__)
    assert gmp.get_all_sharing_strategies() == torch_mp.get_all_sharing_strategies()
    assert gmp.get_sharing_strategy() == torch_mp.get_sharing_strategy()


def test_sharing_strategies(monkeypatch):
    monkeypatch.setattr(gmp, "_sharing_strategy", gmp.get_sharing_strategy())
    assert gmp.get_sharing_strategy() in gmp.get_all_sharing_strategies()
    gmp.set_sharing_strategy("file_system")
    assert gmp.get_sharing_strategy() == "file_system"
    with pytest.raises(ValueError, match=r"expected .*'file_system', got 'shm'") as info:
        gmp.set_sharing_strategy("shm")
    assert "\n" not in str(info.value)
    assert gmp.get_sharing_strategy() == "file_system"
    strategies = gmp.get_all_sharing_strategies()
    strategies.clear()  # a copy: the module's own set is unchanged
    assert gmp.get_all_sharing_strategies()


def _put_square(rank, queue, scale):
    queue.put((rank, float((gn.ones(2) * rank * scale).sum())))


def _write_file(rank, folder):
    with open(os.path.join(folder, f"{rank}.txt"), "w") as f:
        f.write(str(int(gn.arange(rank + 2).sum())))


def _fails_in_one(rank):
    if rank == 1:
        raise ValueError("child 1 cannot go on")
    time.sleep(30)  # stopped by the parent once child 1 has failed


def _exits_with_3(rank):
    os._exit(3)


def test_spawn_two_processes_put_results_on_a_queue():
    import multiprocessing

    queue = multiprocessing.get_context("spawn").SimpleQueue()
    assert gmp.spawn(_put_square, args=(queue, 3.0), nprocs=2) is None
    assert sorted(queue.get() for _ in range(2)) == [(0, 0.0), (1, 6.0)]


def _double_in_place(rank, t, queue):
    t.mul_(2)  # the child's own copy
    queue.put(t)


def test_tensors_travel_by_value_not_shared_memory():
    import multiprocessing

    queue = multiprocessing.get_context("spawn").SimpleQueue()
    t = gn.arange(3, dtype=gn.float32)
    assert t.share_memory_() is t and t.is_shared() is False  # documented: nothing is shared
    gmp.spawn(_double_in_place, args=(t, queue), nprocs=1)
    back = queue.get()
    assert isinstance(back, gn.Tensor) and back.dtype == gn.float32
    np.testing.assert_array_equal(back.numpy(), [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(t.numpy(), [0.0, 1.0, 2.0])  # the parent's is unchanged


def test_start_processes_without_join_writes_files(tmp_path):
    context = gmp.start_processes(
        _write_file, args=(str(tmp_path),), nprocs=2, join=False, start_method="fork"
    )
    assert len(set(context.pids())) == 2
    while not context.join(timeout=60):
        pass
    assert context.join() is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.txt", "1.txt"]
    assert (tmp_path / "0.txt").read_text() == "1" and (tmp_path / "1.txt").read_text() == "3"


def test_spawn_raises_the_childs_exception_in_the_parent():
    start = time.monotonic()
    with pytest.raises(gmp.ProcessRaisedException) as info:
        gmp.spawn(_fails_in_one, nprocs=2)
    assert time.monotonic() - start < 25  # the sleeping child was stopped, not waited for
    error = info.value
    assert error.error_index == 1 and isinstance(error.pid, int)
    first = str(error).splitlines()[0]
    assert first == "process 1 of 2 raised ValueError: child 1 cannot go on"
    assert "in _fails_in_one" in str(error)  # the child's traceback


def test_spawn_reports_a_child_that_exits_with_a_status():
    with pytest.raises(
        gmp.ProcessExitedException, match="process 0 of 1 exited with status 3"
    ) as info:
        gmp.start_processes(_exits_with_3, nprocs=1, start_method="fork")
    assert info.value.exit_code == 3 and info.value.signal_name is None


def test_spawn_refuses_bad_arguments():
    with pytest.raises(TypeError, match="picklable"):
        gmp.spawn(lambda i: None, nprocs=1)
    with pytest.raises(ValueError, match="nprocs must be a positive whole number, got 0"):
        gmp.spawn(_write_file, nprocs=0)
    with pytest.raises(TypeError, match="expected args to be a tuple, got list"):
        gmp.spawn(_write_file, args=["x"])
    with pytest.raises(ValueError, match="start_method must be one of"):
        gmp.start_processes(_write_file, start_method="thread")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FutureWarning, match="only supports start_method='spawn'"):
            gmp.spawn(_write_file, start_method="fork")


def test_spawn_under_glassnet_run(capsys, tmp_path):
    script = _script(
        tmp_path,
        """
        def work(rank, queue):
            queue.put((rank, torch.__name__, float(torch.ones(3).sum()) * rank))

        def fail(rank):
            raise KeyError(f"no key in {rank}")

        if __name__ == "__main__":
            queue = mp.get_context("spawn").SimpleQueue()
            mp.spawn(work, args=(queue,), nprocs=2)
            print(sorted(queue.get() for _ in range(2)))
            try:
                mp.spawn(fail, nprocs=1)
            except mp.ProcessRaisedException as e:
                print(str(e).splitlines()[0])
        """,
    )
    code, out, err = run(capsys, "run", script)
    assert code == 0, err
    # The children ran the script's functions on glassnet too, not on PyTorch.
    assert out.splitlines() == [
        "[(0, 'glassnet', 0.0), (1, 'glassnet', 3.0)]",
        "process 0 of 1 raised KeyError: 'no key in 0'",
    ]


def test_any_spawned_child_of_a_glassnet_run_script_gets_the_alias(capsys, tmp_path):
    script = _script(
        tmp_path,
        """
        import multiprocessing

        def where(queue, n):
            queue.put((torch.__name__, float(torch.ones(n).sum())))

        class Square:
            def __call__(self, i):
                return int(torch.tensor([i]).pow(2).item())

        if __name__ == "__main__":
            for method in ("spawn", "forkserver"):
                ctx = multiprocessing.get_context(method)
                queue = ctx.Queue()
                child = ctx.Process(target=where, args=(queue, 3))
                child.start()
                print(method, queue.get())
                child.join()
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                print(pool.map(Square(), range(4)))
        """,
    )
    code, out, err = run(capsys, "run", script)
    assert code == 0, err
    assert out.splitlines() == [
        "spawn ('glassnet', 3.0)",
        "forkserver ('glassnet', 3.0)",
        "[0, 1, 4, 9]",
    ]
    assert "GLASSNET_RUN_SCRIPT" not in os.environ  # the runner put it back
