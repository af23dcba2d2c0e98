"""nn.AdaptiveLogSoftmaxWithLoss: a softmax over many classes that spends little on the rare ones.

Grave et al. (2017), "Efficient softmax approximation for GPUs". With a vocabulary of
100,000 words most of the probability mass sits on a few thousand frequent ones. The classes
(sorted by frequency: 0 the most frequent) are split by ``cutoffs`` into a *shortlist*
[0, c_0) and clusters [c_0, c_1), [c_1, c_2), ...; the *head* is a softmax over the
shortlist classes plus one entry per cluster, and each cluster has its own small softmax:

    log p(y) = log head(x)[y]                                   y in the shortlist
    log p(y) = log head(x)[shortlist + k] + log tail_k(x)[y - c_k]   y in cluster k

so a frequent class costs one head softmax, and a rare one the head plus its cluster's.
Cluster k projects the input down to in_features // div_value**(k + 1) features before its
softmax, so rarer clusters are also cheaper. The probabilities of all classes still sum to
1. Names, arguments, defaults and numbers follow PyTorch.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..ops.api import cat, index_add, log_softmax
from ..tensor import Tensor, as_tensor
from .containers import ModuleList, Sequential
from .functional._args import shape_text
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """The adaptive softmax: log-probabilities of targets among many classes, and their loss.

    ``forward(input, target)`` returns ``(output, loss)``: output[i] = log p(target[i] |
    input[i]) (shape (N,)), and loss = -mean(output), the negative log-likelihood. Only the
    head and the clusters that the batch's targets fall in are computed. ``log_prob(input)``
    gives all (N, n_classes) log-probabilities, ``predict(input)`` the most likely class.

    Args:
        in_features: size of each input vector.
        n_classes: number of classes, sorted by frequency (class 0 the most frequent).
        cutoffs: increasing class indices in [1, n_classes - 1] where clusters start, e.g.
            [10, 100, 1000]: a shortlist of 10 classes, then clusters of 90, 900 and the rest.
        div_value: each cluster's projection is div_value times smaller than the previous
            one's (in_features // div_value**(k+1) features for cluster k), default 4.
        head_bias: give the head a bias (default False).

    Attributes: ``head`` (Linear(in_features, shortlist + n_clusters)) and ``tail`` (a
    ModuleList of Sequential(Linear(in_features, h_k, bias=False), Linear(h_k, size_k,
    bias=False))), as in PyTorch, so their state_dicts match.

    Shape: input (N, in_features) with target (N,), or (in_features,) with a scalar target;
    output (N,) (or a scalar), loss a scalar.

    Example::

        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(64, 1000, cutoffs=[20, 200])
        >>> out, loss = asm(glassnet.randn(8, 64), glassnet.randint(0, 1000, (8,)))
        >>> loss.backward()
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        name = type(self).__name__
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError(f"{name}: cutoffs should be a sequence of length larger than 0")
        if (
            any(isinstance(c, bool) or int(c) != c for c in cutoffs)
            or cutoffs != sorted(cutoffs)
            or min(cutoffs) <= 0
            or max(cutoffs) > n_classes - 1
            or len(set(cutoffs)) != len(cutoffs)
        ):
            raise ValueError(
                f"{name}: cutoffs should be a sequence of unique, positive integers sorted in "
                f"increasing order, each between 1 and n_classes - 1 = {n_classes - 1}; got "
                f"{cutoffs}"
            )
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = [int(c) for c in cutoffs] + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for k in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (k + 1)))
            size = self.cutoffs[k + 1] - self.cutoffs[k]
            self.tail.append(
                Sequential(
                    Linear(in_features, hidden, bias=False, device=device, dtype=dtype),
                    Linear(hidden, size, bias=False, device=device, dtype=dtype),
                )
            )

    def reset_parameters(self) -> None:
        """Fresh weights for the head and every cluster's two projections."""
        self.head.reset_parameters()
        for down, up in self.tail:
            down.reset_parameters()
            up.reset_parameters()

    def forward(self, input: Tensor, target: Any) -> _ASMoutput:
        name = type(self).__name__
        x = as_tensor(input)
        t = np.asarray(target.array if isinstance(target, Tensor) else target)
        if t.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected integer class-index targets, got dtype {t.dtype}")
        if t.ndim == 1:
            if x.ndim != 2 or x.shape[0] != t.shape[0]:
                raise ShapeError(
                    f"{name}: expected input of shape ({t.shape[0]}, {self.in_features}) for a "
                    f"target of shape {shape_text(t.shape)}, got {shape_text(x.shape)}"
                )
        elif t.ndim == 0:
            if x.ndim != 1:
                raise ShapeError(
                    f"{name}: expected input of shape ({self.in_features},) for a scalar target, "
                    f"got {shape_text(x.shape)}"
                )
        else:
            raise ShapeError(
                f"{name}: expected a target of shape (N,) or a scalar (one class per sample), "
                f"got {shape_text(t.shape)}"
            )
        batched = t.ndim == 1
        x = x if batched else x.unsqueeze(0)
        t = t.reshape(-1).astype(np.int64)
        if t.size and (t.min() < 0 or t.max() >= self.n_classes):
            raise IndexError(
                f"{name}: target values should be in [0, {self.n_classes - 1}], but values in "
                f"[{t.min()}, {t.max()}] were found"
            )
        # Which head entry each target is read from: itself in the shortlist, else its cluster.
        head_entry = t.copy()
        output = None  # the cluster part of log p(target), for rows whose target is in one
        for k in range(self.n_clusters):
            low, high = self.cutoffs[k], self.cutoffs[k + 1]
            rows = np.nonzero((t >= low) & (t < high))[0]
            if rows.size == 0:
                continue  # no target in this cluster: its projections are not computed
            head_entry[rows] = self.shortlist_size + k
            cluster = log_softmax(self.tail[k](x[rows]), 1)  # log p(class | cluster k)
            within = cluster[np.arange(rows.size), t[rows] - low]
            zeros = as_tensor(np.zeros(len(t), dtype=within.array.dtype))
            placed = index_add(zeros, 0, rows, within)
            output = placed if output is None else output + placed
        head = log_softmax(self.head(x), 1)
        picked = head[np.arange(len(t)), head_entry]  # log p(shortlist class or cluster)
        output = picked if output is None else picked + output
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.reshape(()), loss)

    def _full_log_prob(self, x: Tensor, head_output: Tensor) -> Tensor:
        """log p(c | x) for every class c: (N, n_classes)."""
        head = log_softmax(head_output, 1)
        parts = [head[:, : self.shortlist_size]]
        for k in range(self.n_clusters):
            cluster = log_softmax(self.tail[k](x), 1)
            parts.append(cluster + head[:, self.shortlist_size + k : self.shortlist_size + k + 1])
        return cat(parts, 1)

    def _rows(self, input: Tensor, what: str) -> tuple[Tensor, bool]:
        x = as_tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != self.in_features:
            raise ShapeError(
                f"{type(self).__name__}.{what}: expected input of shape (N, {self.in_features}) "
                f"or ({self.in_features},), got {shape_text(x.shape)}"
            )
        return (x if x.ndim == 2 else x.unsqueeze(0)), x.ndim == 2

    def log_prob(self, input: Tensor) -> Tensor:
        """All log-probabilities log p(c | input), shape (N, n_classes) (or (n_classes,))."""
        x, batched = self._rows(input, "log_prob")
        out = self._full_log_prob(x, self.head(x))
        return out if batched else out.reshape(-1)

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each input, shape (N,) (or a scalar): argmax of log_prob.

        Where the head's best entry is a shortlist class that class wins outright (a cluster
        splits its head probability among its classes, so none of them can beat it); only the
        other rows need the clusters.
        """
        x, batched = self._rows(input, "predict")
        head_output = self.head(x)
        best = head_output.array.argmax(1)
        unsure = np.nonzero(best >= self.shortlist_size)[0]
        if unsure.size:
            full = self._full_log_prob(x[unsure], head_output[unsure])
            best[unsure] = full.array.argmax(1)
        out = as_tensor(best.astype(np.int64))
        return out if batched else out.reshape(())

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, n_classes={self.n_classes}, cutoffs={self.cutoffs[:-1]}, div_value={self.div_value}"
