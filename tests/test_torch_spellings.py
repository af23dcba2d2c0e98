"""PyTorch's other top-level spellings (torch_spellings.py), torch.gradient, torch.histogram and the new switches."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.device import DeviceError
from glassnet.errors import ShapeError, ValueRangeError
from glassnet.numerical import numerical_gradient

try:
    import torch
except ImportError:  # the parity tests below skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


# ---------------------------------------------------------------- gradient (finite differences)
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("seed", range(6))
def test_gradient_matches_numpy_on_random_grids(seed, edge_order):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(3, 7, size=rng.integers(1, 4)))
    f = rng.standard_normal(shape)
    coordinates = [np.cumsum(rng.uniform(0.2, 2.0, size=n)) for n in shape]
    ours = gn.gradient(gn.tensor(f), spacing=[gn.tensor(c) for c in coordinates],
                       edge_order=edge_order)  # fmt: skip
    theirs = np.gradient(f, *coordinates, edge_order=edge_order)
    theirs = list(theirs) if isinstance(theirs, (list, tuple)) else [theirs]
    assert len(ours) == len(shape)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-10, atol=1e-10)


def test_gradient_of_a_parabola_is_exact_inside_and_at_second_order_edges():
    x = np.linspace(-1.0, 2.0, 7)
    (slope,) = gn.gradient(gn.tensor(x**2), spacing=float(x[1] - x[0]), edge_order=2)
    np.testing.assert_allclose(slope.numpy(), 2 * x, atol=1e-12)
    (first,) = gn.gradient(gn.tensor(x**2), spacing=float(x[1] - x[0]))
    np.testing.assert_allclose(first.numpy()[1:-1], 2 * x[1:-1], atol=1e-12)
    assert abs(first.numpy()[0] - 2 * x[0]) > 0.1  # one-sided at the edge: not exact


def test_gradient_flows_back_to_the_samples():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((4, 5))
    weights = rng.standard_normal((4, 5))
    f = gn.tensor(values, requires_grad=True)
    slopes = gn.gradient(f, spacing=[0.5, 2.0], edge_order=2)
    (slopes[0] * gn.tensor(weights) + slopes[1] ** 2).sum().backward()

    def loss(v):
        a, b = np.gradient(v, 0.5, 2.0, edge_order=2)
        return float((a * weights + b**2).sum())

    np.testing.assert_allclose(f.grad.numpy(), numerical_gradient(loss, values)[0], atol=1e-6)


def test_gradient_takes_dim_and_integer_samples():
    x = gn.arange(12).reshape(3, 4)
    (along_columns,) = gn.gradient(x, dim=1)
    assert along_columns.dtype == gn.float32
    np.testing.assert_allclose(along_columns.numpy(), np.ones((3, 4)))
    (along_rows,) = gn.gradient(x, dim=-2, spacing=2.0)
    np.testing.assert_allclose(along_rows.numpy(), np.full((3, 4), 2.0))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: gn.gradient(gn.tensor([1.0])), ShapeError, "at least edge_order"),
        (lambda: gn.gradient(gn.tensor([1.0, 2.0]), edge_order=2), ShapeError, "3 samples"),
        (lambda: gn.gradient(gn.tensor([1.0, 2.0]), edge_order=3), ValueRangeError, "1 or 2"),
        (lambda: gn.gradient(gn.ones(3, 3), spacing=[1.0, 2.0, 3.0]), ShapeError, "spacing"),
        (lambda: gn.gradient(gn.ones(3), spacing=[gn.ones(4)]), ShapeError, "shape (3,)"),
    ],
)
def test_gradient_mistakes_are_one_line(call, error, words):
    with pytest.raises(error, match=None) as caught:
        call()
    assert words in str(caught.value) and "\n" not in str(caught.value)


@needs_torch
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_matches_torch(edge_order):
    rng = np.random.default_rng(11)
    f = rng.standard_normal((5, 6)).astype(np.float32)
    coordinates = np.cumsum(rng.uniform(0.5, 1.5, size=6)).astype(np.float32)
    cases = [
        {},
        {"spacing": 0.5},
        {"spacing": [2.0, 0.25]},
        {"dim": 1, "spacing": (coordinates,)},
    ]
    for options in cases:
        ours = gn.gradient(gn.tensor(f), edge_order=edge_order, **_as(gn.tensor, options))
        theirs = torch.gradient(torch.tensor(f), edge_order=edge_order,
                                **_as(torch.tensor, options))  # fmt: skip
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-5)


def _as(make, options):
    spacing = options.get("spacing")
    if isinstance(spacing, tuple):
        return {**options, "spacing": tuple(make(s) for s in spacing)}
    return options


# ---------------------------------------------------------------- histogram
@needs_torch
@pytest.mark.parametrize(
    "options",
    [
        {"bins": 4, "range": (0.0, 3.0)},
        {"bins": 7},
        {"bins": 5, "density": True},
        {"bins": "edges"},
        {"bins": "edges", "density": True},
        {"bins": 3, "weight": "weights"},
    ],
)
def test_histogram_matches_torch(options):
    rng = np.random.default_rng(5)
    values = rng.standard_normal(50).astype(np.float32)
    weights = rng.uniform(size=50).astype(np.float32)
    edges = np.array([-2.0, -0.5, 0.0, 0.3, 2.5], dtype=np.float32)

    def arguments(make):
        out = dict(options)
        if out["bins"] == "edges":
            out["bins"] = make(edges)
        if out.get("weight") == "weights":
            out["weight"] = make(weights)
        return out

    ours = gn.histogram(gn.tensor(values), **arguments(gn.tensor))
    theirs = torch.histogram(torch.tensor(values), **arguments(torch.tensor))
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy(), atol=1e-6)
    method = gn.tensor(values).histogram(**arguments(gn.tensor))
    np.testing.assert_array_equal(method[0].numpy(), ours[0].numpy())


def test_histogram_result_prints_its_names_and_refuses_integers():
    result = gn.histogram(gn.tensor([1.0, 2.0, 1.0, 4.0]), bins=3)
    assert repr(result).startswith("glassnet.return_types.histogram(\nhist=")
    assert float(result.hist.sum()) == 4.0
    with pytest.raises(TypeError, match="floating tensor"):
        gn.histogram(gn.arange(4), bins=2)
    with pytest.raises(ValueError, match="positive int"):
        gn.histogram(gn.ones(3), bins=0)


# ---------------------------------------------------------------- other spellings
def test_range_includes_the_end_and_warns():
    with pytest.warns(UserWarning, match="arange"):
        r = gn.range(1, 4)
    np.testing.assert_array_equal(r.numpy(), [1.0, 2.0, 3.0, 4.0])
    assert r.dtype == gn.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(gn.range(0, 1, 0.25).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
        assert gn.range(1, 4, dtype=gn.int64).dtype == gn.int64
        assert gn.range(3, 1, -1).tolist() == [3.0, 2.0, 1.0] and gn.range(1, 1).numel() == 1
        with pytest.raises(ValueRangeError, match="same sign"):
            gn.range(3, 1)
        with pytest.raises(ValueRangeError, match="non-zero step"):
            gn.range(0, 1, 0)


def test_method_spellings_equal_the_methods():
    x = gn.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=True)
    d = gn.detach(x)
    assert d.grad_fn is None and not d.requires_grad
    np.testing.assert_array_equal(d.numpy(), x.detach().numpy())
    filled = gn.fill(x.detach(), 2.5)
    assert filled.shape == x.shape and float(filled.sum()) == 15.0
    assert float(x[0, 0]) == 1.0  # fill makes a new tensor
    assert gn.fill(gn.arange(3), 2.7).tolist() == [2, 2, 2]
    assert gn.is_signed(x) and not gn.is_signed(gn.tensor([1], dtype=gn.uint8))
    assert gn.get_device(x) == -1 and gn.is_inference(x) is False
    assert [t.shape for t in gn.unsafe_chunk(x, 2, 1)] == [(2, 2), (2, 1)]
    assert [t.shape for t in gn.unsafe_split(x, 1)] == [(1, 3), (1, 3)]
    assert gn.typename(x) == "torch.FloatTensor" and gn.typename(3) == "int"
    assert gn.typename(gn.nn.Linear(2, 2)).endswith(".Linear")
    assert gn.vmap(lambda row: row.sum())(x.detach()).tolist() == [2.0, 3.0]


def test_norm_and_product_spellings_match_their_formulas():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 4))
    x = gn.tensor(a)
    np.testing.assert_allclose(float(gn.frobenius_norm(x, dim=(0, 1))), np.sqrt((a**2).sum()))
    np.testing.assert_allclose(gn.frobenius_norm(x, dim=1).numpy(), np.linalg.norm(a, axis=1))
    np.testing.assert_allclose(float(gn.nuclear_norm(x)), np.linalg.svd(a)[1].sum())
    assert gn.nuclear_norm(x, True).shape == (1, 1)
    b, c = rng.standard_normal((4, 2)), rng.standard_normal((2, 5))
    np.testing.assert_allclose(gn.chain_matmul(x, gn.tensor(b), gn.tensor(c)).numpy(), a @ b @ c)


def test_asarray_shares_memory_unless_told_or_forced_to_copy():
    array = np.ones(3)
    shared = gn.asarray(array)
    array[0] = 5.0
    assert shared.tolist() == [5.0, 1.0, 1.0] and shared.dtype == gn.float64
    x = gn.ones(2)
    assert gn.asarray(x) is x
    copied = gn.asarray(x, copy=True)
    copied[0] = 7.0
    assert x.tolist() == [1.0, 1.0]
    assert gn.asarray([1, 2, 3]).dtype == gn.int64
    leaf = gn.asarray([1.0, 2.0], requires_grad=True)
    assert leaf.requires_grad and leaf.grad_fn is None
    with pytest.raises(ValueError, match="copy=False"):
        gn.asarray([1.0, 2.0], copy=False)
    with pytest.raises(ValueError, match="needs a copy"):
        gn.asarray(np.ones(2), dtype=gn.float32, copy=False)
    with pytest.raises(DeviceError):
        gn.asarray([1.0], device="cuda")


def test_frombuffer_shares_a_writable_buffer_and_copies_a_read_only_one():
    buffer = bytearray(np.array([1.0, 2.0], dtype=np.float32).tobytes())
    t = gn.frombuffer(buffer, dtype=gn.float32)
    buffer[0:4] = np.array([3.0], dtype=np.float32).tobytes()
    assert t.tolist() == [3.0, 2.0]
    assert gn.frombuffer(buffer, dtype=gn.float32, count=1, offset=4).tolist() == [2.0]
    frozen = gn.frombuffer(bytes(buffer), dtype=gn.float32)
    frozen[0] = 9.0  # writable: a copy of the read-only bytes
    assert frozen.tolist() == [9.0, 2.0]
    assert gn.frombuffer(buffer, dtype=gn.float32, requires_grad=True).requires_grad


def test_empty_strided_has_the_size_and_checks_the_strides():
    assert gn.empty_strided((2, 3), (1, 2)).shape == (2, 3)
    assert gn.empty_strided((2, 3), (3, 1), dtype=gn.float64).dtype == gn.float64
    with pytest.raises(ValueError, match="one stride per dimension"):
        gn.empty_strided((2, 3), (1,))


# ---------------------------------------------------------------- switches and devices
def test_switches_remember_and_refuse_other_devices():
    assert gn.get_default_device() == gn.device("cpu")
    gn.set_default_device("cpu")
    gn.set_default_device(None)
    with pytest.raises(DeviceError, match="CPU only"):
        gn.set_default_device("cuda")
    assert gn.set_flush_denormal(True) is False  # not supported, as the docstring says
    try:
        gn.set_warn_always(True)
        assert gn.is_warn_always_enabled()
    finally:
        gn.set_warn_always(False)
    assert not gn.is_warn_always_enabled()
    try:
        gn.use_deterministic_algorithms(True)
        assert gn.are_deterministic_algorithms_enabled()
    finally:
        gn.use_deterministic_algorithms(False)
    with pytest.raises(TypeError, match="True or False"):
        gn.set_warn_always("yes")


def test_module_cuda_is_refused_in_one_line():
    model = gn.nn.Linear(2, 2)
    for call in (model.cuda, lambda: model.cuda(0), lambda: model.cuda("cuda:1")):
        with pytest.raises(DeviceError, match="CPU only") as caught:
            call()
        assert "\n" not in str(caught.value)
    assert model.cpu() is model


def test_run_names_a_directory_as_a_directory(tmp_path, capsys):
    from glassnet.run import main

    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"glassnet run: expected a Python script file, got a directory: {tmp_path}"
    )


@needs_torch
def test_the_spellings_agree_with_torch():
    rng = np.random.default_rng(9)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in [(1, 4), (0, 1, 0.25), (-2.0, 3.5, 0.5), (3, 1, -1), (1, 1)]:
            np.testing.assert_allclose(gn.range(*args).numpy(), torch.range(*args).numpy())
        ours, theirs = gn.nuclear_norm(gn.tensor(a)), torch.nuclear_norm(torch.tensor(a))
        np.testing.assert_allclose(float(ours), float(theirs), rtol=1e-5)
    assert gn.typename(gn.tensor(a)) == torch.typename(torch.tensor(a))
    assert gn.typename(gn.arange(3)) == torch.typename(torch.arange(3))
    assert gn.get_device(gn.tensor(a)) == torch.get_device(torch.tensor(a))
