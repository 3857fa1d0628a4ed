"""Records for sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode,
unique, unique_consecutive, searchsorted, bucketize, bincount, histc, count_nonzero.

Ties are drawn where torch's rule is deterministic (sort is stable, mode takes the smallest most
frequent value at its last index, unique, the full medians share the gradient between ties).
topk and kthvalue pick among equal values as their CPU kernels' compares and swaps leave them (mygrad
replays them), so their records draw ties; median(dim) draws distinct values.  NaN is drawn for the
medians.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import MAX_SIDE, Domain, arrays, real, shapes

INTEGERS = ("int64", "int32", "bool")
REAL = real()


@dataclass(frozen=True)
class WithNaN(Domain):
    """Values of the domain and NaN (nanmedian's and median's NaN rules)."""

    def elements(self, dtype: str) -> st.SearchStrategy:
        if not dtype.startswith("float"):
            return super().elements(dtype)
        return st.one_of(super().elements(dtype), st.just(math.nan))


def one_tensor(make, domain: Domain = REAL, ties: bool = False, distinct: bool = False, min_dims: int = 0,
               max_dims: int = 4):
    """One drawn tensor first, then what ``make(array)`` draws: a strategy of (args, kwargs)."""
    def build(dtype: str):
        return arrays(dtype, shapes(min_dims=min_dims, max_dims=max_dims), domain, ties, distinct).flatmap(
            lambda x: make(x).map(lambda ak: Example((TensorArg(x),) + tuple(ak[0]), dict(ak[1]))))
    return build


def dim_of(x) -> st.SearchStrategy:
    n = max(x.ndim, 1)
    return st.integers(-n, n - 1)


def _size(x, d: int) -> int:
    return x.shape[d] if x.ndim else 1


def kwargs(**strategies):
    """No positional arguments, keyword arguments each drawn from ``strategies[name](x)``."""
    return lambda x: st.fixed_dictionaries({k: f(x) for k, f in strategies.items()}).map(lambda kw: ((), kw))


def _topk(x):
    return dim_of(x).flatmap(lambda d: st.tuples(
        st.integers(0, _size(x, d)), st.just(d), st.booleans()).map(
        lambda kdl: ((kdl[0],), {"dim": kdl[1], "largest": kdl[2]})))


def _kthvalue(x):
    return dim_of(x).flatmap(lambda d: st.tuples(
        st.integers(0, _size(x, d) + 1), st.just(d), st.booleans()).map(
        lambda kdk: ((kdk[0],), {"dim": kdk[1], "keepdim": kdk[2]})))


def sorted_sequences(values_domain: Domain = REAL, batched: bool = True, bucketize: bool = False):
    """searchsorted(sorted_sequence, values) / bucketize(values, boundaries): a sorted sequence (1-D, or
    with the values' leading dims), values that often equal one of its elements; ``side``/``right``."""
    def build(dtype: str):
        def make(shape_and_n):
            lead, n, m, one_d = shape_and_n
            seq_shape = (n,) if one_d or not batched else lead + (n,)
            val_shape = lead + (m,)

            def assemble(seq_and_pick):
                seq, pick, right = seq_and_pick
                seq = np.sort(seq, axis=-1)
                flat = seq.reshape(-1)
                if flat.size and pick.size:   # half the values are elements of the sequence (ties with it)
                    take = flat[np.arange(pick.size) % flat.size].reshape(pick.shape)
                    pick = np.where(np.arange(pick.size).reshape(pick.shape) % 2 == 0, take, pick)
                if bucketize:
                    return Example((TensorArg(pick, False), TensorArg(seq, False)), {"right": right})
                return Example((TensorArg(seq, False), TensorArg(pick, False)), {"right": right})
            return st.tuples(arrays(dtype, seq_shape, values_domain, ties=True),
                             arrays(dtype, val_shape, values_domain), st.booleans()).map(assemble)
        return st.tuples(shapes(max_dims=2, min_side=1, max_side=3), st.integers(1, MAX_SIDE),
                         st.integers(0, MAX_SIDE), st.booleans()).flatmap(make)
    return build


def bincounts(weights: bool):
    def build(dtype: str):
        def make(n):
            idx = st.lists(st.integers(0, 5), min_size=n, max_size=n).map(lambda v: np.array(v, np.int64))
            minlength = st.integers(0, 8)
            if not weights:
                return st.tuples(idx, minlength).map(lambda im: Example((TensorArg(im[0], False),),
                                                                        {"minlength": im[1]}))
            return st.tuples(idx, arrays(dtype, (n,), real()), minlength).map(
                lambda iwm: Example((TensorArg(iwm[0], False),), {"weights": TensorArg(iwm[1], True),
                                                                   "minlength": iwm[2]}))
        return st.integers(0, 6).flatmap(make)
    return build


def _histc(x):
    bounds = st.sampled_from([(0, 0), (-2, 2), (-1, 3), (1, 1), (0.5, 0.25)])
    return st.tuples(st.integers(1, 6), bounds).map(lambda bb: ((), {"bins": bb[0], "min": bb[1][0],
                                                                     "max": bb[1][1]}))


def _unique_dim(x):
    return st.fixed_dictionaries({"dim": dim_of(x), "return_inverse": st.booleans(),
                                  "return_counts": st.booleans()}).map(lambda kw: ((), kw))


def _count_dims(x):
    options = [st.none(), dim_of(x)]
    if x.ndim:
        options.append(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True).map(tuple))
    return st.one_of(*options).map(lambda d: ((), {} if d is None else {"dim": d}))


