"""nn.utils.prune against PyTorch: masks (no ties), sparsity, weight_orig/weight_mask, repeated
pruning, gradients through the mask, remove, global pruning, errors."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.nn.utils import prune

torch = pytest.importorskip("torch")
tprune = pytest.importorskip("torch.nn.utils.prune")


def pair(cls_t, cls_g, *args, seed=0):
    torch.manual_seed(seed)
    tm, gm = cls_t(*args), cls_g(*args)
    for name, p in tm.named_parameters():
        getattr(gm, name).array[...] = p.detach().numpy()
    return tm, gm


def mask(m, name="weight"):
    b = getattr(m, name + "_mask")
    return (
        b.detach().numpy() if hasattr(b, "detach") and not isinstance(b, gn.Tensor) else b.numpy()
    )


def test_l1_unstructured_mask_state_dict_and_grad():
    tm, gm = pair(torch.nn.Linear, nn.Linear, 6, 5)
    tprune.l1_unstructured(tm, "weight", amount=0.3)
    prune.l1_unstructured(gm, "weight", amount=0.3)
    np.testing.assert_array_equal(mask(gm), mask(tm))
    assert list(gm.state_dict()) == list(tm.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert [n for n, _ in gm.named_parameters()] == ["bias", "weight_orig"]
    assert int((mask(gm) == 0).sum()) == round(0.3 * 30)
    x = np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (gm(gn.tensor(x)) ** 2).sum().backward()
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy())
    np.testing.assert_allclose(gm.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(), rtol=1e-5)
    assert np.all(gm.weight_orig.grad.numpy()[mask(gm) == 0] == 0)
    assert prune.is_pruned(gm)


def test_repeated_pruning_combines_masks_and_remove():
    tm, gm = pair(torch.nn.Linear, nn.Linear, 8, 4, seed=1)
    tprune.l1_unstructured(tm, "weight", amount=0.25)
    prune.l1_unstructured(gm, "weight", amount=0.25)
    tprune.l1_unstructured(tm, "weight", amount=4)
    prune.l1_unstructured(gm, "weight", amount=4)
    tprune.ln_structured(tm, "weight", amount=1, n=2, dim=0)
    prune.ln_structured(gm, "weight", amount=1, n=2, dim=0)
    np.testing.assert_array_equal(mask(gm), mask(tm))
    hook = [h for h, _ in gm._forward_pre_hooks.values()][0]
    assert isinstance(hook, prune.PruningContainer) and len(hook) == 3
    orig = gm.weight_orig
    prune.remove(gm, "weight")
    tprune.remove(tm, "weight")
    assert gm.weight is orig and isinstance(gm.weight, nn.Parameter)
    np.testing.assert_allclose(gm.weight.numpy(), tm.weight.detach().numpy())
    assert list(gm.state_dict()) == list(tm.state_dict())
    assert not prune.is_pruned(gm) and not gm._forward_pre_hooks


@pytest.mark.parametrize(
    "n,dim",
    [(1, 0), (2, 1), (float("inf"), -1), (3, 0)],
    ids=["l1-dim0", "l2-dim1", "inf-last", "l3-dim0"],
)
def test_ln_structured_conv(n, dim):
    tm, gm = pair(torch.nn.Conv2d, nn.Conv2d, 3, 6, 3, seed=2)
    tprune.ln_structured(tm, "weight", amount=0.5, n=n, dim=dim)
    prune.ln_structured(gm, "weight", amount=0.5, n=n, dim=dim)
    np.testing.assert_array_equal(mask(gm), mask(tm))


def test_random_pruning_sparsity_and_structure():
    gn.manual_seed(0)
    gm = nn.Linear(10, 6)
    prune.random_unstructured(gm, "weight", amount=0.4)
    assert int((mask(gm) == 0).sum()) == 24
    gm2 = nn.Conv2d(2, 8, 3)
    prune.random_structured(gm2, "weight", amount=3, dim=0)
    per_channel = mask(gm2).reshape(8, -1)
    assert sorted(per_channel.min(1)) == sorted(per_channel.max(1))  # whole channels
    assert int((per_channel.max(1) == 0).sum()) == 3
    gm3 = nn.Linear(3, 3)
    prune.identity(gm3, "weight")
    assert np.all(mask(gm3) == 1) and prune.is_pruned(gm3)


def test_global_unstructured_and_custom_mask():
    t1, g1 = pair(torch.nn.Linear, nn.Linear, 5, 4, seed=3)
    t2, g2 = pair(torch.nn.Linear, nn.Linear, 4, 3, seed=4)
    tprune.global_unstructured([(t1, "weight"), (t2, "weight")], tprune.L1Unstructured, amount=0.5)
    prune.global_unstructured([(g1, "weight"), (g2, "weight")], prune.L1Unstructured, amount=0.5)
    np.testing.assert_array_equal(mask(g1), mask(t1))
    np.testing.assert_array_equal(mask(g2), mask(t2))
    assert int((mask(g1) == 0).sum() + (mask(g2) == 0).sum()) == 16
    m = np.array([1.0, 0.0, 1.0, 0.0])
    tprune.custom_from_mask(t1, "bias", torch.tensor(m))
    prune.custom_from_mask(g1, "bias", gn.tensor(m))
    np.testing.assert_allclose(g1.bias.numpy(), t1.bias.detach().numpy())
    assert list(g1.state_dict()) == list(t1.state_dict())


def test_l1_importance_scores():
    tm, gm = pair(torch.nn.Linear, nn.Linear, 4, 3, seed=5)
    scores = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    tprune.l1_unstructured(tm, "weight", amount=5, importance_scores=torch.tensor(scores))
    prune.l1_unstructured(gm, "weight", amount=5, importance_scores=gn.tensor(scores))
    np.testing.assert_array_equal(mask(gm), mask(tm))


def test_prune_errors():
    gm = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="amount=1.5 should be a float in"):
        prune.l1_unstructured(gm, "weight", amount=1.5)
    with pytest.raises(TypeError, match="invalid type for amount"):
        prune.l1_unstructured(gm, "weight", amount="half")
    with pytest.raises(ValueError, match="at most the number of entries"):
        prune.l1_unstructured(gm, "weight", amount=10)
    assert "weight" in gm._parameters and "weight_orig" not in gm._parameters  # restored
    with pytest.raises(ValueError, match="has to be pruned before"):
        prune.remove(gm, "weight")
    with pytest.raises(ValueError, match="needs a tensor of 2 or more dims"):
        prune.ln_structured(gm, "bias", amount=1, n=1, dim=0)
    with pytest.raises(ValueError, match="no parameter or buffer named 'w'"):
        prune.l1_unstructured(gm, "w", amount=1)
    with pytest.raises(TypeError, match='supports only "unstructured"'):
        prune.global_unstructured([(gm, "weight")], prune.RandomStructured, amount=1)
