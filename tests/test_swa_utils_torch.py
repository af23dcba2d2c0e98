"""optim.swa_utils against torch.optim.swa_utils: averaged weights, SWALR's learning rates, update_bn."""

import importlib
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import DataLoader, TensorDataset
from glassnet.optim import swa_utils

torch = pytest.importorskip("torch")
from torch.optim import swa_utils as torch_swa  # noqa: E402

RNG = np.random.default_rng(7)
X = RNG.standard_normal((40, 4)).astype(np.float32)
Y = RNG.standard_normal((40, 3)).astype(np.float32)


def models(momentum=0.1):
    """The same small model with BatchNorm in glassnet and in torch, with identical weights."""
    ours = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6, momentum=momentum), nn.ReLU(), nn.Linear(6, 3),
        nn.BatchNorm1d(3, momentum=0.3),
    )  # fmt: skip
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6, momentum=momentum), torch.nn.ReLU(),
        torch.nn.Linear(6, 3), torch.nn.BatchNorm1d(3, momentum=0.3),
    )  # fmt: skip
    with torch.no_grad():
        for name, t in theirs.state_dict().items():
            t.copy_(torch.from_numpy(np.array(ours.state_dict()[name].numpy())))
    return ours, theirs


def train_a_little(ours, theirs, k):
    """Move both models' weights the same way, and their BatchNorm statistics (a forward pass)."""
    for p, q in zip(ours.parameters(), theirs.parameters()):
        delta = 0.2 * np.sin(k + np.arange(p.numel())).reshape(p.shape).astype(np.float32)
        p.numpy()[...] += delta
        with torch.no_grad():
            q += torch.from_numpy(delta)
    batch = X[5 * k % 40 : 5 * k % 40 + 8]
    with gn.no_grad():
        ours(gn.tensor(batch))
    with torch.no_grad():
        theirs(torch.from_numpy(batch))


def assert_same_state(ours, theirs, rtol=1e-5, atol=1e-6):
    sd_g, sd_t = ours.state_dict(), theirs.state_dict()
    assert set(sd_g) == set(sd_t)
    for name, t in sd_t.items():
        got = np.asarray(sd_g[name].numpy())
        assert got.dtype == t.numpy().dtype, name
        np.testing.assert_allclose(got, t.numpy(), rtol=rtol, atol=atol, err_msg=name)


AVERAGING = {
    "swa": ({}, {}),
    "ema_avg_fn": (
        {"avg_fn": swa_utils.get_ema_avg_fn(0.9)},
        {"avg_fn": torch_swa.get_ema_avg_fn(0.9)},
    ),
    "ema_multi": (
        {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.8)},
        {"multi_avg_fn": torch_swa.get_ema_multi_avg_fn(0.8)},
    ),
    "swa_multi": (
        {"multi_avg_fn": swa_utils.get_swa_multi_avg_fn()},
        {"multi_avg_fn": torch_swa.get_swa_multi_avg_fn()},
    ),
    "swa_avg_fn_buffers": (
        {"avg_fn": swa_utils.get_swa_avg_fn(), "use_buffers": True},
        {"avg_fn": torch_swa.get_swa_avg_fn(), "use_buffers": True},
    ),
    "ema_multi_buffers": (
        {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.7), "use_buffers": True},
        {"multi_avg_fn": torch_swa.get_ema_multi_avg_fn(0.7), "use_buffers": True},
    ),
}


