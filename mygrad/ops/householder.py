"""torch.linalg.householder_product (and torch.orgqr): the first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T
with v_i = (0, ..., 0, 1, A[i+1:, i]) (LAPACK orgqr's reflectors), LinalgHouseholderProductBackward0 and
torch's errors.

The product is applied reflector by reflector (k steps, each vectorised over the batch); the backward runs
the same steps in reverse (the exact derivative, as torch's householder_product_backward), written once over
a small array/tensor dispatch so create_graph=True builds a graph.
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


def _ops(x) -> types.SimpleNamespace:
    if isinstance(x, Tensor):
        from .join import cat, stack
        return types.SimpleNamespace(
            mT=lambda t: t.mT, cat=cat, stack=stack,
            zeros=lambda shape, like: Tensor._make(np.zeros(shape, like._data.dtype), False, None),
            ones=lambda shape, like: Tensor._make(np.ones(shape, like._data.dtype), False, None))
    return types.SimpleNamespace(
        mT=lambda t: np.swapaxes(t, -1, -2), cat=np.concatenate, stack=np.stack,
        zeros=lambda shape, like: np.zeros(shape, like.dtype), ones=lambda shape, like: np.ones(shape, like.dtype))


def _reflector(A, i: int, o):
    """v_i = (0 x i, 1, A[i+1:, i]) for every matrix of the batch."""
    batch = tuple(A.shape[:-2])
    return o.cat([o.zeros((*batch, i), A), o.ones((*batch, 1), A), A[..., i + 1:, i]], -1)


def _steps(A, tau):
    """The Q before each reflector is applied (index i: before H_i), and the product."""
    o = _ops(A)
    batch, m, n = tuple(A.shape[:-2]), A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    eye = np.broadcast_to(np.eye(m, n, dtype=(A._data if isinstance(A, Tensor) else A).dtype), (*batch, m, n))
    q = Tensor._make(np.ascontiguousarray(eye), False, None) if isinstance(A, Tensor) else eye
    before = [None] * k
    for i in reversed(range(k)):
        before[i] = q
        v = _reflector(A, i, o)
        q = q - tau[..., i, None, None] * (v[..., :, None] * (v[..., None, :] @ q))
    return before, q


@formula_helper(tensor="same")
def householder_product_backward(grad, A, tau, which):
    """Through H_1, ..., H_k in turn: with a = Q^T v, b = G^T v, gtau_i = -a.b, gv_i = -tau_i (G a + Q b),
    and G <- H_i G."""
    o = _ops(A)
    batch, m, n = tuple(A.shape[:-2]), A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    if k == 0:  # no reflector: torch's backward gives no gradient at all (None, measured)
        return None
    before, _ = _steps(A, tau)
    g = grad
    g_tau, g_cols = [], []
    for i in range(k):
        q, v, t = before[i], _reflector(A, i, o), tau[..., i, None]
        a = (o.mT(q) @ v[..., :, None])[..., 0]
        b = (o.mT(g) @ v[..., :, None])[..., 0]
        # (+ 0 tau_i: torch's formula reads tau in every term, so under create_graph its gradient of tau
        # requires grad even where the value does not depend on tau, e.g. k = 1 with a constant A)
        g_tau.append(-(a * b).sum(-1) + 0 * t[..., 0])
        gv = -t * ((g @ a[..., :, None])[..., 0] + (q @ b[..., :, None])[..., 0])
        g_cols.append(o.cat([o.zeros((*batch, i + 1), A), gv[..., i + 1:]], -1))
        g = g - t[..., None] * (v[..., :, None] * (v[..., None, :] @ g))
    if which == "tau":
        return o.stack(g_tau, -1)
    cols = o.stack(g_cols, -1)
    return o.cat([cols, o.zeros((*batch, m, n - k), A)], -1) if n > k else cols


LinalgHouseholderProductBackward0 = derivative(
    "LinalgHouseholderProductBackward0",
    input="householder_product_backward(grad, input, tau, 'input')",
    tau="householder_product_backward(grad, input, tau, 'tau')")


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
    data = quiet(lambda a, t: _steps(a, t)[1])(input._data, tau._data)
    return record(LinalgHouseholderProductBackward0, column_major(np.asarray(data, input._data.dtype)),
                  (input, tau), input=input, tau=tau)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: householder_product under LAPACK's name."""
    return householder_product(input, tau)


methods(orgqr=orgqr)
