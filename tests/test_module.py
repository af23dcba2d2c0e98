"""Tests of the module system: Parameter, Module (registration, state, hooks), summary."""

import copy
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.nn.module import (
    IncompatibleKeys,
    Module,
    StateDictError,
    call_stack,
    register_module_forward_hook,
    register_module_forward_pre_hook,
)
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor

# ----------------------------------------------------------------------------------------------
# Tiny modules for the tests (the real layers are tested in their own files)
# ----------------------------------------------------------------------------------------------


class TinyLinear(Module):
    """y = x @ W.T + b, with the input check a real layer does."""

    def __init__(self, in_features, out_features, bias=True, seed=0):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = np.random.default_rng(seed)
        self.weight = Parameter(rng.standard_normal((out_features, in_features)).astype("f4"))
        if bias:
            self.bias = Parameter(rng.standard_normal(out_features).astype("f4"))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        self.check_input_shape(x, ("*", self.in_features))
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class TinyReLU(Module):
    def forward(self, x):
        return x.relu()


class Counter(Module):
    """Has a persistent float buffer, an int buffer, and a non-persistent cache."""

    def __init__(self, n=3):
        super().__init__()
        self.register_buffer("running", gn.zeros(n))
        self.register_buffer("steps", gn.tensor(0))
        self.register_buffer("cache", gn.ones(n), persistent=False)

    def forward(self, x):
        if self.training:
            self.running.data += 1
            self.steps.data += 1
        return x


