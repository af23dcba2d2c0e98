"""A new user's mistakes under ``glassnet run`` and plain ``import glassnet``: one clear line each.

Two parts. The table runs each mistake as PyTorch code with ``torch`` being glassnet, then
(where it is installed) real PyTorch: glassnet raises at its own check, in one line naming
what was expected and what was given, an exception that ``except <PyTorch's type>`` catches,
and PyTorch refuses the same code. The second part runs scripts with ``glassnet run``: a
mistake glassnet refused is the one line ``script.py:LINE: ErrorType: message`` (no
traceback through glassnet's files), while an error of the script's own code, or one that is
not a deliberate check (possibly a glassnet bug), keeps Python's traceback.
"""

from __future__ import annotations

import linecache
import os
import re
import warnings

import pytest
from mistake_cases import check_mistake, namespace, raises_in_glassnet

import glassnet as gn
from glassnet import run

_CLASSES = '''
class Ragged(Dataset):
    """Samples of different lengths: the default collate cannot stack them."""
    def __len__(self):
        return 4
    def __getitem__(self, i):
        return torch.zeros(i + 1)

class Nothing(Dataset):
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return None

class NoSuper(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 2)
'''

# (id, code, the type PyTorch raises, a pattern of glassnet's message)
# fmt: off
MISTAKES = [
    ("linear-wrong-features", "nn.Linear(10, 5)(torch.randn(4, 8))", RuntimeError,
     r"Linear: expected input of shape \(\*, 10\), got \(4, 8\)"),
    ("flatten-forgotten", "nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(2704, 10))"
     "(torch.randn(2, 1, 28, 28))", RuntimeError,
     r"1 \(Linear\): expected input of shape \(\*, 2704\), got \(2, 4, 26, 26\)"),
    ("conv2d-2d-input", "nn.Conv2d(3, 8, 3)(torch.randn(3, 28))", RuntimeError,
     r"Conv2d: expected input of shape \(N, 3, H, W\) or \(3, H, W\), got \(3, 28\)"),
    ("conv2d-5d-input", "nn.Conv2d(3, 8, 3)(torch.randn(1, 1, 3, 8, 8))", RuntimeError,
     r"Conv2d: expected .*\(N, 3, H, W\).*got \(1, 1, 3, 8, 8\)"),
    ("conv2d-wrong-channels", "nn.Conv2d(3, 8, 3)(torch.randn(2, 1, 8, 8))", RuntimeError,
     r"Conv2d: expected input of shape \(N, 3, H, W\).*got \(2, 1, 8, 8\)"),
    ("ce-one-hot-wrong-width", "F.cross_entropy(torch.randn(4, 3), torch.zeros(4, 5))",
     RuntimeError, r"cross_entropy: expected target of shape \(4,\).* or \(4, 3\).*got \(4, 5\)"),
    ("ce-float-class-indices", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0., 1, 2, 1]))",
     RuntimeError, r"cross_entropy: .*dtype float32; class indices must be integers"),
    ("ce-index-too-large", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 3, 1]))",
     IndexError, r"cross_entropy: target contains class index 3, but the input has 3 classes"),
    ("ce-negative-index", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, -2, 1, 1]))",
     IndexError, r"class index -2.*valid indices are 0 to 2"),
    ("ce-target-n-by-1", "F.cross_entropy(torch.randn(4, 3), torch.tensor([[0], [1], [2], [1]]))",
     RuntimeError, r"expected target of shape \(4,\).*got \(4, 1\)"),
    ("ce-batch-mismatch", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2]))",
     ValueError, r"expected target of shape \(4,\).*got \(3,\)"),
    ("mse-no-broadcast", "F.mse_loss(torch.randn(4, 3), torch.randn(5))", RuntimeError,
     r"mse_loss: target of shape \(5,\) does not match input of shape \(4, 3\)"),
    ("bce-on-logits", "F.binary_cross_entropy(torch.tensor([-2., 0.5, 3.]), torch.ones(3))",
     RuntimeError, r"between 0 and 1, got values from -2 to 3"),
    ("bce-int-target", "F.binary_cross_entropy(torch.rand(4), torch.tensor([0, 1, 1, 0]))",
     RuntimeError, r"binary_cross_entropy: target must be floating.*int64"),
    ("bce-logits-int-target",
     "F.binary_cross_entropy_with_logits(torch.randn(4), torch.tensor([0, 1, 1, 0]))",
     RuntimeError, r"binary_cross_entropy_with_logits: target must be floating.*int64"),
    ("bce-logits-shape", "F.binary_cross_entropy_with_logits(torch.randn(4, 1), torch.ones(4))",
     ValueError, r"target must have the input's shape \(4, 1\), got \(4,\)"),
    ("backward-non-scalar", "(torch.randn(3, requires_grad=True) * 2).backward()",
     RuntimeError, r"only for scalar outputs, but the output has shape \(3,\)"),
    ("backward-twice",
     "x = torch.randn(3, requires_grad=True); y = x.exp().sum(); y.backward(); y.backward()",
     RuntimeError, r"second time.*retain_graph=True"),
    ("item-of-many", "torch.randn(3).item()", RuntimeError,
     r"item\(\) needs a tensor with exactly one element, got shape \(3,\)"),
    ("inplace-on-leaf", "torch.randn(3, requires_grad=True).add_(1)", RuntimeError,
     r"leaf tensor that requires grad.*in-place"),
    ("optimizer-given-model", "optim.SGD(nn.Linear(2, 2), lr=0.1)", TypeError,
     r"iterable of Tensors or dicts, but got Linear"),
    ("optimizer-empty-params", "optim.SGD([], lr=0.1)", ValueError, r"empty parameter list"),
    ("collate-different-sizes", "next(iter(DataLoader(Ragged(), batch_size=4)))", RuntimeError,
     r"same shape; sample 0 has shape \(1,\) but sample 1 has shape \(2,\)"),
    ("collate-none", "next(iter(DataLoader(Nothing(), batch_size=2)))", TypeError,
     r"cannot batch samples of type NoneType"),
    ("batch-size-zero", "DataLoader(list(range(4)), batch_size=0)", ValueError,
     r"batch_size must be a positive integer, got 0"),
    ("index-out-of-range", "torch.randn(3)[5]", IndexError, r"5.*out of bounds.*size 3"),
    ("view-non-contiguous", "torch.randn(3, 4).t().view(12)", RuntimeError,
     r"view: .*cannot be viewed as shape \(12,\).*reshape"),
    ("cat-mismatch", "torch.cat([torch.randn(2, 3), torch.randn(2, 4)])", RuntimeError,
     r"cat: .*\(2, 3\).*\(2, 4\)"),
    ("cat-empty", "torch.cat([])", ValueError, r"cat: expected a non-empty sequence"),
    ("matmul-mismatch", "torch.randn(2, 3) @ torch.randn(4, 5)", RuntimeError,
     r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied"),
    ("float64-into-float32-model", "nn.Linear(3, 2)(torch.randn(4, 3, dtype=torch.float64))",
     RuntimeError, r"Linear: .*same floating dtype, got input float64, weight float32"),
    ("int-into-linear", "nn.Linear(3, 2)(torch.tensor([[1, 2, 3]]))", RuntimeError,
     r"Linear: .*got input int64"),
    ("ragged-list", "torch.tensor([[1, 2], [3]])", ValueError,
     r"ragged.*expected a sequence of length 2 at dim 1, got a sequence of length 1"),
    ("embedding-float-indices", "nn.Embedding(10, 3)(torch.tensor([1., 2.]))", RuntimeError,
     r"Embedding: expected a Tensor of integer indices.*float32"),
    ("embedding-index-too-large", "nn.Embedding(10, 3)(torch.tensor([1, 10]))", IndexError,
     r"Embedding: index 10 .*out of range.*size 10"),
    ("lstm-wrong-features", "nn.LSTM(8, 16, batch_first=True)(torch.randn(4, 5, 7))",
     RuntimeError, r"LSTM: expected input of shape \(N, L, 8\).*got \(4, 5, 7\)"),
    ("requires-grad-on-int", "torch.tensor([1, 2, 3], requires_grad=True)", RuntimeError,
     r"only floating tensors can require gradients.*int64"),
    ("forgot-super-init", "NoSuper()", AttributeError, r"super\(\).__init__\(\)"),
    ("sequential-given-list", "nn.Sequential([nn.Linear(2, 2), nn.ReLU()])", TypeError,
     r"Sequential takes Modules, got list"),
    ("load-state-dict-of-module", "nn.Linear(2, 2).load_state_dict(nn.Linear(2, 2))",
     TypeError, r"expects a mapping of names to tensors, got Linear"),
    ("batchnorm-wrong-channels", "nn.BatchNorm2d(3)(torch.randn(2, 4, 5, 5))", RuntimeError,
     r"BatchNorm2d: expected input of shape \(N, 3, H, W\), got \(2, 4, 5, 5\)"),
    ("kernel-larger-than-input", "nn.Conv2d(1, 1, 5)(torch.randn(1, 1, 3, 3))", RuntimeError,
     r"Conv2d: .*H >= 5 and W >= 5.*got \(1, 1, 3, 3\)"),
    ("sum-dim-out-of-range", "torch.randn(3, 4).sum(dim=2)", IndexError,
     r"sum: dim 2 is out of range for a tensor with 2 dimensions"),
]
# fmt: on


