"""Joining and splitting: cat, stack (one node over many inputs) and split, chunk, unbind (one node
over many outputs, each a view of the input that torch forbids writing through).
"""
from __future__ import annotations

import functools

import numpy as np

from .. import _dtype
from .._argument_types import IntList, argument_types, int_list
from .._layout import row_major, suggests_channels_last
from .._tensor import Tensor, wrap_dim
from ..autograd import grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from . import indexing  # noqa: F401  (registers the formula function ``select`` StackBackward0 uses)
from ._define import methods, record, record_multi
from ._errors import python_type_name
from ._views import mark_multi_output


@formula_helper(name="cat")
def _cat_array(tensors, dim=0):
    return np.concatenate(tensors, axis=dim)


@formula_helper(name="stack")
def _stack_array(tensors, dim=0):
    return np.stack(tensors, axis=dim)


def _cat_part_tensor(grad, dim, part):
    if part is None:
        return Tensor._make(np.zeros((0,), grad._data.dtype), False, None)
    return grad.narrow(dim, *part)


@formula_helper(tensor=_cat_part_tensor, name="_cat_part")
def _cat_part_array(grad, dim, part):
    """One input's share of cat's gradient: ``part`` is (start, length), or None for an empty input
    cat skipped (a legacy 1-D tensor of size 0), whose gradient is empty."""
    if part is None:
        return np.zeros((0,), np.asarray(grad).dtype)
    start, length = part
    return grad[(slice(None),) * dim + (slice(start, start + length),)]


@functools.cache
def _cat_node(n: int) -> type:
    """CatBackward0 over ``n`` inputs: input i gets its slice of the gradient."""
    return derivative("CatBackward0", attrs="dim parts",
                      **{f"tensor{i}": f"_cat_part(grad, dim, parts[{i}])" for i in range(n)})


@functools.cache
def _stack_node(n: int) -> type:
    """StackBackward0 over ``n`` inputs: input i gets the gradient's slice i along ``dim``."""
    return derivative("StackBackward0", attrs="dim", **{f"tensor{i}": f"select(grad, dim, {i})" for i in range(n)})


def _tensor_list(fn: str, tensors) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{python_type_name(tensors)}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {python_type_name(t)}")
    return list(tensors)


def _promoted(tensors: list) -> np.dtype:
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dtype.promote_types(dt, t.dtype)
    return dt.np


def cat(tensors, dim: int = 0) -> Tensor:
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    joined = [t for t in tensors if t._data.shape != (0,)]  # legacy: 1-D empty tensors are skipped
    if not joined:   # all skipped: torch returns an empty one before it wraps the dim
        return record(_cat_node(len(tensors)), np.zeros((0,), _promoted(tensors)), tuple(tensors), dim=dim,
                      parts=(None,) * len(tensors))
    ref = joined[0]
    dim = ref._wrap_dim(dim)
    shape = ref._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape == (0,) and t is not ref:
            continue
        if t._data.ndim != len(shape):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(shape)} and {t._data.ndim}")
        for d, (n, m) in enumerate(zip(shape, t._data.shape)):
            if d != dim and n != m:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size {n} but "
                                   f"got size {m} for tensor number {i} in the list.")
    np_dtype = _promoted(tensors)
    parts, start = [], 0
    for t in tensors:
        if t._data.shape == (0,):
            parts.append(None)
        else:
            parts.append((start, t._data.shape[dim]))
            start += t._data.shape[dim]
    data = np.concatenate([t._data for t in joined] or [ref._data], axis=dim, dtype=np_dtype)
    return record(_cat_node(len(tensors)), _joined_layout(data, tensors), tuple(tensors), dim=dim,
                  parts=tuple(parts))


def _joined_layout(data: np.ndarray, tensors) -> np.ndarray:
    """torch allocates a cat's or a stack's result row-major unless every input suggests channels-last
    (NumPy follows its inputs' order: a cat of transposed tensors comes out transposed)."""
    if all(suggests_channels_last(t._data) for t in tensors):
        return data
    return row_major(data)


def stack(tensors, dim: int = 0) -> Tensor:
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(t._data.shape)} at entry {i}")
    dim = wrap_dim(dim, len(shape) + 1)
    data = np.stack([t._data for t in tensors], axis=dim, dtype=_promoted(tensors))
    return record(_stack_node(len(tensors)), _joined_layout(data, tensors), tuple(tensors), dim=dim)


