"""The out-of-place forms of torch's views: the ``*_copy`` ops (a contiguous copy of the view, node
``<View>Backward0_copy``) and the ``*_scatter`` ops (``input`` with ``src`` written into one of its views).

Both are written over an index map: the view op applied to ``arange(numel)`` says which input element each
output element is, so one gradient formula serves every view: the copies scatter-add the gradient back
(``take_back``); the scatters zero the written positions for ``input`` and gather them for ``src``.
"""
from __future__ import annotations

import math

import numpy as np

from .._argument_types import IntList, argument_types
from .._tensor import Tensor, wrap_dim
from ..autograd import grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import methods, record
from ._errors import not_differentiable
from .layout import strided_geometry  # (its module registers the _strided_scatter formula helper)

__all__ = ["alias_copy", "t_copy", "transpose_copy", "permute_copy", "expand_copy", "detach_copy", "diagonal_copy",
           "select_copy", "slice_copy", "squeeze_copy", "unfold_copy", "unsqueeze_copy", "view_copy",
           "as_strided_copy", "select_scatter", "slice_scatter", "diagonal_scatter"]


def _const(array: np.ndarray) -> Tensor:
    return Tensor._make(array, False, None)


def _take_back_tensor(grad, index, shape):
    flat = _const(np.zeros(math.prod(shape), grad._data.dtype))
    return flat.index_add(0, _const(index.reshape(-1)), grad.reshape(-1)).reshape(shape)


@formula_helper(tensor=_take_back_tensor)
def take_back(grad, index, shape):
    """The gradient of a view given as an index map: each output's gradient added at its input element."""
    out = np.zeros(math.prod(shape), grad.dtype)
    np.add.at(out, index.reshape(-1), np.asarray(grad).reshape(-1))
    return out.reshape(shape)


def _zero_written_tensor(grad, written):
    return grad.masked_fill(_const(written), 0)


@formula_helper(tensor=_zero_written_tensor)
def zero_written(grad, written):
    return np.where(written, 0, grad).astype(grad.dtype, copy=False)


def _gather_written_tensor(grad, index):
    return grad.reshape(-1)[_const(index)]


@formula_helper(tensor=_gather_written_tensor)
def gather_written(grad, index):
    return np.array(grad, order="C").reshape(-1)[index]


_wrap_dim = wrap_dim   # (the shared one: torch's range and IndexError)


