"""Pooling layers: Max/Avg/LPPool1d/2d/3d, Adaptive avg/max pools 1d/2d/3d, MaxUnpool1d/2d/3d (no parameters; see nn/functional/pooling.py)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .functional.conv import SPATIAL_NAMES
from .functional.pooling import InputTooSmallError, _per_axis, _window_arguments
from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
]


class _Pool(Module):
    """What every pooling layer shares: the input check, (N, C, *spatial) or (C, *spatial),
    each spatial size large enough; and the call of its function form, ``F.<_function>{_nd}d``
    (``_function = "max_pool"`` and ``_nd = 2``: ``F.max_pool2d``)."""

    _nd = 2
    _function: str
    _function_name: str  # "max_pool2d", set below for every class that names its _function

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Built once per class, not at every call: forward is on the hot path of a CNN.
        if hasattr(cls, "_function"):
            cls._function_name = f"{cls._function}{cls._nd}d"

    def _check_input(self, input: Any) -> None:
        nd = self._nd
        names = SPATIAL_NAMES[nd]
        if not (isinstance(input, Tensor) and input.ndim in (nd + 1, nd + 2)):
            self.check_input_shape(input, ("N", "C") + names, ("C",) + names)

    def _set_window(self, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool) -> None:
        """Keep the window arguments; stride defaults to kernel_size (windows side by side)."""
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode

    def _call(self, input: Tensor, *args: Any) -> Any:
        """Check the input, run the functional form; turn its size errors into errors that
        name this layer."""
        self._check_input(input)
        fn = getattr(F, self._function_name)
        try:
            return fn(input, *args)
        except InputTooSmallError:
            names = ", ".join(SPATIAL_NAMES[self._nd])
            raise self.input_error(
                f"(N, C, {names}) large enough for {self.extra_repr()}", input.shape
            ) from None


class _MaxPoolNd(_Pool):
    _function = "max_pool"

    # PyTorch's order for the layer (return_indices before ceil_mode) is not F.max_pool's,
    # so the two signatures stay apart.
    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self._set_window(kernel_size, stride, padding, ceil_mode)
        self.dilation = dilation
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return self._call(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    r"""2-D max pooling: the largest value of each window, per channel.

    y[n, c, p, q] = max_{i, j} xpad[n, c, p*sh + i*dh, q*sw + j*dw] (padding is -inf). The
    gradient goes to the element that was the maximum (the first one on a tie). A 2x2 max pool
    halves H and W and keeps the strongest response in each block.

    Args:
        kernel_size: window size, int or (kh, kw).
        stride: step between windows (default: kernel_size, i.e. non-overlapping windows).
        padding: -inf padding on each side, at most kernel_size // 2.
        dilation: spacing between the window's taps.
        return_indices: also return the position (h*W + w) of each maximum.
        ceil_mode: round the output size up (a partial last window) instead of down.

    Shape:
        input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo),
        Ho = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1 (ceil with ceil_mode).

    Example::

        >>> nn.MaxPool2d(2)(glassnet.randn(128, 32, 28, 28)).shape
        (128, 32, 14, 14)
    """

    _nd = 2


class MaxPool1d(_MaxPoolNd):
    r"""1-D max pooling over (N, C, L) or (C, L): y[n, c, p] = max_i xpad[n, c, p*s + i*d].

    Arguments as in MaxPool2d, with single ints.

    Example::

        >>> nn.MaxPool1d(3, stride=2)(glassnet.randn(20, 16, 50)).shape
        (20, 16, 24)
    """

    _nd = 1


class MaxPool3d(_MaxPoolNd):
    r"""3-D max pooling: the largest value of each window of each channel of a volume.

    y[n, c, p, q, r] = max_{i, j, k} xpad[n, c, p*sd + i*dd, q*sh + j*dh, r*sw + k*dw]
    (padding is -inf); the gradient goes to each window's winner. Arguments as in MaxPool2d,
    with (d, h, w) triples; indices (``return_indices``) are flat positions d*H*W + h*W + w.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output (N, C, Do, Ho, Wo) with
    Do = floor((D + 2*pd - dd*(kd - 1) - 1) / sd) + 1 (ceil with ceil_mode), likewise Ho, Wo.

    Example::

        >>> nn.MaxPool3d(2)(glassnet.randn(2, 4, 8, 8, 8)).shape
        (2, 4, 4, 4, 4)
    """

    _nd = 3


class _AvgPoolNd(_Pool):
    """What AvgPool1d/2d/3d share: the call of the function form and the repr; and the
    arguments of AvgPool2d/3d (AvgPool1d, without divisor_override, has its own)."""

    _function = "avg_pool"

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self._set_window(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        args = [self.kernel_size, self.stride, self.padding, self.ceil_mode]
        args.append(self.count_include_pad)
        if self._nd > 1:  # PyTorch's AvgPool1d has no divisor_override
            args.append(self.divisor_override)
        return self._call(input, *args)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    r"""2-D average pooling: the mean of each window, per channel.

    y[n, c, p, q] = (1 / count) * sum_{i, j} xpad[n, c, p*sh + i, q*sw + j] with zero padding.
    ``count`` is kh*kw, or the number of input (non-padding) elements in the window with
    ``count_include_pad=False``, or ``divisor_override``. The gradient spreads g / count
    evenly over the window.

    Args:
        kernel_size, stride (default kernel_size), padding (at most kernel_size // 2),
        ceil_mode: as in MaxPool2d.
        count_include_pad: count the zero padding in the divisor (default True).
        divisor_override: a fixed divisor instead of the window count.

    Shape:
        input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo) as for MaxPool2d.

    Example::

        >>> nn.AvgPool2d(2)(glassnet.ones(1, 1, 4, 4))   # 2x2 output of ones
    """


class AvgPool1d(_AvgPoolNd):
    r"""1-D average pooling over (N, C, L) or (C, L); see AvgPool2d.

    Example::

        >>> nn.AvgPool1d(3, stride=2)(glassnet.randn(1, 1, 7)).shape
        (1, 1, 3)
    """

    _nd = 1

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        # Not _AvgPoolNd's arguments: AvgPool1d keeps 1-tuples and has no divisor_override.
        _Pool.__init__(self)
        stride = stride if stride is not None else kernel_size
        self._set_window(_per_axis(kernel_size, 1), _per_axis(stride, 1), _per_axis(padding, 1),
                         ceil_mode)  # fmt: skip
        self.count_include_pad = count_include_pad


class AvgPool3d(_AvgPoolNd):
    r"""3-D average pooling: the mean of each window of each channel of a volume; see AvgPool2d.

    Args:
        kernel_size, stride (default kernel_size), padding (at most kernel_size // 2):
            int or (d, h, w) triple.
        ceil_mode, count_include_pad, divisor_override: as in AvgPool2d.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output (N, C, Do, Ho, Wo) as for MaxPool3d.

    Example::

        >>> nn.AvgPool3d(2)(glassnet.ones(1, 1, 4, 4, 4)).shape   # all ones
        (1, 1, 2, 2, 2)
    """

    _nd = 3


class _AdaptivePoolNd(_Pool):
    """What the adaptive poolings share: the output size, which is all their windows need."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Any:
        return self._call(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveAvgPoolNd(_AdaptivePoolNd):
    _function = "adaptive_avg_pool"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    r"""Average pooling to a fixed output size, whatever the input size.

    Output cell (p, q) averages input rows floor(p*H/Ho) .. ceil((p+1)*H/Ho) - 1 and the
    matching columns. ``AdaptiveAvgPool2d(1)`` is global average pooling (one number per
    channel), the usual bridge from convolutions to a classifier.

    Args:
        output_size: (Ho, Wo), or one int for a square output; None keeps that input size.

    Shape:
        input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo).

    Example::

        >>> nn.AdaptiveAvgPool2d((5, 7))(glassnet.randn(1, 64, 8, 9)).shape
        (1, 64, 5, 7)
    """

    _nd = 2


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    r"""Average pooling of (N, C, L) or (C, L) to a fixed length; see AdaptiveAvgPool2d.

    Example::

        >>> nn.AdaptiveAvgPool1d(5)(glassnet.randn(1, 64, 8)).shape
        (1, 64, 5)
    """

    _nd = 1


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    _function = "adaptive_max_pool"

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return self._call(input, self.output_size, self.return_indices)


# AdaptiveMaxPool2d/1d document themselves as AdaptiveAvgPool2d/1d do: public classes, no logic.
class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    r"""Max pooling to a fixed output size, whatever the input size: each output cell is the
    largest value of the window ``AdaptiveAvgPool2d`` would average.

    Args:
        output_size: (Ho, Wo), or one int for a square output; None keeps that input size.
        return_indices: also return each winner's position (row * W + column).

    Example::

        >>> nn.AdaptiveMaxPool2d((5, 7))(glassnet.randn(1, 64, 8, 9)).shape
        (1, 64, 5, 7)
    """

    _nd = 2


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    r"""Max pooling of (N, C, L) or (C, L) to a fixed length; see AdaptiveMaxPool2d.

    Example::

        >>> nn.AdaptiveMaxPool1d(5)(glassnet.randn(1, 64, 8)).shape
        (1, 64, 5)
    """

    _nd = 1


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    r"""Max pooling of volumes to a fixed output size (Do, Ho, Wo), whatever the input size;
    see AdaptiveMaxPool2d (indices are flat positions d*H*W + h*W + w).

    Example::

        >>> nn.AdaptiveMaxPool3d((1, 2, 2))(glassnet.randn(1, 8, 4, 5, 6)).shape
        (1, 8, 1, 2, 2)
    """

    _nd = 3


class _LPPoolNd(_Pool):
    _function = "lp_pool"

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size, self.stride, self.ceil_mode = kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return self._call(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool2d(_LPPoolNd):
    r"""2-D power-average pooling: y = (sum over each window of x**p) ** (1 / p).

    p = 1 is sum pooling; large p approaches max pooling. See ``F.lp_pool2d``.

    Args:
        norm_type: p.
        kernel_size: window size, int or (kh, kw).
        stride: step between windows (default: kernel_size).
        ceil_mode: round the output size up instead of down.

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo) as for MaxPool2d (no padding).

    Example: ``nn.LPPool2d(2, 3, stride=2)(glassnet.randn(20, 16, 50, 32))``.
    """

    _nd = 2


class LPPool1d(_LPPoolNd):
    r"""1-D power-average pooling over (N, C, L) or (C, L); see LPPool2d."""

    _nd = 1


class LPPool3d(_LPPoolNd):
    r"""3-D power-average pooling over (N, C, D, H, W) or (C, D, H, W):
    y = (sum over each window of x**p) ** (1 / p); see LPPool2d.

    Example: ``nn.LPPool3d(2, 2)(glassnet.rand(1, 4, 6, 6, 6))`` has shape (1, 4, 3, 3, 3).
    """

    _nd = 3


class _MaxUnpoolNd(_Pool):
    _function = "max_unpool"

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        # Kept as one int per spatial axis, as PyTorch's MaxUnpoolNd stores (and prints) them,
        # read as F.max_unpool reads them.
        self.kernel_size, self.stride, self.padding = _window_arguments(
            type(self).__name__, self._nd, kernel_size, stride, padding
        )

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return self._call(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool2d: each pooled value goes back to where its maximum was,
    the rest is 0.

    y[n, c].flat[indices[n, c, p, q]] = x[n, c, p, q], with the indices that
    ``MaxPool2d(..., return_indices=True)`` returns. The gradient reads g back at the indices.

    Args:
        kernel_size, stride (default: kernel_size), padding: those of the max pooling.

    Shape: input and indices (N, C, H, W) or (C, H, W); output (N, C, Ho, Wo) with
    Ho = (H - 1) * sh - 2 * ph + kh, or ``output_size`` given to ``forward``.

    Example::

        >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
        >>> y, i = pool(x)
        >>> unpool(y, i, output_size=x.shape)   # x's shape, zeros except the maxima
    """

    _nd = 2


class MaxUnpool1d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool1d over (N, C, L) or (C, L); see MaxUnpool2d."""

    _nd = 1


class MaxUnpool3d(_MaxUnpoolNd):
    r"""Partial inverse of MaxPool3d over (N, C, D, H, W) or (C, D, H, W): each pooled value
    goes back to where its maximum was, the rest is 0; see MaxUnpool2d.

    Example::

        >>> pool, unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
        >>> y, i = pool(x)
        >>> unpool(y, i, output_size=x.shape)
    """

    _nd = 3


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    r"""Average pooling of volumes to a fixed output size (Do, Ho, Wo), whatever the input size.

    Along each axis output cell i averages input [floor(i*n/m), ceil((i+1)*n/m)), as
    AdaptiveAvgPool2d does; see ``F.adaptive_avg_pool3d``.

    Args:
        output_size: (Do, Ho, Wo), or one int for a cube; None keeps that input size.

    Shape: input (N, C, D, H, W) or (C, D, H, W); output (N, C, Do, Ho, Wo).

    Example::

        >>> nn.AdaptiveAvgPool3d(1)(glassnet.randn(2, 8, 4, 5, 6)).shape
        (2, 8, 1, 1, 1)
    """

    _nd = 3
