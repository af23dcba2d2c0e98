"""glassnet.backends: PyTorch's ``torch.backends`` flags; glassnet has one backend, NumPy on the CPU.

``torch.backends.mps.is_available()`` and ``torch.backends.cudnn.benchmark = True`` appear in
many scripts; ``mps`` says it is not available and ``cudnn`` holds the flags, which change
nothing here.
"""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
