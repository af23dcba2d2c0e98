"""PyTorch's in-place forms (``x.atan_()``, ``x.eq_(y)``, ``torch.relu_(x)``): one table of name -> out-of-place function, one mechanism.

``x.<name>_(*args, **kwargs)`` computes ``<name>(x, *args, **kwargs)`` and writes the result
into x's own array, through ``Tensor._inplace`` (tensor.py): the same rules as glassnet's
other in-place methods. The version counter goes up (so a saved old value is not silently
reused); a leaf that requires grad is refused while gradients are recorded; on a recorded
result the op is recorded on the old value and x takes the result's place in the graph, so
gradients flow through the in-place step. The result keeps x's dtype and shape: a float
result cannot go into an integer tensor, and a result that broadcast to a bigger shape is
refused, as in PyTorch.

Names x already has as a method (``abs_``, ``add_``, ``clamp_``, written out in tensor.py)
are left as they are. ``TOP_LEVEL`` lists PyTorch's function forms (``torch.abs_(x)``).
"""

from __future__ import annotations

from typing import Any

from . import autograd
from .errors import ShapeError
from .ops import api as A
from .ops import bessel, error_functions, special, torch_extras, torch_formulas

__all__ = []  # filled below with the TOP_LEVEL function forms

# in-place name (without the trailing "_") -> the out-of-place function it applies to the tensor
_NAMESPACES = (A, torch_formulas, torch_extras, special, error_functions, bessel)


def _function(name: str) -> Any:
    for namespace in _NAMESPACES:
        if hasattr(namespace, name):
            return getattr(namespace, name)
    raise AttributeError(
        f"no out-of-place function {name!r} for an in-place form"
    )  # pragma: no cover


ELEMENTWISE_NAMES = (
    # one argument
    "absolute", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh",
    "asin", "asinh", "atan", "atanh", "bitwise_not", "cosh", "deg2rad", "digamma", "erf",
    "erfc", "erfinv", "exp2", "fix", "i0", "lgamma", "log10", "log2", "logical_not", "negative",
    "rad2deg", "sgn", "sinc", "sinh", "tan",
    # with options: logit(eps), round(decimals), nan_to_num(nan, posinf, neginf)
    "logit", "round", "nan_to_num",
    # two arguments
    "arctan2", "atan2", "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "clamp_max", "clamp_min", "copysign", "divide", "float_power", "floor_divide",
    "fmod", "gcd", "heaviside", "hypot", "lcm", "ldexp", "logical_and", "logical_or",
    "logical_xor", "multiply", "nextafter", "remainder", "subtract", "true_divide", "xlogy",
    # comparisons (1 or 0 in x's dtype) and their long names
    "eq", "ge", "greater", "greater_equal", "gt", "le", "less", "less_equal", "lt", "ne",
    "not_equal",
    # along an axis, and the fused products
    "cumprod", "cumsum", "index_reduce", "renorm", "addbmm", "addmm", "addmv", "addr", "baddbmm",
)  # fmt: skip

# Forms whose function takes the tensor in another place than first.
_ARGUMENT_ORDER = {
    "polygamma": lambda x, n: special.polygamma(n, x),  # x.polygamma_(n) is polygamma(n, x)
    "mvlgamma": lambda x, p: special.mvlgamma(x, p),
}

TABLE: dict = {name: _function(name) for name in ELEMENTWISE_NAMES}
TABLE.update(_ARGUMENT_ORDER)

# Results that carry no gradient (booleans, integers' bits): after writing them the tensor no
# longer depends on what it was computed from, so it leaves the graph.
_NO_GRADIENT = frozenset({
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "eq", "ge", "greater", "greater_equal", "gt", "le", "less", "less_equal",
    "logical_and", "logical_not", "logical_or", "logical_xor", "lt", "ne", "not_equal",
    "nextafter", "gcd", "lcm", "floor_divide", "sgn", "fix", "round",
})  # fmt: skip

# In-place views: the tensor becomes a view of its own elements in another arrangement.
VIEW_FORMS = {"swapaxes": A.swapaxes, "swapdims": torch_formulas.swapdims}


def _checked(name: str, function: Any, kwargs: dict) -> Any:
    """``function(current, *args, **kwargs)``, refused when it does not keep current's shape."""

    def applied(current: Any, *args: Any) -> Any:
        if (
            name == "float_power"
            and current.array.dtype.kind == "f"
            and (current.array.dtype.itemsize != 8)
        ):
            raise RuntimeError(f"float_power_: the result is float64 but the tensor has dtype "
                               f"{current.array.dtype}; call .double() first")  # fmt: skip
        out = function(current, *args, **kwargs)
        if tuple(out.shape) != tuple(current.shape):
            raise ShapeError(f"{name}_: the result has shape {tuple(out.shape)}, which does not "
                             f"fit in the tensor's shape {tuple(current.shape)}")  # fmt: skip
        return out

    return applied


def _in_place_method(name: str, function: Any) -> Any:
    """The method ``x.<name>_(...)``: x's elements replaced by ``<name>(x, ...)``."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._inplace(_checked(name, function, kwargs), *args)
        if name in _NO_GRADIENT and self.grad_fn is None:
            self.requires_grad = False  # a constant now: nothing to differentiate
        return self

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = (f"``{name}`` in place: this tensor's elements become ``{name}(self, ...)`` "
                      "(same dtype and shape; version counter bumped).")  # fmt: skip
    return method


def _in_place_view(name: str, function: Any) -> Any:
    def method(self: Any, *args: Any) -> Any:
        return self._inplace_view(function, *args)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"``{name}`` in place: this tensor becomes ``self.{name}(...)``, a view."
    return method


def attach(tensor_class: type) -> None:
    """Give ``tensor_class`` every in-place form of the table it does not have yet."""
    for name, function in TABLE.items():
        if not hasattr(tensor_class, name + "_"):
            setattr(tensor_class, name + "_", _in_place_method(name, function))
    for name, function in VIEW_FORMS.items():
        if not hasattr(tensor_class, name + "_"):
            setattr(tensor_class, name + "_", _in_place_view(name, function))
    # Python's augmented assignments (y //= 2, m &= n) change the tensor itself, as in
    # PyTorch, so every name bound to it sees the change (without these, Python would bind y
    # to a new tensor and leave the others as they were).
    for operator, method in AUGMENTED_ASSIGNMENTS.items():
        if operator not in vars(tensor_class) and hasattr(tensor_class, method):
            setattr(tensor_class, operator, getattr(tensor_class, method))


AUGMENTED_ASSIGNMENTS = {
    "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_",
    "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_",
    "__ilshift__": "bitwise_left_shift_", "__irshift__": "bitwise_right_shift_",
}  # fmt: skip


# PyTorch's top-level in-place functions: torch.abs_(x) is x.abs_().
TOP_LEVEL = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_",
    "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_",
    "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_",
    "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)  # fmt: skip


def _top_level(name: str) -> Any:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not autograd.is_tensor(input):
            raise TypeError(f"{name}(): expected a tensor, got {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)``: the in-place form, on ``input`` itself."
    return function


for _name in TOP_LEVEL:
    globals()[_name] = _top_level(_name)
    __all__.append(_name)
del _name
