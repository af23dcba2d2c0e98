"""DataLoader: reads a dataset in (shuffled) batches of glassnet Tensors; default_collate."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor
from .dataset import Subset, _as_generator, standard_array

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples: list[Any]) -> Any:
    """Stack a list of samples into one batch, keeping the samples' structure.

    * Tensors, arrays and numbers are stacked along a new first axis into a Tensor, with the
      batch dtypes: floats float32 (float64 stays float64), integers int64, booleans bool.
    * Tuples and lists are collated element by element (a list of ``(x, y)`` pairs becomes a
      tuple ``(X, Y)``); dicts key by key; strings are returned as a list.

    Raises ValueError when the samples do not have one structure or one shape.
    """
    if not samples:
        raise ValueError("cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic, numbers.Number)):
        arrays = [s.array if isinstance(s, Tensor) else np.asarray(s) for s in samples]
        shape = arrays[0].shape
        for k, a in enumerate(arrays):
            if a.shape != shape:
                raise ValueError(
                    "every sample in a batch must have the same shape; sample 0 has shape "
                    f"{shape} but sample {k} has shape {a.shape}"
                )
        stacked = np.stack(arrays)
        if stacked.dtype == np.float64 and all(type(s) is float for s in samples):
            stacked = stacked.astype(np.float32)  # Python floats -> float32, as glassnet.tensor
        return Tensor._make(standard_array(stacked, what="batch"))
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        keys = set(first)
        for k, s in enumerate(samples):
            if not isinstance(s, Mapping) or set(s) != keys:
                raise ValueError(f"sample {k} does not have the keys of sample 0 ({sorted(keys)})")
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        size = len(first)
        for k, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != size:
                raise ValueError(
                    f"every sample in a batch must have {size} parts like sample 0; "
                    f"sample {k} is {type(s).__name__} of length {len(s)}"
                )
        parts = [default_collate([s[i] for s in samples]) for i in range(size)]
        return tuple(parts) if isinstance(first, tuple) else parts
    raise TypeError(
        f"default_collate cannot batch samples of type {type(first).__name__}; expected Tensors, "
        "arrays, numbers, or tuples/lists/dicts of them (or pass collate_fn)"
    )


class DataLoader:
    """Iterate over a dataset in batches of glassnet Tensors.

    Each ``for batch in loader`` is one epoch. With ``shuffle=True`` every epoch draws a new
    permutation of the samples; the order is drawn when the epoch starts, from ``generator``
    (or a generator made from ``seed``) if one was given, else from glassnet's global generator
    (so ``glassnet.manual_seed`` makes runs reproducible).

    Speed: when the dataset exposes whole arrays (``dataset.arrays``, as TensorDataset and its
    Subsets do) and no ``collate_fn`` is given, a batch is made with one indexing per array
    (``X[perm[i:i + batch_size]]``) instead of one Python call per sample.

    Args:
        dataset: a Dataset (or anything with ``__len__`` and ``__getitem__``).
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new random order each epoch.
        drop_last: drop the last batch when it has fewer than ``batch_size`` samples.
        generator: a ``numpy.random.Generator`` to shuffle with.
        seed: an integer; shorthand for ``generator=numpy.random.default_rng(seed)``, made once,
            so consecutive epochs differ but a new loader with the same seed repeats them.
        collate_fn: turns a list of samples into a batch (default ``default_collate``).

    Example::

        loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True, seed=0)
        for xb, yb in loader:   # xb: Tensor (64, features) float32, yb: Tensor (64,) int64
            ...
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        seed: int | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__, got "
                f"{type(dataset).__name__}; wrap arrays as TensorDataset(X, y)"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be a positive integer, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("give DataLoader a generator or a seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"generator must be a numpy.random.Generator, got {type(generator).__name__}; "
                "for an integer use seed="
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {collate_fn!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = _as_generator(seed) if seed is not None else generator
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = None
        if self.shuffle:
            rng = self.generator if self.generator is not None else _as_generator(None)
            order = rng.permutation(n)
        arrays = None if self.collate_fn is not None else _whole_arrays(self.dataset)
        bs = self.batch_size
        for start in range(0, len(self) * bs, bs):
            stop = min(start + bs, n)
            if arrays is not None:
                yield self._fast_batch(arrays, order, start, stop)
            else:
                idx = range(start, stop) if order is None else order[start:stop]
                samples = [self.dataset[int(i)] for i in idx]
                yield (self.collate_fn or default_collate)(samples)

    @staticmethod
    def _fast_batch(
        arrays: tuple[tuple[np.ndarray, ...], np.ndarray | None],
        order: np.ndarray | None,
        start: int,
        stop: int,
    ) -> tuple[Tensor, ...]:
        base, rows = arrays
        if order is None and rows is None:
            # Sequential reading of whole arrays: a slice, copied so the batch owns its memory.
            return tuple(Tensor._make(a[start:stop].copy()) for a in base)
        idx = np.arange(start, stop) if order is None else order[start:stop]
        if rows is not None:
            idx = rows[idx]
        return tuple(Tensor._make(a[idx]) for a in base)

    def __repr__(self) -> str:
        return (
            f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)"
        )


def _whole_arrays(dataset: Any) -> tuple[tuple[np.ndarray, ...], np.ndarray | None] | None:
    """(base arrays, row map or None) when ``dataset`` can be read by indexing whole arrays.

    Subsets (of Subsets ...) of an array dataset are resolved to the base arrays plus the map
    from subset position to base row, so no copy of the data is made per epoch.
    """
    rows = None
    while isinstance(dataset, Subset):
        rows = dataset.indices if rows is None else dataset.indices[rows]
        dataset = dataset.dataset
    arrays = getattr(dataset, "arrays", None)
    if not isinstance(arrays, tuple) or not arrays:
        return None
    n = len(dataset)
    if not all(isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n for a in arrays):
        return None
    return tuple(standard_array(a) for a in arrays), rows
