"""A layer built with a size that is not a whole number, or too small, says so in one line (nn/errors.layer_size)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet.nn as nn

try:
    import torch
except ImportError:
    torch = None

# (layer, arguments with a float size, arguments with a size too small)
CASES = [
    ("Linear", (4.0, 3), (-1, 3)),
    ("Embedding", (10, 2.5), (-2, 3)),
    ("Conv2d", (3.0, 8, 3), (-1, 8, 3)),
    ("BatchNorm1d", (4.5,), (0,)),
    ("GroupNorm", (2.0, 4), (0, 4)),
    ("MultiheadAttention", (8.0, 2), (8, 0)),
    ("PReLU", (2.0,), (0,)),
]


@pytest.mark.parametrize(("layer", "floating", "small"), CASES)
def test_a_float_size_is_a_type_error_and_a_small_one_a_range_error(layer, floating, small):
    make = getattr(nn, layer)
    with pytest.raises(TypeError, match=r"must be a (positive|non-negative) integer, got") as e:
        make(*floating)
    assert str(e.value).startswith(f"{layer}: ") and "\n" not in str(e.value)
    assert isinstance(e.value, ValueError)  # what glassnet raised before, still caught
    with pytest.raises(RuntimeError, match=r"must be a (positive|non-negative) integer, got -?\d"):
        make(*small)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_whole_numbers_of_any_integer_type_are_accepted():
    layer = nn.Linear(np.int64(4), 3)
    assert layer.in_features == 4 and layer.weight.shape == (3, 4)
    assert nn.Linear(0, 2).weight.shape == (2, 0)  # zero features is allowed, as in PyTorch
    assert nn.GroupNorm(np.int32(2), 4).num_groups == 2


@pytest.mark.skipif(torch is None, reason="torch is not installed")
@pytest.mark.parametrize(("layer", "floating", "small"), CASES[:3])
def test_torch_raises_the_kinds_we_raise(layer, floating, small):
    with pytest.raises(TypeError):
        getattr(torch.nn, layer)(*floating)
    with pytest.raises(RuntimeError):
        getattr(torch.nn, layer)(*small)
