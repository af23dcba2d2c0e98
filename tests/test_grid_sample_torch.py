"""F.affine_grid and F.grid_sample: against PyTorch (values, gradients for the input and the
grid, every mode, padding mode and align_corners, 4-D and 5-D), gradcheck and gradgradcheck in
float64, first-principles checks (the identity warp, the gather/scatter pair), and the errors."""

import itertools

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.numerical import gradcheck, gradgradcheck
from glassnet.ops.grid_sample import GatherPoints, ScatterPoints

# PyTorch's own warnings about its behaviour before version 1.3 (glassnet never had it).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Default grid_sample and affine_grid:UserWarning"),
    pytest.mark.filterwarnings("ignore:Since version 1.3.0, affine_grid:UserWarning"),
]

MODES = ["bilinear", "nearest"]
PADDINGS = ["zeros", "border", "reflection"]


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _problem(seed: int, dims: int, exact: bool):
    """Input (2, 3, *S) and grid (2, *P, dims) with points reaching beyond [-1, 1]."""
    rng = np.random.default_rng(seed)
    sizes = tuple(int(s) for s in rng.integers(1, 6, dims))
    points = tuple(int(s) for s in rng.integers(1, 5, dims))
    x = rng.standard_normal((2, 3) + sizes)
    grid = rng.uniform(-1.7, 1.7, (2,) + points + (dims,))
    if exact:  # points on pixel centres, edges and reflection lines
        grid = np.round(grid * 4) / 4
    return x, grid, rng.standard_normal((2, 3) + points)


@pytest.mark.parametrize("align_corners", [False, True], ids=["edges", "corners"])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dims", [2, 3], ids=["2d", "3d"])
def test_values_and_gradients_match_pytorch(torch, dims, mode, padding_mode, align_corners):
    for seed in range(4):
        x, grid, weights = _problem(seed + 10 * dims, dims, exact=seed == 0)
        ours_x, ours_g = gn.tensor(x, requires_grad=True), gn.tensor(grid, requires_grad=True)
        theirs_x, theirs_g = torch.tensor(x, requires_grad=True), torch.tensor(grid,
                                                                               requires_grad=True)  # fmt: skip
        kwargs = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
        ours = F.grid_sample(ours_x, ours_g, **kwargs)
        theirs = torch.nn.functional.grid_sample(theirs_x, theirs_g, **kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)
        (ours * gn.tensor(weights)).sum().backward()
        (theirs * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(ours_g.grad.numpy(), theirs_g.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("align_corners", [False, True], ids=["edges", "corners"])
@pytest.mark.parametrize(
    "size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 2, 3, 4, 5), (2, 1, 1, 2, 1)], ids=str
)
def test_affine_grid_matches_pytorch(torch, size, align_corners):
    rng = np.random.default_rng(len(size))
    dims = len(size) - 2
    theta = rng.standard_normal((2, dims, dims + 1))
    ours_t, theirs_t = gn.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    ours = F.affine_grid(ours_t, size, align_corners=align_corners)
    theirs = torch.nn.functional.affine_grid(theirs_t, size, align_corners=align_corners)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), atol=1e-12)
    weights = rng.standard_normal(ours.shape)
    (ours * gn.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_t.grad.numpy(), theirs_t.grad.numpy(), atol=1e-10)


