"""Records for the reductions: sum, mean, prod, max/min (full, dim, binary), amax/amin, argmax/argmin,
var/std, logsumexp, the norms, cumsum/cumprod.

Ties are drawn on purpose where torch's tie rule decides the gradient (max/min split evenly,
max(dim) gives the first index everything, amax splits within each slice); zeros are drawn where
they change the formula (prod, cumprod, the norms' kinks at 0).
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from ..registry import LibAttr, Record
from ..strategies import Domain, binary, reduction

INTEGERS = ("int64", "int32", "bool")


@dataclass(frozen=True)
class ZeroOrAway(Domain):
    """Values at least ``gap`` away from 0, and exact zeros (one or several).  Tiny values such as
    1e-147 make these ops' gradients differences of enormous terms that agree only up to rounding
    (a second derivative of prod, the curvature of std or of a norm near 0), while 0 itself is
    where torch's zero-aware formulas and masks take over, so it is drawn on purpose."""

    def elements(self, dtype: str) -> st.SearchStrategy:
        zero = False if dtype == "bool" else 0 if dtype.startswith(("int", "uint")) else 0.0
        return st.one_of(super().elements(dtype), st.just(zero))


# products of up to 256 factors: kept near 1 so they neither overflow nor underflow in float32
FACTORS = ZeroOrAway(-1.5, 1.5, gap=0.25, special=(1.0, -1.0))
SPREAD = ZeroOrAway(-4.0, 4.0, gap=1e-3, special=(1.0, -1.0))   # var, std and the norms
SCAN = dict(full=False, keepdim=False, allow_tuple=False, allow_empty_dim=False)   # cumsum(dim), cumprod(dim)
ONE_DIM = dict(allow_tuple=False, allow_empty_dim=False)                         # prod(dim), max(dim), argmax
FLOAT64 = st.just(LibAttr("float64"))
_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
ANY_DTYPE = st.sampled_from([LibAttr(d) for d in _DTYPES])
NOT_HALF = st.sampled_from([LibAttr(d) for d in _DTYPES if d != "float16"])


RECORDS = [
    Record("sum", reduction()),
    # nansum / nanmean (their NaN cases, which domains do not draw, are in tests/test_torch_differences.py)
    Record("nansum", reduction()),
    Record("nansum", reduction(), label="nansum (integer)", dtypes=INTEGERS, grad=False),
    Record("nanmean", reduction()),
    Record("sum", reduction(dtype=FLOAT64), label="sum (dtype)"),
    Record("sum", reduction(), label="sum (integer)", dtypes=INTEGERS, grad=False),
    Record("mean", reduction()),
    Record("mean", reduction(dtype=FLOAT64), label="mean (dtype)"),
    Record("mean", reduction(), label="mean (integer)", dtypes=("int64",), grad=False, raises=True),  # torch refuses
    Record("prod", reduction(FACTORS, **ONE_DIM)),
    Record("prod", reduction(FACTORS, **ONE_DIM), label="prod (integer)", dtypes=INTEGERS, grad=False),
    Record("max", reduction(ties=True, dim=False)),
    Record("max", reduction(ties=True, full=False, **ONE_DIM), label="max (dim)", output="tuple"),
    Record("max", binary(scalars=False), label="max (other)"),
    Record("min", reduction(ties=True, dim=False)),
    Record("min", reduction(ties=True, full=False, **ONE_DIM), label="min (dim)", output="tuple"),
    Record("amax", reduction(ties=True)),
    Record("amin", reduction(ties=True)),
    Record("argmax", reduction(ties=True, **ONE_DIM), grad=False),
    Record("argmin", reduction(ties=True, **ONE_DIM), grad=False),
    Record("var", reduction(SPREAD, correction=st.sampled_from([0, 1, 2]))),
    Record("var", reduction(SPREAD, unbiased=st.booleans()), label="var (unbiased)"),
    # std's gradient at a constant slice is rounding noise in torch itself (0 or O(1), depending on its
    # vectorized summation order of the mean), so std draws slices whose values differ; var keeps them.
    Record("std", reduction(SPREAD, distinct=True, correction=st.sampled_from([0, 1, 2]))),
    Record("std", reduction(SPREAD, distinct=True, unbiased=st.booleans()), label="std (unbiased)"),
    Record("logsumexp", reduction(full=False)),
    Record("norm", reduction(SPREAD, p=st.sampled_from([1, 2, 3, float("inf"), float("-inf"), "fro"]))),
    Record("vector_norm", reduction(SPREAD, ord=st.sampled_from([1, 2, 3, 0.5, float("inf"), float("-inf")])),
           namespace="linalg", forms=("function",)),
    Record("norm", reduction(SPREAD, ord=st.sampled_from([None, 1, float("inf"), "fro"])), namespace="linalg",
           forms=("function",), label="linalg.norm"),
    Record("cumsum", reduction(**SCAN)),
    Record("cumsum", reduction(**SCAN), label="cumsum (integer)", dtypes=INTEGERS, grad=False),
    Record("cumprod", reduction(FACTORS, **SCAN)),
    # an integer operand accumulated in any dtype: torch sums in that dtype (bool: any; small integers wrap),
    # and has no bool scan kernel.  (Not float16 for the products: where one overflows to inf before a 0, torch's
    # order of multiplication decides between NaN and 0.)
    *[Record(name, reduction(**options, dtype=dtypes), label=f"{name} (any dtype)", dtypes=INTEGERS, grad=False)
      for name, options, dtypes in (("sum", {}, ANY_DTYPE), ("nansum", {}, ANY_DTYPE), ("prod", ONE_DIM, NOT_HALF),
                                    ("cumsum", SCAN, ANY_DTYPE), ("cumprod", SCAN, NOT_HALF))],
]
