"""glassnet.nn: modules, layers, losses and initializers under PyTorch's names (re-exports only)."""

from . import functional, init, modules, parallel, parameter, utils  # noqa: F401
from .activation import *  # noqa: F403
from .adaptive import *  # noqa: F403
from .attention import *  # noqa: F403
from .basic import *  # noqa: F403
from .channel_shuffle import *  # noqa: F403
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import *  # noqa: F403
from .cross_map_lrn import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .embedding import *  # noqa: F403
from .fractional_pool import *  # noqa: F403
from .functional import grad  # noqa: F401  (nn.grad: conv1d_input, conv2d_weight, ...)
from .lazy import *  # noqa: F403
from .legacy_layers import *  # noqa: F403
from .linear import *  # noqa: F403
from .linear_cross_entropy import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import (
    IncompatibleKeys,
    Module,
    RemovableHandle,
    StateDictError,
    call_stack,
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from .pixel_shuffle import *  # noqa: F403
from .pooling import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .summary import ModelSummary
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403
