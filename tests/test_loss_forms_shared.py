"""The shared forms behind the loss modules and the torch.X layer forms, checked per name.

nn/loss.py builds every loss's forward from one ``_FunctionLoss`` (its function and the
settings it passes, positionally or by name) and two shared constructors; torch_layer_forms.py
makes the dropouts, the RNN cells and the grid samplers from factories. These tests check, for
each generated name, what a table entry could get wrong: a setting passed in the wrong place,
a constructor or forward with other arguments than PyTorch's, a repr, an error naming the wrong
layer or function, an in-place form that is not its out-of-place twin.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import glassnet as g
from glassnet import nn
from glassnet.errors import ShapeError, ValueRangeError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)


def floats(*shape):
    return RNG.standard_normal(shape)


X = floats(4, 5)
Y = RNG.uniform(0.05, 0.95, (4, 5))
CLASSES = np.array([0, 3, 1, 4])
W = RNG.uniform(0.5, 1.5, 5)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])

# (loss, settings with non-default values, inputs); the first input gets a gradient.
CASES = [
    ("MSELoss", {"reduction": "sum"}, (X, Y)),
    ("L1Loss", {"reduction": "none"}, (X, Y)),
    ("HuberLoss", {"reduction": "sum", "delta": 0.3}, (X, Y)),
    ("SmoothL1Loss", {"beta": 0.2, "reduction": "none"}, (X, Y)),
    ("CrossEntropyLoss", {"weight": W, "ignore_index": 3, "label_smoothing": 0.2}, (X, CLASSES)),
    ("NLLLoss", {"weight": W, "ignore_index": 1, "reduction": "sum"}, (X, CLASSES)),
    ("BCELoss", {"weight": W, "reduction": "sum"}, (Y, (Y > 0.5) * 1.0)),
    ("BCEWithLogitsLoss", {"weight": W, "pos_weight": 2 * W, "reduction": "none"}, (X, Y)),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, (X, floats(4, 5))),
    ("GaussianNLLLoss", {"full": True, "eps": 0.5, "reduction": "sum"}, (X, Y, Y)),
    ("PoissonNLLLoss", {"log_input": False, "full": True, "eps": 0.1, "reduction": "none"},
     (Y + 0.1, np.round(5 * Y))),
    ("MultiLabelSoftMarginLoss", {"weight": W, "reduction": "none"}, (X, (Y > 0.5) * 1.0)),
    ("MarginRankingLoss", {"margin": 0.4, "reduction": "sum"}, (X[:, 0], X[:, 1], SIGNS)),
    ("HingeEmbeddingLoss", {"margin": 0.7, "reduction": "none"}, (X[:, 0], SIGNS)),
    ("SoftMarginLoss", {"reduction": "sum"}, (X, np.sign(Y - 0.5))),
    ("CosineEmbeddingLoss", {"margin": 0.1, "reduction": "none"}, (X, Y, SIGNS)),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "eps": 1e-3, "swap": True, "reduction": "none"},
     (X, Y, floats(4, 5))),
    ("MultiMarginLoss", {"p": 2, "margin": 0.6, "weight": W, "reduction": "none"}, (X, CLASSES)),
    ("MultiLabelMarginLoss", {"reduction": "none"}, (X, np.array([[3, 0, -1, 1, 2]] * 4))),
]  # fmt: skip


def _tensors(framework, values):
    """Float arrays as float64 tensors, integer ones as int64 (class indices)."""
    make = g.tensor if framework is g else torch.tensor
    f64, i64 = (g.float64, g.int64) if framework is g else (torch.float64, torch.int64)
    return [make(v, dtype=f64 if v.dtype.kind == "f" else i64) for v in values]


@pytest.mark.parametrize(("name", "settings", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_every_loss_module_passes_its_settings_as_torch(name, settings, inputs):
    outs, grads = [], []
    for framework, module in ((g, nn), (torch, torch.nn)):
        kwargs = {
            k: _tensors(framework, [v])[0] if isinstance(v, np.ndarray) else v
            for k, v in settings.items()
        }
        criterion = getattr(module, name)(**kwargs)
        args = _tensors(framework, inputs)
        args[0].requires_grad_(True)
        out = criterion(*args)
        out.sum().backward()
        outs.append(out.detach().numpy())
        grads.append(args[0].grad.numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-9, atol=1e-9)


def test_ctc_and_distance_losses_pass_their_settings_as_torch():
    log_probs = floats(6, 2, 4)
    # The second sample cannot be aligned (2, 2 needs 3 frames): zero_infinity makes it 0.
    targets, lengths = np.array([[1, 2], [2, 2]]), ([6, 2], [2, 2])
    outs = []
    for framework, module in ((g, nn), (torch, torch.nn)):
        lp = _tensors(framework, [log_probs])[0].requires_grad_(True)
        t = _tensors(framework, [targets])[0]
        ctc = module.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
        loss = ctc(lp.log_softmax(2), t, *lengths)
        loss.backward()
        a, p, n = _tensors(framework, [X, Y, Y[::-1].copy()])
        a.requires_grad_(True)
        triplet = module.TripletMarginWithDistanceLoss(
            distance_function=module.PairwiseDistance(p=1), margin=0.3, swap=True, reduction="none"
        )
        triplet(a, p, n).sum().backward()
        outs.append((loss.item(), lp.grad.numpy(), a.grad.numpy()))
    ours, theirs = outs
    assert ours[0] == pytest.approx(theirs[0], rel=1e-9)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-9, atol=1e-12)


def _defaults(function):
    return {n: p.default for n, p in inspect.signature(function).parameters.items() if n != "self"}


@pytest.mark.parametrize("name", nn.loss.__all__)
def test_loss_constructor_and_forward_take_torchs_arguments(name):
    ours, theirs = getattr(nn, name), getattr(torch.nn, name)
    assert _defaults(ours.__init__) == _defaults(theirs.__init__)
    if name not in ("MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss"):
        assert list(_defaults(ours.forward)) == list(_defaults(theirs.forward))


def test_loss_reprs_show_each_losss_settings():
    expected = {
        nn.MSELoss(reduction="sum"): "MSELoss(reduction='sum')",
        nn.HuberLoss("none", 0.5): "HuberLoss(reduction='none', delta=0.5)",
        nn.SmoothL1Loss(beta=0.25): "SmoothL1Loss(reduction='mean', beta=0.25)",
        nn.CrossEntropyLoss(ignore_index=2, label_smoothing=0.1): (
            "CrossEntropyLoss(reduction='mean', ignore_index=2, label_smoothing=0.1)"
        ),
        nn.NLLLoss(reduction="sum", ignore_index=0): "NLLLoss(reduction='sum', ignore_index=0)",
        nn.BCEWithLogitsLoss(pos_weight=g.ones(2)): "BCEWithLogitsLoss(reduction='mean')",
        nn.KLDivLoss(log_target=True): "KLDivLoss(reduction='mean', log_target=True)",
        nn.PoissonNLLLoss(False, True): "PoissonNLLLoss(reduction='mean')",
        nn.HingeEmbeddingLoss(): "HingeEmbeddingLoss(margin=1.0, reduction='mean')",
        nn.MarginRankingLoss(0.2, reduction="none"): (
            "MarginRankingLoss(margin=0.2, reduction='none')"
        ),
        nn.TripletMarginLoss(2.0, 1.0, swap=True): (
            "TripletMarginLoss(margin=2.0, p=1.0, swap=True, reduction='mean')"
        ),
        nn.MultiMarginLoss(2, 0.5): "MultiMarginLoss(p=2, margin=0.5, reduction='mean')",
        nn.CTCLoss(4, "sum", True): "CTCLoss(blank=4, reduction='sum', zero_infinity=True)",
        nn.TripletMarginWithDistanceLoss(margin=0.5): (
            "TripletMarginWithDistanceLoss(\n  margin=0.5, swap=False, reduction='mean'\n"
            "  (distance_function): PairwiseDistance()\n)"
        ),
    }
    for criterion, text in expected.items():
        assert repr(criterion) == text


def test_loss_buffers_are_torchs():
    for ours, theirs in (
        (nn.BCEWithLogitsLoss(g.ones(3), pos_weight=g.ones(3)),
         torch.nn.BCEWithLogitsLoss(torch.ones(3), pos_weight=torch.ones(3))),
        (nn.MultiMarginLoss(weight=g.ones(3)), torch.nn.MultiMarginLoss(weight=torch.ones(3))),
        (nn.CrossEntropyLoss(g.ones(3)), torch.nn.CrossEntropyLoss(torch.ones(3))),
    ):  # fmt: skip
        assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
        assert isinstance(ours, nn.loss._WeightedLoss) and isinstance(ours, nn.loss._Loss)


def test_wrong_constructor_and_input_errors_name_the_loss():
    # The legacy flags are keyword-only: a positional call for the old signature fails, naming
    # the loss (not the shared base its constructor comes from).
    for make, name in ((lambda: nn.MSELoss(False), "MSELoss"),
                       (lambda: nn.BCELoss(None, False), "BCELoss"),
                       (lambda: nn.SoftMarginLoss(False), "SoftMarginLoss")):  # fmt: skip
        with pytest.raises(TypeError, match=rf"^{name}\.__init__\(\) takes"):
            make()
    with pytest.raises(IndexError, match=r"^MultiMarginLoss: target class indices must be in"):
        nn.MultiMarginLoss()(g.randn(3, 4), g.tensor([0, 1, 9]))
    with pytest.raises(ValueError, match=r"^CTCLoss: target_lengths must be at most 2"):
        nn.CTCLoss()(g.randn(5, 2, 4).log_softmax(2), g.tensor([[1, 2], [1, 1]]), [5, 5], [2, 9])
    with pytest.raises(ShapeError, match=r"^PoissonNLLLoss: expected target of the input's"):
        nn.PoissonNLLLoss()(g.randn(3), g.randn(4))
    # PyTorch's name for PoissonNLLLoss's first input, usable as a keyword.
    out = nn.PoissonNLLLoss()(log_input=g.zeros(3), target=g.ones(3))
    assert out.item() == pytest.approx(1.0)


# ------------------------------------------------------------------ torch.X layer forms

GENERATED = ["dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout", "dropout_",
             "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_", "rnn_tanh_cell",
             "rnn_relu_cell", "gru_cell", "lstm_cell", "grid_sampler", "grid_sampler_2d",
             "grid_sampler_3d"]  # fmt: skip


@pytest.mark.parametrize("name", GENERATED)
def test_generated_layer_forms_carry_their_own_name_and_docstring(name):
    form = getattr(g, name)
    assert form.__name__ == form.__qualname__ == name
    others = [getattr(g, other).__doc__ for other in GENERATED if other != name]
    assert form.__doc__ and form.__doc__ not in others
    with pytest.raises(TypeError, match=rf"^{name}\(\) missing"):
        form(g.zeros(2, 3, 4))


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout",
                                  "feature_alpha_dropout"])  # fmt: skip
def test_in_place_dropouts_are_their_out_of_place_forms(name):
    x = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 3, 4)
    g.manual_seed(3)
    expected = getattr(g, name)(g.tensor(x), 0.4, True).numpy()
    g.manual_seed(3)
    t = g.tensor(x)
    assert getattr(g, name + "_")(t, 0.4, True) is t
    np.testing.assert_array_equal(t.numpy(), expected)
    # Not training: the identity, as torch's.
    tx = torch.tensor(x)
    assert torch.equal(getattr(torch, name)(tx, 0.4, False), tx)
    np.testing.assert_array_equal(getattr(g, name)(g.tensor(x), p=0.4, train=False).numpy(), x)


def test_feature_dropout_forms_refuse_other_ranks_and_leave_the_input():
    t = g.ones(2, 3)
    for form in (g.feature_dropout, g.feature_dropout_):
        with pytest.raises(ShapeError, match=r"^feature_dropout: expected an input of 3 to 5"):
            form(t, 0.5, True)
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


def test_rrelu_in_place_is_rrelu():
    x = np.linspace(-2.0, 2.0, 9)
    t = g.tensor(x)
    assert g.rrelu_(t, 0.1, 0.3, False) is t
    np.testing.assert_allclose(t.numpy(), torch.rrelu(torch.tensor(x), 0.1, 0.3, False).numpy())


def test_lstm_cell_state_errors():
    x, w_ih, w_hh = g.randn(2, 3), g.randn(16, 3), g.randn(16, 4)
    with pytest.raises(TypeError, match=r"^lstm_cell: hx must be the pair \(h, c\), got Tensor"):
        g.lstm_cell(x, g.randn(2, 4), w_ih, w_hh)
    with pytest.raises(
        ShapeError, match=r"^lstm_cell: c must have h's shape \(2, 4\), got \(2, 5\)"
    ):
        g.lstm_cell(x, (g.randn(2, 4), g.randn(2, 5)), w_ih, w_hh)
    with pytest.raises(ShapeError, match=r"^lstm_cell: expected w_ih \(4 \* hidden"):
        g.lstm_cell(x, (g.randn(2, 4), g.randn(2, 4)), g.randn(16, 3), g.randn(15, 4))
    h, c = g.lstm_cell(x, [g.zeros(2, 4), g.zeros(2, 4)], w_ih, w_hh)  # a list is a pair too
    assert tuple(h.shape) == tuple(c.shape) == (2, 4)


def test_grid_samplers_of_one_rank_check_rank_then_codes():
    grid = g.zeros(1, 2, 2, 2)
    with pytest.raises(ShapeError, match=r"^grid_sampler_2d: expected a 4-D input \(N, C, H, W\)"):
        g.grid_sampler_2d(g.zeros(1, 1, 2, 2, 2), grid, 7, 0, False)
    with pytest.raises(ValueRangeError, match=r"^grid_sampler: padding_mode must be 0, 1 or 2"):
        g.grid_sampler_2d(g.zeros(1, 1, 2, 2), grid, 0, 3, False)
    with pytest.raises(ValueRangeError, match=r"^grid_sampler: interpolation_mode must be 0, 1"):
        g.grid_sampler(g.zeros(1, 1, 2, 2), grid, True, 0, False)
