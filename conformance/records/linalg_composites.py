"""Records for torch.linalg's spellings and small composites: linalg.vander, linalg.diagonal, linalg.matmul,
linalg.tensorinv, linalg.tensorsolve (well-conditioned p x p matrices, A/(8p) + I, reshaped), linalg.cond,
linalg.householder_product / torch.orgqr, linalg.solve_ex, linalg.ldl_factor(_ex) / ldl_solve.

solve_ex draws well-conditioned systems (linalg_decompositions.system) and exactly singular matrices (a zero
last row): there the info is compared exactly and the solution only for shape and dtype, since the NaN/inf
pattern LAPACK leaves is its own (as inv_ex's records do).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, finite, grad_flags, real
from .linalg_decompositions import BATCH, LU_NON_FINITE, singular, system
from .linalg_svd import _orthogonal


def vander_example(dtype: str, form=None):
    def make(drawn):
        shape, n = drawn
        kw = {} if n is None else {"N": n}
        if not shape and n is None:
            kw = {"N": 3}
        return arrays(dtype, shape, real(-2, 2)).map(lambda x: Example((TensorArg(x, dtype != "int64"),), kw))
    return st.tuples(st.lists(st.integers(1, 4), max_size=2).map(tuple), st.sampled_from([None, 2, 3, 5])).flatmap(make)


def vander_bad(dtype: str, form=None):
    return st.sampled_from([((3,), dtype, {"N": 1}), ((3,), "bool", {}), ((), dtype, {})]).flatmap(
        lambda c: arrays(c[1], c[0], real()).map(lambda x: Example((TensorArg(x, False),), c[2])))


def diagonal_example(dtype: str, form=None):
    def make(drawn):
        shape, offset, dims = drawn
        kw = {"offset": offset} if offset else {}
        if dims is not None:
            kw.update(dim1=dims[0], dim2=dims[1])
        return arrays(dtype, shape, real()).map(lambda a: Example((TensorArg(a, True),), kw))
    return st.tuples(st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), st.integers(-2, 2),
                     st.sampled_from([None, (0, 1), (-1, 0)])).flatmap(make)


def matmul_example(dtype: str, form=None):
    def make(drawn):
        batch, m, k, n = drawn
        return st.tuples(arrays(dtype, (*batch, m, k), real()), arrays(dtype, (k, n), real())).map(
            lambda ab: Example((TensorArg(ab[0], True), TensorArg(ab[1], True))))
    return st.tuples(BATCH, st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(make)


def _splits(p: int):
    """Shapes whose product is p: (p,), and (a, b) for each factor pair."""
    return st.sampled_from([(p,)] + [(a, p // a) for a in range(2, p) if p % a == 0])


def _square_tensor(dtype: str, p: int, front, back):
    """A well-conditioned p x p matrix (A/(8p) + I) reshaped to front + back."""
    return arrays(dtype, (p, p), real()).map(lambda a: (a / (8 * p) + np.eye(p)).reshape(*front, *back).astype(dtype))


def tensorinv_example(dtype: str, form=None):
    def make(drawn):
        p, front, back = drawn
        kw = {"ind": len(front)} if len(front) != 2 else {}
        return _square_tensor(dtype, p, front, back).map(lambda a: Example((TensorArg(a, True),), kw))
    return st.integers(1, 6).flatmap(lambda p: st.tuples(st.just(p), _splits(p), _splits(p))).flatmap(make)


def tensorsolve_example(dtype: str, form=None):
    """A of shape B.shape + X.shape (or, with ``dims``, X's dims moved to the front), B drawn."""
    def make(drawn):
        p, b_shape, x_shape, moved = drawn
        a = _square_tensor(dtype, p, b_shape, x_shape)
        if moved:  # X's dims first in A, given back to tensorsolve as dims
            k = len(x_shape)
            a = a.map(lambda t: np.moveaxis(t, list(range(len(b_shape), t.ndim)), list(range(k))))
            kw = {"dims": tuple(range(k))}
        else:
            kw = {}
        return st.tuples(a, arrays(dtype, b_shape, real())).map(
            lambda ab: Example((TensorArg(np.ascontiguousarray(ab[0]), True), TensorArg(ab[1], True)), kw))
    return st.integers(1, 6).flatmap(lambda p: st.tuples(st.just(p), _splits(p), _splits(p), st.booleans())).flatmap(
        make)


def tensor_bad(dtype: str, form=None):
    """Shapes that do not make a square matrix, ind 0, and a singular tensorinv."""
    cases = [((4, 6, 8, 2), {}, False), ((2, 2, 4), {"ind": 0}, False), ((2, 2, 4), {}, True)]
    return st.sampled_from(cases).flatmap(lambda c: arrays(dtype, c[0], real()).map(
        lambda a: Example((TensorArg(np.zeros_like(a) if c[2] else a, False),), c[1])))


def tensorsolve_bad(dtype: str, form=None):
    return st.tuples(arrays(dtype, (2, 3, 5), real()), arrays(dtype, (2, 3), real())).map(
        lambda ab: Example((TensorArg(ab[0], False), TensorArg(ab[1], False))))


def _spread(dtype: str, square_only: bool):
    """U diag(s) V^T with singular values at least 0.5 apart (their gradients need distinct ones)."""
    def make(d):
        batch, m, n = d
        n = m if square_only else n
        k = min(m, n)

        def compose(x):
            gaps, su, sv = x
            sigma = 0.5 + np.cumsum(gaps, -1)[..., ::-1]
            u, v = _orthogonal(su)[..., :, :k], _orthogonal(sv)[..., :, :k]
            return ((u * sigma[..., None, :]) @ np.swapaxes(v, -1, -2)).astype(dtype)
        # (finite gaps: a hostile one, -0.0 or tiny, would repeat a singular value)
        gaps = arrays("float64", (*batch, k), finite(real(0.5, 2.0)))
        return st.tuples(gaps, arrays("float64", (*batch, m, m), real()),
                         arrays("float64", (*batch, n, n), real())).map(compose)
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 4)).flatmap(make)


def graded(dtype: str):
    """diag(±1, ±2, ±4, ...) + A/(256 n): every column and row sum of the matrix and of its inverse is set
    apart by the diagonal (no ties for the 1- and inf-norms' amax/amin, whose tangents split at ties)."""
    def make(batch_n):
        batch, n = batch_n
        d = 2.0 ** np.arange(n) * np.where(np.arange(n) % 2, -1, 1)
        return arrays(dtype, (*batch, n, n), real()).map(lambda a: (a / (256 * n) + np.diag(d)).astype(dtype))
    return st.tuples(BATCH, st.integers(1, 4)).flatmap(make)


def cond_example(dtype: str, form=None):
    """The 2-norms on any full-rank matrix and 'nuc' on square ones, each with distinct singular values;
    the other ords on well-conditioned square matrices.  (torch's backward raises for ±1, ±inf and 'fro':
    its masked_fill_ edits the inverse its LinalgInvExBackward0 saved; mygrad's version counter raises
    the same.)"""
    spectral = st.tuples(_spread(dtype, False), st.sampled_from([None, 2, -2]))
    nuclear = st.tuples(_spread(dtype, True), st.just("nuc"))
    others = st.tuples(graded(dtype), st.sampled_from([1, -1, float("inf"), float("-inf"), "fro"]))
    return st.one_of(spectral, nuclear, others).map(
        lambda ap: Example((TensorArg(ap[0], True),), {} if ap[1] is None else {"p": ap[1]}))


def cond_bad(dtype: str, form=None):
    """A singular matrix (inf or NaN, as torch's), a vector, a non-square matrix for ord 1, an invalid ord."""
    cases = [((3, 3), 1, True), ((3, 3), None, True), ((3, 3), "nuc", True), ((3,), None, False),
             ((2, 3), 1, False), ((2, 3), "fro", False), ((3, 3), 3.5, False), ((3, 3), 3, False)]
    return st.sampled_from(cases).flatmap(lambda c: arrays(dtype, c[0], real()).map(
        lambda a: Example((TensorArg(np.zeros_like(a) if c[2] else a, False),), {} if c[1] is None else {"p": c[1]})))


def householder_example(dtype: str, form=None):
    """Reflectors in A's columns (m >= n) and k <= n scalars tau as geqrf makes them (tau = 2/|v|^2: every
    H_i orthogonal), batched.  Arbitrary taus make products of near-singular factors whose second-order
    float32 rounding in torch's formula is its own (seen at --profile thorough)."""
    def make(d):
        batch, m, n, k = d
        n = min(n, m)
        k = min(k, n)
        def build(af):
            a, flags = af
            v = np.tril(a, -1)[..., :, :k]  # the reflectors' entries below the unit diagonal
            tau = (2 / (1 + (v * v).sum(-2))).astype(dtype)
            return Example((TensorArg(a, flags[0]), TensorArg(tau, flags[1])))
        return st.tuples(arrays(dtype, (*batch, m, n), real(-1.5, 1.5)), grad_flags(2)).map(build)
    return st.tuples(BATCH, st.integers(1, 4), st.integers(1, 4), st.integers(0, 4)).flatmap(make)


def householder_bad(dtype: str, form=None):
    other = "float64" if dtype == "float32" else "float32"
    cases = [((4,), (1,), dtype), ((3, 4), (2,), dtype), ((4, 3), (4,), dtype), ((2, 4, 3), (3, 2), dtype),
             ((4, 3), (2,), other), ((4, 3), (2, 1), dtype)]
    return st.sampled_from(cases).flatmap(lambda c: st.tuples(arrays(dtype, c[0], real()), arrays(c[2], c[1], real()))
                                          ).map(lambda at: Example((TensorArg(at[0], False), TensorArg(at[1], False))))


def singular_systems(check_errors: bool):
    def build(dtype: str, form=None):
        return singular(dtype).map(lambda e: Example(
            (e.args[0], TensorArg(np.ones((e.args[0].array.shape[-1], 2), dtype), False)),
            {"check_errors": True} if check_errors else {}))
    return build


ANY = {"float32": (np.inf, np.inf), "float64": (np.inf, np.inf)}
# cond is svdvals' ratio (ord 2, -2, 'nuc') or a norm of inv's (LU, the other ords): NaN/inf through either are
# the LAPACK build's (measured: torch's float32 cond of a 3 x 4 matrix of ±inf raises "linalg.svd: The algorithm
# failed to converge ... (error code: 2)", where its svdvals of [[inf, 0], [0, 1]] is [nan, nan]; see SVD_NON_FINITE
# and LU_NON_FINITE), and ±max entries overflow into them
COND_NON_FINITE = (("hostile: non-finite", "NaN/inf through LAPACK's SVD and LU come out (or raise) as the LAPACK "
                                           "build has them (torch's MKL and NumPy's OpenBLAS differ)"),)
TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
LINALG = {"namespace": "linalg", "forms": ("function",)}

RECORDS = [
    Record("vander", vander_example, **LINALG, tolerance=TOL, label="linalg.vander"),
    Record("vander", vander_example, **LINALG, dtypes=("int64",), grad=False, label="linalg.vander (integer)"),
    Record("vander", vander_bad, **LINALG, raises=True, grad=False, label="linalg.vander (errors)"),
    Record("diagonal", diagonal_example, **LINALG, label="linalg.diagonal"),
    Record("matmul", matmul_example, **LINALG, label="linalg.matmul"),
    Record("tensorinv", tensorinv_example, **LINALG, tolerance=TOL, label="linalg.tensorinv", unchecked=LU_NON_FINITE),
    Record("tensorinv", tensor_bad, **LINALG, raises=True, grad=False, label="linalg.tensorinv (errors)"),
    Record("tensorsolve", tensorsolve_example, **LINALG, tolerance=TOL, label="linalg.tensorsolve",
           unchecked=LU_NON_FINITE),
    Record("tensorsolve", tensorsolve_bad, **LINALG, raises=True, grad=False, label="linalg.tensorsolve (errors)"),
    Record("householder_product", householder_example, **LINALG, tolerance=TOL, label="linalg.householder_product"),
    Record("householder_product", householder_bad, **LINALG, raises=True, grad=False,
           label="linalg.householder_product (errors)"),
    Record("orgqr", householder_example, tolerance=TOL, label="torch.orgqr"),
    Record("cond", cond_example, **LINALG, tolerance=TOL, label="linalg.cond", unchecked=COND_NON_FINITE),
    Record("cond", cond_bad, **LINALG, grad=False, raises=True, label="linalg.cond (singular, errors)"),
    Record("solve_ex", system(vector=False), **LINALG, tolerance=TOL, output="tuple", label="linalg.solve_ex",
           unchecked=LU_NON_FINITE),
    Record("solve_ex", singular_systems(False), **LINALG, tolerance=ANY, output="tuple", grad=False,
           label="linalg.solve_ex (singular info)", unchecked=LU_NON_FINITE),
    Record("solve_ex", singular_systems(True), **LINALG, output="tuple", raises=True, grad=False,
           label="linalg.solve_ex (singular, check_errors)", unchecked=LU_NON_FINITE),
]


# --- LDL^T (Bunch-Kaufman): torch gives no derivative, so backward raises in both ------------------------

def symmetric_example(dtype: str, form=None):
    """Symmetric matrices A + A^T; half the draws rounded to integers (ties and zeros steer Bunch-Kaufman's
    1x1/2x2 pivot choices, which must be LAPACK's); exactly singular ones give torch's info."""
    def make(drawn):
        a, rounded = drawn
        a = np.round(a) if rounded else np.where(np.abs(a) < 1e-6, 0, a)  # (no subnormals: see linalg_qr.py)
        return Example((TensorArg((a + np.swapaxes(a, -1, -2)).astype(dtype), True),))
    return st.tuples(st.tuples(BATCH, st.integers(1, 4)).flatmap(
        lambda bn: arrays(dtype, (*bn[0], bn[1], bn[1]), real())), st.booleans()).map(make)


def _ldl_solve(lib, A, B):
    return lib.linalg.ldl_solve(*lib.linalg.ldl_factor_ex(A)[:2], B)


def ldl_systems(dtype: str, form=None):
    def make(drawn):
        a, k = drawn
        a = a + np.swapaxes(a, -1, -2) + 8 * np.eye(a.shape[-1])  # nonsingular (Gershgorin)
        return arrays(dtype, (*a.shape[:-1], k), real()).map(
            lambda b: Example((TensorArg(a.astype(dtype), False), TensorArg(b, True))))
    return st.tuples(st.tuples(BATCH, st.integers(1, 4)).flatmap(
        lambda bn: arrays(dtype, (*bn[0], bn[1], bn[1]), real(-2, 2))), st.integers(1, 3)).flatmap(make)


def ldl_bad(dtype: str, form=None):
    cases = [((3,), dtype), ((3, 4), dtype), ((3, 3), "int64")]
    return st.sampled_from(cases).flatmap(lambda c: arrays(c[1], c[0], real()).map(
        lambda a: Example((TensorArg(a, False),))))


RECORDS += [
    Record("ldl_factor_ex", symmetric_example, **LINALG, tolerance=TOL, output="tuple",
           label="linalg.ldl_factor_ex"),
    Record("ldl_factor", ldl_bad, **LINALG, output="tuple", raises=True, grad=False,
           label="linalg.ldl_factor (errors)"),
    Record("ldl_solve", ldl_systems, forms=("call",), call=_ldl_solve, tolerance=TOL, label="linalg.ldl_solve"),
]
