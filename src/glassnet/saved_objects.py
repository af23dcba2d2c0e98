"""Whole objects in a glassnet file (``torch.save(model, path)``): a class named by its import path, and the object's attributes as data.

``glassnet.save`` stores data, never code. A whole model is still only data plus the name of
its class: ``Net`` from the module ``__main__``, with attributes such as ``training=True`` and
``_parameters={"weight": <tensor>}``. So a saved object is written as

    {"type": "object", "class": "__main__:Net", "object_id": 0, "attributes": {...}}

where the attributes are the object's ``__dict__`` saved like any dict (tensors as arrays,
submodules as further objects). Loading it back means importing the class's module, and
importing runs that module's code: the same trust ``torch.load(path, weights_only=False)``
asks for. So ``glassnet.load`` builds objects only when given ``weights_only=False``, and
otherwise refuses the file in one line, as PyTorch's safe default does.

Rebuilding does not call the class's ``__init__`` (its arguments are not known): the object is
made empty with ``cls.__new__(cls)`` and its attributes are put back, which is what pickle
does too. The same object seen twice (a layer shared by two models) is saved once and comes
back as one object.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["attributes_of", "class_path", "find_class", "new_empty"]

# Code, not data: saving one would mean saving a program.
_CODE = (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.ModuleType)


def class_path(cls: type) -> str:
    """``"module:qualified.name"``, the address ``find_class`` reads back."""
    return f"{cls.__module__}:{cls.__qualname__}"


def attributes_of(obj: Any, where: str) -> dict[str, Any]:
    """The attributes to save for ``obj``: its ``__dict__``, or a TypeError naming ``where``.

    Classes defined inside a function (``<locals>`` in their name) cannot be found again by
    name, and objects without a ``__dict__`` (built-in types, functions' closures) have no
    attributes to restore, so both are refused when saving, not when loading.
    """
    cls = type(obj)
    if "<locals>" in cls.__qualname__:
        raise TypeError(
            f"cannot save the {cls.__qualname__} object at {where}: its class is defined inside "
            "a function, so loading could not find it by name; define the class at the top "
            "level of a module"
        )
    state = getattr(obj, "__dict__", None)
    if isinstance(obj, _CODE) or not isinstance(state, dict):
        raise TypeError(
            f"cannot save an object of type {cls.__module__}.{cls.__qualname__} at {where}: "
            "glassnet.save stores data (tensors, arrays, numbers, strings, containers and "
            "objects whose attributes are those), not functions or code"
        )
    return dict(state)


def find_class(path: str) -> type:
    """The class ``class_path`` named, imported from its module (a LookupError saying why not)."""
    module_name, _, qualname = path.partition(":")
    if not module_name or not qualname:
        raise LookupError(f"{path!r} is not a class address of the form module:Name")
    try:
        module = sys.modules.get(module_name) or importlib.import_module(module_name)
    except ImportError as error:
        raise LookupError(
            f"cannot import the module {module_name!r} of {qualname} ({error})"
        ) from None
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            where = "the running script" if module_name == "__main__" else module_name
            raise LookupError(
                f"the class {qualname} is not defined in {where}: define (or import) it before "
                "loading, as torch.load needs too"
            )
    if not isinstance(found, type):
        raise LookupError(f"{path!r} names a {type(found).__name__}, not a class")
    return found


def new_empty(cls: type) -> Any:
    """An instance of ``cls`` made without calling its ``__init__``; attributes are set next."""
    return cls.__new__(cls)
