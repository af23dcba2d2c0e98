"""Build src/glassnet/data/files/digits.npz from the UCI digits CSV (run once; kept for provenance).

The source is the 8x8 "Optical Recognition of Handwritten Digits" data of the UCI Machine
Learning Repository (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), in the form scikit-learn
ships it: ``digits.csv.gz``, 1,797 rows of 64 pixel counts (0..16) followed by the label.

What this script writes (an ``.npz`` that ``numpy.load`` reads with ``allow_pickle=False``):

* ``images``     uint8 (1797, 8, 8), pixel counts 0..16, row-major like the CSV;
* ``labels``     uint8 (1797,), the digit 0..9;
* ``test_mask``  uint8 (1797,), 1 for the 360 rows of the fixed test split, 0 for the 1,437 train
  rows. The split is stratified: each digit gives its share of the 360 test rows (largest
  remainder rounding of ``count * 360 / 1797``), and which rows of a digit are drawn is decided
  by ``numpy.random.default_rng(SPLIT_SEED).permutation``. Storing the mask (rather than
  recomputing it at load time) keeps the split identical forever, whatever NumPy version runs.

The zip archive is written with fixed timestamps, so running the script again with the same
source and zlib reproduces the file byte for byte (and so its SHA-256).

Usage::

    python tools/make_digits.py path/to/digits.csv.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

SPLIT_SEED = 0
N_TEST = 360
OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "glassnet" / "data" / "files"
ZIP_DATE = (1998, 7, 1, 0, 0, 0)  # the dataset's date; any fixed value makes the bytes repeatable


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Parse the CSV into (images uint8 (n, 8, 8), labels uint8 (n,)) with sanity checks."""
    with gzip.open(path, "rt", encoding="ascii") as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    table = np.array(rows, dtype=np.int64)
    if table.shape != (1797, 65):
        raise ValueError(f"expected 1797 rows of 65 numbers, got shape {table.shape}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise ValueError("pixel values must be 0..16 and labels 0..9")
    return pixels.reshape(-1, 8, 8).astype(np.uint8), labels.astype(np.uint8)


def stratified_test_mask(labels: np.ndarray, n_test: int, seed: int) -> np.ndarray:
    """A 0/1 mask choosing n_test rows, each class in proportion to its size."""
    classes, counts = np.unique(labels, return_counts=True)
    exact = counts * n_test / len(labels)
    take = np.floor(exact).astype(np.int64)
    # Largest remainder: the classes with the biggest fractional parts get one more row each
    # (a stable sort, so ties go to the smaller digit).
    order = np.argsort(-(exact - take), kind="stable")
    take[order[: n_test - take.sum()]] += 1
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(labels), dtype=np.uint8)
    for c, k in zip(classes, take):
        rows = np.flatnonzero(labels == c)
        mask[rows[rng.permutation(len(rows))[:k]]] = 1
    return mask


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz (zip of .npy files) with fixed timestamps, so the bytes are reproducible."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, array in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, npy.getvalue(), compresslevel=9)
    path.write_bytes(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="digits.csv.gz (64 pixel columns, then the label)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "digits.npz")
    args = parser.parse_args()

    images, labels = read_csv(args.csv)
    mask = stratified_test_mask(labels, N_TEST, SPLIT_SEED)
    write_npz(args.out, {"images": images, "labels": labels, "test_mask": mask})

    source_sha = hashlib.sha256(args.csv.read_bytes()).hexdigest()
    out_sha = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"source {args.csv.name}: sha256 {source_sha}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes): sha256 {out_sha}")
    print(f"train {int((mask == 0).sum())} / test {int(mask.sum())}")
    for c in range(10):
        print(f"  digit {c}: {int((labels == c).sum())} rows, {int(mask[labels == c].sum())} test")


if __name__ == "__main__":
    main()
