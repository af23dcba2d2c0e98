"""Learning-rate schedulers against torch.optim.lr_scheduler: the same lr (and momentum) each step."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim

torch = pytest.importorskip("torch")

STEPS = 80

# (id, optimizer name, optimizer kwargs, scheduler name, scheduler kwargs)
CASES = [
    ("StepLR", "SGD", {}, "StepLR", {"step_size": 7, "gamma": 0.6}),
    ("LambdaLR_warmup", "Adam", {}, "LambdaLR", {"lr_lambda": lambda t: min(1.0, (t + 1) / 10)}),
    (
        "LambdaLR_per_group",
        "SGD",
        {},
        "LambdaLR",
        {"lr_lambda": [lambda t: 0.95**t, lambda t: 1 / (1 + t)]},
    ),
    ("MultiplicativeLR", "SGD", {}, "MultiplicativeLR", {"lr_lambda": lambda t: 0.9 + 0.001 * t}),
    ("WarmRestarts", "SGD", {}, "CosineAnnealingWarmRestarts", {"T_0": 7}),
    (
        "WarmRestarts_longer",
        "Adam",
        {},
        "CosineAnnealingWarmRestarts",
        {"T_0": 5, "T_mult": 2, "eta_min": 0.001},
    ),
    ("MultiStepLR", "SGD", {}, "MultiStepLR", {"milestones": [5, 20, 20, 50], "gamma": 0.5}),
    ("ExponentialLR", "SGD", {}, "ExponentialLR", {"gamma": 0.97}),
    ("CosineAnnealingLR", "SGD", {}, "CosineAnnealingLR", {"T_max": 15}),
    ("CosineAnnealingLR_eta_min", "Adam", {}, "CosineAnnealingLR", {"T_max": 9, "eta_min": 0.01}),
    ("LinearLR", "SGD", {}, "LinearLR", {"start_factor": 0.05, "total_iters": 30}),
    (
        "LinearLR_decay",
        "SGD",
        {},
        "LinearLR",
        {"start_factor": 1.0, "end_factor": 0.2, "total_iters": 40},
    ),
    (
        "OneCycleLR_sgd",
        "SGD",
        {"momentum": 0.9},
        "OneCycleLR",
        {"max_lr": 2.0, "total_steps": STEPS},
    ),
    (
        "OneCycleLR_adam_linear_three_phase",
        "Adam",
        {},
        "OneCycleLR",
        {
            "max_lr": [0.5, 0.05],
            "epochs": 8,
            "steps_per_epoch": 10,
            "anneal_strategy": "linear",
            "three_phase": True,
            "pct_start": 0.2,
        },
    ),
    (
        "OneCycleLR_rmsprop_custom",
        "RMSprop",
        {"momentum": 0.5},
        "OneCycleLR",
        {
            "max_lr": 0.3,
            "total_steps": STEPS + 5,
            "base_momentum": [0.6, 0.7],
            "max_momentum": 0.99,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    ),
]


def pair(opt_name, opt_kwargs):
    """The same two-group optimizer in both frameworks (lr 0.1 and 0.4)."""
    ours = getattr(optim, opt_name)(
        [
            {"params": [gn.tensor([1.0], requires_grad=True)], "lr": 0.1},
            {"params": [gn.tensor([1.0], requires_grad=True)], "lr": 0.4},
        ],
        **opt_kwargs,
    )
    theirs = getattr(torch.optim, opt_name)(
        [
            {"params": [torch.tensor([1.0], requires_grad=True)], "lr": 0.1},
            {"params": [torch.tensor([1.0], requires_grad=True)], "lr": 0.4},
        ],
        **opt_kwargs,
    )
    return ours, theirs


def options(opt):
    """What the schedulers change: lr, and momentum or beta1."""
    out = []
    for g in opt.param_groups:
        out.append(g["lr"])
        if "momentum" in g:
            out.append(g["momentum"])
        if "betas" in g:
            out.append(g["betas"][0])
    return out


@pytest.mark.parametrize(
    "opt_name, opt_kwargs, sched_name, sched_kwargs",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_schedule_matches_torch(opt_name, opt_kwargs, sched_name, sched_kwargs):
    ours, theirs = pair(opt_name, opt_kwargs)
    s_ours = getattr(optim.lr_scheduler, sched_name)(ours, **sched_kwargs)
    s_theirs = getattr(torch.optim.lr_scheduler, sched_name)(theirs, **sched_kwargs)
    np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-12)
    for _ in range(STEPS):
        ours.step()
        theirs.step()
        s_ours.step()
        s_theirs.step()
        np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(s_ours.get_last_lr(), s_theirs.get_last_lr(), rtol=1e-10)


def test_chained_schedulers_match_torch():
    ours, theirs = pair("SGD", {"momentum": 0.9})
    scheds = []
    for mod, opt in ((optim.lr_scheduler, ours), (torch.optim.lr_scheduler, theirs)):
        scheds.append(
            [
                mod.LinearLR(opt, start_factor=0.1, total_iters=10),
                mod.CosineAnnealingLR(opt, T_max=25, eta_min=0.001),
                mod.MultiStepLR(opt, milestones=[30, 60]),
            ]
        )
    for _ in range(STEPS):
        ours.step()
        theirs.step()
        for a, b in zip(*scheds):
            a.step()
            b.step()
        np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-10)


@pytest.mark.parametrize(
    "sched_name, kwargs",
    [
        ("StepLR", {"step_size": 4}),
        ("MultiStepLR", {"milestones": [3, 3, 9]}),
        ("ExponentialLR", {"gamma": 0.9}),
        ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.02}),
        ("LinearLR", {"start_factor": 0.3, "total_iters": 8}),
    ],
    ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"],
)
def test_closed_form_step_with_epoch_matches_torch(sched_name, kwargs):
    ours, theirs = pair("SGD", {})
    s_ours = getattr(optim.lr_scheduler, sched_name)(ours, **kwargs)
    s_theirs = getattr(torch.optim.lr_scheduler, sched_name)(theirs, **kwargs)
    step_with_epochs(ours, theirs, s_ours, s_theirs, [3, 10, 1, 17, 8, 30])


def step_with_epochs(ours, theirs, s_ours, s_theirs, epochs):
    """Step both optimizers, then both schedulers with ``step(epoch)`` (PyTorch's deprecated
    closed form), comparing what the schedulers set after each."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in epochs:
            ours.step()
            theirs.step()
            s_ours.step(epoch)
            s_theirs.step(epoch)
            np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 3},
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 1, "min_lr": [0.02, 0.1]},
        {"mode": "max", "threshold_mode": "abs", "patience": 0, "eps": 0.05},
    ],
    ids=["defaults", "max_cooldown", "abs_min_lr", "max_abs_eps"],
)
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    ours, theirs = pair("SGD", {})
    s_ours = optim.lr_scheduler.ReduceLROnPlateau(ours, **kwargs)
    s_theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs)
    rng = np.random.default_rng(7)
    # a loss that falls, then wanders on plateaus with occasional small improvements
    metrics = np.concatenate([np.linspace(2, 1, 20), 1 + 0.05 * rng.standard_normal(STEPS * 2)])
    for m in metrics:
        s_ours.step(float(m))
        s_theirs.step(float(m))
        np.testing.assert_allclose(s_ours.get_last_lr(), s_theirs.get_last_lr(), rtol=1e-12)
        assert s_ours.best == s_theirs.best
        assert s_ours.num_bad_epochs == s_theirs.num_bad_epochs
    assert s_ours.get_last_lr()[0] < 0.1  # the schedule actually reduced the learning rate


