"""MixtureSameFamily: a weighted mixture of K distributions of one family (e.g. a Gaussian mixture)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import no_grad
from ..ops import api
from ..tensor import Tensor
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    r"""p(x) = sum_k pi_k p_k(x): pick a component k ~ Categorical(pi), then draw x from it.

    ``mixture_distribution`` is a Categorical over K components with batch_shape B;
    ``component_distribution`` has batch_shape B + (K,) (its last batch axis runs over the
    components) and any event_shape E. The mixture has batch_shape B and event_shape E.

        log p(x) = logsumexp_k (log pi_k + log p_k(x))
        mean     = sum_k pi_k mean_k
        variance = sum_k pi_k var_k + sum_k pi_k (mean_k - mean)**2     (law of total variance)
        cdf(x)   = sum_k pi_k F_k(x)                                      (if the components have F)

    Example: a mixture of K diagonal Gaussians over D-vectors is
    ``MixtureSameFamily(Categorical(logits=w), Independent(Normal(mu, sigma), 1))`` with w (K,)
    and mu, sigma (K, D). Draws are not reparameterizable (the component index is discrete),
    but log_prob is differentiable in every parameter.
    """

    arg_constraints: dict = {}
    has_rsample = False

    def __init__(self, mixture_distribution: Any, component_distribution: Any,
                 validate_args: Any = None) -> None:  # fmt: skip
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(
                "MixtureSameFamily: expected mixture_distribution to be a Categorical, "
                f"got {type(mixture_distribution).__name__}"
            )
        if not isinstance(component_distribution, Distribution):
            raise ValueError(
                "MixtureSameFamily: expected component_distribution to be a Distribution, "
                f"got {type(component_distribution).__name__}"
            )
        mix_batch = mixture_distribution.batch_shape
        comp_batch = component_distribution.batch_shape
        if len(comp_batch) < 1:
            raise ValueError(
                "MixtureSameFamily: expected component_distribution to have a batch axis for the "
                f"components (batch_shape (..., K)), got batch_shape {comp_batch}"
            )
        try:
            np.broadcast_shapes(mix_batch, comp_batch[:-1])
            ok = len(mix_batch) == len(comp_batch) - 1
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"MixtureSameFamily: mixture_distribution.batch_shape {mix_batch} is not "
                f"compatible with component_distribution.batch_shape {comp_batch} (expected "
                f"{comp_batch[:-1]} before the components axis)"
            )
        k_mix, k_comp = mixture_distribution.num_classes, comp_batch[-1]
        if k_mix != k_comp:
            raise ValueError(
                f"MixtureSameFamily: the mixture has {k_mix} components but "
                f"component_distribution.batch_shape[-1] is {k_comp}"
            )
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = k_mix
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(comp_batch[:-1], component_distribution.event_shape,
                         validate_args=validate_args)  # fmt: skip

    @property
    def mixture_distribution(self) -> Categorical:
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Distribution:
        return self._component_distribution

    @property
    def support(self) -> Any:  # type: ignore[override]
        return self._component_distribution.support

    def expand(self, batch_shape: Any, _instance: Any = None) -> MixtureSameFamily:
        batch_shape = tuple(batch_shape)
        component = self._component_distribution.expand(batch_shape + (self._num_component,))
        mixture = self._mixture_distribution.expand(batch_shape)
        return MixtureSameFamily(mixture, component, validate_args=False)

    def _weights(self) -> Tensor:
        """pi with a trailing 1 per event axis: (B..., K, 1...), to weigh the components' moments."""
        probs = self._mixture_distribution.probs
        return probs.reshape(probs.shape + (1,) * self._event_ndims)

    def _pad(self, x: Tensor) -> Tensor:
        """x (S..., B..., E...) with a components axis of size 1 before E, to broadcast over K."""
        return x.unsqueeze(-1 - self._event_ndims)

    @property
    def mean(self) -> Tensor:
        """sum_k pi_k mean_k"""
        return (self._weights() * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        """E[Var(X | k)] + Var(E[X | k]) = sum_k pi_k var_k + sum_k pi_k (mean_k - mean)**2"""
        axis = -1 - self._event_ndims
        pi, comp = self._weights(), self._component_distribution
        within = (pi * comp.variance).sum(axis)
        between = (pi * (comp.mean - self._pad(self.mean)) ** 2).sum(axis)
        return within + between

    def cdf(self, value: Any) -> Tensor:
        """sum_k pi_k F_k(value) (components with a cdf, such as Normal)."""
        x = self._pad(self._value(value))
        return (self._component_distribution.cdf(x) * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, value: Any) -> Tensor:
        """logsumexp_k (log pi_k + log p_k(value)): value (S..., B..., E...) -> (S..., B...)"""
        x = self._pad(self._value(value))
        log_p = self._component_distribution.log_prob(x)  # (S..., B..., K)
        log_pi = api.log_softmax(self._mixture_distribution.logits, -1)
        return api.logsumexp(log_p + log_pi, -1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draw k ~ Categorical(pi) and all K components, keep the draw of component k."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        sample_shape = tuple(sample_shape)
        with no_grad():
            k = self._mixture_distribution.sample(sample_shape)  # (S..., B...)
            draws = self._component_distribution.sample(sample_shape)  # (S..., B..., K, E...)
            e = self._event_ndims
            index = k.reshape(k.shape + (1,) * (e + 1))
            index = index.expand(k.shape + (1,) + self.event_shape)
            return draws.gather(-1 - e, index).squeeze(-1 - e).detach()

    def __repr__(self) -> str:
        return (
            f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n"
            f"  {self._component_distribution!r})"
        )
