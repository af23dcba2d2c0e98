"""PyTorch's module paths torch.nn.modules.*: the layers under the file names PyTorch keeps them in.

Scripts import layers, and the private base classes of their own layers, from PyTorch's
files: ``from torch.nn.modules.loss import _Loss``, ``from torch.nn.modules.utils import
_pair``. Under ``glassnet run`` those paths are the submodules of this package, named as
PyTorch's files, each re-exporting glassnet's own classes (``torch.nn.modules.conv.Conv2d is
torch.nn.Conv2d``). Where PyTorch's private base takes other arguments than glassnet's
(``_ConvNd``, ``_BatchNorm``, ``_InstanceNorm``, ``_AvgPoolNd``, ``_MaxUnpoolNd``,
``LazyModuleMixin``), the submodule gives glassnet's base in PyTorch's form, which also
counts glassnet's own layers in ``isinstance`` (``_kinds.py``). As in PyTorch, the layers are
also names of this package itself (``torch.nn.modules.Linear``).

The submodules import glassnet's layer files (``glassnet.nn.conv``, ...), never the package
``glassnet.nn``, so ``glassnet.nn`` may import this package while it is itself loading.
"""

from __future__ import annotations

from . import (
    activation,
    adaptive,
    batchnorm,
    channelshuffle,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    instancenorm,
    lazy,
    linear,
    loss,
    module,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
    utils,
)
from .activation import *  # noqa: F403
from .adaptive import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .channelshuffle import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .fold import *  # noqa: F403
from .instancenorm import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import Module
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pixelshuffle import *  # noqa: F403
from .pooling import *  # noqa: F403
from .rnn import *  # noqa: F403
from .sparse import *  # noqa: F403
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403

__all__ = [
    name
    for part in (
        activation,
        adaptive,
        batchnorm,
        channelshuffle,
        container,
        conv,
        distance,
        dropout,
        flatten,
        fold,
        instancenorm,
        linear,
        loss,
        normalization,
        padding,
        pixelshuffle,
        pooling,
        rnn,
        sparse,
        transformer,
        upsampling,
    )  # fmt: skip
    for name in part.__all__
] + ["Module"]
