"""Samplers: the order in which a DataLoader reads sample indices (sequential, random, weighted, in batches).

A sampler is an iterable of dataset indices; a batch sampler is an iterable of lists of
indices. Each sampler here also has ``order()``, the whole epoch's indices as one int64 array,
which is what the DataLoader's fast path uses (one array indexing per batch, no Python loop
over samples); ``iter(sampler)`` yields the same indices as Python ints. The random samplers
draw a new order every epoch, from their ``generator`` if given, else from glassnet's global
generator at the moment the epoch starts (so ``glassnet.manual_seed`` makes runs repeat).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from typing import Any

import numpy as np

from ..creation import multinomial
from .dataset import _as_generator

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``.

    Subclasses may instead define ``order()`` returning the epoch's indices as an array;
    ``__iter__`` then yields them.
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass  # PyTorch accepts and ignores data_source here too

    def order(self) -> np.ndarray:
        """The indices of one epoch, as an int64 array (a new draw for random samplers)."""
        return np.fromiter(iter(self), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        if type(self).order is Sampler.order:
            raise NotImplementedError(f"{type(self).__name__} must define __iter__ or order()")
        return iter(self.order().tolist())


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def order(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in a random order: a fresh permutation each epoch, or draws with replacement.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices independently, each uniform in [0, n).
        num_samples: indices per epoch (default n). Without replacement and above n, whole
            permutations follow one another (as in PyTorch), so each index appears
            ``num_samples // n`` or one more times.
        generator: a ``glassnet.Generator`` / ``numpy.random.Generator`` or None (global).
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: np.random.Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got {replacement!r}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = None if num_samples is None else _count("num_samples", num_samples)
        self.generator = generator
        if num_samples is None:
            len(data_source)  # a dataset without a length fails here, where shuffle=True was asked

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def order(self) -> np.ndarray:
        n, k = len(self.data_source), self.num_samples
        rng = _as_generator(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=k, dtype=np.int64)
        if k == n:  # the common case: one permutation (the draw DataLoader(shuffle=True) makes)
            return rng.permutation(n).astype(np.int64)
        rounds = [rng.permutation(n) for _ in range(-(-k // max(n, 1)))]
        return np.concatenate(rounds)[:k].astype(np.int64) if rounds else np.zeros(0, np.int64)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order each epoch (no replacement)."""

    def __init__(self, indices: Iterable[int], generator: np.random.Generator | None = None):
        self.indices = np.asarray(list(indices) if not hasattr(indices, "__len__") else indices)
        if self.indices.size == 0:
            self.indices = self.indices.astype(np.int64)
        if self.indices.ndim != 1 or self.indices.dtype.kind not in "iu":
            raise TypeError(f"indices must be a 1-D sequence of integers, got {indices!r}")
        self.generator = generator

    def order(self) -> np.ndarray:
        rng = _as_generator(self.generator)
        return self.indices[rng.permutation(len(self.indices))].astype(np.int64)

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices 0..len(weights)-1 drawn with probability proportional to ``weights``.

    P(index i) = w_i / sum_j w_j for each draw (``glassnet.multinomial``); the usual tool for
    class imbalance: give each sample the weight 1 / (count of its class).

    Args:
        weights: one non-negative weight per sample (need not sum to 1).
        num_samples: indices per epoch.
        replacement: draw with replacement (default); without it no index repeats.
        generator: a random generator or None (global).
    """

    def __init__(
        self,
        weights: Any,
        num_samples: int,
        replacement: bool = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got {replacement!r}")
        w = np.asarray(getattr(weights, "array", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1-D sequence, got shape {w.shape}")
        self.weights = w
        self.num_samples = _count("num_samples", num_samples)
        self.replacement = replacement
        self.generator = generator

    def order(self) -> np.ndarray:
        drawn = multinomial(
            self.weights,
            self.num_samples,
            self.replacement,
            generator=_as_generator(self.generator),
        )
        return drawn.numpy()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last may be shorter).

    Example: ``list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False))`` is
    ``[[0, 1], [2, 3], [4]]``.
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.sampler = sampler
        self.batch_size = _count("batch_size", batch_size)
        self.drop_last = drop_last

    def batches(self) -> Iterator[np.ndarray]:
        """One epoch's batches as int64 arrays (the DataLoader's fast path)."""
        order = sampler_order(self.sampler)
        bs = self.batch_size
        stop = len(order) - len(order) % bs if self.drop_last else len(order)
        for start in range(0, stop, bs):
            yield order[start : start + bs]

    def __iter__(self) -> Iterator[list[int]]:
        return (batch.tolist() for batch in self.batches())

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def sampler_order(sampler: Iterable[int]) -> np.ndarray:
    """One epoch of ``sampler`` as an int64 array: ``order()`` when it has one, else its iteration."""
    if isinstance(sampler, Sampler) or hasattr(sampler, "order"):
        return np.asarray(sampler.order(), dtype=np.int64)
    return np.fromiter((int(i) for i in sampler), dtype=np.int64)
