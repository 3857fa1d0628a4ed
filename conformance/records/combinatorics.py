"""Records for cartesian_prod, combinations, unravel_index, isin and vander (mygrad/ops/combinatorics.py)."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, real, shapes

SMALL_INTS = Domain(-3, 3, special=(0.0, 1.0))


def vectors(dtype: str, form=None):
    """One to three 1-D tensors (sizes 0-3), now and then a 2-D one (torch's error)."""
    @st.composite
    def draw(draw):
        n = draw(st.integers(1, 3))
        out = []
        for _ in range(n):
            shape = (draw(st.integers(0, 3)),) if draw(st.integers(0, 7)) else (2, 2)
            out.append(TensorArg(draw(arrays(dtype, shape, real(special=(0.0, 1.0)))), draw(st.booleans())))
        return Example(tuple(out))
    return draw()


def combinations_args(dtype: str, form=None):
    """A 1-D tensor (size 0-5; now and then 2-D, torch's error), r from 0 past its size (now and then -1)."""
    @st.composite
    def draw(draw):
        shape = (draw(st.integers(0, 5)),) if draw(st.integers(0, 9)) else (2, 2)
        x = TensorArg(draw(arrays(dtype, shape, real(special=(0.0, 1.0)))), draw(st.booleans()))
        r = draw(st.integers(-1, 4)) if not draw(st.integers(0, 9)) else draw(st.integers(0, 4))
        return Example((x,), {"r": r, "with_replacement": draw(st.booleans())})
    return draw()


def vander_args(dtype: str, form=None):
    """A 1-D tensor (size 0-4; now and then 2-D, torch's error), N left out or 0-4 (now and then -1), increasing
    or not.  (torch's own backward fails for N > 1: cumprod's saved result is edited in place by the slice copy
    after it; the harness compares that error.)"""
    @st.composite
    def draw(draw):
        shape = (draw(st.integers(0, 4)),) if draw(st.integers(0, 9)) else (2, 2)
        x = TensorArg(draw(arrays(dtype, shape, real(special=(0.0, 1.0)))), draw(st.booleans()))
        n = draw(st.one_of(st.none(), st.integers(0, 4), st.just(-1)))
        return Example((x,), {"N": n, "increasing": draw(st.booleans())})
    return draw()


def unravel_args(dtype: str, form=None):
    @st.composite
    def draw(draw):
        dims = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=3)))
        if draw(st.integers(0, 9)) == 0:
            dims = dims + (-1,)
        indices = draw(arrays(dtype, draw(shapes(max_dims=2)), Domain(-30, 30, special=(0.0, -1.0))))
        shape = dims if draw(st.integers(0, 4)) or len(dims) != 1 else dims[0]
        return Example((TensorArg(indices, False), shape))
    return draw()


def isin_args(dtype: str, form=None):
    @st.composite
    def draw(draw):
        a = draw(arrays(dtype, draw(shapes(max_dims=2)), SMALL_INTS))
        b = draw(arrays(dtype, draw(shapes(max_dims=2)), SMALL_INTS))
        kind = draw(st.integers(0, 5))
        args = ((TensorArg(a, False), 2) if kind == 0 else (1, TensorArg(b, False)) if kind == 1
                else (TensorArg(a, False), TensorArg(b, False)))
        return Example(args, {"invert": draw(st.booleans())})
    return draw()


RECORDS = [
    Record("cartesian_prod", vectors, forms=("function",)),
    Record("cartesian_prod", vectors, forms=("function",), label="cartesian_prod (integer)", dtypes=("int64",),
           grad=False),
    Record("combinations", combinations_args, forms=("function",)),
    Record("combinations", combinations_args, forms=("function",), label="combinations (integer)",
           dtypes=("int64",), grad=False),
    Record("vander", vander_args, forms=("function",)),
    Record("vander", vander_args, forms=("function",), label="vander (integer)", dtypes=("int64", "bool"), grad=False),
    Record("unravel_index", unravel_args, forms=("function",), dtypes=("int64", "int32", "float32", "bool"),
           grad=False, output="tuple"),
    Record("isin", isin_args, forms=("function",), dtypes=("int64", "float32", "float64", "bool"), grad=False),
]
