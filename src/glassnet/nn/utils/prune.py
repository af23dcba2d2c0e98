r"""Pruning: zero chosen weights with a mask, ``weight = weight_orig * weight_mask`` before each forward.

Pruning ``module.weight`` renames the parameter to ``weight_orig`` (what the optimizer keeps
learning), adds the buffer ``weight_mask`` (1 = kept, 0 = pruned) and a forward pre-hook
that sets the plain attribute

.. math:: W = W_{orig} \odot M, \qquad \frac{\partial L}{\partial W_{orig}} = G \odot M

so pruned entries get no gradient. Pruning the same tensor again chooses among the entries
still kept and multiplies the masks (a ``PruningContainer`` holds the history);
``remove`` makes the pruned values permanent (``weight`` a plain parameter again).

Masks are chosen by

* ``random_unstructured`` / ``l1_unstructured``: single entries, at random or those of
  smallest :math:`|w|`;
* ``random_structured`` / ``ln_structured``: whole slices along ``dim`` (rows, channels),
  at random or those of smallest :math:`L_n` norm;
* ``global_unstructured``: the smallest entries across several tensors together;
* ``custom_from_mask``: a given mask.

``amount`` is a fraction in [0, 1] (rounded: ``round(amount * n)`` entries) or a count.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...autograd import wrap
from ...random import default_generator
from ...tensor import Tensor
from ..module import Module

__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]


def _pre_hooks(module: Module) -> list[tuple[int, Any]]:
    """``(key, hook)`` of the module's forward pre-hooks (glassnet stores ``(hook, with_kwargs)``)."""
    return [(key, value[0]) for key, value in module._forward_pre_hooks.items()]


class BasePruningMethod(ABC):
    """A way of choosing a mask; also the forward pre-hook that applies it.

    Subclasses set ``PRUNING_TYPE`` (``"unstructured"``, ``"structured"`` or ``"global"``)
    and write ``compute_mask(t, default_mask)``: the new mask (0 where pruned), given the
    tensor (or importance scores) ``t`` and the mask so far.
    """

    PRUNING_TYPE: str | None = None
    _tensor_name: str | None = None

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The mask for ``t`` (same shape), zero wherever ``default_mask`` is zero."""

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_orig * <name>_mask``: the pruned tensor (differentiable in ``_orig``)."""
        if self._tensor_name is None:
            raise RuntimeError(f"module {type(module).__name__} has to be pruned first")
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(orig.dtype) * orig

    @classmethod
    def apply(
        cls, module: Module, name: str, *args: Any, importance_scores: Any = None, **kwargs: Any
    ) -> BasePruningMethod:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)`` (combined with earlier pruning)."""
        if not isinstance(module, Module):
            raise TypeError(f"pruning expects a Module, got {type(module).__name__}")
        if not isinstance(getattr(module, name, None), Tensor):
            raise ValueError(
                f"pruning: module {type(module).__name__} has no parameter or buffer named {name!r}"
            )
        method = _composite_method(cls, module, name, *args, **kwargs)
        orig = getattr(module, name)
        if importance_scores is not None:
            if tuple(importance_scores.shape) != tuple(orig.shape):
                raise ValueError(
                    f"importance_scores should have the shape of parameter {name!r} "
                    f"{tuple(orig.shape)}, got {tuple(importance_scores.shape)}"
                )
        else:
            importance_scores = orig
        first = not isinstance(method, PruningContainer)
        if first:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = wrap(np.ones_like(orig.array))
        else:
            default_mask = wrap(getattr(module, name + "_mask").array.copy())
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if first:  # put the parameter back as it was
                orig = module._parameters.pop(name + "_orig")
                module.register_parameter(name, orig)
            raise
        return method

    def prune(
        self, t: Tensor, default_mask: Tensor | None = None, importance_scores: Any = None
    ) -> Tensor:
        """``t`` times the mask this method computes (``t`` itself is not changed)."""
        scores = t if importance_scores is None else importance_scores
        if default_mask is None:
            default_mask = wrap(np.ones_like(t.array))
        return t * self.compute_mask(scores, default_mask=default_mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``<name>`` = the pruned values, as a plain parameter."""
        if self._tensor_name is None:
            raise RuntimeError(f"module {type(module).__name__} has to be pruned first")
        weight = self.apply_mask(module)
        if self._tensor_name in module.__dict__:
            delattr(module, self._tensor_name)
        orig = module._parameters.pop(self._tensor_name + "_orig")
        orig.array = weight.array
        orig._version[0] += 1
        del module._buffers[self._tensor_name + "_mask"]
        module.register_parameter(self._tensor_name, orig)


