"""Parity tests for gaps found by running everyday PyTorch training scripts under glassnet."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
import glassnet.nn as gnn

torch = pytest.importorskip("torch")


def _bn_models():
    """Equal glassnet and torch models: Linear then BatchNorm1d, counter set to 7."""
    g = gnn.Sequential(gnn.Linear(3, 4), gnn.BatchNorm1d(4))
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    with torch.no_grad():
        for tp, gp in zip(t.parameters(), g.parameters()):
            tp.copy_(torch.from_numpy(gp.detach().numpy().copy()))
        t[1].num_batches_tracked.fill_(7)
    g[1].num_batches_tracked.fill_(7)
    return g, t


def _checkpoint_without_counter(seed: int) -> dict:
    """A plain dict (no ``_metadata``) of new values, with num_batches_tracked filtered out."""
    rng = np.random.default_rng(seed)
    shapes = {
        "0.weight": (4, 3),
        "0.bias": (4,),
        "1.weight": (4,),
        "1.bias": (4,),
        "1.running_mean": (4,),
        "1.running_var": (4,),
    }
    return {k: rng.standard_normal(s).astype(np.float32) ** 2 for k, s in shapes.items()}


@pytest.mark.parametrize("strict", [True, False])
def test_batchnorm_loads_checkpoint_without_num_batches_tracked(strict):
    g, t = _bn_models()
    arrays = _checkpoint_without_counter(0)
    t_keys = t.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()}, strict=strict)
    g_keys = g.load_state_dict({k: glassnet.tensor(v) for k, v in arrays.items()}, strict=strict)
    assert list(g_keys.missing_keys) == list(t_keys.missing_keys) == []
    assert list(g_keys.unexpected_keys) == list(t_keys.unexpected_keys) == []
    # the module keeps its own counter, and the other entries are loaded
    assert int(g[1].num_batches_tracked.item()) == int(t[1].num_batches_tracked.item()) == 7
    for key, value in g.state_dict().items():
        np.testing.assert_allclose(value.numpy(), t.state_dict()[key].numpy(), rtol=1e-6)
    g.eval()
    t.eval()
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(
        g(glassnet.tensor(x)).detach().numpy(),
        t(torch.from_numpy(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_versioned_checkpoint_still_reports_missing_counter():
    # A dict that says it has the current layout (version 2) but lacks the counter: missing.
    g, t = _bn_models()
    arrays = _checkpoint_without_counter(1)
    meta = {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 2}}
    t_sd = type(t.state_dict())((k, torch.from_numpy(v)) for k, v in arrays.items())
    t_sd._metadata = meta
    g_sd = type(t.state_dict())((k, glassnet.tensor(v)) for k, v in arrays.items())
    g_sd._metadata = meta
    t_keys = t.load_state_dict(t_sd, strict=False)
    g_keys = g.load_state_dict(g_sd, strict=False)
    assert list(g_keys.missing_keys) == list(t_keys.missing_keys) == ["1.num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        g.load_state_dict(g_sd)


def test_filtered_checkpoint_into_new_head_model():
    # fine-tuning recipe: a backbone checkpoint loaded (strict=False) into a model with a
    # new head and a new BatchNorm; only the truly new keys are reported missing.
    class New(gnn.Module):
        def __init__(self):
            super().__init__()
            self.features = gnn.Linear(3, 4)
            self.classifier = gnn.Linear(4, 2)
            self.extra = gnn.BatchNorm1d(4)

    class TNew(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = torch.nn.Linear(3, 4)
            self.classifier = torch.nn.Linear(4, 2)
            self.extra = torch.nn.BatchNorm1d(4)

    old = {
        "features.weight": np.ones((4, 3), np.float32),
        "features.bias": np.zeros(4, np.float32),
        "fc.weight": np.ones((10, 4), np.float32),
    }
    t_keys = TNew().load_state_dict({k: torch.from_numpy(v) for k, v in old.items()}, strict=False)
    g_keys = New().load_state_dict({k: glassnet.tensor(v) for k, v in old.items()}, strict=False)
    assert sorted(g_keys.missing_keys) == sorted(t_keys.missing_keys)
    assert sorted(g_keys.unexpected_keys) == sorted(t_keys.unexpected_keys) == ["fc.weight"]


def test_batchnorm_without_running_stats_is_left_alone():
    g = gnn.BatchNorm1d(3, track_running_stats=False)
    t = torch.nn.BatchNorm1d(3, track_running_stats=False)
    w = np.array([1.0, 2.0, 3.0], np.float32)
    t_keys = t.load_state_dict({"weight": torch.from_numpy(w), "bias": torch.zeros(3)})
    g_keys = g.load_state_dict({"weight": glassnet.tensor(w), "bias": glassnet.zeros(3)})
    assert list(g_keys.missing_keys) == list(t_keys.missing_keys) == []
    assert "num_batches_tracked" not in g.state_dict()


@pytest.mark.parametrize("drop_last", [False, True])
def test_dataloader_with_sequential_batch_sampler(drop_last):
    # DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 16, ...)): the loader's
    # own batch_size is None then, and batches must follow the batch sampler.
    from glassnet.data import BatchSampler, DataLoader, SequentialSampler, TensorDataset

    tdata = torch.utils.data
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    g_ds = TensorDataset(glassnet.tensor(x), glassnet.tensor(y))
    t_ds = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    g_dl = DataLoader(g_ds, batch_sampler=BatchSampler(SequentialSampler(g_ds), 16, drop_last))
    t_dl = tdata.DataLoader(
        t_ds, batch_sampler=tdata.BatchSampler(tdata.SequentialSampler(t_ds), 16, drop_last)
    )
    assert g_dl.batch_size is None and t_dl.batch_size is None
    assert len(g_dl) == len(t_dl)
    g_batches, t_batches = list(g_dl), list(t_dl)
    assert [b[1].tolist() for b in g_batches] == [b[1].tolist() for b in t_batches]
    for gb, tb in zip(g_batches, t_batches):
        np.testing.assert_array_equal(gb[0].numpy(), tb[0].numpy())


def test_save_takes_the_pickle_keywords_older_scripts_pass(tmp_path):
    import pickle

    import glassnet

    path = tmp_path / "ckpt.pt"
    glassnet.save({"w": glassnet.ones(2)}, str(path), pickle_module=pickle, pickle_protocol=4,
                  _use_new_zipfile_serialization=False)  # fmt: skip
    assert glassnet.load(str(path))["w"].tolist() == [1.0, 1.0]


def test_foreach_functions_match_torch():
    def story(m):
        a = [m.ones(2), m.arange(3.0)]
        ema = [m.zeros(2), m.zeros(3)]
        kept = m._foreach_mul_(ema, 0.9)
        m._foreach_add_(ema, a, alpha=0.1)
        m._foreach_lerp_(ema, a, 0.5)
        new = m._foreach_mul(a, [2.0, 3.0])
        norms = m._foreach_norm(a)
        return kept is ema, ema + list(new) + list(norms)

    (same_g, ours), (same_t, theirs) = story(glassnet), story(torch)
    assert same_g and same_t and len(ours) == len(theirs) == 6
    for g, t in zip(ours, theirs):
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-6)
    with pytest.raises(AttributeError, match="_foreach_nothing"):
        glassnet._foreach_nothing


def test_an_lr_that_is_not_a_number_is_a_type_error_as_in_torch():
    for m in (glassnet, torch):
        with pytest.raises(TypeError):
            m.optim.SGD([m.zeros(1, requires_grad=True)], lr="0.1")
    with pytest.raises(ValueError, match="Invalid lr: expected a number >= 0, got '0.1'"):
        glassnet.optim.Adam([glassnet.zeros(1, requires_grad=True)], lr="0.1")
