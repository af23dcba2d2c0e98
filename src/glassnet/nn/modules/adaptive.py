"""PyTorch's torch.nn.modules.adaptive: AdaptiveLogSoftmaxWithLoss and its (output, loss) pair _ASMoutput.

Both are glassnet's own (``glassnet.nn.adaptive``).
"""

from __future__ import annotations

from ..adaptive import AdaptiveLogSoftmaxWithLoss
from ..adaptive import _ASMoutput as _ASMoutput

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
