"""Learning-rate schedules: objects that change each parameter group's ``lr`` as training goes on.

A scheduler is stepped once per epoch (or per batch, for OneCycleLR and CyclicLR), *after* the
optimizer::

    opt = glassnet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = glassnet.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)      # calls opt.step() many times
        sched.step()                     # lr: 0.1 for epochs 0-29, 0.01 for 30-59, ...

Every scheduler here behaves as its namesake in ``torch.optim.lr_scheduler`` and produces the
same learning rates. ``last_epoch`` counts the scheduler's steps (it is 0 right after
construction, when the first learning rate is set). Each schedule is written in the
*recursive* form PyTorch uses (the new lr is computed from the group's current lr), so that
two schedulers on one optimizer compose by multiplying their factors (ChainedScheduler steps
them together; SequentialLR runs them one after another instead); the docstrings give
the equivalent closed forms in terms of the starting learning rate :math:`\\eta_0`
(``base_lrs``), which ``step(epoch)`` uses.

``state_dict()`` holds only numbers, strings, lists and dicts (never the optimizer itself).
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "OneCycleLR",
    "CyclicLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "ChainedScheduler",
]


def _check(ok: bool, name: str, expected: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"Invalid {name}: expected {expected}, got {name}={value!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    """A whole number: an int, or a float without a fractional part, which PyTorch takes too
    (its Transformer tutorial passes ``StepLR(optimizer, 1.0, gamma=0.95)``)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer()


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """A value per parameter group: a list/tuple must have one entry per group."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"expected {n} values for {name} (one per parameter group), got {len(value)}"
            )
        return list(value)
    return [value] * n


class LRScheduler:
    """Base class of the schedulers: sets each group's ``lr`` from ``get_lr()`` on every step.

    Args:
        optimizer: the optimizer whose learning rates to change.
        last_epoch: the index of the last step taken; leave -1 for a new schedule. (To resume,
            prefer ``load_state_dict``.)

    Attributes:
        base_lrs: the starting learning rate of each group (stored as ``group["initial_lr"]``).
        last_epoch: how many times ``step()`` has been called since construction.

    Subclasses implement ``get_lr()`` (the recursive form) and, optionally,
    ``_get_closed_form_lr()`` (used by the deprecated ``step(epoch)``).
    """

    _is_initial = False  # True only during the first step(), taken by the constructor

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(
                        f"param_groups[{i}] has no 'initial_lr', which resuming a scheduler "
                        f"with last_epoch={last_epoch} needs; load the optimizer's state_dict "
                        "first, or use last_epoch=-1 for a new schedule"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        # To spot a wrong call order: PyTorch warns when the optimizer has not stepped since
        # the first scheduler was attached to it (a later scheduler does not start again).
        self._optimizer_steps_at_start = optimizer.__dict__.setdefault(
            "_steps_when_first_scheduled", optimizer._step_count
        )
        self._initial_step()

    def _initial_step(self) -> None:
        """Take the first step, the one that sets the learning rate of step ``last_epoch + 1``.

        The constructor takes it; SequentialLR takes it again for its first scheduler, after
        putting the learning rates back to the starting ones.
        """
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial  # back to the class default, and out of state_dict()

    def get_lr(self) -> list[float]:
        """The learning rate of each group for the step ``last_epoch`` (recursive form)."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step and write the new ``lr`` into every group.

        Args:
            epoch: deprecated (as in PyTorch): jump to this step and use the closed form.
        """
        if self._step_count == 1 and self.optimizer._step_count == self._optimizer_steps_at_start:
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call "
                "`optimizer.step()` first, then `lr_scheduler.step()`; otherwise the first "
                "value of the learning rate schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(
                "The epoch parameter in `scheduler.step()` is deprecated (as in PyTorch); "
                "call `scheduler.step()` once per epoch instead.",
                UserWarning,
                stacklevel=2,
            )
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        self._set_lrs(values)

    def _set_lrs(self, values: list[float]) -> None:
        """Write one learning rate per group and remember them for ``get_last_lr``."""
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state (every attribute except the optimizer), as plain data."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a ``state_dict()`` of a scheduler of the same class."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"expected a dict, got {type(state_dict).__name__}")
        expected = set(self.__dict__) - {"optimizer"}
        missing, unexpected = expected - set(state_dict), set(state_dict) - expected
        if missing or unexpected:
            raise ValueError(
                f"state_dict does not fit a {type(self).__name__}: missing keys "
                f"{sorted(missing)}, unexpected keys {sorted(unexpected)}"
            )
        self.__dict__.update(copy.deepcopy(dict(state_dict)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={self._last_lr})"

    def _group_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class _FunctionSchedule(LRScheduler):
    """What LambdaLR and MultiplicativeLR share: one function of the step per group.

    The functions are code, not data, so ``state_dict()`` holds None in their place and
    ``load_state_dict`` keeps the scheduler's own (PyTorch does the same for plain functions).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        functions = _per_group("lr_lambda", optimizer, lr_lambda)
        for f in functions:
            _check(callable(f), "lr_lambda", "a function of the step (or one per group)", f)
        self.lr_lambdas = functions
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        functions, self.lr_lambdas = self.lr_lambdas, [None] * len(self.lr_lambdas)
        try:
            return super().state_dict()
        finally:
            self.lr_lambdas = functions

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        functions = self.lr_lambdas
        super().load_state_dict(state_dict)
        self.lr_lambdas = functions


