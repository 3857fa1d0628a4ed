"""torch.linalg's inverse, determinants and solve (inv, inv_ex, det, slogdet, solve) and the torch.*
aliases (det, inverse, slogdet, logdet), with torch's node names and gradients.

Backward formulas are FunctionsManual.cpp's, written over differentiable ops (matmul, transpose,
inv) so that create_graph=True builds a graph, as torch's does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _gemm
from .._argument_types import python_type_name
from .._quiet import quiet
from .._tensor import Tensor, dim_size
from .._tensor_str import _LEGACY
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import check_broadcast, methods, record, record_multi
from ._errors import not_implemented, past_checks
from .linalg import matmul
from .shape import transpose, unsqueeze

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "inv_ex",
    "matrix_exp",
    "matrix_rank",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
    "svdvals",
]

slogdet_return = return_type("linalg_slogdet", ("sign", "logabsdet"))

linalg_inv_ex = return_type("linalg_inv_ex", ("inverse", "info"))


# --- formula helpers (NumPy and differentiable forms) --------------------------------------------

def _inv_backward_tensor(grad, result):
    inv_t = transpose(result, -2, -1)
    return -matmul(inv_t, matmul(grad, inv_t))


@formula_helper(tensor=_inv_backward_tensor, name="inv_backward")
@quiet
def _inv_backward_array(grad, result):
    """-A^-T (grad A^-T), torch's order, through _gemm (its serial inf/NaN where products overflow)."""
    inv_t = np.swapaxes(result, -1, -2)
    return -_gemm.matmul(inv_t, _gemm.matmul(grad, inv_t))


def _det_backward_tensor(grad, a, result):
    if a.shape[-1] == 1:  # torch 2.13 builds no second-order graph for 1x1 matrices (measured)
        return Tensor._make(_det_backward_array(grad._data, a._data, result._data), False, None)
    return unsqueeze(unsqueeze(grad * result, -1), -1) * transpose(inv(a), -2, -1)


@formula_helper(tensor=_det_backward_tensor, name="det_backward")
@quiet
def _det_backward_array(grad, a, result):
    # torch: (grad * det)[..., None, None] * A^{-H}; a singular A yields inf/nan here where torch
    # falls back to an SVD-based formula (not matched: see the records' conditioning).
    return (grad * result)[..., None, None] * np.swapaxes(_inv_kernel(a)[0], -1, -2)


LinalgInvExBackward0 = derivative("LinalgInvExBackward0", A="inv_backward(grad, result)")
LinalgDetBackward0 = derivative("LinalgDetBackward0", A="det_backward(grad, A, result)")


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a RuntimeError raised for singular or non-convergent inputs."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"  # torch._C._LinAlgError's name


def unsigned_zeros(a: np.ndarray) -> np.ndarray:
    """``a`` with every -0.0 made +0.0, as torch's LAPACK (MKL) reads it: its SVD, symmetric eigensolver and
    QR give the same answer for A and A + 0 (measured on 3000 random matrices with signed zeros, subnormal
    ones among them), where NumPy's LAPACK takes the sign of a zero (SIGN(1, -0.0) = -1: a 1 x 1 [[-0.0]]
    has U = [[-1]] there, [[1]] in torch)."""
    return a + a.dtype.type(0)


def lapack_svd(a: np.ndarray, *, full_matrices: bool = False, compute_uv: Any = True, refuse_nan: bool = True):
    """``np.linalg.svd``, but never on a matrix with NaN or ±inf, where NumPy's LAPACK can loop forever.
    torch's (MKL's) answer there: a NaN raises its LinAlgError (``refuse_nan``: the callers that go through
    torch's svd), an infinity gives NaN singular values, with U and Vh the reversed identity (measured).
    Signed zeros are read as MKL reads them (``unsigned_zeros``)."""
    a = unsigned_zeros(a)
    finite = np.isfinite(a).all(axis=(-2, -1))
    if finite.all():
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    nan = np.isnan(a).any(axis=(-2, -1))
    if refuse_nan and nan.any():
        where = "" if a.ndim == 2 else f"(Batch element {int(np.argmax(nan.reshape(-1)))}): "
        raise LinAlgError(f"linalg.svd: {where}The algorithm failed to converge because the input matrix "
                          "contained non-finite values.")
    bad = ~finite[..., None]
    found = np.linalg.svd(np.where(bad[..., None], 0, a), full_matrices=full_matrices, compute_uv=compute_uv)
    if not compute_uv:
        return np.where(bad, np.nan, found)
    u, sv, vh = found
    flip_u = np.eye(u.shape[-2], u.shape[-1], dtype=u.dtype)[::-1]
    flip_vh = np.eye(vh.shape[-2], vh.shape[-1], dtype=vh.dtype)[::-1]
    return (np.where(bad[..., None], flip_u, u), np.where(bad, np.nan, sv), np.where(bad[..., None], flip_vh, vh))


def _slogdet_backward_tensor(grad_logabsdet, a):
    return unsqueeze(unsqueeze(grad_logabsdet, -1), -1) * transpose(inv(a), -2, -1)


@formula_helper(tensor=_slogdet_backward_tensor, name="slogdet_backward")
@quiet
def _slogdet_backward_array(grad_logabsdet, a):
    # real input: sign is locally constant, so only logabsdet flows back: g * A^{-T}
    return grad_logabsdet[..., None, None] * np.swapaxes(_inv_kernel(a)[0], -1, -2)


LinalgSlogdetBackward0 = derivative("LinalgSlogdetBackward0", multi_output=True, A="slogdet_backward(grad[1], A)")


def _solve_backward_tensor(grad, A, result, vector, which, left=True):
    g = unsqueeze(grad, -1) if vector else grad
    x = unsqueeze(result, -1) if vector else result
    gb = solve(transpose(A, -2, -1), g, left=left)
    if which == "A":
        from ..autograd.backends import TENSOR
        ga = -matmul(gb, transpose(x, -2, -1)) if left else -matmul(transpose(x, -2, -1), gb)
        return TENSOR["sum_to"](ga, A.shape)
    return gb[..., 0] if vector else gb


@formula_helper(tensor=_solve_backward_tensor, name="solve_backward")
@quiet
def _solve_backward_array(grad, A, result, vector, which, left=True):
    """linalg_solve_backward: gB = A^{-T} grad, gA = -gB X^T (left=False: gB = grad A^{-T}, gA = -X^T gB),
    each summed to its input's shape."""
    from ..autograd.backends import ARRAY
    g = grad[..., None] if vector else grad
    x = result[..., None] if vector else result
    gb = _solve_any(np.swapaxes(A, -1, -2), g, left)
    if which == "A":
        ga = -(gb @ np.swapaxes(x, -1, -2)) if left else -(np.swapaxes(x, -1, -2) @ gb)
        return ARRAY["sum_to"](ga, A.shape)
    return gb[..., 0] if vector else gb


def _solve_any(a: np.ndarray, b: np.ndarray, left: bool) -> np.ndarray:
    """A^{-1} B (left) or B A^{-1}, batches broadcast."""
    if not left:
        return np.swapaxes(_solve_any(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), True), -1, -2)
    batch = np.broadcast_shapes(b.shape[:-2], a.shape[:-2])
    return np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:]))


LinalgSolveExBackward0 = derivative(
    "LinalgSolveExBackward0", attrs="vector B_shape left",
    A="solve_backward(grad, A, result, vector, 'A', left)",
    B="sum_to(solve_backward(grad, A, result, vector, 'B', left), B_shape)")


