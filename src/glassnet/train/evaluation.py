"""evaluate and predict: a trained model on new data, in evaluation mode, without gradients, in large batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import no_grad, wrap
from ..data.dataset import TensorDataset
from ..data.loader import DataLoader
from ..metrics import MetricSpec, get_metric
from ..nn import functional as F
from ..nn.module import Module
from ..tensor import Tensor
from .choices import _check_metrics, _default_metrics, get_loss
from .inputs import _as_dataset, _features, _is_array, _loader, _split_batch
from .modes import ModeKeeper
from .step import _output_tensor, _scalar_loss
from .tallies import Tally

__all__ = ["evaluate", "predict"]


def _infer_loss(output: np.ndarray, target: np.ndarray) -> Callable:
    if target.dtype.kind in "iu" and output.ndim == target.ndim + 1:
        return F.cross_entropy
    return F.mse_loss


def _evaluate_loader(
    model: Module,
    loader: DataLoader,
    loss_fn: Callable | None,
    metrics: Sequence[MetricSpec] | None,
    prefix: str = "",
) -> dict[str, float]:
    """Loss and metrics over every batch of ``loader``, in eval mode and under no_grad.

    With ``loss_fn``/``metrics`` None they are chosen from the first batch: cross-entropy and
    accuracy when the targets are class indices, MSE and MAE otherwise."""
    modes = ModeKeeper(model)
    model.eval()
    tally = None
    try:
        with no_grad():
            for batch in loader:
                inputs, target = _split_batch(batch, "evaluate")
                output = _output_tensor(model(*inputs), "evaluate")
                target_t = target if isinstance(target, Tensor) else wrap(np.asarray(target))
                if tally is None:
                    if loss_fn is None:
                        loss_fn = _infer_loss(output.array, target_t.array)
                    if metrics is None:
                        classify = _infer_loss(output.array, target_t.array) is F.cross_entropy
                        metrics = [get_metric("accuracy" if classify else "mae")]
                    tally = Tally(metrics, prefix)
                batch_loss = _scalar_loss(loss_fn(output, target_t), "evaluate").item()
                tally.add(batch_loss, output.array, target_t.array)
    finally:
        modes.restore()
    if tally is None:
        raise ValueError("evaluate: the data is empty (0 batches)")
    return tally.logs()


def evaluate(
    model: Module,
    data: Any,
    *,
    loss: str | Callable | None = None,
    metrics: Sequence[str | Callable] | None = None,
    batch_size: int = 256,
) -> dict[str, float]:
    """Loss and metrics of ``model`` on ``data``, in evaluation mode, without gradients.

    Args:
        model: a Module (its train/eval modes are restored afterwards).
        data: ``(X, y)``, a Dataset or a DataLoader, as for ``fit``.
        loss: a name, loss module or function; default: cross-entropy when the targets are
            class indices and the output has a class axis, else MSE.
        metrics: names or functions; default ``["accuracy"]`` for class targets, ``["mae"]``
            for regression.
        batch_size: samples per forward pass (arrays and Datasets).

    Returns:
        ``{"loss": ..., "accuracy": ...}`` (plain floats).
    """
    if not isinstance(model, Module):
        raise TypeError(f"evaluate expects a glassnet.nn.Module, got {type(model).__name__}")
    loss_fn = None if loss is None else get_loss(loss)[0]
    specs = None
    if metrics is not None:
        specs = _check_metrics(metrics, loss, None)
    elif loss is not None and get_loss(loss)[1] is not None:  # a known loss: its usual metric
        key = get_loss(loss)[1]
        specs = _default_metrics(loss, key) or [get_metric("mae")]
    loader = _loader(_as_dataset(data, model, "evaluate"), batch_size, False)
    return _evaluate_loader(model, loader, loss_fn, specs)


def predict(model: Module, X: Any, *, batch_size: int = 256) -> Tensor:
    """The model's outputs for every sample of ``X``, computed in batches, in evaluation mode,
    without gradients; concatenated into one Tensor.

    Args:
        model: a Module that returns one Tensor.
        X: an array, Tensor or list of samples (first axis = samples), a Dataset, or a
            DataLoader. Samples/batches that are tuples ``(x, y)`` use ``x`` (everything but
            the last item when there are more).
        batch_size: samples per forward pass (arrays and Datasets).

    Returns:
        A Tensor of shape (N, ...): logits for a classifier (``.argmax(dim=1)`` gives the
        classes), values for a regressor.
    """
    if not isinstance(model, Module):
        raise TypeError(f"predict expects a glassnet.nn.Module, got {type(model).__name__}")
    if isinstance(X, DataLoader):
        loader = X
    elif _is_array(X) or isinstance(X, np.generic):
        loader = DataLoader(TensorDataset(_features(X, model, "predict")), batch_size=batch_size)
    elif hasattr(X, "__len__") and hasattr(X, "__getitem__"):
        loader = DataLoader(X, batch_size=batch_size)
    else:
        raise TypeError(
            f"predict: X must be an array, a Tensor, a Dataset or a DataLoader, got "
            f"{type(X).__name__}"
        )
    modes = ModeKeeper(model)
    model.eval()
    outputs = []
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (tuple, list)):
                    inputs = tuple(batch[:-1]) if len(batch) >= 2 else tuple(batch)
                else:
                    inputs = (batch,)
                outputs.append(_output_tensor(model(*inputs), "predict").array)
    finally:
        modes.restore()
    if not outputs:
        raise ValueError("predict: X holds no samples")
    return wrap(np.concatenate(outputs))
