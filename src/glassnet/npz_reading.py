"""Bounded reading of .npz archives and .npy files: a hostile file cannot make glassnet inflate
or allocate more than it really holds.

A zip archive describes itself: its central directory says, for every member, where the member
starts, how many compressed bytes it has and how many bytes it inflates to; a ``.npy`` member
then says its own dtype and shape. All of these are claims a damaged or hostile file can make
up. Believing them costs memory and time: a 1 MB file whose deflated member inflates to 900 MB
(a "zip bomb") or whose ``.npy`` header claims a terabyte makes a trusting reader allocate the
terabyte or inflate the 900 MB before noticing anything is wrong.

So every claim is checked against something that cannot lie before it is acted on:

* **Layout.** Every member's compressed bytes must lie inside the file, and no two members may
  overlap (overlapping members let one small piece of data be inflated many times). So the
  compressed sizes add up to at most the file's length.
* **Compression ratio.** A stored member holds exactly its compressed bytes. Deflate can expand
  at most about 1032 times (zlib's documented maximum: 1032:1), so a deflated member of ``c``
  compressed bytes claiming more than ``1032 * c + 1024`` bytes is refused before it is opened.
  Other methods (bzip2, lzma) have far larger ratios and are never written by NumPy or glassnet;
  they are refused.
* **Bounded reads.** A member is read with a size limit (``read(limit + 1)``): if more comes
  out than the limit allows, it is refused at once, having inflated at most ``limit + 1`` bytes.
* **Arrays.** The ``.npy`` header's dtype and shape give the exact size of the data; the member
  must inflate to exactly header + data bytes. Memory for the array is asked for only once the
  member's size is known to be possible (the two checks above), and it is filled chunk by chunk
  straight from the member, so a member that ends early costs only what it delivered.

Taken together: loading a file of ``n`` bytes inflates at most about ``1032 * n`` bytes (and
exactly ``n`` for a stored file, which is what glassnet and ``numpy.savez`` write).

Problems raise :class:`ArchiveError`, which the caller turns into its own error naming the file.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from typing import IO

import numpy as np

__all__ = [
    "DEFLATE_MAX_RATIO",
    "ArchiveError",
    "check_layout",
    "read_member",
    "read_npy_file",
    "read_npy_member",
]

#: The most deflate can expand: zlib's documentation gives 1032:1; the slack covers tiny members.
DEFLATE_MAX_RATIO = 1032
_DEFLATE_SLACK = 1024
_LOCAL_HEADER_BYTES = 30  # a zip local file header is at least 30 bytes (plus the member's name)
_CHUNK = 1 << 22  # read arrays 4 MiB at a time: big enough to be fast, small enough for the cache
_MAX_DIMS = 64  # NumPy's own limit on the number of dimensions
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


class ArchiveError(ValueError):
    """The archive's structure is damaged or makes impossible claims (the message says which)."""


