"""PyTorch's copying twins of the view functions: alias_copy, diagonal_copy, permute_copy, narrow_copy, ... (the view, then a copy).

``torch.<view>_copy(x, ...)`` has the values of ``x.<view>(...)`` in memory of its own: the
result never shares x's elements, so writing into one leaves the other as it was. Each one is
built by ``copying`` from its view function: the view is taken, then every tensor it gives is
cloned. Both steps are recorded, so the gradient is the view's: dL/dx is g placed back where
the view took its elements (zeros elsewhere), as for the view itself.
"""

from __future__ import annotations

import functools
from typing import Any

from ..autograd import as_tensor, is_tensor
from ..errors import IndexRangeError, ValueRangeError
from . import api as A
from . import layout, torch_extras, torch_forms, torch_formulas

__all__ = [
    "alias_copy", "detach_copy", "diagonal_copy", "expand_copy", "narrow_copy", "permute_copy",
    "select_copy", "slice_copy", "split_copy", "split_with_sizes_copy", "squeeze_copy", "t_copy",
    "transpose_copy", "unbind_copy", "unfold_copy", "unsqueeze_copy", "view_copy",
]  # fmt: skip


def copying(view: Any, name: str) -> Any:
    """The function ``name``: ``view(input, ...)`` with each resulting tensor cloned (a tuple of
    views, as split's, becomes a tuple of copies)."""

    @functools.wraps(view)
    def copy_of_view(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        result = view(as_tensor(input), *args, **kwargs)
        if is_tensor(result):
            return A.clone(result)
        return tuple(A.clone(piece) for piece in result)

    copy_of_view.__name__ = copy_of_view.__qualname__ = name
    copy_of_view.__doc__ = (
        f"The values of ``{name[: -len('_copy')]}`` in new memory (never a view of the input); "
        "differentiable like the view.\n\n" + (view.__doc__ or "")
    )
    return copy_of_view


def _alias(input: Any) -> Any:  # noqa: A002
    """The tensor itself (the view that changes nothing)."""
    return input


def _detach(input: Any) -> Any:  # noqa: A002
    """The same numbers, cut off from the graph (the copy does not require grad)."""
    return input.detach()


def _expand(input: Any, size: Any, *, implicit: bool = False) -> Any:  # noqa: A002
    """``input.expand(size)``: size-1 axes repeated to ``size`` (-1 keeps an axis's size)."""
    return A.expand(input, *size)


def _permute(input: Any, dims: Any) -> Any:  # noqa: A002
    """``input.permute(dims)``: axis i of the result is axis dims[i] of the input."""
    return A.permute(input, *dims)


def _slice(input: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> Any:  # noqa: A002
    """``input[..., start:end:step, ...]`` along ``dim`` (step must be positive)."""
    if input.ndim == 0:
        raise IndexRangeError("slice_copy: a 0-d tensor has no dimension to slice")
    if not -input.ndim <= dim < input.ndim:
        raise IndexRangeError(
            f"slice_copy: dim {dim} is out of range for a tensor of {input.ndim} dimensions"
        )
    if step is None or step <= 0:
        raise ValueRangeError(f"slice_copy: step must be positive, got {step}")
    index = (slice(None),) * (dim % input.ndim) + (slice(start, end, step),)
    return input[index]


def _squeeze(input: Any, dim: Any = None) -> Any:  # noqa: A002
    """``input.squeeze(dim)``: size-1 axes removed (all, one, or those listed in ``dim``)."""
    if isinstance(dim, (list, tuple)):
        dims = sorted((d % input.ndim for d in dim), reverse=True) if input.ndim else []
        for d in dims:
            input = A.squeeze(input, d)
        return input
    return A.squeeze(input, dim)


def _view(input: Any, size: Any) -> Any:  # noqa: A002
    """``input.view(size)``: the elements in another shape (or, given a dtype, reinterpreted)."""
    if isinstance(size, (list, tuple)):
        return A.view(input, *size)
    return A.view(input, size)


alias_copy = copying(_alias, "alias_copy")
detach_copy = copying(_detach, "detach_copy")
diagonal_copy = copying(layout.diagonal, "diagonal_copy")
expand_copy = copying(_expand, "expand_copy")
narrow_copy = copying(torch_forms.narrow, "narrow_copy")
permute_copy = copying(_permute, "permute_copy")
select_copy = copying(torch_formulas.select, "select_copy")
slice_copy = copying(_slice, "slice_copy")
split_copy = copying(A.split, "split_copy")
split_with_sizes_copy = copying(torch_extras.split_with_sizes, "split_with_sizes_copy")
squeeze_copy = copying(_squeeze, "squeeze_copy")
t_copy = copying(A.t, "t_copy")
transpose_copy = copying(A.transpose, "transpose_copy")
unbind_copy = copying(torch_formulas.unbind, "unbind_copy")
unfold_copy = copying(layout.unfold, "unfold_copy")
unsqueeze_copy = copying(A.unsqueeze, "unsqueeze_copy")
view_copy = copying(_view, "view_copy")
