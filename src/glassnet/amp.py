"""``glassnet.amp``, PyTorch's ``torch.amp``: autocast and mixed precision's gradient scaler.

glassnet computes in the tensors' own dtypes (no float16 kernels), so ``autocast`` runs the
block as it is. ``GradScaler`` is the real algorithm, because scripts written for mixed
precision call it around every step: the loss is multiplied by a scale s before backward (so
that small float16 gradients would not flush to zero), the gradients are divided by s again
before the step, a step whose gradients hold inf or NaN is skipped and s halved, and s doubles
after ``growth_interval`` good steps. With float32 gradients the division gives back the same
numbers up to rounding; ``enabled=False`` (what CPU runs of such scripts usually pass) makes
every method a pass-through.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .autograd import no_grad
from .torch_switches import autocast

__all__ = ["GradScaler", "autocast"]


class GradScaler:
    """Scale the loss before backward and unscale the gradients before the step (see above).

    Args:
        device: accepted for PyTorch's signature ("cuda", "cpu").
        init_scale: the first scale s.
        growth_factor, backoff_factor: s is multiplied by them after ``growth_interval`` steps
            in a row with finite gradients, and after a step with inf or NaN in them.
        enabled: False makes ``scale`` return the loss itself and ``step`` simply step.

    Example::

        scaler = glassnet.amp.GradScaler()
        scaler.scale(loss).backward()
        scaler.step(optimizer)    # skipped when a gradient is inf or NaN
        scaler.update()
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        if not growth_factor > 1.0 or not 0.0 < backoff_factor < 1.0:
            raise ValueError(
                f"GradScaler: expected growth_factor > 1 and 0 < backoff_factor < 1, got "
                f"{growth_factor} and {backoff_factor}"
            )
        self._enabled = bool(enabled)
        self._scale = float(init_scale)
        self._growth_factor, self._backoff_factor = float(growth_factor), float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._good_steps = 0
        self._unscaled: dict[int, bool] = {}  # id(optimizer) -> found inf or NaN
        self._stepped_with_inf: bool | None = None

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """The current scale s (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """outputs * s (a tensor, or each tensor of a list or tuple)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        return outputs * self._scale

    def unscale_(self, optimizer: Any) -> None:
        """Divide the optimizer's gradients by s in place (once per step), and note whether any
        is inf or NaN. Call it before clipping gradients."""
        if not self._enabled:
            return
        key = id(optimizer)
        if key in self._unscaled:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()"
            )
        inverse, found = 1.0 / self._scale, False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    g = p.grad.array
                    np.multiply(g, g.dtype.type(inverse), out=g)
                    found = found or not np.isfinite(g).all()
        self._unscaled[key] = found

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale (if not done yet) and step, unless a gradient is inf or NaN: then skip."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if id(optimizer) not in self._unscaled:
            self.unscale_(optimizer)
        found = self._unscaled[id(optimizer)]
        self._stepped_with_inf = bool(self._stepped_with_inf) or found
        return None if found else optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | None = None) -> None:
        """Adjust s for the next step: halve it after inf/NaN, grow it after enough good steps."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif self._stepped_with_inf:
            self._scale *= self._backoff_factor
            self._good_steps = 0
        else:
            self._good_steps += 1
            if self._good_steps == self._growth_interval:
                self._scale *= self._growth_factor
                self._good_steps = 0
        if not math.isfinite(self._scale):
            raise RuntimeError(f"GradScaler: the scale became {self._scale}")
        self._unscaled.clear()
        self._stepped_with_inf = None

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._good_steps}  # fmt: skip

    def load_state_dict(self, state: dict) -> None:
        if not self._enabled:
            return
        self._scale = float(state["scale"])
        self._growth_factor = float(state["growth_factor"])
        self._backoff_factor = float(state["backoff_factor"])
        self._growth_interval = int(state["growth_interval"])
        self._good_steps = int(state["_growth_tracker"])
