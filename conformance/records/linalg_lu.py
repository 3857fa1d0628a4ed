"""Records for the LU family (linalg.lu_factor, lu_factor_ex, lu, lu_solve, torch.lu_unpack, torch.lu,
torch.lu_solve) and linalg.lstsq.

Conditioning lives in the strategy.  LU: an m x n matrix is drawn column diagonally dominant (diagonal
±[1, 2], the rest scaled to |a| <= 1/max(m, n), so every column's off-diagonal entries sum below 1),
then its rows are permuted by a drawn permutation.  Gaussian elimination keeps the dominance, so every
pivot is unambiguous (no near-tie for torch's MKL and mygrad's getrf to resolve differently) and the
factors are well-conditioned.  Singular inputs (an exactly zero column) check lu_factor's error and
lu_factor_ex's info.  lstsq: A/(8 max(m, n)) + I_{m,n} (full rank, well-conditioned, tall, square or
wide), every driver, B a matrix or a vector, batches broadcasting (and torch's reading of a matrix B
with one dim fewer than A: A's batch dims broadcast against B's leading dims).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, finite, grad_flags, real
from .linalg_decompositions import BATCH


def dominant(dtype: str, batch, m: int, n: int):
    """Row-permuted column diagonally dominant m x n matrices (batched).  Hostile values enter off the
    diagonal only: one on it (a -0.0, an inf) would undo the dominance and leave pivots of 1e-6 or 1e-146,
    whose reciprocals blow the last bits of MKL's kernels (fused or not by shape) past any tolerance."""
    size = max(m, n)

    def build(parts):
        a, diag, perm = parts
        a = a / (4 * size)
        k = min(m, n)
        idx = np.arange(k)
        a[..., idx, idx] = diag[..., :k] * np.where(idx % 2, -1, 1)
        return a[..., list(perm), :].astype(dtype)
    diagonal = arrays(dtype, (*batch, max(min(m, n), 1)), finite(real(1, 2)))
    return st.tuples(arrays(dtype, (*batch, m, n), real()), diagonal, st.permutations(range(m))).map(build)


def shapes(square: bool = False):
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 4)).map(
        lambda d: (d[0], d[1], d[1] if square else d[2]))


def one_matrix(square: bool = False, **kwargs):
    def build(dtype: str, form=None):
        return shapes(square).flatmap(lambda s: dominant(dtype, *s)).map(
            lambda a: Example((TensorArg(a, True),), kwargs))
    return build


def singular(dtype: str, form=None):
    """An exactly zero column (in some batch elements): a zero pivot at that column in every LAPACK build."""
    def make(drawn):
        a, col, which = drawn
        a = a.copy()
        flat = a.reshape(-1, *a.shape[-2:])
        flat[[i for i in range(len(flat)) if which[i % len(which)]] or [0], :, col % a.shape[-1]] = 0
        return Example((TensorArg(a, False),), {})
    return st.tuples(shapes(square=True).flatmap(lambda s: dominant(dtype, *s)), st.integers(0, 3),
                     st.lists(st.booleans(), min_size=1, max_size=4)).map(make)


def malformed(dtype: str, form=None):
    cases = [((3,), dtype, {}), ((3, 3), "int64", {}), ((3, 3), dtype, {"pivot": False})]
    return st.sampled_from(cases).flatmap(lambda c: arrays(c[1], c[0], real()).map(
        lambda a: Example((TensorArg(a, False),), c[2])))


def _unpack(lib, A, **kwargs):
    return lib.lu_unpack(*lib.linalg.lu_factor(A), **kwargs)


def _lu_solve(lib, A, B, **kwargs):
    return lib.linalg.lu_solve(*lib.linalg.lu_factor(A), B, **kwargs)


def _torch_lu_solve(lib, A, B):
    return lib.lu_solve(B, *lib.lu(A))


def unpack_flags(dtype: str, form=None):
    flags = st.fixed_dictionaries({}, optional={"unpack_data": st.just(True), "unpack_pivots": st.booleans()})
    return st.tuples(shapes().flatmap(lambda s: dominant(dtype, *s)), flags).map(
        lambda af: Example((TensorArg(af[0], True),), af[1]))


def systems(dtype: str, form=None, options: bool = True):
    """A square factorable A and B (k columns, or rows with left=False) whose batch dims broadcast with A's."""
    def make(drawn):
        (batch, n, _), k, which, kw, flags = drawn
        left = kw.get("left", True)
        b_batch = ((), batch[-1:], batch)[which]
        b_shape = (*b_batch, n, k) if left else (*b_batch, k, n)
        return st.tuples(dominant(dtype, batch, n, n), arrays(dtype, b_shape, real())).map(
            lambda ab: Example((TensorArg(ab[0], flags[0]), TensorArg(ab[1], flags[1])), kw))
    kw = st.fixed_dictionaries({}, optional={"left": st.booleans(), "adjoint": st.booleans()} if options else {})
    return st.tuples(shapes(square=True), st.integers(1, 3), st.integers(0, 2), kw, grad_flags(2)).flatmap(make)


def lu_solve_bad(dtype: str, form=None):
    """torch's argument errors: a 1-d B, sizes that do not match, mixed dtypes."""
    other = "float64" if dtype == "float32" else "float32"
    cases = [((3, 3), (3,), dtype), ((3, 3), (4, 2), dtype), ((3, 3), (3, 2), other)]
    return st.sampled_from(cases).flatmap(lambda c: st.tuples(dominant(dtype, (), *c[0]), arrays(c[2], c[1], real())))\
        .map(lambda ab: Example((TensorArg(ab[0], False), TensorArg(ab[1], False))))


# --- lstsq ----------------------------------------------------------------------------------------------

def _flushed(a: np.ndarray) -> np.ndarray:
    # no subnormal inputs: LAPACK builds round them differently (see linalg_qr.py)
    return np.where(np.abs(a) < 1e-6, 0, a)


def lstsq_systems(dtype: str, form=None):
    def make(drawn):
        (batch, m, n), k, which, vector, driver, flags = drawn
        if driver in (None, "gelsy") and m < n:
            # torch's gelsy is not reproducible for wide A: the same call returned rank 1, then 2, for a
            # [I 0] matrix (measured; its column pivots look uninitialised, so it may pin a zero column first)
            m, n = n, m
        b_batch = (tuple(1 for _ in batch), batch, batch)[which % 3]
        b_shape = (*batch, m) if vector else (*b_batch, m, k)
        if which == 3 and len(batch) == 1:  # B (m, k) for A (b, m, n): torch broadcasts (b,) against (m,)
            b_shape = (m, k) if batch[0] in (1, m) else b_shape
        kw = {} if driver is None else {"driver": driver}
        return st.tuples(arrays(dtype, (*batch, m, n), real()), arrays(dtype, b_shape, real())).map(
            lambda ab: Example((TensorArg((_flushed(ab[0]) / (8 * max(m, n)) + np.eye(m, n)).astype(dtype), flags[0]),
                                TensorArg(ab[1], flags[1])), kw))
    return st.tuples(shapes(), st.integers(1, 3), st.integers(0, 3), st.booleans(),
                     st.sampled_from([None, "gels", "gelsy", "gelsd", "gelss"]), grad_flags(2)).flatmap(make)


def lstsq_bad(dtype: str, form=None):
    other = "float64" if dtype == "float32" else "float32"
    cases = [((4, 3), (4, 2), dtype, {"driver": "foo"}), ((4,), (4, 2), dtype, {}), ((4, 3), (5, 2), dtype, {}),
             ((4, 3), (4, 2), other, {}), ((2, 4, 3), (4, 2), dtype, {}), ((2, 4, 3), (4,), dtype, {}),
             ((2, 4, 3), (2, 1), dtype, {})]
    return st.sampled_from(cases).flatmap(lambda c: st.tuples(arrays(dtype, c[0], real()), arrays(c[2], c[1], real()))
                                          .map(lambda ab: Example((TensorArg(ab[0], False), TensorArg(ab[1], False)),
                                                                  c[3])))


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
LINALG = {"namespace": "linalg", "forms": ("function",)}
# The gradients and tangents of the factorizations go through triangular solves and small matrix products
# by the factors, which round as MKL's trsm and gemm do (TRSM_OVERFLOW: no serial substitution reproduces
# trsm; MKL's gemm fuses or rounds each product by the shape, measured).  A hostile value that moves the
# pivots off the dominant diagonal leaves a small pivot whose reciprocal scales that last-bit rounding into
# the result: a tiny value (1/pivot ~1e308) or ±max always (measured: linalg.lu_factor_ex's gradient is
# -3.1e290 in torch and 0 in a substitution), an inf whenever it becomes a pivot (it takes a column, and the
# row it displaces brings pivots of its 1/(4 n) entries: 3.8e-6 in float32, measured: lu_unpack's gradient
# -1.2e21 in torch, 0 in mygrad; linalg.lu's 0.457 against 0.520).  So they draw NaN and -0.0, off the
# diagonal (``dominant``).
TRSM_ROUNDING = (("hostile: pivoting", "an inf, a tiny value or ±max moves the pivots onto entries ~1e-6 or "
                                       "smaller, whose reciprocals scale MKL's trsm and gemm rounding (by shape, "
                                       "measured) into the gradients past any tolerance"),)
CALL = {"forms": ("call",), "tolerance": TOL, "unchecked": TRSM_ROUNDING}
TRSM = {"unchecked": TRSM_ROUNDING}

RECORDS = [
    Record("lu_factor", one_matrix(), **LINALG, output="tuple", tolerance=TOL, label="linalg.lu_factor", **TRSM),
    Record("lu_factor_ex", one_matrix(), **LINALG, output="tuple", tolerance=TOL, label="linalg.lu_factor_ex", **TRSM),
    Record("lu_factor", singular, **LINALG, output="tuple", raises=True, grad=False,
           label="linalg.lu_factor (singular)"),
    Record("lu_factor_ex", singular, **LINALG, output="tuple", grad=False, tolerance=TOL,
           label="linalg.lu_factor_ex (info)"),
    Record("lu_factor", malformed, **LINALG, output="tuple", raises=True, grad=False,
           label="linalg.lu_factor (errors)"),
    Record("lu", one_matrix(), **LINALG, output="tuple", tolerance=TOL, label="linalg.lu", **TRSM),
    Record("lu", malformed, **LINALG, output="tuple", raises=True, grad=False, label="linalg.lu (errors)"),
    Record("lu_unpack", unpack_flags, call=_unpack, output="tuple", label="lu_unpack", **CALL),
    Record("lu_solve", systems, call=_lu_solve, label="linalg.lu_solve", **CALL),
    Record("lu_solve", lu_solve_bad, call=_lu_solve, forms=("call",), raises=True, grad=False,
           label="linalg.lu_solve (errors)"),
    Record("lu", one_matrix(square=True), tolerance=TOL, output="tuple", label="torch.lu", **TRSM),
    Record("lu_solve", lambda dtype, form=None: systems(dtype, options=False), call=_torch_lu_solve,
           label="torch.lu_solve", **CALL),
    # NaN/inf through LAPACK's least squares (QR with column pivoting, SVD) spread or raise as the build does:
    # measured, torch's MKL gelsy rejects A = [[0.93], [nan]] as an illegal argument (an internal assert), and
    # an inf in B makes torch's gradient raise linalg.svd's convergence error; so these draw only -0.0 and the
    # tiny values (as the SVD rows do)
    Record("lstsq", lstsq_systems, **LINALG, output="tuple", tolerance=TOL, label="linalg.lstsq",
           unchecked=(("hostile: non-finite", "NaN/inf through LAPACK's least-squares drivers spread (or raise) as "
                                              "the build's QR/SVD do (measured: MKL's gelsy rejects a NaN)"),)),
    Record("lstsq", lstsq_bad, **LINALG, output="tuple", raises=True, grad=False, label="linalg.lstsq (errors)"),
]
