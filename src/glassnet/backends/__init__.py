"""glassnet.backends: PyTorch's ``torch.backends`` flags; glassnet has one backend, NumPy on the CPU.

``torch.backends.mps.is_available()``, ``torch.backends.cudnn.benchmark = True`` and
``torch.backends.cuda.matmul.allow_tf32 = True`` appear in many scripts; ``mps``, ``mkldnn``
and ``openmp`` say they are not available, ``cudnn``, ``cuda`` and ``opt_einsum`` hold flags
that change nothing here, and ``cpu`` names the CPU's vector instructions.
"""

from . import cpu, cuda, cudnn, mkldnn, mps, openmp, opt_einsum

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp", "opt_einsum"]
