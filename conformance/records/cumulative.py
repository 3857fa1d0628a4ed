"""Records for the cumulative ops: cummax, cummin (ties: the last occurrence takes the index; NaN),
logcumsumexp, trapezoid and cumulative_trapezoid (spacing dx, sample points x of either shape),
diff (order n, prepend/append; XOR for bool).
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, real, shapes
from .sorting import NAN_DOMAIN, SMALL_INTS, dim_of, kwargs, one_tensor

REAL = real()
DIM = kwargs(dim=dim_of)
INTEGERS = ("int64", "int32", "bool")


def integration(with_x: bool):
    """y, and either nothing, dx (a number), or sample points x (1-D along dim, or y's shape)."""
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(min_dims=1, max_dims=3))
            y = draw(arrays(dtype, shape, REAL))
            dim = draw(st.integers(-len(shape), len(shape) - 1))
            kw = {"dim": dim}
            if not with_x:
                if draw(st.booleans()):
                    kw["dx"] = draw(st.sampled_from([0.5, 2.0, -1.0]))
                return Example((TensorArg(y, True),), kw)
            x_shape = draw(st.sampled_from([(shape[dim],), shape]))
            if draw(st.integers(0, 9)) == 0:   # a wrong number of sample points now and then
                x_shape = (shape[dim] + 1,)
            x = draw(arrays(dtype if dtype.startswith("float") else "float32", x_shape, Domain(-4, 4, special=())))
            return Example((TensorArg(y, True), TensorArg(x, draw(st.booleans()))), kw)
        return draw_example()
    return build


def diffs(extra: bool):
    def build(dtype: str):
        @st.composite
        def draw_example(draw):
            shape = draw(shapes(min_dims=0 if not extra else 1, max_dims=3))
            y = draw(arrays(dtype, shape, SMALL_INTS if not dtype.startswith("float") else REAL))
            kw = {"n": draw(st.sampled_from([0, 1, 1, 2, 3]))}
            if shape:
                kw["dim"] = draw(st.integers(-len(shape), len(shape) - 1))
            if extra and shape:
                d = kw["dim"] % len(shape)
                for name in draw(st.sampled_from([("prepend",), ("append",), ("prepend", "append")])):
                    other = tuple(draw(st.integers(0, 2)) if i == d else n for i, n in enumerate(shape))
                    kw[name] = TensorArg(draw(arrays(dtype, other, REAL)), draw(st.booleans()))
            return Example((TensorArg(y, True),), kw)
        return draw_example()
    return build


RECORDS = [
    Record("cummax", one_tensor(DIM, ties=True)),
    Record("cummax", one_tensor(DIM, NAN_DOMAIN, ties=True), label="cummax (nan)", dtypes=("float64",)),
    Record("cummax", one_tensor(DIM, SMALL_INTS, ties=True), label="cummax (integer)", dtypes=INTEGERS, grad=False),
    Record("cummin", one_tensor(DIM, ties=True)),
    Record("cummin", one_tensor(DIM, NAN_DOMAIN, ties=True), label="cummin (nan)", dtypes=("float64",)),
    Record("cummin", one_tensor(DIM, SMALL_INTS, ties=True), label="cummin (integer)", dtypes=INTEGERS, grad=False),
    Record("logcumsumexp", one_tensor(DIM)),
    Record("trapezoid", integration(with_x=False), forms=("function",)),
    Record("trapezoid", integration(with_x=True), forms=("function",), label="trapezoid (x)"),
    Record("trapezoid", integration(with_x=False), forms=("function",), label="trapezoid (integer)",
           dtypes=("int64",), grad=False),
    Record("trapz", integration(with_x=True), forms=("function",)),
    Record("cumulative_trapezoid", integration(with_x=False), forms=("function",)),
    Record("cumulative_trapezoid", integration(with_x=True), forms=("function",), label="cumulative_trapezoid (x)"),
    Record("diff", diffs(extra=False)),
    Record("diff", diffs(extra=True), label="diff (prepend, append)"),
    Record("diff", diffs(extra=False), label="diff (integer)", dtypes=("int64", "bool"), grad=False),
]
