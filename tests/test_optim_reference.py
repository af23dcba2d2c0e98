"""Each fast, in-place update rule agrees step by step with its plain formula (float64, every option)."""

import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, optim
from glassnet.optim import optimizer as optimizer_module
from glassnet.optim.adam import adam_update, adam_update_reference
from glassnet.optim.optimizer import BLOCK_SIZE, SPLIT_MIN_SIZE, update_in_blocks
from glassnet.optim.rmsprop import rmsprop_update, rmsprop_update_reference
from glassnet.optim.sgd import sgd_update, sgd_update_reference
from glassnet.split_work import split_count

STEPS = 200

# (optimizer class, fast update, its reference, options)
CASES = [
    (optim.Adam, adam_update, adam_update_reference, {"lr": 0.01}),
    (optim.Adam, adam_update, adam_update_reference, {"lr": 0.01, "weight_decay": 0.1}),
    (optim.Adam, adam_update, adam_update_reference, {"lr": 0.02, "amsgrad": True}),
    (optim.Adam, adam_update, adam_update_reference, {"lr": 0.01, "maximize": True}),
    (
        optim.Adam,
        adam_update,
        adam_update_reference,
        {"lr": 0.01, "betas": (0.5, 0.7), "eps": 1e-3, "weight_decay": 0.05, "maximize": True},
    ),
    (
        optim.Adam,
        adam_update,
        adam_update_reference,
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True},
    ),
    (optim.AdamW, adam_update, adam_update_reference, {}),
    (optim.AdamW, adam_update, adam_update_reference, {"lr": 0.02, "weight_decay": 0.3}),
    (
        optim.AdamW,
        adam_update,
        adam_update_reference,
        {"lr": 0.02, "amsgrad": True, "maximize": True},
    ),
    (optim.RMSprop, rmsprop_update, rmsprop_update_reference, {}),
    (optim.RMSprop, rmsprop_update, rmsprop_update_reference, {"centered": True}),
    (optim.RMSprop, rmsprop_update, rmsprop_update_reference, {"momentum": 0.9, "alpha": 0.9}),
    (
        optim.RMSprop,
        rmsprop_update,
        rmsprop_update_reference,
        {"momentum": 0.5, "centered": True, "weight_decay": 0.1, "eps": 1e-4},
    ),
    (optim.RMSprop, rmsprop_update, rmsprop_update_reference, {"maximize": True}),
    (optim.SGD, sgd_update, sgd_update_reference, {"lr": 0.05}),
    (optim.SGD, sgd_update, sgd_update_reference, {"lr": 0.05, "momentum": 0.9}),
    (
        optim.SGD,
        sgd_update,
        sgd_update_reference,
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    ),
    (
        optim.SGD,
        sgd_update,
        sgd_update_reference,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
    ),
    (
        optim.SGD,
        sgd_update,
        sgd_update_reference,
        {"lr": 0.01, "momentum": 0.5, "maximize": True, "weight_decay": 0.2},
    ),
    (optim.SGD, sgd_update, sgd_update_reference, {"lr": 0.01, "maximize": True}),
]
IDS = [
    f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
    for cls, _, _, kw in CASES
]

RNG = np.random.default_rng(7)
START = RNG.standard_normal((4, 6))
TARGET = RNG.standard_normal((4, 6))


def grad_at(param, k):
    """Gradient of a quadratic bowl around TARGET plus a wobble that changes every step."""
    return (param - TARGET) * np.linspace(0.5, 2.0, param.size).reshape(param.shape) + 0.3 * (
        np.sin(k + np.arange(param.size)).reshape(param.shape)
    )


def group_for(cls, kwargs):
    """The option dict a group of this optimizer gets (its defaults filled in)."""
    return cls([gn.tensor(START.copy(), requires_grad=True)], **kwargs).param_groups[0]


@pytest.mark.parametrize("cls, fast, reference, kwargs", CASES, ids=IDS)
def test_fast_update_agrees_with_its_formula_step_by_step(cls, fast, reference, kwargs):
    group = group_for(cls, kwargs)
    p_fast, p_ref = START.copy(), START.copy()
    state_fast, state_ref = {}, {}
    work = [np.empty_like(START) for _ in range(2)]
    for k in range(STEPS):
        for w in work:  # the work arrays' contents must not matter
            w.fill(np.nan)
        g = grad_at(p_fast, k)
        g_before = g.copy()
        fast(p_fast, g, state_fast, group, work)
        reference(p_ref, grad_at(p_ref, k), state_ref, group)
        np.testing.assert_array_equal(g, g_before)  # the gradient is never written to
        np.testing.assert_allclose(p_fast, p_ref, rtol=1e-12, atol=1e-13, err_msg=f"step {k}")
        assert set(state_fast) == set(state_ref)
        for key, value in state_ref.items():
            np.testing.assert_allclose(state_fast[key], value, rtol=1e-12, atol=1e-13)
    assert not np.allclose(p_fast, START)  # the parameter really moved


