"""Activation layers (ReLU, GELU, Softmax, ...): the nonlinearities of glassnet.nn.functional as Modules.

Each layer holds only its settings and calls the function of the same name in
``glassnet.nn.functional`` (where the maths and derivatives are documented). They accept
input of any shape and return the same shape, except Softmax-like layers that need ``dim``
to exist and GLU, which halves one dimension. PReLU is the only one with a parameter.

``inplace=True`` is accepted for PyTorch compatibility: the values are the same but are
computed out of place (the input is not modified).
"""

from __future__ import annotations

from typing import Any

from ..creation import full
from ..errors import IndexRangeError
from ..tensor import Tensor
from . import functional as F
from .errors import layer_size
from .functional._args import shape_text
from .module import Module
from .parameter import Parameter

__all__ = [
    "Softmax2d",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "RReLU",
    "PReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "LogSigmoid",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Tanh",
    "Tanhshrink",
    "Hardshrink",
    "Softshrink",
    "Softsign",
    "Softplus",
    "Threshold",
    "GLU",
    "Softmax",
    "Softmin",
    "LogSoftmax",
]


class _Activation(Module):
    """Shared by the elementwise activations: the input check and the ``inplace`` flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def _input(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            self.check_input_shape(x, ("*",))  # raises a TypeError naming this layer
        return x

    def _inplace_suffix(self) -> str:
        return ", inplace=True" if self.inplace else ""

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Activation):
    """ReLU(x) = max(x, 0), elementwise.

    Shape: input (*), output (*), same shape.

    Example::

        >>> nn.ReLU()(glassnet.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(self._input(input))


class ReLU6(_Activation):
    """ReLU6(x) = min(max(x, 0), 6), elementwise (a ReLU capped at 6)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(self._input(input))


class LeakyReLU(_Activation):
    """LeakyReLU(x) = x if x > 0 else negative_slope * x, elementwise.

    Args:
        negative_slope: slope for negative inputs (default 0.01).
        inplace: accepted for compatibility.

    Example::

        >>> nn.LeakyReLU(0.1)(glassnet.tensor([-2.0, 3.0]))
        tensor([-0.2000, 3.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(self._input(input), self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{self._inplace_suffix()}"


class RReLU(_Activation):
    """Randomized leaky ReLU: x for x > 0, else a x with a random slope a while training.

    Training mode draws a ~ Uniform(lower, upper) per element on every call (from glassnet's
    generator); evaluation mode uses the mean slope (lower + upper) / 2. See ``F.rrelu``.

    Args:
        lower, upper: the range of the slope (defaults 1/8 and 1/3).
        inplace: accepted for compatibility.

    Shape: input (*), output the same shape.

    Example::

        >>> nn.RReLU().eval()(glassnet.tensor([-2.0, 3.0]))   # slope (1/8 + 1/3) / 2
        tensor([-0.4583, 3.0000])
    """

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__(inplace)
        if not lower <= upper:
            raise ValueError(
                f"RReLU: lower must be at most upper, got lower={lower}, upper={upper}"
            )
        self.lower, self.upper = lower, upper

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(self._input(input), self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{self._inplace_suffix()}"


class PReLU(Module):
    """PReLU(x) = max(x, 0) + a * min(x, 0) with a learned negative slope a.

    Args:
        num_parameters: 1 (one slope shared by everything) or the number of channels C
            (one slope per channel, the input's dimension 1).
        init: the initial slope (default 0.25).
        dtype: dtype of the slope parameter (default float32).

    Shape: input (*) for one slope, (N, C, *) for C slopes; output the same shape.

    Attributes:
        weight: Parameter of shape (num_parameters,).
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        layer_size("PReLU", "num_parameters", num_parameters)
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), float(init), dtype=dtype or "float32"))

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``."""
        from . import init as nn_init

        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        if self.num_parameters == 1:
            self.check_input_shape(input, ("*",))
        else:
            self.check_input_shape(input, ("N", self.num_parameters, "*"))
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(_Activation):
    """ELU(x) = x if x > 0 else alpha * (e**x - 1), elementwise.

    Args:
        alpha: the value approached for very negative inputs is -alpha (default 1.0).
        inplace: accepted for compatibility.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(self._input(input), self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{self._inplace_suffix()}"


class SELU(_Activation):
    """SELU(x) = scale * ELU(x, alpha), alpha ~ 1.6733, scale ~ 1.0507 (self-normalising nets).

    Use with ``init.kaiming_normal_(w, nonlinearity='linear')`` and AlphaDropout, as in
    Klambauer et al. (2017).
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(self._input(input))


class CELU(_Activation):
    """CELU(x) = x if x > 0 else alpha * (e**(x / alpha) - 1), elementwise (C1-continuous ELU)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(self._input(input), self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{self._inplace_suffix()}"


class GELU(_Activation):
    """GELU(x) = x * Phi(x), Phi the standard normal CDF (the activation of BERT and GPT).

    Args:
        approximate: 'none' (exact, via erf) or 'tanh' (0.5 x (1 + tanh(sqrt(2/pi) (x +
            0.044715 x**3)))).
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(self._input(input), self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Activation):
    """SiLU(x) = x * sigmoid(x), elementwise (also called swish)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(self._input(input))


class Mish(_Activation):
    """Mish(x) = x * tanh(softplus(x)), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(self._input(input))


class Sigmoid(_Activation):
    """Sigmoid(x) = 1 / (1 + e**-x), elementwise: squashes to (0, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(self._input(input))


class LogSigmoid(_Activation):
    """LogSigmoid(x) = log(1 / (1 + e**-x)), elementwise, computed without overflow."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(self._input(input))


class Hardsigmoid(_Activation):
    """Hardsigmoid(x) = 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 in between."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(self._input(input))


class Hardswish(_Activation):
    """Hardswish(x) = x * Hardsigmoid(x) (a cheap SiLU, MobileNetV3)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(self._input(input))


class Hardtanh(_Activation):
    """Hardtanh(x) = min(max(x, min_val), max_val), elementwise.

    Args:
        min_val: lower limit (default -1). max_val: upper limit (default 1).
    """

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__(inplace)
        # min_value / max_value: PyTorch's deprecated spellings of the same arguments.
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        if self.min_val > self.max_val:
            raise ValueError(
                f"Hardtanh: min_val ({self.min_val}) must not exceed max_val ({self.max_val})"
            )

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(self._input(input), self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{self._inplace_suffix()}"


class Tanh(_Activation):
    """Tanh(x) = (e**x - e**-x) / (e**x + e**-x), elementwise: squashes to (-1, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(self._input(input))


class Tanhshrink(_Activation):
    """Tanhshrink(x) = x - tanh(x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(self._input(input))


class Hardshrink(_Activation):
    """Hardshrink(x) = x if |x| > lambd else 0, elementwise: small values set to zero.

    Args:
        lambd: the threshold (default 0.5).

    Shape: input (*), output the same shape.

    Example: ``nn.Hardshrink(0.5)(glassnet.tensor([-1.0, 0.3, 0.7]))`` is [-1, 0, 0.7].
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(self._input(input), self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(_Activation):
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0 (soft thresholding).

    Args:
        lambd: how far every value moves towards zero, >= 0 (default 0.5).

    Shape: input (*), output the same shape.

    Example: ``nn.Softshrink(0.5)(glassnet.tensor([-1.0, 0.3, 0.7]))`` is [-0.5, 0, 0.2].
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        if lambd < 0:
            raise ValueError(f"Softshrink: lambd must be non-negative, got {lambd}")
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(self._input(input), self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softsign(_Activation):
    """Softsign(x) = x / (1 + |x|), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(self._input(input))


class Softplus(_Activation):
    """Softplus(x) = log(1 + e**(beta x)) / beta, a smooth approximation of ReLU.

    Args:
        beta: sharpness (default 1); larger beta is closer to ReLU.
        threshold: above beta x > threshold the layer returns x itself (default 20).
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta == 0:
            raise ValueError("Softplus: beta must not be 0")
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(self._input(input), self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Threshold(_Activation):
    """Threshold(x) = x if x > threshold else value, elementwise."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.threshold = threshold
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(self._input(input), self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{self._inplace_suffix()}"


class _DimActivation(Module):
    """Softmax-like layers: act along one dimension ``dim`` that the input must have."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _input(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            self.check_input_shape(x, ("*",))
        dim = self.dim
        if dim is not None and not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
            # PyTorch raises IndexError for a dim out of range; IndexRangeError is also the
            # ValueError glassnet raised before
            need = dim + 1 if dim >= 0 else -dim
            raise self.layer_error(
                f"expected input of shape with at least {need} dimensions (dim={dim}), "
                f"got {shape_text(x.shape)}",
                IndexRangeError,
            )
        return x

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(_DimActivation):
    """GLU(x) = a * sigmoid(b), where a, b are the two halves of x along ``dim`` (default -1).

    Shape: input (*, 2M, *), output (*, M, *): the gated dimension is halved.
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__(dim)

    def forward(self, input: Tensor) -> Tensor:
        x = self._input(input)
        if x.ndim == 0 or x.shape[self.dim] % 2:
            raise self.input_error(f"with an even size along dim {self.dim}", x.shape)
        return F.glu(x, self.dim)


class Softmax(_DimActivation):
    """Softmax(x)_i = e**x_i / sum_j e**x_j along ``dim``: each slice becomes probabilities.

    Args:
        dim: the dimension that sums to 1 (e.g. ``dim=-1`` or ``dim=1`` for (N, classes)
            scores). None picks PyTorch's legacy default with a warning.

    Shape: input (*), output the same shape.

    Example::

        >>> nn.Softmax(dim=-1)(glassnet.tensor([[1.0, 1.0]]))
        tensor([[0.5000, 0.5000]])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(self._input(input), self.dim)


class Softmax2d(Module):
    """Softmax over the channels of each pixel: (N, C, H, W) or (C, H, W) input, the channel
    axis (-3) summing to 1 at every position."""

    def forward(self, input: Tensor) -> Tensor:
        if getattr(input, "ndim", 0) not in (3, 4):
            raise self.input_error("(N, C, H, W) or (C, H, W)", getattr(input, "shape", ()))
        return F.softmax(input, -3)


class Softmin(_DimActivation):
    """Softmin(x) = Softmax(-x) along ``dim``: the smallest entries get the most weight."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(self._input(input), self.dim)


class LogSoftmax(_DimActivation):
    """LogSoftmax(x) = x - logsumexp(x) along ``dim`` (log-probabilities; pair with NLLLoss)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(self._input(input), self.dim)
