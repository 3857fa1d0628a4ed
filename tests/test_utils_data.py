"""torch.utils.data against torch: datasets, batching, drop_last, collation of tensors, numbers,
tuples, dicts and named tuples, lengths, random_split's lengths and fractions, the DataLoader's
checks.  Shuffled orders come from NumPy's generator and cannot equal torch's: they are checked
in mygrad for what torch promises (each epoch a permutation, reproducible with a seeded
Generator, different from epoch to epoch)."""
from __future__ import annotations

import collections

import numpy as np
import pytest
from paired import scenario_suite

import mygrad
from mygrad.utils.data import DataLoader, TensorDataset, random_split

scenario, test_matches_torch = scenario_suite()
Point = collections.namedtuple("Point", "x y")


def dataset(t, n=10):
    return t.utils.data.TensorDataset(t.arange(n * 2, dtype=t.float32).reshape(n, 2), t.arange(n))


def batches(loader):
    """Every batch, dicts as key-ordered pairs and named tuples tagged, for paired.describe."""
    return [tree(b) for b in loader]


def tree(value):
    if isinstance(value, dict):
        return ("dict", tuple((k, tree(v)) for k, v in value.items()))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, tuple(tree(v) for v in value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [tree(v) for v in value])
    return value


@scenario
def tensor_dataset(t, see):
    ds = dataset(t)
    see("len", len(ds))
    see("item", ds[3])
    see("slice", ds[2:4])
    see.call("size mismatch", lambda: t.utils.data.TensorDataset(t.ones(3), t.ones(4)))
    see("concat", len(ds + dataset(t, 4)))
    see("concat item", (ds + dataset(t, 4))[-2])


@scenario
def batching(t, see):
    ds = dataset(t)
    for batch_size in (1, 3, 4, 10, 12):
        for drop_last in (False, True):
            loader = t.utils.data.DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
            see(f"len {batch_size} {drop_last}", len(loader))
            see(f"batches {batch_size} {drop_last}", batches(loader))
    see("no batching", batches(t.utils.data.DataLoader(ds, batch_size=None))[:2])
    sampler = t.utils.data.BatchSampler(t.utils.data.SequentialSampler(range(7)), 3, False)
    see("batch_sampler", batches(t.utils.data.DataLoader(dataset(t, 7), batch_sampler=sampler)))
    see("batch sampler len", len(sampler))
    see("sampler", batches(t.utils.data.DataLoader(ds, batch_size=4, sampler=[9, 0, 5, 5, 1])))


class Samples:
    """A map-style dataset of structured samples, plain Python in both libraries."""

    def __init__(self, t, kind):
        self.t, self.kind = t, kind

    def __len__(self):
        return 5

    def __getitem__(self, i):
        t = self.t
        if self.kind == "dict":
            return {"x": t.full((2,), float(i)), "label": i, "weight": i / 2, "name": f"s{i}"}
        if self.kind == "tuple":
            return t.tensor([i, i + 1]), (i, float(i)), [t.tensor(i * 1.5)]
        if self.kind == "namedtuple":
            return Point(t.tensor([float(i)]), i)
        if self.kind == "numpy":
            return np.arange(3) * i, np.float32(i), True
        if self.kind == "ragged":
            return [1] * (i + 1)
        return object()


@scenario
def collation(t, see):
    for kind in ("dict", "tuple", "namedtuple", "numpy", "ragged", "object"):
        see.call(kind, lambda kind=kind: batches(t.utils.data.DataLoader(Samples(t, kind), batch_size=2)))
    see("default_collate", tree(t.utils.data.default_collate([(1, 2.0, t.ones(2)), (3, 4.0, t.zeros(2))])))
    see("bools", t.utils.data.default_collate([True, False]))


