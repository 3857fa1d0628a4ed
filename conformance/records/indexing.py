"""Records for indexing: ``a[key]``, ``a[key] = value`` (and ``+=``) through the call form, and the
index ops select, narrow, index_select, gather, masked_fill, index_put.

The key strategy walks the dims of a drawn shape and picks, for each, an int (negative too, now and
then out of range), a slice (steps, negative and clamped bounds, full ``:``), or an advanced index:
an int list, an int64 tensor (1-D or 2-D, negative entries), or a bool mask over one or two dims;
None and ``...`` are mixed in, and a key of one item is sometimes passed bare (``a[0]``, ``a[1:3]``,
``a[idx]``, which torch reads differently from a 1-tuple).  Index tensors and masks are inputs that
do not require grad.  Assignment writes ``y[key]`` of a second tensor into a copy of the first, so
both get gradients through CopySlices or IndexPutBackward0.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, real, shapes

INDEX_SHAPES = shapes(max_dims=3)


def _int(size: int):
    """An index into a dim of ``size``: in range mostly (negative too), sometimes just out of it."""
    valid = [st.integers(-size, size - 1)] if size else []
    return st.one_of(*valid, st.sampled_from([size, -size - 1]))


def _slice(size: int):
    """A slice: the whole dim, a plain offset (``1:``, ``2:``, ``1:-1``: a backward must honour the start),
    or any bounds and step (out of range and negative too)."""
    bound = st.one_of(st.none(), st.integers(-size - 2, size + 2))
    offset = st.builds(slice, st.integers(1, max(size - 1, 1)), st.sampled_from([None, -1]), st.just(None))
    return st.one_of(st.just(slice(None)), offset, st.builds(slice, bound, bound, st.sampled_from([None, 1, 2, 3])))


def _int_array(size: int, count_shape: tuple):
    """Integer entries valid for ``size`` (negative too; out of range now and then)."""
    low, high = (-size, size - 1) if size else (0, 0)
    entries = st.integers(low, high) if size else st.just(0)
    odd = st.integers(0, 19)
    return st.tuples(st.lists(entries, min_size=int(np.prod(count_shape)), max_size=int(np.prod(count_shape))),
                     odd).map(lambda eo: _maybe_out(np.array(eo[0], dtype=np.int64).reshape(count_shape), size, eo[1]))


def _bools(shape: tuple):
    return hnp.arrays(np.bool_, shape)


def _maybe_out(a: np.ndarray, size: int, odd: int) -> np.ndarray:
    if odd == 0 and a.size:
        a = a.copy()
        a.flat[0] = size
    return a


def _advanced(shape: tuple, dim: int, count_shape: tuple):
    """One advanced item at ``dim``: (item, dims it covers)."""
    size = shape[dim]
    as_list = _int_array(size, count_shape[-1:] if count_shape else (2,)).map(lambda a: (a.tolist(), 1))
    as_tensor = _int_array(size, count_shape).map(lambda a: (TensorArg(a, False), 1))
    masks = [_bools(shape[dim:dim + 1]).map(lambda m: (TensorArg(m, False), 1))]
    if dim + 1 < len(shape):
        masks.append(_bools(shape[dim:dim + 2]).map(lambda m: (TensorArg(m, False), 2)))
    return st.one_of(as_list, as_tensor, *masks)


@st.composite
def index_key(draw, shape: tuple, advanced: bool = True):
    """A key for a tensor of ``shape`` (see the module docstring)."""
    items, dim = [], 0
    index_shape = draw(st.sampled_from([(2,), (3,), (1,), (2, 2), (0,)]))
    used_advanced = 0
    ellipsis_at = draw(st.integers(-1, len(shape))) if draw(st.integers(0, 3)) == 0 else None
    explicit = draw(st.integers(0, len(shape)))
    while dim < explicit:
        if ellipsis_at is not None and len(items) == ellipsis_at:
            items.append(Ellipsis)
        if draw(st.integers(0, 7)) == 0:
            items.append(None)
        kind = draw(st.integers(0, 7 if advanced and used_advanced < 2 else 5))   # slices twice as often as ints
        if kind <= 1:
            items.append(draw(_int(shape[dim])))
            dim += 1
        elif kind <= 5:
            items.append(draw(_slice(shape[dim])))
            dim += 1
        else:
            item, covered = draw(_advanced(shape, dim, index_shape))
            if covered > 1 or isinstance(item, TensorArg) and item.array.dtype == np.bool_:
                used_advanced = 2  # a mask is the only advanced item (its count fixes the index shape)
            used_advanced += 1
            items.append(item)
            dim += covered
    if ellipsis_at is not None and Ellipsis not in items:
        items.append(Ellipsis)
    if draw(st.integers(0, 5)) == 0:
        items.append(None)
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


def keyed(second: bool = False, advanced: bool = True):
    """A tensor and a key for it; with ``second``, another tensor of the same shape (the assigned values)."""
    def build(dtype: str):
        def make(shape):
            tensors = st.tuples(arrays(dtype, shape), arrays(dtype, shape), grad_flags(2))
            return st.tuples(tensors, index_key(shape, advanced)).map(
                lambda tk: Example((TensorArg(tk[0][0], tk[0][2][0]),) +
                                   ((TensorArg(tk[0][1], tk[0][2][1]),) if second else ()) + (tk[1],)))
        return INDEX_SHAPES.flatmap(make)
    return build


def _assign(lib, x, y, key):
    out = x * 1
    out[key] = y[key]
    return out


def _assign_scalar(lib, x, key):
    out = x * 1
    out[key] = 0.5
    return out


def _add_into(lib, x, y, key):
    out = x * 1
    out[key] += y[key]
    return out


def _assign_leaf(lib, x, key):
    x[key] = 0.5
    return x


# ----- the index ops ----------------------------------------------------------------------------

def _with(extra):
    """One tensor (up to 3 dims) and what ``extra(shape, dtype)`` draws: (args, kwargs)."""
    def build(dtype: str):
        return INDEX_SHAPES.flatmap(lambda s: arrays(dtype, s)).flatmap(
            lambda x: extra(x.shape, dtype).map(lambda ak: Example((TensorArg(x),) + tuple(ak[0]), dict(ak[1]))))
    return build


def _dim(ndim: int):
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


def _select_args(shape, dtype):
    return _dim(len(shape)).flatmap(lambda d: _int(shape[d] if shape else 1).map(lambda i: ((d, i), {})))


def _narrow_args(shape, dtype):
    if not shape:
        return st.just(((0, 0, 0), {}))

    def for_dim(d):
        size = shape[d]
        return st.tuples(st.integers(-size, size), st.integers(0, size)).map(
            lambda sl: ((d, sl[0], min(sl[1], size - (sl[0] % size if size else 0)) if sl[0] < size else 0), {}))
    return _dim(len(shape)).flatmap(for_dim)


def _index_select_args(shape, dtype):
    def for_dim(d):
        size = shape[d] if shape else 1
        return st.integers(0, 4).flatmap(lambda n: _int_array(size, (n,)).map(
            lambda a: ((d, TensorArg(np.where(a < 0, a + size, a), False)), {})))
    return _dim(len(shape)).flatmap(for_dim)


def _gather_args(shape, dtype):
    """dim, and an int64 index with the input's number of dims: no larger than the input except along dim."""
    def for_dim(d):
        size = shape[d] if shape else 1
        sides = [st.integers(0, 4) if i == d % max(len(shape), 1) else st.integers(0, n) for i, n in enumerate(shape)]
        return st.tuples(*sides).flatmap(lambda s: _int_array(size, tuple(s)).map(
            lambda a: ((d, TensorArg(np.where(a < 0, a + size, a), False)), {})))
    return _dim(len(shape)).flatmap(for_dim)


