"""Tests of glassnet.data in memory: datasets, DataLoader, random_split, transforms, synthetic sets."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import (
    DATASETS,
    BatchSampler,
    Compose,
    DataLoader,
    Dataset,
    Flatten,
    Normalize,
    OneHot,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    blobs,
    circles,
    default_collate,
    get_worker_info,
    load_dataset,
    moons,
    random_split,
    sine,
    spiral,
    xor,
)


def _xy(n=10, d=3):
    X = np.arange(n * d, dtype=np.float32).reshape(n, d)
    y = np.arange(n, dtype=np.int64)
    return X, y


class ListDataset(Dataset):
    """A dataset without the arrays fast path (one Python call per sample)."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __getitem__(self, i):
        return self.X[i], int(self.y[i])

    def __len__(self):
        return len(self.y)


# ------------------------------------------------------------------------------ TensorDataset


def test_tensor_dataset_items_and_len():
    X, y = _xy()
    ds = TensorDataset(X, y)
    assert len(ds) == 10
    x3, y3 = ds[3]
    assert isinstance(x3, gn.Tensor) and isinstance(y3, gn.Tensor)
    np.testing.assert_array_equal(x3.numpy(), X[3])
    assert y3.item() == 3 and y3.shape == ()
    np.testing.assert_array_equal(ds[-1][0].numpy(), X[9])


def test_tensor_dataset_dtype_rules():
    ds = TensorDataset(
        np.zeros((4, 2), np.float16),
        np.zeros(4, np.int32),
        np.zeros(4, np.float64),
        gn.tensor([True, False, True, True]),
        [[1.5], [2.5], [3.5], [4.5]],
    )
    assert [a.dtype for a in ds.arrays] == [
        np.float32,
        np.int64,
        np.float64,
        np.bool_,
        np.float32,  # a nested list of Python floats, as glassnet.tensor gives it
    ]
    assert all(isinstance(t, gn.Tensor) for t in ds.tensors)


def test_tensor_dataset_shares_memory_when_no_conversion():
    X, y = _xy()
    ds = TensorDataset(X, y)
    assert np.shares_memory(ds.arrays[0], X)


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same first dimension.*\(10, 3\), \(9,\)"):
        TensorDataset(np.zeros((10, 3)), np.zeros(9))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="scalar"):
        TensorDataset(np.float32(3.0))
    with pytest.raises(TypeError, match="dtype <U"):
        TensorDataset(np.array(["a", "b"]))
    ds = TensorDataset(*_xy())
    with pytest.raises(IndexError, match="index 10 is out of range for a dataset of 10"):
        ds[10]
    with pytest.raises(TypeError, match="integer"):
        ds[1.0]


def test_base_dataset_is_abstract():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(NotImplementedError):
        len(Dataset())


# --------------------------------------------------------------------------------- DataLoader


@pytest.mark.parametrize(
    "n,bs,drop_last,expected",
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (9, 3, True, [3, 3, 3]),
        (2, 5, False, [2]),
        (2, 5, True, []),
        (0, 4, False, []),
    ],
    ids=["ragged", "drop-ragged", "exact", "one-small", "drop-all", "empty"],
)
def test_loader_batch_sizes_and_len(n, bs, drop_last, expected):
    X, y = _xy(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=bs, drop_last=drop_last)
    sizes = [len(yb.numpy()) for _, yb in loader]
    assert sizes == expected
    assert len(loader) == len(expected)


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "per-sample"])
def test_loader_sequential_order_and_dtypes(fast):
    X, y = _xy(7)
    ds = TensorDataset(X, y) if fast else ListDataset(X, y)
    batches = list(DataLoader(ds, batch_size=3))
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    np.testing.assert_array_equal(xs, X)
    np.testing.assert_array_equal(ys, y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    # a list of tensors, as PyTorch's loader gives for (x, y) samples
    assert isinstance(batches[0], list) and isinstance(batches[0][0], gn.Tensor)


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "per-sample"])
def test_loader_shuffle_covers_every_sample_once_and_changes_each_epoch(fast):
    X, y = _xy(50)
    ds = TensorDataset(X, y) if fast else ListDataset(X, y)
    loader = DataLoader(ds, batch_size=8, shuffle=True, seed=3)
    epochs = []
    for _ in range(2):
        order = np.concatenate([yb.numpy() for _, yb in loader])
        np.testing.assert_array_equal(np.sort(order), y)  # a permutation: no loss, no repeat
        epochs.append(order)
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], y)
    # Rows stay aligned: x[i] belongs with y[i].
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])


