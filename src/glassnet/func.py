"""``glassnet.func``, PyTorch's ``torch.func``: functions of a model's weights, and function transforms (re-exports only).

* ``functional_call(model, params, args)``: run a model with given parameters and buffers
  (nn/utils/stateless.py).
* The transforms (func_transforms.py), each taking a function and returning one:
  ``grad`` and ``grad_and_value`` (built on autograd.functional_grad, differentiable again, so
  ``grad(grad(f))`` works), ``vjp`` and ``jvp``, ``jacrev``, ``jacfwd`` and ``hessian``, and
  ``vmap``; ``linearize`` (f's value and its jvp as a function of the tangent).
* Module state for the transforms (nn/utils/ensembles.py): ``stack_module_state`` (an
  ensemble's weights stacked, to run under vmap) and ``replace_all_batch_norm_modules_``.

``vmap`` is honest about its cost: glassnet has no batching transform, so ``vmap(f)(x)`` calls
``f`` once per element along the mapped dimension and stacks the results (no speedup over the
loop); it gives PyTorch's results and composes, e.g. ``vmap(grad(loss))`` for per-sample
gradients.
"""

from __future__ import annotations

from .func_transforms import (
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    vjp,
    vmap,
)
from .nn.utils.ensembles import replace_all_batch_norm_modules_, stack_module_state
from .nn.utils.stateless import _functional_call as functional_call

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "replace_all_batch_norm_modules_",
    "stack_module_state",
    "vjp",
    "vmap",
]
