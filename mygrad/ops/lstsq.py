"""torch.linalg.lstsq: the least-squares solution of A X = B with torch's four outputs (solution,
residuals, rank, singular_values) filled per driver as torch's CPU build fills them, LinalgLstsqBackward0
(FunctionsManual's linalg_lstsq_backward: through pinv(A) for the solution, plus the residuals' own term)
and torch's errors.

The solution is the minimum-norm one, pinv(A) B over the singular values above rcond * s_max (what
gelsy, gelsd and gelss return; gels, QR without pivoting, returns the same for the full-rank matrices
it is meant for).  torch's default driver on the CPU is 'gelsy': no residuals and no singular values.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import check_broadcast, record_multi
from .decompositions import _pinv_backward_array, _pinv_backward_tensor, _pinv_kernel, lapack_svd, pinv

__all__ = ["lstsq"]

linalg_lstsq = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))

DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


@formula_helper(tensor="same")
def lstsq_backward(gX, gL, A, B, X, vector, has_residuals, which, shape):
    """gX's part through P = pinv(A): gA = pinv_backward(gX B^T), gB = P^T gX; the residuals L = |A X - B|^2
    (per column, X optimal so X's own change drops out) add gA = 2 R diag(gL) X^T and gB = -2 R diag(gL),
    R = A X - B.  Summed to the input's shape (batches broadcast)."""
    from ..autograd.backends import ARRAY, TENSOR
    tensors = isinstance(A, Tensor)
    if vector:
        gX, B, X = gX[..., None], B[..., None], X[..., None]
    if tensors:
        P = pinv(A)
        mt = lambda t: t.mT  # noqa: E731
        g = _pinv_backward_tensor(gX @ mt(B), P, A) if which == "A" else mt(P) @ gX
    else:
        P = _pinv_kernel(A, None, None, False).astype(A.dtype, copy=False)
        mt = _mT
        g = _pinv_backward_array(gX @ mt(B), P, A) if which == "A" else mt(P) @ gX
    if has_residuals:  # (torch leaves them empty otherwise)
        R = A @ X - B
        weighted = 2 * R * gL[..., None, :]
        g = g + (weighted @ mt(X) if which == "A" else -weighted)
    if vector and which == "B":
        g = g[..., 0]
    return (TENSOR if tensors else ARRAY)["sum_to"](g, shape)


def _pinv_tangent(A, P, dA):
    """FunctionsManual's pinv_jvp (over the smaller side)."""
    m, n = A.shape[-2], A.shape[-1]
    dAh, Ph = dA.mT, P.mT
    if m <= n:
        K = Ph @ dA.mT
        return P @ (K - K.mT - K @ (A @ P)) + (dAh - P @ (A @ dAh)) @ (Ph @ P)
    K = P @ dA
    Kh = K.mT
    return (Kh - K - (P @ A) @ Kh) @ P + (P @ Ph) @ (dAh - (dAh @ A) @ P)


@formula_helper(tensor="same")
def lstsq_tangent(A_t, B_t, A, B, X, vector, has_residuals):
    """torch's linalg_lstsq_solution_jvp (dX = d(pinv A) B + pinv(A) dB, shaped by A's and B's own batch dims:
    a B read with broadcast batch dims makes torch refuse the tangent) and the residuals' 2 sum(r (dA X - dB))."""
    if vector:
        B, X = B.unsqueeze(-1), X.unsqueeze(-1)
        B_t = None if B_t is None else B_t.unsqueeze(-1)
    got = tuple(np.broadcast_shapes(A.shape[:-2], B.shape[:-2])) + tuple(X.shape[-2:])
    if got != tuple(X.shape):
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(X.shape)} while the given forward "
                           f"gradient is of size {list(got)}.")
    P = pinv(A)
    dX = _pinv_tangent(A, P, A_t) @ B if A_t is not None else None
    if B_t is not None:
        dX = P @ B_t if dX is None else dX + P @ B_t
    dL = X.new_zeros((0,))  # torch's empty tangent of empty residuals
    if has_residuals:
        r = A @ X - B
        dr = (A_t @ X if A_t is not None else 0) - (B_t if B_t is not None else 0)
        dL = 2 * (r * dr).sum(-2)
    return (dX.squeeze(-1) if vector else dX), dL


