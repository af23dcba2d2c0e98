"""Tests for glassnet.serialization: save/load round trips, refusals, corrupt files, atomicity."""

from __future__ import annotations

import json
import math
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import glassnet as gn
from glassnet.serialization import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    SerializationError,
    load,
    read_manifest,
    save,
)

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------


def roundtrip(obj, tmp_path, name="obj.npz"):
    path = tmp_path / name
    save(obj, path)
    return load(path)


def assert_same(a, b):
    """Deep equality that also checks types, dtypes, shapes, requires_grad and dict order."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, gn.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype
        assert a == b or (np.isnan(a) and np.isnan(b))
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for k in a:
            assert type(k) is type(next(kk for kk in b if kk == k))
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    else:
        assert a == b


def rewrite(src, dst, manifest_fn=None, drop=(), add=None, replace=None):
    """Copy a saved file, editing its manifest / members, to build damaged files."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = zin.read(name)
            if name == MANIFEST_NAME and manifest_fn is not None:
                manifest = json.loads(data)
                manifest_fn(manifest)
                data = json.dumps(manifest).encode()
            if replace and name in replace:
                data = replace[name]
            zout.writestr(name, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def npy_bytes(array, allow_pickle=False):
    import io

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


class _Boom:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.npz"
    obj = {"w": gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True), "b": np.arange(3)}
    save(obj, path)
    return path


# ----------------------------------------------------------------------------------------------
# Round trips
# ----------------------------------------------------------------------------------------------

TENSORS = {
    "float32": lambda: gn.tensor([[1.5, -2.0], [0.0, 3.25]]),
    "float64": lambda: gn.tensor(np.linspace(0, 1, 7), dtype=gn.float64),
    "int64": lambda: gn.tensor([[1, -2, 3]]),
    "bool": lambda: gn.tensor([True, False, True]),
    "scalar_0d": lambda: gn.tensor(2.5),
    "empty": lambda: gn.zeros(0, 3),
    "requires_grad": lambda: gn.randn(4, 3, requires_grad=True),
    "float64_requires_grad": lambda: gn.tensor([1.0, 2.0], dtype=gn.float64, requires_grad=True),
    "non_contiguous": lambda: gn.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4).T),
}


@pytest.mark.parametrize("make", TENSORS.values(), ids=TENSORS.keys())
def test_tensor_roundtrip(tmp_path, make):
    gn.manual_seed(0)
    t = make()
    out = roundtrip(t, tmp_path)
    assert isinstance(out, gn.Tensor)
    assert_same(t, out)
    assert out.is_leaf and out.grad is None


ARRAYS = {
    "float32": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
    "float16": np.array([0.1, 65504.0], dtype=np.float16),
    "int8": np.array([-128, 0, 127], dtype=np.int8),
    "uint8": np.arange(256, dtype=np.uint8),
    "int64_extremes": np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max]),
    "complex128": np.array([1 + 2j, -0.5j]),
    "bool": np.array([[True], [False]]),
    "unicode": np.array(["λ", "glass", ""]),
    "bytes": np.array([b"ab", b"\x00c"]),
    "datetime64": np.array(["2024-01-01", "1970-01-02"], dtype="datetime64[D]"),
    "big_endian": np.arange(4, dtype=">f4"),
    "fortran_order": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
    "zero_d": np.array(3.0),
    "nan_inf": np.array([np.nan, np.inf, -np.inf, -0.0]),
}


@pytest.mark.parametrize("array", ARRAYS.values(), ids=ARRAYS.keys())
def test_ndarray_roundtrip(tmp_path, array):
    out = roundtrip(array, tmp_path)
    assert type(out) is np.ndarray
    assert_same(array, out)
    assert out.dtype.str == array.dtype.str
    assert out.flags.writeable


SCALARS = {
    "int_zero": 0,
    "int_negative": -5,
    "int_2_53": 2**53,
    "int_128_bit": 2**128 - 1,
    "int_huge_negative": -(3**200),
    "float": 0.1,
    "float_negative_zero": -0.0,
    "float_nan": float("nan"),
    "float_inf": float("inf"),
    "float_minus_inf": float("-inf"),
    "float_max": 1.7976931348623157e308,
    "float_tiny": 5e-324,
    "true": True,
    "false": False,
    "none": None,
    "str_empty": "",
    "str_unicode": 'λ → 🚀 \n"quoted"',
    "str_lone_surrogate": "\ud800",
    "np_float32": np.float32(2.5),
    "np_float64": np.float64(-1.25),
    "np_int64": np.int64(-7),
    "np_uint8": np.uint8(255),
    "np_bool": np.bool_(True),
    "np_nan32": np.float32("nan"),
}


