"""PyTorch's top-level forms of Tensor methods (``torch.add(a, b)`` is ``a.add(b)``) and ``out=``.

PyTorch offers most operations twice: as a method (``a.add(b)``) and as a function of the
``torch`` module (``torch.add(a, b)``), and tutorials use both. The functions here are the
second form of methods glassnet's Tensor already has, plus a few compositions PyTorch names
(``addmm``, ``addcmul``, ...), each written as the formula it computes.

``out=``: many of PyTorch's functions can write their result into an existing tensor
(``torch.matmul(a, b, out=c)``). ``with_out`` gives a function that argument: the result is
computed as usual, then copied into ``out`` (cast to out's dtype when that loses no kind of
number: float64 into float32 yes, float into int no), and ``out`` is returned. As in PyTorch it
is refused where gradients are being recorded, since the copy cannot be differentiated, and an
``out`` of another shape is resized (with a warning when it held numbers).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from ..autograd import as_tensor, is_grad_enabled, is_tensor, wrap
from ..errors import ShapeError
from ..return_types import result_type
from .shape import cat

_HISTOGRAM = result_type("histogram", ("hist", "bin_edges"))

__all__ = [
    "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "all", "any", "baddbmm", "bincount",
    "bmm", "cdist", "histc", "histogram",
    "column_stack", "count_nonzero", "diff", "eq", "equal", "ge", "greater", "greater_equal",
    "gt", "hstack", "is_floating_point", "is_tensor", "le", "less", "less_equal", "lt",
    "moveaxis", "movedim", "multiply", "mul", "mv", "nan_to_num", "narrow", "ne", "not_equal",
    "numel", "sub", "subtract", "take", "tile", "unique", "vstack",
]  # fmt: skip


def with_out(function: Any) -> Any:
    """``function`` taking PyTorch's keyword ``out=``: its result written into that tensor."""

    @functools.wraps(function)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return result if out is None else write_into(out, result, function.__name__)

    return call


def write_into(out: Any, result: Any, who: str) -> Any:
    """Copy ``result`` (a Tensor) into the tensor ``out`` in place and return ``out``."""
    if not is_tensor(out):
        raise TypeError(f"{who}(): out= expects a Tensor, got {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{who}(): functions with out= don't support automatic differentiation, but one of "
            "the arguments requires grad; call it under glassnet.no_grad(), or drop out="
        )
    values = result.array
    if not np.can_cast(values.dtype, out.array.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{who}(): the result is {values.dtype}, which can't be written into out= of dtype "
            f"{out.array.dtype}"
        )
    if out.array.shape == values.shape:
        np.copyto(out.array, values, casting="same_kind")
    else:
        if out.array.size:
            warnings.warn(
                f"{who}(): out= has shape {tuple(out.array.shape)}, the result "
                f"{tuple(values.shape)}; out was resized to the result's shape",
                stacklevel=3,
            )
        out.array = values.astype(out.array.dtype)  # a new array, as PyTorch's resize makes
    out._version[0] += 1  # in place: whatever saved the old value for a backward must see it
    return out


# ---------------------------------------------------------------------- the method forms


