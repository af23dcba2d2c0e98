"""F.normalize, F.cosine_similarity and F.pairwise_distance against PyTorch: values and gradients."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 5))
Y = RNG.standard_normal((4, 5))
X[1] = 0.0  # a zero vector: eps keeps every result finite


@pytest.mark.parametrize(
    "call",
    [
        lambda F, a, b: F.normalize(a),
        lambda F, a, b: F.normalize(a, p=1.0, dim=0),
        lambda F, a, b: F.cosine_similarity(a, b),
        lambda F, a, b: F.cosine_similarity(a, b[:1], dim=1),  # broadcast
        lambda F, a, b: F.pairwise_distance(a, b),
        lambda F, a, b: F.pairwise_distance(a, b, p=1.0, keepdim=True),
    ],
    ids=["normalize", "normalize_l1_dim0", "cosine", "cosine_broadcast", "distance", "l1_keep"],
)
def test_the_same_values_and_gradients_as_pytorch(call):
    ours = [gn.tensor(v, requires_grad=True) for v in (X, Y)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (X, Y)]
    y_ours = call(gn.nn.functional, *ours)
    y_theirs = call(torch.nn.functional, *theirs)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    (y_ours * y_ours).sum().backward()
    (y_theirs * y_theirs).sum().backward()
    for a, b in zip(ours, theirs):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_unit_vectors_and_right_angles():
    v = gn.tensor([[3.0, 4.0], [0.0, 2.0]])
    np.testing.assert_allclose(gn.nn.functional.normalize(v).numpy(), [[0.6, 0.8], [0.0, 1.0]])
    right = gn.nn.functional.cosine_similarity(gn.tensor([[1.0, 0.0]]), gn.tensor([[0.0, 5.0]]))
    np.testing.assert_allclose(right.numpy(), [0.0], atol=1e-12)


@pytest.mark.parametrize("p", [2, 3, 2.5])
def test_a_zero_vectors_norm_has_gradient_zero_as_in_pytorch(p):
    x = gn.zeros(2, 3, dtype=gn.float64, requires_grad=True)
    gn.norm(x, p=p, dim=1).sum().backward()
    t = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    torch.norm(t, p=p, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    assert not np.isnan(x.grad.numpy()).any()
    away = gn.tensor(RNG.standard_normal((2, 3)) + 0.5, requires_grad=True)  # elsewhere: exact
    assert gn.gradcheck(lambda v: gn.norm(v, p=p, dim=1), (away,))
    assert gn.gradgradcheck(lambda v: gn.norm(v, p=p, dim=1), (away,))