@pytest.mark.parametrize("value", SCALARS.values(), ids=SCALARS.keys())
def test_scalar_roundtrip(tmp_path, value):
    out = roundtrip(value, tmp_path)
    assert_same(value, out)
    # and nested inside containers too
    assert_same(
        [value, {"v": value}, (value,)], roundtrip([value, {"v": value}, (value,)], tmp_path)
    )


def test_nested_containers_roundtrip(tmp_path):
    obj = {
        "list": [1, 2.0, "three", None, [True, (4, 5)], {}],
        "tuple": (np.zeros(2), gn.ones(2), (), []),
        "empty_dict": {},
        "deep": [[[[[{"x": [(1,)]}]]]]],
    }
    out = roundtrip(obj, tmp_path)
    assert_same(obj, out)
    assert isinstance(out["tuple"], tuple) and isinstance(out["tuple"][2], tuple)
    assert isinstance(out["list"][4][1], tuple)


def test_dict_key_types_and_order(tmp_path):
    obj = {"z": 1, 3: 2, "a": 3, 1: 4, 2.5: 5, None: 6, False: 7, (1, "x"): 8, -(2**70): 9}
    out = roundtrip(obj, tmp_path)
    assert list(out.keys()) == list(obj.keys())
    assert [type(k) for k in out] == [type(k) for k in obj]
    assert_same(obj, out)


def test_ordered_dict_stays_ordered_dict_and_dict_stays_dict(tmp_path):
    obj = {"plain": {"b": 1, "a": 2}, "ordered": OrderedDict([("b", 1), ("a", 2)])}
    out = roundtrip(obj, tmp_path)
    assert type(out["plain"]) is dict
    assert type(out["ordered"]) is OrderedDict
    assert list(out["ordered"]) == ["b", "a"]


def test_state_dict_like_ordered_dict(tmp_path):
    gn.manual_seed(1)
    names = ["layers.10.weight", "layers.10.bias", "layers.2.weight", "layers.2.bias", "bn.mean"]
    sd = OrderedDict((n, gn.randn(4, 3) if n.endswith("weight") else gn.zeros(4)) for n in names)
    sd["bn.num_batches_tracked"] = gn.tensor(17)
    out = roundtrip(sd, tmp_path, "model.npz")
    assert type(out) is OrderedDict
    assert list(out) == list(sd)
    assert_same(sd, out)


def test_checkpoint_with_optimizer_state_and_rng(tmp_path):
    gn.manual_seed(3)
    w = gn.randn(3, 2, requires_grad=True)
    optimizer_state = {
        "state": {
            0: {"step": 12, "exp_avg": np.ones((3, 2), np.float32), "exp_avg_sq": np.zeros((3, 2))}
        },
        "param_groups": [
            {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False, "params": [0]}
        ],
    }
    rng_state = gn.random.get_rng_state()
    ckpt = {
        "model": OrderedDict(weight=w),
        "optimizer": optimizer_state,
        "epoch": 7,
        "rng": rng_state,
    }
    out = roundtrip(ckpt, tmp_path, "ckpt.npz")
    assert_same(ckpt, out)
    assert out["rng"]["state"]["state"] == rng_state["state"]["state"]
    # restoring the loaded rng state replays the same random numbers
    expected = gn.randn(5).numpy()
    gn.random.set_rng_state(out["rng"])
    np.testing.assert_array_equal(gn.randn(5).numpy(), expected)


def test_numpy_generator_state_with_128_bit_ints(tmp_path):
    rng = np.random.default_rng(2024)
    rng.random(3)
    state = rng.bit_generator.state
    assert state["state"]["state"] > 2**64  # really a 128-bit int
    out = roundtrip(state, tmp_path)
    assert out == state
    other = np.random.default_rng()
    other.bit_generator.state = out
    np.testing.assert_array_equal(other.random(4), rng.random(4))


def test_parameter_comes_back_as_tensor_requiring_grad(tmp_path):
    Parameter = pytest.importorskip("glassnet.nn.parameter").Parameter
    p = Parameter(gn.randn(2, 2))
    out = roundtrip({"p": p}, tmp_path)["p"]
    assert type(out) is gn.Tensor and out.requires_grad
    np.testing.assert_array_equal(out.numpy(), p.numpy())


def test_module_state_dict_roundtrip(tmp_path):
    nn = pytest.importorskip("glassnet.nn")
    if not hasattr(nn, "Linear") or not hasattr(nn.Linear, "state_dict"):
        pytest.skip("glassnet.nn.Linear.state_dict not available yet")
    gn.manual_seed(0)
    model = nn.Linear(4, 3)
    sd = model.state_dict()
    out = roundtrip(sd, tmp_path, "linear.npz")
    assert list(out) == list(sd)
    for k in sd:
        np.testing.assert_array_equal(out[k].numpy(), sd[k].numpy())
        assert out[k].dtype == sd[k].dtype


def test_shared_tensor_is_stored_once_and_loaded_as_one_object(tmp_path):
    w = gn.randn(3, 3)
    a = np.arange(4)
    obj = {"encoder.weight": w, "decoder.weight": w, "arrays": [a, a]}
    path = tmp_path / "tied.npz"
    save(obj, path)
    with np.load(path) as npz:
        assert len([n for n in npz.files if n != MANIFEST_NAME]) == 2
    out = load(path)
    assert out["encoder.weight"] is out["decoder.weight"]
    assert out["arrays"][0] is out["arrays"][1]


def test_loaded_arrays_are_independent_of_the_saved_ones(tmp_path):
    t = gn.ones(3)
    out = roundtrip(t, tmp_path)
    out.data += 1
    np.testing.assert_array_equal(t.numpy(), np.ones(3))


# ----------------------------------------------------------------------------------------------
# Paths and the file format
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ckpt", "model.pt", "weights.npz", "dir.with.dots/x"], ids=str)
def test_path_is_used_exactly_as_given(tmp_path, name):
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    save([1, 2], str(path))
    assert path.is_file()
    assert sorted(p.name for p in path.parent.iterdir() if p.is_file()) == [path.name]
    assert load(str(path)) == [1, 2]


def test_pathlike_accepted(tmp_path):
    class MyPath:
        def __fspath__(self):
            return str(tmp_path / "p.npz")

    save({"a": 1}, MyPath())
    assert load(MyPath()) == {"a": 1}
    assert load(pathlib.Path(tmp_path / "p.npz")) == {"a": 1}


def test_file_is_a_plain_npz_with_a_json_manifest(tmp_path):
    path = tmp_path / "x.npz"
    save({"w": gn.ones(2, 3, requires_grad=True), "n": 5}, path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = [n for n in npz.files if n != MANIFEST_NAME]
        assert len(arrays) == 1
        np.testing.assert_array_equal(npz[arrays[0]], np.ones((2, 3), np.float32))
    manifest = read_manifest(path)
    assert manifest["format"] == "glassnet"
    assert manifest["format_version"] == 1 and FORMAT_VERSION == 2  # 2: objects, sets
    assert manifest["glassnet_version"] == gn.__version__
    (spec,) = manifest["arrays"].values()
    assert spec == {"dtype": "<f4", "shape": [2, 3]}
    tensor_node = manifest["root"]["items"][0][1]
    assert tensor_node["type"] == "tensor" and tensor_node["requires_grad"] is True


def test_map_location(tmp_path):
    path = tmp_path / "x.npz"
    save(gn.ones(2), path)
    assert load(path, map_location="cpu").shape == (2,)
    with pytest.raises(ValueError, match="CPU"):
        load(path, map_location="cuda:0")


@pytest.mark.parametrize("bad", [3, None, b"bytes/path"], ids=["int", "none", "bytes"])
def test_bad_path_types(tmp_path, bad):
    with pytest.raises(TypeError, match="path"):
        save(1, bad)
    with pytest.raises(TypeError, match="path"):
        load(bad)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


# ----------------------------------------------------------------------------------------------
# What save refuses (nothing is written)
# ----------------------------------------------------------------------------------------------


def _nothing_written(tmp_path):
    return list(tmp_path.iterdir()) == []


def test_object_array_refused(tmp_path):
    obj = {"ok": np.ones(2), "bad": [np.array([1, "a", None], dtype=object)]}
    with pytest.raises(TypeError, match=r"object array at obj\['bad'\]\[0\].*pickle"):
        save(obj, tmp_path / "x.npz")
    assert _nothing_written(tmp_path)


def test_tensor_with_object_data_refused(tmp_path):
    t = gn.Tensor._make(np.array([{}, []], dtype=object))
    with pytest.raises(TypeError, match="object array"):
        save(t, tmp_path / "x.npz")


def test_structured_array_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot save"):
        save(np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), tmp_path / "x.npz")
    assert _nothing_written(tmp_path)


