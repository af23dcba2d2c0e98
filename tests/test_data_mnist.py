"""Tests of the IDX reader and load_mnist on small files the tests write (never the network)."""

import gzip
import hashlib
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

import glassnet.data.mnist as mnist_module
from glassnet.data import ChecksumError, IDXError, cache_dir, load_mnist, read_idx
from glassnet.data.download import download_file

IDX_CODES = {
    np.uint8: 0x08,
    np.int8: 0x09,
    np.int16: 0x0B,
    np.int32: 0x0C,
    np.float32: 0x0D,
    np.float64: 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    code = IDX_CODES[array.dtype.type]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, gz=False):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def make_split(folder, n, split="train", gz=True, seed=0):
    """Write a tiny, valid pair of MNIST files; return (images, labels)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    ext = ".gz" if gz else ""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images, gz)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels, gz)
    return images, labels


# -------------------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize(
    "dtype,shape",
    [
        (np.uint8, (5, 3, 2)),
        (np.int8, (4,)),
        (np.int16, (2, 3)),
        (np.int32, (3, 1)),
        (np.float32, (2, 2)),
        (np.float64, (1, 2, 1, 2)),
    ],
    ids=["uint8-3d", "int8-1d", "int16", "int32", "float32", "float64-4d"],
)
def test_read_idx_round_trip(tmp_path, gz, dtype, shape):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    got = read_idx(write_idx(tmp_path / "f.idx", a, gz))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    assert got.shape == shape
    np.testing.assert_array_equal(got, a)
    got[...] = 0  # writable


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    path = tmp_path / "no-extension"
    path.write_bytes(gzip.compress(idx_bytes(a)))
    np.testing.assert_array_equal(read_idx(path), a)


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
def test_read_idx_truncated_data(tmp_path, gz):
    data = idx_bytes(np.zeros((10, 28, 28), np.uint8))[:-100]
    path = tmp_path / "t.idx"
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(
        IDXError,
        match=r"truncated: its header declares shape \(10, 28, 28\) "
        r"\(7840 bytes of data\) but only 7740 bytes follow",
    ):
        read_idx(path)


def test_read_idx_truncated_gzip_stream(tmp_path):
    packed = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(IDXError, match="damaged or truncated gzip"):
        read_idx(path)


def test_read_idx_header_errors(tmp_path):
    p = tmp_path / "bad"
    p.write_bytes(b"\x00\x00")
    with pytest.raises(IDXError, match="too short"):
        read_idx(p)
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(IDXError, match="not an IDX file: its magic number is 0x504b0304"):
        read_idx(p)
    p.write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IDXError, match="unknown IDX element type 0x07"):
        read_idx(p)
    p.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 1))
    with pytest.raises(IDXError, match="truncated inside its header"):
        read_idx(p)
    p.write_bytes(idx_bytes(np.zeros(3, np.uint8)) + b"\x01")
    with pytest.raises(IDXError, match="extra bytes"):
        read_idx(p)
    p.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 2**32 - 1))
    with pytest.raises(IDXError, match="header is corrupt"):
        read_idx(p)
    # found by the fuzzer: a 0 makes it empty, but NumPy cannot make an array of this shape
    p.write_bytes(b"\x00\x00\x08\x05" + struct.pack(">5I", 0, *[2**32 - 1] * 4))
    with pytest.raises(IDXError, match="5 dimensions of sizes .*: the header is corrupt"):
        read_idx(p)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


def _gzip_of_zeros(head: bytes, zeros: int) -> bytes:
    """A gzip file of ``head`` followed by ``zeros`` zero bytes, built without holding them:
    the deflate block of one MiB of zeros, after a full flush, can simply be repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    mib = c.compress(b"\0" * 2**20) + c.flush(zlib.Z_FULL_FLUSH)
    body += mib * (zeros // 2**20) + c.flush()
    crc = 0  # never reached: the file is refused (or cut short) before its end
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + struct.pack("<II", crc, 0)


def test_read_idx_gzip_claiming_more_than_it_can_inflate_is_refused_unread(tmp_path):
    """A 4 KB gzip file whose header claims 4 GiB: deflate expands at most 1032 times, so the
    header is refused before any data is inflated (memory stays small by construction)."""
    p = tmp_path / "bomb-idx3-ubyte.gz"
    p.write_bytes(_gzip_of_zeros(b"\x00\x00\x08\x02" + struct.pack(">2I", 2**16, 2**16), 0))
    assert p.stat().st_size < 4096
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=r"more than its gzip stream can hold") as info:
            read_idx(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(p) in str(info.value) and peak < 2**24


def test_read_idx_gzip_bomb_inflates_only_what_the_header_declares(tmp_path):
    """A 300 KB gzip file that inflates to 300 MiB but whose header declares 4 bytes: reading
    stops after the declared data and reports the rest as extra bytes."""
    head = b"\x00\x00\x08\x01" + struct.pack(">I", 4) + b"\x01\x02\x03\x04"
    p = tmp_path / "bomb2-idx1-ubyte.gz"
    p.write_bytes(_gzip_of_zeros(head, 300 * 2**20))
    assert p.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match="extra bytes"):
            read_idx(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**24


# ------------------------------------------------------------------------------------ load_mnist


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_load_mnist_from_local_files(tmp_path, gz):
    images, labels = make_split(tmp_path, 12, "test", gz=gz)
    X, y = load_mnist(tmp_path, split="test")
    assert X.shape == (12, 784) and X.dtype == np.float32
    assert y.dtype == np.int64
    np.testing.assert_allclose(X, images.reshape(12, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    Xi, _ = load_mnist(tmp_path, split="test", normalize=False, flatten=False)
    assert Xi.shape == (12, 1, 28, 28)
    np.testing.assert_array_equal(Xi[:, 0], images)


def test_load_mnist_accepts_dotted_names(tmp_path):
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "train-images.idx3-ubyte", rng.integers(0, 255, (3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels.idx1-ubyte", np.array([1, 2, 3], np.uint8))
    _, y = load_mnist(tmp_path)
    assert y.tolist() == [1, 2, 3]


def test_load_mnist_uses_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path
    make_split(tmp_path / "fashion-mnist", 4, "train")
    X, _ = load_mnist(kind="fashion-mnist")
    assert X.shape == (4, 784)
    monkeypatch.delenv("GLASSNET_CACHE")
    assert cache_dir().parts[-2:] == (".cache", "glassnet")


def test_load_mnist_missing_files_message_lists_names_and_folder(tmp_path):
    make_split(tmp_path, 3, "train")  # train present, test absent
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(tmp_path, split="train")
    msg = str(err.value)
    assert str(tmp_path) in msg
    assert "train-labels-idx1-ubyte.gz" in msg
    assert "train-images" not in msg  # only what is missing
    assert "download=True" in msg
    with pytest.raises(FileNotFoundError, match="(?s)t10k-images-idx3-ubyte.gz.*t10k-labels"):
        load_mnist(tmp_path, split="test")


def test_load_mnist_mismatched_or_wrong_files(tmp_path):
    make_split(tmp_path, 5, "train")
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, np.uint8), gz=True)
    with pytest.raises(IDXError, match="5 images but .* 4 labels"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.full(5, 12, np.uint8), gz=True)
    with pytest.raises(IDXError, match="label 12"):
        load_mnist(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((5, 8, 8), np.uint8), gz=True)
    with pytest.raises(IDXError, match=r"\(n, 28, 28\)"):
        load_mnist(tmp_path)


def test_load_mnist_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="kind must be one of"):
        load_mnist(tmp_path, kind="kmnist")
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist(tmp_path, split="all")


def test_official_hash_table_is_complete():
    for spec in mnist_module.MNIST_KINDS.values():
        assert len(spec["mirrors"]) >= 2
        assert len(spec["sha256"]) == 4
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in spec["sha256"].values())


# -------------------------------------------------------------------------------------- download


def _serve_folder(tmp_path, monkeypatch, kind="mnist", n=6, corrupt=()):
    """Put .gz files in a 'server' folder and point the kind's mirrors and hashes at them."""
    server = tmp_path / "server"
    make_split(server, n, "train", gz=True)
    make_split(server, n, "test", gz=True, seed=1)
    hashes = {}
    for f in server.iterdir():
        hashes[f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
        if f.name in corrupt:
            f.write_bytes(f.read_bytes() + b"junk")
    spec = {
        "mirrors": (
            "file://" + str(tmp_path / "missing-mirror") + "/",
            "file://" + str(server) + "/",
        ),
        "sha256": hashes,
    }
    monkeypatch.setitem(mnist_module.MNIST_KINDS, kind, spec)
    return server


def test_download_from_local_mirror_verifies_and_loads(tmp_path, monkeypatch):
    server = _serve_folder(tmp_path, monkeypatch)
    dest = tmp_path / "data"
    X, y = load_mnist(dest, split="train", download=True)  # first mirror fails, second works
    assert X.shape == (6, 784)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        assert (dest / name).read_bytes() == (server / name).read_bytes()
    assert not any(p.name.endswith(".tmp") for p in dest.iterdir())
    # Files already present are not fetched again.
    calls = []
    load_mnist(dest, split="train", download=True, fetch=lambda url, out: calls.append(url))
    assert calls == []


def test_download_checksum_mismatch_leaves_nothing(tmp_path, monkeypatch):
    _serve_folder(tmp_path, monkeypatch, corrupt=("t10k-labels-idx1-ubyte.gz",))
    dest = tmp_path / "data"
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz.*expected [0-9a-f]{64}"):
        load_mnist(dest, split="test", download=True)
    assert sorted(p.name for p in dest.iterdir()) == ["t10k-images-idx3-ubyte.gz"]


def test_download_with_fake_fetch_function(tmp_path):
    payload = b"hello glassnet"
    good = hashlib.sha256(payload).hexdigest()
    seen = []

    def fetch(url, out):
        seen.append(url)
        if "down" in url:
            raise OSError("connection refused")
        out.write(payload[:5])
        out.write(payload[5:])

    dest = download_file(
        ["https://down.example/f", "https://up.example/f"], tmp_path / "f", good, fetch=fetch
    )
    assert dest.read_bytes() == payload and len(seen) == 2
    with pytest.raises(OSError, match=r"(?s)no network\?.*down.example/g: connection refused"):
        download_file(["https://down.example/g"], tmp_path / "g", good, fetch=fetch)
    assert not (tmp_path / "g").exists()
    (tmp_path / "h").write_bytes(b"old contents")
    with pytest.raises(ChecksumError):
        download_file(["https://up.example/h"], tmp_path / "h", "0" * 64, fetch=fetch)
    assert (tmp_path / "h").read_bytes() == b"old contents"  # the old file survives
