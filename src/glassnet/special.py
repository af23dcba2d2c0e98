"""``glassnet.special`` (``torch.special``): the special functions under PyTorch's and SciPy's names.

Most are glassnet's functions found elsewhere under another name (``gammaln`` is ``lgamma``,
``expit`` is ``sigmoid``, ``psi`` is ``digamma``); the mathematics and derivatives live in
ops/special.py (gamma family, zeta), ops/error_functions.py (erfc, erfcx, the normal
distribution's functions), ops/bessel.py and ops/torch_extras.py (entr, xlog1py).
"""

from __future__ import annotations

from typing import Any

from .dtypes import to_dtype
from .ops.api import erf, exp2, expm1, log1p, logsumexp, round, sinc  # noqa: A004 - torch's name
from .ops.api import log_softmax as _log_softmax
from .ops.api import softmax as _softmax
from .ops.bessel import bessel_j0, bessel_j1, i0, i0e, i1, i1e
from .ops.error_functions import erfc, erfcx, log_ndtr, ndtr, ndtri
from .ops.special import digamma, erfinv, lgamma, mvlgamma, polygamma, zeta
from .ops.torch_extras import entr, expit, xlog1py
from .ops.torch_formulas import logit, xlogy

__all__ = [
    "bessel_j0", "bessel_j1", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
    "expit", "expm1", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
    "softmax", "xlog1py", "xlogy", "zeta",
]  # fmt: skip

gammaln = lgamma  # ln|Gamma(x)|
psi = digamma  # d/dx ln Gamma(x)


def multigammaln(input: Any, p: int) -> Any:  # noqa: A002
    """The multivariate log-gamma ln Gamma_p(x) (``glassnet.mvlgamma``)."""
    return mvlgamma(input, p)


def softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    """exp(x) / sum(exp(x)) along ``dim``, the input first cast to ``dtype`` when given."""
    return _softmax(input if dtype is None else input.to(to_dtype(dtype)), dim)


def log_softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    """x - logsumexp(x) along ``dim``, the input first cast to ``dtype`` when given."""
    return _log_softmax(input if dtype is None else input.to(to_dtype(dtype)), dim)
