"""Records for the symmetric eigendecomposition: linalg.eigh, linalg.eigvalsh.

Conditioning lives in the strategy: A = Q diag(λ) Q^T with a drawn orthogonal Q and eigenvalues drawn well
separated (gaps >= 0.5), so eigenvector gradients are finite; the other triangle of A is garbage (torch reads
only the UPLO triangle). eigh's eigenvectors are compared after fixing each column's sign (their product with
fixed generic weights positive) on both sides: torch's MKL and NumPy's LAPACK pick different signs, and no
convention exists to reproduce. A record of exactly repeated eigenvalues (c I) checks torch's NaN gradients
there; eigvalsh's gradient stays finite.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, finite, real
from .linalg_decompositions import BATCH


def symmetric(dtype: str, repeated: bool = False):
    def make(batch_n):
        batch, n = batch_n
        # the gaps are the conditioning: hostile ones would repeat eigenvalues (then the eigenvectors are any
        # basis, MKL's and LAPACK's differ); c of the repeated record, c I, draws them (-0.0, tiny)
        gaps = arrays("float64", (*batch, n), real(0.5, 2.0) if repeated else finite(real(0.5, 2.0)))
        seed = arrays("float64", (*batch, n, n), real())
        noise = arrays(dtype, (*batch, n, n), real())

        def compose(x):
            g, q0, junk, uplo = x
            q, _ = np.linalg.qr(q0 + 1e-3 * np.eye(n))
            lam = np.cumsum(g, -1) - 2.0
            a = (q * lam[..., None, :]) @ np.swapaxes(q, -1, -2)
            if repeated:  # exactly c I (a rotated one is not exactly repeated in floating point)
                a = g[..., :1, None] * np.eye(n)
            a = np.tril(a) + np.triu(junk, 1) if uplo == "L" else np.triu(a) + np.tril(junk, -1)
            return a.astype(dtype), uplo
        return st.tuples(gaps, seed, noise, st.sampled_from(["L", "U"])).map(compose)
    return st.tuples(BATCH, st.integers(1, 4)).flatmap(make)


def decompositions(repeated: bool = False):
    def build(dtype: str, form=None):
        return symmetric(dtype, repeated).map(lambda au: Example((TensorArg(au[0], True),), {"UPLO": au[1]}))
    return build


def eigh_fixed_signs(lib, A, **kwargs):
    """eigh with each eigenvector's sign fixed (its product with fixed generic weights positive) on both
    sides; a largest-magnitude entry would tie for vectors such as (1, -1)/sqrt(2)."""
    w, v = lib.linalg.eigh(A, **kwargs)
    n = v.shape[-2]
    weights = lib.tensor([1.0 + 0.37 * i + 0.05 * i * i for i in range(n)], dtype=v.dtype)
    top = (v.detach() * weights.unsqueeze(-1)).sum(-2, keepdim=True)
    sign = lib.where(top < 0, -1.0, 1.0).to(v.dtype)
    return w, v * sign


def malformed(dtype: str, form=None):
    return st.sampled_from([((2, 3), "L"), ((3,), "L"), ((2, 2), "X")]).flatmap(
        lambda s: arrays(dtype, s[0], real()).map(lambda a: Example((TensorArg(a, False),), {"UPLO": s[1]})))


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
# NaN/inf through LAPACK's symmetric eigensolver (syevd): no rule torch follows, its MKL build's own (measured:
# torch's eigvalsh of [[nan, 0], [0, 1]] is [0, -0] while its eigh of the same is [nan, 1]; eigvalsh of
# [[inf, 0], [0, 1]] is [nan, nan]; a 3x3 with NaN rows fails to converge, error code 2)
EIGH_NON_FINITE = ("hostile: non-finite", "NaN/inf through LAPACK's symmetric eigensolver come out as the LAPACK "
                                          "build has them (torch's MKL and NumPy's OpenBLAS differ)")

RECORDS = [
    Record("eigvalsh", decompositions(), namespace="linalg", forms=("function",), tolerance=TOL,
           label="linalg.eigvalsh", unchecked=(EIGH_NON_FINITE,)),
    Record("eigvalsh", decompositions(repeated=True), namespace="linalg", forms=("function",), tolerance=TOL,
           label="linalg.eigvalsh (repeated eigenvalues)", unchecked=(EIGH_NON_FINITE,)),
    Record("eigh", decompositions(), forms=("call",), call=eigh_fixed_signs, output="tuple", tolerance=TOL,
           label="linalg.eigh (sign-fixed eigenvectors)", unchecked=(EIGH_NON_FINITE,)),
    Record("eigh", decompositions(repeated=True), forms=("call",), call=eigh_fixed_signs, output="tuple",
           tolerance=TOL, label="linalg.eigh (repeated eigenvalues)",
           unchecked=(("forward_ad", "at repeated eigenvalues the eigenvector tangents divide by an exact zero, "
                                     "and the eigenvectors themselves are not unique (MKL's and LAPACK's bases "
                                     "differ), so the infinities' signs are not reproducible"),
                      EIGH_NON_FINITE)),
    Record("eigh", malformed, namespace="linalg", forms=("function",), raises=True, grad=False,
           label="linalg.eigh (errors)", output="tuple"),
]
