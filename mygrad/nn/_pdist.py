"""``pdist``: the p-norm distance between every pair of rows (i < j, row-major), torch's fused
``_pdist_forward`` (PdistBackward0) and ``_pdist_backward`` (PdistBackwardBackward0, whose derivative torch
leaves unimplemented), with its per-p backward kernels: p = 0 has no gradient, p = 1 is ``sign(diff)``,
p < 2 skips zero distances (and zero differences below 1), p = 2 is ``diff / dist``, inf splits nothing
between tied maxima (each gets the full gradient)."""
from __future__ import annotations

import math

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record


def _pairs(n: int) -> tuple:
    return np.triu_indices(n, 1)


@quiet
def _pdist_forward(x: np.ndarray, p: float) -> np.ndarray:
    i, j = _pairs(x.shape[0])
    diff = np.abs(x[i] - x[j])
    if p == 0:
        out = np.minimum(np.ceil(diff), 1).sum(-1)   # (torch's count of nonzero differences: NaN stays NaN)
    elif p == 1:
        out = diff.sum(-1)
    elif p == 2:
        out = np.sqrt((diff * diff).sum(-1))
    elif math.isinf(p):
        out = diff.max(-1, initial=0)
    else:
        out = (diff ** p).sum(-1) ** (1 / p)
    return np.asarray(out, x.dtype)


def _pdist_backward_op(grad: Tensor, x: Tensor, p: float, dist: Tensor) -> Tensor:
    return record(PdistBackwardBackward0, pdist_backward_kernel(grad._data, x._data, p, dist._data),
                  (grad, x, dist))


@formula_helper(tensor=_pdist_backward_op)
@quiet
def pdist_backward_kernel(grad: np.ndarray, x: np.ndarray, p: float, dist: np.ndarray) -> np.ndarray:
    """torch's ``_pdist_backward``: each pair's contribution added to its first row, subtracted from its second."""
    out = np.zeros_like(x)
    if p == 0 or x.shape[0] < 2 or x.shape[1] == 0:
        return out
    i, j = _pairs(x.shape[0])
    diff, g, d = x[i] - x[j], grad[:, None], dist[:, None]
    if p == 1:
        part = g * np.sign(diff)
    elif p < 2:
        part = np.where(d == 0, 0, np.sign(diff) * np.abs(diff) ** (p - 1) * g / d ** (p - 1))
        if p < 1:
            part = np.where(diff == 0, 0, part)
    elif p == 2:
        part = np.where(d == 0, 0, g * diff / d)
    elif math.isinf(p):
        part = g * np.sign(diff) * (1 - np.minimum(1, np.ceil(np.abs(np.abs(diff) - d))))
    else:
        part = np.where(d == 0, 0, diff * np.abs(diff) ** (p - 2) * g / d ** (p - 1))
    part = part.astype(x.dtype, copy=False)
    np.add.at(out, i, part)
    np.add.at(out, j, -part)
    return out


_NOT_IMPLEMENTED = "not_implemented_derivative(\"the derivative for '_pdist_backward' is not implemented.\")"
PdistBackwardBackward0 = derivative("PdistBackwardBackward0", grad=_NOT_IMPLEMENTED, self=_NOT_IMPLEMENTED,
                                    pdist=_NOT_IMPLEMENTED)


PdistBackward0 = derivative("PdistBackward0", attrs="p", self="pdist_backward_kernel(grad, self, p, result)")


def pdist(input: Tensor, p: float = 2) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input._data.dtype == np.float16:
        raise NotImplementedError(f"\"pdist\" not implemented for '{scalar_type_name(input.dtype)}'")
    input = input.contiguous()
    return record(PdistBackward0, _pdist_forward(input._data, float(p)), (input,), self=input, p=float(p))
