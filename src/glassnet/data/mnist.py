"""MNIST and Fashion-MNIST: the IDX file reader and load_mnist (local files or a verified download).

The IDX format (LeCun et al.) is a tiny header followed by raw big-endian numbers:

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    then        d sizes, each a big-endian uint32
    then        prod(sizes) elements, row-major (C order)

So an MNIST image file starts 00 00 08 03 (2051 as one integer) followed by 60000, 28, 28; a
label file starts 00 00 08 01 (2049) followed by 60000.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

from ..npz_reading import DEFLATE_MAX_RATIO
from .download import cache_dir, download_file

__all__ = [
    "FASHION_MNIST_CLASSES",
    "MNIST_KINDS",
    "IDXError",
    "load_mnist",
    "mnist_folder",
    "read_idx",
]

_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MAX_BYTES = 1 << 34  # 16 GiB: a header asking for more is corrupt, not a data set
_CHUNK = 1 << 24


class IDXError(ValueError):
    """A file is not a valid IDX file (bad magic number, bad sizes, truncated, corrupt gzip)."""


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (raw, or gzip-compressed: detected from its first bytes) into an array.

    Returns:
        A writable array of the file's shape, in native byte order (uint8 for MNIST).

    Raises:
        FileNotFoundError: no such file.
        IDXError: (a ValueError) the file is not IDX, names an unknown element type, is
            truncated, has bytes after the data, or is a damaged gzip stream. The message says
            which, with the sizes involved.
    """
    path = Path(path)
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
        size = probe.seek(0, os.SEEK_END)
    # A gzip file can hold at most what deflate can expand its bytes to (1032 times), so a
    # header claiming more is refused before anything is inflated (a raw file is read only as
    # far as it goes, and a short one is reported as truncated).
    most = DEFLATE_MAX_RATIO * size + 1024 if gzipped else _MAX_BYTES
    try:
        with gzip.open(path, "rb") if gzipped else open(path, "rb") as f:
            return _read_idx_stream(f, path, min(most, _MAX_BYTES))
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise IDXError(f"{path} is a damaged or truncated gzip file: {e}") from None


