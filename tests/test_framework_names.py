"""PyTorch's framework-level names (torch_framework.py, layouts.py, autocast_state.py,
control_flow.py, dlpack.py) against torch 2.13."""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
# torch warns that its old spellings (get_autocast_cpu_dtype, has_cuda, ...) are deprecated
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated")


# ---------------------------------------------------------------------------- dtypes
DTYPE_PAIRS = [
    ("float32", "float32"),
    ("float", "float32"),
    ("short", "int16"),
    ("int16", "int16"),
    ("uint16", "uint16"),
    ("uint32", "uint32"),
    ("uint64", "uint64"),
    ("long", "int64"),
]


@pytest.mark.parametrize(("name", "numpy_name"), DTYPE_PAIRS)
def test_dtype_names_match_torch(name, numpy_name):
    ours, theirs = getattr(gn, name), getattr(torch, name)
    assert isinstance(ours, gn.dtype) and isinstance(theirs, torch.dtype)
    assert ours == np.dtype(numpy_name)
    assert ours.itemsize == theirs.itemsize


def test_dtype_class_instances():
    for name in ("float16", "float64", "int8", "uint8", "bool", "bfloat16", "cfloat"):
        assert isinstance(getattr(gn, name), gn.dtype), name
    assert isinstance(gn.zeros(2).dtype, gn.dtype)
    for other in (3, "float32", np.float32, gn.strided, np.dtype("U3"), None):
        assert not isinstance(other, gn.dtype), other
    with pytest.raises(TypeError):
        gn.dtype()
    with pytest.raises(TypeError):
        torch.dtype()


@pytest.mark.parametrize(
    "name", ["complex32", "chalf", "complex64", "cfloat", "complex128", "cdouble"]
)
def test_complex_dtypes_are_names_that_refuse(name):
    ours, theirs = getattr(gn, name), getattr(torch, name)
    assert ours.is_complex == theirs.is_complex is True
    assert ours.is_floating_point == theirs.is_floating_point is False
    assert ours.itemsize == theirs.itemsize
    assert repr(ours) == repr(theirs).replace("torch.", "glassnet.")
    with pytest.raises(TypeError, match="real numbers only"):
        gn.zeros(2, dtype=ours)
    with pytest.raises(TypeError, match="real numbers only"):
        gn.zeros(2).to(name)
    assert pickle.loads(pickle.dumps(ours)) is ours
    assert gn.zeros(2).dtype != ours


def test_uint_dtypes_make_tensors():
    x = gn.tensor([1, 2, 3], dtype=gn.uint16)
    t = torch.tensor([1, 2, 3], dtype=torch.uint16)
    assert x.dtype == gn.uint16 and x.dtype.itemsize == t.dtype.itemsize
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    assert gn.zeros(2).to("torch.short").dtype == gn.int16


# ---------------------------------------------------------------------------- layouts
LAYOUTS = [
    "strided",
    "sparse_coo",
    "sparse_csr",
    "sparse_csc",
    "sparse_bsr",
    "sparse_bsc",
    "jagged",
]
FORMATS = ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


@pytest.mark.parametrize("name", LAYOUTS + FORMATS)
def test_layout_and_memory_format_objects(name):
    ours, theirs = getattr(gn, name), getattr(torch, name)
    kind = gn.layout if name in LAYOUTS else gn.memory_format
    assert isinstance(ours, kind)
    assert repr(ours) == repr(theirs).replace("torch.", "glassnet.")
    assert pickle.loads(pickle.dumps(ours)) is ours
    assert copy.deepcopy(ours) is ours and copy.copy(ours) is ours
    assert hash(ours) == hash(ours)


def test_layouts_differ_and_cannot_be_made():
    assert gn.strided != gn.sparse_coo and gn.channels_last != gn.contiguous_format
    assert gn.legacy_contiguous_format is gn.contiguous_format
    assert torch.legacy_contiguous_format is torch.contiguous_format
    for cls in (gn.layout, gn.memory_format):
        with pytest.raises(TypeError, match="cannot create"):
            cls("mine")
    with pytest.raises(TypeError):
        torch.layout()


