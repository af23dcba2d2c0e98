"""Ready-made models: an MLP, a small CNN and a recurrent sequence classifier, built from a few numbers.

These are the models the ``glassnet`` command trains, and a quick start for scripts. Each
builder takes plain numbers and strings (so a run's ``config.json`` can rebuild the model)
and returns an ordinary ``glassnet.nn`` module that prints, summarizes and saves like any
other::

    from glassnet.models import mlp, cnn

    model = mlp(64, [256, 128], 10, activation="relu", dropout=0.2)
    model.summary((1, 64))
    model = cnn((1, 8, 8), 10)            # for the 8x8 digits as images
    model = build_model({"kind": "mlp", "in_features": 2, "hidden": [64, 64], "out_features": 3})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import nn
from .tensor import Tensor

__all__ = ["ACTIVATIONS", "MODELS", "RNNClassifier", "build_model", "cnn", "mlp", "rnn_classifier"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


def _activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; known activations: {', '.join(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]()


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _dropout(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ValueError(f"dropout must be a probability in [0, 1), got {p!r}")
    return float(p)


def mlp(
    in_features: int,
    hidden: Sequence[int] = (256, 128),
    out_features: int = 10,
    activation: str = "relu",
    dropout: float = 0.0,
) -> nn.Sequential:
    """A multi-layer perceptron: ``Linear -> activation [-> Dropout]`` per hidden size, then a
    final ``Linear`` to ``out_features`` outputs (logits for a classifier, values for a
    regressor).

    Args:
        in_features: the number of input features.
        hidden: the width of each hidden layer (``[]`` gives a linear model).
        out_features: classes (classification) or target values (regression).
        activation: a name from ``ACTIVATIONS``.
        dropout: the drop probability after each hidden activation (0 for none).

    Shape: input (N, in_features) -> output (N, out_features).
    """
    d = _positive("in_features", in_features)
    _positive("out_features", out_features)
    p = _dropout(dropout)
    layers: list[nn.Module] = []
    for h in hidden:
        layers += [nn.Linear(d, _positive("each hidden size", h)), _activation(activation)]
        if p > 0:
            layers.append(nn.Dropout(p))
        d = h
    layers.append(nn.Linear(d, out_features))
    return nn.Sequential(*layers)


def cnn(
    in_shape: Sequence[int] = (1, 28, 28),
    num_classes: int = 10,
    channels: Sequence[int] = (32, 64),
    hidden: int = 128,
    activation: str = "relu",
    dropout: float = 0.0,
) -> nn.Sequential:
    """A small convolutional classifier for images such as the 8x8 digits or 28x28 MNIST.

    One block per entry of ``channels``: ``Conv2d(3x3, padding 1) -> activation ->
    MaxPool2d(2)`` (each block halves height and width), then ``Flatten -> Linear(hidden) ->
    activation [-> Dropout] -> Linear(num_classes)``.

    Args:
        in_shape: (channels, height, width) of one image; each block needs the size to stay
            at least 2, so 8x8 allows up to 3 blocks.
        num_classes: the number of classes.
        channels: output channels of each convolution block.
        hidden: the width of the fully connected layer.
        activation: a name from ``ACTIVATIONS``.
        dropout: drop probability before the last layer.

    Shape: input (N, C, H, W) -> output (N, num_classes).
    """
    if len(in_shape) != 3:
        raise ValueError(f"cnn: in_shape must be (channels, height, width), got {tuple(in_shape)}")
    c, h, w = (_positive("in_shape", int(s)) for s in in_shape)
    _positive("num_classes", num_classes)
    _positive("hidden", hidden)
    p = _dropout(dropout)
    layers: list[nn.Module] = []
    for out in channels:
        if h < 2 or w < 2:
            raise ValueError(
                f"cnn: {len(channels)} pooling blocks are too many for {tuple(in_shape)} images"
            )
        layers += [
            nn.Conv2d(c, _positive("each channel count", out), 3, padding=1),
            _activation(activation),
            nn.MaxPool2d(2),
        ]
        c, h, w = out, h // 2, w // 2
    layers += [nn.Flatten(), nn.Linear(c * h * w, hidden), _activation(activation)]
    if p > 0:
        layers.append(nn.Dropout(p))
    layers.append(nn.Linear(hidden, num_classes))
    return nn.Sequential(*layers)


class RNNClassifier(nn.Module):
    """Read a sequence with an LSTM or GRU and classify it from the last hidden state.

    ``forward(x)``: x of shape (N, T, input_size) (batch first) -> logits (N, num_classes),
    computed as ``Linear(h_T)`` where ``h_T`` is the top layer's hidden state after the last
    step.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        num_layers: int = 1,
    ) -> None:
        super().__init__()
        kinds = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
        if cell not in kinds:
            raise ValueError(f"RNNClassifier: cell must be one of {sorted(kinds)}, got {cell!r}")
        self.cell = cell
        self.rnn = kinds[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x)  # out: (N, T, hidden) - the top layer's state at every step
        return self.head(out[:, -1])

    def extra_repr(self) -> str:
        return f"cell={self.cell!r}"


def rnn_classifier(
    input_size: int, hidden_size: int = 32, num_classes: int = 2, cell: str = "lstm"
) -> RNNClassifier:
    """``RNNClassifier(input_size, hidden_size, num_classes, cell)``."""
    return RNNClassifier(input_size, hidden_size, num_classes, cell)


MODELS = {"mlp": mlp, "cnn": cnn, "rnn": rnn_classifier}


def build_model(spec: dict[str, Any]) -> nn.Module:
    """Build a model from a description such as the ``"model"`` entry of a run's config.json:
    ``{"kind": "mlp" | "cnn" | "rnn", ...the builder's keyword arguments}``."""
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ValueError(f"a model description needs a 'kind' ({', '.join(MODELS)}), got {spec!r}")
    kind = spec["kind"]
    if kind not in MODELS:
        raise ValueError(f"unknown model kind {kind!r}; known kinds: {', '.join(MODELS)}")
    kwargs = {k: v for k, v in spec.items() if k != "kind"}
    try:
        return MODELS[kind](**kwargs)
    except TypeError as e:
        raise ValueError(f"cannot build a {kind} model from {kwargs}: {e}") from None
