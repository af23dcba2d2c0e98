"""Optimizer: the base class of every update rule (parameter groups, per-parameter state, saving).

An optimizer holds the tensors it is asked to learn in **parameter groups**: a list of dicts,
each with its own ``"params"`` and its own hyperparameters (so the last layer can have a larger
learning rate than the rest, say). Options a group does not give are filled in from the
optimizer's ``defaults``. Anything an update rule remembers between steps (a momentum buffer,
running averages, the step count) lives in ``optimizer.state[param]``, a dict per parameter.

The training loop that uses one, as in PyTorch::

    opt = glassnet.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in loader:
        opt.zero_grad()              # forget the previous batch's gradients
        loss = loss_fn(model(x), y)
        loss.backward()              # fill p.grad for every parameter
        opt.step()                   # p.array <- update(p.array, p.grad.array, state)

One step, for every optimizer, is the same loop (``Optimizer.step``)::

    for group in optimizer.param_groups:
        for p in group["params"]:
            if p.grad is not None:
                optimizer.update(p.array, p.grad.array, optimizer.state[p], group)

so a subclass only writes ``update(param, grad, state, group)``: the rule for one parameter,
changing ``param`` (a NumPy array) and ``state`` in place. Each rule's file holds it as the
plain formula (``*_update_reference``) and, where speed matters, an in-place twin that reuses
preallocated work arrays (``Optimizer.scratch``) instead of allocating per step and runs on
every core, block by block (``update_in_blocks``); a large parameter is updated instead by one
fused compiled loop where numba is installed (``*_update_fused``, see ``update_loops``); tests
check that all agree step by step. A subclass also names the options that must be numbers >= 0 (``nonnegative_options``)
and whether it has ``betas``; ``_check_options`` rejects bad values with a ValueError naming
them (a subclass with other rules extends it). Methods that need the loss several times per
step (L-BFGS) override ``step`` itself.

A built-in optimizer states its constructor's options as two tables in its own file, in
PyTorch's order and with PyTorch's defaults, and the base class makes the constructor from
them once for all (``__init_subclass__``)::

    class Adam(Optimizer):
        options = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)
        keyword_options = dict(maximize=False, decoupled_weight_decay=False)

gives ``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
maximize=False, decoupled_weight_decay=False)``, which puts every option into ``defaults`` and
calls ``Optimizer.__init__(params, defaults)``, as a hand-written ``__init__`` would (and as
a subclass written the PyTorch way still does itself).

``state_dict()`` refers to parameters by their position (0, 1, 2, ... over all groups in order),
never by object, and holds only NumPy arrays, numbers, strings, tuples, lists and dicts, so it
can be saved without pickle and loaded into a freshly built optimizer over the same model.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import numbers
import threading
import warnings
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..errors import NumberTypeError
from ..split_work import run_split
from ..tensor import Tensor
from .step_count import advance_step, step_tensor


class _RequiredParameter:
    """Marker for a default that every parameter group must specify itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


#: Use as a default value in ``defaults`` for an option with no sensible default.
required = _RequiredParameter()

#: What an update rule remembers for one parameter (``optimizer.state[p]``).
State = dict[str, Any]
#: One parameter group: ``"params"`` and every option (``"lr"``, ...).
Group = dict[str, Any]
#: A parameter's values, its gradient, a piece of its state (what update rules compute on).
Array = np.ndarray


