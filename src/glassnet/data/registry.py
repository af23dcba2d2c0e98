"""The dataset registry: DATASETS (name -> description, for `glassnet datasets`) and load_dataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import synthetic
from .digits import load_digits
from .mnist import load_mnist

__all__ = ["DATASETS", "load_dataset"]

DATASETS: dict[str, str] = {
    "digits": "8x8 handwritten digits (UCI), 1,797 images, 10 classes; bundled, no download",
    "spiral": "synthetic 2-D: interleaved spiral arms, one class per arm (default 3)",
    "moons": "synthetic 2-D: two interleaving half circles, 2 classes",
    "circles": "synthetic 2-D: a small circle inside a big one, 2 classes",
    "xor": "synthetic 2-D: the four quadrants, label 1 where x*y < 0, 2 classes",
    "blobs": "synthetic 2-D: Gaussian clusters, one class per center (default 3)",
    "sine": "synthetic 1-D regression: y = sin(x) + noise",
    "mnist": "28x28 handwritten digits, 60,000 train / 10,000 test, 10 classes; needs download",
    "fashion-mnist": "28x28 clothing images (Zalando), 60,000 train / 10,000 test, 10 classes; "
    "needs download",
}

_SYNTHETIC = {
    "spiral": synthetic.spiral,
    "moons": synthetic.moons,
    "circles": synthetic.circles,
    "xor": synthetic.xor,
    "blobs": synthetic.blobs,
    "sine": synthetic.sine,
}

TEST_FRACTION = 0.2


def load_dataset(
    name: str, split: str = "train", seed: int = 0, **kwargs: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Load any dataset of ``DATASETS`` by name as NumPy arrays ``(X, y)``.

    * ``digits``: ``load_digits(split, **kwargs)``.
    * ``mnist`` / ``fashion-mnist``: ``load_mnist(split=split, kind=name, **kwargs)``
      (pass ``download=True`` or ``root=`` through ``kwargs``).
    * synthetic sets: the generator is called with ``seed`` and ``kwargs``, and the rows (in
      random order already) are split the same way every time: the last 20% are ``"test"``,
      the rest ``"train"``; ``"all"`` returns every row.

    Raises ValueError listing the known names for an unknown ``name``.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
    if name == "digits":
        return load_digits(split, **kwargs)
    if name in ("mnist", "fashion-mnist"):
        return load_mnist(split=split, kind=name, **kwargs)
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    X, y = _SYNTHETIC[name](seed=seed, **kwargs)
    if split == "all":
        return X, y
    n_test = int(round(len(X) * TEST_FRACTION))
    cut = len(X) - n_test
    return (X[:cut], y[:cut]) if split == "train" else (X[cut:], y[cut:])
