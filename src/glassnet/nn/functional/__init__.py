"""glassnet.nn.functional (import as F): layers and losses as plain functions (re-exports only)."""

from . import conv_gradients as grad  # noqa: F401  (PyTorch's F.grad / nn.grad)
from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .channel_shuffling import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv_tbc import *  # noqa: F403
from .ctc import *  # noqa: F403
from .distance import *  # noqa: F403
from .distance_losses import *  # noqa: F403
from .dropout import *  # noqa: F403
from .embedding import *  # noqa: F403
from .fractional_pooling import *  # noqa: F403
from .inplace_activations import *  # noqa: F403
from .legacy_names import *  # noqa: F403
from .likelihood_losses import *  # noqa: F403
from .linear import *  # noqa: F403
from .linear_cross_entropy import *  # noqa: F403
from .loss import *  # noqa: F403
from .margin_losses import *  # noqa: F403
from .multi_head_attention import *  # noqa: F403
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pixel_shuffling import *  # noqa: F403
from .pooling import *  # noqa: F403
from .pooling_with_indices import *  # noqa: F403
from .sampling import *  # noqa: F403
from .upsampling import *  # noqa: F403
