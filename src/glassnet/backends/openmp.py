"""glassnet.backends.openmp: glassnet does not use OpenMP (its own work splits over Python threads)."""


def is_available() -> bool:
    """False: glassnet splits large elementwise work over Python threads (split_work.py)."""
    return False
