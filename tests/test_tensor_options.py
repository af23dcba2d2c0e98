"""PyTorch's tensor options (layout=, pin_memory=, memory_format=, out=), Size shapes,
once_differentiable, and the torch.autograd.* module paths, checked against torch 2.13."""

import importlib
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.function import FunctionCtx, once_differentiable
from glassnet.torch_alias import aliased_torch

try:
    import torch
except ImportError:  # the parity parts skip; the rest runs
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


# ---------------------------------------------------------------------------- Size


def test_shape_and_size_are_sizes_equal_to_tuples():
    x = gn.zeros(2, 3, 4)
    assert isinstance(x.shape, gn.Size) and isinstance(x.size(), gn.Size)
    assert x.shape == (2, 3, 4) and hash(x.shape) == hash((2, 3, 4))
    assert x.shape.numel() == 24 and x.size(1) == 3
    assert repr(x.shape) == "glassnet.Size([2, 3, 4])"
    assert str(x.shape) == "(2, 3, 4)"  # print and messages keep the plain tuple
    assert np.zeros(x.shape).shape == (2, 3, 4)
    assert gn.zeros(()).shape.numel() == 1


@needs_torch
def test_size_behaves_as_torch_size():
    for shape in [(2, 3), (5,), (), (1, 0, 4)]:
        ours, theirs = gn.zeros(shape).shape, torch.zeros(shape).shape
        assert tuple(ours) == tuple(theirs)
        assert ours.numel() == theirs.numel()
        assert repr(ours).replace("glassnet", "torch") == repr(theirs)


# ---------------------------------------------------------------------------- tensor options


FACTORIES = [
    ("zeros", (2, 3)),
    ("ones", (2, 3)),
    ("empty", (2, 3)),
    ("rand", (2, 3)),
    ("randn", (2, 3)),
]


@pytest.mark.parametrize("name,size", FACTORIES)
def test_factories_accept_layout_pin_memory_and_memory_format(name, size):
    made = getattr(gn, name)(
        *size, layout=gn.strided, pin_memory=False, memory_format=gn.contiguous_format
    )
    assert made.shape == size and made.dtype == np.float32


def test_factories_with_out_write_into_it():
    target = gn.empty(2, 3)
    result = gn.ones(2, 3, out=target)
    assert result is target and np.array_equal(target.numpy(), np.ones((2, 3)))
    steps = gn.empty(4, dtype=gn.float64)
    gn.arange(4, out=steps)
    assert steps.dtype == np.float64 and steps.tolist() == [0, 1, 2, 3]
    ident = gn.empty(2, 2)
    gn.eye(2, out=ident)
    assert np.array_equal(ident.numpy(), np.eye(2))


