"""glassnet.linalg: values and gradients against PyTorch (skipped without it), gradcheck of every
differentiable function, and one clear error for each mistake."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import linalg
from glassnet.numerical import gradcheck, gradgradcheck

RNG = np.random.default_rng(3)
SQUARE = RNG.standard_normal((4, 4)) + 4 * np.eye(4)  # well conditioned
BATCH = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
RHS = RNG.standard_normal((4, 2))
VECTOR = RNG.standard_normal(4)
MATRICES = RNG.standard_normal((2, 3, 5))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


CASES = [
    ("inv", lambda la, a: la.inv(a), (SQUARE,)),
    ("inv_batch", lambda la, a: la.inv(a), (BATCH,)),
    ("det", lambda la, a: la.det(a), (SQUARE,)),
    ("det_batch", lambda la, a: la.det(a), (BATCH,)),
    ("logabsdet", lambda la, a: la.slogdet(a).logabsdet, (BATCH,)),
    ("sign", lambda la, a: la.slogdet(-a).sign, (SQUARE,)),
    ("solve", lambda la, a, b: la.solve(a, b), (SQUARE, RHS)),
    ("solve_vector", lambda la, a, b: la.solve(a, b), (SQUARE, VECTOR)),
    ("solve_batch", lambda la, a, b: la.solve(a, b), (BATCH, BATCH[:, :, :1] * 2)),
    ("vector_norm", lambda la, x: la.vector_norm(x), (MATRICES,)),
    ("vector_norm_dim", lambda la, x: la.vector_norm(x, ord=3, dim=-1, keepdim=True), (MATRICES,)),
    ("vector_norm_inf", lambda la, x: la.vector_norm(x, ord=math.inf, dim=1), (MATRICES,)),
    ("vector_norm_1", lambda la, x: la.vector_norm(x, ord=1), (MATRICES,)),
    ("matrix_norm_fro", lambda la, x: la.matrix_norm(x), (MATRICES,)),
    ("matrix_norm_1", lambda la, x: la.matrix_norm(x, ord=1), (MATRICES,)),
    ("matrix_norm_-inf", lambda la, x: la.matrix_norm(x, ord=-math.inf, keepdim=True), (MATRICES,)),
    ("matrix_norm_2", lambda la, x: la.matrix_norm(x, ord=2), (MATRICES,)),
    ("matrix_norm_-2", lambda la, x: la.matrix_norm(x, ord=-2, keepdim=True), (BATCH,)),
    ("matrix_norm_nuc", lambda la, x: la.matrix_norm(x, ord="nuc", dim=(0, 1)), (MATRICES,)),
    ("norm_nuc", lambda la, x: la.norm(x, ord="nuc"), (SQUARE,)),
    ("norm_all", lambda la, x: la.norm(x), (MATRICES,)),
    ("norm_dim", lambda la, x: la.norm(x, dim=1), (MATRICES,)),
    ("norm_matrix_ord", lambda la, x: la.norm(x, ord=math.inf), (SQUARE,)),
    ("norm_vector_ord", lambda la, x: la.norm(x, ord=1), (VECTOR,)),
]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(torch, name, fn, arrays):
    ours_in = [gn.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = fn(gn.linalg, *ours_in), fn(torch.linalg, *theirs_in)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert ours.shape == tuple(theirs.shape)
    if name == "sign":  # no gradient flows through the sign (PyTorch's is zero)
        assert not ours.requires_grad
        return
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ["inv", "det_batch", "logabsdet", "solve", "solve_vector"])
def test_gradients_agree_with_finite_differences_twice(name):
    _, fn, arrays = next(c for c in CASES if c[0] == name)
    tensors = [gn.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *t: fn(gn.linalg, *t), *tensors)
    assert gradgradcheck(lambda *t: fn(gn.linalg, *t), *tensors)


def test_inverse_times_matrix_is_the_identity():
    a = gn.tensor(BATCH)
    np.testing.assert_allclose((a @ linalg.inv(a)).numpy(), np.broadcast_to(np.eye(3), BATCH.shape),
                               atol=1e-12)  # fmt: skip
    x = linalg.solve(gn.tensor(SQUARE), gn.tensor(RHS))
    np.testing.assert_allclose(SQUARE @ x.numpy(), RHS, atol=1e-12)


def test_mistakes_get_one_clear_line():
    with pytest.raises(linalg.LinAlgError, match="singular"):
        linalg.inv(gn.tensor(np.ones((3, 3))))
    with pytest.raises(RuntimeError, match="singular"):
        linalg.solve(gn.tensor(np.zeros((2, 2))), gn.tensor(np.ones(2)))
    with pytest.raises(
        ValueError, match=r"square matrices of shape \(\.\.\., n, n\), got \(2, 3\)"
    ):
        linalg.det(gn.tensor(np.ones((2, 3))))
    with pytest.raises(TypeError, match="floating tensor, got dtype int64"):
        linalg.inv(gn.tensor([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match=r"needs B of shape \(\.\.\., 4, k\) or \(\.\.\., 4\)"):
        linalg.solve(gn.tensor(SQUARE), gn.tensor(np.ones((3, 1))))
    with pytest.raises(
        ValueError, match="ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got 3"
    ):
        linalg.matrix_norm(gn.tensor(SQUARE), ord=3)
