"""``glassnet.autograd.functional``, PyTorch's ``torch.autograd.functional``: Jacobians, Hessians, and vjp, jvp, hvp, vhp.

Each is built from ``autograd.grad``. The Jacobian J of f at x holds dy_i/dx_j; its row i is
the gradient of y_i, one backward pass from the one-hot vector e_i. The Hessian of a scalar
function is the Jacobian of its gradient. The products never form the matrices:

    vjp:  v^T J, one backward pass from v;
    jvp:  J v, two: with u a dummy weight on the outputs, g(u) = J^T u is linear in u, and
          the gradient of g(u) . v with respect to u is J v;
    hvp:  H v, the gradient of (grad f) . v (vhp is the same: H is symmetric).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import Tensor, as_tensor, enable_grad, grad, wrap
from .ops.shape import stack

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _inputs(inputs: Any) -> tuple[tuple[Tensor, ...], bool]:
    """The inputs as fresh leaves that require grad, and whether a single tensor was given."""
    single = not isinstance(inputs, (tuple, list))
    given = (inputs,) if single else tuple(inputs)
    leaves = tuple(wrap(as_tensor(x).array.copy(), requires_grad=True) for x in given)
    return leaves, single


def _outputs(y: Any) -> tuple[tuple[Tensor, ...], bool]:
    single = not isinstance(y, (tuple, list))
    return ((y,) if single else tuple(y)), single


def _grads(outputs: Any, inputs: tuple, grad_outputs: Any, create_graph: bool) -> tuple:
    """d(sum of outputs * grad_outputs)/d(inputs), zeros for inputs that are not used."""
    wanted = [o for o in outputs if o.requires_grad]
    weights = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not wanted:
        return tuple(wrap(np.zeros_like(x.array)) for x in inputs)
    found = grad(wanted, list(inputs), grad_outputs=weights, create_graph=create_graph,
                 retain_graph=True, allow_unused=True)  # fmt: skip
    return tuple(wrap(np.zeros_like(x.array)) if g is None else g for x, g in zip(inputs, found))


def jacobian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:  # fmt: skip
    """The Jacobian of ``func`` at ``inputs``: for output y and input x, a tensor of shape
    y.shape + x.shape holding dy[i]/dx[j]. One tensor in and out gives one tensor; tuples give
    nested tuples (outputs first), as PyTorch."""
    xs, single_in = _inputs(inputs)
    with enable_grad():
        ys, single_out = _outputs(func(*xs))
        blocks = []
        for y in ys:
            rows = [[] for _ in xs]
            for i in range(y.numel()):
                e = np.zeros(y.shape, dtype=y.array.dtype)
                e.reshape(-1)[i] = 1
                for k, g in enumerate(_grads((y,), xs, (wrap(e),), create_graph)):
                    rows[k].append(g if create_graph else g.detach())
            blocks.append(tuple(
                stack(r).reshape(tuple(y.shape) + tuple(x.shape)) if r
                else wrap(np.zeros(tuple(y.shape) + tuple(x.shape), x.array.dtype))
                for r, x in zip(rows, xs)
            ))  # fmt: skip
    result = tuple(b[0] if single_in else b for b in blocks)
    return result[0] if single_out else result


def hessian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:  # fmt: skip
    """The Hessian of a scalar ``func``: the Jacobian of its gradient, shape x.shape + x.shape
    (for several inputs, a tuple of tuples of the blocks d2f/dx_i dx_j)."""
    xs, single_in = _inputs(inputs)

    def gradient(*leaves: Tensor) -> Any:
        y = func(*leaves)
        if not isinstance(y, Tensor) or y.numel() != 1:
            raise RuntimeError("hessian: the function must return a tensor of one element")
        g = _grads((y,), leaves, (wrap(np.ones(y.shape, y.array.dtype)),), True)
        return g[0] if single_in else g

    return jacobian(gradient, xs[0] if single_in else xs, create_graph=create_graph)


def vjp(
    func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v^T J)``: the gradient of sum(func(inputs) * v) (v may be left out for
    a scalar output)."""
    xs, single_in = _inputs(inputs)
    with enable_grad():
        ys, single_out = _outputs(func(*xs))
        vs = (
            _outputs(v)[0]
            if v is not None
            else tuple(wrap(np.ones(y.shape, y.array.dtype)) for y in ys)
        )
        gs = _grads(ys, xs, tuple(as_tensor(w) for w in vs), create_graph)
    out = ys[0] if single_out else ys
    gs = gs if create_graph else tuple(g.detach() for g in gs)
    return (out.detach() if single_out and not create_graph else out), (gs[0] if single_in else gs)


def jvp(
    func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), J v)``, by the double-backward trick: with u a dummy weight on the
    outputs, J v is the gradient of (J^T u) . v with respect to u."""
    xs, single_in = _inputs(inputs)
    with enable_grad():
        ys, single_out = _outputs(func(*xs))
        us = tuple(wrap(np.zeros(y.shape, y.array.dtype), requires_grad=True) for y in ys)
        vs = (
            _outputs(v)[0]
            if v is not None
            else tuple(wrap(np.ones(x.shape, x.array.dtype)) for x in xs)
        )
        back = _grads(ys, xs, us, True)
        total = sum((b * as_tensor(w)).sum() for b, w in zip(back, vs))
        jv = _grads((total,), us, (wrap(np.ones((), total.array.dtype)),), create_graph)
    jv = jv if create_graph else tuple(g.detach() for g in jv)
    out = ys[0] if single_out else ys
    return (out.detach() if single_out and not create_graph else out), (jv[0] if single_out else jv)


def hvp(
    func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), H v)`` for a scalar ``func``: the gradient of (grad f . v)."""
    xs, single_in = _inputs(inputs)
    with enable_grad():
        y = func(*xs)
        g = _grads((y,), xs, (wrap(np.ones(y.shape, y.array.dtype)),), True)
        vs = (
            _outputs(v)[0]
            if v is not None
            else tuple(wrap(np.ones(x.shape, x.array.dtype)) for x in xs)
        )
        total = sum((gi * as_tensor(w)).sum() for gi, w in zip(g, vs))
        hv = _grads((total,), xs, (wrap(np.ones((), total.array.dtype)),), create_graph)
    hv = hv if create_graph else tuple(h.detach() for h in hv)
    return (y if create_graph else y.detach()), (hv[0] if single_in else hv)


def vhp(
    func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v^T H)``; the Hessian is symmetric, so this is ``hvp``."""
    return hvp(func, inputs, v, create_graph, strict)