def add(input: Any, other: Any, *, alpha: float = 1) -> Any:
    """input + alpha * other"""
    return as_tensor(input).add(other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Any:
    """input - alpha * other"""
    return as_tensor(input).sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Any:
    """input * other, element by element"""
    return as_tensor(input) * other


subtract, multiply = sub, mul


def eq(input: Any, other: Any) -> Any:
    """input == other, element by element (a bool tensor)"""
    return as_tensor(input) == other


def ne(input: Any, other: Any) -> Any:
    """input != other"""
    return as_tensor(input) != other


def lt(input: Any, other: Any) -> Any:
    """input < other"""
    return as_tensor(input) < other


def le(input: Any, other: Any) -> Any:
    """input <= other"""
    return as_tensor(input) <= other


def gt(input: Any, other: Any) -> Any:
    """input > other"""
    return as_tensor(input) > other


def ge(input: Any, other: Any) -> Any:
    """input >= other"""
    return as_tensor(input) >= other


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def all(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """True where every element (along ``dim``) is nonzero"""
    return as_tensor(input).all(dim, keepdim)


def any(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """True where some element (along ``dim``) is nonzero"""
    return as_tensor(input).any(dim, keepdim)


def count_nonzero(input: Any, dim: Any = None) -> Any:
    """How many elements (along ``dim``) are nonzero, as an int64 tensor"""
    return (as_tensor(input) != 0).sum(dim)


def equal(input: Any, other: Any) -> bool:
    """True if both have the same shape and the same elements (a Python bool)"""
    a, b = as_tensor(input), as_tensor(other)
    return a.shape == b.shape and bool(np.array_equal(a.array, b.array))


def numel(input: Any) -> int:
    """The number of elements"""
    return as_tensor(input).numel()


def is_floating_point(input: Any) -> bool:
    """Whether the tensor holds floating-point numbers"""
    return input.is_floating_point()


# ---------------------------------------------------------------------- products, composed


def bmm(input: Any, mat2: Any) -> Any:
    """Batched matrix product: out[b] = input[b] @ mat2[b], both 3-D with one batch size"""
    a, b = as_tensor(input), as_tensor(mat2)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ShapeError(
            f"bmm: expects two 3-D tensors with the same batch size, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    return a @ b


def mv(input: Any, vec: Any) -> Any:
    """Matrix times vector: out[i] = sum_j input[i, j] vec[j]"""
    a, v = as_tensor(input), as_tensor(vec)
    if a.ndim != 2 or v.ndim != 1:
        raise ValueError(
            f"mv: expects a 2-D matrix and a 1-D vector, got shapes {tuple(a.shape)} and "
            f"{tuple(v.shape)}"
        )
    return a @ v


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> Any:
    """beta * input + alpha * (mat1 @ mat2), mat1 and mat2 2-D"""
    m1, m2 = as_tensor(mat1), as_tensor(mat2)
    if m1.ndim != 2 or m2.ndim != 2:
        raise ValueError(
            f"addmm: expects 2-D mat1 and mat2, got shapes {tuple(m1.shape)} and {tuple(m2.shape)}"
        )
    return _scaled(input, beta) + _scaled(m1 @ m2, alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: float = 1, alpha: float = 1) -> Any:
    """beta * input + alpha * (mat @ vec), mat 2-D and vec 1-D"""
    return _scaled(input, beta) + _scaled(mv(mat, vec), alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: float = 1, alpha: float = 1) -> Any:
    """beta * input + alpha * (batch1[b] @ batch2[b]) for each b (attention scores plus a mask)"""
    return _scaled(input, beta) + _scaled(bmm(batch1, batch2), alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: float = 1, alpha: float = 1) -> Any:
    """beta * input + alpha * sum over b of batch1[b] @ batch2[b]"""
    return _scaled(input, beta) + _scaled(bmm(batch1, batch2).sum(0), alpha)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
    """input + value * tensor1 * tensor2"""
    return as_tensor(input) + _scaled(as_tensor(tensor1) * tensor2, value)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
    """input + value * tensor1 / tensor2"""
    return as_tensor(input) + _scaled(as_tensor(tensor1) / tensor2, value)


def _scaled(x: Any, factor: float) -> Any:
    """factor * x, skipping the product when the factor is 1"""
    x = as_tensor(x)
    return x if factor == 1 else x * factor


# ---------------------------------------------------------------------- arranging, composed


def tile(input: Any, dims: Any) -> Any:
    """Repeat the tensor ``dims[i]`` times along axis i (``dims`` padded with ones on the left
    when shorter than the tensor's axes, as PyTorch does)"""
    x = as_tensor(input)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = (1,) * (x.ndim - len(dims)) + dims
    return x.repeat(*dims)


def movedim(input: Any, source: Any, destination: Any) -> Any:
    """Move axes ``source`` to positions ``destination``, the others keeping their order"""
    x = as_tensor(input)
    source = [s % x.ndim for s in ((source,) if isinstance(source, int) else source)]
    destination = [
        d % x.ndim for d in ((destination,) if isinstance(destination, int) else destination)
    ]
    if len(source) != len(destination):
        raise ValueError(
            f"movedim: source and destination must have the same length, got {len(source)} "
            f"and {len(destination)}"
        )
    order = [k for k in range(x.ndim) if k not in source]
    for d, s in sorted(zip(destination, source)):
        order.insert(d, s)
    return x.permute(*order)


moveaxis = movedim


def hstack(tensors: Any) -> Any:
    """Join along the columns: axis 1, or axis 0 for 1-D tensors"""
    tensors = [as_tensor(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Any:
    """Join along the rows, 1-D tensors becoming rows"""
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in map(as_tensor, tensors)], 0)


def column_stack(tensors: Any) -> Any:
    """Join as columns, 1-D tensors (and numbers) becoming columns"""
    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in map(as_tensor, tensors)], 1)


def narrow(input: Any, dim: int, start: int, length: int) -> Any:
    """The ``length`` elements from ``start`` along ``dim`` (a view)"""
    x = as_tensor(input)
    dim, size = dim % x.ndim, x.shape[dim % x.ndim]
    start = start + size if start < 0 else start
    if not (0 <= start and length >= 0 and start + length <= size):
        raise ValueError(
            f"narrow: start {start} and length {length} do not fit an axis of size {size}"
        )
    index = [slice(None)] * x.ndim
    index[dim] = slice(start, start + length)
    return x[tuple(index)]


def diff(input: Any, n: int = 1, dim: int = -1) -> Any:
    """out[i] = x[i + 1] - x[i] along ``dim``, taken ``n`` times"""
    x = as_tensor(input)
    for _ in range(n):
        x = narrow(x, dim, 1, x.shape[dim] - 1) - narrow(x, dim, 0, x.shape[dim] - 1)
    return x


def take(input: Any, index: Any) -> Any:
    """The elements of the flattened tensor at ``index`` (in index's shape)"""
    return as_tensor(input).reshape(-1)[as_tensor(index).long()]


def cdist(x1: Any, x2: Any, p: float = 2.0) -> Any:
    """d[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p, every pair of rows"""
    a, b = as_tensor(x1), as_tensor(x2)
    return (a.unsqueeze(-2) - b.unsqueeze(-3)).norm(p, -1)


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:  # fmt: skip
    """NaN to ``nan``, +inf to ``posinf`` and -inf to ``neginf`` (the dtype's largest and
    smallest numbers by default); the gradient passes where the value was finite"""
    x = as_tensor(input)
    values = x.numpy()
    if values.dtype.kind != "f":
        return x.clone()
    info = np.finfo(values.dtype)
    fixed = np.nan_to_num(values, nan=nan, posinf=info.max if posinf is None else posinf,
                          neginf=info.min if neginf is None else neginf)  # fmt: skip
    finite = np.isfinite(values)
    return x.masked_fill(wrap(~finite), 0.0) + wrap(np.where(finite, 0, fixed).astype(values.dtype))


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:  # fmt: skip
    """The distinct values, in increasing order; with ``return_inverse`` where each element's
    value sits among them, with ``return_counts`` how often each occurs (no gradient).

    With ``dim``, the distinct slices along that dim, in lexicographic order; the inverse and
    the counts then number the slices.
    """
    x = as_tensor(input).numpy()
    if dim is not None:
        from .reduce import single_axis

        axis = single_axis(dim, x.ndim, "unique")
        if x.ndim == 0:
            raise IndexError(f"unique: a 0-d tensor has no dim {dim}")
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=axis)
        inverse = inverse.reshape(-1)  # one entry per slice along dim
    else:
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    out = [wrap(values)]
    if return_inverse:
        out.append(wrap(inverse.astype(np.int64)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Any:  # noqa: A002
    """How many elements fall in each of ``bins`` equal bins between min and max (the data's
    own smallest and largest value when both are 0); elements outside are left out. No
    gradient: counts do not change smoothly with the values."""
    x = as_tensor(input)
    values = x.array.reshape(-1)
    low, high = (float(min), float(max))
    if low == high:
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if low == high:  # every value the same: PyTorch widens the range by 1 on both sides
        low, high = low - 1, high + 1
    if bins <= 0 or low > high:
        raise ValueError(f"histc: expected bins > 0 and min <= max, got bins={bins}, "
                         f"min={min}, max={max}")  # fmt: skip
    counts, _ = np.histogram(values, bins=bins, range=(low, high))
    dtype = x.array.dtype if x.array.dtype.kind == "f" else np.float32
    return wrap(counts.astype(dtype))


def histogram(
    input: Any,  # noqa: A002 - PyTorch's name
    bins: Any = 100,
    *,
    range: tuple[float, float] | None = None,  # noqa: A002 - PyTorch's name
    weight: Any = None,
    density: bool = False,
) -> Any:
    """The counts of ``input``'s elements in bins, with the bins' edges: ``(hist, bin_edges)``.

    ``bins`` is a number of equal bins between ``range`` (the data's smallest and largest
    values when None) or a 1-D tensor of increasing edges. Each element adds 1 (or its
    ``weight``) to the bin it falls in; the last bin includes its right edge. With ``density``
    the counts are divided by (total count * bin width), so that the bars' area is 1. No
    gradient, as ``histc``.
    """
    x = as_tensor(input)
    if x.array.dtype.kind != "f":
        raise TypeError(f"histogram: expected a floating tensor, got dtype {x.array.dtype}")
    edges = as_tensor(bins).array if is_tensor(bins) else bins
    if not is_tensor(bins) and (not isinstance(bins, int) or bins <= 0):
        raise ValueError(f"histogram: expected bins to be a positive int or a tensor of edges, "
                         f"got {bins!r}")  # fmt: skip
    w = None if weight is None else as_tensor(weight).array.reshape(-1)
    counts, edges = np.histogram(
        x.array.reshape(-1), bins=edges, range=range, weights=w, density=density
    )
    dtype = x.array.dtype
    return _HISTOGRAM(wrap(counts.astype(dtype)), wrap(np.asarray(edges, dtype=dtype)))


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:
    """How many times each of 0, 1, ..., max(input) occurs (summing ``weights`` instead).

    The counts are int64; weighted sums are float32 for float32 weights and float64 for any
    other weights (PyTorch's rule: integer and float16 weights too give float64)."""
    x = as_tensor(input).numpy()
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x < 0).any():
        raise ValueError("bincount expects a 1-D tensor of non-negative integers")
    if weights is None:
        return wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = as_tensor(weights).numpy()
    sums = np.bincount(x, weights=w, minlength=minlength)  # NumPy sums in float64
    return wrap(sums.astype(np.float32) if w.dtype == np.float32 else sums)
