"""AdamW: Adam with weight decay applied to the weights directly instead of through the gradient."""

from __future__ import annotations

from .adam import Adam


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    Adam's update with *decoupled* weight decay: before the Adam step the weights shrink by
    a fixed fraction,

    .. math::

        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\, \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    (:math:`\hat v_t = \max(\hat v_{t-1}, v_t)` with amsgrad, else :math:`v_t`; :math:`g_t`
    is negated if maximize). In Adam with an L2 penalty the decay term
    :math:`\lambda\theta` passes through the adaptive scaling, so weights with large gradients
    are barely regularized; here every weight decays at the same rate :math:`\eta\lambda`.

    Args:
        params: tensors or parameter groups to optimize (see ``Optimizer``).
        lr: learning rate :math:`\eta` (default 1e-3).
        betas: :math:`(\beta_1, \beta_2)` (default (0.9, 0.999)); each in [0, 1).
        eps: :math:`\epsilon`, added to the denominator for stability (default 1e-8).
        weight_decay: decoupled decay rate :math:`\lambda` (default 1e-2).
        amsgrad: use the AMSGrad variant.
        maximize: climb the objective instead of descending it.

    State per parameter: as ``Adam``.
    """

    options = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)
    keyword_options = dict(maximize=False)
    fixed_options = dict(decoupled_weight_decay=True)  # the one difference from Adam's step
