"""Muon and SparseAdam against torch.optim: trajectories, state, state_dict, groups and refusals."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.optim.muon import NS_COEFFICIENTS, muon_update_reference, newton_schulz
from glassnet.optim.sparse_adam import sparse_adam_update, sparse_adam_update_reference

torch = pytest.importorskip("torch")

STEPS = 12
#: the switches glassnet's generated constructors add to every group (torch's Muon and
#: SparseAdam take none; see optimizer.TORCH_SWITCHES)
SWITCH_KEYS = {"foreach", "fused", "capturable", "differentiable"}


@pytest.fixture
def no_bfloat16(monkeypatch):
    """torch runs Muon's Newton-Schulz iteration in bfloat16 (``grad.bfloat16()``); glassnet has
    no bfloat16 and runs it in the parameter's dtype. Making that one cast a copy lets torch's
    own code run in float64, so the two can be compared to the last bits."""
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self, *a, **k: self.clone())


def bowl_gradient(w, k):
    """A gradient that depends on the weights and changes with the step ``k``."""
    wobble = np.sin(k + 0.37 * np.arange(w.size)).reshape(w.shape)
    return (0.5 * w + wobble).astype(w.dtype)


def muon_pair(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ours = [gn.tensor(x.copy(), requires_grad=True) for x in start]
    theirs = [torch.tensor(x.copy(), requires_grad=True) for x in start]
    return start, ours, theirs


def step_both(ours, theirs, opt_g, opt_t, k):
    for a, b in zip(ours, theirs):
        g = bowl_gradient(a.numpy(), k)
        a.grad = gn.tensor(g)
        b.grad = torch.tensor(g)
    opt_g.step()
    opt_t.step()


# ------------------------------------------------------------------ Muon
MUON_CONFIGS = [
    {},
    {"nesterov": False, "lr": 0.05},
    {"momentum": 0.0, "weight_decay": 0.0, "lr": 0.02},
    {"momentum": 0.5, "nesterov": True, "weight_decay": 0.3, "lr": 0.01},
    {"adjust_lr_fn": "original", "lr": 0.02},
    {"adjust_lr_fn": "match_rms_adamw", "lr": 0.02, "weight_decay": 0.01},
    {"ns_steps": 0, "lr": 0.02},
    {"ns_steps": 3, "ns_coefficients": (2.0, -1.5, 0.5), "lr": 0.03},
    {"ns_steps": 8, "eps": 1e-3, "lr": 0.02},
]
MUON_IDS = ["-".join(f"{k}={v}" for k, v in kw.items()) or "defaults" for kw in MUON_CONFIGS]
MATRICES = {"wide": (5, 9), "tall": (9, 5), "square": (6, 6)}


@pytest.mark.parametrize("shape", MATRICES.values(), ids=MATRICES.keys())
@pytest.mark.parametrize("kwargs", MUON_CONFIGS, ids=MUON_IDS)
def test_muon_matches_torch_to_the_last_bits_in_float64(no_bfloat16, kwargs, shape):
    start, ours, theirs = muon_pair([shape], "float64")
    opt_g, opt_t = optim.Muon(ours, **kwargs), torch.optim.Muon(theirs, **kwargs)
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
        np.testing.assert_allclose(ours[0].numpy(), theirs[0].detach().numpy(), 1e-12, 1e-14)
        buf_g = opt_g.state[ours[0]]["momentum_buffer"]
        buf_t = opt_t.state[theirs[0]]["momentum_buffer"].numpy()
        np.testing.assert_allclose(buf_g, buf_t, rtol=1e-12, atol=1e-14)
    assert set(opt_g.state[ours[0]]) == set(opt_t.state[theirs[0]]) == {"momentum_buffer"}
    assert np.abs(ours[0].numpy() - start[0]).max() > 1e-3  # the weights really moved


@pytest.mark.parametrize("kwargs", MUON_CONFIGS[:6], ids=MUON_IDS[:6])
def test_muon_float32_matches_torch_to_bfloat16_precision(kwargs):
    """Unpatched torch (bfloat16 iteration) against glassnet's float32: the weights' change
    agrees to about 1 % (bfloat16 keeps 8 bits); a wrong scale or direction would not."""
    start, ours, theirs = muon_pair([(8, 12), (12, 8)], "float32")
    opt_g, opt_t = optim.Muon(ours, **kwargs), torch.optim.Muon(theirs, **kwargs)
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
    for a, b, w0 in zip(ours, theirs, start):
        assert a.numpy().dtype == np.float32
        moved = b.detach().numpy() - w0
        error = np.linalg.norm(a.numpy() - b.detach().numpy()) / np.linalg.norm(moved)
        assert error < 0.03, error


def test_newton_schulz_sets_every_singular_value_near_one_and_keeps_the_vectors():
    rng = np.random.default_rng(3)
    u, _ = np.linalg.qr(rng.standard_normal((20, 20)))
    v, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    s = np.geomspace(50.0, 0.5, 20)  # singular values from 0.5 to 50: very uneven
    d = (u * s) @ v[:, :20].T  # (20, 30), D = U S V^T
    o = newton_schulz(d, NS_COEFFICIENTS, 5, 1e-7)
    # p(s) = a s + b s^3 + c s^5, five times, on s / ||D||_F: the singular vectors stay
    a, b, c = NS_COEFFICIENTS
    x = s / np.linalg.norm(d)
    for _ in range(5):
        x = a * x + b * x**3 + c * x**5
    np.testing.assert_allclose(o, (u * x) @ v[:, :20].T, rtol=0, atol=1e-12)
    singular = np.linalg.svd(o, compute_uv=False)
    assert 0.68 < singular.min() and singular.max() < 1.21  # from a ratio of 100 to under 2
    # a tall matrix is orthogonalized through its transpose
    np.testing.assert_allclose(newton_schulz(d.T, NS_COEFFICIENTS, 5, 1e-7), o.T, atol=1e-12)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-10), ("float32", 2e-4)])
def test_muon_update_agrees_with_its_reference(dtype, rtol):
    """``Muon.update`` (products through BLAS's gemm) and the reference with ``np.matmul``:
    large enough (2**18 multiply-adds and more) for gemm to be called directly."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((96, 160)).astype(dtype)
    p = gn.tensor(w.copy(), requires_grad=True)
    opt = optim.Muon([p], lr=0.02)
    ref, ref_state = w.copy(), {}
    for k in range(4):
        g = bowl_gradient(p.numpy(), k).astype(dtype)
        p.grad = gn.tensor(g)
        opt.step()
        muon_update_reference(ref, g, ref_state, opt.param_groups[0])
        np.testing.assert_allclose(p.numpy(), ref, rtol=rtol, atol=rtol * 1e-2)
        np.testing.assert_allclose(
            opt.state[p]["momentum_buffer"], ref_state["momentum_buffer"], rtol=rtol
        )


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4), ()], ids=["vector", "3d", "scalar"])
def test_muon_refuses_a_parameter_that_is_not_a_matrix(shape):
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        torch.optim.Muon([torch.zeros(shape, requires_grad=True)])
    w = gn.zeros(4, 3, requires_grad=True)
    bad = gn.zeros(*shape, requires_grad=True)
    with pytest.raises(ValueError, match=r"Muon only supports 2D parameters") as error:
        optim.Muon([w, bad])
    message = str(error.value)
    assert "\n" not in message and f"shape {tuple(shape)}" in message and "parameter 1" in message
    opt = optim.Muon([w])
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        opt.add_param_group({"params": [bad], "lr": 0.1})
    assert len(opt.param_groups) == 1  # left as it was