@pytest.mark.parametrize("cls, fast, reference, kwargs", CASES, ids=IDS)
def test_optimizer_step_is_its_fast_update(cls, fast, reference, kwargs):
    p = gn.tensor(START.copy(), requires_grad=True)
    opt = cls([p], **kwargs)
    expected, state = START.copy(), {}
    work = [np.empty_like(START) for _ in range(2)]
    for k in range(20):
        p.grad = gn.tensor(grad_at(p.numpy(), k))
        opt.step()
        fast(expected, grad_at(expected, k), state, opt.param_groups[0], work)
        np.testing.assert_array_equal(p.numpy(), expected)


@pytest.fixture(params=[False, None], ids=["numpy-path", "compiled-where-numba-is"])
def jit_switch(request):
    """The NumPy path (compiled loops off), then whatever runs by default (the fused loop of a
    parameter this large, where numba is installed)."""
    jit.set_enabled(request.param)
    yield
    jit.set_enabled(None)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (optim.Adam, {}),
        (optim.AdamW, {}),
        (optim.Adam, {"amsgrad": True, "weight_decay": 0.1}),
        (optim.RMSprop, {"centered": True, "momentum": 0.9}),
        (optim.SGD, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ],
    ids=["Adam", "AdamW", "Adam-amsgrad-decay", "RMSprop-centered-momentum", "SGD-nesterov"],
)
def test_steps_after_the_first_allocate_no_parameter_sized_array(cls, kwargs, jit_switch):
    p = gn.tensor(np.random.default_rng(0).standard_normal(100_000), requires_grad=True)
    p.grad = gn.tensor(np.random.default_rng(1).standard_normal(100_000))
    opt = cls([p], **kwargs)
    opt.step()  # the first step makes the state and the work arrays
    tracemalloc.start()
    try:
        opt.step()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < p.numpy().nbytes / 4, f"a step allocated {peak} bytes"


