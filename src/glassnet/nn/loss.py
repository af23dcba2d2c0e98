"""Loss modules (nn.MSELoss, nn.CrossEntropyLoss, ...): a loss function with its settings stored.

``criterion = nn.CrossEntropyLoss(label_smoothing=0.1)`` then ``loss = criterion(logits, y)``
is the same as ``F.cross_entropy(logits, y, label_smoothing=0.1)``; the maths of each loss is
in the docstring of its function in glassnet.nn.functional.loss. Class weights
(``weight``, ``pos_weight``) are registered as buffers, so they follow ``model.to(dtype)``
and appear in ``state_dict()`` as in PyTorch.

Input errors name the loss module (and its path inside a model), e.g.
``CrossEntropyLoss: target contains class index 12, but the input has 10 classes ...``.

Each loss's forward is one function call, written once in ``_FunctionLoss``: a loss class
names its function (``fn``) and which stored settings go to it, positionally
(``_positional``) or by name (``_keywords``), and which its repr shows (``_shown``).
``_PlainLoss`` and ``_ClassWeightedLoss`` add the two constructors most losses share.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

from ..tensor import Tensor, as_tensor
from .distance import PairwiseDistance
from .errors import call_function_form
from .functional import ctc as CT
from .functional import distance_losses as D
from .functional import likelihood_losses as L
from .functional import loss as F
from .functional import margin_losses as M
from .module import Module

__all__ = [
    "MSELoss",
    "L1Loss",
    "HuberLoss",
    "SmoothL1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "GaussianNLLLoss",
    "PoissonNLLLoss",
    "MultiLabelSoftMarginLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "SoftMarginLoss",
    "CosineEmbeddingLoss",
    "TripletMarginLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "CTCLoss",
    "TripletMarginWithDistanceLoss",
]


class _Loss(Module):
    """Base of the loss modules: keeps ``reduction``, labels input errors with the layer name."""

    _valid_reductions: tuple = ("none", "mean", "sum")

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        # PyTorch's order, so that a loss written for PyTorch calling
        # super().__init__(size_average, reduce, reduction) sets what it means to; the two
        # deprecated flags, when given, decide the reduction as in PyTorch.
        reduction = F.legacy_reduction(size_average, reduce, reduction)
        F._check_reduction(type(self).__name__, reduction, self._valid_reductions)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    """A loss with optional per-class weights, kept as a buffer named ``weight``."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", None if weight is None else as_tensor(weight))


def _constructor_named_for(cls: type) -> Callable[..., None]:
    """A copy of the constructor ``cls`` inherits, named ``cls.__init__``: a wrong call then
    reports ``MSELoss.__init__() takes 1 positional argument ...``, not the base class's name."""
    inherited = cls.__init__
    twin = types.FunctionType(
        inherited.__code__, inherited.__globals__, inherited.__name__, inherited.__defaults__,
        inherited.__closure__,
    )  # fmt: skip
    functools.update_wrapper(twin, inherited)
    twin.__kwdefaults__ = inherited.__kwdefaults__
    twin.__qualname__ = f"{cls.__qualname__}.__init__"
    del twin.__wrapped__  # the copy is the constructor itself, not a wrapper around one
    return twin


def _setting_text(name: str, value: Any) -> str:
    """``name=value`` as a repr shows it: words quoted (reduction='mean'), numbers plain."""
    return f"{name}={value!r}" if isinstance(value, str) else f"{name}={value}"


class _FunctionLoss(_Loss):
    """A loss that is its function ``fn`` called with the settings it stores.

    ``forward(input, target)`` returns ``fn(input, target, *positional, reduction=...,
    **keywords)``, where ``positional`` are the attributes named in ``_positional`` (in that
    order) and ``keywords`` those named in ``_keywords``; errors raised by ``fn`` name the
    module (``call_function_form``). A loss with other inputs defines ``forward`` with its own
    argument names and calls ``_call``. ``extra_repr`` shows the attributes named in ``_shown``.
    """

    fn: Callable[..., Tensor]
    _positional: tuple[str, ...] = ()
    _keywords: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ("reduction",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" not in cls.__dict__:
            cls.__init__ = _constructor_named_for(cls)  # type: ignore[method-assign]

    def _call(self, *inputs: Any) -> Tensor:
        positional = [getattr(self, name) for name in self._positional]
        keywords = {name: getattr(self, name) for name in self._keywords}
        return call_function_form(
            self, self.fn, *inputs, *positional, reduction=self.reduction, **keywords
        )

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return self._call(input, target)

    def extra_repr(self) -> str:
        return ", ".join(_setting_text(name, getattr(self, name)) for name in self._shown)


class _PlainLoss(_FunctionLoss):
    """A ``_FunctionLoss`` built with PyTorch's keyword-only reduction arguments only."""

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)


