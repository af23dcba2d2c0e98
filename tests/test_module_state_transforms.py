"""torch.func's module-state helpers (stack_module_state, replace_all_batch_norm_modules_),
linearize, nn.utils.skip_init and Module.to("meta") / to_empty, against torch 2.13."""

import copy

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.device import DeviceError
from glassnet.func import (
    functional_call,
    linearize,
    replace_all_batch_norm_modules_,
    stack_module_state,
    vmap,
)

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3), nn.BatchNorm1d(3))


def test_stacked_state_has_one_slice_per_model():
    models = [_mlp() for _ in range(4)]
    params, buffers = stack_module_state(models)
    assert sorted(params) == sorted(name for name, _ in models[0].named_parameters())
    assert sorted(buffers) == ["3.num_batches_tracked", "3.running_mean", "3.running_var"]
    for name, stacked in params.items():
        assert stacked.shape == (4, *dict(models[0].named_parameters())[name].shape)
        assert stacked.requires_grad and stacked.grad_fn is None  # a new leaf to train
        for m, model in enumerate(models):
            np.testing.assert_array_equal(
                stacked[m].detach().numpy(), dict(model.named_parameters())[name].detach().numpy()
            )
    assert not buffers["3.running_mean"].requires_grad


def test_an_ensemble_under_vmap_gives_each_models_output_and_gradients():
    gn.manual_seed(3)
    models = [_mlp().eval() for _ in range(3)]
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0]).to("meta")
    x = gn.randn(3, 8, 6)

    def fmodel(p, b, xs):
        return functional_call(base, (p, b), (xs,))

    together = vmap(fmodel)(params, buffers, x)
    one_by_one = gn.stack([model(x[m]) for m, model in enumerate(models)])
    np.testing.assert_allclose(together.detach().numpy(), one_by_one.detach().numpy(), atol=1e-6)
    shared = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x[0])
    assert shared.shape == (3, 8, 3)
    shared.sum().backward()
    first = params["0.weight"].grad
    assert first is not None and first.shape == (3, 5, 6)
    models[1](x[0]).sum().backward()  # the same gradient, computed on model 1 alone
    np.testing.assert_allclose(first[1].numpy(), models[1][0].weight.grad.numpy(), atol=1e-5)


def test_models_that_differ_are_refused_in_one_line():
    with pytest.raises(ValueError, match="parameters differ"):
        stack_module_state([_mlp(), nn.Linear(6, 3)])
    with pytest.raises(ValueError, match="at least one model"):
        stack_module_state([])
    with pytest.raises(TypeError, match="expected nn.Module objects, got int"):
        stack_module_state([_mlp(), 3])


def test_batch_norms_switch_to_batch_statistics():
    model = replace_all_batch_norm_modules_(_mlp().eval())
    norm = model[3]
    assert norm.running_mean is None and norm.running_var is None
    assert not norm.track_running_stats
    out = model(gn.randn(16, 6)).detach().numpy()
    np.testing.assert_allclose(out.mean(0), np.zeros(3), atol=1e-5)  # its own batch's mean


@needs_torch
def test_linearize_matches_torch():
    data = np.random.default_rng(0).standard_normal((4,)).astype(np.float32)
    tangent = np.random.default_rng(1).standard_normal((4,)).astype(np.float32)

    def ours(x):
        return (x.sin() * x).sum(0, keepdim=True) + x.exp()

    def theirs(x):
        return (x.sin() * x).sum(0, keepdim=True) + x.exp()

    out, jvp_fn = linearize(ours, gn.tensor(data))
    t_out, t_jvp_fn = torch.func.linearize(theirs, torch.tensor(data))
    np.testing.assert_allclose(out.numpy(), t_out.numpy(), rtol=1e-6)
    for direction in (tangent, np.ones(4, np.float32)):
        np.testing.assert_allclose(
            jvp_fn(gn.tensor(direction)).detach().numpy(),
            t_jvp_fn(torch.tensor(direction)).detach().numpy(),
            rtol=1e-5,
            atol=1e-6,
        )


@needs_torch
def test_stacked_state_matches_torch_layout():
    gn.manual_seed(0)
    ours = [nn.Linear(3, 2) for _ in range(2)]
    theirs = [torch.nn.Linear(3, 2) for _ in range(2)]
    with torch.no_grad():
        for g, t in zip(ours, theirs):
            t.weight.copy_(torch.from_numpy(g.weight.detach().numpy()))
            t.bias.copy_(torch.from_numpy(g.bias.detach().numpy()))
    p, _ = stack_module_state(ours)
    tp, _ = torch.func.stack_module_state(theirs)
    assert list(p) == list(tp)
    for name in p:
        np.testing.assert_array_equal(p[name].detach().numpy(), tp[name].detach().numpy())
        assert p[name].requires_grad == tp[name].requires_grad


def test_skip_init_and_meta_moves():
    layer = nn.utils.skip_init(nn.Linear, 4, 2, device="cpu")
    assert isinstance(layer, nn.Linear) and layer.weight.shape == (2, 4)
    with pytest.raises(TypeError, match="expected an nn.Module class"):
        nn.utils.skip_init(len, 3)
    model = _mlp()
    before = model[0].weight.detach().numpy().copy()
    assert model.to("meta") is model and model.to(device="meta") is model
    assert model.to_empty(device="cpu") is model
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), before)
    with pytest.raises(DeviceError, match="CPU only"):
        model.to_empty(device="cuda")
