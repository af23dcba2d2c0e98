"""Tests of the bundled digits file: shapes, the fixed split, the SHA-256 check, provenance."""

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import glassnet.data.digits as digits_module
from glassnet.data import ChecksumError, load_digits


def test_all_split_shapes_dtypes_ranges():
    X, y = load_digits("all")
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(y).tolist()) == list(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_fixed_stratified_split():
    Xtr, ytr = load_digits("train")
    Xte, yte = load_digits("test")
    assert len(Xtr) == 1437 and len(Xte) == 360
    counts = np.bincount(yte, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37 and counts.sum() == 360
    # train and test are disjoint and together are the whole set (as multisets of rows)
    Xall, _ = load_digits("all")
    both = np.concatenate([Xtr, Xte])
    assert {r.tobytes() for r in both} == {r.tobytes() for r in Xall}
    # the same every time
    Xte2, yte2 = load_digits("test")
    np.testing.assert_array_equal(Xte, Xte2)
    np.testing.assert_array_equal(yte, yte2)
    # pinned: the split is stored in the file, so these never change
    assert yte[:10].tolist() == [5, 9, 2, 4, 6, 7, 9, 3, 4, 6]
    assert ytr[:10].tolist() == [0, 1, 2, 3, 4, 6, 7, 8, 0, 1]


def test_raw_counts_and_image_layout():
    X, y = load_digits("all", normalize=False, flatten=False)
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert X.max() == 16.0 and np.all(X == np.round(X))
    # the first row of the UCI file is a 0
    assert y[0] == 0
    np.testing.assert_array_equal(X[0, 0, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    Xn, _ = load_digits("all")
    np.testing.assert_allclose(Xn[0], X[0].reshape(64) / 16)


def test_bad_split_name():
    with pytest.raises(ValueError, match="split must be one of"):
        load_digits("validation")


def test_tampered_copy_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "digits.npz"
    shutil.copy(digits_module.DIGITS_PATH, copy)
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    monkeypatch.setattr(digits_module, "DIGITS_PATH", copy)
    with pytest.raises(ChecksumError, match="damaged or altered: its SHA-256 is [0-9a-f]{64}"):
        load_digits()
    assert issubclass(ChecksumError, ValueError)


def test_missing_file_message(tmp_path, monkeypatch):
    monkeypatch.setattr(digits_module, "DIGITS_PATH", tmp_path / "gone.npz")
    with pytest.raises(FileNotFoundError, match="bundled digits file is missing"):
        load_digits()


def test_provenance_names_source_licence_and_hash():
    files = Path(digits_module.DIGITS_PATH).parent
    text = (files / "PROVENANCE.md").read_text()
    actual = hashlib.sha256(digits_module.DIGITS_PATH.read_bytes()).hexdigest()
    assert actual == digits_module.DIGITS_SHA256
    assert actual in text
    for needle in ("CC BY 4.0", "UCI", "Alpaydin", "Kaynak", "1,437", "360"):
        assert needle in text
    assert digits_module.DIGITS_PATH.stat().st_size < 100_000