class Optimizer:
    """Base class of all optimizers: holds the parameter groups and the per-parameter state.

    Args:
        params: what to optimize: an iterable of Tensors (``model.parameters()``), of
            ``(name, Tensor)`` pairs (``model.named_parameters()``), or of dicts, each a
            parameter group such as ``{"params": model.head.parameters(), "lr": 1e-2}``.
        defaults: the value of every option for groups that do not set it.

    Attributes:
        param_groups: list of dicts, one per group: ``"params"`` (a list of Tensors) and every
            option (``"lr"``, ...). Schedulers change ``group["lr"]`` between steps.
        state: ``state[p]`` is a dict with whatever the update rule remembers for ``p``.
        defaults: the options given to the constructor.
    """

    #: options every group must give as numbers >= 0 (checked in this order)
    nonnegative_options: tuple[str, ...] = ()
    #: whether the options hold ``betas``, a pair of decay rates in [0, 1)
    has_betas: bool = False
    #: the constructor's options after ``params``, in order, with their defaults; a subclass
    #: that sets them gets its ``__init__`` made from them (see the module's docstring)
    options: dict[str, Any] = {}
    #: the options the constructor takes by keyword only (after ``*``)
    keyword_options: dict[str, Any] = {}
    #: options every group of this optimizer has with a fixed value (not constructor arguments)
    fixed_options: dict[str, Any] = {}

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(defaults.get("betas"), list):  # betas=[0.9, 0.999] is kept as a tuple
            defaults = {**defaults, "betas": tuple(defaults["betas"])}
        lr = defaults.get("lr")
        if isinstance(lr, Tensor) and lr.numel() == 1:  # PyTorch takes lr=torch.tensor(0.01)
            defaults = {**defaults, "lr": float(lr.item())}
        self.defaults = defaults
        self._check_options(defaults)
        self.state: defaultdict[Tensor, State] = defaultdict(dict)
        self.param_groups: list[Group] = []
        self._step_count = 0  # how many times step() ran (read by the lr schedulers)
        # id(param array) -> (weak reference to it, its work arrays); see scratch()
        self._scratch: dict[int, tuple[weakref.ref, list[np.ndarray]]] = {}

        if isinstance(params, Tensor):
            raise TypeError(
                "params given to the optimizer should be an iterable of Tensors or dicts, but "
                "got a single Tensor; wrap it in a list: [tensor]"
            )
        if isinstance(params, Mapping):
            raise TypeError(
                "params given to the optimizer should be an iterable of Tensors or dicts, but "
                "got a single dict; wrap the parameter group in a list: [group]"
            )
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                "params given to the optimizer should be an iterable of Tensors or dicts, but "
                f"got {type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], Mapping):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Count every call of a subclass's step(), so that a learning-rate scheduler can warn
        # when it is stepped before the optimizer (the most common scheduler mistake).
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_counts_steps", False):
            cls.step = _counting_steps(step)  # type: ignore[method-assign]
        if "options" in cls.__dict__ and "__init__" not in cls.__dict__:
            cls.__init__ = _constructor(cls)  # type: ignore[method-assign]

    # ------------------------------------------------------------------ to be overridden
    def _check_options(self, options: Mapping[str, Any]) -> None:
        """Raise ValueError for an invalid hyperparameter (called for defaults and each group).

        Checks ``nonnegative_options`` and, if ``has_betas``, ``betas``.
        """
        check_nonnegative(options, *self.nonnegative_options)
        if self.has_betas:
            check_betas(options)

    def update(self, param: np.ndarray, grad: np.ndarray, state: State, group: Group) -> None:
        """Apply the update rule to one parameter, in place.

        Args:
            param: the parameter's values (``p.array``), to be changed in place.
            grad: its gradient (``p.grad.array``, same shape); never to be changed.
            state: ``self.state[p]``, what the rule remembers for this parameter (empty at
                the first step).
            group: the parameter's group, with every option (``group["lr"]``, ...).
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement update()")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (one optimization step).

        Args:
            closure: optional function that clears the gradients, recomputes the loss, calls
                ``backward()`` and returns the loss (needed by methods that evaluate the loss
                several times per step). It runs with gradient recording enabled.

        Returns:
            The closure's loss, or None.
        """
        loss = run_closure(closure)
        with one_split_per_step():  # the large parameters' updates go to the cores at once
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue  # no gradient this step (frozen, or unused by the loss)
                    self.update(p.array, checked_grad(p), self.state[p], group)
                    bump_version(p)
        return loss

    # ------------------------------------------------------------------ work arrays
    def scratch(self, param: np.ndarray, count: int) -> list[np.ndarray]:
        """``count`` work arrays shaped like ``param``, made once and reused at every step.

        Fast update rules write their intermediate results here (``np.multiply(..., out=)``)
        instead of allocating fresh arrays for every parameter at every step. The arrays'
        contents mean nothing between calls, so they are not part of ``state`` and never
        saved. They are found again by the identity of ``param``; if that array is replaced
        (or freed), new ones are made.
        """
        key = id(param)
        entry = self._scratch.get(key)
        if entry is None or entry[0]() is not param or len(entry[1]) < count:
            work = [np.empty_like(param) for _ in range(count)]
            forget = functools.partial(_forget_scratch, weakref.ref(self), key)
            entry = (weakref.ref(param, forget), work)
            self._scratch[key] = entry
        return entry[1][:count]

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group of parameters with its own options (e.g. layers unfrozen mid-training).

        Options the group does not set take the optimizer's defaults. A parameter may belong
        to one group only.
        """
        if not isinstance(param_group, Mapping):
            raise TypeError(
                f"a parameter group must be a dict, but got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry (the tensors)")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters must be an ordered collection (a list), not a set: the "
                "order of a set changes between runs and state_dict() refers to parameters by "
                "position"
            )
        else:
            params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "give either all parameters with names, as (name, tensor) pairs, or none"
                )
            params = [p[1] for p in params]
            group["param_names"] = names
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"an optimizer can only optimize Tensors, but parameter {i} of the group "
                    f"is a {type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"can't optimize a non-leaf Tensor (parameter {i} of the group, shape "
                    f"{p.shape}, was computed by an operation); pass the original leaf, or "
                    "call .detach().requires_grad_() on it"
                )
        group["params"] = params

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required option {name}"
                )
            group.setdefault(name, default)
        self._check_options(group)

        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; each will be "
                "updated once per appearance",
                stacklevel=2,
            )
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        if self.param_groups and ("param_names" in group) != (
            "param_names" in self.param_groups[0]
        ):
            raise ValueError("all parameter groups must be given with names, or all without")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters before the next backward pass.

        Args:
            set_to_none: if True (the default, as in PyTorch) set ``p.grad = None``, which
                frees the memory and lets ``step`` skip parameters that get no new gradient;
                if False, fill the existing gradient arrays with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad = p.grad.detach()
                    p.grad.requires_grad = False
                    p.grad.array[...] = 0

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as plain data: ``{"state": ..., "param_groups": ...}``.

        ``"param_groups"`` is a list with each group's options and, under ``"params"``, the
        positions of its parameters (counted over all groups in order). ``"state"`` maps a
        position to that parameter's state (NumPy arrays and numbers). Arrays are copies, so
        the dict is a snapshot: later steps do not change it.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if self.state.get(p):
                    # deep copies (arrays, and lists of arrays as L-BFGS keeps): a snapshot
                    state[index[id(p)]] = copy.deepcopy(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a ``state_dict()`` into this optimizer (built over the same parameters).

        Groups and parameters are matched by position. Options (``lr``, ...) come from the
        saved groups; state arrays are copied and cast to their parameter's dtype. Everything
        is checked before anything changes: a mismatch raises ValueError and leaves the
        optimizer as it was.
        """
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            got = sorted(state_dict) if isinstance(state_dict, Mapping) else type(state_dict)
            raise ValueError(
                f"expected an optimizer state_dict with keys 'state' and 'param_groups', got {got}"
            )
        saved_groups = state_dict["param_groups"]
        if not isinstance(state_dict["state"], Mapping) or not all(
            isinstance(g, Mapping) and "params" in g for g in saved_groups
        ):
            raise ValueError(
                "malformed optimizer state_dict: 'state' must be a dict and 'param_groups' a "
                "list of dicts, each with a 'params' list"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups: it has "
                f"{len(saved_groups)}, this optimizer has {len(self.param_groups)}"
            )
        position: dict[int, Tensor] = {}
        new_groups = []
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size "
                    f"of the optimizer's group: group {i} has {len(saved['params'])} parameters "
                    f"in the state dict and {len(group['params'])} in the optimizer"
                )
            for k, p in zip(saved["params"], group["params"]):
                position[int(k)] = p
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            for k, v in group.items():
                if k not in new_group:  # an option the saved file predates
                    new_group[k] = v
                elif isinstance(v, tuple) and isinstance(new_group[k], list):
                    new_group[k] = tuple(new_group[k])  # e.g. betas that went through JSON
            new_group["params"] = group["params"]
            self._check_options(new_group)
            new_groups.append(new_group)

        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for k, saved_state in state_dict["state"].items():
            try:
                p = position[int(k)]
            except (KeyError, ValueError):
                raise ValueError(
                    f"loaded state dict has state for parameter {k!r}, but the optimizer's "
                    f"parameters are numbered 0 to {len(position) - 1}"
                ) from None
            new_state[p] = {
                key: self._load_state_value(p, int(k), key, value)
                for key, value in saved_state.items()
            }
        self.param_groups = new_groups
        self.state = new_state

    # ------------------------------------------------------------------ display
    def _load_state_value(self, p: Tensor, index: int, key: str, value: Any) -> Any:
        """One saved state entry of parameter number ``index`` as ``update`` expects it."""
        return _load_state_value(p, index, key, value)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


