"""The LU family: linalg.lu_factor / lu_factor_ex, linalg.lu, linalg.lu_solve, torch.lu_unpack (and the
deprecated torch.lu / torch.lu_solve), with torch's node names, gradients and errors.

The factorization is LAPACK getrf's (partial pivoting, the first largest pivot in each column, 1-based
int32 pivots, ``info`` the first zero pivot), vectorised over the batch with one step per column.
Backward formulas are FunctionsManual's (linalg_lu_backward for the three shapes, lu_factor_ex_backward,
lu_unpack_backward, linalg_lu_solve_LU); each is written once over a small array/tensor dispatch, so
create_graph=True builds a graph as torch's does (the factorization recomputed from the saved input,
as qr's and eigh's backward do).
"""
from __future__ import annotations

import types
import warnings

import numpy as np

from .. import _gemm
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import check_broadcast, methods, record, record_multi
from ._errors import not_implemented, past_checks
from .decompositions import _triangle, _triangular_kernel, column_major, solve_triangular

__all__ = ["lu", "lu_factor", "lu_factor_ex", "lu_solve", "lu_unpack", "torch_lu", "torch_lu_solve"]

linalg_lu_factor = return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = return_type("linalg_lu", ("P", "L", "U"))
lu_unpack_return = return_type("lu_unpack", ("P", "L", "U"))


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


# --- NumPy kernels ------------------------------------------------------------------------------------

def _idamax(mag: np.ndarray) -> np.ndarray:
    """BLAS idamax along the last axis: the first largest |x|, where a NaN never wins (it compares false)
    unless it is the first element, which then stays the maximum."""
    first_nan = np.isnan(mag[..., 0])
    pick = np.argmax(np.where(np.isnan(mag), -1, mag), axis=-1)
    return np.where(first_nan, 0, pick)


def _reciprocal_scaling(m: int, n: int, j: int) -> str:
    """How torch's getrf (MKL) scales column j below its pivot: "lapack" is dgetf2's rule (by the reciprocal
    when |pivot| >= sfmin, the smallest normal number, else by dividing); MKL's kernel for square matrices of
    3 or more takes the reciprocal in every column but the last two (even of a subnormal pivot, so 1/pivot
    overflows to inf and a zero below it becomes NaN) and divides in the last two, as it does in a 2 x 2
    matrix.  Measured on torch 2.13's MKL (exact factors for every m, n <= 4 and hostile entries)."""
    if m != n:
        return "lapack"
    return "divide" if j >= n - 2 else "reciprocal"


