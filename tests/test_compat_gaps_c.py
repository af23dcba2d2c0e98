"""PyTorch compatibility, small gaps (third file): bool negation, sign and angle at NaN, the
median of nothing, bool pairs in // and %, entropy with masked classes, the optimizer's step
count as a tensor, and the error types of chunk, split, reshape and backward(gradient=)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet
from glassnet.errors import DTypeError, ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

NAN = float("nan")


def test_negating_a_bool_tensor_is_refused_like_pytorch():
    for lib in (torch, glassnet):
        with pytest.raises(RuntimeError):
            -lib.tensor([True, False])
    with pytest.raises(DTypeError, match=r"neg: expected a number tensor, got a bool .* `~`"):
        -glassnet.tensor([True, False])
    # the mask's own inverse still works, and numbers still negate
    assert (~glassnet.tensor([True, False])).tolist() == [False, True]
    assert (-glassnet.tensor([1, -2])).tolist() == [-1, 2]


@pytest.mark.parametrize("name", ["sign", "sgn"])
def test_sign_of_nan_is_zero_like_pytorch(name):
    values = [NAN, -2.0, -0.0, 0.0, 3.0]
    ours = getattr(glassnet, name)(glassnet.tensor(values)).numpy()
    theirs = getattr(torch, name)(torch.tensor(values)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    assert ours[0] == 0.0


def test_sign_keeps_integers_and_has_zero_gradient():
    assert glassnet.tensor([-3, 0, 5]).sign().tolist() == [-1, 0, 1]
    x = glassnet.tensor([NAN, -1.0, 2.0], requires_grad=True)
    x.sign().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "values", [[NAN, -2.0, -0.0, 0.0, 3.0], [-2, 0, 3], [True, False], [-1e-30, 1e30]]
)
def test_angle_matches_pytorch(values):
    ours = glassnet.angle(glassnet.tensor(values))
    theirs = torch.angle(torch.tensor(values))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, equal_nan=True)


def test_angle_is_in_the_graph_with_zero_gradient():
    x = glassnet.tensor([-1.0, 2.0], requires_grad=True)
    y = glassnet.angle(x)
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_median_of_an_empty_tensor_is_what_pytorch_gives(name, dtype):
    ours = getattr(glassnet, name)(glassnet.zeros(0, dtype=getattr(glassnet, dtype)))
    theirs = getattr(torch, name)(torch.zeros(0, dtype=getattr(torch, dtype)))
    assert ours.shape == () and str(ours.dtype).endswith(dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_median_of_an_empty_tensor_stays_in_the_graph():
    x = glassnet.zeros(0, requires_grad=True)
    y = glassnet.median(x)
    assert math.isnan(y.item()) and y.requires_grad
    y.backward()
    assert x.grad.shape == (0,)
    # an empty dimension is still a mistake, named
    with pytest.raises(IndexError, match="empty"):
        glassnet.median(glassnet.zeros(2, 0), 1)


@pytest.mark.parametrize(
    "op",
    [
        lambda lib, a, b: lib.remainder(a, b),
        lambda lib, a, b: lib.fmod(a, b),
        lambda lib, a, b: a // b,
        lambda lib, a, b: a % b,
        lambda lib, a, b: lib.floor_divide(a, b),
        lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    ],
)
def test_rounding_divisions_of_two_bools_are_refused_like_pytorch(op):
    for lib in (torch, glassnet):
        a, b = lib.tensor([True, False]), lib.tensor([True, True])
        with pytest.raises(NotImplementedError):
            op(lib, a, b)
    with pytest.raises(NotImplementedError, match="not bool, got bool and bool"):
        op(glassnet, glassnet.tensor([True]), glassnet.tensor([True]))


def test_rounding_divisions_with_one_bool_still_work():
    for lib in (torch, glassnet):
        a = lib.tensor([True, False])
        assert (a % 2).tolist() == [1, 0]
        assert lib.fmod(lib.tensor([5, 7]), lib.tensor([True, True])).tolist() == [0, 0]


def test_entropy_with_a_masked_class_matches_pytorch():
    logits = [[0.0, -math.inf, 1.0], [-math.inf, 2.0, -math.inf], [0.5, 0.5, 0.5]]
    ours = glassnet.distributions.Categorical(logits=glassnet.tensor(logits)).entropy()
    theirs = torch.distributions.Categorical(logits=torch.tensor(logits)).entropy()
    assert not np.isnan(ours.numpy()).any()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


def test_entropy_gradient_with_a_masked_class_is_finite():
    logits = glassnet.tensor([0.0, -math.inf, 1.0], requires_grad=True)
    glassnet.distributions.Categorical(logits=logits).entropy().backward()
    t_logits = torch.tensor([0.0, -math.inf, 1.0], requires_grad=True)
    torch.distributions.Categorical(logits=t_logits).entropy().backward()
    np.testing.assert_allclose(logits.grad.numpy(), t_logits.grad.numpy(), atol=1e-6)


OPTIMIZERS_WITH_A_STEP = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "RMSprop", "ASGD"]


def _one_step(lib, name):
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0, 3.0]))
    opt = getattr(lib.optim, name)([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    return w, opt


@pytest.mark.parametrize("name", OPTIMIZERS_WITH_A_STEP)
def test_step_count_is_a_0d_float_tensor_like_pytorch(name):
    w, opt = _one_step(glassnet, name)
    t_w, t_opt = _one_step(torch, name)
    step, t_step = opt.state[w]["step"], t_opt.state[t_w]["step"]
    assert isinstance(step, glassnet.Tensor) and step.shape == () and step.dtype == glassnet.float32
    assert step.item() == t_step.item() == 3.0 and int(step) == 3
    assert not step.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), t_w.detach().numpy(), rtol=1e-5, atol=1e-6)
    # the state dict holds a snapshot: later steps leave it alone
    saved = opt.state_dict()
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    assert saved["state"][0]["step"].item() == 3.0 and opt.state[w]["step"].item() == 4.0


@pytest.mark.parametrize("saved_step", [5, np.int64(5), np.array(5.0, dtype=np.float32)])
def test_step_count_loads_from_an_int_or_a_tensor(saved_step):
    w, opt = _one_step(glassnet, "Adam")
    saved = opt.state_dict()
    saved["state"][0]["step"] = saved_step
    opt.load_state_dict(saved)
    step = opt.state[w]["step"]
    assert isinstance(step, glassnet.Tensor) and step.item() == 5.0
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    assert opt.state[w]["step"].item() == 6.0


def test_step_count_from_a_pytorch_checkpoint_continues_the_same_updates():
    t_w, t_opt = _one_step(torch, "Adam")
    w = glassnet.nn.Parameter(glassnet.tensor(t_w.detach().numpy()))
    opt = glassnet.optim.Adam([w], lr=0.1)
    t_state = t_opt.state_dict()
    opt.load_state_dict(
        {
            "state": {
                k: {key: glassnet.tensor(v.numpy()) for key, v in s.items()}
                for k, s in t_state["state"].items()
            },
            "param_groups": t_state["param_groups"],
        }
    )
    for lib_w, lib_opt in ((w, opt), (t_w, t_opt)):
        lib_opt.zero_grad()
        (lib_w * lib_w).sum().backward()
        lib_opt.step()
    np.testing.assert_allclose(w.detach().numpy(), t_w.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_step_that_is_not_one_number_is_refused():
    w, opt = _one_step(glassnet, "Adam")
    saved = opt.state_dict()
    saved["state"][0]["step"] = [1, 2]
    with pytest.raises(TypeError, match=r"'step' must be one number .* shape \(2,\)"):
        opt.load_state_dict(saved)
    assert opt.state[w]["step"].item() == 3.0  # nothing changed


def test_step_count_written_as_an_int_by_a_script_keeps_counting():
    w, opt = _one_step(glassnet, "RMSprop")
    opt.state[w]["step"] = 10
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()
    assert opt.state[w]["step"].item() == 11.0


@pytest.mark.parametrize(
    "call", [lambda x: x.chunk(0), lambda x: x.split(0), lambda x: x.chunk(-2)]
)
def test_chunk_and_split_sizes_below_one_raise_pytorchs_error_type(call):
    with pytest.raises(RuntimeError):
        call(torch.arange(6.0))
    with pytest.raises(ValueRangeError, match="must be positive"):
        call(glassnet.arange(6.0))


def test_reshape_with_two_unknown_dimensions_says_so():
    with pytest.raises(ShapeError, match="only one dimension can be -1"):
        glassnet.arange(6.0).reshape(-1, -1)
    with pytest.raises(ShapeError, match="6 elements do not fill it"):
        glassnet.arange(6.0).reshape(4, -1)


def test_backward_with_a_gradient_of_the_wrong_shape_raises_pytorchs_error_type():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2).backward(torch.ones(3))
    y = glassnet.ones(2, requires_grad=True)
    with pytest.raises(ShapeError, match=r"gradient has shape \(3,\) but the output has shape"):
        (y * 2).backward(glassnet.ones(3))
    assert y.grad is None
