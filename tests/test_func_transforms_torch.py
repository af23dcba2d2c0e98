"""glassnet.func's transforms (vmap, grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian) against torch.func."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
import glassnet.nn.functional as F
from glassnet import func as gf
from glassnet.numerical import gradcheck

torch = pytest.importorskip("torch")
tf = torch.func

RNG = np.random.default_rng(0)


def arr(*shape):
    return RNG.standard_normal(shape)


def both(a):
    """The same float64 values as a glassnet and a torch tensor."""
    return glassnet.tensor(a), torch.tensor(a)


def close(ours, theirs, tol=1e-10):
    """Compare pytrees of tensors leaf by leaf (same structure, same values)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            close(o, t, tol)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs)
        for k in theirs:
            close(ours[k], theirs[k], tol)
    else:
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=tol)


# ------------------------------------------------------------------------------------------
# vmap
# ------------------------------------------------------------------------------------------

X, Y, Z = arr(4, 3), arr(3, 4), arr(3)

VMAP_CASES = {
    "default": (lambda m: lambda a: m.sin(a) * 2, {}, (X,)),
    "in_dims_1": (lambda m: lambda a: a.sum(0), {"in_dims": 1}, (X,)),
    "in_dims_neg": (lambda m: lambda a: a * a, {"in_dims": -2}, (X,)),
    "in_dims_none": (lambda m: lambda a, b: a @ b, {"in_dims": (0, None)}, (X, arr(3, 2))),
    "two_mapped": (lambda m: lambda a, b: (a * b).sum(), {"in_dims": (0, 1)}, (X, Y)),
    "out_dims_1": (
        lambda m: lambda a, b: m.outer(a, b),
        {"in_dims": (0, 1), "out_dims": 1},
        (X, Y),
    ),
    "out_dims_neg": (lambda m: lambda a: m.outer(a, a), {"out_dims": -1}, (X,)),
    "tuple_out": (lambda m: lambda a: (a.sum(), a * 3), {"out_dims": (0, 1)}, (X,)),
    "tuple_arg": (lambda m: lambda p: p[0] + p[1], {"in_dims": ((0, 1),)}, ((X, Y),)),
    "dict_arg_out": (
        lambda m: lambda d: {"s": d["a"] * d["b"], "t": [d["a"].exp()]},
        {"in_dims": ({"a": 0, "b": None},)},
        ({"a": X, "b": Z},),
    ),
    "scalar_per_elem": (lambda m: lambda a: a.pow(2).sum(), {}, (Z,)),
}


def to(lib, tree):
    if isinstance(tree, tuple):
        return tuple(to(lib, t) for t in tree)
    if isinstance(tree, list):
        return [to(lib, t) for t in tree]
    if isinstance(tree, dict):
        return {k: to(lib, v) for k, v in tree.items()}
    return glassnet.tensor(tree) if lib is glassnet else torch.tensor(tree)


@pytest.mark.parametrize("case", list(VMAP_CASES), ids=list(VMAP_CASES))
def test_vmap_matches_torch(case):
    make, kw, args = VMAP_CASES[case]
    ours = gf.vmap(make(glassnet), **kw)(*to(glassnet, args))
    theirs = tf.vmap(make(torch), **kw)(*to(torch, args))
    close(ours, theirs)


def test_vmap_kwargs_unmapped_and_nested():
    f = lambda a, b, scale=1.0: (a * b).sum() * scale  # noqa: E731
    (a, ta), (b, tb) = both(arr(2, 3, 4)), both(arr(3, 4))
    ours = gf.vmap(gf.vmap(f, in_dims=(0, 0)), in_dims=(0, None))(a, b, scale=2.0)
    theirs = tf.vmap(tf.vmap(f, in_dims=(0, 0)), in_dims=(0, None))(ta, tb, scale=2.0)
    close(ours, theirs)
    # Nested, mapping different dims at each level, out_dims at the inner one.
    g = lambda x: x * x.sum()  # noqa: E731
    close(gf.vmap(gf.vmap(g, in_dims=1, out_dims=1), in_dims=2)(a),
          tf.vmap(tf.vmap(g, in_dims=1, out_dims=1), in_dims=2)(ta))  # fmt: skip


