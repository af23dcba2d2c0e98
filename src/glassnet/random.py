"""Randomness: one global NumPy Generator that every random factory, init, dropout and shuffle draws from."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed glassnet's global random generator so that runs are reproducible.

    Every random factory (rand, randn, randint), layer initialization, dropout mask and
    DataLoader shuffle that is not given its own generator draws from this one.

    Args:
        seed: a non-negative integer.

    Returns:
        The re-seeded generator (a ``numpy.random.Generator``).
    """
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed expects a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def default_generator() -> np.random.Generator:
    """The global generator (re-created by manual_seed; do not cache it across a manual_seed call)."""
    return _generator


def get_rng_state() -> dict:
    """The global generator's state as a plain dict of numbers (JSON-safe), for checkpoints."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by get_rng_state."""
    _generator.bit_generator.state = state
