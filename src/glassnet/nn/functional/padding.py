"""F.pad: pad the borders of a tensor with a constant, mirrored, repeated or wrapped-around values.

The constant mode is ``glassnet.pad`` (one op that writes the input into a filled array). The
other modes copy input elements, so they are one gather: for every axis the source position
of each padded position (``edge_source_index``), broadcast against the other axes. Its
gradient adds each output's gradient back into the element it was copied from.
"""

from __future__ import annotations

from typing import Any

from ...errors import ShapeError
from ...ops import api
from ...tensor import Tensor
from ._args import edge_source_index, not_a_tensor_message

__all__ = ["pad"]

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the borders of a tensor, PyTorch style: ``pad`` lists (before, after) per axis, last axis first.

    ``F.pad(x, (1, 2))`` adds 1 column on the left and 2 on the right of the last axis;
    ``F.pad(x, (1, 1, 2, 2))`` also adds 2 rows above and below (the second-last axis).

    Modes:
        'constant': fill with ``value`` (default 0).
        'reflect': mirror the input about its edge element: [a b c d] -> [c b | a b c d | c b].
        'replicate': repeat the edge element: [a b c d] -> [a a | a b c d | d d].
        'circular': wrap around: [a b c d] -> [c d | a b c d | a b].

    The non-constant modes are gathers, so their gradient adds each output's gradient back
    into the element it was copied from.

    Negative padding crops, as in PyTorch: ``F.pad(x, (-1, 2))`` drops the first column and
    adds two at the end. For 'constant' the input is cropped first, then padded (the crop
    may not remove more than the axis holds); for 'reflect' and 'replicate' the mirrored or
    repeated positions are still taken about the original edges, and at least one element
    must remain; for 'circular' the axis is cropped first and the rest wraps around what
    is left (at most once).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: {not_a_tensor_message(input)}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ShapeError(
            f"pad: the padding must be (before, after) pairs for at most {input.ndim} axes, got "
            f"{pad}"
        )
    if mode == "constant":
        return _constant_pad(input, pad, 0.0 if value is None else value)
    if mode not in PAD_MODES:
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}"
        )
    if value not in (None, 0, 0.0):
        raise ValueError(f"pad: value applies only to mode='constant', got value={value}")
    n_padded = len(pad) // 2
    first = input.ndim - n_padded  # the first padded axis
    index: list[Any] = [slice(None)] * first
    for axis in range(first, input.ndim):
        k = input.ndim - 1 - axis  # pairs are listed from the last axis back
        before, after = pad[2 * k], pad[2 * k + 1]
        n = input.shape[axis]
        if mode == "circular":
            source = _circular_source(n, before, after, axis)
        else:
            if min(before, after) < 0 and n + before + after <= 0:
                raise ValueError(
                    f"pad: {mode} padding of ({before}, {after}) leaves no elements of axis "
                    f"{axis}, which has {n}"
                )
            if mode == "reflect" and (before >= n or after >= n) and (before or after):
                raise ValueError(
                    f"pad: reflect padding of ({before}, {after}) needs more than "
                    f"{max(before, after)} elements along axis {axis}, which has {n}"
                )
            if n == 0 and (before or after):
                raise ValueError(f"pad: cannot {mode}-pad axis {axis}, which is empty")
            # Negative entries shrink the range of positions: the crop is part of the gather.
            source = edge_source_index(n, before, after, mode)
        view = [1] * n_padded  # broadcast this axis's positions against the other padded axes
        view[axis - first] = source.size
        index.append(source.reshape(view))
    if all(p == 0 for p in pad):
        return input
    return input[tuple(index)]


def _circular_source(n: int, before: int, after: int, axis: int) -> Any:
    """Source positions for circular padding of an axis of size n, negative entries cropping first.

    PyTorch's order: drop the cropped elements, then wrap the kept ones around (so
    ``(-1, 2)`` on [a b c d] gives [b c d | b c]); a wrap may go at most once around them.
    """
    crop_before, crop_after = max(-before, 0), max(-after, 0)
    kept = n - crop_before - crop_after
    if kept < 0:
        raise ValueError(
            f"pad: circular padding of ({before}, {after}) crops {crop_before + crop_after} "
            f"elements from axis {axis}, which has {n}"
        )
    grow_before, grow_after = max(before, 0), max(after, 0)
    if kept == 0 and (grow_before or grow_after):
        raise ValueError(f"pad: cannot circular-pad axis {axis}, which is empty")
    if grow_before > kept or grow_after > kept:
        raise ValueError(
            f"pad: circular padding of ({before}, {after}) can wrap at most once around axis "
            f"{axis} of size {kept}" + (f" ({n} before cropping)" if kept != n else "")
        )
    return crop_before + edge_source_index(kept, grow_before, grow_after, "circular")


def _constant_pad(input: Tensor, pad: tuple, value: float) -> Tensor:
    """Constant padding with negative entries as crops: crop (a slice) first, then pad.

    The pad op itself only adds; a negative (before, after) entry removes that many elements
    from that side by slicing, which is differentiable (its gradient is zero for the removed
    elements). ``F.pad(x, (3, -5))`` on 6 columns keeps column 0 and puts 3 fill values before it.
    """
    if all(p >= 0 for p in pad):
        return api.pad(input, pad, value)
    index: list[Any] = [slice(None)] * input.ndim
    for k in range(len(pad) // 2):
        axis = input.ndim - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        n = input.shape[axis]
        crop_before, crop_after = max(-before, 0), max(-after, 0)
        if crop_before + crop_after > n:
            raise ValueError(
                f"pad: constant padding of ({before}, {after}) crops {crop_before + crop_after} "
                f"elements from axis {axis}, which has {n}"
            )
        index[axis] = slice(crop_before, n - crop_after)
    cropped = input[tuple(index)]
    return api.pad(cropped, tuple(max(p, 0) for p in pad), value)
