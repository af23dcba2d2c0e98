"""The three forms of a covariance-like matrix Sigma that MultivariateNormal and Wishart take: covariance_matrix, precision_matrix or scale_tril, one given and the other two derived from its Cholesky factor."""

from __future__ import annotations

from typing import Any

from ..ops.cholesky import cholesky, cholesky_inverse
from ..tensor import Tensor


class ThreeMatrixForms:
    """Sigma (n x n, batched) given as exactly one of three forms, the others derived:

        scale_tril L (lower triangular, Sigma = L L^T);   covariance_matrix Sigma = L L^T;
        precision_matrix P = Sigma^-1 = (L L^T)^-1

    The form given is kept as given (broadcast to the batch); ``_unbroadcasted_scale_tril``
    holds L without the batch's broadcast, and the other forms are computed from it when read.
    A subclass calls ``_keep_factor(name, matrix)`` once the batch shape is set.
    """

    _unbroadcasted_scale_tril: Tensor

    def _keep_factor(self, name: str, matrix: Tensor) -> None:
        """Keep L of the matrix given as ``name``: L itself, cholesky(Sigma), or, for a precision
        P = Sigma^-1, the factor of P's inverse."""
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = cholesky(cholesky_inverse(cholesky(matrix)))

    def _square_shape(self) -> tuple:
        n = self.event_shape[-1]  # type: ignore[attr-defined]
        return tuple(self.batch_shape) + (n, n)  # type: ignore[attr-defined]

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        new = super().expand(batch_shape)  # type: ignore[misc]
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    @property
    def scale_tril(self) -> Tensor:
        if "scale_tril" in self.__dict__:
            return self.__dict__["scale_tril"]
        return self._unbroadcasted_scale_tril.expand(self._square_shape())

    @scale_tril.setter
    def scale_tril(self, value: Tensor) -> None:
        self.__dict__["scale_tril"] = value

    @property
    def covariance_matrix(self) -> Tensor:
        if "covariance_matrix" in self.__dict__:
            return self.__dict__["covariance_matrix"]
        low = self._unbroadcasted_scale_tril
        return (low @ low.mT).expand(self._square_shape())

    @covariance_matrix.setter
    def covariance_matrix(self, value: Tensor) -> None:
        self.__dict__["covariance_matrix"] = value

    @property
    def precision_matrix(self) -> Tensor:
        if "precision_matrix" in self.__dict__:
            return self.__dict__["precision_matrix"]
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._square_shape())

    @precision_matrix.setter
    def precision_matrix(self, value: Tensor) -> None:
        self.__dict__["precision_matrix"] = value
