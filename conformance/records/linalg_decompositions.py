"""Records for torch.linalg's inverse and determinant (inv, inv_ex, det).

Conditioning lives in the strategy: a drawn matrix is scaled to A/(8n) + I (well-conditioned), or is
built as ``Q diag(s) Q^T`` with a drawn orthogonal Q and singular values in [0.5, 2]; sizes 1-4,
up to 2 batch dims.  A record of exactly singular matrices checks torch's error and inv_ex's info.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real

BATCH = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)


def square(dtype: str, shifted: bool = True):
    """Well-conditioned square matrices (batched): A/(8n) + I (|A| <= 4: eigenvalues within 0.5 of 1),
    or Q diag(s) Q^T with s in [0.5, 2]."""
    def make(batch_n):
        batch, n = batch_n
        shape = (*batch, n, n)
        if shifted:
            return arrays(dtype, shape, real()).map(lambda a: (a / (8 * n) + np.eye(n)).astype(dtype))
        sv = hnp.arrays(np.float64, (*batch, n), elements=st.floats(0.5, 2.0))
        seed = arrays("float64", shape, real())
        def compose(pair):
            s, g = pair
            q, _ = np.linalg.qr(g + 1e-3 * np.eye(n))
            return ((q * s[..., None, :]) @ np.swapaxes(q, -1, -2)).astype(dtype)
        return st.tuples(sv, seed).map(compose)
    return st.tuples(BATCH, st.integers(1, 4)).flatmap(make)


def one_matrix(shifted: bool = True, **kwargs):
    def build(dtype: str, form=None):
        return square(dtype, shifted).map(lambda a: Example((TensorArg(a, True),), kwargs))
    return build


def sign_flipped(dtype: str, form=None):
    """Well-conditioned matrices with the first row negated in half the draws: negative determinants,
    where torch.logdet returns NaN."""
    def make(a_flip):
        a, flip = a_flip
        a = a.copy()
        if flip:
            a[..., 0, :] *= -1
        return Example((TensorArg(a, True),), {})
    return st.tuples(square(dtype), st.booleans()).map(make)


def singular(dtype: str, form=None):
    """Exactly singular in any arithmetic: a zero last row (equal rows round differently per dtype)."""
    def make(a):
        a = a.copy()
        a[..., -1, :] = 0
        return Example((TensorArg(a, False),), {})
    return square(dtype).map(make)


def system(vector: bool):
    def build(dtype: str, form=None):
        def make(a):
            n, batch = a.shape[-1], a.shape[:-2]
            shape = st.sampled_from([(n,), (*batch, n)]) if vector else st.tuples(
                st.sampled_from([(), batch[-1:], batch]), st.integers(1, 3)).map(lambda bk: (*bk[0], n, bk[1]))
            return shape.flatmap(lambda s: arrays(dtype, s, real())).map(
                lambda b: Example((TensorArg(a, True), TensorArg(b, True)), {}))
        return square(dtype).flatmap(make)
    return build


def malformed(dtype: str, form=None):
    """Non-square matrices and vectors: torch's shape errors."""
    return st.sampled_from([(2, 3), (3,), (1, 2, 3)]).flatmap(
        lambda s: arrays(dtype, s, real())).map(lambda a: Example((TensorArg(a, False),), {}))


def integer_matrix(dtype: str, form=None):
    return st.just(Example((TensorArg(np.eye(2, dtype=np.int64), False),), {}))


LINALG = {"namespace": "linalg", "forms": ("function",)}
ILL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
# NaN/inf through a pivoted LU: which entries they reach, and whether a zero pivot is met, is the LAPACK build's
# (measured: torch's MKL inv of [[nan, 0], [0, 1]] is all NaN, NumPy's OpenBLAS leaves the second row [0, 1];
# torch's getrf of [[.884, 0, -inf], [-inf, .837, 9e-39], [-inf, -inf, inf]] meets a zero pivot (info 2, inv
# raises) where NumPy's inv returns all NaN)
LU_NON_FINITE = (("hostile: non-finite", "NaN/inf through a pivoted LU factorization spread as the LAPACK build "
                                         "pivots (torch's MKL and NumPy's OpenBLAS differ)"),)

RECORDS = [
    Record("inv", one_matrix(), **LINALG, tolerance=ILL, unchecked=LU_NON_FINITE),
    Record("inv", one_matrix(shifted=False), **LINALG, tolerance=ILL, label="inv (Q diag(s) Q^T)"),
    Record("inv_ex", one_matrix(), **LINALG, tolerance=ILL, output="tuple", unchecked=LU_NON_FINITE),
    Record("inv", singular, **LINALG, label="inv (singular)", raises=True, grad=False, unchecked=LU_NON_FINITE),
    Record("inv_ex", singular, **LINALG, label="inv_ex (singular info)", grad=False, output="tuple",
           unchecked=LU_NON_FINITE, tolerance={"float32": (np.inf, np.inf), "float64": (np.inf, np.inf)}),
    Record("inv", malformed, **LINALG, label="inv (not square)", raises=True, grad=False),
    Record("inv", integer_matrix, **LINALG, label="inv (integer)", raises=True, grad=False, dtypes=("int64",)),
    Record("det", one_matrix(), **LINALG, tolerance=ILL, unchecked=LU_NON_FINITE),
    Record("det", one_matrix(shifted=False), **LINALG, tolerance=ILL, label="det (Q diag(s) Q^T)"),
    Record("det", malformed, **LINALG, label="det (not square)", raises=True, grad=False),
    Record("slogdet", one_matrix(), **LINALG, tolerance=ILL, output="tuple", unchecked=LU_NON_FINITE),
    Record("slogdet", one_matrix(shifted=False), **LINALG, tolerance=ILL, output="tuple",
           label="slogdet (Q diag(s) Q^T)", unchecked=LU_NON_FINITE),
    Record("slogdet", malformed, **LINALG, label="slogdet (not square)", raises=True, grad=False),
    Record("solve", system(vector=False), **LINALG, tolerance=ILL, label="solve (matrix B)", unchecked=LU_NON_FINITE),
    Record("solve", system(vector=True), **LINALG, tolerance=ILL, label="solve (vector b)", unchecked=LU_NON_FINITE),
    Record("solve", lambda dtype, form=None: singular(dtype).map(
        lambda e: Example((e.args[0], TensorArg(np.ones(e.args[0].array.shape[-1], dtype), False)), {})),
           **LINALG, label="solve (singular)", raises=True, grad=False, unchecked=LU_NON_FINITE),
    Record("det", one_matrix(), tolerance=ILL, label="torch.det", unchecked=LU_NON_FINITE),
    Record("inverse", one_matrix(), tolerance=ILL, unchecked=LU_NON_FINITE),
    Record("slogdet", sign_flipped, tolerance=ILL, output="tuple", label="torch.slogdet", unchecked=LU_NON_FINITE),
    Record("logdet", sign_flipped, tolerance=ILL, unchecked=LU_NON_FINITE),
]