SMALL_INTS = Domain(-3, 3, special=(0.0,))
WIDE_INTS = Domain(-300, 300, special=(0.0,))   # room for distinct values
NAN_DOMAIN = WithNaN(-4.0, 4.0, special=(0.0,))
DIM_DESCENDING = kwargs(dim=dim_of, descending=lambda x: st.booleans())
DIM_KEEPDIM = kwargs(dim=dim_of, keepdim=lambda x: st.booleans())
UNIQUE = kwargs(sorted=lambda x: st.booleans(), return_inverse=lambda x: st.booleans(),
                return_counts=lambda x: st.booleans())
NO_ARGS = kwargs()

# torch's mode and unique(dim) kernels std::sort with ``<`` (on values; on slices, lexicographically), which
# is not a strict weak ordering once a NaN is present: undefined behaviour in C++, so where the NaNs land,
# and which run or slice order wins, follows libstdc++'s sort internals (measured: mode([nan, nan]) gives
# index 0, unique(dim) orders a slice with a NaN before or after by position).  They draw no hostile values.
NAN_UNORDERED = (("hostile", "torch std::sorts with `<`, no strict weak ordering with NaN (undefined "
                             "behaviour): NaN placement follows the sort's internals"),)

RECORDS = [
    Record("sort", one_tensor(DIM_DESCENDING, ties=True)),
    Record("sort", one_tensor(kwargs(dim=dim_of, descending=lambda x: st.booleans(), stable=lambda x: st.booleans()),
                              ties=True), label="sort (stable)"),
    Record("sort", one_tensor(DIM_DESCENDING, SMALL_INTS, ties=True), label="sort (integer)", dtypes=INTEGERS,
           grad=False),
    Record("sort", one_tensor(DIM_DESCENDING, NAN_DOMAIN, ties=True), label="sort (nan)", dtypes=("float64",)),
    Record("argsort", one_tensor(kwargs(dim=dim_of, descending=lambda x: st.booleans(),
                                        stable=lambda x: st.booleans()), ties=True),
           dtypes=("float32", "int64"), grad=False),
    Record("msort", one_tensor(NO_ARGS, ties=True)),
    Record("topk", one_tensor(_topk, ties=True)),
    Record("topk", one_tensor(_topk, WIDE_INTS, ties=True), label="topk (integer)", dtypes=("int64",),
           grad=False),
    Record("kthvalue", one_tensor(_kthvalue, ties=True)),
    Record("median", one_tensor(NO_ARGS, ties=True)),
    Record("median", one_tensor(NO_ARGS, NAN_DOMAIN, ties=True), label="median (nan)", dtypes=("float64",)),
    Record("median", one_tensor(DIM_KEEPDIM, distinct=True), label="median (dim)"),
    Record("median", one_tensor(DIM_KEEPDIM, WIDE_INTS, distinct=True), label="median (integer)",
           dtypes=("int64",), grad=False),
    Record("nanmedian", one_tensor(NO_ARGS, NAN_DOMAIN, ties=True)),
    Record("nanmedian", one_tensor(DIM_KEEPDIM, NAN_DOMAIN, distinct=True), label="nanmedian (dim)"),
    Record("mode", one_tensor(DIM_KEEPDIM, ties=True), unchecked=NAN_UNORDERED),
    Record("mode", one_tensor(DIM_KEEPDIM, SMALL_INTS, ties=True), label="mode (integer)", dtypes=INTEGERS,
           grad=False),
    Record("unique", one_tensor(UNIQUE, ties=True)),
    Record("unique", one_tensor(UNIQUE, SMALL_INTS, ties=True), label="unique (integer)", dtypes=INTEGERS,
           grad=False),
    Record("unique", one_tensor(_unique_dim, SMALL_INTS, ties=True, min_dims=1), label="unique (dim)",
           dtypes=("float32", "int64"), unchecked=NAN_UNORDERED),
    Record("unique_consecutive", one_tensor(kwargs(return_inverse=lambda x: st.booleans(),
                                                   return_counts=lambda x: st.booleans()), ties=True)),
    Record("unique_consecutive", one_tensor(_unique_dim, SMALL_INTS, ties=True, min_dims=1),
           label="unique_consecutive (dim)", dtypes=("float32", "int64")),
    Record("searchsorted", sorted_sequences(), forms=("function",), dtypes=("float32", "int64"), grad=False),
    Record("bucketize", sorted_sequences(batched=False, bucketize=True), forms=("function",),
           dtypes=("float32", "int64"), grad=False),
    Record("bincount", bincounts(weights=False), dtypes=("int64",), grad=False),
    Record("bincount", bincounts(weights=True), label="bincount (weights)", forms=("function",)),
    Record("histc", one_tensor(_histc, ties=True), grad=False),
    Record("count_nonzero", one_tensor(_count_dims, SMALL_INTS, ties=True), dtypes=("float32", "int64", "bool"),
           grad=False),
]
