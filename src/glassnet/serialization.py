"""Saving and loading: glassnet.save / glassnet.load, a safe file format with no pickle in it.

What a file holds. ``glassnet.save(obj, path)`` writes a NumPy ``.npz`` archive (a zip file):

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
OrderedDict stays OrderedDict), lists, tuples, and Python int (any size, so random-generator
states survive), float (nan/inf too), bool, None and str. Everything else, including object
arrays, is refused at save time with a TypeError saying where in ``obj`` it was found. The same
Tensor or array object appearing twice (tied weights) is stored once and loads as one object.
Other subclasses come back as their base type: a namedtuple as a tuple, a defaultdict as a
dict, an IntEnum as an int.

Why no pickle. ``pickle`` (which ``torch.save`` uses) can run arbitrary code when a file is
loaded. Here loading only parses JSON and reads ``.npy`` members with
``numpy.load(..., allow_pickle=False)``, so a file from a stranger can at worst be refused.

Safety on both ends. Writing goes through :func:`glassnet.atomic.atomic_write`: a crash or an
exception while saving never leaves a half-written file where a good one was. Loading checks
everything (zip integrity and CRCs, the manifest's schema, that every array listed is present
with the promised dtype and shape and that nothing else is) before it builds the result, so a
corrupt, truncated, foreign or too-new file raises :class:`SerializationError` naming the file
and the problem, and nothing is ever half-loaded.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from ._version import __version__
from .atomic import atomic_write
from .tensor import Tensor

__all__ = ["save", "load", "read_manifest", "SerializationError", "FORMAT_VERSION"]

FORMAT_NAME = "glassnet"
FORMAT_VERSION = 1
MANIFEST_NAME = "__manifest__.json"

# dtype kinds storable without pickle: bool, signed/unsigned int, float, complex,
# bytes, unicode, datetime64, timedelta64.
_ARRAY_KINDS = "biufcSUMm"
_TENSOR_KINDS = "biufc"
_KEY_TYPES = "str, int, float, bool, None or a tuple of those"
_JSON_SAFE_INT = 2**53  # ints at least this large are stored as decimal strings
_MAX_MANIFEST_BYTES = 2**30  # refuse to read a manifest claiming more (a damaged size field)


class SerializationError(ValueError):
    """A file cannot be loaded: not a glassnet file, corrupt, truncated or from a newer glassnet.

    Attributes:
        path: the file that was being loaded.
        reason: what is wrong with it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot load {path!r}: {reason}")


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
            return {"type": "tensor", "array": key, "requires_grad": bool(obj.requires_grad)}
        if isinstance(obj, np.ndarray):
            if isinstance(obj, np.ma.MaskedArray):
                raise TypeError(f"cannot save the masked array at {where}: masks are not stored")
            return {"type": "ndarray", "array": self._add_array(obj, obj, where)}
        if isinstance(obj, np.generic):
            array = np.asarray(obj)
            return {"type": "numpy_scalar", "array": self._add_array(array, array, where)}
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return _encode_scalar(obj)
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self._active:
                raise ValueError(f"cannot save {where}: it contains itself (a circular reference)")
            self._active.add(id(obj))
            try:
                return self._encode_container(obj, where)
            finally:
                self._active.discard(id(obj))
        hint = ""
        if hasattr(obj, "state_dict"):
            hint = f"; glassnet.save stores data, not code: save {where}.state_dict() instead"
        raise TypeError(
            f"cannot save an object of type {type(obj).__module__}.{type(obj).__qualname__} "
            f"at {where}; glassnet.save accepts Tensors, NumPy arrays and scalars, dict, list, "
            f"tuple, int, float, bool, str and None{hint}"
        )

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


