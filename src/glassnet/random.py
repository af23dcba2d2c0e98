"""Randomness: one global NumPy Generator that every random factory, init, dropout and shuffle draws from."""

from __future__ import annotations

from typing import Any

import numpy as np

from .device import check_device

#: The seed a new ``Generator()`` starts from (PyTorch's default seed).
DEFAULT_SEED = 67280421310721


class Generator(np.random.Generator):
    """PyTorch's ``torch.Generator``: a NumPy random Generator that can be re-seeded in place.

    It *is* a ``numpy.random.Generator`` (PCG64 bits, the stream ``numpy.random.default_rng``
    gives for the same seed), so every glassnet function taking ``generator=`` accepts it.

    Args:
        device: accepted for PyTorch code; only the CPU.

    Example::

        g = glassnet.Generator().manual_seed(0)
        x = glassnet.rand(3, generator=g)
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device)
        super().__init__(np.random.PCG64())
        self.manual_seed(DEFAULT_SEED)  # a new generator starts from a fixed seed, as in PyTorch

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (a non-negative integer); returns the generator."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._initial_seed = int(seed)
        return self

    def seed(self) -> int:
        """Re-seed from fresh operating-system entropy; returns the new seed."""
        new = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        """The seed last given to ``manual_seed`` (or chosen by ``seed()``)."""
        return self._initial_seed

    def get_state(self) -> dict:
        """The state as a plain dict (for ``set_state``)."""
        return self.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        """Restore a state returned by ``get_state``."""
        self.bit_generator.state = state
        return self


_generator = Generator()
_generator.seed()  # the global stream differs from run to run until manual_seed is called


def manual_seed(seed: int) -> Generator:
    """Seed glassnet's global random generator so that runs are reproducible.

    Every random factory (rand, randn, randint), layer initialization, dropout mask and
    DataLoader shuffle that is not given its own generator draws from this one.

    Args:
        seed: a non-negative integer.

    Returns:
        The re-seeded generator (a ``glassnet.Generator``, which is a ``numpy.random.Generator``).
    """
    return _generator.manual_seed(seed)  # in place: ``glassnet.default_generator`` stays it


def initial_seed() -> int:
    """The global generator's seed (from ``manual_seed``, else drawn from the system at import)."""
    return _generator.initial_seed()


def seed() -> int:
    """Seed the global generator from operating-system entropy; returns the seed."""
    return _generator.seed()


def default_generator() -> np.random.Generator:
    """The global generator: one object for the whole run (manual_seed re-seeds it in place), which
    ``glassnet.default_generator`` names as ``torch.default_generator`` does."""
    return _generator


def get_rng_state() -> dict:
    """The global generator's state as a plain dict of numbers (JSON-safe), for checkpoints."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by get_rng_state."""
    _generator.bit_generator.state = state
