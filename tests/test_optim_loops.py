"""The optimizers' fused compiled loops agree with their NumPy paths and formulas, and when they run."""

import itertools

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, optim
from glassnet.optim import update_loops
from glassnet.optim.adagrad import adagrad_update_fused, adagrad_update_reference
from glassnet.optim.adam import adam_update, adam_update_fused, adam_update_reference
from glassnet.optim.adamax import adamax_update_fused, adamax_update_reference
from glassnet.optim.nadam import nadam_update_fused, nadam_update_reference
from glassnet.optim.radam import radam_update_fused, radam_update_reference
from glassnet.optim.rmsprop import rmsprop_update, rmsprop_update_fused, rmsprop_update_reference
from glassnet.optim.sgd import sgd_update, sgd_update_fused, sgd_update_reference
from glassnet.optim.update_loops import FUSED_MIN_SIZE, run_fused
from glassnet.split_work import split_count


@pytest.fixture
def restore_switch():
    """Tests switch compiled loops on or off; afterwards the environment decides again."""
    yield
    jit.set_enabled(None)


@pytest.fixture
def compiled(restore_switch):
    """Compiled loops on (the test is skipped without numba)."""
    pytest.importorskip("numba")
    jit.set_enabled(True)


def option_grid(lr, **choices):
    """Every combination of the options' choices (a dict each, with ``lr``)."""
    names = list(choices)
    for values in itertools.product(*choices.values()):
        yield dict(lr=lr, **dict(zip(names, values)))


def valid_sgd(options):
    """Leave out what SGD refuses (nesterov with dampening or without momentum) and the
    repeats that dampening makes without momentum (where it means nothing)."""
    if options["nesterov"] and (options["dampening"] != 0 or options["momentum"] == 0):
        return False
    return options["momentum"] != 0 or options["dampening"] == 0


DECAY = dict(weight_decay=(0.0, 0.1), maximize=(False, True))
DECOUPLED = dict(decoupled_weight_decay=(False, True))
SGD_OPTIONS = list(
    option_grid(0.05, momentum=(0.0, 0.9), dampening=(0.0, 0.3), nesterov=(False, True), **DECAY)
)
ADAM_OPTIONS = option_grid(0.01, amsgrad=(False, True), **DECOUPLED, **DECAY)
RMSPROP_OPTIONS = option_grid(0.01, centered=(False, True), momentum=(0.0, 0.5), **DECAY)
ADAGRAD_OPTIONS = option_grid(
    0.05, lr_decay=(0.0, 0.05), initial_accumulator_value=(0.0, 0.3), **DECAY
)


def formula_as_numpy_path(reference):
    """The formula in the place of an in-place NumPy path (for the rules that have none): the
    same call, without work arrays."""

    def numpy_path(param, grad, state, group, work):
        reference(param, grad, state, group)

    return numpy_path


ADAGRAD_NUMPY = formula_as_numpy_path(adagrad_update_reference)
ADAMAX_NUMPY = formula_as_numpy_path(adamax_update_reference)
NADAM_NUMPY = formula_as_numpy_path(nadam_update_reference)
RADAM_NUMPY = formula_as_numpy_path(radam_update_reference)

