"""Storages (glassnet/storage.py): Tensor.untyped_storage(), Tensor.storage(), UntypedStorage and
TypedStorage, against PyTorch where it is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet
from glassnet import storage
from glassnet.storage import TypedStorage, UntypedStorage

storage.attach(glassnet.Tensor)  # until tensor.py attaches them itself

try:
    import torch
except ImportError:  # the parity tests skip; the rest runs on NumPy alone
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


@pytest.fixture(autouse=True)
def _quiet_typed_storage():
    # PyTorch warns that TypedStorage is deprecated each time it is used in its parity checks
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "TypedStorage is deprecated", UserWarning)
        yield


# Views (and a few copies) of a 6x4 matrix, written once for both libraries.
VIEWS = {
    "slice": lambda m: m[1:],
    "step": lambda m: m[:, ::2],
    "row": lambda m: m[2],
    "column": lambda m: m[:, 1],
    "t": lambda m: m.t(),
    "T": lambda m: m.T,
    "transpose": lambda m: m.transpose(0, 1),
    "permute": lambda m: m.permute(1, 0),
    "view": lambda m: m.view(4, 6),
    "reshape": lambda m: m.reshape(-1),
    "flatten": lambda m: m.flatten(),
    "unsqueeze": lambda m: m.unsqueeze(0),
    "squeeze": lambda m: m[None].squeeze(0),
    "expand": lambda m: m[:1].expand(5, 4),
    "expand-then-slice": lambda m: m[:1].expand(3, 4)[1:],
    "narrow": lambda m: m.narrow(0, 1, 2),
    "select": lambda m: m.select(1, 2),
    "chunk": lambda m: m.chunk(3)[1],
    "split": lambda m: m.split(2)[1],
    "unbind": lambda m: m.unbind(0)[3],
    "detach": lambda m: m.detach(),
    "reshape-t-slice": lambda m: m.reshape(4, 6).t()[1:],
    "movedim": lambda m: m.movedim(0, 1),
    "ellipsis": lambda m: m[..., 1:3],
    "contiguous-copy": lambda m: m.t().contiguous(),
    "clone": lambda m: m.clone(),
    "index-copy": lambda m: m[[0, 2]],
    "mask-copy": lambda m: m[m > 3],
}


def describe(lib, make):
    m = lib.arange(24.0).reshape(6, 4)
    v = make(m)
    return {
        "len": len(v.storage()),
        "size": v.storage().size(),
        "offset": v.storage_offset(),
        "nbytes": v.untyped_storage().nbytes(),
        "untyped_len": len(v.untyped_storage()),
        "shares_memory": v.storage().data_ptr() == m.storage().data_ptr(),
        "untyped_shares": v.untyped_storage().data_ptr() == m.untyped_storage().data_ptr(),
        "stride": tuple(v.stride()),
        "values": v.storage().tolist(),
    }


@needs_torch
@pytest.mark.parametrize("name", list(VIEWS), ids=list(VIEWS))
def test_views_storage_matches_torch(name):
    assert describe(glassnet, VIEWS[name]) == describe(torch, VIEWS[name])


@pytest.mark.parametrize("name", list(VIEWS), ids=list(VIEWS))
def test_storage_address_plus_offset_is_the_data_pointer(name):
    m = glassnet.arange(24.0).reshape(6, 4)
    v = VIEWS[name](m)
    for s in (v.storage(), v.untyped_storage()):
        assert s.data_ptr() + v.storage_offset() * v.element_size() == v.data_ptr()


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "int64", "int16", "uint8", "bool"], ids=str
)
def test_typed_storage_fields(dtype):
    x = glassnet.tensor([1, 0, 3], dtype=getattr(glassnet, dtype))
    s = x.storage()
    assert isinstance(s, TypedStorage)
    assert s.dtype == x.dtype and s.device == "cpu" and str(s.device) == "cpu"
    assert len(s) == s.size() == 3
    assert s.element_size() == x.element_size() and s.nbytes() == 3 * x.element_size()
    assert s.data_ptr() == x.data_ptr() and s.untyped().data_ptr() == x.data_ptr()
    assert s.tolist() == x.tolist() == list(s)
    assert s[0] == x.tolist()[0] and s[-1] == x.tolist()[-1]
    assert type(s[0]) is type(x.tolist()[0])  # a Python number


@needs_torch
@pytest.mark.parametrize(
    "values",
    [[1 / 3, -2.5, 1e10], [True, False], [-1, 2], [7]],
    ids=["float", "bool", "int", "one"],
)
def test_typed_storage_values_and_bytes_match_torch(values):
    ours, theirs = glassnet.tensor(values), torch.tensor(values)
    assert ours.storage().tolist() == theirs.storage().tolist()
    assert [type(v) for v in ours.storage()] == [type(v) for v in theirs.storage()]
    assert ours.untyped_storage().tolist() == theirs.untyped_storage().tolist()
    # the element lines of the printout are PyTorch's; the last line names glassnet's class
    assert repr(ours.storage()).splitlines()[:-1] == repr(theirs.storage()).splitlines()[:-1]
    assert (
        repr(ours.untyped_storage()).splitlines()[:-1]
        == (repr(theirs.untyped_storage()).splitlines()[:-1])
    )


def test_printout_last_lines():
    x = glassnet.arange(3.0)
    assert repr(x.storage()).splitlines()[-1] == (
        "[glassnet.storage.TypedStorage(dtype=glassnet.float32, device=cpu) of size 3]"
    )
    assert repr(x.untyped_storage()).splitlines()[-1] == (
        "[glassnet.storage.UntypedStorage(device=cpu) of size 12]"
    )
    assert repr(glassnet.tensor([]).storage()) == (
        "[glassnet.storage.TypedStorage(dtype=glassnet.float32, device=cpu) of size 0]"
    )
    long = repr(glassnet.arange(5000.0).storage()).splitlines()
    assert long == [" 0.0", " 1.0", " 2.0", " ...", " 4997.0", " 4998.0", " 4999.0", long[-1]]


def test_untyped_storage_bytes_are_the_tensors():
    x = glassnet.tensor([1.0, -2.0], dtype=glassnet.float64)
    u = x.untyped_storage()
    assert isinstance(u, UntypedStorage)
    assert len(u) == u.nbytes() == u.size() == 16 and u.element_size() == 1
    assert bytes(u.tolist()) == x.array.tobytes()
    assert u[8:16].tolist() == list(x.array[1:].tobytes())
    assert u[8:].data_ptr() == u.data_ptr() + 8
    assert all(type(b) is int and 0 <= b <= 255 for b in u)


def test_indices_out_of_range_and_of_the_wrong_kind():
    s = glassnet.arange(10.0).storage()
    with pytest.raises(IndexError, match="index 10 is out of range for a storage of size 10"):
        s[10]
    with pytest.raises(IndexError):
        s[-11]
    with pytest.raises(TypeError, match="whole numbers or slices"):
        s[1.5]
    with pytest.raises(TypeError, match="slices"):
        s[1:3]  # as in PyTorch: only an untyped storage takes slices
    with pytest.raises(ValueError, match="step 1"):
        glassnet.arange(4.0).untyped_storage()[::2]


# ---------------------------------------------------------------------- writing
def test_writes_change_the_tensor_and_its_views():
    x = glassnet.arange(6.0)
    y = x[2:5]
    before = x._version[0]
    y.storage()[0] = 5.0  # element 0 of the storage is x[0], not y[0]
    assert x.tolist()[:3] == [5.0, 1.0, 2.0]
    y.storage()[3:5] = glassnet.tensor([30.0, 40.0])
    assert y.tolist() == [2.0, 30.0, 40.0]
    assert x._version[0] == before + 2  # counted on the counter x and its views share


def test_untyped_writes_set_bytes():
    x = glassnet.zeros(2, dtype=glassnet.int32)
    u = x.untyped_storage()
    u[4] = 7  # the low byte of x[1] (little-endian, as NumPy on every machine glassnet runs on)
    assert x.tolist() == ([0, 7] if np.little_endian else [0, 7 << 24])
    u[0:4] = [255, 255, 255, 255]
    assert x.tolist()[0] == -1
    with pytest.raises(ValueError, match="0..255"):
        u[0] = 256
    with pytest.raises(ValueError, match="0..255"):
        u[0] = 1.5


@needs_torch
def test_writes_agree_with_torch():
    ours, theirs = glassnet.arange(6.0).reshape(2, 3), torch.arange(6.0).reshape(2, 3)
    for t in (ours.t(), theirs.t()):
        s = t.storage()
        s[4] = -1.0
        s.untyped()[0] = 1  # a byte of element 0
    assert ours.tolist() == theirs.tolist()


def test_a_write_into_a_saved_input_is_caught_by_backward():
    w = glassnet.tensor([1.0, 2.0], requires_grad=True)
    x = glassnet.tensor([3.0, 4.0])
    loss = (w * x).sum()  # the gradient w.r.t. w reads x
    x.storage()[0] = 10.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_writes_through_detach_count_on_the_original():
    x = glassnet.ones(3)
    before = x._version[0]
    x.detach().untyped_storage().fill_(0)
    assert x.tolist() == [0.0, 0.0, 0.0] and x._version[0] == before + 1


def test_a_read_only_buffer_refuses_writes():
    t = glassnet.from_numpy(np.frombuffer(b"\x00" * 16, dtype=np.float32))
    assert t.storage().tolist() == [0.0] * 4
    with pytest.raises(ValueError, match="read-only"):
        t.storage()[0] = 1.0


def test_fill_copy_and_clone():
    x = glassnet.zeros(4)
    s = x.storage()
    s.fill_(2.5)
    assert x.tolist() == [2.5] * 4
    c = s.clone()
    c[0] = 9.0
    assert x.tolist()[0] == 2.5 and c.data_ptr() != s.data_ptr()
    s.copy_(TypedStorage([1, 2, 3, 4], dtype=glassnet.int64))  # converted to float32
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="differ in size"):
        s.copy_(TypedStorage(3))
    d = s.double()
    assert d.dtype == glassnet.float64 and d.tolist() == x.tolist() and d.data_ptr() != s.data_ptr()
    assert s.float() is s


# ---------------------------------------------------------------------- memory not from NumPy
def test_memory_of_a_foreign_buffer():
    buf = bytearray(8)
    t = glassnet.from_numpy(np.frombuffer(buf, dtype=np.float32))
    t.storage()[1] = 1.0
    assert bytes(buf[4:]) == np.float32(1.0).tobytes()
    assert t.untyped_storage().nbytes() == 8


def test_an_owner_with_gaps_spans_first_to_last_element():
    buf = bytearray(24)
    a = np.ndarray(shape=(3,), dtype=np.float32, buffer=buf, strides=(8,))
    t = glassnet.from_numpy(a)
    u = t.untyped_storage()
    assert u.nbytes() == 2 * 8 + 4 and u.data_ptr() == t.data_ptr()
    t.storage()[2] = 3.0  # storage element 2 is bytes 8..11: a[1]
    assert a.tolist() == [0.0, 3.0, 0.0]


def test_fortran_ordered_memory():
    t = glassnet.from_numpy(np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    assert t.storage().tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]  # memory order
    assert t.storage().data_ptr() == t.data_ptr() and t.untyped_storage().nbytes() == 48


# ---------------------------------------------------------------------- constructors
def test_untyped_storage_constructors():
    assert UntypedStorage(3).tolist() == [0, 0, 0]
    assert UntypedStorage().nbytes() == 0
    assert UntypedStorage([1, 2, 255]).tolist() == [1, 2, 255]
    assert UntypedStorage(b"\x01\x02").tolist() == [1, 2]
    assert UntypedStorage(2, device="cpu").device == "cpu"
    with pytest.raises(ValueError, match=">= 0"):
        UntypedStorage(-1)
    with pytest.raises(TypeError, match="sequence of ints"):
        UntypedStorage("a")
    with pytest.raises(ValueError, match="0..255"):
        UntypedStorage([256])
    with pytest.raises(ValueError, match="CPU"):
        UntypedStorage(2, device="cuda")


def test_typed_storage_constructors():
    s = TypedStorage(3)
    assert s.dtype == glassnet.float32 and s.tolist() == [0.0] * 3
    assert TypedStorage([1, 2, 3]).dtype == glassnet.float32  # the default dtype, as PyTorch
    assert TypedStorage(2, dtype=glassnet.int64).tolist() == [0, 0]
    u = UntypedStorage([0, 0, 128, 63])
    wrapped = TypedStorage(wrap_storage=u, dtype=glassnet.float32)
    assert wrapped.tolist() == [1.0] and wrapped.untyped() is u
    with pytest.raises(TypeError, match="sequence of numbers"):
        TypedStorage(["a"])
    with pytest.raises(TypeError, match="UntypedStorage"):
        TypedStorage(wrap_storage=[1])


@needs_torch
def test_constructors_match_torch():
    for ours, theirs in [
        (TypedStorage([1, 2, 3]), torch.TypedStorage([1, 2, 3])),
        (TypedStorage(4, dtype=glassnet.int64), torch.TypedStorage(4, dtype=torch.int64)),
        (UntypedStorage([1, 2, 3]), torch.UntypedStorage([1, 2, 3])),
    ]:
        assert len(ours) == len(theirs) and ours.nbytes() == theirs.nbytes()
        assert ours.element_size() == theirs.element_size()
    assert TypedStorage([1, 2, 3]).tolist() == torch.TypedStorage([1, 2, 3]).tolist()