def test_loader_fast_path_and_per_sample_path_give_the_same_batches():
    X, y = _xy(23)
    a = DataLoader(TensorDataset(X, y), batch_size=5, shuffle=True, seed=11)
    b = DataLoader(ListDataset(X, y), batch_size=5, shuffle=True, seed=11)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa.numpy(), xb.numpy())
        np.testing.assert_array_equal(ya.numpy(), yb.numpy())


def test_loader_seed_is_reproducible_and_generator_accepted():
    X, y = _xy(30)
    ds = TensorDataset(X, y)

    def two_epochs(**kw):
        loader = DataLoader(ds, batch_size=7, shuffle=True, **kw)
        return [np.concatenate([yb.numpy() for _, yb in loader]) for _ in range(2)]

    first, second = two_epochs(seed=5), two_epochs(seed=5)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    g = two_epochs(generator=np.random.default_rng(5))
    np.testing.assert_array_equal(first[0], g[0])
    assert not np.array_equal(two_epochs(seed=6)[0], first[0])


def test_loader_uses_global_generator_at_iteration_time():
    X, y = _xy(40)
    loader = DataLoader(TensorDataset(X, y), batch_size=40, shuffle=True)  # made before seeding
    gn.manual_seed(123)
    a = next(iter(loader))[1].numpy()
    gn.manual_seed(123)
    b = next(iter(loader))[1].numpy()
    np.testing.assert_array_equal(a, b)
    c = next(iter(loader))[1].numpy()
    assert not np.array_equal(a, c)


def test_loader_drop_last_with_shuffle():
    X, y = _xy(10)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, drop_last=True, seed=0)
    batches = [yb.numpy() for _, yb in loader]
    assert [len(b) for b in batches] == [4, 4]
    assert len(np.unique(np.concatenate(batches))) == 8


def test_loader_batches_own_their_memory():
    X, y = _xy(6)
    xb, _ = next(iter(DataLoader(TensorDataset(X, y), batch_size=3)))
    xb.numpy()[...] = -1
    assert X.min() == 0  # the dataset is untouched


def test_loader_over_subset_uses_subset_rows():
    X, y = _xy(20)
    sub = Subset(Subset(TensorDataset(X, y), np.arange(10, 20)), [9, 0, 4])
    ys = [yb.numpy().tolist() for _, yb in DataLoader(sub, batch_size=2)]
    assert ys == [[19, 10], [14]]
    xs = next(iter(DataLoader(sub, batch_size=3)))[0].numpy()
    np.testing.assert_array_equal(xs, X[[19, 10, 14]])


def test_loader_custom_collate_fn():
    X, y = _xy(5)
    loader = DataLoader(TensorDataset(X, y), batch_size=2, collate_fn=lambda s: len(s))
    assert list(loader) == [2, 2, 1]


def test_loader_argument_errors():
    ds = TensorDataset(*_xy())
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="batch_size"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(ValueError, match="not both"):
        DataLoader(ds, seed=1, generator=np.random.default_rng(1))
    with pytest.raises(TypeError, match="seed="):
        DataLoader(ds, generator=3)
    with pytest.raises(TypeError, match="TensorDataset"):
        DataLoader(5)


