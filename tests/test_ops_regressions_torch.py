"""Regression tests for the correctness bugs of issue 9, each against PyTorch.

(1) & | ^ ~ << >> are bitwise on integers, logical on bool; (2) d(x**0)/dx = 0 at x = 0;
(4) var/std backward with n - correction <= 0 gives PyTorch's nan / inf; (6) casting a tensor
that requires grad to an integer dtype leaves the graph. Also: shape mismatches raise
glassnet.errors.ShapeError, catchable as RuntimeError (PyTorch's habit) and as ValueError.
"""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import DTypeError, ShapeError

torch = pytest.importorskip("torch")


def _same(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


BITWISE = [
    pytest.param(lambda lib: lib.tensor([1, 2, 12]) & lib.tensor([3, 3, 10]), id="and_int"),
    pytest.param(lambda lib: lib.tensor([1, 2, 12]) | lib.tensor([3, 4, 10]), id="or_int"),
    pytest.param(lambda lib: lib.tensor([1, 2, 12]) ^ lib.tensor([3, 3, 10]), id="xor_int"),
    pytest.param(lambda lib: lib.tensor([True, False]) & lib.tensor([True, True]), id="and_bool"),
    pytest.param(lambda lib: lib.tensor([True, False]) | lib.tensor([False, False]), id="or_bool"),
    pytest.param(lambda lib: lib.tensor([True, False]) ^ lib.tensor([True, True]), id="xor_bool"),
    pytest.param(lambda lib: lib.tensor([5, 6]) & 3, id="and_scalar"),
    pytest.param(lambda lib: 3 | lib.tensor([5, 8]), id="ror_scalar"),
    pytest.param(lambda lib: lib.tensor([True, False]) | 2, id="bool_or_int"),
    pytest.param(lambda lib: ~lib.tensor([1, -2, 0]), id="invert_int"),
    pytest.param(lambda lib: ~lib.tensor([True, False]), id="invert_bool"),
    pytest.param(lambda lib: lib.tensor([1, 2, -3]) << 2, id="lshift"),
    pytest.param(lambda lib: lib.tensor([8, -8, 7]) >> 1, id="rshift"),
    pytest.param(lambda lib: lib.tensor([8, 16]) >> lib.tensor([1, 2]), id="rshift_tensor"),
    pytest.param(lambda lib: lib.bitwise_and(lib.tensor([12]), lib.tensor([10])), id="bitwise_and"),
    pytest.param(lambda lib: lib.bitwise_or(lib.tensor([12]), lib.tensor([10])), id="bitwise_or"),
    pytest.param(lambda lib: lib.bitwise_xor(lib.tensor([12]), lib.tensor([10])), id="bitwise_xor"),
    pytest.param(lambda lib: lib.bitwise_not(lib.tensor([12, 0])), id="bitwise_not"),
    pytest.param(
        lambda lib: lib.bitwise_left_shift(lib.tensor([3]), lib.tensor([4])), id="left_shift"
    ),
    pytest.param(
        lambda lib: lib.bitwise_right_shift(lib.tensor([48]), lib.tensor([4])), id="right_shift"
    ),
    pytest.param(
        lambda lib: lib.logical_and(lib.tensor([1, 0, 2]), lib.tensor([1, 1, 0])), id="logical_and"
    ),
    pytest.param(lambda lib: lib.logical_not(lib.tensor([1.0, 0.0])), id="logical_not"),
]


@pytest.mark.parametrize("make", BITWISE)
def test_bitwise_ops_match_torch(make):
    _same(make(gn), make(torch))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda lib: lib.tensor([1.0]) & lib.tensor([1.0]), id="and_float"),
        pytest.param(lambda lib: ~lib.tensor([1.0]), id="invert_float"),
        pytest.param(lambda lib: lib.tensor([1.0]) << 1, id="shift_float"),
    ],
)
def test_bitwise_ops_refuse_floats(make):
    with pytest.raises(DTypeError, match="integer or bool"):
        make(gn)
    with pytest.raises((TypeError, RuntimeError, NotImplementedError)):
        make(torch)


@pytest.mark.parametrize(
    "power",
    [
        pytest.param(lambda lib, x: x**0, id="int_exponent"),
        pytest.param(lambda lib, x: x**0.0, id="float_exponent"),
        pytest.param(lambda lib, x: x ** lib.zeros(3, dtype=lib.float64), id="tensor_exponent"),
        pytest.param(lambda lib, x: x ** lib.tensor(0.0, dtype=lib.float64), id="0d_exponent"),
        pytest.param(
            lambda lib, x: lib.pow(x, lib.tensor([0.0, 2.0, 0.0], dtype=lib.float64)),
            id="mixed_exponents",
        ),
    ],
)
def test_gradient_of_x_to_the_zero_is_zero_at_zero(power):
    grads = []
    for lib in (gn, torch):
        x = lib.tensor([0.0, 0.0, 1.5], dtype=lib.float64, requires_grad=True)
        power(lib, x).sum().backward()
        grads.append(x.grad.numpy())
    assert not np.isnan(grads[0]).any()
    np.testing.assert_allclose(grads[0], grads[1])