def test_like_factories_and_new_methods_accept_the_options():
    x = gn.ones(2, 3, dtype=gn.float64)
    for name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        made = getattr(gn, name)(x, memory_format=gn.preserve_format, layout=gn.strided)
        assert made.shape == (2, 3) and made.dtype == np.float64
    assert gn.full_like(x, 7.0, memory_format=gn.preserve_format).tolist() == [[7.0] * 3] * 2
    assert x.new_zeros(4, layout=gn.strided, pin_memory=False).shape == (4,)
    assert x.new_tensor([1, 2], pin_memory=False).dtype == np.float64
    assert gn.tensor([1.0], pin_memory=False).tolist() == [1.0]


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: gn.zeros(2, layout=gn.sparse_coo), "zeros: glassnet only has dense tensors"),
        (lambda: gn.zeros(2, memory_format="nhwc"), "zeros: memory_format expects"),
        (lambda: gn.ones(2, pin_memory="yes"), "ones: pin_memory expects True or False"),
        (lambda: gn.ones(2).contiguous(memory_format=1), "contiguous: memory_format expects"),
        (lambda: gn.ones(2).to(memory_format=1), "to: memory_format expects"),
        (lambda: gn.clone(gn.ones(2), memory_format="nhwc"), "clone: memory_format"),
    ],
)
def test_bad_options_are_refused_in_one_line(call, message):
    with pytest.raises(TypeError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_out_is_refused_while_recording_a_graph():
    with pytest.raises(RuntimeError, match="out= don't support automatic differentiation"):
        gn.zeros(2, out=gn.empty(2, requires_grad=True))


def test_methods_accept_memory_format_and_keep_the_graph():
    x = gn.randn(2, 3, 4, 5, requires_grad=True)
    for y in (
        x.contiguous(memory_format=gn.channels_last),
        x.clone(memory_format=gn.preserve_format),
        gn.clone(x, memory_format=gn.contiguous_format),
        x.float(memory_format=gn.preserve_format),
        x.to(memory_format=gn.channels_last),
        x.cpu(memory_format=gn.preserve_format),
    ):
        assert np.array_equal(y.numpy(), x.detach().numpy())
    x.clone(memory_format=gn.preserve_format).sum().backward()
    assert np.array_equal(x.grad.numpy(), np.ones((2, 3, 4, 5), np.float32))
    assert x.double(memory_format=gn.preserve_format).dtype == np.float64


@needs_torch
@pytest.mark.parametrize(
    "shape,permutation",
    [((2, 3, 4, 5), None), ((2, 3, 4, 5), (0, 2, 3, 1)), ((2, 1, 4, 5), (0, 2, 3, 1)),
     ((2, 3, 1, 1), None), ((3, 4), None), ((2, 3, 4, 5, 6), (0, 2, 3, 4, 1))],
)  # fmt: skip
def test_is_contiguous_in_each_memory_format_agrees_with_torch(shape, permutation):
    data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    if permutation is not None:  # store it with the channels innermost, viewed back as NC...
        back = np.argsort(permutation)
        data = np.ascontiguousarray(data.transpose(permutation)).transpose(back)
    ours = gn.from_numpy(data)
    theirs = torch.from_numpy(data)
    for fmt in ("contiguous_format", "channels_last", "channels_last_3d"):
        assert ours.is_contiguous(memory_format=getattr(gn, fmt)) == theirs.is_contiguous(
            memory_format=getattr(torch, fmt)
        ), fmt


# ---------------------------------------------------------------------------- once_differentiable


class _Cube(gn.autograd.Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x**2


def test_once_differentiable_gives_the_first_derivative():
    x = gn.tensor([1.0, 2.0, -1.5], requires_grad=True)
    _Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([1.0, 4.0, 2.25]), rtol=1e-6)


def test_once_differentiable_refuses_a_second_derivative():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    v = gn.ones(2, requires_grad=True)
    (g,) = gn.autograd.grad(_Cube.apply(x), x, grad_outputs=v, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(g.detach().numpy(), [3.0, 12.0])
    with pytest.raises(RuntimeError, match="differentiate twice a function that was marked"):
        g.sum().backward()


def test_once_differentiable_without_graph_inputs_gives_plain_gradients():
    x = gn.tensor([2.0], requires_grad=True)
    (g,) = gn.autograd.grad(_Cube.apply(x).sum(), x, create_graph=True)
    assert not g.requires_grad and g.tolist() == [12.0]


# ---------------------------------------------------------------------------- module paths


SCRIPT = """
import torch
import torch.autograd.functional as AF
from torch.autograd.functional import jacobian
from torch.autograd.function import Function, FunctionCtx, once_differentiable
from torch.autograd.variable import Variable
from torch.autograd import functional
x = torch.tensor([1.0, 2.0])
J = jacobian(lambda t: t ** 2, x)
print(J.tolist(), AF is functional, Variable(x).tolist(), torch.zeros(2, 3).shape.numel())
"""


def test_torch_autograd_submodules_import_under_the_alias(tmp_path):
    script = tmp_path / "paths.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, "-m", "glassnet", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[[2.0, 0.0], [0.0, 4.0]] True [1.0, 2.0] 6"


def test_the_alias_leaves_glassnet_autograd_a_plain_module_afterwards():
    with aliased_torch():
        assert importlib.import_module("torch.autograd.functional").jacobian
        assert hasattr(gn.autograd, "__path__")
    assert not hasattr(gn.autograd, "__path__")


# ---------------------------------------------------------------------------- small call forms


def test_numpy_force_lr_tensor_and_dense_conversions():
    x = gn.randn(3, requires_grad=True)
    assert np.array_equal(x.numpy(force=True), x.detach().numpy())
    model = gn.nn.Linear(2, 1)
    opt = gn.optim.Adam(model.parameters(), lr=gn.tensor(0.01))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    model(gn.ones(1, 2)).sum().backward()
    before = model.weight.detach().numpy().copy()
    opt.step()
    np.testing.assert_allclose(np.abs(model.weight.detach().numpy() - before), 0.01, rtol=1e-3)
    dense = gn.ones(2)
    assert dense.to_dense() is dense and dense.to_dense(gn.float64).dtype == np.float64
    for name in ("to_sparse", "to_sparse_csr"):
        with pytest.raises(TypeError, match=f"{name}: glassnet only has dense tensors"):
            getattr(dense, name)()