def column_major(x: np.ndarray) -> np.ndarray:
    """The array in LAPACK's layout (each matrix column-major), as torch returns its factorizations, so
    a later reshape/view of the result copies or fails where torch's does."""
    if x.ndim < 2:
        return x
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(x, -1, -2)), -1, -2)


# --- checks ----------------------------------------------------------------------------------

def _check_square(a: Tensor, name: str, kernel: str | None = None) -> None:
    """(``kernel``: the ops whose non-floating input finds no kernel, torch's NotImplementedError naming it.)"""
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    if a._data.dtype.kind != "f":
        if kernel is not None:
            raise not_implemented(kernel, a._data)
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_LEGACY[a._data.dtype.name]}")


@quiet
def _inv_kernel(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inverse and torch's info: 0, or the 1-based index of the first zero pivot (LAPACK getrf)."""
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    try:
        return np.linalg.inv(a).astype(a.dtype, copy=False), info
    except np.linalg.LinAlgError:
        out = np.empty_like(a)
        flat_a, flat_out, flat_info = a.reshape(-1, *a.shape[-2:]), out.reshape(-1, *a.shape[-2:]), info.reshape(-1)
        for i, m in enumerate(flat_a):  # only on failure: find which matrices are singular
            try:
                flat_out[i] = np.linalg.inv(m)
            except np.linalg.LinAlgError:
                flat_out[i] = np.nan
                flat_info[i] = max(1, np.linalg.matrix_rank(m) + 1)
        return out, info


def _inv_by_lu(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's inv: getrf, then getrs on the identity, as torch's MKL computes them (lu.py), so the NaN/inf
    spread and the zero pivot reported (info) are torch's (measured: every NaN/inf position and info of 2000
    hostile matrices, whatever their layout)."""
    from .lu import _getrf, _lu_solve_kernel
    lu_, piv, info = _getrf(a)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    return _lu_solve_kernel(lu_, piv, eye, True, False).astype(a.dtype, copy=False), info


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """The inverse with torch's ``info`` (nonzero for singular matrices) instead of an error."""
    _check_square(A, "linalg.inv")
    data, info = _inv_by_lu(A._data)
    data = column_major(data)
    if check_errors and info.any():
        _raise_singular(info)
    out = record(LinalgInvExBackward0, data, (A,), A=A)
    return linalg_inv_ex(out, Tensor._make(info, False, None))


def _raise_singular(info: np.ndarray) -> None:
    bad = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
    where = ""
    if info.ndim:
        where = f"(Batch element {int(np.flatnonzero(info.reshape(-1))[0])}): "
    raise LinAlgError(f"linalg.inv: {where}The diagonal element {bad} is zero, the inversion could not "
                       "be completed because the input matrix is singular.")


def inv(A: Tensor) -> Tensor:
    """The matrix inverse; a singular matrix raises torch's error."""
    return inv_ex(A, check_errors=True)[0]


_det_kernel = quiet(np.linalg.det)


def det(A: Tensor) -> Tensor:
    _check_square(A, "linalg.det")
    return record(LinalgDetBackward0, np.asarray(_det_kernel(A._data)).astype(A._data.dtype, copy=False), (A,), A=A)


@quiet
def _slogdet_kernel(a: np.ndarray):
    sign, logabs = np.linalg.slogdet(a)
    return np.asarray(sign).astype(a.dtype, copy=False), np.asarray(logabs).astype(a.dtype, copy=False)


def slogdet(A: Tensor):
    """(sign, log|det|) as torch.return_types.slogdet; both outputs share one LinalgSlogdetBackward0."""
    _check_square(A, "linalg.slogdet")
    return slogdet_return(*record_multi(LinalgSlogdetBackward0, _slogdet_kernel(A._data), (A,), A=A))


@quiet
def _solve_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None


def check_solve(A: Tensor, B: Tensor, left: bool) -> tuple:
    """linalg.solve's checks, in torch's order: A, B's rank, the dtypes, then (left) the shapes.  Returns
    whether B is a batch of vectors, and B's array as a batch of matrices."""
    _check_square(A, "linalg.solve")
    if B.ndim == 0:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    if B._data.dtype != A._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_LEGACY[A._data.dtype.name]} and B of type {_LEGACY[B._data.dtype.name]} instead")
    vector = B.ndim == 1 or tuple(B.shape) == tuple(A.shape[:-1])
    b = B._data[..., None] if vector else B._data
    n = A.shape[-1]
    if left and b.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    try:
        np.broadcast_shapes(A._data.shape[:-2], b.shape[:-2])
    except ValueError:
        check_broadcast(np.empty(b.shape[:-2] + (0,)), np.empty(A._data.shape[:-2] + (0,)))   # (B first, as torch)
        raise
    return vector, b


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (X A = B with left=False); B is a batch of vectors when B.ndim == 1 or
    B.shape == A.shape[:-1] (left=True only: torch refuses vectors on the right)."""
    vector, b = check_solve(A, B, left)
    n = A.shape[-1]
    if not left and b.shape[-1] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation XA = B ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    if not left and vector:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not supported for left=False. "
                           "In this case linalg.solve is equivalent to B / A.squeeze(-1)")
    if left:
        batch = np.broadcast_shapes(A._data.shape[:-2], b.shape[:-2])
        out = _solve_kernel(np.broadcast_to(A._data, batch + A._data.shape[-2:]),
                            np.broadcast_to(b, batch + b.shape[-2:]))
        out = out[..., 0] if vector else column_major(out)
    else:  # X A = B  <=>  A^T X^T = B^T; torch's X is then row-major
        at, bt = np.swapaxes(A._data, -1, -2), np.swapaxes(b, -1, -2)
        batch = np.broadcast_shapes(at.shape[:-2], bt.shape[:-2])
        out = _solve_kernel(np.broadcast_to(at, batch + at.shape[-2:]), np.broadcast_to(bt, batch + bt.shape[-2:]))
        out = np.ascontiguousarray(np.swapaxes(out, -1, -2))
    return record(LinalgSolveExBackward0, out.astype(A._data.dtype, copy=False), (A, B), A=A, B=B,
                  vector=vector, B_shape=tuple(B.shape), left=left)


# --- torch.* aliases: same nodes as torch.linalg's -------------------------------------------

torch_slogdet_return = return_type("slogdet", ("sign", "logabsdet"))


def inverse(input: Tensor) -> Tensor:
    """torch.inverse: torch.linalg.inv under its older name."""
    return inv(input)


def torch_slogdet(input: Tensor):
    """torch.slogdet: linalg.slogdet's outputs, as torch.return_types.slogdet."""
    return torch_slogdet_return(*slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """torch.logdet: torch's composite where(sign == -1, nan, logabsdet), so a negative
    determinant gives NaN and the graph is WhereBackward0 over LinalgSlogdetBackward0."""
    from .elementwise import where
    sign, logabsdet = slogdet(input)
    nan = Tensor._make(np.array(np.nan, dtype=input._data.dtype), False, None)
    return where(Tensor._make(sign._data == -1, False, None), nan, logabsdet)


methods(det=det, inverse=inverse, logdet=logdet, slogdet=torch_slogdet)


# --- Cholesky: linalg.cholesky / cholesky_ex, torch.cholesky ----------------------------------------

linalg_cholesky_ex = return_type("linalg_cholesky_ex", ("L", "info"))


def _cholesky_backward_tensor(grad, result, upper):
    from .linalg import tril
    lower = transpose(result, -2, -1) if upper else result
    g = transpose(grad, -2, -1) if upper else grad
    ga = tril(matmul(transpose(lower, -2, -1), g))
    ga = 0.5 * (ga + transpose(tril(ga, -1), -2, -1))
    ga = solve_triangular(transpose(lower, -2, -1), ga, upper=True, left=True)
    return solve_triangular(lower, ga, upper=False, left=False)


@formula_helper(tensor=_cholesky_backward_tensor, name="cholesky_backward")
@quiet
def _cholesky_backward_array(grad, result, upper):
    """FunctionsManual's cholesky_backward: gA = L^{-T} Φ(tril(L^T gL)) L^{-1}, Φ(X) = (X + tril(X, -1)^T) / 2,
    two triangular solves (torch's order)."""
    lower = np.swapaxes(result, -1, -2) if upper else result
    g = np.swapaxes(grad, -1, -2) if upper else grad
    ga = np.tril(_gemm.matmul(np.swapaxes(lower, -1, -2), g))
    ga = 0.5 * (ga + np.swapaxes(np.tril(ga, -1), -1, -2))
    ga = _triangular_kernel(np.swapaxes(lower, -1, -2), ga, True, True)
    return _triangular_kernel(lower, ga, False, False)


def _cholesky_tangent(A_t, result, upper):
    """Forward mode (torch's cholesky_jvp): dL = L π(L^-1 dA L^-T), π(X) = tril(X) - diag(X) / 2; for
    ``upper`` the transpose."""
    from ..linalg import solve_triangular
    L = result.mT if upper else result
    X = solve_triangular(L.mT, solve_triangular(L, A_t, upper=False), upper=True, left=False)
    dL = L @ (X.tril() - X.diagonal(dim1=-2, dim2=-1).mul(0.5).diag_embed())
    return dL.mT if upper else dL


formula_helper(_cholesky_tangent, tensor="same", name="cholesky_tangent")


LinalgCholeskyExBackward0 = derivative("LinalgCholeskyExBackward0", attrs="upper",
                                       self="cholesky_backward(grad, result, upper)")
CholeskyBackward0 = derivative("CholeskyBackward0", attrs="upper", self="cholesky_backward(grad, result, upper)")


def _potrf_column_scale(d: np.ndarray, ljj: np.ndarray) -> np.ndarray:
    """What potrf multiplies column j below its pivot by, as torch's MKL computes it: 1/l_jj in float64; in
    float32 an approximate 1/sqrt(d) (subnormals read as 0) refined by one Newton step, so an infinite pivot
    scales its column by NaN and a subnormal one by -inf (measured: [[inf, 0], [0, .5]] has L[1, 0] NaN and
    info 2 in float32, 0 and info 0 in float64)."""
    if d.dtype != np.float32:
        return 1 / ljj
    y = 1 / np.sqrt(np.where(np.abs(d) < np.finfo(d.dtype).tiny, d.dtype.type(0), d))
    return y * (d.dtype.type(1.5) - d.dtype.type(0.5) * d * y * y)


@quiet
def _cholesky_kernel(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK potrf (lower) as torch's MKL runs it, unblocked and left-looking: column j's pivot is
    d = a_jj - sum_k l_jk^2; potrf stops at the first d that is not > 0 (NaN too) with info j + 1, leaving
    its columns up to j factored, d on the diagonal and the input's lower triangle beyond; otherwise
    l_jj = sqrt(d) and the column below is (a_ij - sum_k l_ik l_jk) scaled as _potrf_column_scale says."""
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    low = np.tril(flat)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    going = np.ones(flat.shape[0], dtype=bool)
    for j in range(n):
        row = low[:, j, :j]
        d = flat[:, j, j] - np.einsum("bk,bk->b", row, row) if j else flat[:, j, j]
        stops = going & ~(d > 0)
        info[stops] = j + 1
        ljj = np.sqrt(d)
        low[:, j, j] = np.where(going, np.where(stops, d, ljj), low[:, j, j])
        going &= ~stops
        below = flat[:, j + 1:, j] - np.einsum("bik,bk->bi", low[:, j + 1:, :j], row) if j else flat[:, j + 1:, j]
        below = below * _potrf_column_scale(d, ljj)[:, None]
        low[:, j + 1:, j] = np.where(going[:, None], below, low[:, j + 1:, j])
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


def _cholesky(A: Tensor, upper: bool, name: str, node, check_errors: bool):
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_square(A, name, "cholesky_cpu" if name == "cholesky" else None)
    low, info = _cholesky_kernel(np.swapaxes(A._data, -1, -2) if upper else A._data)   # (upper: the upper triangle)
    if check_errors and info.any():
        flat = info.reshape(-1)
        first = int(np.flatnonzero(flat)[0])
        where = f"(Batch element {first}): " if info.ndim else ""
        raise LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                          f"positive-definite (the leading minor of order {int(flat[first])} is not "
                          "positive-definite).")
    data = np.swapaxes(low, -1, -2) if upper else low
    data = column_major(data)
    return record(node, data, (A,), self=A, upper=upper), info


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """The Cholesky factor with LAPACK's info (nonzero where A is not positive-definite) instead of an error."""
    out, info = _cholesky(A, upper, "linalg.cholesky", LinalgCholeskyExBackward0, check_errors)
    return linalg_cholesky_ex(out, Tensor._make(info, False, None))


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """torch.linalg.cholesky: L with A = L L^T (U = L^T with upper=True); torch's error if A is not PD."""
    return _cholesky(A, upper, "linalg.cholesky", LinalgCholeskyExBackward0, True)[0]


def torch_cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated in torch, with its warning): its own CholeskyBackward0 node."""
    import warnings
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release.", UserWarning, stacklevel=past_checks(2))
    if input._data.size == 0:   # (torch returns an empty input as it is, before checking its shape or dtype)
        return record(CholeskyBackward0, input._data.copy(), (input,), self=input, upper=upper) \
            if input._data.dtype.kind == "f" else Tensor(input._data.copy())
    return _cholesky(input, upper, "cholesky", CholeskyBackward0, True)[0]


methods(cholesky=torch_cholesky)


# --- triangular systems: linalg.solve_triangular ----------------------------------------------------

def _triangle(a, upper: bool, unitriangular: bool, lib):
    """The triangle of ``a`` the solve reads (the other entries ignored), unit diagonal if asked."""
    part = lib.triu(a, 1 if unitriangular else 0) if upper else lib.tril(a, -1 if unitriangular else 0)
    if unitriangular:
        part = part + lib.eye(a.shape[-1], dtype=a.dtype)
    return part


@quiet
def _triangular_kernel(a: np.ndarray, b: np.ndarray, left: bool, upper: bool, reciprocal: bool = False) -> np.ndarray:
    """A^{-1} B (left) or B A^{-1} for A's upper or lower triangle (only that triangle is read), batches
    broadcast: substitution as torch's trsm (MKL) computes it, x_i = (b_i - a_ik x_k - ...) / a_ii subtracting
    in the order the x_k were solved, no zero skipped (0 * inf is NaN; a zero pivot gives inf/NaN).  Measured:
    torch's NaN/inf positions for every layout of A and B.  ``reciprocal``: times 1 / a_ii instead, as getrs
    (lu_solve) does."""
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return np.swapaxes(_triangular_kernel(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), True, not upper,
                                              reciprocal), -1, -2)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), dtype=np.result_type(a, b))
    n = a.shape[-1]
    order = range(n - 1, -1, -1) if upper else range(n)
    done: list[int] = []
    for i in order:
        row = x[..., i, :]
        for k in done:
            row = row - a[..., i, k, None] * x[..., k, :]
        pivot = a[..., i, i, None]
        x[..., i, :] = row * (1 / pivot) if reciprocal else row / pivot
        done.append(i)
    return x


_HANDED: list = [None]   # (key, value): what one formula of a node leaves for its other one (``handed``)


def handed(key: tuple, make: Any) -> Any:
    """A value two formulas of one node share, as torch's backward computes a solve's G_B once and G_A from it:
    under create_graph both gradients then hang off one solve node, so what reaches it is summed before it
    goes through (an inf and a -inf meet as torch's do).  A node runs its formulas one after the other with
    the same objects: the first makes the value and leaves it here, the second takes it (``key`` compared by
    identity); a formula whose partner did not run (its input needed no gradient) makes its own."""
    held, _HANDED[0] = _HANDED[0], None
    if held is not None and len(held[0]) == len(key) and all(a is b for a, b in zip(held[0], key)):
        return held[1]
    _HANDED[0] = (key, value := make())
    return value


def _solve_triangular_backward_tensor(grad, A, result, upper, left, unitriangular, which, shape):
    from ..autograd.backends import TENSOR
    from .linalg import tril, triu
    gb = handed((grad, A, result), lambda: solve_triangular(
        transpose(A, -2, -1), grad, upper=not upper, left=left, unitriangular=unitriangular))
    if which == "B":
        return TENSOR["sum_to"](gb, shape)
    ga = -matmul(gb, transpose(result, -2, -1)) if left else -matmul(transpose(result, -2, -1), gb)
    ga = triu(ga, 1 if unitriangular else 0) if upper else tril(ga, -1 if unitriangular else 0)
    return TENSOR["sum_to"](ga, shape)


@formula_helper(tensor=_solve_triangular_backward_tensor, name="solve_triangular_backward")
@quiet
def _solve_triangular_backward_array(grad, A, result, upper, left, unitriangular, which, shape):
    from ..autograd.backends import ARRAY
    a = _triangle(A, upper, unitriangular, np)
    gb = _triangular_kernel(np.swapaxes(a, -1, -2), grad, left, not upper)
    if which == "B":
        return ARRAY["sum_to"](gb, shape)
    ga = -_gemm.matmul(gb, np.swapaxes(result, -1, -2)) if left else -_gemm.matmul(np.swapaxes(result, -1, -2), gb)
    ga = np.triu(ga, 1 if unitriangular else 0) if upper else np.tril(ga, -1 if unitriangular else 0)
    return ARRAY["sum_to"](ga, shape)


def _solve_triangular_tangent(A_t, B_t, A, X, upper, left, unitriangular):
    """torch's linalg_solve_triangular_forward_AD: A^-1 (B_t - tri(A_t) X) (X A^-1 form for left=False), a
    missing tangent being zeros (so an inf or NaN of X spreads through tri(A_t) X as in torch)."""
    tri = A_t.triu(int(unitriangular)) if upper else A_t.tril(-int(unitriangular))
    rhs = B_t - (tri @ X if left else X @ tri)
    return solve_triangular(A, rhs, upper=upper, left=left, unitriangular=unitriangular)


formula_helper(_solve_triangular_tangent, tensor="same", name="solve_triangular_tangent")


LinalgSolveTriangularBackward0 = derivative(
    "LinalgSolveTriangularBackward0", attrs="upper left unitriangular self_shape B_shape",
    self="solve_triangular_backward(grad, self, result, upper, left, unitriangular, 'A', self_shape)",
    B="solve_triangular_backward(grad, self, result, upper, left, unitriangular, 'B', B_shape)")


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """X with A X = B (left) or X A = B, reading only A's upper or lower triangle; batches broadcast."""
    for t, name in ((A, "A"), (B, "B")):
        if t.ndim < 2:
            raise RuntimeError(f"linalg.solve_triangular: The input tensor {name} must have at least 2 dimensions.")
    _check_square(A, "linalg.solve_triangular", "triangular_solve_cpu")
    n, rows, cols = A.shape[-1], B.shape[-2], B.shape[-1]
    if (rows if left else cols) != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{cols})")
    check_broadcast(np.broadcast_to(0, B.shape[:-2]), np.broadcast_to(0, A.shape[:-2]))   # (torch names B first)
    a = _triangle(A._data, upper, unitriangular, np)
    b = B._data.astype(A._data.dtype, copy=False)   # (torch solves in A's dtype: an int B is cast first)
    out = column_major(_triangular_kernel(a, b, left, upper))
    return record(LinalgSolveTriangularBackward0, out, (A, B), self=A, B=B, upper=upper, left=left,
                  unitriangular=unitriangular, self_shape=tuple(A.shape), B_shape=tuple(B.shape))


# --- torch.cholesky_solve --------------------------------------------------------------------------

@quiet
def _cholesky_solve_kernel(b: np.ndarray, factor: np.ndarray, upper: bool) -> np.ndarray:
    """LAPACK potrs: L Y = B, then L^T X = Y (U^T, then U, when upper)."""
    lower = np.swapaxes(factor, -1, -2) if upper else factor
    y = _triangular_kernel(lower, b, True, False)
    return _triangular_kernel(np.swapaxes(lower, -1, -2), y, True, True)


def _cholesky_solve_backward_tensor(grad, input2, result, upper, which, shape):
    from ..autograd.backends import TENSOR
    gb = cholesky_solve(grad, input2, upper)
    if which == "B":
        return TENSOR["sum_to"](gb, shape)
    common = matmul(gb, transpose(result, -2, -1))
    common = common + transpose(common, -2, -1)
    return TENSOR["sum_to"](-matmul(input2, common) if upper else -matmul(common, input2), shape)


@formula_helper(tensor=_cholesky_solve_backward_tensor, name="cholesky_solve_backward")
@quiet
def _cholesky_solve_backward_array(grad, input2, result, upper, which, shape):
    """FunctionsManual: gB = cholesky_solve(gX, L); gL = -(gB X^T + X gB^T) L (or L (...) when upper)."""
    from ..autograd.backends import ARRAY
    gb = _cholesky_solve_kernel(grad, input2, upper)
    if which == "B":
        return ARRAY["sum_to"](gb, shape)
    common = _gemm.matmul(gb, np.swapaxes(result, -1, -2))
    common = common + np.swapaxes(common, -1, -2)
    return ARRAY["sum_to"](-_gemm.matmul(input2, common) if upper else -_gemm.matmul(common, input2), shape)


def _cholesky_solve_tangent(B_t, F_t, F, result, upper):
    """torch's cholesky_solve_jvp: dX = cholesky_solve(dB - (dK + dK^T) X, F), dK = dF F^T (dF^T F when
    upper); a missing tangent is torch's zero tensor, whose products are zeros (not NaN)."""
    if F_t is None:
        return cholesky_solve(B_t, F, upper)
    dk = F_t.mT @ F if upper else F_t @ F.mT
    da_x = (dk + dk.mT) @ result
    return cholesky_solve(-da_x if B_t is None else B_t - da_x, F, upper)


formula_helper(_cholesky_solve_tangent, tensor="same", name="cholesky_solve_tangent")


CholeskySolveBackward0 = derivative(
    "CholeskySolveBackward0", attrs="upper self_shape input2_shape",
    self="cholesky_solve_backward(grad, input2, result, upper, 'B', self_shape)",
    input2="cholesky_solve_backward(grad, input2, result, upper, 'L', input2_shape)")


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_solve: X with (L L^T) X = B given the Cholesky factor L (U^T U with upper=True)."""
    if input.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input.ndim} dimensions instead")
    if input2.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.ndim} dimensions instead")
    if input2.shape[-1] != input2.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {input2.shape[-2]} by "
                           f"{input2.shape[-1]} matrices")
    if input.dtype != input2.dtype:
        from .._tensor_str import scalar_type_name
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{scalar_type_name(input.dtype)} and A of type {scalar_type_name(input2.dtype)} instead.")
    out = column_major(_cholesky_solve_kernel(input._data, input2._data, upper))
    return record(CholeskySolveBackward0, out, (input, input2), self=input, input2=input2, upper=upper,
                  self_shape=tuple(input.shape), input2_shape=tuple(input2.shape))


methods(cholesky_solve=cholesky_solve)


# --- symmetric eigendecomposition: linalg.eigh, linalg.eigvalsh ------------------------------------
# The eigenvectors are NumPy's LAPACK's: each column is torch's up to its sign (torch's MKL picks
# other signs; no convention exists to reproduce).  The backward recomputes the decomposition from A
# (differentiably under create_graph) instead of saving the outputs.

linalg_eigh = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


@quiet
def _eigh_kernel(a: np.ndarray, uplo: str):
    w, v = np.linalg.eigh(unsigned_zeros(a), UPLO=uplo)  # type: ignore[call-overload]  # uplo is 'L' or 'U', checked by the caller
    return w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)


def _eigh_backward_tensor(grad_w, grad_v, a, uplo):
    from .layout import diag_embed
    w, v = eigh(a, UPLO=uplo)
    vt = transpose(v, -2, -1)
    inner = diag_embed(grad_w)
    if grad_v is not None and grad_v._data.any():
        vhgv = matmul(vt, grad_v)
        vhgv = (vhgv - transpose(vhgv, -2, -1)) * 0.5
        n = w.shape[-1]
        e = unsqueeze(w, -2) - unsqueeze(w, -1)
        off = Tensor._make(1 - np.eye(n, dtype=a._data.dtype), False, None)
        e = e * off + Tensor._make(np.eye(n, dtype=a._data.dtype), False, None)
        inner = inner + (vhgv / e) * off
    return matmul(v, matmul(inner, vt))


@formula_helper(tensor=_eigh_backward_tensor, name="eigh_backward")
@quiet
def _eigh_backward_array(grad_w, grad_v, a, uplo):
    """gA = V (diag(gL) + skew(V^T gV) / (λ_j - λ_i)) V^T; NaN/inf where eigenvalues repeat (as torch)."""
    w, v = _eigh_kernel(a, uplo)
    vt = np.swapaxes(v, -1, -2)
    inner = np.zeros_like(v)
    if grad_v is not None and grad_v.any():
        vhgv = vt @ grad_v
        vhgv = 0.5 * (vhgv - np.swapaxes(vhgv, -1, -2))
        e = w[..., None, :] - w[..., :, None]
        n = w.shape[-1]
        e[..., np.arange(n), np.arange(n)] = 1
        inner = vhgv / e
    n = w.shape[-1]
    inner[..., np.arange(n), np.arange(n)] = grad_w
    return v @ inner @ vt


def _eigh_tangent(A_t, A, UPLO):
    """Forward mode (torch's linalg_eig_jvp, Hermitian case): with P = Vᵀ dA V, dL = diag(P) and
    dV = V (P / E) off the diagonal, E_ij = L_j - L_i (a repeated eigenvalue divides by zero, as in torch)."""
    L, V = (Tensor._make(x, False, None) for x in _eigh_kernel(A._data, UPLO))
    P = V.mT @ A_t @ V
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    off = Tensor._make(1 - np.eye(L.shape[-1], dtype=L._data.dtype), False, None)
    E = E * off + (1 - off)   # (1 on the diagonal: divided there, then zeroed)
    return P.diagonal(dim1=-2, dim2=-1), V @ ((P / E) * off)


formula_helper(_eigh_tangent, tensor="same", name="eigh_tangent")


LinalgEighBackward0 = derivative("LinalgEighBackward0", attrs="UPLO", multi_output=True,
                                 self="eigh_backward(grad[0], grad[1], self, UPLO)")
LinalgEigvalshBackward = derivative("LinalgEighBackward0", attrs="UPLO", self="eigh_backward(grad, None, self, UPLO)")


def _check_uplo(A: Tensor, UPLO: str, name: str) -> None:
    """torch's order: the ranks and squareness, then UPLO, then a kernel for the dtype."""
    if UPLO not in ("L", "U"):
        if A.ndim >= 2 and A.shape[-1] == A.shape[-2]:
            raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
        _check_square(A, name)
    _check_square(A, name, "linalg_eigh_cpu")


def eigh(A: Tensor, UPLO: str = "L"):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, reading its UPLO triangle."""
    _check_uplo(A, UPLO, "linalg.eigh")
    w, v = _eigh_kernel(A._data, UPLO)
    return linalg_eigh(*record_multi(LinalgEighBackward0, (w, column_major(v)), (A,), self=A, UPLO=UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending."""
    _check_uplo(A, UPLO, "linalg.eigvalsh")
    return record(LinalgEigvalshBackward, _eigh_kernel(A._data, UPLO)[0], (A,), self=A, UPLO=UPLO)


# --- QR: linalg.qr (modes), torch.qr ----------------------------------------------------------------
# NumPy's and torch's LAPACK run the same Householder geqrf/orgqr, so Q and R (signs included) agree.

linalg_qr = return_type("linalg_qr", ("Q", "R"))
torch_qr_return = return_type("qr", ("Q", "R"))


@quiet
def _qr_kernel(a: np.ndarray, mode: str):
    a = unsigned_zeros(a)
    if mode == "r":
        r_only: np.ndarray = np.linalg.qr(a, mode="r")  # (mode "r" gives R alone)
        return np.empty((0,), a.dtype), r_only.astype(a.dtype, copy=False)
    q, r = np.linalg.qr(a, mode=mode)  # type: ignore[call-overload]  # mode: 'reduced' or 'complete'
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


def _qr_check_backward(a_shape, mode: str) -> None:
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                           "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    if mode == "complete" and a_shape[-2] > a_shape[-1]:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")


def _qr_backward_tensor(grad_q, grad_r, a, mode):
    from .join import cat
    from .linalg import tril, triu
    _qr_check_backward(a.shape, mode)
    q, r = qr(a, mode=mode)
    m, n = a.shape[-2], a.shape[-1]
    mt = lambda x: transpose(x, -2, -1)
    ga = matmul(grad_r, mt(r)) - matmul(mt(q), grad_q)
    if m >= n:
        upper = triu(ga)
        eye = Tensor._make(np.eye(n, dtype=a._data.dtype), False, None)
        ga = matmul(q, (upper + mt(upper)) * (1 - 0.5 * eye)) + grad_q
        return solve_triangular(mt(r), ga, upper=False, left=False)
    ga = matmul(q, tril(mt(ga) - ga))
    ga = solve_triangular(mt(r[..., :, :m]), ga, upper=False, left=False)
    zeros = Tensor._make(np.zeros(a.shape[:-2] + (m, n - m), a._data.dtype), False, None)
    return cat([ga, zeros], -1) + matmul(q, grad_r)


@formula_helper(tensor=_qr_backward_tensor, name="qr_backward")
@quiet
def _qr_backward_array(grad_q, grad_r, a, mode):
    """FunctionsManual's linalg_qr_backward (real case), in its order: with gA = gR R^T - Q^T gQ, m >= n:
    (Q syminvadj(triu(gA)) + gQ) R^{-T}; m < n: [Q tril(-gA + gA^T) R_1^{-T} | 0] + Q gR."""
    _qr_check_backward(a.shape, mode)
    q, r = _qr_kernel(a, mode)
    m, n = a.shape[-2], a.shape[-1]
    mt = lambda x: np.swapaxes(x, -1, -2)
    ga = grad_r @ mt(r) - mt(q) @ grad_q
    if m >= n:
        upper = np.triu(ga)
        sym = upper + mt(upper)
        sym[..., np.arange(n), np.arange(n)] *= 0.5
        return _triangular_kernel(mt(np.triu(r)), q @ sym + grad_q, False, False)  # (...) R^{-T}, a triangular solve
    ga = q @ np.tril(mt(ga) - ga)
    ga = _triangular_kernel(mt(np.triu(r[..., :, :m])), ga, False, False)
    return np.concatenate([ga, np.zeros(a.shape[:-2] + (m, n - m), a.dtype)], -1) + q @ grad_r


LinalgQrBackward0 = derivative("LinalgQrBackward0", attrs="mode",
                               multi_output=True, A="qr_backward(grad[0], grad[1], A, mode)")


def qr(A: Tensor, mode: str = "reduced"):
    """Q and R (torch.return_types.linalg_qr); mode 'reduced', 'complete' or 'r' (Q empty, not differentiable)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    if A.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.qr: Expected a floating point or complex tensor as input. Got "
                           f"{_LEGACY[A._data.dtype.name]}")
    q, r = _qr_kernel(A._data, mode)
    return linalg_qr(*record_multi(LinalgQrBackward0, (column_major(q), column_major(r)), (A,), A=A, mode=mode))


def torch_qr(input: Tensor, some: bool = True):
    """torch.qr (deprecated in torch, with its warning): linalg.qr with some=True as 'reduced', else 'complete'."""
    import warnings
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=past_checks(2))
    return torch_qr_return(*qr(input, "reduced" if some else "complete"))


methods(qr=torch_qr)


# --- SVD: linalg.svd, linalg.svdvals ---------------------------------------------------------------
# The singular values are torch's; U and Vh are NumPy's LAPACK's, each singular pair torch's up to a
# common sign (MKL picks other signs).  The backward recomputes the SVD from A, as eigh's does.

linalg_svd = return_type("linalg_svd", ("U", "S", "Vh"))


@quiet
def _svd_kernel(a: np.ndarray, full_matrices: bool):
    u, s, vh = lapack_svd(a, full_matrices=full_matrices)
    return u.astype(a.dtype, copy=False), s.astype(a.dtype, copy=False), vh.astype(a.dtype, copy=False)


def _svd_backward_tensor(grad_u, grad_s, grad_vh, a):
    from .layout import diag_embed
    u, s, vh = svd(a, full_matrices=False)
    m, n = a.shape[-2], a.shape[-1]
    k = s.shape[-1]
    grad_u = grad_u[..., :, :k] if grad_u is not None and grad_u.ndim >= 2 and grad_u._data.any() else None
    grad_vh = grad_vh[..., :k, :] if grad_vh is not None and grad_vh.ndim >= 2 and grad_vh._data.any() else None
    mt = lambda x: transpose(x, -2, -1)
    if grad_u is None and grad_vh is None:
        return matmul(u, unsqueeze(grad_s, -1) * vh)
    eye = Tensor._make(np.eye(k, dtype=a._data.dtype), False, None)
    s2 = s * s
    e = (unsqueeze(s2, -2) - unsqueeze(s2, -1)) * (1 - eye) + eye
    ga = None
    if grad_u is not None:
        uhgu = matmul(mt(u), grad_u)
        ga = (uhgu - mt(uhgu)) * unsqueeze(s, -2)
    if grad_vh is not None:
        vhgv = matmul(vh, mt(grad_vh))
        term = unsqueeze(s, -1) * (vhgv - mt(vhgv))
        ga = term if ga is None else ga + term
    ga = (ga / e) * (1 - eye) + diag_embed(grad_s)
    if m > n and grad_u is not None:
        gus = grad_u / unsqueeze(s, -2)
        return matmul(matmul(u, ga) + gus - matmul(u, matmul(mt(u), gus)), vh)
    if m < n and grad_vh is not None:
        sgv = grad_vh / unsqueeze(s, -1)
        return matmul(u, matmul(ga, vh) + sgv - matmul(matmul(sgv, mt(vh)), vh))
    return matmul(u, matmul(ga, vh))


@formula_helper(tensor=_svd_backward_tensor, name="svd_backward")
@quiet
def _svd_backward_array(grad_u, grad_s, grad_vh, a):
    """FunctionsManual's svd_backward (real case) on the reduced SVD; NaN/inf at repeated singular values."""
    u, s, vh = _svd_kernel(a, False)
    m, n = a.shape[-2], a.shape[-1]
    k = s.shape[-1]
    # a gradient that never came (zeros, or svdvals' empty U/Vh) takes torch's undefined-gradient path
    grad_u = grad_u[..., :, :k] if grad_u is not None and grad_u.ndim >= 2 and grad_u.any() else None
    grad_vh = grad_vh[..., :k, :] if grad_vh is not None and grad_vh.ndim >= 2 and grad_vh.any() else None
    mt = lambda x: np.swapaxes(x, -1, -2)
    if grad_u is None and grad_vh is None:
        return u @ (grad_s[..., :, None] * vh)
    e = s[..., None, :] ** 2 - s[..., :, None] ** 2
    e[..., np.arange(k), np.arange(k)] = 1
    ga = np.zeros(a.shape[:-2] + (k, k), a.dtype)
    if grad_u is not None:
        uhgu = mt(u) @ grad_u
        ga = ga + (uhgu - mt(uhgu)) * s[..., None, :]
    if grad_vh is not None:
        vhgv = vh @ mt(grad_vh)
        ga = ga + s[..., :, None] * (vhgv - mt(vhgv))
    ga = ga / e
    ga[..., np.arange(k), np.arange(k)] += grad_s
    if m > n and grad_u is not None:
        gus = grad_u / s[..., None, :]
        return (u @ ga + gus - u @ (mt(u) @ gus)) @ vh
    if m < n and grad_vh is not None:
        sgv = grad_vh / s[..., :, None]
        return u @ (ga @ vh + sgv - (sgv @ mt(vh)) @ vh)
    return u @ ga @ vh


LinalgSvdBackward0 = derivative("LinalgSvdBackward0", multi_output=True,
                                A="svd_backward(grad[0], grad[1], grad[2], A)")


def _check_svd_input(A: Tensor, name: str) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_LEGACY[A._data.dtype.name]}")


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """U, S, Vh (torch.return_types.linalg_svd) with A = U diag(S) Vh."""
    _check_svd_input(A, "linalg.svd")
    u, s, vh = _svd_kernel(A._data, full_matrices)
    return linalg_svd(*record_multi(LinalgSvdBackward0, (column_major(u), s, column_major(vh)), (A,), A=A))


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values, descending."""
    _check_svd_input(A, "linalg.svdvals")
    s = quiet(lapack_svd)(A._data, compute_uv=False).astype(A._data.dtype, copy=False)
    empty = np.empty((0,), A._data.dtype)  # torch: output 1 of _linalg_svd(compute_uv=False), U and Vh empty
    return record_multi(LinalgSvdBackward0, (empty, s, empty), (A,), A=A)[1]


torch_svd_return = return_type("svd", ("U", "S", "V"))


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd / Tensor.svd (torch's composite over linalg.svd): V = Vh transposed (TransposeBackward0),
    ``some=False`` the full U and V; ``compute_uv=False`` only S (its LinalgSvdBackward0), U and V zeros of
    shapes (m, m) and (n, n) without gradient."""
    for position, name, value in ((2, "some", some), (3, "compute_uv", compute_uv)):
        if not isinstance(value, bool):
            raise TypeError(f"svd(): argument '{name}' (position {position}) must be bool, not "
                            f"{type(value).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {input.ndim} dimensions "
                           f"instead")
    if not compute_uv:
        _check_svd_input(input, "linalg.svd")
        data = input._data
        m, n = data.shape[-2], data.shape[-1]
        s = svdvals(input)
        zeros = lambda k: Tensor._make(np.zeros(data.shape[:-2] + (k, k), data.dtype), False, None)  # noqa: E731
        return torch_svd_return(zeros(m), s, zeros(n))
    u, s, vh = svd(input, full_matrices=not some)
    return torch_svd_return(u, s, transpose(vh, -2, -1))