def _check_path(path: Any, func: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{func} expects a file path (str or os.PathLike), got {type(path)!r}")
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"{func} expects a str path, got {p!r}")
    return p


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Save ``obj`` (a Tensor, state_dict, checkpoint dict, ...) to the file ``path``.

    The file is written atomically: to a temporary file next to ``path`` that replaces ``path``
    only once it is complete and on disk. If saving fails (an unsupported object, a full disk,
    Ctrl-C) any previous file at ``path`` is left untouched.

    ``path`` is used exactly as given: no extension is added or changed. The file is a NumPy
    ``.npz`` archive, so ``.npz`` is a good suffix, but any name works. See the module docstring
    for the format and the list of savable types.

    Args:
        obj: what to save. Tensors, NumPy arrays and scalars, dicts, lists, tuples, int, float,
            bool, str and None, nested in any way.
        path: the file to write (str or os.PathLike); its folder must exist.

    Raises:
        TypeError: ``obj`` contains something that cannot be saved without pickle (an object
            array, a Module, a function, ...) or ``path`` is not a path. The message says where
            in ``obj`` the problem is. Nothing is written in that case.
        ValueError: ``obj`` contains itself.

    Example:
        >>> glassnet.save({"model": model.state_dict(), "epoch": 3}, "ckpt.npz")
        >>> ckpt = glassnet.load("ckpt.npz")
    """
    p = _check_path(path, "glassnet.save")
    encoder = _Encoder()
    try:
        root = encoder.encode(obj, "obj")
    except RecursionError:
        raise ValueError("cannot save obj: it is nested too deeply") from None
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "arrays": encoder.table,
        "root": root,
    }
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    with atomic_write(p, "wb") as f:
        # ZIP_STORED + force_zip64 is what numpy.savez does: fast, and arrays over 4 GB work.
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(MANIFEST_NAME, text.encode("ascii"))
            for key, array in encoder.arrays.items():
                with zf.open(f"{key}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)


# ----------------------------------------------------------------------------------------------
# Loading: file -> validated manifest -> checked arrays -> object
# ----------------------------------------------------------------------------------------------

# Everything a damaged or hostile file can make zipfile / numpy / json raise while reading.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    KeyError,
    ValueError,  # includes json.JSONDecodeError and UnicodeDecodeError
    TypeError,
    NotImplementedError,  # unsupported zip compression method
    RecursionError,
    OverflowError,
    RuntimeError,  # zipfile: "encrypted, password required" from a damaged flag bit
    OSError,  # e.g. a seek to an offset the damaged zip directory points to
)


def _sniff(path: str, head: bytes) -> str | None:
    """Explain why a file that is not a zip archive is not a glassnet file (None if it is a zip)."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    if not head:
        return "the file is empty"
    if head.startswith(b"\x93NUMPY"):
        return "it is a single NumPy .npy array, not a glassnet file (read it with numpy.load)"
    if head[:1] == b"\x80":
        return (
            "it looks like a pickle file (for example from torch.save); glassnet never "
            "loads pickles because unpickling can run arbitrary code"
        )
    return f"not a glassnet file: it is not a zip archive (it starts with {head[:8]!r})"


def _fail(path: str, reason: str) -> SerializationError:
    return SerializationError(path, reason)


