"""torch.X forms of layer functions, second set: in-place activations and dropouts, pooling with
indices, embedding_bag's 4-tuple, convolution, grid_sampler, losses with reduction codes, RNN
cells and the native_* kernels, compared with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as g
from glassnet.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def arr(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape)


def pair(a, requires_grad=True):
    """The same float64 values as a glassnet and a torch tensor."""
    return (
        g.tensor(a, dtype=g.float64, requires_grad=requires_grad),
        torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad),
    )


def close(x, y, tol=1e-7):
    x = x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)
    y = y.detach().numpy() if hasattr(y, "detach") else np.asarray(y)
    assert x.shape == y.shape, (x.shape, y.shape)
    np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


def grads_close(gl_inputs, t_inputs, gl_out, t_out, tol=1e-7):
    """Backward the same random weighting of both outputs; compare the inputs' gradients."""
    w = RNG.standard_normal(tuple(t_out.shape))
    (gl_out * g.tensor(w, dtype=g.float64)).sum().backward()
    (t_out * torch.tensor(w, dtype=torch.float64)).sum().backward()
    for a, b in zip(gl_inputs, t_inputs):
        assert (a.grad is None) == (b.grad is None)
        if b.grad is not None:
            close(a.grad, b.grad, tol)


# ---------------------------------------------------------------------------- in-place forms


@pytest.mark.parametrize(
    ("name", "args"),
    [("threshold_", (0.1, -2.0)), ("selu_", ()), ("celu_", ()), ("celu_", (0.5,)),
     ("rrelu_", (0.1, 0.3, False))],
)  # fmt: skip
def test_in_place_activations_write_into_the_input(name, args):
    a = arr(3, 4)
    x, tx = pair(a, requires_grad=False)
    out = getattr(g, name)(x, *args)
    getattr(torch, name)(tx, *args)
    assert out is x
    close(x, tx)


def test_in_place_activation_on_a_recorded_tensor_passes_the_gradient():
    a = arr(3, 4)
    x, tx = pair(a)
    y = x * 2.0
    g.selu_(y)
    ty = tx * 2.0
    torch.selu_(ty)
    close(y, ty)
    grads_close([x], [tx], y, ty)


def test_in_place_form_refuses_a_leaf_that_requires_grad():
    x = g.tensor(arr(3), requires_grad=True)
    with pytest.raises(RuntimeError):
        g.celu_(x)


def test_in_place_rrelu_training_uses_slopes_in_range():
    g.manual_seed(0)
    a = -np.abs(arr(2000)) - 0.1
    x = g.tensor(a, dtype=g.float64)
    g.rrelu_(x, 0.1, 0.3, True)
    slopes = x.numpy() / a
    assert slopes.min() >= 0.1 - 1e-12 and slopes.max() <= 0.3 + 1e-12
    assert slopes.std() > 0.03  # drawn per element, not one slope


def test_in_place_dropout_statistics_and_evaluation():
    g.manual_seed(1)
    x = g.ones(20000)
    assert g.dropout_(x, 0.25, True) is x
    values = x.numpy()
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.02
    y = g.tensor(arr(5))
    before = y.numpy().copy()
    g.dropout_(y, 0.5, False)
    close(y, before)


def test_in_place_feature_dropout_zeroes_whole_channels():
    g.manual_seed(2)
    x = g.ones(40, 30, 5, 5)
    g.feature_dropout_(x, 0.5, True)
    per_channel = x.numpy().reshape(40, 30, 25)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # all or nothing
    assert abs((per_channel[:, :, 0] == 0).mean() - 0.5) < 0.06


def test_in_place_alpha_dropouts_keep_mean_and_variance():
    g.manual_seed(3)
    x = g.tensor(RNG.standard_normal(40000), dtype=g.float64)
    g.alpha_dropout_(x, 0.2, True)
    assert abs(x.numpy().mean()) < 0.03 and abs(x.numpy().std() - 1) < 0.03
    y = g.tensor(RNG.standard_normal((400, 100, 4)), dtype=g.float64)
    g.feature_alpha_dropout_(y, 0.2, True)
    assert abs(y.numpy().mean()) < 0.05 and abs(y.numpy().std() - 1) < 0.05
    # whole channels take the same (affine-corrected) dropped value
    dropped = y.numpy()[np.ptp(y.numpy(), axis=2) == 0]
    assert dropped.size > 0


