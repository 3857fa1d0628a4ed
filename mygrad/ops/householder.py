"""torch.linalg.householder_product (and torch.orgqr): the first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T
with v_i = (0, ..., 0, 1, A[i+1:, i]) (LAPACK orgqr's reflectors), LinalgHouseholderProductBackward0 and
torch's errors.

The product is formed as LAPACK's dorg2r forms it, one matrix at a time (NaN and inf spread as in torch);
the backward is torch's householder_product_backward (K = Q G^T carried through the reflectors and their
inverses), in place in a first-order backward and out of place under create_graph, as torch's.
"""
from __future__ import annotations

import types

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import methods, record
from .decompositions import column_major

__all__ = ["householder_product"]


def _orgqr(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """The first n columns of H_1 ... H_k as LAPACK's unblocked dorg2r forms them (torch's MKL takes that
    path at these sizes), step by step, so NaN and inf spread as in torch: columns k+1..n start as the
    identity's; for i = k..1, H_i is applied to Q[i:, i+1:] by dlarf (skipped when tau_i = 0, over v's rows
    up to its last non-zero and C's columns up to its last non-zero one; dger skips a column whose v^T c is
    0), then column i is (0, ..., 0, 1 - tau_i, -tau_i v_i)."""
    m, n, k = a.shape[-2], a.shape[-1], tau.shape[-1]
    out = np.array(np.broadcast_to(a, a.shape), dtype=a.dtype)
    count = int(np.prod(a.shape[:-2]))
    flat, taus = out.reshape(count, m, n), tau.reshape(count, k)
    for q, t in zip(flat, taus):
        q[:, k:] = np.eye(m, n, dtype=a.dtype)[:, k:]
        for i in reversed(range(k)):
            if i < n - 1:
                q[i, i] = 1
                _dlarf(q[i:, i], t[i], q[i:, i + 1:])
            q[i + 1:, i] = -t[i] * q[i + 1:, i]
            q[i, i] = 1 - t[i]
            q[:i, i] = 0
    return out


def _dlarf(v: np.ndarray, t, c: np.ndarray) -> None:
    """C <- (I - t v v^T) C in place, as LAPACK's dlarf (side 'L') with reference BLAS's dgemv and dger."""
    if t == 0:
        return
    nonzero = np.flatnonzero(v != 0)
    last_v = int(nonzero[-1]) + 1 if nonzero.size else 0
    columns = np.flatnonzero((c[:last_v] != 0).any(0))
    last_c = int(columns[-1]) + 1 if columns.size else 0
    if last_v == 0 or last_c == 0:
        return
    block = c[:last_v, :last_c]
    w = (block * v[:last_v, None]).sum(0)
    used = w != 0
    block[:, used] += v[:last_v, None] * (-t * w[used])


def _mT(x):
    return x.mT if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)


def _reflect(v, t, K, left: bool, start: int, in_place: bool):
    """torch's apply_simple_transformation with u = v: (I - t v v^T) K (left) or K (I - t v v^T); in place
    (a first-order backward) over rows/columns start: only, where v's entries are (the rest are zero), else
    over all of them (under create_graph)."""
    t = t[..., None]
    if in_place:
        if left:
            K[..., start:, :] -= (t * v[..., start:, :]) * (_mT(v[..., start:, :]) @ K[..., start:, :])
        else:
            K[..., :, start:] -= (K[..., :, start:] @ (t * v[..., start:, :])) * _mT(v[..., start:, :])
        return K
    if left:
        return K - (t * v) * (_mT(v) @ K)
    return K - (K @ (t * v)) * _mT(v)


@formula_helper(tensor="same")
def householder_product_backward(grad, result, A, tau, which):
    """FunctionsManual's householder_product_backward: K = Q G^T taken through H_0(sigma_0) = H_0^{-1},
    then for each i: gv_i = -t_i (v_i^T K + K v_i) (over rows i:), gtau_i = -v_i^T K v_i, and K <- H_{i+1}^{-1}
    K H_i; in place over the non-zero rows in a first-order backward, out of place under create_graph."""
    tensors = isinstance(A, Tensor)
    m, n, k = A.shape[-2], A.shape[-1], tau.shape[-1]
    if k == 0 or 0 in A.shape:
        return None   # (torch: no gradient at all, measured)
    o = _ops(A)
    V = o.tril(A, -1) + o.const(np.eye(m, n, dtype=o.dtype))
    first = V[..., :, :k]
    sigma = tau / (tau * (first * first).sum(-2) - 1.0)
    K = result @ _mT(grad)
    in_place = not tensors
    if in_place:
        K = np.array(K)
    col = lambda x, i: x[..., :, i:i + 1]
    entry = lambda x, i: x[..., i:i + 1]
    K = _reflect(col(V, 0), entry(sigma, 0), K, True, 0, in_place)
    v_grads, tau_grads = [], []
    for i in range(k):
        v, t = col(V, i), entry(tau, i)[..., None]
        vhk = _mT(v[..., i:, :]) @ K[..., i:, :]
        kv = K[..., :, i:] @ v[..., i:, :]
        v_grads.append((-t * vhk)[..., 0, :] - (t * kv)[..., :, 0])
        tau_grads.append(-(vhk[..., :, i:] @ v[..., i:, :])[..., 0, 0])
        if i != k - 1:
            K = _reflect(col(V, i + 1), entry(sigma, i + 1), K, True, i + 1, in_place)
            K = _reflect(v, entry(tau, i), K, False, i, in_place)
    if which == "tau":
        return o.stack(tau_grads, -1)
    grads = o.stack(v_grads, -1)
    if n > k:
        grads = o.cat([grads, o.const(np.zeros((*A.shape[:-2], m, n - k), o.dtype))], -1)
    return o.tril(grads, -1)


def _ops(x) -> types.SimpleNamespace:
    """The few functions the backward needs, over arrays or (create_graph) tensors."""
    if isinstance(x, Tensor):
        from .join import cat, stack
        from .linalg import tril
        return types.SimpleNamespace(tril=tril, cat=cat, stack=stack, dtype=x._data.dtype,
                                     const=lambda a: Tensor._make(a, False, None))
    return types.SimpleNamespace(tril=np.tril, cat=np.concatenate, stack=np.stack, dtype=x.dtype, const=lambda a: a)


LinalgHouseholderProductBackward0 = derivative(
    "LinalgHouseholderProductBackward0",
    input="householder_product_backward(grad, result, input, tau, 'input')",
    tau="householder_product_backward(grad, result, input, tau, 'tau')")


def householder_product(input: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of the product of the k = tau.shape[-1] Householder reflectors stored in input's columns."""
    name = "torch.linalg.householder_product"
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if input.shape[-2] < input.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if input.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if input.ndim - tau.ndim != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.ndim} and input.ndim is equal to {input.ndim}")
    if tuple(tau.shape[:-1]) != tuple(input.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype != input.dtype:
        raise RuntimeError(f"{name}: tau dtype {scalar_type_name(tau.dtype)} does not match input dtype "
                           f"{scalar_type_name(input.dtype)}")
    data = quiet(_orgqr)(input._data, tau._data)
    return record(LinalgHouseholderProductBackward0, column_major(np.asarray(data, input._data.dtype)),
                  (input, tau), input=input, tau=tau)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: householder_product under LAPACK's name."""
    return householder_product(input, tau)


methods(orgqr=orgqr)