def test_one_cycle_with_optimizer_steps_matches_torch_weights():
    # end to end: Adam + OneCycleLR changing lr and beta1 every step, weights compared
    rng = np.random.default_rng(3)
    target = rng.standard_normal(4)
    w0 = rng.standard_normal(4)
    w_g = gn.tensor(w0.copy(), requires_grad=True)
    w_t = torch.tensor(w0.copy(), requires_grad=True)
    opt_g, opt_t = optim.Adam([w_g]), torch.optim.Adam([w_t])
    s_g = optim.lr_scheduler.OneCycleLR(opt_g, max_lr=0.1, total_steps=STEPS)
    s_t = torch.optim.lr_scheduler.OneCycleLR(opt_t, max_lr=0.1, total_steps=STEPS)
    for _ in range(STEPS):
        w_g.grad = gn.tensor(w_g.numpy() - target)
        w_t.grad = w_t.detach() - torch.tensor(target)
        opt_g.step()
        opt_t.step()
        s_g.step()
        s_t.step()
        np.testing.assert_allclose(w_g.numpy(), w_t.detach().numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_with_fractional_epochs_as_in_pytorch(T_mult):
    lrs = []
    for lib in (gn, torch):
        p = lib.nn.Parameter(lib.zeros(1))
        opt = lib.optim.SGD([p], lr=0.5)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 3, T_mult, 0.01)
        seen = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                scheduler.step(epoch + i / 4)  # the call PyTorch's docs show
                seen.append(scheduler.get_last_lr()[0])
        lrs.append(seen)
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)
