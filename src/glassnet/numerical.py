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
    if len(inputs) == 1 and isinstance(inputs[0], (tuple, list)):
        inputs = tuple(inputs[0])
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
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check backpropagated gradients of ``f(*inputs)`` against finite differences.

    For an output y (any shape) a fixed random weighting w makes the scalar sum(w * y), whose
    gradient covers every element of every input that requires grad. Each backprop value a
    must satisfy |a - n| <= atol + rtol * |n| + nondet_tol against the numerical value n.

    PyTorch's other switches: ``check_backward_ad=False`` skips that comparison;
    ``check_forward_ad=True`` also checks forward mode (``glassnet.forward_ad``): for a random
    direction t, the tangent of sum(w * y) must equal sum(n * t), the numerical directional
    derivative; ``check_grad_dtypes=True`` checks each gradient has its input's dtype. An
    input ``f`` does not use gets a zero gradient, which is compared as such (what
    ``check_undefined_grad`` asks). ``fast_mode`` is accepted either way: the weighted sum is
    already one random projection of the outputs, and every input element is still checked.
    ``check_batched_grad`` and ``check_batched_forward_grad`` ask about PyTorch's batching
    transform, which glassnet does not have (its vmap loops), so they check nothing more.

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

    def fail(message: str) -> bool:
        if raise_exception:
            raise GradcheckError(message)
        return False

    analytic = [None] * len(wrt)
    if check_backward_ad or check_grad_dtypes:  # forward mode alone needs no backward at all
        with enable_grad():
            out = scalar(*tensors)
            if out.requires_grad:
                analytic = grad(out, wrt, allow_unused=True)
    numeric = _numerical_wrt(scalar, tensors, wrt, eps)
    if check_forward_ad:
        tangent, expected = _forward_mode_tangent(scalar, tensors, wrt, numeric)
        if abs(tangent - expected) > atol + rtol * abs(expected) + nondet_tol:
            return fail(
                f"gradcheck failed in forward mode: the tangent is {tangent:.8g}, numerical "
                f"gives {expected:.8g} for a random direction"
            )
    positions = [i for i, t in enumerate(tensors) if isinstance(t, Tensor) and t.requires_grad]
    for position, t, a, n in zip(positions, wrt, analytic, numeric):
        if check_grad_dtypes and a is not None and a.array.dtype != t.array.dtype:
            return fail(
                f"gradcheck failed for input {position}: its gradient has dtype "
                f"{a.array.dtype}, the input {t.array.dtype}"
            )
        if not check_backward_ad:
            continue
        a = np.zeros_like(n) if a is None else a.array
        bad = np.abs(a - n) > atol + rtol * np.abs(n) + nondet_tol
        if np.any(bad):
            idx = tuple(int(k) for k in np.argwhere(bad)[0])
            message = (
                f"gradcheck failed for input {position} (shape {t.shape}) at element "
                f"{idx}: backprop gives {a[idx]:.8g}, numerical gives {n[idx]:.8g}, "
                f"difference {abs(a[idx] - n[idx]):.3g} > atol + rtol*|numerical| = "
                f"{atol + rtol * abs(n[idx]) + nondet_tol:.3g}"
            )
            return fail(message)
    return True


def _forward_mode_tangent(scalar: Callable, tensors: list, wrt: list, numeric: list) -> tuple:
    """The forward-mode tangent of ``scalar`` along a fixed random direction t (one per input
    that requires grad), and the numerical value it must equal: sum_i <numeric_i, t_i>."""
    from . import forward_ad

    rng = np.random.default_rng(4321)
    directions = [rng.standard_normal(t.array.shape) for t in wrt]
    with forward_ad.dual_level():
        duals = iter(forward_ad.make_dual(t, wrap(d)) for t, d in zip(wrt, directions))
        args = [next(duals) if any(x is t for t in wrt) else x for x in tensors]
        tangent = forward_ad.unpack_dual(scalar(*args)).tangent
    value = 0.0 if tangent is None else float(tangent.array)
    return value, float(sum(np.sum(n * d) for n, d in zip(numeric, directions)))


def gradgradcheck(
    f: Callable, *inputs: Any, grad_outputs: Any = None, **gradcheck_options: Any
) -> bool:
    """Check second derivatives: gradcheck of the (differentiable) gradient of ``f``.

    The first-order gradient g(x) = d sum(w * f(x)) / dx is computed with create_graph=True;
    then gradcheck verifies d sum(v * g(x)) / dx against finite differences of g.
    ``grad_outputs`` (PyTorch's third argument, also positional: ``gradgradcheck(f, (x,),
    (w,))``) gives w, one tensor per output; by default it is a fixed random weighting.
    ``gradcheck_options`` are gradcheck's own (eps, atol, rtol, raise_exception, ...), with
    its defaults; PyTorch's ``check_rev_over_rev`` / ``check_fwd_over_rev`` /
    ``gen_non_contig_grad_outputs`` are accepted (the reverse-over-reverse check is this one).
    """
    if len(inputs) == 2 and isinstance(inputs[0], (tuple, list)) and grad_outputs is None:
        inputs, grad_outputs = (inputs[0],), inputs[1]
    for name in ("check_rev_over_rev", "check_fwd_over_rev", "gen_non_contig_grad_outputs"):
        gradcheck_options.pop(name, None)
    tensors = _prepare(inputs)
    weights = _output_weights(f, tensors)
    if grad_outputs is not None:
        given = grad_outputs if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
        weights = [
            None if g is None else np.asarray(g.array if isinstance(g, Tensor) else g, np.float64)
            for g in given
        ]
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
