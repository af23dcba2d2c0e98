"""Rprop, ASGD and Adafactor against torch.optim: same weights, same gradients, same trajectory and state."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim

torch = pytest.importorskip("torch")

from test_optim_torch import torch_state_to_glassnet  # noqa: E402 - the same conversion

STEPS = 40

RNG = np.random.default_rng(2024)
SHAPES = {
    "2d": [(3, 5), (3,)],  # a weight matrix and a bias vector
    "all": [(3, 5), (3,), (2, 3, 4), ()],  # plus a stack of matrices and a scalar
}
INITIAL = {name: [RNG.standard_normal(s) * 0.5 for s in shapes] for name, shapes in SHAPES.items()}

CONFIGS = [
    ("Rprop", {}, "2d"),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5)}, "all"),
    (
        "Rprop",
        {"lr": 0.1, "etas": (0.7, 1.05), "step_sizes": (0.02, 0.12)},
        "2d",
    ),  # both bounds hit
    ("Rprop", {"lr": 0.02, "maximize": True}, "2d"),
    ("ASGD", {}, "2d"),
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.6, "t0": 5}, "all"),
    ("ASGD", {"lr": 0.03, "t0": 3, "weight_decay": 0.1}, "2d"),
    ("ASGD", {"lr": 0.01, "t0": 10, "maximize": True}, "2d"),
    ("Adafactor", {}, "all"),
    ("Adafactor", {"lr": 0.05, "beta2_decay": -0.5, "d": 2.0}, "all"),
    ("Adafactor", {"lr": 0.05, "weight_decay": 0.1, "eps": (1e-20, 1e-3)}, "all"),
    ("Adafactor", {"lr": 0.2, "eps": (1e-3, 0.05), "d": 1.5}, "all"),
    ("Adafactor", {"lr": 0.02, "maximize": True}, "all"),
]
IDS = [
    f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}-{shapes}"
    for name, kw, shapes in CONFIGS
]
#: the state each optimizer keeps per parameter (compared with torch's after every step)
STATE_KEYS = {
    "Rprop": ("step", "prev", "step_size"),
    "ASGD": ("step", "eta", "mu", "ax"),
    "Adafactor": ("step", "row_var", "col_var", "variance"),
}


@pytest.fixture(autouse=True)
def float64_scalar_state():
    """torch keeps ASGD's eta and mu in the default dtype: float64, as glassnet's Python floats."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def gradient(p, k):
    """The gradient of a bumpy bowl at ``p`` (step ``k``): signs change often enough for Rprop."""
    wobble = np.sin(k + 0.7 * np.arange(p.size)).reshape(p.shape)
    return p + 0.3 * p**3 + 0.4 * wobble


def new_pair(shapes, dtype="float64"):
    ours = [gn.tensor(x.astype(dtype), requires_grad=True) for x in INITIAL[shapes]]
    theirs = [torch.tensor(x.astype(dtype), requires_grad=True) for x in INITIAL[shapes]]
    return ours, theirs


def make(name, params, kwargs, framework):
    return getattr(optim if framework is gn else torch.optim, name)(params, **kwargs)


def set_grads(ours, theirs, k):
    for p in ours:
        p.grad = gn.tensor(gradient(p.numpy(), k).astype(p.numpy().dtype))
    for p in theirs:
        p.grad = torch.tensor(gradient(p.detach().numpy(), k)).to(p.dtype)


def assert_same(ours, theirs, opt_g, opt_t, name, rtol=1e-6, atol=1e-9):
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=rtol, atol=atol)
        state_g, state_t = opt_g.state[a], opt_t.state[b]
        assert set(state_g) == set(state_t) <= set(STATE_KEYS[name])
        for key in state_t:
            want = state_t[key].detach().numpy()
            got = np.asarray(state_g[key])
            assert got.shape == want.shape, (i, key)
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{i} {key}")


@pytest.mark.parametrize("name, kwargs, shapes", CONFIGS, ids=IDS)
def test_trajectory_and_state_match_torch(name, kwargs, shapes):
    ours, theirs = new_pair(shapes)
    opt_g, opt_t = make(name, ours, kwargs, gn), make(name, theirs, kwargs, torch)
    for k in range(STEPS):
        set_grads(ours, theirs, k)
        opt_g.step()
        opt_t.step()
        assert_same(ours, theirs, opt_g, opt_t, name)
    assert not np.allclose(ours[0].numpy(), INITIAL[shapes][0])  # the weights really moved


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "Adafactor"])
def test_float32_trajectory_matches_torch(name):
    torch.set_default_dtype(torch.float32)  # torch's scalar state in float32, as by default
    ours, theirs = new_pair("all", "float32")
    kwargs = {"ASGD": {"lr": 0.05, "t0": 5}, "Adafactor": {"lr": 0.05}}.get(name, {})
    opt_g, opt_t = make(name, ours, kwargs, gn), make(name, theirs, kwargs, torch)
    for k in range(STEPS):
        set_grads(ours, theirs, k)
        opt_g.step()
        opt_t.step()
    for p in ours:
        assert p.numpy().dtype == np.float32
        for key, value in opt_g.state[p].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, key
    assert_same(ours, theirs, opt_g, opt_t, name, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "Adafactor"])
