"""Learning-rate schedules: objects that change each parameter group's ``lr`` as training goes on.

A scheduler is stepped once per epoch (or per batch, for OneCycleLR), *after* the optimizer::

    opt = glassnet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = glassnet.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)      # calls opt.step() many times
        sched.step()                     # lr: 0.1 for epochs 0-29, 0.01 for 30-59, ...

Every scheduler here behaves as its namesake in ``torch.optim.lr_scheduler`` and produces the
same learning rates. ``last_epoch`` counts the scheduler's steps (it is 0 right after
construction, when the first learning rate is set). Each schedule is written in the
*recursive* form PyTorch uses (the new lr is computed from the group's current lr), so that
two schedulers on one optimizer compose by multiplying their factors; the docstrings give
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
from collections.abc import Iterable, Mapping
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
    "OneCycleLR",
    "ReduceLROnPlateau",
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
        self._step_count = 0
        # Optimizer steps taken before this scheduler existed (to spot a wrong call order).
        self._optimizer_steps_at_start = optimizer._step_count
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
        if self.last_epoch <= 0:
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
