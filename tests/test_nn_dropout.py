"""Dropout2d on inputs other than 3-D / 4-D: a UserWarning and channel dropout, as PyTorch 2.13 does."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.errors import ShapeError


@pytest.mark.parametrize(
    "call",
    [lambda x: F.dropout2d(x, 0.5), lambda x: nn.Dropout2d(0.5)(x)],
    ids=["functional", "module"],
)
def test_dropout2d_on_2d_input_warns_instead_of_raising(call):
    gn.manual_seed(0)
    with pytest.warns(UserWarning, match="dropout2d: received a 2-D input"):
        y = call(gn.ones(400, 50)).numpy()
    assert y.shape == (400, 50)
    assert set(np.unique(y)) <= {0.0, 2.0}  # kept units scaled by 1 / (1 - p)
    assert 0.45 < (y == 0).mean() < 0.55  # each (sample, channel) dropped on its own


def test_dropout2d_on_2d_input_in_eval_mode_warns_and_returns_input():
    x = gn.randn(4, 6)
    with pytest.warns(UserWarning, match="2-D input"):
        y = nn.Dropout2d(0.5).eval()(x)
    np.testing.assert_array_equal(y.numpy(), x.numpy())


def test_dropout2d_on_5d_input_drops_whole_channels_with_a_warning():
    gn.manual_seed(1)
    with pytest.warns(UserWarning, match="5-D input"):
        y = F.dropout2d(gn.ones(6, 8, 2, 3, 4), 0.5).numpy()
    assert np.array_equal(y.min(axis=(2, 3, 4)), y.max(axis=(2, 3, 4)))


def test_dropout2d_on_1d_input_raises_a_runtime_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(RuntimeError, match="at least 2 dimensions"):
            F.dropout2d(gn.ones(5), 0.5)
    with pytest.raises(ShapeError, match=r"Dropout2d: expected input of shape"):
        nn.Dropout2d(0.5)(gn.ones(5))


def test_dropout2d_on_2d_input_matches_torch():
    torch = pytest.importorskip("torch")
    p = 0.3
    x = np.ones((500, 40), dtype=np.float32)
    gn.manual_seed(2)
    torch.manual_seed(2)
    with pytest.warns(UserWarning) as ours_warnings:
        ours = nn.Dropout2d(p)(gn.tensor(x)).numpy()
    with pytest.warns(UserWarning) as theirs_warnings:
        theirs = torch.nn.Dropout2d(p)(torch.tensor(x)).numpy()
    assert len(ours_warnings) == len(theirs_warnings) == 1
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-6)  # {0, 1/(1-p)}
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.02)
    with pytest.warns(UserWarning):
        evaluated = nn.Dropout2d(p).eval()(gn.tensor(x)).numpy()
    with pytest.warns(UserWarning):
        expected = torch.nn.Dropout2d(p).eval()(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(evaluated, expected)
