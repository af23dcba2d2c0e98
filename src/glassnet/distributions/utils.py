"""PyTorch's ``torch.distributions.utils``: probabilities <-> logits, broadcasting parameters, lazy attributes, packing triangles.

    probs_to_logits(p)             = log p                 (categorical: log-probabilities)
    probs_to_logits(p, binary)     = log p - log(1 - p)    (the log-odds)
    logits_to_probs(l)             = softmax(l) over the last axis
    logits_to_probs(l, binary)     = sigmoid(l) = 1 / (1 + exp(-l))

Both clamp the probabilities to [eps, 1 - eps] first (``clamp_probs``), so log 0 never appears.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from ..creation import zeros
from ..ops import api
from ..tensor import Tensor, as_tensor

__all__ = [
    "broadcast_all", "clamp_probs", "euler_constant", "lazy_property", "logits_to_probs",
    "probs_to_logits", "tril_matrix_to_vec", "vec_to_tril_matrix",
]  # fmt: skip

#: The Euler-Mascheroni constant gamma = lim (1 + 1/2 + ... + 1/n - log n) = -digamma(1).
euler_constant = 0.57721566490153286060


def broadcast_all(*values: Any) -> tuple:
    """The arguments as tensors broadcast to one shape (views: gradients reach the originals).

    Python numbers become tensors of the dtype of the first floating tensor given (float32 if
    there is none), as in PyTorch; tensors keep their dtypes.
    """
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise ValueError(
                "broadcast_all: expected every argument to be a Tensor or a number, got "
                f"{type(v).__name__}"
            )
    floats = [v.dtype for v in values if isinstance(v, Tensor) and v.dtype.kind == "f"]
    dtype = floats[0] if floats else np.dtype(np.float32)
    tensors = [
        v if isinstance(v, Tensor) else as_tensor(np.asarray(v, dtype=dtype)) for v in values
    ]
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


def clamp_probs(probs: Tensor) -> Tensor:
    """probs clamped to [eps, 1 - eps] (eps the dtype's machine epsilon), so log p and log(1 - p)
    stay finite; the gradient is 1 inside that range."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log p (categorical) or the log-odds log p - log(1 - p) (``is_binary``)."""
    p = clamp_probs(as_tensor(probs))
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """softmax(logits) over the last axis, or sigmoid(logits) elementwise (``is_binary``)."""
    logits = as_tensor(logits)
    return logits.sigmoid() if is_binary else api.softmax(logits, -1)


class lazy_property:  # noqa: N801 (PyTorch's name)
    """A property computed on first access and then stored on the instance (so computed once).

    ``@lazy_property def probs(self): ...``: the first ``d.probs`` calls the function and puts
    the result in ``d.__dict__['probs']``, which later accesses read directly (a non-data
    descriptor is looked up after the instance's dict). ``wrapped`` is the function.
    """

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        value = self.wrapped(instance)
        instance.__dict__[self.__name__] = value
        return value


def _tril_indices(n: int, diag: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the n x n lower triangle at and below diagonal ``diag``, row by row."""
    return np.tril_indices(n, k=diag)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower triangle of (..., n, n) at and below diagonal ``diag`` as (..., N), read row by
    row (N = n (n + 1) / 2 for diag = 0, n (n - 1) / 2 for diag = -1)."""
    mat = as_tensor(mat)
    n = mat.shape[-1]
    if mat.ndim < 2 or mat.shape[-2] != n:
        raise ValueError(
            f"tril_matrix_to_vec: expected a square matrix (..., n, n), got shape {tuple(mat.shape)}"
        )
    if not -n <= diag < n:
        raise ValueError(f"tril_matrix_to_vec: diag must be in [-{n}, {n - 1}], got {diag}")
    rows, cols = _tril_indices(n, diag)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: (..., N) to (..., n, n), zeros elsewhere.

    n is the one size whose triangle at diagonal ``diag`` holds N entries; for diag <= 0 that
    count is (n + diag) (n + diag + 1) / 2, a quadratic in n solved by
    n = (-(1 + 2 diag) + sqrt((1 + 2 diag)**2 + 8 N + 4 |diag| (diag + 1))) / 2.
    """
    vec = as_tensor(vec)
    if vec.ndim < 1:
        raise ValueError("vec_to_tril_matrix: expected a vector (..., N), got a 0-d tensor")
    count = vec.shape[-1]
    b = 1 + 2 * diag
    n = round((-b + math.sqrt(b * b + 8 * count + 4 * abs(diag) * (diag + 1))) / 2)
    rows, cols = _tril_indices(n, diag)
    if rows.size != count:
        raise ValueError(
            f"vec_to_tril_matrix: a vector of length {count} is not the lower triangle (diag="
            f"{diag}) of any square matrix"
        )
    out = zeros(tuple(vec.shape[:-1]) + (n, n), dtype=vec.dtype)
    out[..., rows, cols] = vec  # a recorded write: the gradient reaches vec
    return out
