"""glassnet.inspect: tools that show the inside of a computation (re-exports only)."""

from .activations import LayerCall, activations, record_layers
from .anomaly import AnomalyError, detect_anomaly
from .explain import explain_trace, local_derivative_text
from .gradients import GradientCheck, GradientCheckError, ParameterCheck, check_gradients
from .graph import Graph, render, to_dot
from .plots import (
    animate_decision_boundary,
    decision_boundary_grid,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_first_layer_weights,
    plot_histograms,
    plot_history,
    plot_misclassified,
)
from .report import build_report, write_report
from .stats import Stats, describe
from .trace import BackwardRecord, ForwardRecord, Trace, trace
from .why import Explanation, why