MUON_BAD = [
    ({"lr": -1.0}, True, "Invalid lr"),
    ({"momentum": -0.1}, True, "Invalid momentum"),
    ({"weight_decay": -1.0}, True, "Invalid weight_decay"),
    ({"adjust_lr_fn": "sqrt"}, True, "Invalid adjust_lr_fn"),
    ({"ns_steps": 100}, False, "Invalid ns_steps"),  # torch refuses these at the first step
    ({"ns_steps": 2.5}, None, "Invalid ns_steps"),  # torch fails with a TypeError
    ({"ns_coefficients": (1.0, 2.0)}, False, "Invalid ns_coefficients"),
    ({"eps": -1e-7}, None, "Invalid eps"),  # torch never checks eps
]


@pytest.mark.parametrize("kwargs, torch_at_init, match", MUON_BAD, ids=[m for *_, m in MUON_BAD])
def test_muon_refuses_bad_hyperparameters_in_one_line(kwargs, torch_at_init, match):
    if torch_at_init is not None:
        p = torch.zeros(3, 4, requires_grad=True)
        p.grad = torch.ones(3, 4)
        with pytest.raises(ValueError):
            torch.optim.Muon([p], **kwargs).step()
    with pytest.raises(ValueError, match=match) as error:
        optim.Muon([gn.zeros(3, 4, requires_grad=True)], **kwargs)
    assert "\n" not in str(error.value)