def test_loader_fast_path_speed_is_array_speed():
    """60k x 784 floats shuffled in batches of 128: a few tens of ms, not a Python loop's seconds."""
    import time

    X = np.zeros((60_000, 784), np.float32)
    y = np.zeros(60_000, np.int64)
    loader = DataLoader(TensorDataset(X, y), batch_size=128, shuffle=True, seed=0)
    t = time.perf_counter()
    count = sum(len(yb.numpy()) for _, yb in loader)
    elapsed = time.perf_counter() - t
    assert count == 60_000
    assert elapsed < 2.0  # per-sample indexing takes far longer; measured ~0.1 s


# ------------------------------------------------------------------------------ default_collate


def test_default_collate_structures_and_dtypes():
    batch = default_collate([(1.5, 2, True), (2.5, 3, False)])
    assert isinstance(batch, list)  # tuples collate into a list, as in PyTorch
    assert batch[0].dtype == np.float32 and batch[1].dtype == np.int64
    assert batch[2].dtype == np.bool_
    d = default_collate([{"x": np.ones(2), "name": "a"}, {"x": np.zeros(2), "name": "b"}])
    assert d["x"].dtype == np.float64 and d["x"].shape == (2, 2)
    assert d["name"] == ["a", "b"]
    lst = default_collate([[np.int8(1), gn.tensor([1.0])], [np.int8(2), gn.tensor([2.0])]])
    assert isinstance(lst, list) and lst[0].dtype == np.int64 and lst[1].shape == (2, 1)


def test_default_collate_errors():
    with pytest.raises(
        ValueError, match=r"sample 0 has shape \(2,\) but sample 1 has shape \(3,\)"
    ):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="2 parts"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="object"):
        default_collate([object(), object()])
    with pytest.raises(ValueError, match="empty"):
        default_collate([])


# ------------------------------------------------------------------------- Subset, random_split


def test_subset_indexing_and_errors():
    X, y = _xy(10)
    sub = Subset(TensorDataset(X, y), [2, -1])
    assert len(sub) == 2 and sub[1][1].item() == 9
    np.testing.assert_array_equal(sub.arrays[1], [2, 9])
    with pytest.raises(IndexError, match=r"\[0, 10\)"):
        Subset(TensorDataset(X, y), [10])
    with pytest.raises(TypeError, match="integers"):
        Subset(TensorDataset(X, y), [0.5])
    with pytest.raises(AttributeError):
        Subset(ListDataset(X, y), [0]).arrays


@pytest.mark.parametrize(
    "lengths,expected",
    [
        ([7, 3], [7, 3]),
        ([0.8, 0.2], [8, 2]),
        ([0.5, 0.25, 0.25], [6, 2, 2]),
        ([1 / 3] * 3, [4, 3, 3]),
    ],
    ids=["counts", "fractions", "three-fractions", "remainder-round-robin"],
)
def test_random_split_sizes_and_disjointness(lengths, expected):
    X, y = _xy(10)
    parts = random_split(TensorDataset(X, y), lengths, generator=0)
    assert [len(p) for p in parts] == expected
    rows = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(rows), np.arange(10))


def test_random_split_determinism():
    ds = TensorDataset(*_xy(50))
    a = random_split(ds, [0.6, 0.4], generator=7)
    b = random_split(ds, [0.6, 0.4], generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0].indices, b[0].indices)
    gn.manual_seed(1)
    c = random_split(ds, [30, 20])
    gn.manual_seed(1)
    d = random_split(ds, [30, 20])
    np.testing.assert_array_equal(c[1].indices, d[1].indices)
    assert not np.array_equal(a[0].indices, c[0].indices)


def test_random_split_errors():
    ds = TensorDataset(*_xy(10))
    with pytest.raises(ValueError, match=r"add up to the dataset size \(10\).*sum 9"):
        random_split(ds, [5, 4])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [-1, 11])
    with pytest.raises(TypeError, match="Generator"):
        random_split(ds, [5, 5], generator="seed")


# ------------------------------------------------------------------------------------ transforms


