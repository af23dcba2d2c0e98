"""PyTorch's torch.nn.modules.pooling: the pooling layers (Max/Avg/LP/Adaptive/Fractional pools, MaxUnpool; 1d/2d/3d) and their bases.

The layers are glassnet's own (``glassnet.nn.pooling``, ``glassnet.nn.fractional_pool``).
The bases ``_MaxPoolNd``, ``_AdaptiveAvgPoolNd``, ``_AdaptiveMaxPoolNd`` and ``_LPPoolNd`` are
glassnet's own too: they take PyTorch's arguments and keep them as the same attributes, so a
script's subclass needs only its ``forward``. PyTorch's ``_AvgPoolNd`` and ``_MaxUnpoolNd``
take no arguments (each subclass sets its window attributes itself), unlike glassnet's, so
those two are glassnet's bases with PyTorch's empty constructor; ``isinstance(nn.AvgPool2d(2),
_AvgPoolNd)`` is still true.
"""

from __future__ import annotations

from .. import pooling as _pooling
from ..fractional_pool import FractionalMaxPool2d, FractionalMaxPool3d
from ..module import Module
from ..pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
)
from ..pooling import _AdaptiveAvgPoolNd as _AdaptiveAvgPoolNd
from ..pooling import _AdaptiveMaxPoolNd as _AdaptiveMaxPoolNd
from ..pooling import _LPPoolNd as _LPPoolNd
from ..pooling import _MaxPoolNd as _MaxPoolNd
from ._kinds import KindOf

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
]


class _AvgPoolNd(_pooling._AvgPoolNd, metaclass=KindOf):
    """PyTorch's average-pool base: no arguments; the subclass sets ``kernel_size``,
    ``stride``, ``padding`` (and what its ``forward`` uses) after ``super().__init__()``."""

    _glassnet_kind = _pooling._AvgPoolNd

    def __init__(self) -> None:
        Module.__init__(self)  # glassnet's own base would ask for the window here


class _MaxUnpoolNd(_pooling._MaxUnpoolNd, metaclass=KindOf):
    """PyTorch's max-unpool base: no arguments; the subclass sets ``kernel_size``, ``stride``
    and ``padding`` after ``super().__init__()``."""

    _glassnet_kind = _pooling._MaxUnpoolNd

    def __init__(self) -> None:
        Module.__init__(self)  # glassnet's own base would ask for the window here
