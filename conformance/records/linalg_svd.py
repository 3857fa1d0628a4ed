"""Records for the singular value decomposition: linalg.svd (full_matrices), linalg.svdvals.

Conditioning lives in the strategy: A = U diag(σ) V^T (m x n, sides 1-4, batched) with drawn orthogonal
factors and singular values well separated (gaps >= 0.5, all >= 0.5), so singular-vector gradients are
finite.  linalg.svd is compared through a call that keeps the first k = min(m, n) singular pairs with
each pair's sign fixed (U's largest-magnitude entry positive, Vh's row flipped with it): torch's MKL and
NumPy's LAPACK pick different signs, and full_matrices' extra columns are any basis of the complement.
A record of exactly repeated singular values (c times a partial identity) checks torch's NaN there.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, finite, real
from .linalg_decompositions import BATCH


def _orthogonal(seed: np.ndarray) -> np.ndarray:
    n = seed.shape[-1]
    return np.linalg.qr(seed + 1e-3 * np.eye(n))[0]


def separated(dtype: str, repeated: bool = False, distinct: bool = False):
    """A = U diag(σ) V^T, σ = 0.5 + the cumulative gaps; ``distinct``: the gaps never draw hostile values (a
    -0.0 or tiny gap repeats a singular value, and then the singular vectors are any basis of their space:
    MKL's and NumPy's LAPACK's differ), for the records that compare singular vectors or their gradients;
    ``repeated``: c I_{m,n} with c the first gap, hostile values (-0.0, tiny) included."""
    def make(d):
        batch, m, n = d
        k = min(m, n)

        def compose(x):
            gaps, su, sv = x
            sigma = 0.5 + np.cumsum(gaps, -1)[..., ::-1]
            if repeated:
                return (gaps[..., :1, None] * np.eye(m, n)).astype(dtype)
            u, v = _orthogonal(su)[..., :, :k], _orthogonal(sv)[..., :, :k]
            return ((u * sigma[..., None, :]) @ np.swapaxes(v, -1, -2)).astype(dtype)
        gap = finite(real(0.5, 2.0)) if distinct else real(0.5, 2.0)
        return st.tuples(arrays("float64", (*batch, k), gap), arrays("float64", (*batch, m, m), real()),
                         arrays("float64", (*batch, n, n), real())).map(compose)
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 4)).flatmap(make)


def matrices(repeated: bool = False, full: bool = False):
    def build(dtype: str, form=None):
        flags = st.booleans() if full else st.just(None)
        return st.tuples(separated(dtype, repeated, distinct=not repeated), flags).map(lambda af: Example(
            (TensorArg(af[0], True),), {} if af[1] is None else {"full_matrices": af[1]}))
    return build


def svd_fixed_signs(lib, A, **kwargs):
    """The first k singular pairs of linalg.svd with each pair's sign fixed identically on both sides: by the
    first entry of U's column within 0.1% of its largest magnitude (a plain argmax ties where two entries
    are ±0.7071, from rotation seeds with zeros, and torch's and NumPy's rounding pick different ones)."""
    u, s, vh = lib.linalg.svd(A, **kwargs)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    magnitude = u.detach().abs()
    near_top = (magnitude >= magnitude.amax(-2, keepdim=True) * 0.999).to(u.dtype)
    top = u.detach().gather(-2, near_top.argmax(-2, keepdim=True))
    sign = lib.where(top < 0, -1.0, 1.0).to(u.dtype)
    return u * sign, s, vh * sign.mT


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
# NaN/inf through LAPACK's SVD (gesdd): no rule torch follows, its MKL build's own (measured: torch's svdvals of
# [[nan, 0], [0, 1]] and [[1, 2], [3, nan]] raise "linalg.svd: The algorithm failed to converge because the input
# matrix contained non-finite values." while [[inf, 0], [0, 1]] and [[1, 0], [inf, 1]] give [nan, nan]; NumPy's
# OpenBLAS bidiagonal QR (dbdsqr) can loop forever on NaN)
SVD_NON_FINITE = ("hostile: non-finite", "NaN/inf through LAPACK's SVD come out (or raise) as the LAPACK build has "
                                         "them (torch's MKL and NumPy's OpenBLAS differ)")

RECORDS = [
    Record("svdvals", matrices(), namespace="linalg", forms=("function",), tolerance=TOL, label="linalg.svdvals",
           unchecked=(SVD_NON_FINITE,)),
    Record("svdvals", matrices(repeated=True), namespace="linalg", forms=("function",), tolerance=TOL,
           label="linalg.svdvals (repeated singular values)", unchecked=(SVD_NON_FINITE,)),
    Record("svd", matrices(full=True), forms=("call",), call=svd_fixed_signs, output="tuple", tolerance=TOL,
           label="linalg.svd (sign-fixed singular vectors)", unchecked=(SVD_NON_FINITE,)),
    Record("svd", matrices(repeated=True, full=True), forms=("call",), call=svd_fixed_signs, output="tuple",
           tolerance=TOL, label="linalg.svd (repeated singular values)",
           unchecked=(("forward_ad", "at repeated singular values the singular-vector tangents divide by an "
                                     "exact zero, and the vectors are not unique, so the infinities' signs are "
                                     "not reproducible"),
                      SVD_NON_FINITE)),
]