class _ClassWeightedLoss(_FunctionLoss, _WeightedLoss):
    """A ``_FunctionLoss`` with optional class weights, passed to ``fn`` after the target."""

    _positional = ("weight",)

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average=size_average, reduce=reduce, reduction=reduction)


class MSELoss(_PlainLoss):
    """Mean squared error: l_i = (x_i - y_i)**2, averaged (or summed, or kept per element).

    Args:
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: input (*), target the same shape; output a scalar, or (*) with 'none'.

    Example::

        >>> criterion = nn.MSELoss()
        >>> criterion(glassnet.tensor([1.0, 2.0]), glassnet.tensor([0.0, 4.0]))
        tensor(2.5000)
    """

    fn = staticmethod(F.mse_loss)


class L1Loss(_PlainLoss):
    """Mean absolute error: l_i = |x_i - y_i| (robust to outliers; gradient +-1).

    Args:
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: input (*), target the same shape.

    Example: ``nn.L1Loss()(pred, y)``.
    """

    fn = staticmethod(F.l1_loss)


class HuberLoss(_FunctionLoss):
    """Huber loss: 0.5 z**2 for z = |x - y| < delta, delta (z - 0.5 delta) beyond.

    Quadratic (like MSE) for small errors, linear (like L1) for large ones.

    Args:
        reduction: 'mean' (default) | 'sum' | 'none'.
        delta: where the quadratic part turns linear (positive), default 1.0.

    Shape: input (*), target the same shape.

    Example: ``nn.HuberLoss(delta=0.5)(pred, y)``.
    """

    fn = staticmethod(F.huber_loss)
    _keywords = ("delta",)
    _shown = ("reduction", "delta")

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta


class SmoothL1Loss(_PlainLoss):
    """Smooth L1: 0.5 z**2 / beta for z = |x - y| < beta, z - 0.5 beta beyond (Huber / beta).

    Args:
        reduction: 'mean' (default) | 'sum' | 'none'.
        beta: where the quadratic part turns linear (>= 0; 0 gives L1), default 1.0.

    Shape: input (*), target the same shape.

    Example: ``nn.SmoothL1Loss(beta=0.1)(boxes, target_boxes)``.
    """

    fn = staticmethod(F.smooth_l1_loss)
    _keywords = ("beta",)
    _shown = ("reduction", "beta")

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must not be negative, got {beta}")
        self.beta = beta


class CrossEntropyLoss(_ClassWeightedLoss):
    """Softmax + negative log-likelihood in one fused, stable step: the classification loss.

    For logits x and class t: l = -log softmax(x)_t = log sum_c exp(x_c) - x_t. With class
    probabilities p as the target: l = -sum_c p_c log softmax(x)_c.

    Args:
        weight: optional per-class weights, shape (C,) (e.g. to balance rare classes).
        ignore_index: class-index targets equal to it are skipped (default -100).
        reduction: 'mean' (default; weighted by the classes' weights) | 'sum' | 'none'.
        label_smoothing: eps in [0, 1]: the target becomes (1 - eps) * target + eps / C.

    Shape:
        input: (N, C) logits, (N, C, d1, ...) for per-position classes, or (C,).
        target: (N,) / (N, d1, ...) / () integer class indices in [0, C), or float class
        probabilities of the input's shape.
        output: a scalar, or (N, d1, ...) with reduction='none'.

    Example::

        >>> criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> loss = criterion(model(images), labels)      # (N, 10) logits, (N,) int64 labels
        >>> loss.backward()
    """

    fn = staticmethod(F.cross_entropy)
    _keywords = ("ignore_index", "label_smoothing")
    _shown = ("reduction", "ignore_index", "label_smoothing")

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average=size_average, reduce=reduce, reduction=reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must be between 0 and 1, got {label_smoothing}"
            )
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing


class NLLLoss(_ClassWeightedLoss):
    """Negative log-likelihood of log-probabilities: l_i = -w[t_i] * input[i, t_i].

    Put after ``nn.LogSoftmax(dim=1)``; together they equal ``nn.CrossEntropyLoss``.

    Args:
        weight: optional per-class weights, shape (C,).
        ignore_index: targets equal to it are skipped (default -100).
        reduction: 'mean' (default; divided by the sum of the targets' weights) | 'sum' | 'none'.

    Shape: input (N, C) / (N, C, d1, ...) / (C,) log-probabilities; target (N,) /
    (N, d1, ...) / () integer class indices.

    Example: ``nn.NLLLoss()(F.log_softmax(logits, dim=1), labels)``.
    """

    fn = staticmethod(F.nll_loss)
    _keywords = ("ignore_index",)
    _shown = ("reduction", "ignore_index")

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average=size_average, reduce=reduce, reduction=reduction)
        self.ignore_index = ignore_index


class BCELoss(_ClassWeightedLoss):
    """Binary cross-entropy on probabilities: l = -w (y log p + (1 - y) log(1 - p)).

    Logs are clamped at -100. Prefer ``BCEWithLogitsLoss`` on raw scores (more stable).

    Args:
        weight: optional weights broadcastable to the input's shape.
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: input (*) probabilities in [0, 1]; target the same shape, floating.

    Example: ``nn.BCELoss()(glassnet.sigmoid(scores), labels)``.
    """

    fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_ClassWeightedLoss):
    """Sigmoid + binary cross-entropy in one stable expression, on raw scores.

    l = w ((1 - y) x + (1 + (pw - 1) y) log(1 + exp(-x)))   (exp never overflows)

    Args:
        weight: optional weights broadcastable to the input's shape.
        reduction: 'mean' (default) | 'sum' | 'none'.
        pos_weight: optional weight of positive examples, broadcastable to the input
            (usually one per class, shape (C,)); a buffer, like ``weight``.

    Shape: input (*) logits; target the same shape, floating (0/1 or probabilities).

    Example: ``nn.BCEWithLogitsLoss(pos_weight=glassnet.tensor([4.0]))(scores, labels)``.
    """

    fn = staticmethod(F.binary_cross_entropy_with_logits)
    _keywords = ("pos_weight",)

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(weight, size_average=size_average, reduce=reduce, reduction=reduction)
        self.register_buffer("pos_weight", None if pos_weight is None else as_tensor(pos_weight))


class KLDivLoss(_PlainLoss):
    """Kullback-Leibler divergence: l = y (log y - x), x log-probabilities, y probabilities.

    Args:
        reduction: 'mean' (default, PyTorch's: divides by the number of elements) |
            'batchmean' (divides by the batch size: the true KL per sample) | 'sum' | 'none'.
        log_target: the target is given as log-probabilities (l = exp(y) (y - x)).

    Shape: input (*) log-probabilities; target the same shape.

    Example: ``nn.KLDivLoss(reduction='batchmean')(F.log_softmax(s, 1), F.softmax(t, 1))``.
    """

    fn = staticmethod(F.kl_div)
    _keywords = ("log_target",)
    _shown = ("reduction", "log_target")
    _valid_reductions = ("none", "batchmean", "mean", "sum")

    def __init__(
        self,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)
        self.log_target = log_target


class GaussianNLLLoss(_FunctionLoss):
    """Gaussian negative log-likelihood: the target under N(input, var), mean and variance predicted.

        l = 0.5 * (log(max(var, eps)) + (input - target)**2 / max(var, eps))   (+ 0.5 log(2 pi))

    For regression with an uncertainty: the network outputs a mean and a (positive) variance
    per value; a large variance costs log(var), a small one costs the squared error / var.
    The clamp at eps is not differentiated (as in PyTorch).

    Args:
        full: add the constant 0.5 log(2 pi) (default False).
        eps: the smallest variance used (default 1e-6).
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: input (*); target the same (or broadcasting); var the same, with one dimension of
    size 1, or without the last dimension; output a scalar, or (*) with 'none'. Called as
    ``criterion(input, target, var)``.

    Example::

        >>> criterion = nn.GaussianNLLLoss()
        >>> loss = criterion(mean, y, F.softplus(raw_var))
    """

    fn = staticmethod(L.gaussian_nll_loss)
    _keywords = ("full", "eps")

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return self._call(input, target, var)