class Encoder(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = TinyLinear(4, 5, seed=1)
        self.act = TinyReLU()
        self.fc2 = TinyLinear(5, 3, seed=2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Net(Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.norm = Counter(3)
        self.head = TinyLinear(3, 2, seed=3)

    def forward(self, x):
        return self.head(self.norm(self.encoder(x)))


NET_PARAMS = [
    "encoder.fc1.weight",
    "encoder.fc1.bias",
    "encoder.fc2.weight",
    "encoder.fc2.bias",
    "head.weight",
    "head.bias",
]
NET_STATE = [*NET_PARAMS[:4], "norm.running", "norm.steps", *NET_PARAMS[4:]]
NET_PARAM_COUNT = (4 * 5 + 5) + (5 * 3 + 3) + (3 * 2 + 2)
# Net's modules by class, children before their parent (the order apply() and forward hooks see).
NET_CHILDREN_FIRST = [
    "TinyLinear",
    "TinyReLU",
    "TinyLinear",
    "Encoder",
    "Counter",
    "TinyLinear",
    "Net",
]


def rand(*shape, requires_grad=False):
    data = np.random.default_rng(sum(shape)).standard_normal(shape).astype("f4")
    return gn.tensor(data, requires_grad=requires_grad)


# ----------------------------------------------------------------------------------------------
# Parameter
# ----------------------------------------------------------------------------------------------


def test_parameter_from_tensor_is_a_leaf_that_shares_memory():
    t = gn.tensor([1.0, 2.0])
    p = Parameter(t)
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert p.numpy() is t.numpy()
    assert not Parameter(t, requires_grad=False).requires_grad


def test_parameter_dtypes_default_float32_and_arrays_are_copied():
    assert Parameter([1, 2]).dtype == np.float32
    assert Parameter(3.0).dtype == np.float32
    a = np.zeros(3)
    p = Parameter(a)
    assert p.dtype == np.float64
    a[0] = 5
    assert p.numpy()[0] == 0
    assert Parameter().shape == (0,)


def test_parameter_with_integer_array_cannot_require_grad():
    with pytest.raises(TypeError, match="int64"):
        Parameter(np.arange(3))
    assert Parameter(np.arange(3), requires_grad=False).dtype == np.int64


def test_parameter_repr_and_results_of_ops_are_plain_tensors():
    p = Parameter(gn.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert type(p * 2) is Tensor
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), [2.0, 4.0])


def test_parameter_deepcopy_is_independent():
    p = Parameter(gn.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    assert type(q) is Parameter and q.requires_grad
    q.numpy()[0] = 9
    assert p.numpy()[0] == 1


# ----------------------------------------------------------------------------------------------
# Registration
# ----------------------------------------------------------------------------------------------


def test_attribute_assignment_registers_parameters_modules_buffers():
    net = Net()
    assert list(net._modules) == ["encoder", "norm", "head"]
    assert list(net.head._parameters) == ["weight", "bias"]
    assert list(net.norm._buffers) == ["running", "steps", "cache"]
    assert isinstance(net.head.weight, Parameter)
    assert net.norm.running.shape == (3,)


def test_parameter_none_is_declared_but_not_listed():
    layer = TinyLinear(3, 2, bias=False)
    assert layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    assert list(layer.state_dict()) == ["weight"]
    layer.bias = Parameter(gn.zeros(2))  # filling the declared slot
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_assigning_a_plain_tensor_to_a_parameter_name_raises_type_error():
    layer = TinyLinear(3, 2)
    with pytest.raises(TypeError, match="parameter 'weight'.*Parameter or None"):
        layer.weight = gn.zeros(2, 3)


def test_assigning_before_super_init_raises_a_helpful_error():
    class Bad(Module):
        def __init__(self):
            self.w = Parameter(gn.zeros(2))

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


@pytest.mark.parametrize(
    "name, error",
    [("a.b", ValueError), ("", ValueError), (3, TypeError), ("training", ValueError)],
    ids=["dot", "empty", "not-str", "existing-attribute"],
)
def test_bad_names_are_rejected(name, error):
    m = Module()
    with pytest.raises(error):
        m.register_buffer(name, gn.zeros(1))
    with pytest.raises(error):
        m.register_parameter(name, Parameter(gn.zeros(1)))


def test_register_rejects_wrong_kinds():
    m = Module()
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", np.zeros(2))
    with pytest.raises(TypeError, match="parameter 'p'"):
        m.register_parameter("p", gn.zeros(2))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("c", "linear")


def test_getattr_and_delattr():
    net = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        net.nope
    del net.head.bias
    assert "bias" not in net.head._parameters
    del net.norm.cache
    assert [n for n, _ in net.norm.named_buffers()] == ["running", "steps"]
    del net.head
    assert "head" not in net._modules
    net.extra = 5
    del net.extra
    assert not hasattr(net, "extra")


def test_reassigning_a_name_with_another_kind():
    m = Module()
    m.x = Parameter(gn.zeros(1))
    with pytest.raises(TypeError, match="parameter 'x'"):
        m.x = TinyReLU()  # as in PyTorch: a parameter slot takes a Parameter or None
    m.register_buffer("y", gn.zeros(1))
    m.y = Parameter(gn.zeros(1))  # a Parameter takes over any name
    assert "y" not in m._buffers and isinstance(m._parameters["y"], Parameter)
    del m.x
    m.x = TinyReLU()
    m.x = None  # a child slot set to None is kept but skipped
    assert list(m.children()) == []
    with pytest.raises(TypeError, match="child module 'x'"):
        m.x = 3


@pytest.mark.parametrize(
    "register, kind",
    [
        (lambda m: m.register_parameter("w", None), "parameter"),
        (lambda m: m.register_buffer("b", None), "buffer"),
        (lambda m: m.add_module("child", None), "module"),
    ],
    ids=["register_parameter", "register_buffer", "add_module"],
)
def test_registering_before_init_names_the_fix(register, kind):
    class Early(Module):
        def __init__(self):
            register(self)  # before super().__init__()

    with pytest.raises(AttributeError, match=rf"cannot register a {kind} before Module.__init__"):
        Early()


def test_buffer_reassignment_keeps_it_a_buffer():
    c = Counter()
    c.running = gn.ones(3)
    assert c._buffers["running"] is c.running
    with pytest.raises(TypeError, match="buffer 'running'"):
        c.running = [1, 2, 3]


def test_get_submodule_and_get_parameter():
    net = Net()
    assert net.get_submodule("encoder.fc2") is net.encoder.fc2
    assert net.get_submodule("") is net
    assert net.get_parameter("encoder.fc1.bias") is net.encoder.fc1.bias
    with pytest.raises(AttributeError, match="encoder has no submodule 'fc9'"):
        net.get_submodule("encoder.fc9")


def test_dir_lists_members():
    names = dir(Net())
    assert {"encoder", "norm", "head", "forward"} <= set(names)


# ----------------------------------------------------------------------------------------------
# Traversal
# ----------------------------------------------------------------------------------------------


def test_named_parameters_order_and_prefixes():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == NET_PARAMS
    assert [n for n, _ in net.named_parameters(prefix="model")] == [
        "model." + n for n in NET_PARAMS
    ]
    assert [n for n, _ in net.head.named_parameters()] == ["weight", "bias"]
    assert list(net.named_parameters(recurse=False)) == []
    assert len(list(net.parameters())) == 6
    assert net.num_parameters() == NET_PARAM_COUNT


def test_named_modules_children_and_buffers():
    net = Net()
    assert [n for n, _ in net.named_modules()] == [
        "",
        "encoder",
        "encoder.fc1",
        "encoder.act",
        "encoder.fc2",
        "norm",
        "head",
    ]
    assert [n for n, _ in net.named_children()] == ["encoder", "norm", "head"]
    assert list(net.children()) == [net.encoder, net.norm, net.head]
    assert next(iter(net.modules())) is net
    assert [n for n, _ in net.named_buffers()] == ["norm.running", "norm.steps", "norm.cache"]
    assert len(list(net.buffers(recurse=False))) == 0


def test_shared_parameter_is_listed_once():
    a, b = TinyLinear(3, 3, seed=1), TinyLinear(3, 3, seed=2)
    b.weight = a.weight  # tied weights
    model = Module()
    model.a, model.b = a, b
    assert [n for n, _ in model.named_parameters()] == ["a.weight", "a.bias", "b.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert model.num_parameters() == 9 + 3 + 3
    # state_dict keeps both names (as PyTorch does), sharing memory
    sd = model.state_dict()
    assert list(sd) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert sd["a.weight"].numpy() is sd["b.weight"].numpy()


def test_shared_module_is_listed_once():
    shared = TinyLinear(2, 2)
    model = Module()
    model.first, model.second = shared, shared
    assert [n for n, _ in model.named_modules()] == ["", "first"]
    assert len(list(model.children())) == 1
    assert len(list(model.parameters())) == 2


# ----------------------------------------------------------------------------------------------
# Modes, gradients, apply, dtype
# ----------------------------------------------------------------------------------------------


def test_train_and_eval_propagate():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.encoder.train()
    assert net.encoder.fc1.training and not net.training and not net.head.training
    with pytest.raises(ValueError, match="bool"):
        net.train("yes")


def test_zero_grad_set_to_none_and_zeros():
    net = Net()
    net(rand(2, 4)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None and np.any(g.numpy() != 0) for g in grads)
    net.zero_grad(set_to_none=False)
    assert all(p.grad is g and not np.any(g.numpy()) for p, g in zip(net.parameters(), grads))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes_parameters():
    net = Net()
    net.encoder.requires_grad_(False)
    net(rand(2, 4)).sum().backward()
    assert net.encoder.fc1.weight.grad is None and net.head.weight.grad is not None
    assert net.num_parameters(trainable_only=True) == 3 * 2 + 2


def test_apply_visits_children_before_parent():
    seen = []
    net = Net()
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == NET_CHILDREN_FIRST


def test_to_double_converts_floating_params_and_buffers_in_place():
    net = Net()
    weight = net.head.weight
    net(rand(2, 4)).sum().backward()
    assert net.double() is net
    assert net.head.weight is weight and weight.dtype == np.float64
    assert weight.grad.dtype == np.float64
    assert net.norm.running.dtype == np.float64 and net.norm.cache.dtype == np.float64
    assert net.norm.steps.dtype == np.int64  # integer buffers are left alone
    assert net(rand(2, 4).double()).dtype == np.float64
    net.to(gn.float32)
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.to("cpu") is net and net.cpu() is net
    net.to(gn.zeros(1, dtype=gn.float64))
    assert net.head.bias.dtype == np.float64


def test_to_rejects_integer_dtypes_and_other_devices():
    with pytest.raises(TypeError, match="floating"):
        Net().to(gn.int64)
    with pytest.raises(RuntimeError, match="CPU"):
        Net().to("cuda")


def test_deepcopy_of_a_model_is_independent():
    net = Net()
    twin = copy.deepcopy(net)
    twin.head.weight.numpy()[...] = 0
    assert np.any(net.head.weight.numpy() != 0)
    assert isinstance(twin.head.weight, Parameter)
    x = rand(2, 4)
    np.testing.assert_allclose(Net()(x).numpy(), net(x).numpy())


# ----------------------------------------------------------------------------------------------
# state_dict / load_state_dict
# ----------------------------------------------------------------------------------------------


def test_state_dict_keys_order_and_values():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == NET_STATE  # params then buffers, module by module; no "norm.cache"
    assert all(type(v) is Tensor and not v.requires_grad for v in sd.values())
    assert sd["head.weight"].numpy() is net.head.weight.numpy()  # detached, shared memory
    assert net.state_dict(keep_vars=True)["head.weight"] is net.head.weight
    assert list(net.head.state_dict(prefix="h.")) == ["h.weight", "h.bias"]


def test_non_persistent_buffer_is_not_in_state_dict():
    c = Counter()
    assert "cache" not in c.state_dict()
    assert "cache" in dict(c.named_buffers())


def test_state_dict_round_trip():
    src, dst = Net(), Net()
    for p in src.parameters():
        p.numpy()[...] = np.random.default_rng(7).standard_normal(p.shape)
    x = rand(3, 4)
    assert not np.allclose(src(x).numpy(), dst(x).numpy())
    src.norm.running.numpy()[...] = [1, 2, 3]
    src.norm.steps.numpy()[...] = 4
    weight, array = dst.head.weight, dst.head.weight.numpy()
    result = dst.load_state_dict({k: v.numpy().copy() for k, v in src.state_dict().items()})
    assert result == IncompatibleKeys([], [])
    assert repr(result) == "<All keys matched successfully>"
    assert dst.head.weight is weight and dst.head.weight.numpy() is array  # copied into place
    src.eval(), dst.eval()
    np.testing.assert_allclose(dst(x).numpy(), src(x).numpy())
    np.testing.assert_array_equal(dst.norm.running.numpy(), [1, 2, 3])
    assert dst.norm.steps.item() == 4


def test_load_converts_dtype_into_the_existing_array():
    layer = TinyLinear(2, 2)
    sd = {k: v.numpy().astype(np.float64) + 1 for k, v in layer.state_dict().items()}
    layer.load_state_dict(sd)
    assert layer.weight.dtype == np.float32
    np.testing.assert_allclose(layer.weight.numpy(), sd["weight"], rtol=1e-6)
    layer.load_state_dict(sd, assign=True)
    assert layer.weight.dtype == np.float64


def _snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _assert_unchanged(model, snapshot):
    now = model.state_dict()
    assert list(now) == list(snapshot)
    for k, v in snapshot.items():
        np.testing.assert_array_equal(now[k].numpy(), v)


def test_load_missing_key_raises_and_changes_nothing():
    net, before = Net(), None
    before = _snapshot(net)
    sd = {k: np.zeros_like(v) for k, v in before.items()}
    del sd["head.bias"]
    with pytest.raises(StateDictError) as info:
        net.load_state_dict(sd)
    message = str(info.value)
    assert "Error(s) in loading state_dict for Net" in message
    assert "Missing key(s) in state_dict: 'head.bias'." in message
    assert "Unexpected" not in message and "Nothing was loaded" in message
    _assert_unchanged(net, before)


def test_load_unexpected_key_raises_and_changes_nothing():
    net = Net()
    before = _snapshot(net)
    sd = {k: np.zeros_like(v) for k, v in before.items()}
    sd["head.gamma"] = np.ones(2)
    with pytest.raises(StateDictError, match=r"Unexpected key\(s\) in state_dict: 'head.gamma'\."):
        net.load_state_dict(sd)
    _assert_unchanged(net, before)


def test_load_wrong_shape_names_both_shapes_and_changes_nothing():
    net = Net()
    before = _snapshot(net)
    sd = {k: np.zeros_like(v) for k, v in before.items()}
    sd["encoder.fc1.weight"] = np.zeros((5, 7))
    with pytest.raises(StateDictError) as info:
        net.load_state_dict(sd)
    assert (
        "size mismatch for encoder.fc1.weight: the state_dict has shape (5, 7), "
        "the model has shape (5, 4)"
    ) in str(info.value)
    _assert_unchanged(net, before)


def test_load_lists_every_problem_at_once():
    net = Net()
    before = _snapshot(net)
    sd = {k: np.zeros_like(v) for k, v in before.items()}
    del sd["norm.steps"]
    sd["extra"] = np.zeros(1)
    sd["head.bias"] = np.zeros(3)
    sd["head.weight"] = "not an array"
    with pytest.raises(StateDictError) as info:
        net.load_state_dict(sd)
    lines = str(info.value).splitlines()
    assert lines[1].strip() == "Missing key(s) in state_dict: 'norm.steps'."
    assert lines[2].strip() == "Unexpected key(s) in state_dict: 'extra'."
    assert (
        lines[3].strip() == "wrong type for head.weight: expected a Tensor or NumPy array, got str"
    )
    assert lines[4].strip().startswith("size mismatch for head.bias: the state_dict has shape (3,)")
    _assert_unchanged(net, before)


def test_state_dict_error_is_value_error_and_runtime_error():
    with pytest.raises(ValueError):
        TinyLinear(2, 2).load_state_dict({})
    with pytest.raises(RuntimeError):
        TinyLinear(2, 2).load_state_dict({})
    with pytest.raises(TypeError, match="mapping"):
        TinyLinear(2, 2).load_state_dict([("weight", np.zeros((2, 2)))])


def test_non_strict_load_reports_keys_but_still_rejects_bad_shapes():
    net = Net()
    sd = {"head.weight": np.ones((2, 3)), "head.extra": np.ones(1)}
    result = net.load_state_dict(sd, strict=False)
    assert result.unexpected_keys == ["head.extra"]
    assert result.missing_keys == [k for k in NET_STATE if k != "head.weight"]
    np.testing.assert_array_equal(net.head.weight.numpy(), np.ones((2, 3)))
    with pytest.raises(StateDictError, match="size mismatch for head.weight"):
        net.load_state_dict({"head.weight": np.ones((3, 2))}, strict=False)


def test_load_bumps_the_version_so_stale_graphs_are_detected():
    layer = TinyLinear(2, 2)
    y = (layer(rand(1, 2)) * layer.weight.pow(2).sum()).sum()  # w ** 2's gradient reads w
    layer.load_state_dict(layer.state_dict())
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


# ----------------------------------------------------------------------------------------------
# repr
# ----------------------------------------------------------------------------------------------


def test_repr_of_nested_model():
    assert repr(Net()) == (
        "Net(\n"
        "  (encoder): Encoder(\n"
        "    (fc1): TinyLinear(in_features=4, out_features=5, bias=True)\n"
        "    (act): TinyReLU()\n"
        "    (fc2): TinyLinear(in_features=5, out_features=3, bias=True)\n"
        "  )\n"
        "  (norm): Counter()\n"
        "  (head): TinyLinear(in_features=3, out_features=2, bias=True)\n"
        ")"
    )


def test_repr_with_extra_repr_and_children():
    class Scaled(Module):
        def __init__(self):
            super().__init__()
            self.inner = TinyReLU()

        def extra_repr(self):
            return "scale=2"

    assert repr(Scaled()) == "Scaled(\n  scale=2\n  (inner): TinyReLU()\n)"


# ----------------------------------------------------------------------------------------------
# Layer paths in errors
# ----------------------------------------------------------------------------------------------


def test_wrong_input_shape_names_the_nested_layer():
    net = Net()
    net.encoder.fc2 = TinyLinear(6, 3)  # a wrong model: fc1 gives 5 features
    with pytest.raises(ValueError) as info:
        net(rand(32, 4))
    assert (
        str(info.value) == "encoder.fc2 (TinyLinear): expected input of shape (*, 6), got (32, 5)"
    )


def test_first_layer_error_and_paths_relative_to_the_called_module():
    net = Net()
    with pytest.raises(
        ValueError, match=r"^encoder\.fc1 \(TinyLinear\): .*\(\*, 4\), got \(32, 100\)$"
    ):
        net(rand(32, 100))
    with pytest.raises(ValueError, match=r"^fc1 \(TinyLinear\): "):
        net.encoder(rand(32, 100))  # the encoder is now the outermost module
    with pytest.raises(
        ValueError, match=r"^TinyLinear: expected input of shape \(\*, 4\), got \(7,\)$"
    ):
        net.encoder.fc1(rand(7))  # a bare layer


def test_non_tensor_input_is_a_type_error_naming_the_layer():
    with pytest.raises(
        TypeError,
        match=r"^encoder\.fc1 \(TinyLinear\): expected input to be a glassnet Tensor, got ndarray",
    ):
        Net()(np.zeros((2, 4)))


def test_check_input_shape_patterns():
    layer = TinyLinear(3, 3)
    ok = [(3,), (2, 3), (4, 2, 3)]
    for shape in ok:
        layer.check_input_shape(gn.zeros(*shape), ("*", 3))
    layer.check_input_shape(gn.zeros(2, 3, 5, 5), ("N", 3, "H", "W"), (3, "H", "W"))
    layer.check_input_shape(gn.zeros(3, 5, 5), ("N", 3, "H", "W"), (3, "H", "W"))
    with pytest.raises(
        ValueError,
        match=r"expected input of shape \(N, 3, H, W\) or \(3, H, W\), got \(2, 4, 5, 5\)",
    ):
        layer.check_input_shape(gn.zeros(2, 4, 5, 5), ("N", 3, "H", "W"), (3, "H", "W"))
    with pytest.raises(ValueError, match=r"expected target of shape \(N,\), got \(2, 2\)"):
        layer.check_input_shape(gn.zeros(2, 2), ("N",), what="target")
    assert (
        str(layer.input_error("(B, T)", (4,)))
        == "TinyLinear: expected input of shape (B, T), got (4,)"
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes need Python 3.11")
def test_other_errors_get_a_note_naming_the_innermost_layer():
    class Broken(Module):
        def forward(self, x):
            raise KeyError("boom")

    net = Net()
    net.encoder.act = Broken()
    with pytest.raises(KeyError) as info:
        net(rand(2, 4))
    assert info.value.__notes__ == ["(raised inside layer encoder.act (Broken))"]


def test_call_stack_lists_running_modules_with_paths():
    seen = []

    class Spy(Module):
        def forward(self, x):
            seen.append([(path, type(m).__name__) for path, m in call_stack()])
            return x

    net = Net()
    net.encoder.act = Spy()
    net(rand(2, 4))
    assert seen == [[("", "Net"), ("encoder", "Encoder"), ("encoder.act", "Spy")]]
    assert call_stack() == []


def test_forward_missing_raises_not_implemented():
    with pytest.raises(
        NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'
    ):
        Module()(1)


# ----------------------------------------------------------------------------------------------
# Forward hooks
# ----------------------------------------------------------------------------------------------


def test_forward_pre_hook_and_forward_hook_see_inputs_and_outputs():
    net = Net()
    calls = []

    def pre(module, args):
        calls.append(("pre", module, args[0].shape))

    def post(module, args, output):
        calls.append(("post", module, args[0].shape, output.shape))

    h1 = net.encoder.fc2.register_forward_pre_hook(pre)
    h2 = net.encoder.fc2.register_forward_hook(post)
    out = net(rand(6, 4))
    assert calls == [("pre", net.encoder.fc2, (6, 5)), ("post", net.encoder.fc2, (6, 5), (6, 3))]
    assert out.shape == (6, 2)
    h1.remove()
    h2.remove()
    h2.remove()  # harmless
    net(rand(6, 4))
    assert len(calls) == 2


def test_hooks_can_replace_inputs_and_outputs():
    layer = TinyLinear(2, 2)
    x = rand(3, 2)
    expected = layer(x * 2).numpy() * 10
    with layer.register_forward_pre_hook(lambda m, args: args[0] * 2):
        with layer.register_forward_hook(lambda m, args, out: out * 10):
            np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6)
    assert not layer._forward_hooks and not layer._forward_pre_hooks  # context exit removed them


def test_hooks_with_kwargs_and_prepend_order():
    class Add(Module):
        def forward(self, x, shift=0.0):
            return x + shift

    m = Add()
    order = []
    m.register_forward_hook(lambda mod, a, out: order.append("second"))
    m.register_forward_hook(lambda mod, a, out: order.append("first"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: (args, {"shift": kwargs["shift"] + 1}), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, a, kw, out: order.append(kw["shift"]), with_kwargs=True)
    out = m(gn.zeros(2), shift=1.0)
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0])
    assert order == ["first", "second", 2.0]


def test_global_module_hooks_see_every_module():
    net = Net()
    names = []
    h1 = register_module_forward_pre_hook(lambda m, args: names.append("pre " + type(m).__name__))
    h2 = register_module_forward_hook(lambda m, args, out: names.append(type(m).__name__))
    try:
        net(rand(1, 4))
    finally:
        h1.remove(), h2.remove()
    assert names[:2] == ["pre Net", "pre Encoder"]
    assert [n for n in names if not n.startswith("pre")] == NET_CHILDREN_FIRST
    net(rand(1, 4))
    assert len(names) == 14


# ----------------------------------------------------------------------------------------------
# Backward hooks
# ----------------------------------------------------------------------------------------------


def _manual_grads(net, x, g):
    """dL/d(fc2 output) and dL/d(fc2 input) for Net with L = sum(out * g), by hand."""
    h = np.maximum(x.numpy() @ net.encoder.fc1.weight.numpy().T + net.encoder.fc1.bias.numpy(), 0)
    grad_fc2_out = g.numpy() @ net.head.weight.numpy()  # head is linear, norm is identity
    grad_fc2_in = grad_fc2_out @ net.encoder.fc2.weight.numpy()
    return h, grad_fc2_out, grad_fc2_in


def test_full_backward_hook_receives_output_and_input_gradients():
    net = Net()
    x, g = rand(3, 4, requires_grad=True), rand(3, 2)
    seen = []
    handle = net.encoder.fc2.register_full_backward_hook(
        lambda m, grad_input, grad_output: seen.append((m, grad_input, grad_output))
    )
    net(x).backward(g)
    _, grad_out, grad_in = _manual_grads(net, x, g)
    assert len(seen) == 1
    module, grad_input, grad_output = seen[0]
    assert module is net.encoder.fc2
    assert len(grad_input) == 1 and len(grad_output) == 1
    np.testing.assert_allclose(grad_output[0].numpy(), grad_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_input[0].numpy(), grad_in, rtol=1e-5, atol=1e-6)
    # the hook does not change any gradient
    grads = {n: p.grad.numpy().copy() for n, p in net.named_parameters()}
    x_grad = x.grad.numpy().copy()
    handle.remove()
    net.zero_grad()
    x.grad = None
    net(x).backward(g)
    for n, p in net.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[n], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), x_grad, rtol=1e-6)
    assert len(seen) == 1  # removed


def test_backward_hook_on_the_first_layer_gets_none_for_data_input():
    net = Net()
    seen = []
    net.encoder.fc1.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    net(rand(3, 4)).sum().backward()
    ((grad_input, grad_output),) = seen
    assert grad_input == (None,)
    assert grad_output[0].shape == (3, 5)


def test_backward_hook_can_replace_grad_input():
    net = Net()
    x = rand(3, 4, requires_grad=True)
    net.encoder.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    net(x).sum().backward()
    assert not np.any(x.grad.numpy())
    assert np.any(net.encoder.fc1.weight.grad.numpy())  # inside the module: untouched


def test_backward_pre_hook_can_replace_grad_output():
    net, reference = Net(), Net()
    x = rand(3, 4)
    net.encoder.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    net(x).sum().backward()
    reference(x).sum().backward()
    np.testing.assert_allclose(
        net.encoder.fc1.weight.grad.numpy(),
        2 * reference.encoder.fc1.weight.grad.numpy(),
        rtol=1e-5,
    )
    np.testing.assert_allclose(net.head.weight.grad.numpy(), reference.head.weight.grad.numpy())


def test_backward_hook_with_several_inputs_and_outputs():
    class Pair(Module):
        def forward(self, a, b, scale):
            return a * b * scale, a + b

    m = Pair()
    a, b = rand(2, 3, requires_grad=True), rand(3, requires_grad=True)
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    p, s = m(a, b, 3.0)
    (p.sum() + 2 * s.sum()).backward()
    ((grad_input, grad_output),) = seen
    assert len(grad_input) == 3 and grad_input[2] is None
    np.testing.assert_allclose(grad_output[0].numpy(), np.ones((2, 3)))
    np.testing.assert_allclose(grad_output[1].numpy(), 2 * np.ones((2, 3)))
    np.testing.assert_allclose(
        grad_input[0].numpy(), np.broadcast_to(3 * b.numpy() + 2, (2, 3)), rtol=1e-6
    )
    assert grad_input[1].shape == (3,)  # already summed over the broadcast rows
    np.testing.assert_allclose(grad_input[1].numpy(), (3 * a.numpy() + 2).sum(0), rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), grad_input[1].numpy())