# (optimizer class, fused update, NumPy update, formula, options): every option combination
CASES = [
    *(
        (optim.SGD, sgd_update_fused, sgd_update, sgd_update_reference, kw)
        for kw in SGD_OPTIONS
        if valid_sgd(kw)
    ),
    *(
        (optim.Adam, adam_update_fused, adam_update, adam_update_reference, kw)
        for kw in ADAM_OPTIONS
    ),
    (optim.AdamW, adam_update_fused, adam_update, adam_update_reference, {}),
    *(
        (optim.RMSprop, rmsprop_update_fused, rmsprop_update, rmsprop_update_reference, kw)
        for kw in RMSPROP_OPTIONS
    ),
    *(
        (optim.Adagrad, adagrad_update_fused, ADAGRAD_NUMPY, adagrad_update_reference, kw)
        for kw in ADAGRAD_OPTIONS
    ),
    *(
        (optim.Adamax, adamax_update_fused, ADAMAX_NUMPY, adamax_update_reference, kw)
        for kw in option_grid(0.01, **DECAY)
    ),
    *(
        (optim.NAdam, nadam_update_fused, NADAM_NUMPY, nadam_update_reference, kw)
        for kw in option_grid(0.01, **DECOUPLED, **DECAY)
    ),
    *(
        (optim.RAdam, radam_update_fused, RADAM_NUMPY, radam_update_reference, kw)
        for kw in option_grid(0.01, **DECOUPLED, **DECAY)
    ),
]
IDS = [
    f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items() if v) or 'defaults'}"
    for cls, *_, kw in CASES
]
DTYPES = [np.float32, np.float64]
# float32: the loop fuses multiply-adds and the NumPy path rounds each call, so the two drift
# apart by a few float32 roundings per step; float64 by a few float64 roundings. A number that
# is the small difference of large ones (a momentum buffer changing sign) carries the rounding
# of the large ones: the absolute tolerance is relative to the array's largest number.
TOLERANCE = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def assert_close(actual, desired, tolerance, message=""):
    scale = np.max(np.abs(desired[np.isfinite(desired)]), initial=1.0)
    np.testing.assert_allclose(
        actual,
        desired,
        rtol=tolerance["rtol"],
        atol=tolerance["atol"] * scale,
        equal_nan=True,
        err_msg=message,
    )


SIZE = 3001  # odd: the vectorized loop's leftover numbers are covered too
STEPS = 40


def group_for(cls, kwargs, dtype=np.float64):
    """The option dict a group of this optimizer gets (its defaults filled in)."""
    return cls([gn.tensor(np.zeros(3, dtype), requires_grad=True)], **kwargs).param_groups[0]


def gradient(param, k, maximize=False):
    """A bowl around 0.5 (a hill when maximizing, so that every run stays bounded) plus noise
    that changes every step, in the parameter's dtype."""
    noise = np.random.default_rng(11 + k).standard_normal(param.shape)
    slope = -0.8 if maximize else 0.8
    return ((param - 0.5) * slope + 0.3 * noise).astype(param.dtype)


def start(size, dtype, seed=5):
    return np.random.default_rng(seed).standard_normal(size).astype(dtype)


def assert_states_close(fused, other, tolerance, message):
    assert set(fused) == set(other), message
    for key, value in other.items():
        assert_close(np.asarray(fused[key]), np.asarray(value), tolerance, f"{message}: {key}")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("cls, fused, numpy_path, reference, kwargs", CASES, ids=IDS)
def test_fused_loop_agrees_with_numpy_path_and_formula_step_by_step(
    cls, fused, numpy_path, reference, kwargs, dtype, compiled
):
    group = group_for(cls, kwargs)
    tolerance = TOLERANCE[dtype]
    p_fused, p_numpy, p_ref = (start(SIZE, dtype) for _ in range(3))
    s_fused, s_numpy, s_ref = {}, {}, {}
    work = [np.empty_like(p_numpy) for _ in range(2)]
    hill = kwargs.get("maximize", False)
    for k in range(STEPS):
        g = gradient(p_fused, k, hill)
        g_before = g.copy()
        fused(p_fused, g, s_fused, group)
        numpy_path(p_numpy, gradient(p_numpy, k, hill), s_numpy, group, work)
        reference(p_ref, gradient(p_ref, k, hill), s_ref, group)
        np.testing.assert_array_equal(g, g_before)  # the gradient is never written to
        assert p_fused.dtype == dtype
        for other, state, name in ((p_numpy, s_numpy, "NumPy path"), (p_ref, s_ref, "formula")):
            message = f"step {k}, against the {name}"
            assert_close(p_fused, other, tolerance, message)
            assert_states_close(s_fused, state, tolerance, message)
    assert not np.allclose(p_fused, start(SIZE, dtype))  # the parameter really moved


