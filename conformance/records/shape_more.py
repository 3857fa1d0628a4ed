"""Records for the further shape ops: diagonal, diag_embed, diagflat, unflatten, Tensor.unfold,
repeat_interleave, meshgrid, atleast_1d/2d/3d, hstack/vstack/dstack/column_stack, tensor_split and
hsplit/vsplit/dsplit, rot90, narrow_copy, Tensor.type, type_as, view_as, reshape_as, Tensor.new_*.

Arguments are drawn around their valid range (offsets past the matrix, equal dims, sizes that do
not divide, split indices out of order) so torch's refusals are checked along with its views.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, LibAttr, Record, TensorArg
from ..strategies import arrays, real, shapes

REAL = real()
FLOATS = ("float32", "float64")


def with_tensor(extra, min_dims: int = 0, max_dims: int = 4, min_side: int = 0):
    """One tensor, then ``extra(shape)``: a strategy of (args, kwargs) after it."""
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side))
            x = TensorArg(draw(arrays(dtype, shape, REAL)))
            args, kwargs = draw(extra(shape))
            return Example((x, *args), kwargs)
        return draw_example()
    return build


def _dim(ndim: int, extra: int = 0):
    n = max(ndim + extra, 1)
    return st.integers(-n, n - 1)


def _diagonal(shape):
    return st.tuples(st.integers(-3, 3), _dim(len(shape)), _dim(len(shape))).map(lambda a: (a, {}))


def _diag_embed(shape):
    return st.tuples(st.integers(-2, 2), _dim(len(shape), 1), _dim(len(shape), 1)).map(
        lambda a: ((), {"offset": a[0], "dim1": a[1], "dim2": a[2]}))


def _offset(shape):
    return st.integers(-2, 2).map(lambda o: ((o,), {}))


def _unflatten(shape):
    def sizes_for(d):
        n = shape[d]
        factors = [(n,), (1, n), (n, 1), (-1,), (-1, 1)] + [(f, n // f) for f in (2, 3) if n and n % f == 0] + \
                  [(2, -1)] + [(n + 1,)]
        return st.sampled_from(factors).map(lambda s: ((d, s), {}))
    return st.integers(0, len(shape) - 1).flatmap(sizes_for)


def _unfold(shape):
    def for_dim(d):
        n = shape[d % len(shape)] if shape else 1
        return st.tuples(st.integers(0, n + 1), st.integers(0, 3)).map(lambda ss: ((d, ss[0], ss[1]), {}))
    return _dim(len(shape)).flatmap(for_dim)


def _repeats(shape):
    return st.tuples(st.integers(0, 3), st.one_of(st.none(), _dim(len(shape)))).map(
        lambda rd: ((rd[0],), {} if rd[1] is None else {"dim": rd[1]}))


def _tensor_repeats(shape):
    def for_dim(d):
        n = shape[d % len(shape)] if shape else 1
        counts = st.lists(st.integers(0, 3), min_size=n, max_size=n).map(lambda c: np.array(c, np.int64))
        return counts.map(lambda c: ((TensorArg(c, False),), {"dim": d}))
    return _dim(len(shape)).flatmap(for_dim)


def _sections(shape):
    def for_dim(d):
        return st.one_of(st.integers(1, 4), st.lists(st.integers(-1, 5), max_size=3)).map(
            lambda s: ((s,), {"dim": d}))
    return _dim(len(shape)).flatmap(for_dim)


def _directional(shape):
    return st.one_of(st.integers(1, 4), st.lists(st.integers(0, 4), max_size=3)).map(lambda s: ((s,), {}))


def _rot90(shape):
    return st.tuples(st.integers(-3, 5), _dim(len(shape)), _dim(len(shape))).map(
        lambda a: ((a[0], [a[1], a[2]]), {}))


def _narrow(shape):
    def for_dim(d):
        n = shape[d % len(shape)] if shape else 1
        return st.tuples(st.integers(-n, n), st.integers(0, n)).map(lambda sl: ((d, sl[0], sl[1]), {}))
    return _dim(len(shape)).flatmap(for_dim)


def _as_strided(shape):
    """Sizes and strides (0 too: overlapping outputs) that mostly fit the storage, now and then not."""
    dims = st.integers(0, 2)
    return dims.flatmap(lambda k: st.tuples(
        st.lists(st.integers(0, 3), min_size=k, max_size=k), st.lists(st.integers(0, 3), min_size=k, max_size=k),
        st.one_of(st.none(), st.integers(0, 3)))).map(
        lambda sso: ((sso[0], sso[1]) + (() if sso[2] is None else (sso[2],)), {}))


def same_shape_lists(dtype: str):
    """2-3 tensors of one shape (0 to 3 dims): every stack accepts them."""
    @st.composite
    def draw_example(draw):
        shape = draw(shapes(max_dims=3))
        n = draw(st.integers(1, 3))
        flags = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        if not any(flags):
            flags[0] = True
        return Example(([TensorArg(draw(arrays(dtype, shape, REAL)), f) for f in flags],))
    return draw_example()


def grids(dtype: str):
    @st.composite
    def draw_example(draw):
        n = draw(st.integers(1, 3))
        tensors = [TensorArg(draw(arrays(dtype, draw(st.sampled_from([(), (1,), (2,), (3,)])), REAL)))
                   for _ in range(n)]
        return Example(tuple(tensors), {"indexing": draw(st.sampled_from(["ij", "xy"]))})
    return draw_example()


def pairs_same_numel(dtype: str):
    @st.composite
    def draw_example(draw):
        shape = draw(shapes(max_dims=3))
        other = draw(st.sampled_from([shape, (int(np.prod(shape)),), shape[::-1], (int(np.prod(shape)) + 1,)]))
        other_dtype = draw(st.sampled_from(["float32", "float64", "int64"]))
        return Example((TensorArg(draw(arrays(dtype, shape, REAL))),
                        TensorArg(draw(arrays(other_dtype, other, REAL)), False)))
    return draw_example()


def _call(method: str, *fixed, **fixed_kwargs):
    def call(lib, x, *args, **kwargs):
        resolved = [getattr(lib, a.name) if isinstance(a, LibAttr) else a for a in fixed]
        return getattr(x, method)(*resolved, *args, **fixed_kwargs, **kwargs)
    call.__name__ = method
    return call


def _factory(kind: str):
    def extra(shape):
        size = st.lists(st.integers(0, 3), max_size=3).map(tuple)
        dtype = st.one_of(st.just({}), st.sampled_from(["float64", "int64"]).map(lambda d: {"dtype": LibAttr(d)}))
        if kind == "full":
            return st.tuples(size, st.sampled_from([0.5, 2, -1.0]), dtype).map(lambda s: ((s[0], s[1]), s[2]))
        if kind == "tensor":
            return st.tuples(st.sampled_from([[1, 2], [[0.5], [1.5]], 3.0, [True, False]]), dtype).map(
                lambda s: ((s[0],), s[1]))
        return st.tuples(size, dtype).map(lambda s: (s[0], s[1]))
    return extra


def _new(kind: str):
    name = f"new_{kind}"
    return lambda lib, x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


RECORDS = [
    Record("diagonal", with_tensor(_diagonal, min_dims=1)),
    Record("diag_embed", with_tensor(_diag_embed, min_dims=1, max_dims=3)),
    Record("diagflat", with_tensor(_offset, max_dims=3)),
    Record("unflatten", with_tensor(_unflatten, min_dims=1)),
    Record("unfold", with_tensor(_unfold), forms=("method",)),
    Record("repeat_interleave", with_tensor(_repeats, max_dims=3)),
    Record("repeat_interleave", with_tensor(_tensor_repeats, max_dims=3), label="repeat_interleave (tensor)"),
    Record("meshgrid", grids, forms=("function",)),
    Record("atleast_1d", with_tensor(lambda s: st.just(((), {}))), forms=("function",)),
    Record("atleast_2d", with_tensor(lambda s: st.just(((), {}))), forms=("function",)),
    Record("atleast_3d", with_tensor(lambda s: st.just(((), {}))), forms=("function",)),
    Record("hstack", same_shape_lists, forms=("function",)),
    Record("vstack", same_shape_lists, forms=("function",)),
    Record("dstack", same_shape_lists, forms=("function",)),
    Record("column_stack", same_shape_lists, forms=("function",)),
    Record("tensor_split", with_tensor(_sections, min_dims=1)),
    Record("hsplit", with_tensor(_directional, min_dims=0)),
    Record("vsplit", with_tensor(_directional, min_dims=1)),
    Record("dsplit", with_tensor(_directional, min_dims=2)),
    Record("rot90", with_tensor(_rot90, min_dims=1)),
    Record("narrow_copy", with_tensor(_narrow, min_dims=1)),
    Record("as_strided", with_tensor(_as_strided, min_dims=1, min_side=1)),
    Record("type", with_tensor(lambda s: st.sampled_from([((), {})])), forms=("call",),
           call=_call("type", LibAttr("float64")), label="type (dtype)"),
    Record("type", with_tensor(lambda s: st.sampled_from([((), {})])), forms=("call",),
           call=_call("type", "torch.DoubleTensor"), label="type (name)"),
    Record("type", with_tensor(lambda s: st.just(((), {}))), forms=("call",), call=_call("type"),
           label="type (query)", dtypes=("float32", "float64", "int64", "bool"), grad=False, output="scalar"),
    Record("type_as", pairs_same_numel, forms=("method",)),
    Record("view_as", pairs_same_numel, forms=("method",)),
    Record("reshape_as", pairs_same_numel, forms=("method",)),
    *[Record(f"new_{kind}", with_tensor(_factory(kind), max_dims=2), forms=("call",), call=_new(kind),
             grad=False, dtypes=("float32", "int64"))
      for kind in ("zeros", "ones", "full", "tensor")],
]