def test_vmap_gradients_flow():
    a, ta = both(arr(4, 3))
    a.requires_grad_()
    ta.requires_grad_()
    f = lambda x: (x.tanh() * x).sum()  # noqa: E731
    (gf.vmap(f)(a) ** 2).sum().backward()
    (tf.vmap(f)(ta) ** 2).sum().backward()
    close(a.grad, ta.grad)
    x = glassnet.tensor(arr(3, 2), requires_grad=True)
    assert gradcheck(lambda t: gf.vmap(lambda r: r.exp() * r.sum(), in_dims=1)(t), (x,))


def test_vmap_randomness():
    x = glassnet.zeros(3, 2)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        gf.vmap(lambda r: r + glassnet.randn(2))(x)
    same = gf.vmap(lambda r: r + glassnet.randn(2), randomness="same")(x)
    assert np.array_equal(same[0].numpy(), same[1].numpy())
    assert np.array_equal(same[0].numpy(), same[2].numpy())
    diff = gf.vmap(lambda r: r + glassnet.randn(2), randomness="different")(x)
    assert not np.array_equal(diff[0].numpy(), diff[1].numpy())
    glassnet.manual_seed(3)
    a = gf.vmap(lambda r: r + glassnet.randn(2), randomness="same")(x)
    glassnet.manual_seed(3)
    b = gf.vmap(lambda r: r + glassnet.randn(2), randomness="same")(x)
    assert np.array_equal(a.numpy(), b.numpy())
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        gf.vmap(lambda r: r, randomness="x")


