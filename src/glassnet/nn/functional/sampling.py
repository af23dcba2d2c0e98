"""Spatial transformers as functions: F.affine_grid makes a sampling grid, F.grid_sample reads an image at it.

Together they warp an image by an affine map that may itself be learnt, as in a Spatial
Transformer Network (Jaderberg et al., 2015): a small network predicts theta, then

    grid = F.affine_grid(theta, x.size())     # where each output pixel reads from
    y = F.grid_sample(x, grid)                # the input read there, bilinearly

and both are differentiable, so the loss trains the network that predicts theta through
the sampled pixels. The interpolation itself (coordinates, padding modes, corners and their
weights) is glassnet.ops.grid_sample; this file checks the arguments and builds the grid.
Names, arguments, defaults, numbers and gradients follow PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...errors import ShapeError
from ...ops.grid_sample import grid_sample_composed
from ...tensor import Tensor, as_tensor
from ._args import floating_tensor, shape_text

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")


def _normalised_positions(n: int, align_corners: bool) -> np.ndarray:
    """The normalised coordinates of the n pixel centres along an axis, in [-1, 1].

    align_corners=True: the first and last centres are -1 and +1; False: -1 and +1 are the
    outer edges, so the centres sit half a pixel inside, at (2 k + 1) / n - 1.
    """
    if n <= 1:
        return np.zeros(n)  # one pixel: its centre is the middle, 0
    positions = np.linspace(-1.0, 1.0, n)
    return positions if align_corners else positions * ((n - 1) / n)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta``: where each output pixel reads the input.

    For every output pixel with normalised coordinates (x, y) (each in [-1, 1], see
    ``grid_sample``) the grid holds theta @ (x, y, 1):

        grid[n, h, w] = theta[n] @ (x_w, y_h, 1),    theta[n] of shape (2, 3)

    (for volumes theta[n] is (3, 4) and the points (x, y, z, 1)). The identity
    [[1, 0, 0], [0, 1, 0]] gives a grid that reads every pixel where it is;
    dgrid/dtheta[n, i, j] = the j-th coordinate of (x, y, 1), so theta can be learnt.

    Args:
        theta: (N, 2, 3) affine matrices (or (N, 3, 4) for volumes), floating.
        size: the output size (N, C, H, W) (or (N, C, D, H, W)), e.g. ``x.size()``.
        align_corners: whether -1 and +1 are the centres of the corner pixels (True) or
            their outer edges (False, the default); use the same value in grid_sample.
            (PyTorch warns when it is not given; glassnet just uses False.)

    Shape: output (N, H, W, 2) (or (N, D, H, W, 3)).

    Example::

        >>> theta = glassnet.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> F.affine_grid(theta, (1, 1, 2, 2)).shape
        (1, 2, 2, 2)
    """
    name = "affine_grid"
    theta = floating_tensor(theta, name, "theta")
    try:
        size = tuple(int(s) for s in size)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: size must be a sequence of ints, got {size!r}") from None
    if len(size) not in (4, 5):
        raise ValueError(
            f"{name}: size must be (N, C, H, W) for 2-D or (N, C, D, H, W) for 3-D affine "
            f"maps, got {size}"
        )
    dims = len(size) - 2
    if theta.shape != (size[0], dims, dims + 1):
        raise ShapeError(
            f"{name}: expected theta of shape ({size[0]}, {dims}, {dims + 1}) (a batch of {dims}-D "
            f"affine matrices for size {size}), got {shape_text(theta.shape)}"
        )
    if min(size[2:]) <= 0:
        raise ValueError(f"{name}: expected a non-empty spatial size, got {size}")
    spatial = size[2:]  # (H, W) or (D, H, W)
    # Per axis the pixel positions, then (x, y[, z], 1) at every pixel: x runs along W.
    axes = [_normalised_positions(n, bool(align_corners)) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")  # in the order (D,) H, W
    base = np.stack(list(mesh[::-1]) + [np.ones(spatial)], axis=-1)  # (..., x, y[, z], 1)
    base = as_tensor(base.reshape(1, -1, dims + 1).astype(theta.array.dtype))
    # grid[n, p] = theta[n] @ point_p for all points at once: (1, P, d+1) @ (N, d+1, d).
    grid = base @ theta.transpose(1, 2)
    return grid.reshape((size[0],) + spatial + (dims,))


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """The input read at the points of ``grid``: output[n, :, h, w] = input[n, :] at grid[n, h, w].

    ``grid[n, h, w] = (x, y)`` is a point in normalised coordinates: x = -1 is the left edge
    of the input and +1 the right, y = -1 the top and +1 the bottom (with align_corners=True
    the centres of the corner pixels instead). In pixels, along an axis of n pixels,

        i = ((x + 1) n - 1) / 2          (align_corners=False)
        i = (x + 1) (n - 1) / 2          (align_corners=True)

    Bilinear mode mixes the four pixels around (i_x, i_y), each weighted by the area of
    the rectangle opposite it: with f the fractional parts,

        out = (1 - fx)(1 - fy) in[y0, x0] + fx (1 - fy) in[y0, x0+1]
              + (1 - fx) fy in[y0+1, x0] + fx fy in[y0+1, x0+1]

    so d out / d in are those weights, and d out / d x = (1 - fy)(in[y0, x0+1] - in[y0, x0])
    + fy (in[y0+1, x0+1] - in[y0+1, x0]), times di/dx = n / 2 (or (n - 1) / 2). Nearest
    mode reads the pixel round(i) (gradient 0 with respect to the grid). For volumes the
    same with eight corners (trilinear). The maths is in glassnet.ops.grid_sample.

    Args:
        input: (N, C, H, W) (or (N, C, D, H, W)), floating.
        grid: (N, H_out, W_out, 2) points (x, y) (or (N, D_out, H_out, W_out, 3) points
            (x, y, z)), the input's dtype, usually in [-1, 1].
        mode: 'bilinear' (default) | 'nearest'. ('bicubic' is not implemented.)
        padding_mode: what points outside the input read: 'zeros' (default: 0), 'border'
            (the nearest edge pixel) or 'reflection' (the input mirrored at its edges).
        align_corners: see above; the default is False (PyTorch warns when it is not given).

    Shape: output (N, C, H_out, W_out) (or (N, C, D_out, H_out, W_out)).

    Example (a spatial transformer's warp)::

        >>> grid = F.affine_grid(theta, x.size())
        >>> warped = F.grid_sample(x, grid)
    """
    name = "grid_sample"
    input = floating_tensor(input, name)
    grid = floating_tensor(grid, name, "grid")
    if mode not in _MODES:
        raise ValueError(f"{name}: mode must be 'bilinear', 'nearest' or 'bicubic', got {mode!r}")
    if mode == "bicubic":
        raise NotImplementedError(
            f"{name}: mode='bicubic' is not implemented in glassnet; use 'bilinear' or 'nearest'"
        )
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            f"{name}: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}"
        )
    if input.ndim not in (4, 5):
        raise ShapeError(
            f"{name}: expected input of shape (N, C, H, W) or (N, C, D, H, W), got "
            f"{shape_text(input.shape)}"
        )
    dims = input.ndim - 2
    if grid.ndim != input.ndim or grid.shape[0] != input.shape[0] or grid.shape[-1] != dims:
        wanted = "(N, H_out, W_out, 2)" if dims == 2 else "(N, D_out, H_out, W_out, 3)"
        raise ShapeError(
            f"{name}: expected grid of shape {wanted} with N = {input.shape[0]} for input of "
            f"shape {shape_text(input.shape)}, got {shape_text(grid.shape)}"
        )
    if min(input.shape[2:]) == 0:
        raise ShapeError(
            f"{name}: expected an input with non-empty spatial dimensions, got "
            f"{shape_text(input.shape)}"
        )
    if grid.dtype != input.dtype:
        raise TypeError(
            f"{name}: expected grid of the input's dtype {input.dtype}, got {grid.dtype}"
        )
    return grid_sample_composed(input, grid, mode, padding_mode, bool(align_corners))
