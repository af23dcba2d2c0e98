"""torch.as_strided (values and gradients against torch 2.13, on owning tensors and views) and
the torch.cpu / torch.xpu device modules."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.device import DeviceError

torch = pytest.importorskip("torch")

CASES = [
    # (make the input from an array, size, stride, offset)
    (lambda a: a, (3, 3), (1, 1), None),
    (lambda a: a, (2, 2, 2), (6, 1, 3), 1),
    (lambda a: a[:, 1:], (2, 2), (5, 1), None),
    (lambda a: a.T, (2, 2), (1, 2), 3),
    (lambda a: a[1], (4,), (1,), None),
    (lambda a: a, (3, 2), (0, 1), 2),  # stride 0 repeats
    (lambda a: a, (0, 3), (1, 1), 0),
]


@pytest.mark.parametrize("make,size,stride,offset", CASES)
def test_values_and_gradients_match_torch(make, size, stride, offset):
    data = np.arange(12, dtype=np.float64).reshape(2, 6)
    weights = np.random.default_rng(0).standard_normal(size)
    results = []
    for lib in (gn, torch):
        leaf = lib.tensor(data, requires_grad=True)
        x = make(leaf)
        y = (
            x.as_strided(size, stride)
            if offset is None
            else lib.as_strided(x, size, stride, offset)
        )
        (y * lib.tensor(weights)).sum().backward()
        results.append((y.detach().numpy(), leaf.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_gradcheck_and_a_copy_not_a_view():
    x = gn.randn(7, dtype=gn.float64, requires_grad=True)
    assert gn.autograd.gradcheck(lambda t: gn.as_strided(t, (5, 3), (1, 1)) ** 2, (x,))
    before = x.detach().numpy().copy()
    y = gn.as_strided(x.detach(), (2,), (1,))
    y.fill_(123.0)
    np.testing.assert_array_equal(x.detach().numpy(), before)  # glassnet copies (documented)
    assert y.tolist() == [123.0, 123.0]


@pytest.mark.parametrize(
    "call,error,message",
    [
        (
            lambda x: gn.as_strided(x, (3, 3), (4, 4)),
            RuntimeError,
            "need a storage of 17 elements, but it has 10",
        ),
        (lambda x: gn.as_strided(x, (3, 3), (1,)), Exception, "mismatch in length"),
        (lambda x: gn.as_strided(x, (3, -1), (1, 1)), ValueError, "must be >= 0"),
        (lambda x: gn.as_strided(x, (3, 2.5), (1, 1)), TypeError, "sequence of ints"),
    ],
)
def test_bad_windows_are_refused_in_one_line(call, error, message):
    with pytest.raises(error, match=message) as caught:
        call(gn.arange(10.0))
    assert "\n" not in str(caught.value)


def test_device_modules_answer_as_torch():
    assert gn.cpu.is_available() == torch.cpu.is_available()
    assert gn.cpu.device_count() == torch.cpu.device_count()
    assert gn.cpu.current_device() == torch.cpu.current_device()
    assert gn.xpu.is_available() is False and gn.xpu.device_count() == 0
    with gn.cpu.amp.autocast():
        assert gn.ones(2).sum().item() == 2.0
    gn.cpu.set_device("cpu")
    with pytest.raises(DeviceError, match="CPU only"):
        gn.cpu.synchronize("cuda")