#: PyTorch's switches that choose how its optimizers compute on its devices (a loop per
#: tensor or one over all, a fused kernel, CUDA-graph capture, a recorded step), not what;
#: with their defaults. glassnet has one CPU way to compute each rule, so they change nothing.
SWITCHES = dict(foreach=None, fused=None, capturable=False, differentiable=False)
#: which of them each built-in optimizer's constructor takes, as in torch (the others take
#: ``DEFAULT_SWITCHES``); torch takes ``fused`` only where it has a fused CPU kernel
TORCH_SWITCHES = {
    "SGD": ("foreach", "differentiable", "fused"),
    "Adagrad": ("foreach", "differentiable", "fused"),
    "Adam": ("foreach", "capturable", "differentiable", "fused"),
    "AdamW": ("foreach", "capturable", "differentiable", "fused"),
    "Adafactor": ("foreach",),
    "Muon": (),
    "SparseAdam": (),
}
DEFAULT_SWITCHES = ("foreach", "capturable", "differentiable")


def check_switches(name: str, options: Mapping[str, Any]) -> None:
    """Refuse, in one line, the switches that ask for what glassnet cannot do.

    ``foreach=True`` and ``fused=True`` ask only for speed and are accepted (torch runs a
    fused step on the CPU too), but not both at once (torch refuses that). ``capturable=True``
    needs a CUDA-graph device, which torch lacks on the CPU as well; ``differentiable=True``
    asks for the step to be recorded for autograd, and glassnet's steps change arrays in place.
    """
    if options.get("fused") and options.get("foreach"):
        raise RuntimeError(f"{name}(): `fused` and `foreach` cannot be `True` together.")
    if options.get("capturable"):
        raise ValueError(
            f"{name}(capturable=True): capturing a step in a CUDA graph needs a GPU, and "
            "glassnet runs on the CPU only; use capturable=False"
        )
    if options.get("differentiable"):
        raise ValueError(
            f"{name}(differentiable=True): glassnet's optimizer steps update the arrays in "
            "place and are not recorded for autograd; use differentiable=False"
        )


