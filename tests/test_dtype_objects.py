"""glassnet's dtype objects: PyTorch's questions (is_floating_point, ...) on NumPy's dtypes."""

import copy
import pickle

import numpy as np
import pytest

import glassnet as gn

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _gn(name):
    return getattr(gn, name)


@pytest.mark.parametrize("name", NAMES)
def test_questions_answer_as_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = _gn(name), getattr(torch, name)
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_signed == theirs.is_signed
    assert ours.is_complex == theirs.is_complex
    assert ours.itemsize == theirs.itemsize
    assert repr(ours) == repr(theirs).replace("torch.", "glassnet.")


@pytest.mark.parametrize("name", NAMES)
def test_a_tensor_dtype_is_the_one_glassnet_dtype(name):
    x = gn.zeros(2, dtype=_gn(name))
    assert x.dtype is _gn(name)
    assert x.dtype == np.dtype(x.numpy().dtype) and np.dtype(x.numpy().dtype) == x.dtype
    assert str(x.dtype) == np.dtype(x.numpy().dtype).name  # print and messages read as NumPy's
    assert isinstance(x.dtype, gn.dtype)


def test_numpy_takes_glassnet_dtypes_everywhere():
    assert np.zeros(3, dtype=gn.float32).dtype == np.float32
    assert np.arange(3).astype(gn.int16).dtype == np.int16
    assert np.dtype(gn.float64) is np.dtype(np.float64)
    assert np.issubdtype(gn.float16, np.floating) and not np.issubdtype(gn.int32, np.floating)
    assert np.finfo(gn.float32).eps == np.finfo(np.float32).eps
    assert {np.dtype(np.float32): "f"}[gn.float32] == "f"
    assert {gn.int64: "i"}[np.dtype(np.int64)] == "i"
    assert gn.float32 == np.float32 and gn.float32 != np.float64 and gn.float32 != gn.float64
    assert gn.float32 != "float32"  # a string is not a dtype, as in PyTorch
    assert gn.ones(2).dtype in (gn.float32, gn.float64)


def test_copies_and_pickles_are_the_same_object():
    for d in (gn.float32, gn.int64, gn.bool):
        assert pickle.loads(pickle.dumps(d)) is d
        assert copy.deepcopy(d) is d and copy.copy(d) is d


def test_formatting_and_numpy_attributes():
    assert f"{gn.float32:>9}" == "  float32"
    assert gn.float32.kind == "f" and gn.int64.char == np.dtype(np.int64).char
    assert gn.uint8.type is np.uint8 and gn.float32.str == np.dtype(np.float32).str
    assert gn.float32.to_complex() is gn.complex64 and gn.float64.to_complex() is gn.complex128


def test_dtype_arguments_still_take_every_spelling():
    for spelling in (gn.float64, np.float64, np.dtype("float64"), "float64", "torch.float64"):
        assert gn.zeros(1, dtype=spelling).dtype is gn.float64
    assert gn.tensor([1.5]).to(gn.float16).dtype is gn.float16
    assert gn.tensor([1, 2]).view(gn.int32).shape == (4,)


def test_functions_that_give_dtypes_give_glassnet_dtypes():
    torch = pytest.importorskip("torch")
    a, b = gn.ones(2), gn.ones(2, dtype=gn.int64)
    assert gn.result_type(a, b) is gn.float32
    assert repr(gn.result_type(a, b)) == repr(
        torch.result_type(torch.ones(2), torch.ones(2, dtype=torch.int64))
    ).replace("torch", "glassnet")
    assert gn.promote_types(gn.int32, gn.float16) is gn.float16
    assert gn.ones(2).storage().dtype is gn.float32
    assert gn.get_default_dtype() is gn.float32
    assert gn.finfo(gn.float64).dtype == torch.finfo(torch.float64).dtype == "float64"
    assert gn.iinfo(gn.int16).dtype == torch.iinfo(torch.int16).dtype == "int16"
