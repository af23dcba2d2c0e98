"""The bundled 8x8 handwritten digits (UCI, 1,797 images): load_digits with a fixed train/test split."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .download import read_checked

__all__ = ["DIGITS_PATH", "DIGITS_SHA256", "load_digits"]

DIGITS_PATH = Path(__file__).resolve().parent / "files" / "digits.npz"
DIGITS_SHA256 = "b36ccfa9687c7e7a6afe198d7f14f4788beeae7c8834ab6d6e5da99ae73b5796"

_SPLITS = ("train", "test", "all")


def load_digits(
    split: str = "train", normalize: bool = True, flatten: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The UCI "Optical Recognition of Handwritten Digits" images that ship with glassnet.

    1,797 grey images of 8x8 pixels (each pixel counts 0..16 "on" pixels of a 4x4 block of a
    32x32 scan) of the digits 0..9 by 13 writers; E. Alpaydin and C. Kaynak, UCI Machine
    Learning Repository, CC BY 4.0 (see ``glassnet/data/files/PROVENANCE.md``).

    The split is fixed and stored in the file, so it is the same on every machine: 360 test
    images (a stratified 20%: 35 to 37 of each digit, drawn once with
    ``numpy.random.default_rng(0)`` by ``tools/make_digits.py``) and 1,437 train images. Rows
    keep the file's order.

    The file's SHA-256 is checked on every load; a damaged or altered file raises
    ``ChecksumError`` (a ValueError) instead of being read.

    Args:
        split: ``"train"`` (1,437), ``"test"`` (360) or ``"all"`` (1,797).
        normalize: scale pixels to [0, 1] (divide by 16); otherwise float32 counts 0..16.
        flatten: rows of 64 features (n, 64); otherwise images (n, 1, 8, 8), ready for Conv2d.

    Returns:
        ``(X, y)``: X float32 (n, 64) or (n, 1, 8, 8); y int64 (n,) digits 0..9.

    Example::

        X, y = load_digits("train")      # (1437, 64) float32 in [0, 1], (1437,) int64
    """
    if split not in _SPLITS:
        raise ValueError(f"load_digits split must be one of {_SPLITS}, got {split!r}")
    images, labels, test_mask = _read_bundled(DIGITS_PATH)
    if split == "all":
        rows = slice(None)
    else:
        rows = test_mask.astype(bool) if split == "test" else test_mask == 0
    X = images[rows].astype(np.float32)
    if normalize:
        X /= 16.0
    X = X.reshape(len(X), 64) if flatten else X.reshape(len(X), 1, 8, 8)
    return X, labels[rows].astype(np.int64)


def _read_bundled(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images, labels, test_mask) from the .npz, after checking its SHA-256 and contents."""
    raw = read_checked(path, DIGITS_SHA256, "digits", "tools/make_digits.py")
    with np.load(io.BytesIO(raw), allow_pickle=False) as f:
        images, labels, test_mask = f["images"], f["labels"], f["test_mask"]
    if images.shape != (1797, 8, 8) or labels.shape != (1797,) or test_mask.shape != (1797,):
        raise ValueError(f"unexpected array shapes in {path}")  # unreachable with the right hash
    return images, labels, test_mask