@pytest.mark.parametrize(("code", "torch_type", "match"), [c[1:] for c in MISTAKES],
                         ids=[c[0] for c in MISTAKES])  # fmt: skip
def test_mistake_is_one_clear_line_and_torch_refuses_too(code, torch_type, match):
    check_mistake(code, torch_type, match, _CLASSES)


@pytest.mark.parametrize("loss", ["F.cross_entropy", "nn.CrossEntropyLoss()", "F.nll_loss"])
def test_swapped_input_and_target_is_named(loss):
    code = f"{loss}(torch.tensor([0, 1, 2, 1]), torch.randn(4, 3))"
    match = (
        r"expected a floating input, got dtype int64 and shape \(4,\) with a floating target "
        r"of shape \(4, 3\); were input and target swapped\?"
    )
    raises_in_glassnet(code, TypeError, match)
    torch = pytest.importorskip("torch")
    with pytest.raises((NotImplementedError, RuntimeError)):
        exec(code, namespace(torch))


def test_the_swap_hint_leaves_a_right_call_alone():
    logits = gn.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]])
    loss = gn.nn.functional.cross_entropy(logits, gn.tensor([0, 1]))
    # mean of -log softmax: 2.2413 - 2 = 0.2413 (row 0) and log(2 + e) - 1 = 0.5514 (row 1)
    assert loss.item() == pytest.approx(0.39637, abs=1e-4)


