"""The metaclass of the PyTorch-form base classes here: ``isinstance`` also counts glassnet's own layers of that kind.

Where PyTorch's private base class (``_ConvNd``, ``_BatchNorm``) takes other constructor
arguments or expects other hooks from its subclasses than glassnet's own base does, this
package gives a subclass of glassnet's base with PyTorch's form, so that a script's
``class MyConv(_ConvNd)`` works. Scripts also use the base to *find* layers:
``isinstance(m, _BatchNorm)`` to leave batch-norm weights out of weight decay. That must be
true for ``nn.BatchNorm2d`` too, which is built on glassnet's base, not on the PyTorch-form
one; ``KindOf`` makes it so, for the PyTorch-form base itself only (a script's subclass of
it is an ordinary class).
"""

from __future__ import annotations

from typing import Any

__all__ = ["KindOf"]


class KindOf(type):
    """Metaclass: a class with ``_glassnet_kind = SomeBase`` counts every SomeBase subclass
    (except those under ``_glassnet_not``) as its own subclass, and their instances as its own.

    The two attributes are read from the class's own ``__dict__``, so only the PyTorch-form
    base itself is widened; ``isinstance(x, MyConv)`` for a script's ``MyConv(_ConvNd)`` is
    Python's usual test.
    """

    def __instancecheck__(cls, instance: Any) -> bool:
        return cls.__subclasscheck__(type(instance))

    def __subclasscheck__(cls, subclass: Any) -> bool:
        if type.__subclasscheck__(cls, subclass):
            return True
        kind = cls.__dict__.get("_glassnet_kind")
        if kind is None or not isinstance(subclass, type):
            return False
        return issubclass(subclass, kind) and not issubclass(
            subclass, cls.__dict__.get("_glassnet_not", ())
        )
