"""Shared pytest fixtures: a fixed seed for every test, and float64 tolerances."""

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same global random state."""
    gn.manual_seed(0)
    np.random.seed(0)
    yield
