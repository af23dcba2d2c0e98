"""glassnet.inspect: tools that show the inside of a computation (re-exports only)."""

from .explain import explain_trace, local_derivative_text
from .stats import Stats, describe
from .trace import BackwardRecord, ForwardRecord, Trace, trace
from .graph import Graph, render, to_dot
from .activations import LayerCall, activations, record_layers
from .why import Explanation, why
from .anomaly import AnomalyError, detect_anomaly
from .gradients import GradientCheck, GradientCheckError, ParameterCheck, check_gradients
