"""The error types glassnet raises where PyTorch raises RuntimeError.

PyTorch reports a shape or dtype mismatch as ``RuntimeError``; Python's habit (and glassnet's
messages before) is ``ValueError`` / ``TypeError``. Code written for either catches these,
because each type derives from both.
"""

from __future__ import annotations

__all__ = [
    "DTypeError",
    "IndexRangeError",
    "MemberNameError",
    "MissingTorchName",
    "NumberTypeError",
    "ShapeError",
    "ValueRangeError",
]


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (catchable as ValueError or RuntimeError)."""


class DTypeError(TypeError, RuntimeError):
    """A dtype an operation cannot take (catchable as TypeError or RuntimeError)."""


class ValueRangeError(ValueError, RuntimeError):
    """A number outside the range an operation accepts, such as a probability above 1 or a
    zero step (catchable as ValueError or RuntimeError)."""


class NumberTypeError(TypeError, ValueError):
    """A number of the wrong kind, such as a batch size of 2.5: PyTorch reports some of these
    as ValueError, Python's habit is TypeError (catchable as either)."""


class MemberNameError(KeyError, ValueError):
    """A name a module member cannot have, such as "fc.weight" or "" (a KeyError as PyTorch
    raises, and a ValueError as glassnet raised before)."""

    def __str__(self) -> str:
        # KeyError would print the message with quotes around it, as if it were a key.
        return str(self.args[0]) if self.args else ""


class IndexRangeError(IndexError, ValueError):
    """An index outside its range, such as a class index >= the number of classes (an
    IndexError as PyTorch raises, and a ValueError as glassnet raised before)."""


class MissingTorchName(ModuleNotFoundError):
    """A PyTorch module or name that glassnet does not have (yet).

    ``glassnet run`` shows it as its one line, ``glassnet does not implement torch.x yet``.
    """

    def __init__(self, torch_path: str) -> None:
        super().__init__(f"glassnet does not implement {torch_path} yet", name=torch_path)
