"""PyTorch's top-level forms of layer functions (torch.conv2d, torch.batch_norm, ...) give
F's results, with PyTorch's argument orders (torch_layer_forms.py), checked against torch."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet.errors import ShapeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
IMAGES = RNG.standard_normal((2, 4, 6, 6))
ROWS = RNG.standard_normal((3, 5))


def _both(call, *arrays):
    ours = call(glassnet, *[glassnet.tensor(a) for a in arrays])
    theirs = call(torch, *[torch.tensor(a) for a in arrays])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-9)


CASES = {
    "conv2d": (lambda m, x, w: m.conv2d(x, w, None, 1, 1), IMAGES, RNG.standard_normal((3, 4, 3, 3))),
    "conv1d": (lambda m, x, w: m.conv1d(x, w, stride=2), IMAGES[:, :, 0], RNG.standard_normal((2, 4, 3))),
    "conv_transpose2d": (lambda m, x, w: m.conv_transpose2d(x, w, stride=2), IMAGES, RNG.standard_normal((4, 2, 3, 3))),
    "max_pool2d": (lambda m, x: m.max_pool2d(x, 2), IMAGES),
    "max_pool1d": (lambda m, x: m.max_pool1d(x, 3, 2), IMAGES[:, :, 0]),
    "avg_pool1d": (lambda m, x: m.avg_pool1d(x, 2), IMAGES[:, :, 0]),
    "adaptive_avg_pool1d": (lambda m, x: m.adaptive_avg_pool1d(x, 4), IMAGES[:, :, 0]),
    "layer_norm": (lambda m, x, w, b: m.layer_norm(x, (5,), w, b, 1e-5, True), ROWS, np.ones(5) * 2, np.arange(5.0)),
    "group_norm": (lambda m, x: m.group_norm(x, 2, None, None, 1e-5, True), IMAGES),
    "batch_norm": (
        lambda m, x, w, b, rm, rv: m.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, True),
        IMAGES, np.arange(1.0, 5.0), np.ones(4), np.full(4, 0.5), np.full(4, 2.0),
    ),
    "instance_norm": (
        lambda m, x, w, b: m.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True),
        IMAGES, np.arange(1.0, 5.0), np.ones(4),
    ),
    "embedding": (lambda m, w, i: m.embedding(w, i.long()), RNG.standard_normal((6, 3)), np.array([[0, 5], [2, 2]])),
    "embedding_padding": (lambda m, w, i: m.embedding(w, i.long(), 2), RNG.standard_normal((6, 3)), np.array([[0, 5], [2, 2]])),
    "cosine_similarity": (lambda m, a, b: m.cosine_similarity(a, b), ROWS, ROWS[::-1].copy()),
    "pairwise_distance": (lambda m, a, b: m.pairwise_distance(a, b), ROWS, ROWS[::-1].copy()),
    "pdist": (lambda m, a: m.pdist(a), ROWS),
    "pixel_shuffle": (lambda m, x: m.pixel_shuffle(x, 2), IMAGES),
    "pixel_unshuffle": (lambda m, x: m.pixel_unshuffle(x, 2), IMAGES),
    "channel_shuffle": (lambda m, x: m.channel_shuffle(x, 2), IMAGES),
    "native_channel_shuffle": (lambda m, x: m.native_channel_shuffle(x, 2), IMAGES),
    "prelu": (lambda m, x, w: m.prelu(x, w), IMAGES, np.full(4, 0.25)),
    "selu": (lambda m, x: m.selu(x), ROWS),
    "celu": (lambda m, x: m.celu(x, 0.5), ROWS),
    "threshold": (lambda m, x: m.threshold(x, 0.1, -1.0), ROWS),
    "hardshrink": (lambda m, x: m.hardshrink(x, 0.4), ROWS),
    "rrelu_eval": (lambda m, x: m.rrelu(x, 0.1, 0.3, False), ROWS),
    "bilinear": (lambda m, a, b, w: m.bilinear(a, b, w), ROWS, ROWS, RNG.standard_normal((2, 5, 5))),
    "rms_norm": (lambda m, x: m.rms_norm(x, (5,)), ROWS),
    "dropout_eval": (lambda m, x: m.dropout(x, 0.5, False), ROWS),
    "alpha_dropout_eval": (lambda m, x: m.alpha_dropout(x, 0.5, False), ROWS),
    "feature_dropout_eval": (lambda m, x: m.feature_dropout(x, 0.5, False), IMAGES),
    "feature_alpha_dropout_eval": (lambda m, x: m.feature_alpha_dropout(x, 0.5, False), IMAGES),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_top_level_form_matches_pytorch(name):
    call, *arrays = CASES[name]
    _both(call, *arrays)


def test_dropout_in_training_zeroes_and_rescales():
    x = glassnet.ones(2000)
    y = glassnet.dropout(x, 0.25, True).numpy()
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)  # the survivors rescaled by 1/(1-p)
    assert abs((y == 0).mean() - 0.25) < 0.05
    channels = glassnet.feature_dropout(glassnet.ones(4, 50, 3, 3), 0.5, True).numpy()
    per_channel = channels.reshape(4, 50, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1)).all()  # whole channels
    with pytest.raises(ShapeError, match="3 to 5 dimensions"):
        glassnet.feature_dropout(glassnet.ones(4, 5), 0.5, True)


def test_batch_norm_top_level_order_updates_running_statistics_like_pytorch():
    stats = {}
    for lib in (glassnet, torch):
        rm, rv = lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64)
        lib.batch_norm(lib.tensor(IMAGES), None, None, rm, rv, True, 0.1, 1e-5, True)
        stats[lib.__name__] = (rm.numpy(), rv.numpy())
    for ours, theirs in zip(stats["glassnet"], stats["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_conv2d_top_level_form_has_fs_gradient():
    x = glassnet.tensor(IMAGES, requires_grad=True)
    w = glassnet.tensor(RNG.standard_normal((3, 4, 3, 3)), requires_grad=True)
    glassnet.conv2d(x, w, padding=1).square().sum().backward()
    tx = torch.tensor(IMAGES, requires_grad=True)
    tw = torch.tensor(w.detach().numpy(), requires_grad=True)
    torch.conv2d(tx, tw, padding=1).square().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-9)