def test_spatial_transformer_step_matches_pytorch(torch):
    """The STN tutorial's warp in float32: theta's gradient through affine_grid + grid_sample."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
    theta = np.array([[1, 0, 0], [0, 1, 0]]) + 0.2 * rng.standard_normal((4, 2, 3))
    theta = theta.astype(np.float32)
    results = []
    for lib, functional in ((gn, F), (torch, torch.nn.functional)):
        t = lib.tensor(theta, requires_grad=True)
        image = lib.tensor(x, requires_grad=True)
        warped = functional.grid_sample(image, functional.affine_grid(t, image.size()))
        (warped * warped).sum().backward()
        results.append((warped.detach().numpy(), t.grad.numpy(), image.grad.numpy()))
    ours, theirs = results
    assert ours[0].dtype == np.float32
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


# ----------------------------------------------------------------------------------------------
# No torch needed
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "padding_mode,align_corners", list(itertools.product(PADDINGS, [False, True])), ids=str
)
def test_gradcheck_and_gradgradcheck_bilinear(padding_mode, align_corners):
    rng = np.random.default_rng(3)
    x = gn.tensor(rng.standard_normal((1, 2, 3, 4)), dtype=gn.float64, requires_grad=True)
    # Points off the pixel lines and the reflection lines (where the derivative jumps).
    grid = rng.uniform(-1.4, 1.4, (1, 2, 3, 2)) + 0.013
    grid = gn.tensor(grid, dtype=gn.float64, requires_grad=True)

    def f(a, b):
        return F.grid_sample(a, b, padding_mode=padding_mode, align_corners=align_corners)

    assert gradcheck(f, x, grid)
    assert gradgradcheck(f, x, grid)


def test_gradcheck_trilinear_and_nearest():
    rng = np.random.default_rng(4)
    x = gn.tensor(rng.standard_normal((1, 1, 2, 3, 3)), dtype=gn.float64, requires_grad=True)
    grid = gn.tensor(rng.uniform(-1.1, 1.1, (1, 2, 1, 2, 3)) + 0.01, dtype=gn.float64,
                     requires_grad=True)  # fmt: skip
    assert gradcheck(lambda a, b: F.grid_sample(a, b, padding_mode="border"), x, grid)
    image = gn.tensor(rng.standard_normal((1, 2, 3, 3)), dtype=gn.float64, requires_grad=True)
    points = gn.tensor(rng.uniform(-1, 1, (1, 2, 2, 2)) + 0.01, dtype=gn.float64)
    assert gradcheck(lambda a: F.grid_sample(a, points, mode="nearest"), image)


def test_theta_gradcheck_through_affine_grid():
    rng = np.random.default_rng(5)
    image = gn.tensor(rng.standard_normal((2, 1, 5, 4)), dtype=gn.float64)
    theta = gn.tensor(np.array([[1.0, 0.1, 0.05], [-0.1, 0.9, 0.02]]) * np.ones((2, 1, 1)),
                      dtype=gn.float64, requires_grad=True)  # fmt: skip
    assert gradcheck(lambda t: F.grid_sample(image, F.affine_grid(t, image.shape)), theta)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_identity_warp_returns_the_input(mode, align_corners):
    """The identity theta points every output pixel at its own centre."""
    x = gn.randn(2, 3, 5, 7, dtype=gn.float64)
    theta = gn.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]] * 2, dtype=gn.float64)
    grid = F.affine_grid(theta, x.shape, align_corners=align_corners)
    out = F.grid_sample(x, grid, mode=mode, align_corners=align_corners)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-12)


def test_points_outside_read_zero_the_border_or_the_mirror():
    x = gn.tensor([[[[1.0, 2.0, 3.0]]]])
    grid = gn.tensor([[[[-2.0, 0.0], [2.0, 0.0]]]])  # pixel -2 and 4: 1.5 beyond either edge
    assert F.grid_sample(x, grid, align_corners=False).numpy().ravel().tolist() == [0.0, 0.0]
    border = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    assert border.numpy().ravel().tolist() == [1.0, 3.0]
    mirror = F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)
    np.testing.assert_allclose(mirror.numpy().ravel(), [2.0, 2.0])  # mirrored at the outer edges


def test_gather_and_scatter_are_adjoint():
    """<Gather(x), y> = <x, Scatter(y)>: the scatter is exactly the gather's transpose."""
    rng = np.random.default_rng(6)
    index = rng.integers(0, 7, (2, 9))  # repeats included: their values add up
    x, y = rng.standard_normal((2, 3, 7)), rng.standard_normal((2, 3, 9))
    gathered = GatherPoints(index)(gn.tensor(x)).numpy()
    scattered = ScatterPoints(index, 7)(gn.tensor(y)).numpy()
    np.testing.assert_allclose((gathered * y).sum(), (x * scattered).sum(), rtol=1e-12)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: F.grid_sample(gn.randn(3, 3), gn.randn(1, 2, 2, 2)), gn.errors.ShapeError,
         r"input of shape \(N, C, H, W\) or \(N, C, D, H, W\), got \(3, 3\)"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(1, 2, 2, 3)), gn.errors.ShapeError,
         r"grid of shape \(N, H_out, W_out, 2\) with N = 1"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(2, 2, 2, 2)), gn.errors.ShapeError,
         r"got \(2, 2, 2, 2\)"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(1, 2, 2, 2, dtype=gn.float64)),
         TypeError, r"grid of the input's dtype float32, got float64"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(1, 2, 2, 2), mode="cubic"),
         ValueError, r"mode must be 'bilinear', 'nearest' or 'bicubic', got 'cubic'"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(1, 2, 2, 2), mode="bicubic"),
         NotImplementedError, r"bicubic' is not implemented"),
        (lambda: F.grid_sample(gn.randn(1, 1, 3, 3), gn.randn(1, 2, 2, 2), padding_mode="wrap"),
         ValueError, r"padding_mode must be 'zeros', 'border' or 'reflection', got 'wrap'"),
        (lambda: F.affine_grid(gn.randn(1, 2, 3), (1, 1, 2)), ValueError,
         r"size must be \(N, C, H, W\) for 2-D"),
        (lambda: F.affine_grid(gn.randn(2, 3), (1, 1, 2, 2)), gn.errors.ShapeError,
         r"theta of shape \(1, 2, 3\) \(a batch of 2-D affine matrices"),
        (lambda: F.affine_grid(gn.randn(1, 2, 3), (1, 1, 2, 2, 2)), gn.errors.ShapeError,
         r"theta of shape \(1, 3, 4\)"),
        (lambda: F.affine_grid(gn.ones(1, 2, 3, dtype=gn.int64), (1, 1, 2, 2)), TypeError,
         r"expected a floating theta"),
    ],
    ids=["input_ndim", "grid_last_axis", "grid_batch", "dtype", "mode", "bicubic", "padding",
         "size_length", "theta_shape", "theta_3d", "theta_dtype"],
)  # fmt: skip
def test_errors_name_what_was_expected(call, error, message):
    with pytest.raises(error, match=r"^(grid_sample|affine_grid): .*" + message):
        call()