def test_param_groups_with_different_lr_match_torch(name):
    ours, theirs = new_pair("all")
    groups_g = [{"params": ours[:2]}, {"params": ours[2:], "lr": 0.1}]
    groups_t = [{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.1}]
    opt_g, opt_t = make(name, groups_g, {"lr": 0.03}, gn), make(name, groups_t, {"lr": 0.03}, torch)
    for k in range(STEPS):
        set_grads(ours, theirs, k)
        opt_g.step()
        opt_t.step()
        if k == 20:  # a scheduler-style change of lr mid-run
            opt_g.param_groups[0]["lr"] = opt_t.param_groups[0]["lr"] = 0.01
    assert_same(ours, theirs, opt_g, opt_t, name)


RESUME_CASES = [CONFIGS[1], CONFIGS[5], CONFIGS[10]]
RESUME_IDS = [IDS[1], IDS[5], IDS[10]]


@pytest.mark.parametrize("name, kwargs, shapes", RESUME_CASES, ids=RESUME_IDS)
def test_state_dict_saved_to_file_resumes_identically(name, kwargs, shapes, tmp_path):
    straight, _ = new_pair(shapes)
    opt_straight = make(name, straight, kwargs, gn)
    first, _ = new_pair(shapes)
    opt_first = make(name, first, kwargs, gn)
    for k in range(15):
        for run, opt in ((straight, opt_straight), (first, opt_first)):
            set_grads(run, [], k)
            opt.step()
    gn.save(opt_first.state_dict(), tmp_path / "opt.gn")
    opt_first.step()  # the saved state is a snapshot: later steps do not change the file

    resumed = [gn.tensor(p.numpy().copy(), requires_grad=True) for p in straight]
    opt_resumed = make(name, resumed, {}, gn)  # the options come from the file
    opt_resumed.load_state_dict(gn.load(tmp_path / "opt.gn"))
    assert opt_resumed.param_groups[0]["lr"] == opt_straight.param_groups[0]["lr"]
    for k in range(15, 30):
        for run, opt in ((straight, opt_straight), (resumed, opt_resumed)):
            set_grads(run, [], k)
            opt.step()
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name, kwargs, shapes", RESUME_CASES, ids=RESUME_IDS)
def test_state_loaded_from_torch_continues_like_torch(name, kwargs, shapes):
    ours, theirs = new_pair(shapes)
    opt_t = make(name, theirs, kwargs, torch)
    for k in range(15):
        set_grads([], theirs, k)
        opt_t.step()
    for a, b in zip(ours, theirs):
        a.numpy()[...] = b.detach().numpy()
    opt_g = make(name, ours, kwargs, gn)
    opt_g.load_state_dict(torch_state_to_glassnet(opt_t.state_dict(), opt_g))
    for k in range(15, 15 + STEPS):
        set_grads(ours, theirs, k)
        opt_g.step()
        opt_t.step()
    assert_same(ours, theirs, opt_g, opt_t, name)


