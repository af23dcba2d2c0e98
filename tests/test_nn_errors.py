"""The same input mistake raises the same exception type in a layer and in its function form.

Shape mistakes are ``glassnet.errors.ShapeError`` and dtype mistakes ``DTypeError``: both are
RuntimeErrors, as PyTorch raises, so ``except RuntimeError`` written for PyTorch catches them,
and they stay ValueError / TypeError for code written for Python's habits. Layers name
themselves (their path inside the model) in the message.
"""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError
from glassnet.nn.functional._args import edge_source_index, int_tuple, shape_text

# (layer call, function-form call) pairs that make the same shape mistake
SHAPE_MISTAKES = {
    "linear": (
        lambda: nn.Linear(784, 10)(gn.randn(32, 100)),
        lambda: F.linear(gn.randn(32, 100), gn.randn(10, 784)),
    ),
    "conv2d_channels": (
        lambda: nn.Conv2d(3, 4, 3)(gn.randn(2, 5, 8, 8)),
        lambda: F.conv2d(gn.randn(2, 5, 8, 8), gn.randn(4, 3, 3, 3)),
    ),
    "conv1d_rank": (
        lambda: nn.Conv1d(2, 4, 3)(gn.randn(2, 2, 3, 9)),
        lambda: F.conv1d(gn.randn(2, 2, 3, 9), gn.randn(4, 2, 3)),
    ),
    "max_pool_too_small": (
        lambda: nn.MaxPool2d(4)(gn.randn(1, 1, 2, 2)),
        lambda: F.max_pool2d(gn.randn(1, 1, 2, 2), 4),
    ),
    "avg_pool_rank": (
        lambda: nn.AvgPool2d(2)(gn.randn(4, 4)),
        lambda: F.avg_pool2d(gn.randn(4, 4), 2),
    ),
    "mse_broadcast": (
        lambda: nn.MSELoss()(gn.randn(4, 1), gn.randn(3)),
        lambda: F.mse_loss(gn.randn(4, 1), gn.randn(3)),
    ),
    "cross_entropy_target": (
        lambda: nn.CrossEntropyLoss()(gn.randn(4, 3), gn.tensor([0, 1])),
        lambda: F.cross_entropy(gn.randn(4, 3), gn.tensor([0, 1])),
    ),
    "bce_target": (
        lambda: nn.BCELoss()(gn.rand(4), gn.rand(5)),
        lambda: F.binary_cross_entropy(gn.rand(4), gn.rand(5)),
    ),
    "layer_norm": (
        lambda: nn.LayerNorm(5)(gn.randn(4, 6)),
        lambda: F.layer_norm(gn.randn(4, 6), (5,)),
    ),
    "group_norm": (
        lambda: nn.GroupNorm(3, 3)(gn.randn(2, 4, 5)),
        lambda: F.group_norm(gn.randn(2, 4, 5), 3),
    ),
    "batch_norm": (
        lambda: nn.BatchNorm1d(3)(gn.randn(4, 5)),
        lambda: F.batch_norm(gn.randn(4, 5), gn.zeros(3), gn.ones(3)),
    ),
    "attention": (
        lambda: nn.MultiheadAttention(8, 2)(
            gn.randn(3, 2, 8), gn.randn(4, 2, 8), gn.randn(5, 2, 8)
        ),
        lambda: F.scaled_dot_product_attention(
            gn.randn(2, 3, 4), gn.randn(2, 5, 4), gn.randn(2, 6, 4)
        ),
    ),
    "prelu": (
        lambda: nn.PReLU(3)(gn.randn(2, 4)),
        lambda: F.prelu(gn.randn(2, 4), gn.ones(3)),
    ),
    "dropout1d": (
        lambda: nn.Dropout1d()(gn.randn(2, 3, 4, 5)),
        lambda: F.dropout1d(gn.randn(2, 3, 4, 5)),
    ),
}


@pytest.mark.parametrize("form", ["layer", "function"])
@pytest.mark.parametrize("mistake", list(SHAPE_MISTAKES), ids=list(SHAPE_MISTAKES))
def test_shape_mistakes_are_catchable_as_runtime_error_and_value_error(mistake, form):
    call = SHAPE_MISTAKES[mistake][0 if form == "layer" else 1]
    with pytest.raises(RuntimeError) as caught:
        call()
    assert isinstance(caught.value, ShapeError)
    assert isinstance(caught.value, ValueError)  # existing `except ValueError` still works
    assert "\n" not in str(caught.value)  # one clear line


def test_recurrent_and_embedding_shape_mistakes_are_runtime_errors():
    with pytest.raises(RuntimeError, match=r"LSTM: expected input of shape \(L, N, 3\)"):
        nn.LSTM(3, 4)(gn.randn(5, 2, 7))
    with pytest.raises(RuntimeError, match="GRUCell"):
        nn.GRUCell(3, 4)(gn.randn(2, 5))
    with pytest.raises(RuntimeError, match="embedding: expected weight to be a 2-D"):
        F.embedding(gn.tensor([1]), gn.randn(3))


def test_layer_message_names_the_path_and_is_a_runtime_error():
    bad = nn.Sequential(nn.Linear(784, 100), nn.Linear(784, 10))
    try:
        bad(gn.randn(32, 784))
    except RuntimeError as error:  # the way PyTorch code catches it
        assert str(error) == "1 (Linear): expected input of shape (*, 784), got (32, 100)"
    else:  # pragma: no cover - the call above must fail
        pytest.fail("no error raised")


