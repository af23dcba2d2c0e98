"""PyTorch's small functions written as formulas of glassnet ops (ops/torch_formulas.py), the
method forms of torch_forms' functions, and a few Tensor attributes: values and gradients
against PyTorch (skipped without it), gradcheck, and the errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.numerical import gradcheck
from glassnet.tensor import IN_PLACE_FORMS

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
P = RNG.uniform(0.05, 0.95, (3, 4))
WITH_NAN = A.copy()
WITH_NAN[0, 1] = WITH_NAN[2, 3] = np.nan


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# name, function of (library, *tensors), inputs: differentiable in every input
DIFFERENTIABLE = [
    ("reciprocal", lambda lib, a: lib.reciprocal(a), (A + 3.0,)),
    ("hypot", lambda lib, a, b: lib.hypot(a, b), (A, B)),
    ("logit", lambda lib, p: lib.logit(p), (P,)),
    ("logit_eps", lambda lib, p: lib.logit(p, eps=0.2), (P,)),
    ("xlogy", lambda lib, a, p: lib.xlogy(a, p), (A, P)),
    ("deg2rad", lambda lib, a: lib.deg2rad(a), (A,)),
    ("rad2deg", lambda lib, a: lib.rad2deg(a), (A,)),
    ("fmax", lambda lib, a, b: lib.fmax(a, b), (A, B)),
    ("fmin", lambda lib, a, b: lib.fmin(a, b), (A, B)),
    ("select", lambda lib, a: lib.select(a, 1, -1), (A,)),
    ("unbind", lambda lib, a: lib.unbind(a, 1)[2] * 2 + lib.unbind(a)[0][1], (A,)),
    ("ravel", lambda lib, a: lib.ravel(a.t()), (A,)),
    ("swapdims", lambda lib, a: lib.swapdims(a, 0, 1), (A,)),
    ("absolute", lambda lib, a: lib.absolute(a), (A,)),
    ("negative", lambda lib, a: lib.negative(a), (A,)),
    ("positive", lambda lib, a: lib.positive(a) * 1.5, (A,)),
    ("nansum", lambda lib, a: lib.nansum(a, 1), (A,)),
    ("nanmean", lambda lib, a: lib.nanmean(a, 0, keepdim=True), (A,)),
    ("median_all", lambda lib, a: lib.median(a), (A,)),
    ("median_dim", lambda lib, a: lib.median(a, 1).values, (A,)),
    ("median_even", lambda lib, a: lib.median(a, 0, keepdim=True).values, (A[:2],)),
    ("aminmax", lambda lib, a: lib.aminmax(a, dim=0).max - lib.aminmax(a).min, (A,)),
    ("float_power", lambda lib, a: lib.float_power(a, 2), (A,)),
]


def _run(lib, fn, arrays, requires_grad):
    tensors = [lib.tensor(a, requires_grad=requires_grad) for a in arrays]
    return tensors, fn(lib, *tensors)


@pytest.mark.parametrize("name,fn,arrays", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_values_and_gradients_match_pytorch(torch, name, fn, arrays):
    ours_in, ours = _run(gn, fn, arrays, True)
    theirs_in, theirs = _run(torch, fn, arrays, True)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert ours.dtype == theirs.detach().numpy().dtype
    weights = RNG.standard_normal(np.shape(theirs.detach().numpy()))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "name,fn,arrays",
    [c for c in DIFFERENTIABLE if not c[0].startswith(("fmax", "fmin", "median", "aminmax"))],
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_gradients_agree_with_finite_differences(name, fn, arrays):
    """(The picking functions are left out: their derivative jumps where two values tie.)"""
    tensors = [gn.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *t: fn(gn, *t), *tensors)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.nansum(x),
        lambda lib, x: lib.nansum(x, dim=0),
        lambda lib, x: lib.nanmean(x, dim=1),
        lambda lib, x: lib.median(x, dim=1).values,
        lambda lib, x: lib.median(x, dim=1).indices,
        lambda lib, x: lib.median(x),
        lambda lib, x: lib.fmax(x, lib.zeros_like(x)),
        lambda lib, x: lib.fmin(lib.zeros_like(x), x),
    ],
)
def test_nan_is_treated_as_pytorch_does(torch, call):
    ours = call(gn, gn.tensor(WITH_NAN)).numpy()
    theirs = call(torch, torch.tensor(WITH_NAN)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)  # NaN where PyTorch has NaN


def test_nansum_gives_no_gradient_to_the_nan(torch):
    x = gn.tensor(WITH_NAN, requires_grad=True)
    gn.nansum(x).backward()
    expected = np.where(np.isnan(WITH_NAN), 0.0, 1.0)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_xlogy_is_zero_where_x_is_zero_without_nan_in_the_gradient(torch):
    x_np, y_np = np.array([0.0, 0.0, 2.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.5, np.nan, -1.0])
    ours_x, ours_y = gn.tensor(x_np, requires_grad=True), gn.tensor(y_np, requires_grad=True)
    theirs_x = torch.tensor(x_np, requires_grad=True)
    theirs_y = torch.tensor(y_np, requires_grad=True)
    ours, theirs = gn.xlogy(ours_x, ours_y), torch.xlogy(theirs_x, theirs_y)
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(ours_y.grad.numpy()[1:3], theirs_y.grad.numpy()[1:3])
    np.testing.assert_array_equal(ours_x.grad.numpy()[1:3], theirs_x.grad.numpy()[1:3])
    # At x = 0 and y <= 0 PyTorch's gradients are -inf or NaN; here those of the 0 taken there.
    np.testing.assert_array_equal(ours_x.grad.numpy()[[0, 4]], [0.0, 0.0])
    np.testing.assert_array_equal(ours_y.grad.numpy()[[0, 4]], [0.0, 0.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.reciprocal(x),  # integers become float32
        lambda lib, x: lib.deg2rad(x),
        lambda lib, x: lib.signbit(x - 2),
        lambda lib, x: lib.heaviside(x - 2, lib.tensor([7])),
        lambda lib, x: lib.isin(x, lib.tensor([1, 3])),
        lambda lib, x: lib.isin(x, lib.tensor([1, 3]), invert=True),
        lambda lib, x: lib.sgn(x - 2),
        lambda lib, x: lib.nansum(x),
    ],
)
def test_integer_inputs_follow_pytorch(torch, call):
    ours = call(gn, gn.tensor([1, 2, 3, 4]))
    theirs = call(torch, torch.tensor([1, 2, 3, 4]))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert ours.numpy().dtype == theirs.numpy().dtype


def test_signbit_sees_negative_zero():
    np.testing.assert_array_equal(gn.signbit(gn.tensor([-0.0, 0.0, -1.0])).numpy(), [1, 0, 1])


def test_method_forms_match_pytorch(torch):
    m = RNG.standard_normal((3, 3))
    batch = RNG.standard_normal((2, 3, 3))
    ints = np.array([0, 2, 2, 5])
    cases = [
        lambda lib, t: t(m).addmm(t(m), t(m), beta=0.5),
        lambda lib, t: t(batch).bmm(t(batch)),
        lambda lib, t: t(m).mv(t(m[0])),
        lambda lib, t: t(m).addcmul(t(m), t(m), value=2.0),
        lambda lib, t: t(m).addcdiv(t(m), t(m) + 5, value=0.5),
        lambda lib, t: t(m).outer(t(m[1])) if False else t(m[0]).outer(t(m[1])),
        lambda lib, t: t(ints).bincount(),
        lambda lib, t: t(m).count_nonzero(),
        lambda lib, t: t(m).diff(dim=0),
        lambda lib, t: t(m).greater(0.1),
        lambda lib, t: t(m).less_equal(t(m.T)),
        lambda lib, t: t(batch).movedim(0, 2),
        lambda lib, t: t(batch).moveaxis(2, 0),
        lambda lib, t: t(m).multiply(3.0),
        lambda lib, t: t(m).subtract(t(m.T)),
        lambda lib, t: t(m).narrow(1, 1, 2),
        lambda lib, t: t(np.array([np.nan, np.inf, 1.0])).nan_to_num(posinf=9.0),
        lambda lib, t: t(m).take(t(ints[:3])),
        lambda lib, t: t(m[0]).tile((2,)),
        lambda lib, t: t(ints).unique(),
        lambda lib, t: t(m).where(t(m) > 0, t(m * 0)),
        lambda lib, t: t(m).hypot(t(m.T)),
        lambda lib, t: t(m).median(0).values,
    ]
    for i, case in enumerate(cases):
        ours = case(gn, gn.tensor)
        theirs = case(torch, torch.tensor)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=f"case {i}")
    assert gn.tensor(m).equal(gn.tensor(m.copy())) and not gn.tensor(m).equal(gn.tensor(m.T))


def test_tensor_attributes_match_pytorch(torch):
    base = np.arange(24.0).reshape(2, 3, 4)
    for make in (lambda lib: lib.tensor(base), lambda lib: lib.tensor(base).transpose(0, 2)):
        ours, theirs = make(gn), make(torch)
        assert ours.stride() == theirs.stride() and ours.stride(1) == theirs.stride(1)
        assert ours.is_contiguous() == theirs.is_contiguous()
        assert ours.nelement() == theirs.nelement() == 24
        assert ours.ndimension() == theirs.ndimension() == 3
        assert ours.itemsize == theirs.itemsize and ours.nbytes == theirs.nbytes
    for cast in ("byte", "char", "short"):
        ours = getattr(gn.tensor([1.7, 2.2]), cast)()
        theirs = getattr(torch.tensor([1.7, 2.2]), cast)()
        assert ours.numpy().dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x = gn.tensor([-2.0, 0.5, 3.0])
    assert x.clip_(-1, 1) is x
    np.testing.assert_array_equal(x.numpy(), [-1.0, 0.5, 1.0])


def test_mistakes_get_one_clear_line():
    x = gn.tensor(A)
    with pytest.raises(
        IndexError, match=r"select\(\): index 4 out of range .* \[3, 4\] at dimension 0"
    ):
        x.select(0, 4)
    # an empty tensor's median is NaN (PyTorch's answer); an empty dimension is a mistake
    assert np.isnan(gn.median(gn.tensor(np.zeros(0))).item())
    assert gn.median(gn.tensor(np.zeros(0, dtype=np.int64))).item() == np.iinfo(np.int64).min
    with pytest.raises(IndexError, match="dimension 1 of \\[2, 0\\] is empty"):
        gn.median(gn.tensor(np.zeros((2, 0))), 1)


def test_more_products_and_histc_match_pytorch(torch):
    m, v = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    b1, b2 = RNG.standard_normal((2, 3, 5)), RNG.standard_normal((2, 5, 4))
    values = RNG.standard_normal(200)
    cases = [
        lambda lib, t: lib.addmv(t(m[:, 0]), t(m), t(v), beta=0.5, alpha=2.0),
        lambda lib, t: lib.baddbmm(t(np.ones((2, 3, 4))), t(b1), t(b2), alpha=0.25),
        lambda lib, t: t(np.ones((3, 4))).addbmm(t(b1), t(b2), beta=2.0),
        lambda lib, t: lib.histc(t(values), bins=9),
        lambda lib, t: lib.histc(t(values), bins=5, min=-1, max=1),
        lambda lib, t: lib.histc(t(np.full(3, 2.0)), bins=4),
        lambda lib, t: t(m[:3, :3]).trace(),
        lambda lib, t: t(m[:3, :3] + 3 * np.eye(3)).inverse(),
        lambda lib, t: t(m[:3, :3]).det(),
    ]
    for i, case in enumerate(cases):
        ours, theirs = case(gn, gn.tensor), case(torch, torch.tensor)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=f"case {i}")


def test_in_place_forms_match_pytorch(torch):
    positive = RNG.uniform(0.5, 2.0, (3, 4))
    calls = [
        lambda t: t.addcmul_(t * 2, t, value=0.5),
        lambda t: t.addcdiv_(t, t + 1, value=-0.1),
        lambda t: t.lerp_(t * 0 + 1, 0.25),
        lambda t: t.fill_diagonal_(-3.0),
        lambda t: t.index_fill_(1, t.new_tensor([0, 3]).long(), 9.0),
        *[(lambda name: lambda t: getattr(t, name + "_")())(n) for n in IN_PLACE_FORMS],
    ]
    for i, call in enumerate(calls):
        ours, theirs = gn.tensor(positive), torch.tensor(positive)
        assert call(ours) is ours and call(theirs) is theirs
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=f"call {i}")


def test_in_place_form_of_a_recorded_tensor_keeps_the_gradient(torch):
    x = gn.tensor(RNG.uniform(0.5, 2.0, 5), requires_grad=True)
    y = x * 3.0
    y.sqrt_()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3.0 / (2 * np.sqrt(3.0 * x.numpy())), rtol=1e-12)


def test_device_questions_have_the_cpu_answers(torch):
    ours, theirs = gn.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    assert ours.is_cuda is theirs.is_cuda is False
    assert ours.get_device() == theirs.get_device() == -1
    assert ours.data_ptr() == ours[0:].data_ptr() != ours.clone().data_ptr()
    assert ours.is_complex() is False and gn.tensor([0.0]).is_nonzero() is False
    with pytest.raises(RuntimeError, match="one element, got shape"):
        ours.is_nonzero()


def test_trace_of_a_matrix_and_the_recorder_share_one_name():
    a = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = gn.trace(a)  # torch.trace(a) under glassnet run
    total.backward()
    assert total.item() == 5.0
    np.testing.assert_array_equal(a.grad.numpy(), np.eye(2))
    with gn.trace() as recorded:  # no argument: glassnet's tracer
        (a * 2).sum()
    assert type(recorded).__name__ == "Trace"
