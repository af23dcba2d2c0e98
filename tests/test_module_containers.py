"""Tests of the containers: Sequential, ModuleList, ModuleDict."""

from collections import OrderedDict

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.containers import ModuleDict, ModuleList, Sequential
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter


class Affine(Module):
    """y = x * scale + shift (elementwise), with one parameter, to tell layers apart."""

    def __init__(self, scale=1.0, shift=0.0):
        super().__init__()
        self.scale = Parameter(gn.tensor([float(scale)]))
        self.shift = shift

    def forward(self, x):
        return x * self.scale + self.shift

    def extra_repr(self):
        return f"scale={self.scale.item():g}"


def layers(n):
    return [Affine(scale=i + 2) for i in range(n)]


# ----------------------------------------------------------------------------------------------
# Sequential
# ----------------------------------------------------------------------------------------------


def test_sequential_chains_modules_in_order():
    seq = Sequential(Affine(2), Affine(1, shift=3.0), Affine(10))
    out = seq(gn.tensor([1.0, 2.0]))
    np.testing.assert_allclose(out.numpy(), ((np.array([1.0, 2.0]) * 2) + 3) * 10)
    assert [n for n, _ in seq.named_parameters()] == ["0.scale", "1.scale", "2.scale"]
    assert len(seq) == 3


def test_sequential_from_ordered_dict_keeps_names():
    seq = Sequential(OrderedDict([("first", Affine(2)), ("second", Affine(3))]))
    assert list(seq.state_dict()) == ["first.scale", "second.scale"]
    assert seq.first is seq[0]
    assert list(seq[1:]._modules) == ["second"]


def test_sequential_indexing_slicing_iteration():
    a, b, c = layers(3)
    seq = Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c
    assert list(seq) == [a, b, c]
    part = seq[1:]
    assert isinstance(part, Sequential) and list(part) == [b, c]
    assert list(part._modules) == ["1", "2"]  # PyTorch keeps the original names in a slice
    with pytest.raises(IndexError, match="out of range for 3 modules"):
        seq[3]
    with pytest.raises(TypeError, match="integers or slices"):
        seq["0"]


def test_sequential_append_insert_setitem_delitem_pop():
    a, b, c, d = layers(4)
    seq = Sequential(a)
    seq.append(c).extend([d])
    seq.insert(1, b)
    assert list(seq) == [a, b, c, d] and list(seq._modules) == ["0", "1", "2", "3"]
    seq[0] = d
    assert seq[0] is d
    del seq[0]
    assert list(seq) == [b, c, d] and list(seq._modules) == ["0", "1", "2"]
    assert seq.pop() is d and len(seq) == 2
    with pytest.raises(TypeError, match="takes Modules"):
        seq.append(lambda x: x)
    with pytest.raises(IndexError):
        seq.insert(7, a)


def test_sequential_repr_and_layer_path_errors():
    class Needs3(Module):
        def forward(self, x):
            self.check_input_shape(x, ("N", 3))
            return x

    seq = Sequential(Affine(2), Needs3())
    assert repr(seq) == "Sequential(\n  (0): Affine(scale=2)\n  (1): Needs3()\n)"
    with pytest.raises(ValueError, match=r"^1 \(Needs3\): expected input of shape \(N, 3\)"):
        seq(gn.zeros(2, 4))


def test_sequential_train_eval_and_gradients_reach_all_members():
    seq = Sequential(*layers(3))
    seq.eval()
    assert not any(m.training for m in seq)
    seq(gn.tensor([1.0, 2.0])).sum().backward()
    assert all(m.scale.grad is not None for m in seq)


# ----------------------------------------------------------------------------------------------
# ModuleList
# ----------------------------------------------------------------------------------------------


def test_module_list_registers_members():
    blocks = ModuleList(layers(3))
    model = Module()
    model.blocks = blocks
    assert [n for n, _ in model.named_parameters()] == [
        "blocks.0.scale",
        "blocks.1.scale",
        "blocks.2.scale",
    ]
    assert len(blocks) == 3 and list(blocks) == list(blocks._modules.values())