def _constructor(cls: type[Optimizer]) -> Callable[..., None]:
    """``cls.__init__`` made from ``cls.options`` and ``cls.keyword_options``.

    It takes ``params``, then the options by position or keyword, then the keyword options
    and PyTorch's implementation switches (``TORCH_SWITCHES``), each with its default (a
    wrong or missing argument raises TypeError as for a written-out ``__init__``), and calls
    ``Optimizer.__init__(self, params, defaults)`` with every option (and the
    ``fixed_options``) in ``defaults``. Its signature is the one ``help(cls)`` and
    ``inspect.signature(cls)`` show.
    """
    switches = {
        name: SWITCHES[name]
        for name in TORCH_SWITCHES.get(cls.__name__, DEFAULT_SWITCHES)
        if name not in cls.keyword_options
    }
    by_position = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [
            inspect.Parameter("self", by_position),
            inspect.Parameter("params", by_position, annotation=Iterable[Any]),
            *(
                inspect.Parameter(name, by_position, default=value, annotation=_kind_of(value))
                for name, value in cls.options.items()
            ),
            *(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=value, annotation=_kind_of(value)
                )
                for name, value in {**cls.keyword_options, **switches}.items()
            ),
        ],
        return_annotation=None,
    )

    def __init__(self: Optimizer, *args: Any, **kwargs: Any) -> None:
        try:
            arguments = signature.bind(self, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}(): {error}") from None
        arguments.apply_defaults()
        defaults = dict(arguments.arguments)
        params = defaults.pop("params")
        del defaults["self"]
        check_switches(type(self).__name__, defaults)
        Optimizer.__init__(self, params, {**defaults, **cls.fixed_options})

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = f"The constructor of {cls.__name__} (its options: see the class docstring)."
    __init__.__module__ = cls.__module__
    return __init__


