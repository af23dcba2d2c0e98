"""ConstantLR, PolynomialLR, CyclicLR, SequentialLR and ChainedScheduler, against torch.optim.lr_scheduler."""

import math
import warnings

import numpy as np
import pytest
from test_lr_scheduler_torch import options, step_with_epochs

import glassnet as gn
from glassnet import optim
from glassnet.optim import lr_scheduler as S
from glassnet.serialization import load, save

STEPS = 90
NEW = ["ConstantLR", "PolynomialLR", "CyclicLR", "SequentialLR", "ChainedScheduler"]


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def make_opt(lib, opt_name="SGD", opt_kwargs=None, lrs=(0.1, 0.4)):
    """A two-group optimizer (lr 0.1 and 0.4) of glassnet (lib=gn) or of torch."""
    groups = [{"params": [lib.tensor([1.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return getattr(lib.optim, opt_name)(groups, **(opt_kwargs or {}))


# (id, optimizer name, optimizer kwargs, build(L, opt) with L = either lr_scheduler module)
CASES = [
    ("ConstantLR_defaults", "SGD", {}, lambda L, o: L.ConstantLR(o)),
    (
        "ConstantLR_half_10",
        "Adam",
        {},
        lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=10),
    ),
    ("ConstantLR_factor_1", "SGD", {}, lambda L, o: L.ConstantLR(o, factor=1.0, total_iters=3)),
    ("PolynomialLR_defaults", "SGD", {}, lambda L, o: L.PolynomialLR(o)),
    (
        "PolynomialLR_square_30",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.PolynomialLR(o, total_iters=30, power=2.0),
    ),
    (
        "PolynomialLR_sqrt_longer_than_run",
        "Adam",
        {},
        lambda L, o: L.PolynomialLR(o, total_iters=200, power=0.5),
    ),
    ("PolynomialLR_power_0", "SGD", {}, lambda L, o: L.PolynomialLR(o, total_iters=9, power=0)),
    (
        "CyclicLR_triangular_sgd_momentum",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7),
    ),
    (
        "CyclicLR_triangular2_adam_per_group",
        "Adam",
        {},
        lambda L, o: L.CyclicLR(
            o,
            base_lr=[0.001, 0.002],
            max_lr=[0.01, 0.05],
            step_size_up=5,
            step_size_down=9,
            mode="triangular2",
        ),
    ),
    (
        "CyclicLR_exp_range_rmsprop",
        "RMSprop",
        {"momentum": 0.5},
        lambda L, o: L.CyclicLR(
            o,
            base_lr=0.01,
            max_lr=0.2,
            step_size_up=6,
            step_size_down=3,
            mode="exp_range",
            gamma=0.97,
            base_momentum=[0.6, 0.7],
            max_momentum=0.95,
        ),
    ),
    (
        # a mode fixes what its scale is a function of: scale_mode is ignored without scale_fn
        "CyclicLR_exp_range_ignores_scale_mode",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, mode="exp_range", gamma=0.9, scale_mode="cycle"),
    ),
    (
        "CyclicLR_triangular2_ignores_scale_mode",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, 3, mode="triangular2", scale_mode="iterations"),
    ),
    (
        "CyclicLR_scale_fn_iterations",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.CyclicLR(
            o, 0.05, 0.5, 8, scale_fn=lambda t: 1 / (1 + 0.02 * t), scale_mode="iterations"
        ),
    ),
    (
        "CyclicLR_scale_fn_cycle_adam",
        "Adam",
        {},
        lambda L, o: L.CyclicLR(o, 0.001, 0.01, 3, 12, scale_fn=lambda c: 0.8**c),
    ),
    (
        "CyclicLR_no_momentum_adagrad",
        "Adagrad",
        {},
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, 5, cycle_momentum=False),
    ),
    (
        # PyTorch's SGD always has a momentum (0), so CyclicLR cycles it from 0.9 (as here)
        "CyclicLR_plain_sgd_gets_momentum",
        "SGD",
        {},
        lambda L, o: L.CyclicLR(o, 0.01, 0.1, 10),
    ),
    (
        "SequentialLR_warmup_cosine",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.SequentialLR(
            o,
            [
                L.LinearLR(o, start_factor=0.1, total_iters=5),
                L.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
            ],
            milestones=[5],
        ),
    ),
    (
        "SequentialLR_switch_before_warmup_ends",
        "Adam",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [L.LinearLR(o, start_factor=0.2, total_iters=10), L.CosineAnnealingLR(o, T_max=12)],
            milestones=[4],
        ),
    ),
    (
        "SequentialLR_constant_exponential",
        "SGD",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [L.ConstantLR(o, factor=0.2, total_iters=4), L.ExponentialLR(o, gamma=0.95)],
            milestones=[6],
        ),
    ),
    (
        # MultiplicativeLR multiplies when SequentialLR restarts it at step 0, as in torch
        "SequentialLR_constant_multiplicative",
        "SGD",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [L.ConstantLR(o, factor=0.5, total_iters=2), L.MultiplicativeLR(o, lambda t: 0.9)],
            milestones=[3],
        ),
    ),
    (
        "SequentialLR_three_schedulers",
        "Adam",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [
                L.ExponentialLR(o, gamma=0.9),
                L.PolynomialLR(o, total_iters=10, power=2.0),
                L.StepLR(o, step_size=5, gamma=0.5),
            ],
            milestones=[8, 25],
        ),
    ),
    (
        "SequentialLR_multistep_then_linear",
        "SGD",
        {},
        lambda L, o: L.SequentialLR(
            o,
            [L.MultiStepLR(o, milestones=[2, 4]), L.LinearLR(o, 1.0, 0.1, total_iters=20)],
            milestones=[7],
        ),
    ),
    (
        "SequentialLR_cyclic_then_cosine",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.SequentialLR(
            o,
            [L.CyclicLR(o, 0.01, 0.05, step_size_up=4), L.CosineAnnealingLR(o, T_max=40)],
            milestones=[16],
        ),
    ),
    (
        "ChainedScheduler_constant_exponential",
        "SGD",
        {},
        lambda L, o: L.ChainedScheduler(
            [L.ConstantLR(o, factor=0.1, total_iters=3), L.ExponentialLR(o, gamma=0.9)]
        ),
    ),
    (
        "ChainedScheduler_cosine_polynomial_given_optimizer",
        "Adam",
        {},
        lambda L, o: L.ChainedScheduler(
            [L.CosineAnnealingLR(o, T_max=20), L.PolynomialLR(o, total_iters=60)], optimizer=o
        ),
    ),
    (
        # CyclicLR's first lr comes from the groups' initial_lr, which LinearLR set before it
        # (PyTorch's order; base_lr rules from the second step on)
        "ChainedScheduler_linear_then_cyclic",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.ChainedScheduler(
            [L.LinearLR(o, 0.5, total_iters=4), L.CyclicLR(o, 0.01, 0.1, step_size_up=3)]
        ),
    ),
    (
        "ChainedScheduler_cyclic_step",
        "SGD",
        {"momentum": 0.9},
        lambda L, o: L.ChainedScheduler(
            [L.CyclicLR(o, 0.01, 0.1, step_size_up=6), L.StepLR(o, step_size=10, gamma=0.5)]
        ),
    ),
]