methods(svd=torch_svd)

# --- pseudo-inverse: linalg.pinv, torch.pinverse ----------------------------------------------------

def _pinv_backward_body(grad, pinv_a, a, mt):
    """FunctionsManual's pinv_backward, over whichever side is smaller (``mt``: the batched transpose)."""
    m, n = a.shape[-2], a.shape[-1]
    pinv_ah, gradh = mt(pinv_a), mt(grad)
    if m <= n:
        k = gradh @ pinv_a
        k_pinv_ah = k @ pinv_ah
        return -mt(pinv_a @ k) + k_pinv_ah - (a @ pinv_a) @ k_pinv_ah + (pinv_ah @ pinv_a) @ (gradh - k @ a)
    k = pinv_a @ gradh
    pinv_ah_k = pinv_ah @ k
    return -mt(k @ pinv_a) + ((gradh - a @ k) @ pinv_a) @ pinv_ah + pinv_ah_k - (pinv_ah_k @ pinv_a) @ a


def _pinv_backward_tensor(grad, result, a):
    return _pinv_backward_body(grad, result, a, lambda x: transpose(x, -2, -1))


@formula_helper(tensor=_pinv_backward_tensor, name="pinv_backward")
@quiet
def _pinv_backward_array(grad, result, a):
    return _pinv_backward_body(grad, result, a, lambda x: np.swapaxes(x, -1, -2))


