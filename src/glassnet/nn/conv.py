"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d, and Unfold / Fold (im2col as modules)."""

from __future__ import annotations

import math
from typing import Any

from ..creation import empty
from ..dtypes import to_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .errors import layer_size
from .functional._args import check_output_padding, int_tuple
from .functional.conv import PADDING_MODES, SPATIAL_NAMES, convolve, resolve_padding
from .module import Module
from .parameter import Parameter

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Unfold",
    "Fold",
]


class _ConvNd(Module):
    """What Conv1d/2d/3d and ConvTranspose1d/2d/3d share: arguments, parameters, init, checks, repr."""

    _nd = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        """PyTorch's Conv1d/Conv2d arguments; ConvTranspose sets its output_padding after."""
        super().__init__()
        who, nd = type(self).__name__, self._nd
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            layer_size(who, name, value)
        layer_size(who, "groups", groups)
        if in_channels % groups:
            raise ValueError(
                f"{who}: in_channels ({in_channels}) must be divisible by groups ({groups})"
            )
        if out_channels % groups:
            raise ValueError(
                f"{who}: out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"{who}: padding_mode must be one of {PADDING_MODES}, got "
                f"padding_mode={padding_mode!r}"
            )
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'{who}: only "zeros" padding mode is supported, got {padding_mode!r}')
        if device not in (None, "cpu"):
            raise ValueError(f"{who}: glassnet runs on the CPU only, got device={device!r}")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = int_tuple(kernel_size, nd, "kernel_size", who, minimum=None)
        self.stride = int_tuple(stride, nd, "stride", who, minimum=None)
        self.dilation = int_tuple(dilation, nd, "dilation", who, minimum=None)
        if (
            any(k < 1 for k in self.kernel_size)
            or any(s < 1 for s in self.stride)
            or any(d < 1 for d in self.dilation)
        ):
            raise ValueError(
                f"{who}: kernel_size, stride and dilation must be >= 1, got "
                f"{kernel_size!r}, {stride!r}, {dilation!r}"
            )
        if isinstance(padding, str):
            if padding not in ("valid", "same") or self._transposed:
                allowed = "an int or a tuple" + ("" if self._transposed else ", 'valid' or 'same'")
                raise ValueError(f"{who}: padding must be {allowed}, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(
                    f"{who}: padding='same' is not supported for strided "
                    f"convolutions (got stride={stride!r})"
                )
            self.padding: Any = padding
        else:
            self.padding = int_tuple(padding, nd, "padding", who, minimum=0)
        self.output_padding = (0,) * nd  # a transposed convolution sets its own
        self.groups = int(groups)
        self.padding_mode = padding_mode
        # Padding per side (before_0, after_0, before_1, after_1, ...), 'same' resolved.
        self._pads = resolve_padding(self.padding, self.kernel_size, self.dilation, (1,) * nd, who)
        dtype = to_dtype(dtype) if dtype is not None else None
        if self._transposed:
            shape = (self.in_channels, self.out_channels // groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(*shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W ~ kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), b likewise.

        fan_in = weight.shape[1] * prod(kernel_size): in_channels / groups for a convolution
        (for a transposed one PyTorch uses the same formula, i.e. out_channels / groups).
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    # ------------------------------------------------------------------ input checks
    def _check_input(self, input: Any) -> None:
        """Raise (naming this layer) unless input is (N, C_in, *spatial) or (C_in, *spatial)."""
        nd = self._nd
        data = input.array if isinstance(input, Tensor) else None
        if (
            data is not None
            and data.ndim in (nd + 1, nd + 2)
            and data.shape[-nd - 1] == self.in_channels
            and data.dtype == self.weight.array.dtype
            and self._fits(data.shape[-nd:])
        ):
            return
        names = SPATIAL_NAMES[nd]
        self.check_input_shape(input, ("N", self.in_channels) + names, (self.in_channels,) + names)
        if not self._fits(data.shape[-nd:]):
            need = [self._min_size(axis) for axis in range(nd)]
            condition = " and ".join(f"{n} >= {m}" for n, m in zip(names, need))
            raise self.input_error(
                f"({', '.join(('N', str(self.in_channels)) + names)}) with {condition} (the "
                f"kernel {self.kernel_size} with dilation {self.dilation} must fit in the "
                f"padded input)",
                data.shape,
            )
        raise self.dtype_error("input", data.dtype, self.weight.array.dtype)

    def _min_size(self, axis: int) -> int:
        """The smallest input size along a spatial axis that gives at least one output."""
        if self._transposed:
            return 1
        extent = self.dilation[axis] * (self.kernel_size[axis] - 1) + 1
        return max(1, extent - self._pads[2 * axis] - self._pads[2 * axis + 1])

    def _fits(self, spatial: tuple) -> bool:
        return all(s >= self._min_size(a) for a, s in enumerate(spatial))

    def extra_repr(self) -> str:
        nd = self._nd
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if isinstance(self.padding, str):
            text += f", padding={self.padding}"
        elif self.padding != (0,) * nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """Conv1d, Conv2d and Conv3d: _ConvNd's arguments (PyTorch's order), and the forward pass."""

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        pads = self._pads
        if self.padding_mode != "zeros":
            # F.pad lists (before, after) per axis from the last axis back; _pads from the first.
            pairs = [pads[2 * axis : 2 * axis + 2] for axis in range(self._nd)]
            input = F.pad(input, [p for pair in reversed(pairs) for p in pair], self.padding_mode)
            pads = (0,) * len(pads)
        # Checked once above; convolve is conv1d / conv2d / conv3d without checking again.
        return convolve(
            input, self.weight, self.bias, self.stride, pads, self.dilation, self.groups
        )


class Conv2d(_Conv):
    r"""2-D convolution layer: y = conv2d(x, W) + b, with a learned weight W and bias b.

    Every output channel o slides its own small filter W[o] (C_in/groups x kh x kw) over the
    input and at each position takes the dot product with the window underneath:

        y[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j] * xpad[n, c, p*sh + i*dh, q*sw + j*dw]

    (within the group of o). Computed as one matrix product over im2col columns, see
    ``glassnet.nn.functional.conv2d``.

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size: (kh, kw) or one int for a square filter.
        stride: step between windows (default 1).
        padding: int, (ph, pw), 'valid' or 'same' (keep H and W; stride must be 1). Default 0.
        dilation: spacing between filter taps (default 1).
        groups: split the channels into independent groups (``groups=in_channels`` is a
            depthwise convolution). Both channel counts must be divisible by it.
        bias: learn b (default True).
        padding_mode: what the padding holds: 'zeros' (default), 'reflect', 'replicate' or
            'circular'.
        device, dtype: CPU only; parameter dtype (default float32).

    Shape:
        input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, Ho, Wo) with
        Ho = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1 and likewise Wo.

    Attributes:
        weight: (C_out, C_in/groups, kh, kw), from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
            fan_in = C_in/groups * kh * kw (PyTorch's kaiming_uniform_(a=sqrt(5))).
        bias: (C_out,), from the same distribution; or None.

    Example::

        >>> conv = nn.Conv2d(1, 32, 3, padding=1)
        >>> conv(glassnet.randn(128, 1, 28, 28)).shape
        (128, 32, 28, 28)
        >>> conv
        Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    _nd = 2


class Conv1d(_Conv):
    r"""1-D convolution layer over sequences: y[n, o, p] = b[o] + sum_{c, i} W[o, c, i] * xpad[n, c, p*s + i*d].

    Arguments as in ``Conv2d`` with single ints (or 1-tuples).

    Shape:
        input (N, C_in, L) or (C_in, L); output (N, C_out, Lo), Lo = floor((L + 2p - d*(k - 1) - 1) / s) + 1.

    Attributes:
        weight: (C_out, C_in/groups, k); bias: (C_out,) or None (initialised like Conv2d).

    Example::

        >>> nn.Conv1d(16, 33, 3, stride=2)(glassnet.randn(20, 16, 50)).shape
        (20, 33, 24)
    """

    _nd = 1


class Conv3d(_Conv):
    r"""3-D convolution layer over volumes (video clips, scans, voxel grids).

        y[n, o, p, q, r] = b[o] + sum_{c, i, j, k} W[o, c, i, j, k] * xpad[n, c, p*sd + i*dd, q*sh + j*dh, r*sw + k*dw]

    (within the group of o). Computed as one matrix product over the unfolded windows, see
    ``glassnet.nn.functional.conv3d``.

    Args:
        in_channels, out_channels, bias, groups, padding_mode, device, dtype: as in Conv2d.
        kernel_size, stride, dilation: int or (d, h, w) triple.
        padding: int, (pd, ph, pw), 'valid' or 'same' (stride must be 1).

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W); output (N, C_out, Do, Ho, Wo) with
        Do = floor((D + 2*pd - dd*(kd - 1) - 1) / sd) + 1 and likewise Ho, Wo.

    Attributes:
        weight: (C_out, C_in/groups, kd, kh, kw); bias: (C_out,) or None (both drawn as in
            Conv2d, fan_in = C_in/groups * kd * kh * kw).

    Example::

        >>> nn.Conv3d(3, 8, 3, padding=1)(glassnet.randn(2, 3, 4, 16, 16)).shape
        (2, 8, 4, 16, 16)
    """

    _nd = 3


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )
        who = type(self).__name__
        self.output_padding = int_tuple(output_padding, self._nd, "output_padding", who, minimum=0)
        check_output_padding(
            who,
            self.output_padding,
            self.stride,
            self.dilation,
            (output_padding, stride, dilation),
        )

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output_padding that makes the output exactly ``output_size`` (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        size = [
            int(s) for s in (output_size.shape if isinstance(output_size, Tensor) else output_size)
        ]
        if len(size) == nd + 2 or (len(size) == nd + 1 and input.ndim == nd + 1):
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(
                f"{self.layer_label()}: output_size must have {nd} or {nd + 2} "
                f"elements, got {output_size!r}"
            )
        result = []
        for axis in range(nd):
            lowest = (
                (input.shape[-nd + axis] - 1) * self.stride[axis]
                - 2 * self.padding[axis]
                + self.dilation[axis] * (self.kernel_size[axis] - 1)
                + 1
            )
            highest = lowest + self.stride[axis] - 1
            if not lowest <= size[axis] <= highest:
                raise ValueError(
                    f"{self.layer_label()}: requested an output size of {tuple(size)}, but "
                    f"valid sizes along axis {axis} range from {lowest} to {highest} for an "
                    f"input of shape {tuple(input.shape)}"
                )
            result.append(size[axis] - lowest)
        return tuple(result)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        self._check_input(input)
        output_padding = self._output_padding(input, output_size)
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[self._nd]
        return conv(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            output_padding,
            self.groups,
            self.dilation,
        )


class ConvTranspose2d(_ConvTranspose):
    r"""2-D transposed convolution ("deconvolution"): upsampling with a learned filter.

    Each input pixel stamps its filter, scaled by its value, onto the output at stride
    spacing; overlapping stamps add up:

        y[n, o, h*sh - ph + i*dh, w*sw - pw + j*dw] += W[c, o, i, j] * x[n, c, h, w],  then + b[o]

    It is the gradient of Conv2d with respect to its input, so ``ConvTranspose2d(C_out, C_in,
    k, s, p)`` maps a Conv2d(C_in, C_out, k, s, p) output shape back to its input shape.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias: as
            for Conv2d (padding removes rows/columns from the output's border).
        output_padding: extra rows/columns on the bottom/right of the output (must be
            smaller than the stride or the dilation). ``forward(x, output_size=...)`` picks
            it for you.
        padding_mode: only 'zeros'.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, Ho, Wo) with
        Ho = (H - 1)*sh - 2*ph + dh*(kh - 1) + output_padding + 1.

    Attributes:
        weight: (C_in, C_out/groups, kh, kw) (in_channels first); bias: (C_out,) or None.
        Both from U(-1/sqrt(k), 1/sqrt(k)) with k = C_out/groups * kh * kw (as PyTorch).

    Example::

        >>> up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        >>> up(glassnet.randn(4, 16, 14, 14)).shape
        (4, 8, 28, 28)
    """

    _nd = 2


class ConvTranspose1d(_ConvTranspose):
    r"""1-D transposed convolution over (N, C_in, L); see ConvTranspose2d.

    Output length (L - 1)*s - 2p + d*(k - 1) + output_padding + 1; weight (C_in, C_out/groups, k).

    Example::

        >>> nn.ConvTranspose1d(4, 2, 3, stride=2)(glassnet.randn(1, 4, 10)).shape
        (1, 2, 21)
    """

    _nd = 1


class ConvTranspose3d(_ConvTranspose):
    r"""3-D transposed convolution: upsampling of volumes with a learned filter; see ConvTranspose2d.

    Shape:
        input (N, C_in, D, H, W) or (C_in, D, H, W); output (N, C_out, Do, Ho, Wo),
        Do = (D - 1)*sd - 2*pd + dd*(kd - 1) + output_padding + 1 (likewise Ho, Wo).

    Attributes:
        weight: (C_in, C_out/groups, kd, kh, kw) (in_channels first); bias: (C_out,) or None.

    Example::

        >>> nn.ConvTranspose3d(8, 4, 2, stride=2)(glassnet.randn(1, 8, 3, 4, 4)).shape
        (1, 4, 6, 8, 8)
    """

    _nd = 3


class Unfold(Module):
    """Im2Col as a layer: (N, C, H, W) -> (N, C*kh*kw, L), one column per sliding window.

    See ``glassnet.nn.functional.unfold``; ``conv2d(x, W)`` equals
    ``(W.reshape(O, -1) @ Unfold(k)(x)).reshape(N, O, Ho, Wo)``.
    """

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = (
            kernel_size,
            dilation,
            padding,
            stride,
        )

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C", "H", "W"), ("C", "H", "W"))
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(Module):
    """Col2Im as a layer: add columns (N, C*kh*kw, L) back into an (N, C, H, W) image.

    The adjoint of Unfold; see ``glassnet.nn.functional.fold``.
    """

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size, self.dilation, self.padding, self.stride = (
            kernel_size,
            dilation,
            padding,
            stride,
        )

    def forward(self, input: Tensor) -> Tensor:
        self.check_input_shape(input, ("N", "C*kh*kw", "L"), ("C*kh*kw", "L"))
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )
