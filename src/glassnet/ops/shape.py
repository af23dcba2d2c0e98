"""Shape ops: reshape, transpose/permute, expand, indexing, cat/stack/split, pad, repeat.

These move numbers around without changing them, so each backward moves the gradient back to
where the numbers came from: a reshape's gradient is reshaped back, a transpose's is
transposed back, an index's gradient is scattered (added) into the positions it read.
"""

from __future__ import annotations

import functools

import numpy as np

from ..autograd import Op, as_tensor, wrap
from ..errors import ShapeError, ValueRangeError


def _shape_error(op: str, message: str) -> ShapeError:
    return ShapeError(f"{op}: {message}")


class Reshape(Op):
    """y = x with a new shape (same elements, same order);   dL/dx = g reshaped to x's shape"""

    def __init__(self, shape: tuple):
        self.shape = shape

    def forward(self, x):
        try:
            return x.reshape(self.shape)
        except ValueError:
            shape = tuple(self.shape)
            why = "only one dimension can be -1" if shape.count(-1) > 1 else None
            why = why or f"{x.size} elements do not fill it"
            raise _shape_error(
                "reshape",
                f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into shape {shape}: {why}",
            ) from None

    def backward(self, g):
        return (g.reshape(self.inputs[0].shape),)

    def saved_inputs(self):
        return ()  # only the input's shape is read, never its values


class Permute(Op):
    """y = x with its axes reordered;   dL/dx = g with the inverse reordering"""

    def __init__(self, dims: tuple):
        self.dims = dims

    def forward(self, x):
        if sorted(d % max(x.ndim, 1) for d in self.dims) != list(range(x.ndim)):
            raise _shape_error(
                "permute",
                f"dims {tuple(self.dims)} is not a reordering of the "
                f"{x.ndim} axes of a tensor of shape {x.shape}",
            )
        return np.transpose(x, self.dims)

    def backward(self, g):
        return (g.permute(*np.argsort([d % g.ndim for d in self.dims]).tolist()),)

    def saved_inputs(self):
        return ()  # only the input's shape is read, never its values


class Transpose(Op):
    """y = x with axes dim0 and dim1 swapped;   dL/dx = g with them swapped back"""

    def __init__(self, dim0: int, dim1: int):
        self.dim0 = dim0
        self.dim1 = dim1

    def forward(self, x):
        try:
            return np.swapaxes(x, self.dim0, self.dim1)
        except np.exceptions.AxisError:
            raise IndexError(
                f"transpose: dims ({self.dim0}, {self.dim1}) out of range for a tensor of "
                f"shape {x.shape}"
            ) from None

    def backward(self, g):
        return (g.transpose(self.dim0, self.dim1),)

    def saved_inputs(self):
        return ()  # only the input's shape is read, never its values


class Expand(Op):
    """y = x repeated (without copying) along size-1 axes;   dL/dx = g summed over them"""

    def __init__(self, shape: tuple):
        self.shape = shape

    def forward(self, x):
        shape = tuple(
            x.shape[i - (len(self.shape) - x.ndim)] if n == -1 else n
            for i, n in enumerate(self.shape)
        )
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise _shape_error(
                "expand", f"cannot expand a tensor of shape {x.shape} to shape {tuple(shape)}"
            ) from None

    def backward(self, g):
        return (g,)  # the engine sums the broadcast axes back to x's shape

    def saved_inputs(self):
        return ()  # only the input's shape is read, never its values


# ---------------------------------------------------------------------- indexing


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (slice, int, np.integer)) or i is None or i is Ellipsis for i in items)