VMAP_ERRORS = {
    "sizes": (lambda: gf.vmap(lambda a, b: a + b)(glassnet.ones(2, 3), glassnet.ones(3, 3)),
              "same size in the mapped dimension, got sizes \\[2, 3\\]"),
    "in_dim_range": (lambda: gf.vmap(lambda a: a, in_dims=2)(glassnet.ones(2, 3)),
                     "expected in_dim to satisfy -2 <= in_dim < 2"),
    "none_mapped": (lambda: gf.vmap(lambda a: a, in_dims=(None,))(glassnet.ones(2)),
                    "at least one Tensor to vmap over"),
    "non_tensor_in": (lambda: gf.vmap(lambda a: a)(1.0), "cannot vmap over non-Tensor"),
    "non_tensor_out": (lambda: gf.vmap(lambda a: 1.0)(glassnet.ones(2)), "must only return Tensors"),
    "structure": (lambda: gf.vmap(lambda a: a, in_dims=(0, 0))(glassnet.ones(2)),
                  "in_dims is not compatible"),
    "nested_structure": (lambda: gf.vmap(lambda a: a, in_dims=((0, 0),))((glassnet.ones(2),)),
                         "in_dims is not compatible"),
    "list_in_dims": (lambda: gf.vmap(lambda a: a, in_dims=[0]), "expected `in_dims` to be int"),
    "out_dim_range": (lambda: gf.vmap(lambda a: a, out_dims=2)(glassnet.ones(2, 3)),
                      "out_dims=2 is out of range"),
    "out_none_batched": (lambda: gf.vmap(lambda a: a, out_dims=None)(glassnet.randn(2, 3)),
                         "cannot be returned with out_dims=None"),
    "chunk": (lambda: gf.vmap(lambda a: a, chunk_size=0), "chunk_size should be None or greater"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(VMAP_ERRORS), ids=list(VMAP_ERRORS))
def test_vmap_errors(case):
    call, message = VMAP_ERRORS[case]
    with pytest.raises((ValueError, RuntimeError), match=message):
        call()


def test_vmap_out_dims_none_for_unbatched_output():
    b = glassnet.tensor(arr(3))
    out, same = gf.vmap(lambda a, c: (a * c, c * 2), out_dims=(0, None), in_dims=(0, None))(
        glassnet.ones(4, 3), b
    )
    assert out.shape == (4, 3)
    np.testing.assert_allclose(same.numpy(), b.numpy() * 2)


# ------------------------------------------------------------------------------------------
# Per-sample gradients: vmap(grad(loss)) over functional_call of a small nn.Linear
# ------------------------------------------------------------------------------------------


def test_per_sample_gradients_match_torch():
    w, b = arr(2, 3), arr(2)
    data, targets = arr(5, 3), arr(5, 2)

    def run(lib, nn, F_, fn):
        model = nn.Linear(3, 2).double()
        with lib.no_grad():
            model.weight.copy_(lib.tensor(w))
            model.bias.copy_(lib.tensor(b))
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            pred = fn.functional_call(model, p, (x.unsqueeze(0),))
            return F_.mse_loss(pred, y.unsqueeze(0))

        return fn.vmap(fn.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(data), lib.tensor(targets)
        )

    ours = run(glassnet, glassnet.nn, F, gf)
    theirs = run(torch, torch.nn, torch.nn.functional, tf)
    assert ours["weight"].shape == (5, 2, 3) and ours["bias"].shape == (5, 2)
    close(ours, theirs)


# ------------------------------------------------------------------------------------------
# grad, grad_and_value
# ------------------------------------------------------------------------------------------


def f2(m):
    return lambda x, y: (m.sin(x) * y).sum() + (x * x).sum()


@pytest.mark.parametrize("argnums", [0, 1, -1, (0, 1), (1, 0)], ids=str)
def test_grad_and_value_match_torch(argnums):
    (x, tx), (y, ty) = both(arr(3)), both(arr(3))
    close(gf.grad(f2(glassnet), argnums)(x, y), tf.grad(f2(torch), argnums)(tx, ty))
    g, v = gf.grad_and_value(f2(glassnet), argnums)(x, y)
    tg, tv = tf.grad_and_value(f2(torch), argnums)(tx, ty)
    close(g, tg)
    close(v, tv)


def test_grad_has_aux_pytree_and_second_order():
    (x, tx) = both(arr(3))
    fa = lambda m: lambda d: ((d["a"] ** 3).sum(), d["a"] * 2)  # noqa: E731
    g, aux = gf.grad(fa(glassnet), has_aux=True)({"a": x})
    tg, taux = tf.grad(fa(torch), has_aux=True)({"a": tx})
    close(g, tg)
    close(aux, taux)
    gv, (v, aux2) = gf.grad_and_value(fa(glassnet), has_aux=True)({"a": x})
    tgv, (tv, taux2) = tf.grad_and_value(fa(torch), has_aux=True)({"a": tx})
    close((gv, v, aux2), (tgv, tv, taux2))
    s = lambda t: (t**3).sum()  # noqa: E731
    h = lambda t: gf.grad(lambda u: gf.grad(s)(u).sum())(t)  # noqa: E731
    close(h(x), tf.grad(lambda u: tf.grad(s)(u).sum())(tx))


def test_grad_errors():
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
        gf.grad(lambda a: a)(glassnet.ones(2))
    with pytest.raises(RuntimeError, match="Got argnum=1, but only 1 positional inputs"):
        gf.grad(lambda a: a.sum(), argnums=1)(glassnet.ones(2))
    with pytest.raises(RuntimeError, match="argnums must be non-empty"):
        gf.grad(lambda a: a.sum(), argnums=())(glassnet.ones(2))
    with pytest.raises(RuntimeError, match="should be a tuple: \\(output, aux\\)"):
        gf.grad(lambda a: a.sum(), has_aux=True)(glassnet.ones(2))


# ------------------------------------------------------------------------------------------
# vjp, jvp
# ------------------------------------------------------------------------------------------


def test_vjp_matches_torch():
    (x, tx), (y, ty), (v, tv) = both(arr(3)), both(arr(3)), both(arr(3))
    f = lambda m: lambda a, b: (m.sin(a) * b, (a * b).sum())  # noqa: E731
    out, fn = gf.vjp(f(glassnet), x, y)
    tout, tfn = tf.vjp(f(torch), tx, ty)
    close(out, tout)
    s, ts = both(np.array(0.7))
    close(fn((v, s)), tfn((tv, ts)))
    close(fn((v * 2, s)), tfn((tv * 2, ts)))  # vjp_fn can be called again
    out, fn, aux = gf.vjp(lambda a: (a.exp(), a.sum()), x, has_aux=True)
    tout, tfn, taux = tf.vjp(lambda a: (a.exp(), a.sum()), tx, has_aux=True)
    close((out, aux, fn(v)), (tout, taux, tfn(tv)))
    with pytest.raises(RuntimeError, match="Mismatch in shape: grad_output\\[0\\]"):
        gf.vjp(lambda a: a, glassnet.ones(2, 3))[1](glassnet.ones(3))
    with pytest.raises(RuntimeError, match="should be a tuple: \\(output, aux\\)"):
        gf.vjp(lambda a: a, x, has_aux=True)


def test_jvp_matches_torch():
    (x, tx), (y, ty), (u, tu), (w, tw) = (both(arr(3)) for _ in range(4))
    f = lambda m: lambda a, b: (m.sin(a) * b, (a * b * b).sum())  # noqa: E731
    close(gf.jvp(f(glassnet), (x, y), (u, w)), tf.jvp(f(torch), (tx, ty), (tu, tw)))
    ours = gf.jvp(lambda a: (a**2, a.sum()), (x,), (u,), has_aux=True)
    theirs = tf.jvp(lambda a: (a**2, a.sum()), (tx,), (tu,), has_aux=True)
    close(ours, theirs)
    with pytest.raises(RuntimeError, match="Expected primals and tangents to be tuples"):
        gf.jvp(lambda a: a, x, u)
    with pytest.raises(ValueError, match="primal 0 has shape \\(3,\\) but its tangent"):
        gf.jvp(lambda a: a, (x,), (glassnet.ones(2),))


# ------------------------------------------------------------------------------------------
# jacrev, jacfwd, hessian
# ------------------------------------------------------------------------------------------


def fj(m):
    return lambda x, y: (m.sin(x)[:, None] * y, (x * x).sum() * y.sum())


@pytest.mark.parametrize("argnums", [0, 1, (0, 1)], ids=str)
@pytest.mark.parametrize("which", ["jacrev", "jacfwd"])
def test_jacobians_match_torch(which, argnums):
    (x, tx), (y, ty) = both(arr(3)), both(arr(2))
    ours = getattr(gf, which)(fj(glassnet), argnums)(x, y)
    theirs = getattr(tf, which)(fj(torch), argnums)(tx, ty)
    close(ours, theirs)


@pytest.mark.parametrize("which", ["jacrev", "jacfwd"])
def test_jacobian_has_aux_and_pytree_input(which):
    (x, tx) = both(arr(3))
    f = lambda d: (d["a"].exp() * d["b"], d["a"].sum())  # noqa: E731
    ours = getattr(gf, which)(f, has_aux=True)({"a": x, "b": x * 2})
    theirs = getattr(tf, which)(f, has_aux=True)({"a": tx, "b": tx * 2})
    close(ours, theirs)


@pytest.mark.parametrize("argnums", [0, (0, 1)], ids=str)
def test_hessian_matches_torch(argnums):
    (x, tx), (y, ty) = both(arr(3)), both(arr(2))
    f = lambda m: lambda a, b: (m.sin(a) ** 2).sum() * (b**3).sum()  # noqa: E731
    close(gf.hessian(f(glassnet), argnums)(x, y), tf.hessian(f(torch), argnums)(tx, ty))


def test_transforms_nest_and_are_differentiable():
    (x, tx) = both(arr(2, 3))
    f = lambda m: lambda a: (m.tanh(a) ** 2).sum()  # noqa: E731
    # vmap of jacrev, and jacrev of jacrev (a per-row Hessian).
    close(gf.vmap(gf.jacrev(gf.jacrev(f(glassnet))))(x),
          tf.vmap(tf.jacrev(tf.jacrev(f(torch))))(tx))  # fmt: skip
    t = glassnet.tensor(arr(3), requires_grad=True)
    assert gradcheck(lambda a: gf.jacrev(lambda b: b.sin() * b.sum())(a), (t,))
    assert gradcheck(lambda a: gf.jvp(lambda b: b.exp() * b, (a,), (a * 0 + 1,))[1], (t,))


def test_jacobian_errors():
    with pytest.raises(RuntimeError, match="Got argnum=1, but only 1 positional inputs"):
        gf.jacrev(lambda a: a, argnums=1)(glassnet.ones(2))
    with pytest.raises(RuntimeError, match="argnums must be unique"):
        gf.jacfwd(lambda a, b: a, argnums=(0, 0))(glassnet.ones(2), glassnet.ones(2))
    with pytest.raises(RuntimeError, match="randomness error mode"):
        gf.jacfwd(lambda a: a * glassnet.randn(2))(glassnet.ones(2))
