"""More smooth elementwise functions: other logs and exps, trigonometry, hyperbolics, atan2, copysign.

Each op pairs its value with its derivative, as in elementwise.py: ``g`` is dL/dy, each backward
returns dL/dx = g * dy/dx written with Tensor operations (so it can be differentiated again).
The function forms (``glassnet.log2(x)``, ``x.log2()``) follow the ops; integer inputs become
float32 first, as PyTorch's math functions do.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, is_tensor, wrap
from . import api as A

# ---------------------------------------------------------------------- logarithms, exponentials


class Log2(Op):
    """y = log2(x);   dL/dx = g / (x ln 2)"""

    def forward(self, x):
        return np.log2(x)

    def backward(self, g):
        return (g / (self.inputs[0] * math.log(2)),)


class Log10(Op):
    """y = log10(x);   dL/dx = g / (x ln 10)"""

    def forward(self, x):
        return np.log10(x)

    def backward(self, g):
        return (g / (self.inputs[0] * math.log(10)),)


class Log1p(Op):
    """y = ln(1 + x) (exact for tiny x);   dL/dx = g / (1 + x)"""

    def forward(self, x):
        return np.log1p(x)

    def backward(self, g):
        return (g / (1 + self.inputs[0]),)


class Exp2(Op):
    """y = 2**x;   dL/dx = g * y * ln 2"""

    def forward(self, x):
        self.out_data = np.exp2(x)
        return self.out_data

    def backward(self, g):
        return (g * self.output() * math.log(2),)


class Expm1(Op):
    """y = e**x - 1 (exact for tiny x);   dL/dx = g * (y + 1)"""

    def forward(self, x):
        self.out_data = np.expm1(x)
        return self.out_data

    def backward(self, g):
        return (g * (self.output() + 1),)


# ---------------------------------------------------------------------- trigonometry


class Tan(Op):
    """y = tan(x);   dL/dx = g * (1 + y**2)"""

    def forward(self, x):
        self.out_data = np.tan(x)
        return self.out_data

    def backward(self, g):
        y = self.output()
        return (g * (1 + y * y),)


class Asin(Op):
    """y = asin(x);   dL/dx = g / sqrt(1 - x**2)"""

    def forward(self, x):
        return np.arcsin(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1 - x * x).sqrt(),)


class Acos(Op):
    """y = acos(x);   dL/dx = -g / sqrt(1 - x**2)"""

    def forward(self, x):
        return np.arccos(x)

    def backward(self, g):
        x = self.inputs[0]
        return (-g / (1 - x * x).sqrt(),)


class Atan(Op):
    """y = atan(x);   dL/dx = g / (1 + x**2)"""

    def forward(self, x):
        return np.arctan(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1 + x * x),)


class Atan2(Op):
    """y = atan2(a, b), the angle of the point (b, a);   dL/da = g b / (a²+b²),   dL/db = -g a / (a²+b²)"""

    def forward(self, a, b):
        return np.arctan2(a, b)

    def backward(self, g):
        a, b = self.inputs
        r2 = a * a + b * b
        return g * b / r2, -g * a / r2


# ---------------------------------------------------------------------- hyperbolic functions


class Sinh(Op):
    """y = sinh(x) = (e**x - e**-x) / 2;   dL/dx = g * cosh(x)"""

    def forward(self, x):
        return np.sinh(x)

    def backward(self, g):
        return (g * Cosh()(self.inputs[0]),)


class Cosh(Op):
    """y = cosh(x) = (e**x + e**-x) / 2;   dL/dx = g * sinh(x)"""

    def forward(self, x):
        return np.cosh(x)

    def backward(self, g):
        return (g * Sinh()(self.inputs[0]),)


class Asinh(Op):
    """y = asinh(x);   dL/dx = g / sqrt(x**2 + 1)"""

    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x + 1).sqrt(),)


class Acosh(Op):
    """y = acosh(x) (x >= 1);   dL/dx = g / sqrt(x**2 - 1)"""

    def forward(self, x):
        return np.arccosh(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x - 1).sqrt(),)


class Atanh(Op):
    """y = atanh(x) (|x| < 1);   dL/dx = g / (1 - x**2)"""

    def forward(self, x):
        return np.arctanh(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1 - x * x),)


# ---------------------------------------------------------------------- two-argument functions


class CopySign(Op):
    """y = |a| with the sign of b;   dL/da = g * y / a (0 at a = 0),   dL/db = 0"""

    def forward(self, a, b):
        return np.copysign(a, b)

    def backward(self, g):
        a, b = (x.array if hasattr(x, "array") else np.asarray(x) for x in self.inputs)
        # y / a is +1 or -1: a constant, so this rule is also its own second derivative.
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(a == 0, 0, np.copysign(1, a) * np.copysign(1, b))
        return g * wrap(ratio.astype(g.array.dtype)), g * 0.0


class LogAddExp(Op):
    """y = log(e**a + e**b), without overflow;   dL/da = g * sigmoid(a - b),   dL/db = g * sigmoid(b - a)"""

    def forward(self, a, b):
        return np.logaddexp(a, b)

    def backward(self, g):
        a, b = self.inputs
        d = a - b
        return g * d.sigmoid(), g * (-d).sigmoid()


# ---------------------------------------------------------------------- function forms


def log2(x):
    """Base-2 logarithm elementwise (dL/dx = g / (x ln 2))."""
    return Log2()(A._float(x))


def log10(x):
    """Base-10 logarithm elementwise (dL/dx = g / (x ln 10))."""
    return Log10()(A._float(x))


def log1p(x):
    """ln(1 + x) elementwise, accurate when x is tiny."""
    return Log1p()(A._float(x))


def exp2(x):
    """2**x elementwise."""
    return Exp2()(A._float(x))


def expm1(x):
    """e**x - 1 elementwise, accurate when x is tiny."""
    return Expm1()(A._float(x))


def tan(x):
    """Tangent elementwise (dL/dx = g (1 + tan(x)**2))."""
    return Tan()(A._float(x))


def asin(x):
    """Inverse sine elementwise; |x| > 1 gives nan."""
    return Asin()(A._float(x))


def acos(x):
    """Inverse cosine elementwise; |x| > 1 gives nan."""
    return Acos()(A._float(x))


def atan(x):
    """Inverse tangent elementwise."""
    return Atan()(A._float(x))


def atan2(input, other):  # noqa: A002 - PyTorch's argument name
    """Angle (radians, in (-pi, pi]) of the point (other, input): atan(input / other) by quadrant."""
    a, b = A._promote(A._t(input), other)  # PyTorch's promotion first, then to a float
    return Atan2()(A._float(a), A._float(b))


def sinh(x):
    """Hyperbolic sine elementwise."""
    return Sinh()(A._float(x))


def cosh(x):
    """Hyperbolic cosine elementwise."""
    return Cosh()(A._float(x))


def asinh(x):
    """Inverse hyperbolic sine elementwise."""
    return Asinh()(A._float(x))


def acosh(x):
    """Inverse hyperbolic cosine elementwise; x < 1 gives nan."""
    return Acosh()(A._float(x))


def atanh(x):
    """Inverse hyperbolic tangent elementwise; |x| >= 1 gives inf / nan."""
    return Atanh()(A._float(x))


def copysign(input, other):  # noqa: A002
    """|input| with the sign of ``other`` (a tensor or a number), elementwise."""
    a, b = A._promote(A._t(input), other)  # PyTorch's promotion first, then to a float
    return CopySign()(A._float(a), A._float(b) if is_tensor(b) else b)


def logaddexp(input, other):  # noqa: A002
    """log(e**input + e**other) elementwise, without overflow."""
    a, b = A._promote(A._t(input), other)
    return LogAddExp()(a, A._t(b))


def lerp(input, end, weight):  # noqa: A002
    """Linear interpolation: input + weight * (end - input).

    Built from primitives, so its derivatives come from the chain rule: dL/dinput = g (1 - w),
    dL/dend = g w, dL/dweight = g (end - input).
    """
    start = A._t(input)
    return start + weight * (end - start)


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh
