"""torch.triangular_solve and torch.cholesky_inverse: LAPACK's older torch.* spellings (trtrs, potri),
with torch's node names, gradients (FunctionsManual's triangular_solve_backward and
cholesky_inverse_backward, written over differentiable ops so create_graph=True builds a graph),
errors and column-major outputs.
"""
from __future__ import annotations

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
from .decompositions import LinAlgError, _triangle, _triangular_kernel, column_major, handed
from .linalg import matmul
from .shape import transpose

__all__ = ["cholesky_inverse", "triangular_solve"]

triangular_solve_return = return_type("triangular_solve", ("solution", "cloned_coefficient"))


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


# --- triangular_solve -------------------------------------------------------------------------------

def _triangular_solve_backward_tensor(grad_x, grad_m, b, A, result, upper, transpose_, unitriangular, which,
                                      shape):
    from ..autograd.backends import TENSOR
    from .linalg import tril, triu
    gb = handed((grad_x, A, result), lambda: _triangular_solve(grad_x, A, upper, not transpose_, unitriangular)[0])
    if which == "b":
        return TENSOR["sum_to"](gb, shape)
    ga = -matmul(result, transpose(gb, -2, -1)) if transpose_ else -matmul(gb, transpose(result, -2, -1))
    ga = triu(ga, int(unitriangular)) if upper else tril(ga, -int(unitriangular))
    return TENSOR["sum_to"](ga + grad_m, shape)


@formula_helper(tensor=_triangular_solve_backward_tensor, name="triangular_solve_backward")
@quiet
def _triangular_solve_backward_array(grad_x, grad_m, b, A, result, upper, transpose_, unitriangular, which, shape):
    """FunctionsManual's triangular_solve_backward: gb solves the transposed system; gA = -gb X^T (or
    -X gb^T when transposed) on A's triangle, plus the cloned coefficient's gradient."""
    from ..autograd.backends import ARRAY
    a = _triangle(A, upper, unitriangular, np)
    gb = _triangular_kernel(a if transpose_ else _mT(a), grad_x, True, upper == transpose_)
    if which == "b":
        return ARRAY["sum_to"](gb, shape)
    ga = -_gemm.matmul(result, _mT(gb)) if transpose_ else -_gemm.matmul(gb, _mT(result))
    ga = np.triu(ga, int(unitriangular)) if upper else np.tril(ga, -int(unitriangular))
    return ARRAY["sum_to"](ga + grad_m, shape)


def _triangular_solve_tangent(b_t, A_t, result, b, A, upper, transpose_, unitriangular):
    """torch's triangular_solve_jvp: dX = op(A)^-1 (db - dA X) with A's whole tangent, untransposed (as
    torch's generic_solve_jvp, which also takes a b shaped like A.shape[:-1] for a batch of vectors: then
    dA X is dA @ X[..., None] with its broadcasting, measured); the copy's tangent is A's, which torch
    cannot set on a broadcast copy.  A missing A tangent is zeros there (measured: 0 times an inf or NaN of X
    is NaN in torch's tangent)."""
    dA = A_t if A_t is not None else Tensor._make(np.zeros(A.shape, A._data.dtype), False, None)
    if b.ndim == A.ndim - 1 and tuple(b.shape) == tuple(A.shape[:-1]):
        contrib = matmul(dA, result.unsqueeze(-1)).squeeze(-1)
    else:
        contrib = matmul(dA, result)
    rhs = -contrib if b_t is None else b_t - contrib
    x_t = _triangular_solve(rhs, A, upper, transpose_, unitriangular)[0]
    if A_t is not None and tuple(A_t.shape) != tuple(result.shape[:-2]) + tuple(A.shape[-2:]):
        size = list(result.shape[:-2]) + list(A.shape[-2:])
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {size} while the given forward "
                           f"gradient is of size {list(A_t.shape)}.")
    return x_t, A_t


formula_helper(_triangular_solve_tangent, tensor="same", name="triangular_solve_tangent")


TriangularSolveBackward0 = derivative(
    "TriangularSolveBackward0", multi_output=True, attrs="upper transpose_ unitriangular self_shape A_shape",
    self="triangular_solve_backward(grad[0], grad[1], self, A, result, upper, transpose_, unitriangular, 'b', "
         "self_shape)",
    A="triangular_solve_backward(grad[0], grad[1], self, A, result, upper, transpose_, unitriangular, 'A', A_shape)")

_TRIANGULAR_DEPRECATION = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed in a "
    "future PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does not return a "
    "copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
    "X = torch.linalg.solve_triangular(A, B).")


def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """torch.triangular_solve(b, A) (deprecated in torch, with its warning): (X, a copy of A) with
    op(A) X = b, op(A) A's upper (default) or lower triangle, transposed if asked; batches broadcast."""
    warnings.warn(_TRIANGULAR_DEPRECATION, UserWarning, stacklevel=past_checks(2))
    return _triangular_solve(input, A, upper, transpose, unitriangular)


