"""Whole objects in a glassnet file: torch.save(model, f), loaded back only with weights_only=False (saved_objects.py)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn
from glassnet.serialization import SerializationError, load, read_manifest, save


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))
        self.register_buffer("seen", gn.zeros(1))
        self.notes = {"name": "net", "sizes": (3, 4, 2), "tags": {"a", "b"}}

    def forward(self, x):
        return self.head(self.bn(self.fc(x)))


class Config:
    def __init__(self, lr, layers):
        self.lr, self.layers = lr, layers


def _trained_net():
    gn.manual_seed(0)
    net = Net()
    opt = gn.optim.SGD(net.parameters(), lr=0.1)
    x = gn.randn(8, 3)
    net(x).pow(2).mean().backward()
    opt.step()
    return net.eval(), x


def test_a_whole_model_comes_back_equal_and_trainable(tmp_path):
    net, x = _trained_net()
    save(net, tmp_path / "net.pt")
    back = load(tmp_path / "net.pt", weights_only=False)
    assert type(back) is Net and back is not net
    np.testing.assert_array_equal(back(x).numpy(), net(x).numpy())
    assert not back.training and not back.bn.training
    assert all(type(p) is nn.Parameter and p.requires_grad for p in back.parameters())
    assert [n for n, _ in back.named_parameters()] == [n for n, _ in net.named_parameters()]
    for (name, a), b in zip(net.state_dict().items(), back.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert back.notes == {"name": "net", "sizes": (3, 4, 2), "tags": {"a", "b"}}
    back.train()
    loss = back(x).pow(2).mean()
    loss.backward()
    assert back.fc.weight.grad is not None and back.fc.weight.grad.shape == (4, 3)
    assert repr(back) == repr(net)


def test_shared_layers_and_cycles_come_back_shared(tmp_path):
    net = Net()
    net.twin = net.fc  # one layer under two names
    holder = Config(0.1, [net, net])
    holder.me = holder  # an object that refers to itself
    save(holder, tmp_path / "h.pt")
    back = load(tmp_path / "h.pt", weights_only=False)
    assert back.layers[0] is back.layers[1] and back.me is back
    assert back.layers[0].twin is back.layers[0].fc
    assert back.layers[0].fc.weight is back.layers[0].twin.weight


def test_loading_an_object_needs_weights_only_false(tmp_path):
    save({"model": Net(), "epoch": 3}, tmp_path / "ckpt.pt")
    for flag in (None, True):
        with pytest.raises(SerializationError, match=r"whole .*Net object.*weights_only=False"):
            load(tmp_path / "ckpt.pt", weights_only=flag)
    assert load(tmp_path / "ckpt.pt", weights_only=False)["epoch"] == 3


def test_files_without_objects_stay_format_1_and_parameters_load_as_tensors(tmp_path):
    net = Net()
    save(net.state_dict(), tmp_path / "sd.pt")
    assert read_manifest(tmp_path / "sd.pt")["format_version"] == 1
    back = load(tmp_path / "sd.pt")
    assert all(type(t) is gn.Tensor for t in back.values())
    save({"p": net.fc.weight}, tmp_path / "p.pt")
    assert type(load(tmp_path / "p.pt")["p"]) is gn.Tensor
    assert type(load(tmp_path / "p.pt", weights_only=False)["p"]) is nn.Parameter
    save(Config(0.1, []), tmp_path / "c.pt")
    assert read_manifest(tmp_path / "c.pt")["format_version"] == 2


def test_sets_round_trip(tmp_path):
    value = {"s": {1, 2.5, "x", None, (1, 2)}, "f": frozenset({3})}
    save(value, tmp_path / "s.pt")
    back = load(tmp_path / "s.pt")
    assert back == value and isinstance(back["f"], frozenset)


def test_code_and_local_classes_are_refused_when_saving(tmp_path):
    class Local:
        pass

    with pytest.raises(TypeError, match=r"obj\['x'\]: its class is defined inside a function"):
        save({"x": Local()}, tmp_path / "a.pt")
    config = Config(0.1, [])
    config.schedule = lambda epoch: 0.1
    with pytest.raises(TypeError, match=r"obj\.schedule.*not functions or code"):
        save(config, tmp_path / "b.pt")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_a_class_that_is_gone_is_one_line(tmp_path):
    save(Config(0.1, []), tmp_path / "c.pt")
    with zipfile.ZipFile(tmp_path / "c.pt") as zf:
        manifest = json.loads(zf.read("__manifest__.json"))
    manifest["root"]["class"] = "__main__:NoSuchConfig"
    with zipfile.ZipFile(tmp_path / "d.pt", "w") as zf:
        zf.writestr("__manifest__.json", json.dumps(manifest))
    with pytest.raises(
        SerializationError, match="NoSuchConfig is not defined in the running script"
    ):
        load(tmp_path / "d.pt", weights_only=False)
    manifest["root"]["class"] = "no_such_module_xyz:Config"
    with zipfile.ZipFile(tmp_path / "e.pt", "w") as zf:
        zf.writestr("__manifest__.json", json.dumps(manifest))
    with pytest.raises(SerializationError, match="cannot import the module 'no_such_module_xyz'"):
        load(tmp_path / "e.pt", weights_only=False)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda root: root.update(object_id="7"), "integer 'object_id'"),
        (lambda root: root.update({"class": "NoColon"}), "module:Name"),
        (lambda root: root.update(attributes=[]), "dict of 'attributes'"),
        (
            lambda root: root["attributes"]["items"].append(
                [{"type": "str", "value": "me"}, {"type": "object_ref", "object_id": 5}]
            ),
            "comes later",
        ),  # fmt: skip
    ],
)
def test_a_damaged_object_node_is_corrupt(tmp_path, change, words):
    save(Config(0.1, []), tmp_path / "c.pt")
    with zipfile.ZipFile(tmp_path / "c.pt") as zf:
        manifest = json.loads(zf.read("__manifest__.json"))
    change(manifest["root"])
    with zipfile.ZipFile(tmp_path / "d.pt", "w") as zf:
        zf.writestr("__manifest__.json", json.dumps(manifest))
    with pytest.raises(SerializationError, match=words) as caught:
        load(tmp_path / "d.pt", weights_only=False)
    assert caught.value.corrupt


def test_the_glassnet_run_script_pattern(tmp_path):
    """torch.save(model, PATH); model = torch.load(PATH, weights_only=False); model.eval()."""
    net, x = _trained_net()
    gn.save(net, tmp_path / "model.pth")
    model = gn.load(tmp_path / "model.pth", weights_only=False)
    model.eval()
    with gn.no_grad():
        np.testing.assert_allclose(model(x).numpy(), net(x).numpy(), rtol=0, atol=0)


def test_a_set_holding_an_unhashable_node_is_corrupt(tmp_path):
    save({"s": {1, 2}}, tmp_path / "s.pt")
    with zipfile.ZipFile(tmp_path / "s.pt") as zf:
        manifest = json.loads(zf.read("__manifest__.json"))
    manifest["root"]["items"][0][1]["items"].append({"type": "list", "items": []})
    with zipfile.ZipFile(tmp_path / "t.pt", "w") as zf:
        zf.writestr("__manifest__.json", json.dumps(manifest))
    with pytest.raises(SerializationError, match="got a list") as caught:
        load(tmp_path / "t.pt")
    assert caught.value.corrupt
