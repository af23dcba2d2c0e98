"""The error types glassnet raises where PyTorch raises RuntimeError.

PyTorch reports a shape or dtype mismatch as ``RuntimeError``; Python's habit (and glassnet's
messages before) is ``ValueError`` / ``TypeError``. Code written for either catches these,
because each type derives from both.
"""

from __future__ import annotations

__all__ = ["DTypeError", "ShapeError"]


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (catchable as ValueError or RuntimeError)."""


class DTypeError(TypeError, RuntimeError):
    """A dtype an operation cannot take (catchable as TypeError or RuntimeError)."""
