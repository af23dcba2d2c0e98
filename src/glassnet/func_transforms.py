"""Function transforms of ``torch.func``: vmap, grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

Each takes a function and returns a new function. Arguments and results may be pytrees:
tuples, lists and dicts nested in any way, with tensors (or other values) as leaves.

How each is computed (glassnet has reverse mode only, and no batching transform):

* ``vmap(f)(x)``: ``f(x[0]), f(x[1]), ...`` run one by one, then stacked. The per-element
  results are ordinary recorded ops and ``stack`` is differentiable, so gradients flow.
* ``grad(f)`` is ``autograd.functional_grad`` on the flattened leaves of ``args[argnums]``.
* ``vjp(f, *x)``: one forward pass; ``vjp_fn(v)`` is one backward pass from v, giving v^T J.
* ``jvp(f, x, t)``: J t by the double-backward trick: with u a dummy cotangent,
  g(u) = J^T u is linear in u, and d(g(u) . t)/du = J t.
* ``jacrev(f)(x)``: the rows of J, ``vmap(vjp_fn)`` over the one-hot basis of the output.
* ``jacfwd(f)(x)``: the columns of J, ``vmap`` of ``jvp`` over the one-hot basis of the input.
* ``hessian(f)``: the Jacobian of the gradient, ``jacrev(jacrev(f))`` (see ``hessian``).

Unlike ``autograd.functional.jacobian`` (which copies its inputs into fresh leaves, so its
result does not depend on the caller's tensors), these keep the graph to their inputs, so they
nest: ``vmap(grad(f))``, ``jacrev(jacrev(f))``, ``grad(lambda x: jvp(...))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import random as _random
from .autograd import Tensor, enable_grad, functional_grad, no_grad, wrap
from .autograd_functional import _grads
from .errors import ShapeError
from .ops.shape import stack

__all__ = [
    "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "linearize", "vjp", "vmap"
]  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Pytrees: tuples, lists and dicts are nodes; everything else (tensors, numbers, None) is a leaf
# ----------------------------------------------------------------------------------------------


def _flatten(tree: Any) -> tuple[list, Any]:
    """The leaves of ``tree`` left to right, and a spec that ``_unflatten`` rebuilds it from."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for child in tree:
            sub, spec = _flatten(child)
            leaves += sub
            specs.append((spec, len(sub)))
        return leaves, (type(tree), None, specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for child in tree.values():
            sub, spec = _flatten(child)
            leaves += sub
            specs.append((spec, len(sub)))
        return leaves, (type(tree), list(tree.keys()), specs)
    return [tree], None


def _unflatten(spec: Any, leaves: list) -> Any:
    if spec is None:
        return leaves[0]
    kind, keys, specs = spec
    children, at = [], 0
    for sub, n in specs:
        children.append(_unflatten(sub, leaves[at : at + n]))
        at += n
    if keys is not None:
        return kind(zip(keys, children))
    if hasattr(kind, "_fields"):  # a namedtuple is rebuilt from positional fields
        return kind(*children)
    return kind(children)


def _describe(tree: Any) -> str:
    if isinstance(tree, (tuple, list, dict)):
        return f"a {type(tree).__name__} of {len(tree)}"
    return "a tensor" if isinstance(tree, Tensor) else f"a {type(tree).__name__}"


def _broadcast(spec: Any, tree: Any, what: str) -> list:
    """One entry of ``spec`` per leaf of ``tree``: an int or None applies to its whole subtree
    (PyTorch's "prefix" rule); a tuple/list/dict must match the tree's node there."""
    if spec is None or isinstance(spec, int):
        return [spec] * len(_flatten(tree)[0])
    same_kind = (isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list))) or (
        isinstance(spec, dict) and isinstance(tree, dict)
    )
    if (
        not same_kind
        or len(spec) != len(tree)
        or (isinstance(spec, dict) and set(spec) != set(tree))
    ):
        raise ValueError(
            f"vmap: {what} is not compatible with the structure: it has {_describe(spec)} "
            f"where the value has {_describe(tree)}"
        )
    pairs = [(spec[k], tree[k]) for k in tree] if isinstance(tree, dict) else list(zip(spec, tree))
    return [d for s, t in pairs for d in _broadcast(s, t, what)]