def test_layout_helpers():
    from glassnet import layouts

    assert layouts.tensor_layout(gn.zeros(2)) is gn.strided
    assert torch.zeros(2).layout is torch.strided
    layouts.check_memory_format(gn.channels_last, "x")
    layouts.check_memory_format(None, "x")
    with pytest.raises(TypeError, match="memory_format"):
        layouts.check_memory_format("channels_last", "Tensor.contiguous")
    layouts.check_layout(gn.strided, "zeros")
    with pytest.raises(TypeError, match="dense"):
        layouts.check_layout(gn.sparse_coo, "zeros")


def test_to_accepts_memory_format():
    x = gn.ones(2, 3, 4, 4)
    assert x.to(memory_format=gn.channels_last).shape == (2, 3, 4, 4)


# ---------------------------------------------------------------------------- flags, threads
def test_build_flags():
    assert gn.has_lapack is True and torch.has_lapack is True
    for name in ("has_mkl", "has_openmp", "has_spectral", "has_cuda", "has_cudnn", "has_mkldnn"):
        assert isinstance(getattr(gn, name), bool), name
    assert gn.has_cuda is False and gn.has_spectral is (hasattr(gn, "fft"))
    assert gn.compiled_with_cxx11_abi() is False


def test_interop_threads():
    assert gn.get_num_interop_threads() == 1
    try:
        gn.set_num_interop_threads(3)
        assert gn.get_num_interop_threads() == 3
    finally:
        gn.set_num_interop_threads(1)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="positive"):
            gn.set_num_interop_threads(bad)
    with pytest.raises(RuntimeError):
        torch.set_num_interop_threads(0)
    assert gn.init_num_threads() is None and torch.init_num_threads() is None


# ---------------------------------------------------------------------------- switches
def test_anomaly_switches_as_torch():
    pairs = []
    for module in (gn, torch):
        module.set_anomaly_enabled(True, False)
        first = (module.is_anomaly_enabled(), module.is_anomaly_check_nan_enabled())
        module.set_anomaly_enabled(False)
        second = (module.is_anomaly_enabled(), module.is_anomaly_check_nan_enabled())
        pairs.append((first, second))
    assert pairs[0] == pairs[1] == ((True, False), (False, True))


@pytest.mark.parametrize("mode", [0, 1, 2, "default", "warn", "error"])
def test_deterministic_debug_mode(mode):
    seen = []
    for module in (gn, torch):
        try:
            module.set_deterministic_debug_mode(mode)
            seen.append(
                (
                    module.get_deterministic_debug_mode(),
                    module.are_deterministic_algorithms_enabled(),
                    module.is_deterministic_algorithms_warn_only_enabled(),
                )
            )
        finally:
            module.use_deterministic_algorithms(False)
    assert seen[0] == seen[1]
    assert gn.get_deterministic_debug_mode() == 0


@pytest.mark.parametrize("bad", ["x", 5, -1])
def test_deterministic_debug_mode_refuses(bad):
    with pytest.raises(RuntimeError):
        torch.set_deterministic_debug_mode(bad)
    with pytest.raises(RuntimeError):
        gn.set_deterministic_debug_mode(bad)


def test_set_default_tensor_type():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gn.set_default_tensor_type("torch.FloatTensor")
        gn.set_default_tensor_type(gn.FloatTensor)
        assert gn.get_default_dtype() == gn.float32
        with pytest.raises(ModuleNotFoundError, match="DoubleTensor"):
            gn.set_default_tensor_type("torch.DoubleTensor")
        with pytest.raises(ModuleNotFoundError):
            gn.set_default_tensor_type("torch.cuda.FloatTensor")
    with pytest.warns(UserWarning, match="deprecated"):
        gn.set_default_tensor_type("torch.FloatTensor")


def test_tensor_tests():
    assert gn.is_distributed(gn.zeros(1)) is torch.is_distributed(torch.zeros(1)) is False
    with pytest.raises(TypeError):
        gn.is_distributed(1)
    with pytest.raises(TypeError):
        torch.is_distributed(1)
    assert gn.is_storage(gn.zeros(1)) is torch.is_storage(torch.zeros(1)) is False