@pytest.mark.parametrize(
    "opt_name, opt_kwargs, build", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_schedule_matches_torch(torch, opt_name, opt_kwargs, build):
    ours = make_opt(gn, opt_name, opt_kwargs)
    theirs = make_opt(torch, opt_name, opt_kwargs)
    s_ours = build(S, ours)
    s_theirs = build(torch.optim.lr_scheduler, theirs)
    np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-12)
    np.testing.assert_allclose(s_ours.get_last_lr(), s_theirs.get_last_lr(), rtol=1e-12)
    for _ in range(STEPS):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a correct loop warns of nothing (milestones too)
            ours.step()
            s_ours.step()
        theirs.step()
        s_theirs.step()
        np.testing.assert_allclose(options(ours), options(theirs), rtol=1e-12)
        np.testing.assert_allclose(s_ours.get_last_lr(), s_theirs.get_last_lr(), rtol=1e-12)
        assert getattr(s_ours, "last_epoch", None) == getattr(s_theirs, "last_epoch", None)


def test_cyclic_lr_with_momentum_drives_sgd_weights_as_torch(torch):
    # end to end: the momentum CyclicLR writes into the group is the one SGD uses
    rng = np.random.default_rng(5)
    target, w0 = rng.standard_normal(3), rng.standard_normal(3)
    w_g = gn.tensor(w0.copy(), requires_grad=True)
    w_t = torch.tensor(w0.copy(), requires_grad=True)
    opt_g = optim.SGD([w_g], lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD([w_t], lr=0.1, momentum=0.9)
    s_g = S.CyclicLR(opt_g, 0.01, 0.2, step_size_up=5, mode="triangular2")
    s_t = torch.optim.lr_scheduler.CyclicLR(opt_t, 0.01, 0.2, step_size_up=5, mode="triangular2")
    for _ in range(40):
        w_g.grad = gn.tensor(w_g.numpy() - target)
        w_t.grad = w_t.detach() - torch.tensor(target)
        opt_g.step()
        opt_t.step()
        s_g.step()
        s_t.step()
    np.testing.assert_allclose(w_g.numpy(), w_t.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "build",
    [
        lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=6),
        lambda L, o: L.PolynomialLR(o, total_iters=12, power=1.5),
    ],
    ids=["ConstantLR", "PolynomialLR"],
)
def test_closed_form_step_with_epoch_matches_torch(torch, build):
    ours, theirs = make_opt(gn), make_opt(torch)
    s_ours, s_theirs = build(S, ours), build(torch.optim.lr_scheduler, theirs)
    step_with_epochs(ours, theirs, s_ours, s_theirs, [3, 10, 1, 17, 8, 6, 5, 30])


