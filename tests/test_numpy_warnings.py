"""NumPy's inf/nan warnings: silent from glassnet's ops (as PyTorch is), loud in user code."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import glassnet as gn

CASES = {
    "log of 0 and -1": lambda: gn.log(gn.tensor([0.0, -1.0])),
    "0 / 0 and 1 / 0": lambda: gn.tensor([1.0, 0.0]) / gn.tensor([0.0, 0.0]),
    "exp overflow": lambda: gn.exp(gn.tensor([1000.0])),
    "a large array divided by 0": lambda: gn.ones(300_000) / 0.0,
    "sqrt's gradient at 0": lambda: _sqrt_grad_at_zero(),
}


def _sqrt_grad_at_zero():
    x = gn.tensor([0.0, 4.0], requires_grad=True)
    gn.sqrt(x).sum().backward()
    return x.grad


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_glassnet_ops_give_ieee_values_without_warnings(case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # what a plain script sees, before our filter
        from glassnet import numpy_warnings

        numpy_warnings.silence_numpy_warnings()
        result = CASES[case]()
    assert [str(w.message) for w in caught] == []
    assert not np.isfinite(result.numpy()).all()  # the inf or nan is there, as in PyTorch


def test_the_users_own_numpy_still_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        from glassnet import numpy_warnings

        numpy_warnings.silence_numpy_warnings()
        np.log(np.zeros(1))
    assert any("divide by zero" in str(w.message) for w in caught)


def test_np_errstate_raise_still_raises_inside_glassnet():
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        gn.log(gn.zeros(3))


def test_a_script_prints_nothing_on_stderr_for_log_of_zero():
    code = "import glassnet as gn; print(gn.log(gn.zeros(2)).tolist())"
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[-inf, -inf]"
    assert done.stderr == ""
