"""Derivatives the slow, obvious way (finite differences), and gradcheck that compares them with backprop.

The derivative of f at x is the slope of f there: (f(x + h) - f(x - h)) / (2h) for a small h
(the *central difference*, whose error shrinks like h**2). It needs two evaluations of f per
input number, so it is far too slow for training, but it is easy to trust, which makes it the
perfect referee for backpropagation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .autograd import enable_grad, grad, no_grad, wrap
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Backpropagation and numerical derivatives disagree (the message says where)."""


def numerical_derivative(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference (f(x + h) - f(x - h)) / 2h of a function of one number.

    Example: for f(x) = x**2, numerical_derivative(f, 3.0) is 6.0 up to rounding, and at -3.0
    it is -6.0: the slope tells which way, and how fast, f changes.
    """
    if h <= 0:
        raise ValueError(f"numerical_derivative: h must be positive, got {h}")
    return (_as_float(f(x + h)) - _as_float(f(x - h))) / (2 * h)


def _as_float(v: Any) -> float:
    if isinstance(v, Tensor):
        v = v.array
    v = np.asarray(v)
    if v.size != 1:
        raise ValueError(f"expected f to return a single number, got an array of shape {v.shape}")
    return float(v.reshape(()))


def numerical_gradient(f: Callable, *inputs: Any, h: float = 1e-6) -> tuple[np.ndarray, ...]:
    """Partial derivatives of a scalar function of several arrays/tensors, by central differences.

    Each element of each input is nudged by +h and -h in turn (the others held still), so
    grad[i][idx] ~= df/d(inputs[i][idx]). Inputs are evaluated in float64; f receives tensors
    if it was given tensors and arrays if it was given arrays. Returns float64 arrays.
    """
    if h <= 0:
        raise ValueError(f"numerical_gradient: h must be positive, got {h}")
    was_tensor = [isinstance(x, Tensor) for x in inputs]
    arrays = [
        np.array(x.array if isinstance(x, Tensor) else x, dtype=np.float64, order="C")
        for x in inputs
    ]

    def call() -> float:
        args = [wrap(a) if t else a for a, t in zip(arrays, was_tensor)]
        with no_grad():
            return _as_float(f(*args))

    return tuple(_central_differences(a, call, h) for a in arrays)


def _central_differences(array: np.ndarray, evaluate: Callable[[], float], h: float) -> np.ndarray:
    """Nudge each element of ``array`` (in place, then restore it) by +h and -h; return the slopes.

    ``evaluate()`` must read ``array`` and return the function's value as a float.
    """
    slopes = np.zeros(array.shape, dtype=np.float64)
    flat = array.reshape(-1)  # a view (the array is contiguous): nudging it nudges the input
    flat_slopes = slopes.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + h
        up = evaluate()
        flat[k] = old - h
        down = evaluate()
        flat[k] = old
        flat_slopes[k] = (up - down) / (2 * h)
    return slopes


def _prepare(inputs: tuple) -> list[Tensor]:
    # PyTorch's form gradcheck(f, (x, y)): one tuple holding the inputs, unpacked here.
    if len(inputs) == 1 and isinstance(inputs[0], tuple):
        inputs = inputs[0]
    out = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            if x.dtype != np.float64 and x.requires_grad:
                raise TypeError(
                    f"gradcheck: input {i} has dtype {x.dtype}; gradients are checked in float64 "
                    "(finite differences in float32 are too coarse). Pass x.double()."
                )
            # A private contiguous copy: nudging its elements must not touch the caller's data.
            # Floats are checked in float64; integer inputs (class labels, indices) keep their dtype.
            dtype = np.float64 if x.array.dtype.kind == "f" else x.array.dtype
            out.append(wrap(np.array(x.array, dtype=dtype, order="C"), x.requires_grad))
        elif x is None or isinstance(x, (bool, int, float, complex, str)):
            out.append(x)  # a constant of f (gradcheck(F.apply, (x, 2.0))), passed as it is
        else:
            out.append(wrap(np.asarray(x, dtype=np.float64), requires_grad=True))
    return out


def gradcheck(
    f: Callable,
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check backpropagated gradients of ``f(*inputs)`` against finite differences.

    For an output y (any shape) a fixed random weighting w makes the scalar sum(w * y), whose
    gradient covers every element of every input that requires grad. Each backprop value a
    must satisfy |a - n| <= atol + rtol * |n| against the numerical value n.

    Returns True, or raises GradcheckError naming the input, the element index, both values
    and their difference (returns False instead when ``raise_exception=False``).
    """
    tensors = _prepare(inputs)
    wrt = [t for t in tensors if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad")
    weights = _output_weights(f, tensors)

    def scalar(*args: Any) -> Tensor:
        return _weighted_sum(f(*args), weights)

    with enable_grad():
        out = scalar(*tensors)
        analytic = grad(out, wrt, allow_unused=True) if out.requires_grad else [None] * len(wrt)
    numeric = _numerical_wrt(scalar, tensors, wrt, eps)
    positions = [i for i, t in enumerate(tensors) if isinstance(t, Tensor) and t.requires_grad]
    for position, t, a, n in zip(positions, wrt, analytic, numeric):
        a = np.zeros_like(n) if a is None else a.array
        bad = np.abs(a - n) > atol + rtol * np.abs(n)
        if np.any(bad):
            idx = tuple(int(k) for k in np.argwhere(bad)[0])
            message = (
                f"gradcheck failed for input {position} (shape {t.shape}) at element "
                f"{idx}: backprop gives {a[idx]:.8g}, numerical gives {n[idx]:.8g}, "
                f"difference {abs(a[idx] - n[idx]):.3g} > atol + rtol*|numerical| = "
                f"{atol + rtol * abs(n[idx]):.3g}"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(f: Callable, *inputs: Any, **gradcheck_options: Any) -> bool:
    """Check second derivatives: gradcheck of the (differentiable) gradient of ``f``.

    The first-order gradient g(x) = d sum(w * f(x)) / dx is computed with create_graph=True;
    then gradcheck verifies d sum(v * g(x)) / dx against finite differences of g.
    ``gradcheck_options`` are gradcheck's own (eps, atol, rtol, raise_exception), with its
    defaults.
    """
    tensors = _prepare(inputs)
    weights = _output_weights(f, tensors)
    positions = [i for i, t in enumerate(tensors) if isinstance(t, Tensor) and t.requires_grad]

    def first_grad(*args: Any) -> Tensor:
        with enable_grad():
            out = _weighted_sum(f(*args), weights)
            grads = grad(out, [args[i] for i in positions], create_graph=True, allow_unused=True)
        flat = [g.reshape(-1) for g in grads if g is not None]
        if not flat:
            return wrap(np.zeros(1))
        from .ops.shape import cat

        return cat(flat) if len(flat) > 1 else flat[0]

    return gradcheck(first_grad, *tensors, **gradcheck_options)


def _output_weights(f: Callable, tensors: list[Any]) -> list[np.ndarray | None]:
    """The weights w, one per element of each output y of f(*tensors), that make the outputs
    the scalar sum over outputs of sum(w * y).

    Drawn from a fixed generator, so the check is deterministic and independent of the global
    seed; between 0.5 and 1.5, so no element of y is left out or dominates. A function with
    several outputs (a tuple) gets weights for each floating Tensor among them; its other
    outputs (integer indices, plain numbers) get None and are left out, as in PyTorch.
    """
    with enable_grad():
        y = f(*tensors)
    outputs = y if isinstance(y, (tuple, list)) else (y,)
    rng = np.random.default_rng(1234)
    return [
        rng.uniform(0.5, 1.5, size=o.shape)
        if isinstance(o, Tensor) and o.array.dtype.kind in "fc"
        else None
        for o in outputs
    ]


def _weighted_sum(y: Any, weights: list[np.ndarray | None]) -> Tensor:
    """sum over the outputs of sum(w * y): the one number whose gradient gradcheck compares."""
    outputs = y if isinstance(y, (tuple, list)) else (y,)
    terms = [(o * wrap(w)).sum() for o, w in zip(outputs, weights) if w is not None]
    total = terms[0] if terms else wrap(np.zeros(()))
    for term in terms[1:]:
        total = total + term
    return total


def _numerical_wrt(scalar: Callable, tensors: list[Tensor], wrt: list[Tensor], eps: float):
    def evaluate() -> float:
        with no_grad():
            return float(scalar(*tensors).array)

    return [_central_differences(t.array, evaluate, eps) for t in wrt]