LinalgPinvBackward0 = derivative("LinalgPinvBackward0", self="pinv_backward(grad, result, self)")


def _check_tolerances(name: str, second: str, **given) -> None:
    """pinv's and matrix_rank's tolerances are floats or tensors in torch's overloads: anything else (a str, a
    list, a complex) fits none of them (``second``: the name of the positional overloads' tolerance)."""
    for value in given.values():
        if value is None or isinstance(value, Tensor) or type(value) in (int, float, bool):
            continue
        if not hasattr(type(value), "__float__") or isinstance(value, complex):
            got = ", ".join(f"{k}={python_type_name(v)}" for k, v in given.items() if v is not None)
            keywords = "bool hermitian = False, Tensor out = None"
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got (Tensor, {got}), but expected one of:\n"
                f" * (Tensor input, *, Tensor atol = None, Tensor rtol = None, {keywords})\n"
                f" * (Tensor input, *, float atol = None, float rtol = None, {keywords})\n"
                f" * (Tensor input, Tensor {second}, bool hermitian = False, *, Tensor out = None)\n"
                f" * (Tensor input, float {second}, bool hermitian = False, *, Tensor out = None)\n")


def _tolerance_value(t, dtype):
    return 0.0 if t is None else (t._data.astype(dtype)[..., None] if isinstance(t, Tensor) else float(t))