def test_normalize_per_feature_and_scalar():
    X = np.array([[1.0, 10.0], [3.0, 30.0]], np.float32)
    out = Normalize([2.0, 20.0], [1.0, 10.0])(X)
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]])
    assert out.dtype == np.float32
    np.testing.assert_allclose(Normalize(1.0, 2.0)(np.array([3.0, 5.0])), [1.0, 2.0])
    u8 = Normalize(0.5, 0.5)(np.array([0, 1], np.uint8))
    assert u8.dtype == np.float32 and u8.tolist() == [-1.0, 1.0]


def test_normalize_channel_axis_and_fit():
    rng = np.random.default_rng(0)
    imgs = rng.normal(5.0, 2.0, size=(64, 3, 4, 4)).astype(np.float32)
    norm = Normalize.fit(imgs, axis=1)
    out = norm(imgs)
    assert out.shape == imgs.shape
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-4)
    const = Normalize.fit(np.ones((5, 2)))
    np.testing.assert_array_equal(const(np.ones((5, 2))), 0)  # std 0 -> 1, no NaN


def test_normalize_on_tensor_keeps_gradient():
    x = gn.tensor([[1.0, 2.0]], requires_grad=True)
    y = Normalize([0.0, 1.0], [2.0, 4.0])(x)
    assert isinstance(y, gn.Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.25]])


def test_normalize_errors():
    with pytest.raises(ValueError, match="std must be > 0"):
        Normalize(0.0, [1.0, 0.0])
    with pytest.raises(ValueError, match="same length"):
        Normalize([0, 0], [1, 1, 1])
    with pytest.raises(
        ValueError, match=r"3 means/stds for axis -1, but the input has shape \(2, 2\)"
    ):
        Normalize([0, 0, 0], [1, 1, 1])(np.zeros((2, 2)))


def test_one_hot():
    out = OneHot(3)(np.array([0, 2, 1]))
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert out.dtype == np.float32
    assert OneHot(4)(np.array([[1, 3]])).shape == (1, 2, 4)
    t = OneHot(2)(gn.tensor([1, 0]))
    assert isinstance(t, gn.Tensor) and t.shape == (2, 2)
    with pytest.raises(ValueError, match=r"got label 3; labels must lie in \[0, 3\)"):
        OneHot(3)(np.array([0, 3]))
    with pytest.raises(TypeError, match="integer class labels"):
        OneHot(3)(np.array([0.5]))
    with pytest.raises(ValueError, match=">= 1"):
        OneHot(0)


def test_flatten_and_compose():
    x = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    assert Flatten()(x).shape == (2, 12)
    assert Flatten(start_dim=0)(x).shape == (24,)
    assert Flatten(1, 1)(x).shape == (2, 3, 4)
    assert Flatten()(gn.tensor(x)).shape == (2, 12)
    with pytest.raises(ValueError, match="does not fit"):
        Flatten(start_dim=3)(x)
    with pytest.raises(ValueError, match="comes after"):
        Flatten(2, 1)(x)
    prep = Compose([Flatten(), Normalize(0.0, 2.0)])
    np.testing.assert_allclose(prep(x), x.reshape(2, 12) / 2)
    assert "Flatten" in repr(prep)
    with pytest.raises(TypeError, match="callables"):
        Compose([1])


# ------------------------------------------------------------------------------------ synthetic

CLASSIFIERS = {
    "spiral": (lambda seed: spiral(50, classes=4, seed=seed), 200, 4),
    "moons": (lambda seed: moons(101, seed=seed), 101, 2),
    "circles": (lambda seed: circles(100, seed=seed), 100, 2),
    "xor": (lambda seed: xor(200, seed=seed), 200, 2),
    "blobs": (lambda seed: blobs(90, centers=3, seed=seed), 90, 3),
}