def _triangular_solve(input: Tensor, A: Tensor, upper: bool, transpose: bool, unitriangular: bool):
    for t, name in ((input, "b"), (A, "A")):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 dimensions, but it has "
                               f"{t.ndim} dimensions instead")
    if input.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{scalar_type_name(input.dtype)} and A of type {scalar_type_name(A.dtype)} instead.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} "
                           "matrices")
    if A.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is {A.shape[-2]} by "
                           f"{A.shape[-1]} but each b matrix is {input.shape[-2]} by {input.shape[-1]}")
    check_broadcast(np.broadcast_to(0, input.shape[:-2]), np.broadcast_to(0, A.shape[:-2]))
    batch = np.broadcast_shapes(input.shape[:-2], A.shape[:-2])
    if input._data.dtype.kind != "f":
        raise not_implemented("triangular_solve_cpu", input._data)
    a = _triangle(A._data, upper, unitriangular, np)
    x = _triangular_kernel(_mT(a) if transpose else a, input._data, True, upper != transpose)
    x = x.astype(A._data.dtype, copy=False)
    copy = np.broadcast_to(A._data, batch + A._data.shape[-2:]).copy()
    outs = record_multi(TriangularSolveBackward0, (column_major(x), column_major(copy)), (input, A), self=input,
                        A=A, upper=upper, transpose_=transpose, unitriangular=unitriangular,
                        self_shape=tuple(input.shape), A_shape=tuple(A.shape))
    return triangular_solve_return(*outs)


# --- cholesky_inverse --------------------------------------------------------------------------------

def _cholesky_inverse_backward_body(grad, L, result, upper, mm, mt):
    common = mm(result, mm(grad + mt(grad), result))
    return -mm(L, common) if upper else -mm(common, L)


def _cholesky_inverse_backward_tensor(grad, L, result, upper):
    return _cholesky_inverse_backward_body(grad, L, result, upper, matmul, lambda x: transpose(x, -2, -1))


@formula_helper(tensor=_cholesky_inverse_backward_tensor, name="cholesky_inverse_backward")
@quiet
def _cholesky_inverse_backward_array(grad, L, result, upper):
    """FunctionsManual's cholesky_inverse_backward: -(A^-1 (g + g^T) A^-1) L (L (...) when upper), on all of L."""
    return _cholesky_inverse_backward_body(grad, L, result, upper, _gemm.matmul, _mT)


def _cholesky_inverse_tangent(F_t, F, result, upper):
    """torch's cholesky_inverse_jvp as written: dX = P + P^T, P = -X dC X C with C = F (upper) or F^T,
    dC = dF^T or dF (its factors in this order, so not the transpose of its backward formula: measured)."""
    c, dc = (F, F_t.mT) if upper else (F.mT, F_t)
    partial = -(result @ dc @ result @ c)
    return partial + partial.mT


formula_helper(_cholesky_inverse_tangent, tensor="same", name="cholesky_inverse_tangent")


CholeskyInverseBackward0 = derivative("CholeskyInverseBackward0", attrs="upper",
                                      self="cholesky_inverse_backward(grad, self, result, upper)")


@quiet
def _cholesky_inverse_kernel(factor: np.ndarray, upper: bool) -> np.ndarray:
    """LAPACK potri as torch's MKL runs it, on L = the factor (U^T when upper): X = L^-1 within its triangle
    (trtri: for a lower factor column j from the last, X_ij = -X_jj sum_{j<k<=i} X_ik L_kj; for an upper one,
    as U^-1 column by column, X_jk = -X_jj sum_{k<=m<j} L_jm X_mk), then lauum's (L L^T)^-1 = X^T X over the
    triangle, mirrored.  Only products inside the triangles are taken, so a NaN or inf reaches the entries
    those sums reach (measured: none of the results of 8000 such factors differs in its NaN/inf positions)."""
    low = np.swapaxes(factor, -1, -2) if upper else factor
    n = low.shape[-1]
    x = np.zeros_like(low)
    below = np.tri(n, dtype=bool)   # (m, k) with m >= k
    for j in range(n - 1, -1, -1) if not upper else range(n):
        x[..., j, j] = 1 / low[..., j, j]
        if upper:
            terms = low[..., j, :j, None] * x[..., :j, :j]
            x[..., j, :j] = np.where(below[:j, :j], terms, 0).sum(-2) * -x[..., j, j, None]
        else:
            terms = x[..., j + 1:, j + 1:] * low[..., None, j + 1:, j]
            x[..., j + 1:, j] = np.where(below[j + 1:, j + 1:], terms, 0).sum(-1) * -x[..., j, j, None]
    out = np.empty_like(low)
    for i in range(n):
        row = np.einsum("...k,...kj->...j", x[..., i:, i], x[..., i:, :i + 1])
        out[..., i, :i + 1] = row
        out[..., :i + 1, i] = row
    return out


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_inverse: A^-1 for A = L L^T given its Cholesky factor L (A = U^T U with upper=True);
    a zero on the factor's diagonal raises torch's LinAlgError."""
    if input.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"cholesky_inverse: A must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")
    if input._data.dtype.kind != "f":
        raise not_implemented("cholesky_inverse_out_cpu", input._data)
    diag = np.diagonal(input._data, axis1=-2, axis2=-1)
    zero = (diag == 0).any(-1)
    if zero.any():
        first = int(np.flatnonzero(zero.reshape(-1))[0])
        where = f"(Batch element {first}): " if zero.ndim else ""
        element = int(np.flatnonzero(diag.reshape(-1, diag.shape[-1])[first] == 0)[0]) + 1
        raise LinAlgError(f"cholesky_inverse: {where}The diagonal element {element} is zero, the inversion could "
                          "not be completed because the input matrix is singular.")
    data = column_major(_cholesky_inverse_kernel(input._data, upper))
    return record(CholeskyInverseBackward0, data, (input,), self=input, upper=upper)


methods(triangular_solve=triangular_solve, cholesky_inverse=cholesky_inverse)