# ----------------------------------------------------------------------------------------------
# vmap
# ----------------------------------------------------------------------------------------------


def _name(func: Callable) -> str:
    return getattr(func, "__name__", type(func).__name__)


def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """torch.func.vmap: map ``func`` over a dimension of its inputs, as if it took one element.

    ``vmap(f, in_dims=d)(x)`` is ``stack([f(x.select(d, i)) for i in range(x.shape[d])], out_dims)``,
    and that is exactly how glassnet computes it: **one call of ``func`` per element, no
    speedup** over writing the loop yourself. (PyTorch rewrites each op to work on the whole
    batch at once; glassnet has no batching transform.) What vmap gives here is the same code
    and results as PyTorch, and composition: ``vmap(grad(loss))`` gives per-sample gradients.
    Gradients flow through: each call is recorded as usual and ``stack`` is differentiable.

    Args:
        func: takes (pytrees of) tensors, returns a tensor or a pytree of tensors.
        in_dims: the mapped dimension of each argument: an int (all arguments), None (not
            mapped), or a tuple with one entry per positional argument, each itself an int,
            None or a nested tuple/list/dict matching that argument. Negative dims count from
            the end. Keyword arguments are passed to every call unmapped.
        out_dims: where the mapped dimension goes in each output (int, or a pytree matching
            the output); None for an output that is the same for every element.
        randomness: 'error' (raise if ``func`` draws from glassnet's global generator),
            'different' (each call draws anew) or 'same' (every call sees the same numbers:
            the generator is reset to the same state before each call).
        chunk_size: accepted for PyTorch code (a positive int or None); the loop is per element.

    Example (per-sample gradients)::

        loss = lambda w, x: (x @ w).sum()
        vmap(grad(loss), in_dims=(None, 0))(w, xs)   # shape (len(xs),) + w.shape
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    if not (in_dims is None or isinstance(in_dims, (int, tuple))):
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims!r}): expected `in_dims` to be int or a "
            f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}."
        )

    def mapped(*args: Any, **kwargs: Any) -> Any:
        where = f"vmap({_name(func)}, in_dims={in_dims!r}, ...)(<inputs>)"
        leaves, spec = _flatten(args)
        if isinstance(in_dims, tuple) and len(in_dims) != len(args):
            raise ValueError(
                f"{where}: in_dims is not compatible with the structure of `inputs`: in_dims "
                f"has {len(in_dims)} entries but {len(args)} positional inputs were given"
            )
        dims = _broadcast(in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args),
                          args, "in_dims")  # fmt: skip
        sizes = []
        for k, (leaf, d) in enumerate(zip(leaves, dims)):
            if d is None:
                continue
            if not isinstance(leaf, Tensor):
                raise ValueError(
                    f"{where}: Got in_dim={d} for an input but the input is of type "
                    f"{type(leaf)}. We cannot vmap over non-Tensor arguments, please use None "
                    "as the respective in_dim"
                )
            if not -leaf.ndim <= d < leaf.ndim:
                raise ShapeError(
                    f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                    f"dimensionality {leaf.ndim} so expected in_dim to satisfy "
                    f"{-leaf.ndim} <= in_dim < {leaf.ndim}."
                )
            dims[k] = d % leaf.ndim
            sizes.append(leaf.shape[dims[k]])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ShapeError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, "
                f"got sizes {sizes} for the mapped dimension"
            )
        if sizes[0] == 0:
            raise ShapeError("vmap: the mapped dimension has size 0 (glassnet calls func once "
                             "per element, so there is nothing to call it on)")  # fmt: skip
        saved = _random.get_rng_state()
        results = []
        for i in range(sizes[0]):
            element = [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)]
            if randomness == "same":
                _random.set_rng_state(saved)  # every element sees the same random numbers
            before = _random.get_rng_state()
            out = func(*_unflatten(spec, element), **kwargs)
            if randomness == "error" and _random.get_rng_state() != before:
                raise RuntimeError(
                    "vmap: called random operation while in randomness error mode. Please "
                    "either use the 'same' or 'different' randomness flags on vmap or perform "
                    "the randomness operation out of vmap"
                )
            results.append(out)
        return _stack_outputs(func, results, out_dims)

    mapped.__name__ = f"vmap_{_name(func)}"
    mapped.__doc__ = func.__doc__
    return mapped


def _stack_outputs(func: Callable, results: list, out_dims: Any) -> Any:
    """Stack the per-element outputs leaf by leaf along each leaf's out_dim."""
    flat = [_flatten(r) for r in results]
    leaves0, spec = flat[0]
    dims = _broadcast(out_dims, results[0], "out_dims")
    stacked = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves, _ in flat]
        if d is None:
            first = column[0]
            same = all(
                (isinstance(c, Tensor) and isinstance(first, Tensor)
                 and np.array_equal(c.array, first.array))
                or (not isinstance(c, Tensor) and c == first)
                for c in column
            )  # fmt: skip
            if not same:
                raise ValueError(
                    f"vmap({_name(func)}, ...): output {k} differs between elements, so it "
                    "cannot be returned with out_dims=None"
                )
            stacked.append(first)
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(
                f"vmap({_name(func)}, ...): `{_name(func)}` must only return Tensors, got type "
                f"{type(column[0])}. Did you mean to set out_dims= to None for output?"
            )
        rank = column[0].ndim + 1
        if not -rank <= d < rank:
            raise ShapeError(
                f"vmap: out_dims={d} is out of range for an output of dimensionality "
                f"{rank - 1} (expected {-rank} <= out_dim < {rank})"
            )
        stacked.append(stack(column, dim=d))
    return _unflatten(spec, stacked)


