"""Saving and loading: glassnet.save / glassnet.load, a safe file format with no pickle in it.

What a file holds. ``glassnet.save(obj, f)`` writes a NumPy ``.npz`` archive (a zip file) to a
path or a binary file object (``glassnet.load(f)`` reads either):

* ``__manifest__.json`` - a JSON document describing ``obj``: the format name (``"glassnet"``),
  the ``format_version``, the glassnet version that wrote it, a table of the arrays (their
  ``dtype`` and ``shape``) and the structure of ``obj`` as a tree of typed nodes;
* ``a0.npy``, ``a1.npy``, ... - one standard ``.npy`` member per array (tensor data, NumPy
  arrays and NumPy scalars).

Because it is an ordinary ``.npz``, ``numpy.load(path)`` reads the arrays without glassnet, and
``unzip -p path __manifest__.json | python -m json.tool`` shows the structure. The manifest of
a Linear layer's state_dict, spread out for reading, looks like this::

    {"format": "glassnet", "format_version": 1, "glassnet_version": "0.1.0",
     "arrays": {"a0": {"dtype": "<f4", "shape": [3, 2]},
                "a1": {"dtype": "<f4", "shape": [3]}},
     "root": {"type": "ordered_dict", "items": [
        [{"type": "str", "value": "weight"},
         {"type": "tensor", "array": "a0", "requires_grad": true}],
        [{"type": "str", "value": "bias"},
         {"type": "tensor", "array": "a1", "requires_grad": true}]]}}

Ints of any size are JSON ints (as decimal strings when at least 2**53, where other JSON
readers would lose digits); nan and infinities are the strings "nan", "inf", "-inf".

What can be saved: Tensors (dtype, shape and ``requires_grad``; not ``.grad`` or the graph;
a Parameter comes back as a plain Tensor), NumPy arrays of numbers, booleans, strings or dates,
NumPy scalars, dicts (keys: str, int, float, bool, None or tuples of those; order kept;
OrderedDict stays OrderedDict), lists, tuples, sets, and Python int (any size, so
random-generator states survive), float (nan/inf too), bool, None and str. Whole objects, such
as a model saved with ``torch.save(model, f)``, are stored as their class's name and their
attributes (saved_objects.py) and load back only with ``weights_only=False``. Code (functions,
lambdas, classes defined inside a function) and object arrays are refused at save time with a
TypeError saying where in ``obj`` it was found. The same
Tensor or array object appearing twice (tied weights) is stored once and loads as one object.
Other subclasses come back as their base type: a namedtuple as a tuple, a defaultdict as a
dict, an IntEnum as an int.

Why no pickle. ``pickle`` (which ``torch.save`` uses) can run arbitrary code when a file is
loaded. Here loading only parses JSON and reads ``.npy`` members (never an object array), so a
file from a stranger can at worst be refused. The one exception is a whole object: building it
imports its class's module, which runs that module's code, so it is done only when the caller
says ``weights_only=False``, the same trust ``torch.load`` asks for.

Safety on both ends. Writing goes through :func:`glassnet.atomic.atomic_write`: a crash or an
exception while saving never leaves a half-written file where a good one was. Loading checks
everything (zip integrity and CRCs, the manifest's schema, that every array listed is present
with the promised dtype and shape and that nothing else is) before it builds the result, so a
corrupt, truncated, foreign or too-new file raises :class:`SerializationError` naming the file
and the problem, and nothing is ever half-loaded. And it checks before it reads: the manifest is
read with a bounded read (at most :data:`MAX_MANIFEST_BYTES`), and every member's claimed size
is checked against the file (:mod:`glassnet.npz_reading`), so a hostile file cannot make load
inflate or allocate more than the file can really hold.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from ._version import __version__
from .atomic import atomic_write
from .autograd import wrap
from .npz_reading import ArchiveError, check_layout, read_member, read_npy_member
from .saved_objects import attributes_of, class_path, find_class, new_empty
from .tensor import Tensor

__all__ = [
    "FORMAT_VERSION",
    "MAX_MANIFEST_BYTES",
    "SerializationError",
    "load",
    "read_manifest",
    "save",
]

FORMAT_NAME = "glassnet"
FORMAT_VERSION = 2  # 2 added sets and whole objects; a file without them is still written as 1
MANIFEST_NAME = "__manifest__.json"

# dtype kinds storable without pickle: bool, signed/unsigned int, float, complex,
# bytes, unicode, datetime64, timedelta64.
_ARRAY_KINDS = "biufcSUMm"
_TENSOR_KINDS = "biufc"
_KEY_TYPES = "str, int, float, bool, None or a tuple of those"
_DTYPE_TEXT = re.compile(r"^[<>|=]?[a-zA-Z][0-9]{0,12}(\[[0-9]{0,6}[a-zA-Z]{1,2}\])?$")
_JSON_SAFE_INT = 2**53  # ints at least this large are stored as decimal strings
#: The largest manifest read: 16 MiB. A state_dict's manifest takes about 130 bytes per tensor,
#: so no real file comes near; a larger one is a damaged or hostile file (a "zip bomb").
MAX_MANIFEST_BYTES = 16 * 2**20
_NEVER_UNPICKLES = "glassnet never unpickles, because unpickling can run arbitrary code"


class SerializationError(ValueError):
    """A file cannot be loaded: not a glassnet file, corrupt, truncated or from a newer glassnet.

    The message is ``cannot load 'PATH': REASON``, and for a damaged file ``cannot load 'PATH':
    the file is corrupt or truncated: REASON``.

    Attributes:
        path: the file that was being loaded (its name; ``<BytesIO>`` and the like for a file
            object without a name).
        reason: what is wrong with it.
        corrupt: True when the file is damaged (corrupt or truncated, or making impossible
            claims), False when it is intact but not loadable (not a glassnet file, a pickle,
            a newer format). The ``glassnet`` command words its message after it.
    """

    def __init__(self, path: str, reason: str, corrupt: bool = False) -> None:
        self.path = path
        self.reason = reason
        self.corrupt = corrupt
        damaged = "the file is corrupt or truncated: " if corrupt else ""
        super().__init__(f"cannot load {path!r}: {damaged}{reason}")


# ----------------------------------------------------------------------------------------------
# Saving: object -> (manifest, arrays)
# ----------------------------------------------------------------------------------------------


class _Encoder:
    """Walks an object and turns it into a JSON-able node tree plus a list of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.table: dict[str, dict[str, Any]] = {}
        self._memo: dict[int, str] = {}  # id(Tensor or ndarray) -> array key (tied weights)
        self._active: set[int] = set()  # containers being walked (cycle detection)
        self._objects: dict[int, int] = {}  # id(object) -> its object_id (shared objects)
        self._kept: list[Any] = []  # the objects saved, kept alive so their ids stay unique
        self.format_version = 1  # raised to 2 by a set or a whole object

    def _add_array(self, owner: object, array: np.ndarray, where: str) -> str:
        if array.dtype.kind not in _ARRAY_KINDS:
            what = "object" if array.dtype.hasobject else str(array.dtype)
            raise TypeError(
                f"cannot save the {what} array at {where}: only arrays of numbers, booleans, "
                f"strings or dates can be saved (saving {what} arrays would need pickle, "
                f"which glassnet never uses)"
            )
        key = self._memo.get(id(owner))
        if key is None:
            key = f"a{len(self.arrays)}"
            self._memo[id(owner)] = key
            self.arrays[key] = array
            self.table[key] = {"dtype": array.dtype.str, "shape": list(array.shape)}
        return key

    def encode(self, obj: Any, where: str) -> dict[str, Any]:
        # Order matters: bool before int (bool is an int), NumPy scalars before float
        # (np.float64 is a float), Tensor before anything array-like.
        if isinstance(obj, Tensor):
            data = obj.array
            if not isinstance(data, np.ndarray):
                raise TypeError(f"cannot save the Tensor at {where}: its .array is not an ndarray")
            key = self._add_array(obj, data, where)
            node = {"type": "tensor", "array": key, "requires_grad": bool(obj.requires_grad)}
            if type(obj) is not Tensor:  # a Parameter: its class, used by weights_only=False
                node["class"] = class_path(type(obj))
            return node
        if isinstance(obj, np.ndarray):
            if isinstance(obj, np.ma.MaskedArray):
                raise TypeError(f"cannot save the masked array at {where}: masks are not stored")
            return {"type": "ndarray", "array": self._add_array(obj, obj, where)}
        if isinstance(obj, np.generic):
            array = np.asarray(obj)
            return {"type": "numpy_scalar", "array": self._add_array(array, array, where)}
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return _encode_scalar(obj)
        if isinstance(obj, (set, frozenset)):
            self.format_version = 2
            kind = "frozenset" if isinstance(obj, frozenset) else "set"
            return {"type": kind, "items": [_encode_key(v, where) for v in obj]}
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self._active:
                raise ValueError(f"cannot save {where}: it contains itself (a circular reference)")
            self._active.add(id(obj))
            try:
                return self._encode_container(obj, where)
            finally:
                self._active.discard(id(obj))
        return self._encode_object(obj, where)

    def _encode_object(self, obj: Any, where: str) -> dict[str, Any]:
        """A whole object (``torch.save(model, f)``): its class's address and its attributes
        (see saved_objects.py); an object seen before is a reference to its first node."""
        if id(obj) in self._objects:
            return {"type": "object_ref", "object_id": self._objects[id(obj)]}
        attributes = attributes_of(obj, where)
        self.format_version = 2
        object_id = self._objects[id(obj)] = len(self._objects)
        self._kept.append(obj)
        items = [[_encode_scalar(name), self.encode(value, f"{where}.{name}")]
                 for name, value in attributes.items()]  # fmt: skip
        return {"type": "object", "class": class_path(type(obj)), "object_id": object_id,
                "attributes": {"type": "dict", "items": items}}  # fmt: skip

    def _encode_container(self, obj: dict | list | tuple, where: str) -> dict[str, Any]:
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                key_node = _encode_key(k, where)
                items.append([key_node, self.encode(v, f"{where}[{k!r}]")])
            kind = "ordered_dict" if isinstance(obj, OrderedDict) else "dict"
            return {"type": kind, "items": items}
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {"type": kind, "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}


def _encode_scalar(x: None | bool | int | float | str) -> dict[str, Any]:
    """A Python scalar as a JSON node (caller guarantees the type)."""
    if x is None:
        return {"type": "none"}
    if isinstance(x, bool):
        return {"type": "bool", "value": x}
    if isinstance(x, int):
        x = int(x)  # int subclasses (e.g. IntEnum) are stored as plain ints
        return {"type": "int", "value": x if abs(x) < _JSON_SAFE_INT else str(x)}
    if isinstance(x, float):
        x = float(x)
        return {"type": "float", "value": x if math.isfinite(x) else repr(x)}
    return {"type": "str", "value": str(x)}


def _encode_key(k: Any, where: str) -> dict[str, Any]:
    if k is None or (isinstance(k, (bool, int, float, str)) and not isinstance(k, np.generic)):
        return _encode_scalar(k)
    if isinstance(k, tuple):
        return {"type": "tuple", "items": [_encode_key(x, where) for x in k]}
    raise TypeError(
        f"cannot save the dict at {where}: key {k!r} has type {type(k).__name__}; "
        f"dict keys must be {_KEY_TYPES}"
    )


def _path_or_none(f: Any, func: str, method: str) -> str | None:
    """``f`` as a str path, or None when it is a file object with ``method`` ("read" or
    "write"); TypeError for anything else."""
    if isinstance(f, (str, os.PathLike)):
        p = os.fspath(f)
        if not isinstance(p, str):
            raise TypeError(f"{func} expects a str path, got {p!r}")
        return p
    if isinstance(f, io.TextIOBase):
        raise TypeError(
            f"{func} needs a binary file object, got a text file {_stream_name(f)!r}: open it "
            "with 'rb' (load) or 'wb' (save)"
        )
    if hasattr(f, method):
        return None
    raise TypeError(
        f"{func} expects a file path (str or os.PathLike) or a binary file object, got {type(f)!r}"
    )


def _stream_name(f: Any) -> str:
    """A file object's name for messages: its ``name`` if it has one, else ``<BytesIO>`` etc."""
    name = getattr(f, "name", None)
    return name if isinstance(name, str) else f"<{type(f).__name__}>"


def _write_archive(out: IO[bytes], manifest_text: str, arrays: dict[str, np.ndarray]) -> None:
    # ZIP_STORED + force_zip64 is what numpy.savez does: fast, and arrays over 4 GB work.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(MANIFEST_NAME, manifest_text.encode("ascii"))
        for key, array in arrays.items():
            with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def save(
    obj: Any,
    f: str | os.PathLike[str] | IO[bytes],
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (a Tensor, state_dict, checkpoint dict, ...) to ``f``: a path or a file object.

    PyTorch's ``torch.save(obj, f)``, without pickle: only data is stored, never code.

    Given a path, the file is written atomically: to a temporary file next to it that replaces
    it only once it is complete and on disk. If saving fails (an unsupported object, a full
    disk, Ctrl-C) any previous file at the path is left untouched. The path is used exactly as
    given: no extension is added or changed. The file is a NumPy ``.npz`` archive, so ``.npz``
    is a good suffix, but any name works.

    Given a binary file object (``io.BytesIO()``, ``open(name, "wb")``), the archive is written
    into it from its current position and the object is left open (and not flushed).

    See the module docstring for the format and the list of savable types.

    Args:
        obj: what to save. Tensors, NumPy arrays and scalars, dicts, lists, tuples, int, float,
            bool, str and None, nested in any way: a checkpoint such as ``{"model":
            model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}`` comes back exactly.
        f: the file to write (str or os.PathLike; its folder must exist) or a binary file
            object with ``write``.
        pickle_module, pickle_protocol, _use_new_zipfile_serialization: PyTorch's choices of
            pickle and archive layout. Older scripts pass them; they are accepted and change
            nothing, since glassnet writes no pickle.

    Raises:
        TypeError: ``obj`` contains something that cannot be saved without pickle (an object
            array, a Module, a function, ...) or ``f`` is neither a path nor a binary file
            object. The message says where in ``obj`` the problem is. Nothing is written then.
        ValueError: ``obj`` contains itself.

    Example:
        >>> glassnet.save({"model": model.state_dict(), "epoch": 3}, "ckpt.npz")
        >>> ckpt = glassnet.load("ckpt.npz")
    """
    p = _path_or_none(f, "glassnet.save", "write")
    encoder = _Encoder()
    try:
        root = encoder.encode(obj, "obj")
    except RecursionError:
        raise ValueError("cannot save obj: it is nested too deeply") from None
    manifest = {
        "format": FORMAT_NAME,
        "format_version": encoder.format_version,
        "glassnet_version": __version__,
        "arrays": encoder.table,
        "root": root,
    }
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    if len(text) > MAX_MANIFEST_BYTES:
        raise ValueError(
            f"cannot save obj: its structure needs a {len(text)}-byte manifest, more than the "
            f"{MAX_MANIFEST_BYTES} bytes glassnet.load reads; store large data (long lists of "
            "numbers, long text) as arrays (numpy.asarray) instead"
        )
    if p is None:
        _write_archive(f, text, encoder.arrays)  # type: ignore[arg-type]
        return
    with atomic_write(p, "wb") as out:
        _write_archive(out, text, encoder.arrays)


# ----------------------------------------------------------------------------------------------
# Loading: file -> checked layout -> validated manifest -> checked arrays -> object
# ----------------------------------------------------------------------------------------------

# Everything a damaged or hostile file can make zipfile / numpy / json raise while reading.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    KeyError,
    ValueError,  # includes json.JSONDecodeError, UnicodeDecodeError and ArchiveError
    TypeError,
    NotImplementedError,  # unsupported zip compression method
    RecursionError,
    OverflowError,
    RuntimeError,  # zipfile: "encrypted, password required" from a damaged flag bit
    OSError,  # e.g. a seek to an offset the damaged zip directory points to
)


def _sniff(head: bytes) -> str | None:
    """Explain why a file that is not a zip archive is not a glassnet file (None if it is a zip)."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    if not head:
        return "the file is empty"
    if head.startswith(b"\x93NUMPY"):
        return "it is a single NumPy .npy array, not a glassnet file (read it with numpy.load)"
    if head[:1] == b"\x80":
        return f"it looks like a pickle file (for example from torch.save); {_NEVER_UNPICKLES}"
    return f"not a glassnet file: it is not a zip archive (it starts with {head[:8]!r})"


def _fail(path: str, reason: str) -> SerializationError:
    """An intact file glassnet does not load (foreign, pickle, newer format)."""
    return SerializationError(path, reason)


def _corrupt(path: str, detail: str) -> SerializationError:
    """A damaged file: the one wording every corrupt or truncated file gets."""
    return SerializationError(path, detail, corrupt=True)


def _parse_header(path: str, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _fail(path, f"{MANIFEST_NAME} does not describe a glassnet file")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _corrupt(path, f"invalid format_version {_short(version)} in {MANIFEST_NAME}")
    if version > FORMAT_VERSION:
        writer = manifest.get("glassnet_version")
        writer = writer[:40] if isinstance(writer, str) else "an unknown version"
        raise _fail(
            path,
            f"it was written by a newer glassnet ({writer}) in format_version {version}; "
            f"this glassnet ({__version__}) reads format_version {FORMAT_VERSION} and older. "
            f"Upgrade glassnet to load it",
        )


def _read_zip_manifest(path: str, zf: zipfile.ZipFile, length: int) -> dict[str, Any]:
    """Check the archive's layout, then read and parse its manifest with a bounded read."""
    names = zf.namelist()
    if MANIFEST_NAME not in names and any(n.endswith("data.pkl") for n in names):
        raise _fail(
            path,
            f"it looks like a PyTorch file (torch.save), which is a pickle inside a zip; "
            f"{_NEVER_UNPICKLES}. To convert it, load it with torch and pass the tensors' "
            ".numpy() arrays to glassnet.save",
        )
    if MANIFEST_NAME not in names:
        arrays = sorted(n.removesuffix(".npy") for n in names)[:10]
        raise _fail(
            path,
            f"not a glassnet file: the zip archive has no {MANIFEST_NAME} "
            f"(its members: {arrays}); a plain .npz can be read with numpy.load",
        )
    if len(set(names)) != len(names):
        raise _corrupt(path, "the zip archive lists the same member twice")
    try:
        check_layout(zf, length)
        raw = read_member(zf, MANIFEST_NAME, MAX_MANIFEST_BYTES)
    except ArchiveError as e:
        raise _corrupt(path, str(e)) from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as e:
        raise _corrupt(path, f"{MANIFEST_NAME} is not valid JSON ({_short(str(e))})") from None
    _parse_header(path, manifest)
    return manifest


def _open_zip(path: str, stream: IO[bytes]) -> tuple[zipfile.ZipFile, int]:
    """Sniff the stream's first bytes, then open it as a zip; return (archive, stream length)."""
    start = stream.tell()
    head = stream.read(8)
    reason = _sniff(head)
    if reason:  # an empty file is a save cut short (truncated), the others are foreign files
        raise _corrupt(path, reason) if not head else _fail(path, reason)
    length = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    return zipfile.ZipFile(stream), length


@contextlib.contextmanager
def _reading(f: Any, func: str) -> Iterator[tuple[str, IO[bytes]]]:
    """Yield (name for messages, seekable binary stream) for a path or a file object; any
    unexpected error of a damaged file becomes a SerializationError naming it."""
    p = _path_or_none(f, func, "read")
    name = p if p is not None else _stream_name(f)
    with contextlib.ExitStack() as stack:
        if p is not None:
            stream: IO[bytes] = stack.enter_context(open(p, "rb"))
        else:
            stream = f
            if not (hasattr(f, "seekable") and f.seekable()):
                stream = io.BytesIO(f.read())  # zip needs to seek: read a pipe or socket whole
            if not isinstance(stream.read(0), bytes):
                raise TypeError(f"{func} needs a binary file object; {name} reads text")
        try:
            yield name, stream
        except SerializationError:
            raise
        except _READ_ERRORS as e:
            raise _corrupt(name, f"{type(e).__name__}: {_short(str(e), 200)}") from None
        except MemoryError:
            raise _fail(name, "its arrays need more memory than this machine can give") from None


def read_manifest(f: str | os.PathLike[str] | IO[bytes]) -> dict[str, Any]:
    """Read only the manifest of a saved file (its structure, dtypes and shapes; no array data).

    Useful to inspect a checkpoint cheaply. Raises :class:`SerializationError` like :func:`load`
    when the file is not a readable glassnet file.
    """
    with _reading(f, "glassnet.serialization.read_manifest") as (name, stream):
        zf, length = _open_zip(name, stream)
        with zf:
            return _read_zip_manifest(name, zf, length)


class _Validator:
    """Checks the manifest tree against the schema before any array is read."""

    def __init__(self, path: str, table: dict[str, Any]) -> None:
        self.path = path
        self.table = table
        self.used: set[str] = set()
        self.objects: set[int] = set()  # object_ids met so far (a reference must follow one)
        self.classes: list[str] = []  # the classes of the whole objects, in order

    def bad(self, where: str, what: str) -> SerializationError:
        return _corrupt(self.path, f"{MANIFEST_NAME} is damaged at {where}: {what}")

    def node(self, node: Any, where: str, key_only: bool = False) -> None:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise self.bad(where, f"expected a node with a 'type', got {_short(node)}")
        kind = node["type"]
        if kind == "none":
            return
        if kind in ("bool", "int", "float", "str"):
            _decode_scalar(node, lambda what: self.bad(where, what))
            return
        if kind in ("list", "tuple", "set", "frozenset"):
            if key_only and kind != "tuple":
                raise self.bad(where, f"a dict key must be {_KEY_TYPES}, got a {kind}")
            items = node.get("items")
            if not isinstance(items, list):
                raise self.bad(where, f"a {kind} node needs a list of 'items'")
            members_are_keys = key_only or kind in ("set", "frozenset")  # hashable, as keys
            for i, item in enumerate(items):
                self.node(item, f"{where}[{i}]", key_only=members_are_keys)
            return
        if key_only:
            raise self.bad(where, f"a dict key must be {_KEY_TYPES}, got a {kind}")
        if kind in ("object", "object_ref"):
            self._object(node, kind, where)
            return
        if kind in ("dict", "ordered_dict"):
            items = node.get("items")
            if not isinstance(items, list):
                raise self.bad(where, f"a {kind} node needs a list of 'items'")
            keys = []
            for i, pair in enumerate(items):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self.bad(where, f"item {i} is not a [key, value] pair")
                self.node(pair[0], f"{where}.key[{i}]", key_only=True)
                key = _decode_key(pair[0])
                keys.append(key)
                self.node(pair[1], f"{where}[{key!r}]")
            if len(set(keys)) != len(keys):
                raise self.bad(where, "a dict has the same key twice")
            return
        if kind in ("tensor", "ndarray", "numpy_scalar"):
            key = node.get("array")
            if not isinstance(key, str) or key not in self.table:
                raise self.bad(where, f"the array {key!r} is not in the array table")
            kinds = _TENSOR_KINDS if kind == "tensor" else _ARRAY_KINDS
            dtype = np.dtype(self.table[key]["dtype"])
            if dtype.kind not in kinds:
                raise self.bad(where, f"a {kind} cannot have dtype {dtype}")
            if kind == "tensor":
                requires_grad = node.get("requires_grad")
                if not isinstance(requires_grad, bool):
                    raise self.bad(where, "a tensor node needs a boolean 'requires_grad'")
                if requires_grad and dtype.kind not in "fc":
                    raise self.bad(where, f"a {dtype} tensor cannot require grad")
            if kind == "tensor" and not isinstance(node.get("class", ""), str):
                raise self.bad(where, "a tensor node's 'class' must be a string")
            if kind == "numpy_scalar" and self.table[key]["shape"] != []:
                raise self.bad(where, "a NumPy scalar must have shape []")
            self.used.add(key)
            return
        raise self.bad(where, f"unknown node type {kind!r}")

    def _object(self, node: dict[str, Any], kind: str, where: str) -> None:
        object_id = node.get("object_id")
        if not isinstance(object_id, int) or isinstance(object_id, bool):
            raise self.bad(where, f"an {kind} node needs an integer 'object_id'")
        if kind == "object_ref":
            if object_id not in self.objects:
                raise self.bad(where, f"a reference to object {object_id}, which comes later")
            return
        if object_id in self.objects:
            raise self.bad(where, f"object {object_id} is described twice")
        if not isinstance(node.get("class"), str) or ":" not in node["class"]:
            raise self.bad(where, "an object node needs a 'class' of the form module:Name")
        attributes = node.get("attributes")
        if not isinstance(attributes, dict) or attributes.get("type") != "dict":
            raise self.bad(where, "an object node needs a dict of 'attributes'")
        for pair in attributes.get("items") or []:
            if not isinstance(pair, list) or len(pair) != 2 or pair[0].get("type") != "str":
                raise self.bad(where, "an object's attribute names must be strings")
        self.objects.add(object_id)
        self.classes.append(node["class"])
        self.node(attributes, where)


def _short(x: Any, limit: int = 60) -> str:
    """``repr(x)`` cut to ``limit`` characters (a hostile file's values can be megabytes long)."""
    text = x if isinstance(x, str) and limit > 60 else repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _decode_scalar(node: dict[str, Any], bad: Any = None) -> Any:
    kind, value = node["type"], node.get("value")
    if kind == "none":
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit() and value.isascii():
            return int(value)
    if kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if value in ("nan", "inf", "-inf"):
            return float(value)
    if bad is None:
        raise ValueError(f"invalid {kind} value {value!r}")
    raise bad(f"invalid {kind} value {_short(value)}")


def _decode_key(node: dict[str, Any]) -> Any:
    if node["type"] == "tuple":
        return tuple(_decode_key(x) for x in node["items"])
    return _decode_scalar(node)


def _check_table(path: str, table: Any) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    if not isinstance(table, dict):
        raise _corrupt(path, f"{MANIFEST_NAME}: 'arrays' must be a table")
    specs = {}
    for key, spec in table.items():
        if not isinstance(spec, dict):
            raise _corrupt(path, f"{MANIFEST_NAME}: bad entry for array {key!r}")
        shape = spec.get("shape")
        if (
            not isinstance(shape, list)
            or len(shape) > 64  # NumPy's limit on dimensions
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**63 for n in shape
            )
        ):
            raise _corrupt(path, f"{MANIFEST_NAME}: array {key!r} has bad shape {_short(shape)}")
        dtype = None
        text = spec.get("dtype")
        # Only the plain spellings save writes ("<f4", "|b1", "<U12", "<M8[ns]") reach
        # np.dtype: its parser of richer strings ("f4,(2)i8") can raise almost anything.
        if isinstance(text, str) and _DTYPE_TEXT.match(text):
            try:
                dtype = np.dtype(text)
            except (TypeError, ValueError, OverflowError, SyntaxError):
                pass
        if dtype is None or dtype.kind not in _ARRAY_KINDS or dtype.itemsize == 0:
            raise _corrupt(
                path,
                f"{MANIFEST_NAME}: array {key!r} has unsupported dtype {_short(text)} "
                "(glassnet files never hold object arrays)",
            )
        specs[key] = (dtype, tuple(shape))
    return specs


def _read_arrays(
    path: str, zf: zipfile.ZipFile, manifest: dict[str, Any]
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Validate the manifest, then read and check every array. Raises before building anything.

    Returns the arrays by key, and the classes of the whole objects the file holds (in order).

    The archive's layout has been checked (``check_layout``), so each member's size is possible
    for its compressed bytes; each array is read with ``read_npy_member``, which compares its
    header with the manifest before asking for memory.
    """
    specs = _check_table(path, manifest.get("arrays"))
    validator = _Validator(path, manifest["arrays"])
    if "root" not in manifest:
        raise _corrupt(path, f"{MANIFEST_NAME} has no 'root'")
    validator.node(manifest["root"], "root")
    unused = sorted(set(specs) - validator.used)[:10]
    if unused:
        raise _corrupt(path, f"{MANIFEST_NAME}: arrays {unused} are listed but never used")
    members = set(zf.namelist()) - {MANIFEST_NAME}
    expected = {f"{key}.npy" for key in specs}
    if members - expected:
        extra = sorted(members - expected)[:10]
        raise _corrupt(path, f"the archive holds members the manifest does not list: {extra}")
    if expected - members:
        missing = sorted(expected - members)[:10]
        raise _corrupt(path, f"arrays listed in the manifest are missing: {missing}")
    arrays: dict[str, np.ndarray] = {}
    for key, (dtype, shape) in specs.items():
        try:
            arrays[key] = read_npy_member(zf, f"{key}.npy", dtype, shape)
        except ArchiveError as e:
            raise _corrupt(path, str(e)) from None
    return arrays, validator.classes


def _build(node: dict[str, Any], arrays: dict[str, np.ndarray], memo: dict, objects: bool) -> Any:
    """The object a validated node describes. ``objects``: whether whole objects and tensor
    subclasses may be rebuilt (``weights_only=False``); tensors are plain Tensors otherwise."""
    kind = node["type"]
    if kind in ("tensor", "ndarray", "numpy_scalar"):
        cls = node.get("class") if objects and kind == "tensor" else None
        memo_key = (node["array"], kind, node.get("requires_grad"), cls)
        if memo_key not in memo:
            array = arrays[node["array"]]
            if kind == "tensor":
                memo[memo_key] = _tensor_of_class(array, node["requires_grad"], cls)
            elif kind == "ndarray":
                memo[memo_key] = array
            else:
                memo[memo_key] = array[()]
        return memo[memo_key]
    if kind in ("dict", "ordered_dict"):
        out = OrderedDict() if kind == "ordered_dict" else {}
        for k, v in node["items"]:
            out[_decode_key(k)] = _build(v, arrays, memo, objects)
        return out
    if kind in ("list", "tuple", "set", "frozenset"):
        items = [_build(v, arrays, memo, objects) for v in node["items"]]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)
    if kind == "object_ref":
        return memo[("object", node["object_id"])]
    if kind == "object":
        obj = new_empty(find_class(node["class"]))
        memo[("object", node["object_id"])] = obj  # before its attributes: they may refer to it
        obj.__dict__.update(_build(node["attributes"], arrays, memo, objects))
        return obj
    return _decode_scalar(node)


def _tensor_of_class(array: np.ndarray, requires_grad: bool, cls: str | None) -> Tensor:
    """A leaf tensor over ``array``; of the saved Tensor subclass (a Parameter) when given."""
    tensor = wrap(array, requires_grad=requires_grad)
    if cls is None or cls == class_path(Tensor):
        return tensor
    subclass = find_class(cls)
    if not (isinstance(subclass, type) and issubclass(subclass, Tensor)):
        raise LookupError(f"{cls!r} is not a Tensor class")
    tensor.__class__ = subclass  # the same slots: only the class changes
    return tensor


def _check_map_location(map_location: Any) -> None:
    """Everything glassnet holds is on the CPU: accept the spellings of "cpu" scripts use."""
    if map_location is None or callable(map_location):
        return  # a callable (lambda storage, loc: storage) has nothing to move on the CPU
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    if all(str(t) == "cpu" for t in targets):
        return
    raise ValueError(
        f"glassnet.load: glassnet runs on the CPU only, so map_location must be None or "
        f"'cpu', got {map_location!r}"
    )


def load(
    f: str | os.PathLike[str] | IO[bytes],
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load an object saved with :func:`save` from a path or a binary file object.

    PyTorch's ``torch.load(f, map_location, weights_only=...)``. glassnet never unpickles: a
    pickle or PyTorch ``torch.save`` file is refused with one line saying so. Data (tensors,
    state_dicts, checkpoints) loads whatever ``weights_only`` says; a file holding whole objects
    (``glassnet.save(model, f)``) loads only with ``weights_only=False``, since building them
    imports their classes' modules (as PyTorch's safe default refuses them too).

    The result has the structure that was saved: dicts keep their key order (and OrderedDicts
    stay OrderedDicts), tuples stay tuples, ints stay ints and floats floats (nan and inf too),
    Tensors keep dtype, shape and ``requires_grad`` (they come back as new leaf tensors without
    ``.grad``). Loaded arrays are fresh, writable copies of the file's data.

    The whole file is checked before the result is built, so it returns everything or raises;
    and the checks come before the reading, so a hostile file cannot make it inflate or
    allocate more than the file can really hold (see the limits in :mod:`glassnet.npz_reading`
    and :data:`MAX_MANIFEST_BYTES`).

    Args:
        f: the file to read: a str or os.PathLike path, or a binary file object (``BytesIO``,
            ``open(name, "rb")``), read from its current position.
        map_location: accepted for PyTorch compatibility; glassnet runs on the CPU, so it may be
            None, ``"cpu"``, a device whose name is ``"cpu"``, a dict mapping to ``"cpu"``, or a
            callable (not called: there is nothing to move).
        weights_only: None or True (PyTorch's default, safe) refuse a file of whole objects;
            False builds them, and gives saved Parameters back as Parameters.
        mmap: accepted for PyTorch compatibility; arrays are always read into memory.

    Raises:
        FileNotFoundError: the path does not exist.
        TypeError: ``f`` is neither a path nor a binary file object, or an argument has the
            wrong type.
        SerializationError: (a ValueError) the file is not a glassnet file, is a pickle, is
            corrupt or truncated (``error.corrupt`` is True then), its manifest disagrees with
            its arrays, or it was written in a newer format_version. The message names the file
            and the problem.
    """
    _check_map_location(map_location)
    for arg, value in (("weights_only", weights_only), ("mmap", mmap)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"glassnet.load: {arg} must be True, False or None, got {value!r}")
    with _reading(f, "glassnet.load") as (name, stream):
        zf, length = _open_zip(name, stream)
        with zf:
            manifest = _read_zip_manifest(name, zf, length)
            arrays, classes = _read_arrays(name, zf, manifest)
        if classes and weights_only is not False:
            raise _fail(
                name,
                f"it holds a whole {classes[0].replace(':', '.')} object (saved with "
                "torch.save(model, f)); building it imports its class, which runs that "
                "module's code, so pass weights_only=False if you trust the file (as torch.load "
                "asks), or save and load model.state_dict() instead",
            )
        try:
            return _build(manifest["root"], arrays, {}, objects=weights_only is False)
        except LookupError as error:  # a class that cannot be found again
            raise _fail(name, str(error)) from None