class LambdaLR(_FunctionSchedule):
    r"""Set the learning rate to the starting one times a function of the step.

    .. math::

        \eta_t = \eta_0 \cdot \lambda(t)

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the step number t (0, 1, 2, ...) giving the factor, or a list
            with one function per parameter group. A warm-up: ``lambda t: min(1, (t + 1) / 100)``.
        last_epoch: see ``LRScheduler``.
    """

    def get_lr(self) -> list[float]:
        return [base * f(self.last_epoch) for base, f in zip(self.base_lrs, self.lr_lambdas)]


class MultiplicativeLR(_FunctionSchedule):
    r"""Multiply the learning rate by a function of the step at every step after the first.

    .. math::

        \eta_t = \eta_{t-1} \cdot \lambda(t) \quad (t > 0)

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the step number t giving the factor (or one per group).
        last_epoch: see ``LRScheduler``.
    """

    def get_lr(self) -> list[float]:
        # Every step but the constructor's multiplies, including a restart at step 0 (as
        # SequentialLR restarts a later scheduler), as in PyTorch.
        if self._is_initial:
            return self._group_lrs()
        return [lr * f(self.last_epoch) for lr, f in zip(self._group_lrs(), self.lr_lambdas)]


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    .. math::

        \eta_t = \eta_0 \cdot \gamma^{\lfloor t / \text{step\_size} \rfloor}

    Recursive form: :math:`\eta_t = \gamma\,\eta_{t-1}` when :math:`t > 0` is a multiple of
    step_size, else :math:`\eta_t = \eta_{t-1}`.

    Args:
        optimizer: the optimizer.
        step_size: the period of the decay, in steps (a positive int).
        gamma: the factor (default 0.1).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _check(_is_int(step_size) and step_size > 0, "step_size", "a positive int", step_size)
        _check(_is_number(gamma) and gamma >= 0, "gamma", "a number >= 0", gamma)
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each of the given steps (milestones).

    .. math::

        \eta_t = \eta_0 \cdot \gamma^{\#\{m \in \text{milestones} \,:\, m \le t\}}

    Recursive form: at a milestone :math:`t` (listed :math:`k` times)
    :math:`\eta_t = \gamma^k \eta_{t-1}`, else :math:`\eta_t = \eta_{t-1}`.

    Args:
        optimizer: the optimizer.
        milestones: the steps at which to decay (ints; a repeated value decays repeatedly).
        gamma: the factor (default 0.1).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        milestones = list(milestones)
        for m in milestones:
            _check(_is_int(m), "milestones", "a list of ints", milestones)
        _check(_is_number(gamma) and gamma >= 0, "gamma", "a number >= 0", gamma)
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = self.milestones.count(self.last_epoch)
        if hits == 0:
            return self._group_lrs()
        return [lr * self.gamma**hits for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(self.milestones, self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at every step.

    .. math::

        \eta_t = \eta_0 \cdot \gamma^t

    Recursive form: :math:`\eta_t = \gamma\,\eta_{t-1}`.

    Args:
        optimizer: the optimizer.
        gamma: the factor per step.
        last_epoch: see ``LRScheduler``.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check(_is_number(gamma) and gamma >= 0, "gamma", "a number >= 0", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Follow half a cosine from the starting learning rate down to ``eta_min`` in T_max steps.

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    After :math:`T_{\max}` steps it rises again (the cosine continues; no restart).
    Recursive form, as in PyTorch (so it composes with other schedulers):

    .. math::

        \eta_t = \eta_{\min} + (\eta_{t-1} - \eta_{\min})
                 \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t-1) / T_{\max})}

    except at the bottom of each cycle (:math:`(t - 1 - T_{\max}) \bmod 2T_{\max} = 0`),
    where the denominator vanishes and
    :math:`\eta_t = \eta_{t-1} + \tfrac12 (\eta_0 - \eta_{\min})(1 - \cos(\pi / T_{\max}))`.

    Args:
        optimizer: the optimizer.
        T_max: the number of steps of the descent (a positive int).
        eta_min: the smallest learning rate (default 0).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _check(_is_int(T_max) and T_max > 0, "T_max", "a positive int", T_max)
        _check(_is_number(eta_min) and eta_min >= 0, "eta_min", "a number >= 0", eta_min)
        self.T_max = int(T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._group_lrs()
        if self._step_count == 1 and t > 0:  # resumed with last_epoch: use the closed form
            return self._get_closed_form_lr()
        if (t - 1 - T) % (2 * T) == 0:
            return [
                lr + (b - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for lr, b in zip(self._group_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [eta_min + ratio * (lr - eta_min) for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        return [
            eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for b in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Half a cosine from the starting learning rate down to ``eta_min``, then a restart at the
    top, each period ``T_mult`` times longer than the one before (SGDR, Loshchilov & Hutter).

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)

    where :math:`T_{cur}` counts the steps since the last restart and :math:`T_i` is the current
    period (:math:`T_0`, then :math:`T_0 T_{mult}`, ...). ``step(epoch)`` may be given a
    fractional epoch (``scheduler.step(epoch + i / iters)`` inside an epoch), as in PyTorch.

    Args:
        optimizer: the optimizer.
        T_0: the steps before the first restart (a positive int).
        T_mult: how much longer each period is than the last (an int >= 1, default 1).
        eta_min: the lowest learning rate (default 0).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check(_is_int(T_0) and T_0 > 0, "T_0", "a positive int", T_0)
        _check(_is_int(T_mult) and T_mult >= 1, "T_mult", "an int >= 1", T_mult)
        _check(_is_number(eta_min), "eta_min", "a number", eta_min)
        self.T_0, self.T_i, self.T_mult = int(T_0), int(T_0), int(T_mult)
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        phase = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * phase for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """One step further, or to ``epoch`` (which may be fractional) when given."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # a restart
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            _check(_is_number(epoch) and epoch >= 0, "epoch", "a number >= 0", epoch)
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:  # restarts so far: n with T_0 (T_mult**n - 1) / (T_mult - 1) <= epoch
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        self.last_epoch = math.floor(epoch)
        self._step_count += 1
        self._set_lrs(self.get_lr())


class LinearLR(LRScheduler):
    r"""Scale the learning rate by a factor going linearly from start_factor to end_factor.

    .. math::

        \eta_t = \eta_0 \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)

    with :math:`f_s` = start_factor, :math:`f_e` = end_factor, :math:`T` = total_iters; after
    :math:`T` steps the learning rate stays at :math:`f_e\,\eta_0`. The usual use is a warm-up
    (start_factor small, end_factor 1). Recursive form: :math:`\eta_0 \leftarrow f_s\,\eta_0`
    at the first step, then for :math:`1 \le t \le T`

    .. math::

        \eta_t = \eta_{t-1}\left(1 + \frac{f_e - f_s}{T f_s + (t - 1)(f_e - f_s)}\right).

    Args:
        optimizer: the optimizer.
        start_factor: the factor at step 0, in (0, 1] (default 1/3).
        end_factor: the factor from step total_iters on, in [0, 1] (default 1).
        total_iters: the number of steps of the ramp (a positive int, default 5).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        _check(
            _is_number(start_factor) and 0 < start_factor <= 1,
            "start_factor",
            "0 < start_factor <= 1",
            start_factor,
        )
        _check(
            _is_number(end_factor) and 0 <= end_factor <= 1,
            "end_factor",
            "0 <= end_factor <= 1",
            end_factor,
        )
        _check(
            _is_int(total_iters) and total_iters > 0, "total_iters", "a positive int", total_iters
        )
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, fs, fe, T = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return [lr * fs for lr in self._group_lrs()]
        if self._is_initial or t > T:
            return self._group_lrs()
        factor = 1.0 + (fe - fs) / (T * fs + (t - 1) * (fe - fs))
        return [lr * factor for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        t, fs, fe, T = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        return [b * (fs + (fe - fs) * min(T, t) / T) for b in self.base_lrs]


class ConstantLR(LRScheduler):
    r"""Scale the learning rate by a constant factor for the first ``total_iters`` steps.

    .. math::

        \eta_t = \begin{cases} f\,\eta_0 & t < T \\ \eta_0 & t \ge T \end{cases}

    with :math:`f` = factor and :math:`T` = total_iters: a flat warm-up at a reduced rate.
    Recursive form: :math:`\eta_0 \leftarrow f\,\eta_0` at the first step,
    :math:`\eta_T = \eta_{T-1} / f`, and :math:`\eta_t = \eta_{t-1}` at every other step.

    Args:
        optimizer: the optimizer.
        factor: the factor until step total_iters, with 0 < factor <= 1 (default 1/3).
        total_iters: the number of steps at the reduced rate (a positive int, default 5).
        last_epoch: see ``LRScheduler``.

    Example::

        >>> opt = SGD(params, lr=0.05)
        >>> sched = ConstantLR(opt, factor=0.5, total_iters=4)
        >>> # lr = 0.025 for steps 0-3, then 0.05
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        # PyTorch accepts factor=0 but then divides by it at step total_iters (ZeroDivisionError
        # mid-training); refusing it here reports the mistake where it is made.
        _check(_is_number(factor) and 0 < factor <= 1, "factor", "0 < factor <= 1", factor)
        _check(
            _is_int(total_iters) and total_iters > 0, "total_iters", "a positive int", total_iters
        )
        self.factor = factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._group_lrs()]
        if self.last_epoch != self.total_iters:
            return self._group_lrs()
        # undo the factor (rather than set eta_0) so that other schedulers' factors survive
        return [lr / self.factor for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [b * factor for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay the learning rate to zero in ``total_iters`` steps along a polynomial.

    .. math::

        \eta_t = \eta_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}

    with :math:`T` = total_iters and :math:`p` = power (1: a straight line down to 0); from
    step :math:`T` on the learning rate is 0. Recursive form, for :math:`1 \le t \le T`:

    .. math::

        \eta_t = \eta_{t-1} \left(\frac{T - t}{T - t + 1}\right)^{p}.

    Args:
        optimizer: the optimizer.
        total_iters: the number of steps of the decay (a positive int, default 5).
        power: the power of the polynomial (a number >= 0, default 1).
        last_epoch: see ``LRScheduler``.

    Example::

        >>> opt = SGD(params, lr=0.1)
        >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
        >>> # lr = 0.1, 0.05625, 0.025, 0.00625, 0, 0, ...
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        _check(
            _is_int(total_iters) and total_iters > 0, "total_iters", "a positive int", total_iters
        )
        # a negative power would raise the learning rate and divide by zero at step total_iters
        _check(_is_number(power) and power >= 0, "power", "a number >= 0", power)
        self.total_iters = int(total_iters)
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T = self.last_epoch, self.total_iters
        if self._is_initial or t > T:
            return self._group_lrs()
        factor = ((T - t) / (T - t + 1)) ** self.power
        return [lr * factor for lr in self._group_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        t, T = self.last_epoch, self.total_iters
        return [b * (1.0 - min(t, T) / T) ** self.power for b in self.base_lrs]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2018): warm up to ``max_lr``, then anneal far below.

    Stepped after every *batch*, ``total_steps`` times in all. With :math:`N` = total_steps,
    :math:`p` = pct_start, :math:`\eta_{\max}` = max_lr,
    :math:`\eta_{\text{init}} = \eta_{\max} / \text{div\_factor}` and
    :math:`\eta_{\text{end}} = \eta_{\text{init}} / \text{final\_div\_factor}`, the learning
    rate runs through phases, each interpolating from a start value to an end value:

    ============  =====================  ========================================
    phase         steps t                learning rate
    ============  =====================  ========================================
    warm-up       0 ... pN - 1           :math:`\eta_{\text{init}} \to \eta_{\max}`
    annealing     pN - 1 ... N - 1       :math:`\eta_{\max} \to \eta_{\text{end}}`
    ============  =====================  ========================================

    (with ``three_phase=True``: init -> max until :math:`pN - 1`, max -> init until
    :math:`2pN - 2`, then init -> end until :math:`N - 1`.) Within a phase from step
    :math:`s_0` to :math:`s_1`, with :math:`x = (t - s_0) / (s_1 - s_0)`, the value goes from
    :math:`a` to :math:`b` as

    .. math::

        \text{cos:}\quad b + \tfrac12 (a - b)(1 + \cos \pi x) \qquad\qquad
        \text{linear:}\quad a + (b - a)\, x

    If ``cycle_momentum``, the momentum (SGD's ``momentum`` or Adam's :math:`\beta_1`) moves
    the opposite way, between max_momentum and base_momentum: low momentum while the
    learning rate is high.

    Args:
        optimizer: the optimizer.
        max_lr: the peak learning rate (one number, or one per group).
        total_steps: the number of steps of the cycle; or give ``epochs`` and
            ``steps_per_epoch`` and it is their product.
        pct_start: the fraction of the cycle spent warming up (default 0.3).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        cycle_momentum: also cycle the momentum (default True; needs an optimizer with
            ``momentum`` or ``betas``).
        base_momentum, max_momentum: the momentum bounds (default 0.85, 0.95).
        div_factor: :math:`\eta_{\max} / \eta_{\text{init}}` (default 25).
        final_div_factor: :math:`\eta_{\text{init}} / \eta_{\text{end}}` (default 1e4).
        three_phase: use the three-phase schedule above (default False).
        last_epoch: see ``LRScheduler``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            _check(
                _is_int(total_steps) and total_steps > 0,
                "total_steps",
                "a positive int",
                total_steps,
            )
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            _check(_is_int(epochs) and epochs > 0, "epochs", "a positive int", epochs)
            _check(
                _is_int(steps_per_epoch) and steps_per_epoch > 0,
                "steps_per_epoch",
                "a positive int",
                steps_per_epoch,
            )
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        _check(
            _is_number(pct_start) and 0 <= pct_start <= 1,
            "pct_start",
            "a number between 0 and 1",
            pct_start,
        )
        _check(
            anneal_strategy in ("cos", "linear"),
            "anneal_strategy",
            "'cos' or 'linear'",
            anneal_strategy,
        )
        _check(_is_number(div_factor) and div_factor > 0, "div_factor", "a number > 0", div_factor)
        _check(
            _is_number(final_div_factor) and final_div_factor > 0,
            "final_div_factor",
            "a number > 0",
            final_div_factor,
        )
        self.anneal_strategy = anneal_strategy

        N, p = self.total_steps, float(pct_start)
        if three_phase:
            self._schedule_phases = [
                _phase(p * N - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(2 * p * N - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                _phase(N - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(p * N - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(N - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]

        max_lrs = _per_group("max_lr", optimizer, max_lr)
        for i, lr in enumerate(max_lrs):
            _check(_is_number(lr) and lr >= 0, f"max_lr[{i}]", "a number >= 0", lr)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{type(optimizer).__name__} has neither momentum nor betas, so "
                    "OneCycleLR cannot cycle its momentum; pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            max_ms = _per_group("max_momentum", optimizer, max_momentum)
            base_ms = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (m_max, *group["betas"][1:])
                    else:
                        group["momentum"] = m_max
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"Tried to step {t} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        phases = self._schedule_phases
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(phases):
                end_step = phase["end_step"]
                if t <= end_step or i == len(phases) - 1:
                    pct = (t - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    break
                start_step = end_step
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_m: str, end_m: str) -> dict:
    return {
        "end_step": float(end_step),
        "start_lr": start_lr,
        "end_lr": end_lr,
        "start_momentum": start_m,
        "end_momentum": end_m,
    }


class CyclicLR(LRScheduler):
    r"""Cycle the learning rate between ``base_lr`` and ``max_lr`` (Smith, 2017), every batch.

    A cycle is ``step_size_up`` steps rising linearly from base_lr to the peak, then
    ``step_size_down`` steps falling back. With :math:`S = ` step_size_up + step_size_down,
    :math:`r = ` step_size_up / :math:`S`, the cycle number
    :math:`c = \lfloor 1 + t / S \rfloor` and the position in it
    :math:`x = t / S - (c - 1) \in [0, 1)`,

    .. math::

        \eta_t = \eta_{\text{base}} + (\eta_{\max} - \eta_{\text{base}})\,h(x)\,
                 \text{scale}(c \text{ or } t), \qquad
        h(x) = \begin{cases} x / r & x \le r \\ (1 - x) / (1 - r) & x > r \end{cases}

    The peak shrinks from cycle to cycle by ``mode``: ``"triangular"`` keeps it
    (scale = 1), ``"triangular2"`` halves it each cycle (scale = :math:`2^{-(c - 1)}`),
    ``"exp_range"`` multiplies it by ``gamma`` each *step* (scale = :math:`\gamma^t`); a
    ``scale_fn`` of your own replaces the mode, evaluated at :math:`c` or :math:`t` as
    ``scale_mode`` says. If ``cycle_momentum``, the momentum (SGD's ``momentum`` or Adam's
    :math:`\beta_1`) runs the opposite way, from max_momentum down to base_momentum at the peak:
    :math:`m_t = m_{\max} - (m_{\max} - m_{\text{base}})\,h(x)\,\text{scale}`.

    Args:
        optimizer: the optimizer.
        base_lr: the lowest learning rate (one number, or one per group); the constructor
            sets each group's lr to it.
        max_lr: the peak learning rate (one number, or one per group).
        step_size_up: the steps of the rising half (a number > 0, default 2000).
        step_size_down: the steps of the falling half (default: the same as step_size_up).
        mode: ``"triangular"`` (default), ``"triangular2"`` or ``"exp_range"``; ignored when
            scale_fn is given.
        gamma: the factor per step of ``"exp_range"`` (default 1).
        scale_fn: a function of one argument giving the peak's scale (overrides mode).
        scale_mode: what scale_fn is a function of: ``"cycle"`` (c, default) or
            ``"iterations"`` (t).
        cycle_momentum: also cycle the momentum (default True; needs an optimizer with
            ``momentum`` or ``betas``).
        base_momentum, max_momentum: the momentum bounds (default 0.8, 0.9; one number, or
            one per group).
        last_epoch: see ``LRScheduler``.

    Example::

        >>> opt = SGD(params, lr=0.1, momentum=0.9)
        >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
        >>> for batch in loader:
        ...     train_batch(model, opt, batch)
        ...     sched.step()  # lr: 0.01, 0.0325, 0.055, 0.0775, 0.1, 0.0775, ..., 0.01, ...
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: float = 2000,
        step_size_down: float | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        for i, lr in enumerate(base_lrs):
            _check(_is_number(lr) and lr >= 0, f"base_lr[{i}]", "a number >= 0", lr)
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        for i, lr in enumerate(self.max_lrs):
            _check(_is_number(lr) and lr >= 0, f"max_lr[{i}]", "a number >= 0", lr)
        # step_size_up = 0 would divide by zero at the start of every cycle
        _check(
            _is_number(step_size_up) and step_size_up > 0,
            "step_size_up",
            "a number > 0",
            step_size_up,
        )
        _check(
            step_size_down is None or (_is_number(step_size_down) and step_size_down >= 0),
            "step_size_down",
            "a number >= 0 or None",
            step_size_down,
        )
        if scale_fn is None:
            _check(
                mode in ("triangular", "triangular2", "exp_range"),
                "mode",
                "'triangular', 'triangular2' or 'exp_range' (or a scale_fn)",
                mode,
            )
        else:
            _check(callable(scale_fn), "scale_fn", "a function of one number, or None", scale_fn)
            _check(
                scale_mode in ("cycle", "iterations"),
                "scale_mode",
                "'cycle' or 'iterations'",
                scale_mode,
            )
        _check(_is_number(gamma) and gamma >= 0, "gamma", "a number >= 0", gamma)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr

        up = float(step_size_up)
        down = up if step_size_down is None else float(step_size_down)
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        # the modes fix what their scale is a function of; only a custom scale_fn reads it
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        else:
            self.scale_mode = scale_mode

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{type(optimizer).__name__} has neither momentum nor betas, so "
                    "CyclicLR cannot cycle its momentum; pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            for name, values in (("base", self.base_momentums), ("max", self.max_momentums)):
                for i, m in enumerate(values):
                    _check(_is_number(m) and m >= 0, f"{name}_momentum[{i}]", "a number >= 0", m)
            if last_epoch == -1:
                for m_max, m_base, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups
                ):
                    self._set_momentum(group, m_max)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        # Set after the first step, as PyTorch does: that step starts from the groups'
        # initial_lr, which differs from base_lr only if another scheduler set it first.
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The peak's scale at x (the cycle number or the step, as ``scale_mode`` says)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / 2.0 ** (x - 1)
        return self.gamma**x

    def _set_momentum(self, group: dict, momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        cycle = math.floor(1 + t / self.total_size)
        x = 1.0 + t / self.total_size - cycle  # where in the cycle, in [0, 1)
        if x <= self.step_ratio:
            height = x / self.step_ratio  # rising
        else:
            height = (x - 1) / (self.step_ratio - 1)  # falling: (1 - x) / (1 - r)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else t)
        lrs = [b + (m - b) * height * scale for b, m in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, m_base, m_max in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums
            ):
                self._set_momentum(group, m_max - (m_max - m_base) * height * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As ``LRScheduler.state_dict``; a custom scale_fn is code, so it is stored as None
        and ``load_state_dict`` keeps the scheduler's own."""
        scale_fn, self._scale_fn_custom = self._scale_fn_custom, None
        try:
            return super().state_dict()
        finally:
            self._scale_fn_custom = scale_fn

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        scale_fn = self._scale_fn_custom
        super().load_state_dict(state_dict)
        self._scale_fn_custom = scale_fn


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the learning rate by ``factor`` when a metric has stopped improving.

    Call ``step(metric)`` once per epoch with, e.g., the validation loss. A value counts as
    an improvement on the best so far (:math:`b`) when, for mode ``"min"``,

    .. math::

        \text{rel:}\quad x < b\,(1 - \text{threshold}) \qquad
        \text{abs:}\quad x < b - \text{threshold}

    (for ``"max"``: :math:`x > b\,(1 + \text{threshold})` or :math:`x > b + \text{threshold}`).
    After more than ``patience`` steps in a row without improvement, every group's rate
    becomes :math:`\max(\eta \cdot \text{factor}, \text{min\_lr})` (unless that changes it
    by less than ``eps``), and the next ``cooldown`` steps do not count as bad.

    Args:
        optimizer: the optimizer.
        mode: ``"min"`` (a loss; default) or ``"max"`` (an accuracy).
        factor: the factor, in [0, 1) (default 0.1).
        patience: how many bad steps to tolerate (default 10).
        threshold: how much better counts as better (default 1e-4).
        threshold_mode: ``"rel"`` (default) or ``"abs"``.
        cooldown: steps to wait after a reduction before counting again (default 0).
        min_lr: the lower bound (one number, or one per group; default 0).
        eps: smallest change of lr worth making (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        _check(mode in ("min", "max"), "mode", "'min' or 'max'", mode)
        _check(threshold_mode in ("rel", "abs"), "threshold_mode", "'rel' or 'abs'", threshold_mode)
        _check(_is_number(factor) and 0 <= factor < 1, "factor", "0 <= factor < 1", factor)
        _check(_is_int(patience) and patience >= 0, "patience", "an int >= 0", patience)
        _check(_is_int(cooldown) and cooldown >= 0, "cooldown", "an int >= 0", cooldown)
        _check(_is_number(threshold) and threshold >= 0, "threshold", "a number >= 0", threshold)
        _check(_is_number(eps) and eps >= 0, "eps", "a number >= 0", eps)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group("min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        for i, m in enumerate(self.min_lrs):
            _check(_is_number(m) and m >= 0, f"min_lr[{i}]", "a number >= 0", m)
        self.mode = mode
        self.factor = factor
        self.patience = int(patience)
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = int(cooldown)
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._group_lrs()
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this step's metric (a number or 0-d tensor) and reduce lr if it plateaued."""
        current = float(metrics)
        if epoch is not None:
            warnings.warn(
                "The epoch parameter in `scheduler.step()` is deprecated (as in PyTorch).",
                UserWarning,
                stacklevel=2,
            )
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad steps during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._group_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(
                    f"the optimizer has {len(groups)} parameter groups but min_lr was given "
                    f"for {len(self.min_lrs)} (was a group added?); set scheduler.min_lrs"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new


class _SchedulerList(LRScheduler):
    """What SequentialLR and ChainedScheduler share: they drive other schedulers of one optimizer.

    They take no step of their own at construction (their schedulers have already taken
    theirs), and their ``state_dict()`` holds each scheduler's ``state_dict()`` under
    ``"_schedulers"``, as PyTorch's does.
    """

    def _check_schedulers(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None
    ) -> tuple[list[LRScheduler], Optimizer]:
        """The schedulers as a list, and the one optimizer they all drive."""
        name = type(self).__name__
        schedulers = list(schedulers)
        _check(len(schedulers) > 0, "schedulers", "at least one scheduler", schedulers)
        for i, s in enumerate(schedulers):
            _check(isinstance(s, LRScheduler), f"schedulers[{i}]", "an LRScheduler", s)
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError(
                    f"Invalid schedulers[{i}]: expected a scheduler whose step() takes no "
                    f"arguments, got ReduceLROnPlateau, whose step() needs the metric; {name} "
                    "cannot step it"
                )
        if optimizer is None:
            optimizer, owner = schedulers[0].optimizer, "the optimizer of schedulers[0]"
        else:
            if not isinstance(optimizer, Optimizer):
                raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
            owner = f"the optimizer given to {name}"
        for i, s in enumerate(schedulers):
            if s.optimizer is not optimizer:
                raise ValueError(
                    f"Invalid schedulers[{i}]: expected a scheduler of {owner}, got "
                    f"{type(s).__name__} driving another {type(s.optimizer).__name__}"
                )
        return schedulers, optimizer

    def state_dict(self) -> dict[str, Any]:
        schedulers, self._schedulers = self._schedulers, None
        try:
            state = super().state_dict()
        finally:
            self._schedulers = schedulers
        state["_schedulers"] = [s.state_dict() for s in schedulers]
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        schedulers = self._schedulers
        states = state_dict.get("_schedulers") if isinstance(state_dict, Mapping) else None
        if not isinstance(states, list) or len(states) != len(schedulers):
            got = len(states) if isinstance(states, list) else "none"
            raise ValueError(
                f"state_dict does not fit a {type(self).__name__} of {len(schedulers)} "
                f"schedulers: it holds states for {got}"
            )
        # Load all or nothing: on a failure, put back what was already loaded, so that a bad
        # checkpoint is reported rather than half-loaded. (A shallow copy of our attributes
        # is enough: loading replaces them, it does not change them in place.)
        attributes = dict(self.__dict__)
        before = [s.state_dict() for s in schedulers]
        try:
            super().load_state_dict(state_dict)
            self._schedulers = schedulers
            for s, state in zip(schedulers, states):
                s.load_state_dict(state)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(attributes)
            for s, state in zip(schedulers, before):
                s.load_state_dict(state)
            raise


class SequentialLR(_SchedulerList):
    r"""Run schedulers one after another, switching at the given steps (milestones).

    With milestones :math:`m_1 < m_2 < \dots`, scheduler 0 sets the learning rate for steps
    :math:`0 \le t < m_1`, scheduler 1 for :math:`m_1 \le t < m_2`, and so on. At its
    milestone a scheduler *restarts*: it sets the rate of its own step 0 (from the starting
    learning rates :math:`\eta_0`, via its closed form where it has one, as ``step(0)``
    does) and goes on from there, so for scheduler :math:`k` with milestone :math:`m_k`

    .. math::

        \eta_t = \text{schedule}_k(t - m_k) \qquad (m_k \le t < m_{k+1}).

    The constructor puts every group's learning rate back to its ``initial_lr`` (building
    the schedulers has already stepped each of them once), winds the later schedulers back
    one step so that their first step at the milestone is their step 0, and takes the first
    step of scheduler 0 again.

    Args:
        optimizer: the optimizer that all the schedulers drive.
        schedulers: the schedulers, in order (not ReduceLROnPlateau).
        milestones: the steps at which to switch to the next scheduler (ints, sorted; one
            fewer than the schedulers).
        last_epoch: see ``LRScheduler``.

    Example (a linear warm-up for 5 steps, then a cosine decay)::

        >>> opt = SGD(params, lr=0.1)
        >>> warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        >>> decay = CosineAnnealingLR(opt, T_max=95)
        >>> sched = SequentialLR(opt, [warmup, decay], milestones=[5])
        >>> # lr: 0.01, 0.028, 0.046, 0.064, 0.082, then 0.1 falling to 0 at step 100
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: Sequence[LRScheduler],
        milestones: Iterable[int],
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        schedulers, optimizer = self._check_schedulers(schedulers, optimizer)
        milestones = list(milestones)
        n = len(schedulers)
        _check(
            len(milestones) == n - 1,
            "milestones",
            f"{n - 1} milestones (one fewer than the {n} schedulers)",
            milestones,
        )
        _check(
            all(_is_int(m) for m in milestones) and milestones == sorted(milestones),
            "milestones",
            "a sorted list of ints",
            milestones,
        )
        self.optimizer = optimizer
        self._schedulers = schedulers
        self._milestones = [int(m) for m in milestones]
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(schedulers)
        schedulers[0]._initial_step()
        self._last_lr = schedulers[0].get_last_lr()

    @staticmethod
    def _undo_initial_steps(schedulers: list[LRScheduler]) -> None:
        """Wind every scheduler (and those inside a nested SequentialLR) back by one step."""
        for s in schedulers:
            if isinstance(s, SequentialLR):
                SequentialLR._undo_initial_steps(s._schedulers)
            elif hasattr(s, "last_epoch"):  # a ChainedScheduler has no step count of its own
                s.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one step: the current scheduler steps, or the next one starts at a milestone."""
        self.last_epoch += 1
        k = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[k]
        if k > 0 and self._milestones[k - 1] == self.last_epoch:
            # step(0) is how a schedule restarts at its step 0; the deprecation warning of
            # step(epoch) is meant for users who pass epochs, not for this.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "The epoch parameter", UserWarning)
                scheduler.step(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_SchedulerList):
    r"""Step several schedulers of one optimizer together, so that their factors multiply.

    Each ``step()`` steps every scheduler in the given order. Since the schedules are written
    in recursive form (each multiplies the current learning rate by its factor), the result
    is the product of the factors: with factors :math:`f^{(k)}_t` of the schedulers,

    .. math::

        \eta_t = \eta_0 \prod_k f^{(k)}_t.

    It is the same as calling ``step()`` on each scheduler yourself, in one object.

    Args:
        schedulers: the schedulers (not ReduceLROnPlateau), all of one optimizer.
        optimizer: that optimizer (default: the first scheduler's); if given, every scheduler
            must drive it.

    Example (a constant warm-up at 1/10 of the rate, under an exponential decay)::

        >>> opt = SGD(params, lr=1.0)
        >>> sched = ChainedScheduler([
        ...     ConstantLR(opt, factor=0.1, total_iters=2),
        ...     ExponentialLR(opt, gamma=0.9),
        ... ])
        >>> # lr: 0.1, 0.09, 0.81, 0.729, 0.6561, ...
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        self._schedulers, self.optimizer = self._check_schedulers(schedulers, optimizer)
        self._last_lr = self._group_lrs()

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._group_lrs()

    def __repr__(self) -> str:
        names = ", ".join(type(s).__name__ for s in self._schedulers)
        return f"ChainedScheduler([{names}], last_lr={self._last_lr})"