def test_muon_state_dict_round_trip_and_keys_like_torch(no_bfloat16):
    kwargs = {"lr": 0.02, "adjust_lr_fn": "match_rms_adamw", "nesterov": False}
    _, ours, theirs = muon_pair([(5, 7), (7, 5)], "float64")
    opt_g, opt_t = optim.Muon(ours, **kwargs), torch.optim.Muon(theirs, **kwargs)
    for k in range(5):
        step_both(ours, theirs, opt_g, opt_t, k)
    sd_g, sd_t = opt_g.state_dict(), opt_t.state_dict()
    assert sd_g["state"].keys() == sd_t["state"].keys() == {0, 1}
    for i in (0, 1):
        assert sd_g["state"][i].keys() == sd_t["state"][i].keys() == {"momentum_buffer"}
    (group_g,), (group_t,) = sd_g["param_groups"], sd_t["param_groups"]
    assert set(group_t) <= set(group_g) and set(group_g) - set(group_t) <= SWITCH_KEYS
    assert {k: group_g[k] for k in group_t} == group_t

    # a fresh optimizer loaded with glassnet's own state, and one with torch's, both go on
    # exactly as torch does
    copies = [gn.tensor(p.numpy().copy(), requires_grad=True) for p in ours]
    again = optim.Muon(copies)
    again.load_state_dict(sd_g)
    from_torch = [gn.tensor(p.numpy().copy(), requires_grad=True) for p in ours]
    loaded = optim.Muon(from_torch)
    loaded.load_state_dict(
        {
            "state": {k: {n: v.numpy() for n, v in s.items()} for k, s in sd_t["state"].items()},
            "param_groups": [{k: v for k, v in group_t.items()}],
        }
    )
    assert loaded.param_groups[0]["adjust_lr_fn"] == "match_rms_adamw"
    for k in range(5, 10):
        step_both(ours, theirs, opt_g, opt_t, k)
        for params, opt in ((copies, again), (from_torch, loaded)):
            for p in params:
                p.grad = gn.tensor(bowl_gradient(p.numpy(), k))
            opt.step()
    for a, b, c, d in zip(ours, theirs, copies, from_torch):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)
        np.testing.assert_array_equal(c.numpy(), a.numpy())
        np.testing.assert_allclose(d.numpy(), b.detach().numpy(), rtol=1e-12)


def test_muon_param_groups_with_their_own_options_match_torch(no_bfloat16):
    _, ours, theirs = muon_pair([(4, 6), (6, 4), (5, 5)], "float64", seed=1)

    def groups(params):
        return [
            {"params": params[:2], "lr": 0.05, "adjust_lr_fn": "match_rms_adamw"},
            {"params": params[2:], "momentum": 0.8, "nesterov": False},
        ]

    opt_g = optim.Muon(groups(ours), lr=0.01, weight_decay=0.05)
    opt_t = torch.optim.Muon(groups(theirs), lr=0.01, weight_decay=0.05)
    assert opt_g.param_groups[1]["lr"] == 0.01 and opt_g.param_groups[0]["weight_decay"] == 0.05
    for k in range(STEPS):
        step_both(ours, theirs, opt_g, opt_t, k)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ SparseAdam
