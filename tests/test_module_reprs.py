"""Module reprs as PyTorch prints them: ModuleList runs once (``(0-2): 3 x Linear(...)``), Upsample's float scale."""

from __future__ import annotations

import pytest

import glassnet.nn as gn_nn

try:
    import torch.nn as torch_nn
except ImportError:
    torch_nn = None


def _lists(nn):
    return [
        nn.ModuleList(
            [nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 3), nn.Linear(2, 3)]
        ),
        nn.ModuleList([nn.Sequential(nn.Linear(2, 2), nn.Tanh()) for _ in range(2)]),
        nn.ModuleList([nn.Linear(2, 2), nn.Linear(3, 2), nn.Linear(2, 2)]),
        nn.ModuleList([nn.ReLU()]),
        nn.ModuleList(),
    ]


def test_runs_collapse_and_single_members_keep_their_index():
    text = repr(_lists(gn_nn)[0])
    assert "(0-2): 3 x Linear(in_features=2, out_features=2, bias=True)" in text
    assert "(3): ReLU()" in text and "(4-5): 2 x Linear" in text
    separate = repr(_lists(gn_nn)[2])
    assert "(0): Linear" in separate and "(2): Linear" in separate and " x " not in separate


def test_a_sequential_of_repeats_is_not_collapsed():
    text = repr(gn_nn.Sequential(gn_nn.ReLU(), gn_nn.ReLU()))
    assert "(0): ReLU()" in text and "(1): ReLU()" in text


@pytest.mark.skipif(torch_nn is None, reason="torch is not installed")
def test_the_text_is_torchs():
    for ours, theirs in zip(_lists(gn_nn), _lists(torch_nn)):
        assert repr(ours) == repr(theirs)


@pytest.mark.skipif(torch_nn is None, reason="torch is not installed")
@pytest.mark.parametrize("options", [{"scale_factor": 2}, {"scale_factor": (2, 3)}, {"size": 4}])
def test_upsample_keeps_its_scale_as_floats_as_torch_does(options):
    ours, theirs = gn_nn.Upsample(**options), torch_nn.Upsample(**options)
    assert repr(ours) == repr(theirs) and ours.scale_factor == theirs.scale_factor
    assert repr(gn_nn.UpsamplingNearest2d(**options)) == repr(
        torch_nn.UpsamplingNearest2d(**options)
    )
