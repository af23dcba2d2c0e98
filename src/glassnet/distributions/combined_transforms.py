"""Transforms built from others or from shapes: IndependentTransform, ReshapeTransform, CatTransform, StackTransform.

None changes a number by itself; each says how the parts' log |det J| add up:

    IndependentTransform(t, n):  log |det J| = sum over the last n axes of t's
    ReshapeTransform:            log |det J| = 0 (a permutation-free relabelling of entries)
    CatTransform([t_1, ...]):    each piece of an axis by its own t_k: the Jacobian is block
                                 diagonal, log |det J| = the pieces' values side by side
                                 (or their sum, when the axis is inside the event)
    StackTransform([t_1, ...]):  slice i of an axis by t_i: the slices' values stacked
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import zeros
from ..errors import ShapeError
from ..ops import api
from ..tensor import Tensor, as_tensor
from . import constraints
from .transforms import Transform

__all__ = ["CatTransform", "IndependentTransform", "ReshapeTransform", "StackTransform"]


def _sum_rightmost(x: Any, n: int) -> Any:
    """x summed over its last n axes (x itself for n = 0 or a number)."""
    return x.sum(tuple(range(-n, 0))) if n > 0 and isinstance(x, Tensor) else x


class IndependentTransform(Transform):
    """``base_transform`` with its last ``reinterpreted_batch_ndims`` batch axes made event axes:
    the same map, with log |det J| summed over those axes (one number per event)."""

    def __init__(self, base_transform: Transform, reinterpreted_batch_ndims: int,
                 cache_size: int = 0) -> None:  # fmt: skip
        if not isinstance(base_transform, Transform):
            raise ValueError(
                f"IndependentTransform: expected a Transform, got {type(base_transform).__name__}"
            )
        n = reinterpreted_batch_ndims
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(
                f"IndependentTransform: reinterpreted_batch_ndims must be an int >= 0, got {n!r}"
            )
        super().__init__(cache_size)
        self.base_transform = (
            base_transform.with_cache(cache_size) if cache_size else base_transform
        )
        self.reinterpreted_batch_ndims = n

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> int:  # type: ignore[override]
        return self.base_transform.sign

    def _check_ndim(self, t: Tensor, event_dim: int) -> None:
        if t.ndim < event_dim:
            raise ShapeError(
                f"IndependentTransform: expected at least {event_dim} dimensions, got a tensor "
                f"of shape {tuple(t.shape)}"
            )

    def _call(self, x: Tensor) -> Tensor:
        self._check_ndim(x, self.domain.event_dim)
        return self.base_transform(x)

    def _inverse(self, y: Tensor) -> Tensor:
        self._check_ndim(y, self.codomain.event_dim)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        result = self.base_transform.log_abs_det_jacobian(as_tensor(x), as_tensor(y))
        return _sum_rightmost(result, self.reinterpreted_batch_ndims)

    def forward_shape(self, shape: tuple) -> tuple:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape: tuple) -> tuple:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    """The event of shape ``in_shape`` laid out again as ``out_shape`` (same number of entries,
    same order): y = x.reshape(batch + out_shape);   log |det J| = 0 per batch element."""

    def __init__(self, in_shape: Any, out_shape: Any, cache_size: int = 0) -> None:
        self.in_shape = tuple(int(n) for n in in_shape)
        self.out_shape = tuple(int(n) for n in out_shape)
        if int(np.prod(self.in_shape)) != int(np.prod(self.out_shape)):
            raise ValueError(
                f"ReshapeTransform: in_shape {self.in_shape} and out_shape {self.out_shape} hold "
                "different numbers of elements"
            )
        super().__init__(cache_size)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.out_shape))

    def _call(self, x: Tensor) -> Tensor:
        batch = tuple(x.shape[: x.ndim - len(self.in_shape)])
        return x.reshape(batch + self.out_shape)

    def _inverse(self, y: Tensor) -> Tensor:
        batch = tuple(y.shape[: y.ndim - len(self.out_shape)])
        return y.reshape(batch + self.in_shape)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        batch = tuple(x.shape[: x.ndim - len(self.in_shape)])
        return zeros(batch, dtype=x.dtype)

    def _swap(self, shape: tuple, have: tuple, want: tuple) -> tuple:
        shape = tuple(shape)
        cut = len(shape) - len(have)
        if cut < 0:
            raise ShapeError(
                f"ReshapeTransform: expected at least {len(have)} dimensions, got shape {shape}"
            )
        if shape[cut:] != have:
            raise ShapeError(f"ReshapeTransform: expected a shape ending in {have}, got {shape}")
        return shape[:cut] + want

    def forward_shape(self, shape: tuple) -> tuple:
        return self._swap(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape: tuple) -> tuple:
        return self._swap(shape, self.out_shape, self.in_shape)

    def __repr__(self) -> str:
        return f"ReshapeTransform(in_shape={self.in_shape}, out_shape={self.out_shape})"


def _check_axis(name: str, t: Tensor, dim: int, size: int, what: str) -> None:
    """One clear error when axis ``dim`` of t is missing or not ``size`` long."""
    if not -t.ndim <= dim < t.ndim:
        raise ShapeError(
            f"{name}: dim {dim} is out of range for a tensor of shape {tuple(t.shape)}"
        )
    if t.shape[dim] != size:
        raise ShapeError(
            f"{name}: expected axis {dim} of length {size} ({what}), got shape {tuple(t.shape)}"
        )


class CatTransform(Transform):
    """Pieces of axis ``dim`` through their own transforms: the first ``lengths[0]`` entries by
    ``tseq[0]``, the next ``lengths[1]`` by ``tseq[1]``, ... (lengths default to 1 each);
    the results are concatenated back along ``dim``. Example: a (loc, log scale) pair mapped
    to (loc, scale) by ``CatTransform([identity_transform, ExpTransform()], dim=-1)``.
    """

    def __init__(self, tseq: Any, dim: int = 0, lengths: Any = None,
                 cache_size: int = 0) -> None:  # fmt: skip
        tseq = list(tseq)
        if not all(isinstance(t, Transform) for t in tseq):
            raise ValueError("CatTransform: every entry of tseq must be a Transform")
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size)
        self.transforms = tseq
        self.lengths = [1] * len(tseq) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.transforms):
            raise ValueError(
                f"CatTransform: expected {len(self.transforms)} lengths (one per transform), "
                f"got {len(self.lengths)}"
            )
        self.dim = dim

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        return sum(self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    def _pieces(self, t: Tensor) -> list:
        _check_axis("CatTransform", t, self.dim, self.length, "the sum of lengths")
        out, start = [], 0
        for length in self.lengths:
            out.append(t.narrow(self.dim, start, length))
            start += length
        return out

    def _call(self, x: Tensor) -> Tensor:
        return api.cat([t(p) for t, p in zip(self.transforms, self._pieces(x))], self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return api.cat([t.inv(p) for t, p in zip(self.transforms, self._pieces(y))], self.dim)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        parts = []
        for t, xp, yp in zip(self.transforms, self._pieces(x), self._pieces(y)):
            part = t.log_abs_det_jacobian(xp, yp)
            parts.append(_sum_rightmost(part, self.event_dim - t.event_dim))
        # The axis, counted from the right of the log |det| (which lost event_dim axes):
        # outside the event the pieces sit side by side; inside it they add up.
        dim = (self.dim - x.ndim if self.dim >= 0 else self.dim) + self.event_dim
        return api.cat(parts, dim) if dim < 0 else sum(parts[1:], parts[0])

    def __repr__(self) -> str:
        return f"CatTransform({self.transforms!r}, dim={self.dim}, lengths={self.lengths})"


class StackTransform(Transform):
    """Slice i of axis ``dim`` (``x.select(dim, i)``) through ``tseq[i]``, the results stacked
    back along ``dim``; log |det J| is the slices' values stacked the same way."""

    def __init__(self, tseq: Any, dim: int = 0, cache_size: int = 0) -> None:
        tseq = list(tseq)
        if not all(isinstance(t, Transform) for t in tseq):
            raise ValueError("StackTransform: every entry of tseq must be a Transform")
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size)
        self.transforms = tseq
        self.dim = dim

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self) -> Any:  # type: ignore[override]
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self) -> Any:  # type: ignore[override]
        return constraints.stack([t.codomain for t in self.transforms], self.dim)

    def _slices(self, t: Tensor) -> list:
        _check_axis("StackTransform", t, self.dim, len(self.transforms), "one per transform")
        return [t.select(self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x: Tensor) -> Tensor:
        return api.stack([t(s) for t, s in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        return api.stack([t.inv(s) for t, s in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x, y = as_tensor(x), as_tensor(y)
        parts = [
            t.log_abs_det_jacobian(xs, ys)
            for t, xs, ys in zip(self.transforms, self._slices(x), self._slices(y))
        ]
        return api.stack(parts, self.dim)

    def __repr__(self) -> str:
        return f"StackTransform({self.transforms!r}, dim={self.dim})"