@pytest.mark.parametrize(
    "build, closed_form",
    [
        (lambda o: S.ConstantLR(o, factor=0.4, total_iters=7), lambda t: 0.4 if t < 7 else 1.0),
        (
            lambda o: S.PolynomialLR(o, total_iters=10, power=3.0),
            lambda t: (1 - min(t, 10) / 10) ** 3,
        ),
    ],
    ids=["ConstantLR", "PolynomialLR"],
)
def test_recursive_form_follows_the_closed_form(build, closed_form):
    opt = make_opt(gn, lrs=(1.0,))
    sched = build(opt)
    lrs = []
    for _ in range(20):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(lrs, [closed_form(t) for t in range(20)], rtol=1e-12, atol=1e-15)


def test_cyclic_lr_first_cycles_and_momentum():
    opt = make_opt(gn, "SGD", {"momentum": 0.5}, lrs=(1.0,))
    sched = S.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2, step_size_down=4)
    lrs, moms = [], []
    for _ in range(13):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    # up in 2 steps, down in 4: heights 0, 1/2, 1, 3/4, 1/2, 1/4, then again
    heights = [0, 0.5, 1, 0.75, 0.5, 0.25] * 2 + [0]
    np.testing.assert_allclose(lrs, [0.1 + 0.4 * h for h in heights], rtol=1e-12)
    np.testing.assert_allclose(moms, [0.9 - 0.1 * h for h in heights], rtol=1e-12)
    assert sched.base_lrs == [0.1] and opt.param_groups[0]["max_momentum"] == 0.9


def test_cyclic_lr_cycles_adam_beta1_only():
    opt = make_opt(gn, "Adam", {"betas": (0.9, 0.99)}, lrs=(1.0,))
    sched = S.CyclicLR(opt, 0.1, 1.0, step_size_up=1, base_momentum=0.7, max_momentum=0.85)
    assert opt.param_groups[0]["betas"] == (0.85, 0.99)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["betas"] == (0.7, 0.99) and sched.get_last_lr() == [1.0]


