"""Learning-rate schedulers without torch: known values, closed forms, state_dict, warnings, errors."""

import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.optim import lr_scheduler as S
from glassnet.serialization import load, save


def make_opt(cls=optim.SGD, lrs=(1.0,), **kwargs):
    groups = [{"params": [gn.tensor([0.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return cls(groups, **kwargs)


def run(opt, sched, n):
    """Record the lr of every group before each of n training steps."""
    lrs = []
    for _ in range(n):
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    return np.array(lrs)


def test_step_lr_values():
    opt = make_opt(lrs=(1.0, 0.1))
    sched = S.StepLR(opt, step_size=3, gamma=0.5)
    lrs = run(opt, sched, 9)
    np.testing.assert_allclose(lrs[:, 0], [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25])
    np.testing.assert_allclose(lrs[:, 1], lrs[:, 0] / 10)
    assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
    assert sched.base_lrs == [1.0, 0.1]


def test_multistep_lr_with_a_repeated_milestone():
    opt = make_opt()
    sched = S.MultiStepLR(opt, milestones=[4, 2, 4], gamma=0.1)
    lrs = run(opt, sched, 6)[:, 0]
    np.testing.assert_allclose(lrs, [1, 1, 0.1, 0.1, 1e-3, 1e-3], rtol=1e-12)


@pytest.mark.parametrize(
    "make_sched, closed_form",
    [
        (lambda o: S.ExponentialLR(o, gamma=0.9), lambda t: 0.9**t),
        (
            lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.1),
            lambda t: 0.1 + 0.9 * (1 + math.cos(math.pi * t / 7)) / 2,
        ),
        (
            lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=6),
            lambda t: 0.25 + 0.5 * min(t, 6) / 6,
        ),
        (lambda o: S.StepLR(o, step_size=4, gamma=0.3), lambda t: 0.3 ** (t // 4)),
    ],
    ids=["exponential", "cosine", "linear", "step"],
)
def test_recursive_form_follows_the_closed_form(make_sched, closed_form):
    opt = make_opt()
    lrs = run(opt, make_sched(opt), 30)[:, 0]  # cosine: more than two cycles
    np.testing.assert_allclose(lrs, [closed_form(t) for t in range(30)], rtol=1e-9, atol=1e-12)


def test_step_with_epoch_uses_the_closed_form_and_warns():
    opt = make_opt()
    sched = S.CosineAnnealingLR(opt, T_max=10)
    opt.step()
    with pytest.warns(UserWarning, match="deprecated"):
        sched.step(5)
    assert sched.last_epoch == 5
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)


def test_chained_schedulers_multiply():
    opt = make_opt()
    a = S.ExponentialLR(opt, gamma=0.9)
    b = S.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        a.step()
        b.step()
    expected = [0.9**t * 0.5 ** (t // 2) for t in range(6)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


def test_one_cycle_lr_shape_and_momentum():
    opt = make_opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=100, pct_start=0.25)
    lrs, moms = [], []
    for _ in range(100):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1.0 / 25)
    assert max(lrs) == pytest.approx(1.0) and int(np.argmax(lrs)) == 24  # end of warm-up
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert moms[0] == pytest.approx(0.95) and moms[24] == pytest.approx(0.85)
    assert moms[-1] == pytest.approx(0.95)
    assert np.all(np.diff(lrs[:25]) > 0) and np.all(np.diff(lrs[24:]) < 0)
    with pytest.raises(ValueError, match="Tried to step 101 times"):
        sched.step()


def test_one_cycle_cycles_adam_beta1_and_needs_momentum():
    opt = make_opt(optim.Adam, betas=(0.9, 0.99))
    S.OneCycleLR(opt, max_lr=0.1, epochs=2, steps_per_epoch=5, base_momentum=0.8)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        S.OneCycleLR(make_opt(optim.Adagrad), max_lr=0.1, total_steps=10)
    S.OneCycleLR(make_opt(optim.Adagrad), max_lr=0.1, total_steps=10, cycle_momentum=False)


def test_reduce_lr_on_plateau_patience_cooldown_min_lr():
    opt = make_opt(lrs=(1.0, 0.02))
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=[0.0, 0.01])
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 3]
    lrs = []
    for m in metrics:
        sched.step(gn.tensor(float(m)))  # a 0-d tensor works as the metric
        lrs.append(sched.get_last_lr())
    # the best is 4 at step 1; three bad steps (2, 3, 4) exceed patience 2 -> halve at step 4;
    # step 5 is cooldown (not counted); 6, 7 are bad; step 8 improves, so no second halving
    np.testing.assert_allclose(
        [lr[0] for lr in lrs], [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5], rtol=1e-15
    )
    assert lrs[4][1] == 0.01  # 0.02 * 0.5 = 0.01 = min_lr
    assert sched.best == 3 and sched.num_bad_epochs == 0


def test_reduce_lr_on_plateau_max_mode_abs_threshold():
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, mode="max", patience=0, threshold=0.1, threshold_mode="abs")
    sched.step(0.5)  # better than -inf
    sched.step(0.55)  # not better by 0.1 -> bad, exceeds patience 0 -> reduce
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    sched.step(0.7)  # better than 0.5 + 0.1
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)


