"""glassnet.backends.mps: Apple's GPU backend is not available (glassnet runs on the CPU)."""


def is_available() -> bool:
    """False: glassnet has no MPS backend."""
    return False


def is_built() -> bool:
    """False: glassnet was not built with MPS."""
    return False