class PoissonNLLLoss(_FunctionLoss):
    """Poisson negative log-likelihood of counts: l = exp(input) - target * input.

    With ``log_input=False`` the input is the rate itself: l = input - target * log(input +
    eps). ``full=True`` adds the Stirling approximation of log(target!) where target > 1.

    Args:
        log_input: the input is the log of the rate (default True).
        full: add the Stirling term (default False).
        eps: keeps the log finite at a rate of 0 (``log_input=False``), default 1e-8.
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: input (*); target the same (or broadcasting); output a scalar, or (*) with 'none'.

    Example: ``nn.PoissonNLLLoss()(log_rate, counts)``.
    """

    fn = staticmethod(L.poisson_nll_loss)
    _positional = ("log_input", "full")
    _keywords = ("eps",)

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        *,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        # Named as in PyTorch: the log of the rate, or the rate itself when not self.log_input.
        return self._call(log_input, target)


class MultiLabelSoftMarginLoss(_ClassWeightedLoss):
    """Multi-label classification loss: a sigmoid yes/no per class, averaged over the classes.

        l = (1 / C) * sum_c w_c (y_c softplus(-x_c) + (1 - y_c) softplus(x_c))

    for each sample's logits x and 0/1 labels y; then reduced over the samples.

    Args:
        weight: optional per-class weights, shape (C,) (a buffer, like the other losses').
        reduction: 'mean' (default) | 'sum' | 'none' (one loss per sample).

    Shape: input (N, C) or (C,) logits; target the same shape; output a scalar, or (N,) with
    'none'.

    Example: ``nn.MultiLabelSoftMarginLoss()(logits, tags.float())``.
    """

    fn = staticmethod(L.multilabel_soft_margin_loss)