def _kind_of(default: Any) -> Any:
    """The type an option with this default takes (shown in the constructor's signature)."""
    if isinstance(default, bool):
        return bool
    if isinstance(default, numbers.Real):
        return float
    if isinstance(default, tuple):
        return tuple[float, float]
    return Any


def _load_state_value(p: Tensor, index: int, key: str, value: Any) -> Any:
    """Turn a saved state entry back into what ``step`` expects (a step count, an int from
    glassnet's older checkpoints or a tensor from PyTorch's, becomes a 0-d float32 tensor)."""
    if key == "step":
        return step_tensor(value)
    if isinstance(value, Tensor):
        value = value.array
    if isinstance(value, np.ndarray):
        if value.shape != p.shape:
            if value.ndim == 0:
                return value.item()
            raise ValueError(
                f"loaded state {key!r} of parameter {index} has shape {value.shape}, but the "
                f"parameter has shape {p.shape}"
            )
        dtype = p.dtype if p.dtype.kind == "f" else value.dtype
        return np.array(value, dtype=dtype, copy=True, order="C")  # as update loops need
    return copy.deepcopy(value)


# ------------------------------------------------------------------ helpers for update rules
def check_nonnegative(options: Mapping[str, Any], *names: str) -> None:
    """Raise ValueError unless every named option is a number >= 0 (for a value that is not a
    number at all, a NumberTypeError: a TypeError, as PyTorch raises, and a ValueError)."""
    for name in names:
        value = options[name]
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise NumberTypeError(f"Invalid {name}: expected a number >= 0, got {value!r}")
        if not value >= 0.0:
            raise ValueError(f"Invalid {name}: expected {name} >= 0, got {name}={value!r}")


def check_betas(options: Mapping[str, Any]) -> None:
    """Raise ValueError unless ``betas`` is a pair of numbers in [0, 1)."""
    betas = options["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"Invalid betas: expected a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        if not isinstance(beta, numbers.Real) or not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: expected 0 <= betas[{i}] < 1, got "
                f"betas={tuple(betas)!r}"
            )


def run_closure(closure: Callable[[], Any] | None) -> Any:
    """Evaluate a step's closure (with gradient recording on) and return its loss."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def checked_grad(p: Tensor) -> np.ndarray:
    """``p.grad``'s array, after checking that it has the parameter's shape.

    A gradient of another float dtype (a float64 gradient set by hand on a float32
    parameter, say) is cast to the parameter's, so that the state keeps the parameter's dtype.
    """
    g = p.grad.array
    if g.shape != p.array.shape:
        raise ValueError(
            f"the gradient of a parameter of shape {p.array.shape} has shape {g.shape}; "
            "p.grad must have the parameter's shape"
        )
    if g.dtype != p.array.dtype and p.array.dtype.kind == "f":
        g = g.astype(p.array.dtype)
    return g


def descent_gradient(
    param: np.ndarray,
    grad: np.ndarray,
    weight_decay: float,
    maximize: bool,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The gradient an update rule descends: ``g = ±grad + weight_decay * param``.

    ``-`` when maximizing (climbing the objective is descending its negative); the weight
    decay term is the gradient of an L2 penalty ``weight_decay / 2 * ||param||^2``. With
    neither, this is ``grad`` itself (which must never be changed); otherwise the result is
    written into ``out`` (a new array if None).
    """
    if weight_decay == 0 and not maximize:
        return grad
    if out is None:
        out = np.empty_like(param)
    if weight_decay == 0:
        return np.negative(grad, out=out)
    np.multiply(param, weight_decay, out=out)
    if maximize:
        out -= grad
    else:
        out += grad
    return out


