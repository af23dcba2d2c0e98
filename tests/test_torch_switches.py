"""PyTorch's global switches (compile, torch.jit's script and trace, autocast, matmul precision,
determinism, default dtype) and parameters_to_vector / vector_to_parameters."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.torch_alias import MissingTorchName


def test_compile_and_autocast_leave_the_model_as_it_is():
    gn.manual_seed(0)
    model = nn.Linear(3, 2)
    x = gn.randn(4, 3)
    assert gn.compile(model) is model
    assert gn.compile(mode="max-autotune")(model) is model  # the decorator form
    with gn.autocast(device_type="cpu", dtype=gn.float16):
        y = model(x)
    np.testing.assert_array_equal(y.numpy(), model(x).numpy())
    assert y.dtype == gn.float32  # no lower-precision types here
    with pytest.raises(TypeError, match=r"compile expects a model or a function, got int"):
        gn.compile(3)


def test_torch_jit_script_and_trace_give_the_model_back_under_glassnet_run():
    from glassnet.torch_alias import aliased_torch

    gn.manual_seed(0)
    model = nn.Linear(3, 2)
    x = gn.randn(4, 3)
    with aliased_torch():
        import torch
        import torch.jit

        assert torch.jit.script(model) is model
        traced = torch.jit.trace(model, (x,))
        assert traced is model
        np.testing.assert_array_equal(traced(x).numpy(), model(x).numpy())

        @torch.jit.ignore
        def helper(v):
            return v * 2

        assert helper(3) == 6 and torch.jit.unused()(helper) is helper
        assert torch.jit.is_scripting() is False and torch.jit.is_tracing() is False
        with pytest.raises(MissingTorchName, match=r"torch.jit.save .*model.state_dict\(\)"):
            torch.jit.save(traced, "model.pt")
        with pytest.raises(MissingTorchName, match=r"torch.jit.load .*state_dict"):
            torch.jit.load("model.pt")
        with pytest.raises(TypeError, match=r"torch.jit.script expects a module or a function"):
            torch.jit.script(3)
        from torch.utils.data.distributed import DistributedSampler

        assert DistributedSampler is gn.data.DistributedSampler


def test_switches_are_checked_and_remembered():
    gn.set_float32_matmul_precision("high")
    try:
        assert gn.get_float32_matmul_precision() == "high"
    finally:
        gn.set_float32_matmul_precision("highest")
    with pytest.raises(ValueError, match=r"expects one of highest, high, medium, got 'fast'"):
        gn.set_float32_matmul_precision("fast")
    gn.use_deterministic_algorithms(True)
    with pytest.raises(TypeError, match=r"expects True or False"):
        gn.use_deterministic_algorithms("yes")


def test_the_default_dtype_is_float32_and_stays_so():
    assert gn.get_default_dtype() == gn.float32 and gn.tensor([1.5]).dtype == gn.float32
    gn.set_default_dtype(gn.float32)  # what it is already: accepted
    with pytest.raises(MissingTorchName, match=r"glassnet does not implement torch.set_default"):
        gn.set_default_dtype(gn.float64)


def test_parameters_to_vector_and_back_as_in_pytorch():
    torch = pytest.importorskip("torch")
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    flat = nn.utils.parameters_to_vector(model.parameters())
    assert flat.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    their_flat = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(flat.numpy(), their_flat.detach().numpy())
    flat.sum().backward()  # the concatenation is differentiable
    assert all(np.all(p.grad.numpy() == 1) for p in model.parameters())
    nn.utils.vector_to_parameters(gn.arange(26, dtype=gn.float32), model.parameters())
    np.testing.assert_array_equal(model[0].bias.numpy(), np.arange(12, 16))
    with pytest.raises(ValueError, match=r"the parameters hold 26 numbers, the vector 3"):
        nn.utils.vector_to_parameters(gn.zeros(3), model.parameters())
