"""glassnet.utils: where PyTorch code finds ``torch.utils.data`` (it is ``glassnet.data``), ``torch.utils.checkpoint`` and ``torch.utils.tensorboard``.

PyTorch keeps its data tools under ``torch.utils.data``; glassnet keeps them in
``glassnet.data``. This module only points there, so ``glassnet.utils.data.DataLoader`` (and,
under ``glassnet run``, ``torch.utils.data.DataLoader``) is the same class. Activation
checkpointing lives here as in PyTorch: ``glassnet.utils.checkpoint``, and so does
``glassnet.utils.tensorboard.SummaryWriter``, which writes what a script logs as plain files,
``glassnet.utils.hooks.RemovableHandle`` and ``glassnet.utils.benchmark`` (Timer, Compare).
"""

from .. import data
from . import benchmark, checkpoint, hooks, tensorboard
from .swap_tensors import swap_tensors

__all__ = ["benchmark", "checkpoint", "data", "hooks", "swap_tensors", "tensorboard"]
