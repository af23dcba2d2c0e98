"""Keeping train/eval modes: fit, evaluate and predict switch a model's modes and put every module's back."""

from __future__ import annotations

from ..nn.module import Module

__all__ = ["ModeKeeper"]


class ModeKeeper:
    """Remembers every module's train/eval flag and puts them back.

    ``model.train()`` and ``model.eval()`` set the flag of every submodule, which would undo a
    user's choice to keep one layer in eval mode (a frozen BatchNorm); restoring each module's
    own flag keeps it.
    """

    def __init__(self, model: Module) -> None:
        self.modes = [(m, m.training) for m in model.modules()]

    def restore(self) -> None:
        """Put every module's flag back as it was when this keeper was made."""
        for m, mode in self.modes:
            m.training = mode
