"""glassnet.inspect: tools that show the inside of a computation (re-exports only)."""

from .explain import explain_trace, local_derivative_text
from .stats import Stats, describe
from .trace import BackwardRecord, ForwardRecord, Trace, trace
