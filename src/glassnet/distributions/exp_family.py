"""ExponentialFamily: the base of distributions p(x) = h(x) exp(<eta, T(x)> - A(eta)), with entropy from the log-normalizer.

A family in this form names its natural parameters eta (``_natural_params``), its
log-normalizer A (``_log_normalizer(*eta)``) and E[log h(X)] (``_mean_carrier_measure``).
Since the mean of the sufficient statistic is the gradient of A, E[T(X)] = grad A(eta),

    H = -E[log p(X)] = A(eta) - <eta, grad A(eta)> - E[log h(X)]

(E[log p] = <eta, E T> - A + E[log h]). It needs one gradient of A, taken by autograd at
fresh copies of eta with ``create_graph=True``; the result is then joined to the parameters'
graph by its own gradient (``_reattach``), so the entropy is differentiable (to first order) in
the distribution's parameters. The KL divergence between two members is the Bregman divergence
A(eta_q) - A(eta_p) - <eta_q - eta_p, grad A(eta_p)>  (``bregman_kl``; kl.py falls back to it).
"""

from __future__ import annotations

from typing import Any

from ..autograd import enable_grad, grad
from ..tensor import Tensor
from .distribution import Distribution

__all__ = ["ExponentialFamily", "bregman_kl"]


def _leaves(params: tuple) -> list[Tensor]:
    """Fresh leaves holding the natural parameters' values, for autograd to differentiate A at."""
    return [p.detach().requires_grad_() for p in params]


def _grad_log_normalizer(dist: ExponentialFamily, params: list[Tensor]) -> tuple:
    """(A(eta), grad A(eta)) with the gradient kept in the graph."""
    with enable_grad():
        log_norm = dist._log_normalizer(*params)
        grads = grad(log_norm.sum(), params, create_graph=True)
    return log_norm, grads


def _reattach(dist: ExponentialFamily, value: Tensor, leaves: list, params: tuple) -> Tensor:
    """``value``, computed at the leaves, joined to the graph of the real ``params``:

        value + sum_k <d value / d eta_k, eta_k - stop_gradient(eta_k)>

    equals value and has its first derivatives in the parameters. (Working on fresh leaves, not
    on the parameters' own graph, keeps the inner gradient from walking back through how the
    parameters were made, which a backward of that graph may already have freed.)
    """
    needs = [p.requires_grad for p in params]
    if not any(needs):
        return value.detach()
    with enable_grad():
        slopes = grad(value.sum(), leaves, allow_unused=True)
    out = value.detach()
    for p, slope, need in zip(params, slopes, needs):
        if need and slope is not None:
            out = out + _inner(dist, slope.detach(), p - p.detach())
    return out


def _inner(dist: ExponentialFamily, a: Tensor, b: Tensor) -> Tensor:
    """<a, b> per batch element: the product summed over everything right of batch_shape."""
    product = a * b
    if product.ndim > len(dist.batch_shape):
        return product.reshape(tuple(dist.batch_shape) + (-1,)).sum(-1)
    return product


class ExponentialFamily(Distribution):
    r"""A distribution p(x) = h(x) exp(<eta, T(x)> - A(eta)) of natural parameters eta.

    Subclasses give ``_natural_params`` (a tuple of tensors, each batch_shape + its own event
    axes), ``_log_normalizer(*eta)`` (A, one number per batch element) and
    ``_mean_carrier_measure`` (E[log h(X)], a number or a batch tensor). Then

        entropy = A(eta) - sum_k <eta_k, dA/deta_k> - E[log h(X)]
    """

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError(f"{type(self).__name__} has no _natural_params")

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no _log_normalizer")

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no _mean_carrier_measure")

    def entropy(self) -> Tensor:
        """A(eta) - <eta, grad A(eta)> - E[log h(X)], by one autograd gradient of A."""
        params = tuple(self._natural_params)
        leaves = _leaves(params)
        log_norm, grads = _grad_log_normalizer(self, leaves)
        value = log_norm
        for leaf, g in zip(leaves, grads):
            value = value - _inner(self, leaf, g)
        return _reattach(self, value, leaves, params) - self._mean_carrier_measure


def bregman_kl(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    r"""KL(p || q) for two members of one exponential family, the Bregman divergence of A:

        KL = A(eta_q) - A(eta_p) - <eta_q - eta_p, grad A(eta_p)>

    (E_p[log p - log q] = <eta_p - eta_q, E_p T> - A(eta_p) + A(eta_q), and E_p T = grad A(eta_p);
    the carrier measure h cancels).
    """
    if type(p) is not type(q):
        raise NotImplementedError(
            f"bregman_kl: expected two distributions of one family, got {type(p).__name__} and "
            f"{type(q).__name__}"
        )
    p_params, q_params = tuple(p._natural_params), tuple(q._natural_params)
    p_leaves = _leaves(p_params)
    log_norm_p, grads = _grad_log_normalizer(p, p_leaves)
    # The terms in eta_q, in q's own graph (their gradient is grad A(eta_q) - grad A(eta_p)):
    q_part = q._log_normalizer(*q_params)
    # and the terms in eta_p, at the leaves, joined to p's parameters afterwards:
    p_part = -log_norm_p
    for pl, qp, g in zip(p_leaves, q_params, grads):
        q_part = q_part - _inner(p, qp, g.detach())
        p_part = p_part + _inner(p, pl - qp.detach(), g)
    # -<eta_q, grad A(eta_p)> sits in both parts (once for each side's derivative): add it back once.
    shared: Any = 0.0
    for qp, g in zip(q_params, grads):
        shared = shared + _inner(p, qp.detach(), g.detach())
    return q_part + _reattach(p, p_part, p_leaves, p_params) + shared