def _parse_header(path: str, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _fail(path, f"{MANIFEST_NAME} does not describe a glassnet file")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(path, f"invalid format_version {version!r} in {MANIFEST_NAME}")
    if version > FORMAT_VERSION:
        writer = manifest.get("glassnet_version", "an unknown version")
        raise _fail(
            path,
            f"it was written by a newer glassnet ({writer}) in format_version {version}; "
            f"this glassnet ({__version__}) reads format_version {FORMAT_VERSION} and older. "
            f"Upgrade glassnet to load it",
        )


def _read_zip_manifest(path: str, zf: zipfile.ZipFile) -> dict[str, Any]:
    names = zf.namelist()
    if MANIFEST_NAME not in names and any(n.endswith("data.pkl") for n in names):
        raise _fail(
            path,
            "it looks like a PyTorch file (torch.save), which is a pickle inside a zip; glassnet "
            "never loads pickles because unpickling can run arbitrary code. To convert it, load "
            "it with torch and pass the tensors' .numpy() arrays to glassnet.save",
        )
    if MANIFEST_NAME not in names:
        arrays = sorted(n.removesuffix(".npy") for n in names)[:10]
        raise _fail(
            path,
            f"not a glassnet file: the zip archive has no {MANIFEST_NAME} "
            f"(its members: {arrays}); a plain .npz can be read with numpy.load",
        )
    if len(set(names)) != len(names):
        raise _fail(path, "the zip archive lists the same member twice")
    size = zf.getinfo(MANIFEST_NAME).file_size
    if size > _MAX_MANIFEST_BYTES:
        raise _fail(path, f"{MANIFEST_NAME} claims {size} bytes, more than any glassnet writes")
    try:
        manifest = json.loads(zf.read(MANIFEST_NAME).decode("utf-8"))
    except (ValueError, RecursionError) as e:
        raise _fail(path, f"{MANIFEST_NAME} is not valid JSON ({e})") from None
    _parse_header(path, manifest)
    return manifest


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read only the manifest of a saved file (its structure, dtypes and shapes; no array data).

    Useful to inspect a checkpoint cheaply. Raises :class:`SerializationError` like :func:`load`
    when the file is not a readable glassnet file.
    """
    p = _check_path(path, "glassnet.serialization.read_manifest")
    with open(p, "rb") as f:
        reason = _sniff(p, f.read(8))
        if reason:
            raise _fail(p, reason)
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as zf:
                return _read_zip_manifest(p, zf)
        except SerializationError:
            raise
        except _READ_ERRORS as e:
            raise _fail(p, f"the file is corrupt or truncated ({type(e).__name__}: {e})") from None


class _Validator:
    """Checks the manifest tree against the schema before any array is read."""

    def __init__(self, path: str, table: dict[str, Any]) -> None:
        self.path = path
        self.table = table
        self.used: set[str] = set()

    def bad(self, where: str, what: str) -> SerializationError:
        return _fail(self.path, f"corrupt {MANIFEST_NAME}: {what} at {where}")

    def node(self, node: Any, where: str, key_only: bool = False) -> None:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise self.bad(where, f"expected a node with a 'type', got {_short(node)}")
        kind = node["type"]
        if kind == "none":
            return
        if kind in ("bool", "int", "float", "str"):
            _decode_scalar(node, lambda what: self.bad(where, what))
            return
        if kind in ("list", "tuple"):
            if key_only and kind != "tuple":
                raise self.bad(where, f"a dict key must be {_KEY_TYPES}, got a {kind}")
            items = node.get("items")
            if not isinstance(items, list):
                raise self.bad(where, f"a {kind} node needs a list of 'items'")
            for i, item in enumerate(items):
                self.node(item, f"{where}[{i}]", key_only=key_only)
            return
        if key_only:
            raise self.bad(where, f"a dict key must be {_KEY_TYPES}, got a {kind}")
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
            if kind == "numpy_scalar" and self.table[key]["shape"] != []:
                raise self.bad(where, "a NumPy scalar must have shape []")
            self.used.add(key)
            return
        raise self.bad(where, f"unknown node type {kind!r}")


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


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
        raise _fail(path, f"corrupt {MANIFEST_NAME}: 'arrays' must be a table")
    specs = {}
    for key, spec in table.items():
        if not isinstance(spec, dict):
            raise _fail(path, f"corrupt {MANIFEST_NAME}: bad entry for array {key!r}")
        shape = spec.get("shape")
        if not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
        ):
            raise _fail(path, f"corrupt {MANIFEST_NAME}: array {key!r} has bad shape {shape!r}")
        dtype = None
        if isinstance(spec.get("dtype"), str):
            try:
                dtype = np.dtype(spec["dtype"])
            except (TypeError, ValueError):
                pass
        if dtype is None or dtype.kind not in _ARRAY_KINDS:
            raise _fail(
                path,
                f"corrupt {MANIFEST_NAME}: array {key!r} has unsupported dtype "
                f"{spec.get('dtype')!r} (glassnet files never hold object arrays)",
            )
        specs[key] = (dtype, tuple(shape))
    return specs


def _read_arrays(path: str, p: Any, manifest: dict[str, Any]) -> dict[str, np.ndarray]:
    """Validate the manifest, then read and check every array. Raises before building anything."""
    specs = _check_table(path, manifest.get("arrays"))
    validator = _Validator(path, manifest["arrays"])
    if "root" not in manifest:
        raise _fail(path, f"corrupt {MANIFEST_NAME}: it has no 'root'")
    validator.node(manifest["root"], "root")
    unused = sorted(set(specs) - validator.used)
    if unused:
        raise _fail(path, f"corrupt {MANIFEST_NAME}: arrays {unused} are listed but never used")

    arrays: dict[str, np.ndarray] = {}
    with np.load(p, allow_pickle=False) as npz:
        members = set(npz.zip.namelist()) - {MANIFEST_NAME}
        expected = {f"{key}.npy" for key in specs}
        if members - expected:
            extra = sorted(members - expected)[:10]
            raise _fail(path, f"the archive holds members the manifest does not list: {extra}")
        if expected - members:
            missing = sorted(expected - members)[:10]
            raise _fail(path, f"arrays listed in the manifest are missing: {missing}")
        for key, (dtype, shape) in specs.items():
            _check_npy_header(path, npz.zip, key, dtype, shape)
            array = npz[f"{key}.npy"]
            if not isinstance(array, np.ndarray):
                raise _fail(path, f"member {key}.npy is not a .npy array")
            if array.dtype != dtype or array.dtype.str != dtype.str:
                raise _fail(
                    path,
                    f"array {key!r} has dtype {array.dtype.str}, the manifest says {dtype.str}",
                )
            if array.shape != shape:
                raise _fail(
                    path, f"array {key!r} has shape {array.shape}, the manifest says {shape}"
                )
            arrays[key] = array
    return arrays


def _check_npy_header(
    path: str, zf: zipfile.ZipFile, key: str, dtype: np.dtype, shape: tuple[int, ...]
) -> None:
    """Compare a member's .npy header and size with the manifest before reading its data.

    So a damaged or hostile file cannot make us allocate memory for an array it does not hold.
    """
    name = f"{key}.npy"
    with zf.open(name) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            header = np.lib.format.read_array_header_2_0(member)
        else:
            raise _fail(path, f"member {name} has unsupported .npy version {version}")
        header_bytes = member.tell()
    file_shape, _fortran, file_dtype = header
    if file_dtype.str != dtype.str or file_dtype != dtype:
        raise _fail(
            path, f"array {key!r} has dtype {file_dtype.str}, the manifest says {dtype.str}"
        )
    if tuple(file_shape) != shape:
        raise _fail(path, f"array {key!r} has shape {tuple(file_shape)}, the manifest says {shape}")
    expected = header_bytes + math.prod(shape) * dtype.itemsize
    actual = zf.getinfo(name).file_size
    if actual != expected:
        raise _fail(
            path,
            f"member {name} holds {actual} bytes but a {dtype.str} array of shape {shape} "
            f"needs {expected}",
        )


def _build(node: dict[str, Any], arrays: dict[str, np.ndarray], memo: dict) -> Any:
    kind = node["type"]
    if kind in ("tensor", "ndarray", "numpy_scalar"):
        memo_key = (node["array"], kind, node.get("requires_grad"))
        if memo_key not in memo:
            array = arrays[node["array"]]
            if kind == "tensor":
                memo[memo_key] = _make_tensor(array, node["requires_grad"])
            elif kind == "ndarray":
                memo[memo_key] = array
            else:
                memo[memo_key] = array[()]
        return memo[memo_key]
    if kind in ("dict", "ordered_dict"):
        out = OrderedDict() if kind == "ordered_dict" else {}
        for k, v in node["items"]:
            out[_decode_key(k)] = _build(v, arrays, memo)
        return out
    if kind == "list":
        return [_build(v, arrays, memo) for v in node["items"]]
    if kind == "tuple":
        return tuple(_build(v, arrays, memo) for v in node["items"])
    return _decode_scalar(node)


def _make_tensor(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(array, requires_grad=requires_grad)


def load(path: str | os.PathLike[str], map_location: Any = None) -> Any:
    """Load an object saved with :func:`save`; Tensors come back as Tensors, arrays as arrays.

    The result has the structure that was saved: dicts keep their key order (and OrderedDicts
    stay OrderedDicts), tuples stay tuples, Tensors keep dtype, shape and ``requires_grad``
    (they come back as new leaf tensors without ``.grad``). Loaded arrays are fresh, writable
    copies of the file's data.

    Loading never executes code. The whole file is checked before the result is built, so it
    returns everything or raises.

    Args:
        path: the file to read (str or os.PathLike).
        map_location: accepted for PyTorch compatibility; glassnet runs on the CPU, so only
            ``None`` and ``"cpu"`` are allowed.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        SerializationError: (a ValueError) the file is not a glassnet file, is truncated or
            corrupt, its manifest disagrees with its arrays, or it was written in a newer
            format_version. The message names the file and the problem.
    """
    p = _check_path(path, "glassnet.load")
    if map_location not in (None, "cpu"):
        raise ValueError(
            f"glassnet.load: glassnet runs on the CPU only, so map_location must be None or "
            f"'cpu', got {map_location!r}"
        )
    with open(p, "rb") as f:
        reason = _sniff(p, f.read(8))
        if reason:
            raise _fail(p, reason)
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as zf:
                manifest = _read_zip_manifest(p, zf)
            f.seek(0)
            arrays = _read_arrays(p, f, manifest)
        except SerializationError:
            raise
        except _READ_ERRORS as e:
            raise _fail(p, f"the file is corrupt or truncated ({type(e).__name__}: {e})") from None
    return _build(manifest["root"], arrays, {})
