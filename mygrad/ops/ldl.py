"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve: LAPACK sytrf's Bunch-Kaufman LDL^T of a symmetric
matrix (its lower triangle; 1x1 and 2x2 pivot blocks, LAPACK's pivot format: k for a 1x1 block whose row was
swapped with row k, -k twice for a 2x2 block) and sytrs's solve, with torch's errors.  torch gives neither a
derivative: their nodes are NotImplemented (a backward raises torch's error).

The factorization is sytf2's (the unblocked algorithm LAPACK's sytrf runs on matrices smaller than its block):
its pivot decisions differ from matrix to matrix, so it runs matrix by matrix, column by column.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _gemm
from .._quiet import quiet
from .._tensor import Tensor, dim_size
from .._tensor_str import _LEGACY, scalar_type_name
from ..return_types import return_type
from ._define import record
from .decompositions import column_major
from .elementwise import no_derivative_node, requiring_grad

__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]

linalg_ldl_factor = return_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))

_ALPHA = (1 + math.sqrt(17)) / 8


def _fortran_max(x, y):
    """Fortran's MAX as sytf2 is built in torch's MKL: y unless x > y, so a NaN on either side can give
    the other (measured through its zero-pivot test and rowmax)."""
    return x if x > y else y


def _sytf2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK dsytf2 (UPLO='L') on one matrix: the factor in the lower triangle, 1-based pivots, info."""
    a = np.tril(a).copy()
    n = a.shape[0]
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if _fortran_max(absakk, colmax) == 0:
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = np.abs(a[imax, k:imax]).max()
                if imax < n - 1:
                    rowmax = _fortran_max(rowmax, np.abs(a[imax + 1:, imax]).max())
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:
                if kp < n - 1:
                    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                col = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = col
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1 / a[k, k]
                    x = a[k + 1:, k].copy()
                    if d11 != 0:   # dsyr: x_i (d11 x_j), nothing for a zero multiplier or a zero x_j
                        a[k + 1:, k + 1:] -= np.tril(np.where(x != 0, np.outer(x, d11 * x), 0))
                    a[k + 1:, k] = x * d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1 / (d11 * d22 - 1)
                d21 = t / d21
                wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
                wkp1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
                a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], wk))  # (two steps: sytf2's rounding)
                a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k + 1], wkp1))
                a[k + 2:, k] = wk
                a[k + 2:, k + 1] = wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return a, piv, info


@quiet
def _ldl_kernel(a: np.ndarray):
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    out = np.empty_like(flat)
    piv = np.empty((flat.shape[0], n), np.int32)
    info = np.empty(flat.shape[0], np.int32)
    for i, m in enumerate(flat):  # matrix by matrix: the pivot decisions are each matrix's own
        out[i], piv[i], info[i] = _sytf2(m)
    return out.reshape(a.shape), piv.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False):
    """LD (L's strict lower part and the block diagonal D, lower triangle), pivots and info."""
    name = "torch.linalg.ldl_factor_ex"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_LEGACY[A._data.dtype.name]}")
    ld, piv, info = _ldl_kernel(A._data)
    if check_errors and info.any():
        _raise_singular(info)
    edges = requiring_grad(A)
    out = record(no_derivative_node("aten::linalg_ldl_factor_ex", edges), column_major(ld), edges)
    return linalg_ldl_factor_ex(out, Tensor._make(piv, False, None), Tensor._make(info, False, None))


def _raise_singular(info: np.ndarray) -> None:
    # torch 2.13 reports sytrf's positive info through an internal assert (measured), a RuntimeError
    raise RuntimeError("false INTERNAL ASSERT FAILED at \"/__w/pytorch/pytorch/aten/src/ATen/native/"
                       "BatchLinearAlgebra.cpp\":1642, please report a bug to PyTorch. torch.linalg.ldl_factor: "
                       f"Unknown error code: {int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])}.")


def ldl_factor(A: Tensor, *, hermitian: bool = False):
    """ldl_factor_ex that raises for a singular D (as torch does)."""
    LD, piv, info = ldl_factor_ex(A, hermitian=hermitian)
    if info._data.any():
        _raise_singular(info._data)
    return linalg_ldl_factor(LD, piv)


def _ger(b: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """BLAS dger's b -= x y^T, which passes over a column whose y_j is zero (its NaN/inf in x stay out)."""
    b -= np.where(y != 0, np.outer(x, y), 0)


def _sytrs(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK dsytrs (UPLO='L') on one matrix: X with A X = B from sytf2's output (its BLAS calls: dger,
    dscal by the pivot's reciprocal, and dgemv's sums in order)."""
    b = b.copy()
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = B
        if piv[k] > 0:
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            _ger(b[k + 1:], ld[k + 1:, k], b[k])
            b[k] *= 1 / ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                _ger(b[k + 2:], ld[k + 2:, k], b[k])
                _ger(b[k + 2:], ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y
        if piv[k] > 0:
            b[k] -= _gemm.matmul(ld[None, k + 1:, k], b[k + 1:])[0]
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= _gemm.matmul(ld[None, k + 1:, k], b[k + 1:])[0]
            b[k - 1] -= _gemm.matmul(ld[None, k + 1:, k - 1], b[k + 1:])[0]
            kp = -piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:
    """X with A X = B from ldl_factor's LD and pivots (batches broadcast)."""
    if LD.dtype != B.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {scalar_type_name(B.dtype)} "
                           f"and A of type {scalar_type_name(LD.dtype)} instead.")
    dim_size(B.shape, -2)   # (torch reads b's rows first: an IndexError for a vector)
    if B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is {LD.shape[-2]} "
                           f"by {LD.shape[-1]} but each b matrix is {B.shape[-2] if B.ndim >= 2 else B.shape[-1]} by "
                           f"{B.shape[-1] if B.ndim >= 2 else 1}")
    n = LD.shape[-1]
    batch = np.broadcast_shapes(LD.shape[:-2], pivots.shape[:-1], B.shape[:-2])
    ld = np.broadcast_to(LD._data, batch + (n, n)).reshape(-1, n, n)
    piv = np.broadcast_to(pivots._data, batch + (n,)).reshape(-1, n)
    b = np.broadcast_to(B._data, batch + B.shape[-2:]).reshape(-1, *B.shape[-2:])
    out = quiet(lambda: np.stack([_sytrs(ld[i], piv[i], b[i]) for i in range(len(b))]) if len(b)
                else np.empty((0, *B.shape[-2:]), B._data.dtype))()
    edges = requiring_grad(LD, B)
    return record(no_derivative_node("aten::linalg_ldl_solve", edges),
                  column_major(out.reshape(batch + B.shape[-2:]).astype(B._data.dtype, copy=False)), edges)
