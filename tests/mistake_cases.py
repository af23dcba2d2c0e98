"""What the learner-mistake tables share: one namespace per framework, and the check of one case.

A case is a line of PyTorch code run with ``torch`` being glassnet, then (where it is
installed) real PyTorch. glassnet must raise, at its own code (not inside NumPy), an exception
that ``except <the type PyTorch raises>`` catches, in one line that matches the case's pattern;
PyTorch must raise that type too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn


def namespace(module, classes: str = "") -> dict:
    """The names a case's code may use, for glassnet or for PyTorch: torch, nn, F, optim, np,
    DataLoader, Dataset, IterableDataset, and the classes ``classes`` (source text) defines."""
    if module is gn:
        from glassnet import nn, optim
        from glassnet.data import DataLoader, Dataset, IterableDataset
        from glassnet.nn import functional
    else:
        from torch import nn, optim
        from torch.nn import functional
        from torch.utils.data import DataLoader, Dataset, IterableDataset
    names = {"torch": module, "nn": nn, "F": functional, "optim": optim, "np": np,
             "DataLoader": DataLoader, "Dataset": Dataset,
             "IterableDataset": IterableDataset}  # fmt: skip
    if classes:
        exec(classes, names)
    return names


def raises_in_glassnet(code: str, torch_type: type, match: str, classes: str = "") -> None:
    """glassnet raises, at its own code, one line ``except torch_type`` catches and ``match``es."""
    with pytest.raises(torch_type, match=match) as caught:
        exec(code, namespace(gn, classes))
    message = str(caught.value)
    assert "\n" not in message, message
    assert "/glassnet/" in caught.traceback[-1].path.as_posix()  # not from inside NumPy


def check_mistake(code: str, torch_type: type, match: str, classes: str = "") -> None:
    """As ``raises_in_glassnet``; and PyTorch raises ``torch_type`` for the same code."""
    raises_in_glassnet(code, torch_type, match, classes)
    try:
        import torch
    except ImportError:  # the core suite needs no torch
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(torch_type):
            exec(code, namespace(torch, classes))
