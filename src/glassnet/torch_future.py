"""PyTorch's ``torch.__future__``: switches for how ``module.to(...)`` and ``load_state_dict`` treat a module's parameters, kept as PyTorch keeps them.

PyTorch may change a parameter in place when a module is converted, give the module a new
Parameter object, or swap the new tensor into the old object (``torch.utils.swap_tensors``).
glassnet converts parameters in place, so the Parameter objects an optimizer holds stay the
same whatever is set here; the switches are remembered for scripts that set and read them.
"""

from __future__ import annotations

__all__ = [
    "get_overwrite_module_params_on_conversion",
    "get_swap_module_params_on_conversion",
    "set_overwrite_module_params_on_conversion",
    "set_swap_module_params_on_conversion",
]

_switches = {"overwrite": False, "swap": False}


def _set(name: str, value: bool) -> None:
    if not isinstance(value, bool):
        raise TypeError(
            f"set_{name}_module_params_on_conversion expects True or False, got {value!r}"
        )
    _switches[name] = value


def set_overwrite_module_params_on_conversion(value: bool) -> None:
    """Remember whether conversions should give new Parameter objects (glassnet converts in place)."""
    _set("overwrite", value)


def get_overwrite_module_params_on_conversion() -> bool:
    return _switches["overwrite"]


def set_swap_module_params_on_conversion(value: bool) -> None:
    """Remember whether conversions should swap tensors into the Parameter objects (in glassnet
    the objects are kept either way)."""
    _set("swap", value)


def get_swap_module_params_on_conversion() -> bool:
    return _switches["swap"]