def torch_layout(index, ndim: int):
    """Where PyTorch puts the axes of index tensors when NumPy would put them elsewhere.

    Both libraries replace the axes indexed by tensors (arrays) with the axes of their broadcast
    shape, in place when those tensors sit next to each other in the index and first otherwise.
    They differ on plain integers: NumPy counts an integer among the index arrays, PyTorch first
    removes the axis it selects. So for x of shape (2, 5, 6), ``x[1, :, t]`` with t of shape
    (3,) has shape (3, 5) in NumPy (1 and t are not adjacent) but (5, 3) in PyTorch (only t is
    left, after the slice). Returns None when the two agree, else ``(count, position)``: move
    NumPy's ``count`` leading result axes to ``position``.
    """
    if not isinstance(index, tuple):
        return None
    arrays = [k for k, i in enumerate(index) if isinstance(i, np.ndarray)]
    ints = [
        k
        for k, i in enumerate(index)
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool)
    ]
    if not arrays or not ints:
        return None
    advanced = sorted(arrays + ints)
    if advanced[-1] - advanced[0] == len(advanced) - 1:
        return None  # NumPy keeps them in place, and so does PyTorch
    kept = [i for k, i in enumerate(index) if k not in ints]
    positions = [k for k, i in enumerate(kept) if isinstance(i, np.ndarray)]
    if positions[-1] - positions[0] != len(positions) - 1:
        return None  # not adjacent for PyTorch either: both put them first
    consumed = sum(
        i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1
        for i in index
        if i is not None and i is not Ellipsis
    )
    position = 0
    for i in kept[: positions[0]]:
        position += ndim - consumed if i is Ellipsis else 1
    shapes = [
        (int(i.sum()),) if i.dtype == bool else i.shape for i in kept if isinstance(i, np.ndarray)
    ]
    return len(np.broadcast_shapes(*shapes)), position


def _numpy_to_torch(a, layout):
    count, position = layout
    return np.moveaxis(a, list(range(count)), list(range(position, position + count)))


def _torch_to_numpy(a, layout):
    count, position = layout
    return np.moveaxis(a, list(range(position, position + count)), list(range(count)))


def _index_text(index) -> str:
    """An index as the script wrote it, for messages: ``5``, ``[:, 4]``, ``[1:3, None, ...]``,
    and an index tensor by its dtype and shape (``int64 tensor of shape (2,)``)."""

    def one(part) -> str:
        if isinstance(part, slice):
            text = ":".join("" if v is None else str(v) for v in (part.start, part.stop, part.step))
            return text.rstrip(":") if part.step is None else text
        if part is Ellipsis:
            return "..."
        if isinstance(part, np.ndarray):
            return f"{part.dtype} tensor of shape {part.shape}"
        return repr(part)

    if not isinstance(index, tuple):
        return one(index) or "[:]"
    return "[" + ", ".join(one(p) or ":" for p in index) + "]"


def _layout(index, ndim: int):
    return None if _is_basic_index(index) else torch_layout(index, ndim)


class GetItem(Op):
    """y = x[index];   dL/dx = zeros with g added at the indexed positions (repeats add up)

    Index tensors mixed with integers place their axes as PyTorch does (see ``torch_layout``).
    """

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        try:
            out = x[self.index]
            if not isinstance(out, np.ndarray):
                # One number (x[0] of a 1-D x): NumPy gives a copy, PyTorch a 0-d view; with
                # the Ellipsis NumPy gives the view too, so an in-place change reaches x.
                index = self.index if isinstance(self.index, tuple) else (self.index,)
                out = x[(*index, Ellipsis)]
        except IndexError as e:
            reason = (  # NumPy's words, in a tensor's terms
                str(e).replace(" for axis ", " for dimension ")
                .replace("arrays used as indices", "tensors used as indices")
                .replace("for array: array is", "for tensor: tensor is")
                .replace("numpy.newaxis (`None`)", "None")
                .replace("integer or boolean arrays", "integer or bool tensors")
            )  # fmt: skip
            raise IndexError(
                f"index {_index_text(self.index)} is invalid for a tensor of shape "
                f"{x.shape}: {reason}"
            ) from None
        layout = _layout(self.index, x.ndim)
        return out if layout is None else _numpy_to_torch(out, layout)

    def backward(self, g):
        return (IndexAdd(self.index, self.inputs[0].shape)(g),)

    def saved_inputs(self):
        return ()  # only the input's shape is read, never its values