def test_exponent_gradient_at_zero_base_still_matches_torch():
    grads = []
    for lib in (gn, torch):
        x = lib.tensor([0.0, 2.0], dtype=lib.float64, requires_grad=True)
        e = lib.tensor([0.0, 0.0], dtype=lib.float64, requires_grad=True)
        (x**e).sum().backward()
        grads.append((x.grad.numpy(), e.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize(
    ("values", "correction", "dim", "fn"),
    [
        pytest.param([3.0], 1, None, "var", id="var_one_element"),
        pytest.param([3.0], 1, None, "std", id="std_one_element"),
        pytest.param([3.0], 2, None, "var", id="var_correction_above_n"),
        pytest.param([0.0, 1.0], 2, None, "var", id="var_n_equals_correction"),
        pytest.param([0.0, 1.0], 3, None, "std", id="std_negative_dof"),
        pytest.param([[0.0, 1.0], [2.0, 2.0]], 2, 1, "var", id="var_dim_dof_zero"),
        pytest.param([[0.0, 1.0], [2.0, 2.0]], 3, 1, "var", id="var_dim_negative_dof"),
        pytest.param([[5.0, 1.0]], 1, 0, "std", id="std_dim_one_row"),
    ],
)
def test_var_std_backward_without_degrees_of_freedom_matches_torch(values, correction, dim, fn):
    results = []
    for lib in (gn, torch):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns that the dof is <= 0
            y = getattr(x, fn)(dim=dim, correction=correction)
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
    (y, g), (y_ref, g_ref) = results
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(g, g_ref)


@pytest.mark.parametrize(
    "cast",
    [
        pytest.param(lambda x: x.long(), id="long"),
        pytest.param(lambda x: x.int(), id="int"),
        pytest.param(lambda x: x.bool(), id="bool"),
        pytest.param(
            lambda x: x.to(gn.int64 if isinstance(x, gn.Tensor) else torch.int64), id="to"
        ),
    ],
)
def test_casting_to_an_integer_dtype_leaves_the_graph(cast):
    x = gn.tensor([1.7, -2.2, 0.0], requires_grad=True)
    x_ref = torch.tensor([1.7, -2.2, 0.0], requires_grad=True)
    y, y_ref = cast(x), cast(x_ref)
    assert y.requires_grad is y_ref.requires_grad is False
    assert y.grad_fn is None
    _same(y, y_ref)


SHAPE_ERRORS = [
    pytest.param(lambda: gn.ones(2, 3) + gn.ones(4), id="broadcast"),
    pytest.param(lambda: gn.ones(2, 3) @ gn.ones(2, 3), id="matmul"),
    pytest.param(lambda: gn.mm(gn.ones(3), gn.ones(3)), id="mm"),
    pytest.param(lambda: gn.dot(gn.ones(3), gn.ones(4)), id="dot"),
    pytest.param(lambda: gn.cat([gn.ones(2, 3), gn.ones(2, 4)]), id="cat"),
    pytest.param(lambda: gn.stack([gn.ones(2), gn.ones(3)]), id="stack"),
    pytest.param(lambda: gn.ones(2, 3).reshape(4, 2), id="reshape"),
    pytest.param(lambda: gn.ones(2, 3).view(5), id="view"),
    pytest.param(lambda: gn.ones(2, 3).expand(4, 3), id="expand"),
    pytest.param(lambda: gn.ones(2, 3).permute(1, 0, 2), id="permute"),
    pytest.param(lambda: gn.ones(2, 3).gather(1, gn.tensor([0, 1])), id="gather_ndim"),
    pytest.param(lambda: gn.einsum("ij,jk->ik", gn.ones(2, 3), gn.ones(2, 3)), id="einsum"),
    pytest.param(lambda: gn.ones(2, 3).sum_to_size(2), id="sum_to_size"),
    pytest.param(lambda: gn.ones(4).unfold(0, 5, 1), id="unfold"),
]


@pytest.mark.parametrize("make", SHAPE_ERRORS)
def test_shape_mismatches_raise_shape_error(make):
    with pytest.raises(ShapeError) as info:
        make()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)  # one clear line


def test_a_concatenated_tensor_may_change_in_place_before_backward_as_in_pytorch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (gn, torch):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        part = w * 3
        joined = lib.cat([part, part * 2])
        with lib.no_grad():
            part.add_(1.0)  # the concatenation's backward reads no values, so this is fine
        (joined * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
