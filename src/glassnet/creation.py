"""Tensor factories: glassnet.tensor, from_numpy, zeros/ones/full/empty/arange/linspace/eye and the random ones.

Every factory takes PyTorch's ``device=`` keyword: None or the CPU (``"cpu"``,
``glassnet.device("cpu")``) are accepted, any other device raises ``DeviceError``. They also
take PyTorch's other tensor options (``takes_tensor_options``): ``layout=`` (strided, the one
glassnet has), ``pin_memory=`` and ``memory_format=`` (which change nothing for a NumPy array
on the CPU), and, for the factories PyTorch gives it, ``out=``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import Op
from .device import check_device
from .dtypes import float32, int64, to_dtype
from .errors import ShapeError, ValueRangeError
from .layouts import check_layout, check_memory_format
from .ops.torch_forms import write_into
from .random import default_generator
from .tensor import Tensor, to_array


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Make a new tensor (always a copy) from a number, nested lists, an array or a tensor.

    Python floats become float32, ints int64 and bools bool, as in PyTorch; NumPy arrays keep
    their dtype. Example: ``glassnet.tensor([[1, 2], [3, 4]])`` is a 2x2 int64 tensor.
    """
    check_device(device)
    return _new(to_array(data, dtype), requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with the NumPy ``array`` (no copy; the dtype is kept).

    Writing into one changes the other, as with ``torch.from_numpy``.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(f"from_numpy expects a numeric array, got dtype {array.dtype}")
    return Tensor._make(array)


def _shape(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)):  # a TypeError, as PyTorch raises for 2.5
            raise TypeError(f"sizes must be non-negative integers, got {size}")
        if n < 0:
            raise ShapeError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    check_device(device)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given shape (float32 unless dtype is given)."""
    return _new(np.zeros(_shape(size), to_dtype(dtype or float32)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given shape."""
    return _new(np.ones(_shape(size), to_dtype(dtype or float32)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape whose values are not set (whatever was in memory)."""
    return _new(np.empty(_shape(size), to_dtype(dtype or float32)), requires_grad, device)


def full(
    size: Any,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of the given shape filled with ``fill_value`` (dtype follows the value)."""
    if dtype is None:
        dtype = np.asarray(fill_value).dtype
        if dtype.kind not in "biufc":  # a string or an object is no number to fill with
            raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__}")
        dtype = {"f": float32, "i": int64, "u": int64}.get(dtype.kind, dtype)
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    return _new(np.full(_shape(size), fill_value, to_dtype(dtype)), requires_grad, device)


def _like_source(name: str, x: Any) -> Any:
    """``x`` if it has a shape and a dtype to copy (a Tensor or an array); else one clear line."""
    if not (hasattr(x, "shape") and hasattr(x, "dtype")):
        raise TypeError(
            f"{name}: expected a Tensor to copy the shape and dtype of, got {type(x).__name__}"
        )
    return x


def zeros_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    x = _like_source("zeros_like", x)
    return zeros(x.shape, dtype=dtype or x.dtype, device=device, requires_grad=requires_grad)


def ones_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    x = _like_source("ones_like", x)
    return ones(x.shape, dtype=dtype or x.dtype, device=device, requires_grad=requires_grad)


def full_like(
    x: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    x = _like_source("full_like", x)
    return full(x.shape, fill_value, dtype or x.dtype, device, requires_grad)


def empty_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    x = _like_source("empty_like", x)
    return empty(x.shape, dtype=dtype or x.dtype, device=device, requires_grad=requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end): int64 if all arguments are integers, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueRangeError("arange: step must be non-zero, got 0")
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if all_int else float32
    return _new(np.arange(start, end, step).astype(to_dtype(dtype)), requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from start to end inclusive."""
    if steps < 0:
        raise ValueError(f"linspace: steps must be non-negative, got {steps}")
    array = np.linspace(start, end, steps).astype(to_dtype(dtype or float32))
    return _new(array, requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` values base**t for t evenly spaced from start to end inclusive."""
    if steps < 0:
        raise ValueError(f"logspace: steps must be non-negative, got {steps}")
    array = (base ** np.linspace(start, end, steps)).astype(to_dtype(dtype or float32))
    return _new(array, requires_grad, device)


def eye(
    n: int,
    m: int | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The n x m identity matrix (ones on the diagonal)."""
    return _new(np.eye(n, m, dtype=to_dtype(dtype or float32)), requires_grad, device)


def rand(
    *size: Any,
    dtype: Any = None,
    generator: np.random.Generator | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform random numbers in [0, 1) (from glassnet's seeded generator)."""
    return _random_floats(np.random.Generator.random, size, dtype, generator, device, requires_grad)


def randn(
    *size: Any,
    dtype: Any = None,
    generator: np.random.Generator | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers (mean 0, variance 1)."""
    return _random_floats(
        np.random.Generator.standard_normal, size, dtype, generator, device, requires_grad
    )


def _random_floats(
    draw: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray],
    size: tuple,
    dtype: Any,
    generator: np.random.Generator | None,
    device: Any,
    requires_grad: bool,
) -> Tensor:
    """What rand and randn share: ``draw(generator, shape)`` with glassnet's generator unless
    one is given, as float32 unless ``dtype`` says otherwise."""
    array = draw(generator or default_generator(), _shape(size))
    return _new(array.astype(to_dtype(dtype or float32)), requires_grad, device)


def randint(
    *bounds: Any,
    size: Any = None,
    low: int | None = None,
    high: int | None = None,
    dtype: Any = None,
    generator: np.random.Generator | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in [low, high), in PyTorch's forms.

    ``randint(high, size)``, ``randint(low, high, size)`` (size positional or ``size=``) and
    the keywords ``low=`` / ``high=``; with no size the result is a single number (0-d).
    """
    bounds = list(bounds)
    if size is None and bounds and isinstance(bounds[-1], (tuple, list)):
        size = bounds.pop()
    if high is not None:
        bounds.append(high)
    if low is not None:
        bounds.insert(0, low)
    if len(bounds) == 1:
        bounds.insert(0, 0)
    if len(bounds) != 2:
        raise TypeError(
            "randint expects randint(high, size) or randint(low, high, size), got "
            f"{len(bounds)} bounds {bounds}"
        )
    low, high = bounds
    if high <= low:
        raise ValueRangeError(f"randint: high ({high}) must be greater than low ({low})")
    rng = generator or default_generator()
    size = () if size is None else (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    array = rng.integers(low, high, _shape(size)).astype(to_dtype(dtype or int64))
    return _new(array, requires_grad, device)


def randn_like(x: Tensor, dtype: Any = None, device: Any = None) -> Tensor:
    x = _like_source("randn_like", x)
    return randn(x.shape, dtype=dtype or x.dtype, device=device)


def rand_like(x: Tensor, dtype: Any = None, device: Any = None) -> Tensor:
    x = _like_source("rand_like", x)
    return rand(x.shape, dtype=dtype or x.dtype, device=device)


def randint_like(x: Tensor, low: int, high: int | None = None, dtype: Any = None) -> Tensor:
    """Random integers in [low, high) of x's shape (``randint_like(x, high)`` starts at 0)."""
    x = _like_source("randint_like", x)
    bounds = (low,) if high is None else (low, high)
    return randint(*bounds, x.shape, dtype=dtype or x.dtype)


def randperm(
    n: int, generator: np.random.Generator | None = None, dtype: Any = None, device: Any = None
) -> Tensor:
    """A random ordering of 0..n-1 (int64)."""
    rng = generator or default_generator()
    return _new(rng.permutation(n).astype(to_dtype(dtype or int64)), False, device)


def bernoulli(
    input: Any,  # noqa: A002 - PyTorch's name
    p: float | None = None,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """0/1 draws: each element is 1 with probability ``input``'s element (or ``p`` if given).

    x_i = 1 if u_i < p_i else 0, with u_i uniform in [0, 1). The result has input's shape and
    its dtype (float32 for integer input), as torch.bernoulli.
    """
    source = input.array if isinstance(input, Tensor) else np.asarray(input)
    probs = np.full(source.shape, p, dtype=np.float64) if p is not None else source
    if probs.size and not (np.all(probs >= 0) and np.all(probs <= 1)):
        raise ValueError("bernoulli expects probabilities between 0 and 1")
    dtype = source.dtype if source.dtype.kind == "f" else to_dtype(float32)
    draws = (generator or default_generator()).random(probs.shape) < probs
    return Tensor._make(draws.astype(dtype))


class _PoissonDraw(Op):
    """y_i ~ Poisson(rate_i), a whole-number count with mean and variance rate_i;
    dL/drate = 0: a draw is not a smooth function of its rate (PyTorch gives the same zeros,
    keeping the draw in the graph)."""

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator

    def forward(self, rates: np.ndarray) -> np.ndarray:
        return self.generator.poisson(rates).astype(rates.dtype)

    def backward(self, g: Tensor) -> tuple:
        return (g * 0.0,)


def poisson(
    input: Any,  # noqa: A002 - PyTorch's name
    generator: np.random.Generator | None = None,
) -> Tensor:
    """One Poisson draw per element: y_i ~ Poisson(rate_i) with rate_i = ``input``'s element
    (a count k with probability rate**k e**-rate / k!), in input's floating dtype, from
    glassnet's seeded generator (or ``generator``). Its gradient is 0, as torch.poisson's.
    """
    rates = input if isinstance(input, Tensor) else Tensor._from_data(input)
    if rates.array.dtype.kind != "f":
        raise TypeError(f"poisson expects a floating tensor of rates, got dtype {rates.dtype}")
    if rates.array.size and not np.all(rates.array >= 0):  # also refuses NaN
        raise ValueError("poisson expects non-negative rates")
    return _PoissonDraw(generator or default_generator())(rates)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal draws mean + std * z, z ~ N(0, 1): per element of the tensors ``mean`` and ``std``
    (broadcast together), or of the shape ``size`` when both are numbers (torch.normal).
    """
    arrays = [x.array if isinstance(x, Tensor) else np.asarray(x) for x in (mean, std)]
    if size is not None:
        shape = _shape((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    elif all(a.ndim == 0 for a in arrays):
        raise ValueError("normal: with a number for both mean and std, give size= (a shape)")
    else:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if np.any(arrays[1] < 0):
        raise ValueRangeError(f"normal expects std >= 0, got a smallest std of {arrays[1].min()}")
    floats = [a.dtype for a in arrays if a.ndim and a.dtype.kind == "f"]
    out_dtype = to_dtype(dtype) if dtype is not None else (floats[0] if floats else float32)
    z = (generator or default_generator()).standard_normal(shape)
    return _new((arrays[0] + arrays[1] * z).astype(to_dtype(out_dtype)), requires_grad, device)


def multinomial(
    input: Any,  # noqa: A002 - PyTorch's name
    num_samples: int,
    replacement: bool = False,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Draw category indices with probabilities proportional to the weights in ``input``.

    For weights w_0..w_{n-1} >= 0 (not necessarily summing to 1), index i is drawn with
    probability p_i = w_i / sum_j w_j. With ``replacement=True`` every draw uses the same p
    (inverse-CDF sampling: the index of the first cumulative sum above u * sum_j w_j, with u
    uniform in [0, 1)); without it each drawn index is removed and p renormalised.

    Args:
        input: weights of shape (n,) or (rows, n), one distribution per row.
        num_samples: draws per row (at most the number of non-zero weights without replacement).
        replacement: draw with replacement.
        generator: a random generator (default: glassnet's global one).

    Returns:
        int64 indices of shape (num_samples,) or (rows, num_samples).
    """
    weights = np.asarray(input.array if isinstance(input, Tensor) else input, dtype=np.float64)
    if weights.ndim not in (1, 2) or weights.shape[-1] == 0:
        raise ValueError(
            f"multinomial expects weights of shape (n,) or (rows, n), got shape {weights.shape}"
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueRangeError(
            "multinomial weights must be finite and non-negative, got values from "
            f"{weights.min()} to {weights.max()}"
        )
    rows = np.atleast_2d(weights)
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueRangeError("multinomial: every row of weights needs a positive sum")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"num_samples must be a positive integer, got {num_samples!r}")
    if num_samples < 1:
        raise ValueRangeError(f"num_samples must be a positive integer, got {num_samples}")
    nonzero = int((rows > 0).sum(axis=1).min())
    if not replacement and num_samples > nonzero:
        raise ValueRangeError(
            f"multinomial cannot draw {num_samples} samples without replacement from a "
            f"distribution with {nonzero} non-zero weights"
        )
    rng = generator or default_generator()
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for r, (w, total) in enumerate(zip(rows, totals)):
        if replacement:
            cdf = np.cumsum(w)
            u = rng.random(num_samples) * total
            out[r] = np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)
        else:
            out[r] = rng.choice(len(w), size=num_samples, replace=False, p=w / total)
    return Tensor._make(out if weights.ndim == 2 else out[0])


def takes_tensor_options(factory: Callable, out: bool = True, pin_memory: bool = True) -> Callable:
    """``factory`` accepting PyTorch's tensor options as keywords.

    ``layout=`` must be ``strided`` (or None) and ``memory_format=`` one of PyTorch's formats;
    ``pin_memory=`` must be a bool. None of them changes the result: a glassnet tensor is a
    dense NumPy array in the CPU's memory, whose numbers are the same in any memory order.
    ``out=`` (where ``out`` is True) writes the result into that tensor, as ``with_out`` does.
    """
    name = factory.__name__

    # Named so that ``glassnet run`` looks past this frame when a script passes a keyword the
    # factory lacks (run._asked_by_script), reporting it as the script's own mistake.
    @functools.wraps(factory)
    def passes_arguments_on(*args: Any, **kwargs: Any) -> Any:
        check_layout(kwargs.pop("layout", None), name)
        check_memory_format(kwargs.pop("memory_format", None), name)
        if pin_memory and not isinstance(pinned := kwargs.pop("pin_memory", False), bool):
            raise TypeError(f"{name}: pin_memory expects True or False, got {pinned!r}")
        target = kwargs.pop("out", None) if out else None
        result = factory(*args, **kwargs)
        return result if target is None else write_into(target, result, name)

    return passes_arguments_on


for _name in ("zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "eye", "rand",
              "randn", "randint", "randperm"):  # fmt: skip
    globals()[_name] = takes_tensor_options(globals()[_name])
for _name in ("zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
              "randint_like"):  # fmt: skip
    globals()[_name] = takes_tensor_options(globals()[_name], out=False, pin_memory=False)
tensor = takes_tensor_options(tensor, out=False)