def diagonal_view(x: np.ndarray, offset: int, axis1: int, axis2: int) -> np.ndarray:
    """The diagonal of x's (axis1, axis2) planes as a new last axis, a writable view of x's
    memory (NumPy's own np.diagonal view is read-only): x shifted to the diagonal's first
    element, stepped by the sum of the two axes' strides."""
    row0, col0 = max(-offset, 0), max(offset, 0)
    length = max(0, min(x.shape[axis1] - row0, x.shape[axis2] - col0))
    index = [slice(None)] * x.ndim
    index[axis1], index[axis2] = slice(row0, row0 + length), slice(col0, col0 + length)
    shifted = x[tuple(index)]
    layout = np.diagonal(shifted, 0, axis1, axis2)  # read-only; gives the shape and strides
    return np.lib.stride_tricks.as_strided(shifted, layout.shape, layout.strides)


class Diagonal(Op):
    """y = x's (dim1, dim2) diagonal at ``offset``, a view;   dL/dx = zeros with g on it

    A view, as in PyTorch, so ``x.diagonal().fill_(0)`` changes x (see ViewWrite).
    """

    def __init__(self, offset: int, axis1: int, axis2: int):
        self.offset, self.axis1, self.axis2 = offset, axis1, axis2

    def forward(self, x):
        self.in_shape = x.shape
        return diagonal_view(x, self.offset, self.axis1, self.axis2)

    def backward(self, g):
        zeros = wrap(np.zeros(self.in_shape, dtype=g.array.dtype))
        settings = (self.offset, self.axis1, self.axis2)
        place = ViewWrite(lambda a: diagonal_view(a, *settings), lambda t: Diagonal(*settings)(t))
        return (place(zeros, g),)

    def saved_inputs(self):
        return ()  # only the input's shape is read


#: The ops whose output may be a view of their input's memory (basic indexing, reshaping,
#: transposing, diagonals): an in-place change of such an output changes the input too
#: (see ViewWrite).
VIEW_OPS = (GetItem, Reshape, Permute, Transpose, Diagonal)
for _view_op in VIEW_OPS:
    _view_op.makes_view = True  # the engine keeps such views up to date (autograd.current_node)
del _view_op


class ViewWrite(Op):
    """y = base with the elements a view shows replaced by v;   dL/dbase = g with zeros there,
    dL/dv = the same view of g

    What an in-place change of a view (``y[1:].mul_(3)``, ``x.t().add_(1)``) does to the tensor
    it views: the view's new values v are written into the base's elements. ``array_view(a)``
    is the view of an array ``a`` shaped like the base (a view of a's memory), and
    ``tensor_view(t)`` the same view of a Tensor, recorded.
    """

    def __init__(self, array_view, tensor_view):
        self.array_view = array_view
        self.tensor_view = tensor_view

    def forward(self, base, v):
        y = base.copy()
        self.array_view(y)[...] = v
        return y

    def backward(self, g):
        region = self.tensor_view(g)
        zeros = wrap(np.zeros(region.shape, region.array.dtype))
        return ViewWrite(self.array_view, self.tensor_view)(g, zeros), region

    def saved_inputs(self):
        return ()  # reads neither value: the view itself is fixed


class IndexAdd(Op):
    """y = zeros(shape) with y[index] += g (repeated indices accumulate);   dL/dg = dL/dy[index]"""

    def __init__(self, index, shape: tuple):
        self.index = index
        self.shape = shape

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        layout = _layout(self.index, len(self.shape))
        if layout is not None:
            g = _torch_to_numpy(np.broadcast_to(g, torch_shape(out, self.index, layout)), layout)
        if _is_basic_index(self.index):
            out[self.index] = g  # basic slices never repeat an element
        else:
            np.add.at(out, self.index, g)
        return out

    def backward(self, gg):
        return (GetItem(self.index)(gg),)


