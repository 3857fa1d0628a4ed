"""Records for triangular systems: linalg.solve_triangular (upper/lower, left/right, unitriangular).

Conditioning lives in the strategy: A's diagonal is drawn in ±[1, 2] and its off-diagonal entries
scaled to |a| <= 1/n, so every triangle of A is well-conditioned; the other triangle holds arbitrary
values (torch ignores it, and so must mygrad, gradient included).  B's batch dims broadcast against A's.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, real
from .linalg_decompositions import BATCH


def triangular_systems(dtype: str, form=None):
    def make(drawn):
        batch, n, k, left, upper, unit, b_batch = drawn
        a_shape = (*batch, n, n)
        b_shape = (*b_batch, n, k) if left else (*b_batch, k, n)

        def build(x):
            a, diag, b, flags = x
            a = a / (4 * n)
            idx = np.arange(n)
            a[..., idx, idx] = diag
            return Example((TensorArg(a.astype(dtype), flags[0]), TensorArg(b, flags[1])),
                           {"upper": upper, "left": left, "unitriangular": unit})
        return st.tuples(arrays(dtype, a_shape, real()), arrays(dtype, (*batch, n), real(1, 2)).map(
            lambda d: d * np.where(np.arange(d.size).reshape(d.shape) % 2, -1, 1).astype(d.dtype)),
            arrays(dtype, b_shape, real()), grad_flags(2)).map(build)
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 3), st.booleans(), st.booleans(), st.booleans(),
                     st.sampled_from([0, 1, 2])).map(
        lambda d: (*d[:6], ((), d[0][-1:], d[0])[d[6]])).flatmap(make)


def vector_rhs(dtype: str, form=None):
    return arrays(dtype, (3, 3), real()).map(lambda a: Example(
        (TensorArg(a + 4 * np.eye(3, dtype=dtype), False), TensorArg(np.ones(3, dtype), False)), {"upper": True}))


# torch's triangular solves (MKL's trsm, also inside getrs and the LU family's backward and tangents) round as no
# serial substitution does: measured on random finite systems, neither dividing by the diagonal nor multiplying
# by its reciprocal, subtracting in the solved or the ascending order, gives torch's bits in every layout (the
# best of them 123 of 147 in one).  NaN/inf positions follow the substitution, but where ±max terms overflow or
# cancel, inf/NaN or the residue is MKL's rounding's (linalg.lu's tangent: torch's -4.99e291 is what is left
# of two products near 2.5e307, whose factors differ from a substitution's by an ulp).
TRSM_OVERFLOW = (("hostile: overflow", "±max terms through a triangular solve overflow or cancel as MKL's trsm "
                                       "rounds, which no serial substitution reproduces bit for bit (measured)"),)

TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("solve_triangular", triangular_systems, namespace="linalg", forms=("function",), tolerance=TOL,
           label="linalg.solve_triangular", unchecked=TRSM_OVERFLOW),
    Record("solve_triangular", vector_rhs, namespace="linalg", forms=("function",), raises=True, grad=False,
           label="linalg.solve_triangular (vector B)"),
]
