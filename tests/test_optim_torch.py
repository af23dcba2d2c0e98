"""Optimizers against torch.optim: same weights, same gradients, 60 steps, same trajectory."""

import inspect

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim

torch = pytest.importorskip("torch")

STEPS = 60

CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.3},
    ),
    ("Adagrad", {"lr": 0.05, "eps": 1e-3, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.02, "betas": (0.5, 0.6), "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.3, "maximize": True}),
    ("Adamax", {"lr": 0.05}),
    ("Adamax", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-4, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.02, "maximize": True}),
    ("NAdam", {"lr": 0.05}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.02, "betas": (0.8, 0.99), "maximize": True}),
    ("RAdam", {"lr": 0.05}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.02, "betas": (0.5, 0.9), "maximize": True}),
]
NEW_IN_ISSUE_9 = ["Adadelta", "Adamax", "NAdam", "RAdam"]
IDS = [
    f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, kw in CONFIGS
]


@pytest.fixture(autouse=True)
def float64_scalar_state(request):
    """torch keeps NAdam's mu_product in the default dtype: float64, as glassnet's Python float."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


RNG = np.random.default_rng(1234)
A = RNG.standard_normal((8, 5))
B = RNG.standard_normal((8, 3))
W0 = RNG.standard_normal((3, 5)) * 0.5
C0 = RNG.standard_normal(3) * 0.5


def grads(w, c, k):
    """Gradient of 0.5 * ||A w^T + c - B||^2 / 8, plus a step-dependent wobble."""
    r = A @ w.T + c - B
    gw = r.T @ A / 8 + 0.1 * np.sin(k + np.arange(w.size)).reshape(w.shape)
    gc = r.mean(0)
    return gw, gc


def make(name, params, kwargs, framework):
    cls = getattr(optim if framework is gn else torch.optim, name)
    return cls(params, **kwargs)


def step_both(ours, theirs, opt_g, opt_t, k):
    for p, g in zip(ours, grads(*(p.numpy() for p in ours), k)):
        p.grad = gn.tensor(g.astype(p.numpy().dtype))
    for p, g in zip(theirs, grads(*(p.detach().numpy() for p in theirs), k)):
        p.grad = torch.tensor(g).to(p.dtype)
    opt_g.step()
    opt_t.step()


def assert_same(ours, theirs, rtol=1e-6, atol=1e-9):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def new_pair(dtype="float64"):
    ours = [gn.tensor(x.astype(dtype), requires_grad=True) for x in (W0, C0)]
    theirs = [torch.tensor(x.astype(dtype), requires_grad=True) for x in (W0, C0)]
    return ours, theirs


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=IDS)
def test_trajectory_matches_torch(name, kwargs):
    ours, theirs = new_pair()
    opt_g, opt_t = make(name, ours, kwargs, gn), make(name, theirs, kwargs, torch)
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
        assert_same(ours, theirs)
    assert not np.allclose(ours[0].numpy(), W0)  # the weights really moved


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", *NEW_IN_ISSUE_9])
def test_param_groups_with_different_lr_match_torch(name):
    ours, theirs = new_pair()
    kwargs = {"lr": 0.02, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.02}
    opt_g = make(name, [{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.1}], kwargs, gn)
    opt_t = make(name, [{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": 0.1}], kwargs, torch)
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
        if k == 30:  # a scheduler-style change of lr mid-run
            opt_g.param_groups[0]["lr"] = opt_t.param_groups[0]["lr"] = 0.005
    assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", *NEW_IN_ISSUE_9])
def test_float32_trajectory_matches_torch(name):
    ours, theirs = new_pair("float32")
    kwargs = {"lr": 0.02, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.02}
    opt_g, opt_t = make(name, ours, kwargs, gn), make(name, theirs, kwargs, torch)
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
    assert ours[0].numpy().dtype == np.float32
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


def torch_state_to_glassnet(sd, opt):
    """torch.optim state_dict -> plain arrays and numbers, with only the options we have."""
    state = {
        k: {key: (int(v.item()) if key == "step" else v.numpy()) for key, v in s.items()}
        for k, s in sd["state"].items()
    }
    groups = [
        {k: v for k, v in g.items() if k in opt.param_groups[0] or k == "params"}
        for g in sd["param_groups"]
    ]
    return {"state": state, "param_groups": groups}


@pytest.mark.parametrize("name, kwargs", CONFIGS[1::2], ids=IDS[1::2])
def test_state_loaded_from_torch_continues_like_torch(name, kwargs):
    ours, theirs = new_pair()
    opt_t = make(name, theirs, kwargs, torch)
    scratch = [gn.tensor(x, requires_grad=True) for x in (W0, C0)]
    opt_scratch = make(name, scratch, kwargs, gn)
    for k in range(20):
        step_both(scratch, theirs, opt_scratch, opt_t, k)
    for a, b in zip(ours, theirs):
        a.numpy()[...] = b.detach().numpy()
    opt_g = make(name, ours, kwargs, gn)
    opt_g.load_state_dict(torch_state_to_glassnet(opt_t.state_dict(), opt_g))
    for k in range(20, 20 + STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
    assert_same(ours, theirs)


def _by_position_and_keyword(cls):
    """(the positional options with their defaults, the keyword-only ones) of a constructor."""
    parameters = inspect.signature(cls).parameters.values()
    positional = [(p.name, p.default) for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p.default for p in parameters if p.kind is p.KEYWORD_ONLY}
    return positional, keyword


# torch's arguments that choose how it computes on its devices, not what: glassnet has none
IMPLEMENTATION_SWITCHES = {"foreach", "fused", "capturable", "differentiable"}


@pytest.mark.parametrize("name", optim.__all__[1:-1])  # every optimizer, not the base class
def test_constructor_takes_torchs_arguments_in_torchs_order(name):
    ours_positional, ours_keyword = _by_position_and_keyword(getattr(optim, name))
    theirs_positional, theirs_keyword = _by_position_and_keyword(getattr(torch.optim, name))
    assert ours_positional == theirs_positional[: len(ours_positional)]
    theirs_all = {**dict(theirs_positional), **theirs_keyword}
    for option, default in ours_keyword.items():
        assert option in theirs_all and theirs_all[option] == default, option
    # torch's later positional arguments: its switches, or options glassnet takes by keyword
    later = {option for option, _ in theirs_positional[len(ours_positional) :]}
    assert later <= IMPLEMENTATION_SWITCHES | set(ours_keyword), later
