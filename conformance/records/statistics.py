"""Records for the two-result reductions: std_mean, var_mean and aminmax (one node, two outputs)."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Record
from ..strategies import reduction
from .reductions import INTEGERS, ONE_DIM, SPREAD

RECORDS = [
    Record("var_mean", reduction(SPREAD, correction=st.sampled_from([0, 1, 2])), output="tuple",
           forms=("function",)),
    Record("var_mean", reduction(SPREAD, unbiased=st.booleans()), output="tuple", forms=("function",),
           label="var_mean (unbiased)"),
    # as std's record: slices whose values differ (std's gradient at a constant slice is rounding noise in torch)
    Record("std_mean", reduction(SPREAD, distinct=True, correction=st.sampled_from([0, 1, 2])), output="tuple",
           forms=("function",)),
    Record("std_mean", reduction(SPREAD, distinct=True, unbiased=st.booleans()), output="tuple",
           forms=("function",), label="std_mean (unbiased)"),
    Record("std_mean", reduction(SPREAD), label="std_mean (integer)", dtypes=("int64",), grad=False, raises=True,
           forms=("function",)),
    Record("aminmax", reduction(ties=True, **ONE_DIM), output="tuple"),
    Record("aminmax", reduction(ties=True, **ONE_DIM), output="tuple", label="aminmax (integer)",
           dtypes=INTEGERS, grad=False),
]