ADAM_CONFIGS = [
    {},
    {"lr": 0.05},
    {"lr": 0.1, "betas": (0.5, 0.9), "eps": 1e-3},
    {"lr": 0.02, "maximize": True},
]
ADAM_IDS = ["-".join(f"{k}={v}" for k, v in kw.items()) or "defaults" for kw in ADAM_CONFIGS]


def embedding_pair(dtype, num=12, dim=4, padding_idx=None, seed=0):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((num, dim)).astype(dtype)
    ours = gn.nn.Embedding(num, dim, padding_idx=padding_idx, sparse=True, dtype=getattr(gn, dtype))
    theirs = torch.nn.Embedding(
        num, dim, padding_idx=padding_idx, sparse=True, dtype=getattr(torch, dtype)
    )
    ours.weight.numpy()[...] = w0
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w0))
    return w0, ours, theirs


def batch(rng, high, dim, dtype):
    """Token ids below ``high`` only (some read twice) and weights for the loss on them."""
    return rng.integers(0, high, size=(3, 4)), rng.standard_normal((3, 4, dim)).astype(dtype)


def glassnet_step(emb, opt, ids, weights):
    opt.zero_grad()
    (emb(gn.tensor(ids)) * gn.tensor(weights)).sum().backward()
    opt.step()


def embedding_step(ours, theirs, opt_g, opt_t, ids, weights):
    """One step of each on the same batch; torch's embedding gives a sparse gradient."""
    glassnet_step(ours, opt_g, ids, weights)
    opt_t.zero_grad()
    (theirs(torch.tensor(ids)) * torch.tensor(weights)).sum().backward()
    assert theirs.weight.grad.is_sparse
    opt_t.step()


def assert_same_adam(ours, theirs, opt_g, opt_t, rtol):
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=rtol)
    state_g, state_t = opt_g.state[ours.weight], opt_t.state[theirs.weight]
    assert set(state_g) == set(state_t) == {"step", "exp_avg", "exp_avg_sq"}
    assert state_g["step"] == state_t["step"] and isinstance(state_g["step"], int)
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(state_g[key], state_t[key].numpy(), rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-13), ("float32", 1e-5)])
@pytest.mark.parametrize("kwargs", ADAM_CONFIGS, ids=ADAM_IDS)
def test_sparse_adam_on_an_embedding_matches_torch_given_a_sparse_gradient(kwargs, dtype, rtol):
    w0, ours, theirs = embedding_pair(dtype, padding_idx=2)
    opt_g = optim.SparseAdam(ours.parameters(), **kwargs)
    opt_t = torch.optim.SparseAdam(theirs.parameters(), **kwargs)
    rng = np.random.default_rng(7)
    for k in range(STEPS):
        ids, weights = batch(rng, 4 + k % 5, 4, dtype)  # rows 9 and up are never read
        embedding_step(ours, theirs, opt_g, opt_t, ids, weights)
        assert_same_adam(ours, theirs, opt_g, opt_t, rtol)
    np.testing.assert_array_equal(ours.weight.numpy()[9:], w0[9:])
    np.testing.assert_array_equal(ours.weight.numpy()[2], w0[2])  # the padding row
    assert np.abs(ours.weight.numpy()[:2] - w0[:2]).min() > 0  # the read rows moved