@pytest.mark.parametrize("kind", sorted(AVERAGING))
def test_averaged_model_matches_torch(kind):
    kwargs_g, kwargs_t = AVERAGING[kind]
    ours, theirs = models()
    avg_g = swa_utils.AveragedModel(ours, **kwargs_g)
    avg_t = torch_swa.AveragedModel(theirs, **kwargs_t)
    for k in range(12):
        train_a_little(ours, theirs, k)
        avg_g.update_parameters(ours)
        avg_t.update_parameters(theirs)
        assert_same_state(avg_g, avg_t)
    assert int(avg_g.n_averaged) == 12
    # the average differs from the model: the copy is its own
    assert not np.allclose(avg_g.module[0].weight.numpy(), ours[0].weight.numpy())
    avg_g.eval()
    avg_t.eval()
    x = X[:10]
    with torch.no_grad():
        want = avg_t(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(avg_g(gn.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_swa_average_is_the_plain_mean_of_the_weights():
    ours, _ = models()
    avg = swa_utils.AveragedModel(ours)
    seen = []
    for k in range(5):
        ours[0].weight.numpy()[...] = k * k
        avg.update_parameters(ours)
        seen.append(k * k)
    np.testing.assert_allclose(avg.module[0].weight.numpy(), np.mean(seen), rtol=1e-6)


def test_averaged_model_is_a_copy_with_its_own_parameters():
    ours, _ = models()
    avg = swa_utils.AveragedModel(ours, device="cpu")
    assert isinstance(avg.module, nn.Sequential) and avg.module is not ours
    assert [n for n, _ in avg.named_parameters()] == [
        "module." + n for n, _ in ours.named_parameters()
    ]
    assert all(a is not b for a, b in zip(avg.parameters(), ours.parameters()))
    assert "n_averaged" in avg.state_dict()
    ours[0].weight.numpy()[...] = 0
    assert not np.all(avg.module[0].weight.numpy() == 0)
    assert avg.module[0].weight.requires_grad  # its copies stay parameters, as in torch


def test_averaged_model_resumes_from_its_state_dict():
    ours, _ = models()
    avg = swa_utils.AveragedModel(ours)
    for _ in range(3):
        ours[0].weight.numpy()[...] += 1
        avg.update_parameters(ours)
    again = swa_utils.AveragedModel(ours)
    again.load_state_dict(avg.state_dict())
    assert int(again.n_averaged) == 3
    ours[0].weight.numpy()[...] += 1
    avg.update_parameters(ours)
    again.update_parameters(ours)
    np.testing.assert_array_equal(avg.module[0].weight.numpy(), again.module[0].weight.numpy())


SWALR_CASES = [
    ("cos", {"swa_lr": 0.05, "anneal_epochs": 5}),
    ("linear", {"swa_lr": 0.05, "anneal_epochs": 5, "anneal_strategy": "linear"}),
    ("per_group_cos", {"swa_lr": [0.05, 0.2], "anneal_epochs": 7}),
    ("per_group_linear", {"swa_lr": [0.3, 0.01], "anneal_strategy": "linear"}),
    ("no_annealing", {"swa_lr": 0.02, "anneal_epochs": 0}),
    ("one_step", {"swa_lr": 0.02, "anneal_epochs": 1, "anneal_strategy": "linear"}),
]


def two_group_sgd(framework, x, y):
    sgd = (optim if framework is gn else torch.optim).SGD
    return sgd([{"params": [x]}, {"params": [y], "lr": 0.1}], lr=0.5, momentum=0.9)


@pytest.mark.parametrize("kwargs", [c[1] for c in SWALR_CASES], ids=[c[0] for c in SWALR_CASES])
def test_swalr_learning_rates_match_torch(kwargs):
    opt_g = two_group_sgd(gn, gn.zeros(2, requires_grad=True), gn.zeros(3, requires_grad=True))
    opt_t = two_group_sgd(
        torch, torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    )
    sched_g = swa_utils.SWALR(opt_g, **kwargs)
    sched_t = torch_swa.SWALR(opt_t, **kwargs)
    assert [g["swa_lr"] for g in opt_g.param_groups] == [g["swa_lr"] for g in opt_t.param_groups]
    lrs = []
    for _ in range(15):
        np.testing.assert_allclose(
            [g["lr"] for g in opt_g.param_groups], [g["lr"] for g in opt_t.param_groups], rtol=1e-12
        )
        np.testing.assert_allclose(sched_g.get_last_lr(), sched_t.get_last_lr(), rtol=1e-12)
        lrs.append(opt_g.param_groups[0]["lr"])
        opt_g.step()
        opt_t.step()
        sched_g.step()
        sched_t.step()
    target = opt_g.param_groups[0]["swa_lr"]
    assert lrs[-1] == pytest.approx(target)  # annealed, then held
    assert (lrs[0] == pytest.approx(target)) == (kwargs.get("anneal_epochs", 10) == 0)


def test_swalr_after_another_schedule_matches_torch():
    """torch's recipe: a cosine schedule, then SWALR from the learning rate it reached."""
    opt_g = two_group_sgd(gn, gn.zeros(2, requires_grad=True), gn.zeros(3, requires_grad=True))
    opt_t = two_group_sgd(
        torch, torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    )
    cos_g = optim.lr_scheduler.CosineAnnealingLR(opt_g, T_max=20)
    cos_t = torch.optim.lr_scheduler.CosineAnnealingLR(opt_t, T_max=20)
    swa_g = swa_utils.SWALR(opt_g, swa_lr=0.01, anneal_epochs=4)
    swa_t = torch_swa.SWALR(opt_t, swa_lr=0.01, anneal_epochs=4)
    for epoch in range(20):
        opt_g.step()
        opt_t.step()
        (swa_g if epoch >= 8 else cos_g).step()
        (swa_t if epoch >= 8 else cos_t).step()
        np.testing.assert_allclose(
            [g["lr"] for g in opt_g.param_groups], [g["lr"] for g in opt_t.param_groups], rtol=1e-10
        )
    assert opt_g.param_groups[0]["lr"] == pytest.approx(0.01)


def test_swalr_state_dict_is_plain_data_and_resumes():
    opt = two_group_sgd(gn, gn.zeros(2, requires_grad=True), gn.zeros(3, requires_grad=True))
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=6, anneal_strategy="linear")
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert all(not callable(v) for v in state.values())
    opt2 = two_group_sgd(gn, gn.zeros(2, requires_grad=True), gn.zeros(3, requires_grad=True))
    opt2.load_state_dict(opt.state_dict())
    sched2 = swa_utils.SWALR(opt2, swa_lr=0.9, anneal_epochs=2)  # overwritten by the load
    sched2.load_state_dict(state)
    opt2.load_state_dict(opt.state_dict())  # the learning rates as they were
    for _ in range(5):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched.get_last_lr() == sched2.get_last_lr()


def loaders():
    """The same batches for both: (x, y) pairs of uneven sizes, as a DataLoader gives them."""
    ours = DataLoader(TensorDataset(gn.tensor(X), gn.tensor(Y)), batch_size=12)
    theirs = [
        (torch.from_numpy(X[i : i + 12]), torch.from_numpy(Y[i : i + 12])) for i in range(0, 40, 12)
    ]
    return ours, theirs


@pytest.mark.parametrize("through_averaged_model", [False, True], ids=["model", "AveragedModel"])
def test_update_bn_matches_torch(through_averaged_model):
    ours, theirs = models(momentum=0.5)
    for k in range(3):
        train_a_little(ours, theirs, k)  # running statistics that update_bn must forget
    if through_averaged_model:
        ours, theirs = swa_utils.AveragedModel(ours), torch_swa.AveragedModel(theirs)
        ours.update_parameters(ours.module)
        theirs.update_parameters(theirs.module)
    ours.eval()
    theirs.eval()
    loader_g, loader_t = loaders()
    swa_utils.update_bn(loader_g, ours)
    torch_swa.update_bn(loader_t, theirs)
    assert_same_state(ours, theirs)
    norms = [m for m in ours.modules() if isinstance(m, nn.BatchNorm1d)]
    assert [m.momentum for m in norms] == [0.5, 0.3]  # put back
    assert not ours.training and not any(m.training for m in ours.modules())
    assert int(norms[0].num_batches_tracked) == 4


def test_update_bn_gives_the_plain_average_of_the_batch_statistics():
    bn = nn.BatchNorm1d(4)
    batches = [gn.tensor(X[i : i + 10] * (i + 1)) for i in range(0, 40, 10)]
    swa_utils.update_bn(batches, nn.Sequential(bn))  # plain tensors, not (x, y) pairs
    means = [b.numpy().mean(0) for b in batches]
    variances = [b.numpy().var(0, ddof=1) for b in batches]
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean(means, 0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean(variances, 0), rtol=1e-5)


def test_update_bn_leaves_a_model_without_batchnorm_alone():
    model = nn.Sequential(nn.Linear(4, 2))
    model.eval()
    swa_utils.update_bn([gn.tensor(X)], model)
    assert not model.training


def test_update_bn_puts_momenta_back_when_the_model_fails():
    model = nn.Sequential(nn.BatchNorm1d(4, momentum=0.2), nn.Linear(5, 2))  # 4 != 5: fails
    model.eval()
    with pytest.raises(gn.errors.ShapeError, match=r"expected input of shape \(\*, 5\)"):
        swa_utils.update_bn([gn.tensor(X)], model)
    assert model[0].momentum == 0.2 and not model.training


BAD_CALLS = [
    ("anneal_strategy", lambda o: swa_utils.SWALR(o, 0.1, anneal_strategy="exp"), ValueError,
     "Invalid anneal_strategy: expected 'cos' or 'linear', got 'exp'"),
    ("anneal_epochs_negative", lambda o: swa_utils.SWALR(o, 0.1, anneal_epochs=-1), ValueError,
     "Invalid anneal_epochs: expected an int >= 0, got anneal_epochs=-1"),
    ("anneal_epochs_float", lambda o: swa_utils.SWALR(o, 0.1, anneal_epochs=2.5), ValueError,
     "Invalid anneal_epochs"),
    ("swa_lr_count", lambda o: swa_utils.SWALR(o, [0.1, 0.2, 0.3]), ValueError,
     r"expected 2 values for swa_lr \(one per parameter group\), got 3"),
    ("swa_lr_negative", lambda o: swa_utils.SWALR(o, -0.1), ValueError, "Invalid swa_lr"),
    ("not_an_optimizer", lambda o: swa_utils.SWALR("sgd", 0.1), TypeError, "is not an Optimizer"),
    ("ema_decay", lambda o: swa_utils.get_ema_avg_fn(1.5), ValueError,
     r"Invalid decay: expected a number in \[0, 1\], got decay=1.5"),
    ("ema_multi_decay", lambda o: swa_utils.get_ema_multi_avg_fn(-0.1), ValueError, "Invalid decay"),
    ("both_avg_fns", lambda o: swa_utils.AveragedModel(
        nn.Linear(2, 2), avg_fn=swa_utils.get_swa_avg_fn(),
        multi_avg_fn=swa_utils.get_swa_multi_avg_fn()), ValueError, "avg_fn or multi_avg_fn"),
    ("not_a_module", lambda o: swa_utils.AveragedModel([1, 2]), TypeError, "expects a Module"),
    ("other_model", lambda o: swa_utils.AveragedModel(nn.Linear(2, 2)).update_parameters(
        nn.Linear(2, 3)), ValueError, r"number 0 of the model has shape \(3, 2\)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "call, error, message", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_bad_calls_give_one_clear_line(call, error, message):
    opt = two_group_sgd(gn, gn.zeros(2, requires_grad=True), gn.zeros(3, requires_grad=True))
    with pytest.raises(error, match=message) as raised:
        call(opt)
    assert "\n" not in str(raised.value)
    assert "swa_lr" not in opt.param_groups[0]  # a refused SWALR leaves the optimizer alone


def test_torch_optim_swa_utils_imports_under_glassnet_run():
    from glassnet.torch_alias import aliased_torch

    with warnings.catch_warnings(), aliased_torch():
        module = importlib.import_module("torch.optim.swa_utils")
        from torch.optim.swa_utils import SWALR, AveragedModel  # noqa: PLC0415

    assert module is swa_utils
    assert AveragedModel is swa_utils.AveragedModel and SWALR is swa_utils.SWALR
