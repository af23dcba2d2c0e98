"""PyTorch's torch.nn.modules.instancenorm: InstanceNorm1d/2d/3d, their lazy forms, and the base _InstanceNorm in PyTorch's form.

The layers are glassnet's own (``glassnet.nn.normalization``, ``glassnet.nn.lazy``).
PyTorch's ``_InstanceNorm`` asks its subclass two things that glassnet's own base keeps as a
class attribute: ``_check_input_dim(input)`` (raise for a wrong input) and
``_get_no_batch_dim()`` (the number of dimensions of one unbatched input: 2 for (C, L),
3 for (C, H, W)). The base here is glassnet's base with that protocol, so::

    class InstanceNorm2dChecked(_InstanceNorm):
        def _get_no_batch_dim(self):
            return 3
        def _check_input_dim(self, input):
            if input.dim() not in (3, 4):
                raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")

normalizes each instance and channel over its positions:
y = (x - mean) / sqrt(var + eps) (* weight + bias with ``affine=True``).
``isinstance(nn.InstanceNorm2d(3), _InstanceNorm)`` is true too.
"""

from __future__ import annotations

from ...tensor import Tensor
from .. import normalization as _norm
from ..lazy import LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d
from ..normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from ._kinds import KindOf

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


class _InstanceNorm(_norm._InstanceNorm, metaclass=KindOf):
    """PyTorch's instance-norm base; arguments ``(num_features, eps=1e-5, momentum=0.1,
    affine=False, track_running_stats=False, device=None, dtype=None)``."""

    _glassnet_kind = _norm._InstanceNorm

    @property
    def _spatial(self) -> int:  # glassnet's base reads the number of position axes here
        return self._get_no_batch_dim() - 1

    def _get_no_batch_dim(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__}: a subclass of _InstanceNorm must define "
            "_get_no_batch_dim() (2 for (C, L) inputs, 3 for (C, H, W), 4 for (C, D, H, W))"
        )

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError(
            f"{type(self).__name__}: a subclass of _InstanceNorm must define _check_input_dim(input)"
        )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return super().forward(input)
