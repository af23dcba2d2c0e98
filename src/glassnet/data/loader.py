"""DataLoader: reads a dataset in (shuffled) batches of glassnet Tensors; default_collate, default_convert."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..autograd import wrap
from ..errors import NumberTypeError, ShapeError
from ..tensor import Tensor
from .dataset import IterableDataset, Subset, _as_generator, standard_array
from .sampler import BatchSampler, RandomSampler, SequentialSampler, sampler_order

__all__ = ["DataLoader", "WorkerInfo", "default_collate", "default_convert", "get_worker_info"]


def default_collate(samples: list[Any]) -> Any:
    """Stack a list of samples into one batch, keeping the samples' structure.

    * Tensors, arrays and numbers are stacked along a new first axis into a Tensor, with the
      batch dtypes: floats float32 (float64 stays float64), integers int64, booleans bool.
    * Tuples and lists are collated element by element into a list, as PyTorch does (a list
      of ``(x, y)`` pairs becomes ``[X, Y]``, which unpacks as ``X, Y = batch``); a
      namedtuple stays one of its type; dicts are collated key by key into a dict of the
      samples' type (an OrderedDict stays one); strings are returned as a list.

    Raises ValueError when the samples do not have one structure, ShapeError (a ValueError
    and a RuntimeError) when they do not have one shape.
    """
    if not samples:
        raise ValueError("cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic, numbers.Number)):
        arrays = [s.array if isinstance(s, Tensor) else np.asarray(s) for s in samples]
        shape = arrays[0].shape
        for k, a in enumerate(arrays):
            if a.shape != shape:  # PyTorch's stack raises a RuntimeError; ShapeError is both
                raise ShapeError(
                    "every sample in a batch must have the same shape; sample 0 has shape "
                    f"{shape} but sample {k} has shape {a.shape}"
                )
        stacked = np.stack(arrays)
        if stacked.dtype == np.float64 and all(type(s) is float for s in samples):
            stacked = stacked.astype(np.float32)  # Python floats -> float32, as glassnet.tensor
        return wrap(standard_array(stacked, what="batch"))
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        keys = set(first)
        for k, s in enumerate(samples):
            if not isinstance(s, Mapping) or set(s) != keys:
                raise ValueError(f"sample {k} does not have the keys of sample 0 ({sorted(keys)})")
        batch = {key: default_collate([s[key] for s in samples]) for key in first}
        try:
            return type(first)(batch)  # the samples' kind of mapping, as PyTorch keeps it
        except TypeError:  # a mapping type that cannot be made from a dict
            return batch
    if isinstance(first, (tuple, list)):
        size = len(first)
        for k, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != size:
                raise ValueError(
                    f"every sample in a batch must have {size} parts like sample 0; "
                    f"sample {k} is {type(s).__name__} of length {len(s)}"
                )
        parts = [default_collate([s[i] for s in samples]) for i in range(size)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
            return type(first)(*parts)
        return parts
    raise TypeError(
        f"default_collate cannot batch samples of type {type(first).__name__}; expected Tensors, "
        "arrays, numbers, or tuples/lists/dicts of them (or pass collate_fn)"
    )


def default_convert(sample: Any) -> Any:
    """One sample made into Tensors without batching: what ``DataLoader(batch_size=None)`` gives.

    NumPy arrays and NumPy numbers become Tensors of their own dtype (arrays of strings or
    objects stay as they are); a tuple becomes a list and a list stays a list, a namedtuple and a mapping keep their
    type, each part converted in turn; anything else (Tensors, Python numbers, strings) is
    returned unchanged. These are PyTorch's rules.
    """
    if isinstance(sample, Tensor):
        return sample
    if isinstance(sample, (np.ndarray, np.generic)):
        if sample.dtype.kind in "USOV":  # text or objects: no Tensor can hold them
            return sample
        return wrap(np.asarray(sample))  # its own dtype kept, as torch.as_tensor keeps it
    if isinstance(sample, Mapping):
        converted = {key: default_convert(value) for key, value in sample.items()}
        try:
            return type(sample)(converted)
        except TypeError:  # a mapping type that cannot be made from a dict
            return converted
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(default_convert(part) for part in sample))
    if isinstance(sample, (tuple, list)):
        return [default_convert(part) for part in sample]
    return sample


class WorkerInfo:
    """What ``get_worker_info()`` reports inside loading: id 0 of 1 worker (the main process)."""

    def __init__(self, dataset: Any, seed: int) -> None:
        self.id, self.num_workers, self.seed, self.dataset = 0, 1, seed, dataset

    def __repr__(self) -> str:
        return f"WorkerInfo(id=0, num_workers=1, seed={self.seed})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside ``worker_init_fn`` of a loader with ``num_workers > 0``: the (single) worker's info.

    glassnet loads in the main process, so this is None elsewhere, as PyTorch's is outside
    its worker processes.
    """
    return _worker_info