# ---------------------------------------------------------------------------- pooling, padding


@pytest.mark.parametrize("args", [(3,), (3, 2), (3, [], 1), ([2], [1], [0], [2], True)])
def test_max_pool1d_with_indices(args):
    a = arr(2, 3, 11)
    x, tx = pair(a)
    out, idx = g.max_pool1d_with_indices(x, *args)
    tout, tidx = torch.max_pool1d_with_indices(tx, *args)
    close(out, tout)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    grads_close([x], [tx], out, tout)


def test_adaptive_max_pool1d_returns_values_and_indices():
    x, tx = pair(arr(2, 3, 10))
    out, idx = g.adaptive_max_pool1d(x, 4)
    tout, tidx = torch.adaptive_max_pool1d(tx, 4)
    close(out, tout)
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    grads_close([x], [tx], out, tout)


@pytest.mark.parametrize(("pad", "value"), [((1, 2), 0), ((1, 0, 2, 1), -3.5), ((-1, 2), 1.0)])
def test_constant_pad_nd(pad, value):
    x, tx = pair(arr(2, 3, 4))
    out = g.constant_pad_nd(x, pad, value)
    tout = torch.constant_pad_nd(tx, pad, value)
    close(out, tout)
    grads_close([x], [tx], out, tout)


# ---------------------------------------------------------------------------- embedding_bag


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_matches_torch(mode, padding_idx):
    table = arr(10, 3)
    w, tw = pair(table)
    indices = [1, 2, 4, 5, 4, 3, 2, 9, 7]
    offsets = [0, 4, 6]
    args = (False, mode, False, None, False)
    extra = () if padding_idx is None else (padding_idx,)
    out = g.embedding_bag(w, g.tensor(indices), g.tensor(offsets), *args, *extra)
    tout = torch.embedding_bag(tw, torch.tensor(indices), torch.tensor(offsets), *args, *extra)
    assert len(out) == len(tout) == 4
    close(out[0], tout[0])
    grads_close([w], [tw], out[0], tout[0])
    if mode != 0:  # torch fills the bookkeeping where its backward needs it
        np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())
        np.testing.assert_array_equal(out[2].numpy(), tout[2].numpy())
    if mode == 2:
        np.testing.assert_array_equal(out[3].numpy(), tout[3].numpy())


def test_embedding_bag_include_last_offset_and_per_sample_weights():
    w, tw = pair(arr(6, 4))
    idx, off = [0, 5, 3, 3, 1], [0, 2, 5]
    psw, tpsw = pair(arr(5))
    out = g.embedding_bag(w, g.tensor(idx), g.tensor(off), False, 0, False, psw, True)
    tout = torch.embedding_bag(
        tw, torch.tensor(idx), torch.tensor(off), False, 0, False, tpsw, True
    )
    close(out[0], tout[0])
    grads_close([w, psw], [tw, tpsw], out[0], tout[0])


def test_embedding_bag_bad_mode_and_rank():
    w = g.randn(5, 2)
    with pytest.raises(ValueRangeError, match="mode"):
        g.embedding_bag(w, g.tensor([1, 2]), g.tensor([0]), False, 3)
    with pytest.raises(ShapeError, match="1-D"):
        g.embedding_bag(w, g.tensor([[1, 2]]), g.tensor([0]), False, 0)


# ---------------------------------------------------------------------------- convolution


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "transposed", "stride", "padding", "dilation", "out_pad", "groups"),
    [
        ((2, 4, 9), (6, 2, 3), False, [2], [1], [1], [0], 2),
        ((2, 3, 7, 6), (4, 3, 3, 2), False, [1, 2], [1, 0], [2, 1], [0, 0], 1),
        ((1, 2, 4, 5, 4), (3, 2, 2, 2, 2), False, [1], [0], [1], [0], 1),
        ((2, 4, 5), (4, 3, 3), True, [2], [1], [1], [1], 1),
        ((2, 4, 4, 5), (4, 1, 3, 3), True, [2, 1], [1, 1], [1, 1], [1, 0], 2),
    ],
)
def test_convolution_matches_torch(
    x_shape, w_shape, transposed, stride, padding, dilation, out_pad, groups
):
    x, tx = pair(arr(*x_shape))
    w, tw = pair(arr(*w_shape))
    channels = w_shape[1] * groups if transposed else w_shape[0]
    b, tb = pair(arr(channels))
    args = (stride, padding, dilation, transposed, out_pad, groups)
    out = g.convolution(x, w, b, *args)
    tout = torch.convolution(tx, tw, tb, *args)
    close(out, tout)
    grads_close([x, w, b], [tx, tw, tb], out, tout)


