"""F.linear_cross_entropy / nn.LinearCrossEntropyLoss, nn.CrossMapLRN2d, F.conv_tbc,
linalg.ldl_factor(_ex) / ldl_solve, nn.utils.convert_conv*_weight_memory_format and the
deprecated nn.init names, against PyTorch 2.13 where it is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.nn.cross_map_lrn import cross_map_window
from glassnet.nn.functional.linear_cross_entropy import linear_cross_entropy_composed
from glassnet.numerical import gradcheck, gradgradcheck
from glassnet.ops.ldl import bunch_kaufman

torch = pytest.importorskip("torch")

Options = nn.LinearCrossEntropyOptions


def _pair(a, requires_grad=True):
    return glassnet.tensor(a, requires_grad=requires_grad), torch.tensor(
        a, requires_grad=requires_grad
    )


# ------------------------------------------------------------------------------------------
# linear_cross_entropy
# ------------------------------------------------------------------------------------------

_OPTIONS = {"composed": None, "chunks_of_3": {"batch_chunk_size": 3, "chunking_method": None},
            "auto": {}, "aspect_ratio": {"chunking_method": "aspect_ratio"}}  # fmt: skip


@pytest.mark.parametrize("options", list(_OPTIONS), ids=list(_OPTIONS))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("class_weight", [False, True], ids=["unweighted", "weighted"])
def test_linear_cross_entropy_matches_torch(options, reduction, bias, class_weight):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)), rng.standard_normal(5)
    target = np.array([0, 1, 4, -100, 2, 3, 1])
    weight = rng.random(5) if class_weight else None
    spec = _OPTIONS[options]
    ours, theirs = zip(*(_pair(a) for a in (x, w, b)))
    loss = F.linear_cross_entropy(
        ours[0], ours[1], glassnet.tensor(target), linear_bias=ours[2] if bias else None,
        weight=None if weight is None else glassnet.tensor(weight), reduction=reduction,
        options=None if spec is None else Options(**spec),
    )  # fmt: skip
    expected = torch.nn.functional.linear_cross_entropy(
        theirs[0], theirs[1], torch.tensor(target), linear_bias=theirs[2] if bias else None,
        weight=None if weight is None else torch.tensor(weight), reduction=reduction,
        options=None if spec is None else torch.nn.LinearCrossEntropyOptions(**spec),
    )  # fmt: skip
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(loss.shape)
    loss.backward(glassnet.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, torch_one in zip(ours[: 2 + bias], theirs[: 2 + bias]):
        np.testing.assert_allclose(
            mine.grad.numpy(), torch_one.grad.numpy(), rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_linear_cross_entropy_chunked_equals_composed_twin_and_gradchecks(reduction):
    rng = np.random.default_rng(2)
    x = glassnet.tensor(rng.standard_normal((9, 4)), requires_grad=True)
    w = glassnet.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    b = glassnet.tensor(rng.standard_normal(6), requires_grad=True)
    target = glassnet.tensor(np.array([0, 5, 2, 2, -100, 1, 3, 4, 0]))
    options = Options(batch_chunk_size=2, chunking_method=None)

    def chunked(x, w, b):
        return F.linear_cross_entropy(
            x, w, target, linear_bias=b, reduction=reduction, options=options
        )

    twin = linear_cross_entropy_composed(x, w, target, linear_bias=b, reduction=reduction)
    np.testing.assert_allclose(chunked(x, w, b).numpy(), twin.numpy(), rtol=1e-12)
    assert gradcheck(chunked, (x, w, b))
    assert gradgradcheck(chunked, (x, w, b))  # the backward is Tensor ops: differentiable again


def test_linear_cross_entropy_k_dimensional_and_probabilities_match_torch():
    rng = np.random.default_rng(3)
    x, w, b = (
        rng.standard_normal((2, 5)),
        rng.standard_normal((4, 3, 2, 5)),
        rng.standard_normal((4, 3, 2)),
    )
    (gx, tx), (gw, tw), (gb, tb) = _pair(x), _pair(w), _pair(b)
    index_target = rng.integers(0, 4, (2, 3, 2))
    loss = F.linear_cross_entropy(
        gx, gw, glassnet.tensor(index_target), linear_bias=gb, label_smoothing=0.2
    )
    expected = torch.nn.functional.linear_cross_entropy(
        tx, tw, torch.tensor(index_target), linear_bias=tb, label_smoothing=0.2
    )
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-12)
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(gw.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    probabilities = rng.dirichlet(np.ones(4), (2, 3, 2)).transpose(0, 3, 1, 2)
    loss = F.linear_cross_entropy(gx, gw, glassnet.tensor(probabilities))
    expected = torch.nn.functional.linear_cross_entropy(tx, tw, torch.tensor(probabilities))
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-12)


def test_linear_cross_entropy_unbatched_and_all_ignored_like_torch():
    rng = np.random.default_rng(4)
    w = rng.standard_normal((5, 3))
    x = rng.standard_normal(3)
    for options in (None, Options()):
        ours = F.linear_cross_entropy(glassnet.tensor(x), glassnet.tensor(w), glassnet.tensor(2),
                                      reduction="none", options=options)  # fmt: skip
        theirs = torch.nn.functional.linear_cross_entropy(
            torch.tensor(x), torch.tensor(w), torch.tensor(2), reduction="none",
            options=None if options is None else torch.nn.LinearCrossEntropyOptions(),
        )  # fmt: skip
        assert ours.shape == () and theirs.shape == ()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    nothing = F.linear_cross_entropy(glassnet.tensor(rng.standard_normal((4, 3))), glassnet.tensor(w),
                                     glassnet.tensor(np.full(4, -100)), options=Options())  # fmt: skip
    assert np.isnan(nothing.item())  # 0 / 0, as PyTorch


def test_linear_cross_entropy_options_fall_back_with_warning():
    rng = np.random.default_rng(5)
    x, w = (
        glassnet.tensor(rng.standard_normal((4, 3))),
        glassnet.tensor(rng.standard_normal((5, 3))),
    )
    target = glassnet.tensor(np.array([0, 1, 2, 3]))
    with pytest.warns(UserWarning, match="options.. ignored; chunked path needs"):
        smoothed = F.linear_cross_entropy(x, w, target, label_smoothing=0.1, options=Options())
    np.testing.assert_allclose(
        smoothed.numpy(), F.linear_cross_entropy(x, w, target, label_smoothing=0.1).numpy()
    )


@pytest.mark.parametrize(
    ("rows", "in_features", "classes", "spec"),
    [(6, 3, 5, {}), (1000, 64, 50000, {}), (100, 4, 10, {"chunking_method": "aspect_ratio"}),
     (100, 4, 10, {"chunking_method": "aspect_ratio:4"}), (6, 3, 5, {"batch_chunk_size": 4}),
     (6, 3, 5, {"batch_chunk_size": 40, "chunking_method": None})],
)  # fmt: skip
def test_options_chunk_rows_as_torch_resolves_them(rows, in_features, classes, spec):
    theirs = torch.nn.LinearCrossEntropyOptions(**spec)._adjust(
        rows, in_features, classes, torch.float32, torch.device("cpu")
    )
    assert Options(**spec).chunk_rows(rows, in_features, classes) == theirs.batch_chunk_size


@pytest.mark.parametrize(
    ("spec", "message"),
    [({"acc_policy": "x"}, "invalid acc_policy"), ({"chunking_method": "foo"}, "invalid chunking_method"),
     ({"batch_chunk_size": 0}, "batch_chunk_size must be positive int or None"),
     ({"acc_dtype": glassnet.int32}, "acc_dtype must be one of")],
)  # fmt: skip
def test_options_refuse_bad_fields(spec, message):
    with pytest.raises(ValueError, match=message):
        Options(**spec)
    with pytest.raises(ValueError, match=message):
        torch.nn.LinearCrossEntropyOptions(
            **{k: (torch.int32 if k == "acc_dtype" else v) for k, v in spec.items()}
        )


def test_options_size_and_method_disagreeing_is_refused():
    with pytest.raises(ValueError, match=r"batch_chunk_size \(=3\) and chunking_method"):
        Options(batch_chunk_size=3, chunking_method="aspect_ratio").chunk_rows(6, 3, 5)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [(((2, 2, 3), (5, 3), (2,)), {}, "expected input with dimensionality 1 or 2, got 3"),
     (((2, 3), (5,), (2,)), {}, "expected linear_weight with dimensionality at least 2, got 1"),
     (((2, 3), (5, 4), (2,)), {}, "expected equal input and linear_weight last dimensions"),
     (((2, 3), (5, 3), (2,)), {"linear_bias": (4,)}, r"expected linear_bias shape \(5,\), got \(4,\)"),
     (((3,), (5, 2, 3), ()), {}, "K-dimensional loss .* requires batched input"),
     (((2, 3), (5, 3), (2, 5)), {"ignore_index": 1}, "ignore_index cannot be specified when target contains probabilities")],
)  # fmt: skip
def test_linear_cross_entropy_errors_like_torch(args, kwargs, message):
    def build(lib):
        x, w, t = (lib.ones(s, dtype=lib.float64) for s in args)
        t = t.softmax(-1) if "ignore_index" in kwargs else t.long()
        extra = {
            k: (lib.ones(v, dtype=lib.float64) if k == "linear_bias" else v)
            for k, v in kwargs.items()
        }
        return x, w, t, extra

    x, w, t, extra = build(glassnet)
    with pytest.raises(RuntimeError, match=message):
        F.linear_cross_entropy(x, w, t, **extra)
    x, w, t, extra = build(torch)
    with pytest.raises(RuntimeError, match=message):
        torch.nn.functional.linear_cross_entropy(x, w, t, **extra)


def test_chunked_target_out_of_range_is_one_line_index_error():
    with pytest.raises(
        IndexError, match="target contains class index 7, but the input has 5 classes"
    ):
        F.linear_cross_entropy(
            glassnet.randn(2, 3), glassnet.randn(5, 3), glassnet.tensor([0, 7]), options=Options()
        )


@pytest.mark.parametrize(
    "options", [None, {"batch_chunk_size": 2, "chunking_method": None}], ids=["composed", "chunked"]
)
def test_linear_cross_entropy_loss_module_matches_torch(options):
    torch.manual_seed(0)
    theirs = torch.nn.LinearCrossEntropyLoss(
        4, 6, out_features=() if options else (2,), bias=True, dtype=torch.float64,
        options=None if options is None else torch.nn.LinearCrossEntropyOptions(**options),
    )  # fmt: skip
    ours = nn.LinearCrossEntropyLoss(
        4, 6, out_features=() if options else (2,), bias=True, dtype=glassnet.float64,
        options=None if options is None else Options(**options),
    )  # fmt: skip
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert set(state) == set(ours.state_dict()) == {"linear.weight", "linear.bias"}
    ours.load_state_dict({k: glassnet.tensor(v) for k, v in state.items()})
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 4))
    target = rng.integers(0, 6, (5,) if options else (5, 2))
    loss = ours(glassnet.tensor(x), glassnet.tensor(target))
    expected = theirs(torch.tensor(x), torch.tensor(target))
    np.testing.assert_allclose(loss.numpy(), expected.detach().numpy(), rtol=1e-12)
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(
        ours.linear.weight.grad.numpy(), theirs.linear.weight.grad.numpy(), rtol=1e-10
    )
    assert "num_classes=6" in repr(ours)


def test_linear_cross_entropy_loss_refuses_bad_settings():
    with pytest.raises(RuntimeError, match=r"expected weight shape to be \(3,\), got \(2,\)"):
        nn.LinearCrossEntropyLoss(4, 3, weight=glassnet.ones(2))
    with pytest.raises(RuntimeError, match=r"label_smoothing to be in range \[0, 1\], got 1.5"):
        nn.LinearCrossEntropyLoss(4, 3, label_smoothing=1.5)


# ------------------------------------------------------------------------------------------
# CrossMapLRN2d
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("channels", [1, 3, 6, 11])
def test_cross_map_lrn2d_values_match_torch(size, channels):
    x = np.random.default_rng(size * 31 + channels).standard_normal((2, channels, 3, 4))
    ours = nn.CrossMapLRN2d(size, alpha=0.7, beta=0.6, k=1.3)(glassnet.tensor(x))
    theirs = torch.nn.CrossMapLRN2d(size, alpha=0.7, beta=0.6, k=1.3)(torch.tensor(x))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_cross_map_lrn2d_window_is_torchs_and_differs_from_local_response_norm():
    np.testing.assert_array_equal(cross_map_window(5, 3)[3], [1, 0, 1, 1, 1])  # channel 0 stays
    x = glassnet.tensor(np.random.default_rng(0).standard_normal((1, 9, 2, 2)))
    legacy = nn.CrossMapLRN2d(5, 0.5, 0.75, 1.5)(x)
    centred = F.local_response_norm(x, 5, 0.5, 0.75, 1.5)
    np.testing.assert_allclose(
        legacy.numpy()[:, :3], centred.numpy()[:, :3], rtol=1e-12
    )  # c < P = 3
    assert not np.allclose(legacy.numpy(), centred.numpy())


def test_cross_map_lrn2d_gradient_is_the_derivative_of_its_values():
    x = glassnet.tensor(np.random.default_rng(7).standard_normal((2, 6, 2, 3)), requires_grad=True)
    layer = nn.CrossMapLRN2d(3, alpha=0.5, beta=0.75, k=1.5)
    assert gradcheck(layer, (x,))
    # Where PyTorch's hand-written backward is right (one channel), the gradients agree.
    one = np.random.default_rng(8).standard_normal((2, 1, 3, 3))
    (gx, tx) = _pair(one)
    nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5)(gx).sum().backward()
    torch.nn.CrossMapLRN2d(3, 0.5, 0.75, 1.5)(tx).sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_cross_map_lrn2d_refuses_non_4d_input():
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D instead"):
        nn.CrossMapLRN2d(3)(glassnet.randn(2, 3, 4))
    with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
        torch.nn.CrossMapLRN2d(3)(torch.randn(2, 3, 4))
    assert repr(nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))


# ------------------------------------------------------------------------------------------
# conv_tbc
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pad", [0, 1, 2, -1])
def test_conv_tbc_matches_torch_values_and_gradients(pad):
    rng = np.random.default_rng(9 + pad)
    arrays = rng.standard_normal((6, 2, 3)), rng.standard_normal((3, 3, 4)), rng.standard_normal(4)
    ours, theirs = zip(*(_pair(a) for a in arrays))
    y = F.conv_tbc(*ours, pad)
    expected = torch.nn.functional.conv_tbc(*theirs, pad)
    assert tuple(y.shape) == tuple(expected.shape)
    np.testing.assert_allclose(y.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(y.shape)
    y.backward(glassnet.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for mine, torch_one in zip(ours, theirs):
        np.testing.assert_allclose(
            mine.grad.numpy(), torch_one.grad.numpy(), rtol=1e-10, atol=1e-12
        )
    assert gradcheck(lambda x, w, b: F.conv_tbc(x, w, b, pad), ours)


@pytest.mark.parametrize(
    ("shapes", "pad", "message"),
    [(((5, 3), (3, 3, 4), (4,)), 0, "input must have 3 dims"),
     (((5, 2, 3), (3, 4), (4,)), 0, "weight must have 3 dims"),
     (((5, 2, 3), (3, 3, 4), (2,)), 0, "bias must be 1-D of size 4"),
     (((5, 2, 3), (3, 2, 4), (4,)), 0, "input channels .* must equal the weight's dim 1"),
     (((5, 2, 3), (3, 3, 4), (4,)), -2, "the output would have -1 steps")],
)  # fmt: skip
def test_conv_tbc_errors(shapes, pad, message):
    x, w, b = (glassnet.ones(s, dtype=glassnet.float64) for s in shapes)
    with pytest.raises(RuntimeError, match=message):
        F.conv_tbc(x, w, b, pad)
    tx, tw, tb = (torch.ones(s, dtype=torch.float64) for s in shapes)
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv_tbc(tx, tw, tb, pad)


def test_conv_tbc_pad_must_be_int():
    with pytest.raises(TypeError, match="conv_tbc: pad must be an int, got float 1.5"):
        F.conv_tbc(glassnet.ones(5, 2, 3), glassnet.ones(3, 3, 4), glassnet.ones(4), 1.5)


# ------------------------------------------------------------------------------------------
# ldl_factor / ldl_solve
# ------------------------------------------------------------------------------------------


def _symmetric_cases():
    rng = np.random.default_rng(10)
    for trial in range(120):
        n = int(rng.integers(1, 13))
        a = rng.standard_normal((n, n))
        a = a + a.T
        if trial % 3 == 1:
            a[np.diag_indices(n)] *= 0.01  # small diagonals: 2x2 blocks
        if trial % 3 == 2:
            a[np.diag_indices(n)] = 0.0
        yield a


def test_ldl_factor_gives_lapacks_pivots_and_factors():
    for a in _symmetric_cases():
        ld_t, piv_t, info_t = torch.linalg.ldl_factor_ex(torch.tensor(a))
        ld, piv, info = glassnet.linalg.ldl_factor_ex(glassnet.tensor(a))
        assert int(info) == int(info_t)
        assert piv.dtype == glassnet.int32
        np.testing.assert_array_equal(piv.numpy(), piv_t.numpy())
        np.testing.assert_allclose(ld.numpy(), ld_t.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("n", [40, 90], ids=["n40", "n90_blocked_in_lapack"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ldl_factor_large_matrices_match_torch(n, dtype):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    a = (a + a.T).astype(dtype)
    a[np.diag_indices(n)] *= 0.1
    ld_t, piv_t = torch.linalg.ldl_factor(torch.tensor(a))
    ld, piv = glassnet.linalg.ldl_factor(glassnet.tensor(a))
    np.testing.assert_array_equal(piv.numpy(), piv_t.numpy())
    tolerance = 1e-9 if dtype == "float64" else 5e-3
    np.testing.assert_allclose(ld.numpy(), ld_t.numpy(), rtol=tolerance, atol=tolerance)
    assert ld.dtype == a.dtype


def test_ldl_factor_reads_the_lower_triangle_and_batches():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((2, 3, 5, 5))
    lower = np.tril(a)
    symmetric = lower + np.swapaxes(np.tril(a, -1), -1, -2)
    ld, piv = glassnet.linalg.ldl_factor(glassnet.tensor(a))  # the upper triangle is not read
    ld_t, piv_t = torch.linalg.ldl_factor(torch.tensor(symmetric))
    assert tuple(piv.shape) == (2, 3, 5)
    np.testing.assert_array_equal(piv.numpy(), piv_t.numpy())
    np.testing.assert_allclose(ld.numpy(), ld_t.numpy(), rtol=1e-10, atol=1e-12)
    assert np.all(np.triu(ld.numpy(), 1) == 0)


def test_ldl_solve_solves_and_matches_torch_with_broadcasting():
    rng = np.random.default_rng(12)
    for a in _symmetric_cases():
        n = a.shape[0]
        ld_t, piv_t, info = torch.linalg.ldl_factor_ex(torch.tensor(a))
        if int(info):
            continue
        ld, piv = glassnet.linalg.ldl_factor(glassnet.tensor(a))
        b = rng.standard_normal((4, n, 2))  # a batch of right-hand sides for one matrix
        x = glassnet.linalg.ldl_solve(ld, piv, glassnet.tensor(b))
        x_t = torch.linalg.ldl_solve(ld_t, piv_t, torch.tensor(b))
        np.testing.assert_allclose(x.numpy(), x_t.numpy(), rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(a @ x.numpy(), b, rtol=1e-7, atol=1e-8)


def test_bunch_kaufman_needs_a_2x2_block_where_plain_ldl_fails():
    ld, piv, info = bunch_kaufman(np.array([[0.0, 1.0], [1.0, 0.0]]))
    np.testing.assert_array_equal(piv, [-2, -2])
    assert info == 0
    np.testing.assert_allclose(ld, [[0.0, 0.0], [1.0, 0.0]])


def test_ldl_singular_info_and_errors():
    singular = glassnet.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    result = glassnet.linalg.ldl_factor_ex(singular)
    expected = torch.linalg.ldl_factor_ex(torch.tensor(singular.numpy()))
    assert int(result.info) == int(expected.info) == 2
    np.testing.assert_array_equal(result.pivots.numpy(), expected.pivots.numpy())
    with pytest.raises(RuntimeError, match=r"linalg.ldl_factor: D\[2,2\] is exactly zero"):
        glassnet.linalg.ldl_factor(singular)
    with pytest.raises(RuntimeError, match=r"linalg.ldl_factor_ex: D\[2,2\] is exactly zero"):
        glassnet.linalg.ldl_factor_ex(singular, check_errors=True)


@pytest.mark.parametrize(
    ("call", "message"),
    [(lambda L: L.ldl_factor(glassnet.randn(3, 4)), "square matrices, but they are 3 by 4"),
     (lambda L: L.ldl_factor(glassnet.randn(3)), "must have at least 2 dimensions"),
     (lambda L: L.ldl_factor(glassnet.ones(3, 3, dtype=glassnet.int64)), "expected a float32 or float64"),
     (lambda L: L.ldl_solve(*L.ldl_factor(glassnet.eye(3)), glassnet.ones(4, 2)), "each A matrix is 3 by 3 but each B matrix is 4 by 2"),
     (lambda L: L.ldl_solve(L.ldl_factor(glassnet.eye(3))[0], glassnet.tensor([1, 2], dtype=glassnet.int32), glassnet.ones(3, 2)), "pivots with shape \\[2\\]"),
     (lambda L: L.ldl_solve(*L.ldl_factor(glassnet.eye(3)), glassnet.ones(3, 2, dtype=glassnet.float64)), "same dtype")],
)  # fmt: skip
def test_ldl_errors_are_one_line(call, message):
    with pytest.raises(RuntimeError, match=message):
        call(glassnet.linalg)


def test_ldl_has_no_derivative_like_torch():
    a = glassnet.tensor([[2.0, 1.0], [1.0, -3.0]], requires_grad=True)
    ld, piv = glassnet.linalg.ldl_factor(a)
    with pytest.raises(
        RuntimeError, match="derivative for linalg.ldl_factor_ex is not implemented"
    ):
        ld.sum().backward()
    b = glassnet.ones(2, 1, requires_grad=True)
    x = glassnet.linalg.ldl_solve(ld.detach(), piv, b)
    with pytest.raises(RuntimeError, match="derivative for linalg.ldl_solve is not implemented"):
        x.sum().backward()


# ------------------------------------------------------------------------------------------
# convert_conv*_weight_memory_format
# ------------------------------------------------------------------------------------------


def test_convert_weight_memory_format_returns_the_module_unchanged():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Sequential(nn.ConvTranspose2d(3, 2, 3)))
    before = [p.numpy().copy() for p in model.parameters()]
    assert nn.utils.convert_conv2d_weight_memory_format(model, glassnet.channels_last) is model
    assert nn.utils.convert_conv2d_weight_memory_format(model, glassnet.contiguous_format) is model
    for old, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(old, p.numpy())
    volume = nn.Conv3d(2, 3, 3)
    assert nn.utils.convert_conv3d_weight_memory_format(volume, glassnet.channels_last_3d) is volume
    linear = nn.Linear(2, 3)  # no convolution: nothing is checked, as in PyTorch
    assert nn.utils.convert_conv2d_weight_memory_format(linear, "anything") is linear


@pytest.mark.parametrize(
    ("convert", "module", "fmt", "error", "message"),
    [("convert_conv2d_weight_memory_format", "Conv2d", "channels_last_3d", RuntimeError, "required rank 5 tensor to use channels_last_3d"),
     ("convert_conv3d_weight_memory_format", "Conv3d", "channels_last", RuntimeError, "required rank 4 tensor to use channels_last"),
     ("convert_conv2d_weight_memory_format", "Conv2d", "preserve_format", RuntimeError, "nsupported memory format"),
     ("convert_conv2d_weight_memory_format", "Conv2d", None, TypeError, "memory_format")],
)  # fmt: skip
def test_convert_weight_memory_format_errors_like_torch(convert, module, fmt, error, message):
    def run(lib):
        layer = getattr(lib.nn, module)(2, 3, 3)
        getattr(lib.nn.utils, convert)(
            lib.nn.Sequential(layer), "x" if fmt is None else getattr(lib, fmt)
        )

    with pytest.raises(error, match=message):
        run(glassnet)
    with pytest.raises(error, match=message):
        run(torch)


# ------------------------------------------------------------------------------------------
# deprecated nn.init names
# ------------------------------------------------------------------------------------------

_DEPRECATED = {
    "uniform": (), "normal": (), "constant": (0.5,), "xavier_uniform": (), "xavier_normal": (),
    "kaiming_uniform": (), "kaiming_normal": (), "orthogonal": (), "sparse": (0.5,), "eye": (),
}  # fmt: skip


@pytest.mark.parametrize("name", list(_DEPRECATED))
def test_deprecated_init_names_warn_as_torch_and_fill_as_the_new_form(name):
    args = _DEPRECATED[name]
    glassnet.manual_seed(3)
    old = glassnet.empty(4, 6)
    with pytest.warns(FutureWarning) as ours:
        assert getattr(nn.init, name)(old, *args) is old
    glassnet.manual_seed(3)
    new = getattr(nn.init, name + "_")(glassnet.empty(4, 6), *args)
    np.testing.assert_array_equal(old.numpy(), new.numpy())
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        getattr(torch.nn.init, name)(torch.empty(4, 6), *args)
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # the warning points at the caller's line
    assert getattr(nn.init, name).__name__ == name


def test_deprecated_dirac_warns_and_fills():
    weight = glassnet.empty(3, 3, 3)
    with pytest.warns(
        FutureWarning, match=r"`nn.init.dirac` is now deprecated in favor of `nn.init.dirac_`\."
    ):
        nn.init.dirac(weight)
    np.testing.assert_array_equal(weight.numpy(), nn.init.dirac_(glassnet.empty(3, 3, 3)).numpy())


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0)], ids=["no_matrices", "empty_matrices"])
def test_ldl_empty_shapes_like_torch(shape):
    ld, piv = glassnet.linalg.ldl_factor(glassnet.zeros(shape))
    ld_t, piv_t = torch.linalg.ldl_factor(torch.zeros(shape))
    assert (tuple(ld.shape), tuple(piv.shape)) == (tuple(ld_t.shape), tuple(piv_t.shape))
    x = glassnet.linalg.ldl_solve(ld, piv, glassnet.zeros(shape[:-1] + (2,)))
    assert tuple(x.shape) == tuple(
        torch.linalg.ldl_solve(ld_t, piv_t, torch.zeros(shape[:-1] + (2,))).shape
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_linear_cross_entropy_chunked_empty_batch_like_torch(reduction):
    x, w = glassnet.zeros(0, 3, requires_grad=True), glassnet.ones(5, 3, requires_grad=True)
    loss = F.linear_cross_entropy(
        x, w, glassnet.zeros(0, dtype=glassnet.int64), reduction=reduction, options=Options()
    )
    expected = torch.nn.functional.linear_cross_entropy(
        torch.zeros(0, 3), torch.ones(5, 3), torch.zeros(0, dtype=torch.long),
        reduction=reduction, options=torch.nn.LinearCrossEntropyOptions(),
    )  # fmt: skip
    np.testing.assert_array_equal(loss.numpy(), expected.numpy())  # nan for 'mean', as PyTorch
    loss.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((5, 3)))


def test_options_accept_every_float_acc_dtype():
    for dtype in (glassnet.bfloat16, glassnet.float16, glassnet.float32, glassnet.float64):
        assert Options(acc_dtype=dtype).acc_dtype is dtype
