"""glassnet.load against hostile archives (issue 10, item 3): zip bombs and impossible claims.

Every file here is built by the test itself, small on disk (about a megabyte at most), and
claims or inflates to hundreds of megabytes. Each must be refused with a SerializationError
that says what is wrong, while Python's traced memory stays far below what the file claims:
bounded by construction (the reader refuses before inflating), not by a timer.
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import glassnet as gn
from glassnet.npz_reading import DEFLATE_MAX_RATIO
from glassnet.serialization import MANIFEST_NAME, MAX_MANIFEST_BYTES, SerializationError, load

MiB = 2**20
BOMB_SIZE = 900 * MiB  # what the bombs inflate to (or claim)
MEMORY_BOUND = 3 * MAX_MANIFEST_BYTES  # what loading any of them may use, far below BOMB_SIZE


def deflate_repeated(chunk: bytes, times: int) -> bytes:
    """A raw deflate stream that inflates to ``chunk * times`` without ever building it.

    A full flush makes the compressed chunk independent of what came before, so the same
    compressed bytes can be repeated; a final empty block ends the stream.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    return block * times + c.flush()


def build_zip(members: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip archive written by hand from (name, method, compressed data, crc, claimed size), so
    that a member can claim any inflated size and hold any bytes."""
    out = io.BytesIO()
    central = []
    for name, method, data, crc, size in members:
        offset = out.tell()
        raw = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                              len(data), size, len(raw), 0))  # fmt: skip
        out.write(raw + data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc,
                        len(data), size, len(raw), 0, 0, 0, 0, 0, offset) + raw
        )  # fmt: skip
    start = out.tell()
    out.write(b"".join(central))
    size_cd = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size_cd,
                          start, 0))  # fmt: skip
    return out.getvalue()


def manifest_for(arrays: dict[str, tuple[str, list[int]]]) -> bytes:
    """A valid manifest: a dict of tensors, one per array (name -> (dtype, shape))."""
    table = {key: {"dtype": dtype, "shape": shape} for key, (dtype, shape) in arrays.items()}
    items = [
        [{"type": "str", "value": key}, {"type": "tensor", "array": key, "requires_grad": False}]
        for key in arrays
    ]
    manifest = {"format": "glassnet", "format_version": 1, "glassnet_version": "0.1.0",
                "arrays": table, "root": {"type": "dict", "items": items}}  # fmt: skip
    return json.dumps(manifest).encode()


def stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    return (name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))


def npy_header(dtype: str, shape: tuple[int, ...]) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def load_measured(path):
    """Load ``path`` expecting a SerializationError; return (error, peak traced bytes)."""
    tracemalloc.start()
    try:
        with pytest.raises(SerializationError) as info:
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return info.value, peak


@pytest.fixture
def write(tmp_path):
    def write(data: bytes, name: str = "bomb.npz"):
        path = tmp_path / name
        path.write_bytes(data)
        assert path.stat().st_size < 2 * MiB  # small on disk
        return path

    return write


# ----------------------------------------------------------------------------------------------
# The manifest
# ----------------------------------------------------------------------------------------------


def test_manifest_bomb_that_admits_its_size_is_refused_unread(write):
    """The bomb of issue 10: a 1 MB file whose deflated manifest inflates to 900 MB."""
    bomb = deflate_repeated(b" " * MiB, BOMB_SIZE // MiB)
    path = write(build_zip([(MANIFEST_NAME, zipfile.ZIP_DEFLATED, bomb, 0, BOMB_SIZE)]))
    error, peak = load_measured(path)
    assert error.corrupt and str(path) in str(error)
    assert f"claims {BOMB_SIZE} bytes; the limit is {MAX_MANIFEST_BYTES}" in str(error)
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize(
    "claimed", [100, MAX_MANIFEST_BYTES], ids=["claims_100_bytes", "claims_the_limit"]
)
def test_manifest_bomb_that_lies_about_its_size_inflates_only_what_it_claims(write, claimed):
    """A bomb whose directory entry claims a small size is inflated only up to that size (the
    bounded read) and then fails its checksum or its JSON."""
    bomb = deflate_repeated(b" " * MiB, BOMB_SIZE // MiB)
    path = write(build_zip([(MANIFEST_NAME, zipfile.ZIP_DEFLATED, bomb, 0, claimed)]))
    error, peak = load_measured(path)
    assert error.corrupt and "corrupt or truncated" in str(error)
    assert peak < MEMORY_BOUND


def test_manifest_just_over_the_limit_is_refused(write):
    text = b" " * MAX_MANIFEST_BYTES + manifest_for({})
    packed = zlib.compress(text, 9)[2:-4]  # raw deflate
    path = write(build_zip([(MANIFEST_NAME, zipfile.ZIP_DEFLATED, packed, zlib.crc32(text),
                             len(text))]))  # fmt: skip
    error, _ = load_measured(path)
    assert "the limit is 16777216" in str(error)


def test_manifest_under_the_limit_loads(write):
    """The limit refuses only what no real file needs: padding a manifest near it still loads."""
    text = b" " * (MAX_MANIFEST_BYTES - 4096) + manifest_for({})
    packed = zlib.compress(text, 9)[2:-4]
    path = write(build_zip([(MANIFEST_NAME, zipfile.ZIP_DEFLATED, packed, zlib.crc32(text),
                             len(text))]))  # fmt: skip
    assert load(path) == {}


def test_save_refuses_a_structure_whose_manifest_would_pass_the_limit(tmp_path):
    """What save writes, load reads: 17 MiB of text in the structure is refused at save time
    with the advice to store large data as arrays."""
    with pytest.raises(ValueError, match="as arrays"):
        gn.save({"notes": "x" * (MAX_MANIFEST_BYTES + 1)}, tmp_path / "big.npz")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------
# Array members
# ----------------------------------------------------------------------------------------------


def test_array_whose_header_claims_more_than_its_compressed_bytes_can_hold(write):
    """A .npy header claiming 900 MB of float32 in a member of a few hundred compressed bytes:
    deflate cannot expand more than 1032 times, so the member is refused before it is read."""
    shape = (BOMB_SIZE // 4,)
    data = npy_header("<f4", shape) + b"\0" * 4096
    packed = zlib.compress(data, 9)[2:-4]
    size = len(npy_header("<f4", shape)) + BOMB_SIZE
    path = write(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", list(shape))})),
        ("a0.npy", zipfile.ZIP_DEFLATED, packed, 0, size),
    ]))  # fmt: skip
    error, peak = load_measured(path)
    assert f"claims {size} bytes, more than its {len(packed)} deflated bytes can hold" in str(error)
    assert peak < MEMORY_BOUND


def test_array_that_inflates_beyond_its_header_is_cut_at_the_header_size(write):
    """The header says 4 floats and the member claims header + 16 bytes, but its deflate stream
    goes on to 900 MB: only the claimed bytes are inflated, then the checksum fails."""
    head = npy_header("<f4", (4,))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head + b"\0" * 16) + c.flush(zlib.Z_FULL_FLUSH)
    bomb = start + deflate_repeated(b"\0" * MiB, BOMB_SIZE // MiB)
    path = write(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", [4])})),
        ("a0.npy", zipfile.ZIP_DEFLATED, bomb, 0, len(head) + 16),
    ]))  # fmt: skip
    error, peak = load_measured(path)
    assert error.corrupt and "CRC" in str(error)
    assert peak < MEMORY_BOUND


def test_array_header_claiming_more_than_the_member_holds(write):
    """A stored member with a header claiming a gigabyte and 16 bytes of data."""
    data = npy_header("<f4", (2**28,)) + b"\0" * 16
    path = write(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", [2**28])})),
        stored("a0.npy", data),
    ]))  # fmt: skip
    error, peak = load_measured(path)
    assert f"holds {len(data)} bytes but a <f4 array of shape (268435456,) needs" in str(error)
    assert peak < MEMORY_BOUND


def test_member_claiming_to_run_past_the_end_of_the_file(write):
    data = npy_header("<f4", (2**28,))
    name, method, body, crc, _ = stored("a0.npy", data)
    claimed = len(data) + 2**30
    path = write(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", [2**28])})),
        (name, method, body, crc, claimed),
    ]))  # fmt: skip
    # the directory says a stored member of 16 bytes inflates to a gigabyte: impossible
    error, peak = load_measured(path)
    assert "a stored member holds exactly its bytes" in str(error)
    assert peak < MEMORY_BOUND


def test_overlapping_members_are_refused(write):
    """Two directory entries pointing into the same bytes (the overlapping-files bomb) would let
    one compressed piece inflate many times."""
    head = npy_header("<f4", (4,)) + b"\0" * 16
    archive = bytearray(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", [4]), "a1": ("<f4", [4])})),
        stored("a0.npy", head),
        stored("a1.npy", head),
    ]))  # fmt: skip
    # point the second array's central directory entry at the first array's local header
    first = archive.index(b"PK\x03\x04", 1)
    central = archive.rindex(b"PK\x01\x02")
    struct.pack_into("<I", archive, central + 42, first)
    path = write(bytes(archive))
    error, _ = load_measured(path)
    assert "overlap" in str(error) or "corrupt" in str(error)


def test_bzip2_member_is_refused(write):
    """bzip2 expands millions of times; NumPy and glassnet never write it."""
    data = npy_header("<f4", (4,)) + b"\0" * 16
    path = write(build_zip([
        stored(MANIFEST_NAME, manifest_for({"a0": ("<f4", [4])})),
        ("a0.npy", zipfile.ZIP_BZIP2, b"BZh9", zlib.crc32(data), len(data)),
    ]))  # fmt: skip
    error, _ = load_measured(path)
    assert "compression method 12" in str(error)


def test_deflated_archive_within_the_ratio_still_loads(tmp_path):
    """numpy.savez_compressed-style deflated members are fine when honest."""
    good = tmp_path / "good.npz"
    obj = {"w": gn.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4)), "z": np.zeros(5000)}
    gn.save(obj, good)
    squeezed = tmp_path / "squeezed.npz"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(squeezed, "w", zipfile.ZIP_DEFLATED) as z:
        for name in zin.namelist():
            z.writestr(name, zin.read(name))
    assert squeezed.stat().st_size < good.stat().st_size
    out = load(squeezed)
    np.testing.assert_array_equal(out["w"].numpy(), obj["w"].numpy())
    np.testing.assert_array_equal(out["z"], obj["z"])


def test_deflate_ratio_is_zlibs_documented_maximum():
    """The bound must hold for the most compressible input there is (a run of one byte)."""
    data = b"\0" * (8 * MiB)
    packed = zlib.compress(data, 9)
    assert len(data) <= DEFLATE_MAX_RATIO * len(packed)


# ----------------------------------------------------------------------------------------------
# A standalone .npy file (what `glassnet predict` reads for a .npy INPUT)
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6, dtype=np.int16).reshape(2, 3),
        np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        np.zeros((0, 5), np.float32),
        np.array(["a", "bc"]),
    ],
    ids=["int16", "fortran_float64", "empty", "strings"],
)
def test_read_npy_file_matches_numpy(tmp_path, array):
    from glassnet.npz_reading import read_npy_file

    path = tmp_path / "x.npy"
    np.save(path, array)
    out = read_npy_file(path)
    assert out.dtype == array.dtype and out.shape == array.shape
    np.testing.assert_array_equal(out, array)


def test_read_npy_file_refuses_a_header_claiming_8_terabytes_unallocated(tmp_path):
    from glassnet.npz_reading import ArchiveError, read_npy_file

    path = tmp_path / "liar.npy"
    path.write_bytes(npy_header("<f8", (10**12,)) + b"\0" * 64)
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError, match=r"holds \d+ bytes but a <f8 array of shape"):
            read_npy_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MiB


def test_read_npy_file_never_unpickles(tmp_path):
    from glassnet.npz_reading import ArchiveError, read_npy_file

    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ArchiveError, match="never unpickled") as info:
        read_npy_file(path)
    assert str(path) in str(info.value)