LinalgLstsqBackward0 = derivative(
    "LinalgLstsqBackward0", multi_output=True, attrs="vector has_residuals self_shape b_shape",
    self="lstsq_backward(grad[0], grad[1], self, b, result, vector, has_residuals, 'A', self_shape)",
    b="lstsq_backward(grad[0], grad[1], self, b, result, vector, has_residuals, 'B', b_shape)")


@quiet
def _lstsq_kernel(a: np.ndarray, b: np.ndarray, rcond: float):
    """The minimum-norm solution, the rank and the singular values (NumPy's SVD, batched)."""
    u, s, vh = lapack_svd(a, full_matrices=False, refuse_nan=False)   # (torch's gelsy gives NaN there)
    big = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), a.dtype)
    keep = s > rcond * big
    inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    x = _mT(vh) @ (inv_s[..., :, None] * (_mT(u) @ b))
    return x.astype(a.dtype, copy=False), keep.sum(-1).astype(np.int64), s.astype(a.dtype, copy=False)


@quiet
def _residuals(a: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|A X - B|^2 per column (LAPACK's rows n..m of the transformed B, squared and summed)."""
    return ((a @ x - b) ** 2).sum(-2).astype(a.dtype, copy=False)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None):
    """The least-squares solution X of A X = B (m x n A, m x k or m-vector B) and torch's residuals, rank and
    singular values for the driver (default 'gelsy')."""
    if driver is not None and driver not in DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {scalar_type_name(A.dtype)} and other's dtype {scalar_type_name(B.dtype)}")
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if B.ndim not in (A.ndim, A.ndim - 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vector = B.ndim == 1 or B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1])
    b = B._data[..., None] if vector else B._data
    if A.shape[-2] != b.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})")
    # a matrix B with one dim fewer than A: torch broadcasts A's batch dims against all of B's but the last
    b_batch = b.shape[:-1] if b.ndim == A.ndim - 1 else b.shape[:-2]
    check_broadcast(np.broadcast_to(0, A.shape[:-2]), np.broadcast_to(0, b_batch))
    if not vector:   # then torch broadcasts the batch dims of A and of B read as matrices
        check_broadcast(np.broadcast_to(0, A.shape[:-2]), np.broadcast_to(0, b.shape[:-2]))
    driver = driver or "gelsy"
    m, n = A.shape[-2], A.shape[-1]
    dtype = A._data.dtype
    batch = np.broadcast_shapes(A.shape[:-2], b_batch)
    a = np.broadcast_to(A._data, batch + (m, n))
    b = np.broadcast_to(b, batch + b.shape[-2:])
    cut = float(np.finfo(dtype).eps) * max(m, n) if rcond is None or rcond < 0 else rcond
    x = _lstsq_kernel(a, b, cut)[0]
    rank, s = _lstsq_kernel(A._data, np.zeros(A.shape[:-2] + (m, 0), dtype), cut)[1:]  # (A's own batch: torch's)
    # LAPACK overwrites a column-major max(m, n) x k copy of B: the solution is its first n rows
    buffer = np.zeros(batch + (max(m, n), b.shape[-1]), dtype)
    buffer[..., :n, :] = x
    buffer = np.swapaxes(np.ascontiguousarray(_mT(buffer)), -1, -2)
    solution = buffer[..., :n, :]
    residuals = np.empty((0,), dtype)
    full = driver not in ("gelsd", "gelss") or bool((rank == n).all())
    has_residuals = m > n and driver != "gelsy" and full
    if has_residuals:
        residuals = _residuals(a, x, b)
    if vector:
        solution = solution[..., 0]
    outs = record_multi(LinalgLstsqBackward0, (solution, residuals), (A, B), self=A, b=B, vector=vector,
                        has_residuals=has_residuals, self_shape=tuple(A.shape), b_shape=tuple(B.shape))
    rank_out = rank if driver != "gels" else np.empty((0,), np.int64)
    s_out = s if driver in ("gelsd", "gelss") else np.empty((0,), dtype)
    return linalg_lstsq(*outs, Tensor._make(np.asarray(rank_out), False, None),
                        Tensor._make(np.asarray(s_out), False, None))
