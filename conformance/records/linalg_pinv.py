"""Records for the pseudo-inverse: linalg.pinv (atol, rtol, hermitian) and torch.pinverse.

Conditioning lives in the strategy: full-rank inputs with separated singular values (linalg_svd.py), symmetric
positive-definite ones for hermitian=True (S S^T + I/4), and rank-deficient ones (a row zeroed exactly) where
the cut-off (rtol=0.01) removes a zero singular value; tolerances are drawn below the smallest kept singular
value (0.5).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from .linalg_eigh import EIGH_NON_FINITE
from .linalg_svd import SVD_NON_FINITE, separated


def full_rank(dtype: str, form=None):
    tol = st.sampled_from([{}, {"rtol": 0.01}, {"atol": 0.1}, {"atol": 0.1, "rtol": 0.05}])
    return st.tuples(separated(dtype), tol).map(lambda at: Example((TensorArg(at[0], True),), at[1]))


def symmetric(dtype: str, form=None):
    def make(a):
        n = min(a.shape[-2:])
        s = a[..., :n, :n]
        spd = s @ np.swapaxes(s, -1, -2) + 0.25 * np.eye(n)  # eigenvalues >= 0.25: none near the cut-off
        return Example((TensorArg(spd.astype(dtype), True),), {"hermitian": True})
    return separated(dtype).map(make)


def rank_deficient(dtype: str, form=None):
    def make(a):
        a = a.copy()
        a[..., -1, :] = 0
        return Example((TensorArg(a, True),), {"rtol": 0.01})  # the zero singular value's rounding (~eps) far
        # below the cut-off, and the kept ones (>= 0.5) far above it
    return separated(dtype).map(make)


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
LINALG = {"namespace": "linalg", "forms": ("function",), "tolerance": TOL}

RECORDS = [
    Record("pinv", full_rank, **LINALG, label="linalg.pinv", unchecked=(SVD_NON_FINITE,)),
    Record("pinv", symmetric, **LINALG, label="linalg.pinv (hermitian)", unchecked=(EIGH_NON_FINITE,)),
    Record("pinv", rank_deficient, **LINALG, label="linalg.pinv (rank-deficient)", unchecked=(SVD_NON_FINITE,)),
    Record("pinverse", lambda dtype, form=None: separated(dtype).map(lambda a: Example((TensorArg(a, True),), {})),
           tolerance=TOL, unchecked=(SVD_NON_FINITE,)),
]


def ranks(dtype: str, form=None):
    """Full-rank and exactly rank-deficient inputs (rows zeroed), with and without tolerances; forward only."""
    def make(x):
        a, zeroed, kw = x
        a = a.copy()
        if zeroed:
            a[..., -zeroed:, :] = 0
        return Example((TensorArg(a, False),), kw)
    kws = st.sampled_from([{"rtol": 0.01}, {"atol": 0.1}, {"atol": 0.1, "rtol": 0.05}, {"tol": 0.2},
                           {"hermitian": False, "rtol": 0.01}])
    return st.tuples(separated(dtype), st.integers(0, 2), kws).map(make)


RECORDS.append(Record("matrix_rank", ranks, namespace="linalg", forms=("function",), grad=False,
                      label="linalg.matrix_rank"))
