"""glassnet.data: datasets, the DataLoader, transforms and data loaders (re-exports only).

* ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``,
  ``ChainDataset``, ``StackDataset``, ``random_split``, ``DataLoader``, ``default_collate``,
  ``default_convert``
* samplers: ``Sampler``, ``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
  ``WeightedRandomSampler``, ``BatchSampler``; ``get_worker_info``
* ``transforms``: ``Normalize``, ``OneHot``, ``Flatten``, ``Compose``
* synthetic data: ``spiral``, ``moons``, ``circles``, ``xor``, ``blobs``, ``sine``
* real data: ``load_digits`` (bundled), ``load_mnist`` / ``read_idx``, ``load_csv``
* ``DATASETS`` (name -> description) and ``load_dataset(name, split)``
"""

from . import transforms
from .csv import CSVData, load_csv
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .digits import load_digits
from .distributed_sampler import DistributedSampler
from .download import ChecksumError, cache_dir, sha256_file
from .loader import DataLoader, default_collate, default_convert, get_worker_info
from .mnist import FASHION_MNIST_CLASSES, IDXError, load_mnist, read_idx
from .registry import DATASETS, load_dataset
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .synthetic import blobs, circles, moons, sine, spiral, xor
from .text import TEXTS, load_text
from .transforms import Compose, Flatten, Normalize, OneHot

__all__ = [
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "BatchSampler",
    "CSVData",
    "ChainDataset",
    "ChecksumError",
    "Compose",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "Flatten",
    "IDXError",
    "IterableDataset",
    "Normalize",
    "OneHot",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "blobs",
    "cache_dir",
    "circles",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "moons",
    "random_split",
    "read_idx",
    "sha256_file",
    "sine",
    "spiral",
    "transforms",
    "xor",
]