def test_adafactor_refuses_factored_state_of_the_wrong_shape():
    p = gn.tensor(np.ones((3, 4)), requires_grad=True)
    opt = optim.Adafactor([p])
    bad = {"step": 1, "row_var": np.ones((4, 1)), "col_var": np.ones((1, 4))}
    saved = {"state": {0: bad}, "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match=r"'row_var' of parameter 0 has shape \(4, 1\).*\(3, 1\)"):
        opt.load_state_dict(saved)
    assert not opt.state  # nothing changed


def test_asgd_ax_is_the_mean_of_the_weights_after_t0():
    """The averaged weights are the plain mean of the weights visited after step t0."""
    p = gn.tensor(INITIAL["2d"][0].copy(), requires_grad=True)
    opt = optim.ASGD([p], lr=0.05, t0=4)
    visited = []
    for k in range(12):
        p.grad = gn.tensor(gradient(p.numpy(), k))
        opt.step()
        visited.append(p.numpy().copy())
    # mu_t = 1 / max(1, t - t0) is used at step t + 1: steps 1..6 give ax = theta, then a mean
    np.testing.assert_allclose(opt.state[p]["ax"], np.mean(visited[5:], axis=0), rtol=1e-12)


def test_rprop_ignores_the_gradients_size():
    """Two gradients of the same signs give the same Rprop steps, whatever their sizes."""
    runs = []
    for scale in (1.0, 1000.0):
        p = gn.tensor(INITIAL["2d"][0].copy(), requires_grad=True)
        opt = optim.Rprop([p])
        for k in range(10):
            p.grad = gn.tensor(scale * gradient(p.numpy(), k))
            opt.step()
        runs.append(p.numpy())
    np.testing.assert_array_equal(*runs)


# torch's arguments that choose how it computes, not what: glassnet has none
IMPLEMENTATION_SWITCHES = {"foreach", "fused", "capturable", "differentiable"}


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "Adafactor"])
def test_defaults_and_group_keys_are_torchs(name):
    ours, theirs = new_pair("2d")
    opt_g, opt_t = make(name, ours, {}, gn), make(name, theirs, {}, torch)
    group_g, group_t = opt_g.param_groups[0], opt_t.param_groups[0]
    assert set(group_g) <= set(group_t)
    assert set(group_t) - set(group_g) <= IMPLEMENTATION_SWITCHES
    for key in set(group_g) - {"params"}:
        assert group_g[key] == group_t[key], key


BAD_ARGUMENTS = [
    ("Rprop", {"lr": -0.1}, "Invalid lr: expected lr >= 0, got lr=-0.1", True),
    ("Rprop", {"etas": (1.2, 0.5)}, "Invalid etas: expected 0 < etaminus < 1 < etaplus", True),
    ("Rprop", {"etas": (0.5, 1.0)}, "Invalid etas: expected 0 < etaminus < 1 < etaplus", True),
    ("Rprop", {"etas": 0.5}, r"Invalid etas: expected a pair of numbers", True),
    ("Rprop", {"step_sizes": (1.0, 0.1)}, "Invalid step_sizes: expected 0 <= min_step", False),
    ("ASGD", {"lr": -1}, "Invalid lr: expected lr >= 0, got lr=-1", True),
    ("ASGD", {"weight_decay": -0.5}, "Invalid weight_decay: expected weight_decay >= 0", True),
    ("ASGD", {"t0": "soon"}, "Invalid t0: expected a number, got 'soon'", False),
    ("Adafactor", {"lr": -1e-2}, "Invalid lr: expected lr >= 0", True),
    ("Adafactor", {"beta2_decay": 0.5}, "Invalid beta2_decay: expected a number <= 0", True),
    ("Adafactor", {"eps": (-1.0, 1e-3)}, "Invalid eps1: expected eps1 >= 0", True),
    ("Adafactor", {"eps": (None, -1e-3)}, "Invalid eps2: expected eps2 >= 0", True),
    ("Adafactor", {"eps": 1e-3}, r"Invalid eps: expected a pair \(eps1 or None, eps2\)", True),
    ("Adafactor", {"d": 0.5}, "Invalid d: expected a clipping threshold d >= 1, got d=0.5", True),
    ("Adafactor", {"weight_decay": -1}, "Invalid weight_decay: expected weight_decay >= 0", True),
]


@pytest.mark.parametrize(
    "name, kwargs, message, torch_rejects",
    BAD_ARGUMENTS,
    ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw, _, _ in BAD_ARGUMENTS],
)
def test_bad_arguments_give_one_clear_line(name, kwargs, message, torch_rejects):
    with pytest.raises(ValueError, match=message) as error:
        make(name, [gn.tensor(np.ones(3), requires_grad=True)], kwargs, gn)
    assert "\n" not in str(error.value)
    if torch_rejects:  # torch refuses these too (with other words)
        with pytest.raises((ValueError, TypeError)):
            make(name, [torch.ones(3, requires_grad=True)], kwargs, torch)


def test_bad_option_in_a_new_group_is_refused():
    opt = optim.Rprop([gn.tensor(np.ones(3), requires_grad=True)])
    with pytest.raises(ValueError, match="Invalid etas"):
        opt.add_param_group({"params": [gn.tensor(np.ones(2), requires_grad=True)], "etas": (2, 3)})


def test_unknown_argument_names_the_optimizer():
    with pytest.raises(TypeError, match=r"ASGD\(\): .*momentum"):
        optim.ASGD([gn.tensor(np.ones(3), requires_grad=True)], momentum=0.9)