@quiet
def _getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LU with partial pivoting of every matrix of ``a`` (m x n): (LU packed, 1-based pivots, info).

    Right-looking, one column at a time: idamax's pivot, the column scaled as torch's kernel scales it
    (``_reciprocal_scaling``), a rank-1 update of the rest with no zero skipped (0 * inf is NaN there).
    ``info`` is the first exactly zero pivot, whose column is left unscaled."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    flat = a.reshape(-1, m, n).copy()
    b = flat.shape[0]
    rows = np.arange(b)
    piv = np.empty((b, k), np.int32)
    info = np.zeros(b, np.int32)
    sfmin = np.finfo(a.dtype).smallest_normal
    for j in range(k):
        p = j + _idamax(np.abs(flat[:, j:, j]))
        piv[:, j] = p + 1
        top = flat[rows, j].copy()
        flat[rows, j] = flat[rows, p]
        flat[rows, p] = top
        pivot = flat[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        pivot = np.where(zero, 1, pivot)[:, None]
        below = flat[:, j + 1:, j]
        rule = _reciprocal_scaling(m, n, j)
        recip = np.abs(pivot) >= sfmin if rule == "lapack" else np.full(pivot.shape, rule == "reciprocal")
        col = np.where(recip, below * (1 / pivot), below / pivot)
        flat[:, j + 1:, j] = col
        flat[:, j + 1:, j + 1:] -= col[:, :, None] * flat[:, j, None, j + 1:]
    batch = a.shape[:-2]
    return flat.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _row_order(piv: np.ndarray, m: int) -> np.ndarray:
    """perm with A = P L U, P[perm[j], j] = 1, from LAPACK's row swaps (row j with row piv[j] - 1, in order)."""
    batch = piv.shape[:-1]
    flat = piv.reshape(-1, piv.shape[-1]).astype(np.int64) - 1
    perm = np.broadcast_to(np.arange(m), (flat.shape[0], m)).copy()
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(batch + (m,))


def _permutation(piv: np.ndarray, m: int, dtype) -> np.ndarray:
    """P with A = P L U from LAPACK's row swaps."""
    perm = _row_order(piv, m)
    out = np.zeros(perm.shape + (m,), dtype)
    np.put_along_axis(out, perm[..., :, None], 1, axis=-1)
    return np.swapaxes(out, -1, -2)


def _unpack(lu_: np.ndarray, m: int, n: int):
    k = min(m, n)
    low = np.tril(lu_[..., :, :k], -1) + np.eye(m, k, dtype=lu_.dtype)
    up = np.triu(lu_[..., :k, :])
    return low, up


# --- the array/tensor dispatch the formulas are written over --------------------------------------------

def _array_ops() -> types.SimpleNamespace:
    return types.SimpleNamespace(
        tril=np.tril, triu=np.triu, mH=_mT, cat=np.concatenate, zeros_like=np.zeros_like, mm=_gemm.matmul,
        solve_tri=lambda a, b, upper, left=True, unit=False: _triangular_kernel(_triangle(a, upper, unit, np), b, left,
                                                                                upper),
        factor=lambda a: _array_factor(a))


def _array_factor(a):
    lu_, piv, _ = _getrf(a)
    low, up = _unpack(lu_, a.shape[-2], a.shape[-1])
    return _permutation(piv, a.shape[-2], a.dtype), low, up


def _tensor_ops() -> types.SimpleNamespace:
    from .join import cat
    from .shape import transpose
    return types.SimpleNamespace(
        tril=lambda x, d=0: x.tril(d), triu=lambda x, d=0: x.triu(d), mH=lambda x: transpose(x, -2, -1), cat=cat,
        mm=lambda a, b: a @ b,
        zeros_like=lambda x: x * 0,
        solve_tri=lambda a, b, upper, left=True, unit=False: solve_triangular(a, b, upper=upper, left=left,
                                                                              unitriangular=unit),
        factor=lambda a: tuple(lu(a)))


def _ops(x) -> types.SimpleNamespace:
    return _tensor_ops() if isinstance(x, Tensor) else _array_ops()


@formula_helper(tensor="same")
def lu_backward(L_grad, U_grad, P, L, U):
    """FunctionsManual's linalg_lu_backward (pivoted), square, wide (m < n) and tall (m > n)."""
    o = _ops(L)
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if m == n:
        a_grad = o.tril(o.mm(o.mH(L), L_grad), -1) + o.triu(o.mm(U_grad, o.mH(U)))
        a_grad = o.solve_tri(o.mH(U), a_grad, False, left=False)
        a_grad = o.solve_tri(o.mH(L), a_grad, True, unit=True)
        return o.mm(P, a_grad)
    if m < n:
        u1 = U[..., :, :k]
        a_grad = o.mm(o.mH(L), L_grad) - o.mm(o.triu(U_grad), o.mH(U))
        a_grad = o.solve_tri(o.mH(u1), o.tril(a_grad, -1), False, left=False)
        a_grad = o.cat([a_grad + o.triu(U_grad[..., :, :k]), U_grad[..., :, k:]], -1)
        return o.mm(P, o.solve_tri(o.mH(L), a_grad, True, unit=True))
    l1 = L[..., :k, :]
    a_grad = o.mm(U_grad, o.mH(U)) - o.mm(o.mH(L), o.tril(L_grad, -1))
    a_grad = o.solve_tri(o.mH(l1), o.triu(a_grad), True, unit=True)
    a_grad = o.cat([a_grad + o.tril(L_grad[..., :k, :], -1), L_grad[..., k:, :]], -2)
    return o.mm(P, o.solve_tri(o.mH(U), a_grad, False, left=False))


@formula_helper(tensor="same")
def lu_grad(L_grad, U_grad, A):
    """linalg.lu's backward: the factorization recomputed from A, then linalg_lu_backward."""
    P, L, U = _ops(A).factor(A)
    return lu_backward(L_grad, U_grad, P, L, U)


@formula_helper(tensor="same")
def lu_factor_grad(grad, A):
    """FunctionsManual's lu_factor_ex_backward: the packed gradient's first k columns as L's gradient and
    first k rows as U's, unmasked (linalg_lu_backward masks its products, so an inf or NaN of the other
    triangle still meets a zero there: NaN, as in torch)."""
    k = min(A.shape[-2], A.shape[-1])
    if isinstance(A, Tensor):   # (create_graph: P, L, U unpacked from a packed LU, as torch's graph has them)
        P, L, U = lu_unpack(*lu_factor_ex(A)[:2])
        return lu_backward(grad[..., :, :k], grad[..., :k, :], P, L, U)
    return lu_grad(grad[..., :, :k], grad[..., :k, :], A)


@formula_helper(tensor="same")
def lu_unpack_grad(L_grad, U_grad, m, n):
    """FunctionsManual's lu_unpack_backward: L's strict lower and U's upper triangle back into one matrix."""
    o = _ops(L_grad)
    k = min(m, n)
    if m == n:
        return o.tril(L_grad, -1) + o.triu(U_grad)
    if m < n:
        return o.cat([o.tril(L_grad, -1) + o.triu(U_grad[..., :, :k]), U_grad[..., :, k:]], -1)
    return o.cat([o.tril(L_grad[..., :k, :], -1) + o.triu(U_grad), L_grad[..., k:, :]], -2)


@formula_helper(tensor="same")
def lu_solve_grad_LU(gX, LU, pivots, X, left, adjoint):
    """FunctionsManual's linalg_lu_solve_LU (through an auxiliary gR, as torch's)."""
    o = _ops(LU)
    P, L, U = _unpacked(LU, pivots)
    if left != adjoint:
        gR = o.solve_tri(o.mH(U), -o.mm(gX if left else o.mH(gX), o.mH(X) if left else X), False)
        gL = o.tril(o.solve_tri(o.mH(L), o.mm(gR, o.mH(U)), True, unit=True), -1)
        return gL + o.triu(gR)
    gR = -o.mm(o.mm(o.mm(o.mH(P), X if left else o.mH(X)), o.mH(gX) if left else gX), P)
    gR = o.solve_tri(o.mH(L), gR, True, left=False, unit=True)
    gU = o.triu(o.solve_tri(o.mH(U), o.mm(o.mH(L), gR), False, left=False))
    return o.tril(gR, -1) + gU


def _unpacked(LU, pivots):
    if isinstance(LU, Tensor):
        return tuple(lu_unpack(LU, Tensor._make(pivots, False, None)))
    low, up = _unpack(LU, LU.shape[-2], LU.shape[-1])
    return _permutation(pivots, LU.shape[-2], LU.dtype), low, up


@formula_helper(tensor="same")
def lu_solve_grad_B(grad, LU, pivots, left, adjoint, shape):
    from ..autograd.backends import ARRAY, TENSOR
    if isinstance(grad, Tensor):
        return TENSOR["sum_to"](lu_solve(LU, Tensor._make(pivots, False, None), grad, left=left,
                                         adjoint=not adjoint), shape)
    return ARRAY["sum_to"](_lu_solve_kernel(LU, pivots, grad, left, not adjoint), shape)


@formula_helper(tensor="same")
def lu_solve_grad(gX, LU, pivots, X, left, adjoint, shape):
    from ..autograd.backends import ARRAY, TENSOR
    g = lu_solve_grad_LU(gX, LU, pivots, X, left, adjoint)
    return (TENSOR if isinstance(g, Tensor) else ARRAY)["sum_to"](g, shape)


def _lu_tangent(dA, A):
    """torch's linalg_lu_jvp: with A = P L U recomputed, dK = L1^-1 P^T dA1 U1^-1 on the leading k x k
    block, dL1 = L1 tril(dK, -1), dU1 = triu(dK) U1, and the rest of U (wide) or of L (tall)."""
    from .join import cat
    P, L, U = lu(A)
    m, n = dA.shape[-2], dA.shape[-1]
    k = min(m, n)
    PdA = P.mT @ dA
    L1, U1 = L[..., :k, :k], U[..., :k, :k]
    dK = solve_triangular(L1, PdA[..., :k, :k], upper=False, left=True, unitriangular=True)
    dK = solve_triangular(U1, dK, upper=True, left=False)
    dL1, dU1 = L1 @ dK.tril(-1), dK.triu() @ U1
    if m == n:
        return dL1, dU1
    if m < n:
        dU2 = solve_triangular(L1, PdA[..., :, k:], upper=False, left=True, unitriangular=True) \
            - dK.tril(-1) @ U[..., :, k:]
        return dL1, cat([dU1, dU2], -1)
    dL2 = solve_triangular(U1, PdA[..., k:, :], upper=True, left=False) - L[..., k:, :] @ dK.triu()
    return cat([dL1, dL2], -2), dU1


def _lu_factor_tangent(dA, A):
    """torch's lu_factor_ex_jvp: linalg_lu_jvp's dL and dU packed (dU added into dL's top, or dL into dU's
    left when wide)."""
    from .join import cat
    dL, dU = _lu_tangent(dA, A)
    m, n = dA.shape[-2], dA.shape[-1]
    if m >= n:
        return cat([dL[..., :n, :] + dU, dL[..., n:, :]], -2)
    return cat([dU[..., :, :m] + dL, dU[..., :, m:]], -1)


def _lu_solve_tangent(dLU, dB, LU, pivots, X, left, adjoint):
    """torch's linalg_lu_solve_jvp (its two branches, left != adjoint or not), missing tangents as zeros."""
    piv = Tensor._make(pivots, False, None)
    S = lu_solve(LU, piv, dB, left=left, adjoint=adjoint)
    if left != adjoint:
        R = solve_triangular(LU, dLU.tril(-1), upper=False, left=True, unitriangular=True)
        U = LU.triu()
        R = -solve_triangular(U, dLU.triu() + R @ U, upper=True)
        return (R @ X if left else X @ R.mT) + S
    P, L, U = lu_unpack(LU, piv)
    V = X.mT if left else X
    R = solve_triangular(U, L @ dLU.triu(), upper=True, left=False) + dLU.tril(-1)
    R = solve_triangular(L, -(V @ P @ R), upper=False, left=False, unitriangular=True) @ P.mT
    return (R.mT if left else R) + S


formula_helper(_lu_tangent, tensor="same", name="lu_tangent")
formula_helper(_lu_factor_tangent, tensor="same", name="lu_factor_tangent")
formula_helper(_lu_solve_tangent, tensor="same", name="lu_solve_tangent")


LinalgLuFactorExBackward0 = derivative("LinalgLuFactorExBackward0", A="lu_factor_grad(grad, A)")
LinalgLuBackward0 = derivative("LinalgLuBackward0", multi_output=True, A="lu_grad(grad[0], grad[1], A)")
LuUnpackBackward0 = derivative("LuUnpackBackward0", multi_output=True, attrs="m n",
                               LU_data="lu_unpack_grad(grad[0], grad[1], m, n)")
LinalgLuSolveBackward0 = derivative(
    "LinalgLuSolveBackward0", freed=("pivots",), attrs="pivots left adjoint LU_shape B_shape",
    LU="lu_solve_grad(grad, LU, pivots, result, left, adjoint, LU_shape)",
    B="lu_solve_grad_B(grad, LU, pivots, left, adjoint, B_shape)")


# --- checks ---------------------------------------------------------------------------------------------

def _check_matrix(A: Tensor, name: str, kernel: str) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if A._data.dtype.kind != "f":
        raise not_implemented(kernel, A._data)


def _raise_zero_pivot(info: np.ndarray) -> None:
    flat = info.reshape(-1)
    first = int(np.flatnonzero(flat)[0])
    where = f"(Batch element {first}): " if info.ndim else ""
    i = int(flat[first])
    raise RuntimeError(f"torch.linalg.lu_factor: {where}U[{i},{i}] is zero and using it on lu_solve would result in a "
                      "division by zero. If you still want to perform the factorization, consider calling "
                      "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


# --- the public functions -------------------------------------------------------------------------------

def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """The packed LU factorization (L's strict lower part and U), LAPACK's pivots and info."""
    _check_matrix(A, "torch.lu_factor", "lu_cpu")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu_, piv, info = _getrf(A._data)
    if check_errors and info.any():
        _raise_zero_pivot(info)
    out = record(LinalgLuFactorExBackward0, column_major(lu_), (A,), A=A)
    return linalg_lu_factor_ex(out, Tensor._make(piv, False, None), Tensor._make(info, False, None))


def lu_factor(A: Tensor, *, pivot: bool = True):
    """lu_factor_ex that raises torch's LinAlgError on a zero pivot."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    if info._data.any():
        _raise_zero_pivot(info._data)
    return linalg_lu_factor(LU, piv)


def lu(A: Tensor, *, pivot: bool = True):
    """P, L, U with A = P L U (L unit lower m x k, U upper k x n); P has no gradient."""
    _check_matrix(A, "linalg.lu", "lu_cpu")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    P, low, up = _array_factor(A._data)
    L, U = record_multi(LinalgLuBackward0, (low, up), (A,), A=A)
    return linalg_lu(Tensor._make(P, False, None), L, U)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True):
    """P, L, U from lu_factor's packed output (empty tensors for the parts not asked for)."""
    if LU_data.ndim < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(LU_data.shape)} instead")
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    dtype = LU_data._data.dtype
    empty = np.empty((0,), dtype)
    if unpack_data:
        low, up = _unpack(LU_data._data, m, n)
    else:
        low = up = empty
    L, U = record_multi(LuUnpackBackward0, (low, up), (LU_data,), m=m, n=n)
    if not unpack_pivots:
        return lu_unpack_return(Tensor._make(empty.copy(), False, None), L, U)
    if LU_pivots._data.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
                           "Note: this function is intended to be used with the output produced by "
                           "torch.linalg.lu_factor")
    piv = LU_pivots._data
    if piv.size and (piv.min() < 1 or piv.max() > m):
        raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you properly "
                           "pass the result of lu_factor?")
    return lu_unpack_return(Tensor._make(_permutation(piv, m, dtype), False, None), L, U)


