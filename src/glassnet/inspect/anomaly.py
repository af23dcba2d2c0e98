"""detect_anomaly(): stop at the first op whose result, forward or backward, holds NaN or Inf.

A NaN loss is the end of a long chain: some op, somewhere, made the first NaN (log of 0, 0/0,
an overflowing exp) and everything after it inherited it. Inside ``detect_anomaly()`` every op's
output is checked as it is made, and every gradient as backward makes it; the first bad one
raises AnomalyError naming the op, the module it ran in, and what its inputs looked like.
Checking every value costs time, so use it to find a problem, not for every run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import autograd
from ..tensor import Tensor
from .stats import describe, shape_text
from .trace import _module_label

__all__ = ["AnomalyError", "detect_anomaly"]


class AnomalyError(RuntimeError):
    """An op produced NaN or Inf; the message names the op, its module and its inputs."""


def _bad(array: np.ndarray, check_inf: bool = True) -> str | None:
    if array.dtype.kind not in "fc" or array.size == 0:
        return None
    if np.isfinite(array).all() if check_inf else not np.isnan(array).any():
        return None
    nans = int(np.isnan(array).sum())
    infs = int(np.isinf(array).sum())
    parts = [f"{nans} NaN"] if nans else []
    parts += [f"{infs} Inf"] if infs else []
    return " and ".join(parts) + f" of {array.size} values"


def _describe_inputs(inputs: tuple) -> str:
    described = []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor):
            s = describe(x)
            described.append(f"input {k + 1} {shape_text(s.shape)} {s.dtype}: {s.brief()}")
        else:
            described.append(f"input {k + 1}: the number {x!r}")
    return "; ".join(described)


class detect_anomaly:
    """Context manager (and decorator): raise AnomalyError at the first NaN/Inf an op makes.

    Args:
        check_nan: set False to switch the checks off without removing the ``with`` line.
        check_forward: set False to check only the gradients backward makes (PyTorch's rule,
            which ``torch.autograd.detect_anomaly`` follows: an Inf in a forward pass, such as
            an attention mask filled with -inf, is often meant).
        check_inf: set False to stop only at NaN, not at Inf (also PyTorch's rule).

    Example::

        with glassnet.detect_anomaly():
            loss = model(x).log().sum()   # AnomalyError: Log in fc (Linear) produced 3 NaN ...
            loss.backward()
    """

    def __init__(
        self, check_nan: bool = True, *, check_forward: bool = True, check_inf: bool = True
    ) -> None:
        self.check_nan = check_nan
        self.check_forward, self.check_inf = check_forward, check_inf
        self._where: dict[int, str] = {}  # id(op) -> module label, for backward messages
        self._step = 0

    def _on_op(self, op: Any, inputs: tuple, out: Tensor) -> None:
        if autograd._in_backward:
            return  # ops inside a backward rule: the rule's result is checked as a whole
        self._step += 1
        where = _module_label()
        if out.grad_fn is op:
            self._where[id(op)] = where
        if not self.check_forward:
            return
        problem = _bad(out.array, self.check_inf)
        if problem:
            place = f" in {where}" if where else ""
            raise AnomalyError(
                f"{op.name}{place} produced {problem} in its output (forward, op "
                f"{self._step}: {op.formula()}); its inputs: {_describe_inputs(inputs)}"
            )

    def _on_backward(self, op: Any, g: Tensor, input_grads: tuple) -> None:
        for k, gx in enumerate(input_grads):
            if not isinstance(gx, Tensor):
                continue
            problem = _bad(gx.array, self.check_inf)
            if problem:
                where = self._where.get(id(op), "")
                place = f" in {where}" if where else ""
                upstream = describe(g)
                raise AnomalyError(
                    f"the backward of {op.name}{place} produced {problem} in the gradient for "
                    f"its input {k + 1} (rule: {op.formula()}); the upstream gradient g "
                    f"{shape_text(upstream.shape)}: {upstream.brief()}"
                )

    def __enter__(self) -> detect_anomaly:
        if self.check_nan:
            autograd._op_hooks.append(self._on_op)
            autograd._backward_hooks.append(self._on_backward)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.check_nan:
            autograd._op_hooks.remove(self._on_op)
            autograd._backward_hooks.remove(self._on_backward)
        self._where.clear()

    def __call__(self, function: Any) -> Any:
        import functools

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(
                self.check_nan, check_forward=self.check_forward, check_inf=self.check_inf
            ):
                return function(*args, **kwargs)

        return run
