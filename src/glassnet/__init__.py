"""glassnet: deep learning from scratch on NumPy, with nothing hidden (re-exports only).

The public API follows PyTorch's names: ``glassnet.tensor``, ``Tensor.backward``, ``.grad``,
``glassnet.no_grad``, ``glassnet.nn``, ``glassnet.optim``, ``glassnet.data``.
"""

# Subpackages are reachable as attributes after `import glassnet` (as with torch).
from . import (
    accelerator,
    autograd,
    backends,
    callbacks,
    checkpoint,
    cuda,
    data,
    dtypes,
    metrics,
    models,
    nn,
    ops,
    optim,
    random,
    utils,
)
from ._version import __version__
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import functional_grad as grad
from .checkpoint import load_checkpoint, save_checkpoint
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import DeviceError, device
from .dtypes import (
    bool_ as bool,  # noqa: A004 - torch.bool
)
from .dtypes import (
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    uint8,
)
from .dtypes import float as float  # noqa: A004, PLC0414
from .dtypes import int as int  # noqa: A004, PLC0414
from .numerical import (
    GradcheckError,
    gradcheck,
    gradgradcheck,
    numerical_derivative,
    numerical_gradient,
)
from .ops.api import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    broadcast_to,
    cat,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    cos,
    dot,
    erf,
    exp,
    expand,
    flatten,
    flip,
    gelu,
    leaky_relu,
    log,
    log_softmax,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    neg,
    norm,
    outer,
    pad,
    permute,
    pow,
    prod,
    relu,
    repeat,
    reshape,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    softplus,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sum,
    swapaxes,
    t,
    tanh,
    transpose,
    unflatten,
    unsqueeze,
    var,
    view,
    where,
)
from .printing import set_printoptions
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import SerializationError, load, save
from .tensor import Tensor, as_tensor
from .train import History, evaluate, fit, predict, resume
