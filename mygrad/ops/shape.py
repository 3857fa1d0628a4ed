"""Views and reshapes: results share memory (and the version counter) with their input, as torch's views do."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import methods, record

ExpandBackward0 = derivative("ExpandBackward0", self="sum_to(grad, shape)")
ViewBackward0 = derivative("ViewBackward0", self="reshape(grad, shape)")
UnsqueezeBackward0 = derivative("UnsqueezeBackward0", self="squeeze(grad, dim)")
SqueezeBackward0 = derivative("SqueezeBackward0", self="reshape(grad, shape)")
TBackward0 = derivative("TBackward0", self="t(grad)")
TransposeBackward0 = derivative("TransposeBackward0", self="transpose(grad, dim0, dim1)")
PermuteBackward0 = derivative("PermuteBackward0", self="permute(grad, inverse)")


def _size_arg(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def expand(input: Tensor, *sizes) -> Tensor:
    sizes = _size_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = tuple(shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    try:
        data = np.broadcast_to(input._data, target)
    except ValueError:
        i = next(i for i in range(len(shape)) if shape[i] != 1 and shape[i] != target[i + lead])
        raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match the existing size "
                           f"({shape[i]}) at non-singleton dimension {i + lead}.  Target sizes: {list(sizes)}.  "
                           f"Tensor sizes: {list(shape)}") from None
    return record(ExpandBackward0, data, (input,), view_of=input, shape=shape)


def _infer_shape(numel: int, shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def view(input: Tensor, *shape) -> Tensor:
    shape = _infer_shape(input._data.size, _size_arg(shape))
    return record(ViewBackward0, input._data.reshape(shape), (input,), view_of=input, shape=input._data.shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """A view when the memory allows it (ViewBackward0); torch copies otherwise."""
    return view(input, *shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    n = input._data.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    dim %= n
    return record(UnsqueezeBackward0, np.expand_dims(input._data, dim), (input,), view_of=input, dim=dim)


def squeeze(input: Tensor, dim=None) -> Tensor:
    data = input._data
    if dim is None:
        out = data.reshape(tuple(n for n in data.shape if n != 1))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {input._wrap_dim(d) for d in dims} if data.ndim else set()
        out = data.reshape(tuple(n for i, n in enumerate(data.shape) if not (i in dims and n == 1)))
    return record(SqueezeBackward0, out, (input,), view_of=input, shape=data.shape)


def t(input: Tensor) -> Tensor:
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return record(TBackward0, input._data.T, (input,), view_of=input)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = input._wrap_dim(dim0), input._wrap_dim(dim1)
    return record(TransposeBackward0, np.swapaxes(input._data, d0, d1), (input,), view_of=input, dim0=d0, dim1=d1)


def permute(input: Tensor, *dims) -> Tensor:
    dims = tuple(input._wrap_dim(d) for d in _size_arg(dims))
    if sorted(dims) != list(range(input._data.ndim)):
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           "length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{input._data.ndim} is not equal to len(dims) = {len(dims)}")
    inverse = tuple(np.argsort(dims).tolist())
    return record(PermuteBackward0, np.transpose(input._data, dims), (input,), view_of=input, inverse=inverse)


methods(expand=expand, view=view, reshape=reshape, unsqueeze=unsqueeze, squeeze=squeeze, t=t, transpose=transpose,
        permute=permute,
        T=property(lambda self: permute(self, tuple(reversed(range(self._data.ndim))))),
        mT=property(lambda self: transpose(self, -2, -1)))
__all__ = ["expand", "reshape", "unsqueeze", "squeeze", "t", "transpose", "permute"]
