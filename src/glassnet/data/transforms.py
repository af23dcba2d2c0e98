"""Transforms: small callables that reshape or rescale data (Normalize, OneHot, Flatten, Compose).

Each transform works on a NumPy array or a glassnet Tensor and returns the same kind. They are
written for whole batches (first axis = samples), which is how glassnet prefers to move data::

    prep = Compose([Flatten(), Normalize.fit(X_train)])
    X_train, X_test = prep(X_train), prep(X_test)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import wrap
from ..tensor import Tensor

__all__ = ["Compose", "Flatten", "Normalize", "OneHot"]


def _unwrap(x: Any) -> tuple[np.ndarray, bool]:
    if isinstance(x, Tensor):
        return x.array, True
    return np.asarray(x), False


class Normalize:
    """Standardize: ``y = (x - mean) / std``, per feature or with one number for all.

    ``mean`` and ``std`` are numbers or 1-D sequences; a 1-D sequence lines up with axis
    ``axis`` of the input (default the last axis: features of an (n, d) batch; use ``axis=1``
    for the channels of an (n, C, H, W) image batch). Integer input (e.g. uint8 pixels) is
    turned into float32 first; float input keeps its dtype.

    A Tensor input goes through Tensor arithmetic, so gradients flow through the transform.

    Args:
        mean: the value(s) subtracted.
        std: the value(s) divided by; every one must be > 0.
        axis: the axis that a 1-D ``mean``/``std`` runs along.
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float], axis: int = -1):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.ndim > 1:
                raise ValueError(f"Normalize {name} must be a number or 1-D, got shape {v.shape}")
            if not np.all(np.isfinite(v)):
                raise ValueError(f"Normalize {name} must be finite, got {v}")
        if np.any(self.std <= 0):
            raise ValueError(f"Normalize std must be > 0 everywhere, got {self.std}")
        if self.mean.ndim == 1 and self.std.ndim == 1 and self.mean.shape != self.std.shape:
            raise ValueError(
                f"Normalize mean and std must have the same length, got {self.mean.shape[0]} "
                f"and {self.std.shape[0]}"
            )
        self.axis = int(axis)

    @classmethod
    def fit(cls, x: Any, axis: int = -1, eps: float = 1e-8) -> Normalize:
        """A Normalize whose mean/std are those of ``x`` along every axis except ``axis``.

        Features that never vary (std below ``eps``) get std 1, so they map to 0, not NaN.
        """
        a, _ = _unwrap(x)
        a = a.astype(np.float64)
        if a.ndim == 0:
            raise ValueError("Normalize.fit needs an array with at least one axis")
        ax = axis % a.ndim
        others = tuple(i for i in range(a.ndim) if i != ax)
        mean = a.mean(axis=others)
        std = a.std(axis=others)
        std = np.where(std < eps, 1.0, std)
        return cls(mean, std, axis=axis)

    def __call__(self, x: Any) -> Any:
        a, is_tensor = _unwrap(x)
        dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
        mean, std = self.mean, self.std
        if mean.ndim == 1 or std.ndim == 1:
            if a.ndim == 0:
                raise ValueError("Normalize with per-feature mean/std needs an array, got a scalar")
            ax = self.axis % a.ndim if -a.ndim <= self.axis < a.ndim else None
            length = max(mean.size if mean.ndim else 1, std.size if std.ndim else 1)
            if ax is None or a.shape[ax] != length:
                raise ValueError(
                    f"Normalize has {length} means/stds for axis {self.axis}, but the input has "
                    f"shape {a.shape}"
                )
            shape = [1] * a.ndim
            shape[ax] = length
            mean = np.broadcast_to(mean, (length,)).reshape(shape)
            std = np.broadcast_to(std, (length,)).reshape(shape)
        mean, std = mean.astype(dtype), std.astype(dtype)
        if is_tensor:
            t = x if x.dtype == dtype else x.to(dtype)
            return (t - wrap(mean)) / wrap(std)
        return ((a.astype(dtype, copy=False) - mean) / std).astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()}, axis={self.axis})"


class OneHot:
    """Integer class labels -> one-hot rows: shape (...,) -> (..., num_classes), float32.

    Raises ValueError naming the offending value when a label is outside ``[0, num_classes)``,
    TypeError when the labels are not integers.
    """

    def __init__(self, num_classes: int, dtype: Any = np.float32) -> None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
            raise TypeError(f"OneHot num_classes must be an integer, got {num_classes!r}")
        if num_classes < 1:
            raise ValueError(f"OneHot num_classes must be >= 1, got {num_classes}")
        self.num_classes = int(num_classes)
        self.dtype = np.dtype(dtype)

    def __call__(self, labels: Any) -> Any:
        a, is_tensor = _unwrap(labels)
        if a.dtype.kind == "f" and a.size and np.all(a == np.round(a)):
            a = a.astype(np.int64)
        if a.dtype.kind not in "iu":
            raise TypeError(f"OneHot expects integer class labels, got dtype {a.dtype}")
        if a.size:
            bad = (a < 0) | (a >= self.num_classes)
            if bad.any():
                value = a[bad].flat[0]
                raise ValueError(
                    f"OneHot({self.num_classes}) got label {value}; labels must lie in "
                    f"[0, {self.num_classes})"
                )
        out = np.eye(self.num_classes, dtype=self.dtype)[a]
        return wrap(out) if is_tensor else out

    def __repr__(self) -> str:
        return f"OneHot(num_classes={self.num_classes})"


class Flatten:
    """Merge axes ``start_dim..end_dim`` into one, like ``nn.Flatten``: (n, 8, 8) -> (n, 64).

    The default ``start_dim=1`` keeps the first (batch) axis; use ``start_dim=0`` to flatten a
    single sample completely.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def __call__(self, x: Any) -> Any:
        a, is_tensor = _unwrap(x)
        nd = max(a.ndim, 1)
        if not (-nd <= self.start_dim < nd and -nd <= self.end_dim < nd):
            raise ValueError(
                f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}) does not fit an "
                f"input of shape {a.shape}"
            )
        s, e = self.start_dim % nd, self.end_dim % nd
        if s > e:
            raise ValueError(
                f"Flatten start_dim ({self.start_dim}) comes after end_dim ({self.end_dim}) for "
                f"an input of shape {a.shape}"
            )
        if a.ndim == 0 or s == e:
            return x if is_tensor else a
        shape = a.shape[:s] + (-1,) + a.shape[e + 1 :]
        if is_tensor:
            return x.reshape(shape)
        return a.reshape(shape)

    def __repr__(self) -> str:
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"


class Compose:
    """Apply transforms one after another: ``Compose([f, g])(x) == g(f(x))``."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        transforms = list(transforms)
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose expects callables, got {t!r}")
        self.transforms = transforms

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"Compose([{inner}])"