def _slice_of(x: Tensor, dim=0, start=None, end=None, step=1) -> Tensor:
    """``x`` sliced along ``dim`` with torch's checks (the dim wrapped first, a positive step)."""
    dim = wrap_dim(dim, x.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return x[(slice(None),) * dim + (slice(start, end, step),)]


def _diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    _wrap_dim(dim1, x.ndim), _wrap_dim(dim2, x.ndim)
    return x.diagonal(offset, dim1, dim2)


def _index_map(shape: tuple, view) -> np.ndarray:
    """Which element of an input of ``shape`` each element of ``view(input)`` is."""
    with grad_mode.no_grad():
        return np.array(view(_const(np.arange(math.prod(shape), dtype=np.int64).reshape(shape)))._data, order="C")


def _copy_op(name: str, view, overload: int = 0):
    node = derivative(f"{name}Backward{overload}_copy", attrs="index shape", self="take_back(grad, index, shape)")

    def op(input: Tensor, *args, **kwargs) -> Tensor:
        with grad_mode.no_grad():
            data = np.array(view(input, *args, **kwargs)._data, order="C")
        index = _index_map(tuple(input.shape), lambda t: view(t, *args, **kwargs))
        return record(node, data, (input,), index=index, shape=tuple(input.shape))
    op.__name__ = op.__qualname__ = f"{name.lower()}_copy"
    return op


alias_copy = _copy_op("Alias", lambda x: x.view(x.shape))
t_copy = _copy_op("T", lambda x: x.t())
permute_copy = _copy_op("Permute", lambda x, dims: x.permute(*dims))
expand_copy = _copy_op("Expand", lambda x, size, *, implicit=False: x.expand(*size))
_diagonal_copy = _copy_op("Diagonal", _diagonal)
select_copy = _copy_op("Select", lambda x, dim, index: x.select(dim, index))
unfold_copy = _copy_op("Unfold", lambda x, dimension, size, step: x.unfold(dimension, size, step))
unsqueeze_copy = _copy_op("Unsqueeze", lambda x, dim: x.unsqueeze(dim))
# (a copy needs no view of the input's memory: torch's view_copy takes a non-contiguous input as reshape does)
view_copy = _copy_op("View", lambda x, size: x.reshape(*size) if isinstance(size, (tuple, list)) else x.reshape(size))
AsStridedBackward0_copy = derivative("AsStridedBackward0_copy", attrs="geometry",
                                     self="_strided_scatter(grad, geometry)")


@argument_types
def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _diagonal_copy(input, offset, dim1, dim2)


@argument_types
def as_strided_copy(input: Tensor, size: IntList, stride: IntList, storage_offset: int | None = None) -> Tensor:
    """as_strided's values, copied; the gradient goes through the input's storage as as_strided's does (an
    index map over a fresh input would read a strided input as if it were contiguous)."""
    out, geometry = strided_geometry(input, size, stride, storage_offset)
    return record(AsStridedBackward0_copy, np.array(out, order="C"), (input,), geometry=geometry)


_transpose_copy = _copy_op("Transpose", lambda x, dim0, dim1: x.transpose(dim0, dim1))
_slice_copy = _copy_op("Slice", _slice_of)
_squeeze_copies = [_copy_op("Squeeze", lambda x, *dim: x.squeeze(*dim), overload) for overload in range(3)]


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _transpose_copy(input, dim0, dim1)


@argument_types
def slice_copy(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
               step: int = 1) -> Tensor:
    return _slice_copy(input, dim, start, end, step)


def squeeze_copy(input: Tensor, dim=None) -> Tensor:
    """SqueezeBackward0_copy (all size-1 dims), 1 (one dim), 2 (a tuple of dims): torch's three overloads."""
    if dim is None:
        return _squeeze_copies[0](input)
    if isinstance(dim, (tuple, list)):
        seen: set = set()
        for d in dim:
            w = _wrap_dim(d, input.ndim)
            if w in seen:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            seen.add(w)
        return _squeeze_copies[2](input, dim)
    return _squeeze_copies[1](input, dim)


DetachCopy = derivative("NotImplemented", self="no_derivative('aten::detach_copy')")


def detach_copy(input: Tensor) -> Tensor:
    """A copy that keeps requires_grad but whose node torch gives no derivative (NotImplemented)."""
    return record(DetachCopy, np.array(input._data, order="C"), (input,))


# ----- scatters: input with src written into a view --------------------------------------------------------

def _scatter_op(name: str, view, describe):
    node = derivative(f"{name}ScatterBackward0", attrs="written index",
                      self="zero_written(grad, written)", src="gather_written(grad, index)")

    def op(input: Tensor, src: Tensor, *args, **kwargs) -> Tensor:
        if src.requires_grad and input._data.dtype.kind not in "fc" and grad_mode.is_grad_enabled():
            raise not_differentiable(input._data)
        index = _index_map(tuple(input.shape), lambda t: view(t, *args, **kwargs))
        if tuple(src.shape) != index.shape:
            raise RuntimeError(describe(list(src.shape), list(index.shape)))
        data = np.array(input._data, order="C")   # (src is cast to input's dtype, as torch's copy_)
        data.reshape(-1)[index.reshape(-1)] = src._data.reshape(-1)
        written = np.zeros(input._data.shape, bool)
        written.reshape(-1)[index.reshape(-1)] = True
        return record(node, data, (input, src), written=written, index=index)
    op.__name__ = op.__qualname__ = f"{name.lower()}_scatter"
    return op


_select_scatter = _scatter_op("Select", lambda x, dim, index: x.select(dim, index),
                              lambda s, v: f"expected src to have a size equal to the slice of self. src size = {s}, "
                                           f"slice size = {v}")
_slice_scatter = _scatter_op("Slice", _slice_of,
                             lambda s, v: f"expected src to have a size equal to the slice of self. src size = {s}, "
                                          f"slice size = {v}")
_diagonal_scatter = _scatter_op("Diagonal", _diagonal,
                                lambda s, v: f"expected src to have a size equal to the slice of self. src size = "
                                             f"{s}, slice size = {v}")


@argument_types
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    return _select_scatter(input, src, dim, index)


@argument_types
def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
                  step: int = 1) -> Tensor:
    return _slice_scatter(input, src, dim, start, end, step)


@argument_types
def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _diagonal_scatter(input, src, offset, dim1, dim2)


# (as_strided_scatter is left out: torch's results where the strided view overlaps itself are its own)
methods(select_scatter=select_scatter, slice_scatter=slice_scatter, diagonal_scatter=diagonal_scatter)
