"""The one circle: ops reach Tensor only through autograd (wrap / is_tensor / as_tensor)."""

import pathlib
import re

import pytest

import glassnet

OPS_DIR = pathlib.Path(glassnet.__file__).parent / "ops"

# Each pattern is a way an op used to reach the Tensor class behind the engine's back.
FORBIDDEN = {
    "calls _make": re.compile(r"_make\("),
    "imports tensor.py": re.compile(r"from \.\.tensor import|import glassnet\.tensor"),
    "uses a load-time slot": re.compile(r"^\s*(Tensor|as_tensor)\s*=", re.MULTILINE),
}


def _op_files():
    return sorted(OPS_DIR.glob("*.py"))


def test_ops_folder_is_found():
    assert len(_op_files()) >= 5


@pytest.mark.parametrize("name", sorted(FORBIDDEN), ids=sorted(FORBIDDEN))
def test_no_op_reaches_tensor_except_through_autograd(name):
    pattern = FORBIDDEN[name]
    offenders = [
        f"{path.name}:{text[: m.start()].count(chr(10)) + 1}"
        for path in _op_files()
        for text in [path.read_text()]
        for m in pattern.finditer(text)
    ]
    assert not offenders, f"ops reach Tensor outside autograd ({name}): {offenders}"


def test_the_tensor_class_is_bound_once_in_autograd():
    assert glassnet.autograd.Tensor is glassnet.Tensor
    assert glassnet.autograd.is_tensor(glassnet.ones(2))
    assert not glassnet.autograd.is_tensor([1.0])
    assert glassnet.as_tensor is glassnet.autograd.as_tensor