def _composite_method(cls: type, module: Module, name: str, *args: Any, **kwargs: Any) -> Any:
    """``cls(*args, **kwargs)``, joined with the pruning already on ``module.<name>`` if any."""
    old = None
    for key, hook in _pre_hooks(module):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            old = hook
            del module._forward_pre_hooks[key]
            break
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if old is None:
        return method
    if isinstance(old, PruningContainer):
        old.add_pruning_method(method)
        return old
    container = PruningContainer(old)
    container.add_pruning_method(method)
    return container


class PruningContainer(BasePruningMethod):
    """The pruning methods applied in turn to one tensor; each chooses among the entries
    (or, if structured, the slices) the ones before it kept."""

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(args) == 1 and not isinstance(args[0], BasePruningMethod):
            args = tuple(args[0])
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if method is None:
            return
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method).__name__} is not a BasePruningMethod subclass")
        if self._tensor_name is not None and self._tensor_name != method._tensor_name:
            raise ValueError(
                f"a PruningContainer for {self._tensor_name!r} cannot take a pruning method "
                f"for {method._tensor_name!r}"
            )
        if self._tensor_name is None:
            self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, idx: int) -> BasePruningMethod:
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """Let the newest method prune what the mask so far keeps, and merge the result."""
        method = self._pruning_methods[-1]
        scores = _array(t)
        mask = _array(default_mask)
        new_mask = mask.astype(scores.dtype)  # a copy
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            slc: Any = mask == 1  # the kept entries, as a flat vector
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError(
                    "pruning methods of PRUNING_TYPE 'structured' need the attribute `dim`"
                )
            dim = method.dim % scores.ndim if -scores.ndim <= method.dim else method.dim
            if dim < 0:
                raise IndexError(f"dim {method.dim} is out of range for {scores.ndim} dims")
            others = tuple(d for d in range(scores.ndim) if d != dim)
            keep = mask.sum(axis=others) != 0
            slc = tuple(keep if d == dim else slice(None) for d in range(scores.ndim))
        elif kind == "global":
            slc = (slice(None),) * scores.ndim
        else:
            raise ValueError(f"unrecognized PRUNING_TYPE {kind!r}")
        partial = method.compute_mask(wrap(scores[slc]), default_mask=wrap(mask[slc]))
        new_mask[slc] = partial.array
        return wrap(new_mask)


def _array(t: Any) -> np.ndarray:
    return t.array if isinstance(t, Tensor) else np.asarray(t)


# ----------------------------------------------------------------------------------------------
# amounts
# ----------------------------------------------------------------------------------------------


def _validate_amount_init(amount: Any) -> None:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"invalid type for amount: {amount!r}; must be an int or a float")
    if isinstance(amount, numbers.Integral):
        if amount < 0:
            raise ValueError(f"amount={amount} should be a float in [0, 1] or an int >= 0")
    elif not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"amount={amount} should be a float in [0, 1] or an int >= 0")


