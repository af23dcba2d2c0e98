"""PyTorch's torch.nn.modules.batchnorm: BatchNorm1d/2d/3d, their lazy forms, SyncBatchNorm, and the bases _NormBase / _BatchNorm in PyTorch's form.

The layers are glassnet's own (``glassnet.nn.normalization``, ``glassnet.nn.lazy``).
glassnet's own batch-norm base learns the accepted input shapes from a class attribute of
each layer; PyTorch's asks its subclass instead, through ``_check_input_dim(input)``. The
bases here are glassnet's base with PyTorch's protocol, so a script's layer::

    class BatchNormAnyD(_BatchNorm):
        def _check_input_dim(self, input):
            if input.dim() < 2:
                raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

gets batch norm's parameters, buffers (``running_mean``, ``running_var``,
``num_batches_tracked``) and forward pass over (N, C, *) input. ``isinstance(m, _BatchNorm)``
is also true for glassnet's BatchNorm1d/2d/3d and SyncBatchNorm (not for the instance norms,
as in PyTorch), and ``isinstance(m, _NormBase)`` for those and the instance norms.
"""

from __future__ import annotations

from ...tensor import Tensor
from .. import normalization as _norm
from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d
from ..normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm
from ._kinds import KindOf

__all__ = [
    "BatchNorm1d",
    "LazyBatchNorm1d",
    "BatchNorm2d",
    "LazyBatchNorm2d",
    "BatchNorm3d",
    "LazyBatchNorm3d",
    "SyncBatchNorm",
]


class _NormBase(_norm._BatchNorm, metaclass=KindOf):
    """PyTorch's base of batch and instance norm: settings, weight / bias, running statistics.

    Arguments as PyTorch's: ``(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, device=None, dtype=None)``. The subclass says which inputs it
    accepts in ``_check_input_dim(input)``, called first by ``forward``; the forward pass is
    then batch norm over the channel axis 1 of (N, C, *) input:
    y = (x - mean) / sqrt(var + eps) * weight + bias, with the batch's statistics in training
    (updating the running ones with ``momentum``) and the running ones in eval mode.
    """

    _glassnet_kind = _norm._BatchNorm
    # Any (N, C, *) input reaches batch norm once _check_input_dim has accepted it.
    _patterns = (("N", "C", "*"),)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError(
            f"{type(self).__name__}: a subclass of _NormBase / _BatchNorm must define "
            "_check_input_dim(input)"
        )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return super().forward(input)


class _BatchNorm(_NormBase):
    """PyTorch's batch-norm base: ``_NormBase`` for batch norm (see there).

    Counts glassnet's own batch norms as its instances, but not its instance norms (built on
    the same glassnet base), as in PyTorch.
    """

    _glassnet_kind = _norm._BatchNorm
    _glassnet_not = _norm._InstanceNorm
