"""torch.linalg's spellings of other ops and its small composites: linalg.matmul, linalg.diagonal,
linalg.vander (torch's cat of ones and a cumprod of the expanded input), linalg.tensorinv and
linalg.tensorsolve (reshapes around inv/solve, as torch's, so their graphs are torch's), linalg.cond (torch's
composite: a ratio of singular values for ord ±2, sums over them for 'nuc', else norm(A) norm(inv(A)) with
its in-place masked_fill_/nan_to_num_) and linalg.solve_ex (linalg.solve with LAPACK getrf's info instead of an error).
"""
from __future__ import annotations

import numpy as np

from .._argument_types import check_argument
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..return_types import return_type
from .decompositions import LinAlgError, LinalgSolveExBackward0, check_solve, column_major, inv_ex, solve
from .layout import diagonal as _diagonal
from .linalg import matmul
from .lu import _getrf, _lu_solve_kernel

__all__ = ["cond", "diagonal", "matmul", "solve_ex", "tensorinv", "tensorsolve", "vander"]

linalg_solve_ex = return_type("linalg_solve_ex", ("result", "info"))


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: torch.diagonal over the last two dims by default (keyword-only)."""
    return _diagonal(A, offset, dim1, dim2)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix [1, x, x^2, ..., x^(N-1)] along a new last dim (torch's composite)."""
    from .join import cat
    from .reductions import cumprod
    if x._data.dtype.kind not in "fiu":
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, but got "
                           f"{scalar_type_name(x.dtype)}")
    x_ = x.unsqueeze(-1) if x.ndim == 0 else x
    shape = list(x_.shape)
    n = shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    result = cumprod(x_.unsqueeze(-1).expand(*shape, n - 1), -1)
    ones = result.new_ones((*shape, 1))
    return cat([ones, result], -1)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A read as a prod(shape[:ind]) x prod(shape[ind:]) matrix, shaped shape[ind:] + shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    if ind > A.ndim:   # (torch slices the shape at ind first)
        raise RuntimeError(f"ArrayRef: invalid slice, N = {ind}; size = {A.ndim}")
    end, start = tuple(A.shape[ind:]), tuple(A.shape[:ind])
    rows, cols = int(np.prod(end, dtype=np.int64)), int(np.prod(start, dtype=np.int64))
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {rows} != {cols}")
    inverse, info = inv_ex(A.reshape(rows, rows))
    if info._data.any():
        raise LinAlgError(f"inv: The diagonal element {int(info._data)} is zero, the inversion could not be "
                          "completed because the input matrix is singular.")
    return inverse.reshape(*end, *start)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B: A (dims moved to the end) read as a square matrix, B flattened."""
    from .shape import movedim
    a = A
    if dims is not None:
        check_argument("linalg_tensorsolve", "dims", "IntArray", dims)
        dims = list(dims)
        a = movedim(a, dims, list(range(A.ndim - len(dims), A.ndim)))
    if B.ndim > a.ndim:   # torch slices A's sizes past their end: a vector of negative length
        raise RuntimeError("cannot create std::vector larger than max_size()")
    result_shape = tuple(a.shape[B.ndim:])
    rows, other = int(np.prod(result_shape, dtype=np.int64)), int(np.prod(B.shape, dtype=np.int64))
    if rows != other:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {rows} != {other}")
    return solve(a.reshape(rows, rows), B.flatten()).reshape(*result_shape)


def _ord_text(p) -> str:
    """How torch prints an ord in its messages (a C++ Scalar: integers plain, floats by std::to_string)."""
    if isinstance(p, str) or isinstance(p, bool) or isinstance(p, int):
        return str(int(p)) if isinstance(p, bool) else str(p)
    return "inf" if p == np.inf else "-inf" if p == -np.inf else f"{p:.6f}"


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number of A in the matrix norm ``p`` (default 2: the ratio of extreme singular values)."""
    from .decompositions import svdvals
    from .norms import matrix_norm
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    ord_ = 2 if p is None else p
    valid = ord_ in ("fro", "nuc") if isinstance(ord_, str) else ord_ in (1, -1, 2, -2, np.inf, -np.inf)
    if not valid:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {ord_ if isinstance(ord_, str) else f'{ord_:g}'}")
    if not isinstance(ord_, str) and abs(ord_) == 2:
        if A.numel() == 0:
            return Tensor._make(np.zeros(A.shape[:-2], A._data.dtype), False, None)
        s = svdvals(A)
        s_max, s_min = s.narrow(-1, 0, 1), s.narrow(-1, -1, 1)
        return (s_min / s_max if ord_ == -2 else s_max / s_min).squeeze(-1)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={_ord_text(ord_)}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.numel() == 0:
        return Tensor._make(np.zeros(A.shape[:-2], A._data.dtype), False, None)
    if ord_ == "nuc":
        s = svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)
    inverse, info = inv_ex(A)
    inverse.masked_fill_(Tensor._make((info._data > 0)[..., None, None], False, None), np.inf)
    result = matrix_norm(A, ord_) * matrix_norm(inverse, ord_)
    return result.nan_to_num_(np.inf, np.inf, -np.inf)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """linalg.solve with getrf's info (the first zero pivot, per matrix) instead of an error for a singular
    A; such a matrix's solution is NaN/inf (not LAPACK's exact pattern)."""
    result = None
    check_solve(A, B, left)
    if A.ndim >= 2 and A.shape[-1] == A.shape[-2] and A._data.dtype.kind == "f":
        lu_, piv, info = _getrf(A._data)
        if info.any():
            if check_errors:
                first = int(np.flatnonzero(info.reshape(-1))[0])
                where = f"(Batch element {first}): " if info.ndim else ""
                raise LinAlgError(f"torch.linalg.solve_ex: {where}The solver failed because the input matrix is "
                                  "singular.")
            result = _singular_solve(A, B, lu_, piv, left)
    if result is None:
        result = solve(A, B, left=left)
        info = np.zeros(A.shape[:-2], np.int32)
    return linalg_solve_ex(result, Tensor._make(info, False, None))


def _singular_solve(A: Tensor, B: Tensor, lu_: np.ndarray, piv: np.ndarray, left: bool) -> Tensor:
    from .._quiet import quiet
    return quiet(_singular_solve_body)(A, B, lu_, piv, left)


def _singular_solve_body(A: Tensor, B: Tensor, lu_: np.ndarray, piv: np.ndarray, left: bool) -> Tensor:
    from ._define import record
    vector = B.ndim == 1 or tuple(B.shape) == tuple(A.shape[:-1])
    if not left and (vector or B.shape[-1] != A.shape[-1]):
        return solve(A, B, left=left)  # (raises torch's shape error before solving anything)
    b = B._data[..., None] if vector else B._data
    out = _lu_solve_kernel(lu_, piv, b, left, False).astype(A._data.dtype, copy=False)
    # the nonsingular matrices of the batch get their solution (the kernel's triangular solves NaN a whole batch)
    batch = out.shape[:-2]
    fine = np.broadcast_to(np.asarray(_getrf(A._data)[2]) == 0, batch)
    if fine.any():
        a = np.broadcast_to(A._data, batch + A.shape[-2:])[fine]
        bb = np.broadcast_to(b, batch + b.shape[-2:])[fine]
        out = out.copy()
        out[fine] = np.linalg.solve(a, bb) if left else np.swapaxes(
            np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(bb, -1, -2)), -1, -2)
    out = (out[..., 0] if vector else column_major(out)) if left else np.ascontiguousarray(out)
    return record(LinalgSolveExBackward0, out, (A, B), A=A, B=B, vector=vector, B_shape=tuple(B.shape), left=left)