def _count_to_prune(amount: float | int, size: int) -> int:
    """How many of ``size`` entries (or slices) to prune; a fraction is rounded (half to even)."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(
                f"amount={amount} should be at most the number of entries to prune ({size})"
            )
        return int(amount)
    return round(amount * size)


def _validate_structured(t: np.ndarray, dim: int) -> None:
    if t.ndim <= 1:
        raise ValueError(
            "structured pruning needs a tensor of 2 or more dims, got shape "
            f"{tuple(t.shape)} ({t.ndim} dims)"
        )
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"invalid dim {dim} for a tensor of shape {tuple(t.shape)}")


def _slice_norms(t: np.ndarray, n: Any, dim: int) -> np.ndarray:
    """The L_n norm of each slice of ``t`` along ``dim`` (``n``: a number, inf, -inf or 'fro')."""
    axes = tuple(d for d in range(t.ndim) if d != dim % t.ndim)
    a = np.abs(t.astype(np.float64))
    if n == "fro":
        n = 2
    if n == np.inf:
        return a.max(axis=axes)
    if n == -np.inf:
        return a.min(axis=axes)
    if n == 0:
        return np.count_nonzero(a, axis=axes).astype(np.float64)
    return np.power(np.power(a, n).sum(axis=axes), 1.0 / n)


# ----------------------------------------------------------------------------------------------
# methods
# ----------------------------------------------------------------------------------------------


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones (adds ``_orig``, ``_mask`` and the hook)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> Identity:  # type: ignore[override]
        return super().apply(module, name)


class _UnstructuredByAmount(BasePruningMethod):
    """Prunes ``amount`` single entries; a subclass says which in ``_entries_to_prune``."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: float | int) -> None:
        _validate_amount_init(amount)
        self.amount = amount

    def _entries_to_prune(self, scores: np.ndarray, k: int) -> np.ndarray:
        """The flat indices of the ``k`` (>= 1) entries of ``scores`` to prune."""
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        scores = _array(t)
        k = _count_to_prune(self.amount, scores.size)
        mask = _array(default_mask).copy()
        if k:  # no choice (and no random draw) when nothing is pruned
            mask.reshape(-1)[self._entries_to_prune(scores, k)] = 0
        return wrap(mask)


class RandomUnstructured(_UnstructuredByAmount):
    """Prunes ``amount`` entries chosen uniformly at random."""

    def _entries_to_prune(self, scores: np.ndarray, k: int) -> np.ndarray:
        return np.argsort(-default_generator().random(scores.size), kind="stable")[:k]

    @classmethod
    def apply(cls, module: Module, name: str, amount: float | int) -> RandomUnstructured:  # type: ignore[override]
        return super().apply(module, name, amount=amount)


class L1Unstructured(_UnstructuredByAmount):
    """Prunes the ``amount`` entries of smallest absolute value (of ``t`` or its scores)."""

    def _entries_to_prune(self, scores: np.ndarray, k: int) -> np.ndarray:
        return np.argsort(np.abs(scores).reshape(-1), kind="stable")[:k]

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: float | int, importance_scores: Any = None
    ) -> L1Unstructured:
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _StructuredByAmount(BasePruningMethod):
    """Prunes ``amount`` whole slices along ``dim``; a subclass says which in ``_slices_to_prune``."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: float | int, dim: int = -1) -> None:
        _validate_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def _slices_to_prune(self, t: np.ndarray, k: int) -> np.ndarray:
        """The indices along ``dim`` of the ``k`` (>= 1) slices of ``t`` to prune."""
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        array = _array(t)
        _validate_structured(array, self.dim)
        channels = array.shape[self.dim]
        k = _count_to_prune(self.amount, channels)
        if k == 0:
            return default_mask
        keep = np.ones(channels, dtype=bool)
        keep[self._slices_to_prune(array, k)] = False
        shape = [1] * array.ndim
        shape[self.dim] = channels
        mask = np.broadcast_to(keep.reshape(shape), array.shape).astype(array.dtype)
        return wrap(mask * _array(default_mask).astype(mask.dtype))


class RandomStructured(_StructuredByAmount):
    """Prunes ``amount`` whole slices along ``dim`` (e.g. output channels), chosen at random."""

    def _slices_to_prune(self, t: np.ndarray, k: int) -> np.ndarray:
        return np.argsort(-default_generator().random(t.shape[self.dim]), kind="stable")[:k]

    @classmethod
    def apply(  # type: ignore[override]
        cls, module: Module, name: str, amount: float | int, dim: int = -1
    ) -> RandomStructured:
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_StructuredByAmount):
    """Prunes the ``amount`` slices along ``dim`` of smallest L_n norm."""

    def __init__(self, amount: float | int, n: Any, dim: int = -1) -> None:
        super().__init__(amount, dim)
        self.n = n

    def _slices_to_prune(self, t: np.ndarray, k: int) -> np.ndarray:
        # all but the channels - k largest norms (a stable sort of -norm: among equal norms
        # the earlier slice is kept)
        order = np.argsort(-_slice_norms(t, self.n, self.dim), kind="stable")
        return order[t.shape[self.dim] - k :]

    @classmethod
    def apply(  # type: ignore[override]
        cls,
        module: Module,
        name: str,
        amount: float | int,
        n: Any,
        dim: int,
        importance_scores: Any = None,
    ) -> LnStructured:
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


class CustomFromMask(BasePruningMethod):
    """Prunes where a given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Any) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        default = _array(default_mask)
        mask = _array(self.mask)
        if mask.shape != default.shape:
            raise ValueError(
                f"custom_from_mask: the mask has shape {tuple(mask.shape)}, the tensor "
                f"{tuple(default.shape)}"
            )
        return wrap(default * mask.astype(default.dtype))

    @classmethod
    def apply(cls, module: Module, name: str, mask: Any) -> CustomFromMask:  # type: ignore[override]
        return super().apply(module, name, mask=mask)