@pytest.mark.parametrize("name", list(CLASSIFIERS), ids=list(CLASSIFIERS))
def test_synthetic_classification_shapes_dtypes_balance(name):
    make, n, k = CLASSIFIERS[name]
    X, y = make(0)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))
    assert not np.array_equal(y[: n // 2], np.sort(y[: n // 2]))  # rows are shuffled


@pytest.mark.parametrize("name", list(CLASSIFIERS), ids=list(CLASSIFIERS))
def test_synthetic_determinism(name):
    make = CLASSIFIERS[name][0]
    X1, y1 = make(42)
    X2, y2 = make(42)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(43)
    assert not np.array_equal(X1, X3)
    gn.manual_seed(9)
    Xa, _ = make(None)
    gn.manual_seed(9)
    Xb, _ = make(None)
    np.testing.assert_array_equal(Xa, Xb)


def test_synthetic_geometry():
    X, y = circles(400, noise=0.0, factor=0.3, seed=0)
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)
    X, y = xor(400, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    X, y = spiral(100, classes=3, noise=0.0, seed=0)
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-6
    c = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = blobs(1000, centers=c, std=0.1, seed=0)
    assert X.shape == (1000, 3)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [10, 10, 10], atol=0.05)
    X, y = moons(200, noise=0.0, seed=0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0, atol=1e-6)


def test_sine():
    X, y = sine(300, noise=0.0, seed=0)
    assert X.shape == (300, 1) and y.shape == (300, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_allclose(y, np.sin(X), atol=1e-6)
    assert X.min() >= -np.pi and X.max() <= np.pi
    X2, y2 = sine(300, noise=0.5, seed=0)
    np.testing.assert_array_equal(X, X2)
    assert 0.4 < float(np.std(y2 - np.sin(X2))) < 0.6
    np.testing.assert_array_equal(sine(10, seed=3)[1], sine(10, seed=3)[1])


def test_synthetic_argument_errors():
    with pytest.raises(ValueError, match="n_per_class must be an integer >= 1"):
        spiral(0)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        moons(noise=-1)
    with pytest.raises(ValueError, match="factor"):
        circles(factor=1.5)
    with pytest.raises(ValueError, match=r"shape \(K, d\)"):
        blobs(centers=[1.0, 2.0])
    with pytest.raises(TypeError, match="Generator"):
        xor(seed="x")


# ------------------------------------------------------------------------------------- registry


def test_registry_names_and_load_dataset():
    assert set(DATASETS) == {
        "digits",
        "spiral",
        "moons",
        "circles",
        "xor",
        "blobs",
        "sine",
        "mnist",
        "fashion-mnist",
    }
    assert all(isinstance(v, str) and v for v in DATASETS.values())
    Xtr, ytr = load_dataset("moons", "train", seed=1, n=100)
    Xte, yte = load_dataset("moons", "test", seed=1, n=100)
    Xall, _ = load_dataset("moons", "all", seed=1, n=100)
    assert len(Xtr) == 80 and len(Xte) == 20
    np.testing.assert_array_equal(np.concatenate([Xtr, Xte]), Xall)
    X, y = load_dataset("digits", "test")
    assert X.shape == (360, 64)
    with pytest.raises(ValueError, match="known datasets: digits, spiral"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match="split"):
        load_dataset("xor", "val")


# ------------------------------------------------------------------------------ samplers, options


def test_tensor_dataset_slices_and_index_arrays():
    X, y = _xy()
    ds = TensorDataset(X, y)
    xs, ys = ds[2:5]
    np.testing.assert_array_equal(xs.numpy(), X[2:5])
    np.testing.assert_array_equal(ys.numpy(), y[2:5])
    xs, ys = ds[[0, 7]]
    np.testing.assert_array_equal(ys.numpy(), [0, 7])
    _, ys = ds[gn.tensor([9, 1])]
    np.testing.assert_array_equal(ys.numpy(), [9, 1])
    assert ds[gn.tensor(4)][1].item() == 4
    with pytest.raises(IndexError, match="out of range"):
        ds[[0, 10]]


def test_sequential_random_and_subset_samplers():
    ds = TensorDataset(*_xy(12))
    assert list(SequentialSampler(ds)) == list(range(12))
    order = list(RandomSampler(ds, generator=gn.Generator().manual_seed(0)))
    assert sorted(order) == list(range(12)) and order != list(range(12))
    drawn = RandomSampler(ds, replacement=True, num_samples=40).order()
    assert drawn.shape == (40,) and drawn.min() >= 0 and drawn.max() < 12
    long = RandomSampler(ds, num_samples=30).order()
    assert np.bincount(long, minlength=12).min() == 2  # two whole permutations and a part
    assert len(RandomSampler(ds, num_samples=30)) == 30
    sub = list(SubsetRandomSampler([3, 5, 7]))
    assert sorted(sub) == [3, 5, 7]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(ds, num_samples=0)


def test_weighted_random_sampler_balances_classes():
    labels = np.array([0] * 90 + [1] * 10)
    weights = 1.0 / np.bincount(labels)[labels]
    drawn = WeightedRandomSampler(weights, 4000, generator=gn.Generator().manual_seed(1)).order()
    assert abs(labels[drawn].mean() - 0.5) < 0.04
    unique = WeightedRandomSampler(weights, 20, replacement=False).order()
    assert len(set(unique.tolist())) == 20


@pytest.mark.parametrize(
    "drop_last,expected",
    [(False, [[0, 1, 2], [3, 4, 5], [6]]), (True, [[0, 1, 2], [3, 4, 5]])],
    ids=["keep", "drop"],
)
def test_batch_sampler(drop_last, expected):
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last)
    assert list(bs) == expected and len(bs) == len(expected)


def test_loader_with_sampler_and_batch_sampler_matches_the_indices():
    X, y = _xy(10)
    for ds in (TensorDataset(X, y), ListDataset(X, y)):
        loader = DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 6, 5])
        assert [yb.numpy().tolist() for _, yb in loader] == [[9, 8, 7, 6], [5]]
        loader = DataLoader(ds, batch_sampler=[[1, 2], [0]])
        assert [yb.numpy().tolist() for _, yb in loader] == [[1, 2], [0]] and len(loader) == 2
    assert [s[1].item() for s in DataLoader(TensorDataset(X, y), batch_size=None)][:3] == [0, 1, 2]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, "disables auto-batching"),
        ({"num_workers": -1}, "num_workers option should be non-negative"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ],
    ids=[
        "sampler-shuffle",
        "batch-sampler-size",
        "batch-sampler-drop",
        "none-drop",
        "workers",
        "timeout",
        "prefetch",
        "persistent",
    ],
)
def test_loader_option_exclusions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(TensorDataset(*_xy()), **kwargs)


@pytest.mark.parametrize(
    "persistent,calls", [(False, [0, 0]), (True, [0])], ids=["per-epoch", "persistent"]
)
def test_loader_workers_load_in_process_and_call_worker_init_fn(persistent, calls):
    seen = []

    def init(worker_id):
        seen.append(worker_id)
        assert get_worker_info().id == 0

    X, y = _xy(9)
    loader = DataLoader(
        TensorDataset(X, y),
        batch_size=4,
        num_workers=3,
        worker_init_fn=init,
        persistent_workers=persistent,
        prefetch_factor=2,
        pin_memory=True,
        timeout=5,
    )
    for _ in range(2):
        assert np.concatenate([yb.numpy() for _, yb in loader]).tolist() == list(range(9))
    assert seen == calls and get_worker_info() is None


def test_loader_accepts_a_glassnet_generator():
    X, y = _xy(30)
    a = DataLoader(
        TensorDataset(X, y), batch_size=30, shuffle=True, generator=gn.Generator().manual_seed(4)
    )
    b = DataLoader(TensorDataset(X, y), batch_size=30, shuffle=True, seed=4)
    np.testing.assert_array_equal(next(iter(a))[1].numpy(), next(iter(b))[1].numpy())