def test_backward_hook_is_not_involved_under_no_grad_and_keeps_second_order():
    layer = TinyLinear(2, 1)
    fired = []
    layer.register_full_backward_hook(lambda m, gi, go: fired.append(1))
    with gn.no_grad():
        assert not layer(rand(1, 2)).requires_grad
    x = rand(1, 2, requires_grad=True)
    y = (layer(x) ** 2).sum()
    (gx,) = gn.autograd.grad(y, x, create_graph=True)
    # y = (w.x + b)^2 -> dy/dx = 2 (w.x + b) w ; d/dx of sum(dy/dx) = 2 w sum(w)
    gx.sum().backward()
    w = layer.weight.numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * w * w.sum(), rtol=1e-5)
    assert fired


def test_bad_backward_hook_result_is_reported():
    layer = TinyLinear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(ValueError, match="tuple of 1 gradients"):
        layer(rand(1, 2, requires_grad=True)).sum().backward()


# ----------------------------------------------------------------------------------------------
# summary
# ----------------------------------------------------------------------------------------------


def test_summary_numbers_and_table(capsys):
    net = Net()
    net.head.requires_grad_(False)
    summary = net.summary((2, 4))
    printed = capsys.readouterr().out
    assert printed.strip() == str(summary)
    assert summary.total_params == NET_PARAM_COUNT == 51
    assert summary.trainable_params == 43 and summary.non_trainable_params == 8
    rows = [(r.name, r.type, r.output_shape, r.num_params) for r in summary.rows]
    assert rows == [
        ("encoder.fc1", "TinyLinear", (2, 5), 25),
        ("encoder.act", "TinyReLU", (2, 5), 0),
        ("encoder.fc2", "TinyLinear", (2, 3), 18),
        ("norm", "Counter", (2, 3), 0),
        ("head", "TinyLinear", (2, 2), 8),
    ]
    lines = str(summary).splitlines()
    assert lines[0] == "Model: Net"
    assert lines[2].split() == ["Layer", "(type)", "Output", "shape", "Param", "#"]
    assert lines[4].split() == ["encoder.fc1", "(TinyLinear)", "(2,", "5)", "25"]
    assert lines[-3:] == ["Total params: 51", "Trainable params: 43", "Non-trainable params: 8"]
    assert "non_trainable_params=8" in repr(summary)


