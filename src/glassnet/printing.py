"""Print options: how many digits and elements ``repr(tensor)`` shows (``set_printoptions``)."""

from __future__ import annotations

__all__ = ["PRINT_OPTIONS", "set_printoptions"]

#: Read by tensor.format_tensor each time a tensor is printed.
PRINT_OPTIONS: dict = {
    "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
}  # fmt: skip

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": float("inf"), "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as PyTorch's ``set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: tensors with more elements than this are summarised with ``...``.
        edgeitems: elements shown at each end of a summarised axis.
        linewidth: characters per line before wrapping.
        profile: ``"default"``, ``"short"`` or ``"full"`` (never summarise); set first.
        sci_mode: True or False to print floats always / never in scientific notation;
            None (the default) lets the values decide, as in PyTorch (see
            ``tensor.format_tensor``).
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        PRINT_OPTIONS.update(_PROFILES[profile])
        PRINT_OPTIONS["sci_mode"] = None
    if sci_mode is not None:
        if not isinstance(sci_mode, bool):
            raise ValueError(f"sci_mode must be True, False or None, got {sci_mode!r}")
        PRINT_OPTIONS["sci_mode"] = sci_mode
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    given["linewidth"] = linewidth
    for name, value in given.items():
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a non-negative number, got {value!r}")
            PRINT_OPTIONS[name] = value
