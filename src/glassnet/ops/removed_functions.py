"""PyTorch's removed linear-algebra functions (torch.eig, lstsq, solve, symeig, matrix_rank): each refuses in one line naming its torch.linalg successor.

PyTorch removed these in favour of ``torch.linalg`` (deprecated in 1.9) but kept the names, so
that old code stops with a pointer rather than an AttributeError; glassnet does the same, with
the same exception type (RuntimeError). The methods ``x.eig()``, ``x.lstsq(A)``, ``x.solve(A)``
and ``x.symeig()`` refuse in the same way.
"""

from __future__ import annotations

from typing import Any

__all__ = ["eig", "lstsq", "matrix_rank", "solve", "symeig"]

#: The ones that are also Tensor methods (as in PyTorch: matrix_rank has no method form).
REMOVED_METHODS = ("eig", "lstsq", "solve", "symeig")

_SUCCESSORS = {
    "eig": "use glassnet.linalg.eig(A) (or linalg.eigvals(A) for the eigenvalues only)",
    "lstsq": "use glassnet.linalg.lstsq(A, B), whose arguments come in the reverse order",
    "solve": "use glassnet.linalg.solve(A, B), whose arguments come in the reverse order",
    "symeig": "use glassnet.linalg.eigh(A) (or linalg.eigvalsh(A)); they read the lower "
    "triangle unless UPLO='U'",
    "matrix_rank": "use glassnet.linalg.matrix_rank(A) (its 'symmetric' is now 'hermitian')",
}


def _removed(name: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{name} was removed from PyTorch (after 1.9); {_SUCCESSORS[name]}")

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Refused in one line (removed from PyTorch): {_SUCCESSORS[name]}."
    return refuse


eig = _removed("eig")
lstsq = _removed("lstsq")
matrix_rank = _removed("matrix_rank")
solve = _removed("solve")
symeig = _removed("symeig")
