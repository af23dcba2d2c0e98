"""``glassnet.testing``, PyTorch's ``torch.testing``: ``assert_close``, to compare tensors in tests.

``assert_close(actual, expected)`` passes when both have the same shape (and dtype, unless
``check_dtype=False``) and every pair of numbers satisfies |a - e| <= atol + rtol |e|, with
PyTorch's default tolerances for the dtype (float32: rtol 1.3e-6, atol 1e-5; float64: rtol 1e-7,
atol 1e-7; float16: rtol 1e-3, atol 1e-5; exact for integers and bools). A failure raises one
AssertionError saying how many numbers differ, the largest difference and where it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["assert_allclose", "assert_close"]

#: (rtol, atol) by dtype: PyTorch's defaults.
DEFAULT_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def _as_array(x: Any) -> np.ndarray:
    array = getattr(x, "array", None)
    return array if isinstance(array, np.ndarray) else np.asarray(x)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_dtype: bool = True,
    msg: str | None = None,
    **_: Any,
) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close (see the module
    docstring); sequences and dicts of tensors are compared item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or actual.keys() != expected.keys():
            raise AssertionError(msg or f"the keys differ: {list(actual)} and {list(expected)}")
        for key in expected:
            assert_close(actual[key], expected[key], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)  # fmt: skip
        return
    if isinstance(expected, (list, tuple)) and not isinstance(actual, (int, float)):
        if len(actual) != len(expected):
            raise AssertionError(msg or f"the lengths differ: {len(actual)} and {len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)  # fmt: skip
        return
    a, e = _as_array(actual), _as_array(expected)
    if (rtol is None) != (atol is None):
        raise ValueError("assert_close: give both rtol and atol, or neither")
    if a.shape != e.shape:
        raise AssertionError(msg or f"the shapes do not match: {a.shape} != {e.shape}")
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(msg or f"the dtypes do not match: {a.dtype} != {e.dtype}")
    if rtol is None:
        rtol, atol = DEFAULT_TOLERANCES.get(np.promote_types(a.dtype, e.dtype), (0.0, 0.0))
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    bad = int((~close).sum())
    gaps = np.where(close, -np.inf, np.abs(a64 - e64))
    gaps = np.where(np.isnan(gaps), np.inf, gaps)  # a NaN against a number counts as the worst
    worst = np.unravel_index(int(np.argmax(gaps)), a.shape) if a.ndim else ()
    where = tuple(int(i) for i in worst)
    raise AssertionError(
        msg
        or (
            f"Tensor-likes are not close! Mismatched elements: {bad} / {a.size}; greatest "
            f"difference {abs(float(a64[worst]) - float(e64[worst])):.6g} at index {where} "
            f"(actual {float(a64[worst]):.8g}, expected {float(e64[worst]):.8g}; "
            f"rtol={rtol}, atol={atol})"
        )
    )


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """The older name: ``assert_close`` without the dtype check, NaN equal to NaN."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)  # fmt: skip