def test_default_generator_is_the_global_one():
    g = gn.manual_seed(5)
    assert g is gn.default_generator
    assert torch.manual_seed(5) is torch.default_generator
    first = gn.rand(4).numpy()
    gn.default_generator.manual_seed(5)
    np.testing.assert_array_equal(gn.rand(4).numpy(), first)
    gn.manual_seed(5)
    np.testing.assert_array_equal(gn.rand(4).numpy(), first)
    assert gn.initial_seed() == 5


def test_out_of_memory_error_and_grad_scaler():
    assert issubclass(gn.OutOfMemoryError, RuntimeError)
    assert issubclass(torch.OutOfMemoryError, RuntimeError)
    assert gn.GradScaler is gn.amp.GradScaler
    assert gn.GradScaler(enabled=False).get_scale() == 1.0


# ---------------------------------------------------------------------------- autocast state
def _autocast_state(module):
    return (
        module.is_autocast_enabled("cpu"),
        module.is_autocast_enabled(),
        module.is_autocast_cpu_enabled(),
        str(module.get_autocast_dtype("cpu")).split(".")[-1],
        str(module.get_autocast_dtype("cuda")).split(".")[-1],
        str(module.get_autocast_cpu_dtype()).split(".")[-1],
        str(module.get_autocast_gpu_dtype()).split(".")[-1],
        module.is_autocast_cache_enabled(),
    )


def test_autocast_state_follows_torch():
    assert _autocast_state(gn) == _autocast_state(torch)
    with gn.autocast("cpu"), torch.autocast("cpu"):
        assert _autocast_state(gn) == _autocast_state(torch)
        assert gn.is_autocast_enabled("cpu") is True
        with gn.autocast("cpu", enabled=False), torch.autocast("cpu", enabled=False):
            assert _autocast_state(gn) == _autocast_state(torch)
        with gn.autocast("cpu", dtype=gn.float16), torch.autocast("cpu", dtype=torch.float16):
            assert _autocast_state(gn) == _autocast_state(torch)
    assert _autocast_state(gn) == _autocast_state(torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with gn.autocast("cuda"), torch.autocast("cuda"):
            assert gn.is_autocast_enabled("cuda") is torch.is_autocast_enabled("cuda") is False


def test_autocast_setters_and_nesting():
    try:
        gn.set_autocast_enabled("cpu", True)
        gn.set_autocast_dtype("cpu", gn.float16)
        assert gn.is_autocast_enabled("cpu") and gn.get_autocast_dtype("cpu") == gn.float16
    finally:
        gn.set_autocast_enabled("cpu", False)
        gn.set_autocast_dtype("cpu", gn.bfloat16)
    with pytest.raises(RuntimeError):
        gn.get_autocast_dtype("bad")
    with pytest.raises(RuntimeError):
        torch.get_autocast_dtype("bad")
    assert gn.autocast_increment_nesting() == torch.autocast_increment_nesting() == 1
    assert gn.autocast_decrement_nesting() == torch.autocast_decrement_nesting() == 0
    with pytest.raises(TypeError):
        gn.set_autocast_dtype("cpu", gn.int64)

    @gn.autocast("cpu")
    def inside():
        return gn.is_autocast_enabled("cpu")

    assert inside() is True and gn.is_autocast_enabled("cpu") is False


# ---------------------------------------------------------------------------- symbolic numbers
SYM_CASES = [
    ("sym_int", (2.7,)),
    ("sym_int", (-2.7,)),
    ("sym_int", (5,)),
    ("sym_float", (3,)),
    ("sym_max", (1, 2.0)),
    ("sym_max", (2, 1.0)),
    ("sym_max", (2, 7)),
    ("sym_min", (1, 2.0)),
    ("sym_min", (4, 3)),
    ("sym_not", (0,)),
    ("sym_not", (True,)),
    ("sym_sqrt", (4,)),
    ("sym_sum", ([1, 2, 3],)),
    ("sym_sum", ([1.5, 2],)),
    ("sym_ite", (True, 1, 2)),
    ("sym_ite", (False, 1, 2)),
]


@pytest.mark.parametrize(("name", "args"), SYM_CASES)
def test_sym_helpers_match_torch(name, args):
    ours, theirs = getattr(gn, name)(*args), getattr(torch, name)(*args)
    assert ours == theirs and type(ours) is type(theirs)


# ---------------------------------------------------------------------------- control flow
@pytest.mark.parametrize("start", [2.0, 0.5])
def test_cond_matches_torch_with_gradients(start):
    x = gn.tensor(start, requires_grad=True)
    t = torch.tensor(start, requires_grad=True)
    y = gn.cond(x > 1, lambda a: a * a * 3, lambda a: a * 5, (x,))
    u = torch.cond(t > 1, lambda a: a * a * 3, lambda a: a * 5, (t,))
    y.backward()
    u.backward()
    assert y.item() == pytest.approx(u.item())
    assert x.grad.item() == pytest.approx(t.grad.item())


def test_cond_predicates():
    one = gn.ones(2)
    assert gn.cond(True, lambda a: a + 1, lambda a: a - 1, [one]).numpy().tolist() == [2, 2]
    assert gn.cond(gn.tensor([False]), lambda: 1, lambda: 2) == 2
    with pytest.raises(TypeError, match="one-element"):
        gn.cond(gn.tensor([True, False]), lambda: 1, lambda: 2)
    with pytest.raises(RuntimeError):
        torch.cond(torch.tensor([True, False]), lambda: torch.ones(1), lambda: torch.zeros(1))
    with pytest.raises(TypeError, match="tuple or list"):
        gn.cond(True, lambda a: a, lambda a: a, one)


def test_while_loop_matches_torch():
    ours = gn.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s * 2), (gn.tensor(0), gn.tensor(1.0))
    )
    theirs = torch.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s * 2), (torch.tensor(0), torch.tensor(1.0))
    )
    assert isinstance(ours, tuple) and len(ours) == 2
    assert [o.item() for o in ours] == [t.item() for t in theirs]
    x = gn.tensor(1.5, requires_grad=True)
    (_, y) = gn.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * s), (0, x))
    y.backward()
    assert x.grad.item() == pytest.approx(8 * 1.5**7)  # d/dx x^8
    with pytest.raises(ValueError, match="2 values"):
        gn.while_loop(lambda i, s: i < 1, lambda i, s: (i + 1,), (0, 1))


