"""Parity with PyTorch for every case of the op table: values, dtypes, shapes and gradients."""

import numpy as np
import pytest
from op_cases import CASES, make_inputs

import glassnet as gn

torch = pytest.importorskip("torch")

# torch.prod reduces over one dim only; glassnet also accepts a tuple (checked by gradcheck).
TORCH_LACKS = {c.id for c in CASES if c.id.startswith("prod_dim(0, 2)")}
PARITY_CASES = [c for c in CASES if c.id not in TORCH_LACKS]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", PARITY_CASES, ids=[c.id for c in PARITY_CASES])
def test_matches_torch(case, dtype):
    arrays = [x.astype(dtype) for x in make_inputs(case)]
    ours = [gn.tensor(x, requires_grad=True) for x in arrays]
    theirs = [torch.tensor(x, requires_grad=True) for x in arrays]
    y = case.fn(gn, *ours)
    y_ref = case.fn(torch, *theirs)
    assert y.shape == tuple(y_ref.shape)
    assert str(y.dtype) == str(y_ref.dtype).removeprefix("torch.")
    rtol, atol = (1e-5, 1e-6) if dtype == "float32" else (1e-10, 1e-12)
    np.testing.assert_allclose(y.numpy(), y_ref.detach().numpy(), rtol=rtol, atol=atol)
    y.sum().backward()
    y_ref.sum().backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a.grad is not None, f"input {i} got no gradient"
        assert a.grad.dtype == a.dtype
        np.testing.assert_allclose(
            a.grad.numpy(),
            b.grad.numpy(),
            rtol=rtol * 10,
            atol=atol * 10,
            err_msg=f"gradient of input {i}",
        )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda lib: lib.tensor([1.5, 2.0]), id="float_list"),
        pytest.param(lambda lib: lib.tensor([[1, 2], [3, 4]]), id="int_list"),
        pytest.param(lambda lib: lib.tensor([True, False]), id="bool_list"),
        pytest.param(lambda lib: lib.tensor(3.0), id="float_scalar"),
        pytest.param(lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 4]), id="int_true_div"),
        pytest.param(lambda lib: lib.tensor([1, 2]) * 2.5, id="int_times_float"),
        pytest.param(lambda lib: lib.tensor([1, 2]) + lib.tensor([0.5]), id="int_plus_float"),
        pytest.param(
            lambda lib: lib.tensor([1.0], dtype=lib.float64) + lib.tensor([1.0]), id="f64_plus_f32"
        ),
        pytest.param(lambda lib: lib.tensor([1.0, 2.0]) > 1.5, id="compare"),
        pytest.param(lambda lib: lib.arange(5), id="arange_int"),
        pytest.param(lambda lib: lib.arange(0, 1, 0.25), id="arange_float"),
        pytest.param(lambda lib: lib.linspace(0, 1, 5), id="linspace"),
        pytest.param(lambda lib: lib.eye(3), id="eye"),
        pytest.param(lambda lib: lib.full((2, 2), 7), id="full_int"),
        pytest.param(lambda lib: lib.zeros(2, 3), id="zeros"),
        pytest.param(lambda lib: lib.ones((2,), dtype=lib.int64), id="ones_int"),
        pytest.param(lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]).argmax(dim=1), id="argmax"),
        pytest.param(lambda lib: lib.tensor([[1, 2], [3, 4]]).sum(), id="int_sum"),
    ],
)
def test_dtypes_and_values_match_torch(make):
    ours, theirs = make(gn), make(torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda lib: lib.tensor([1.0, 2.5], requires_grad=True), id="requires_grad"),
        pytest.param(lambda lib: lib.tensor([1.0, 2.0]), id="integral_floats"),
        pytest.param(lambda lib: lib.tensor([[1, 2], [3, 4]]), id="ints"),
        pytest.param(lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64), id="float64"),
        pytest.param(lambda lib: lib.tensor(0.5), id="scalar"),
        pytest.param(lambda lib: lib.tensor([True, False]), id="bools"),
    ],
)
def test_repr_matches_torch(make):
    assert repr(make(gn)) == repr(make(torch)).replace("torch.", "glassnet.")
