"""Datasets: the Dataset protocol, IterableDataset (streams), TensorDataset over whole arrays, Subset, ConcatDataset, StackDataset and random_split."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import random as gn_random
from ..autograd import wrap
from ..tensor import Tensor

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "StackDataset",
    "Subset",
    "TensorDataset",
    "random_split",
    "standard_array",
]


def standard_array(x: Any, what: str = "data") -> np.ndarray:
    """``x`` as an ndarray with the dtypes batches use (PyTorch's defaults).

    Floats become float32 unless they already are a float64 array (kept, like ``torch.tensor``
    keeps a float64 array; Python floats and lists of them give float32, as
    ``glassnet.tensor`` does); integers of any width become int64; booleans stay booleans. No
    copy is made when ``x`` already is an ndarray of the right dtype.

    Raises TypeError naming ``what`` for strings, objects or other non-numeric data.
    """
    from_python = not isinstance(x, (Tensor, np.ndarray, np.generic))
    a = x.array if isinstance(x, Tensor) else np.asarray(x)
    kind = a.dtype.kind
    if kind == "f":
        keep = a.dtype == np.float32 or (a.dtype == np.float64 and not from_python)
        return a if keep else a.astype(np.float32)
    if kind in "iu":
        return a if a.dtype == np.int64 else a.astype(np.int64)
    if kind == "b":
        return a
    raise TypeError(
        f"{what} must be numbers or booleans, got an array of dtype {a.dtype} "
        f"(for string labels, map them to integers first; load_csv does this)"
    )


class Dataset:
    """A collection of samples read by index: subclasses define ``__getitem__`` and ``__len__``.

    ``dataset[i]`` returns sample ``i`` (usually a tuple such as ``(x, y)``) for
    ``0 <= i < len(dataset)``. A DataLoader reads a Dataset in batches.

    Fast path: a dataset may also expose ``arrays``, a tuple of arrays that all have
    ``len(dataset)`` rows, such that ``dataset[i] == tuple(a[i] for a in arrays)``. A
    DataLoader then builds each batch with one fancy-index per array instead of one Python
    call per sample. TensorDataset and Subsets of it do this.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NoLengthError(
            f"{type(self).__name__} must define __len__ (a DataLoader needs the number of "
            "samples to shuffle or to order them; a stream of samples is an IterableDataset)"
        )


class NoLengthError(NotImplementedError, TypeError):
    """A Dataset subclass without ``__len__``: Python's ``len()`` raises TypeError for an
    object without a length (as PyTorch's samplers do), and the base class's NotImplementedError
    is kept for code that caught it."""


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__`` instead of ``__getitem__`` (samples
    read from a file or made on the fly, whose count may not be known). A DataLoader batches
    them in the order they come (it cannot shuffle a stream: shuffle it in ``__iter__``)."""

    def __iter__(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it instead")

    def __add__(self, other: Any) -> ChainDataset:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after the other, as one stream."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Any:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


class StackDataset(Dataset):
    """Datasets of one length read side by side: sample i is the tuple (or, given by name, the
    dict) of their samples i. ``StackDataset(images=a, labels=b)[3]`` is
    ``{"images": a[3], "labels": b[3]}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: give the datasets by position or by name, not both")
        parts = list(args) if args else list(kwargs.values())
        if not parts:
            raise ValueError("StackDataset: expected at least one dataset")
        lengths = {len(d) for d in parts}
        if len(lengths) != 1:
            raise ValueError(f"StackDataset: the datasets have different lengths {sorted(lengths)}")
        self.datasets: Any = tuple(args) if args else dict(kwargs)
        self._length = lengths.pop()

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {name: d[index] for name, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class TensorDataset(Dataset):
    """Samples made of rows of whole arrays: ``dataset[i] == (t0[i], t1[i], ...)``.

    Args:
        *tensors: glassnet Tensors, NumPy arrays or nested lists, all with the same first
            dimension (the number of samples). They are converted once with the batch dtype
            rules (floats -> float32 unless float64, integers -> int64), sharing memory where
            no conversion is needed.

    Attributes:
        arrays: the converted NumPy arrays (what the DataLoader fast path indexes).
        tensors: the same data as glassnet Tensors (PyTorch's attribute name).

    Example::

        ds = TensorDataset(X, y)            # X: (n, 2) floats, y: (n,) integer labels
        x0, y0 = ds[0]                      # Tensors of shape (2,) and ()
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor or array")
        arrays = []
        for k, t in enumerate(tensors):
            a = standard_array(t, what=f"TensorDataset argument {k}")
            if a.ndim == 0:
                raise ValueError(
                    f"TensorDataset argument {k} is a scalar; each argument needs a first "
                    "dimension that indexes the samples"
                )
            arrays.append(a)
        sizes = {a.shape[0] for a in arrays}
        if len(sizes) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(
                "TensorDataset needs every tensor to have the same first dimension (the number "
                f"of samples); got shapes {shapes}"
            )
        self.arrays: tuple[np.ndarray, ...] = tuple(arrays)

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        return tuple(wrap(a) for a in self.arrays)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        """Sample ``index`` as a tuple of Tensors; a slice or an index array gives many rows.

        ``ds[2:5]`` is ``(t0[2:5], t1[2:5], ...)`` (views, as PyTorch's TensorDataset gives),
        ``ds[[0, 3]]`` or ``ds[index_tensor]`` the chosen rows (copies).
        """
        if isinstance(index, slice):
            return tuple(wrap(a[index]) for a in self.arrays)
        rows = _index_rows(index, len(self))
        if rows is not None:
            return tuple(wrap(a[rows]) for a in self.arrays)
        i = _check_index(index, len(self))
        return tuple(wrap(np.asarray(a[i])) for a in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.shape} {a.dtype}" for a in self.arrays)
        return f"TensorDataset({len(self)} samples: {shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i] = dataset[indices[i]]``.

    A Subset of a dataset with the ``arrays`` fast path keeps the fast path.
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = indices

    @property
    def indices(self) -> Sequence[int] | np.ndarray:
        """The indices as they were given (PyTorch's ``subset.indices``: random_split's are a
        list of ints); the checked int64 array of dataset rows that reading uses is ``_rows``."""
        return self._indices

    @indices.setter
    def indices(self, indices: Sequence[int] | np.ndarray) -> None:
        idx = np.asarray(indices)
        if idx.size == 0:
            idx = idx.astype(np.int64)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise TypeError(
                f"Subset indices must be a 1-D sequence of integers, got dtype {idx.dtype} "
                f"and shape {idx.shape}"
            )
        n = len(self.dataset)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(
                f"Subset indices must lie in [0, {n}) for a dataset of {n} samples; "
                f"got values from {idx.min()} to {idx.max()}"
            )
        self._indices = indices
        self._rows = np.where(idx < 0, idx + n, idx).astype(np.int64)

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        """The rows of the underlying arrays (a copy); only when the dataset has ``arrays``."""
        base = getattr(self.dataset, "arrays", None)
        if base is None:
            raise AttributeError(f"{type(self.dataset).__name__} has no arrays")
        return tuple(a[self._rows] for a in base)

    def __getitem__(self, index: Any) -> Any:
        """Sample ``index``; a slice or a list (array, Tensor) of integers gives the dataset's
        rows at those places of ``indices`` (``subset[:]``, ``subset[[0, 2]]``), read with one
        indexing of the dataset by a list, as PyTorch does (TensorDataset takes one)."""
        if isinstance(index, slice):
            return self.dataset[self._rows[index].tolist()]
        rows = _index_rows(index, len(self))
        if rows is not None:
            return self.dataset[self._rows[rows].tolist()]
        i = _check_index(index, len(self))
        return self.dataset[int(self._rows[i])]

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


class ConcatDataset(Dataset):
    """Several datasets one after another: the samples of the first, then the second's, ...

    ``concat[i]`` is sample ``i - offset_k`` of dataset k, where offset_k is the number of
    samples before it (``cumulative_sizes``, as in PyTorch, holds those running totals).
    """

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expects at least one dataset, got none")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __getitem__(self, index: int) -> Any:
        i = _check_index(index, len(self))
        k = int(np.searchsorted(self.cumulative_sizes, i, side="right"))
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][i - start]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __repr__(self) -> str:
        return f"ConcatDataset({len(self.datasets)} datasets, {len(self)} samples)"


def random_split(
    dataset: Any,
    lengths: Sequence[int | float],
    generator: np.random.Generator | int | None = None,
) -> list[Subset]:
    """Split a dataset into non-overlapping random Subsets.

    Args:
        dataset: any dataset (``len`` and indexing).
        lengths: sample counts that add up to ``len(dataset)``, or fractions that add up to 1.
            Fractions are turned into counts with ``floor(n * f)`` and the rows left over are
            given one at a time to the first subsets (PyTorch's rule), so every sample is used.
        generator: a ``numpy.random.Generator``, an integer seed, or None for glassnet's global
            generator (reproducible after ``glassnet.manual_seed``).

    Returns:
        A list of Subsets, one per length.

    Example::

        train, val = random_split(ds, [0.8, 0.2], generator=0)
    """
    n = len(dataset)
    counts = _split_counts(lengths, n)
    rng = _as_generator(generator)
    perm = rng.permutation(n)
    out = []
    start = 0
    for c in counts:
        out.append(Subset(dataset, perm[start : start + c].tolist()))  # a list, as PyTorch's
        start += c
    return out


def _split_counts(lengths: Sequence[int | float], n: int) -> list[int]:
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split needs at least one length")
    for x in lengths:
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or x < 0:
            raise ValueError(f"random_split lengths must be non-negative numbers, got {lengths}")
    if all(isinstance(x, numbers.Integral) for x in lengths) and sum(lengths) == n:
        return [int(x) for x in lengths]
    if all(0 <= x <= 1 for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        counts = [int(np.floor(n * x)) for x in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        return counts
    raise ValueError(
        f"random_split lengths must be counts that add up to the dataset size ({n}) or "
        f"fractions that add up to 1; got {lengths} (sum {sum(lengths)})"
    )


def _as_generator(generator: np.random.Generator | int | None) -> np.random.Generator:
    """A Generator from a Generator, a seed, or None (glassnet's global generator, read now)."""
    if generator is None:
        return gn_random.default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        if generator < 0:
            raise ValueError(f"a seed must be a non-negative integer, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"expected a numpy.random.Generator, an integer seed or None, got {type(generator)!r}"
    )


def _index_rows(index: Any, n: int) -> np.ndarray | None:
    """An array of row numbers when ``index`` is a list, array or Tensor of integers, else None."""
    if isinstance(index, Tensor):
        index = index.array
    if not isinstance(index, (list, np.ndarray)) or np.ndim(index) == 0:
        return None
    rows = np.asarray(index)
    if rows.size == 0:
        return rows.astype(np.int64)
    if rows.dtype.kind not in "iu":
        raise TypeError(f"dataset indices must be integers, got dtype {rows.dtype}")
    if rows.min() < -n or rows.max() >= n:
        raise IndexError(
            f"indices from {rows.min()} to {rows.max()} are out of range for {n} samples"
        )
    return rows


def _check_index(index: Any, n: int) -> int:
    """A sample index as a non-negative int (negative counts from the end), or a clear error."""
    if isinstance(index, Tensor) and index.ndim == 0 and index.dtype.kind in "iu":
        index = index.item()
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(
            f"dataset index must be an integer, got {type(index).__name__}; use a DataLoader "
            "or Subset to read many samples"
        )
    i = int(index)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range for a dataset of {n} samples")
    return i + n if i < 0 else i
