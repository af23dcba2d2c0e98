"""glassnet: deep learning from scratch on NumPy, with nothing hidden (re-exports only).

The public API follows PyTorch's names: ``glassnet.tensor``, ``Tensor.backward``, ``.grad``,
``glassnet.no_grad``, ``glassnet.nn``, ``glassnet.optim``, ``glassnet.data``.
"""

# Subpackages are reachable as attributes after `import glassnet` (as with torch).
from . import autograd, callbacks, checkpoint, data, dtypes, metrics, models, nn, ops, optim, random
from ._version import __version__
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import functional_grad as grad
from .checkpoint import load_checkpoint, save_checkpoint
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
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

# The ops of issue 9 (a separate block so that it merges cleanly).
from .ops.api import (
    abs,
    acos,
    acosh,
    allclose,
    amax,
    amin,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    argmax,
    argmin,
    argsort,
    argwhere,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    copysign,
    cos,
    cosh,
    cummax,
    cummin,
    cumprod,
    cumsum,
    diag,
    diagonal,
    div,
    divide,
    dot,
    einsum,
    erf,
    exp,
    exp2,
    expand,
    expm1,
    fix,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    frac,
    gather,
    gelu,
    index_add,
    index_select,
    isclose,
    isfinite,
    isinf,
    isnan,
    leaky_relu,
    lerp,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logaddexp,
    logcumsumexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    masked_fill,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    meshgrid,
    min,
    minimum,
    mm,
    msort,
    neg,
    nonzero,
    norm,
    outer,
    pad,
    permute,
    pow,
    prod,
    relu,
    remainder,
    repeat,
    repeat_interleave,
    reshape,
    roll,
    round,  # noqa: A004
    rsqrt,
    scatter,
    scatter_add,
    scatter_reduce,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    softplus,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    std_mean,
    sum,
    swapaxes,
    t,
    tan,
    tanh,
    topk,
    transpose,
    tril,
    triu,
    true_divide,
    trunc,
    unflatten,
    unsqueeze,
    var,
    var_mean,
    view,
    where,
)
from .random import get_rng_state, manual_seed, set_rng_state
from .serialization import SerializationError, load, save
from .tensor import Tensor, as_tensor
from .train import History, evaluate, fit, predict, resume, run_epoch, train_step

# The see-inside tools load on first use, so that importing glassnet never imports them
# (nothing in the core depends on glassnet.inspect; see docs/architecture.md).
_INSPECT_NAMES = ("trace", "detect_anomaly", "check_gradients", "why", "activations", "to_dot")


def __getattr__(name: str):
    if name == "inspect" or name in _INSPECT_NAMES:
        import importlib

        module = importlib.import_module(".inspect", __name__)
        return module if name == "inspect" else getattr(module, name)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
