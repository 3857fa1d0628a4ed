"""Records for predicates and comparisons: eq/ne/lt/le/gt/ge, the isnan family, signbit, any/all,
isclose/allclose/equal, logical_and/or/xor/not, bitwise_and/or/xor/not and the shifts, nan_to_num,
and clamp/clip with tensor bounds in the forms the elementwise records leave out.

All but nan_to_num and clamp are forward-only and compared exactly; their float inputs require
grad, so the flags check proves the outputs never do.  NaN, ±inf and -0.0 are drawn on purpose,
equal operands (ties) for the comparisons, shifts past the integer width.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, binary, nary, real, reduction, shapes, unary

TESTED = ("float32", "float64", "int64", "bool")
INTEGERS = ("int64", "int32", "bool")
UNARY_FORMS = ("function", "method", "inplace")
BOUNDS = real(special=(-1.0, 0.0, 0.5, 1.0))


@dataclass(frozen=True)
class Specials(Domain):
    """The domain, and NaN, ±inf and -0.0 (what the tests test)."""

    def elements(self, dtype: str) -> st.SearchStrategy:
        if not dtype.startswith("float"):
            return super().elements(dtype)
        return st.one_of(super().elements(dtype), st.sampled_from([math.nan, math.inf, -math.inf, -0.0]))


SPECIAL = Specials(-3.0, 3.0, special=(0.0, 1.0))
SMALL = Domain(-3.0, 3.0, special=(0.0, 1.0))
SHIFTED = Domain(-100, 100, special=(0.0, 1.0))


def close_pairs(dtype: str):
    """isclose/allclose: a tensor and a near copy (offsets from 0 to large, NaN too), broadcastable,
    with tolerances and equal_nan drawn."""
    @st.composite
    def draw_example(draw):
        shape = draw(shapes(max_dims=3))
        x = draw(arrays(dtype, shape, SPECIAL))
        if dtype.startswith("float"):
            offsets = draw(arrays(dtype, shape, Domain(-1, 1, special=(0.0, 1e-9, -1e-6, 1e-3))))
            scale = draw(st.sampled_from([0.0, 1e-8, 1e-5, 1e-3, 1.0]))
            with np.errstate(invalid="ignore", over="ignore"):
                y = (x + offsets * scale).astype(x.dtype)
        else:
            y = draw(arrays(dtype, shape, SMALL))
        if shape and draw(st.integers(0, 4)) == 0:   # broadcast the second one
            y = y[(slice(0, 1),) + (slice(None),) * (len(shape) - 1)]
        kwargs = draw(st.fixed_dictionaries({}, optional={
            "rtol": st.sampled_from([0.0, 1e-5, 1e-2]), "atol": st.sampled_from([0.0, 1e-8, 1e-3]),
            "equal_nan": st.booleans()}))
        return Example((TensorArg(x), TensorArg(y)), kwargs)
    return draw_example()


def equal_pairs(dtype: str):
    @st.composite
    def draw_example(draw):
        x = draw(arrays(dtype, draw(shapes(max_dims=3)), SPECIAL))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            y = draw(arrays(dtype, draw(shapes(max_dims=3)), SPECIAL))
        elif choice == 1 and x.size:
            y = x.copy()
            y.flat[draw(st.integers(0, x.size - 1))] = draw(SMALL.elements(dtype))
        else:
            y = x.copy()
        return Example((TensorArg(x), TensorArg(y)))
    return draw_example()


def shifts(dtype: str):
    """An integer tensor and shift amounts from 0 to past the width (a tensor or a Python int)."""
    amounts = Domain(0, 70, special=(0.0, 63.0, 64.0, 31.0, 32.0))

    @st.composite
    def draw_example(draw):
        x = draw(arrays(dtype, draw(shapes(max_dims=3)), SHIFTED))
        if draw(st.booleans()):
            return Example((TensorArg(x), draw(st.integers(0, 70))))
        shape = x.shape[draw(st.integers(0, len(x.shape))):]
        return Example((TensorArg(x), TensorArg(draw(arrays(dtype, shape, amounts)))))
    return draw_example()


def _clamp_max_only(lib, x, high):
    return lib.clamp(x, max=high)


def _clamp_method_max_only(lib, x, high):
    return x.clamp(max=high)


def _clamp_inplace_max_only(lib, x, high):
    return x.clone().clamp_(max=high)


COMPARE = dict(dtypes=("float32", "int64", "bool"), grad=False, forms=("function", "method", "operator"))

RECORDS = [
    *[Record(name, binary(SPECIAL), **COMPARE) for name in ("eq", "ne", "lt", "le", "gt", "ge")],
    *[Record(name, binary(SPECIAL), dtypes=("float32",), grad=False)   # aliases: one dtype is enough
      for name in ("greater", "greater_equal", "less", "less_equal", "not_equal")],
    *[Record(name, unary(SPECIAL), dtypes=TESTED, grad=False)
      for name in ("isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit")],
    Record("any", reduction(SMALL, ties=True), dtypes=(*TESTED, "uint8"), grad=False),
    Record("all", reduction(SMALL, ties=True), dtypes=(*TESTED, "uint8"), grad=False),
    Record("isclose", close_pairs, dtypes=TESTED, grad=False),
    Record("allclose", close_pairs, dtypes=TESTED, grad=False, output="scalar"),
    Record("equal", equal_pairs, dtypes=TESTED, grad=False, output="scalar"),
    *[Record(name, binary(SPECIAL, scalars=False), dtypes=TESTED, grad=False)
      for name in ("logical_and", "logical_or", "logical_xor")],
    Record("logical_not", unary(SPECIAL), dtypes=TESTED, grad=False),
    Record("bitwise_and", binary(SHIFTED), dtypes=INTEGERS, grad=False, forms=("function", "method", "operator"),
           operator="and_"),
    Record("bitwise_or", binary(SHIFTED), dtypes=INTEGERS, grad=False, forms=("function", "method", "operator"),
           operator="or_"),
    Record("bitwise_xor", binary(SHIFTED), dtypes=INTEGERS, grad=False, forms=("function", "method", "operator"),
           operator="xor"),
    Record("bitwise_and", binary(SHIFTED), dtypes=("float32",), grad=False, label="bitwise_and (float)",
           raises=True),
    Record("bitwise_not", unary(SHIFTED), dtypes=INTEGERS, grad=False, forms=("function", "method", "operator"),
           operator="invert"),
    Record("bitwise_left_shift", shifts, dtypes=("int64", "int32"), grad=False,
           forms=("function", "method", "operator"), operator="lshift"),
    Record("bitwise_right_shift", shifts, dtypes=("int64", "int32"), grad=False,
           forms=("function", "method", "operator"), operator="rshift"),
    Record("nan_to_num", unary(SPECIAL), forms=UNARY_FORMS),
    Record("nan_to_num", unary(SPECIAL, nan=st.sampled_from([0.0, 1.5]), posinf=st.sampled_from([None, 2.0]),
                               neginf=st.sampled_from([None, -3.0])), forms=UNARY_FORMS, label="nan_to_num (values)"),
    Record("nan_to_num", unary(SMALL), dtypes=INTEGERS, grad=False, label="nan_to_num (integer)"),
    Record("clamp", nary(2, (BOUNDS, BOUNDS)), forms=("call",), call=_clamp_max_only, label="clamp (tensor max)"),
    Record("clamp", nary(2, (BOUNDS, BOUNDS)), forms=("call",), call=_clamp_method_max_only,
           label="clamp (tensor max, method)"),
    Record("clamp", nary(2, (BOUNDS, BOUNDS)), forms=("call",), call=_clamp_inplace_max_only,
           label="clamp (tensor max, in place)"),
    Record("clip", nary(3, (BOUNDS, BOUNDS, BOUNDS)), forms=UNARY_FORMS, label="clip (tensor bounds)"),
]
