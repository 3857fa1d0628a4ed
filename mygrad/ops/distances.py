"""torch.cdist: the p-norm distance between every row of x1 and every row of x2, batches broadcasting.

torch's cdist is _cdist_forward (CdistBackward0) except for p = 2 with more than 25 rows on either side
(or compute_mode='use_mm_for_euclid_dist'), where it is _euclidean_dist over matmul (EuclideanDistBackward0,
then a view; for a broadcast batch, expand/contiguous/view of the inputs first), with that path's
rounding and its clamp at 0 under the square root.  Both graphs are torch's, as measured.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _gemm
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import _LEGACY
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import record
from .linalg import matmul
from .shape import transpose, unsqueeze

__all__ = ["cdist"]


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


@quiet
def _pairwise(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return x1[..., :, None, :] - x2[..., None, :, :]


@quiet
def _cdist_kernel(x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
    diff = np.abs(_pairwise(x1, x2))
    if p == 0:   # (torch counts min(ceil(|d|), 1): a NaN difference makes the count NaN)
        return np.minimum(np.ceil(diff), 1).sum(-1).astype(x1.dtype)
    if p == math.inf:   # (torch's max from 0 skips a NaN difference: its comparison is false)
        return np.fmax.reduce(diff, axis=-1, initial=0.0)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    return (diff ** p).sum(-1) ** (1 / p)


@formula_helper(tensor="same")
def cdist_backward_derivative():
    """torch gives _cdist_backward no derivative: a second backward through cdist raises this."""
    raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


CdistBackwardBackward0 = derivative("CdistBackwardBackward0", grad_="cdist_backward_derivative()",
                                    x1="cdist_backward_derivative()", x2="cdist_backward_derivative()",
                                    cdist="cdist_backward_derivative()")


def _cdist_backward_tensor(grad, x1, x2, p, dist, which, shape):
    """Under create_graph, torch's _cdist_backward node (CdistBackwardBackward0 over grad, x1, x2 and the
    distances), whose own backward raises."""
    data = _cdist_backward_array(grad._data, x1._data, x2._data, p, dist._data, which, shape)
    return record(CdistBackwardBackward0, data, (grad, x1, x2, dist))


@formula_helper(tensor=_cdist_backward_tensor, name="cdist_backward")
@quiet
def _cdist_backward_array(grad, x1, x2, p, dist, which, shape):
    """ATen's _cdist_backward: each p's term as its kernel writes it (the order of its products and quotients
    decides where an overflow is inf or NaN), summed over the other side's rows."""
    from ..autograd.backends import ARRAY
    if which == "x2":
        grad, dist, x1, x2 = _mT(grad), _mT(dist), x2, x1
    diff = _pairwise(x1, x2)
    d = dist[..., None]
    g = grad[..., None]
    zero_dist = d == 0
    if p == 0:
        term = np.zeros_like(diff)
    elif p == 1:
        term = g * np.sign(diff)
    elif p < 2:
        term = np.where(zero_dist, 0, np.sign(diff) * np.abs(diff) ** (p - 1) * g / d ** (p - 1))
        term = np.where((diff == 0) & (p < 1), 0, term)
    elif p == 2:
        term = np.where(zero_dist, 0, g * diff / d)
    elif p == math.inf:
        # (torch's: sign(diff) * (1 - min(1, ceil(|(|diff| - dist)|))): NaN where an inf meets the distance)
        term = g * np.sign(diff) * (1 - np.minimum(1, np.ceil(np.abs(np.abs(diff) - d))))
    else:
        term = np.where(zero_dist, 0, diff * np.abs(diff) ** (p - 2) * g / d ** (p - 1))
    total = np.zeros_like(term[..., 0, :])
    for j in range(term.shape[-2]):   # (the other side's rows added one by one, as torch's kernel does)
        total = total + term[..., j, :]
    return ARRAY["sum_to"](total, shape)