SCHEDULERS = {
    "StepLR": lambda o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda o: S.MultiStepLR(o, milestones=[2, 5, 11]),
    "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.95),
    "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
    "LinearLR": lambda o: S.LinearLR(o, start_factor=0.1, total_iters=12),
    "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30, three_phase=True),
}


@pytest.mark.parametrize("name", sorted(SCHEDULERS), ids=sorted(SCHEDULERS))
def test_scheduler_state_dict_round_trip(name, tmp_path):
    opt = make_opt(lrs=(0.5, 0.1), momentum=0.9)
    sched = SCHEDULERS[name](opt)
    run(opt, sched, 8)
    save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.gnt")
    expected = run(opt, sched, 10)

    opt2 = make_opt(lrs=(0.5, 0.1), momentum=0.9)
    sched2 = SCHEDULERS[name](opt2)
    ckpt = load(tmp_path / "ckpt.gnt")
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    np.testing.assert_allclose(run(opt2, sched2, 10), expected, rtol=1e-15)
    assert "optimizer" not in sched2.state_dict()


def test_plateau_state_dict_round_trip():
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, patience=1)
    for m in [3, 2, 2]:
        sched.step(m)
    sd = sched.state_dict()
    other = S.ReduceLROnPlateau(make_opt(), patience=5)
    other.load_state_dict(sd)
    assert other.patience == 1 and other.best == 2 and other.num_bad_epochs == 1


def test_load_state_dict_of_another_scheduler_is_refused():
    opt = make_opt()
    step = S.StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="does not fit a CosineAnnealingLR"):
        S.CosineAnnealingLR(make_opt(), T_max=3).load_state_dict(step.state_dict())


