"""The named pairs PyTorch's (values, indices) functions return: ``torch.return_types.max`` and its kin.

``x.max(1)``, ``x.sort()``, ``x.topk(k)`` ... return a tuple whose parts also have names
(``.values``, ``.indices``). Each function has its own type, named after it, so that printing
one says what it is, as PyTorch does::

    glassnet.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))

They are plain namedtuples otherwise (unpacking, ``[0]``, ``==`` with a tuple all work), and
live at this module's top level, so pickle finds them by name. This module imports nothing
from glassnet, so any layer may use it.
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["result_type"]

_PAIR = ("values", "indices")


def result_type(name: str, fields: tuple[str, ...] = _PAIR) -> type:
    """A namedtuple type called ``name`` with ``fields``, printed one field a line as PyTorch's.

    Args:
        name: the function whose result it is (``"max"``, ``"linalg_qr"``), the type's name.
        fields: the names of the parts, in order; (values, indices) unless given.
    """
    base = namedtuple(name, fields)  # noqa: PYI024 - the subclass below adds the repr

    def __repr__(self: tuple) -> str:
        parts = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"glassnet.return_types.{name}(\n{parts})"

    namespace = {"__slots__": (), "__repr__": __repr__, "__module__": __name__}
    return type(name, (base,), namespace)


# The (values, indices) results, one type per function; set through globals() because their
# names are Python builtins (max, min ...), which this module must not shadow for itself.
_PAIR_RESULTS = (
    "max", "min", "sort", "topk", "kthvalue", "mode", "median", "nanmedian", "cummax", "cummin",
)  # fmt: skip
for _name in _PAIR_RESULTS:
    globals()[_name] = result_type(_name)
del _name
aminmax = result_type("aminmax", ("min", "max"))
__all__ += [*_PAIR_RESULTS, "aminmax"]
