"""Records for torch.triangular_solve, torch.cholesky_inverse, torch.cdist, linalg.solve(left=False) and
MultivariateNormal.precision_matrix (cholesky_inverse of the scale factor).

Conditioning lives in the strategy: a triangular operand's diagonal is drawn in ±[1, 2] and its
off-diagonal entries scaled to |a| <= 1/n, so every triangle is well-conditioned; the other triangle
holds arbitrary values (torch ignores it in the solve, and cholesky_inverse's gradient reaches all of
it); right-hand sides broadcast against A's batch.  cdist's second row set has its first column moved
by 3, so no two rows are closer than 1 (at a zero distance the p = 2 matmul path is torch's rounding).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, real
from .distributions import _mvn, mvn_examples
from .linalg_decompositions import BATCH, LU_NON_FINITE, square
from .linalg_triangular import TRSM_OVERFLOW


def triangular(dtype: str, batch, n: int):
    """n x n matrices whose triangles are well-conditioned: diagonal ±[1, 2], the rest within 1/n."""
    def build(ad):
        a, diag = ad
        a = a / (4 * n)
        idx = np.arange(n)
        a[..., idx, idx] = diag * np.where(np.arange(diag.size).reshape(diag.shape) % 2, -1, 1)
        return a.astype(dtype)
    return st.tuples(arrays(dtype, (*batch, n, n), real()), arrays(dtype, (*batch, n), real(1, 2))).map(build)


def triangular_solve_systems(dtype: str, form=None):
    def make(drawn):
        batch, n, k, which, kw = drawn
        b_batch = ((), batch[-1:], batch)[which]
        return st.tuples(arrays(dtype, (*b_batch, n, k), real()), triangular(dtype, batch, n), grad_flags(2)).map(
            lambda baf: Example((TensorArg(baf[0], baf[2][0]), TensorArg(baf[1], baf[2][1])), kw))
    flags = st.fixed_dictionaries({}, optional={"upper": st.booleans(), "transpose": st.booleans(),
                                                "unitriangular": st.booleans()})
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), flags).flatmap(make)


def triangular_solve_bad(dtype: str, form=None):
    """torch's argument errors: a 1-d b or A, sizes that do not match, a non-square A, batches that do not
    broadcast, mixed dtypes."""
    cases = [((3,), (3, 3), dtype), ((3, 2), (3,), dtype), ((2, 2), (3, 3), dtype), ((3, 2), (3, 4), dtype),
             ((2, 3, 2), (3, 3, 3), dtype), ((3, 2), (3, 3), "float64" if dtype == "float32" else "float32")]
    return st.sampled_from(cases).flatmap(lambda c: st.tuples(arrays(dtype, c[0], real()), arrays(c[2], c[1], real()))
                                          ).map(lambda ba: Example((TensorArg(ba[0], False), TensorArg(ba[1], False))))


def cholesky_factors(dtype: str, form=None):
    return st.tuples(BATCH, st.integers(1, 4), st.booleans()).flatmap(
        lambda d: triangular(dtype, d[0], d[1]).map(
            lambda a: Example((TensorArg(a, True),), {"upper": True} if d[2] else {})))


def cholesky_inverse_bad(dtype: str, form=None):
    """A zero on the factor's diagonal (in one batch element), a 1-d or non-square input."""
    def make(a):
        a = a.copy()
        a[..., -1, -1, -1] = 0
        return Example((TensorArg(a, False),), {})
    singular = st.integers(1, 4).flatmap(lambda n: triangular(dtype, (2,), n)).map(make)
    shaped = st.sampled_from([(3,), (3, 4)]).flatmap(lambda s: arrays(dtype, s, real())).map(
        lambda a: Example((TensorArg(a, False),), {}))
    return st.one_of(singular, shaped)