# ----------------------------------------------------------------------------------------------
# grad, grad_and_value
# ----------------------------------------------------------------------------------------------


def _argnums(argnums: int | Iterable[int], n: int, who: str) -> tuple[tuple[int, ...], bool]:
    """argnums as a tuple of non-negative positions, and whether a single int was given."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{who}: argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int) or not -n <= a < n:
            raise RuntimeError(f"{who}: Got argnum={a}, but only {n} positional inputs")
    nums = tuple(a % n for a in nums)
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"{who}: argnums must be unique, got {argnums}")
    return nums, single


def grad_and_value(
    func: Callable, argnums: int | Iterable[int] = 0, has_aux: bool = False
) -> Callable:
    """torch.func.grad_and_value: ``(df/d(args[argnums]), f(*args))`` from one call of ``f``.

    ``f`` returns a one-element tensor (with ``has_aux``, a pair ``(value, aux)``; the result
    is then ``(gradient, (value, aux))``). An argument may be a pytree (e.g. a model's dict of
    parameters); its gradient has the same structure. With a tuple ``argnums``, the gradient
    is a tuple. Built on ``autograd.functional_grad``, so the result is differentiable again.
    """

    def both(*args: Any, **kwargs: Any) -> tuple:
        nums, single = _argnums(argnums, len(args), "grad_and_value")
        flats = {i: _flatten(args[i]) for i in nums}
        box: dict[str, Any] = {}

        def on_leaves(*leaves: Any) -> Any:
            # The flattened leaves of args[argnums], put back in their places.
            new, at = list(args), 0
            for i in nums:
                n = len(flats[i][0])
                new[i] = _unflatten(flats[i][1], list(leaves[at : at + n]))
                at += n
            out = func(*new, **kwargs)
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): output of function f should be a tuple: "
                        f"(output, aux) if has_aux is True, got {type(out).__name__}"
                    )
                out, box["aux"] = out
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    + (f"shape {tuple(out.shape)}" if isinstance(out, Tensor) else str(type(out)))
                    + ". Maybe you wanted to use the vjp or jacrev APIs instead?"
                )
            box["value"] = out
            return out

        leaves = [leaf for i in nums for leaf in flats[i][0]]
        gs = functional_grad(on_leaves, tuple(range(len(leaves))))(*leaves)
        grads, at = [], 0
        for i in nums:
            n = len(flats[i][0])
            grads.append(_unflatten(flats[i][1], list(gs[at : at + n])))
            at += n
        g = grads[0] if single else tuple(grads)
        return (g, (box["value"], box["aux"])) if has_aux else (g, box["value"])

    both.__name__ = f"grad_and_value_{_name(func)}"
    return both


def grad(func: Callable, argnums: int | Iterable[int] = 0, has_aux: bool = False) -> Callable:
    """torch.func.grad: ``grad(f)(*args)`` is df/d(args[argnums]) for a scalar-valued ``f``.

    With ``has_aux=True``, ``f`` returns ``(scalar, aux)`` and the result is ``(gradient, aux)``.
    Arguments may be pytrees (a dict of parameters gives a dict of gradients). The result is
    differentiable again, so ``grad(grad(f))`` is the second derivative.
    """
    inner = grad_and_value(func, argnums, has_aux)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    grad_f.__name__ = f"grad_{_name(func)}"
    return grad_f


# ----------------------------------------------------------------------------------------------
# vjp, jvp
# ----------------------------------------------------------------------------------------------


def _leaf(x: Any) -> Tensor:
    """A tensor to differentiate with respect to: ``x`` itself if it is already in a graph
    (so an outer transform still sees the dependence), else a detached copy that requires grad."""
    if isinstance(x, Tensor):
        return x if x.requires_grad else x.detach().requires_grad_()
    return wrap(np.asarray(x, dtype=np.float64), requires_grad=True)


def _split_aux(out: Any, has_aux: bool, who: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{who}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return out


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """torch.func.vjp: ``(f(*primals), vjp_fn)``, where ``vjp_fn(v)`` is v^T J.

    ``f`` runs once, here; each ``vjp_fn(v)`` is one backward pass from ``v`` (a pytree like
    the output), returning a tuple with one gradient per primal:
    d(sum of output * v)/d(primal). With ``has_aux``, the result is ``(output, vjp_fn, aux)``.
    """
    with enable_grad():
        leaves_and_specs = [_flatten(p) for p in primals]
        xs = [[_leaf(x) for x in leaves] for leaves, _ in leaves_and_specs]
        inputs = [_unflatten(s, x) for (_, s), x in zip(leaves_and_specs, xs)]
        out, aux = _split_aux(func(*inputs), has_aux, "vjp(f, *primals)")
    ys, out_spec = _flatten(out)
    for y in ys:
        if not isinstance(y, Tensor):
            raise RuntimeError(f"vjp(f, *primals): f must return Tensors, got {type(y)}")
    flat_xs = [x for group in xs for x in group]

    def vjp_fn(cotangents: Any) -> tuple:
        vs, v_spec = _flatten(cotangents)
        if len(vs) != len(ys):
            raise RuntimeError(
                f"vjp_fn: expected cotangents with the structure of the output ({len(ys)} "
                f"tensors), got {len(vs)}"
            )
        for k, (v, y) in enumerate(zip(vs, ys)):
            if tuple(v.shape) != tuple(y.shape):
                raise ShapeError(
                    f"Mismatch in shape: grad_output[{k}] has a shape of {tuple(v.shape)} and "
                    f"output[{k}] has a shape of {tuple(y.shape)}."
                )
        with enable_grad():
            gs = list(_grads(tuple(ys), tuple(flat_xs), tuple(vs), True))
        result, at = [], 0
        for leaves, spec in leaves_and_specs:
            result.append(_unflatten(spec, gs[at : at + len(leaves)]))
            at += len(leaves)
        return tuple(result)

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(func: Callable, primals: Any, tangents: Any, *, has_aux: bool = False) -> tuple:
    """torch.func.jvp: ``(f(*primals), J t)``, the derivative of ``f`` in the direction ``t``.

    glassnet has no forward mode; J t comes from two backward passes: with u a dummy cotangent,
    g(u) = J^T u (``vjp_fn(u)``) is linear in u, so d(g(u) . t)/du = J t.
    ``primals`` and ``tangents`` are tuples of the same structure. With ``has_aux``, the
    result is ``(output, jvp_out, aux)``.
    """
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to be tuples, got "
            f"{type(primals).__name__} and {type(tangents).__name__}"
        )
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if len(p_leaves) != len(t_leaves):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same "
            f"structure, got {len(p_leaves)} and {len(t_leaves)} tensors"
        )
    for k, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        if tuple(p.shape) != tuple(t.shape):
            raise ShapeError(
                f"jvp(f, primals, tangents): primal {k} has shape {tuple(p.shape)} but its "
                f"tangent has shape {tuple(t.shape)}"
            )
    out, vjp_fn, *aux = vjp(func, *primals, has_aux=has_aux)
    ys, out_spec = _flatten(out)
    with enable_grad():
        us = [wrap(np.zeros(y.shape, y.array.dtype), requires_grad=True) for y in ys]
        back, _ = _flatten(vjp_fn(_unflatten(out_spec, us)))  # J^T u
        total = sum((b * t).sum() for b, t in zip(back, t_leaves))
        jt = _grads((total,), tuple(us), (wrap(np.ones((), total.array.dtype)),), True)
    jvp_out = _unflatten(out_spec, list(jt))
    return (out, jvp_out, aux[0]) if has_aux else (out, jvp_out)


def linearize(func: Callable, *primals: Any) -> tuple:
    """torch.func.linearize: ``(f(*primals), jvp_fn)`` with ``jvp_fn(*tangents) = J t``.

    The linear map t -> J t is f's derivative at ``primals``. PyTorch records it once and
    replays it per call; glassnet's ``jvp_fn`` calls ``jvp`` each time (a forward and two
    backward passes), giving the same numbers. ``jvp_fn`` takes one tangent per primal, each
    of its primal's shape.
    """
    if not primals:
        raise RuntimeError("linearize(func, *primals): expected at least one primal, got none")
    with no_grad():
        output = func(*primals)

    def jvp_fn(*tangents: Any) -> Any:
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


# ----------------------------------------------------------------------------------------------
# jacrev, jacfwd, hessian
# ----------------------------------------------------------------------------------------------


def _basis(t: Tensor) -> Tensor:
    """The one-hot tensors of t's shape, stacked: shape (t.numel(),) + t.shape."""
    n = t.numel()
    return wrap(np.eye(n, dtype=t.array.dtype).reshape((n, *t.shape)))