def torch_shape(x, index, layout) -> tuple:
    """The shape of ``x[index]`` with PyTorch's placement of the index tensors' axes."""
    shape = np.empty(x.shape, dtype=bool)[index].shape  # the bool copy is the cheapest probe
    count, position = layout
    rest = shape[count:]
    return rest[:position] + shape[:count] + rest[position:]


def set_item(y, index, value) -> None:
    """``y[index] = value`` in place, with PyTorch's placement of the index tensors' axes."""
    layout = _layout(index, y.ndim)
    if layout is not None:
        value = _torch_to_numpy(np.broadcast_to(value, torch_shape(y, index, layout)), layout)
    y[index] = value


# ---------------------------------------------------------------------- joining and splitting


class Cat(Op):
    """y = the inputs joined along dim;   dL/dx_k = the slice of g that x_k filled"""

    def __init__(self, dim: int = 0):
        self.dim = dim

    def forward(self, *xs):
        if not xs:
            raise _shape_error("cat", "expected a non-empty sequence of tensors")
        first = xs[0]
        nd = np.ndim(first)
        scalar = next((k for k, x in enumerate(xs) if np.ndim(x) == 0), None)
        if scalar is not None:  # PyTorch refuses these too; say how to fix it
            raise _shape_error(
                "cat",
                f"tensor {scalar} is 0-dimensional (a single number) and has no dim to join "
                "along; give it one with .view(1) or .unsqueeze(0), or join numbers with "
                "glassnet.stack",
            )
        if not -nd <= self.dim < nd:
            raise IndexError(f"cat: dim {self.dim} out of range for {nd}-dimensional tensors")
        axis = self.dim % nd
        for i, x in enumerate(xs[1:], 1):
            if np.ndim(x) != nd or any(
                a != b for d, (a, b) in enumerate(zip(np.shape(x), first.shape)) if d != axis
            ):
                raise _shape_error(
                    "cat",
                    f"tensors must match except in dim {self.dim}: tensor 0 has shape "
                    f"{first.shape}, tensor {i} has shape {np.shape(x)}",
                )
        self.axis = axis
        self.sizes = [np.shape(x)[axis] for x in xs]
        return np.concatenate(xs, axis=axis)

    def backward(self, g):
        grads = []
        start = 0
        for size in self.sizes:
            index = (slice(None),) * self.axis + (slice(start, start + size),)
            grads.append(g[index])
            start += size
        return tuple(grads)

    def saved_inputs(self):
        return ()  # the gradient reads only the sizes noted in forward, no input value


def cat(tensors, dim: int = 0):
    """Join tensors along an existing axis ``dim`` (``torch.cat``).

    Tensors of different dtypes are joined in the dtype PyTorch promotes them to (an int64
    with a float32 tensor gives float32, int32 with float16 gives float16); each is cast with
    ``Tensor.to`` first, so its gradient comes back in its own dtype.

    As in PyTorch, an empty 1-D tensor (shape (0,)) joins anything: it is left out, so
    ``out = cat([tensor([]), batch])`` works to start a collection (its dtype still counts).
    """
    tensors = _common_dtype(_as_tensors(tensors))
    if len(tensors) > 1:
        kept = [t for t in tensors if t.shape != (0,)]
        tensors = kept or tensors[:1]
    return Cat(dim)(*tensors)


def _common_dtype(tensors: list) -> list:
    """``tensors`` cast to the one dtype PyTorch's promotion gives them all (as they are when
    they already agree, the usual case)."""
    if len({t.array.dtype for t in tensors}) <= 1:
        return tensors
    from .torch_extras import promote_types  # torch_extras imports this module

    dtype = functools.reduce(promote_types, (t.array.dtype for t in tensors))
    return [t if t.array.dtype == dtype else t.to(dtype) for t in tensors]