# ----------------------------------------------------------------------------------------------
# functions
# ----------------------------------------------------------------------------------------------


def identity(module: Module, name: str) -> Module:
    """Add pruning machinery that prunes nothing (``<name>_orig``, ``<name>_mask`` of ones)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: float | int) -> Module:
    """Prune ``amount`` random entries of ``module.<name>``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(
    module: Module, name: str, amount: float | int, importance_scores: Any = None
) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of smallest ``|w|`` (or score)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: float | int, dim: int) -> Module:
    """Prune ``amount`` random slices of ``module.<name>`` along ``dim``."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(
    module: Module,
    name: str,
    amount: float | int,
    n: Any,
    dim: int,
    importance_scores: Any = None,
) -> Module:
    """Prune the ``amount`` slices along ``dim`` of smallest L_n norm (n: int, inf, -inf, 'fro')."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(
    parameters: Iterable[tuple[Module, str]],
    pruning_method: type,
    importance_scores: dict | None = None,
    **kwargs: Any,
) -> None:
    """Prune across several tensors at once, as if they were one vector.

    Example: ``global_unstructured([(m1, "weight"), (m2, "weight")], L1Unstructured,
    amount=0.2)`` prunes the 20% smallest weights of both layers together.

    Args:
        parameters: ``(module, name)`` pairs.
        pruning_method: an unstructured method class (``L1Unstructured``, ``RandomUnstructured``).
        importance_scores: ``{(module, name): scores}``; the tensors themselves by default.
        **kwargs: the method's arguments (``amount=...``).
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an iterable")
    parameters = list(parameters)
    scores_by_key = {} if importance_scores is None else importance_scores
    if not isinstance(scores_by_key, dict):
        raise TypeError("global_unstructured(): importance_scores must be a dict")
    scores = np.concatenate(
        [
            _array(scores_by_key.get((module, name), getattr(module, name))).reshape(-1)
            for module, name in parameters
        ]
    )
    masks = []
    for module, name in parameters:
        mask = getattr(module, name + "_mask", None)
        masks.append(np.ones(_array(getattr(module, name)).size) if mask is None else mask.array)
    default_mask = np.concatenate([m.reshape(-1) for m in masks]).astype(scores.dtype)
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'global_unstructured supports only "unstructured" pruning methods, got '
            f"{pruning_method.__name__} of type {method.PRUNING_TYPE!r}"
        )
    method._tensor_name = "temp"
    container = PruningContainer(method)
    final = container.compute_mask(wrap(scores), wrap(default_mask)).array
    start = 0
    for module, name in parameters:
        param = _array(getattr(module, name))
        custom_from_mask(
            module, name, mask=wrap(final[start : start + param.size].reshape(param.shape))
        )
        start += param.size


def custom_from_mask(module: Module, name: str, mask: Any) -> Module:
    """Prune ``module.<name>`` where ``mask`` is 0."""
    CustomFromMask.apply(module, name, mask=mask)
    return module


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent and drop ``_orig``, ``_mask`` and the hook."""
    for key, hook in _pre_hooks(module):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(
        f"parameter {name!r} of module {type(module).__name__} has to be pruned before the "
        "pruning can be removed"
    )


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or any submodule has a pruning hook."""
    return any(
        isinstance(hook, BasePruningMethod)
        for sub in module.modules()
        for _, hook in _pre_hooks(sub)
    )
