"""glassnet.backends.mkldnn: oneDNN (MKL-DNN), PyTorch's CPU kernel library, is not used by glassnet."""

#: Whether oneDNN kernels may be used (no effect: glassnet has none).
enabled = True


def is_available() -> bool:
    """False: glassnet's convolutions are its own im2col products in NumPy, not oneDNN's."""
    return False
