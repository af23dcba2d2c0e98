"""PyTorch's torch.nn.modules.linear: Identity, Linear, Bilinear, LazyLinear and NonDynamicallyQuantizableLinear.

The layers are glassnet's own (``glassnet.nn.linear``, ``glassnet.nn.basic``).
"""

from __future__ import annotations

from ..basic import Identity
from ..linear import Bilinear, LazyLinear, Linear

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """``Linear`` under the name PyTorch gives the output projection of MultiheadAttention.

    PyTorch uses the separate class only to keep its dynamic quantization away from that
    layer; glassnet does not quantize, so it is a plain ``Linear`` (same arguments, maths and
    ``state_dict`` keys) that custom attention code may still build by this name.
    """
