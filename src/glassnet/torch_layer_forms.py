"""PyTorch's top-level forms of layer functions: torch.conv2d, torch.dropout, torch.layer_norm, torch.embedding, ...

PyTorch exposes many of ``torch.nn.functional``'s functions under ``torch`` too, and scripts
and older tutorials call them there (``torch.conv2d(x, w)``, ``torch.dropout(x, 0.5, True)``,
``torch.cosine_similarity(a, b)``). Each name here is the function of ``glassnet.nn.functional``
that computes the same thing; where PyTorch's top-level form orders its arguments differently
(``torch.batch_norm`` puts weight and bias before the running statistics, ``torch.embedding``
takes the weight first) or names them differently (``train`` for ``training``), a short
function puts them in F's order, so each formula lives once, in F.
"""

from __future__ import annotations

from typing import Any

from .errors import ShapeError
from .nn import functional as F

# The same function under both names: PyTorch's top-level form takes F's arguments.
SAME_ARGUMENTS = (
    "adaptive_avg_pool1d", "avg_pool1d", "bilinear", "celu", "channel_shuffle", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_similarity", "hardshrink", "max_pool1d", "max_pool2d", "max_pool3d",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "rms_norm",
    "selu", "threshold",
)  # fmt: skip

__all__ = [*SAME_ARGUMENTS, "alpha_dropout", "batch_norm", "dropout", "embedding",
           "feature_alpha_dropout", "feature_dropout", "group_norm", "instance_norm",
           "layer_norm", "native_channel_shuffle", "rrelu"]  # fmt: skip

globals().update({name: getattr(F, name) for name in SAME_ARGUMENTS})


def dropout(input: Any, p: float, train: bool) -> Any:  # noqa: A002 - PyTorch's names
    """``F.dropout(input, p, training=train)``: PyTorch's top-level form has no default for train."""
    return F.dropout(input, p, training=train)


def alpha_dropout(input: Any, p: float, train: bool) -> Any:  # noqa: A002
    """``F.alpha_dropout(input, p, training=train)`` (SELU networks' dropout)."""
    return F.alpha_dropout(input, p, training=train)


def feature_dropout(input: Any, p: float, train: bool) -> Any:  # noqa: A002
    """Whole channels zeroed: ``F.dropout1d`` / ``dropout2d`` / ``dropout3d`` for an input of
    (N, C, L), (N, C, H, W) or (N, C, D, H, W)."""
    by_rank = {3: F.dropout1d, 4: F.dropout2d, 5: F.dropout3d}
    rank = getattr(input, "ndim", 0)
    if rank not in by_rank:
        raise ShapeError(
            f"feature_dropout: expected an input of 3 to 5 dimensions (N, C, ...), got {rank}"
        )
    return by_rank[rank](input, p, training=train)


def feature_alpha_dropout(input: Any, p: float, train: bool) -> Any:  # noqa: A002
    """``F.feature_alpha_dropout(input, p, training=train)``."""
    return F.feature_alpha_dropout(input, p, training=train)


def rrelu(
    input: Any,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Any:
    """``F.rrelu`` (PyTorch's top-level form also accepts a generator, which glassnet's global
    one stands in for)."""
    return F.rrelu(input, lower, upper, training)


def layer_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Any:
    """``F.layer_norm``; ``cudnn_enable`` is a GPU switch and changes nothing here."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Any,  # noqa: A002
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.group_norm``; ``cudnn_enabled`` changes nothing here."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.batch_norm`` with PyTorch's top-level order: weight and bias come first."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Any,  # noqa: A002
    weight: Any,
    bias: Any,
    running_mean: Any,
    running_var: Any,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Any:
    """``F.instance_norm`` with PyTorch's top-level order: weight and bias come first."""
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(
    weight: Any,
    indices: Any,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Any:
    """``F.embedding(indices, weight)``: the top-level form takes the table first, and its
    ``padding_idx`` of -1 means no padding row (F's None)."""
    padding = None if padding_idx is None or padding_idx < 0 else padding_idx
    return F.embedding(
        indices, weight, padding, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def native_channel_shuffle(input: Any, groups: int) -> Any:  # noqa: A002
    """``channel_shuffle`` (PyTorch's kernel-level name for the same rearrangement)."""
    return F.channel_shuffle(input, groups)
