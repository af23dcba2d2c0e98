"""C functions called by their machine address: from compiled loops directly, from Python through ctypes.

A compiled loop (``jit.loop``) can be handed a ctypes function as an argument and call it, but
numba then works out that argument's type and address in Python at every call of the loop:
about 2 us (``blas_direct.gemm_into``: 2.8 us a call against 0.5 us given the address), and
several times that once a large matrix product has pushed that Python code out of the CPU's
caches (measured: an MLP epoch took 4-6 % longer for its eight gemm calls a step). An address is
an int, which costs nothing to pass; the compiled code calls the function at it.

    cblas_gemm = c_function(("int32", "int32", ..., "pointer", "int64"))   # in the file of its callers

    @jit.loop
    def product(gemm_address, ...):
        cblas_gemm(gemm_address, (ROW_MAJOR, NO_TRANS, ..., out.ctypes.data, N))

``gemm_address = function_address(ctypes_function)``. Run by Python (``Loop.in_python``, or the
``CFunction`` called from Python), the same call goes through ctypes: the same C function, the
same arguments, so the same result.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from typing import Any

import numpy as np

__all__ = ["KINDS", "CFunction", "c_function", "function_address"]

#: The C argument types a ``CFunction`` can pass, and their ctypes in Python. "float" is a C
#: float or double, as the argument given is float32 or float64; "pointer" is an address (an
#: int, as ``array.ctypes.data`` gives).
KINDS = {
    "int32": ctypes.c_int32,
    "int64": ctypes.c_int64,
    "pointer": ctypes.c_void_p,
    "float": None,
}


def function_address(function: Any) -> int:
    """The machine address of a ctypes function (what a ``CFunction`` is called with)."""
    return ctypes.cast(function, ctypes.c_void_p).value


class CFunction:
    """A C function returning nothing, called as ``f(address, args)`` with ``args`` a tuple of
    the C types ``kinds`` names (see ``KINDS``), from a compiled loop or from Python.

    ``home`` is the file that declares it, the file of the loops that call it: numba's disk
    cache renews a compiled loop when the loop's own file changes, so this one should be there.
    (A change to ``_call_at_address`` below renews no cache: delete the ``.nbi`` / ``.nbc``
    files in ``__pycache__`` after one.)
    """

    def __init__(self, kinds: tuple[str, ...], home: str) -> None:
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown:
            raise ValueError(f"C argument kinds must be among {list(KINDS)}, got {unknown}")
        self.kinds = tuple(kinds)
        self.home = home
        self._first_float = self.kinds.index("float") if "float" in self.kinds else None
        self._compiled: Any = None
        self._ctypes_functions: dict[tuple[int, Any], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, address: int, args: tuple) -> None:
        self.in_python(address, args)

    def in_python(self, address: int, args: tuple) -> None:
        """The call through ctypes (what compiled loops do directly)."""
        if len(args) != len(self.kinds):
            raise ValueError(f"expected {len(self.kinds)} C arguments, got {len(args)}")
        first = self._first_float  # its type says float or double for all the "float"s
        single = first is not None and isinstance(args[first], np.float32)
        key = (address, single)
        function = self._ctypes_functions.get(key)
        if function is None:  # once per address and float type
            float_type = ctypes.c_float if single else ctypes.c_double
            argtypes = [KINDS[kind] or float_type for kind in self.kinds]
            function = ctypes.CFUNCTYPE(None, *argtypes)(address)
            self._ctypes_functions[key] = function
        function(*args)

    def _compile(self) -> Any:
        """The form a compiled loop calls (numba is imported by then: only ``jit`` asks)."""
        with self._lock:
            if self._compiled is None:
                self._compiled = _call_at_address(self.kinds)
        return self._compiled


def c_function(kinds: tuple[str, ...]) -> CFunction:
    """A ``CFunction`` taking ``kinds`` (see ``KINDS``), declared in the calling file."""
    return CFunction(kinds, home=sys._getframe(1).f_code.co_filename)


def _call_at_address(kinds: tuple[str, ...]) -> Any:
    """A numba intrinsic ``call(address, args)``: the machine code calls the C function at
    ``address`` with the tuple ``args`` converted to ``kinds``' C types, and returns nothing."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    fixed = {"int32": types.int32, "int64": types.int64, "pointer": types.voidptr}

    @intrinsic
    def call(typingctx: Any, address: Any, args: Any) -> Any:
        if not isinstance(address, types.Integer) or not isinstance(args, types.BaseTuple):
            return None
        if len(args) != len(kinds):
            return None
        c_types = []
        for given, kind in zip(args, kinds):
            if kind == "float" and given in (types.float32, types.float64):
                c_types.append(given)  # C float or double: as the value is
            elif kind != "float" and isinstance(given, types.Integer):
                c_types.append(fixed[kind])
            else:
                return None  # numba then says which argument types it could not take

        def codegen(context: Any, builder: Any, signature: Any, values: Any) -> Any:
            address_value, tuple_value = values
            function_type = ir.FunctionType(
                ir.VoidType(), [context.get_value_type(t) for t in c_types]
            )
            function = builder.inttoptr(address_value, function_type.as_pointer())
            c_values = []
            for i, (given, wanted) in enumerate(zip(signature.args[1], c_types)):
                value = builder.extract_value(tuple_value, i)
                if wanted == types.voidptr:
                    c_values.append(builder.inttoptr(value, context.get_value_type(wanted)))
                else:
                    c_values.append(context.cast(builder, value, given, wanted))
            builder.call(function, c_values)
            return context.get_dummy_value()

        return types.void(address, args), codegen

    return call
