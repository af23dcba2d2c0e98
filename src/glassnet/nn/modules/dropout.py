"""PyTorch's torch.nn.modules.dropout: Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout and their base _DropoutNd.

All are glassnet's own (``glassnet.nn.dropout``). ``_DropoutNd`` takes PyTorch's arguments
``(p=0.5, inplace=False)``, checks ``p`` and keeps both, so a script's
``class MyDropout(_DropoutNd)`` needs only its ``forward``.
"""

from __future__ import annotations

from ..dropout import (
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    FeatureAlphaDropout,
)
from ..dropout import _DropoutNd as _DropoutNd

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
