"""The rest of torch.linalg (ops/linalg_extras.py), complex parts of real tensors and the GPU
refusals, against PyTorch: values, info codes, gradients (gradcheck in float64) and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
from glassnet.errors import ShapeError
from glassnet.numerical import gradcheck

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
SQUARE = RNG.standard_normal((3, 4, 4)) + 4 * np.eye(4)  # a batch of well-conditioned matrices
TALL = RNG.standard_normal((5, 3))


def _close(ours, theirs, tol=1e-9):
    np.testing.assert_allclose(np.asarray(ours.numpy()), theirs.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1])
def test_cond_matches_pytorch(p):
    _close(
        glassnet.linalg.cond(glassnet.tensor(SQUARE), p), torch.linalg.cond(torch.tensor(SQUARE), p)
    )


def test_cond_of_a_rectangular_and_a_singular_matrix():
    _close(glassnet.linalg.cond(glassnet.tensor(TALL)), torch.linalg.cond(torch.tensor(TALL)))
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert glassnet.linalg.cond(glassnet.tensor(singular), 1).item() == math.inf
    assert torch.linalg.cond(torch.tensor(singular), 1).item() == math.inf
    with pytest.raises(ShapeError, match="square"):
        glassnet.linalg.cond(glassnet.tensor(TALL), "fro")
    with pytest.raises(ValueError, match="p must be None, 2"):
        glassnet.linalg.cond(glassnet.tensor(SQUARE), 3)


def test_cond_gradient_is_right():
    assert gradcheck(
        lambda a: glassnet.linalg.cond(a), glassnet.tensor(SQUARE[0], requires_grad=True)
    )
    assert gradcheck(
        lambda a: glassnet.linalg.cond(a, "fro"), glassnet.tensor(SQUARE[1], requires_grad=True)
    )


MIXED = np.stack([2 * np.eye(2), np.zeros((2, 2)), np.array([[1.0, 2.0], [2.0, 4.0]])])


def test_inv_ex_reports_singular_matrices_like_pytorch():
    ours = glassnet.linalg.inv_ex(glassnet.tensor(MIXED))
    theirs = torch.linalg.inv_ex(torch.tensor(MIXED))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    assert ours.info.dtype == glassnet.int32
    _close(ours.inverse[0], theirs.inverse[0])
    assert np.isnan(ours.inverse[1:].numpy()).all()  # PyTorch leaves LAPACK's partial work there
    inverse, info = glassnet.linalg.inv_ex(glassnet.tensor(SQUARE))
    _close(inverse, torch.linalg.inv(torch.tensor(SQUARE)))
    assert not info.numpy().any()
    with pytest.raises(glassnet.linalg.LinAlgError, match="matrix 1 of the batch is singular"):
        glassnet.linalg.inv_ex(glassnet.tensor(MIXED), check_errors=True)


def test_inv_ex_gradient_flows_through_the_invertible_matrices():
    a = glassnet.tensor(MIXED.copy(), requires_grad=True)
    inverse, _ = glassnet.linalg.inv_ex(a)
    inverse[0].sum().backward()
    t = torch.tensor(MIXED[0], requires_grad=True)
    torch.linalg.inv(t).sum().backward()
    _close(a.grad[0], t.grad)
    assert not a.grad[1:].numpy().any()


# (PyTorch refuses a vector B with left=False, so that pair is not compared)
@pytest.mark.parametrize(("left", "vector"), [(True, True), (True, False), (False, False)])
def test_solve_ex_and_solve_left_match_pytorch(left, vector):
    b = RNG.standard_normal((3, 4) if vector else (3, 4, 2) if left else (3, 2, 4))
    ours = glassnet.linalg.solve_ex(glassnet.tensor(SQUARE), glassnet.tensor(b), left=left)
    theirs = torch.linalg.solve_ex(torch.tensor(SQUARE), torch.tensor(b), left=left)
    _close(ours.result, theirs.result)
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    _close(
        glassnet.linalg.solve(glassnet.tensor(SQUARE), glassnet.tensor(b), left=left),
        torch.linalg.solve(torch.tensor(SQUARE), torch.tensor(b), left=left),
    )


def test_solve_ex_of_singular_matrices():
    b = np.ones((3, 2))
    ours = glassnet.linalg.solve_ex(glassnet.tensor(MIXED), glassnet.tensor(b))
    theirs = torch.linalg.solve_ex(torch.tensor(MIXED), torch.tensor(b))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    _close(ours.result[0], theirs.result[0])
    assert np.isnan(ours.result[1:].numpy()).all()
    with pytest.raises(glassnet.linalg.LinAlgError, match="singular"):
        glassnet.linalg.solve_ex(glassnet.tensor(MIXED), glassnet.tensor(b), check_errors=True)


@pytest.mark.parametrize("n", [None, 2, 5])
def test_vander_matches_pytorch(n):
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    _close(
        glassnet.linalg.vander(glassnet.tensor(x), N=n), torch.linalg.vander(torch.tensor(x), N=n)
    )
    ints = glassnet.linalg.vander(glassnet.tensor([2, 3]), N=4)
    assert ints.dtype == glassnet.int64 and ints.tolist() == [[1, 2, 4, 8], [1, 3, 9, 27]]
    assert gradcheck(
        lambda v: glassnet.linalg.vander(v, N=4), glassnet.tensor(x[0], requires_grad=True)
    )
    with pytest.raises(ValueError, match="N must be an integer greater than 1, got 1"):
        glassnet.linalg.vander(glassnet.tensor(x), N=1)
    with pytest.raises(RuntimeError):
        torch.linalg.vander(torch.tensor(x), N=1)


def test_tensorinv_and_tensorsolve_match_pytorch():
    a = RNG.standard_normal((6, 2, 3)) + np.eye(6).reshape(6, 2, 3)
    _close(
        glassnet.linalg.tensorinv(glassnet.tensor(a), ind=1),
        torch.linalg.tensorinv(torch.tensor(a), ind=1),
    )
    b4 = (RNG.standard_normal((2, 3, 6)) + np.eye(6).reshape(2, 3, 6)).reshape(2, 3, 2, 3)
    _close(glassnet.linalg.tensorinv(glassnet.tensor(b4)), torch.linalg.tensorinv(torch.tensor(b4)))
    rhs = RNG.standard_normal((2, 3))
    _close(
        glassnet.linalg.tensorsolve(glassnet.tensor(b4), glassnet.tensor(rhs)),
        torch.linalg.tensorsolve(torch.tensor(b4), torch.tensor(rhs)),
    )
    with pytest.raises(ShapeError, match="must equal"):
        glassnet.linalg.tensorinv(glassnet.tensor(np.ones((2, 3))), ind=1)


def test_tensorsolve_with_dims_matches_pytorch():
    a = RNG.standard_normal((2, 3, 6)) + np.eye(6).reshape(2, 3, 6)
    b = RNG.standard_normal(6)
    _close(
        glassnet.linalg.tensorsolve(glassnet.tensor(a), glassnet.tensor(b), dims=(0, 1)),
        torch.linalg.tensorsolve(torch.tensor(a), torch.tensor(b), dims=(0, 1)),
    )
    with pytest.raises(ShapeError, match="tensorsolve"):
        glassnet.linalg.tensorsolve(glassnet.tensor(a), glassnet.tensor(np.ones(5)))


def test_householder_product_matches_pytorch_and_rebuilds_q():
    a = RNG.standard_normal((2, 5, 3))
    tau = RNG.uniform(0.5, 1.5, (2, 3))
    _close(
        glassnet.linalg.householder_product(glassnet.tensor(a), glassnet.tensor(tau)),
        torch.linalg.householder_product(torch.tensor(a), torch.tensor(tau)),
    )
    packed, tau_qr = torch.geqrf(torch.tensor(TALL))  # QR's compact form: Q from reflections
    q = glassnet.linalg.householder_product(
        glassnet.tensor(packed.numpy()), glassnet.tensor(tau_qr.numpy())
    )
    _close(q, torch.linalg.qr(torch.tensor(TALL)).Q)
    assert gradcheck(
        glassnet.linalg.householder_product,
        glassnet.tensor(a[0], requires_grad=True),
        glassnet.tensor(tau[0, :2], requires_grad=True),
    )
    with pytest.raises(ShapeError, match="m >= n"):
        glassnet.linalg.householder_product(glassnet.tensor(a[0].T), glassnet.tensor(tau[0]))


def test_linalg_matmul_is_matmul():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    _close(
        glassnet.linalg.matmul(glassnet.tensor(a), glassnet.tensor(b)),
        torch.linalg.matmul(torch.tensor(a), torch.tensor(b)),
    )


@pytest.mark.parametrize("name", ["real", "conj", "conj_physical", "resolve_conj", "resolve_neg"])
def test_complex_parts_of_a_real_tensor_are_the_tensor_itself(name):
    for lib in (torch, glassnet):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        assert getattr(lib, name)(x) is x
        if name != "real":
            assert getattr(x, name)() is x
    x = glassnet.tensor([1.0, -2.0], requires_grad=True)
    (getattr(glassnet, name)(x) * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_real_is_writable_imag_is_refused_and_flags_are_false():
    for lib in (torch, glassnet):
        x = lib.tensor([1.0, 2.0])
        assert x.real is x
        x.real[0] = 5.0
        assert x.tolist() == [5.0, 2.0]
        with pytest.raises(RuntimeError):
            x.imag
        with pytest.raises(RuntimeError):
            lib.imag(x)
        assert not lib.is_complex(x) and not lib.is_conj(x) and not lib.is_neg(x)
    with pytest.raises(RuntimeError, match="imag: expected a complex tensor, got dtype float32"):
        glassnet.imag(glassnet.tensor([1.0]))


def test_a_gpu_is_refused_in_one_line_and_a_wrong_device_name_is_named():
    x = glassnet.tensor([1.0])
    for call in (lambda: x.cuda(), lambda: x.cuda(0), lambda: x.to("cuda")):
        with pytest.raises(RuntimeError, match="CPU only; got device 'cuda"):
            call()
    with pytest.raises(RuntimeError):
        torch.tensor([1.0]).to("gpu")
    with pytest.raises(
        RuntimeError, match=r"expected a device \('cpu'\) or a dtype name .* got 'gpu'"
    ):
        x.to("gpu")
    assert x.to("cpu") is x and x.to("float64").dtype == glassnet.float64