def test_sequential_lr_warmup_then_cosine_values():
    opt = make_opt(gn, lrs=(0.1,))
    warmup = S.LinearLR(opt, start_factor=0.1, total_iters=5)
    decay = S.CosineAnnealingLR(opt, T_max=10)
    sched = S.SequentialLR(opt, [warmup, decay], milestones=[5])
    # building the schedulers stepped each once; SequentialLR undid that (lr back to
    # initial_lr, the cosine wound back to before its step 0) and redid the warm-up's step 0
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)
    assert decay.last_epoch == -1 and warmup.last_epoch == 0 and warmup._step_count == 1
    lrs = []
    for _ in range(16):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    warm = [0.01, 0.028, 0.046, 0.064, 0.082]
    cosine = [0.05 * (1 + math.cos(math.pi * t / 10)) for t in range(11)]
    np.testing.assert_allclose(lrs, warm + cosine, rtol=1e-12, atol=1e-15)
    assert sched.get_last_lr() == [opt.param_groups[0]["lr"]] and sched.last_epoch == 16


def test_chained_scheduler_multiplies_factors():
    opt = make_opt(gn, lrs=(1.0,))
    sched = S.ChainedScheduler(
        [S.ConstantLR(opt, factor=0.1, total_iters=2), S.ExponentialLR(opt, gamma=0.9)]
    )
    lrs = [sched.get_last_lr()[0]]
    for _ in range(4):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [0.1, 0.09, 0.81, 0.729, 0.6561], rtol=1e-12)
    assert "ConstantLR, ExponentialLR" in repr(sched)


# build(opt) for the schedulers whose state_dict round trip is tested
ROUND_TRIP = {
    "ConstantLR": lambda o: S.ConstantLR(o, factor=0.5, total_iters=12),
    "PolynomialLR": lambda o: S.PolynomialLR(o, total_iters=40, power=2.0),
    "CyclicLR": lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2"),
    "CyclicLR_scale_fn": lambda o: S.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda c: 0.5**c),
    "SequentialLR": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, 0.1, total_iters=10), S.CosineAnnealingLR(o, T_max=9)], [10]
    ),
    "ChainedScheduler": lambda o: S.ChainedScheduler(
        [S.CyclicLR(o, 0.01, 0.1, 5), S.ExponentialLR(o, gamma=0.9)]
    ),
}


def run(opt, sched, n):
    """Record the lr and momentum of every group before each of n training steps."""
    seen = []
    for _ in range(n):
        seen.append(options(opt))
        opt.step()
        sched.step()
    return np.array(seen)


@pytest.mark.parametrize("name", list(ROUND_TRIP), ids=list(ROUND_TRIP))
def test_state_dict_round_trip(name, tmp_path):
    opt = make_opt(gn, "SGD", {"momentum": 0.9})
    sched = ROUND_TRIP[name](opt)
    run(opt, sched, 7)  # the SequentialLR's milestone (10) comes after the checkpoint
    save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.gnt")
    expected = run(opt, sched, 12)

    opt2 = make_opt(gn, "SGD", {"momentum": 0.9})
    sched2 = ROUND_TRIP[name](opt2)
    ckpt = load(tmp_path / "ckpt.gnt")  # plain data: it went through glassnet's own format
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    np.testing.assert_allclose(run(opt2, sched2, 12), expected, rtol=1e-15)
    assert "optimizer" not in sched2.state_dict()


@pytest.mark.parametrize(
    "name, build",
    [
        ("SequentialLR", ROUND_TRIP["SequentialLR"]),
        ("ChainedScheduler", lambda o: S.ChainedScheduler([S.ExponentialLR(o, 0.9)])),
    ],
    ids=["SequentialLR", "ChainedScheduler"],
)
def test_composite_state_dict_has_torch_layout(torch, name, build):
    ours = build(make_opt(gn))
    o = make_opt(torch)
    if name == "SequentialLR":
        L = torch.optim.lr_scheduler
        theirs = L.SequentialLR(
            o, [L.LinearLR(o, 0.1, total_iters=10), L.CosineAnnealingLR(o, T_max=9)], [10]
        )
    else:
        theirs = torch.optim.lr_scheduler.ChainedScheduler(
            [torch.optim.lr_scheduler.ExponentialLR(o, 0.9)]
        )
    sd_ours, sd_theirs = ours.state_dict(), theirs.state_dict()
    assert set(sd_ours) == set(sd_theirs)
    assert len(sd_ours["_schedulers"]) == len(sd_theirs["_schedulers"])
    for k in set(sd_ours) - {"_schedulers"}:
        np.testing.assert_allclose(sd_ours[k], sd_theirs[k], rtol=1e-12)