def test_sparse_adam_leaves_rows_with_zero_gradient_untouched():
    """Rows read earlier have momentum; a step whose gradient misses them changes neither
    their values nor their moments (Adam would move them on their momentum)."""
    _, emb, _ = embedding_pair("float32")
    opt = optim.SparseAdam(emb.parameters(), lr=0.1)
    adam_emb = gn.nn.Embedding(12, 4)
    adam_emb.weight.numpy()[...] = emb.weight.numpy()
    adam = optim.Adam(adam_emb.parameters(), lr=0.1)
    for module, o in ((emb, opt), (adam_emb, adam)):
        for ids in ([0, 1, 2, 5], [2, 3, 5, 5]):
            o.zero_grad()
            (module(gn.tensor(ids)) ** 2).sum().backward()
            o.step()
    state = opt.state[emb.weight]
    before = {k: np.copy(state[k]) for k in ("exp_avg", "exp_avg_sq")}
    weights_before, adam_before = emb.weight.numpy().copy(), adam_emb.weight.numpy().copy()
    assert np.abs(before["exp_avg"][[0, 1, 3]]).min() > 0  # momentum left in those rows

    for module, o in ((emb, opt), (adam_emb, adam)):
        o.zero_grad()
        (module(gn.tensor([2, 5, 7])) ** 2).sum().backward()
        o.step()
    untouched = [0, 1, 3, 4, 6, 8, 9, 10, 11]
    np.testing.assert_array_equal(emb.weight.numpy()[untouched], weights_before[untouched])
    for key in before:
        np.testing.assert_array_equal(state[key][untouched], before[key][untouched])
    assert state["step"] == 3
    assert not np.array_equal(emb.weight.numpy()[[2, 5, 7]], weights_before[[2, 5, 7]])
    assert not np.array_equal(adam_emb.weight.numpy()[[0, 1, 3]], adam_before[[0, 1, 3]])

    opt.zero_grad(set_to_none=False)  # an all-zero gradient: only the step is counted
    opt.step()
    assert state["step"] == 4
    np.testing.assert_array_equal(emb.weight.numpy()[untouched], weights_before[untouched])


SHAPES = {"vector": (7,), "matrix": (6, 3), "3d": (5, 2, 3), "scalar": ()}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_sparse_adam_update_agrees_with_its_reference(shape):
    rng = np.random.default_rng(11)
    group = {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6, "maximize": False}
    fast = np.asarray(rng.standard_normal(shape))
    ref = fast.copy()
    state_fast, state_ref = {}, {}
    for k in range(6):
        g = rng.standard_normal(shape)
        if g.ndim:
            g[rng.random(shape[0]) < 0.4] = 0  # some rows absent
        elif k % 2:
            g = np.zeros(())
        group["maximize"] = k % 3 == 2
        sparse_adam_update(fast, g, state_fast, group)
        sparse_adam_update_reference(ref, g, state_ref, group)
        np.testing.assert_allclose(fast, ref, rtol=1e-14, atol=1e-15)
        for key in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(state_fast[key], state_ref[key], rtol=1e-14, atol=1e-15)
        assert state_fast["step"] == state_ref["step"] == k + 1


@pytest.mark.parametrize("shape", [(6,), (5, 3)], ids=["vector", "matrix"])
def test_sparse_adam_on_a_dense_gradient_is_torchs_on_its_sparse_rows(shape):
    """torch refuses a dense gradient; glassnet takes it, and does what torch does with the
    same gradient made sparse by rows (``to_sparse(sparse_dim=1)``)."""
    rng = np.random.default_rng(13)
    w0 = rng.standard_normal(shape)
    ours, theirs = gn.tensor(w0.copy(), requires_grad=True), torch.tensor(w0, requires_grad=True)
    opt_g = optim.SparseAdam([ours], lr=0.05)
    opt_t = torch.optim.SparseAdam([theirs], lr=0.05)
    theirs.grad = torch.ones(shape, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        opt_t.step()
    for _ in range(STEPS):
        g = rng.standard_normal(shape)
        g[rng.random(shape[0]) < 0.5] = 0
        ours.grad = gn.tensor(g)
        theirs.grad = torch.tensor(g).to_sparse(sparse_dim=1)
        opt_g.step()
        opt_t.step()
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-13)


