"""The PyTorch names real scripts need: devices, cuda/backends/accelerator, factory forms, formatting, sampling."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.device import DeviceError

# ------------------------------------------------------------------------------ devices


def test_device_objects_behave_like_torch_devices():
    cpu = gn.device("cpu")
    assert (cpu.type, cpu.index) == ("cpu", None)
    assert repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    assert repr(gn.device("cuda:1")) == "device(type='cuda', index=1)"
    assert gn.device("cuda", 1) == gn.device("cuda:1") != gn.device("cuda")
    assert cpu == "cpu" and cpu != "cuda" and cpu == gn.device(cpu)
    assert len({gn.device("cpu"), gn.device("cpu")}) == 1
    with pytest.raises(DeviceError, match="expected a device type"):
        gn.device("tpu")


@pytest.mark.parametrize(
    "make",
    [
        lambda d: gn.zeros(2, device=d),
        lambda d: gn.ones(2, device=d),
        lambda d: gn.empty(2, device=d),
        lambda d: gn.full((2,), 1.0, device=d),
        lambda d: gn.tensor([1.0], device=d),
        lambda d: gn.arange(3, device=d),
        lambda d: gn.linspace(0, 1, 3, device=d),
        lambda d: gn.eye(2, device=d),
        lambda d: gn.rand(2, device=d),
        lambda d: gn.randn(2, device=d),
        lambda d: gn.randint(5, (2,), device=d),
        lambda d: gn.randperm(4, device=d),
        lambda d: gn.zeros_like(gn.ones(2), device=d),
        lambda d: gn.ones_like(gn.ones(2), device=d),
        lambda d: gn.full_like(gn.ones(2), 3.0, device=d),
        lambda d: gn.rand_like(gn.ones(2), device=d),
        lambda d: gn.randn_like(gn.ones(2), device=d),
        lambda d: gn.empty_like(gn.ones(2), device=d),
        lambda d: gn.ones(2).to(d),
        lambda d: gn.nn.Linear(2, 2).to(d),
    ],
    ids=[
        "zeros",
        "ones",
        "empty",
        "full",
        "tensor",
        "arange",
        "linspace",
        "eye",
        "rand",
        "randn",
        "randint",
        "randperm",
        "zeros_like",
        "ones_like",
        "full_like",
        "rand_like",
        "randn_like",
        "empty_like",
        "tensor.to",
        "module.to",
    ],
)
def test_every_factory_takes_the_cpu_and_refuses_other_devices(make):
    for cpu in (None, "cpu", "cpu:0", gn.device("cpu")):
        assert make(cpu) is not None
    with pytest.raises(RuntimeError, match="glassnet runs on the CPU only; got device 'cuda:0'"):
        make("cuda:0")
    with pytest.raises(ValueError, match="got device 'mps'"):
        make(gn.device("mps"))


def test_tensor_device_to_and_cpu():
    x = gn.ones(2)
    assert x.device == "cpu" and x.device == gn.device("cpu")
    assert x.to("cpu") is x and x.cpu() is x and x.to(x.device) is x
    assert x.to("cpu", gn.float64).dtype == np.float64
    assert x.to(dtype=gn.int64, device="cpu").dtype == np.int64
    assert x.to(gn.zeros(1, dtype=gn.float16)).dtype == np.float16
    assert x.to(gn.device("cpu"), non_blocking=True) is x


def test_cuda_backends_and_accelerator_say_no_gpu():
    assert gn.cuda.is_available() is False and gn.cuda.device_count() == 0
    for noop in (gn.cuda.manual_seed, gn.cuda.manual_seed_all):
        assert noop(0) is None
    assert gn.cuda.synchronize() is None and gn.cuda.empty_cache() is None
    assert gn.backends.mps.is_available() is False
    gn.backends.cudnn.benchmark = True  # scripts set it; it changes nothing
    assert gn.accelerator.is_available() is False
    assert gn.accelerator.current_accelerator() is None
    assert gn.utils.data.DataLoader is gn.data.DataLoader


# ------------------------------------------------------------------------------ formatting, legacy


def test_format_of_a_zero_dim_tensor_formats_its_number():
    loss = gn.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{gn.tensor(-2.0):+.2f}" == "-2.00"
    assert f"{gn.tensor(7):>4d}" == "   7"
    assert f"{gn.tensor([1.0, 2.0])}" == str(gn.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        f"{gn.tensor([1.0, 2.0]):.2f}"


@pytest.mark.parametrize(
    "args,shape,dtype",
    [
        ((3,), (3,), np.float32),
        ((2, 3), (2, 3), np.float32),
        (([1, 2],), (2,), np.float32),
        ((), (0,), np.float32),
        ((np.array([1, 2]),), (2,), np.int64),
    ],
    ids=["size", "sizes", "list-is-float", "empty", "numpy-keeps-dtype"],
)
def test_legacy_tensor_constructor(args, shape, dtype):
    t = gn.Tensor(*args)
    assert t.shape == shape and t.dtype == dtype


def test_set_printoptions_precision(request):
    request.addfinalizer(lambda: gn.set_printoptions(profile="default"))
    gn.set_printoptions(precision=2)
    assert repr(gn.tensor([1 / 3])) == "tensor([0.33])"
    with pytest.raises(ValueError, match="profile"):
        gn.set_printoptions(profile="tiny")


# ------------------------------------------------------------------------------ random names


@pytest.mark.parametrize(
    "call,shape,low,high",
    [
        (lambda: gn.randint(10, (50,)), (50,), 0, 10),
        (lambda: gn.randint(3, 6, (4, 5)), (4, 5), 3, 6),
        (lambda: gn.randint(0, 5, size=(7,)), (7,), 0, 5),
        (lambda: gn.randint(high=4, size=(3,)), (3,), 0, 4),
        (lambda: gn.randint(5), (), 0, 5),
    ],
    ids=["high-size", "low-high-size", "size-keyword", "keywords", "scalar"],
)
def test_randint_forms(call, shape, low, high):
    x = call()
    assert x.shape == shape and x.dtype == np.int64
    assert int(x.min()) >= low and int(x.max()) < high


def test_multinomial_frequencies_follow_the_weights():
    g = gn.Generator().manual_seed(0)
    weights = gn.tensor([1.0, 0.0, 3.0])
    draws = gn.multinomial(weights, 20_000, replacement=True, generator=g).numpy()
    assert draws.shape == (20_000,) and not np.any(draws == 1)
    np.testing.assert_allclose(
        np.bincount(draws, minlength=3) / 20_000, [0.25, 0, 0.75], atol=0.015
    )
    rows = gn.multinomial(gn.tensor([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 2.0, 1.0]]), 2)
    assert rows.shape == (2, 2) and len(set(rows[0].tolist())) == 2
    assert set(rows[1].tolist()) == {2, 3}  # without replacement: both non-zero weights, once


@pytest.mark.parametrize(
    "weights,n,replacement,message",
    [
        ([1.0, 0.0], 2, False, "without replacement"),
        ([-1.0, 2.0], 1, True, "non-negative"),
        ([0.0, 0.0], 1, True, "positive sum"),
        ([1.0], 0, True, "positive integer"),
    ],
    ids=["too-many", "negative", "all-zero", "zero-samples"],
)
def test_multinomial_errors(weights, n, replacement, message):
    with pytest.raises(ValueError, match=message):
        gn.multinomial(gn.tensor(weights), n, replacement)


def test_generator_and_manual_seed_repeat_draws():
    g = gn.manual_seed(5)
    assert isinstance(g, gn.Generator) and isinstance(g, np.random.Generator)
    assert gn.initial_seed() == 5 and g.initial_seed() == 5
    a = gn.rand(3)
    gn.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), gn.rand(3).numpy())
    mine = gn.Generator().manual_seed(5)
    np.testing.assert_array_equal(gn.rand(3, generator=mine).numpy(), a.numpy())
    state = mine.get_state()
    b = gn.randn(2, generator=mine)
    mine.set_state(state)
    np.testing.assert_array_equal(gn.randn(2, generator=mine).numpy(), b.numpy())
    assert gn.Generator().initial_seed() == gn.Generator().initial_seed()


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = gn.from_numpy(a)
    a[0] = 9.0
    assert t[0].item() == 9.0 and t.dtype == np.float64
    with pytest.raises(TypeError, match="numpy.ndarray"):
        gn.from_numpy([1, 2])


def test_inference_mode_as_context_and_decorator():
    w = gn.ones(2, requires_grad=True)
    with gn.inference_mode():
        assert not (w * 2).requires_grad

    @gn.inference_mode()
    def called(x):
        return x * 2

    @gn.inference_mode
    def bare(x):
        return x * 2

    assert not called(w).requires_grad and not bare(w).requires_grad
    with gn.inference_mode(False):
        assert (w * 2).requires_grad
    assert (w * 2).requires_grad