# One case per loop and each of its state arrays, for the tests below that need not run all.
SOME = [
    (optim.SGD, sgd_update_fused, sgd_update, {"momentum": 0.9, "nesterov": True}),
    (optim.SGD, sgd_update_fused, sgd_update, {"weight_decay": 0.1}),
    (optim.Adam, adam_update_fused, adam_update, {"amsgrad": True, "weight_decay": 0.1}),
    (optim.AdamW, adam_update_fused, adam_update, {}),
    (optim.RMSprop, rmsprop_update_fused, rmsprop_update, {"centered": True, "momentum": 0.5}),
    (optim.RMSprop, rmsprop_update_fused, rmsprop_update, {}),
    (optim.Adagrad, adagrad_update_fused, ADAGRAD_NUMPY, {"lr_decay": 0.1}),
    (optim.Adamax, adamax_update_fused, ADAMAX_NUMPY, {"weight_decay": 0.1}),
    (optim.NAdam, nadam_update_fused, NADAM_NUMPY, {"decoupled_weight_decay": True}),
    (optim.RAdam, radam_update_fused, RADAM_NUMPY, {"weight_decay": 0.1}),
]
SOME_IDS = [
    f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
    for cls, _, _, kw in SOME
]
# two threads' ranges of an odd length: the split and the leftover numbers of each range
BIG = 2 * 65_536 + 12_345


@pytest.fixture
def threads_restored():
    """The test sets the number of threads; afterwards the default holds again."""
    yield
    gn.set_num_threads(None)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("cls, fused, numpy_path, kwargs", SOME, ids=SOME_IDS)
def test_fused_loop_split_over_threads_is_the_one_thread_loop(
    cls, fused, numpy_path, kwargs, dtype, compiled, threads_restored
):
    group = group_for(cls, kwargs)
    results = []
    for threads in (2, 1):
        gn.set_num_threads(threads)
        assert split_count(BIG, 65_536) == threads
        p, state = start(BIG, dtype), {}
        for k in range(3):
            fused(p, gradient(p, k), state, group)
        results.append((p, state))
    (p_split, s_split), (p_one, s_one) = results
    np.testing.assert_array_equal(p_split, p_one)  # each number's update is the same loop
    for key, value in s_one.items():
        np.testing.assert_array_equal(s_split[key], value)


@pytest.mark.parametrize("cls, fused, numpy_path, kwargs", SOME, ids=SOME_IDS)
def test_nan_and_infinity_propagate_as_in_the_numpy_path(cls, fused, numpy_path, kwargs, compiled):
    group = group_for(cls, kwargs)
    p_fused, p_numpy = start(SIZE, np.float32), start(SIZE, np.float32)
    s_fused, s_numpy = {}, {}
    work = [np.empty_like(p_numpy) for _ in range(2)]
    with np.errstate(all="ignore"):  # the NumPy path warns about inf - inf and the like
        for k in range(4):
            g = gradient(p_fused, k)
            g[[7, 100, 2000]] = [np.nan, np.inf, -np.inf]
            if k == 2:
                g[[8, 9]] = np.nan  # later NaNs too (the running maximum keeps them)
            fused(p_fused, g, s_fused, group)
            numpy_path(p_numpy, g.copy(), s_numpy, group, work)
    assert np.isnan(p_fused[7]) and np.isnan(p_fused[8])
    np.testing.assert_array_equal(np.isnan(p_fused), np.isnan(p_numpy))
    assert_close(p_fused, p_numpy, TOLERANCE[np.float32])
    for key, value in s_numpy.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(np.isnan(s_fused[key]), np.isnan(value), err_msg=key)


# ------------------------------------------------------------------ which path a step takes
STEP_CASES = [(cls, kw) for cls, _, _, kw in SOME]