class _MarginLoss(_FunctionLoss):
    """A margin loss: its ``margin`` and ``reduction`` stored, its formula in ``fn``."""

    _positional = ("margin",)
    _shown = ("margin", "reduction")

    def __init__(
        self,
        margin: float = 0.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return self._call(input1, input2, target)


class MarginRankingLoss(_MarginLoss):
    """l = max(0, -y (x1 - x2) + margin): with y = 1, x1 should score above x2 by the margin.

    Shape: input1, input2 and target (labels 1 or -1) of one shape (N,) (or broadcasting).

    Example: ``nn.MarginRankingLoss(margin=0.5)(score_good, score_bad, glassnet.ones(N))``.
    """

    fn = staticmethod(M.margin_ranking_loss)


class HingeEmbeddingLoss(_MarginLoss):
    """l = x where y = 1, max(0, margin - x) where y = -1, for x a distance between a pair.

    Example: ``nn.HingeEmbeddingLoss(margin=1.0)(distances, labels)``.
    """

    fn = staticmethod(M.hinge_embedding_loss)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        return self._call(input, target)

    def __init__(
        self,
        margin: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(margin, size_average=size_average, reduce=reduce, reduction=reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """l = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    Shape: input1, input2 (N, D) or (D,); target (N,) or a number, labels 1 or -1.

    Example: ``nn.CosineEmbeddingLoss()(emb_a, emb_b, glassnet.tensor([1, -1]))``.
    """

    fn = staticmethod(M.cosine_embedding_loss)


class SoftMarginLoss(_PlainLoss):
    """l = log(1 + exp(-y x)) for labels y of 1 or -1, averaged over every element.

    Example: ``nn.SoftMarginLoss()(scores, labels)``.
    """

    fn = staticmethod(M.soft_margin_loss)


class TripletMarginLoss(_FunctionLoss):
    """l = max(d(a, pos) - d(a, neg) + margin, 0), d the p-norm distance between rows.

    Args:
        margin, p, eps: as ``F.triplet_margin_loss``; ``swap`` uses the smaller of d(a, neg)
            and d(pos, neg).

    Example: ``nn.TripletMarginLoss(margin=1.0)(anchor, positive, negative)``.
    """

    fn = staticmethod(M.triplet_margin_loss)
    _positional = ("margin", "p", "eps", "swap")
    _shown = ("margin", "p", "swap", "reduction")

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, *, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(size_average=size_average, reduce=reduce, reduction=reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return self._call(anchor, positive, negative)


class MultiMarginLoss(_FunctionLoss, _WeightedLoss):
    """Multi-class hinge: l = (1 / C) sum_{i != y} w_y max(0, margin - x_y + x_i) ** p.

    Args:
        p: 1 (default) or 2.
        margin: the lead the target class should have (default 1).
        weight: optional per-class weights (C,) (a buffer).
        reduction: 'mean' (default) | 'sum' | 'none' (one loss per sample).

    Shape: input (N, C) or (C,); target (N,) class indices (or one index); output a scalar,
    or (N,) with 'none'.

    Example: ``nn.MultiMarginLoss(margin=0.5)(scores, labels)``.
    """

    fn = staticmethod(M.multi_margin_loss)
    _positional = ("p", "margin", "weight")
    _shown = ("p", "margin", "reduction")

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, *,
                 size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean") -> None:  # fmt: skip
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 are supported, got p={p!r}")
        super().__init__(weight, size_average=size_average, reduce=reduce, reduction=reduction)
        self.p, self.margin = p, margin


class MultiLabelMarginLoss(_PlainLoss):
    """Multi-label hinge: l = (1 / C) sum_{j in targets} sum_{i not in targets} max(0, 1 - x_j + x_i).

    Shape: input (N, C) or (C,); target of the same shape, integer class indices ending at the
    first -1 (e.g. [3, 0, -1, 1] is the set {3, 0}); output a scalar, or (N,) with 'none'.

    Example: ``nn.MultiLabelMarginLoss()(scores, glassnet.tensor([[3, 0, -1, 1]]))``.
    """

    fn = staticmethod(M.multilabel_margin_loss)


class CTCLoss(_FunctionLoss):
    """Connectionist Temporal Classification: the loss of an unaligned label sequence.

        loss_n = -log sum_{paths collapsing to target_n} prod_t y[t, n, path_t]

    For speech or handwriting recognition, where the network emits one class distribution
    per frame and the target is a shorter label sequence with no frame-level alignment: every
    path of per-frame classes that collapses to the target (merge repeats, drop blanks)
    counts. Computed by the forward-backward recursion (see ``F.ctc_loss`` and
    glassnet.ops.ctc); the gradient is PyTorch's, meant to flow through a log_softmax.

    Args:
        blank: the blank's class index (default 0).
        reduction: 'mean' (default: each loss divided by its target length, then averaged)
            | 'sum' | 'none'.
        zero_infinity: replace infinite losses (impossible alignments) and their gradients
            by 0 (default False).

    Shape: log_probs (T, N, C) or (T, C); targets (N, S) padded or (sum(target_lengths),)
    concatenated; input_lengths and target_lengths (N,); output a scalar, or (N,) with 'none'.

    Example::

        >>> ctc = nn.CTCLoss()
        >>> log_probs = glassnet.randn(50, 16, 20).log_softmax(2).requires_grad_()
        >>> targets = glassnet.randint(1, 20, (16, 30))
        >>> loss = ctc(log_probs, targets, [50] * 16, [30] * 16)
    """

    fn = staticmethod(CT.ctc_loss)
    _positional = ("blank",)
    _keywords = ("zero_infinity",)
    _shown = ("blank", "reduction", "zero_infinity")

    def __init__(
        self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False
    ) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Tensor,
                target_lengths: Tensor) -> Tensor:  # fmt: skip
        return self._call(log_probs, targets, input_lengths, target_lengths)


class TripletMarginWithDistanceLoss(_FunctionLoss):
    """l = max(d(a, pos) - d(a, neg) + margin, 0), with a distance function d of your choice.

    Like ``TripletMarginLoss``, but d is any callable (x1, x2) -> one distance per sample:
    by default ``nn.PairwiseDistance()`` (Euclidean), e.g. ``lambda x, y: 1 -
    F.cosine_similarity(x, y)`` for a cosine distance. A distance that is a Module (with
    parameters, say) is registered as the submodule ``distance_function``.

    Args:
        distance_function: the distance (default ``nn.PairwiseDistance()``).
        margin: how much farther the negative should be, > 0 (default 1).
        swap: use min(d(a, neg), d(pos, neg)) as the negative's distance (default False).
        reduction: 'mean' (default) | 'sum' | 'none'.

    Shape: anchor, positive, negative with the same number of dimensions, usually (N, D)
    or (D,); output a scalar, or (N,) with 'none'.

    Example: ``nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1))``.
    """

    fn = staticmethod(D.triplet_margin_with_distance_loss)
    _keywords = ("distance_function", "margin", "swap")
    _shown = ("margin", "swap", "reduction")

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:  # fmt: skip
        super().__init__(reduction=reduction)
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin > 0:
            raise ValueError(
                f"TripletMarginWithDistanceLoss: margin must be greater than 0, got {margin!r}"
            )
        self.distance_function = (
            PairwiseDistance() if distance_function is None else distance_function
        )
        self.margin, self.swap = margin, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return self._call(anchor, positive, negative)
