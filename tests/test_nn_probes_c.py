"""Probes of the nn.Module API and the loss modules against PyTorch: hooks, containers, legacy flags."""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")


def _both(fn):
    """Run ``fn(lib)`` with PyTorch and with glassnet; return the two results."""
    return fn(torch), fn(gn)


def _two_layers(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Sequential(T.nn.Linear(2, 1)))


def test_state_dict_pre_and_post_hooks_run_as_in_torch():
    def probe(T):
        m, log = _two_layers(T), []
        m[1].register_state_dict_pre_hook(lambda mod, prefix, kv: log.append(("pre", prefix, kv)))
        m[1]._register_state_dict_hook(
            lambda mod, sd, prefix, meta: log.append(("post", prefix, sorted(sd)))
        )
        h = m.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: [sd.pop("0.bias")] and None
        )
        keys = list(m.state_dict(keep_vars=True))
        h.remove()
        return log, keys, list(m.state_dict())

    theirs, ours = _both(probe)
    assert ours == theirs


def test_load_pre_hook_renames_a_key_and_post_hook_forgives_extras():
    def probe(T):
        m = _two_layers(T)

        def rename(sd, prefix, meta, strict, missing, unexpected, errors):
            if prefix + "old_w" in sd:
                sd[prefix + "weight"] = sd.pop(prefix + "old_w")

        m[0]._register_load_state_dict_pre_hook(rename)
        m.register_load_state_dict_post_hook(lambda mod, keys: keys.unexpected_keys.clear())
        sd = {k: v.clone() + 1 for k, v in m.state_dict().items()}
        wanted = sd["0.weight"].clone()
        sd["0.old_w"] = sd.pop("0.weight")
        sd["junk"] = T.zeros(1)
        result = m.load_state_dict(sd)
        return repr(result), "0.old_w" in sd, float((m[0].weight.detach() - wanted).abs().sum())

    theirs, ours = _both(probe)
    assert ours == theirs


def test_forward_hook_with_always_call_runs_when_forward_raises():
    def probe(T):
        class Broken(T.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m, log = Broken(), []
        m.register_forward_hook(lambda mod, a, out: log.append(("always", out)), always_call=True)
        m.register_forward_hook(lambda mod, a, out: log.append("normal"))
        with pytest.raises(ValueError, match="boom"):
            m(T.ones(1))
        return log

    theirs, ours = _both(probe)
    assert ours == theirs == [("always", None)]


def test_bad_member_names_raise_key_error_as_in_torch():
    for T in (torch, gn):
        m = T.nn.Module()
        with pytest.raises(KeyError):
            m.register_buffer("a.b", T.zeros(1))
        with pytest.raises(KeyError):
            m.register_parameter("", None)
        with pytest.raises(KeyError):
            m.add_module("x.y", T.nn.ReLU())
    with pytest.raises(ValueError, match="contain no '.'"):  # glassnet's older type still holds
        gn.nn.Module().register_buffer("a.b", gn.zeros(1))


def test_non_persistent_buffer_set_and_get_buffer():
    def probe(T):
        m = T.nn.BatchNorm1d(2)
        m.register_buffer("cache", T.ones(1), persistent=False)
        return (
            sorted(m._non_persistent_buffers_set),
            "cache" in m.state_dict(),
            tuple(m.get_buffer("cache").shape),
        )

    theirs, ours = _both(probe)
    assert ours == theirs


@pytest.mark.parametrize(
    "size_average, reduce", [(False, None), (None, False), (True, True), (False, True)]
)
@pytest.mark.parametrize(
    "name", ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "KLDivLoss",
             "SmoothL1Loss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
             "MultiLabelMarginLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss",
             "MarginRankingLoss", "TripletMarginLoss", "PoissonNLLLoss", "BCEWithLogitsLoss"],
)  # fmt: skip
def test_legacy_size_average_and_reduce_give_torchs_reduction(name, size_average, reduce):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn, name)(size_average=size_average, reduce=reduce).reduction
        with pytest.warns(UserWarning, match="deprecated"):
            ours = getattr(gn.nn, name)(size_average=size_average, reduce=reduce).reduction
    assert ours == theirs


def test_legacy_flags_change_the_loss_value_and_gradient_as_in_torch():
    rng = np.random.default_rng(3)
    logits, target = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)

    def probe(T):
        x = T.tensor(logits, dtype=T.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss = T.nn.CrossEntropyLoss(size_average=False, ignore_index=2)(x, T.tensor(target))
        loss.backward()
        return float(loss), x.grad.numpy().copy()

    (v1, g1), (v2, g2) = _both(probe)
    assert v2 == pytest.approx(v1, rel=1e-12)
    np.testing.assert_allclose(g2, g1, rtol=1e-10, atol=1e-12)


def test_sequential_add_and_multiply_share_the_modules():
    def probe(T):
        a = T.nn.Sequential(T.nn.ReLU(), T.nn.Tanh())
        b = T.nn.Sequential(T.nn.Sigmoid())
        added, twice = a + b, a * 2
        return (
            [type(m).__name__ for m in added],
            list(twice._modules),
            twice[2] is a[0],
            len(2 * a),
        )

    theirs, ours = _both(probe)
    assert ours == theirs


def test_parameter_dict_pop_get_clear_and_sorted_plain_dict():
    def probe(T):
        d = T.nn.ParameterDict({"b": T.nn.Parameter(T.ones(2)), "a": T.nn.Parameter(T.zeros(3))})
        o = T.nn.ParameterDict(OrderedDict([("z", T.nn.Parameter(T.ones(1))), ("y", T.ones(1))]))
        out = [list(d.keys()), list(o.keys()), tuple(d.pop("a").shape), list(d.keys())]
        out += [d.get("zz") is None, tuple(d.get("b").shape)]
        d.clear()
        return out + [len(d), [n for n, _ in d.named_parameters()]]

    theirs, ours = _both(probe)
    assert ours == theirs
