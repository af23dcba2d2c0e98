"""The public function form of every op (glassnet.exp(x), glassnet.cat(...)); Tensor methods are these same functions.

Each function checks and normalises its arguments, then applies one op class from
elementwise / reduce / shape / matmul. ``x.exp()`` and ``glassnet.exp(x)`` run the same code:
tensor.py binds the functions listed in ``TENSOR_METHODS`` as methods. The younger op families
keep their function forms beside their ops and are re-exported from here: functions (log2,
trigonometry, hyperbolics, atan2, copysign, logaddexp, lerp), rounding (floor ... fmod,
div(rounding_mode=)), indexing (gather, scatter*, index_select/add, masked_select, nonzero),
scan (cumsum ... logcumsumexp), layout (roll, repeat_interleave, unfold, diag, tril, meshgrid),
sorting (sort, argsort, topk) and einsum.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import autograd, return_types, unrecorded_views
from ..autograd import as_tensor, is_tensor
from ..dtypes import DType
from ..errors import DTypeError, ShapeError
from ..layouts import check_memory_format
from . import elementwise as E
from . import reduce as R
from . import shape as S
from .einsum import einsum  # noqa: F401 - re-exported
from .functions import (  # noqa: F401 - re-exported as glassnet.name and Tensor methods
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    copysign,
    cosh,
    exp2,
    expm1,
    lerp,
    log1p,
    log2,
    log10,
    logaddexp,
    sinh,
    tan,
)
from .index_writes import __all__ as _index_writes
from .index_writes import index_copy, index_put, masked_scatter, put  # noqa: F401
from .indexing import (  # noqa: F401 - re-exported
    argwhere,
    gather,
    index_add,
    index_select,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
)
from .layout import (  # noqa: F401 - re-exported
    diag,
    diagonal,
    meshgrid,
    repeat_interleave,
    roll,
    sum_to_size,
    tril,
    triu,
    unfold,
)
from .matmul import MatMul
from .rounding import (  # noqa: F401 - re-exported
    ceil,
    div,
    divide,
    fix,
    floor,
    floor_divide,
    fmod,
    frac,
    remainder,
    round,
    true_divide,
    trunc,
)
from .scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: F401 - re-exported
from .sorting import argsort, bucketize, msort, searchsorted, sort, topk  # noqa: F401
from .special import __all__ as _special
from .special import digamma, erfinv, lgamma  # noqa: F401 - re-exported
from .torch_arrangements import __all__ as _torch_arrangements
from .torch_arrangements import (  # noqa: F401 - re-exported
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    combinations,
    diag_embed,
    dsplit,
    dstack,
    hsplit,
    kron,
    rot90,
    take_along_dim,
    tensor_split,
    tensordot,
    tril_indices,
    triu_indices,
    vsplit,
)
from .torch_forms import __all__ as _torch_forms
from .torch_forms import (  # noqa: F401 - re-exported (torch.add(a, b) is a.add(b))
    add,
    addbmm,
    addcdiv,
    addcmul,
    addmm,
    addmv,
    all,
    any,
    baddbmm,
    bincount,
    bmm,
    cdist,
    column_stack,
    count_nonzero,
    diff,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    histc,
    histogram,
    hstack,
    is_floating_point,
    le,
    less,
    less_equal,
    lt,
    moveaxis,
    movedim,
    mul,
    multiply,
    mv,
    nan_to_num,
    narrow,
    ne,
    not_equal,
    numel,
    sub,
    subtract,
    take,
    tile,
    unique,
    vstack,
    with_out,
)
from .torch_formulas import __all__ as _torch_formulas
from .torch_formulas import (  # noqa: F401 - re-exported
    absolute,
    adjoint,
    aminmax,
    angle,
    clamp_max,
    clamp_min,
    corrcoef,
    cov,
    cross,
    deg2rad,
    float_power,
    fmax,
    fmin,
    gcd,
    heaviside,
    hypot,
    isin,
    isneginf,
    isposinf,
    isreal,
    kthvalue,
    lcm,
    logit,
    median,
    mode,
    nanmean,
    nansum,
    negative,
    positive,
    quantile,
    rad2deg,
    ravel,
    reciprocal,
    select,
    sgn,
    signbit,
    sinc,
    swapdims,
    unbind,
    xlogy,
)

# The function forms `import glassnet` offers (glassnet.exp, glassnet.cat, ...): __init__.py
# takes exactly these with `from .ops.api import *`.
__all__ = [
    "abs", "acos", "acosh", "allclose", "amax", "amin", "arccos", "arccosh", "arcsin",
    "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "argsort", "argwhere",
    "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "broadcast_to",
    "bucketize", "cat",
    "ceil", "chunk", "clamp", "clip", "clone", "concat", "concatenate", "copysign", "cos",
    "cosh", "cummax", "cummin", "cumprod", "cumsum", "diag", "diagonal", "div", "divide", "dot",
    "einsum", "erf", "exp", "exp2", "expand", "expm1", "fix", "flatten", "flip", "floor",
    "floor_divide", "fmod", "frac", "gather", "gelu", "index_add", "index_select", "isclose",
    "isfinite", "isinf", "isnan", "leaky_relu", "lerp", "log", "log1p", "log2", "log10",
    "log_softmax", "logaddexp", "logcumsumexp", "logical_and", "logical_not", "logical_or",
    "logical_xor", "logsumexp", "masked_fill", "masked_select", "matmul", "max", "maximum",
    "mean", "meshgrid", "min", "minimum", "mm", "msort", "neg", "nonzero", "norm", "outer",
    "pad", "permute", "pow", "prod", "relu", "remainder", "repeat", "repeat_interleave",
    "reshape", "roll", "round", "rsqrt", "scatter", "scatter_add", "scatter_reduce",
    "searchsorted", "sigmoid",
    "sign", "sin", "sinh", "softmax", "softplus", "sort", "split", "sqrt", "square", "squeeze",
    "stack", "std", "std_mean", "sum", "swapaxes", "t", "tan", "tanh", "topk", "transpose",
    "tril", "triu", "true_divide", "trunc", "unflatten", "unsqueeze", "var", "var_mean", "view",
    "where",
    *_torch_forms,
    *_torch_formulas,
    *_torch_arrangements,
    *_index_writes,
    *_special,
    "logdet",
    "matrix_power",
]  # fmt: skip

if TYPE_CHECKING:
    from ..autograd import Tensor

_values_indices = namedtuple("values_indices", ["values", "indices"])


def _t(x):
    return as_tensor(x)


def _float(x):
    """Floating version of x (PyTorch's math functions turn integer tensors into float32)."""
    x = _t(x)
    return x if x.array.dtype.kind == "f" else x.to(np.float32)


# ---------------------------------------------------------------------- elementwise


def exp(x) -> Tensor:
    """e**x elementwise (dL/dx = g * e**x)."""
    return E.Exp()(_float(x))


def log(x) -> Tensor:
    """Natural log elementwise (dL/dx = g / x); x <= 0 gives nan/-inf as in NumPy."""
    return E.Log()(_float(x))


def sqrt(x) -> Tensor:
    """Square root elementwise (dL/dx = g / (2 sqrt x)); x < 0 gives nan as in NumPy."""
    return E.Sqrt()(_float(x))


def rsqrt(x) -> Tensor:
    """1 / sqrt(x) elementwise."""
    return 1 / sqrt(x)


def square(x) -> Tensor:
    """x * x elementwise (a bool tensor squares into int64, as PyTorch's pow(x, 2))."""
    x = _t(x)
    if x.array.dtype.kind == "b":
        x = x.to(np.int64)
    return E.Mul()(x, x)


def abs(x) -> Tensor:  # noqa: A001 - PyTorch's name
    """|x| elementwise (dL/dx = g * sign(x))."""
    return E.Abs()(_t(x))


def sign(x) -> Tensor:
    """-1, 0 or 1 elementwise (no gradient); a bool tensor is its own sign, as in PyTorch."""
    x = _t(x)
    if x.array.dtype.kind == "b":  # NumPy has no sign for bools
        return x.clone()
    return E.Sign()(x)


def sin(x) -> Tensor:
    """sin elementwise (dL/dx = g cos x)."""
    return E.Sin()(_float(x))


def cos(x) -> Tensor:
    """cos elementwise (dL/dx = -g sin x)."""
    return E.Cos()(_float(x))


def tanh(x) -> Tensor:
    """tanh elementwise (dL/dx = g (1 - tanh(x)**2))."""
    return E.Tanh()(_float(x))


def sigmoid(x) -> Tensor:
    """1 / (1 + e**-x) elementwise, stable for large |x|."""
    return E.Sigmoid()(_float(x))


def relu(x) -> Tensor:
    """max(x, 0) elementwise."""
    return E.ReLU()(_t(x))


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    return E.LeakyReLU(negative_slope)(_float(x))


def gelu(x, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Gaussian error linear unit); approximate='tanh' for the tanh form."""
    return E.gelu(_float(x), approximate)


def erf(x) -> Tensor:
    """The error function, elementwise."""
    return E.Erf()(_float(x))


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e**(beta x)) / beta, linear where beta x > threshold."""
    return E.Softplus(beta, threshold)(_float(x))


def clamp(x, min=None, max=None) -> Tensor:  # noqa: A002
    """Limit every element to [min, max]: min(max(x, min), max) (gradient 0 where clamped).

    The bounds may be numbers or tensors (broadcast against x, each getting the gradient where
    it is the answer); the dtype is PyTorch's promotion of x with the bounds (an int64 tensor
    clamped to 0.5 is float32).
    """
    x = _t(x)
    if is_tensor(min) or is_tensor(max):
        return _clamp_to_tensors(x, min, max)
    for bound in (min, max):
        if bound is not None:
            x, _ = _promote(x, bound)
    return E.Clamp(min, max)(x)


def _clamp_to_tensors(x, low, high) -> Tensor:
    """clamp with a tensor bound, as two selections: where(x < low, low, x), then the same with
    high, so x's gradient is g where low <= x <= high and each bound's where it was chosen."""
    if low is None and high is None:
        raise ValueError("clamp: at least one of min and max must be given")
    out = x
    if low is not None:
        out, low = _promote(out, low)
        out = where(out < low, low, out)
    if high is not None:
        out, high = _promote(out, high)
        out = where(out > high, high, out)
    return out


clip = clamp


def maximum(a, b) -> Tensor:
    """Elementwise larger of a and b."""
    a, b = _promote(_t(a), b)
    return E.Maximum()(a, b)


def minimum(a, b) -> Tensor:
    """Elementwise smaller of a and b."""
    a, b = _promote(_t(a), b)
    return E.Minimum()(a, b)


def where(condition, x=None, y=None) -> Tensor:
    """x where condition is true, else y (elementwise, broadcasting).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``: a tuple of index
    tensors, one per axis, of the elements that are true (nonzero).
    """
    if x is None and y is None:
        return nonzero(condition, as_tuple=True)
    if x is None or y is None:
        raise TypeError("where: give both x and y, or neither (where(condition) lists the "
                        "indices where condition is true)")  # fmt: skip
    cond = _t(condition).array.astype(bool, copy=False)
    x_t = x if is_tensor(x) else None
    y_t = y if is_tensor(y) else None
    if x_t is None and y_t is None:
        # Two numbers: PyTorch's default dtypes (float32 if either is a float, else int64,
        # bool for two bools), not NumPy's float64.
        if isinstance(x, (float, np.floating)) or isinstance(y, (float, np.floating)):
            dtype = np.float32
        elif isinstance(x, (bool, np.bool_)) and isinstance(y, (bool, np.bool_)):
            dtype = np.bool_
        else:
            dtype = np.int64
        x, y = _t(x), _t(y)
        if x.array.dtype.kind in "biuf" and y.array.dtype.kind in "biuf":
            x, y = x.to(dtype), y.to(dtype)
    elif x_t is not None:
        x, y = _promote(x_t, y)
    else:
        y, x = _promote(y_t, x)
    try:
        return E.Where()(cond, x, y)
    except ValueError as e:  # only a failed call pays for the message
        if "broadcast" not in str(e):
            raise
        raise ShapeError(
            f"where: expected condition, input and other of shapes that broadcast together, "
            f"got {cond.shape}, {_shape_of(x)} and {_shape_of(y)}"
        ) from None


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target`` (no new axes in front
    beyond target's, each size 1 or target's)."""
    if len(shape) > len(target):
        return False
    for n, m in zip(reversed(shape), reversed(target)):  # `all` here is the tensor op
        if n not in (1, m):
            return False
    return True


def masked_fill(x, mask, value) -> Tensor:
    """A copy of x with ``value`` where ``mask`` is true, in x's dtype as in PyTorch
    (``value`` is cast: 2.7 into an int64 tensor is 2); dL/dx = g where the mask is false."""
    x = _t(x)
    mask = _t(mask)
    if mask.array.dtype != np.bool_:  # PyTorch refuses a 0/1 integer mask too
        raise DTypeError(f"masked_fill: expected a bool mask, got dtype {mask.array.dtype}")
    if mask.shape != x.shape and not _broadcasts_to(mask.shape, x.shape):
        raise ShapeError(
            f"masked_fill: expected a mask that broadcasts to the input's shape {tuple(x.shape)}, "
            f"got {tuple(mask.shape)}"
        )
    if is_tensor(value):
        if value.ndim != 0:
            raise ShapeError(
                f"masked_fill: expected a 0-dimensional value tensor, got shape {tuple(value.shape)}"
            )
        value = value if value.dtype == x.dtype else value.to(x.dtype)
    else:
        value = as_tensor(np.array(value).astype(x.dtype))
    return where(mask, value, x)


def pow(x, exponent) -> Tensor:  # noqa: A001
    """x ** exponent elementwise (with PyTorch's rules for dtypes and bools: ``binary``)."""
    return binary(E.Pow, _t(x), exponent)


def neg(x) -> Tensor:
    """-x."""
    return E.Neg()(_t(x))


def clone(x, *, memory_format: Any = None) -> Tensor:
    """A copy of x that stays in the graph (gradient passes straight through). A
    ``memory_format`` is accepted and changes nothing (glassnet's copies are row after row)."""
    check_memory_format(memory_format, "clone")
    return E.Clone()(_t(x))


# ---------------------------------------------------------------------- tests of values (no grad)


def isnan(x) -> Tensor:
    """True where x is nan."""
    return E.IsNan()(_t(x))


def isinf(x) -> Tensor:
    """True where x is +inf or -inf."""
    return E.IsInf()(_t(x))


def isfinite(x) -> Tensor:
    """True where x is neither inf nor nan."""
    return E.IsFinite()(_t(x))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):  # noqa: A002
    """True where |input - other| <= atol + rtol * |other| (elementwise, no gradient)."""
    a, b = _promote(_t(input), other)
    b = b.array if is_tensor(b) else b
    return as_tensor(np.isclose(a.array, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:  # noqa: A002
    """True when isclose holds for every element (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


# ---------------------------------------------------------------------- bitwise and logical (no grad)


def _integer_pair(op_class, a, b) -> Tensor:
    return binary(op_class, _t(a), b)


def bitwise_and(input, other) -> Tensor:  # noqa: A002
    """a & b bit by bit (integers), logical and (bools)."""
    return _integer_pair(E.BitwiseAnd, input, other)


def bitwise_or(input, other) -> Tensor:  # noqa: A002
    """a | b bit by bit (integers), logical or (bools)."""
    return _integer_pair(E.BitwiseOr, input, other)


def bitwise_xor(input, other) -> Tensor:  # noqa: A002
    """a ^ b bit by bit (integers), logical xor (bools)."""
    return _integer_pair(E.BitwiseXor, input, other)


def bitwise_left_shift(input, other) -> Tensor:  # noqa: A002
    """a << b on integers: a * 2**b."""
    return _integer_pair(E.BitwiseLeftShift, input, other)


def bitwise_right_shift(input, other) -> Tensor:  # noqa: A002
    """a >> b on integers: floor(a / 2**b)."""
    return _integer_pair(E.BitwiseRightShift, input, other)


def bitwise_not(x) -> Tensor:
    """~x: every bit flipped (-x - 1 for integers), logical not for bools."""
    return E.BitwiseNot()(_t(x))


def logical_and(input, other) -> Tensor:  # noqa: A002
    """Elementwise 'both are nonzero', a bool tensor."""
    return binary(E.LogicalAnd, _t(input), other)


def logical_or(input, other) -> Tensor:  # noqa: A002
    """Elementwise 'either is nonzero', a bool tensor."""
    return binary(E.LogicalOr, _t(input), other)


def logical_xor(input, other) -> Tensor:  # noqa: A002
    """Elementwise 'exactly one is nonzero', a bool tensor."""
    return binary(E.LogicalXor, _t(input), other)


def logical_not(x) -> Tensor:
    """Elementwise 'is zero', a bool tensor."""
    return E.LogicalNot()(_t(x))


# ---------------------------------------------------------------------- reductions


def sum(x, dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (int, tuple or None for all). Integer and bool sums give int64."""
    x = _t(x)
    if dtype is not None:
        x = x.to(dtype)
    elif x.array.dtype.kind in "biu":
        x = x.to(np.int64)
    return R.Sum(dim, keepdim)(x)


def mean(x, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Average over ``dim``. Needs a floating tensor (as in PyTorch), or a floating ``dtype``
    to convert x to first (``x.mean(dtype=glassnet.float64)`` averages in float64)."""
    return R.Mean(dim, keepdim)(_as_dtype(x, dtype))


def _as_dtype(x, dtype) -> Tensor:
    """x as a tensor of ``dtype`` (a differentiable cast), or as it is for dtype=None: the
    ``dtype=`` of PyTorch's reductions, which converts the input before computing."""
    x = _t(x)
    return x if dtype is None else x.to(dtype)


def _extreme(op, x, dim, keepdim, pick_index):
    """max / min of x: over everything (dim=None, ties share the gradient), or along ``dim``
    as (values, indices), where values = gather(x, dim, indices): the gradient goes to the
    returned index alone (the first of tied elements), as in PyTorch."""
    x = _t(x)
    if dim is None:
        return op(None, False)(x)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op.__name__.lower()}: dim must be an int, got {dim!r}")
    name = "max" if op is R.Max else "min"
    result = getattr(return_types, name)  # prints as glassnet.return_types.max(...)
    if x.ndim == 0:  # a number: itself, at index 0 (dim must still be 0 or -1)
        R.normalize_dims(dim, 0, name)
        return result(op(None, False)(x), as_tensor(np.asarray(0, dtype=np.int64)))
    if x.shape[R.single_axis(dim, x.ndim, name)] == 0:
        raise IndexError(f"{name}: cannot reduce dim {dim} of size 0 (tensor of shape {x.shape})")
    indices = pick_index(dim, True)(x)
    values = gather(x, dim, indices)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return result(values, indices)


def max(x, dim=None, keepdim: bool = False):  # noqa: A001
    """Largest element (dim=None), or (values, indices) along ``dim`` as in PyTorch.

    Given a second tensor instead of a dim, the elementwise maximum.
    """
    if is_tensor(dim):
        return maximum(x, dim)
    return _extreme(R.Max, x, dim, keepdim, R.ArgMax)


def min(x, dim=None, keepdim: bool = False):  # noqa: A001
    """Smallest element (dim=None), or (values, indices) along ``dim``."""
    if is_tensor(dim):
        return minimum(x, dim)
    return _extreme(R.Min, x, dim, keepdim, R.ArgMin)


def amax(x, dim=None, keepdim: bool = False) -> Tensor:
    """Largest elements over ``dim`` (int or tuple), values only."""
    return R.Max(dim, keepdim)(_t(x))


def amin(x, dim=None, keepdim: bool = False) -> Tensor:
    """Smallest elements over ``dim`` (int or tuple), values only."""
    return R.Min(dim, keepdim)(_t(x))


def _variance_arguments(name: str, x, dim, unbiased, correction) -> tuple:
    """PyTorch's two spellings of the variance's arguments, reduced to (dim, correction).

    PyTorch reads ``var(x, False)`` as unbiased=False (a bool where the dim goes) and
    ``var(x, 1, False)`` as dim=1, unbiased=False: the third positional is never keepdim.
    """
    x = _t(x)
    if x.dtype.kind not in "fc":
        raise DTypeError(f"{name}: expected a floating point tensor, got dtype {x.dtype}")
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{name}: got unbiased twice (a bool as dim and unbiased=)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}: give unbiased= or correction=, not both")
    if unbiased is not None:
        correction = 1 if unbiased else 0
    return dim, 1 if correction is None else correction


def var(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Variance over ``dim``: sum((x - mean)**2) / (n - correction); correction=1 by default.

    Called as PyTorch's ``var(x, dim, unbiased, keepdim)`` or ``var(x, dim, correction=c,
    keepdim=k)``; ``unbiased=False`` is correction=0.
    """
    dim, correction = _variance_arguments("var", x, dim, unbiased, correction)
    return R.Var(dim, keepdim, correction)(_t(x))


def std(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Standard deviation: sqrt(var), with var's arguments; its gradient is 0 where it is 0."""
    dim, correction = _variance_arguments("std", x, dim, unbiased, correction)
    # sqrt with gradient 0 where the variance is 0 (a constant slice), as PyTorch's std
    return R.NormRoot(2)(var(x, dim, keepdim=keepdim, correction=correction))


def var_mean(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(var, mean) over ``dim`` in one call, as PyTorch's var_mean (var's arguments)."""
    dim, correction = _variance_arguments("var_mean", x, dim, unbiased, correction)
    return var(x, dim, keepdim=keepdim, correction=correction), mean(x, dim, keepdim)


def std_mean(x, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(std, mean) over ``dim`` in one call, as PyTorch's std_mean (var's arguments)."""
    dim, correction = _variance_arguments("std_mean", x, dim, unbiased, correction)
    return std(x, dim, keepdim=keepdim, correction=correction), mean(x, dim, keepdim)


def prod(x, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of the elements over ``dim`` (of x converted to ``dtype`` first, if given);
    integer and bool products give int64, as sums (NumPy would give uint8's in uint64)."""
    x = _as_dtype(x, dtype)
    if dtype is None and x.array.dtype.kind in "biu":
        x = x.to(np.int64)
    return R.Prod(dim, keepdim)(x)


def logsumexp(x, dim=None, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed without overflow."""
    return R.LogSumExp(dim, keepdim)(_float(x))


def norm(x, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """The p-norm (sum |x|**p)**(1/p) over ``dim``; p may be 'fro', inf or -inf too, 0 (the
    count of nonzero elements, gradient 0), negative, or 'nuc' (the nuclear norm of matrices)."""
    x = _float(x)
    if p == "nuc":
        from .linalg import matrix_norm  # linalg builds on this module

        if dim is None and x.ndim != 2:
            raise ShapeError(
                f"norm: p='nuc' without dim needs a matrix (2 dims), got shape {tuple(x.shape)}"
            )
        return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)
    if p == 0:
        return sum(sign(abs(x)), dim, keepdim)  # sign keeps it in the graph with gradient 0
    if p == "fro" or p == 2:
        return R.NormRoot(2)(sum(x * x, dim, keepdim))  # sqrt, with gradient 0 at 0
    if p == math.inf:
        return amax(abs(x), dim, keepdim)
    if p == -math.inf:
        return amin(abs(x), dim, keepdim)
    if p == 1:
        return sum(abs(x), dim, keepdim)
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise ValueError(f"norm: p must be a number, 'fro', 'nuc', inf or -inf, got {p!r}")
    return R.NormRoot(p)(sum(abs(x) ** p, dim, keepdim))


def softmax(x, dim: int = -1, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (shifted by the max so it never overflows), of x
    converted to ``dtype`` first if given."""
    return R.Softmax(dim)(_float(_as_dtype(x, dtype)))


def log_softmax(x, dim: int = -1, dtype=None) -> Tensor:
    """x - logsumexp(x) along ``dim``: log-probabilities, stable for any input size (of x
    converted to ``dtype`` first if given)."""
    return R.LogSoftmax(dim)(_float(_as_dtype(x, dtype)))


def argmax(x, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (flattened when dim is None); no gradient."""
    x = _t(x)
    if dim is not None:  # at the call: PyTorch's IndexError, not NumPy's AxisError later
        R.normalize_dims(dim, x.ndim, "argmax")
    return R.ArgMax(dim, keepdim)(x)


def argmin(x, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (flattened when dim is None); no gradient."""
    x = _t(x)
    if dim is not None:  # at the call: PyTorch's IndexError, not NumPy's AxisError later
        R.normalize_dims(dim, x.ndim, "argmin")
    return R.ArgMin(dim, keepdim)(x)


# ---------------------------------------------------------------------- shape


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x, *shape) -> Tensor:
    """Same elements in a new shape; one size may be -1 (inferred)."""
    x = _t(x)
    return view_by(S.Reshape(_shape_arg(shape)), x)


def view(x, *shape) -> Tensor:
    """``reshape`` (a view of the same elements); or, given one dtype, PyTorch's
    ``x.view(glassnet.int32)``: the same bytes read as that dtype (no gradient), the last
    dim scaled by the ratio of the two item sizes."""
    if len(shape) == 1 and (
        isinstance(shape[0], (np.dtype, DType))
        or (isinstance(shape[0], type) and issubclass(shape[0], np.generic))
    ):
        x = _t(x)
        dtype = np.dtype(shape[0])
        try:
            array = x.array.view(dtype)
        except ValueError as e:
            raise ShapeError(
                f"view: cannot read a tensor of shape {tuple(x.shape)} and dtype {x.dtype} as "
                f"{dtype} ({e})"
            ) from None
        return _share_version(as_tensor(array), x)
    x = _t(x)
    out = reshape(x, *shape)
    # A C-ordered array always reshapes in place; another may need a copy, which a view must
    # not be (writes through it would be lost), so PyTorch refuses it, and so does this.
    if (
        not x.array.flags.c_contiguous
        and x.array.size
        and not np.may_share_memory(out.array, x.array)
    ):
        raise ShapeError(
            f"view: a tensor of shape {tuple(x.shape)} whose elements are not stored in that "
            f"order (a transpose or a strided slice) cannot be viewed as shape "
            f"{tuple(out.shape)} without copying; use .reshape(...), or .contiguous() first"
        )
    return out


def flatten(x, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes start_dim..end_dim into one."""
    x = _t(x)
    if x.ndim == 0:
        return reshape(x, 1)
    s = R.single_axis(start_dim, x.ndim, "flatten")  # an out-of-range dim is an IndexError
    e = R.single_axis(end_dim, x.ndim, "flatten")
    if s > e:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, x.shape[:s] + (-1,) + x.shape[e + 1 :])


def unflatten(x, dim: int, sizes) -> Tensor:
    """Split axis ``dim`` into ``sizes``."""
    x = _t(x)
    d = dim % x.ndim
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1 :])


def squeeze(x, dim=None) -> Tensor:
    """Remove size-1 axes (all of them, or just ``dim`` if it has size 1)."""
    x = _t(x)
    if dim is None:
        new = tuple(n for n in x.shape if n != 1)
    else:
        dims = R.normalize_dims(dim, x.ndim, "squeeze")
        new = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    return reshape(x, new)


def unsqueeze(x, dim: int) -> Tensor:
    """Insert a size-1 axis at ``dim`` (negative counts from the end of the result)."""
    x = _t(x)
    nd = x.ndim + 1
    if not -nd <= dim < nd:
        raise IndexError(f"unsqueeze: dim {dim} out of range for a result with {nd} dimensions")
    d = dim % nd
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def transpose(x, dim0: int = 0, dim1: int = 1) -> Tensor:
    """Swap two axes."""
    x = _t(x)
    if x.ndim == 0:  # PyTorch lets a 0-d tensor's dims be 0 and -1: nothing to swap
        for dim in (dim0, dim1):
            R.single_axis(dim, 1, "transpose")
        return view_by(S.Reshape(()), x)
    return view_by(S.Transpose(dim0, dim1), x)


swapaxes = transpose


def t(x) -> Tensor:
    """Transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
    x = _t(x)
    if x.ndim > 2:
        raise ShapeError(f"t: expects a tensor with at most 2 dims, got shape {x.shape}")
    return x if x.ndim < 2 else transpose(x, 0, 1)


def permute(x, *dims) -> Tensor:
    """Reorder the axes: y.shape[i] == x.shape[dims[i]]."""
    x = _t(x)
    return view_by(S.Permute(_shape_arg(dims)), x)


def expand(x, *shape) -> Tensor:
    """Broadcast size-1 axes to ``shape`` without copying (-1 keeps a size)."""
    x = _t(x)
    shape = _shape_arg(shape)
    if shape == x.shape:
        return x
    return _share_version(S.Expand(shape)(x), x)


def broadcast_to(x, shape) -> Tensor:
    """NumPy's name for expand."""
    return expand(x, tuple(shape))


def expand_as(x, other) -> Tensor:
    """Expand to other's shape."""
    return expand(x, other.shape)


def repeat(x, *repeats) -> Tensor:
    """Tile the tensor: repeat(2, 3) makes 2 copies along axis 0 and 3 along axis 1."""
    return S.Repeat(_shape_arg(repeats))(_t(x))


def flip(x, *dims, **by_name) -> Tensor:
    """Reverse the order of elements along ``dims``: ``flip(x, (0, 1))``, ``flip(x, dims=0)``
    or, as PyTorch's method, ``x.flip(0, 1)``."""
    if "dims" in by_name:
        if dims:
            raise TypeError("flip: got dims both by position and as dims=")
        dims = (by_name.pop("dims"),)
    if by_name:
        raise TypeError(f"flip: unexpected argument {next(iter(by_name))}=")
    if not dims:
        raise TypeError("flip: missing the dims to reverse")
    dims = dims[0] if len(dims) == 1 else dims
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    # PyTorch's flip is a new tensor, not a view: NumPy's flip reads the input backwards, so
    # without the copy a write into the result (y[0] = 1, y.add_(1)) would change x as well,
    # and the result could not be .view()ed. The copy is the Clone op, so the gradient is kept.
    return E.Clone()(S.Flip(dims)(_t(x)))


def pad(x, pad, value: float = 0.0) -> Tensor:
    """Constant padding; ``pad`` lists (before, after) pairs starting from the last axis."""
    return S.Pad(tuple(pad), value)(_t(x))


cat = S.cat
concat = S.cat
concatenate = S.cat
stack = S.stack


def split(x, split_size_or_sections, dim: int = 0) -> tuple:
    """Cut along ``dim`` into pieces of a size (int) or of given sizes (list)."""
    return S.split(_t(x), split_size_or_sections, dim)


def chunk(x, chunks: int, dim: int = 0) -> tuple:
    """Cut along ``dim`` into ``chunks`` nearly equal pieces."""
    return S.chunk(_t(x), chunks, dim)


def _share_version(out, x):
    """A view shares its base's version counter, so in-place edits of either are detected."""
    if out.array.base is not None:
        out._version = x._version
    return out


def view_by(op, x):
    """``op(x)`` for an op that may give a view of x (indexing, reshaping, transposing): a view
    shares x's version counter, and one made without a node while the graph records is noted
    (``unrecorded_views``; under no_grad, and in backward rules, nothing is noted: PyTorch
    refuses to record an in-place change of a view made there)."""
    out = op(x)
    if out.array.base is not None:
        out._version = x._version
        if out.grad_fn is None and autograd.is_grad_enabled():
            unrecorded_views.note(out, x, op)
    return out


# ---------------------------------------------------------------------- products


def matmul(a, b) -> Tensor:
    """Matrix product (1-D, 2-D and batched, as NumPy's @); both of one dtype, as in PyTorch."""
    return _product(_t(a), _t(b), "matmul")


def _product(a, b, who: str) -> Tensor:
    """``MatMul`` of two tensors, refusing two dtypes (PyTorch promotes none in a product)."""
    if a.array.dtype != b.array.dtype:
        raise DTypeError(
            f"{who}: expected both operands to have the same dtype, got {a.dtype} and {b.dtype}"
        )
    return MatMul()(a, b)


def dot(a, b) -> Tensor:
    """Inner product of two 1-D tensors of equal length."""
    a, b = _t(a), _t(b)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: expects two 1-D tensors, got shapes {a.shape} and {b.shape}")
    if a.shape != b.shape:
        raise ShapeError(f"dot: tensors have different lengths, shapes {a.shape} and {b.shape}")
    return _product(a, b, "dot")


def mm(a, b) -> Tensor:
    """Product of two matrices (2-D only)."""
    a, b = _t(a), _t(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expects two 2-D tensors, got shapes {a.shape} and {b.shape}")
    return _product(a, b, "mm")


def outer(a, b) -> Tensor:
    """Outer product of two 1-D tensors: y[i, j] = a[i] * b[j]."""
    return _t(a).unsqueeze(1) * _t(b).unsqueeze(0)


# ---------------------------------------------------------------------- type promotion


def _promote(a, b):
    """Make the operands of a binary op agree on a dtype the way PyTorch does.

    A Python number adopts the tensor's dtype (a float with an integer tensor gives float32).
    Two tensors of different dtypes are both cast to ``result_type(a, b)`` (ops/torch_extras.py,
    the one home of PyTorch's rules): a float beats an integer, and a 0-d tensor widens a tensor
    with dimensions only when it is of a higher kind (float32 * a 0-d float64 stays float32,
    int32 * a 0-d float64 is float64). The casts are ``Tensor.to``, so gradients go back to
    each operand in its own dtype. Returns (a, b) where b is a Tensor or a Python number.
    """
    if is_tensor(b) and a.array.dtype is b.array.dtype:
        return a, b  # the common case: nothing to decide
    if isinstance(b, np.generic):
        b = b.item()
    if isinstance(b, (bool, int, float)):
        if isinstance(b, float) and a.array.dtype.kind in "biu":
            a = a.to(np.float32)
        elif isinstance(b, int) and not isinstance(b, bool) and a.array.dtype.kind == "b":
            a = a.to(np.int64)
        return a, b
    if not is_tensor(b):
        b = as_tensor(b)
    if a.array.dtype == b.array.dtype:
        return a, b
    from .torch_extras import result_type  # torch_extras imports this module

    dtype = result_type(a, b)
    if a.array.dtype != dtype:
        a = a.to(dtype)
    if b.array.dtype != dtype:
        b = b.to(dtype)
    return a, b


def _is_bool(x) -> bool:
    """True for a bool tensor or a Python / NumPy bool."""
    return isinstance(x, (bool, np.bool_)) or (is_tensor(x) and x.array.dtype.kind == "b")


def _dtype_name(x) -> str:
    return str(x.array.dtype) if is_tensor(x) else type(x).__name__


def refuse_bool_pair(name: str, a, b) -> None:
    """Raise NotImplementedError when both operands are bools: PyTorch defines no pow, floor
    division or remainder of two bools (one bool with an integer or a float is fine)."""
    if _is_bool(a) and _is_bool(b):
        raise NotImplementedError(
            f"{name}: expected at least one operand that is not bool, got {_dtype_name(a)} and "
            f"{_dtype_name(b)} (cast one with .int() or .float())"
        )


def _bool_operands(op_class, a, b, reflected: bool):
    """PyTorch's rules for ``-`` and ``**`` when an operand is a bool (``a`` is the tensor).

    ``-`` is refused with any bool operand (its inverse, the mask's ``~``, is meant, or the
    difference of two masks, ``^``); ``x ** True`` is x and ``x ** False`` all True for a bool
    tensor x (a bool result), and any other power of two bools is refused. Returns None when
    the usual path applies.
    """
    if op_class is E.Sub:
        given = f"{_dtype_name(b if reflected else a)} and {_dtype_name(a if reflected else b)}"
        hint = (
            "use ^ or logical_xor for bools"
            if _is_bool(a) and _is_bool(b)
            else ("to invert a mask use ~ or logical_not")
        )
        raise DTypeError(f"sub: not supported for operands of dtypes {given}; {hint}")
    if not reflected and isinstance(b, (bool, np.bool_)) and a.array.dtype.kind == "b":
        return a.clone() if b else as_tensor(np.ones(a.shape, dtype=bool))
    refuse_bool_pair("pow", a, b)
    return None


def binary(op_class, a, b, reflected: bool = False) -> Tensor:
    """Apply a binary arithmetic op with PyTorch's dtype rules (used by Tensor operators)."""
    if (op_class is E.Sub or op_class is E.Pow) and (_is_bool(a) or _is_bool(b)):
        result = _bool_operands(op_class, a, b, reflected)
        if result is not None:
            return result
    a, b = _promote(a, b)
    if reflected:
        a, b = b, a
    try:
        return op_class()(a, b)
    except ValueError as e:
        if "broadcast" in str(e) and "could not be broadcast" in str(e):
            raise ShapeError(
                f"{op_class.__name__.lower()}: shapes {_shape_of(a)} and {_shape_of(b)} "
                "cannot be broadcast together"
            ) from None
        raise
    except TypeError as e:  # NumPy refuses e.g. bool - bool (PyTorch too, as a RuntimeError)
        if "not supported" not in str(e):
            raise
        hint = "; use ^ or logical_xor for bools" if op_class is E.Sub else ""
        dtypes = [x.array.dtype if is_tensor(x) else type(x).__name__ for x in (a, b)]
        raise DTypeError(
            f"{op_class.__name__.lower()}: not supported for operands of dtypes "
            f"{dtypes[0]} and {dtypes[1]}{hint}"
        ) from None


def _shape_of(x):
    return tuple(np.shape(x.array if hasattr(x, "array") else x))


# Functions that are also Tensor methods (x.exp() == glassnet.exp(x)).
TENSOR_METHODS = [
    "exp", "log", "sqrt", "rsqrt", "square", "abs", "sign", "sin", "cos", "tanh", "sigmoid",
    "relu", "leaky_relu", "gelu", "erf", "softplus", "clamp", "clip", "maximum", "minimum",
    "masked_fill", "pow", "neg", "clone", "sum", "mean", "max", "min", "amax", "amin", "var",
    "std", "prod", "logsumexp", "norm", "softmax", "log_softmax", "argmax", "argmin",
    "reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "t", "permute", "expand", "broadcast_to", "expand_as", "repeat", "flip", "split", "chunk",
    "matmul", "dot", "mm",
    "isnan", "isinf", "isfinite", "isclose", "allclose", "equal", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "bitwise_not", "logical_and",
    "logical_or", "logical_xor", "logical_not",
    "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "asin", "asinh", "atan", "atan2", "atanh", "copysign", "cosh", "exp2", "expm1", "lerp",
    "log1p", "log2", "log10", "logaddexp", "sinh", "tan",
    "argwhere", "gather", "index_add", "index_select", "masked_select", "nonzero", "scatter",
    "scatter_add", "scatter_reduce",
    "diag", "diagonal", "repeat_interleave", "roll", "sum_to_size", "tril", "triu", "unfold",
    "ceil", "fix", "floor", "floor_divide", "fmod", "frac", "remainder", "round", "trunc",
    "true_divide",
    "cummax", "cummin", "cumprod", "cumsum", "logcumsumexp", "argsort", "msort", "sort", "topk",
    # PyTorch's method forms of its top-level functions (torch_forms.py)
    "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "baddbmm", "bincount", "bmm",
    "count_nonzero", "diff", "greater", "histc", "histogram",
    "greater_equal", "less", "less_equal", "moveaxis", "movedim", "multiply", "mv", "nan_to_num",
    "narrow", "not_equal", "outer", "subtract", "take", "tile", "unique",
    # and of the short formulas (torch_formulas.py)
    "absolute", "aminmax", "angle", "deg2rad", "float_power", "fmax", "fmin", "heaviside", "hypot",
    "logit", "median", "nanmean", "nansum", "negative", "positive", "rad2deg", "ravel",
    "reciprocal", "select", "sgn", "signbit", "swapdims", "unbind", "xlogy",
    "clamp_min", "clamp_max", "cross", "sinc", "isneginf", "isposinf", "kthvalue", "quantile",
    "cov", "corrcoef", "adjoint", "gcd", "lcm", "isreal", "mode",
    # and of the index writes (index_writes.py) and special functions (special.py)
    "index_copy", "index_put", "masked_scatter", "put", "digamma", "erfinv", "lgamma",
    # and of the arrangements (torch_arrangements.py) and two of linalg.py
    "kron", "tensor_split", "hsplit", "vsplit", "dsplit", "take_along_dim", "diag_embed", "rot90",
    "logdet", "matrix_power",
]  # fmt: skip


def _accepting_numpy_names(function):
    """``function`` that also takes NumPy's ``axis=`` for ``dim=`` and ``keepdims=`` for
    ``keepdim=``, as PyTorch's functions do (``x.sum(axis=0)``, ``torch.cat(xs, axis=1)``)."""
    renames = {"axis": "dim", "keepdims": "keepdim"}

    @functools.wraps(function)
    def call(*args, **kwargs):
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            for numpy_name, torch_name in renames.items():
                if numpy_name in kwargs:
                    if torch_name in kwargs:
                        raise TypeError(
                            f"{function.__name__}() got both {torch_name}= and {numpy_name}= "
                            f"(the same argument under two names); give one"
                        )
                    kwargs[torch_name] = kwargs.pop(numpy_name)
        return function(*args, **kwargs)

    return call


def _add_numpy_names() -> None:
    """Give every public function with a ``dim`` or ``keepdim`` parameter NumPy's names too."""
    for name in set(__all__) | set(TENSOR_METHODS):
        function = globals().get(name)
        if not callable(function) or isinstance(function, type):
            continue
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            continue
        if "dim" in parameters or "keepdim" in parameters:
            globals()[name] = _accepting_numpy_names(function)


_add_numpy_names()

#: The functions that take PyTorch's out= (``torch.matmul(a, b, out=c)``): see torch_forms.
OUT_FUNCTIONS = [
    "abs", "add", "addcdiv", "addcmul", "addmm", "atan2", "bmm", "cat", "ceil", "clamp", "clip",
    "concat", "concatenate", "cos", "cumprod", "cumsum", "div", "divide", "eq", "erf", "exp",
    "expm1", "floor", "fmod", "ge", "gt", "le", "log", "log10", "log1p", "log2", "logical_and",
    "logical_not", "logical_or", "logical_xor", "lt", "matmul", "maximum", "mean", "minimum",
    "mm", "mul", "multiply", "mv", "ne", "neg", "pow", "prod", "remainder", "round", "rsqrt",
    "sigmoid", "sign", "sin", "sqrt", "square", "stack", "sub", "subtract", "sum", "tan",
    "tanh", "true_divide", "trunc", "where",
]  # fmt: skip
for _name in OUT_FUNCTIONS:
    globals()[_name] = with_out(globals()[_name])
del _name


def logdet(input):  # noqa: A002
    """``glassnet.linalg.logdet``: log det A (NaN for a negative determinant)."""
    from .linalg import logdet as _logdet

    return _logdet(input)


def matrix_power(input, n: int):  # noqa: A002
    """``glassnet.linalg.matrix_power``: A multiplied by itself n times."""
    from .linalg import matrix_power as _matrix_power

    return _matrix_power(input, n)


# Later families, imported last because they are built from the functions above (view_copies
# wraps split, transpose, ... as they stand here). Each module's __all__ joins glassnet's names.
from . import (  # noqa: E402
    householder_qr,
    incomplete_gamma,
    lowrank,
    removed_functions,
    torch_remaining,
    view_copies,
)

_LATER = (householder_qr, incomplete_gamma, lowrank, removed_functions, torch_remaining)
for _module in (*_LATER, view_copies):
    globals().update({_name: getattr(_module, _name) for _name in _module.__all__})
    __all__ += _module.__all__
del _module