@quiet
def _pinv_kernel(a: np.ndarray, atol, rtol, hermitian: bool) -> np.ndarray:
    m, n = a.shape[-2], a.shape[-1]
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(m, n) if atol is None or (not isinstance(atol, np.ndarray) and atol <= 0) \
            else 0.0
    atol = 0.0 if atol is None else atol
    if hermitian:
        w, v = np.linalg.eigh(a)
        big = np.abs(w).max(-1, keepdims=True) if w.shape[-1] else np.zeros(w.shape[:-1] + (1,), a.dtype)
        inv_w = np.where(np.abs(w) > np.maximum(atol, rtol * big), 1 / np.where(w == 0, 1, w), 0).astype(a.dtype)
        return (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2)
    u, s, vh = lapack_svd(a, full_matrices=False)
    big = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
    inv_s = np.where(s > np.maximum(atol, rtol * big), 1 / np.where(s == 0, 1, s), 0).astype(a.dtype)
    return (np.swapaxes(vh, -1, -2) * inv_s[..., None, :]) @ np.swapaxes(u, -1, -2)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse: singular values below max(atol, rtol * σ_max) count as zero
    (torch's default rtol: eps * max(m, n) when atol is not given)."""
    _check_tolerances("linalg_pinv", "rcond", atol=atol, rtol=rtol)
    if atol is not None and rtol is None and not isinstance(atol, Tensor):   # (torch's float-atol overload)
        dim_size(A._data.shape, -2)
        if A._data.dtype not in (np.float32, np.float64):
            raise RuntimeError("This function doesn't handle types other than float and double")
    if A._data.ndim < 2 or A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.pinv({_LEGACY[A._data.dtype.name]}{{{list(A._data.shape)}}}): expected a tensor "
                           "with 2 or more dimensions of float, double, cfloat or cdouble types")
    dtype = A._data.dtype
    a_tol = None if atol is None else _tolerance_value(atol, dtype)
    r_tol = None if rtol is None else _tolerance_value(rtol, dtype)
    data = _pinv_kernel(A._data, a_tol, r_tol, hermitian).astype(dtype, copy=False)
    return record(LinalgPinvBackward0, data, (A,), self=A)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


