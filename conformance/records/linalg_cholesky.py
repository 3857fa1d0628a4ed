"""Records for the Cholesky factorization: linalg.cholesky, linalg.cholesky_ex, torch.cholesky.

Conditioning lives in the strategy: symmetric positive-definite matrices are built as A A^T/n + I/2
(eigenvalues >= 1/2), batched; a record draws matrices that are not positive-definite (a negated
diagonal entry of a diagonal-dominant SPD matrix) for torch's error and cholesky_ex's info and partial factor.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, real
from .linalg_decompositions import BATCH, malformed


def spd(dtype: str):
    def make(batch_n):
        batch, n = batch_n
        return arrays(dtype, (*batch, n, n), real(-2, 2)).map(
            lambda a: (a @ np.swapaxes(a, -1, -2) / n + 0.5 * np.eye(n)).astype(dtype))
    return st.tuples(BATCH, st.integers(1, 4)).flatmap(make)


def factor(**kwargs):
    def build(dtype: str, form=None):
        upper = st.booleans() if kwargs.get("upper") else st.just(None)
        return st.tuples(spd(dtype), upper).map(
            lambda au: Example((TensorArg(au[0], True),), {} if au[1] is None else {"upper": au[1]}))
    return build


def not_pd(dtype: str, form=None):
    """SPD matrices with 4n added to the diagonal, then one diagonal entry negated: fails at that order."""
    def make(a_k):
        a, k = a_k
        n = a.shape[-1]
        a = a + 4 * n * np.eye(n, dtype=a.dtype)
        a[..., k % n, k % n] *= -1
        return Example((TensorArg(a.astype(dtype), False),), {})
    return st.tuples(spd(dtype), st.integers(0, 3)).map(make)


LINALG = {"namespace": "linalg", "forms": ("function",)}
TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("cholesky", factor(upper=True), **LINALG, tolerance=TOL, label="linalg.cholesky"),
    Record("cholesky_ex", factor(upper=True), **LINALG, tolerance=TOL, output="tuple", label="linalg.cholesky_ex"),
    Record("cholesky", not_pd, **LINALG, label="linalg.cholesky (not positive-definite)", raises=True, grad=False),
    Record("cholesky_ex", not_pd, **LINALG, label="linalg.cholesky_ex (info)", output="tuple", grad=False,
           tolerance=TOL),
    Record("cholesky", malformed, **LINALG, label="linalg.cholesky (not square)", raises=True, grad=False),
    Record("cholesky", factor(upper=True), tolerance=TOL, label="torch.cholesky"),
]


def cholesky_systems(dtype: str, form=None):
    """B and a Cholesky factor of a drawn SPD matrix (lower, or upper with upper=True); batches broadcast."""
    def make(drawn):
        a, k, upper, which = drawn
        low = np.linalg.cholesky(a.astype(np.float64))
        factor = np.swapaxes(low, -1, -2) if upper else low
        batch, n = a.shape[:-2], a.shape[-1]
        b_shape = ((), batch[-1:], batch)[which] + (n, k)
        return st.tuples(arrays(dtype, b_shape, real()), grad_flags(2)).map(lambda bf: Example(
            (TensorArg(bf[0], bf[1][0]), TensorArg(factor.astype(dtype), bf[1][1])), {"upper": upper}))
    return st.tuples(spd(dtype), st.integers(1, 3), st.booleans(), st.integers(0, 2)).flatmap(make)


RECORDS.append(Record("cholesky_solve", cholesky_systems, tolerance=TOL))
