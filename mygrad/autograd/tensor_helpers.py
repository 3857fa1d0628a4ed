"""Formula helpers that are not torch functions, written with differentiable mygrad ops so that
``create_graph=True`` can differentiate through them."""
from __future__ import annotations

import numpy as np

from .backends import tensor_fn


@tensor_fn
def sum_to(x, shape):
    """As torch's sum_to: a 0-d target is ``x.sum()``; otherwise one keepdim sum, then a view."""
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    if not shape:
        return x.sum()
    lead = x.ndim - len(shape)
    if lead < 0:
        return x.expand(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and x.shape[i + lead] != 1)
    out = x.sum(dims, keepdim=True) if dims else x
    return out.view(shape) if lead else out


@tensor_fn(name="_conform")
def _tensor_conform(g, meta):
    from .. import _dtype
    from .._tensor import Tensor
    from .._creation import tensor
    shape, np_dtype = meta
    if not isinstance(g, Tensor):
        g = tensor(g, dtype=_dtype.from_numpy_dtype(np_dtype))
    if tuple(g.shape) != shape:
        g = sum_to(g, shape)
    if g._data.dtype != np_dtype:
        g = g.to(_dtype.from_numpy_dtype(np_dtype))
    return g


@tensor_fn
def zeros_of(meta):
    from .._tensor import Tensor
    return Tensor._make(np.zeros(*meta), False, None)


@tensor_fn
def expand(x, shape):
    return x.expand(shape)


@tensor_fn
def unreduce(grad, shape, dims, keepdim):
    if not keepdim and len(shape):
        for d in dims:
            grad = grad.unsqueeze(d)
    return grad.expand(shape)


@tensor_fn
def mT(x):
    return x.mT


@tensor_fn
def permute(x, dims):
    return x.permute(dims)


@tensor_fn
def reshape(x, shape):
    return x.reshape(shape)