def test_conv_tbc_matches_torch():
    x, tx = pair(arr(7, 2, 3))
    w, tw = pair(arr(3, 3, 4))
    b, tb = pair(arr(4))
    for pad in (0, 1):
        for t in (x, w, b, tx, tw, tb):
            t.grad = None
        out, tout = g.conv_tbc(x, w, b, pad), torch.conv_tbc(tx, tw, tb, pad)
        close(out, tout)
        grads_close([x, w, b], [tx, tw, tb], out, tout)


def test_convolution_refuses_a_weight_of_the_wrong_rank():
    with pytest.raises(ShapeError, match="weight"):
        g.convolution(g.randn(2, 3), g.randn(2, 3), None, [1], [0], [1], False, [0], 1)


# ---------------------------------------------------------------------------- sampling


@pytest.mark.parametrize("interpolation", [0, 1])
@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sampler_2d_matches_torch(interpolation, padding, align):
    x, tx = pair(arr(2, 3, 5, 6))
    grid, tgrid = pair(arr(2, 4, 3, 2, low=-1.2, high=1.2))
    out = g.grid_sampler_2d(x, grid, interpolation, padding, align)
    tout = torch.grid_sampler_2d(tx, tgrid, interpolation, padding, align)
    close(out, tout)
    close(g.grid_sampler(x, grid, interpolation, padding, align), tout)
    grads_close(
        [x, grid] if interpolation == 0 else [x],
        [tx, tgrid] if interpolation == 0 else [tx],
        out,
        tout,
    )


def test_grid_sampler_3d_and_affine_grid_generator():
    theta, ttheta = pair(arr(2, 3, 4))
    grid = g.affine_grid_generator(theta, [2, 1, 3, 4, 5], False)
    tgrid = torch.affine_grid_generator(ttheta, [2, 1, 3, 4, 5], False)
    close(grid, tgrid)
    x, tx = pair(arr(2, 2, 3, 4, 5))
    out = g.grid_sampler_3d(x, grid, 0, 1, False)
    tout = torch.grid_sampler_3d(tx, tgrid, 0, 1, False)
    close(out, tout)
    grads_close([x, theta], [tx, ttheta], out, tout)


def test_grid_sampler_bad_codes_and_ranks():
    x, grid = g.randn(1, 1, 3, 3), g.zeros(1, 2, 2, 2)
    with pytest.raises(ValueRangeError, match="interpolation_mode"):
        g.grid_sampler(x, grid, 3, 0, False)
    with pytest.raises(ValueRangeError, match="padding_mode"):
        g.grid_sampler(x, grid, 0, -1, False)
    with pytest.raises(ShapeError, match="5-D"):
        g.grid_sampler_3d(x, grid, 0, 0, False)