@quiet
def _lu_solve_kernel(lu_: np.ndarray, piv: np.ndarray, b: np.ndarray, left: bool, adjoint: bool) -> np.ndarray:
    """X with op(A) X = B (left) or X op(A) = B, A = P L U from the packed factors, op the transpose if
    ``adjoint``; batches broadcast.  As torch's getrs: P applied as row swaps (no 0 * inf), U's diagonal by
    its reciprocal (measured: b * (1 / u) exactly, so a zero over a subnormal pivot whose 1 / u overflows
    is NaN)."""
    m = lu_.shape[-1]
    if not left:  # X op(A) = B  <=>  op(A)^T X^T = B^T
        return _mT(_lu_solve_kernel(lu_, piv, _mT(b), True, not adjoint))
    low, up = _unpack(lu_, m, m)
    batch = np.broadcast_shapes(lu_.shape[:-2], b.shape[:-2])
    low, up = (np.broadcast_to(x, batch + x.shape[-2:]) for x in (low, up))
    perm = np.broadcast_to(_row_order(piv, m), batch + (m,))[..., None]
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if adjoint:  # A^T X = B: U^T L^T P^T X = B, then X = P y
        y = _triangular_kernel(_mT(low), _triangular_kernel(_mT(up), b, True, False, reciprocal=True), True, True)
        out = np.empty_like(y)
        np.put_along_axis(out, np.broadcast_to(perm, y.shape), y, axis=-2)
        return out
    pb = np.take_along_axis(b, np.broadcast_to(perm, b.shape), axis=-2)
    return _triangular_kernel(up, _triangular_kernel(low, pb, True, False), True, True, reciprocal=True)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """X with A X = B (A^T X = B with adjoint; X A = B with left=False) from lu_factor's output."""
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but they are "
                           f"{LU.shape[-2]} by {LU.shape[-1]} matrices")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq, (r, c) = ("AX = B", B.shape[-2:]) if left else ("XA = B", B.shape[-2:])
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
                           f"{r}x{c})")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{scalar_type_name(LU.dtype)} and B of type {scalar_type_name(B.dtype)} instead")
    if pivots._data.dtype != np.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    if pivots.shape[-1] != n:
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the dimension of the matrix")
    check_broadcast(np.broadcast_to(0, LU.shape[:-2]), np.broadcast_to(0, B.shape[:-2]))
    data = _lu_solve_kernel(LU._data, pivots._data, B._data, left, adjoint).astype(B._data.dtype, copy=False)
    data = column_major(data) if left else np.ascontiguousarray(data)
    return record(LinalgLuSolveBackward0, data, (LU, B), LU=LU, pivots=pivots._data, left=left, adjoint=adjoint,
                  LU_shape=tuple(LU.shape), B_shape=tuple(B.shape))


# --- the deprecated torch.* spellings ---------------------------------------------------------------------

def torch_lu(A: Tensor, pivot: bool = True, get_infos: bool = False):
    """torch.lu (deprecated in torch, with its warning): (LU, pivots) or (LU, pivots, infos); a singular
    matrix does not raise (ATen's _lu_with_info ignores its check_errors)."""
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be "
                  "removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced "
                  "with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = "
                  "torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
                  "torch.linalg.lu_factor_ex(A, compute_pivots)", UserWarning, stacklevel=past_checks(2))
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def torch_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch.lu_solve (deprecated in torch, with its warning): linalg.lu_solve with its arguments reordered."""
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                  "PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = "
                  "torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)",
                  UserWarning, stacklevel=past_checks(2))
    return lu_solve(LU_data, LU_pivots, b)


methods(lu=torch_lu, lu_solve=torch_lu_solve)