def _euclidean_dist_backward_tensor(grad, x1, x2, result, which):
    from .decompositions import handed
    zero = Tensor._make(result._data == 0, False, None)
    # (torch's ops, one ratio for both gradients: what reaches it from each is summed before the division)
    ratio = handed((grad, result), lambda: (grad / result).masked_fill(zero, 0))
    if which == "x1":
        return x1 * ratio.sum(-1, keepdim=True) - matmul(ratio, x2)
    return x2 * unsqueeze(ratio.sum(-2), -1) - matmul(transpose(ratio, -2, -1), x1)


@formula_helper(tensor=_euclidean_dist_backward_tensor, name="euclidean_dist_backward")
@quiet
def _euclidean_dist_backward_array(grad, x1, x2, result, which):
    """The gradient of sqrt(|x1|^2 + |x2|^2 - 2 x1 x2^T): 0 where the distance is 0."""
    ratio = np.where(result == 0, 0, grad / result)
    if which == "x1":
        return x1 * ratio.sum(-1, keepdims=True) - _gemm.matmul(ratio, x2)
    return x2 * ratio.sum(-2)[..., None] - _gemm.matmul(_mT(ratio), x1)


CdistBackward0 = derivative(
    "CdistBackward0", attrs="p x1_shape x2_shape",
    x1="cdist_backward(grad, x1, x2, p, result, 'x1', x1_shape)",
    x2="cdist_backward(grad, x1, x2, p, result, 'x2', x2_shape)")
EuclideanDistBackward0 = derivative(
    "EuclideanDistBackward0", attrs="x1_shape x2_shape",
    x1="sum_to(euclidean_dist_backward(grad, x1, x2, result, 'x1'), x1_shape)",
    x2="sum_to(euclidean_dist_backward(grad, x1, x2, result, 'x2'), x2_shape)")


@quiet
def _euclidean_kernel(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """ATen's _euclidean_dist: one product of [-2 x1, |x1|^2, 1] and [x2, 1, |x2|^2] (its terms summed in that
    order, through _gemm as torch's gemm adds them), clamped at 0 (NaN stays) and square-rooted."""
    n1, n2 = (x1 * x1).sum(-1, keepdims=True), (x2 * x2).sum(-1, keepdims=True)
    a = np.concatenate([x1 * x1.dtype.type(-2), n1, np.ones_like(n1)], -1)
    b = np.concatenate([x2, np.ones_like(n2), n2], -1)
    sq = _gemm.matmul(a, _mT(b))
    return np.sqrt(np.where(sq < 0, 0, sq)).astype(x1.dtype, copy=False)


_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: object = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 and each row of x2 (batch dims broadcasting).  torch's cdist
    is Python that reads ``compute_mode`` first (None too is no valid value)."""
    from .copy import contiguous
    from .shape import expand, view
    if type(compute_mode) is not str or compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_LEGACY[x._data.dtype.name]}")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {_LEGACY[x1._data.dtype.name]} but found "
                           f"{_LEGACY[x2._data.dtype.name]}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    mode, r1, r2 = _MODES[compute_mode], x1.shape[-2], x2.shape[-2]
    batch = tuple(np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))
    if p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))) and x1.numel() and x2.numel():
        if int(np.prod(batch, dtype=np.int64)) == 1:  # measured: no expand/view of the inputs then
            a, b = x1, x2
        else:
            size = int(np.prod(batch, dtype=np.int64))
            a = view(contiguous(expand(x1, (*batch, r1, x1.shape[-1]))), (size, r1, x1.shape[-1]))
            b = view(contiguous(expand(x2, (*batch, r2, x2.shape[-1]))), (size, r2, x2.shape[-1]))
        dist = record(EuclideanDistBackward0, _euclidean_kernel(a._data, b._data), (a, b), x1=a, x2=b,
                      x1_shape=tuple(a.shape), x2_shape=tuple(b.shape))
        return view(dist, (*batch, r1, r2))
    data = _cdist_kernel(x1._data, x2._data, float(p)).astype(x1._data.dtype, copy=False)
    return record(CdistBackward0, data, (x1, x2), x1=x1, x2=x2, p=float(p), x1_shape=tuple(x1.shape),
                  x2_shape=tuple(x2.shape))
