"""torch._dynamo's script-facing names, torch.__future__'s switches, Module.compile and
torch.utils.swap_tensors (compared with torch 2.13 where torch can run it)."""

import importlib

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.torch_alias import aliased_torch
from glassnet.utils import swap_tensors


def test_dynamo_and_future_through_the_alias():
    with aliased_torch():
        dynamo = importlib.import_module("torch._dynamo")
        future = importlib.import_module("torch.__future__")
        dynamo.reset()
        dynamo.config.suppress_errors = True
        assert dynamo.disable(len) is len and dynamo.disable()(len) is len
        future.set_swap_module_params_on_conversion(True)
        assert future.get_swap_module_params_on_conversion() is True
        future.set_swap_module_params_on_conversion(False)
        with pytest.raises(TypeError, match="expects True or False"):
            future.set_overwrite_module_params_on_conversion("yes")
    assert gn._dynamo is dynamo


def test_module_compile_keeps_the_module_running_as_written():
    model = nn.Linear(3, 2)
    x = gn.randn(4, 3)
    before = model(x).detach().numpy()
    assert model.compile(mode="max-autotune", fullgraph=True) is None
    np.testing.assert_array_equal(model(x).detach().numpy(), before)


def test_swap_tensors_exchanges_contents_and_keeps_references():
    torch = pytest.importorskip("torch")
    results = []
    for lib, swap in ((gn, swap_tensors), (torch, torch.utils.swap_tensors)):
        a = lib.nn.Parameter(lib.ones(2))
        b = lib.zeros(3)
        b.note = "b's attribute"
        held = [a]
        swap(a, b)
        results.append(
            (type(a).__name__, tuple(a.shape), a.requires_grad, a.tolist(), getattr(a, "note", None),
             type(b).__name__, tuple(b.shape), b.requires_grad, b.tolist(), held[0] is a)
        )  # fmt: skip
    assert results[0] == results[1]
    with pytest.raises(TypeError, match="expected t2 to be a Tensor"):
        swap_tensors(gn.ones(1), [1.0])
