"""Convolutions as functions (PyTorch's F names): conv1d/2d/3d, conv_transpose1d/2d/3d, unfold, fold.

Every convolution here is Im2Col followed by one matrix product for the whole batch (see
glassnet/ops/conv.py):

    cols = Im2Col(x)                                 # (C*kh*kw, N*Ho*Wo): a column per position
    y    = weight.reshape(O, C*kh*kw) @ cols + bias  # (O, N*Ho*Wo) -> viewed as (N, O, Ho, Wo)

The bias is folded into the product (a row of ones under cols, a column b beside W), and the
result is returned as a view, so a convolution's output is stored channel by channel: shape
(N, O, Ho, Wo), memory order (O, N, Ho, Wo). Elementwise ops keep that order and pooling
follows it, so no layer has to copy the data back and forth. With ``groups = G`` the channels
split into G independent blocks, and the same product runs once per block (a batched matmul
over a group axis). A 1-D convolution is the 2-D one on an
image of height 1. A transposed convolution runs the same maths backwards: a matrix product
makes one column per input pixel, and fold (Col2Im) adds the columns into the output image;
it is exactly the gradient of conv2d with respect to its input.

Volumes (3-D convolutions) take the plain route of ``ops/volume.py``: every window copied
into one row (VolumeUnfold), then one matrix product; the transposed convolution is the same
product backwards followed by VolumeFold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import DTypeError, ShapeError
from ...ops.conv import (
    Col2Im,
    Geometry,
    Im2Col,
    compiled_columns,
    sliding_geometry,
    transposed_geometry,
)
from ...ops.shape import cat
from ...ops.volume import (
    VolumeFold,
    VolumeUnfold,
    WindowGeometry,
    transposed_window_geometry,
    window_geometry,
)
from ...tensor import Tensor
from ._args import check_output_padding, floating_tensor, int_tuple, shape_text

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
]

#: The names of the spatial axes of a 1-D, 2-D and 3-D input, for messages.
SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# ----------------------------------------------------------------------------------------------
# Argument checking and normalisation
# ----------------------------------------------------------------------------------------------


def _finish(y: Tensor, nd: int, batched: bool) -> Tensor:
    """Undo the axes added to run a 2-D kernel: the height-1 axis of 1-D input, the batch axis.

    Convolution and pooling both compute on (N, C, H, W); this brings their output back to the
    caller's layout: (N, C, L) for 1-D and no leading N for unbatched input.
    """
    if nd == 1:
        y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def resolve_padding(
    padding: Any, kernel: tuple, dilation: tuple, stride: tuple, fn: str
) -> tuple[int, ...]:
    """Padding per side, ordered (before_0, after_0, before_1, after_1, ...) over spatial axes.

    ``padding`` is an int, a tuple (one value per spatial axis, both sides), 'valid' (none) or
    'same' (output size = input size; only for stride 1; an odd total puts the extra on the
    after side, as PyTorch does).
    """
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * (2 * n)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{fn}: padding='same' is not supported for strided "
                    f"convolutions (got stride={stride if n > 1 else stride[0]})"
                )
            pads: list[int] = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return tuple(pads)
        raise ValueError(
            f"{fn}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}"
        )
    per_axis = int_tuple(padding, n, "padding", fn, minimum=0)
    return tuple(p for p in per_axis for _ in range(2))


def _read_conv_args(
    fn: str,
    nd: int,
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    dilation: Any,
    groups: Any,
    transposed: bool,
) -> tuple[Tensor, bool, tuple, tuple, tuple]:
    """Check what every convolution is given (shapes, dtypes, groups, stride, dilation).

    Returns the input with a batch axis, whether it had one, the kernel size and the stride
    and dilation as tuples of ``nd`` ints.
    """
    floating_tensor(x, fn, "input")
    floating_tensor(weight, fn, "weight")
    names = SPATIAL_NAMES[nd]
    spatial = f"({', '.join(names)})"
    if x.ndim not in (nd + 1, nd + 2):
        raise ShapeError(
            f"{fn}: expected a {nd + 1}-D (C, {', '.join(names)}) unbatched or {nd + 2}-D "
            f"(N, C, {', '.join(names)}) batched input, got shape {shape_text(x.shape)}"
        )
    if weight.ndim != nd + 2:
        kind = (
            "(in_channels, out_channels/groups"
            if transposed
            else "(out_channels, in_channels/groups"
        )
        raise ShapeError(
            f"{fn}: expected a {nd + 2}-D weight {kind}, {spatial[1:-1]}), got "
            f"shape {shape_text(weight.shape)}"
        )
    if x.dtype != weight.dtype:
        raise DTypeError(
            f"{fn}: input dtype {x.dtype} and weight dtype {weight.dtype} differ; "
            f"convert one of them (e.g. weight.to(input.dtype))"
        )
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive int, got {groups!r}")
    batched = x.ndim == nd + 2
    if not batched:
        x = x.unsqueeze(0)
    c = x.shape[1]
    if transposed:
        if weight.shape[0] != c:
            raise ShapeError(
                f"{fn}: weight of shape {shape_text(weight.shape)} expects an input with "
                f"{weight.shape[0]} channels, got {c} channels (input shape "
                f"{shape_text(x.shape)})"
            )
        if c % groups:
            raise ValueError(f"{fn}: in_channels ({c}) must be divisible by groups ({groups})")
        out_channels = weight.shape[1] * groups
    else:
        if weight.shape[0] % groups:
            raise ValueError(
                f"{fn}: out_channels ({weight.shape[0]}) must be divisible by groups ({groups})"
            )
        if weight.shape[1] * groups != c:
            raise ShapeError(
                f"{fn}: with groups={groups}, weight of shape {shape_text(weight.shape)} "
                f"expects an input with {weight.shape[1] * groups} channels, got {c} channels "
                f"(input shape {shape_text(x.shape)})"
            )
        out_channels = weight.shape[0]
    if bias is not None:
        floating_tensor(bias, fn, "bias")
        if bias.shape != (out_channels,):
            raise ShapeError(
                f"{fn}: expected a bias of shape ({out_channels},), got {shape_text(bias.shape)}"
            )
        if bias.dtype != x.dtype:
            raise DTypeError(f"{fn}: input dtype {x.dtype} and bias dtype {bias.dtype} differ")
    stride_t = int_tuple(stride, nd, "stride", fn)
    dilation_t = int_tuple(dilation, nd, "dilation", fn)
    return x, batched, tuple(weight.shape[2:]), stride_t, dilation_t


def _kernel_too_large(fn: str, padded: tuple, extent: tuple) -> ShapeError:
    """The error for a (dilated) kernel of size ``extent`` that does not fit in the padded input
    of size ``padded`` (one number per spatial axis each)."""
    return ShapeError(
        f"{fn}: the input is smaller than the kernel: padded input size per channel is "
        f"({' x '.join(map(str, padded))}), (dilated) kernel size is "
        f"({' x '.join(map(str, extent))})"
    )


def _check_fits(fn: str, geo: Geometry, nd: int) -> None:
    """Raise when the (dilated) kernel is larger than the padded input."""
    if geo.out_hw[0] > 0 and geo.out_hw[1] > 0:
        return
    extent = tuple(d * (k - 1) + 1 for k, d in zip(geo.kernel, geo.dilation))
    # A 1-D input runs as an image of height 1: name its length only.
    raise _kernel_too_large(fn, geo.padded_hw[-nd:], extent[-nd:])


def _check_output_size(fn: str, size: tuple, input: Tensor, nd: int) -> None:
    """Raise when a transposed convolution's output (spatial ``size``) would be empty."""
    if min(size) > 0:
        return
    shown = size[0] if nd == 1 else size
    raise ShapeError(
        f"{fn}: the output size would be {shown} for an input of spatial size "
        f"{tuple(input.shape[-nd:])}; reduce padding or enlarge the input"
    )