methods(pinverse=pinverse)


# --- linalg.matrix_rank, linalg.matrix_exp --------------------------------------------------------

@quiet
def _rank_kernel(a: np.ndarray, atol, rtol, hermitian: bool) -> np.ndarray:
    m, n = a.shape[-2], a.shape[-1]
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(m, n) if atol is None or (not isinstance(atol, np.ndarray) and atol <= 0) \
            else 0.0
    atol = 0.0 if atol is None else atol
    if min(m, n) == 0:
        return np.zeros(a.shape[:-2], np.int64)
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else lapack_svd(a, compute_uv=False)
    big = s.max(-1, keepdims=True)
    return (s > np.maximum(atol, rtol * big)).sum(-1).astype(np.int64)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:
    """The number of singular values (|eigenvalues| if hermitian) above max(atol, rtol * σ_max); ``tol``
    is torch's older spelling of atol (with rtol 0)."""
    _check_tolerances("linalg_matrix_rank", "tol", atol=atol, rtol=rtol, tol=tol)
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _check_svd_input(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    dtype = A._data.dtype
    a_tol = None if atol is None else _tolerance_value(atol, dtype)
    r_tol = None if rtol is None else _tolerance_value(rtol, dtype)
    return Tensor._make(np.asarray(_rank_kernel(A._data, a_tol, r_tol, hermitian)), False, None)


# torch's matrix_exp (ATen's mexp: Bader, Blanes and Casas's optimized Taylor polynomials of degree 1, 2, 4, 8,
# 12 and 18, the last with scaling and squaring), its coefficients and thresholds per dtype.
_MEXP_THETAS = {np.dtype(np.float32): (1.192092800768788e-07, 5.978858893805233e-04, 5.116619363445086e-02,
                                       5.800524627688768e-01, 1.461661507209034e+00, 3.010066362817634e+00),
                np.dtype(np.float64): (2.220446049250313e-16, 2.580956802971767e-08, 3.397168839976962e-04,
                                       4.991228871115323e-02, 2.996158913811580e-01, 1.090863719290036e+00)}
_T12 = ((9.0198e-16, 0.46932117595418237389, -0.20099424927047284052, -0.04623946134063071740),
        (5.31597895759871264183, 1.19926790417132231573, 0.01179296240992997031, 0.01108844528519167989),
        (0.18188869982170434744, 0.05502798439925399070, 0.09351590770535414968, 0.00610700528898058230),
        (-2.0861320e-13, -0.13181061013830184015, -0.02027855540589259079, -0.00675951846863086359))
_T18 = ((0., -1.00365581030144618291e-01, -8.02924648241156932449e-03, -8.92138498045729985177e-04, 0.),
        (0., 3.97849749499645077844e-01, 1.36783778460411720168e+00, 4.98289622525382669416e-01,
         -6.37898194594723280150e-04),
        (-1.09676396052962061844e+01, 1.68015813878906206114e+00, 5.71779846478865511061e-02,
         -6.98210122488052056106e-03, 3.34975017086070470649e-05),
        (-9.04316832390810593223e-02, -6.76404519071381882256e-02, 6.75961301770459654925e-02,
         2.95552570429315521194e-02, -1.39180257516060693404e-05),
        (0., 0., -9.23364619367118555360e-02, -1.69364939002081722752e-02, -1.40086798182036094347e-05))


def _combination(mats: list, coefficients) -> np.ndarray:
    """ATen's _compute_linear_combination: sum_j c_j M_j from zero in j's order, zero coefficients too
    (0 * inf is NaN there)."""
    out = np.zeros_like(mats[0])
    for m, c in zip(mats, coefficients):
        out = out + m * m.dtype.type(c)
    return out


def _powers(a: np.ndarray, k: int) -> list:
    """The first k of I, A, A^2, A^3, A^6 (ATen's _fill_matrix_powers)."""
    mats = [np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape), a]
    if k > 2:
        mats.append(_gemm.matmul(a, a))
    if k > 3:
        mats.append(_gemm.matmul(a, mats[2]))
    if k > 4:
        mats.append(_gemm.matmul(mats[3], mats[3]))
    return mats[:k]


