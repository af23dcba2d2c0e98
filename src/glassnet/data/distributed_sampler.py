"""DistributedSampler: each process's share of a dataset's indices, as in PyTorch.

With N processes, the indices 0..n-1 (shuffled with ``seed + epoch`` when ``shuffle``) are dealt
out like cards: process r takes positions r, r + N, r + 2N, ... The shards are disjoint and
together cover the dataset. When n is not a multiple of N, ``drop_last=False`` pads by
repeating indices from the start (every process gets ceil(n / N)), ``drop_last=True`` drops
the tail (every process gets floor(n / N)). Call ``set_epoch(epoch)`` at the start of each
epoch so that every epoch is shuffled differently but identically on all processes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["DistributedSampler"]


class DistributedSampler:
    """Yield this process's indices of ``dataset`` (see the module docstring).

    Args:
        dataset: anything with a length.
        num_replicas: how many processes (default: the process group's world size).
        rank: this process (default: its rank in the process group).
        shuffle, seed: shuffle with a generator seeded ``seed + epoch``.
        drop_last: drop the tail instead of padding.
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            from ..distributed.process_group import get_rank, get_world_size

            num_replicas = get_world_size() if num_replicas is None else num_replicas
            rank = get_rank() if rank is None else rank
        if num_replicas < 1:
            raise ValueError(
                f"DistributedSampler: num_replicas must be at least 1, got {num_replicas}"
            )
        if not 0 <= rank < num_replicas:
            raise ValueError(
                f"DistributedSampler: invalid rank {rank}, rank should be in the interval "
                f"[0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = n // num_replicas
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Shuffle differently in the next epoch (the same way on every process)."""
        self.epoch = int(epoch)

    def indices(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n)
        if self.total_size > n:  # pad by repeating from the start (as often as needed)
            repeats = math.ceil((self.total_size - n) / max(n, 1))
            order = np.concatenate([order, *([order] * repeats)])[: self.total_size]
        else:
            order = order[: self.total_size]
        return order[self.rank : self.total_size : self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples
