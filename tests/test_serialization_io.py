"""glassnet.save / glassnet.load as PyTorch scripts call them (issue 9): file objects,
``weights_only``, ``map_location`` spellings and whole training checkpoints, never a pickle."""

from __future__ import annotations

import io
import math
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.serialization import SerializationError, load, save


class _Boom:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def assert_exactly(a, b):
    """Equal values and equal types all the way down (tuple stays tuple, int stays int, ...)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, gn.Tensor):
        assert (a.dtype, a.shape, a.requires_grad) == (b.dtype, b.shape, b.requires_grad)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            assert_exactly(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_exactly(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    elif isinstance(a, float):
        assert a == b and math.copysign(1, a) == math.copysign(1, b)
    else:
        assert a == b


def trained_checkpoint():
    """A real checkpoint: model and Adam state after two steps, plus the usual extras."""
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2):
        loss = (model(gn.randn(5, 3)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 2,
        "best": float("inf"),
        "worst": float("-inf"),
        "undefined": float("nan"),
        "negative_zero": -0.0,
        "finished": False,
        "note": None,
        "name": "mlp",
        "losses": [0.5, 0.25],
        "shape": (3, 4),
        "nested": [{"k": (1, [2.0, (True, None)])}],
    }


# ----------------------------------------------------------------------------------------------
# File objects
# ----------------------------------------------------------------------------------------------


def test_checkpoint_round_trips_exactly_through_bytesio():
    ckpt = trained_checkpoint()
    buf = io.BytesIO()
    save(ckpt, buf)
    buf.seek(0)
    out = load(buf)
    assert_exactly(ckpt, out)
    assert isinstance(out["optimizer"]["state"], dict) and all(
        type(k) is int for k in out["optimizer"]["state"]
    )


def test_loaded_checkpoint_restores_model_and_optimizer():
    ckpt = trained_checkpoint()
    buf = io.BytesIO()
    save(ckpt, buf)
    buf.seek(0)
    out = load(buf, weights_only=True)
    gn.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model.load_state_dict(out["model"])
    opt.load_state_dict(out["optimizer"])
    for key, value in ckpt["model"].items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value.numpy())
    assert_exactly(opt.state_dict(), ckpt["optimizer"])


def test_open_binary_files_and_positions(tmp_path):
    """Written into an open file after other bytes, read back from that position."""
    path = tmp_path / "with_prefix.bin"
    obj = {"w": gn.arange(6.0).reshape(2, 3), "step": 3}
    with open(path, "wb") as f:
        f.write(b"a prefix the reader skips")
        start = f.tell()
        save(obj, f)
        assert not f.closed
    with open(path, "rb") as f:
        f.seek(start)
        assert_exactly(obj, load(f))


def test_file_object_error_names_the_file(tmp_path):
    path = tmp_path / "truncated.npz"
    save({"w": gn.ones(100)}, path)
    path.write_bytes(path.read_bytes()[:300])
    with (
        open(path, "rb") as f,
        pytest.raises(SerializationError, match="corrupt or truncated") as e,
    ):
        load(f)
    assert str(path) in str(e.value) and e.value.corrupt
    with pytest.raises(SerializationError, match="<BytesIO>"):
        load(io.BytesIO(path.read_bytes()))


class _Pipe(io.RawIOBase):
    """A readable stream that cannot seek, like a pipe or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream_is_read():
    buf = io.BytesIO()
    save([1, gn.ones(2)], buf)
    out = load(_Pipe(buf.getvalue()))
    assert out[0] == 1 and out[1].tolist() == [1.0, 1.0]


def test_text_files_are_refused(tmp_path):
    with open(tmp_path / "t.txt", "w") as f, pytest.raises(TypeError, match="binary"):
        save(1, f)
    (tmp_path / "t.txt").write_text("text")
    with open(tmp_path / "t.txt") as f, pytest.raises(TypeError, match="binary"):
        load(f)
    with pytest.raises(TypeError, match="binary file object"):
        save(1, io.StringIO())


# ----------------------------------------------------------------------------------------------
# weights_only and pickles: glassnet never unpickles
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weights_only", [None, True, False], ids=["none", "true", "false"])
def test_weights_only_loads_the_same_data(tmp_path, weights_only):
    path = tmp_path / "ckpt.npz"
    ckpt = trained_checkpoint()
    save(ckpt, path)
    assert_exactly(ckpt, load(path, weights_only=weights_only))


@pytest.mark.parametrize("weights_only", [None, True, False], ids=["none", "true", "false"])
def test_pickle_is_refused_even_with_weights_only_false(tmp_path, weights_only):
    marker = tmp_path / "pwned"
    data = pickle.dumps(_Boom(marker))
    for source in (tmp_path / "evil.pt", io.BytesIO(data)):
        if isinstance(source, os.PathLike):
            source.write_bytes(data)
        with pytest.raises(SerializationError, match="glassnet never unpickles") as info:
            load(source, weights_only=weights_only)
        assert "\n" not in str(info.value)
    assert not marker.exists()


def test_real_torch_file_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(SerializationError, match="PyTorch file.*glassnet never unpickles"):
        load(path, weights_only=False)


@pytest.mark.parametrize("bad", ["yes", 1, []], ids=["str", "int", "list"])
def test_weights_only_must_be_a_bool(tmp_path, bad):
    path = tmp_path / "x.npz"
    save(1, path)
    with pytest.raises(TypeError, match="weights_only must be True, False or None"):
        load(path, weights_only=bad)


class _CPU:
    """Stands in for torch.device("cpu"): what matters is that its name is "cpu"."""

    def __str__(self) -> str:
        return "cpu"


MAP_LOCATIONS = {
    "none": None,
    "str": "cpu",
    "device": _CPU(),
    "dict": {"cuda:0": "cpu"},
    "callable": lambda storage, location: storage,
}


@pytest.mark.parametrize("where", MAP_LOCATIONS.values(), ids=MAP_LOCATIONS.keys())
def test_map_location_spellings_of_cpu(tmp_path, where):
    path = tmp_path / "x.npz"
    save({"w": gn.ones(2)}, path)
    assert load(path, map_location=where, mmap=False)["w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("where", ["cuda", {"cpu": "cuda:0"}], ids=["str", "dict"])
def test_map_location_to_another_device_is_refused(tmp_path, where):
    path = tmp_path / "x.npz"
    save(1, path)
    with pytest.raises(ValueError, match="CPU only"):
        load(path, map_location=where)


# ----------------------------------------------------------------------------------------------
# Old files stay loadable
# ----------------------------------------------------------------------------------------------


def test_file_written_by_format_version_1_loads():
    """A file written by glassnet 0.1.0 (format_version 1), kept in the regression corpus."""
    path = os.path.join(os.path.dirname(__file__), "fuzz", "corpus", "load", "valid_v1.npz")
    out = load(path)
    assert list(out) == ["model", "optimizer", "epoch", "best", "shape"]
    assert type(out["model"]) is OrderedDict and out["model"]["weight"].shape == (2, 3)
    assert out["model"]["weight"].requires_grad
    np.testing.assert_array_equal(out["model"]["weight"].numpy(), np.arange(6.0).reshape(2, 3))
    assert out["optimizer"]["state"][0]["step"] == 4 and out["epoch"] == 7
    assert out["best"] == float("inf") and out["shape"] == (2, 3)


# ----------------------------------------------------------------------------------------------
# How a damaged file is reported (issue 10, item 6, the loader's side)
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.95], ids=lambda k: f"keep_{k}")
def test_truncated_model_file_says_corrupt_or_truncated_and_names_the_file(tmp_path, keep):
    path = tmp_path / "model.npz"
    save(nn.Linear(20, 10).state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(SerializationError) as info:
        load(path)
    error = info.value
    assert error.corrupt and error.path == str(path)
    assert str(error).startswith(f"cannot load {str(path)!r}: the file is corrupt or truncated: ")
    assert "does not fit" not in str(error)
    assert "corrupt or truncated" not in error.reason  # said once, in the message


def test_intact_foreign_files_are_not_called_corrupt(tmp_path):
    np.savez(tmp_path / "plain.npz", x=np.ones(2))
    (tmp_path / "evil.pt").write_bytes(pickle.dumps([1]))
    for name in ("plain.npz", "evil.pt"):
        with pytest.raises(SerializationError) as info:
            load(tmp_path / name)
        assert not info.value.corrupt and "corrupt" not in str(info.value)


def test_valid_file_of_another_model_does_not_fit_instead(tmp_path):
    """A good file for another model loads; the model refuses it (the "does not fit" case)."""
    path = tmp_path / "model.npz"
    save(nn.Linear(20, 10).state_dict(), path)
    state = load(path)
    with pytest.raises(ValueError) as info:
        nn.Linear(3, 2).load_state_dict(state)
    assert not isinstance(info.value, SerializationError)


class _ReadOnly:
    """The least a readable file object has: read() and nothing else (no write, no seek)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, n: int = -1) -> bytes:
        out, self._data = (self._data, b"") if n < 0 else (self._data[:n], self._data[n:])
        return out


def test_read_manifest_and_load_read_a_bare_read_only_object():
    from glassnet.serialization import read_manifest

    buf = io.BytesIO()
    save({"w": gn.ones(3)}, buf)
    assert load(_ReadOnly(buf.getvalue()))["w"].tolist() == [1.0, 1.0, 1.0]
    manifest = read_manifest(_ReadOnly(buf.getvalue()))
    assert manifest["arrays"]["a0"] == {"dtype": "<f4", "shape": [3]}


# ----------------------------------------------------------------------------------------------
# Any checkpoint-shaped structure round-trips exactly (property test)
# ----------------------------------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
_tensors = st.builds(
    lambda values, grad: gn.tensor(np.asarray(values, dtype=np.float32), requires_grad=grad),
    st.lists(st.floats(-1e3, 1e3, width=32), min_size=1, max_size=4),
    st.booleans(),
)
_keys = st.one_of(st.text(max_size=6), st.integers(-5, 5))
_trees = st.recursive(
    st.one_of(_scalars, _tensors),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=12,
)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(tree=_trees)
def test_any_nested_checkpoint_round_trips_exactly(tree):
    buf = io.BytesIO()
    save({"tree": tree}, buf)
    buf.seek(0)
    assert_exactly({"tree": tree}, load(buf))