# ---------------------------------------------------------------------------- losses


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_losses_with_reduction_codes(reduction):
    a, ta = pair(arr(4, 5))
    b, tb = pair(arr(4, 5))
    c, tc = pair(arr(4, 5))
    target01 = RNG.uniform(0, 1, (4, 5))
    sign = np.where(RNG.uniform(size=4) < 0.5, -1.0, 1.0)
    sign_elems = np.where(RNG.uniform(size=(4, 5)) < 0.5, -1.0, 1.0)
    weight = RNG.uniform(0.5, 2, 5)
    pos_weight = RNG.uniform(0.5, 2, 5)

    def gl(v):
        return g.tensor(v, dtype=g.float64)

    def th(v):
        return torch.tensor(v, dtype=torch.float64)

    cases = [
        ("binary_cross_entropy_with_logits", (a, gl(target01), gl(weight), gl(pos_weight)),
         (ta, th(target01), th(weight), th(pos_weight)), ()),
        ("binary_cross_entropy_with_logits", (a, gl(target01)), (ta, th(target01)), (None, None)),
        ("cosine_embedding_loss", (a, b, gl(sign)), (ta, tb, th(sign)), (0.2,)),
        ("hinge_embedding_loss", (a, gl(sign_elems)), (ta, th(sign_elems)), (0.5,)),
        ("kl_div", (a, gl(target01)), (ta, th(target01)), ()),
        ("margin_ranking_loss", (a, b, gl(sign_elems)), (ta, tb, th(sign_elems)), (0.1,)),
        ("triplet_margin_loss", (a, b, c), (ta, tb, tc), (0.7, 2.0, 1e-6, True)),
        ("triplet_margin_loss", (a, b, c), (ta, tb, tc), (1.0, 1.0, 1e-6, False)),
    ]  # fmt: skip
    for name, gl_args, t_args, options in cases:
        for t in (a, b, c, ta, tb, tc):
            t.grad = None
        out = getattr(g, name)(*gl_args, *options, reduction)
        tout = getattr(torch, name)(*t_args, *options, reduction)
        close(out, tout)
        grads_close([a, b, c], [ta, tb, tc], out, tout)


@pytest.mark.parametrize("reduction", [0, 1, 2])
@pytest.mark.parametrize(("log_input", "full"), [(True, False), (False, True), (True, True)])
def test_poisson_nll_loss(reduction, log_input, full):
    x, tx = pair(arr(3, 4, low=0.1, high=2.0))
    y = RNG.integers(0, 5, (3, 4)).astype(np.float64)
    out = g.poisson_nll_loss(x, g.tensor(y), log_input, full, 1e-8, reduction)
    tout = torch.poisson_nll_loss(tx, torch.tensor(y), log_input, full, 1e-8, reduction)
    close(out, tout)
    grads_close([x], [tx], out, tout)


def test_kl_div_log_target():
    x, tx = pair(arr(3, 4))
    y = np.log(RNG.uniform(0.1, 1, (3, 4)))
    out = g.kl_div(x, g.tensor(y), 2, log_target=True)
    tout = torch.kl_div(tx, torch.tensor(y), 2, log_target=True)
    close(out, tout)


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_ctc_loss(reduction):
    T, N, C = 8, 2, 5
    logits = RNG.standard_normal((T, N, C))
    lp, tlp = pair(logits)
    glp = g.nn.functional.log_softmax(lp, 2)
    tglp = torch.log_softmax(tlp, 2)
    targets = [[1, 2, 2], [3, 1, 0]]
    in_len, tg_len = [8, 6], [3, 2]
    out = g.ctc_loss(glp, g.tensor(targets), in_len, tg_len, 0, reduction, False)
    tout = torch.ctc_loss(tglp, torch.tensor(targets), in_len, tg_len, 0, reduction, False)
    close(out, tout, 1e-6)
    grads_close([lp], [tlp], out, tout, 1e-6)
    out = g.ctc_loss(glp, g.tensor(targets), g.tensor(in_len), g.tensor(tg_len), 0, reduction)
    close(out, tout, 1e-6)


def test_loss_bad_reduction_code():
    x = g.randn(3)
    with pytest.raises(ValueRangeError, match="reduction"):
        g.hinge_embedding_loss(x, g.ones(3), 1.0, 3)
    with pytest.raises(ValueRangeError, match="reduction"):
        g.kl_div(x, x, "mean")


# ---------------------------------------------------------------------------- RNN cells


@pytest.mark.parametrize("name", ["rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
def test_rnn_cells_match_torch(name, bias, batched):
    gates = {"rnn_tanh_cell": 1, "rnn_relu_cell": 1, "gru_cell": 3, "lstm_cell": 4}[name]
    N, I, H = 3, 4, 5
    lead = (N,) if batched else ()
    x, tx = pair(arr(*lead, I))
    h, th = pair(arr(*lead, H))
    c, tc = pair(arr(*lead, H))
    w_ih, tw_ih = pair(arr(gates * H, I))
    w_hh, tw_hh = pair(arr(gates * H, H))
    b_ih, tb_ih = pair(arr(gates * H))
    b_hh, tb_hh = pair(arr(gates * H))
    biases, tbiases = ((b_ih, b_hh), (tb_ih, tb_hh)) if bias else ((), ())
    state, tstate = ((h, c), (th, tc)) if name == "lstm_cell" else (h, th)
    out = getattr(g, name)(x, state, w_ih, w_hh, *biases)
    if batched:
        tout = getattr(torch, name)(tx, tstate, tw_ih, tw_hh, *tbiases)
    else:  # torch's GRU and LSTM kernels take batches only: compare with a batch of one
        tbatch = (th[None], tc[None]) if name == "lstm_cell" else th[None]
        tout = getattr(torch, name)(tx[None], tbatch, tw_ih, tw_hh, *tbiases)
        tout = tuple(t[0] for t in tout) if name == "lstm_cell" else tout[0]
    gl_in, t_in = [x, h, w_ih, w_hh, *biases], [tx, th, tw_ih, tw_hh, *tbiases]
    if name == "lstm_cell":
        assert isinstance(out, tuple) and len(out) == 2
        close(out[0], tout[0])
        close(out[1], tout[1])
        w0, w1 = RNG.standard_normal(tout[0].shape), RNG.standard_normal(tout[1].shape)
        (out[0] * g.tensor(w0) + out[1] * g.tensor(w1)).sum().backward()
        (tout[0] * torch.tensor(w0) + tout[1] * torch.tensor(w1)).sum().backward()
        for a, b in zip([*gl_in, c], [*t_in, tc]):
            close(a.grad, b.grad)
    else:
        close(out, tout)
        grads_close(gl_in, t_in, out, tout)


def test_rnn_cell_shape_errors():
    x, h = g.randn(3, 4), g.randn(3, 5)
    with pytest.raises(ShapeError, match="w_ih"):
        g.gru_cell(x, h, g.randn(15, 3), g.randn(15, 5))
    with pytest.raises(ShapeError, match="hx"):
        g.rnn_tanh_cell(x, g.randn(2, 5), g.randn(5, 4), g.randn(5, 5))
    with pytest.raises(TypeError, match="pair"):
        g.lstm_cell(x, h, g.randn(20, 4), g.randn(20, 5))


# ---------------------------------------------------------------------------- native_* kernels


@pytest.mark.parametrize("normalized", [[4], [3, 4]])
@pytest.mark.parametrize("affine", [True, False])
def test_native_layer_norm(normalized, affine):
    x, tx = pair(arr(2, 3, 4))
    w, tw = pair(arr(*normalized)) if affine else (None, None)
    b, tb = pair(arr(*normalized)) if affine else (None, None)
    out = g.native_layer_norm(x, normalized, w, b, 1e-5)
    tout = torch.native_layer_norm(tx, normalized, tw, tb, 1e-5)
    for mine, theirs in zip(out, tout):
        close(mine, theirs)
    grads_close([x, w, b] if affine else [x], [tx, tw, tb] if affine else [tx], out[0], tout[0])


@pytest.mark.parametrize("training", [True, False])
def test_native_batch_norm(training):
    x, tx = pair(arr(4, 3, 5))
    w, tw = pair(arr(3))
    b, tb = pair(arr(3))
    rm, rv = RNG.standard_normal(3), RNG.uniform(0.5, 2, 3)
    grm, grv = g.tensor(rm), g.tensor(rv)
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    out = g.native_batch_norm(x, w, b, grm, grv, training, 0.1, 1e-5)
    tout = torch.native_batch_norm(tx, tw, tb, trm, trv, training, 0.1, 1e-5)
    for mine, theirs in zip(out, tout):
        close(mine, theirs)
    close(grm, trm)
    close(grv, trv)
    grads_close([x, w, b], [tx, tw, tb], out[0], tout[0])


def test_native_batch_norm_without_running_statistics():
    x, tx = pair(arr(4, 3, 2, 2))
    out = g.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)
    tout = torch.native_batch_norm(tx, None, None, None, None, True, 0.1, 1e-5)
    for mine, theirs in zip(out, tout):
        close(mine, theirs)
    with pytest.raises(ValueRangeError, match="running_mean"):
        g.native_batch_norm(x, None, None, None, None, False, 0.1, 1e-5)


@pytest.mark.parametrize("shape", [(2, 6, 4), (2, 6, 2, 3)])
def test_native_group_norm(shape):
    x, tx = pair(arr(*shape))
    w, tw = pair(arr(6))
    b, tb = pair(arr(6))
    hxw = int(np.prod(shape[2:]))
    out = g.native_group_norm(x, w, b, 2, 6, hxw, 3, 1e-5)
    tout = torch.native_group_norm(tx, tw, tb, 2, 6, hxw, 3, 1e-5)
    for mine, theirs in zip(out, tout):
        close(mine, theirs)
    grads_close([x, w, b], [tx, tw, tb], out[0], tout[0])
    with pytest.raises(ShapeError, match="HxW"):
        g.native_group_norm(x, w, b, 2, 6, hxw + 1, 3, 1e-5)


def test_native_dropout_mask_and_output_agree():
    g.manual_seed(4)
    a = arr(200, 100) + 2.0  # no zeros of its own
    x = g.tensor(a, dtype=g.float64, requires_grad=True)
    out, mask = g.native_dropout(x, 0.3, True)
    assert mask.dtype == g.bool
    keep = mask.numpy()
    assert abs(1 - keep.mean() - 0.3) < 0.02
    np.testing.assert_allclose(out.detach().numpy(), np.where(keep, a / 0.7, 0.0), rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), keep / 0.7, rtol=1e-12)
    out, mask = g.native_dropout(x, 0.3, None)  # None trains
    assert not mask.numpy().all()


