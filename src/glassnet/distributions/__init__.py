"""glassnet.distributions: probability distributions under PyTorch's names (re-exports only).

Each draws samples from glassnet's seeded generator and gives ``log_prob``, ``entropy``,
``mean`` and ``variance`` as Tensor formulas, so they are differentiable in the parameters:
a policy gradient differentiates ``Categorical(logits=...).log_prob(action)``, a VAE samples
``Normal(mu, sigma).rsample()`` and penalizes ``kl_divergence(q, p)``.
"""

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "Uniform", "kl_divergence"]