def _taylor(a: np.ndarray, degree: int) -> np.ndarray:
    """ATen's compute_T<degree>, in A's dtype."""
    t = a.dtype.type
    if degree == 1:
        eye, x = _powers(a, 2)
        return eye + x
    if degree == 2:
        eye, x, x2 = _powers(a, 3)
        return eye + x + x2 / t(2)
    if degree == 4:
        mats = _powers(a, 3)
        mats.append(_gemm.matmul(mats[2], _combination(mats, (1 / 2.0, 1 / 6.0, 1 / 24.0))))
        return _combination(mats, (1.0, 1.0, 0.0, 1.0))
    if degree == 8:
        sqrt_177 = t(0.1330413469565007072504e+2)
        x3 = t(2.) / t(3.)
        x1, x2 = x3 * ((t(1.) + sqrt_177) / t(88.)), x3 * ((t(1.) + sqrt_177) / t(352.))
        x4 = (t(-271.) + t(29.) * sqrt_177) / (t(315.) * x3)
        x5 = (t(-11.) + t(11.) * sqrt_177) / (t(1260.) * x3)
        x6 = (t(-99.) + t(11.) * sqrt_177) / (t(5040.) * x3)
        x7 = (t(89.) - sqrt_177) / (t(5040.) * x3)
        y2 = (t(857.) - t(58.) * sqrt_177) / t(630.)
        mats = _powers(a, 3)
        mats.append(_gemm.matmul(mats[2], _combination(mats[1:3], (x1, x2))))
        mats.append(_gemm.matmul(_combination(mats[2:4], (x3, 1.0)), _combination(mats[:4], (x4, x5, x6, x7))))
        return _combination(mats, (1.0, 1.0, y2, 0.0, 1.0))
    if degree == 12:
        mats = _powers(a, 4)
        b = [_combination(mats, row) for row in _T12]
        b[2] = b[2] + _gemm.matmul(b[3], b[3])
        return b[0] + _gemm.matmul(b[1] + b[2], b[2])
    mats = _powers(a, 5)
    b = [_combination(mats, row) for row in _T18]
    b[3] = b[3] + _gemm.matmul(b[0], b[4])
    return b[1] + _gemm.matmul(b[2] + b[3], b[3])


