"""The error types glassnet raises where PyTorch raises RuntimeError.

PyTorch reports a shape or dtype mismatch as ``RuntimeError``; Python's habit (and glassnet's
messages before) is ``ValueError`` / ``TypeError``. Code written for either catches these,
because each type derives from both.
"""

from __future__ import annotations

__all__ = ["DTypeError", "MissingTorchName", "ShapeError"]


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (catchable as ValueError or RuntimeError)."""


class DTypeError(TypeError, RuntimeError):
    """A dtype an operation cannot take (catchable as TypeError or RuntimeError)."""


class MissingTorchName(ModuleNotFoundError):
    """A PyTorch module or name that glassnet does not have (yet).

    ``glassnet run`` shows it as its one line, ``glassnet does not implement torch.x yet``.
    """

    def __init__(self, torch_path: str) -> None:
        super().__init__(f"glassnet does not implement {torch_path} yet", name=torch_path)
