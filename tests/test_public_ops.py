"""glassnet re-exports the op functions named in ops/api.py's __all__, as those same functions."""

import glassnet as gn
from glassnet.ops import api


def test_every_name_in_all_is_a_glassnet_function():
    assert len(api.__all__) == len(set(api.__all__)), "a name listed twice"
    for name in api.__all__:
        assert getattr(gn, name) is getattr(api, name), name
        assert callable(getattr(gn, name)), name


def test_the_torch_names_a_learner_reaches_for_first_are_there():
    expected = {"exp", "log", "sum", "mean", "matmul", "cat", "stack", "where", "softmax"}
    assert expected <= set(api.__all__)
    assert gn.exp(gn.tensor([0.0])).item() == 1.0