def test_warns_when_scheduler_steps_before_optimizer():
    opt = make_opt()
    sched = S.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = make_opt()
    sched2 = S.StepLR(opt2, step_size=2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(ValueError, match="initial_lr"):
        S.StepLR(make_opt(), step_size=2, last_epoch=4)
    opt = make_opt()
    opt.param_groups[0]["initial_lr"] = 1.0
    sched = S.StepLR(opt, step_size=2, last_epoch=4)
    assert sched.last_epoch == 5


BAD = [
    ("StepLR_step_size_zero", lambda o: S.StepLR(o, step_size=0), "step_size", "0"),
    ("StepLR_step_size_float", lambda o: S.StepLR(o, step_size=2.5), "step_size", "2.5"),
    ("StepLR_gamma", lambda o: S.StepLR(o, step_size=1, gamma=-0.1), "gamma", "-0.1"),
    ("MultiStepLR_milestones", lambda o: S.MultiStepLR(o, milestones=[1, "x"]), "milestones", "x"),
    ("ExponentialLR_gamma", lambda o: S.ExponentialLR(o, gamma=-1), "gamma", "-1"),
    ("Cosine_T_max", lambda o: S.CosineAnnealingLR(o, T_max=0), "T_max", "0"),
    ("Cosine_eta_min", lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=-1), "eta_min", "-1"),
    ("LinearLR_start", lambda o: S.LinearLR(o, start_factor=0), "start_factor", "0"),
    ("LinearLR_end", lambda o: S.LinearLR(o, end_factor=1.5), "end_factor", "1.5"),
    ("LinearLR_total_iters", lambda o: S.LinearLR(o, total_iters=0), "total_iters", "0"),
    ("OneCycle_no_length", lambda o: S.OneCycleLR(o, max_lr=1.0), "total_steps", "epochs"),
    ("OneCycle_total_steps", lambda o: S.OneCycleLR(o, 1.0, total_steps=-3), "total_steps", "-3"),
    ("OneCycle_epochs", lambda o: S.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3), "epochs", "0"),
    (
        "OneCycle_pct_start",
        lambda o: S.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5),
        "pct_start",
        "1.5",
    ),
    (
        "OneCycle_anneal_strategy",
        lambda o: S.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
        "anneal_strategy",
        "exp",
    ),
    (
        "OneCycle_max_lr_list_length",
        lambda o: S.OneCycleLR(o, [1.0, 2.0], total_steps=10),
        "max_lr",
        "got 2",
    ),
    ("Plateau_mode", lambda o: S.ReduceLROnPlateau(o, mode="up"), "mode", "up"),
    (
        "Plateau_threshold_mode",
        lambda o: S.ReduceLROnPlateau(o, threshold_mode="pct"),
        "threshold_mode",
        "pct",
    ),
    ("Plateau_factor", lambda o: S.ReduceLROnPlateau(o, factor=1.0), "factor", "1.0"),
    ("Plateau_patience", lambda o: S.ReduceLROnPlateau(o, patience=-1), "patience", "-1"),
    ("Plateau_cooldown", lambda o: S.ReduceLROnPlateau(o, cooldown=-2), "cooldown", "-2"),
    ("Plateau_min_lr", lambda o: S.ReduceLROnPlateau(o, min_lr=-0.5), "min_lr", "-0.5"),
    ("Plateau_min_lr_list", lambda o: S.ReduceLROnPlateau(o, min_lr=[0, 0]), "min_lr", "got 2"),
    (
        "Plateau_threshold",
        lambda o: S.ReduceLROnPlateau(o, threshold=-1e-4),
        "threshold",
        "-0.0001",
    ),
]


@pytest.mark.parametrize("build, name, value", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_arguments_raise_value_error_naming_them(build, name, value):
    with pytest.raises(ValueError) as info:
        build(make_opt(momentum=0.9))
    message = str(info.value)
    assert name in message and value in message, message


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.StepLR("sgd", step_size=1)
    with pytest.raises(TypeError, match="not an Optimizer"):
        S.ReduceLROnPlateau(None)


def test_whole_number_floats_are_taken_as_pytorch_takes_them():
    p = gn.nn.Parameter(gn.zeros(1))
    opt = gn.optim.SGD([p], lr=5.0)
    scheduler = gn.optim.lr_scheduler.StepLR(opt, 1.0, gamma=0.95)  # PyTorch's tutorial
    lrs = []
    for _ in range(3):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [5.0 * 0.95, 5.0 * 0.95**2, 5.0 * 0.95**3])
    with pytest.raises(
        ValueError, match=r"Invalid step_size: expected a positive int, got step_size=1.5"
    ):
        gn.optim.lr_scheduler.StepLR(opt, 1.5)


def test_lambda_schedules_save_their_state_but_not_their_functions(tmp_path):
    p = gn.nn.Parameter(gn.zeros(1))
    opt = optim.SGD([p], lr=1.0)
    scheduler = S.LambdaLR(opt, lambda t: 0.5**t)
    for _ in range(3):
        opt.step()
        scheduler.step()
    save(scheduler.state_dict(), tmp_path / "sched.pt")  # functions are code: stored as None
    resumed = S.LambdaLR(optim.SGD([p], lr=1.0), lambda t: 0.5**t)
    resumed.load_state_dict(load(tmp_path / "sched.pt"))
    assert resumed.last_epoch == 3 and callable(resumed.lr_lambdas[0])
    resumed.optimizer.step()
    resumed.step()
    assert resumed.get_last_lr() == [0.5**4]
    with pytest.raises(ValueError, match=r"Invalid lr_lambda: expected a function of the step"):
        S.LambdaLR(opt, 0.5)
