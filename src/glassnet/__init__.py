"""glassnet: deep learning from scratch on NumPy, with nothing hidden (re-exports only).

The public API follows PyTorch's names: ``glassnet.tensor``, ``Tensor.backward``, ``.grad``,
``glassnet.no_grad``, ``glassnet.nn``, ``glassnet.optim``, ``glassnet.data``.
"""

# First, before anything imports NumPy: importing native_settings sets OpenBLAS's thread
# timeout (read once, when NumPy loads OpenBLAS) and malloc's reuse of freed memory.
from . import native_settings  # noqa: F401, I001 - must stay the first import
from . import numpy_warnings  # noqa: F401 - NumPy's inf/nan warnings from inside glassnet

# Subpackages are reachable as attributes after `import glassnet` (as with torch).
from . import (
    accelerator,
    amp,
    autograd,
    backends,
    callbacks,
    checkpoint,
    cpu,
    cuda,
    data,
    distributions,
    dtypes,
    func,
    linalg,
    metrics,
    models,
    nn,
    ops,
    optim,
    random,
    special,
    testing,
    utils,
    version,
    xpu,
)
from .version import __version__
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import is_anomaly_enabled, is_inference_mode_enabled
from .autograd import functional_grad as grad
from .checkpoint import load_checkpoint, save_checkpoint
from .creation import (
    arange,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    poisson,
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
    Size,
    bfloat16,
    double,
    finfo,
    float16,
    float32,
    float64,
    half,
    iinfo,
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

# Every op's function form (glassnet.exp, glassnet.cat, ...): the names in ops/api.py's __all__.
from .ops.api import *

# The linalg functions' top-level forms (torch.svd, torch.cholesky_solve, torch.det, ...).
from .ops.torch_linalg import *
from .inplace_forms import *  # noqa: F403 - torch.abs_(x), torch.relu_(x), ...
from .ops.as_strided import as_strided
from .ops.bessel import i0
from .ops.real_parts import (
    conj,
    conj_physical,
    imag,
    is_complex,
    is_conj,
    is_neg,
    real,
    resolve_conj,
    resolve_neg,
)
from .ops.error_functions import erfc
from .ops.finite_differences import gradient
from .ops.special import mvlgamma, polygamma
from .ops.torch_extras import (
    addr,
    can_cast,
    cumulative_trapezoid,
    diagflat,
    diagonal_scatter,
    dist,
    e,
    fliplr,
    flipud,
    frexp,
    ger,
    index_fill,
    index_reduce,
    inf,
    inner,
    is_nonzero,
    is_same_size,
    ldexp,
    logaddexp2,
    nan,
    nanmedian,
    nanquantile,
    newaxis,
    nextafter,
    pi,
    promote_types,
    renorm,
    result_type,
    row_stack,
    rsub,
    scalar_tensor,
    select_scatter,
    slice_scatter,
    split_with_sizes,
    trapezoid,
    trapz,
    unique_consecutive,
    unravel_index,
    vander,
    vdot,
)
from .legacy_types import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from .printing import set_printoptions
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import SerializationError, load, save
from .storage import TypedStorage, UntypedStorage
from .tensor import Tensor, as_tensor
from .threads import get_num_threads, set_num_threads
from .torch_spellings import *  # noqa: F403 - torch.detach(x), torch.range, torch.asarray, ...
from .torch_framework import *  # noqa: F403 - torch.dtype, torch.short, torch.has_mkl, ...
from .torch_switches import (
    are_deterministic_algorithms_enabled,
    autocast,
    compile,
    get_default_device,
    get_default_dtype,
    get_float32_matmul_precision,
    is_warn_always_enabled,
    set_default_device,
    set_default_dtype,
    set_flush_denormal,
    set_float32_matmul_precision,
    set_warn_always,
    use_deterministic_algorithms,
)
from .windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)
from .torch_layer_forms import *  # noqa: F403 - torch.conv2d, torch.dropout, ...
from .train import History, evaluate, fit, predict, resume, run_epoch, train_step

# The see-inside tools load on first use, so that importing glassnet never imports them
# (nothing in the core depends on glassnet.inspect; see docs/architecture.md).
_INSPECT_NAMES = ("trace", "detect_anomaly", "check_gradients", "why", "activations", "to_dot")


#: Submodules loaded on first use (``glassnet.profiler`` as ``torch.profiler``), not at import.
_LAZY_SUBMODULES = ("profiler", "forward_ad", "torch_multiprocessing")


def __getattr__(name: str):
    import importlib

    if name == "inspect" or name in _INSPECT_NAMES:
        module = importlib.import_module(".inspect", __name__)
        return module if name == "inspect" else getattr(module, name)
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "multiprocessing":  # torch.multiprocessing
        return importlib.import_module(".torch_multiprocessing", __name__)
    if name in ("_dynamo", "__future__", "compiler", "hub"):  # torch._dynamo.reset(), ...
        return importlib.import_module(f".torch_{name.strip('_')}", __name__)
    if name.startswith("_foreach_"):  # torch._foreach_mul_(params, 0.999), ...
        return importlib.import_module(".foreach", __name__).foreach_function(name)
    if name == "distributed":  # torch.distributed.is_available() without an import first
        return importlib.import_module(".distributed", __name__)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
