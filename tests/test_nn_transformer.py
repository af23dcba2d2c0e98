"""nn.TransformerEncoderLayer, TransformerDecoderLayer, their stacks and nn.Transformer, against PyTorch."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(3)
E, HEADS, FF = 8, 2, 16


def _same_weights(ours, theirs):
    """Copy PyTorch's parameters into glassnet's module (the names are the same)."""
    state = {
        k: gn.tensor(v.detach().numpy().astype(np.float64)) for k, v in theirs.state_dict().items()
    }
    assert set(state) == set(ours.state_dict())
    ours.load_state_dict(state)


def _pair(ours_class, theirs_class, *args, **kwargs):
    torch.manual_seed(0)
    theirs = theirs_class(*args, dropout=0.0, **kwargs).double()
    ours = ours_class(*args, dropout=0.0, **kwargs).double()
    _same_weights(ours, theirs)
    return ours, theirs


def _both(array):
    return gn.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_pytorch(norm_first, batch_first, activation):
    ours, theirs = _pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, E, HEADS,
                         FF, activation=activation, batch_first=batch_first,
                         norm_first=norm_first)  # fmt: skip
    x_ours, x_theirs = _both(RNG.standard_normal((3, 5, E) if batch_first else (5, 3, E)))
    mask = np.triu(np.full((5, 5), -np.inf), k=1)  # 5 positions, causal
    y_ours = ours(x_ours, src_mask=gn.tensor(mask))
    y_theirs = theirs(x_theirs, src_mask=torch.tensor(mask))
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=1e-9, atol=1e-10)
    (y_ours**2).sum().backward()
    (y_theirs**2).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            dict(ours.named_parameters())[name].grad.numpy(), p.grad.numpy(), rtol=1e-7,
            atol=1e-9, err_msg=name,
        )  # fmt: skip


def test_encoder_stack_with_a_final_norm_and_a_padding_mask():
    torch.manual_seed(0)
    layer_t = torch.nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True)
    theirs = torch.nn.TransformerEncoder(layer_t, 3, norm=torch.nn.LayerNorm(E),
                                         enable_nested_tensor=False).double()  # fmt: skip
    layer_g = nn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True)
    ours = nn.TransformerEncoder(layer_g, 3, norm=nn.LayerNorm(E)).double()
    _same_weights(ours, theirs)
    assert len(ours.layers) == 3 and ours.layers[0].linear1 is not ours.layers[1].linear1
    x = RNG.standard_normal((2, 6, E))
    padding = np.zeros((2, 6), bool)
    padding[1, 4:] = True  # the second sequence is two tokens shorter
    y_ours = ours(gn.tensor(x), src_key_padding_mask=gn.tensor(padding))
    with torch.no_grad():
        y_theirs = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(padding))
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # PyTorch's own note
def test_decoder_layer_and_the_whole_transformer_match_pytorch():
    ours, theirs = _pair(nn.Transformer, torch.nn.Transformer, d_model=E, nhead=HEADS,
                         num_encoder_layers=2, num_decoder_layers=2,
                         dim_feedforward=FF)  # fmt: skip
    src, tgt = RNG.standard_normal((7, 2, E)), RNG.standard_normal((4, 2, E))
    mask_ours = nn.Transformer.generate_square_subsequent_mask(4)
    mask_theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(mask_ours.numpy(), mask_theirs.numpy())
    s_ours, s_theirs = _both(src)
    y_ours = ours(s_ours, gn.tensor(tgt), tgt_mask=mask_ours.double())
    y_theirs = theirs(s_theirs, torch.tensor(tgt), tgt_mask=mask_theirs.double())
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=1e-9, atol=1e-10)
    y_ours.sum().backward()
    y_theirs.sum().backward()
    np.testing.assert_allclose(s_ours.grad.numpy(), s_theirs.grad.numpy(), rtol=1e-7, atol=1e-10)


def test_a_new_transformer_starts_xavier_uniform_and_trains():
    gn.manual_seed(0)
    model = nn.Transformer(d_model=E, nhead=HEADS, num_encoder_layers=1, num_decoder_layers=1,
                           dim_feedforward=FF, dropout=0.0, batch_first=True)  # fmt: skip
    w = model.encoder.layers[0].linear1.weight.numpy()
    bound = np.sqrt(6 / (E + FF))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    src, tgt = gn.randn(4, 5, E), gn.randn(4, 3, E)
    opt = gn.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = ((model(src, tgt) - tgt) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_bad_arguments_get_one_clear_line():
    with pytest.raises(RuntimeError, match=r"activation should be relu/gelu, not 'tanh'"):
        nn.TransformerEncoderLayer(E, HEADS, activation="tanh")
    with pytest.raises(ValueError, match=r"num_layers must be a positive whole number, got 0"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS), 0)