def hstack(tensors) -> Tensor:
    tensors = [t.reshape(1) if t._data.ndim == 0 else t for t in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors and tensors[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    tensors = [t.reshape(1, 1) if t._data.ndim == 0 else t.unsqueeze(0) if t._data.ndim == 1 else t
               for t in _tensor_list("vstack", tensors)]   # atleast_2d, as torch's
    return cat(tensors, 0)


# ----- several views out of one node ---------------------------------------------------------------

SplitBackward0 = derivative("SplitBackward0", attrs="dim", multi_output=True, self="cat(grad, dim)")
SplitWithSizesBackward0 = derivative("SplitWithSizesBackward0", attrs="dim", multi_output=True, self="cat(grad, dim)")
UnbindBackward0 = derivative("UnbindBackward0", attrs="dim", multi_output=True, self="stack(grad, dim)")


def _output_views(node_cls, input: Tensor, datas: list, **saved) -> tuple:
    """Views of ``input`` sharing one node, output i with output_nr i; torch forbids writing through them."""
    outs = record_multi(node_cls, datas, (input,), views_of=input, **saved)
    mark_multi_output(outs, input)
    return tuple(outs)


def _pieces(input: Tensor, dim: int, sizes) -> list:
    data, start, pieces = input._data, 0, []
    for n in sizes:
        pieces.append(data[(slice(None),) * dim + (slice(start, start + n),)])
        start += n
    return pieces


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last may be shorter), or pieces of the given sizes."""
    if not isinstance(tensor, Tensor):   # (torch.split is Python calling ``tensor.split``: a str's own, say)
        return tensor.split(split_size_or_sections, dim)
    if not isinstance(split_size_or_sections, int):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = tensor._wrap_dim(dim)
    size, step = tensor._data.shape[dim], split_size_or_sections
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
    count = max(-(-size // step), 1) if step else 1
    sizes = [min(step, size - i * step) for i in range(count)]
    return _output_views(SplitBackward0, tensor, _pieces(tensor, dim, sizes), dim=dim)


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    sizes = list(int_list("split_with_sizes", "split_sizes", (split_sizes,)))
    if input._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = input._wrap_dim(dim)
    size = input._data.shape[dim]
    for n in sizes:
        if n < 0:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={sizes}")
    return _output_views(SplitWithSizesBackward0, input, _pieces(input, dim, sizes), dim=dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = input._data.shape[input._wrap_dim(dim)]
    if size == 0:  # torch: ``chunks`` empty pieces
        return split_with_sizes(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    data = input._data
    dim = input._wrap_dim(dim)   # (first, as torch: a 0-d tensor's dim 1 is out of range, its dim 0 has no size)
    if data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    pieces = [data[(slice(None),) * dim + (i, Ellipsis)] for i in range(data.shape[dim])]
    return _output_views(UnbindBackward0, input, pieces, dim=dim)


# ----- unsafe_split, unsafe_split_with_sizes, unsafe_chunk ------------------------------------------------
# The same pieces (sharing the input's memory), but not tracked as views: each has its own version counter
# and may be written in place; torch's UnsafeSplitBackward0 / UnsafeSplitWithSizesBackward0.

UnsafeSplitBackward0 = derivative("UnsafeSplitBackward0", attrs="dim", multi_output=True, self="cat(grad, dim)")
UnsafeSplitWithSizesBackward0 = derivative("UnsafeSplitWithSizesBackward0", attrs="dim", multi_output=True,
                                           self="cat(grad, dim)")


def _untracked_pieces(node_cls, input: Tensor, pieces: tuple, dim: int) -> tuple:
    return tuple(record_multi(node_cls, [p._data for p in pieces], (input,), dim=input._wrap_dim(dim)))


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    if not isinstance(split_size, int) or isinstance(split_size, bool):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{python_type_name(split_size)}")
    with grad_mode.no_grad():
        pieces = split(input, split_size, dim)
    return _untracked_pieces(UnsafeSplitBackward0, input, pieces, dim)


@argument_types
def unsafe_split_with_sizes(input: Tensor, split_sizes: IntList, dim: int = 0) -> tuple:
    with grad_mode.no_grad():
        pieces = split_with_sizes(input, split_sizes, dim)
    return _untracked_pieces(UnsafeSplitWithSizesBackward0, input, pieces, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    with grad_mode.no_grad():
        pieces = chunk(input, chunks, dim)
    empty = input._data.shape[input._wrap_dim(dim)] == 0
    return _untracked_pieces(UnsafeSplitWithSizesBackward0 if empty else UnsafeSplitBackward0, input, pieces, dim)


def _split_method(self: Tensor, split_size, dim: int = 0) -> tuple:
    return split(self, split_size, dim)


methods(split=_split_method, split_with_sizes=split_with_sizes, chunk=chunk, unbind=unbind)
methods(unsafe_split=unsafe_split, unsafe_split_with_sizes=unsafe_split_with_sizes, unsafe_chunk=unsafe_chunk)
concat = concatenate = cat
__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "split", "split_with_sizes", "chunk",
           "unbind"]
__all__ += ["unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk"]