UNSUPPORTED = {
    "function": (len, "builtin_function_or_method"),
    "lambda": (lambda: 1, "function"),
    "bytes": (b"raw", "bytes"),
    "complex": (1j, "complex"),
    "plain_object": (object(), "builtins.object"),
    "masked_array": (np.ma.masked_array([1, 2], mask=[0, 1]), "masked"),
}


@pytest.mark.parametrize("value,msg", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_values_refused_with_location(tmp_path, value, msg):
    with pytest.raises(TypeError, match=msg) as info:
        save({"outer": [0, value]}, tmp_path / "x.npz")
    assert "obj['outer'][1]" in str(info.value)
    assert _nothing_written(tmp_path)


@pytest.mark.parametrize(
    "key",
    [np.int64(1), frozenset(), (1, (2, frozenset()))],
    ids=["numpy_int", "frozenset", "tuple_with_frozenset"],
)
def test_unsupported_dict_keys_refused(tmp_path, key):
    with pytest.raises(TypeError, match="dict keys must be"):
        save({key: 1}, tmp_path / "x.npz")
    assert _nothing_written(tmp_path)


def test_circular_reference_refused(tmp_path):
    a = [1]
    a.append({"self": a})
    with pytest.raises(ValueError, match="circular"):
        save(a, tmp_path / "x.npz")
    assert _nothing_written(tmp_path)


def test_same_list_twice_is_not_circular(tmp_path):
    inner = [1, 2]
    assert roundtrip([inner, inner], tmp_path) == [[1, 2], [1, 2]]


# ----------------------------------------------------------------------------------------------
# Interrupted writes never destroy the old file
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exc", [OSError, KeyboardInterrupt], ids=["disk_error", "ctrl_c"])
def test_interrupted_save_keeps_old_file(tmp_path, monkeypatch, exc):
    path = tmp_path / "ckpt.npz"
    old = {"epoch": 1, "w": gn.ones(3)}
    save(old, path)
    old_bytes = path.read_bytes()

    real_write_array = np.lib.format.write_array
    calls = []

    def write_half_then_fail(fp, array, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # second array: write part of it, then fail
            fp.write(b"\x93NUMPY partial garbage")
            raise exc("interrupted")
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_half_then_fail)
    new = {"epoch": 2, "w": gn.zeros(1000), "v": gn.zeros(1000)}
    with pytest.raises(exc, match="interrupted"):
        save(new, path)
    monkeypatch.undo()

    assert len(calls) == 2
    assert path.read_bytes() == old_bytes
    assert_same(old, load(path))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]  # no temp file left behind


def test_failed_rename_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save([1], path)

    def broken_replace(src, dst):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PermissionError):
        save([2], path)
    monkeypatch.undo()
    assert load(path) == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


def test_unsupported_object_does_not_touch_old_file(tmp_path):
    path = tmp_path / "ckpt.npz"
    save([1], path)
    with pytest.raises(TypeError):
        save([2, object()], path)
    assert load(path) == [1]


# ----------------------------------------------------------------------------------------------
# Foreign, corrupt, truncated and too-new files
# ----------------------------------------------------------------------------------------------


def test_error_is_a_value_error_naming_the_path(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, I am text\n")
    with pytest.raises(SerializationError) as info:
        load(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value) and info.value.path == str(path)
    assert "not a zip archive" in str(info.value)


def test_empty_file(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    with pytest.raises(SerializationError, match="empty"):
        load(tmp_path / "e.npz")


def test_single_npy_file(tmp_path):
    np.save(tmp_path / "a.npy", np.ones(3))
    with pytest.raises(SerializationError, match=r"single NumPy \.npy"):
        load(tmp_path / "a.npy")


def test_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Boom(marker)))
    with pytest.raises(SerializationError, match="pickle"):
        load(path)
    assert not marker.exists()


def test_foreign_npz_without_manifest(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, x=np.ones(2), y=np.zeros(3))
    with pytest.raises(SerializationError, match=r"no __manifest__\.json.*numpy\.load") as info:
        load(path)
    assert "'x'" in str(info.value)


def test_zip_without_manifest(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(SerializationError, match="not a glassnet file"):
        load(path)


def test_pytorch_zip_file_is_recognised(tmp_path):
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as zf:  # the layout torch.save writes
        zf.writestr("model/data.pkl", pickle.dumps({"w": 1}))
        zf.writestr("model/version", "3\n")
    with pytest.raises(SerializationError, match="PyTorch file"):
        load(path)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.9, 0.99], ids=lambda f: f"keep_{f}")
def test_truncated_file(good_file, fraction):
    data = good_file.read_bytes()
    good_file.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(SerializationError, match="corrupt or truncated|not a glassnet"):
        load(good_file)


def test_flipped_byte_in_array_data_is_caught_by_crc(tmp_path):
    path = tmp_path / "x.npz"
    save(np.arange(1000, dtype=np.float64), path)
    data = bytearray(path.read_bytes())
    i = data.index(np.arange(500, 501, dtype=np.float64).tobytes())
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SerializationError, match="CRC"):
        load(path)


def test_random_corruption_never_escapes_as_another_error(tmp_path):
    """Flip bytes all over a file: load either raises SerializationError or returns the original
    (a flip in a field nobody checks, such as a zip timestamp)."""
    path = tmp_path / "x.npz"
    obj = {"w": gn.tensor(np.arange(20.0).reshape(4, 5)), "n": [1, "a"], "i": np.arange(3)}
    save(obj, path)
    good = path.read_bytes()
    rng = np.random.default_rng(0)
    outcomes = {"error": 0, "same": 0}
    for pos in rng.choice(len(good), size=150, replace=False):
        data = bytearray(good)
        data[pos] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(data))
        try:
            out = load(path)
        except SerializationError:
            outcomes["error"] += 1
        else:
            assert_same(obj, out)
            outcomes["same"] += 1
    assert outcomes["error"] > 50


def _edit(good_file, tmp_path, **kwargs):
    bad = tmp_path / "bad.npz"
    rewrite(good_file, bad, **kwargs)
    return bad


def _set(key, value):
    def fn(m):
        m[key] = value

    return fn


def test_newer_format_version(good_file, tmp_path):
    def newer(m):
        m["format_version"] = FORMAT_VERSION + 1
        m["glassnet_version"] = "9.0.0"

    bad = _edit(good_file, tmp_path, manifest_fn=newer)
    with pytest.raises(
        SerializationError, match=r"newer glassnet \(9\.0\.0\).*format_version 2"
    ) as info:
        load(bad)
    assert "Upgrade" in str(info.value) and str(bad) in str(info.value)
    with pytest.raises(SerializationError, match="newer"):
        read_manifest(bad)


@pytest.mark.parametrize("version", [0, "1", None, 1.0, True], ids=repr)
def test_invalid_format_version(good_file, tmp_path, version):
    bad = _edit(good_file, tmp_path, manifest_fn=_set("format_version", version))
    with pytest.raises(SerializationError, match="format_version"):
        load(bad)


def test_wrong_format_name(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, manifest_fn=_set("format", "keras"))
    with pytest.raises(SerializationError, match="does not describe a glassnet file"):
        load(bad)


def test_manifest_not_json(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, replace={MANIFEST_NAME: b"{not json"})
    with pytest.raises(SerializationError, match="not valid JSON"):
        load(bad)


def _first_array(m):
    return next(iter(m["arrays"]))


def _mutate_shape(m):
    m["arrays"][_first_array(m)]["shape"] = [2, 3]


def _mutate_dtype(m):
    m["arrays"][_first_array(m)]["dtype"] = "<f8"


def _object_dtype(m):
    m["arrays"][_first_array(m)]["dtype"] = "|O"


def _negative_shape(m):
    m["arrays"][_first_array(m)]["shape"] = [-1]


def _unknown_node(m):
    m["root"]["items"][0][1] = {"type": "lambda", "code": "import os"}


def _dangling_reference(m):
    m["root"]["items"][0][1]["array"] = "a99"


def _unused_array(m):
    m["arrays"]["a7"] = {"dtype": "<f4", "shape": [1]}


def _int_tensor_requiring_grad(m):
    m["root"]["items"][1][1] = {"type": "tensor", "array": "a1", "requires_grad": True}


def _list_as_key(m):
    m["root"]["items"][0][0] = {"type": "list", "items": []}


def _duplicate_key(m):
    m["root"]["items"][1][0] = m["root"]["items"][0][0]


def _bad_int(m):
    m["root"] = {"type": "int", "value": "12abc"}


def _no_root(m):
    del m["root"]


MANIFEST_DAMAGE = {
    "shape_mismatch": (_mutate_shape, "shape"),
    "dtype_mismatch": (_mutate_dtype, "dtype"),
    "object_dtype": (_object_dtype, "object arrays"),
    "negative_shape": (_negative_shape, "bad shape"),
    "unknown_node": (_unknown_node, "unknown node type 'lambda'"),
    "dangling_reference": (_dangling_reference, "'a99' is not in the array table"),
    "unused_array": (_unused_array, "never used"),
    "int_tensor_requires_grad": (_int_tensor_requiring_grad, "cannot require grad"),
    "list_as_dict_key": (_list_as_key, "dict key must be"),
    "duplicate_key": (_duplicate_key, "same key twice"),
    "bad_int": (_bad_int, "invalid int"),
    "no_root": (_no_root, "no 'root'"),
}


@pytest.mark.parametrize("fn,msg", MANIFEST_DAMAGE.values(), ids=MANIFEST_DAMAGE.keys())
def test_manifest_array_mismatch_detected(good_file, tmp_path, fn, msg):
    bad = _edit(good_file, tmp_path, manifest_fn=fn)
    with pytest.raises(SerializationError, match=msg) as info:
        load(bad)
    assert str(bad) in str(info.value)


def test_missing_array_member(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, drop=("a0.npy",))
    with pytest.raises(SerializationError, match=r"missing: \['a0.npy'\]"):
        load(bad)


def test_extra_member(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, add={"extra.npy": npy_bytes(np.ones(1))})
    with pytest.raises(SerializationError, match="does not list"):
        load(bad)


def test_array_member_with_other_shape_than_manifest(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, replace={"a0.npy": npy_bytes(np.ones((5, 5), np.float32))})
    with pytest.raises(SerializationError, match=r"shape \(5, 5\), the manifest says \(2, 2\)"):
        load(bad)


def test_array_member_truncated_inside_zip(good_file, tmp_path):
    data = npy_bytes(np.ones((2, 2), np.float32))[:-4]
    bad = _edit(good_file, tmp_path, replace={"a0.npy": data})
    with pytest.raises(SerializationError, match="holds .* bytes"):
        load(bad)


def test_member_that_is_not_npy(good_file, tmp_path):
    bad = _edit(good_file, tmp_path, replace={"a0.npy": b"just some text, no magic"})
    with pytest.raises(SerializationError, match="corrupt"):
        load(bad)


def test_pickled_object_array_member_is_never_unpickled(good_file, tmp_path):
    marker = tmp_path / "pwned"
    evil = np.array([_Boom(marker)], dtype=object)
    bad = _edit(
        good_file,
        tmp_path,
        manifest_fn=_object_dtype,
        replace={"a0.npy": npy_bytes(evil, allow_pickle=True)},
    )
    with pytest.raises(SerializationError, match="object arrays"):
        load(bad)
    # even if the manifest lies about the dtype, the .npy header is checked before the data
    bad2 = tmp_path / "bad2.npz"
    rewrite(good_file, bad2, replace={"a0.npy": npy_bytes(evil, allow_pickle=True)})
    with pytest.raises(SerializationError, match="dtype"):
        load(bad2)
    assert not marker.exists()


def test_read_manifest_reads_no_arrays(good_file):
    manifest = read_manifest(good_file)
    assert set(manifest["arrays"]) == {"a0", "a1"}
    assert manifest["root"]["type"] == "dict"