def most_inflated(info: zipfile.ZipInfo) -> int:
    """The largest size a member can honestly inflate to, from its compressed size and method."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    return DEFLATE_MAX_RATIO * info.compress_size + _DEFLATE_SLACK


def check_layout(zf: zipfile.ZipFile, length: int) -> None:
    """Check that every member lies inside an archive of ``length`` bytes, without overlaps, uses
    a supported compression method and claims an inflated size its compressed bytes can hold."""
    previous_end, previous_name = 0, None
    for info in sorted(zf.infolist(), key=lambda i: i.header_offset):
        name = info.filename
        if info.compress_type not in _METHODS:
            raise ArchiveError(
                f"member {name!r} uses zip compression method {info.compress_type}; only stored "
                "and deflated members are read (the ones NumPy and glassnet write)"
            )
        if info.header_offset < previous_end:
            raise ArchiveError(f"members {previous_name!r} and {name!r} overlap in the file")
        end = info.header_offset + _LOCAL_HEADER_BYTES + len(name) + info.compress_size
        if end > length:
            raise ArchiveError(
                f"member {name!r} claims {info.compress_size} bytes, which run past the end of "
                f"the {length}-byte file"
            )
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise ArchiveError(
                f"stored member {name!r} claims to inflate {info.compress_size} bytes to "
                f"{info.file_size}; a stored member holds exactly its bytes"
            )
        if info.file_size > most_inflated(info):
            raise ArchiveError(
                f"member {name!r} claims {info.file_size} bytes, more than its "
                f"{info.compress_size} {_METHODS[info.compress_type]} bytes can hold"
            )
        previous_end, previous_name = end, name


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The inflated bytes of member ``name``, refused once more than ``limit`` bytes come out."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ArchiveError(f"member {name!r} claims {info.file_size} bytes; the limit is {limit}")
    with zf.open(info) as member:
        data = member.read(limit + 1)  # a bounded read: never inflate more than limit + 1 bytes
    if len(data) > limit:
        raise ArchiveError(f"member {name!r} inflates to more than its limit of {limit} bytes")
    return data


def _read_header(stream: IO[bytes], what: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran_order, dtype) from a .npy header (NumPy bounds the header's own size)."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(stream)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(stream)
    except Exception as e:  # noqa: BLE001 - NumPy's header parser leaks tokenize/ast errors
        if isinstance(e, (zipfile.BadZipFile, zlib.error)):  # the zip's problem, not the header's
            raise
        raise ArchiveError(f"{what} has a damaged .npy header ({type(e).__name__})") from None
    raise ArchiveError(f"{what} has unsupported .npy version {version}")


def _read_npy(
    stream: IO[bytes],
    what: str,
    size: int,
    dtype: np.dtype | None = None,
    shape: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Read a .npy array of ``size`` bytes in all (header + data) from ``stream``.

    The header is checked first: no object dtype, the expected ``dtype`` and ``shape`` when
    given, and exactly ``size`` bytes for header + data. Only then is the array's memory asked
    for, and it is filled chunk by chunk, so a stream that ends early costs what it delivered.
    """
    file_shape, fortran_order, file_dtype = _read_header(stream, what)
    header_bytes = stream.tell()
    if file_dtype.hasobject:
        raise ArchiveError(
            f"{what} holds an array of dtype object, which only pickle can read; "
            "it is never unpickled"
        )
    if dtype is not None and (file_dtype.str != dtype.str or file_dtype != dtype):
        raise ArchiveError(f"{what} has dtype {file_dtype.str}, the manifest says {dtype.str}")
    if shape is not None and tuple(file_shape) != shape:
        raise ArchiveError(f"{what} has shape {tuple(file_shape)}, the manifest says {shape}")
    shape = tuple(file_shape)
    count = math.prod(shape)
    nbytes = count * file_dtype.itemsize
    if size != header_bytes + nbytes:
        raise ArchiveError(
            f"{what} holds {size} bytes but a {file_dtype.str} array of shape {shape} needs "
            f"{header_bytes + nbytes}"
        )
    flat = np.empty(count, dtype=file_dtype)
    if nbytes:
        _fill(stream, flat.view(np.uint8), what)
    if stream.read(1):  # in a zip member this also checks the CRC at the member's end
        raise ArchiveError(f"{what} holds more data than its header says")
    if fortran_order:
        return flat.reshape(shape[::-1]).transpose()
    return flat.reshape(shape)


def read_npy_member(
    zf: zipfile.ZipFile, name: str, dtype: np.dtype, shape: tuple[int, ...]
) -> np.ndarray:
    """Read the .npy member ``name``, which must hold exactly a ``dtype`` array of ``shape``.

    The header is compared with the expected dtype and shape and the member's inflated size
    with header + data before any array memory is asked for; call :func:`check_layout` first so
    that the member's claimed size is known to be possible. Object arrays are never read.
    """
    if len(shape) > _MAX_DIMS:
        raise ArchiveError(f"array {name!r} has {len(shape)} dimensions; at most {_MAX_DIMS}")
    info = zf.getinfo(name)
    with zf.open(info) as member:
        return _read_npy(member, f"member {name!r}", info.file_size, dtype, shape)


def read_npy_file(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a standalone .npy file with the same checks as an archive member (no pickle; the
    header must agree with the file's size before memory is asked for).

    Raises:
        FileNotFoundError: no such file.
        ArchiveError: (a ValueError) naming the file: a damaged or truncated header or data,
            an object array, or bytes after the data.
    """
    what = os.fspath(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        return _read_npy(f, str(what), size)


def _fill(stream: IO[bytes], out: np.ndarray, what: str) -> None:
    """Copy the stream's next ``out.size`` bytes into ``out`` (a flat uint8 view), in chunks."""
    filled = 0
    while filled < out.size:
        chunk = stream.read(min(_CHUNK, out.size - filled))
        if not chunk:
            raise ArchiveError(f"{what} ends after {filled} of its {out.size} bytes of array data")
        out[filled : filled + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        filled += len(chunk)