def test_work_arrays_are_not_state_and_follow_the_parameter_array():
    p = gn.tensor(START.copy(), requires_grad=True)
    opt = optim.Adam([p])
    p.grad = gn.tensor(grad_at(p.numpy(), 0))
    opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"}
    assert set(opt.state_dict()["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    first = opt.scratch(p.array, 2)
    assert all(a is b for a, b in zip(first, opt.scratch(p.array, 2)))  # reused
    p.array = np.zeros((2, 3))  # the parameter's array replaced: new work arrays
    again = opt.scratch(p.array, 2)
    assert again[0].shape == (2, 3) and again[0] is not first[0]


def test_work_arrays_of_a_freed_array_are_dropped():
    opt = optim.SGD([gn.tensor([1.0], requires_grad=True)])
    temporary = np.ones(10)
    opt.scratch(temporary, 1)
    assert id(temporary) in opt._scratch
    key = id(temporary)
    del temporary
    assert key not in opt._scratch


# ------------------------------------------------------------------ the split path
# A parameter this large is split over two threads, and each thread's range (about 70k
# numbers) into blocks of BLOCK_SIZE, so every piece of update_in_blocks is used.
BIG_SHAPE = (139, 1013)


@pytest.fixture
def two_threads():
    gn.set_num_threads(2)
    try:
        yield
    finally:
        gn.set_num_threads(None)


def big_start():
    return np.random.default_rng(3).standard_normal(BIG_SHAPE)


BIG_TARGET = np.random.default_rng(6).standard_normal(BIG_SHAPE)


def big_grad_at(param, k):
    """grad_at's bowl and wobble for a parameter of BIG_SHAPE."""
    ramp = np.linspace(0.5, 2.0, param.size).reshape(param.shape)
    return (param - BIG_TARGET) * ramp + 0.3 * np.sin(k + np.arange(param.size)).reshape(
        param.shape
    )


@pytest.mark.parametrize("cls, fast, reference, kwargs", CASES, ids=IDS)
def test_fast_update_split_over_threads_agrees_with_its_formula(
    cls, fast, reference, kwargs, two_threads
):
    size = BIG_SHAPE[0] * BIG_SHAPE[1]
    assert split_count(size, SPLIT_MIN_SIZE) == 2 and size // 2 > BLOCK_SIZE
    group = group_for(cls, kwargs)
    p_fast, p_ref = big_start(), big_start()
    state_fast, state_ref = {}, {}
    work = [np.full(BIG_SHAPE, np.nan) for _ in range(2)]
    for k in range(3):
        fast(p_fast, big_grad_at(p_fast, k), state_fast, group, work)
        reference(p_ref, big_grad_at(p_ref, k), state_ref, group)
        np.testing.assert_allclose(p_fast, p_ref, rtol=1e-12, atol=1e-13, err_msg=f"step {k}")
        for key, value in state_ref.items():
            np.testing.assert_allclose(state_fast[key], value, rtol=1e-12, atol=1e-13)
    assert not np.allclose(p_fast, big_start())


@pytest.mark.parametrize("cls, fast, reference, kwargs", CASES, ids=IDS)
def test_split_update_is_bitwise_the_one_call_update(
    cls, fast, reference, kwargs, two_threads, monkeypatch
):
    group = group_for(cls, kwargs)
    results = []
    for split in (True, False):
        if not split:  # update_in_blocks' readable twin: one call over the whole arrays
            monkeypatch.setattr(optimizer_module, "SPLIT_MIN_SIZE", 10**12)
        p, state = big_start(), {}
        work = [np.empty(BIG_SHAPE) for _ in range(2)]
        for k in range(2):
            fast(p, big_grad_at(p, k), state, group, work)
        results.append((p, state))
    (p_split, state_split), (p_whole, state_whole) = results
    np.testing.assert_array_equal(p_split, p_whole)
    for key, value in state_whole.items():
        np.testing.assert_array_equal(state_split[key], value)


def test_update_in_blocks_covers_every_number_once_and_passes_none_on(two_threads):
    x = np.random.default_rng(4).standard_normal(BIG_SHAPE)
    out_split, out_whole = np.zeros(BIG_SHAPE), np.zeros(BIG_SHAPE)
    sizes = []

    def kernel(x, unused, out):
        assert unused is None
        sizes.append(x.size)
        out += 2.0 * x + 1.0  # wrong if a number were visited twice or never

    update_in_blocks(kernel, x, None, out_split)
    assert sum(sizes) == x.size and len(sizes) > 2 and max(sizes) <= BLOCK_SIZE
    kernel(x, None, out_whole)
    np.testing.assert_array_equal(out_split, out_whole)


def test_update_in_blocks_takes_a_non_contiguous_array_in_one_call(two_threads):
    x = np.random.default_rng(5).standard_normal((BIG_SHAPE[0], 2 * BIG_SHAPE[1]))[:, ::2]
    shapes = []

    def kernel(x):
        shapes.append(x.shape)
        x *= 2.0  # writes through the view into the caller's array

    before = x.copy()
    update_in_blocks(kernel, x)
    assert shapes == [BIG_SHAPE]
    np.testing.assert_array_equal(x, 2.0 * before)


def test_updates_held_for_one_split_cover_every_number_of_every_parameter_once(two_threads):
    from glassnet.optim.optimizer import one_split_per_step

    rng = np.random.default_rng(7)
    # Sizes that put the cut between the cores inside the second array, not at a boundary.
    xs = [rng.standard_normal(n) for n in (70_001, 150_003, 66_000)]
    outs_held = [np.zeros_like(x) for x in xs]
    calls = []

    def kernel(x, out):
        calls.append(x.size)
        out += 2.0 * x + 1.0  # wrong if a number were visited twice or never

    with one_split_per_step():
        for x, out in zip(xs, outs_held):
            update_in_blocks(kernel, x, out, blocks=False)
        assert not calls  # held until the block ends
    assert sum(calls) == sum(x.size for x in xs) and len(calls) > len(xs)  # some were cut
    for x, out in zip(xs, outs_held):
        np.testing.assert_array_equal(out, 2.0 * x + 1.0)


def test_held_updates_run_even_when_the_step_fails_midway(two_threads):
    from glassnet.optim.optimizer import one_split_per_step

    x = np.ones(200_000)
    with pytest.raises(KeyError):
        with one_split_per_step():
            update_in_blocks(lambda a: a.__imul__(3.0), x)
            raise KeyError("the next parameter's update failed")
    np.testing.assert_array_equal(x, 3.0)  # the update asked for before the failure was done


@pytest.mark.parametrize("cls, fast, reference, kwargs", CASES, ids=IDS)
def test_a_step_over_several_large_parameters_is_bitwise_one_parameter_at_a_time(
    cls, fast, reference, kwargs, two_threads
):
    shapes = [BIG_SHAPE, (300, 257), (70_000,)]
    rng = np.random.default_rng(8)
    starts = [rng.standard_normal(shape) for shape in shapes]
    grads = [rng.standard_normal(shape) for shape in shapes]
    together = [gn.tensor(s.copy(), requires_grad=True) for s in starts]
    alone = [gn.tensor(s.copy(), requires_grad=True) for s in starts]
    opt_together = cls(together, **kwargs)
    opts_alone = [cls([p], **kwargs) for p in alone]
    for step in range(2):
        for p, q, g in zip(together, alone, grads):
            p.grad = gn.tensor(g * (step + 1))
            q.grad = gn.tensor(g * (step + 1))
        opt_together.step()  # one split for the three parameters
        for opt in opts_alone:
            opt.step()  # one split per parameter
    for p, q in zip(together, alone):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_held_small_updates_run_on_the_calling_thread_before_its_share(two_threads):
    import threading

    from glassnet.optim.optimizer import one_split_per_step

    order = []

    def kernel(x):
        order.append((x.size, threading.get_ident() == threading.main_thread().ident))
        x += 1.0

    big, small = np.zeros(300_000), np.zeros(10)
    with one_split_per_step():
        update_in_blocks(kernel, big, blocks=False)
        update_in_blocks(kernel, small)
    mine = [size for size, on_main in order if on_main]
    assert mine[0] == 10 and len(mine) == 2  # the small one first, then this thread's range
    assert sum(size for size, _ in order) == 300_010
    np.testing.assert_array_equal(big, 1.0)
    np.testing.assert_array_equal(small, 1.0)
