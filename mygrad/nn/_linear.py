"""``linear``: composed from mm/addmm/matmul exactly as torch composes it, so the graph is torch's
(AddmmBackward0 over TBackward0 for a 2-D input with bias; a flattened addmm between two views for
other contiguous inputs with a 1-D-like bias; matmul, then an in-place bias add, otherwise)."""
from __future__ import annotations

from .._tensor import Tensor
from ..ops.linalg import addmm, matmul
from ..ops.shape import t


def _bias_folds(bias: Tensor) -> bool:
    """Whether torch folds the bias into a flattened addmm: a contiguous 1-D bias, or one with exactly one
    dimension that is not 1 (measured against torch 2.13 over bias shapes of every rank and layouts)."""
    shape = bias._data.shape
    return bias._data.flags.c_contiguous and (len(shape) == 1 or sum(n != 1 for n in shape) == 1)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias."""
    x = input._data
    if x.ndim == 0 or weight._data.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
                           f"{weight._data.ndim}D")
    if bias is None:
        return matmul(input, t(weight))
    if x.ndim == 2:
        return addmm(bias, input, t(weight))
    if x.flags.c_contiguous and _bias_folds(bias):
        rows = 1
        for n in x.shape[:-1]:
            rows *= n
        out = addmm(bias, input.view(rows, x.shape[-1]), t(weight))
        return out.view(*x.shape[:-1], out._data.shape[1])
    return matmul(input, t(weight)).add_(bias)
