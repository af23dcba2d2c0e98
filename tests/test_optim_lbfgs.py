"""LBFGS: same iterates as torch.optim.LBFGS (Rosenbrock, least squares), stopping rules, state."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.optim.line_search import cubic_interpolate
from glassnet.serialization import load, save

torch = pytest.importorskip("torch")


def rosenbrock(x):
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at x = (1, ..., 1)."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


RNG = np.random.default_rng(99)
X_LS = RNG.standard_normal((40, 6))
Y_LS = RNG.standard_normal((40, 3))
W_LS = RNG.standard_normal((3, 6)) * 0.1
B_LS = np.zeros(3)


def least_squares(w, b):
    """Mean squared error of a linear map (w, b) from X_LS to Y_LS."""
    return ((X_LS_of(w) @ w.T + b - Y_LS_of(w)) ** 2).mean()


def X_LS_of(like):
    return gn.tensor(X_LS) if isinstance(like, gn.Tensor) else torch.tensor(X_LS)


def Y_LS_of(like):
    return gn.tensor(Y_LS) if isinstance(like, gn.Tensor) else torch.tensor(Y_LS)


PROBLEMS = {
    "rosenbrock2": (rosenbrock, [np.array([-1.2, 1.0])]),
    "rosenbrock6": (rosenbrock, [np.array([-1.2, 1.0, -0.5, 0.8, 1.3, -0.7])]),
    "least_squares": (least_squares, [W_LS, B_LS]),
}

CONFIGS = [
    ("rosenbrock2", {"lr": 0.1}),
    ("rosenbrock2", {"line_search_fn": "strong_wolfe"}),
    (
        "rosenbrock2",
        {"lr": 0.5, "max_iter": 7, "history_size": 3, "line_search_fn": "strong_wolfe"},
    ),
    ("rosenbrock6", {"line_search_fn": "strong_wolfe", "history_size": 5}),
    ("rosenbrock6", {"lr": 0.05, "max_iter": 4, "max_eval": 6}),
    ("least_squares", {}),
    ("least_squares", {"lr": 0.5, "history_size": 2, "max_iter": 3}),
    ("least_squares", {"line_search_fn": "strong_wolfe", "max_iter": 5}),
]
IDS = [f"{p}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for p, kw in CONFIGS]


def make_pair(problem, kwargs):
    fn, start = PROBLEMS[problem]
    ours = [gn.tensor(v.copy(), requires_grad=True) for v in start]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in start]
    opt_g = optim.LBFGS(ours, **kwargs)
    opt_t = torch.optim.LBFGS(theirs, **kwargs)

    def closure_g():
        opt_g.zero_grad()
        loss = fn(*ours)
        loss.backward()
        return loss

    def closure_t():
        opt_t.zero_grad()
        loss = fn(*theirs)
        loss.backward()
        return loss

    return ours, theirs, opt_g, opt_t, closure_g, closure_t


@pytest.mark.parametrize("problem, kwargs", CONFIGS, ids=IDS)
def test_iterates_match_torch(problem, kwargs):
    ours, theirs, opt_g, opt_t, closure_g, closure_t = make_pair(problem, kwargs)
    start = [p.numpy().copy() for p in ours]
    for k in range(8):
        loss_g = opt_g.step(closure_g)
        loss_t = opt_t.step(closure_t)
        assert float(loss_g) == pytest.approx(float(loss_t.detach()), rel=1e-6, abs=1e-12), k
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(
                a.numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=f"step {k}"
            )
        state_g, state_t = opt_g.state[ours[0]], opt_t.state[theirs[0]]
        assert state_g["func_evals"] == state_t["func_evals"]
        assert state_g["n_iter"] == state_t["n_iter"]
        assert len(state_g["old_dirs"]) == len(state_t["old_dirs"])
    assert not np.allclose(ours[0].numpy(), start[0])  # it moved


def test_strong_wolfe_solves_rosenbrock():
    ours, _, opt_g, _, closure_g, _ = make_pair(
        "rosenbrock2", {"line_search_fn": "strong_wolfe", "max_iter": 100}
    )
    for _ in range(3):
        opt_g.step(closure_g)
    np.testing.assert_allclose(ours[0].numpy(), [1.0, 1.0], atol=1e-4)
    assert float(rosenbrock(ours[0])) < 1e-8


def test_stops_at_once_where_the_gradient_is_tiny():
    p = gn.tensor(np.ones(2), requires_grad=True)  # Rosenbrock's minimum
    opt = optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = rosenbrock(p)
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1
    np.testing.assert_array_equal(p.numpy(), [1.0, 1.0])
    assert opt.state[p]["func_evals"] == 1 and opt.state[p]["n_iter"] == 0


def test_step_counts_and_the_closure_evaluations_stay_within_max_eval():
    ours, _, opt_g, _, closure_g, _ = make_pair(
        "rosenbrock6", {"line_search_fn": "strong_wolfe", "max_iter": 50, "max_eval": 9}
    )
    opt_g.step(closure_g)
    assert opt_g.state[ours[0]]["func_evals"] <= 9 + 1  # the search may finish one more
    assert opt_g._step_count == 1


def test_needs_a_closure_and_one_group():
    p = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="closure"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [gn.tensor([2.0], requires_grad=True)]}])


def test_defaults_are_torchs():
    p = gn.tensor([1.0], requires_grad=True)
    ours = optim.LBFGS([p]).defaults
    theirs = torch.optim.LBFGS([torch.tensor([1.0], requires_grad=True)]).defaults
    assert ours == theirs
    assert optim.LBFGS([p], max_iter=8).defaults["max_eval"] == 10


def test_state_dict_round_trip_resumes_identically(tmp_path):
    kwargs = {"line_search_fn": "strong_wolfe", "history_size": 4, "max_iter": 3}
    ours, _, opt_g, _, closure_g, _ = make_pair("rosenbrock6", kwargs)
    for _ in range(2):
        opt_g.step(closure_g)
    save(opt_g.state_dict(), tmp_path / "lbfgs.gnt")
    checkpoint = ours[0].numpy().copy()
    for _ in range(3):
        opt_g.step(closure_g)

    q = gn.tensor(checkpoint, requires_grad=True)
    resumed = optim.LBFGS([q], **kwargs)
    resumed.load_state_dict(load(tmp_path / "lbfgs.gnt"))

    def closure():
        resumed.zero_grad()
        loss = rosenbrock(q)
        loss.backward()
        return loss

    for _ in range(3):
        resumed.step(closure)
    np.testing.assert_array_equal(q.numpy(), ours[0].numpy())


def test_state_loaded_from_torch_continues_like_torch():
    kwargs = {"line_search_fn": "strong_wolfe", "history_size": 4, "max_iter": 3}
    ours, theirs, opt_g, opt_t, closure_g, closure_t = make_pair("least_squares", kwargs)
    for _ in range(2):
        opt_t.step(closure_t)
    for a, b in zip(ours, theirs):
        a.numpy()[...] = b.detach().numpy()

    def plain(v):
        if isinstance(v, torch.Tensor):
            return v.item() if v.ndim == 0 else v.numpy().copy()
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    sd = opt_t.state_dict()
    opt_g.load_state_dict(
        {
            "state": {k: {key: plain(v) for key, v in s.items()} for k, s in sd["state"].items()},
            "param_groups": sd["param_groups"],
        }
    )
    for _ in range(3):
        opt_g.step(closure_g)
        opt_t.step(closure_t)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-7, atol=1e-10)


def test_loading_state_of_the_wrong_length_is_refused():
    p = gn.tensor(np.zeros(3), requires_grad=True)
    opt = optim.LBFGS([p])
    bad = {"state": {0: {"d": np.zeros(5)}}, "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match="5 entries.*3"):
        opt.load_state_dict(bad)


@pytest.mark.parametrize(
    "x1, f1, g1, x2, f2, g2",
    [
        (0.0, 1.0, -2.0, 1.0, 0.5, 1.0),
        (2.0, 3.0, 1.5, 0.5, 1.0, -0.5),
        (0.0, 0.0, -1.0, 3.0, 4.0, 5.0),
    ],
    ids=["ordered", "reversed", "wide"],
)
def test_cubic_interpolate_finds_the_minimum_of_a_cubic(x1, f1, g1, x2, f2, g2):
    # the cubic through two values and two slopes, minimized on a fine grid
    a = np.linalg.solve(
        [
            [x1**3, x1**2, x1, 1],
            [x2**3, x2**2, x2, 1],
            [3 * x1**2, 2 * x1, 1, 0],
            [3 * x2**2, 2 * x2, 1, 0],
        ],
        [f1, f2, g1, g2],
    )
    grid = np.linspace(min(x1, x2), max(x1, x2), 200_001)
    best = grid[np.argmin(np.polyval(a, grid))]
    assert cubic_interpolate(x1, f1, g1, x2, f2, g2) == pytest.approx(best, abs=1e-4)
