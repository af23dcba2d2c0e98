"""The chi-squared distribution with df degrees of freedom: Gamma(df / 2, 1 / 2)."""

from __future__ import annotations

from typing import Any

from . import constraints
from .distribution import float_params
from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    r"""The sum of ``df`` squared standard normals: Gamma(concentration = df / 2, rate = 1 / 2).

    mean = df;   variance = 2 df;   everything else is Gamma's
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: Any = None) -> None:
        (self.df,) = float_params(df)
        super().__init__(0.5 * self.df, self.df * 0 + 0.5, validate_args=validate_args)
