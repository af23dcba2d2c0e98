"""PyTorch's top-level forms of layer functions: torch.conv2d, torch.dropout, torch.layer_norm, torch.embedding, ...

PyTorch exposes many of ``torch.nn.functional``'s functions under ``torch`` too, and scripts
and older tutorials call them there (``torch.conv2d(x, w)``, ``torch.dropout(x, 0.5, True)``,
``torch.cosine_similarity(a, b)``). Each name here is the function of ``glassnet.nn.functional``
that computes the same thing; where PyTorch's top-level form orders its arguments differently
(``torch.batch_norm`` puts weight and bias before the running statistics, ``torch.embedding``
takes the weight first) or names them differently (``train`` for ``training``), a short
function puts them in F's order, so each formula lives once, in F.

Also here: the in-place forms (``torch.selu_(x)``, ``torch.dropout_(x, p, train)``), the forms
that return more than F does (``torch.adaptive_max_pool1d`` gives values and indices,
``torch.embedding_bag`` a 4-tuple), the kernel-level ones that take modes as numbers
(``torch.convolution``, ``torch.grid_sampler``), and one step of a recurrent layer
(``torch.lstm_cell``). Forms that differ only in the F function they call or the check they
make come from one factory each: the dropouts (``_dropout_form``, out of place and in place),
the cells (``_cell_form``) and the grid samplers (``_grid_sampler_form``).
The losses with PyTorch's reduction numbers are in torch_loss_forms.py,
the ``native_*`` forms (which also return saved statistics or masks) in torch_native_forms.py;
both are exported from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd
from .autograd import as_tensor
from .errors import ShapeError, ValueRangeError
from .nn import functional as F
from .nn.functional.recurrent_reference import (
    gru_cell_reference,
    lstm_cell_reference,
    rnn_cell_reference,
)

# The same function under both names: PyTorch's top-level form takes F's arguments.
SAME_ARGUMENTS = (
    "adaptive_avg_pool1d", "avg_pool1d", "bilinear", "celu", "channel_shuffle", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_similarity", "hardshrink", "max_pool1d", "max_pool2d", "max_pool3d",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "rms_norm",
    "selu", "threshold",
)  # fmt: skip

__all__ = [*SAME_ARGUMENTS, "alpha_dropout", "batch_norm", "dropout", "embedding",
           "feature_alpha_dropout", "feature_dropout", "group_norm", "instance_norm",
           "layer_norm", "native_channel_shuffle", "rrelu",
           # in place (the result written into the input, which is returned)
           "alpha_dropout_", "celu_", "dropout_", "feature_alpha_dropout_", "feature_dropout_",
           "rrelu_", "selu_", "threshold_",
           # pooling, padding, convolution, embedding bags, sampling
           "adaptive_max_pool1d", "affine_grid_generator", "constant_pad_nd", "conv_tbc",
           "convolution", "embedding_bag", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d",
           "max_pool1d_with_indices",
           # one step of a recurrent layer
           "gru_cell", "lstm_cell", "rnn_relu_cell", "rnn_tanh_cell"]  # fmt: skip

globals().update({name: getattr(F, name) for name in SAME_ARGUMENTS})


def rrelu(
    input: Any,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Any:
    """``F.rrelu`` (PyTorch's top-level form also accepts a generator, which glassnet's global
    one stands in for)."""
    return F.rrelu(input, lower, upper, training)


def layer_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Any:
    """``F.layer_norm``; ``cudnn_enable`` is a GPU switch and changes nothing here."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Any,  # noqa: A002
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.group_norm``; ``cudnn_enabled`` changes nothing here."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.batch_norm`` with PyTorch's top-level order: weight and bias come first."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.instance_norm`` with PyTorch's top-level order: weight and bias come first."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(
    weight: Any,
    indices: Any,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Any:
    """``F.embedding(indices, weight)``: the top-level form takes the table first, and its
    ``padding_idx`` of -1 means no padding row (F's None)."""
    padding = None if padding_idx is None or padding_idx < 0 else padding_idx
    return F.embedding(
        indices, weight, padding, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def native_channel_shuffle(input: Any, groups: int) -> Any:  # noqa: A002
    """``channel_shuffle`` (PyTorch's kernel-level name for the same rearrangement)."""
    return F.channel_shuffle(input, groups)


# ----------------------------------------------------------------------------------------------
# In-place forms: torch.selu_(x) computes selu(x) and writes it into x, which it returns. They
# go through Tensor._inplace, glassnet's one in-place mechanism (version counter bumped, a leaf
# that requires grad refused while recording, gradients flowing through the in-place step).
# ----------------------------------------------------------------------------------------------


def _in_place(who: str, input: Any, function: Any) -> Any:  # noqa: A002
    """``input`` with its elements replaced by ``function(input)``; returns ``input``."""
    if not autograd.is_tensor(input):
        raise TypeError(f"{who}(): expected a glassnet Tensor, got {type(input).__name__}")
    return input._inplace(function)


def threshold_(input: Any, threshold: float, value: float) -> Any:  # noqa: A002
    """In place: x = value where x <= threshold, x elsewhere (``F.threshold``)."""
    return _in_place("threshold_", input, lambda t: F.threshold(t, threshold, value))


def selu_(input: Any) -> Any:  # noqa: A002
    """In place: x = scale * (max(0, x) + min(0, alpha (e^x - 1))) (``F.selu``)."""
    return _in_place("selu_", input, F.selu)


def celu_(input: Any, alpha: float = 1.0) -> Any:  # noqa: A002
    """In place: x = max(0, x) + min(0, alpha (e^(x / alpha) - 1)) (``F.celu``)."""
    return _in_place("celu_", input, lambda t: F.celu(t, alpha))


def rrelu_(
    input: Any,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Any:
    """In place: ``F.rrelu`` (negative inputs times a slope drawn from U(lower, upper) while
    training, times (lower + upper) / 2 otherwise); the global generator draws the slopes."""
    return _in_place("rrelu_", input, lambda t: rrelu(t, lower, upper, training, generator))


# ----------------------------------------------------------------------------------------------
# Dropouts: PyTorch's top-level forms take (input, p, train), all three required, where F's take
# (input, p, training=...); each comes out of place and in place from one factory.
# ----------------------------------------------------------------------------------------------


def _feature_dropout(input: Any, p: float, training: bool) -> Any:  # noqa: A002
    """``F.dropout1d`` / ``dropout2d`` / ``dropout3d``, chosen by the input's rank (3 to 5)."""
    by_rank = {3: F.dropout1d, 4: F.dropout2d, 5: F.dropout3d}
    rank = getattr(input, "ndim", 0)
    if rank not in by_rank:
        raise ShapeError(
            f"feature_dropout: expected an input of 3 to 5 dimensions (N, C, ...), got {rank}"
        )
    return by_rank[rank](input, p, training=training)


def _dropout_form(name: str, dropout: Callable, doc: str, *, in_place: bool = False) -> Callable:
    """The top-level form ``name(input, p, train)`` of ``dropout(input, p, training=train)``;
    with ``in_place`` the result is written into the input, which is returned (``_in_place``)."""

    def form(input: Any, p: float, train: bool) -> Any:  # noqa: A002 - PyTorch's names
        if in_place:
            return _in_place(name, input, lambda t: dropout(t, p, training=train))
        return dropout(input, p, training=train)

    form.__name__ = form.__qualname__ = name
    form.__doc__ = doc
    return form


dropout = _dropout_form(
    "dropout", F.dropout,
    "``F.dropout(input, p, training=train)``: PyTorch's top-level form has no default for train.",
)  # fmt: skip
alpha_dropout = _dropout_form(
    "alpha_dropout", F.alpha_dropout,
    "``F.alpha_dropout(input, p, training=train)`` (SELU networks' dropout).",
)  # fmt: skip
feature_dropout = _dropout_form(
    "feature_dropout", _feature_dropout,
    """Whole channels zeroed: ``F.dropout1d`` / ``dropout2d`` / ``dropout3d`` for an input of
    (N, C, L), (N, C, H, W) or (N, C, D, H, W).""",
)  # fmt: skip
feature_alpha_dropout = _dropout_form(
    "feature_alpha_dropout", F.feature_alpha_dropout,
    "``F.feature_alpha_dropout(input, p, training=train)``.",
)  # fmt: skip
dropout_ = _dropout_form(
    "dropout_", F.dropout,
    """In place: ``dropout(input, p, train)`` (each element zeroed with probability p, the
    survivors scaled by 1 / (1 - p)).""",
    in_place=True,
)  # fmt: skip
alpha_dropout_ = _dropout_form(
    "alpha_dropout_", F.alpha_dropout, "In place: ``alpha_dropout(input, p, train)``.",
    in_place=True,
)  # fmt: skip
feature_dropout_ = _dropout_form(
    "feature_dropout_", _feature_dropout,
    "In place: ``feature_dropout(input, p, train)`` (whole channels zeroed).", in_place=True,
)  # fmt: skip
feature_alpha_dropout_ = _dropout_form(
    "feature_alpha_dropout_", F.feature_alpha_dropout,
    "In place: ``feature_alpha_dropout(input, p, train)``.", in_place=True,
)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Pooling, padding, convolution, embedding bags, sampling
# ----------------------------------------------------------------------------------------------


def _one_or_all(value: Any) -> Any:
    """A one-element list such as [2] as the number 2 (PyTorch's kernels repeat it over every
    spatial axis); anything else unchanged."""
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def max_pool1d_with_indices(
    input: Any,  # noqa: A002
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple:
    """(values, indices) of ``F.max_pool1d``; an empty stride (the default) means the kernel size."""
    if isinstance(stride, (list, tuple)) and len(stride) == 0:
        stride = None
    return F.max_pool1d(
        input, _one_or_all(kernel_size), _one_or_all(stride), _one_or_all(padding),
        _one_or_all(dilation), ceil_mode, return_indices=True,
    )  # fmt: skip


def adaptive_max_pool1d(input: Any, output_size: Any) -> tuple:  # noqa: A002
    """(values, indices) of ``F.adaptive_max_pool1d``: PyTorch's top-level form returns both."""
    return F.adaptive_max_pool1d(input, _one_or_all(output_size), return_indices=True)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(
    weight: Any,
    indices: Any,
    offsets: Any,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple:
    """``F.embedding_bag(indices, weight, offsets, ...)`` with the table first and the mode as a
    number (0 sum, 1 mean, 2 max); returns the 4-tuple (output, offset2bag, bag_size, max_indices).

    ``indices`` is 1-D; bag b holds indices[offsets[b]:offsets[b + 1]] (the last bag runs to the
    end, unless ``include_last_offset``, when offsets has one entry more, the end).
    A ``padding_idx`` of None or below 0 means no padding row.

    Only ``output`` (bags, embedding_dim) carries the result (and the gradient). The other three
    are bookkeeping, integer tensors without gradient: ``offset2bag`` (len(indices),) is the bag
    of each index, ``bag_size`` (bags,) how many indices each bag holds (padding rows not
    counted), and ``max_indices`` is, for mode 2, the (bags, embedding_dim) table row that gave
    each maximum, otherwise a copy of ``bag_size``. (PyTorch fills these only where its own
    backward pass needs them, leaving empty or zero tensors elsewhere; glassnet always fills
    them.)
    """
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise ValueRangeError(
            f"embedding_bag: mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}"
        )
    if not autograd.is_tensor(indices) or indices.ndim != 1:
        shape = tuple(indices.shape) if autograd.is_tensor(indices) else type(indices).__name__
        raise ShapeError(
            f"embedding_bag: expected 1-D indices with offsets, got {shape} "
            "(for a 2-D batch of bags use F.embedding_bag, which needs no offsets)"
        )
    padding = None if padding_idx is None or padding_idx < 0 else int(padding_idx)
    output = F.embedding_bag(
        indices, weight, offsets, None, 2, scale_grad_by_freq, _BAG_MODES[mode], sparse,
        per_sample_weights, include_last_offset, padding,
    )  # fmt: skip
    return (output, *_bag_bookkeeping(weight, indices, offsets, mode, include_last_offset, padding))


def _bag_bookkeeping(
    weight: Any, indices: Any, offsets: Any, mode: int, include_last_offset: bool, padding: Any
) -> tuple:
    """embedding_bag's offset2bag, bag_size and max_indices (see there), computed in NumPy."""
    index = np.asarray(indices.array, dtype=np.int64)
    starts = np.asarray(as_tensor(offsets).array, dtype=np.int64).reshape(-1)
    if include_last_offset:
        starts = starts[:-1]
    offset2bag = np.searchsorted(starts, np.arange(index.size), side="right") - 1
    offset2bag = np.maximum(offset2bag, 0)
    counted = index != padding if padding is not None else np.ones(index.size, dtype=bool)
    bag_size = np.bincount(offset2bag[counted], minlength=starts.size).astype(np.int64)
    if mode != 2:
        return as_tensor(offset2bag), as_tensor(bag_size), as_tensor(bag_size.copy())
    table = weight.array
    max_indices = np.zeros((starts.size, table.shape[1]), dtype=np.int64)
    for bag in range(starts.size):
        rows = index[(offset2bag == bag) & counted]
        if rows.size:
            max_indices[bag] = rows[np.argmax(table[rows], axis=0)]
    return as_tensor(offset2bag), as_tensor(bag_size), as_tensor(max_indices)


def constant_pad_nd(input: Any, pad: Any, value: float = 0) -> Any:  # noqa: A002
    """``F.pad(input, pad, 'constant', value)``: pad = (left, right) of the last axis, then of
    the one before, ...; negative amounts crop."""
    return F.pad(input, list(pad), "constant", value)


_CONVOLUTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_TRANSPOSED = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def convolution(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    transposed: bool,
    output_padding: Any,
    groups: int,
) -> Any:
    """The one convolution behind ``conv1d``...``conv_transpose3d``, chosen by the weight's
    rank (3, 4 or 5: 1, 2 or 3 spatial axes) and ``transposed``; every argument is required.

    ``output_padding`` matters only when transposed. The weight is (C_out, C_in / groups, *k),
    or for a transposed convolution (C_in, C_out / groups, *k).
    """
    rank = getattr(weight, "ndim", 0)
    if rank - 2 not in _CONVOLUTIONS:
        raise ShapeError(
            f"convolution: expected a weight of 3 to 5 dimensions (C_out, C_in / groups, "
            f"*kernel), got {rank}"
        )
    stride, padding, dilation = (_one_or_all(v) for v in (stride, padding, dilation))
    if transposed:
        return _TRANSPOSED[rank - 2](
            input, weight, bias, stride, padding, _one_or_all(output_padding), groups, dilation
        )
    return _CONVOLUTIONS[rank - 2](input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input: Any, weight: Any, bias: Any, pad: int = 0) -> Any:  # noqa: A002
    """A 1-D convolution over time, laid out (time, batch, channels) ("TBC").

        y[t, b, o] = bias[o] + sum_k sum_c x[t + k - pad, b, c] * weight[k, c, o]

    (x is zero outside 0..T-1). input (T, B, C_in), weight (K, C_in, C_out), bias (C_out,);
    output (T + 2 pad - K + 1, B, C_out). It is ``F.conv1d`` on the permuted tensors.
    """
    ranks = tuple(getattr(t, "ndim", None) for t in (input, weight, bias))
    if ranks != (3, 3, 1):
        raise ShapeError(
            "conv_tbc: expected input (T, B, C_in), weight (K, C_in, C_out) and bias (C_out,), "
            f"got tensors of {ranks} dimensions"
        )
    y = F.conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return y.permute(2, 0, 1)


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def _grid_sampler_form(rank: int | None, layout: str = "") -> Callable:
    """``grid_sampler`` (any rank, for ``rank`` None) or ``grid_sampler_{rank - 2}d``, which
    takes only a ``rank``-D input laid out as ``layout``."""
    name = "grid_sampler" if rank is None else f"grid_sampler_{rank - 2}d"

    def sampler(
        input: Any,  # noqa: A002
        grid: Any,
        interpolation_mode: int,
        padding_mode: int,
        align_corners: bool,
    ) -> Any:
        if rank is not None and getattr(input, "ndim", None) != rank:
            raise ShapeError(
                f"{name}: expected a {rank}-D input {layout}, got "
                f"{getattr(input, 'ndim', type(input).__name__)} dimensions"
            )
        for option, code, names in (
            ("interpolation_mode", interpolation_mode, _INTERPOLATIONS),
            ("padding_mode", padding_mode, _PADDINGS),
        ):
            if isinstance(code, bool) or code not in (0, 1, 2):
                raise ValueRangeError(
                    f"grid_sampler: {option} must be 0, 1 or 2 ({', '.join(names)}), got {code!r}"
                )
        return F.grid_sample(
            input, grid, _INTERPOLATIONS[interpolation_mode], _PADDINGS[padding_mode],
            bool(align_corners),
        )  # fmt: skip

    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = (
        """``F.grid_sample`` with its modes as numbers: interpolation 0 bilinear, 1 nearest,
    2 bicubic; padding 0 zeros, 1 border, 2 reflection."""
        if rank is None
        else f"``grid_sampler`` for a {rank}-D input {layout} only."
    )
    return sampler


grid_sampler = _grid_sampler_form(None)
grid_sampler_2d = _grid_sampler_form(4, "(N, C, H, W)")
grid_sampler_3d = _grid_sampler_form(5, "(N, C, D, H, W)")


def affine_grid_generator(theta: Any, size: Any, align_corners: bool) -> Any:
    """``F.affine_grid(theta, size, align_corners)`` (align_corners has no default here)."""
    return F.affine_grid(theta, list(size), bool(align_corners))


# ----------------------------------------------------------------------------------------------
# One step of a recurrent layer, the gate equations of nn/functional/recurrent_reference.py
# written in plain tensor operations (the engine finds every derivative). Weights in PyTorch's
# layout: w_ih (G * H, input_size), w_hh (G * H, H), b_ih and b_hh (G * H,) or None, with G the
# number of gate blocks (1 for the plain RNN, 3 for the GRU (r, z, n), 4 for the LSTM (i, f, g,
# o)); input (N, input_size) or (input_size,), states (N, H) or (H,) (unbatched, which PyTorch's
# GRU and LSTM kernels refuse, is run as a batch of one).
# ----------------------------------------------------------------------------------------------


def _check_cell(who: str, input: Any, h: Any, w_ih: Any, w_hh: Any, gates: int) -> None:  # noqa: A002
    tensors = (input, h, w_ih, w_hh)
    if not all(autograd.is_tensor(t) for t in tensors):
        raise TypeError(f"{who}: input, hx, w_ih and w_hh must be glassnet Tensors")
    if w_ih.ndim != 2 or w_hh.ndim != 2 or w_hh.shape[0] % gates:
        raise ShapeError(
            f"{who}: expected w_ih ({gates} * hidden, input_size) and w_hh ({gates} * hidden, "
            f"hidden), got {tuple(w_ih.shape)} and {tuple(w_hh.shape)}"
        )
    hidden = w_hh.shape[0] // gates
    if (
        input.ndim not in (1, 2)
        or input.shape[-1] != w_ih.shape[1]
        or w_ih.shape[0] != gates * hidden
        or w_hh.shape[1] != hidden
        or tuple(h.shape) != tuple(input.shape[:-1]) + (hidden,)
    ):
        raise ShapeError(
            f"{who}: expected input (N, input_size), hx (N, hidden), w_ih ({gates} * hidden, "
            f"input_size), w_hh ({gates} * hidden, hidden); got input {tuple(input.shape)}, hx "
            f"{tuple(h.shape)}, w_ih {tuple(w_ih.shape)}, w_hh {tuple(w_hh.shape)}"
        )


def _batched(cell: Any, input: Any, states: tuple, *weights: Any, **options: Any) -> Any:  # noqa: A002
    """``cell`` on a batch of one when input and states are unbatched (1-D), the batch axis
    taken off the result again (PyTorch's GRU and LSTM kernels take only batches)."""
    if input.ndim == 2:
        return cell(input, *states, *weights, **options)
    out = cell(input.unsqueeze(0), *(s.unsqueeze(0) for s in states), *weights, **options)
    return tuple(t.squeeze(0) for t in out) if isinstance(out, tuple) else out.squeeze(0)


def _cell_states(who: str, input: Any, hx: Any, w_ih: Any, w_hh: Any, gates: int,  # noqa: A002
                 pair: bool) -> tuple:  # fmt: skip
    """The state(s) in ``hx``, checked against the input and weights: (h,), or with ``pair``
    (the LSTM's hx) the pair (h, c), c of h's shape."""
    if not pair:
        _check_cell(who, input, hx, w_ih, w_hh, gates)
        return (hx,)
    if not isinstance(hx, (list, tuple)) or len(hx) != 2:
        raise TypeError(f"{who}: hx must be the pair (h, c), got {type(hx).__name__}")
    h, c = hx
    _check_cell(who, input, h, w_ih, w_hh, gates)
    if tuple(c.shape) != tuple(h.shape):
        raise ShapeError(f"{who}: c must have h's shape {tuple(h.shape)}, got {tuple(c.shape)}")
    return h, c


def _lstm_step(input: Any, h: Any, c: Any, *weights: Any) -> tuple:  # noqa: A002
    """``lstm_cell_reference`` with the state (h, c) as two arguments, as ``_batched`` passes it."""
    return lstm_cell_reference(input, (h, c), *weights)


def _cell_form(name: str, step: Callable, gates: int, doc: str, *, pair: bool = False,
               **options: Any) -> Callable:  # fmt: skip
    """The top-level form ``name(input, hx, w_ih, w_hh, b_ih=None, b_hh=None)`` of one step of
    a recurrent layer: hx checked (``_cell_states``), then ``step(input, *states, w_ih, w_hh,
    b_ih, b_hh, **options)`` on a batch (``_batched``)."""

    def cell(
        input: Any,  # noqa: A002
        hx: Any,
        w_ih: Any,
        w_hh: Any,
        b_ih: Any = None,
        b_hh: Any = None,
    ) -> Any:
        states = _cell_states(name, input, hx, w_ih, w_hh, gates, pair)
        return _batched(step, input, states, w_ih, w_hh, b_ih, b_hh, **options)

    cell.__name__ = cell.__qualname__ = name
    cell.__doc__ = doc
    if pair:
        cell.__annotations__["return"] = "tuple"  # the LSTM's result is the pair (h', c')
    return cell


rnn_tanh_cell = _cell_form(
    "rnn_tanh_cell", rnn_cell_reference, 1, "h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."
)
rnn_relu_cell = _cell_form(
    "rnn_relu_cell", rnn_cell_reference, 1, "h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh).",
    nonlinearity="relu",
)  # fmt: skip
gru_cell = _cell_form(
    "gru_cell", gru_cell_reference, 3,
    "One GRU step: r, z = sigmoid(gates), n = tanh(x_n + r * h_n), h' = (1 - z) n + z h.",
)  # fmt: skip
lstm_cell = _cell_form(
    "lstm_cell", _lstm_step, 4,
    """One LSTM step; hx is the pair (h, c) and the result the pair (h', c'):
    c' = f c + i g, h' = o tanh(c') with i, f, o sigmoid gates and g a tanh candidate.""",
    pair=True,
)  # fmt: skip


# The losses with PyTorch's reduction numbers and the native_* forms live in files of their own;
# glassnet exports them from here.
from . import torch_loss_forms as _loss_forms  # noqa: E402
from . import torch_native_forms as _native_forms  # noqa: E402
from .torch_loss_forms import *  # noqa: E402, F403
from .torch_native_forms import *  # noqa: E402, F403

__all__ += [*_loss_forms.__all__, *_native_forms.__all__]