def test_load_state_dict_names_the_missing_and_unexpected_keys():
    with pytest.raises(RuntimeError) as caught:
        gn.nn.Linear(2, 2).load_state_dict({"w": gn.zeros(2, 2)})
    message = str(caught.value)
    assert "Missing key(s) in state_dict: 'weight', 'bias'" in message
    assert "Unexpected key(s) in state_dict: 'w'" in message
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.Linear(2, 2).load_state_dict({"w": torch.zeros(2, 2)})


def test_load_state_dict_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"weight: the state_dict has shape \(2, 3\), the "
                       r"model has shape \(2, 2\)"):  # fmt: skip
        gn.nn.Linear(2, 2).load_state_dict(gn.nn.Linear(3, 2).state_dict())


def test_loading_a_text_file_says_it_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match=r"not a glassnet file: it is not a zip archive"):
        gn.load(str(path))
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception):  # noqa: B017 - PyTorch 2.13 raises a bare KeyError here
        torch.load(str(path))


def test_softmax_without_dim_warns_like_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gn.nn.functional.softmax(gn.randn(2, 3))
    assert any("Implicit dimension choice for softmax" in str(w.message) for w in caught)


def test_mse_refuses_n_by_1_against_n_where_torch_only_warns():
    # glassnet's deliberate choice: broadcasting (N, 1) against (N,) gives an (N, N) loss.
    with pytest.raises(RuntimeError, match=r"broadcasting them would give shape \(4, 4\)"):
        gn.nn.functional.mse_loss(gn.randn(4, 1), gn.randn(4))


# ----------------------------------------------------------------------------------------------
# glassnet run: a refused mistake is one line at the script's own line
# ----------------------------------------------------------------------------------------------

_HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