# ---------------------------------------------------------------------------- DLPack
def test_from_dlpack_shares_torch_memory():
    t = torch.arange(6.0).reshape(2, 3)
    x = gn.from_dlpack(t)
    assert x.shape == (2, 3) and x.dtype == gn.float32
    x.array[0, 0] = 42.0
    assert t[0, 0].item() == 42.0
    y = gn.from_dlpack(torch.utils.dlpack.to_dlpack(t))
    np.testing.assert_array_equal(y.numpy(), t.numpy())
    z = gn.from_dlpack(np.arange(3))
    assert z.dtype == gn.int64


def test_to_dlpack_into_torch():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.from_dlpack(gn.to_dlpack(x))
    np.testing.assert_array_equal(t.numpy(), x.numpy())
    t[1, 1] = -1.0
    assert x.array[1, 1] == -1.0
    with pytest.raises(TypeError):
        gn.to_dlpack(np.ones(2))
    with pytest.raises(TypeError, match="__dlpack__"):
        gn.from_dlpack([1, 2])


def test_tensor_dlpack_methods():
    from glassnet import dlpack

    x = gn.arange(4.0)
    assert dlpack.tensor_dlpack_device(x) == (1, 0)

    class Shim:  # what Tensor.__dlpack__ would give, once attached
        def __dlpack__(self, **kw):
            return dlpack.tensor_dlpack(x, **kw)

        def __dlpack_device__(self):
            return dlpack.tensor_dlpack_device(x)

    np.testing.assert_array_equal(torch.from_dlpack(Shim()).numpy(), x.numpy())


def test_every_name_is_glassnets():
    from glassnet import torch_framework

    for name in torch_framework.__all__:
        assert getattr(gn, name) is getattr(torch_framework, name), name
        assert hasattr(torch, name), name
