"""glassnet.backends.cpu: which vector instructions this CPU offers, as PyTorch's ``get_cpu_capability`` names them."""

from __future__ import annotations

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """Names the widest x86 vector instructions this CPU has: "AVX512", "AVX2" or "DEFAULT".

    The answer comes from NumPy, which checks the processor when it loads and picks its own
    loops by it (glassnet's elementwise work runs in those loops).
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # an older or newer NumPy without the table: claim nothing
        return "DEFAULT"
    if all(features.get(name) for name in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")):
        return "AVX512"
    if features.get("AVX2"):
        return "AVX2"
    return "DEFAULT"
