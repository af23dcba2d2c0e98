"""Normalization layers: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm.

Each layer but RMSNorm computes y = (x - mean) / sqrt(var + eps) * weight + bias, with the
statistics taken over different sets of elements (see glassnet.nn.functional.normalization
for the maths); RMSNorm only divides by the root mean square, y = x / sqrt(mean(x**2) + eps)
* weight. Only batch norm (and instance norm with ``track_running_stats=True``) has state
beyond its parameters: running averages of the mean and variance collected in training mode
and used in evaluation mode (``model.eval()``).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd import no_grad, wrap
from ..dtypes import float32, is_floating, to_dtype
from ..tensor import Tensor
from .errors import call_function_form, layer_size, pattern_text
from .functional import normalization as F
from .module import Module
from .parameter import Parameter

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
    "GroupNorm",
    "LocalResponseNorm",
    "RMSNorm",
    "SyncBatchNorm",
]


def _float_dtype(layer: str, dtype) -> np.dtype:
    dtype = float32 if dtype is None else to_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"{layer}: dtype must be a floating dtype, got {dtype}")
    return dtype


def _check_device(layer: str, device) -> None:
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"{layer}: glassnet runs on the CPU only, got device={device!r}")


def _positive_eps(layer: str, eps) -> float:
    if eps <= 0:
        raise ValueError(f"{layer}: eps must be positive, got {eps}")
    return eps


def _make_affine(layer: Module, shape, affine: bool, bias: bool, dtype) -> None:
    """Register the learned scale ``weight`` (init 1) and shift ``bias`` (init 0).

    All three kinds of layer do this the same way; only ``shape`` differs (C features, or
    LayerNorm's ``normalized_shape``). A switched-off one is still registered as None, so
    ``layer.weight`` / ``layer.bias`` always exist, as in PyTorch.
    """
    if affine:
        layer.weight = Parameter(np.ones(shape, dtype=dtype))
        if bias:
            layer.bias = Parameter(np.zeros(shape, dtype=dtype))
        else:
            layer.register_parameter("bias", None)  # declared but absent, as in PyTorch
    else:
        layer.register_parameter("weight", None)
        layer.register_parameter("bias", None)


def _reset_affine(layer: Module) -> None:
    """weight = 1 and bias = 0 (the identity transform), for whichever of them exist."""
    with no_grad():
        if layer.weight is not None:
            layer.weight.fill_(1)
        if layer.bias is not None:
            layer.bias.zero_()


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d/3d; subclasses say which input shapes they accept."""

    _patterns: tuple = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        _check_device(name, device)
        dtype = _float_dtype(name, dtype)
        self.num_features = layer_size(name, "num_features", num_features)
        _positive_eps(name, eps)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum}")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        c = self.num_features
        _make_affine(self, c, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", wrap(np.zeros(c, dtype=dtype)))
            self.register_buffer("running_var", wrap(np.ones(c, dtype=dtype)))
            self.register_buffer("num_batches_tracked", wrap(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean back to 0, running variance to 1, batch counter to 0."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Running statistics reset; weight = 1 and bias = 0 (the identity transform)."""
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, *self._patterns)
        # momentum=None: a plain average of all batches seen, 1/n for the n-th batch.
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            self.num_batches_tracked._version[0] += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.array)
        # Batch statistics in training, and always when there are no running ones to use.
        use_batch = self.training or self.running_mean is None
        return call_function_form(
            self,
            F.batch_norm,
            input,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def _complete_old_state_dict(self, state_dict: dict, prefix: str, version: int | None) -> None:
        """Let a checkpoint without ``num_batches_tracked`` load, as PyTorch does.

        Checkpoints from before the counter existed (layout version < 2), and plain dicts
        that carry no version at all (often state_dicts filtered by a dict comprehension),
        may lack the key; the module's own counter is then kept instead of reporting the key
        missing. ``state_dict`` is load_state_dict's private copy, so adding to it is safe.
        """
        key = prefix + "num_batches_tracked"
        if self.num_batches_tracked is not None and (version is None or version < 2):
            state_dict.setdefault(key, self.num_batches_tracked.detach().clone())

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a batch of feature vectors (or of sequences), per feature.

    In training mode each feature c is standardized with its mean and variance over the
    batch (and over the length L for 3-D input), then scaled and shifted:

        y = (x - mean_B) / sqrt(var_B + eps) * weight + bias

    and the running averages are updated: ``running = (1 - momentum) * running + momentum *
    batch_stat`` (the variance with the unbiased M / (M - 1) correction; momentum=None gives
    the plain average of all batches). In evaluation mode (``.eval()``) the running averages
    are used instead, so a sample's output does not depend on the rest of the batch.

    Args:
        num_features: C, the number of features (channels).
        eps: added to the variance (default 1e-5).
        momentum: weight of each new batch in the running averages (default 0.1), or None
            for a cumulative average.
        affine: learn the per-feature ``weight`` (init 1) and ``bias`` (init 0).
        track_running_stats: keep ``running_mean``, ``running_var`` and
            ``num_batches_tracked`` buffers; if False, batch statistics are used in both modes.
        dtype: dtype of parameters and buffers (default float32).
        bias: with ``affine``, whether to learn the bias too.

    Shape: input (N, C) or (N, C, L); output the same shape.

    Example::

        >>> bn = nn.BatchNorm1d(16)
        >>> y = bn(glassnet.randn(32, 16))       # each column of y: mean 0, variance ~1
        >>> bn.running_mean.shape
        (16,)
    """

    @property
    def _patterns(self) -> tuple:
        return (("N", self.num_features), ("N", self.num_features, "L"))


class BatchNorm2d(_BatchNorm):
    """Batch normalization of images, per channel, over the batch and all pixels.

    y = (x - mean_B) / sqrt(var_B + eps) * weight + bias, with mean_B and var_B of each
    channel taken over (N, H, W) in training mode, and the running averages in evaluation
    mode. See BatchNorm1d for the arguments and the running-average update.

    Args:
        num_features: C, the number of channels.
        eps, momentum, affine, track_running_stats, dtype, bias: as in BatchNorm1d.

    Shape: input (N, C, H, W); output the same shape.

    Example::

        >>> block = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
    """

    @property
    def _patterns(self) -> tuple:
        return (("N", self.num_features, "H", "W"),)


class BatchNorm3d(_BatchNorm):
    """Batch normalization of volumes, per channel, over (N, D, H, W).

    See BatchNorm1d for the maths and arguments.

    Shape: input (N, C, D, H, W); output the same shape.

    Example: ``nn.BatchNorm3d(8)(glassnet.randn(2, 8, 4, 4, 4))``.
    """

    @property
    def _patterns(self) -> tuple:
        return (("N", self.num_features, "D", "H", "W"),)


class SyncBatchNorm(_BatchNorm):
    """PyTorch's batch norm whose statistics are gathered over all processes of a
    data-parallel run. glassnet's data parallelism averages gradients, not batch statistics,
    so this is batch norm over this process's batch: ``BatchNorm1d/2d/3d`` for any
    (N, C, ...) input. ``process_group`` is accepted and not used.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: object = None, device=None, dtype=None) -> None:  # fmt: skip
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    @property
    def _patterns(self) -> tuple:
        return (("N", self.num_features, "*"),)


class LocalResponseNorm(Module):
    """Each channel divided by the activity of its ``size`` neighbouring channels (AlexNet's
    normalization, ``F.local_response_norm``): b_c = a_c / (k + alpha / size * sum of a**2
    over the window) ** beta. No parameters.

    Example: ``nn.LocalResponseNorm(5)(glassnet.randn(2, 16, 8, 8))``.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return call_function_form(self, F.local_response_norm, input, self.size, self.alpha,
                                  self.beta, self.k)  # fmt: skip

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d/3d: batch norm's parameters and buffers, per-instance statistics.

    The settings, ``weight``/``bias`` and the optional running-statistics buffers are those
    of batch norm (so ``state_dict`` has the same keys as in PyTorch); only the defaults
    (no affine, no running statistics) and the forward pass differ. ``_spatial`` is the
    number of position axes (1 for (N, C, L), 2 for (N, C, H, W), 3 for (N, C, D, H, W)).
    """

    _spatial: int = 1

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input: Tensor) -> Tensor:
        positions = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[self._spatial]
        self.check_input_shape(input, ("N", "C", *positions), ("C", *positions))
        unbatched = input.ndim == 1 + self._spatial
        channel_dim = 0 if unbatched else 1
        size = input.shape[channel_dim]
        if size != self.num_features:
            if self.affine or self.track_running_stats:
                # weight, bias and the running statistics hold one value per feature.
                shape = ("N", self.num_features, *positions)
                raise self.input_error(
                    f"{pattern_text(shape)} or {pattern_text(shape[1:])} (num_features="
                    f"{self.num_features})",
                    input.shape,
                )
            # Without parameters num_features is not used: PyTorch only warns.
            warnings.warn(
                f"{type(self).__name__}: the input's size at dim={channel_dim} ({size}) does not "
                f"match num_features ({self.num_features}), which is not used because "
                "affine=False and track_running_stats=False",
                stacklevel=2,
            )
        x = input.unsqueeze(0) if unbatched else input
        # Each instance's own statistics in training, and always when no running ones are kept;
        # momentum=None leaves the running statistics unchanged (PyTorch passes 0).
        y = call_function_form(
            self,
            F.instance_norm,
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of sequences: each (sample, channel) standardized over its length.

        y[n, c] = (x[n, c] - mean_{n,c}) / sqrt(var_{n,c} + eps) * weight_c + bias_c

    with mean and (biased) var over the L positions of channel c of sample n, so neither
    the batch nor the other channels affect a channel's output. By default there are no
    parameters and no running statistics, and training and evaluation behave the same.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance (default 1e-5).
        momentum: weight of each batch in the running averages (default 0.1); None leaves
            them unchanged (as in PyTorch).
        affine: learn per-channel ``weight`` (init 1) and ``bias`` (init 0) (default False).
        track_running_stats: keep running averages of the (batch-averaged) instance
            statistics and use them in evaluation mode (default False).
        dtype: dtype of parameters and buffers (default float32).
        bias: with ``affine``, whether to learn the bias too.

    Shape: input (N, C, L) or (C, L) (one sample); output the same shape.

    Example::

        >>> norm = nn.InstanceNorm1d(16)
        >>> y = norm(glassnet.randn(4, 16, 50))   # each y[n, c, :] has mean 0, variance ~1
    """

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of images: each (sample, channel) standardized over its pixels.

    y[n, c] = (x[n, c] - mean_{n,c}) / sqrt(var_{n,c} + eps) * weight_c + bias_c, with the
    statistics over the H * W pixels of channel c of image n (the normalization of style
    transfer networks). See InstanceNorm1d for the arguments.

    Shape: input (N, C, H, W) or (C, H, W) (one image); output the same shape.

    Example::

        >>> norm = nn.InstanceNorm2d(3, affine=True)
        >>> y = norm(glassnet.randn(2, 3, 32, 32))
    """

    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of volumes: each (sample, channel) standardized over its voxels.

    y[n, c] = (x[n, c] - mean_{n,c}) / sqrt(var_{n,c} + eps) * weight_c + bias_c, with the
    statistics over the D * H * W positions of channel c of sample n. See InstanceNorm1d for
    the arguments.

    Shape: input (N, C, D, H, W) or (C, D, H, W) (one sample); output the same shape.

    Example::

        >>> norm = nn.InstanceNorm3d(4, affine=True)
        >>> y = norm(glassnet.randn(2, 4, 8, 8, 8))
    """

    _spatial = 3


class LayerNorm(Module):
    """Layer normalization: standardize each sample over its last dimensions.

        y = (x - mean) / sqrt(var + eps) * weight + bias

    with mean and (biased) var over the trailing ``normalized_shape`` dimensions of each
    sample, in training and evaluation alike (no running statistics). The standard
    normalization of transformers.

    Args:
        normalized_shape: int or tuple, the trailing shape normalized over (e.g. the model
            width 512, or (C, H, W)).
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` (init 1) and ``bias`` (init 0) of shape
            ``normalized_shape``.
        bias: with ``elementwise_affine``, whether to learn the bias too.
        dtype: dtype of the parameters (default float32).

    Shape: input (*, *normalized_shape); output the same shape.

    Example::

        >>> ln = nn.LayerNorm(512)
        >>> y = ln(glassnet.randn(8, 20, 512))   # each y[b, t, :] has mean 0 and variance ~1
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _check_device("LayerNorm", device)
        dtype = _float_dtype("LayerNorm", dtype)
        self.normalized_shape = F._normalized_shape("LayerNorm", normalized_shape)
        self.eps = _positive_eps("LayerNorm", eps)
        self.elementwise_affine = elementwise_affine
        _make_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def reset_parameters(self) -> None:
        """weight = 1 and bias = 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("*", *self.normalized_shape))
        return call_function_form(
            self, F.layer_norm, input, self.normalized_shape, self.weight, self.bias, self.eps
        )

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Group normalization: channels in groups, each (sample, group) standardized on its own.

        y = (x - mean_{n,g}) / sqrt(var_{n,g} + eps) * weight_c + bias_c

    The C channels are split into ``num_groups`` groups of C / G consecutive channels; the
    statistics of group g of sample n are taken over its channels and all positions. Works
    the same for any batch size (even 1) and in both modes.

    Args:
        num_groups: G, which must divide num_channels.
        num_channels: C.
        eps: added to the variance (default 1e-5).
        affine: learn per-channel ``weight`` (init 1) and ``bias`` (init 0).
        bias: with ``affine``, whether to learn the bias too.
        dtype: dtype of the parameters (default float32).

    Shape: input (N, C, *); output the same shape.

    Example::

        >>> gn_layer = nn.GroupNorm(4, 32)       # 4 groups of 8 channels
        >>> y = gn_layer(glassnet.randn(2, 32, 8, 8))
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _check_device("GroupNorm", device)
        dtype = _float_dtype("GroupNorm", dtype)
        self.num_groups = layer_size("GroupNorm", "num_groups", num_groups)
        self.num_channels = layer_size("GroupNorm", "num_channels", num_channels)
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.eps = _positive_eps("GroupNorm", eps)
        self.affine = affine
        _make_affine(self, num_channels, affine, bias, dtype)

    def reset_parameters(self) -> None:
        """weight = 1 and bias = 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", self.num_channels, "*"))
        return call_function_form(
            self, F.group_norm, input, self.num_groups, self.weight, self.bias, self.eps
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalization: rescale each sample to unit RMS over its last dimensions.

        y = x / sqrt(mean(x**2) + eps) * weight

    with the mean over the trailing ``normalized_shape`` dimensions of each sample. Unlike
    LayerNorm no mean is subtracted and there is no bias; cheaper, and the normalization of
    LLaMA-style transformers. The same in training and evaluation.

    Args:
        normalized_shape: int or tuple, the trailing shape normalized over.
        eps: added to the mean square; None (the default) uses the machine epsilon of the
            input's dtype (``glassnet.finfo(input.dtype).eps``), as PyTorch does.
        elementwise_affine: learn ``weight`` (init 1) of shape ``normalized_shape``.
        dtype: dtype of the weight (default float32).

    Shape: input (*, *normalized_shape); output the same shape.

    Example::

        >>> norm = nn.RMSNorm(512)
        >>> y = norm(glassnet.randn(8, 20, 512))  # each y[b, t, :] has mean square ~1
    """

    def __init__(
        self,
        normalized_shape,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _check_device("RMSNorm", device)
        dtype = _float_dtype("RMSNorm", dtype)
        self.normalized_shape = F._normalized_shape("RMSNorm", normalized_shape)
        self.eps = None if eps is None else _positive_eps("RMSNorm", eps)
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """weight = 1."""
        if self.weight is not None:
            with no_grad():
                self.weight.fill_(1)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("*", *self.normalized_shape))
        return call_function_form(
            self, F.rms_norm, input, self.normalized_shape, self.weight, self.eps
        )

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
