"""PyTorch names the tutorial probe found missing: Tensor.type(), legacy tensor types, Variable,
optimizer switches, torch.version, DataParallel, bfloat16, EmbeddingBag.from_pretrained,
dataset slicing, anomaly switches, clip_grad_norm, default_collate's lists."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import DataLoader, Subset, TensorDataset, default_collate, random_split

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
          "CharTensor", "ByteTensor", "BoolTensor"]  # fmt: skip


# ------------------------------------------------------------------ 1, 2: type() and legacy types


@pytest.mark.parametrize("dtype", DTYPES)
def test_type_names_are_torchs(dtype):
    ours = gn.zeros(2, dtype=getattr(gn, dtype if dtype != "bool" else "bool"))
    theirs = torch.zeros(2, dtype=getattr(torch, dtype))
    assert ours.type() == theirs.type()


@pytest.mark.parametrize("name", LEGACY)
def test_type_converts_to_a_legacy_type_its_name_or_a_dtype(name):
    data = [1.7, -2.0, 0.0]
    theirs = torch.tensor(data).type(getattr(torch, name))
    for target in (getattr(gn, name), f"torch.{name}"):
        ours = gn.tensor(data).type(target)
        assert ours.type() == theirs.type() == f"torch.{name}"
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert gn.tensor(data).type(gn.int64).type() == "torch.LongTensor"


def test_type_of_the_same_type_is_the_tensor_itself_and_keeps_the_graph():
    x = gn.ones(2, requires_grad=True)
    assert x.type(gn.FloatTensor) is x
    y = x.type(gn.DoubleTensor)
    y.sum().backward()
    assert y.dtype == np.float64 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_type_refuses_a_name_it_does_not_know():
    with pytest.raises(ValueError, match=r"invalid type: 'foo'.*torch.FloatTensor"):
        gn.ones(1).type("foo")


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructors_match_torch(name):
    ours_type, theirs_type = getattr(gn, name), getattr(torch, name)
    ours, theirs = ours_type([1, 0, 2]), theirs_type([1, 0, 2])
    assert ours.type() == theirs.type() and ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours_type(3, 4).shape == tuple(theirs_type(3, 4).shape)  # torch's is uninitialised
    assert not ours_type(3, 4).numpy().any()  # glassnet's: zeros
    assert ours_type().shape == tuple(theirs_type().shape) == (0,)
    assert ours_type(gn.Size([2, 3])).shape == (2, 3)
    assert type(ours) is gn.Tensor


def test_legacy_constructor_truncates_floats_and_refuses_a_tensor_of_another_dtype():
    np.testing.assert_array_equal(gn.LongTensor([1.7, -2.2]).numpy(), [1, -2])
    np.testing.assert_array_equal(torch.LongTensor([1.7, -2.2]).numpy(), [1, -2])
    assert gn.FloatTensor(np.ones(2, dtype=np.int64)).dtype == np.float32
    with pytest.raises(
        TypeError, match="FloatTensor.*expected a tensor of dtype float32, got float64"
    ):
        gn.FloatTensor(gn.ones(2, dtype=gn.float64))
    with pytest.raises(gn.DeviceError):
        gn.FloatTensor(2, device="cuda")


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("dtype", DTYPES)
def test_isinstance_asks_the_dtype(name, dtype):
    ours = isinstance(gn.zeros(1, dtype=getattr(gn, dtype)), getattr(gn, name))
    theirs = isinstance(torch.zeros(1, dtype=getattr(torch, dtype)), getattr(torch, name))
    assert ours == theirs


def test_isinstance_holds_for_parameters_and_not_for_other_objects():
    assert isinstance(nn.Parameter(gn.ones(1)), gn.FloatTensor)
    assert not isinstance(np.ones(1, dtype=np.float32), gn.FloatTensor)
    assert not isinstance(1.0, gn.FloatTensor)
    assert gn.FloatTensor.dtype == gn.float32 and gn.FloatTensor.is_cuda is False


# ------------------------------------------------------------------ 3: Variable


def test_variable_is_a_new_leaf_sharing_the_numbers():
    from glassnet.autograd import Variable

    a = gn.ones(2, requires_grad=True)
    b = a * 2
    for requires_grad in (False, True):
        ours = Variable(b, requires_grad=requires_grad)
        theirs = torch.autograd.Variable(torch.ones(2, requires_grad=True) * 2, requires_grad)
        assert ours.requires_grad == theirs.requires_grad == requires_grad
        assert ours.grad_fn is None and ours.is_leaf
    t = gn.ones(2)
    v = Variable(t)
    v[0] = 5.0
    assert t.numpy()[0] == 5.0 and v is not t
    assert isinstance(t, Variable) and not isinstance([1.0], Variable)
    assert Variable().shape == (0,)


def test_variable_errors_and_volatile():
    from glassnet.autograd import Variable

    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1, 2])
    with pytest.warns(UserWarning, match="volatile"):
        Variable(gn.ones(1), volatile=True)


# ------------------------------------------------------------------ 4: optimizer switches

OPTIMIZERS = [
    name
    for name in optim.__all__[1:]
    if inspect.isclass(getattr(optim, name)) and name != "LBFGS" and hasattr(torch.optim, name)
]


def _keywords(cls):
    parameters = inspect.signature(cls).parameters.values()
    return {p.name: p.default for p in parameters if p.kind is not p.VAR_KEYWORD}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_takes_torchs_switches(name):
    ours, theirs = _keywords(getattr(optim, name)), _keywords(getattr(torch.optim, name))
    for switch in ("foreach", "fused", "capturable", "differentiable"):
        assert (switch in ours) == (switch in theirs), switch
        if switch in theirs:
            assert ours[switch] == theirs[switch], switch
    if "foreach" not in theirs:  # Muon and SparseAdam take none of the switches, as in torch
        return
    p = nn.Parameter(gn.ones(2))
    opt = getattr(optim, name)([p], lr=0.1, foreach=True)
    assert opt.param_groups[0]["foreach"] is True  # kept in the group, as torch keeps it


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_compute_the_plain_step(name):
    def run(**switches):
        p = nn.Parameter(gn.tensor([1.0, -2.0, 3.0]))
        opt = getattr(optim, name)([p], lr=0.1, **switches)
        for _ in range(3):
            p.grad = gn.tensor([0.5, 1.0, -1.5])
            opt.step()
        return p.numpy()

    plain = run()
    np.testing.assert_array_equal(run(fused=True), plain)
    np.testing.assert_array_equal(run(foreach=True), plain)
    tp = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    topt = getattr(torch.optim, name)([tp], lr=0.1, fused=True)
    for _ in range(3):
        tp.grad = torch.tensor([0.5, 1.0, -1.5])
        topt.step()
    np.testing.assert_allclose(plain, tp.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_switches_glassnet_cannot_honour_are_refused_in_one_line():
    params = [nn.Parameter(gn.ones(1))]
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        optim.Adam(params, fused=True, foreach=True)
    with pytest.raises(ValueError, match=r"Adam\(capturable=True\).*CPU only"):
        optim.Adam(params, capturable=True)
    with pytest.raises(ValueError, match=r"RMSprop\(differentiable=True\).*not recorded"):
        optim.RMSprop(params, differentiable=True)
    with pytest.raises(TypeError, match="fused"):
        optim.Adadelta(params, fused=True)  # torch has no fused Adadelta either


def test_adamw_repr_matches_torchs():
    ours = optim.AdamW(nn.Linear(2, 2).parameters(), lr=1e-3, fused=None)
    theirs = torch.optim.AdamW(torch.nn.Linear(2, 2).parameters(), lr=1e-3, fused=None)
    assert repr(ours) == repr(theirs)


# ------------------------------------------------------------------ 5: torch.version


def test_version_module():
    assert gn.version.__version__ == gn.__version__
    assert gn.version.cuda is None and gn.version.hip is None
    assert gn.version.debug is False and isinstance(gn.version.git_version, str)
    public = {name for name in dir(torch.version) if not name.startswith("_")} - {"Optional"}
    assert public <= set(dir(gn.version)), public - set(dir(gn.version))


# ------------------------------------------------------------------ 6: DataParallel


def test_data_parallel_runs_the_module_and_prefixes_its_state_dict():
    gn.manual_seed(0)
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner)
    x = gn.randn(4, 3)
    np.testing.assert_array_equal(model(x).numpy(), inner(x).numpy())
    np.testing.assert_array_equal(model(input=x).numpy(), inner(x).numpy())
    assert model.module is inner and model.device_ids == []
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(model.state_dict()) == list(theirs.state_dict()) == ["module.weight", "module.bias"]
    assert repr(model) == repr(theirs)
    bare = nn.Linear(3, 2)
    bare.load_state_dict(model.module.state_dict())
    np.testing.assert_array_equal(bare.weight.numpy(), inner.weight.numpy())
    model(x).sum().backward()
    assert inner.weight.grad is not None
    assert nn.parallel.DataParallel is nn.DataParallel
    with pytest.raises(TypeError, match="DataParallel expects a Module to wrap, got int"):
        nn.DataParallel(3)


# ------------------------------------------------------------------ 7: bfloat16


def test_bfloat16_is_a_name_that_autocast_ignores_and_factories_refuse():
    with gn.autocast("cpu", dtype=gn.bfloat16):
        y = gn.ones(2) * 2
    assert y.dtype == np.float32
    assert gn.bfloat16.is_floating_point and gn.bfloat16.itemsize == torch.bfloat16.itemsize
    message = "glassnet has no bfloat16 numbers.*float32"
    with pytest.raises(TypeError, match=message):
        gn.ones(2).to(gn.bfloat16)
    with pytest.raises(TypeError, match=message):
        gn.zeros(2, dtype=gn.bfloat16)
    with pytest.raises(TypeError, match=message):
        gn.ones(2).to("torch.bfloat16")
    assert gn.half is gn.float16 or gn.half == gn.float16


# ------------------------------------------------------------------ 8: EmbeddingBag.from_pretrained


@pytest.mark.parametrize("mode", ["mean", "sum", "max"])
@pytest.mark.parametrize("freeze", [True, False])
def test_embedding_bag_from_pretrained_matches_torch(mode, freeze):
    rng = np.random.default_rng(0)
    table = rng.standard_normal((5, 3)).astype(np.float32)
    idx = np.array([[0, 2, 4], [1, 1, 3]])
    ours = nn.EmbeddingBag.from_pretrained(gn.tensor(table), freeze=freeze, mode=mode)
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), freeze=freeze, mode=mode)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    out, tout = ours(gn.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-6)
    assert repr(ours) == repr(theirs)
    if not freeze:
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)


def test_embedding_bag_from_pretrained_shares_memory_and_keeps_options():
    table = gn.eye(4)
    bag = nn.EmbeddingBag.from_pretrained(table, padding_idx=1, include_last_offset=True)
    assert np.shares_memory(bag.weight.array, table.array)
    assert bag.padding_idx == 1 and bag.include_last_offset and bag.mode == "mean"
    ours = bag(gn.tensor([0, 1, 2, 3]), gn.tensor([0, 2, 4]))
    theirs = torch.nn.EmbeddingBag.from_pretrained(
        torch.eye(4), padding_idx=1, include_last_offset=True
    )(torch.tensor([0, 1, 2, 3]), torch.tensor([0, 2, 4]))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    with pytest.raises(
        ValueError, match=r"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape \(3,\)"
    ):
        nn.EmbeddingBag.from_pretrained(gn.ones(3))


# ------------------------------------------------------------------ 9: slicing datasets

INDEXES = [slice(None), slice(1, None), slice(None, None, 2), [0, 2], [2, 0, 2], [-1]]


@pytest.mark.parametrize("index", INDEXES, ids=str)
def test_subset_and_tensor_dataset_take_slices_and_lists(index):
    ours_ds = TensorDataset(gn.arange(6.0), gn.arange(6))
    theirs_ds = torch.utils.data.TensorDataset(torch.arange(6.0), torch.arange(6))
    positions = [0, 2, 3, 5]
    for ours, theirs in (
        (ours_ds, theirs_ds),
        (Subset(ours_ds, positions), torch.utils.data.Subset(theirs_ds, positions)),
    ):
        got, want = ours[index], theirs[index]
        assert len(got) == len(want) == 2
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_random_split_subset_slices_and_integer_index_still_work():
    ds = TensorDataset(gn.arange(10.0), gn.arange(10))
    first, _ = random_split(ds, [4, 6], generator=0)
    xs, ys = first[:]
    assert xs.shape == (4,) and np.array_equal(xs.numpy().astype(np.int64), ys.numpy())
    x1, y1 = first[1]
    assert x1.shape == () and int(y1.item()) == int(ys.numpy()[1])
    with pytest.raises(IndexError, match="out of range"):
        first[[0, 7]]
    with pytest.raises(TypeError, match="dataset index must be an integer"):
        first["a"]


# ------------------------------------------------------------------ 10: anomaly, inference, clip


def test_set_detect_anomaly_switches_the_backward_nan_checks():
    assert not gn.is_anomaly_enabled()
    gn.autograd.set_detect_anomaly(True)
    try:
        torch.autograd.set_detect_anomaly(True)
        assert gn.is_anomaly_enabled() == torch.is_anomaly_enabled() is True
        x = gn.tensor([-1.0, 4.0], requires_grad=True)
        with np.errstate(invalid="ignore"):
            y = x.sqrt()  # a NaN forward is let through, as in torch
        with pytest.raises(RuntimeError, match="the backward of Sqrt produced 1 NaN"):
            y.sum().backward()
    finally:
        gn.autograd.set_detect_anomaly(False)
        torch.autograd.set_detect_anomaly(False)
    assert not gn.is_anomaly_enabled()
    with gn.autograd.set_detect_anomaly(True):
        assert gn.is_anomaly_enabled()
    assert not gn.is_anomaly_enabled()
    with pytest.raises(TypeError, match="set_detect_anomaly expects True or False"):
        gn.autograd.set_detect_anomaly("yes")


def test_detect_anomaly_follows_torchs_rule_an_inf_forward_is_allowed():
    m = gn.tensor([0.0, float("-inf")], requires_grad=True)  # an attention mask's -inf
    tm = torch.tensor([0.0, float("-inf")], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with gn.autograd.detect_anomaly():
            assert gn.is_anomaly_enabled()
            m.softmax(0)[0].backward()
    with pytest.warns(UserWarning), torch.autograd.detect_anomaly():
        tm.softmax(0)[0].backward()
    np.testing.assert_array_equal(m.grad.numpy(), tm.grad.numpy())
    assert not gn.is_anomaly_enabled()

    with pytest.warns(UserWarning):

        @gn.autograd.detect_anomaly()
        def inside():
            return gn.is_anomaly_enabled()

    assert inside() and not gn.is_anomaly_enabled()


def test_the_core_does_not_import_inspect():
    code = ("import sys, glassnet; glassnet.autograd.set_detect_anomaly(False); "
            "glassnet.autograd.Variable(glassnet.ones(1)); print('glassnet.inspect' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_is_inference_mode_enabled():
    assert gn.is_inference_mode_enabled() == torch.is_inference_mode_enabled() is False
    with gn.inference_mode(), torch.inference_mode():
        assert gn.is_inference_mode_enabled() == torch.is_inference_mode_enabled() is True
        assert not gn.is_grad_enabled()
        with gn.inference_mode(False), torch.inference_mode(False):
            assert gn.is_inference_mode_enabled() == torch.is_inference_mode_enabled() is False
        assert gn.is_inference_mode_enabled()
    assert not gn.is_inference_mode_enabled() and gn.is_grad_enabled()


def test_clip_grad_norm_is_the_deprecated_alias():
    p, tp = nn.Parameter(gn.ones(3)), torch.nn.Parameter(torch.ones(3))
    p.grad, tp.grad = gn.tensor([3.0, 4.0, 0.0]), torch.tensor([3.0, 4.0, 0.0])
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = nn.utils.clip_grad_norm([p], 1.0, foreach=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ttotal = torch.nn.utils.clip_grad_norm([tp], 1.0)
    np.testing.assert_allclose(total.item(), ttotal.item())
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


# ------------------------------------------------------------------ 11: default_collate


def test_default_collate_structures_match_torch():
    samples = [(gn.ones(2), 1), (gn.zeros(2), 2)]
    tsamples = [(torch.ones(2), 1), (torch.zeros(2), 2)]
    ours, theirs = default_collate(samples), torch.utils.data.default_collate(tsamples)
    assert type(ours) is type(theirs) is list
    Pair = namedtuple("Pair", "x y")
    ours = default_collate([Pair(1, 2), Pair(3, 4)])
    assert type(ours) is Pair and ours.x.numpy().tolist() == [1, 3]
    ours = default_collate([OrderedDict(a=1), OrderedDict(a=2)])
    theirs = torch.utils.data.default_collate([OrderedDict(a=1), OrderedDict(a=2)])
    assert type(ours) is type(theirs) is OrderedDict
    counts = defaultdict(int, a=1)
    assert type(default_collate([counts, counts])) is dict  # cannot be made from a dict
    assert type(default_collate([[1, 2], [3, 4]])) is list


@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_batches_are_lists_as_torchs(shuffle):
    ds = TensorDataset(gn.arange(5.0), gn.arange(5))
    tds = torch.utils.data.TensorDataset(torch.arange(5.0), torch.arange(5))
    ours = next(iter(DataLoader(ds, batch_size=2, shuffle=shuffle)))
    theirs = next(iter(torch.utils.data.DataLoader(tds, batch_size=2, shuffle=shuffle)))
    assert type(ours) is type(theirs) is list
    x, y = ours
    assert x.shape == (2,) and y.dtype == np.int64


def test_grad_modes_as_decorators_keep_their_mode():
    x = gn.ones(2, requires_grad=True)

    @gn.inference_mode(False)
    def recorded(v):
        return (v * 2).requires_grad

    @gn.inference_mode()
    def not_recorded(v):
        return (v * 2).requires_grad

    @gn.no_grad()
    def countdown(v, n):  # nested calls of one decorated function each restore their state
        return countdown(v, n - 1) if n else (v * 2).requires_grad

    assert recorded(x) is True and not_recorded(x) is False and countdown(x, 3) is False
    with gn.inference_mode():
        assert recorded(x) is True
    assert gn.is_grad_enabled() and (x * 2).requires_grad