def test_native_dropout_evaluation_and_extremes():
    x = g.tensor(arr(4, 5))
    out, mask = g.native_dropout(x, 0.5, False)
    assert out is not x and mask.numpy().all()
    close(out, x)
    out, mask = g.native_dropout(x, 1.0, True)
    assert not mask.numpy().any() and not out.numpy().any()
    out, mask = g.native_dropout(x, 0.0, True)
    assert mask.numpy().all()
    close(out, x)
    with pytest.raises(ValueError):
        g.native_dropout(x, 1.5, True)


@pytest.mark.parametrize("p", [1, 2, 3, float("inf")])
def test_native_norm_matches_torch_on_sparse(p):
    a = arr(3, 4)
    x, tx = pair(a)
    out = g.native_norm(x, p)
    tout = torch.native_norm(tx.detach().to_sparse(), p)
    close(out, tout)
    full = g.native_norm(x, p, [0, 1], False, None)
    close(full, tout)
    dense = torch.linalg.vector_norm(tx, p)
    grads_close([x], [tx], out, dense)
    rows = g.native_norm(g.tensor(a), p, [1], True, g.float32)
    assert rows.dtype == g.float32
    close(rows, np.linalg.norm(a, p, axis=1, keepdims=True), 1e-5)


@pytest.mark.parametrize(("power", "dim"), [(2, 0), (2, 1), (1, 2), (3, -2), (2, -1)])
def test_norm_except_dim(power, dim):
    x, tx = pair(arr(2, 3, 4))
    out = g.norm_except_dim(x, power, dim)
    tout = torch.norm_except_dim(tx, power, dim)
    close(out, tout)
    grads_close([x], [tx], out, tout)


def test_norm_except_dim_of_a_vector_and_bad_dim():
    v, tv = pair(np.array([3.0, -4.0]))
    close(g.norm_except_dim(v, 2, 0), torch.norm_except_dim(tv, 2, 0))
    with pytest.raises(ShapeError, match="dim"):
        g.norm_except_dim(g.randn(2, 3), 2, 5)


def test_every_new_name_is_exported():
    from glassnet import torch_layer_forms

    for name in ("threshold_", "embedding_bag", "convolution", "grid_sampler_2d", "ctc_loss",
                 "lstm_cell", "native_layer_norm", "norm_except_dim"):  # fmt: skip
        assert name in torch_layer_forms.__all__
        assert getattr(g, name) is getattr(torch_layer_forms, name)