DTYPE_MISTAKES = {
    "linear_layer": lambda: nn.Linear(3, 2)(gn.randn(2, 3, dtype=gn.float64)),
    "linear_function": lambda: F.linear(gn.randn(2, 3, dtype=gn.float64), gn.randn(2, 3)),
    "conv_layer": lambda: nn.Conv2d(3, 4, 3)(gn.randn(2, 3, 8, 8, dtype=gn.float64)),
    "conv_function": lambda: F.conv2d(gn.randn(2, 3, 8, 8, dtype=gn.float64), gn.randn(4, 3, 3, 3)),
    "lstm_layer": lambda: nn.LSTM(3, 4)(gn.randn(5, 2, 3, dtype=gn.float64)),
    "attention_layer": lambda: nn.MultiheadAttention(4, 1)(
        *[gn.randn(2, 1, 4, dtype=gn.float64)] * 3
    ),
    "embedding_layer": lambda: nn.Embedding(5, 3)(gn.randn(2)),
    "embedding_function": lambda: F.embedding(gn.randn(2), gn.randn(5, 3)),
}


@pytest.mark.parametrize("mistake", list(DTYPE_MISTAKES), ids=list(DTYPE_MISTAKES))
def test_dtype_mistakes_are_catchable_as_runtime_error_and_type_error(mistake):
    with pytest.raises(RuntimeError) as caught:
        DTYPE_MISTAKES[mistake]()
    assert isinstance(caught.value, DTypeError)
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.Conv2d(3, 6, (3, 3, 3)),
        lambda: nn.ConvTranspose1d(3, 6, (3, 3)),
        lambda: F.conv2d(gn.randn(1, 3, 8, 8), gn.randn(4, 3, 3, 3), stride=(1, 1, 1)),
        lambda: F.max_pool2d(gn.randn(1, 1, 4, 4), (2, 2, 2)),
        lambda: F.unfold(gn.randn(1, 1, 4, 4), (2, 2, 2)),
    ],
    ids=["conv2d_layer", "conv_transpose1d_layer", "conv2d_function", "max_pool2d", "unfold"],
)
def test_a_tuple_of_the_wrong_length_is_a_value_error_everywhere(call):
    with pytest.raises(ValueError, match=r"must be an int or a tuple of \d ints"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.Conv2d(3, 6, "ab"),
        lambda: F.conv2d(gn.randn(1, 3, 8, 8), gn.randn(4, 3, 3, 3), stride="ab"),
        lambda: F.avg_pool1d(gn.randn(1, 1, 4), None),
    ],
    ids=["conv2d_layer", "conv2d_function", "avg_pool1d"],
)
def test_a_value_that_is_not_an_int_is_a_type_error_everywhere(call):
    with pytest.raises(TypeError, match=r"must be an int or a tuple of \d ints"):
        call()


def test_output_padding_is_checked_with_one_message_by_layer_and_function():
    with pytest.raises(ValueError) as layer_error:
        nn.ConvTranspose2d(3, 6, 3, output_padding=1)
    with pytest.raises(ValueError) as function_error:
        F.conv_transpose2d(gn.randn(1, 3, 4, 4), gn.randn(3, 6, 3, 3), output_padding=1)
    layer_text = str(layer_error.value).partition(": ")[2]
    function_text = str(function_error.value).partition(": ")[2]
    assert layer_text == function_text
    assert layer_text.startswith("output_padding must be smaller than either stride or dilation")


@pytest.mark.parametrize(
    ("shape", "text"),
    [((), "()"), ((5,), "(5,)"), ((32, 100), "(32, 100)")],
    ids=["scalar", "one", "two"],
)
def test_shape_text_prints_shapes_as_python_prints_tuples(shape, text):
    assert shape_text(shape) == str(tuple(shape)) == text


@pytest.mark.parametrize("size", [1, 2, 3, 7], ids=lambda n: f"size{n}")
@pytest.mark.parametrize(
    ("mode", "numpy_mode"),
    [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")],
    ids=["reflect", "replicate", "circular"],
)
def test_edge_source_index_gathers_what_numpy_pad_writes(size, mode, numpy_mode):
    rng = np.random.default_rng(size)
    values = rng.standard_normal(size)
    limit = size - 1 if mode == "reflect" else size
    for before, after in [(0, 0), (limit, 0), (0, limit), (limit // 2, limit)]:
        if mode == "reflect" and size == 1 and (before or after):
            continue  # nothing to mirror
        gathered = values[edge_source_index(size, before, after, mode)]
        np.testing.assert_array_equal(gathered, np.pad(values, (before, after), mode=numpy_mode))


def test_int_tuple_repeats_an_int_and_checks_the_minimum():
    assert int_tuple(3, 2, "stride", "f") == (3, 3)
    assert int_tuple((1, 2), 2, "stride", "f") == (1, 2)
    assert int_tuple(-1, 1, "shift", "f", minimum=None) == (-1,)
    with pytest.raises(ValueError, match="f: padding must be >= 0, got -1"):
        int_tuple(-1, 2, "padding", "f", minimum=0)