def cdist_example(mm: bool):
    """Row sets (batch dims broadcasting); ``mm``: p = 2 with more than 25 rows or the mm compute_mode,
    torch's matmul path (EuclideanDistBackward0)."""
    def build(dtype: str, form=None):
        def make(spec):
            b1, b2, r1, r2, m, p, mode = spec
            if mm:
                p, r1 = 2.0, (r1 + 25 if mode is None else r1)
            kw = {"p": p} if p != 2.0 else {}
            if mm and mode is not None:
                kw["compute_mode"] = mode

            def apart(xy):
                x, y = xy
                y = y.copy()
                y[..., 0] += 3
                return Example((TensorArg(x, True), TensorArg(y, True)), kw)
            return st.tuples(arrays(dtype, (*b1, r1, m), real(-1, 1)), arrays(dtype, (*b2, r2, m), real(-1, 1))
                             ).map(apart)
        batch = st.sampled_from([(), (2,), (1,), (2, 1)])
        return st.tuples(batch, batch, st.integers(1, 4), st.integers(1, 4), st.integers(1, 3),
                         st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, float("inf")]),
                         st.sampled_from([None, "use_mm_for_euclid_dist"])).flatmap(make)
    return build


def cdist_bad(dtype: str, form=None):
    return st.sampled_from([((3, 3), (4, 2), 2.0), ((3,), (4, 3), 2.0), ((3, 2), (4, 2), -1.0)]).flatmap(
        lambda s: st.tuples(arrays(dtype, s[0], real()), arrays(dtype, s[1], real())).map(
            lambda xy: Example((TensorArg(xy[0], False), TensorArg(xy[1], False)), {"p": s[2]})))


def right_systems(dtype: str, form=None):
    """linalg.solve(A, B, left=False): X A = B for a well-conditioned A (linalg_decompositions.square) and
    B with k rows, batch dims none, the last, or all of A's."""
    def make(a):
        n, batch = a.shape[-1], a.shape[:-2]
        shape = st.tuples(st.sampled_from([(), batch[-1:], batch]), st.integers(1, 3)).map(
            lambda bk: (*bk[0], bk[1], n))
        return st.tuples(shape.flatmap(lambda s: arrays(dtype, s, real())), grad_flags(2)).map(
            lambda bf: Example((TensorArg(a, bf[1][0]), TensorArg(bf[0], bf[1][1])), {"left": False}))
    return square(dtype).flatmap(make)


def right_vectors(dtype: str, form=None):
    """A vector B (B.ndim == 1 or B.shape == A.shape[:-1]) or a B of the wrong width: torch refuses both."""
    return square(dtype).flatmap(lambda a: st.sampled_from([(a.shape[-1],), a.shape[:-1], (2, a.shape[-1] + 1)])
                                 .flatmap(lambda s: arrays(dtype, s, real())).map(
        lambda b: Example((TensorArg(a, False), TensorArg(b, False)), {"left": False})))


def _mvn_precision(lib, loc, a, jitter, how):
    """MultivariateNormal.precision_matrix: cholesky_inverse of the scale factor, expanded (torch's), or the
    precision it was given."""
    return _mvn(lib, loc, a, jitter, how).precision_matrix


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("triangular_solve", triangular_solve_systems, forms=("function", "method"), tolerance=TOL,
           output="tuple", label="torch.triangular_solve", unchecked=TRSM_OVERFLOW),
    Record("triangular_solve", triangular_solve_bad, output="tuple", raises=True, grad=False,
           label="torch.triangular_solve (errors)"),
    Record("cholesky_inverse", cholesky_factors, forms=("function", "method"), tolerance=TOL),
    Record("cholesky_inverse", cholesky_inverse_bad, raises=True, grad=False, label="cholesky_inverse (errors)"),
    Record("cdist", cdist_example(False), tolerance=TOL),
    Record("cdist", cdist_example(True), tolerance=TOL, label="cdist (mm path)"),
    Record("cdist", cdist_bad, label="cdist (errors)", raises=True, grad=False),
    Record("solve", right_systems, namespace="linalg", forms=("function",), tolerance=TOL,
           label="linalg.solve (left=False)", unchecked=LU_NON_FINITE),   # (as linalg.solve's left=True rows)
    Record("solve", right_vectors, namespace="linalg", forms=("function",), raises=True, grad=False,
           label="linalg.solve (left=False, errors)"),
    Record("MultivariateNormal", mvn_examples(0), namespace="distributions", forms=("call",), call=_mvn_precision,
           label="MultivariateNormal.precision_matrix", tolerance=TOL),
]
