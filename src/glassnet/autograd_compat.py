"""PyTorch's older and switch-style autograd names: ``Variable``, ``set_detect_anomaly``, ``detect_anomaly``.

``Variable`` is what tensors were called before PyTorch 0.4 merged the two: since then
``Variable(t, requires_grad=...)`` is ``t.detach().requires_grad_(...)`` (a new leaf sharing
t's numbers) and every tensor counts as a Variable, so old scripts run unchanged.

``set_detect_anomaly(True)`` switches on, for the rest of the program (or for a ``with`` block),
the NaN checks of ``glassnet.inspect``'s ``detect_anomaly`` under PyTorch's rule: only the
gradients backward makes are checked, and only for NaN. glassnet.inspect loads on the first
call (the core never imports it; see docs/architecture.md).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from . import autograd

__all__ = ["Variable", "detect_anomaly", "is_anomaly_enabled", "set_detect_anomaly"]


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, autograd.Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)``: a new leaf tensor sharing ``t``'s numbers, with
    ``requires_grad`` as given (PyTorch's meaning since 0.4); ``isinstance(x, Variable)`` is
    True for every tensor. ``volatile=`` has had no effect since then (use ``no_grad``)."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            return autograd.Tensor()
        if not isinstance(data, autograd.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


# The checks switched on by set_detect_anomaly(True): an entered inspect.detect_anomaly, or None.
_active: Any = None


def is_anomaly_enabled() -> bool:
    """Whether ``set_detect_anomaly(True)`` (or a ``detect_anomaly()`` block) is in effect."""
    return _active is not None


def _switch(mode: bool, check_nan: bool) -> None:
    """Leave the checks in effect, if any, then enter new ones if ``mode``."""
    global _active
    if _active is not None:
        _active.__exit__(None, None, None)
        _active = None
    if mode:
        from .inspect.anomaly import detect_anomaly as checks  # first use loads glassnet.inspect

        # PyTorch's rule: check the gradients backward makes, for NaN only (an Inf in the
        # forward pass, such as an attention mask filled with -inf, is often meant)
        _active = checks(check_nan, check_forward=False, check_inf=False)
        _active.__enter__()


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Switch the backward NaN checks on or off at once (``set_detect_anomaly(True)``), or
    only for a block (``with set_detect_anomaly(True):``), after which the previous setting
    returns. With them on, the first NaN a backward rule makes raises AnomalyError (a
    RuntimeError) naming the op, its module and the upstream gradient."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_detect_anomaly expects True or False, got {mode!r}")
        self._previous = (_active is not None, _active.check_nan if _active else True)
        _switch(mode, check_nan)

    def __enter__(self) -> None:
        pass  # switched already, when made; __exit__ puts back what was there before

    def __exit__(self, *exc: object) -> None:
        _switch(*self._previous)


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """``with torch.autograd.detect_anomaly():`` (or as a decorator): the checks of
    ``set_detect_anomaly(True)`` for the block only."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._switched = set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        self._switched.__exit__(*exc)

    def __call__(self, function: Any) -> Any:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with set_detect_anomaly(True, self.check_nan):
                return function(*args, **kwargs)

        return run
