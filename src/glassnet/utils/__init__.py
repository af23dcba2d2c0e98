"""glassnet.utils: where PyTorch code finds ``torch.utils.data`` (it is ``glassnet.data``) and ``torch.utils.checkpoint``.

PyTorch keeps its data tools under ``torch.utils.data``; glassnet keeps them in
``glassnet.data``. This module only points there, so ``glassnet.utils.data.DataLoader`` (and,
under ``glassnet run``, ``torch.utils.data.DataLoader``) is the same class. Activation
checkpointing lives here as in PyTorch: ``glassnet.utils.checkpoint``.
"""

from .. import data
from . import checkpoint

__all__ = ["checkpoint", "data"]
