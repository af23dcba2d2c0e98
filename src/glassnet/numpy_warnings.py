"""NumPy's floating-point warnings from glassnet's own code: silent, as PyTorch is silent.

``torch.log(torch.tensor(0.))`` is ``-inf`` and ``0 / 0`` is ``nan``, with nothing printed:
IEEE arithmetic defines both, and a learner watching a loss turn into ``nan`` wants the number,
not a page of ``RuntimeWarning: divide by zero encountered in log`` that names a line inside
glassnet (``ops/elementwise.py``) they never wrote. NumPy warns by default, so glassnet, which
computes with NumPy, asks Python's ``warnings`` machinery once, at import, to ignore exactly
those four messages (divide by zero, invalid value, overflow, underflow) when they are raised
from a module of glassnet. Nothing else changes:

* the same NumPy calls in the user's own code still warn (the filter matches the module the
  warning is raised from, and theirs is not glassnet's);
* ``np.seterr`` / ``np.errstate`` still decide what NumPy does (with ``all="raise"`` glassnet's
  ops raise ``FloatingPointError``, as asked);
* ``glassnet.autograd.detect_anomaly`` and ``fit(detect_anomaly=True)`` find the first
  ``nan`` or ``inf`` an op makes, which is the way to look for one.

It costs nothing per op: the filter is one entry in ``warnings.filters``, consulted only when
NumPy actually warns. ``warnings.resetwarnings()`` or a ``-W error`` option given later win, as
they do for every filter.
"""

from __future__ import annotations

import warnings

__all__ = ["MESSAGES", "MODULES", "silence_numpy_warnings"]

#: The start of NumPy's floating-point warning messages ("divide by zero encountered in log").
MESSAGES = r"(divide by zero|invalid value|overflow|underflow) encountered"
#: The modules whose warnings are silenced: glassnet and its submodules.
MODULES = r"glassnet(\.|$)"


def silence_numpy_warnings() -> None:
    """Ignore NumPy's floating-point RuntimeWarnings raised from glassnet's modules (once)."""
    warnings.filterwarnings("ignore", message=MESSAGES, category=RuntimeWarning, module=MODULES)


silence_numpy_warnings()
