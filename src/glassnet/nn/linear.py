"""Linear (the fully connected layer y = x W^T + b, initialised as PyTorch does), LazyLinear and Bilinear."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..creation import empty
from ..dtypes import to_dtype
from ..errors import DTypeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .errors import call_function_form, layer_size
from .functional.linear import dtype_mismatch_message, linear_args_fit
from .module import Module
from .parameter import Parameter

__all__ = ["Bilinear", "LazyLinear", "Linear"]


class Linear(Module):
    r"""Fully connected layer: y = x W^T + b.

    Each of the ``out_features`` outputs is a weighted sum of all ``in_features`` inputs
    plus its own offset: y[..., j] = sum_k x[..., k] W[j, k] + b[j]. ``forward`` checks the
    input (naming the layer in any error) and calls ``F.linear``: one fused op, whose
    gradients are dL/dx = g W, dL/dW = g^T x and dL/db = sum of g over the batch (see
    ``glassnet.ops.nn.Linear``).

    Args:
        in_features: size of each input sample (the last dimension of x).
        out_features: size of each output sample.
        bias: learn the offset b (default True); with False the layer is y = x W^T.
        device: accepted for PyTorch compatibility; only ``None`` / ``"cpu"``.
        dtype: dtype of the parameters (default float32).

    Shape:
        input (*, in_features), any number of leading dimensions (zero included);
        output (*, out_features).

    Attributes:
        weight: Parameter of shape (out_features, in_features), initialised from
            U(-1/sqrt(in_features), 1/sqrt(in_features)) (``kaiming_uniform_`` with
            a = sqrt(5), PyTorch's default).
        bias: Parameter of shape (out_features,), from the same distribution; or None.

    Example::

        >>> fc = nn.Linear(784, 10)
        >>> fc(glassnet.randn(32, 784)).shape
        (32, 10)
        >>> fc
        Linear(in_features=784, out_features=10, bias=True)
    """

    in_features: int
    out_features: int
    weight: Parameter

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            layer_size("Linear", name, value, smallest=0)
        if device not in (None, "cpu"):
            raise ValueError(f"Linear: glassnet runs on the CPU only, got device={device!r}")
        dtype = to_dtype(dtype) if dtype is not None else None
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights: W, b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).

        That is ``kaiming_uniform_(W, a=sqrt(5))`` (gain sqrt(1/3), bound gain * sqrt(3 /
        fan_in)) and the same bound for the bias, exactly PyTorch's defaults. Draws come from
        the global generator, so ``glassnet.manual_seed`` makes them reproducible.
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        weight, bias = self.weight, self.bias
        if not linear_args_fit(input, weight, bias):
            self._raise_input_error(input)
        return F.linear(input, weight, bias)

    def _raise_input_error(self, input: Any) -> None:
        """Raise, naming this layer: a shape problem first, else the dtype mismatch."""
        self.check_input_shape(input, ("*", self.in_features))
        raise self.layer_error(dtype_mismatch_message(input, self.weight, self.bias), DTypeError)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class LazyLinear(Linear):
    """A Linear layer whose ``in_features`` is read from its first input.

    Until then its weight has shape (out_features, 0). The first call gives the weight its
    shape in place (so an optimizer made before it still holds the same Parameter), draws it
    as Linear does, and the layer becomes a plain ``Linear``, as in PyTorch.

    Example::

        >>> fc = nn.LazyLinear(10)
        >>> fc(glassnet.randn(4, 7)).shape, fc.in_features
        ((4, 10), 7)
    """

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:  # fmt: skip
        super().__init__(0, out_features, bias, device, dtype)

    def reset_parameters(self) -> None:
        if self.in_features:  # nothing to draw until the first input gives the shape
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        if self.in_features == 0 and getattr(input, "ndim", 0) >= 1 and input.shape[-1] > 0:
            self.in_features = int(input.shape[-1])
            with no_grad():
                dtype = self.weight.array.dtype
                self.weight.array = np.empty((self.out_features, self.in_features), dtype)
                self.weight._version[0] += 1
            self.reset_parameters()
            self.__class__ = Linear
        return Linear.forward(self, input)


class Bilinear(Module):
    r"""y = x1^T A x2 + b for each of the ``out_features`` outputs (``F.bilinear``).

    Args:
        in1_features, in2_features: the sizes of the two inputs' last axes.
        out_features: the number of outputs (one matrix A_o each).
        bias: learn b (default True).

    Attributes:
        weight: (out_features, in1_features, in2_features) and bias (out_features,), both from
            U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as PyTorch draws them.

    Example::

        >>> nn.Bilinear(3, 4, 2)(glassnet.randn(5, 3), glassnet.randn(5, 4)).shape
        (5, 2)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        if device not in (None, "cpu"):
            raise ValueError(f"Bilinear: glassnet runs on the CPU only, got device={device!r}")
        dtype = to_dtype(dtype) if dtype is not None else None
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return call_function_form(self, F.bilinear, input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")  # fmt: skip
