"""glassnet.linalg's decompositions (Cholesky, triangular solves, QR, eigh, SVD, eig, LU, pinv,
lstsq, matrix_exp) and products: values and gradients against PyTorch (skipped without it) on
quantities that do not depend on sign conventions, gradcheck and gradgradcheck in float64,
batches, dtypes, the top-level and Tensor-method forms, and one clear error for each mistake."""

import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.numerical import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)
_X = RNG.standard_normal((2, 4, 4))
SPD = _X @ _X.swapaxes(-1, -2) + 4 * np.eye(4)  # (2, 4, 4) symmetric positive-definite
SYM = _X + _X.swapaxes(-1, -2)  # symmetric, distinct eigenvalues (almost surely)
SQUARE = RNG.standard_normal((2, 4, 4)) + 3 * np.eye(4)  # well conditioned
TALL = RNG.standard_normal((2, 5, 3))
WIDE = RNG.standard_normal((2, 3, 5))
RHS = RNG.standard_normal((2, 4, 3))
RHS_RIGHT = RNG.standard_normal((2, 3, 4))
_P = RNG.standard_normal((3, 3)) + 2 * np.eye(3)
REAL_SPECTRUM = _P @ np.diag([1.0, 2.5, -3.0]) @ np.linalg.inv(_P)  # eig has real eigenvalues
LOW_RANK = RNG.standard_normal((4, 2)) @ RNG.standard_normal((2, 5))
VEC3 = RNG.standard_normal((2, 1, 3))
VEC3_OTHER = RNG.standard_normal((1, 4, 3))
CHAIN = [RNG.standard_normal(3), RNG.standard_normal((3, 6)), RNG.standard_normal((6, 2))]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _lower_factor(a):
    return np.linalg.cholesky(a)


def _real(x):
    """PyTorch's eig returns complex tensors; their real eigenvalues compare with ours."""
    return x.real if x.is_complex() else x


# Each case: (id, fn(lib, *tensors) -> tensor, input arrays). ``lib`` is glassnet or torch;
# the value compared never depends on a sign or basis convention (|u|^2, U Vh, eigenvalues...).
CASES = [
    ("cholesky", lambda lib, a: lib.linalg.cholesky(a), (SPD,)),
    ("cholesky_upper", lambda lib, a: lib.linalg.cholesky(a, upper=True), (SPD,)),
    ("cholesky_ex", lambda lib, a: lib.linalg.cholesky_ex(a).L, (SPD,)),
    ("solve_triangular_lower", lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False),
     (SQUARE, RHS)),
    ("solve_triangular_upper_unit", lambda lib, a, b: lib.linalg.solve_triangular(
        a, b, upper=True, unitriangular=True), (SQUARE, RHS)),
    ("solve_triangular_right", lambda lib, a, b: lib.linalg.solve_triangular(
        a, b, upper=True, left=False), (SQUARE, RHS_RIGHT)),
    ("solve_triangular_broadcast", lambda lib, a, b: lib.linalg.solve_triangular(
        a, b, upper=False), (SQUARE[0], RHS)),
    ("triangular_solve", lambda lib, b, a: lib.triangular_solve(b, a).solution, (RHS, SQUARE)),
    ("triangular_solve_transpose", lambda lib, b, a: lib.triangular_solve(
        b, a, upper=False, transpose=True).solution, (RHS, SQUARE)),
    ("cholesky_solve", lambda lib, b, f: lib.cholesky_solve(b, f), (RHS, _lower_factor(SPD))),
    ("cholesky_solve_upper", lambda lib, b, f: lib.cholesky_solve(b, f, upper=True),
     (RHS, _lower_factor(SPD).swapaxes(-1, -2))),
    ("cholesky_inverse", lambda lib, f: lib.cholesky_inverse(f), (_lower_factor(SPD)[0],)),
    ("qr_tall_Q", lambda lib, a: lib.linalg.qr(a).Q, (TALL,)),
    ("qr_tall_R", lambda lib, a: lib.linalg.qr(a).R, (TALL,)),
    ("qr_wide_QR", lambda lib, a: lib.linalg.qr(a).Q.sum(-1, keepdim=True) * lib.linalg.qr(a).R,
     (WIDE,)),
    ("qr_complete_square", lambda lib, a: lib.linalg.qr(a, mode="complete").Q, (SQUARE,)),
    ("qr_r", lambda lib, a: lib.linalg.qr(a, mode="r").R, (TALL,)),
    ("eigh_values", lambda lib, a: lib.linalg.eigh(a).eigenvalues, (SYM,)),
    ("eigh_vectors_squared", lambda lib, a: lib.linalg.eigh(a).eigenvectors ** 2, (SYM,)),
    ("eigh_upper", lambda lib, a: lib.linalg.eigh(a, UPLO="U").eigenvectors ** 2,
     (SYM + np.triu(_X, 1),)),
    ("eigh_both", lambda lib, a: (lambda r: r.eigenvectors ** 2 * r.eigenvalues.unsqueeze(-2))(
        lib.linalg.eigh(a)), (SYM,)),
    ("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a), (SYM,)),
    ("svd_S", lambda lib, a: lib.linalg.svd(a).S, (TALL,)),
    ("svd_tall_U_squared", lambda lib, a: lib.linalg.svd(a, full_matrices=False).U ** 2, (TALL,)),
    ("svd_wide_Vh_squared", lambda lib, a: lib.linalg.svd(a, full_matrices=False).Vh ** 2,
     (WIDE,)),
    ("svd_U_Vh", lambda lib, a: (lambda r: r.U @ r.Vh)(lib.linalg.svd(a, full_matrices=False)),
     (SQUARE,)),
    ("svd_full_first_pair", lambda lib, a: (lambda r: r.U[..., :, :1] @ r.Vh[..., :1, :])(
        lib.linalg.svd(a)), (WIDE,)),
    ("svdvals", lambda lib, a: lib.linalg.svdvals(a), (WIDE,)),
    ("torch_svd_V_squared", lambda lib, a: lib.svd(a).V ** 2, (TALL,)),
    ("torch_svd_no_uv", lambda lib, a: lib.svd(a, compute_uv=False).S, (TALL,)),
    ("eig_values", lambda lib, a: _real(lib.linalg.eig(a).eigenvalues), (REAL_SPECTRUM,)),
    ("eig_vectors_squared", lambda lib, a: _real(lib.linalg.eig(a).eigenvectors ** 2),
     (REAL_SPECTRUM,)),
    ("eigvals", lambda lib, a: _real(lib.linalg.eigvals(a)), (REAL_SPECTRUM,)),
    ("pinv_tall", lambda lib, a: lib.linalg.pinv(a), (TALL,)),
    ("pinv_wide", lambda lib, a: lib.linalg.pinv(a), (WIDE,)),
    ("pinv_hermitian", lambda lib, a: lib.linalg.pinv(a, hermitian=True), (SYM,)),
    ("pinv_low_rank", lambda lib, a: lib.linalg.pinv(a), (LOW_RANK,)),
    ("pinverse", lambda lib, a: lib.pinverse(a), (SQUARE,)),
    ("lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b).solution, (TALL, TALL[..., :2] + 1)),
    ("lstsq_gelsd_residuals", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd").residuals,
     (TALL, TALL[..., :2] + 1)),
    ("matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a), (SQUARE,)),
    ("matrix_exp_large_norm", lambda lib, a: lib.matrix_exp(a), (4 * SQUARE[0],)),
    ("multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), tuple(CHAIN)),
    ("vecdot", lambda lib, x, y: lib.linalg.vecdot(x, y), (VEC3, VEC3_OTHER)),
    ("cross", lambda lib, x, y: lib.linalg.cross(x, y), (VEC3, VEC3_OTHER)),
    ("diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=1), (TALL,)),
    ("lu_factor", lambda lib, a: lib.linalg.lu_factor(a).LU, (SQUARE,)),
    ("lu_L", lambda lib, a: lib.linalg.lu(a).L, (SQUARE,)),
    ("lu_U_wide", lambda lib, a: lib.linalg.lu(a).U, (WIDE,)),
    ("lu_factor_tall", lambda lib, a: lib.linalg.lu_factor(a).LU, (TALL,)),
    ("lu_factor_wide", lambda lib, a: lib.linalg.lu_factor(a).LU, (WIDE,)),
    ("lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b),
     (SQUARE, RHS)),
    ("lu_solve_adjoint_right", lambda lib, a, b: lib.linalg.lu_solve(
        *lib.linalg.lu_factor(a), b, left=False, adjoint=True), (SQUARE, RHS_RIGHT)),
]  # fmt: skip

# Cases whose value is compared but whose inputs get no gradient (as in PyTorch).
NO_GRADIENT = {"qr_r"}


@pytest.mark.filterwarnings("ignore:torch.triangular_solve is deprecated")
@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(torch, name, fn, arrays):
    wants_grad = name not in NO_GRADIENT
    ours_in = [gn.tensor(a, requires_grad=wants_grad) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=wants_grad) for a in arrays]
    ours, theirs = fn(gn, *ours_in), fn(torch, *theirs_in)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == gn.float64
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-9, atol=1e-11)
    if not wants_grad:
        return
    weights = RNG.standard_normal(tuple(theirs.shape))
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
        np.testing.assert_allclose(
            o.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=f"input {i}"
        )


def _sym(x):
    return x + x.mT


def _spd(x):
    return x @ x.mT + 3 * gn.eye(x.shape[-1], dtype=gn.float64)


# gradcheck in float64 on small inputs. Factorisations that read one triangle of a symmetric
# matrix are checked through a symmetric parametrisation (a general X mapped to X + X^T).
GRADCHECKS = [
    ("cholesky", lambda x: gn.linalg.cholesky(_spd(x)), (3, 3)),
    ("cholesky_upper", lambda x: gn.linalg.cholesky(_spd(x), upper=True), (3, 3)),
    ("solve_triangular", lambda x: gn.linalg.solve_triangular(x + 3 * gn.eye(3, dtype=gn.float64),
                                                              x[:, :2], upper=True), (3, 3)),
    ("solve_triangular_right_unit", lambda x: gn.linalg.solve_triangular(
        x, x[:2] * 2, upper=False, left=False, unitriangular=True), (3, 3)),
    ("cholesky_solve", lambda x: gn.cholesky_solve(x[:, :2], gn.linalg.cholesky(_spd(x))), (3, 3)),
    ("cholesky_inverse", lambda x: gn.cholesky_inverse(gn.linalg.cholesky(_spd(x)), upper=False),
     (3, 3)),
    ("qr_tall", lambda x: gn.linalg.qr(x).Q * 2 + gn.linalg.qr(x).R.sum(), (4, 3)),
    ("qr_wide", lambda x: gn.linalg.qr(x).R, (2, 4)),
    ("eigh", lambda x: gn.linalg.eigh(_sym(x)).eigenvectors ** 2, (3, 3)),
    ("eigvalsh", lambda x: gn.linalg.eigvalsh(_sym(x)), (3, 3)),
    ("svd_tall", lambda x: gn.linalg.svd(x, full_matrices=False).U ** 2, (4, 3)),
    ("svd_wide", lambda x: (lambda r: r.Vh ** 2 + r.S.unsqueeze(-1))(gn.linalg.svd(x, False)),
     (2, 4)),
    ("svdvals", lambda x: gn.linalg.svdvals(x), (3, 4)),
    ("eig", lambda x: gn.linalg.eig(_spd(x)).eigenvectors ** 2, (3, 3)),
    ("pinv", lambda x: gn.linalg.pinv(x), (4, 3)),
    ("pinv_hermitian", lambda x: gn.linalg.pinv(_sym(x), hermitian=True), (3, 3)),
    ("lstsq", lambda x: gn.linalg.lstsq(x, x[:, :1] + 1).solution, (4, 2)),
    ("matrix_exp", lambda x: gn.linalg.matrix_exp(x), (3, 3)),
    ("lu_factor", lambda x: gn.linalg.lu_factor(x).LU, (3, 3)),
    ("lu_tall", lambda x: gn.linalg.lu(x).L, (4, 2)),
    ("lu_wide", lambda x: gn.linalg.lu(x).U, (2, 4)),
    ("lu_solve", lambda x: gn.linalg.lu_solve(*gn.linalg.lu_factor(x), x[:, :1]), (3, 3)),
    ("multi_dot", lambda x: gn.linalg.multi_dot([x, x.mT, x]), (3, 2)),
]  # fmt: skip


@pytest.mark.parametrize("name,fn,shape", GRADCHECKS, ids=[c[0] for c in GRADCHECKS])
def test_gradcheck_float64(name, fn, shape):
    x = gn.tensor(RNG.standard_normal(shape) + (np.eye(*shape) if shape[0] == shape[1] else 0),
                  requires_grad=True)  # fmt: skip
    assert gradcheck(fn, x)


@pytest.mark.parametrize(
    "name", ["cholesky", "solve_triangular", "qr_tall", "eigh", "svd_tall", "eig", "pinv",
             "matrix_exp", "lu_factor", "cholesky_solve"],
)  # fmt: skip
def test_second_derivatives(name):
    fn, shape = next((f, s) for n, f, s in GRADCHECKS if n == name)
    x = gn.tensor(RNG.standard_normal(shape) + np.eye(*shape), requires_grad=True)
    assert gradgradcheck(fn, x)


# ---------------------------------------------------------------------- identities and batches


def test_factors_reconstruct_their_matrix_over_batches():
    a = gn.tensor(RNG.standard_normal((3, 2, 5, 4)))
    q, r = gn.linalg.qr(a)
    np.testing.assert_allclose((q @ r).numpy(), a.numpy(), atol=1e-12)
    np.testing.assert_allclose((q.mT @ q).numpy(), np.broadcast_to(np.eye(4), (3, 2, 4, 4)),
                               atol=1e-12)  # fmt: skip
    u, s, vh = gn.linalg.svd(a)
    assert (u.shape, s.shape, vh.shape) == ((3, 2, 5, 5), (3, 2, 4), (3, 2, 4, 4))
    np.testing.assert_allclose((u[..., :4] * s.unsqueeze(-2) @ vh).numpy(), a.numpy(), atol=1e-12)
    p, low, up = gn.linalg.lu(a)
    np.testing.assert_allclose((p @ low @ up).numpy(), a.numpy(), atol=1e-12)
    sym = gn.tensor(SYM)
    w, v = gn.linalg.eigh(sym)
    np.testing.assert_allclose((v * w.unsqueeze(-2) @ v.mT).numpy(), SYM, atol=1e-12)
    assert np.all(np.diff(w.numpy(), axis=-1) > 0)  # ascending
    e = gn.linalg.matrix_exp(gn.tensor(SQUARE))
    np.testing.assert_allclose((e @ gn.linalg.matrix_exp(-gn.tensor(SQUARE))).numpy(),
                               np.broadcast_to(np.eye(4), (2, 4, 4)), atol=1e-10)  # fmt: skip


def test_matrix_exp_of_a_diagonal_and_a_rotation_generator():
    d = gn.linalg.matrix_exp(gn.tensor(np.diag([0.5, -1.0, 3.0])))
    np.testing.assert_allclose(d.numpy(), np.diag(np.exp([0.5, -1.0, 3.0])), rtol=1e-14)
    theta = 40.0  # norm far above Pade's theta_13, so several squarings
    rot = gn.linalg.matrix_exp(gn.tensor([[0.0, -theta], [theta, 0.0]]))
    expected = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    np.testing.assert_allclose(rot.numpy(), expected, atol=1e-10)


def test_pinv_satisfies_the_penrose_conditions_for_a_rank_deficient_matrix():
    a = LOW_RANK
    p = gn.linalg.pinv(gn.tensor(a)).numpy()
    np.testing.assert_allclose(a @ p @ a, a, atol=1e-12)
    np.testing.assert_allclose(p @ a @ p, p, atol=1e-12)
    np.testing.assert_allclose(a @ p, (a @ p).T, atol=1e-12)
    assert int(gn.linalg.matrix_rank(gn.tensor(a))) == 2
    assert int(gn.linalg.matrix_rank(gn.tensor(a), atol=1e6)) == 0


def test_eigenvalue_gradient_is_finite_for_repeated_eigenvalues(torch):
    a = np.diag([2.0, 2.0, 5.0])
    ours = gn.tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    (gn.linalg.eigvalsh(ours) * gn.tensor([1.0, 2.0, 3.0])).sum().backward()
    (torch.linalg.eigvalsh(theirs) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.all(np.isfinite(ours.grad.numpy()))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-12)


def test_dtypes_follow_pytorch():
    a32 = gn.tensor(SPD[0], dtype=gn.float32)
    for result in [gn.linalg.cholesky(a32), gn.linalg.qr(a32).Q, gn.linalg.eigh(a32).eigenvalues,
                   gn.linalg.svd(a32).S, gn.linalg.pinv(a32), gn.linalg.matrix_exp(a32),
                   gn.linalg.lu_factor(a32).LU, gn.linalg.solve_triangular(a32, a32, upper=True),
                   gn.linalg.lstsq(a32, a32).solution]:  # fmt: skip
        assert result.dtype == gn.float32
    assert gn.linalg.matrix_rank(a32).dtype == gn.int64
    assert gn.linalg.lu_factor(a32).pivots.dtype == gn.int32
    assert gn.linalg.cholesky_ex(a32).info.dtype == gn.int32


def test_lstsq_fields_follow_the_driver(torch):
    a, b = TALL, TALL[..., :2] + 1
    for driver in ["gels", "gelsy", "gelsd", "gelss"]:
        ours = gn.linalg.lstsq(gn.tensor(a), gn.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        for field in ["residuals", "rank", "singular_values"]:
            o, t = getattr(ours, field), getattr(theirs, field)
            assert o.shape == tuple(t.shape), (driver, field)
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-9, err_msg=f"{driver} {field}")
    vector = gn.linalg.lstsq(gn.tensor(a[0]), gn.tensor(b[0, :, 0]), driver="gelsd")
    assert vector.solution.shape == (3,) and vector.residuals.shape == (1,)


def test_cholesky_ex_reports_the_failing_minor(torch):
    a = SPD.copy()
    a[1, 2, 2] = -50.0
    ours, theirs = gn.linalg.cholesky_ex(gn.tensor(a)), torch.linalg.cholesky_ex(torch.tensor(a))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(ours.L.numpy()[0], theirs.L.numpy()[0], atol=1e-12)
    # the failing matrix: the columns before the failing pivot are computed, as LAPACK's
    np.testing.assert_allclose(ours.L.numpy()[1, :, :2], theirs.L.numpy()[1, :, :2], atol=1e-12)


def test_singular_triangular_system_gives_inf_and_nan_as_pytorch(torch):
    ours = gn.linalg.solve_triangular(gn.zeros(2, 2), gn.ones(2, 1), upper=True)
    theirs = torch.linalg.solve_triangular(torch.zeros(2, 2), torch.ones(2, 1), upper=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---------------------------------------------------------------------- PyTorch's other forms


def test_top_level_and_method_forms(torch):
    a = gn.tensor(SPD[0])
    ta = torch.tensor(SPD[0])
    b = gn.tensor(RHS[0])
    low = a.cholesky()
    np.testing.assert_allclose(low.numpy(), gn.linalg.cholesky(a).numpy())
    np.testing.assert_allclose(gn.cholesky(a, upper=True).numpy(), low.mT.numpy())
    np.testing.assert_allclose(b.cholesky_solve(low).numpy(), np.linalg.solve(SPD[0], RHS[0]))
    np.testing.assert_allclose(low.cholesky_inverse().numpy(), np.linalg.inv(SPD[0]), rtol=1e-10)
    solution, coefficient = b.triangular_solve(a)
    np.testing.assert_allclose(solution.numpy(), np.linalg.solve(np.triu(SPD[0]), RHS[0]))
    np.testing.assert_array_equal(coefficient.numpy(), SPD[0])
    q, r = gn.qr(gn.tensor(TALL[0]), some=False)
    assert (q.shape, r.shape) == ((5, 5), (5, 3))
    u, s, v = gn.tensor(TALL[0]).svd()
    np.testing.assert_allclose((u * s @ v.mT).numpy(), TALL[0], atol=1e-12)  # V, not Vh
    u0, s0, v0 = gn.svd(gn.tensor(TALL[0]), compute_uv=False)
    assert (u0.shape, v0.shape) == ((5, 5), (3, 3)) and not u0.numpy().any()
    np.testing.assert_allclose(a.pinverse().numpy(), np.linalg.inv(SPD[0]), rtol=1e-10)
    np.testing.assert_allclose(a.matrix_exp().numpy(), torch.matrix_exp(ta).numpy(), rtol=1e-12)
    sign, logabs = a.slogdet()
    np.testing.assert_allclose(float(logabs), float(torch.slogdet(ta).logabsdet), rtol=1e-12)
    np.testing.assert_allclose(float(gn.det(a)), float(torch.det(ta)), rtol=1e-12)
    np.testing.assert_allclose(gn.inverse(a).numpy(), torch.inverse(ta).numpy(), rtol=1e-10)
    packed, pivots = a.lu()
    np.testing.assert_allclose(b.lu_solve(packed, pivots).numpy(), np.linalg.solve(SPD[0], RHS[0]))
    p, low_u, up = gn.lu_unpack(packed, pivots)
    np.testing.assert_allclose((p @ low_u @ up).numpy(), SPD[0], atol=1e-12)


# ---------------------------------------------------------------------- errors


def _spd_failing_at_2():
    a = SPD[0].copy()
    a[1, 1] = -1.0
    return a


ERRORS = [
    ("cholesky_not_square", lambda: gn.linalg.cholesky(gn.zeros(3, 4)), "square matrices",
     r"\(3, 4\)"),
    ("cholesky_integer", lambda: gn.linalg.cholesky(gn.tensor([[1, 0], [0, 1]])), "floating",
     "int64"),
    ("cholesky_not_positive_definite", lambda: gn.linalg.cholesky(gn.tensor(_spd_failing_at_2())),
     "not positive-definite", "leading minor of order 2"),
    ("cholesky_batch_element", lambda: gn.linalg.cholesky(gn.tensor(np.stack([SPD[0], -SPD[0]]))),
     "Batch element 1", "order 1"),
    ("eigh_not_square", lambda: gn.linalg.eigh(gn.zeros(2, 3)), "square matrices", r"\(2, 3\)"),
    ("eigh_uplo", lambda: gn.linalg.eigh(gn.tensor(SYM), UPLO="X"), "UPLO must be", "'X'"),
    ("qr_one_dimensional", lambda: gn.linalg.qr(gn.zeros(3)), "at least 2 dimensions", r"\(3,\)"),
    ("qr_mode", lambda: gn.linalg.qr(gn.tensor(TALL), mode="full"), "mode must be", "'full'"),
    ("svd_one_dimensional", lambda: gn.linalg.svd(gn.zeros(3)), "at least 2 dimensions", "3"),
    ("eig_complex", lambda: gn.linalg.eig(gn.tensor([[0.0, -1.0], [1.0, 0.0]])),
     "complex eigenvalues", "not supported"),
    ("eigvals_complex", lambda: gn.linalg.eigvals(gn.tensor([[0.0, -1.0], [1.0, 0.0]])),
     "complex eigenvalues", "eigh"),
    ("solve_triangular_shapes", lambda: gn.linalg.solve_triangular(
        gn.zeros(3, 3), gn.zeros(4, 1), upper=True), r"\(\.\.\., 3, k\)", r"\(4, 1\)"),
    ("lstsq_driver", lambda: gn.linalg.lstsq(gn.tensor(TALL), gn.tensor(TALL), driver="gelsx"),
     "driver must be one of", "gelsx"),
    ("lstsq_shapes", lambda: gn.linalg.lstsq(gn.tensor(TALL), gn.zeros(2, 4, 1)),
     r"\(\.\.\., 5, k\)", r"\(2, 4, 1\)"),
    ("lu_factor_singular", lambda: gn.linalg.lu_factor(gn.tensor([[1.0, 2.0], [2.0, 4.0]])),
     r"U\[2,2\] is zero", "lu_factor_ex"),
    ("lu_without_pivoting", lambda: gn.linalg.lu(gn.tensor(SQUARE), pivot=False),
     "without pivoting", "pivot=True"),
    ("multi_dot_shapes", lambda: gn.linalg.multi_dot([gn.zeros(2, 3), gn.zeros(4, 2)]),
     "cannot be multiplied", r"\(4, 2\)"),
    ("cross_size", lambda: gn.linalg.cross(gn.zeros(2, 4), gn.zeros(2, 4)), "size 3", r"\(2, 4\)"),
    ("matrix_exp_not_square", lambda: gn.linalg.matrix_exp(gn.zeros(2, 3)), "square", r"\(2, 3\)"),
]  # fmt: skip


@pytest.mark.parametrize("name,call,first,second", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input_gets_one_clear_error(name, call, first, second):
    with pytest.raises((ValueError, TypeError, RuntimeError, NotImplementedError)) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    assert re.search(first, message) and re.search(second, message), message


def test_not_positive_definite_is_pytorchs_linalg_error():
    with pytest.raises(gn.linalg.LinAlgError):
        gn.linalg.cholesky(gn.tensor(-SPD[0]))


@pytest.mark.parametrize(
    "mode,shape,match",
    [("r", (4, 3), "mode='r'"), ("complete", (4, 3), "nrows > ncols")],
    ids=["mode_r", "complete_tall"],
)
def test_qr_gradients_pytorch_refuses_are_refused(mode, shape, match):
    a = gn.tensor(RNG.standard_normal(shape), requires_grad=True)
    out = gn.linalg.qr(a, mode=mode).R
    with pytest.raises(RuntimeError, match=match):
        out.sum().backward()
