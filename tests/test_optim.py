"""Optimizers without torch: hand-computed steps, parameter groups, state_dict, zero_grad, errors."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.serialization import load, save

ALL = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "SGD_nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
    "Adadelta": lambda ps: optim.Adadelta(ps, lr=0.5, weight_decay=0.01),
    "Adamax": lambda ps: optim.Adamax(ps, lr=0.01, weight_decay=0.1),
    "NAdam": lambda ps: optim.NAdam(ps, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "RAdam": lambda ps: optim.RAdam(ps, lr=0.01, betas=(0.9, 0.9), weight_decay=0.1),
}


def param(values, dtype="float64"):
    return gn.tensor(np.array(values, dtype=dtype), requires_grad=True)


def set_grad(p, values):
    p.grad = gn.tensor(np.array(values, dtype=p.numpy().dtype))


def quadratic_grads(params, k):
    """Gradients of a fixed quadratic plus a step-dependent term, from the current values."""
    for i, p in enumerate(params):
        p.grad = gn.tensor(
            (i + 1.0) * p.numpy() - np.cos(k + np.arange(p.numpy().size)).reshape(p.shape)
        )


# ------------------------------------------------------------------ hand-computed steps
def test_sgd_plain_step():
    p = param([1.0, -2.0])
    opt = optim.SGD([p], lr=0.5)
    set_grad(p, [0.2, 0.4])
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.9, -2.2], rtol=1e-15)
    assert opt.state[p] == {}  # no momentum, no state


def test_sgd_momentum_two_steps_by_hand():
    p = param([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    set_grad(p, [0.5, -1.0])
    opt.step()  # b1 = g1; p = p - 0.1 * b1
    np.testing.assert_allclose(p.numpy(), [0.95, 2.1], rtol=1e-15)
    set_grad(p, [1.0, 1.0])
    opt.step()  # b2 = 0.9 * b1 + g2 = [1.45, 0.1]
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"], [1.45, 0.1], rtol=1e-15)
    np.testing.assert_allclose(p.numpy(), [0.95 - 0.145, 2.1 - 0.01], rtol=1e-15)


def test_sgd_nesterov_dampening_weight_decay_by_hand():
    p = param([1.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.2)
    set_grad(p, [1.0])
    opt.step()  # g = 1 + 0.2 * 1 = 1.2; b = 1.2; d = 1.2 + 0.5 * 1.2 = 1.8
    np.testing.assert_allclose(p.numpy(), [1.0 - 0.18], rtol=1e-15)
    q = param([0.0])
    opt = optim.SGD([q], lr=1.0, momentum=0.5, dampening=0.5)
    for _ in range(2):
        set_grad(q, [2.0])
        opt.step()  # b1 = 2; b2 = 0.5 * 2 + 0.5 * 2 = 2
    np.testing.assert_allclose(q.numpy(), [-4.0], rtol=1e-15)


def test_sgd_maximize_climbs():
    p = param([0.0])
    opt = optim.SGD([p], lr=0.1, maximize=True)
    set_grad(p, [3.0])
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.3], rtol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    # m1 = (1-b1) g and v1 = (1-b2) g^2, so after bias correction the step is lr * g / (|g| + eps)
    p = param([1.0, 1.0, 1.0])
    opt = optim.Adam([p], lr=0.01)
    g = np.array([3.0, -0.002, 1e3])
    set_grad(p, g)
    opt.step()
    np.testing.assert_allclose(p.numpy(), 1.0 - 0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(p.numpy(), [0.99, 1.01, 0.99], rtol=1e-7)  # about lr * sign(g)
    assert opt.state[p]["step"] == 1


def test_adamw_decays_weights_directly_and_adam_through_gradient():
    p, q = param([2.0, -4.0]), param([2.0, -4.0])
    adamw = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    adam = optim.Adam([q], lr=0.1, weight_decay=0.5)
    set_grad(p, [0.0, 0.0])
    set_grad(q, [0.0, 0.0])
    adamw.step()
    adam.step()
    # AdamW: zero gradient, so only the decay acts: p *= 1 - lr * wd
    np.testing.assert_allclose(p.numpy(), [2.0 * 0.95, -4.0 * 0.95], rtol=1e-15)
    # Adam: the decay 0.5 * p is a gradient, normalised to a step of lr against sign(p)
    np.testing.assert_allclose(q.numpy(), [1.9, -3.9], rtol=1e-9)


def test_adagrad_and_rmsprop_first_steps():
    p, q = param([0.0, 0.0]), param([0.0, 0.0])
    adagrad = optim.Adagrad([p], lr=0.1)
    rmsprop = optim.RMSprop([q], lr=0.01, alpha=0.99)
    for t in (p, q):
        set_grad(t, [4.0, -0.5])
    adagrad.step()  # s = g^2, step = lr * g / |g|
    rmsprop.step()  # v = 0.01 g^2, step = lr * g / (0.1 |g|)
    np.testing.assert_allclose(p.numpy(), [-0.1, 0.1], rtol=1e-9)
    np.testing.assert_allclose(q.numpy(), [-0.1, 0.1], rtol=1e-6)
    np.testing.assert_allclose(adagrad.state[p]["sum"], [16.0, 0.25])


def test_adagrad_initial_accumulator_and_lr_decay():
    p = param([0.0])
    opt = optim.Adagrad([p], lr=1.0, lr_decay=1.0, initial_accumulator_value=5.0, eps=0.0)
    set_grad(p, [2.0])
    opt.step()  # s = 5 + 4 = 9, step = 1 * 2 / 3
    set_grad(p, [4.0])
    opt.step()  # lr = 1 / (1 + 1), s = 25, step = 0.5 * 4 / 5
    np.testing.assert_allclose(p.numpy(), [-2 / 3 - 0.4], rtol=1e-15)


@pytest.mark.parametrize("name", sorted(ALL), ids=sorted(ALL))
def test_float32_params_keep_float32_state(name):
    p = param(np.linspace(-1, 1, 6).reshape(2, 3), dtype="float32")
    opt = ALL[name]([p])
    for k in range(3):
        quadratic_grads([p], k)
        opt.step()
    assert p.numpy().dtype == np.float32
    for key, value in opt.state[p].items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, key
            assert value.shape == p.shape, key


@pytest.mark.parametrize("name", sorted(ALL), ids=sorted(ALL))
def test_params_without_grad_are_skipped(name):
    p, q = param([1.0, 2.0]), param([3.0])
    opt = ALL[name]([p, q])
    set_grad(p, [0.1, 0.2])
    opt.step()
    assert not np.array_equal(p.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(q.numpy(), [3.0])
    assert q not in opt.state or opt.state[q] == {}


def test_grad_of_wrong_shape_is_refused():
    p = param([1.0, 2.0])
    opt = optim.Adam([p])
    p.grad = gn.tensor([1.0])
    with pytest.raises(ValueError, match=r"shape \(2,\).*shape \(1,\)"):
        opt.step()


def test_optimizer_never_writes_into_the_gradient():
    p = param([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)
    set_grad(p, [0.5, 0.5])
    before = p.grad.numpy().copy()
    opt.step()
    opt.step()
    np.testing.assert_array_equal(p.grad.numpy(), before)


# ------------------------------------------------------------------ with real autograd
def test_adam_fits_least_squares_with_autograd():
    rng = np.random.default_rng(0)
    X = gn.tensor(rng.standard_normal((64, 3)))
    w_true = np.array([1.5, -2.0, 0.5])
    y = gn.tensor(X.numpy() @ w_true)
    w = gn.zeros(3, dtype=gn.float64, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.numpy(), w_true, atol=1e-3)


def test_step_with_closure_returns_loss_and_records_graph():
    w = gn.tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gn.no_grad():  # the closure still records: step() turns grad mode on for it
        loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(w.numpy(), [1.5])  # 3 - 0.25 * 6


def test_step_invalidates_graphs_that_saved_the_old_weights():
    w = gn.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    y = (w * w).sum()  # Mul keeps w for its backward
    w.grad = gn.tensor([1.0])
    opt.step()
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


# ------------------------------------------------------------------ zero_grad
def test_zero_grad_sets_to_none_by_default():
    p, q = param([1.0]), param([2.0])
    opt = optim.SGD([p, q], lr=0.1)
    set_grad(p, [5.0])
    opt.zero_grad()
    assert p.grad is None and q.grad is None


def test_zero_grad_set_to_none_false_zeroes_in_place():
    p = param([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1)
    set_grad(p, [5.0, 6.0])
    grad = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is grad
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    assert not p.grad.requires_grad


# ------------------------------------------------------------------ parameter groups
def test_param_groups_have_their_own_lr_and_defaults_fill_the_rest():
    a, b = param([1.0]), param([1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1, momentum=0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    assert [g["momentum"] for g in opt.param_groups] == [0.5, 0.5]
    assert opt.param_groups[1]["params"] == [b] or opt.param_groups[1]["params"][0] is b
    set_grad(a, [1.0])
    set_grad(b, [1.0])
    opt.step()
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [0.9, 0.0])


def test_add_param_group_and_its_errors():
    a, b = param([1.0]), param([2.0])
    opt = optim.Adam([a], lr=0.01)
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([param([0.0])])
    with pytest.raises(TypeError, match="set"):
        opt.add_param_group({"params": {param([0.0])}})
    with pytest.raises(ValueError, match="'params'"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [param([0.0])], "lr": -1.0})


def test_named_parameters_are_accepted():
    a, b = param([1.0]), param([2.0])
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b] or opt.param_groups[0]["params"][1] is b
    assert opt.param_groups[0]["param_names"] == ["w", "b"]


@pytest.mark.parametrize(
    "params, error, match",
    [
        ("tensor", TypeError, "single Tensor"),
        ([], ValueError, "empty parameter list"),
        (["not a tensor"], TypeError, "can only optimize Tensors"),
        ("non_leaf", ValueError, "non-leaf"),
        (5, TypeError, "iterable"),
    ],
    ids=["single_tensor", "empty", "not_tensor", "non_leaf", "not_iterable"],
)
def test_bad_params_are_refused(params, error, match):
    w = param([1.0])
    if params == "tensor":
        params = w
    elif params == "non_leaf":
        params = [w * 2]
    with pytest.raises(error, match=match):
        optim.SGD(params, lr=0.1)


def test_duplicate_params_in_a_group_warn():
    w = param([1.0])
    with pytest.warns(UserWarning, match="duplicate"):
        optim.SGD([w, w], lr=0.1)


# ------------------------------------------------------------------ invalid hyperparameters
BAD = [
    ("SGD_lr", optim.SGD, {"lr": -0.1}, "lr", "-0.1"),
    ("SGD_momentum", optim.SGD, {"momentum": -0.5}, "momentum", "-0.5"),
    ("SGD_weight_decay", optim.SGD, {"weight_decay": -1e-4}, "weight_decay", "-0.0001"),
    ("SGD_nesterov_no_momentum", optim.SGD, {"nesterov": True}, "Nesterov", "momentum=0"),
    (
        "SGD_nesterov_dampening",
        optim.SGD,
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        "Nesterov",
        "dampening=0.1",
    ),
    ("SGD_lr_not_number", optim.SGD, {"lr": "0.1"}, "lr", "'0.1'"),
    ("Adagrad_lr", optim.Adagrad, {"lr": -1}, "lr", "-1"),
    ("Adagrad_lr_decay", optim.Adagrad, {"lr_decay": -0.1}, "lr_decay", "-0.1"),
    ("Adagrad_weight_decay", optim.Adagrad, {"weight_decay": -2}, "weight_decay", "-2"),
    (
        "Adagrad_initial_accumulator_value",
        optim.Adagrad,
        {"initial_accumulator_value": -0.5},
        "initial_accumulator_value",
        "-0.5",
    ),
    ("Adagrad_eps", optim.Adagrad, {"eps": -1e-10}, "eps", "-1e-10"),
    ("RMSprop_lr", optim.RMSprop, {"lr": -0.01}, "lr", "-0.01"),
    ("RMSprop_alpha", optim.RMSprop, {"alpha": -0.9}, "alpha", "-0.9"),
    ("RMSprop_eps", optim.RMSprop, {"eps": -1.0}, "eps", "-1.0"),
    ("RMSprop_weight_decay", optim.RMSprop, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    ("RMSprop_momentum", optim.RMSprop, {"momentum": -0.1}, "momentum", "-0.1"),
    ("Adam_lr", optim.Adam, {"lr": -1e-3}, "lr", "-0.001"),
    ("Adam_eps", optim.Adam, {"eps": -1e-8}, "eps", "-1e-08"),
    ("Adam_weight_decay", optim.Adam, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    ("Adam_beta1_negative", optim.Adam, {"betas": (-0.1, 0.999)}, "betas[0]", "-0.1"),
    ("Adam_beta1_one", optim.Adam, {"betas": (1.0, 0.999)}, "betas[0]", "1.0"),
    ("Adam_beta2_big", optim.Adam, {"betas": (0.9, 1.5)}, "betas[1]", "1.5"),
    ("Adam_betas_not_pair", optim.Adam, {"betas": (0.9,)}, "betas", "(0.9,)"),
    ("AdamW_lr", optim.AdamW, {"lr": -1.0}, "lr", "-1.0"),
    ("AdamW_weight_decay", optim.AdamW, {"weight_decay": -0.01}, "weight_decay", "-0.01"),
    ("AdamW_beta2", optim.AdamW, {"betas": (0.9, 1.0)}, "betas[1]", "1.0"),
    ("AdamW_eps_nan", optim.AdamW, {"eps": math.nan}, "eps", "nan"),
    ("Adadelta_lr", optim.Adadelta, {"lr": -1.0}, "lr", "-1.0"),
    ("Adadelta_rho_big", optim.Adadelta, {"rho": 1.5}, "rho", "1.5"),
    ("Adadelta_rho_negative", optim.Adadelta, {"rho": -0.1}, "rho", "-0.1"),
    ("Adadelta_eps", optim.Adadelta, {"eps": -1e-6}, "eps", "-1e-06"),
    ("Adadelta_weight_decay", optim.Adadelta, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    ("Adamax_lr", optim.Adamax, {"lr": -2e-3}, "lr", "-0.002"),
    ("Adamax_eps", optim.Adamax, {"eps": -1.0}, "eps", "-1.0"),
    ("Adamax_beta1", optim.Adamax, {"betas": (1.0, 0.999)}, "betas[0]", "1.0"),
    ("Adamax_weight_decay", optim.Adamax, {"weight_decay": -1}, "weight_decay", "-1"),
    ("NAdam_lr", optim.NAdam, {"lr": -1.0}, "lr", "-1.0"),
    ("NAdam_beta2", optim.NAdam, {"betas": (0.9, 1.0)}, "betas[1]", "1.0"),
    ("NAdam_momentum_decay", optim.NAdam, {"momentum_decay": -0.1}, "momentum_decay", "-0.1"),
    ("NAdam_weight_decay", optim.NAdam, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    ("RAdam_lr", optim.RAdam, {"lr": -1.0}, "lr", "-1.0"),
    ("RAdam_eps", optim.RAdam, {"eps": -1e-8}, "eps", "-1e-08"),
    ("RAdam_beta1", optim.RAdam, {"betas": (-0.5, 0.999)}, "betas[0]", "-0.5"),
    ("RAdam_weight_decay", optim.RAdam, {"weight_decay": -0.1}, "weight_decay", "-0.1"),
    ("LBFGS_lr", optim.LBFGS, {"lr": -1.0}, "lr", "-1.0"),
    ("LBFGS_max_iter", optim.LBFGS, {"max_iter": 0}, "max_iter", "0"),
    ("LBFGS_max_eval", optim.LBFGS, {"max_eval": 2.5}, "max_eval", "2.5"),
    ("LBFGS_history_size", optim.LBFGS, {"history_size": 0}, "history_size", "0"),
    ("LBFGS_tolerance_grad", optim.LBFGS, {"tolerance_grad": -1.0}, "tolerance_grad", "-1.0"),
    (
        "LBFGS_tolerance_change",
        optim.LBFGS,
        {"tolerance_change": -1e-9},
        "tolerance_change",
        "-1e-09",
    ),
    (
        "LBFGS_line_search_fn",
        optim.LBFGS,
        {"line_search_fn": "armijo"},
        "line_search_fn",
        "'armijo'",
    ),
]


@pytest.mark.parametrize("cls, kwargs, name, value", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_hyperparameters_raise_value_error_naming_them(cls, kwargs, name, value):
    with pytest.raises(ValueError) as info:
        cls([param([1.0])], **kwargs)
    message = str(info.value)
    assert name in message and value in message, message


# ------------------------------------------------------------------ state_dict
def run_steps(opt, params, first, count):
    for k in range(first, first + count):
        quadratic_grads(params, k)
        opt.step()


def fresh_params(values):
    return [gn.tensor(v.copy(), requires_grad=True) for v in values]


@pytest.mark.parametrize("name", sorted(ALL), ids=sorted(ALL))
def test_state_dict_round_trip_resumes_identically(name, tmp_path):
    start = [np.linspace(-1, 1, 6).reshape(2, 3), np.array([0.5, -0.25])]
    params = fresh_params(start)
    opt = ALL[name]([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}])
    run_steps(opt, params, 0, 5)
    saved = opt.state_dict()
    checkpoint = [p.numpy().copy() for p in params]
    run_steps(opt, params, 5, 5)  # the snapshot must not change with these steps

    save(saved, tmp_path / "opt.gnt")  # through glassnet's pickle-free file format
    loaded = load(tmp_path / "opt.gnt")
    resumed_params = fresh_params(checkpoint)
    resumed = ALL[name]([{"params": resumed_params[:1]}, {"params": resumed_params[1:]}])
    resumed.load_state_dict(loaded)
    assert resumed.param_groups[1]["lr"] == 0.05  # options come from the state dict
    run_steps(resumed, resumed_params, 5, 5)
    for a, b in zip(params, resumed_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_state_dict_layout():
    a, b = param([1.0, 2.0]), param([3.0])
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.1}], lr=0.01)
    set_grad(b, [1.0])
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert list(sd["state"]) == [1]  # a never had a gradient: no state
    assert sd["state"][1]["step"] == 1
    assert sd["state"][1]["exp_avg"] is not opt.state[b]["exp_avg"]


def test_load_state_dict_accepts_json_like_values():
    # string keys and lists (what a JSON round trip produces) are turned back
    p = param([1.0, 2.0])
    opt = optim.Adam([p], lr=0.01)
    set_grad(p, [1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    sd["state"] = {"0": sd["state"][0]}
    sd["param_groups"][0]["betas"] = [0.8, 0.99]
    q = param([1.0, 2.0], dtype="float32")
    other = optim.Adam([q])
    other.load_state_dict(sd)
    assert other.param_groups[0]["betas"] == (0.8, 0.99)
    assert other.state[q]["exp_avg"].dtype == np.float32  # cast to the parameter's dtype
    assert other.state[q]["step"] == 1


def test_load_state_dict_errors_leave_the_optimizer_unchanged():
    a, b = param([1.0, 2.0]), param([3.0])
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    set_grad(a, [1.0, 1.0])
    set_grad(b, [1.0])
    opt.step()
    good = opt.state_dict()

    target = optim.SGD([param([0.0, 0.0]), param([0.0])], lr=0.3, momentum=0.9)
    before = target.state_dict()

    def expect(sd, match):
        with pytest.raises(ValueError, match=match):
            target.load_state_dict(sd)
        assert target.state_dict() == before  # nothing half-loaded

    two_groups = {"state": {}, "param_groups": good["param_groups"] * 2}
    expect(two_groups, "different number of parameter groups")
    one_param = {"state": {}, "param_groups": [dict(good["param_groups"][0], params=[0])]}
    expect(one_param, "doesn't match the size")
    expect({"state": {7: {}}, "param_groups": good["param_groups"]}, "parameter 7")
    bad_shape = {
        "state": {0: {"momentum_buffer": np.zeros(5)}},
        "param_groups": good["param_groups"],
    }
    expect(bad_shape, r"shape \(5,\).*shape \(2,\)")
    bad_lr = {"state": {}, "param_groups": [dict(good["param_groups"][0], lr=-1.0)]}
    expect(bad_lr, "lr")
    expect({"param_groups": []}, "'state' and 'param_groups'")
    expect({"state": {}, "param_groups": [{"lr": 0.1}]}, "malformed")


def test_repr_lists_group_options():
    opt = optim.SGD([param([1.0])], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text
    assert "lr: 0.1" in text and "momentum: 0.9" in text


# ------------------------------------------------------------------ constructors from the options tables
@pytest.mark.parametrize(
    "cls, args, expected",
    [
        (optim.SGD, (0.1, 0.9, 0.2, 0.01, False), {"momentum": 0.9, "dampening": 0.2}),
        (optim.Adam, (0.1, (0.5, 0.6), 1e-4, 0.2, True), {"betas": (0.5, 0.6), "amsgrad": True}),
        (optim.AdamW, (0.1, (0.5, 0.6), 1e-4), {"eps": 1e-4, "weight_decay": 1e-2}),
        (optim.NAdam, (0.1, (0.5, 0.6), 1e-4, 0.2, 0.01, True), {"momentum_decay": 0.01}),
        (optim.Adagrad, (0.1, 0.01, 0.2, 0.3), {"initial_accumulator_value": 0.3}),
    ],
    ids=["SGD", "Adam", "AdamW", "NAdam", "Adagrad"],
)
def test_options_given_by_position_land_in_their_named_slots(cls, args, expected):
    group = cls([param([1.0])], *args).param_groups[0]
    assert group["lr"] == 0.1
    assert {name: group[name] for name in expected} == expected
    assert group["maximize"] is False  # a keyword-only option keeps its default


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda ps: optim.Adam(ps, nesterov=True), r"Adam\(\): .*unexpected keyword.*nesterov"),
        (lambda ps: optim.SGD(ps, 0.1, 0.9, 0, 0, False, False), r"SGD\(\): too many positional"),
        (lambda ps: optim.RMSprop(ps, 0.1, maximize=True, lr=0.2), r"RMSprop\(\): .*'lr'"),
        (lambda ps: optim.AdamW(ps, decoupled_weight_decay=False), r"AdamW\(\): .*decoupled"),
    ],
    ids=["unknown-keyword", "too-many-positional", "lr-twice", "AdamW-decoupling-is-fixed"],
)
def test_a_wrong_constructor_argument_is_a_type_error_naming_the_optimizer(make, match):
    with pytest.raises(TypeError, match=match):
        make([param([1.0])])


def test_adamw_groups_always_decouple_the_weight_decay():
    opt = optim.AdamW([param([1.0])], weight_decay=0.5)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    assert opt.defaults["weight_decay"] == 0.5


def test_a_subclass_written_the_pytorch_way_still_works():
    class HalfStep(optim.Optimizer):
        def __init__(self, params, lr=0.5):
            super().__init__(params, {"lr": lr})

        def update(self, param, grad, state, group):
            param -= group["lr"] * grad

    w = param([2.0])
    opt = HalfStep([w])
    set_grad(w, [1.0])
    opt.step()
    np.testing.assert_allclose(w.numpy(), [1.5])