@scenario
def loader_checks(t, see):
    ds = dataset(t)
    DL = t.utils.data.DataLoader
    see.call("sampler and shuffle", lambda: DL(ds, sampler=[0, 1], shuffle=True))
    see.call("batch_sampler and batch_size", lambda: DL(ds, batch_sampler=[[0, 1]], batch_size=2))
    see.call("batch_sampler and drop_last", lambda: DL(ds, batch_sampler=[[0, 1]], drop_last=True))
    see.call("no batching and drop_last", lambda: DL(ds, batch_size=None, drop_last=True))
    see.call("negative workers", lambda: DL(ds, num_workers=-1))
    see.call("prefetch without workers", lambda: DL(ds, prefetch_factor=2))
    see.call("persistent without workers", lambda: DL(ds, persistent_workers=True))
    see.call("batch_size 0", lambda: DL(ds, batch_size=0))
    see("workers (mygrad loads in process)", batches(DL(ds, batch_size=4, num_workers=2)))


@scenario
def splits(t, see):
    ds = dataset(t, 10)
    for lengths in ([3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34], [0.5, 0.5, 0.0], [1.0], [0, 10]):
        see.call(f"{lengths}", lambda lengths=lengths: [len(s) for s in t.utils.data.random_split(ds, lengths)])
    see.call("sum mismatch", lambda: t.utils.data.random_split(ds, [3, 3]))
    see.call("bad fraction", lambda: t.utils.data.random_split(ds, [1.5, -0.5]))
    parts = t.utils.data.random_split(range(10), [4, 6], generator=t.Generator().manual_seed(1))
    see("cover everything once", sorted(i for part in parts for i in part))
    sub = t.utils.data.Subset(ds, [4, 1])
    see("subset", (len(sub), sub[0], sub[1]))


def test_shuffle_is_a_seeded_permutation_per_epoch():
    ds = TensorDataset(mygrad.arange(20))
    loader = DataLoader(ds, batch_size=6, shuffle=True, generator=mygrad.Generator().manual_seed(3))
    epochs = [[int(v) for (b,) in loader for v in b] for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(20))
    assert epochs[0] != epochs[1] != epochs[2]
    again = DataLoader(ds, batch_size=6, shuffle=True, generator=mygrad.Generator().manual_seed(3))
    assert [[int(v) for (b,) in again for v in b] for _ in range(3)] == epochs
    assert [len(b) for (b,) in loader] == [6, 6, 6, 2]


def test_shuffle_without_generator_follows_manual_seed():
    ds = TensorDataset(mygrad.arange(15))
    orders = []
    for _ in range(2):
        mygrad.manual_seed(11)
        orders.append([int(v) for (b,) in DataLoader(ds, batch_size=4, shuffle=True) for v in b])
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(15)) and orders[0] != list(range(15))


def test_random_split_is_a_seeded_partition():
    parts = random_split(range(30), [0.3, 0.3, 0.4], generator=mygrad.Generator().manual_seed(42))
    assert [len(p) for p in parts] == [9, 9, 12]
    assert sorted(i for p in parts for i in p) == list(range(30))
    again = random_split(range(30), [0.3, 0.3, 0.4], generator=mygrad.Generator().manual_seed(42))
    assert [list(p) for p in parts] == [list(p) for p in again]
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
        random_split(range(3), [0.5, 0.5, 0.0])


class Stream:
    """An iterable-style dataset of ints, defined on each library's IterableDataset."""

    @staticmethod
    def make(t, n):
        class Numbers(t.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(n))

            def __len__(self):
                return n

        return Numbers()


@scenario
def iterable_datasets(t, see):
    for batch_size, drop_last in ((3, False), (3, True), (None, False), (10, False)):
        loader = t.utils.data.DataLoader(Stream.make(t, 7), batch_size=batch_size, drop_last=drop_last)
        see(f"batches {batch_size} {drop_last}", batches(loader))
        see(f"len {batch_size} {drop_last}", len(loader))
    see.call("shuffle", lambda: t.utils.data.DataLoader(Stream.make(t, 3), shuffle=True))
    see.call("sampler", lambda: t.utils.data.DataLoader(Stream.make(t, 3), sampler=[0]))