def _restrict(func: Callable, args: tuple, nums: tuple, kwargs: dict) -> Callable:
    """``func`` as a function of ``args[nums]`` only, the other arguments held fixed."""

    def of_selected(*chosen: Any) -> Any:
        new = list(args)
        for i, c in zip(nums, chosen):
            new[i] = c
        return func(*new, **kwargs)

    return of_selected


def jacrev(
    func: Callable,
    argnums: int | Iterable[int] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable:
    """torch.func.jacrev: the Jacobian by reverse mode, one backward pass per output element.

    Row i of J is ``vjp_fn(e_i)`` for the one-hot e_i, so ``jacrev`` is ``vmap(vjp_fn)`` over
    the output's basis. For an output y and argument x the block has shape y.shape + x.shape;
    outputs that are pytrees give pytrees, a tuple ``argnums`` a tuple per output, pytree
    arguments pytrees. With ``has_aux``, ``f`` returns ``(output, aux)`` and the result is
    ``(jacobian, aux)``. The result keeps its graph, so ``jacrev(jacrev(f))`` works.
    """

    def jac(*args: Any, **kwargs: Any) -> Any:
        nums, single = _argnums(argnums, len(args), "jacrev")
        chosen = [args[i] for i in nums]
        out, vjp_fn, *aux = vjp(_restrict(func, args, nums, kwargs), *chosen, has_aux=has_aux)
        ys, out_spec = _flatten(out)
        blocks = []
        for k, y in enumerate(ys):

            def row(e: Tensor, k: int = k) -> tuple:
                # The cotangent e in output k's place and zeros everywhere else.
                cot = [e if j == k else wrap(np.zeros(o.shape, o.array.dtype))
                       for j, o in enumerate(ys)]  # fmt: skip
                return vjp_fn(_unflatten(out_spec, cot))

            if y.numel() == 0:
                rows = tuple(_zeros_like_tree(c, (0,)) for c in chosen)
            else:
                rows = vmap(row)(_basis(y))  # one tuple entry per argument, (numel, *x.shape)
            per_arg = tuple(
                _map_tree(lambda r, y=y: r.reshape(tuple(y.shape) + tuple(r.shape[1:])), r)
                for r in rows
            )
            blocks.append(per_arg[0] if single else per_arg)
        result = _unflatten(out_spec, blocks)
        return (result, aux[0]) if has_aux else result

    jac.__name__ = f"jacrev_{_name(func)}"
    return jac


def _map_tree(fn: Callable, tree: Any) -> Any:
    leaves, spec = _flatten(tree)
    return _unflatten(spec, [fn(x) for x in leaves])


def _zeros_like_tree(tree: Any, lead: tuple) -> Any:
    return _map_tree(lambda x: wrap(np.zeros(lead + tuple(np.shape(_leaf(x).array)))), tree)


def jacfwd(
    func: Callable,
    argnums: int | Iterable[int] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable:
    """torch.func.jacfwd: the Jacobian column by column, ``vmap`` of ``jvp`` over the input basis.

    Column j of J is J e_j for the one-hot e_j of the (selected) inputs; blocks have shape
    y.shape + x.shape as in ``jacrev``. Each column here costs one call of ``f`` and two
    backward passes (glassnet's jvp, see there), so for a learner-sized problem ``jacrev`` is
    cheaper; the values are the same. ``randomness`` is passed to the ``vmap`` over columns.
    """

    def jac(*args: Any, **kwargs: Any) -> Any:
        nums, single = _argnums(argnums, len(args), "jacfwd")
        chosen = tuple(args[i] for i in nums)
        restricted = _restrict(func, args, nums, kwargs)
        x_leaves, x_spec = _flatten(chosen)
        x_leaves = [_leaf(x) for x in x_leaves]
        sizes = [x.numel() for x in x_leaves]
        total = sum(sizes)
        dtype = x_leaves[0].array.dtype

        def column(e: Tensor) -> Any:
            # Split the one-hot vector of all inputs into one tangent per input leaf.
            parts, at = [], 0
            for x, n in zip(x_leaves, sizes):
                parts.append(e[at : at + n].reshape(tuple(x.shape)))
                at += n
            res = jvp(restricted, _unflatten(x_spec, list(x_leaves)),
                      _unflatten(x_spec, parts), has_aux=has_aux)  # fmt: skip
            return (res[1], res[2]) if has_aux else res[1]

        basis = wrap(np.eye(total, dtype=dtype))
        cols = vmap(column, out_dims=(-1, None) if has_aux else -1, randomness=randomness)(basis)
        cols, aux = cols if has_aux else (cols, None)
        y_leaves, y_spec = _flatten(cols)
        blocks = []
        for c in y_leaves:
            y_shape = tuple(c.shape[:-1])
            per_leaf, at = [], 0
            for x, n in zip(x_leaves, sizes):
                per_leaf.append(c[..., at : at + n].reshape(y_shape + tuple(x.shape)))
                at += n
            per_arg = _unflatten(x_spec, per_leaf)
            blocks.append(per_arg[0] if single else per_arg)
        result = _unflatten(y_spec, blocks)
        return (result, aux) if has_aux else result

    jac.__name__ = f"jacfwd_{_name(func)}"
    return jac


def hessian(func: Callable, argnums: int | Iterable[int] = 0) -> Callable:
    """torch.func.hessian: the matrix of second derivatives d2f/dx_i dx_j, shape x.shape + x.shape.

    PyTorch computes it as ``jacfwd(jacrev(f))``, forward-over-reverse, because its forward mode
    is cheap. glassnet's forward mode is two reverse passes, so the cheaper route here is
    reverse-over-reverse, ``jacrev(jacrev(f))``: the same values (the Hessian is symmetric for
    a twice continuously differentiable f) and the same nesting for a tuple ``argnums``.
    """
    h = jacrev(jacrev(func, argnums), argnums)
    h.__name__ = f"hessian_{_name(func)}"
    return h