def run_steps(cls, kwargs, size):
    """A float32 parameter of ``size`` numbers after three ``opt.step()`` calls."""
    p = gn.tensor(start(size, np.float32), requires_grad=True)
    opt = cls([p], **kwargs)
    for k in range(3):
        p.grad = gn.tensor(gradient(p.numpy(), k))
        opt.step()
    return p.numpy(), opt.state[p]


def run_directly(update, cls, kwargs, size, *work):
    """What ``run_steps`` should give, computed by calling ``update`` itself."""
    p, state = start(size, np.float32), {}
    group = group_for(cls, kwargs)
    for k in range(3):
        update(p, gradient(p, k), state, group, *work)
    return p, state


@pytest.mark.parametrize("cls, fused, numpy_path, kwargs", SOME, ids=SOME_IDS)
def test_a_large_parameter_takes_the_fused_loop(cls, fused, numpy_path, kwargs, compiled):
    p_step, _ = run_steps(cls, kwargs, FUSED_MIN_SIZE)
    p_fused, _ = run_directly(fused, cls, kwargs, FUSED_MIN_SIZE)
    np.testing.assert_array_equal(p_step, p_fused)


@pytest.mark.parametrize("cls, fused, numpy_path, kwargs", SOME, ids=SOME_IDS)
def test_switched_off_compiled_loops_leave_the_numpy_path(
    cls, fused, numpy_path, kwargs, restore_switch
):
    jit.set_enabled(False)
    p_step, _ = run_steps(cls, kwargs, FUSED_MIN_SIZE)
    work = [np.empty(FUSED_MIN_SIZE, np.float32) for _ in range(2)]
    p_numpy, _ = run_directly(numpy_path, cls, kwargs, FUSED_MIN_SIZE, work)
    np.testing.assert_array_equal(p_step, p_numpy)


@pytest.mark.parametrize("cls, kwargs", STEP_CASES, ids=SOME_IDS)
def test_a_small_parameter_never_asks_for_numba(cls, kwargs, monkeypatch):
    def refuse():
        raise AssertionError("jit.available() called for a small parameter")

    monkeypatch.setattr(jit, "available", refuse)
    run_steps(cls, kwargs, FUSED_MIN_SIZE - 1)


