"""PyTorch's complex-number functions as they act on real tensors: real, imag, conj, resolve_conj, is_complex, ...

glassnet's tensors hold real numbers only (floats, integers, bools). Scripts written for
complex data still call these on real tensors, where PyTorch gives simple answers, and so does
glassnet: the real part of a real number is the number itself and so is its complex conjugate,
so ``real``, ``conj``, ``conj_physical``, ``resolve_conj`` and ``resolve_neg`` return the very
same tensor (its history and gradient unchanged, as in PyTorch); ``imag`` has nothing to
return and says so; ``is_complex``, ``is_conj`` and ``is_neg`` are False.
"""

from __future__ import annotations

from typing import Any

from ..autograd import as_tensor

__all__ = ["conj", "conj_physical", "imag", "is_complex", "is_conj", "is_neg", "real",
           "resolve_conj", "resolve_neg"]  # fmt: skip


def real(input: Any) -> Any:  # noqa: A002 - PyTorch's argument name
    """The real part of each element: the tensor itself (glassnet's numbers are real)."""
    return as_tensor(input)


def conj(input: Any) -> Any:  # noqa: A002
    """The complex conjugate a - bi of each a + bi: for real numbers (b = 0) the tensor itself."""
    return as_tensor(input)


conj_physical = resolve_conj = resolve_neg = conj  # no lazy conjugate or negation to resolve


def imag(input: Any) -> Any:  # noqa: A002
    """The imaginary part: real tensors have none, so this raises, as PyTorch does."""
    t = as_tensor(input)
    raise RuntimeError(
        f"imag: expected a complex tensor, got dtype {t.dtype} (glassnet's tensors are real; "
        "their imaginary part would be all zeros)"
    )


def is_complex(input: Any) -> bool:  # noqa: A002
    """False: glassnet has no complex dtypes."""
    return as_tensor(input).array.dtype.kind == "c"


def is_conj(input: Any) -> bool:  # noqa: A002
    """False: no tensor carries a lazy conjugate."""
    return False


def is_neg(input: Any) -> bool:  # noqa: A002
    """False: no tensor carries a lazy negation."""
    return False