def decayed_gradient(
    param: np.ndarray, grad: np.ndarray, group: Mapping[str, Any], out: np.ndarray | None = None
) -> np.ndarray:
    """Weight decay the Adam way: ``g = ±grad + weight_decay * param`` (an L2 penalty), or, if
    ``group["decoupled_weight_decay"]``, ``param *= 1 - lr * weight_decay`` in place (AdamW)
    and ``g = ±grad``. Returns ``g`` (see ``descent_gradient`` for ``out``).
    """
    weight_decay, maximize = group["weight_decay"], group["maximize"]
    if not group["decoupled_weight_decay"]:
        return descent_gradient(param, grad, weight_decay, maximize, out=out)
    if weight_decay != 0:
        param *= 1 - group["lr"] * weight_decay
    return descent_gradient(param, grad, 0, maximize, out=out)


#: The fewest numbers of a parameter worth a thread of their own: a parameter of twice as many
#: or more has its update split over two cores (less is not worth the hand-off to a thread).
SPLIT_MIN_SIZE = 65_536
#: Each core then works through its range in blocks of this many numbers: an update makes a
#: dozen passes (one NumPy call each) over its arrays, and over a block of 64k float32 numbers
#: (a quarter MiB per array) every pass after the first finds the data in the core's cache.
BLOCK_SIZE = 65_536


def update_in_blocks(
    kernel: Callable[..., None], *arrays: np.ndarray | None, blocks: bool = True
) -> None:
    """Run an elementwise update ``kernel(*arrays)`` on every core, block by block.

    ``kernel`` takes arrays of one shape, the parameter first (``None`` stands for an unused
    state or work array and is passed on as ``None``) and changes some of them in place, number by number: what it writes at a position
    depends only on what the arrays hold at that position. So it may just as well be called on
    matching pieces of the arrays, one after another or at the same time, and the result is the
    same to the last bit. A large parameter's arrays are viewed as flat vectors, cut into one
    range per core (``run_split``) and each range into blocks of ``BLOCK_SIZE`` numbers (with
    ``blocks=False``, one call per range: a fused loop makes a single pass, so it gains
    nothing from blocks and saves the calls). Inside ``one_split_per_step`` the split update is
    held and runs when that block ends, together with the other parameters' updates.

    The readable twin is ``kernel(*arrays)``: one call over the whole arrays, which is what
    happens for a parameter of fewer than ``SPLIT_MIN_SIZE`` numbers, or when some array is not
    C-contiguous (a flat view of it would be a copy, and writes into a copy are lost).
    """
    held = getattr(_held_updates, "jobs", None)
    size = arrays[0].size  # the parameter's (never None)
    if size < SPLIT_MIN_SIZE or not all(a is None or a.flags.c_contiguous for a in arrays):
        # Most parameters (the size is checked first, as it costs the least): one call. Held
        # behind a large parameter's split, it runs on this core while the other cores start on
        # theirs; with nothing to wait for, it runs now.
        if held:
            held.append(_SplitUpdate(kernel, list(arrays), size, blocks, whole=True))
        else:
            kernel(*arrays)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]  # views, not copies
    job = _SplitUpdate(kernel, flat, size, blocks)
    if held is not None:
        held.append(job)
    else:
        run_updates_split([job])


class _SplitUpdate:
    """One parameter's elementwise update as ``update_in_blocks`` splits it: ``kernel`` over
    the flat views ``arrays`` of ``size`` numbers, in blocks or in one call per range; or, if
    ``whole``, one call over the arrays as they are (a small or non-contiguous parameter)."""

    __slots__ = ("kernel", "arrays", "size", "blocks", "whole")

    def __init__(
        self,
        kernel: Callable[..., None],
        arrays: list,
        size: int,
        blocks: bool,
        whole: bool = False,
    ) -> None:
        self.kernel, self.arrays, self.size = kernel, arrays, size
        self.blocks, self.whole = blocks, whole

    def run(self, numbers: slice) -> None:
        """Update the numbers ``numbers`` (a range of the flat arrays)."""
        block_size = BLOCK_SIZE if self.blocks else max(1, numbers.stop - numbers.start)
        for start in range(numbers.start, numbers.stop, block_size):
            block = slice(start, min(start + block_size, numbers.stop))
            self.kernel(*(None if a is None else a[block] for a in self.arrays))


