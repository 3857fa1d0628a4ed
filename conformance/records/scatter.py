"""Records for the scatter family: scatter (src, value, reduce=), scatter_add, index_add, index_copy,
index_fill, masked_select, masked_scatter, nonzero, argwhere, where(condition), take,
take_along_dim, put, with their in-place forms.

Indices are drawn from a small range so duplicates are common (which write wins, and how the
accumulating forms add them, is what differs between implementations); now and then an index is
out of range or the shapes do not fit, so torch's refusals are checked too.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, real, shapes

IN_PLACE = ("function", "method", "inplace")
REAL = real()
TIES = real(-2.0, 2.0, special=(0.0, 1.0, -1.0))


def _indices(draw, shape, high, low=0, wrong=True):
    """int64 indices in [low, high) of ``shape``, mostly duplicates; one out of range now and then."""
    size = int(np.prod(shape))
    values = draw(st.lists(st.integers(low, max(high - 1, low)), min_size=size, max_size=size))
    out = np.array(values, dtype=np.int64).reshape(shape)
    if wrong and size and draw(st.integers(0, 15)) == 0:
        out.flat[0] = high
    return out


def _grad_flag(draw):
    return draw(st.sampled_from([True, True, False]))


def scatter_examples(kind: str):
    """kind: "src" (scatter/scatter_add with a tensor), "value" (a number), "reduce" (reduce=)."""
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
            ndim = len(shape)
            dim = draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
            d = dim % max(ndim, 1)
            if ndim:
                index_shape = tuple(draw(st.integers(0, 4)) if i == d else draw(st.integers(0, n))
                                    for i, n in enumerate(shape))
            else:
                index_shape = draw(st.sampled_from([(), (1,)]))
            size = shape[d] if ndim else 1
            index = TensorArg(_indices(draw, index_shape, size), False)
            ties = kind == "scatter_reduce"   # equal maxima share the gradient; zeros change prod's formula
            x = TensorArg(draw(arrays(dtype, shape, TIES if ties else REAL, ties=ties)), True)
            kwargs = {}
            if kind == "reduce":
                kwargs["reduce"] = draw(st.sampled_from(["add", "multiply"]))
            if kind == "value":
                return Example((x, dim, index, draw(REAL.scalars())), kwargs)
            src_shape = tuple(n + draw(st.integers(0, 1)) for n in index_shape)
            src = TensorArg(draw(arrays(dtype, src_shape, TIES if ties else REAL, ties=ties)), _grad_flag(draw))
            if kind == "scatter_reduce":
                reduce = draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
                return Example((x, dim, index, src, reduce), {"include_self": draw(st.booleans())})
            return Example((x, dim, index, src), kwargs)
        return draw_example()
    return build


def index_examples(kind: str):
    """index_add / index_copy / index_fill: a 1-D index into ``dim`` and a source of matching shape."""
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
            ndim = len(shape)
            dim = draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))
            d = dim % max(ndim, 1)
            size = shape[d] if ndim else 1
            k = draw(st.integers(0, 4)) if ndim else 1
            low = -size if kind == "fill" else 0
            kind_wrong = kind not in ("add", "reduce")
            # index_add words an out-of-range index by its kernel's path (IndexError or RuntimeError, by
            # strides): only index_copy and index_fill draw one
            index = TensorArg(_indices(draw, (k,), size, low, wrong=kind_wrong), False)
            ties = kind == "reduce"
            x = TensorArg(draw(arrays(dtype, shape, TIES if ties else REAL, ties=ties)), True)
            if kind == "fill":
                value = draw(st.one_of(REAL.scalars(), arrays(dtype, ()).map(lambda v: TensorArg(v, True))))
                return Example((x, dim, index, value))
            source_shape = tuple(k if i == d else n for i, n in enumerate(shape)) if ndim else ()
            source = TensorArg(draw(arrays(dtype, source_shape, TIES if ties else REAL, ties=ties)), _grad_flag(draw))
            if kind == "reduce":
                reduce = draw(st.sampled_from(["prod", "mean", "amax", "amin"]))
                return Example((x, dim, index, source, reduce), {"include_self": draw(st.booleans())})
            kwargs = {"alpha": draw(st.sampled_from([1, 2.0, -0.5]))} if kind == "add" else {}
            return Example((x, dim, index, source), kwargs)
        return draw_example()
    return build


def _mask_for(draw, shape):
    """A bool mask broadcastable with ``shape`` (trailing dims, some 1; now and then one more dim)."""
    k = len(shape)
    n = draw(st.integers(0, k))
    mask_shape = tuple(draw(st.sampled_from([s, 1])) for s in shape[k - n:])
    if n == k and draw(st.integers(0, 7)) == 0:
        mask_shape = (draw(st.integers(1, 2)),) + mask_shape
    return draw(hnp.arrays(np.bool_, mask_shape))


def masked_examples(scatter: bool):
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(max_dims=3))
            x = TensorArg(draw(arrays(dtype, shape, REAL)), True)
            mask = _mask_for(draw, shape)
            if not scatter:
                return Example((x, TensorArg(mask, False)))
            full = np.broadcast_shapes(shape, mask.shape)
            count = int(np.broadcast_to(mask, full).sum())
            n = max(count + draw(st.integers(-1 if count else 0, 2)), 0)
            source_shape = draw(st.sampled_from([(n,), (1, n)]))
            source = TensorArg(draw(arrays(dtype, source_shape, REAL)), _grad_flag(draw))
            return Example((x, TensorArg(mask, False), source))
        return draw_example()
    return build


SMALL_INTS = Domain(-2, 2, special=(0.0,))


def nonzero_examples(**kwargs_strategies):
    def build(dtype: str):
        return st.tuples(arrays(dtype, shapes(max_dims=3), SMALL_INTS, ties=True),
                         st.fixed_dictionaries(kwargs_strategies)).map(
            lambda xk: Example((TensorArg(xk[0], False),), xk[1]))
    return build


def take_examples(put: bool):
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(max_dims=3))
            n = int(np.prod(shape))
            x = TensorArg(draw(arrays(dtype, shape, REAL)), True)
            index_shape = draw(shapes(max_dims=2, max_side=3)) if not put else (draw(st.integers(0, 4)),)
            if n == 0:
                index = np.zeros(index_shape, np.int64)
                if index.size and draw(st.booleans()):
                    index = index.copy()
            else:
                index = _indices(draw, index_shape, n, -n)
            if not put:
                return Example((x, TensorArg(index, False)))
            source = TensorArg(draw(arrays(dtype, index.shape, REAL)), _grad_flag(draw))
            return Example((x, TensorArg(index, False), source), {"accumulate": draw(st.booleans())})
        return draw_example()
    return build


def take_along_dim_examples(dtype: str):
    @st.composite
    def draw_example(draw):
        shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
        ndim = len(shape)
        x = TensorArg(draw(arrays(dtype, shape, REAL)), True)
        if draw(st.integers(0, 3)) == 0:
            index = _indices(draw, draw(shapes(max_dims=2, max_side=3)), int(np.prod(shape)), wrong=False)
            return Example((x, TensorArg(index, False)))
        dim = draw(st.integers(-ndim, ndim - 1))
        d = dim % ndim
        index_shape = tuple(draw(st.integers(0, 3)) if i == d else draw(st.sampled_from([n, 1]))
                            for i, n in enumerate(shape))
        # in range only: torch gathers from the expanded input without a bounds check (it reads whatever lies there)
        index = _indices(draw, index_shape, shape[d], wrong=False)
        return Example((x, TensorArg(index, False)), {"dim": dim})
    return draw_example()


def gather_0d_examples(dtype: str):
    """gather where torch lets the index and the input differ in dims: a 0-d input with a 0-d or 1-D
    index, or a 1-D input with a 0-d index."""
    @st.composite
    def draw_example(draw):
        if draw(st.booleans()):
            x = draw(arrays(dtype, ()))
            index = _indices(draw, draw(st.sampled_from([(), (1,), (3,)])), 1)
        else:
            x = draw(arrays(dtype, (draw(st.integers(1, 4)),)))
            index = _indices(draw, (), x.shape[0])
        return Example((TensorArg(x, True), draw(st.sampled_from([0, -1])), TensorArg(index, False)))
    return draw_example()


RECORDS = [
    Record("scatter", scatter_examples("src"), forms=IN_PLACE),
    Record("scatter", scatter_examples("value"), forms=IN_PLACE, label="scatter (value)"),
    Record("scatter", scatter_examples("reduce"), forms=IN_PLACE, label="scatter (reduce)"),
    Record("scatter", scatter_examples("src"), forms=("function",), dtypes=("int64",), grad=False,
           label="scatter (integer)"),
    Record("scatter_add", scatter_examples("src"), forms=IN_PLACE),
    Record("scatter_add", scatter_examples("src"), forms=("function",), dtypes=("int64",), grad=False,
           label="scatter_add (integer)"),
    Record("scatter_reduce", scatter_examples("scatter_reduce"), forms=IN_PLACE),
    Record("scatter_reduce", scatter_examples("scatter_reduce"), forms=("function",), dtypes=("int64",), grad=False,
           label="scatter_reduce (integer)"),
    Record("index_add", index_examples("add"), forms=IN_PLACE),
    Record("index_reduce", index_examples("reduce"), forms=IN_PLACE),
    Record("index_copy", index_examples("copy"), forms=IN_PLACE),
    Record("index_fill", index_examples("fill"), forms=IN_PLACE),
    Record("masked_select", masked_examples(scatter=False)),
    Record("masked_scatter", masked_examples(scatter=True), forms=IN_PLACE),
    Record("nonzero", nonzero_examples(), dtypes=("float32", "int64", "bool"), grad=False),
    Record("nonzero", nonzero_examples(as_tuple=st.booleans()), dtypes=("float32", "bool"), grad=False,
           label="nonzero (as_tuple)"),
    Record("argwhere", nonzero_examples(), dtypes=("float32", "int64", "bool"), grad=False),
    Record("where", nonzero_examples(), forms=("function",), dtypes=("bool", "int64"), grad=False,
           label="where (condition)"),
    Record("gather", gather_0d_examples, label="gather (0-d)"),
    Record("take", take_examples(put=False)),
    Record("take_along_dim", take_along_dim_examples),
    Record("put", take_examples(put=True), forms=IN_PLACE),
]
