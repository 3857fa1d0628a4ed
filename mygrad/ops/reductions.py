"""Reductions over all dims or over ``dim`` (int, tuple, negative, ``()`` meaning all), with keepdim.

The overload decides the node name: ``a.sum()`` is SumBackward0, ``a.sum(0)`` SumBackward1.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import methods, record

SumBackward0 = derivative("SumBackward0", self="expand(grad, shape)")
SumBackward1 = derivative("SumBackward1", self="unreduce(grad, shape, dims, keepdim)")
MeanBackward0 = derivative("MeanBackward0", self="expand(grad, shape) / numel")
MeanBackward1 = derivative("MeanBackward1", self="unreduce(grad, shape, dims, keepdim) / count")


def normalize_dims(t: Tensor, dim) -> tuple:
    """torch's ``dim`` argument as sorted non-negative axes; ``()``/``[]`` mean every dim.  Errors as torch."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(t._data.ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(t._wrap_dim(d) for d in dims)
    seen = set()
    for d in wrapped:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return tuple(sorted(wrapped))


def _sum_dtype(t: Tensor, dtype):
    if dtype is not None:
        return dtype.np
    return np.int64 if t._data.dtype.kind in "biu" else t._data.dtype


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    data = input._data
    out_dtype = _sum_dtype(input, dtype)
    if dim is None:
        return record(SumBackward0, np.asarray(data.sum(dtype=out_dtype)), (input,), shape=data.shape)
    dims = normalize_dims(input, dim)
    return record(SumBackward1, np.asarray(data.sum(axis=dims, keepdims=keepdim, dtype=out_dtype)), (input,),
                  shape=data.shape, dims=dims, keepdim=keepdim)


def _check_mean_dtype(input: Tensor, dtype) -> None:
    kind = (dtype.np if dtype is not None else input._data.dtype).kind
    if kind != "f":
        from .._tensor_str import scalar_type_name
        name = scalar_type_name(dtype if dtype is not None else input.dtype)
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {name}")


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    _check_mean_dtype(input, dtype)
    data = input._data if dtype is None else input._data.astype(dtype.np)
    if dim is None:
        return record(MeanBackward0, np.asarray(data.mean(dtype=data.dtype)), (input,), shape=data.shape,
                      numel=data.size)
    dims = normalize_dims(input, dim)
    count = int(np.prod([data.shape[d] for d in dims], dtype=np.int64))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = data.mean(axis=dims, keepdims=keepdim, dtype=data.dtype) if data.size else \
            np.full([n for i, n in enumerate(data.shape) if i not in dims or keepdim] if not keepdim else
                    [1 if i in dims else n for i, n in enumerate(data.shape)], np.nan, data.dtype)
    return record(MeanBackward1, np.asarray(out), (input,), shape=data.shape, dims=dims, keepdim=keepdim,
                  count=count)


methods(sum=sum, mean=mean)
__all__ = ["sum", "mean"]
