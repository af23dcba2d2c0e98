"""DataParallel: PyTorch's one-process, many-GPU wrapper, which on glassnet's one CPU device runs the module as it is.

PyTorch's ``nn.DataParallel(model)`` splits each batch across the GPUs named in
``device_ids``, runs a copy of the model on each and gathers the outputs on
``output_device``. With no GPU (always, in glassnet) PyTorch itself just calls the model,
and so does this wrapper: the outputs, gradients and updates are the model's own. What stays
visible is the wrapping: the model is ``.module``, a submodule, so ``state_dict()`` keys start
with ``module.`` (``module.fc.weight``), as checkpoints saved from a DataParallel model have.
Load such a checkpoint into the wrapper, or ``model.module.state_dict()`` into a bare model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Run ``module`` on the batch as it is (no GPUs to split it over), as PyTorch does on a CPU.

    Args:
        module: the model to wrap; it becomes the submodule ``.module``.
        device_ids: the GPUs to split each batch across; with none present it is ignored, as
            PyTorch ignores it then (``device_ids`` is ``[]``).
        output_device: the GPU to gather outputs on; ignored likewise.
        dim: the dimension a batch would be split along (0, the batch dimension).

    Example::

        model = nn.DataParallel(Net())
        out = model(x)                          # Net()(x)
        torch.save(model.state_dict(), path)    # keys 'module.fc.weight', ...
    """

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[Any] | None = None,
        output_device: Any = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel expects a Module to wrap, got {type(module).__name__}")
        self.module = module
        self.device_ids: list[Any] = []  # no GPUs: PyTorch keeps this empty too
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