def test_summary_changes_nothing():
    net = Net()
    net.encoder.eval()
    state = gn.random.get_rng_state()
    net.summary((2, 4), print_fn=None)
    assert net.training and not net.encoder.training and net.head.training
    assert net.norm.steps.item() == 0  # ran in eval mode: buffers not updated
    assert not net.head._forward_hooks
    np.testing.assert_array_equal(
        gn.randn(3).numpy(), (gn.random.set_rng_state(state), gn.randn(3))[1].numpy()
    )


def test_summary_inputs_tensor_shared_and_uncalled_layers():
    model = Module()
    model.a = TinyLinear(3, 3)
    model.b = TinyLinear(3, 3)
    model.unused = TinyLinear(3, 1)
    model.b.weight = model.a.weight
    model.forward = lambda x: model.b(model.a(model.a(x)))
    s = model.summary(gn.zeros(4, 3), print_fn=None)
    assert [(r.name, r.num_params, r.output_shape) for r in s.rows] == [
        ("a", 12, (4, 3)),
        ("a", 0, (4, 3)),  # second call of the same layer: counted once
        ("b", 3, (4, 3)),  # weight tied with a: only its bias is new
        ("unused", 4, "not called"),
    ]
    assert s.total_params == sum(r.num_params for r in s.rows) == 19
    assert "not called" in str(s)


def test_summary_without_input_and_bad_input():
    s = Net().summary(print_fn=None)
    assert [r.output_shape for r in s.rows] == [None] * 5
    assert s.total_params == 51
    with pytest.raises(TypeError, match="input shape"):
        Net().summary("2x4", print_fn=None)
    with pytest.raises(ValueError, match=r"encoder\.fc1 \(TinyLinear\)"):
        Net().summary((2, 9), print_fn=None)