def stack(tensors, dim: int = 0):
    """Join tensors along a new axis ``dim`` (all must have the same shape)."""
    tensors = _as_tensors(tensors)
    if not tensors:
        raise _shape_error("stack", "expected a non-empty sequence of tensors")
    shapes = {t.array.shape for t in tensors}
    if len(shapes) > 1:
        raise _shape_error("stack", f"all tensors must have the same shape, got {sorted(shapes)}")
    nd = tensors[0].ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"stack: dim {dim} out of range for a result with {nd} dimensions")
    return cat([t.unsqueeze(dim % nd) for t in tensors], dim=dim % nd)


def _as_tensors(tensors):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"expected a list or tuple of tensors, got {type(tensors).__name__}")
    return [as_tensor(t) for t in tensors]


def split(x, split_size_or_sections, dim: int = 0):
    """Cut ``x`` along ``dim`` into pieces of a given size (int) or sizes (list)."""
    n = x.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        if split_size_or_sections <= 0:
            raise ValueRangeError(
                f"split: split_size must be positive, got {split_size_or_sections}"
            )
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise _shape_error(
                "split", f"sizes {sizes} add up to {sum(sizes)}, but dim {dim} has size {n}"
            )
    axis = dim % x.ndim
    pieces, start = [], 0
    for size in sizes:
        pieces.append(x[(slice(None),) * axis + (slice(start, start + size),)])
        start += size
    return tuple(pieces)


def chunk(x, chunks: int, dim: int = 0):
    """Cut ``x`` into ``chunks`` nearly equal pieces along ``dim`` (the last may be smaller)."""
    if chunks <= 0:
        raise ValueRangeError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[dim]
    return split(x, max(1, -(-n // chunks)), dim)


class Pad(Op):
    """y = x with constant padding;   dL/dx = g with the padding cut off

    ``pad`` follows PyTorch: pairs (before, after) starting from the LAST axis, e.g.
    (1, 1, 2, 2) pads the last axis by 1 and the one before by 2.
    """

    def __init__(self, pad: tuple, value: float = 0.0):
        if len(pad) % 2:
            raise ValueError(f"pad: expected an even number of values, got {tuple(pad)}")
        self.pad = tuple(pad)
        self.value = value

    def forward(self, x):
        pairs = [(0, 0)] * x.ndim
        if len(self.pad) // 2 > x.ndim:
            raise ValueError(
                f"pad: {tuple(self.pad)} pads more axes than the {x.ndim} of {x.shape}"
            )
        for i in range(len(self.pad) // 2):
            pairs[x.ndim - 1 - i] = (self.pad[2 * i], self.pad[2 * i + 1])
        if any(a < 0 or b < 0 for a, b in pairs):
            raise ValueError(f"pad: negative padding is not supported, got {tuple(self.pad)}")
        self.pairs = pairs
        return np.pad(x, pairs, mode="constant", constant_values=self.value)

    def backward(self, g):
        index = tuple(slice(a, g.shape[d] - b) for d, (a, b) in enumerate(self.pairs))
        return (g[index],)


class Repeat(Op):
    """y = x tiled ``repeats`` times along each axis;   dL/dx = sum of g over the copies"""

    def __init__(self, repeats: tuple):
        self.repeats = tuple(repeats)

    def forward(self, x):
        if len(self.repeats) < x.ndim:
            raise _shape_error(
                "repeat", f"got {len(self.repeats)} repeat counts for a tensor with {x.ndim} dims"
            )
        self.in_shape = (1,) * (len(self.repeats) - x.ndim) + x.shape
        return np.tile(x, self.repeats)

    def backward(self, g):
        # View g as (r0, s0, r1, s1, ...) and sum the r axes.
        split_shape = []
        for r, s in zip(self.repeats, self.in_shape):
            split_shape += [r, s]
        summed = g.reshape(tuple(split_shape)).sum(dim=tuple(range(0, len(split_shape), 2)))
        return (summed.reshape(self.inputs[0].shape),)


class Flip(Op):
    """y = x reversed along dims;   dL/dx = g reversed along the same dims"""

    def __init__(self, dims: tuple):
        self.dims = tuple(dims)

    def forward(self, x):
        return np.flip(x, self.dims)

    def backward(self, g):
        return (Flip(self.dims)(g),)