def test_module_list_operations():
    a, b, c, d = layers(4)
    ml = ModuleList([a])
    ml.append(b)
    ml.extend([d])
    ml.insert(2, c)
    assert list(ml) == [a, b, c, d]
    ml += [Affine()]
    assert len(ml) == 5
    del ml[-1]
    assert ml[-1] is d and ml[1] is b
    sliced = ml[1:3]
    assert isinstance(sliced, ModuleList) and list(sliced) == [b, c]
    ml[0] = d
    assert ml[0] is d
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2"] and list(ml) == [b, c, d]
    assert ml.pop(0) is b
    assert list(ml + ModuleList([a])) == [c, d, a]
    with pytest.raises(IndexError):
        ml[5]
    with pytest.raises(TypeError, match="single Module"):
        ml.extend(Affine())


def test_module_list_has_no_forward():
    with pytest.raises(NotImplementedError, match="ModuleList"):
        ModuleList(layers(1))(gn.zeros(1))


# ----------------------------------------------------------------------------------------------
# ModuleDict
# ----------------------------------------------------------------------------------------------


def test_module_dict_is_dict_like():
    a, b, c = layers(3)
    md = ModuleDict({"a": a, "b": b})
    md["c"] = c
    assert list(md) == ["a", "b", "c"] and list(md.keys()) == ["a", "b", "c"]
    assert list(md.values()) == [a, b, c] and list(md.items())[0] == ("a", a)
    assert "b" in md and "z" not in md and len(md) == 3
    assert [n for n, _ in md.named_parameters()] == ["a.scale", "b.scale", "c.scale"]
    assert md.pop("b") is b and list(md) == ["a", "c"]
    del md["a"]
    md.update([("d", a)])
    assert list(md) == ["c", "d"]
    with pytest.raises(KeyError, match="no key 'zz'"):
        md["zz"]
    with pytest.raises(TypeError, match=r"\(key, module\) pair"):
        md.update([a])
    with pytest.raises(ValueError, match="no '.'"):
        md["x.y"] = a
    md.clear()
    assert len(md) == 0


def test_containers_nested_in_a_model_state_dict_round_trip():
    def build(seed):
        model = Module()
        model.trunk = Sequential(*[Affine(seed + i) for i in range(2)])
        model.heads = ModuleDict({"x": Affine(seed * 2), "y": Affine(seed * 3)})
        return model

    src, dst = build(1), build(5)
    dst.load_state_dict(src.state_dict())
    assert list(dst.state_dict()) == [
        "trunk.0.scale",
        "trunk.1.scale",
        "heads.x.scale",
        "heads.y.scale",
    ]
    for (_, p), (_, q) in zip(src.named_parameters(), dst.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


# ----------------------------------------------------------------------------------------------
# ParameterList / ParameterDict
# ----------------------------------------------------------------------------------------------


def test_parameter_list_registers_and_wraps():
    from glassnet.nn.containers import ParameterList

    pl = ParameterList([gn.zeros(2), Parameter(gn.ones(3))])
    pl.append(np.ones((2, 2), dtype=np.float32))
    assert len(pl) == 3 and all(isinstance(p, Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert pl[-1].shape == (2, 2)
    assert repr(pl).splitlines()[1].strip() == "(0): Parameter containing: [float32 of size (2,)]"
    with pytest.raises(TypeError, match="ParameterList"):
        pl.append("w")


def test_parameter_dict_registers_and_wraps():
    from glassnet.nn.containers import ParameterDict

    pd = ParameterDict({"a": gn.zeros(2)})
    pd["b"] = Parameter(gn.ones(1))
    model = Module()
    model.extra = pd
    assert list(model.state_dict()) == ["extra.a", "extra.b"]
    assert "a" in pd and list(pd.keys()) == ["a", "b"] and len(pd) == 2
    del pd["a"]
    assert list(pd) == ["b"]
    with pytest.raises(KeyError):
        pd["a"]