LARGE_2D = (FUSED_MIN_SIZE // 128 + 3, 128)  # a matrix large enough for the fused loop


@pytest.mark.parametrize("cls, fused, numpy_path, kwargs", SOME, ids=SOME_IDS)
def test_a_non_contiguous_gradient_takes_the_numpy_path(cls, fused, numpy_path, kwargs, compiled):
    shape = LARGE_2D
    values = start(shape[0] * shape[1], np.float32).reshape(shape)
    group_p = gn.tensor(values.copy(), requires_grad=True)
    opt = cls([group_p], **kwargs)
    expected, state = values.copy(), {}
    work = [np.empty_like(values) for _ in range(2)]
    for k in range(3):
        g = np.asfortranarray(gradient(values, k))  # not C-contiguous
        group_p.grad = gn.tensor(g)
        assert not group_p.grad.array.flags.c_contiguous
        opt.step()
        numpy_path(expected, gradient(values, k), state, opt.param_groups[0], work)
    np.testing.assert_array_equal(group_p.numpy(), expected)


def test_a_loaded_state_is_c_contiguous_so_the_fused_loop_can_continue(compiled):
    shape = LARGE_2D
    p = gn.tensor(start(shape[0] * shape[1], np.float32).reshape(shape), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = gn.tensor(gradient(p.numpy(), 0))
    opt.step()
    saved = opt.state_dict()
    for key in ("exp_avg", "exp_avg_sq"):
        saved["state"][0][key] = np.asfortranarray(saved["state"][0][key])
    other = optim.Adam([p])
    other.load_state_dict(saved)
    assert all(other.state[p][key].flags.c_contiguous for key in ("exp_avg", "exp_avg_sq"))
    other.step()
    opt.step()
    np.testing.assert_array_equal(other.state[p]["exp_avg"], opt.state[p]["exp_avg"])


@pytest.mark.parametrize(
    "state",
    [np.zeros((200, 200), np.float32, order="F"), np.zeros((200, 199), np.float32)],
    ids=["another-layout", "another-size"],
)
def test_run_fused_refuses_a_state_array_that_does_not_match(state, compiled):
    param = np.zeros((200, 200), np.float32)
    before = param.copy()
    with pytest.raises(ValueError, match="C-contiguous state arrays of the parameter's size"):
        run_fused(update_loops.sgd_loop, (param, param + 1, state), (1, 0, 0.1, 0.9, 1), 1, 0, 0)
    np.testing.assert_array_equal(param, before)  # nothing was written


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "maximize": True}),
        ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "maximize": True}),
        ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
        ("RMSprop", {"lr": 0.01}),
        ("Adagrad", {"lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
        ("Adamax", {"lr": 0.01, "weight_decay": 0.1}),
        ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
        ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ],
    ids=[
        "SGD-dampening",
        "SGD-nesterov-maximize",
        "Adam-amsgrad",
        "AdamW",
        "RMSprop-all",
        "RMSprop",
        "Adagrad",
        "Adamax",
        "NAdam-decoupled",
        "RAdam-maximize",
    ],
)
def test_fused_loop_follows_torch(name, kwargs, compiled):
    torch = pytest.importorskip("torch")
    size = FUSED_MIN_SIZE + 999
    value = start(size, np.float32)
    ours = gn.tensor(value.copy(), requires_grad=True)
    theirs = torch.from_numpy(value.copy()).requires_grad_()
    opt = getattr(optim, name)([ours], **kwargs)
    torch_opt = getattr(torch.optim, name)([theirs], **kwargs)
    for k in range(30):
        g = gradient(value, k)
        ours.grad = gn.tensor(g)
        theirs.grad = torch.from_numpy(g.copy())
        opt.step()
        with torch.no_grad():
            torch_opt.step()
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert not np.allclose(ours.numpy(), value)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kwargs", [kw for kw in SGD_OPTIONS if valid_sgd(kw)], ids=str)
def test_sgd_loop_gives_the_numpy_paths_bits(kwargs, dtype, compiled):
    """SGD's loop makes the NumPy path's IEEE operations in its order: the same bits, step after
    step, so where a parameter crosses FUSED_MIN_SIZE its numbers do not change kind."""
    group = group_for(optim.SGD, kwargs)
    hill = kwargs["maximize"]
    p_fused, p_numpy = start(301, dtype), start(301, dtype)
    s_fused, s_numpy = {}, {}
    work = [np.empty_like(p_numpy) for _ in range(2)]
    for k in range(20):
        sgd_update_fused(p_fused, gradient(p_fused, k, hill), s_fused, group)
        sgd_update(p_numpy, gradient(p_numpy, k, hill), s_numpy, group, work)
        np.testing.assert_array_equal(p_fused, p_numpy)
        for key, value in s_numpy.items():
            np.testing.assert_array_equal(s_fused[key], value)


@pytest.mark.parametrize(
    "rule,loop", [(optim.SGD, "sgd.sgd_update_fused"), (optim.Adam, "adam.adam_update_fused")]
)
def test_small_parameters_keep_the_numpy_path(rule, loop, compiled, monkeypatch):
    """Even with numba imported: for a small parameter one compiled call costs more than the
    NumPy path's few (and Adam's loop would round differently)."""
    jit.available()
    monkeypatch.setattr(
        f"glassnet.optim.{loop}",
        lambda *args: pytest.fail(f"the fused {rule.__name__} loop ran for a small parameter"),
    )
    p = gn.tensor(start(301, np.float32), requires_grad=True)
    before = p.numpy().copy()
    opt = rule([p], lr=0.01)
    p.grad = gn.tensor(gradient(p.numpy(), 0))
    opt.step()
    assert np.isfinite(p.numpy()).all() and not np.array_equal(p.numpy(), before)