def test_sequential_load_state_dict_is_all_or_nothing():
    opt = make_opt(gn)
    sched = ROUND_TRIP["SequentialLR"](opt)
    with pytest.raises(ValueError, match="of 2 schedulers: it holds states for 1"):
        sched.load_state_dict({**sched.state_dict(), "_schedulers": [{}]})
    before = sched.state_dict()
    bad = sched.state_dict()
    bad["last_epoch"] = 99
    bad["_schedulers"][0]["last_epoch"] = 99
    bad["_schedulers"][1] = S.StepLR(make_opt(gn), 3).state_dict()  # not a cosine's state
    with pytest.raises(ValueError, match="does not fit a CosineAnnealingLR"):
        sched.load_state_dict(bad)
    assert sched.state_dict() == before  # nothing was loaded, not even the first scheduler


def test_new_schedulers_are_in_the_module_namespace():
    for name in NEW:
        assert name in S.__all__
        assert isinstance(getattr(optim.lr_scheduler, name), type)
        assert issubclass(getattr(S, name), S.LRScheduler)


def test_cyclic_lr_needs_momentum_like_torch(torch):
    with pytest.raises(ValueError) as info:
        S.CyclicLR(make_opt(gn, "Adagrad"), 0.01, 0.1)
    assert "Adagrad has neither momentum nor betas" in str(info.value)
    assert "cycle_momentum=False" in str(info.value)
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.CyclicLR(make_opt(torch, "Adagrad"), 0.01, 0.1)


