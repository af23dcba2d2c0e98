"""nn.parameter.UninitializedParameter / UninitializedBuffer / is_lazy, in a lazy module
written as for PyTorch (LazyModuleMixin), against torch 2.13."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.nn.modules.lazy import LazyModuleMixin
from glassnet.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy


def _lazy_class(lib, mixin, parameter, buffer):
    class LazyProjection(mixin, lib.nn.Module):
        def __init__(self, out):
            super().__init__()
            self.out = out
            self.weight = parameter()
            self.register_buffer("calls", buffer())

        def initialize_parameters(self, x):
            if self.has_uninitialized_params():
                with lib.no_grad():
                    self.weight.materialize((self.out, x.shape[-1]))
                    self.weight.copy_(
                        lib.arange(self.out * x.shape[-1] * 1.0).reshape(self.out, -1)
                    )
                    self.calls.materialize((1,))
                    self.calls.zero_()

        def forward(self, x):
            self.calls += 1
            return x @ self.weight.t()

    return LazyProjection


def test_materialize_gives_the_same_object_its_shape_in_place():
    model = _lazy_class(gn, LazyModuleMixin, UninitializedParameter, UninitializedBuffer)(3)
    weight = model.weight
    assert is_lazy(weight) and isinstance(weight, nn.Parameter) and model.has_uninitialized_params()
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    y = model(gn.ones(2, 4))
    assert model.weight is weight and not is_lazy(weight) and type(weight) is nn.Parameter
    assert weight.shape == (3, 4) and model.calls.tolist() == [1.0]
    y.sum().backward()
    opt.step()
    np.testing.assert_allclose(weight.detach().numpy(), np.arange(12.0).reshape(3, 4) - 0.2)
    assert not is_lazy(gn.zeros(2)) and not is_lazy(nn.Parameter(gn.zeros(2)))


def test_refuses_other_devices():
    with pytest.raises(Exception, match="CPU only"):
        UninitializedParameter(device="cuda")


def test_matches_torch():
    torch = pytest.importorskip("torch")
    from torch.nn.modules.lazy import LazyModuleMixin as TorchMixin

    ours = _lazy_class(gn, LazyModuleMixin, UninitializedParameter, UninitializedBuffer)(3)
    theirs = _lazy_class(
        torch, TorchMixin, torch.nn.parameter.UninitializedParameter,
        torch.nn.parameter.UninitializedBuffer,
    )(3)  # fmt: skip
    assert is_lazy(ours.weight) == torch.nn.parameter.is_lazy(theirs.weight)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    a, b = ours(gn.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
