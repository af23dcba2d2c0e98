"""Where Module's parts live (module.py, hooks.py, errors.py) and the one way layers report bad input."""

import ast
from pathlib import Path

import pytest

import glassnet as gn
import glassnet.nn.errors as nn_errors
import glassnet.nn.hooks as nn_hooks
import glassnet.nn.module as nn_module
from glassnet import nn
from glassnet.errors import DTypeError, ShapeError

NN_DIR = Path(nn_module.__file__).parent


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("RemovableHandle", nn_hooks),
        ("register_module_forward_hook", nn_hooks),
        ("register_module_forward_pre_hook", nn_hooks),
        ("call_stack", nn_errors),
    ],
    ids=["handle", "global_forward_hook", "global_pre_hook", "call_stack"],
)
def test_module_re_exports_what_moved_to_hooks_and_errors(name, home):
    assert getattr(nn_module, name) is getattr(home, name)


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported at the top level of a file, leaving out `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize(
    ("file", "forbidden"),
    [("summary.py", ".module"), ("hooks.py", ".module"), ("errors.py", ".module")],
    ids=["summary", "hooks", "errors"],
)
def test_files_module_py_uses_do_not_import_it_at_runtime(file, forbidden):
    assert forbidden not in _runtime_imports(NN_DIR / file)


def test_no_file_under_nn_is_over_800_lines():
    lengths = {p.relative_to(NN_DIR): len(p.read_text().splitlines()) for p in NN_DIR.rglob("*.py")}
    assert max(lengths.values()) <= 800, {p: n for p, n in lengths.items() if n > 800}


class _Picky(nn.Module):
    """Rejects odd inputs through the one helper, and lets other mistakes escape."""

    def forward(self, x):
        if x.shape[-1] % 2:
            raise self.layer_error(f"expected an even last dimension, got {x.shape[-1]}")
        if x.dtype != gn.float32:
            raise self.dtype_error("input", x.dtype, gn.float32)
        return x.reshape(3, -1)  # may fail inside an op for other sizes


def test_layer_error_names_the_layer_once_and_is_a_runtime_error():
    model = nn.Sequential(nn.Identity(), _Picky())
    with pytest.raises(RuntimeError) as caught:
        model(gn.ones(2, 3))
    error = caught.value
    assert isinstance(error, ShapeError)
    assert str(error) == "1 (_Picky): expected an even last dimension, got 3"
    assert not getattr(error, "__notes__", None)  # already named: no second note


def test_dtype_error_from_a_layer_is_a_dtype_error():
    with pytest.raises(DTypeError, match=r"^_Picky: expected input of dtype float32"):
        _Picky()(gn.ones(2, 2, dtype=gn.float64))


def test_other_errors_escaping_forward_get_a_note_naming_the_layer():
    model = nn.Sequential(nn.Identity(), _Picky())
    with pytest.raises(Exception) as caught:
        model(gn.ones(2, 2))  # 4 elements cannot be reshaped to (3, -1)
    assert "(raised inside layer 1 (_Picky))" in getattr(caught.value, "__notes__", [])


def test_input_error_is_a_shape_error_with_the_expected_and_given_shapes():
    layer = nn.Linear(4, 2)
    error = layer.input_error("(*, 4)", (5, 3))
    assert isinstance(error, ShapeError) and isinstance(error, RuntimeError)
    assert str(error) == "Linear: expected input of shape (*, 4), got (5, 3)"