class DataLoader:
    """Iterate over a dataset in batches of glassnet Tensors.

    Each ``for batch in loader`` is one epoch. The indices come from ``sampler`` (default:
    ``RandomSampler`` if ``shuffle`` else ``SequentialSampler``), grouped into batches of
    ``batch_size``, or from ``batch_sampler`` (lists of indices). With ``shuffle=True`` every
    epoch draws a new permutation when it starts, from ``generator`` (or one made from
    ``seed``) if given, else from glassnet's global generator (so ``glassnet.manual_seed``
    makes runs reproducible).

    Speed: when the dataset exposes whole arrays (``dataset.arrays``, as TensorDataset and its
    Subsets do) and no ``collate_fn`` is given, a batch is made with one indexing per array
    (``X[perm[i:i + batch_size]]``) instead of one Python call per sample.

    Workers: glassnet loads every batch in the main process. ``num_workers > 0`` is accepted
    for PyTorch code and changes nothing but this: ``worker_init_fn(0)`` is called once at the
    start of each epoch (once in all with ``persistent_workers=True``), as for PyTorch's one
    worker. ``pin_memory``, ``prefetch_factor``, ``timeout`` and ``multiprocessing_context``
    are checked as PyTorch checks them and otherwise mean nothing on the CPU.

    Args:
        dataset: a Dataset (or anything with ``__len__`` and ``__getitem__``).
        batch_size: samples per batch (the last batch may be smaller); None yields single
            samples, unbatched.
        shuffle: draw a new random order each epoch.
        sampler: an iterable of indices (a Sampler); excludes ``shuffle``.
        batch_sampler: an iterable of lists of indices; excludes batch_size, shuffle, sampler
            and drop_last.
        num_workers, worker_init_fn, persistent_workers, prefetch_factor, pin_memory, timeout:
            see "Workers" above.
        collate_fn: turns a list of samples into a batch (default ``default_collate``).
        drop_last: drop the last batch when it has fewer than ``batch_size`` samples.
        generator: a ``glassnet.Generator`` (or ``numpy.random.Generator``) to shuffle with.
        seed: an integer; shorthand for ``generator=numpy.random.default_rng(seed)``, made once,
            so consecutive epochs differ but a new loader with the same seed repeats them.

    Example::

        loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True, seed=0)
        for xb, yb in loader:   # xb: Tensor (64, features) float32, yb: Tensor (64,) int64
            ...
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        streaming = isinstance(dataset, IterableDataset)
        if streaming and (shuffle or sampler is not None or batch_sampler is not None):
            given = (
                "shuffle=True"
                if shuffle
                else ("sampler" if sampler is not None else "batch_sampler")
            )
            raise ValueError(
                f"DataLoader with an IterableDataset reads it in the order it comes: it takes no "
                f"{given} (shuffle inside the dataset's __iter__ instead)"
            )
        if not streaming and (
            not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__")
        ):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__, got "
                f"{type(dataset).__name__}; wrap arrays as TensorDataset(X, y)"
            )
        if batch_size is not None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
                # PyTorch: ValueError; glassnet raised TypeError before: catchable as either
                raise NumberTypeError(f"batch_size must be a positive integer, got {batch_size!r}")
            if batch_size < 1:
                raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("give DataLoader a generator or a seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"generator must be a glassnet.Generator or numpy.random.Generator, got "
                f"{type(generator).__name__}; for an integer use seed="
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {collate_fn!r}")
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"worker_init_fn must be callable, got {worker_init_fn!r}")
        # PyTorch's rules for what may be combined (its messages, so its users recognise them).
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        self.dataset = dataset
        self.generator = _as_generator(seed) if seed is not None else generator
        self._streaming = streaming
        if streaming:
            sampler, batch_sampler = None, None
        elif sampler is None:
            sampler = (
                RandomSampler(dataset, generator=self.generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None and not streaming:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.num_workers = int(num_workers)
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory, self.timeout = pin_memory, timeout
        self._workers_started = False

    def __len__(self) -> int:
        """The number of batches in one epoch (of samples, when batch_size is None)."""
        if self._streaming:
            try:
                n = len(self.dataset)
            except (TypeError, NotImplementedError):  # TypeError: what list() expects here
                raise TypeError(
                    f"{type(self.dataset).__name__} is a stream without a length, so its "
                    "DataLoader has none either"
                ) from None
            bs = self.batch_size
            return n if bs is None else (n // bs if self.drop_last else -(-n // bs))
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _stream(self) -> Iterator[Any]:
        """An IterableDataset's batches: its samples in the order they come, batch_size at a time."""
        collate = self.collate_fn or default_collate
        if self.batch_size is None:  # one sample at a time: converted, not collated
            convert = self.collate_fn or default_convert
            for sample in self.dataset:
                yield convert(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def __iter__(self) -> Iterator[Any]:
        self._start_worker()
        if self._streaming:
            yield from self._stream()
            return
        if self.batch_sampler is None:  # batch_size=None: one sample at a time, not collated
            convert = self.collate_fn or default_convert
            for i in sampler_order(self.sampler):
                yield convert(self.dataset[int(i)])
            return
        arrays = None if self.collate_fn is not None else _whole_arrays(self.dataset)
        if arrays is not None and self._plain_sequential():
            # Sequential reading of whole arrays: slices, copied so each batch owns its memory.
            # the batch sampler's size: batch_size is None when a batch_sampler was passed
            n, bs = len(self.dataset), self.batch_sampler.batch_size
            for start in range(0, len(self) * bs, bs):
                yield self._fast_batch(arrays, None, start, min(start + bs, n))
            return
        batches = (
            self.batch_sampler.batches()
            if isinstance(self.batch_sampler, BatchSampler)
            else (np.asarray(b, dtype=np.int64) for b in self.batch_sampler)
        )
        for idx in batches:
            if arrays is not None:
                yield self._fast_batch(arrays, idx, 0, len(idx))
            else:
                samples = [self.dataset[int(i)] for i in idx]
                yield (self.collate_fn or default_collate)(samples)

    def _plain_sequential(self) -> bool:
        return (
            type(self.batch_sampler) is BatchSampler
            and type(self.batch_sampler.sampler) is SequentialSampler
            and self.batch_sampler.sampler.data_source is self.dataset
        )

    def _start_worker(self) -> None:
        """Call worker_init_fn(0) as PyTorch's single worker would when it starts."""
        if self.num_workers == 0 or self.worker_init_fn is None:
            return
        if self.persistent_workers and self._workers_started:
            return
        global _worker_info
        seed = int(_as_generator(self.generator).integers(2**63))
        _worker_info = WorkerInfo(self.dataset, seed)
        try:
            self.worker_init_fn(0)
        finally:
            _worker_info = None
        self._workers_started = True

    @staticmethod
    def _fast_batch(
        arrays: tuple[tuple[np.ndarray, ...], np.ndarray | None],
        order: np.ndarray | None,
        start: int,
        stop: int,
    ) -> list[Tensor]:
        # a list, as default_collate makes of (x, y) samples (and as PyTorch's loader gives)
        base, rows = arrays
        if order is None and rows is None:
            return [wrap(a[start:stop].copy()) for a in base]
        idx = np.arange(start, stop) if order is None else order[start:stop]
        if rows is not None:
            idx = rows[idx]
        return [wrap(a[idx]) for a in base]

    def __repr__(self) -> str:
        if self._streaming:
            return f"DataLoader(a stream of {type(self.dataset).__name__}, batch_size={self.batch_size})"
        return (
            f"DataLoader({len(self.dataset)} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, {len(self)} batches)"
        )


def _check_worker_options(
    num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: Any
) -> None:
    """PyTorch's checks of the worker options (its messages)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)):
        raise TypeError(f"num_workers must be an integer, got {num_workers!r}")
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing. Let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _whole_arrays(dataset: Any) -> tuple[tuple[np.ndarray, ...], np.ndarray | None] | None:
    """(base arrays, row map or None) when ``dataset`` can be read by indexing whole arrays.

    Subsets (of Subsets ...) of an array dataset are resolved to the base arrays plus the map
    from subset position to base row, so no copy of the data is made per epoch.
    """
    rows = None
    while isinstance(dataset, Subset):
        rows = dataset._rows if rows is None else dataset._rows[rows]
        dataset = dataset.dataset
    arrays = getattr(dataset, "arrays", None)
    if not isinstance(arrays, tuple) or not arrays:
        return None
    n = len(dataset)
    if not all(isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n for a in arrays):
        return None
    return tuple(standard_array(a) for a in arrays), rows
