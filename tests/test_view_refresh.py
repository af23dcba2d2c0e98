"""Views whose base is changed in place after they were made: their history follows the change.

``v = y[:2]; y.mul_(2)`` leaves v showing the doubled numbers (it is y's memory), and its
gradient must go through the doubling too, as PyTorch's does (autograd.current_node makes the
view again on the new y). A view made while its base needed no gradient joins the graph when
an in-place change gives the base a place in it (``tensor._record_unrecorded_views``).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import glassnet as gn

W = [1.0, 2.0, 3.0, 4.0]


def _basic(lib, w):
    y = w * 1
    v = y[:2]
    y.mul_(2)
    return (v * v).sum()


def _reshaped(lib, w):
    y = w * 1
    v = y.view(2, 2)
    y.mul_(3)
    return (v**2).sum()


def _transposed(lib, w):
    y = (w * 1).view(2, 2)
    v = y.t()
    y.add_(w.view(2, 2))
    return (v[0] * v[1]).sum()


def _view_of_view(lib, w):
    y = w * 1
    v2 = y[1:][0]
    y.mul_(2)
    return (v2 * 5).sum()


def _sibling_view_changed(lib, w):
    y = w * 1
    a, b = y[:3], y[2:]  # they share y[2]
    b.mul_(10)
    return (a * b.sum()).sum()


def _view_changed_after_base(lib, w):
    y = w * 1
    v = y[:2]
    y.mul_(2)
    v.add_(1)
    return (v * v).sum() + y.sum()


def _changed_twice(lib, w):
    y = w * 1
    v = y[:2]
    y.mul_(2)
    y.mul_(3)
    return v.sum()


def _backward_from_the_view(lib, w):
    y = w * 1
    v = y[1:]
    y.mul_(2)
    return v[0]


def _rows(lib, w):
    y = (w * 1).view(2, 2)
    first, second = y[0], y[1]
    y.pow_(2)
    return (first * second).sum()


def _copy_keeps_its_history(lib, w):
    y = w * 1
    v = y[[0, 1]]  # fancy indexing copies: the later change is not in v
    y.mul_(2)
    return (v * v).sum() + y.sum()


def _buffer_filled_later(lib, w):
    buf = lib.zeros(4, dtype=w.dtype)
    v = buf[1:3]
    buf.copy_(w * 3)
    return (v * v).sum()


def _buffer_rows_filled_one_by_one(lib, w):
    buf = lib.zeros(2, 2, dtype=w.dtype)
    top, bottom = buf[0], buf[1]
    top.copy_(w[:2] * 2)  # buf is recorded from here on, and bottom with it
    buf[1] = w[2:] ** 2  # (PyTorch refuses bottom.copy_ here unless bottom.grad_fn was read)
    return (top * bottom).sum() + buf.sum()


def _view_of_unrecorded_view(lib, w):
    buf = lib.zeros(4, dtype=w.dtype)
    inner = buf[1:][1:]
    buf.add_(w)
    return (inner * inner).sum()


def _setitem_on_base(lib, w):
    y = w * 1
    v = y[:2]
    y[1] = w[3] * 7
    return (v * v).sum()


def _buffer_reshaped_then_row_written(lib, w):
    buf = lib.zeros(4, dtype=w.dtype)
    buf.view(2, 2)[0].copy_(w[:2])
    return (buf * buf).sum()


def _buffer_transposed_then_row_written(lib, w):
    buf = lib.zeros(2, 2, dtype=w.dtype)
    buf.t()[0].copy_(w[:2] * 3)
    return (buf * buf).sum()


def _buffer_reshaped_view_then_filled(lib, w):
    buf = lib.zeros(4, dtype=w.dtype)
    v = buf.reshape(2, 2).t()
    buf.add_(w)
    return (v[0] * v[1]).sum()


def _buffer_diagonal_written(lib, w):
    buf = lib.zeros(2, 2, dtype=w.dtype)
    buf.diagonal().copy_(w[1:3])
    return (buf * buf.t()).sum() + buf[0, 0] * w[3]


CASES = {
    f.__name__.lstrip("_"): f
    for f in (
        _basic,
        _reshaped,
        _transposed,
        _view_of_view,
        _sibling_view_changed,
        _view_changed_after_base,
        _changed_twice,
        _backward_from_the_view,
        _rows,
        _copy_keeps_its_history,
        _buffer_filled_later,
        _buffer_rows_filled_one_by_one,
        _view_of_unrecorded_view,
        _setitem_on_base,
        _buffer_reshaped_then_row_written,
        _buffer_transposed_then_row_written,
        _buffer_reshaped_view_then_filled,
        _buffer_diagonal_written,
    )
}


def _value_and_grad(lib, case):
    w = lib.tensor(W, dtype=lib.float64, requires_grad=True)
    out = CASES[case](lib, w)
    out.backward()
    return float(out.item()), np.asarray(w.grad.numpy())


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_follows_the_base_as_pytorch(case):
    torch = pytest.importorskip("torch")
    value, grad = _value_and_grad(gn, case)
    want_value, want_grad = _value_and_grad(torch, case)
    assert value == pytest.approx(want_value, rel=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_agrees_with_finite_differences(case):
    def of_w(w):
        return CASES[case](gn, w)

    w = gn.tensor(W, dtype=gn.float64, requires_grad=True)
    assert gn.autograd.gradcheck(of_w, (w,), eps=1e-6, atol=1e-6)


def test_basic_case_by_hand():
    # v = 2 w[:2] after the doubling, so d/dw sum(v^2) = 8 w on the first two and 0 elsewhere.
    value, grad = _value_and_grad(gn, "basic")
    assert value == pytest.approx(4 * (1 + 4))
    np.testing.assert_allclose(grad, [8.0, 16.0, 0.0, 0.0])


def test_a_value_the_view_saved_is_still_guarded():
    # v * v keeps v for its gradient; doubling y afterwards changes v: refused, as in PyTorch.
    w = gn.tensor(W, requires_grad=True)
    y = w * 1
    v = y[:2]
    z = v * v
    y.mul_(2)
    with pytest.raises(RuntimeError, match="in-place"):
        z.sum().backward()


def test_a_change_without_recording_keeps_the_graph():
    # An edit under no_grad gives y no new node: v's history is the old one, nothing is redone.
    w = gn.tensor(W, requires_grad=True)
    y = w * 1
    v = y[:2]
    node = v.grad_fn
    with gn.no_grad():
        y.mul_(2)
    (v * 3).sum().backward()
    assert v.grad_fn is node
    np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0, 0.0, 0.0])


def test_a_view_remade_once_then_reused():
    # The second use finds the view up to date: the same node serves both.
    w = gn.tensor(W, requires_grad=True)
    y = w * 1
    v = y[:2]
    y.mul_(2)
    first = v * 1
    node = v.grad_fn
    second = v * 1
    assert v.grad_fn is node
    (first + second).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [4.0, 4.0, 0.0, 0.0])


def test_unrecorded_views_are_forgotten_when_they_die():
    buf = gn.zeros(8)
    kept = [buf[k : k + 2] for k in range(5)]
    for k in range(1000):
        buf[k % 8 :]  # views made and dropped at once
    alive = [ref() for ref in buf._unrecorded_views if ref() is not None]
    assert len(buf._unrecorded_views) < 600 and len(alive) == len(kept)


# ----------------------------------------------- random programs of views and in-place changes

VIEW_MAKERS = [
    lambda t: t[1],
    lambda t: t[:, 1:3],
    lambda t: t.t(),
    lambda t: t.view(-1),
    lambda t: t.reshape(2, 8),
    lambda t: t.diagonal(),
    lambda t: t.permute(1, 0),
    lambda t: t[::2],
    lambda t: t.unsqueeze(0),
    lambda t: t.narrow(0, 1, 2),
    lambda t: t.select(-1, 0),
    lambda t: t.flatten(),
    lambda t: t[..., 1:],
    lambda t: t.transpose(0, -1),
]
CHANGES = [
    lambda t, o: t.mul_(o),
    lambda t, o: t.add_(o),
    lambda t, o: t.sub_(o * 0.5),
    lambda t, o: t.copy_(o),
    lambda t, o: t.pow_(2),
    lambda t, o: t.tanh_(),
    lambda t, o: t.fill_(0.25),
    lambda t, o: t.clamp_(-0.3, 0.4),
    lambda t, o: t.addcmul_(o, o, value=0.5),
    lambda t, o: t.__imul__(o),
]


def _random_program(lib, seed, w):
    """A base (w * 1, or a zero buffer), views of it and of its views, in-place changes of any
    of them with operands made from w, then a loss reading every tensor."""
    rnd = random.Random(seed)
    tensors = [lib.zeros(4, 4, dtype=w.dtype) if rnd.random() < 0.3 else w * 1]
    for _ in range(rnd.randint(1, 4)):
        parent, make = rnd.choice(tensors), rnd.choice(VIEW_MAKERS)
        try:
            tensors.append(make(parent))
        except (RuntimeError, IndexError, ValueError):
            pass  # a view this tensor cannot give (both libraries refuse the same ones)
    for _ in range(rnd.randint(1, 4)):
        t, change = rnd.choice(tensors), rnd.choice(CHANGES)
        operand = (w * rnd.uniform(0.5, 1.5)).reshape(-1)[: t.numel()].reshape(t.shape)
        change(t, operand)
    loss = 0
    for k, t in enumerate(tensors):
        loss = loss + (t * t).sum() * rnd.uniform(-1, 1) + t.sum() * (k + 1)
    return loss


def test_random_programs_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    compared = 0
    for seed in range(150):
        start = np.random.default_rng(seed).standard_normal((4, 4)) * 0.5
        results = []
        for lib in (torch, gn):
            w = lib.tensor(start, dtype=lib.float64, requires_grad=True)
            try:
                loss = _random_program(lib, seed, w)
                loss.backward()
            except RuntimeError:
                if lib is torch:
                    break  # PyTorch refuses some (a view of a view of a leaf changed, ...)
                raise
            results.append((loss.item(), w.grad.numpy().copy()))
        if len(results) < 2:
            continue
        (want, want_grad), (got, got_grad) = results
        assert got == pytest.approx(want, rel=1e-10), f"seed {seed}"
        np.testing.assert_allclose(
            got_grad, want_grad, rtol=1e-9, atol=1e-10, err_msg=f"seed {seed}"
        )
        compared += 1
    assert compared > 80  # most programs are ones PyTorch runs
