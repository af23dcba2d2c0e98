"""EmbeddingBag, Bilinear, LazyLinear and the Upsampling*2d names against PyTorch."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.numerical import gradcheck

RNG = np.random.default_rng(9)
TABLE = RNG.standard_normal((10, 3))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _same_state(ours, theirs, torch):
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


BAGS = [
    ("offsets", dict(mode="sum"), ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5]), {}),
    ("mean_empty_bag", dict(mode="mean"), ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5]), {}),
    ("max", dict(mode="max"), ([1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 6]), {}),
    ("rows", dict(mode="mean"), ([[1, 2, 3], [4, 4, 0]], None), {}),
    ("padding", dict(mode="mean", padding_idx=4), ([[1, 4, 3], [4, 4, 0]], None), {}),
    ("last_offset", dict(mode="sum", include_last_offset=True), ([1, 2, 4, 5], [0, 1, 4]), {}),
    ("weights", dict(mode="sum"), ([1, 2, 4, 5], [0, 1]), {"per_sample_weights": [0.5, 2.0, -1.0, 3.0]}),
]  # fmt: skip


@pytest.mark.parametrize("name,options,inputs,extra", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_pytorch(torch, name, options, inputs, extra):
    results = []
    for lib in (gn, torch):
        bag = lib.nn.EmbeddingBag(10, 3, _weight=lib.tensor(TABLE), **options)
        indices, offsets = inputs
        args = [lib.tensor(indices)] + ([lib.tensor(offsets)] if offsets is not None else [])
        kwargs = {k: lib.tensor(v, dtype=lib.float64) for k, v in extra.items()}
        out = bag(*args, **kwargs)
        (
            out * lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape))
        ).sum().backward()
        results.append((out.detach().numpy(), bag.weight.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_embedding_bag_mistakes():
    bag = nn.EmbeddingBag(10, 3)
    with pytest.raises(ValueError, match="needs offsets"):
        bag(gn.tensor([1, 2]))
    with pytest.raises(ValueError, match="mode must be one of"):
        gn.nn.functional.embedding_bag(gn.tensor([[1]]), bag.weight, mode="median")
    with pytest.raises(ValueError, match="per_sample_weights need mode='sum'"):
        bag(gn.tensor([1, 2]), gn.tensor([0]), per_sample_weights=gn.tensor([1.0, 1.0]))


def test_bilinear_matches_pytorch(torch):
    ours = nn.Bilinear(3, 4, 2).double()
    theirs = torch.nn.Bilinear(3, 4, 2).double()
    _same_state(ours, theirs, torch)
    x1, x2 = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 4))
    a1, a2 = gn.tensor(x1, requires_grad=True), gn.tensor(x2, requires_grad=True)
    b1, b2 = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    y, ty = ours(a1, a2), theirs(b1, b2)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12)
    (y**2).sum().backward()
    (ty**2).sum().backward()
    for p, q in ((a1, b1), (a2, b2), (ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10)
    assert gradcheck(lambda u, v: ours(u, v), gn.tensor(x1[:2], requires_grad=True),
                     gn.tensor(x2[:2], requires_grad=True))  # fmt: skip
    with pytest.raises(ValueError, match="Bilinear: expected input1"):
        ours(gn.tensor(x2), gn.tensor(x1))


def test_lazy_linear_takes_its_shape_from_the_first_input():
    gn.manual_seed(0)
    fc = nn.LazyLinear(4)
    opt = gn.optim.SGD(fc.parameters(), lr=0.1)  # made before the shape is known
    assert fc.weight.shape == (4, 0)
    y = fc(gn.randn(2, 7))
    assert type(fc) is nn.Linear and fc.in_features == 7 and fc.weight.shape == (4, 7)
    assert np.abs(fc.weight.numpy()).max() <= 1 / np.sqrt(7) and y.shape == (2, 4)
    before = fc.weight.numpy().copy()
    y.sum().backward()
    opt.step()  # the optimizer updates the same Parameter
    assert not np.array_equal(fc.weight.numpy(), before)


def test_upsampling_names_match_pytorch(torch):
    x = RNG.standard_normal((1, 2, 3, 4))
    for name, kwargs in (
        ("UpsamplingNearest2d", {"scale_factor": 2}),
        ("UpsamplingBilinear2d", {"size": (5, 7)}),
    ):
        ours = getattr(nn, name)(**kwargs)(gn.tensor(x))
        theirs = getattr(torch.nn, name)(**kwargs)(torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_softmax2d_local_response_norm_and_sync_batch_norm_match_pytorch(torch):
    x = RNG.standard_normal((2, 6, 3, 4))
    for size in (1, 2, 5):
        a, b = gn.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours = nn.LocalResponseNorm(size, alpha=0.3, beta=0.6, k=2.0)(a)
        theirs = torch.nn.LocalResponseNorm(size, alpha=0.3, beta=0.6, k=2.0)(b)
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12)
        (ours**2).sum().backward()
        (theirs**2).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(nn.Softmax2d()(gn.tensor(x)).numpy(),
                               torch.nn.Softmax2d()(torch.tensor(x)).numpy(), rtol=1e-12)  # fmt: skip
    ours_bn, theirs_bn = nn.SyncBatchNorm(6).double(), torch.nn.SyncBatchNorm(6).double()
    for shape in ((4, 6), (2, 6, 3, 4)):
        y = RNG.standard_normal(shape)
        np.testing.assert_allclose(ours_bn(gn.tensor(y)).numpy(),
                                   theirs_bn(torch.tensor(y)).detach().numpy(), rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(
        ours_bn.running_var.numpy(), theirs_bn.running_var.numpy(), rtol=1e-10
    )
    with pytest.raises(ValueError, match="Softmax2d"):
        nn.Softmax2d()(gn.tensor(x[0, 0]))
    with pytest.raises(ValueError, match="3 or more dimensions"):
        gn.nn.functional.local_response_norm(gn.tensor(x[0]).reshape(6, 12)[None][0], 2)