def _read_exact(f: IO[bytes], n: int) -> bytearray:
    """Up to n bytes (fewer only at the end of the file), read in chunks so that a corrupt
    header cannot make us allocate more than the file really holds."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return buf


def _read_idx_stream(f: IO[bytes], path: Path, most: int = _MAX_BYTES) -> np.ndarray:
    """Parse an IDX stream whose data can be at most ``most`` bytes (see read_idx)."""
    head = _read_exact(f, 4)
    if len(head) < 4:
        raise IDXError(f"{path} is too short to be an IDX file ({len(head)} bytes)")
    if head[0] != 0 or head[1] != 0:
        magic = struct.unpack(">I", head)[0]
        raise IDXError(
            f"{path} is not an IDX file: its magic number is {magic:#010x}, expected "
            "0x0000TTDD (two zero bytes, a type code, the number of dimensions)"
        )
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        known = ", ".join(f"{c:#04x}" for c in _IDX_TYPES)
        raise IDXError(f"{path} has unknown IDX element type {code:#04x}; known: {known}")
    if ndim == 0:
        raise IDXError(f"{path} declares 0 dimensions")
    dims_raw = _read_exact(f, 4 * ndim)
    if len(dims_raw) < 4 * ndim:
        raise IDXError(f"{path} is truncated inside its header ({ndim} dimension sizes expected)")
    dims = struct.unpack(f">{ndim}I", dims_raw)
    dtype = _IDX_TYPES[code]
    if ndim > 64 or math.prod(d for d in dims if d) * dtype.itemsize >= 2**63:
        # NumPy's limits (64 dimensions, sizes within int64) even when a 0 makes it empty
        raise IDXError(f"{path} declares {ndim} dimensions of sizes {dims}: the header is corrupt")
    nbytes = math.prod(dims) * dtype.itemsize  # exact: 255 sizes of 2**32 do not overflow
    if nbytes > most:
        what = "its gzip stream can hold" if most < _MAX_BYTES else "the 16 GiB limit"
        raise IDXError(
            f"{path} declares shape {dims}, {nbytes} bytes of data, more than {what} "
            f"({most} bytes): the header is corrupt"
        )
    data = _read_exact(f, nbytes)
    if len(data) < nbytes:
        raise IDXError(
            f"{path} is truncated: its header declares shape {dims} ({nbytes} bytes of data) "
            f"but only {len(data)} bytes follow"
        )
    if f.read(1):
        raise IDXError(
            f"{path} has extra bytes after the {nbytes} bytes of data its header declares "
            f"(shape {dims}); the file is corrupt or not IDX"
        )
    array = np.frombuffer(data, dtype=dtype).reshape(dims)
    if dtype.itemsize > 1:
        array = array.astype(dtype.newbyteorder("="))
    return array


# ------------------------------------------------------------------------------------ load_mnist

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# Mirrors and SHA-256 of the four .gz files of each kind. MNIST: the PyTorch team's copy of
# LeCun, Cortes and Burges' files (the original site now asks for a login) and Google's copy.
# Fashion-MNIST (Zalando Research, MIT licence): the project's S3 bucket and its GitHub repo.
# The hashes are those published with the data (and agree with torchvision's MD5 list).
MNIST_KINDS: dict[str, dict] = {
    "mnist": {
        "mirrors": (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        "sha256": {
            "train-images-idx3-ubyte.gz": (
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
            ),
            "train-labels-idx1-ubyte.gz": (
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
            ),
            "t10k-images-idx3-ubyte.gz": (
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
            ),
        },
    },
    "fashion-mnist": {
        "mirrors": (
            "https://fashion-mnist.s3.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ),
        "sha256": {
            "train-images-idx3-ubyte.gz": (
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
            ),
            "train-labels-idx1-ubyte.gz": (
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
            ),
            "t10k-images-idx3-ubyte.gz": (
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
            ),
            "t10k-labels-idx1-ubyte.gz": (
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
            ),
        },
    },
}

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def mnist_folder(root: str | os.PathLike[str] | None = None, kind: str = "mnist") -> Path:
    """The folder load_mnist reads: ``root`` itself, or ``<cache_dir()>/<kind>`` when root is None."""
    _check_kind(kind)
    return Path(root).expanduser() if root is not None else cache_dir() / kind


def load_mnist(
    root: str | os.PathLike[str] | None = None,
    split: str = "train",
    kind: str = "mnist",
    download: bool = False,
    normalize: bool = True,
    flatten: bool = True,
    *,
    fetch: Callable[[str, IO[bytes]], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST (handwritten digits) or Fashion-MNIST (clothes): 28x28 grey images, 10 classes.

    The four standard files are looked for in one folder: ``root`` when given, else
    ``$GLASSNET_CACHE/<kind>`` (``~/.cache/glassnet/<kind>`` when the variable is unset). Each
    may be gzipped (``train-images-idx3-ubyte.gz``) or not (``train-images-idx3-ubyte``, also
    accepted with a dot: ``train-images.idx3-ubyte``). Files found locally are checked for
    structure (IDX magic numbers, 28x28 images, as many labels as images, labels 0..9); the
    SHA-256 is checked when the file is downloaded.

    Args:
        root: the folder holding the files (None: the cache folder above).
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000).
        kind: ``"mnist"`` or ``"fashion-mnist"`` (class names: ``FASHION_MNIST_CLASSES``).
        download: fetch missing files from the public mirrors (``MNIST_KINDS``) into the
            folder, verifying each file's SHA-256 and writing it atomically.
        normalize: scale pixels to [0, 1] (divide by 255); otherwise float32 values 0..255.
        flatten: rows of 784 features (n, 784); otherwise images (n, 1, 28, 28) for Conv2d.
        fetch: ``fetch(url, fileobj)`` used to download (tests pass a fake); default urllib.

    Returns:
        ``(X, y)``: X float32 (n, 784) or (n, 1, 28, 28); y int64 (n,) labels 0..9.

    Raises:
        FileNotFoundError: files are missing and ``download`` is False; the message lists the
            file names and the folder to put them in.
        IDXError: a file is not a valid IDX file or images and labels do not match.
        ChecksumError: a download did not have the published SHA-256.
    """
    _check_kind(kind)
    if split not in _FILES:
        raise ValueError(f"load_mnist split must be 'train' or 'test', got {split!r}")
    folder = mnist_folder(root, kind)
    paths = []
    missing = []
    for base in _FILES[split]:
        found = _find(folder, base)
        if found is None:
            missing.append(base)
        paths.append(found)
    if missing and download:
        spec = MNIST_KINDS[kind]
        for base in missing:
            name = base + ".gz"
            urls = [m + name for m in spec["mirrors"]]
            download_file(urls, folder / name, spec["sha256"][name], fetch=fetch)
        paths = [_find(folder, base) for base in _FILES[split]]
    elif missing:
        wanted = "\n  ".join(f"{b}.gz  (or unpacked: {b})" for b in missing)
        raise FileNotFoundError(
            f"{kind} {split} files not found in {folder}. Put these files there:\n  {wanted}\n"
            f"or call load_mnist(..., download=True) to fetch them "
            f"(they come from {MNIST_KINDS[kind]['mirrors'][0]}). "
            "Set GLASSNET_CACHE or pass root= to use another folder."
        )
    images = read_idx(paths[0])
    labels = read_idx(paths[1])
    _check_pair(images, labels, paths[0], paths[1])
    X = images.astype(np.float32)
    if normalize:
        X /= 255.0
    X = X.reshape(len(X), -1) if flatten else X.reshape(len(X), 1, *images.shape[1:])
    return X, labels.astype(np.int64)


def _check_kind(kind: str) -> None:
    if kind not in MNIST_KINDS:
        raise ValueError(f"kind must be one of {sorted(MNIST_KINDS)}, got {kind!r}")


def _find(folder: Path, base: str) -> Path | None:
    """The first existing spelling of a standard file name in ``folder``."""
    dotted = base.replace("-idx", ".idx")
    for name in (base + ".gz", base, dotted + ".gz", dotted):
        p = folder / name
        if p.is_file():
            return p
    return None


def _check_pair(images: np.ndarray, labels: np.ndarray, ipath: Path, lpath: Path) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise IDXError(
            f"{ipath} should hold uint8 images of shape (n, 28, 28), got {images.dtype} "
            f"{images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IDXError(f"{lpath} should hold uint8 labels of shape (n,), got {labels.shape}")
    if len(images) != len(labels):
        raise IDXError(
            f"{ipath} has {len(images)} images but {lpath} has {len(labels)} labels; "
            "the files do not belong together"
        )
    if labels.size and labels.max() > 9:
        raise IDXError(f"{lpath} has label {labels.max()}; labels must be 0..9")
