"""IterableDataset, ChainDataset and StackDataset, and how a DataLoader reads a stream."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import ChainDataset, DataLoader, IterableDataset, StackDataset, TensorDataset


class Counting(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __iter__(self):
        for i in range(self.n):
            yield gn.tensor([float(i)]), i % 3


class Endless(IterableDataset):
    def __iter__(self):
        i = 0
        while True:
            yield gn.tensor(float(i))
            i += 1


def test_a_stream_is_batched_in_order_with_the_last_batch_kept_or_dropped():
    batches = list(DataLoader(Counting(7), batch_size=3))
    assert [b[0].shape for b in batches] == [(3, 1), (3, 1), (1, 1)]
    np.testing.assert_array_equal(batches[1][1].numpy(), [0, 1, 2])
    assert len(DataLoader(Counting(7), batch_size=3)) == 3
    dropped = DataLoader(Counting(7), batch_size=3, drop_last=True)
    assert len(list(dropped)) == len(dropped) == 2
    assert [s[1] for s in DataLoader(Counting(4), batch_size=None)] == [0, 1, 2, 0]


def test_a_stream_without_a_length_still_iterates():
    loader = DataLoader(Endless(), batch_size=4)
    first = next(iter(loader))
    np.testing.assert_array_equal(first.numpy(), [0.0, 1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="stream without a length"):
        len(loader)


def test_a_stream_cannot_be_shuffled_or_sampled():
    for options in ({"shuffle": True}, {"sampler": [0, 1]}):
        with pytest.raises(ValueError, match="reads it in the order it comes"):
            DataLoader(Counting(3), **options)
    with pytest.raises(TypeError, match="iterate over it instead"):
        Counting(3)[0]


def test_chain_and_stack():
    chained = Counting(2) + Counting(3)
    assert isinstance(chained, ChainDataset) and len(chained) == 5
    assert [s[1] for s in chained] == [0, 1, 0, 1, 2]
    a, b = TensorDataset(gn.arange(4.0)), TensorDataset(gn.arange(4) * 10)
    named = StackDataset(x=a, y=b)
    assert len(named) == 4 and named[2]["y"][0].item() == 20
    assert StackDataset(a, b)[1][1][0].item() == 10
    with pytest.raises(ValueError, match="different lengths"):
        StackDataset(a, TensorDataset(gn.arange(3.0)))
