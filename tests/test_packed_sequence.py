"""PackedSequence: packing, unpacking, and RNN / GRU / LSTM layers run on packed batches, against
PyTorch (values, the final states of every sequence, and gradients), plus the errors."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
)

RNG = np.random.default_rng(8)
LENGTHS = [3, 5, 1, 5, 2]  # unsorted, with a tie
PADDED = RNG.standard_normal((5, max(LENGTHS), 4))  # batch first


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _pair(torch, batch_first=True):
    ours = gn.tensor(PADDED if batch_first else PADDED.transpose(1, 0, 2), requires_grad=True)
    theirs = torch.tensor(ours.numpy(), requires_grad=True)
    return ours, theirs


@pytest.mark.parametrize("batch_first", [True, False])
def test_packing_lays_out_the_steps_as_pytorch(torch, batch_first):
    ours_x, theirs_x = _pair(torch, batch_first)
    ours = pack_padded_sequence(ours_x, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(theirs_x, LENGTHS, batch_first=batch_first,
                                                     enforce_sorted=False)  # fmt: skip
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), theirs.batch_sizes.numpy())
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.detach().numpy())
    padded, lengths = pad_packed_sequence(ours, batch_first=batch_first, padding_value=-1.0,
                                          total_length=7)  # fmt: skip
    t_padded, t_lengths = torch.nn.utils.rnn.pad_packed_sequence(
        theirs, batch_first=batch_first, padding_value=-1.0, total_length=7
    )
    np.testing.assert_array_equal(padded.numpy(), t_padded.detach().numpy())
    np.testing.assert_array_equal(lengths.numpy(), t_lengths.numpy())
    (padded * 2).sum().backward()
    (t_padded * 2).sum().backward()
    np.testing.assert_array_equal(ours_x.grad.numpy(), theirs_x.grad.numpy())


def test_pack_sequence_sorted_and_not(torch):
    seqs = [RNG.standard_normal((n, 2)) for n in (4, 2, 2)]
    ours = pack_sequence([gn.tensor(s) for s in seqs])
    theirs = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs])
    assert ours.sorted_indices is None and theirs.sorted_indices is None
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    with pytest.raises(ValueError, match="sorted longest first when enforce_sorted=True"):
        pack_sequence([gn.tensor(s) for s in seqs[::-1]])


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True)])
def test_recurrent_layers_on_packed_batches_match_pytorch(torch, kind, layers, bidirectional):
    gn.manual_seed(0)
    ours_layer = getattr(gn.nn, kind)(4, 3, num_layers=layers, bidirectional=bidirectional,
                                      batch_first=True).double()  # fmt: skip
    theirs_layer = getattr(torch.nn, kind)(4, 3, num_layers=layers, bidirectional=bidirectional,
                                           batch_first=True).double()  # fmt: skip
    theirs_layer.load_state_dict(
        {k: torch.tensor(v.numpy()) for k, v in ours_layer.state_dict().items()}
    )
    ours_x, theirs_x = _pair(torch)
    rows = layers * (2 if bidirectional else 1)
    h0 = RNG.standard_normal((rows, 5, 3))
    hx_ours = gn.tensor(h0) if kind != "LSTM" else (gn.tensor(h0), gn.tensor(h0 * 0.5))
    hx_theirs = torch.tensor(h0) if kind != "LSTM" else (torch.tensor(h0), torch.tensor(h0 * 0.5))
    packed = pack_padded_sequence(ours_x, LENGTHS, batch_first=True, enforce_sorted=False)
    t_packed = torch.nn.utils.rnn.pack_padded_sequence(theirs_x, LENGTHS, batch_first=True,
                                                       enforce_sorted=False)  # fmt: skip
    out, state = ours_layer(packed, hx_ours)
    t_out, t_state = theirs_layer(t_packed, hx_theirs)
    assert isinstance(out, PackedSequence)
    np.testing.assert_allclose(
        out.data.numpy(), t_out.data.detach().numpy(), rtol=1e-10, atol=1e-12
    )
    states = state if kind == "LSTM" else (state,)
    t_states = t_state if kind == "LSTM" else (t_state,)
    for a, b in zip(states, t_states):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    padded, _ = pad_packed_sequence(out, batch_first=True)
    t_padded, _ = torch.nn.utils.rnn.pad_packed_sequence(t_out, batch_first=True)
    weights = RNG.standard_normal(tuple(t_padded.shape))
    (padded * gn.tensor(weights)).sum().backward()
    (t_padded * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    ours_weights = dict(ours_layer.named_parameters())
    for name, p in theirs_layer.named_parameters():
        np.testing.assert_allclose(ours_weights[name].grad.numpy(), p.grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)  # fmt: skip


def test_mistakes_get_one_clear_line():
    x = gn.tensor(PADDED)
    with pytest.raises(ValueError, match="expected 5 lengths"):
        pack_padded_sequence(x, [1, 2], batch_first=True)
    with pytest.raises(ValueError, match="from 1 to the padded length 5"):
        pack_padded_sequence(x, [1, 2, 3, 4, 9], batch_first=True, enforce_sorted=False)
    with pytest.raises(TypeError, match="expected a PackedSequence"):
        pad_packed_sequence(x)
    packed = pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False)
    with pytest.raises(ValueError, match="shorter than the longest"):
        pad_packed_sequence(packed, total_length=2)
    with pytest.raises(ValueError, match="packed steps of 7 features"):
        gn.nn.GRU(7, 3).double()(packed)