SPARSE_ADAM_BAD = [
    ({"lr": 0.0}, "Invalid learning rate"),
    ({"lr": -1e-3}, "Invalid learning rate"),
    ({"eps": 0.0}, "Invalid epsilon value"),
    ({"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0"),
    ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1"),
]


@pytest.mark.parametrize("kwargs, match", SPARSE_ADAM_BAD, ids=[str(k) for k, _ in SPARSE_ADAM_BAD])
def test_sparse_adam_refuses_bad_hyperparameters_in_one_line_like_torch(kwargs, match):
    with pytest.raises(ValueError, match=match):
        torch.optim.SparseAdam([torch.zeros(3, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=match) as error:
        optim.SparseAdam([gn.zeros(3, requires_grad=True)], **kwargs)
    assert "\n" not in str(error.value)


def test_sparse_adam_state_dict_round_trip_and_keys_like_torch():
    _, ours, theirs = embedding_pair("float64")
    opt_g = optim.SparseAdam(ours.parameters(), lr=0.05)
    opt_t = torch.optim.SparseAdam(theirs.parameters(), lr=0.05)
    rng = np.random.default_rng(17)
    for _ in range(4):
        embedding_step(ours, theirs, opt_g, opt_t, *batch(rng, 8, 4, "float64"))
    sd_g, sd_t = opt_g.state_dict(), opt_t.state_dict()
    assert sd_g["state"][0].keys() == sd_t["state"][0].keys() == {"step", "exp_avg", "exp_avg_sq"}
    assert sd_g["state"][0]["step"] == sd_t["state"][0]["step"] == 4  # a plain int in both
    (group_g,), (group_t,) = sd_g["param_groups"], sd_t["param_groups"]
    assert set(group_t) <= set(group_g) and set(group_g) - set(group_t) <= SWITCH_KEYS
    assert {k: group_g[k] for k in group_t} == group_t

    _, again, _ = embedding_pair("float64")
    again.weight.numpy()[...] = ours.weight.numpy()
    opt_again = optim.SparseAdam(again.parameters())
    opt_again.load_state_dict(sd_g)
    _, loaded, _ = embedding_pair("float64")
    loaded.weight.numpy()[...] = ours.weight.numpy()
    opt_loaded = optim.SparseAdam(loaded.parameters())
    opt_loaded.load_state_dict(
        {
            "state": {
                k: {n: (v if n == "step" else v.numpy()) for n, v in s.items()}
                for k, s in sd_t["state"].items()
            },
            "param_groups": sd_t["param_groups"],
        }
    )
    assert opt_loaded.state[loaded.weight]["step"] == 4
    assert opt_loaded.param_groups[0]["lr"] == 0.05
    for _ in range(4):
        ids, weights = batch(rng, 10, 4, "float64")
        embedding_step(ours, theirs, opt_g, opt_t, ids, weights)
        glassnet_step(again, opt_again, ids, weights)
        glassnet_step(loaded, opt_loaded, ids, weights)
    assert_same_adam(ours, theirs, opt_g, opt_t, 1e-13)
    np.testing.assert_array_equal(again.weight.numpy(), ours.weight.numpy())
    np.testing.assert_allclose(loaded.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-13)
    assert opt_again.state[again.weight]["step"] == opt_loaded.state[loaded.weight]["step"] == 8


def test_sparse_adam_param_groups_with_their_own_options_match_torch():
    _, first_g, first_t = embedding_pair("float64", seed=1)
    _, second_g, second_t = embedding_pair("float64", num=6, dim=3, seed=2)
    opt_g = optim.SparseAdam(
        [{"params": first_g.parameters()}, {"params": second_g.parameters(), "lr": 0.2}], lr=0.01
    )
    opt_t = torch.optim.SparseAdam(
        [{"params": first_t.parameters()}, {"params": second_t.parameters(), "lr": 0.2}], lr=0.01
    )
    assert [g["lr"] for g in opt_g.param_groups] == [0.01, 0.2]
    rng = np.random.default_rng(19)
    for _ in range(6):
        ids1, ids2 = rng.integers(0, 12, size=5), rng.integers(0, 4, size=3)
        opt_g.zero_grad()
        opt_t.zero_grad()
        (first_g(gn.tensor(ids1)).sum() + (second_g(gn.tensor(ids2)) ** 2).sum()).backward()
        (first_t(torch.tensor(ids1)).sum() + (second_t(torch.tensor(ids2)) ** 2).sum()).backward()
        opt_g.step()
        opt_t.step()
    for a, b in ((first_g, first_t), (second_g, second_t)):
        np.testing.assert_allclose(a.weight.numpy(), b.weight.detach().numpy(), rtol=1e-13)
