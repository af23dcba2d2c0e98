"""Data in: arrays, Datasets and DataLoaders become batches of (inputs, targets) for fit, evaluate and predict."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as gn_random
from ..data.dataset import Dataset, Subset, TensorDataset
from ..data.loader import DataLoader
from ..nn.module import Module
from ..tensor import Tensor


def _param_dtype(model: Module) -> np.dtype | None:
    for p in model.parameters():
        if p.array.dtype.kind == "f":
            return p.array.dtype
    return None


def _as_dataset(data: Any, model: Module, who: str, what: str = "data") -> Dataset | DataLoader:
    """A DataLoader as it is, a Dataset as it is, (X, y) or X arrays as a TensorDataset.

    Floating feature arrays are converted to the model's parameter dtype (float64 NumPy data
    meets a float32 model), so ``fit(model, (np_array, labels))`` just works.
    """
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, (tuple, list)):
        if len(data) != 2:
            raise ValueError(
                f"{who}: {what} must be a pair (X, y) of arrays or tensors, a Dataset or a "
                f"DataLoader; got a {type(data).__name__} of length {len(data)}"
            )
        X, y = data
        X, y = _features(X, model, who, what), y
        n_x, n_y = len(X), _length(y, who, what)
        if n_x != n_y:
            raise ValueError(f"{who}: {what} has {n_x} samples in X but {n_y} targets in y")
        return TensorDataset(X, y)
    if hasattr(data, "__len__") and hasattr(data, "__getitem__") and not _is_array(data):
        return data
    raise TypeError(
        f"{who}: {what} must be (X, y) arrays or tensors, a Dataset or a DataLoader; got "
        f"{type(data).__name__}"
    )


def _is_array(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Tensor, list))


def _length(x: Any, who: str, what: str) -> int:
    try:
        return len(x)
    except TypeError:
        raise TypeError(
            f"{who}: {what} must hold one row per sample, got {type(x).__name__}"
        ) from None


def _features(X: Any, model: Module, who: str, what: str = "X") -> Any:
    a = X.array if isinstance(X, Tensor) else np.asarray(X)
    if a.ndim == 0:
        raise ValueError(f"{who}: {what} must have a first axis of samples, got a scalar")
    dtype = _param_dtype(model)
    if a.dtype.kind == "f" and dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    return a


def _loader(data: Dataset | DataLoader, batch_size: int, shuffle: bool) -> DataLoader:
    if isinstance(data, DataLoader):
        return data
    return DataLoader(data, batch_size=batch_size, shuffle=shuffle)


def _split_batch(batch: Any, who: str) -> tuple[tuple, Any]:
    """(model inputs, target) from a batch ``(x, y)`` (or ``(x1, x2, ..., y)``)."""
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return tuple(batch[:-1]), batch[-1]
    raise ValueError(
        f"{who} needs batches of (inputs, targets); the data gave a "
        f"{type(batch).__name__}"
        + (f" of length {len(batch)}" if hasattr(batch, "__len__") else "")
    )


def _validation_split(
    dataset: Any, fraction: float, seed: int | None, indices: Any
) -> tuple[Subset, Subset, np.ndarray]:
    """Random (train, validation) Subsets; the permutation is returned so resuming reuses it."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be a fraction in (0, 1), got {fraction!r}")
    n = len(dataset)
    n_val = int(round(n * fraction))
    if n_val < 1 or n_val >= n:
        raise ValueError(
            f"validation_split={fraction} of {n} samples leaves {n_val} for validation and "
            f"{n - n_val} for training; both need at least one"
        )
    if indices is not None:
        perm = np.asarray(indices, dtype=np.int64)
        if perm.shape != (n,):
            raise ValueError(
                f"the checkpoint's validation split is for {perm.size} samples, the data has {n}"
            )
    else:
        rng = np.random.default_rng(seed) if seed is not None else gn_random.default_generator()
        perm = rng.permutation(n)
    return Subset(dataset, perm[n_val:]), Subset(dataset, perm[:n_val]), perm
