"""nn.utils.rnn.pad_sequence against PyTorch: the padded batch, its gradient, bad input."""

import numpy as np
import pytest

import glassnet as gn

RNG = np.random.default_rng(5)
SEQUENCES = [RNG.standard_normal((n, 2, 3)) for n in (3, 1, 4)]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_the_same_batch_and_gradients_as_pytorch(batch_first, padding_side):
    torch = pytest.importorskip("torch")
    ours = [gn.tensor(s, requires_grad=True) for s in SEQUENCES]
    theirs = [torch.tensor(s, requires_grad=True) for s in SEQUENCES]
    options = {"batch_first": batch_first, "padding_value": -2.0, "padding_side": padding_side}
    y_ours = gn.nn.utils.rnn.pad_sequence(ours, **options)
    y_theirs = torch.nn.utils.rnn.pad_sequence(theirs, **options)
    np.testing.assert_array_equal(y_ours.numpy(), y_theirs.detach().numpy())
    weights = RNG.standard_normal(y_ours.shape)
    (y_ours * gn.tensor(weights)).sum().backward()
    (y_theirs * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_bad_input_gets_one_clear_line():
    pad = gn.nn.utils.rnn.pad_sequence
    with pytest.raises(ValueError, match=r"expects at least one sequence, got none"):
        pad([])
    with pytest.raises(
        ValueError, match=r"must agree after their first axis, got \(2, 3\), \(2, 4\)"
    ):
        pad([gn.zeros(2, 3), gn.zeros(2, 4)])
    with pytest.raises(ValueError, match=r"padding_side must be 'right' or 'left', got 'middle'"):
        pad([gn.zeros(2)], padding_side="middle")
