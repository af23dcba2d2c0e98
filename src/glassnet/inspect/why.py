"""why(model, x): one sample's path through a classifier, down to the softmax and the loss.

For every layer it shows what came out (pre-activations of Linear/Conv layers, activations and
how many units are switched off), then the logits, the softmax in its three steps (subtract
the largest logit, exponentiate, divide by the sum), the predicted class and its confidence,
and, given the true label, the cross-entropy loss ``-log p[label]`` and its gradient with
respect to the logits, ``softmax - one_hot(label)``, checked against ``backward()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import enable_grad, no_grad
from ..nn import Module
from ..nn import functional as F
from ..tensor import Tensor, as_tensor
from .activations import eval_mode, record_layers
from .stats import describe, format_number, shape_text

__all__ = ["Explanation", "why"]

_ACTIVATIONS = {"ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softplus", "Mish",
                "Hardtanh", "ReLU6", "SELU", "CELU", "PReLU", "Hardswish", "Hardsigmoid"}  # fmt: skip
_AFFINE = {"Linear", "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Bilinear"}


def _vector(values: np.ndarray, limit: int = 12) -> str:
    shown = [format_number(float(v)) for v in values[:limit]]
    more = f", ... ({values.size - limit} more)" if values.size > limit else ""
    return "[" + ", ".join(shown) + more + "]"


@dataclass
class Explanation:
    """What ``why`` found; ``str(explanation)`` (or printing it) gives the account."""

    layers: list[dict] = field(default_factory=list)
    logits: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    predicted: int | None = None
    confidence: float | None = None
    label: int | None = None
    loss: float | None = None
    grad_logits: np.ndarray | None = None
    backward_difference: float | None = None
    class_names: list[str] | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows the text
        printer.text(self.text)


def _run_one(model: Module, x: Tensor) -> tuple[Any, list]:
    """Run the model on one sample, adding the batch axis unless ``x`` already has it."""
    attempts = [x.reshape(1, *x.shape)]
    if x.ndim >= 2 and x.shape[0] == 1:
        attempts.append(x)  # maybe already a batch of one
    error: Exception | None = None
    for batch in attempts:
        try:
            with record_layers(model) as calls, no_grad():
                return model(batch), calls
        except (ValueError, TypeError, RuntimeError) as caught:
            error = caught
    raise ValueError(f"why: the model does not accept this sample: {error}") from error


def _class(k: int, names: list[str] | None) -> str:
    return f"class {k} ({names[k]})" if names and k < len(names) else f"class {k}"


def why(
    model: Module, x: Any, label: int | None = None, class_names: list[str] | None = None
) -> Explanation:
    """Explain how ``model`` arrives at its prediction for one sample ``x``.

    Args:
        model: a classifier whose output is one logit per class (no softmax at the end).
        x: one sample, without the batch axis (a batch of one is accepted too).
        label: the true class, to add the loss and its gradient.
        class_names: names for the classes, used in the text.

    Returns:
        An Explanation; print it for the account. The model's train/eval mode is unchanged;
        the sample runs in eval mode (dropout off), as a prediction would.

    The softmax turns logits z into probabilities ``p_i = e**(z_i - m) / sum_j e**(z_j - m)``
    with ``m = max z`` (subtracting m changes nothing but keeps e**z from overflowing). The
    loss for label y is ``L = -log p_y`` and its gradient ``dL/dz = p - one_hot(y)``.
    """
    if not isinstance(model, Module):
        raise TypeError(f"why: expected a glassnet.nn.Module, got {type(model).__name__}")
    sample = x if isinstance(x, Tensor) else as_tensor(np.asarray(x, dtype=np.float32))
    with eval_mode(model):
        output, calls = _run_one(model, sample)
    logits = np.asarray(output.array, dtype=np.float64).reshape(-1)
    result = Explanation(class_names=class_names)
    lines = ["Why the model predicts what it does for this sample", ""]
    lines.append(f"Input {shape_text(tuple(sample.shape))}: {describe(sample).brief()}")
    lines.append("Layer by layer:")
    step = 0
    for call in calls:
        if not call.is_leaf or not isinstance(call.output, Tensor):
            continue
        step += 1
        kind = type(call.module).__name__
        stats = describe(call.output.array[0] if call.output.ndim else call.output.array)
        entry = {"path": call.path, "layer": kind, "stats": stats}
        if kind in _ACTIVATIONS:
            off = int(round(stats.zeros * stats.size))
            what = f"activation: {stats.brief()}"
            if kind in ("ReLU", "ReLU6") and off:
                what += f"; {off} of {stats.size} units are 0 (switched off for this input)"
        elif kind in _AFFINE:
            what = f"pre-activation: {stats.brief()}"
        else:
            what = stats.brief()
        entry["text"] = what
        result.layers.append(entry)
        lines.append(f"  {step}. {call.label} -> {shape_text(stats.shape)} {what}")
    result.logits = logits
    if logits.size < 2:
        lines.append(f"Output: {_vector(logits)} (one number: a regression, no classes)")
        result.text = "\n".join(lines)
        return result
    lines.append(f"Logits (one score per class): {_vector(logits)}")
    largest = logits.max()
    shifted = logits - largest
    exps = np.exp(shifted)
    total = exps.sum()
    probs = exps / total
    result.probabilities = probs
    lines.append("Softmax, step by step:")
    lines.append(f"  1. subtract the largest logit ({format_number(largest)}): {_vector(shifted)}")
    lines.append(f"  2. exponentiate, e**z: {_vector(exps)}")
    lines.append(f"  3. divide by their sum ({format_number(total)}): {_vector(probs)}")
    lines.append("     these are the probabilities; they add up to 1")
    order = np.argsort(-probs, kind="stable")
    result.predicted = int(order[0])
    result.confidence = float(probs[order[0]])
    runner_up = f" (next: {_class(int(order[1]), class_names)}, {probs[order[1]]:.1%})"
    lines.append(
        f"Prediction: {_class(result.predicted, class_names)} with confidence "
        f"{result.confidence:.1%}{runner_up}"
    )
    if label is not None:
        label = int(label)
        if not 0 <= label < logits.size:
            raise ValueError(f"why: label must be a class from 0 to {logits.size - 1}, got {label}")
        result.label = label
        result.loss = float(-np.log(probs[label]))
        one_hot = np.zeros_like(probs)
        one_hot[label] = 1.0
        result.grad_logits = probs - one_hot
        # The same gradient from the engine, as a check that the formula is the real one.
        with enable_grad():
            z = as_tensor(logits.reshape(1, -1).copy()).requires_grad_()
            F.cross_entropy(z, as_tensor(np.array([label]))).backward()
        result.backward_difference = float(np.abs(z.grad.array[0] - result.grad_logits).max())
        verdict = "right" if label == result.predicted else "wrong"
        lines.append(
            f"Given the label: {_class(label, class_names)} (the prediction is {verdict}):"
        )
        lines.append(
            f"  loss = -log(p[{label}]) = -log({format_number(probs[label])}) = "
            f"{format_number(result.loss)}"
        )
        lines.append(f"  dL/dlogits = softmax - one_hot({label}) = {_vector(result.grad_logits)}")
        lines.append(
            "  backward() gives the same gradient (largest difference "
            f"{result.backward_difference:.1e})"
        )
    result.text = "\n".join(lines)
    return result
