"""PyTorch's top-level forms of Tensor methods (torch.add(a, b)) and the out= argument."""

import warnings

import numpy as np
import pytest

import glassnet as gn

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
M = RNG.standard_normal((4, 2)).astype(np.float32)
BATCH = RNG.standard_normal((2, 3, 4)).astype(np.float32)
BATCH2 = RNG.standard_normal((2, 4, 5)).astype(np.float32)
VEC = RNG.standard_normal(4).astype(np.float32)
POSITIVE = np.abs(B) + 0.5

CASES = {
    "add": lambda t: t.add(t.tensor(A), t.tensor(B), alpha=2.5),
    "sub": lambda t: t.sub(t.tensor(A), t.tensor(B), alpha=0.5),
    "subtract": lambda t: t.subtract(t.tensor(A), 1.5),
    "mul": lambda t: t.mul(t.tensor(A), t.tensor(B)),
    "multiply": lambda t: t.multiply(t.tensor(A), 3.0),
    "eq": lambda t: t.eq(t.tensor(A), t.tensor(A)),
    "ne": lambda t: t.ne(t.tensor(A), t.tensor(B)),
    "lt": lambda t: t.lt(t.tensor(A), t.tensor(B)),
    "le": lambda t: t.le(t.tensor(A), 0.0),
    "gt": lambda t: t.gt(t.tensor(A), t.tensor(B)),
    "ge": lambda t: t.ge(t.tensor(A), 0.0),
    "greater": lambda t: t.greater(t.tensor(A), t.tensor(B)),
    "less_equal": lambda t: t.less_equal(t.tensor(A), t.tensor(B)),
    "all": lambda t: t.all(t.tensor(A) > -10),
    "any_dim": lambda t: t.any(t.tensor(A) > 1, 1),
    "count_nonzero": lambda t: t.count_nonzero(t.tensor(np.where(A > 0, A, 0))),
    "count_nonzero_dim": lambda t: t.count_nonzero(t.tensor(np.where(A > 0, A, 0)), dim=0),
    "bmm": lambda t: t.bmm(t.tensor(BATCH), t.tensor(BATCH2)),
    "mv": lambda t: t.mv(t.tensor(A), t.tensor(VEC)),
    "addmm": lambda t: t.addmm(t.tensor(B[:, :2]), t.tensor(A), t.tensor(M), beta=0.5, alpha=2),
    "addcmul": lambda t: t.addcmul(t.tensor(A), t.tensor(B), t.tensor(A), value=0.3),
    "addcdiv": lambda t: t.addcdiv(t.tensor(A), t.tensor(A), t.tensor(POSITIVE), value=-2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_numbers_as_pytorch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = CASES[name](gn), CASES[name](torch)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_plain_answers():
    a = gn.tensor(A)
    assert gn.numel(a) == 12 and gn.is_tensor(a) and not gn.is_tensor(A)
    assert gn.is_floating_point(a) and not gn.is_floating_point(gn.tensor([1, 2]))
    assert gn.equal(a, gn.tensor(A.copy())) is True
    assert gn.equal(a, a[:2]) is False and gn.equal(a, a + 1) is False


def test_the_method_forms_keep_their_gradients():
    w = gn.tensor(A, requires_grad=True)
    gn.addcmul(gn.mul(w, 2.0), w, w, value=0.5).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2.0 + A, rtol=1e-6)  # d/dw (2w + w²/2)


def test_bad_shapes_get_one_clear_line():
    with pytest.raises(ValueError, match=r"bmm: expects two 3-D tensors .* \(3, 4\) and \(4, 2\)"):
        gn.bmm(gn.tensor(A), gn.tensor(M))
    with pytest.raises(ValueError, match=r"mv: expects a 2-D matrix and a 1-D vector"):
        gn.mv(gn.tensor(A), gn.tensor(A))
    with pytest.raises(ValueError, match=r"addmm: expects 2-D mat1 and mat2"):
        gn.addmm(gn.tensor(A), gn.tensor(VEC), gn.tensor(M))


THREE_BY_TWO = RNG.standard_normal((5, 3, 2)).astype(np.float32)


@pytest.mark.parametrize(
    "call",
    [
        lambda out: gn.matmul(gn.tensor(A), gn.tensor(M), out=out),
        lambda out: gn.mm(gn.tensor(A), gn.tensor(M), out=out),
        lambda out: gn.add(gn.tensor(A @ M), 1.0, out=out),
        lambda out: gn.exp(gn.tensor(A @ M), out=out),
        lambda out: gn.sum(gn.tensor(THREE_BY_TWO), dim=0, out=out),
        lambda out: gn.cat([gn.tensor(A[:1, :2]), gn.tensor(A[1:, :2])], out=out),
    ],
    ids=["matmul", "mm", "add", "exp", "sum", "cat"],
)
def test_out_receives_the_result_in_place(call):
    out = gn.zeros(3, 2)
    memory, before = out.numpy(), out._version[0]
    result = call(out)
    assert result is out and out.numpy() is memory  # the same array: its views see the result
    assert out._version[0] == before + 1  # changed in place, as far as autograd can tell
    np.testing.assert_allclose(out.numpy(), call(None).numpy(), rtol=1e-6)


def test_out_follows_pytorch_rules():
    torch = pytest.importorskip("torch")
    ours, theirs = gn.zeros(3, 4, dtype=gn.float64), torch.zeros(3, 4, dtype=torch.float64)
    gn.add(gn.tensor(A), 0.25, out=ours)  # a float32 result into a float64 out
    torch.add(torch.tensor(A), 0.25, out=theirs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert ours.dtype == gn.float64
    with pytest.raises(RuntimeError, match=r"float32, which can't be written into out= of dtype"):
        gn.add(gn.tensor(A), 1.0, out=gn.zeros(3, 4, dtype=gn.int64))
    with pytest.raises(TypeError, match=r"out= expects a Tensor, got list"):
        gn.add(gn.tensor(A), 1.0, out=[0.0])


def test_out_of_another_shape_is_resized_with_a_warning_when_it_held_numbers():
    empty = gn.tensor(np.zeros(0, np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty out is resized silently
        gn.mul(gn.tensor(A), 2.0, out=empty)
    np.testing.assert_allclose(empty.numpy(), A * 2.0)
    small = gn.zeros(2)
    with pytest.warns(UserWarning, match=r"out= has shape \(2,\), the result \(3, 4\)"):
        gn.mul(gn.tensor(A), 2.0, out=small)
    assert small.shape == (3, 4)


def test_out_is_refused_where_gradients_are_recorded():
    w = gn.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mul\(\): functions with out= don't support"):
        gn.mul(w, 2.0, out=gn.zeros(3, 4))
    with gn.no_grad():  # allowed there, as in PyTorch
        out = gn.mul(w, 2.0, out=gn.zeros(3, 4))
    np.testing.assert_allclose(out.numpy(), A * 2.0)


X3 = RNG.standard_normal((2, 3, 4))
SPECIAL = np.where(RNG.random((2, 3, 4)) < 0.3, np.nan, 0.0)  # NaN, inf and -inf among zeros
SPECIAL[0, 0, :2], SPECIAL[1, 2, 3] = np.inf, -np.inf
ARRANGING = {
    "tile": lambda t, x: t.tile(x, (2, 1)),
    "tile_short_dims": lambda t, x: t.tile(x, (3,)),
    "movedim": lambda t, x: t.movedim(x, 0, -1),
    "movedim_pairs": lambda t, x: t.movedim(x, (0, 2), (2, 0)),
    "moveaxis": lambda t, x: t.moveaxis(x, -1, 1),
    "hstack": lambda t, x: t.hstack([x, x[:, :1]]),
    "vstack_1d": lambda t, x: t.vstack([x[0, 0], x[1, 1]]),
    "column_stack": lambda t, x: t.column_stack([x[0, 0], x[1, 2]]),
    "narrow": lambda t, x: t.narrow(x, 2, 1, 2),
    "narrow_negative": lambda t, x: t.narrow(x, 1, -2, 2),
    "diff": lambda t, x: t.diff(x),
    "diff_twice_dim1": lambda t, x: t.diff(x, n=2, dim=1),
    "take": lambda t, x: t.take(x, t.tensor([[0, 23], [5, 7]])),
    "cdist": lambda t, x: t.cdist(x, x[:, :2] + 0.5),
    "cdist_l1": lambda t, x: t.cdist(x[0], x[1], p=1.0),
    "nan_to_num": lambda t, x: t.nan_to_num(x + t.tensor(SPECIAL), nan=0.5, posinf=9.0),
}


@pytest.mark.parametrize("name", sorted(ARRANGING))
def test_arranging_forms_match_pytorch_with_gradients(name):
    torch = pytest.importorskip("torch")
    ours, theirs = gn.tensor(X3, requires_grad=True), torch.tensor(X3, requires_grad=True)
    y_ours, y_theirs = ARRANGING[name](gn, ours), ARRANGING[name](torch, theirs)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    weights = RNG.standard_normal(y_ours.shape)
    (y_ours * gn.tensor(weights)).sum().backward()
    (y_theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_counting_forms_match_pytorch():
    torch = pytest.importorskip("torch")
    labels = np.array([3, 1, 3, 0, 1, 3])
    for kwargs in ({}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}):  # fmt: skip
        ours = gn.unique(gn.tensor(labels), **kwargs)
        theirs = torch.unique(torch.tensor(labels), **kwargs)
        ours, theirs = (ours,) if not kwargs else ours, (theirs,) if not kwargs else theirs
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(
        gn.bincount(gn.tensor(labels), minlength=6).numpy(),
        torch.bincount(torch.tensor(labels), minlength=6).numpy(),
    )
    weights = RNG.standard_normal(6)
    np.testing.assert_allclose(
        gn.bincount(gn.tensor(labels), weights=gn.tensor(weights)).numpy(),
        torch.bincount(torch.tensor(labels), weights=torch.tensor(weights)).numpy(),
    )
    with pytest.raises(ValueError, match=r"bincount expects a 1-D tensor of non-negative"):
        gn.bincount(gn.tensor([-1, 2]))
    with pytest.raises(
        ValueError, match=r"narrow: start 2 and length 5 do not fit an axis of size 4"
    ):
        gn.narrow(gn.zeros(3, 4), 1, 2, 5)