# fmt: off
SCRIPTS = [
    ("linear", "model = nn.Linear(10, 5)\nmodel(torch.randn(4, 8))\n", 5,
     r"ShapeError: Linear: expected input of shape \(\*, 10\), got \(4, 8\)"),
    ("inside-the-scripts-forward",
     "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.fc = nn.Linear(3, 2)\n    def forward(self, x):\n        return self.fc(x)\n"
     "Net()(torch.randn(2, 4))\n", 9,
     r"ShapeError: fc \(Linear\): expected input of shape \(\*, 3\), got \(2, 4\)"),
    ("wrong-forward-keyword", "nn.Linear(2, 2)(inputs=torch.randn(1, 2))\n", 4,
     r"TypeError: Linear.forward\(\) got an unexpected keyword argument 'inputs'"),
    ("missing-checkpoint", "torch.load('no_such_file.pt')\n", 4,
     r"FileNotFoundError: .*no_such_file.pt"),
    ("class-index-out-of-range",
     "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 3, 1]))\n", 4,
     r"IndexRangeError: cross_entropy: target contains class index 3"),
    ("backward-twice",
     "x = torch.randn(3, requires_grad=True)\ny = x.exp().sum()\ny.backward()\ny.backward()\n",
     7, r"RuntimeError: Trying to backward through the graph a second time"),
]
# fmt: on


@pytest.mark.parametrize(("body", "line", "match"), [c[1:] for c in SCRIPTS],
                         ids=[c[0] for c in SCRIPTS])  # fmt: skip
def test_glassnet_run_prints_a_refused_mistake_as_one_line(body, line, match, tmp_path, capsys,
                                                           monkeypatch):  # fmt: skip
    monkeypatch.delenv("GLASSNET_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "script.py"
    script.write_text(_HEADER + body)
    assert run.main([str(script)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "/glassnet/" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"{script}:{line}: "), err
    assert re.search(match, err), err


def test_glassnet_debug_keeps_the_whole_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GLASSNET_DEBUG", "1")
    script = tmp_path / "script.py"
    script.write_text(_HEADER + "nn.Linear(10, 5)(torch.randn(4, 8))\n")
    assert run.main([str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "glassnet/nn/linear.py" in err
    assert "ShapeError: Linear: expected input of shape (*, 10), got (4, 8)" in err


def test_an_error_of_the_scripts_own_code_inside_a_dataset_keeps_its_traceback(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("GLASSNET_DEBUG", raising=False)
    script = tmp_path / "script.py"
    script.write_text(
        "import torch\nfrom torch.utils.data import DataLoader, Dataset\n"
        "class D(Dataset):\n    def __len__(self):\n        return 3\n"
        "    def __getitem__(self, i):\n        return torch.ones(2) / undefined_name\n"
        "next(iter(DataLoader(D(), batch_size=2)))\n"
    )
    assert run.main([str(script)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "NameError: name 'undefined_name'" in err
    assert f'File "{script}", line 7, in __getitem__' in err


def _message_of_fake_glassnet_file(source: str) -> str | None:
    """``refused_input_message`` of what calling ``f()``, defined in a file inside glassnet's
    package folder, raised (the source is in linecache while the message is made)."""
    filename = os.path.join(run._PACKAGE_DIR, "fake_for_tests.py")
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    try:
        scope: dict = {}
        exec(compile(source, filename, "exec"), scope)
        try:
            scope["f"]()
        except Exception as error:  # noqa: BLE001 - the test looks at whatever it is
            return run.refused_input_message(error)
    finally:
        linecache.cache.pop(filename, None)
    raise AssertionError("f() did not raise")


def test_an_error_glassnet_did_not_raise_on_purpose_keeps_its_traceback():
    # An AttributeError on a None inside glassnet may be a bug: never reduced to one line.
    assert _message_of_fake_glassnet_file("def f():\n    return None.shape\n") is None


def test_a_raise_in_glassnet_is_reported_at_the_callers_line():
    message = _message_of_fake_glassnet_file(
        "def f():\n    raise ValueError('f: expected 1, got 2')\n"
    )
    assert message is not None and message.endswith(": ValueError: f: expected 1, got 2")
    assert message.startswith(__file__ + ":")


def test_an_unknown_keyword_names_the_torch_function_the_script_called(tmp_path, capsys):
    import glassnet.jit  # noqa: F401 - a submodule with its own `save`, loaded first

    script = tmp_path / "script.py"
    script.write_text(_HEADER + f"torch.save({{}}, {str(tmp_path / 'x.pt')!r}, foo=1)\n")
    assert run.main([str(script)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "glassnet does not implement the foo= argument of torch.save yet", err