def run_updates_split(jobs: list[_SplitUpdate]) -> None:
    """Run the updates ``jobs`` on every core in one hand-off.

    The split jobs' numbers are seen as one long row (the first job's, then the second's, ...),
    cut into one range per core (``run_split``); each core updates the part of every job that
    falls in its range. One job alone is cut exactly as before; several large parameters cost
    one hand-off to the other cores instead of one each. The ``whole`` jobs run first on this
    core (``run_split`` gives it the range from 0), while the other cores start on theirs.
    """
    whole = [job for job in jobs if job.whole]
    split = [job for job in jobs if not job.whole]
    starts, total = [], 0
    for job in split:
        starts.append(total)
        total += job.size

    def work(rows: slice) -> None:
        if rows.start == 0:
            for job in whole:
                job.kernel(*job.arrays)
        for job, start in zip(split, starts):
            low, high = max(rows.start - start, 0), min(rows.stop - start, job.size)
            if low < high:
                job.run(slice(low, high))

    run_split(work, total, SPLIT_MIN_SIZE)


_held_updates = threading.local()  # .jobs: the split updates held by one_split_per_step


@contextlib.contextmanager
def one_split_per_step() -> Iterator[None]:
    """Hold the split updates of ``update_in_blocks`` made in this block and run them all when
    it ends (``run_updates_split``), however it ends: what was asked for is always done.

    ``Optimizer.step`` runs its loop over the parameters inside one, so the large parameters of
    a step share one hand-off to the other cores, and the small ones are updated meanwhile.
    Nothing may read a held parameter before the block ends: a step's updates never read each
    other's parameters, and an ``update`` ends with its call of ``update_in_blocks``. Nested,
    the outer block runs them.
    """
    if getattr(_held_updates, "jobs", None) is not None:
        yield
        return
    jobs: list[_SplitUpdate] = []
    _held_updates.jobs = jobs
    try:
        yield
    finally:
        _held_updates.jobs = None
        if jobs:
            run_updates_split(jobs)


def count_step(param: np.ndarray, state: State, *zero_arrays: str) -> int:
    """Count one more step of a parameter and return its number ``t`` (1 at the first step).

    At the first step (``state`` still empty) the state is made: ``step`` 0 (a 0-d float32
    tensor, as PyTorch keeps it: ``step_count.py``) and, for each name in ``zero_arrays``, an
    array of zeros shaped like ``param`` (a running average that starts at zero, say).
    """
    if not state:
        state["step"] = step_tensor(0)
        for name in zero_arrays:
            state[name] = np.zeros_like(param)
    return advance_step(state)


def bump_version(p: Tensor) -> None:
    """Record that ``p.array`` changed in place (a graph built from the old value will refuse
    to backpropagate through it, as in PyTorch)."""
    p._version[0] += 1


def _counting_steps(step: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``step`` method so that every call is counted in ``optimizer._step_count``.

    A learning-rate scheduler reads the count to warn when it is stepped before the optimizer
    (the most common scheduler mistake).
    """

    @functools.wraps(step)
    def counted_step(self: Optimizer, *args: Any, **kw: Any) -> Any:
        self._step_count += 1
        return step(self, *args, **kw)

    counted_step._counts_steps = True  # type: ignore[attr-defined]
    return counted_step


Optimizer.step = _counting_steps(Optimizer.step)  # type: ignore[method-assign]


def _forget_scratch(optimizer_ref: weakref.ref, key: int, _dead: Any) -> None:
    """Drop the work arrays of a parameter array that no longer exists."""
    optimizer = optimizer_ref()
    if optimizer is not None:
        entry = optimizer._scratch.get(key)
        if entry is not None and entry[0]() is None:
            del optimizer._scratch[key]


def check_in_range(options: Mapping[str, Any], name: str, low: float, high: float) -> None:
    """Raise ValueError unless the named option is a number with ``low <= value <= high``."""
    value = options[name]
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(
            f"Invalid {name}: expected {low} <= {name} <= {high}, got {name}={value!r}"
        )