# (id, build(L, opt, other_opt), name in the message, given value in the message, torch too)
BAD = [
    ("ConstantLR_factor_0", lambda L, o, p: L.ConstantLR(o, factor=0), "factor", "0", False),
    ("ConstantLR_factor_big", lambda L, o, p: L.ConstantLR(o, factor=1.5), "factor", "1.5", True),
    (
        "ConstantLR_total_iters_negative",
        lambda L, o, p: L.ConstantLR(o, total_iters=-1),
        "total_iters",
        "-1",
        False,
    ),
    (
        "ConstantLR_total_iters_float",
        lambda L, o, p: L.ConstantLR(o, total_iters=2.5),
        "total_iters",
        "2.5",
        False,
    ),
    (
        "PolynomialLR_total_iters_negative",
        lambda L, o, p: L.PolynomialLR(o, total_iters=-3),
        "total_iters",
        "-3",
        False,
    ),
    (
        "PolynomialLR_total_iters_zero",
        lambda L, o, p: L.PolynomialLR(o, total_iters=0),
        "total_iters",
        "0",
        False,
    ),
    ("PolynomialLR_power", lambda L, o, p: L.PolynomialLR(o, power=-1), "power", "-1", False),
    (
        "SequentialLR_milestones_count",
        lambda L, o, p: L.SequentialLR(o, [L.ConstantLR(o), L.ExponentialLR(o, 0.9)], [2, 3]),
        "milestones",
        "1 milestones (one fewer than the 2 schedulers), got milestones=[2, 3]",
        True,
    ),
    (
        "SequentialLR_milestones_unsorted",
        lambda L, o, p: L.SequentialLR(
            o, [L.ConstantLR(o), L.ConstantLR(o), L.ConstantLR(o)], [5, 2]
        ),
        "milestones",
        "[5, 2]",
        False,
    ),
    (
        "SequentialLR_milestones_float",
        lambda L, o, p: L.SequentialLR(o, [L.ConstantLR(o), L.ConstantLR(o)], [2.5]),
        "milestones",
        "[2.5]",
        False,
    ),
    (
        "SequentialLR_empty",
        lambda L, o, p: L.SequentialLR(o, [], []),
        "schedulers",
        "[]",
        True,
    ),
    (
        "SequentialLR_other_optimizer",
        lambda L, o, p: L.SequentialLR(o, [L.ConstantLR(o), L.ExponentialLR(p, 0.9)], [3]),
        "schedulers[1]",
        "the optimizer given to SequentialLR, got ExponentialLR driving another SGD",
        True,
    ),
    (
        "SequentialLR_plateau",
        lambda L, o, p: L.SequentialLR(o, [L.ConstantLR(o), L.ReduceLROnPlateau(o)], [3]),
        "schedulers[1]",
        "ReduceLROnPlateau",
        True,
    ),
    (
        "SequentialLR_not_a_scheduler",
        lambda L, o, p: L.SequentialLR(o, [L.ConstantLR(o), "cosine"], [3]),
        "schedulers[1]",
        "'cosine'",
        False,
    ),
    ("ChainedScheduler_empty", lambda L, o, p: L.ChainedScheduler([]), "schedulers", "[]", True),
    (
        "ChainedScheduler_other_optimizer",
        lambda L, o, p: L.ChainedScheduler([L.ConstantLR(o), L.ExponentialLR(p, 0.9)]),
        "schedulers[1]",
        "the optimizer of schedulers[0], got ExponentialLR driving another SGD",
        True,
    ),
    (
        "ChainedScheduler_given_other_optimizer",
        lambda L, o, p: L.ChainedScheduler([L.ConstantLR(o)], optimizer=p),
        "schedulers[0]",
        "the optimizer given to ChainedScheduler, got ConstantLR driving another SGD",
        True,
    ),
    (
        "ChainedScheduler_plateau",
        lambda L, o, p: L.ChainedScheduler([L.ReduceLROnPlateau(o)]),
        "schedulers[0]",
        "ReduceLROnPlateau",
        True,
    ),
    ("CyclicLR_mode", lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, mode="cos"), "mode", "cos", True),
    (
        "CyclicLR_step_size_up",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, step_size_up=0),
        "step_size_up",
        "0",
        False,
    ),
    (
        "CyclicLR_step_size_down",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, step_size_down=-2),
        "step_size_down",
        "-2",
        False,
    ),
    (
        "CyclicLR_scale_mode",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, scale_fn=abs, scale_mode="epoch"),
        "scale_mode",
        "epoch",
        False,
    ),
    (
        "CyclicLR_scale_fn",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, scale_fn=0.5),
        "scale_fn",
        "0.5",
        False,
    ),
    (
        "CyclicLR_base_lr_list_length",
        lambda L, o, p: L.CyclicLR(o, [0.01, 0.02, 0.03], 0.1),
        "base_lr",
        "got 3",
        True,
    ),
    ("CyclicLR_max_lr", lambda L, o, p: L.CyclicLR(o, 0.01, -0.1), "max_lr[0]", "-0.1", False),
    (
        "CyclicLR_gamma",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, mode="exp_range", gamma=-0.5),
        "gamma",
        "-0.5",
        False,
    ),
    (
        "CyclicLR_base_momentum",
        lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, base_momentum=[0.8, "high"]),
        "base_momentum[1]",
        "'high'",
        False,
    ),
]


@pytest.mark.parametrize("build, name, value", [b[1:4] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_arguments_raise_one_line_naming_them(build, name, value):
    opt, other = make_opt(gn, "SGD", {"momentum": 0.9}), make_opt(gn, "SGD", {"momentum": 0.9})
    with pytest.raises(ValueError) as info:
        build(S, opt, other)
    message = str(info.value)
    assert f"Invalid {name}" in message or name in message.split(":")[0], message
    assert value in message and "\n" not in message, message


@pytest.mark.parametrize("build", [b[1] for b in BAD if b[4]], ids=[b[0] for b in BAD if b[4]])
def test_torch_rejects_them_with_value_error_too(torch, build):
    opt, other = (
        make_opt(torch, "SGD", {"momentum": 0.9}),
        make_opt(torch, "SGD", {"momentum": 0.9}),
    )
    with pytest.raises(ValueError):
        build(torch.optim.lr_scheduler, opt, other)


def test_schedulers_need_an_optimizer():
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.CyclicLR("sgd", 0.01, 0.1)
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.SequentialLR(None, [S.ConstantLR(make_opt(gn))], [])
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.ChainedScheduler([S.ConstantLR(make_opt(gn))], optimizer="sgd")
