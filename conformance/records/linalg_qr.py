"""Records for the QR decomposition: linalg.qr (reduced, complete, r) and torch.qr.

Conditioning lives in the strategy: an m x n matrix (sides 1-4, batched) is drawn as A/(8 max(m, n)) + I_{m,n},
so its leading square block is well-conditioned (R's diagonal away from 0).  The modes torch cannot
differentiate (mode='r', mode='complete' with m > n) run with inputs that do not require grad.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .linalg_decompositions import BATCH


def _flushed(a: np.ndarray) -> np.ndarray:
    """``a`` with entries below 1e-6 in magnitude made exactly 0, so that neither the input nor any product
    of its entries is subnormal in float32.  Hypothesis draws tiny values (3.7e-40: subnormal), and a
    Householder step over subnormal entries is build-dependent in torch itself (MKL's geqrf, which torch
    uses, and reference LAPACK's, which NumPy uses, return R's diagonal entry and Q's column with opposite
    signs; seen at --profile thorough), so no library can match it.  Exact zeros keep the case (no
    reflection in either build)."""
    return np.where(np.abs(a) < 1e-6, 0, a)


def full_rank(dtype: str):
    def make(d):
        batch, m, n = d
        return arrays(dtype, (*batch, m, n), real()).map(
            lambda a: (_flushed(a) / (8 * max(m, n)) + np.eye(m, n)).astype(dtype))
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 4)).flatmap(make)


def differentiable(keyword: str):
    def build(dtype: str, form=None):
        def make(a):
            tall = a.shape[-2] > a.shape[-1]
            options = ["reduced"] if tall else ["reduced", "complete"]
            value = st.sampled_from(options) if keyword == "mode" else st.sampled_from(
                [True] if tall else [True, False])
            return value.map(lambda v: Example((TensorArg(a, True),), {keyword: v}))
        return full_rank(dtype).flatmap(make)
    return build


def forward_only(dtype: str, form=None):
    return st.tuples(full_rank(dtype), st.sampled_from(["r", "complete"])).map(
        lambda am: Example((TensorArg(am[0], False),), {"mode": am[1]}))


def malformed(dtype: str, form=None):
    return st.sampled_from([((3,), "reduced"), ((2, 2), "x")]).flatmap(
        lambda s: arrays(dtype, s[0], real()).map(lambda a: Example((TensorArg(a, False),), {"mode": s[1]})))


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
LINALG = {"namespace": "linalg", "forms": ("function",)}
# NaN/inf through Householder QR (geqrf) spread as the LAPACK build has them (measured: a 3 x 3 A/8 + I with inf
# at (0, 0) gives torch's MKL Q with rows 1-2 all NaN and R NaN at (1, 1), (1, 2), (2, 2); NumPy's LAPACK only Q's
# column 0 NaN, R finite); ±max entries make A/(8 max(m, n)) + I ill-conditioned, so R's small diagonal entries
# are rounding noise whose sign is the build's (measured: float32 rows of 1.06e37, R[1, 1] is -8.96e29 in torch,
# 2.37e21 in NumPy, Q's column flipped with it)
QR_NON_FINITE = (("hostile: non-finite", "NaN/inf through Householder QR spread as the LAPACK build has them, and "
                                         "±max entries leave R's small pivots to the build's rounding (torch's MKL "
                                         "and NumPy's OpenBLAS differ)"),)

RECORDS = [
    Record("qr", differentiable("mode"), **LINALG, output="tuple", tolerance=TOL, label="linalg.qr",
           unchecked=QR_NON_FINITE),
    Record("qr", forward_only, **LINALG, output="tuple", tolerance=TOL, label="linalg.qr (mode r, complete tall)",
           unchecked=QR_NON_FINITE),
    Record("qr", malformed, **LINALG, output="tuple", raises=True, grad=False, label="linalg.qr (errors)"),
    Record("qr", differentiable("some"), output="tuple", tolerance=TOL, label="torch.qr",
           unchecked=QR_NON_FINITE),
]