def _mask_for(shape):
    """A bool mask that broadcasts to ``shape`` (its trailing dims, some of them 1)."""
    k = len(shape)
    return st.integers(0, k).flatmap(lambda n: st.tuples(*[st.sampled_from([s, 1]) for s in shape[k - n:]])).flatmap(
        lambda ms: _bools(tuple(ms)))


def _masked_fill_args(value_tensor: bool):
    def extra(shape, dtype):
        values = (arrays(dtype, ()).map(lambda v: TensorArg(v, True)) if value_tensor
                  else st.one_of(real().scalars(), st.integers(-3, 3)))
        return st.tuples(_mask_for(shape), values).map(lambda mv: ((TensorArg(mv[0], False), mv[1]), {}))
    return extra


def _index_put_args(accumulate: bool):
    def extra(shape, dtype):
        if not shape:
            return st.just(((), {}))
        size = shape[0]
        return st.integers(0, 4).flatmap(lambda n: st.tuples(_int_array(size, (n,)),
                                                             arrays(dtype, (n,) + shape[1:]))).map(
            lambda iv: (((TensorArg(iv[0], False),), TensorArg(iv[1])), {"accumulate": accumulate}))
    return extra


RECORDS = [
    Record("__getitem__", keyed(), forms=("call",), call=lambda lib, x, key: x[key], label="getitem"),
    Record("__getitem__", keyed(advanced=False), forms=("call",), call=lambda lib, x, key: x[key],
           label="getitem (basic)"),
    Record("__setitem__", keyed(second=True), forms=("call",), call=_assign, label="setitem"),
    Record("__setitem__", keyed(), forms=("call",), call=_assign_scalar, label="setitem (scalar)"),
    Record("__setitem__", keyed(second=True), forms=("call",), call=_add_into, label="setitem (+=)"),
    Record("__setitem__", keyed(), forms=("call",), call=_assign_leaf, label="setitem (leaf)",
           raises=True),   # torch refuses in-place writes into a leaf that requires grad: error parity
    Record("select", _with(_select_args)),
    Record("narrow", _with(_narrow_args)),
    Record("index_select", _with(_index_select_args)),
    Record("gather", _with(_gather_args)),
    Record("masked_fill", _with(_masked_fill_args(False)), forms=("function", "method", "inplace")),
    Record("masked_fill", _with(_masked_fill_args(True)), forms=("function", "method", "inplace"),
           label="masked_fill (tensor value)"),
    Record("index_put", _with(_index_put_args(False)), forms=("function", "method", "inplace")),
    Record("index_put", _with(_index_put_args(True)), forms=("function", "method", "inplace"),
           label="index_put (accumulate)"),
]
