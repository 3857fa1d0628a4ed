"""``F.embedding``: rows of ``weight`` picked by integer indices.  The backward adds each upstream row
into its index's row (np.add.at), skips ``padding_idx`` and, with ``scale_grad_by_freq``, divides by
how often each index occurs in the batch; ``max_norm`` renormalises the rows looked up, in place,
before the lookup (torch's ``embedding_renorm_``)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .._tensor_str import type_name
from ..autograd.backends import formula_helper
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..autograd.node import derivative, read_from
from ..ops._define import record


def _row_scale(idx: np.ndarray, num_weights: int, padding_idx: int, scale_grad_by_freq: bool) -> np.ndarray:
    """The factor each looked-up row's gradient is taken with: 0 at padding_idx, 1/count when scaled."""
    scale = np.ones(idx.size)
    if scale_grad_by_freq:
        scale = scale / np.bincount(idx, minlength=num_weights)[idx]
    if padding_idx >= 0:
        scale[idx == padding_idx] = 0
    return scale


def _embedding_backward_tensor(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
    """The same sum as a product with a (scaled) one-hot matrix, so create_graph can differentiate it."""
    idx = indices.reshape(-1)
    onehot = np.zeros((num_weights, idx.size), dtype=grad._data.dtype)
    onehot[idx, np.arange(idx.size)] = _row_scale(idx, num_weights, padding_idx, scale_grad_by_freq)
    return Tensor._make(onehot, False, None).mm(grad.reshape(idx.size, grad.shape[-1]))


@formula_helper(tensor=_embedding_backward_tensor)
def embedding_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
    idx = indices.reshape(-1)
    scale = _row_scale(idx, num_weights, padding_idx, scale_grad_by_freq)[:, None]
    rows = grad.reshape(idx.size, grad.shape[-1]) * scale
    out = np.zeros((num_weights, rows.shape[1]), dtype=grad.dtype)
    np.add.at(out, idx, rows.astype(grad.dtype, copy=False))
    return out


EmbeddingBackward0 = derivative(
    "EmbeddingBackward0", freed=("indices",), attrs="indices num_weights padding_idx scale_grad_by_freq",
    weight="embedding_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq)")


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rows looked up whose norm exceeds max_norm are scaled by max_norm / (norm + 1e-7), in the weight's
    dtype as torch's kernel does (the norm in that dtype, the scale in double, cast for the product)."""
    rows = np.unique(idx)
    data = weight._data[rows]
    norms = (np.abs(data[:, 0]) if data.shape[1] == 1 else   # (torch reduces no size-1 dim: no square to overflow)
             np.sqrt((data * data).sum(axis=1)) if norm_type == 2 else
             np.linalg.norm(data, ord=norm_type, axis=1)).astype(np.float64)
    over = norms > max_norm
    if over.any():
        new = weight._data.copy()
        scale = (max_norm / (norms[over] + 1e-7)).astype(new.dtype)
        new[rows[over]] = data[over] * scale[:, None]
        with no_grad():
            weight.copy_(Tensor._make(new, False, None))
    else:
        weight._vc[0] += 1   # (torch's embedding_renorm_ is an in-place edit even when no row changes)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    return aten_embedding(weight, input, padding_idx, scale_grad_by_freq, sparse, max_norm, norm_type)


def aten_embedding(weight: Tensor, input: Tensor, padding_idx: int, scale_grad_by_freq: bool, sparse: bool,
                   max_norm: float | None = None, norm_type: float = 2.0) -> Tensor:
    """ATen's embedding (``torch.embedding``): its checks, without the Python function's padding_idx asserts
    (a negative ``padding_idx`` is none); ``max_norm``: the Python function's renorm of the rows first."""
    if sparse:
        raise NotImplementedError("mygrad has no sparse tensors: embedding(sparse=True) is not supported")
    if weight.ndim != 2:   # (ATen's first check; before it, a 0-d weight's node reads its size(0))
        if weight.ndim == 0 and weight.requires_grad and is_grad_enabled():
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {type_name(idx.dtype)} instead (while checking arguments for "
                           "embedding)")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, idx.reshape(-1), max_norm, norm_type)
    out = record(EmbeddingBackward0, weight._data[idx], (weight,), indices=idx.copy(), num_weights=n,
                 padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    return read_from(out, indices=input)