# ----------------------------------------------------------------------------------------------
# The 2-D kernels that every public function reduces to
# ----------------------------------------------------------------------------------------------


def use_wide_columns(geo: Geometry, in_channels: int, out_channels: int) -> bool:
    """Whether a convolution should use Im2Col's wide layout (a speed choice, same result).

    The wide layout (stride 1 only) copies each tap as one long run instead of many short
    rows, which pays off when there are many column rows per output channel (C*kh*kw > 2*O),
    but it costs (Wp - Wo) / Wo extra columns in the matrix products and a zero-padded copy of
    the output's gradient, so it is used only when the padding adds at most a quarter to the
    width.
    """
    (kh, kw), (_, ow), wp = geo.kernel, geo.out_hw, geo.padded_hw[1]
    return (
        geo.stride == (1, 1)
        and wp != ow
        and 4 * wp <= 5 * ow
        and in_channels * kh * kw > 2 * out_channels
    )


def _conv2d_nchw(
    x: Tensor, weight: Tensor, bias: Tensor | None, geo: Geometry, groups: int
) -> Tensor:
    """y = weight @ im2col(x) + bias on a batched (N, C, H, W) input; returns (N, O, Ho, Wo)."""
    n, c = x.shape[:2]
    out_channels = weight.shape[0]
    (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
    wide = use_wide_columns(geo, c, out_channels) and not compiled_columns(n, c, geo, x.dtype)
    width = geo.padded_hw[1] if wide else ow  # positions per row of the column grid
    length = n * oh * width  # columns: every position of every image
    if groups == 1:
        # The bias rides along in the product: [W | b] @ [cols; ones] = W @ cols + b.
        with_bias = bias is not None
        cols = Im2Col(geo, wide, ones_row=with_bias)(x)  # (C*kh*kw (+1), N, Ho*width)
        w = weight.reshape(out_channels, c * kh * kw)
        if with_bias:
            w = cat([w, bias.reshape(out_channels, 1)], dim=1)
        y = w @ cols.reshape(cols.shape[0], length)  # (O, N*Ho*width): one matrix product
    else:
        per_group = (c // groups) * kh * kw
        cols = Im2Col(geo, wide)(x).reshape(groups, per_group, length)
        w = weight.reshape(groups, out_channels // groups, per_group)
        y = (w @ cols).reshape(out_channels, length)  # (G, O/G, L) -> (O, L)
        if bias is not None:
            y = y + bias.reshape(out_channels, 1)
    y = y.reshape(out_channels, n, oh, width)
    if wide:
        y = y[..., :ow]  # drop the wrapped-around positions at the end of every row
    # (N, O, Ho, Wo), stored row after row as PyTorch's is, so that scripts may .view() it
    return y.permute(1, 0, 2, 3).contiguous()


def _conv_transpose2d_nchw(
    x: Tensor, weight: Tensor, bias: Tensor | None, geo: Geometry, groups: int
) -> Tensor:
    """y = col2im(weight^T @ x) + bias on a batched (N, C_in, H, W) input -> (N, C_out, Ho, Wo)."""
    n, c, h, w = x.shape
    kh, kw = geo.kernel
    out_channels = weight.shape[1] * groups
    rows = out_channels * kh * kw
    xc = x.permute(1, 0, 2, 3).reshape(c, n * h * w)  # channels x (image, pixel)
    if groups == 1:
        cols = weight.reshape(c, rows).transpose(0, 1) @ xc  # (C_out*kh*kw, N*H*W)
    else:
        per_group = weight.shape[1] * kh * kw
        wt = weight.reshape(groups, c // groups, per_group).transpose(1, 2)
        cols = wt @ xc.reshape(groups, c // groups, n * h * w)  # (G, per_group, N*H*W)
    y = Col2Im(geo)(cols.reshape(rows, n, h * w)).contiguous()  # PyTorch's memory order
    if bias is not None:
        y = y + bias.reshape(out_channels, 1, 1)
    return y


# ----------------------------------------------------------------------------------------------
# The 3-D kernels: one unfold (or fold) and one matrix product, on (N, C, D, H, W)
# ----------------------------------------------------------------------------------------------


def _check_volume_fits(fn: str, geo: WindowGeometry) -> None:
    """Raise when the (dilated) kernel is larger than the padded volume along some axis."""
    if min(geo.out_size) > 0:
        return
    raise _kernel_too_large(fn, geo.padded_size, geo.extent)


def _conv3d_volume(
    x: Tensor, weight: Tensor, bias: Tensor | None, geo: WindowGeometry, groups: int
) -> Tensor:
    """y = unfold(x) @ weight^T + bias on a batched (N, C, D, H, W) input -> (N, O, Do, Ho, Wo).

    cols[(n, p), (c, k)] holds window p of image n (VolumeUnfold), so with the weight viewed
    as W[o, (c, k)] the convolution of the whole batch is ``cols @ W.T``: (N*L, C*K) times
    (C*K, O). With groups, each group's channels are their own (N*L, C/G*K) block and the
    product is batched over the group axis.
    """
    n, c = x.shape[:2]
    out_channels = weight.shape[0]
    positions = n * math.prod(geo.out_size)  # every window of every image
    per_group = (c // groups) * geo.taps
    cols = VolumeUnfold(geo)(x)  # (N, Do, Ho, Wo, C, kd, kh, kw)
    if groups == 1:
        y = cols.reshape(positions, per_group) @ weight.reshape(out_channels, per_group).T
    else:
        rows = cols.reshape(positions, groups, per_group).permute(1, 0, 2)  # (G, N*L, C/G*K)
        w = weight.reshape(groups, out_channels // groups, per_group).transpose(1, 2)
        # (G, N*L, O/G) -> (N*L, O): each group's outputs side by side
        y = (rows @ w).permute(1, 0, 2).reshape(positions, out_channels)
    if bias is not None:
        y = y + bias
    # (N, O, D, H, W), stored row after row as PyTorch's is
    return y.reshape(n, *geo.out_size, out_channels).permute(0, 4, 1, 2, 3).contiguous()


def _conv_transpose3d_volume(
    x: Tensor, weight: Tensor, bias: Tensor | None, geo: WindowGeometry, groups: int
) -> Tensor:
    """y = fold(x @ weight) + bias on a batched (N, C_in, D, H, W) input -> (N, C_out, ...).

    Every input element x[n, c, p] stamps weight[c, o, k] onto output position p*s + k*d - pad
    of channel o: the product ``x_rows @ W`` ((N*L, C_in) times (C_in, C_out*K)) makes the
    stamps, one column per (o, k), and VolumeFold adds them where they land. This is the
    adjoint of ``_conv3d_volume``'s map from input to output.
    """
    n, c = x.shape[:2]
    out_per_group = weight.shape[1]
    out_channels = out_per_group * groups
    positions = n * math.prod(geo.out_size)
    per_group = out_per_group * geo.taps
    rows = x.permute(0, 2, 3, 4, 1).reshape(positions, c)  # one row per input position
    if groups == 1:
        cols = rows @ weight.reshape(c, per_group)  # (N*L, C_out*K)
    else:
        blocks = rows.reshape(positions, groups, c // groups).permute(1, 0, 2)  # (G, N*L, C/G)
        cols = (blocks @ weight.reshape(groups, c // groups, per_group)).permute(1, 0, 2)
    cols = cols.reshape(n, *geo.out_size, out_channels, *geo.kernel)
    y = VolumeFold(geo)(cols).contiguous()  # PyTorch's memory order
    if bias is not None:
        y = y + bias.reshape(out_channels, 1, 1, 1)
    return y


# ----------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------


def named(function: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    """Give a function made for one variant (1-D or 2-D) its public name and docstring."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def _conv_function(nd: int, doc: str) -> Callable[..., Tensor]:
    """conv1d (nd=1) or conv2d (nd=2): one body, PyTorch's signature, checked then convolved."""
    fn = f"conv{nd}d"

    def conv(
        input: Tensor,
        weight: Tensor,
        bias: Tensor | None = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> Tensor:
        _, _, kernel, stride_t, dilation_t = _read_conv_args(
            fn, nd, input, weight, bias, stride, dilation, groups, transposed=False
        )
        pads = resolve_padding(padding, kernel, dilation_t, stride_t, fn)
        return convolve(input, weight, bias, stride_t, pads, dilation_t, int(groups), fn)

    return named(conv, fn, doc)


def convolve(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: tuple,
    pads: tuple,
    dilation: tuple,
    groups: int,
    fn: str = "conv",
) -> Tensor:
    """conv1d / conv2d on arguments already checked and normalised: what the Conv layers call.

    A layer checks its input once (naming itself) and passes its own normalised arguments
    here, so nothing is checked twice. ``stride``, ``dilation``: one int per spatial axis;
    ``pads``: (before_0, after_0, before_1, after_1, ...) as ``resolve_padding`` returns.
    A 1-D convolution runs as a 2-D one on an image of height 1.
    """
    nd = weight.ndim - 2
    batched = input.ndim == weight.ndim
    x = input if batched else input.unsqueeze(0)
    kernel = tuple(weight.shape[2:])
    if nd == 3:  # volumes: the plain unfold + matmul route of ops/volume.py
        geo = window_geometry(tuple(x.shape[2:]), kernel, stride, pads, dilation)
        _check_volume_fits(fn, geo)
        return _finish(_conv3d_volume(x, weight, bias, geo, groups), nd, batched)
    if nd == 1:  # an image of height 1
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        kernel, stride, dilation, pads = (
            (1,) + kernel,
            (1,) + stride,
            (1,) + dilation,
            (0, 0) + pads,
        )
    geo = sliding_geometry(tuple(x.shape[2:]), kernel, stride, pads, dilation)
    _check_fits(fn, geo, nd)
    y = _conv2d_nchw(x, weight, bias, geo, groups)
    return _finish(y, nd, batched)


conv2d = _conv_function(
    2,
    """2-D convolution (cross-correlation, as in every deep learning library).

    y[n, o, p, q] = bias[o] + sum over c, i, j of
                    weight[o, c, i, j] * xpad[n, g*C/G + c, p*sh + i*dh, q*sw + j*dw]

    where g is the group of output channel o and xpad is the zero-padded input.

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_out, C_in / groups, kh, kw).
        bias: (C_out,) or None.
        stride: step between windows, int or (sh, sw).
        padding: int, (ph, pw), 'valid' (no padding) or 'same' (output size = input size;
            stride must be 1).
        dilation: spacing between kernel taps, int or (dh, dw).
        groups: split the channels into this many independent blocks.

    Returns:
        (N, C_out, Ho, Wo) with Ho = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1 (same for W).

    Example::

        >>> x = glassnet.randn(8, 3, 32, 32)
        >>> w = glassnet.randn(16, 3, 3, 3)
        >>> F.conv2d(x, w, padding=1).shape
        (8, 16, 32, 32)
    """,
)

conv1d = _conv_function(
    1,
    """1-D convolution over (N, C_in, L) or unbatched (C_in, L) with weight (C_out, C_in/groups, k).

    y[n, o, p] = bias[o] + sum over c, i of weight[o, c, i] * xpad[n, c, p*s + i*d] (per group).
    Computed as conv2d on an image of height 1. Arguments as in ``conv2d`` (ints or 1-tuples;
    padding may be 'valid' or 'same'). Output length floor((L + 2p - d*(k - 1) - 1) / s) + 1.

    Example::

        >>> F.conv1d(glassnet.randn(4, 2, 10), glassnet.randn(5, 2, 3)).shape
        (4, 5, 8)
    """,
)


conv3d = _conv_function(
    3,
    """3-D convolution over volumes (cross-correlation): video clips, CT scans, voxel grids.

    y[n, o, p, q, r] = bias[o] + sum over c, i, j, k of
                       weight[o, c, i, j, k] * xpad[n, c, p*sd + i*dd, q*sh + j*dh, r*sw + k*dw]

    within the group of o, xpad being the zero-padded input. Computed as one matrix product
    of the unfolded windows with the weight (see ``glassnet.ops.volume``).

    Args:
        input: (N, C_in, D, H, W) or unbatched (C_in, D, H, W).
        weight: (C_out, C_in / groups, kd, kh, kw).
        bias: (C_out,) or None.
        stride, dilation: int or (d, h, w) triple.
        padding: int, (pd, ph, pw), 'valid' or 'same' (stride must be 1).
        groups: split the channels into this many independent blocks.

    Returns:
        (N, C_out, Do, Ho, Wo), Do = floor((D + 2*pd - dd*(kd - 1) - 1) / sd) + 1 (likewise
        Ho, Wo).

    Example::

        >>> F.conv3d(glassnet.randn(2, 3, 8, 16, 16), glassnet.randn(4, 3, 3, 3, 3), padding=1).shape
        (2, 4, 8, 16, 16)
    """,
)


def _conv_transpose_function(nd: int, doc: str) -> Callable[..., Tensor]:
    """conv_transpose1d (nd=1) or conv_transpose2d (nd=2): one body, PyTorch's signature."""
    fn = f"conv_transpose{nd}d"

    def conv_transpose(
        input: Tensor,
        weight: Tensor,
        bias: Tensor | None = None,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        dilation: Any = 1,
    ) -> Tensor:
        x, batched, kernel, stride_t, dilation_t = _read_conv_args(
            fn, nd, input, weight, bias, stride, dilation, groups, transposed=True
        )
        if isinstance(padding, str):
            raise ValueError(f"{fn}: padding must be an int or a tuple of ints, got {padding!r}")
        padding_t = int_tuple(padding, nd, "padding", fn, minimum=0)
        output_padding_t = int_tuple(output_padding, nd, "output_padding", fn, minimum=0)
        check_output_padding(
            fn, output_padding_t, stride_t, dilation_t, (output_padding, stride, dilation)
        )
        w = weight
        if nd == 3:
            geo3 = transposed_window_geometry(
                tuple(x.shape[2:]), kernel, stride_t, padding_t, output_padding_t, dilation_t
            )
            _check_output_size(fn, geo3.in_size, input, nd)
            return _finish(_conv_transpose3d_volume(x, w, bias, geo3, int(groups)), nd, batched)
        if nd == 1:
            x, w = x.unsqueeze(2), w.unsqueeze(2)
            kernel, stride_t, dilation_t = (1,) + kernel, (1,) + stride_t, (1,) + dilation_t
            padding_t, output_padding_t = (0,) + padding_t, (0,) + output_padding_t
        geo = transposed_geometry(
            tuple(x.shape[2:]), kernel, stride_t, padding_t, output_padding_t, dilation_t
        )
        _check_output_size(fn, geo.in_hw[-nd:], input, nd)
        y = _conv_transpose2d_nchw(x, w, bias, geo, int(groups))
        return _finish(y, nd, batched)

    return named(conv_transpose, fn, doc)


conv_transpose2d = _conv_transpose_function(
    2,
    """2-D transposed convolution ("deconvolution"): the gradient of conv2d w.r.t. its input.

    Every input pixel x[n, c, h, w] adds weight[c, o, i, j] * x[n, c, h, w] to output position
    (h*sh - ph + i*dh, w*sw - pw + j*dw) of channel o (within its group); then bias is added.

    Args:
        input: (N, C_in, H, W) or unbatched (C_in, H, W).
        weight: (C_in, C_out / groups, kh, kw) (note: in_channels first, unlike conv2d).
        bias: (C_out,) or None.
        stride, padding, dilation, groups: those of the convolution this one transposes.
        output_padding: extra rows/columns added to one side of the output (to pick among the
            sizes that a strided convolution maps to the same size); < stride or < dilation.

    Returns:
        (N, C_out, Ho, Wo), Ho = (H - 1)*sh - 2*ph + dh*(kh - 1) + output_padding + 1.

    Example::

        >>> x = glassnet.randn(2, 8, 7, 7)
        >>> F.conv_transpose2d(x, glassnet.randn(8, 4, 4, 4), stride=2, padding=1).shape
        (2, 4, 14, 14)
    """,
)

conv_transpose1d = _conv_transpose_function(
    1,
    """1-D transposed convolution over (N, C_in, L); weight (C_in, C_out/groups, k).

    Output length (L - 1)*s - 2p + d*(k - 1) + output_padding + 1. See ``conv_transpose2d``.
    """,
)


conv_transpose3d = _conv_transpose_function(
    3,
    """3-D transposed convolution: the gradient of conv3d with respect to its input.

    Every input element x[n, c, d, h, w] adds weight[c, o, i, j, k] * x[n, c, d, h, w] to
    output position (d*sd - pd + i*dd, h*sh - ph + j*dh, w*sw - pw + k*dw) of channel o
    (within its group); then bias is added.

    Args:
        input: (N, C_in, D, H, W) or unbatched (C_in, D, H, W).
        weight: (C_in, C_out / groups, kd, kh, kw) (in_channels first).
        bias: (C_out,) or None.
        stride, padding, dilation, groups: those of the convolution this one transposes.
        output_padding: extra elements on the far side of each output axis (< stride or
            < dilation).

    Returns:
        (N, C_out, Do, Ho, Wo), Do = (D - 1)*sd - 2*pd + dd*(kd - 1) + output_padding + 1.

    Example::

        >>> F.conv_transpose3d(glassnet.randn(1, 4, 3, 3, 3), glassnet.randn(4, 2, 2, 2, 2), stride=2).shape
        (1, 2, 6, 6, 6)
    """,
)


def _window_geometry(
    fn: str, image_size: tuple, kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> Geometry:
    """The sliding windows of unfold / fold over an image of ``image_size`` (H, W)."""
    kernel = int_tuple(kernel_size, 2, "kernel_size", fn)
    pads = resolve_padding(int_tuple(padding, 2, "padding", fn, 0), kernel, (1, 1), (1, 1), fn)
    stride_t = int_tuple(stride, 2, "stride", fn)
    return sliding_geometry(
        image_size, kernel, stride_t, pads, int_tuple(dilation, 2, "dilation", fn)
    )


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Im2Col: every sliding window of a (N, C, H, W) input as a column -> (N, C*kh*kw, L).

    cols[n, (c, i, j), (p, q)] = xpad[n, c, p*sh + i*dh, q*sw + j*dw], L = Ho*Wo windows.
    ``weight.reshape(O, -1) @ unfold(x, k)`` is ``conv2d(x, weight)`` flattened.
    """
    fn = "unfold"
    x = floating_tensor(input, fn, "input")
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"{fn}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
            f"{shape_text(x.shape)}"
        )
    batched = x.ndim == 4
    x = x if batched else x.unsqueeze(0)
    geo = _window_geometry(fn, tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    _check_fits(fn, geo, 2)
    y = Im2Col(geo)(x).permute(1, 0, 2).contiguous()  # (N, C*kh*kw, L), as PyTorch stores it
    return y if batched else y.squeeze(0)


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Col2Im: add columns (N, C*kh*kw, L) back into an image (N, C, H, W) (the adjoint of unfold).

    Each column entry is added to the pixel that ``unfold`` would have copied it from, so
    overlapping windows sum. ``output_size`` is (H, W).
    """
    fn = "fold"
    cols = floating_tensor(input, fn, "input")
    if cols.ndim not in (2, 3):
        raise ShapeError(
            f"{fn}: expected a 2-D (C*kh*kw, L) or 3-D (N, C*kh*kw, L) input, got "
            f"shape {shape_text(cols.shape)}"
        )
    batched = cols.ndim == 3
    cols = cols if batched else cols.unsqueeze(0)
    size = int_tuple(output_size, 2, "output_size", fn)
    geo = _window_geometry(fn, size, kernel_size, dilation, padding, stride)
    kernel = geo.kernel
    kk, length = kernel[0] * kernel[1], geo.out_hw[0] * geo.out_hw[1]
    if cols.shape[1] % kk or cols.shape[2] != length or length == 0:
        raise ShapeError(
            f"{fn}: for output_size {size} and kernel {kernel} expected an input of shape "
            f"(N, C*{kk}, {length}), got {shape_text(input.shape)}"
        )
    y = Col2Im(geo)(cols.permute(1, 0, 2)).contiguous()  # PyTorch's memory order
    return y if batched else y.squeeze(0)