def _taylor_scale_square(a: np.ndarray, norm: np.ndarray, theta) -> np.ndarray:
    """ATen's compute_T18_scale_square: A / 2^s, s = ceil(log2(norm / theta)) >= 0, then squared s times.  The
    squarings go by ascending s through the batch cut to int64, where an inf or NaN s is the smallest integer
    (x86's conversion): such a matrix (an inf entry: A * 2^-inf is 0 or NaN) is squared as often as the largest
    finite s of its batch."""
    t = a.dtype.type
    s = np.maximum(np.ceil(np.log2(norm / t(theta))), t(0))
    s = np.where(np.isnan(norm), norm, s)   # (torch's clamp keeps NaN)
    out = _taylor(a * np.power(t(2), -s)[:, None, None], 18)
    finite = np.isfinite(s)
    top = int(s[finite].max()) if finite.any() else 0
    squarings = np.where(finite, np.where(finite, s, 0), top).astype(np.int64)
    for step in range(int(squarings.max(initial=0))):
        todo = squarings > step
        out[todo] = _gemm.matmul(out[todo], out[todo])
    return out


@quiet
def _expm_kernel(a: np.ndarray) -> np.ndarray:
    """exp(A) as torch's linalg.matrix_exp computes it (ATen's mexp), in A's dtype: exp of the element for a
    1 x 1; a single matrix by the Taylor degree its 1-norm allows (NaN for a NaN norm), a batch of several all
    by degree 18 with scaling and squaring."""
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    if n == 1:
        return np.exp(a)
    flat = a.reshape(-1, n, n)
    thetas = _MEXP_THETAS[a.dtype]
    norm = np.abs(flat).sum(-2).max(-1)
    if flat.shape[0] > 1:
        return _taylor_scale_square(flat, norm, thetas[5]).reshape(a.shape)
    out = np.full_like(flat, np.nan)
    for i, degree in enumerate((1, 2, 4, 8, 12)):
        pick = ((-1 if i == 0 else thetas[i - 1]) < norm) & (norm <= thetas[i])
        if pick.any():
            out[pick] = _taylor(flat[pick], degree)
    pick = norm >= thetas[4]
    if pick.any():
        out[pick] = _taylor_scale_square(flat[pick], norm[pick], thetas[5])
    return out.reshape(a.shape)


def _meta_matrix(grad, a, lib_cat, mt, zeros):
    top = lib_cat([mt(a), grad], -1)
    return lib_cat([top, lib_cat([zeros, mt(a)], -1)], -2)


def _matrix_exp_backward_tensor(grad, a):
    from .join import cat
    n = a.shape[-1]
    zeros = Tensor._make(np.zeros_like(grad._data), False, None)
    meta = _meta_matrix(grad, a, cat, lambda x: transpose(x, -2, -1), zeros)
    return matrix_exp(meta)[..., :n, n:]


@formula_helper(tensor=_matrix_exp_backward_tensor, name="matrix_exp_backward")
@quiet
def _matrix_exp_backward_array(grad, a):
    """The upper-right block of exp([[A^T, G], [0, A^T]]), torch's backward_analytic_function_of_a_matrix."""
    n = a.shape[-1]
    meta = _meta_matrix(grad, a, np.concatenate, lambda x: np.swapaxes(x, -1, -2), np.zeros_like(grad))
    return _expm_kernel(meta)[..., :n, n:]


LinalgMatrixExpBackward0 = derivative("LinalgMatrixExpBackward0", self="matrix_exp_backward(grad, self)")


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential (torch's optimized Taylor polynomials, with scaling and squaring)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
    _check_square(A, "linalg.matrix_exp")
    return record(LinalgMatrixExpBackward0, _expm_kernel(A._data), (A,), self=A)


methods(matrix_exp=matrix_exp)
