"""Memory layout as torch judges it, from a NumPy array's strides.

torch chooses kernels, output layouts and even errors by layout (``is_contiguous``, non-overlapping and
dense); mygrad's arrays carry real strides, so the same judgement can be made.  NumPy's ``c_contiguous``
flag already is torch's ``is_contiguous`` (both ignore the strides of size-1 dims, and every empty
array is contiguous); what NumPy has no flag for is here.
"""
from __future__ import annotations

import functools

import numpy as np


def strided_view(data: np.ndarray, shape: tuple, strides) -> np.ndarray:
    """A writable view of ``data``'s memory with the given geometry (strides in bytes), starting where
    ``data`` starts, made over the array that owns the memory (so ``.base`` leads there, as for NumPy's
    own views)."""
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.flags.c_contiguous and root.size:
        offset = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return np.ndarray(shape, data.dtype, buffer=root, offset=offset, strides=tuple(strides))
    return np.lib.stride_tricks.as_strided(data, shape, strides)


def view_strides(shape: tuple, strides: tuple, new_shape: tuple) -> list | None:
    """The strides (any unit) torch's ``computeStride`` gives a view of ``shape``/``strides`` as ``new_shape``,
    or None when no view is possible.  NumPy's reshape decides viewability alike but numbers the strides
    of size-1 dims its own way; torch's layout choices (TensorIterator's order, channels-last) read them."""
    if not shape:
        return [1] * len(new_shape)
    if 0 in shape:
        if tuple(shape) == tuple(new_shape):
            return list(strides)
        out, step = [0] * len(new_shape), 1
        for d in range(len(new_shape) - 1, -1, -1):
            out[d] = step
            step *= max(new_shape[d], 1)
        return out
    out = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    base, tensor_numel, view_numel = strides[-1], 1, 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                out[view_d] = view_numel * base
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                base, tensor_numel, view_numel = strides[d - 1], 1, 1
    return None if view_d != -1 else out


def row_major(data: np.ndarray) -> np.ndarray:
    """``data`` itself when laid out row-major (size-1 dims' strides included), else a row-major copy: the
    layout torch allocates a reduction's or softmax's result in, whatever the input's."""
    if data.flags.c_contiguous and (1 not in data.shape or data.strides == _row_major(data.shape, data.itemsize)):
        return data
    return data.copy(order="C")


def is_contiguous(data: np.ndarray) -> bool:
    """torch's ``is_contiguous()`` (row-major, size-1 dims' strides ignored, empty arrays contiguous)."""
    return bool(data.flags.c_contiguous)


def is_non_overlapping_and_dense(data: np.ndarray) -> bool:
    """torch's ``is_non_overlapping_and_dense()``: the elements fill a block of memory exactly once, in
    some order of the dims (a transposed or permuted tensor is; a strided slice or an expand is not)."""
    if data.flags.c_contiguous:
        return True
    dims = sorted((stride // data.itemsize, size) for size, stride in zip(data.shape, data.strides) if size != 1)
    required = 1
    for stride, size in dims:
        if stride != required:
            return False
        required *= size
    return True


def suggests_channels_last(data: np.ndarray) -> bool:
    """torch's ``suggest_memory_format()`` is channels-last: for a 4-D tensor ``is_channels_last_strides_2d``
    (the strides grow in the order C, W, H, N), for a 5-D one ``is_channels_last_strides_3d`` (C, W, H, D,
    N); ambiguous size-1 cases read as contiguous."""
    if data.ndim not in (4, 5):
        return False
    shape, strides = data.shape, [s // data.itemsize for s in data.strides]
    if strides[1] == 0:
        return False
    least = 0
    for d in (1, 3, 2, 0) if data.ndim == 4 else (1, 4, 3, 2, 0):
        if shape[d] == 0 or strides[d] < least:
            return False
        if d == 0 and least == strides[1]:
            return False
        least = strides[d] * (shape[d] if shape[d] > 1 else 1)
    return True


def elementwise_layout(out: np.ndarray, *operands) -> np.ndarray:
    """``out``, the fresh result of an elementwise op on ``operands`` (arrays or numbers), laid out in
    memory as torch's TensorIterator allocates it: row-major when every operand is contiguous, else
    dense in the order of the operands' strides, the first operand that tells two dims apart deciding
    (NumPy's own order lets any operand veto, so a broadcast product of a transposed tensor differs).
    A copy only when the layouts differ; contiguous operands cost one flag test each."""
    if out.ndim < 2:
        return out
    arrays = [op for op in operands if type(op) is np.ndarray and op.ndim]
    for a in arrays:
        if not a.flags.c_contiguous or (1 in a.shape and a.strides != _row_major(a.shape, a.itemsize)):
            break
    else:
        return out   # (row-major in both libraries; a size-1 dim's odd stride can sway torch's order, below)
    shape = out.shape
    strides = [_broadcast_strides(a, shape) for a in arrays]
    perm = _iterator_order(shape, strides)
    order = perm[::-1]   # slowest dim first
    if all(out.strides[d] == s for d, s in zip(order, _dense_strides(shape, order, out.itemsize)) if shape[d] != 1):
        return out
    laid = np.empty([shape[d] for d in order], out.dtype).transpose(np.argsort(order))
    laid[...] = out
    return laid


def _broadcast_strides(data: np.ndarray, shape: tuple) -> list:
    """TensorIterator's operand strides: 0 along broadcast dims, the operand's own elsewhere (size-1 dims
    included, which np.broadcast_to zeroes)."""
    lead = len(shape) - data.ndim
    return [0] * lead + [0 if n == 1 and shape[lead + i] != 1 else s
                         for i, (n, s) in enumerate(zip(data.shape, data.strides))]


@functools.lru_cache(maxsize=512)
def _row_major(shape: tuple, itemsize: int) -> tuple:
    """The row-major strides of ``shape`` (a C-contiguous array's, unless a size-1 dim's differs)."""
    return tuple(_dense_strides(shape, list(range(len(shape))), itemsize))


def _dense_strides(shape: tuple, order: list, itemsize: int) -> list:
    """The strides (per dim of ``order``, slowest first) of a dense array laid out in that order."""
    strides, step = [0] * len(order), itemsize
    for k in range(len(order) - 1, -1, -1):
        strides[k] = step
        step *= shape[order[k]]
    return strides


def _iterator_order(shape: tuple, strides: list, reduction: bool = False) -> list:
    """TensorIterator's ``reorder_dimensions``: the dims from fastest to slowest, by an insertion sort
    whose comparison asks each operand in turn (broadcast dims, stride 0, tell nothing; equal strides
    put the smaller dim first).  ``reduction``: the first operand is a reduction's output, whose reduced
    dims (stride 0) go first."""
    def should_swap(d0: int, d1: int) -> int:
        for k, st in enumerate(strides):
            s0, s1 = st[d0], st[d1]
            if reduction and k == 0 and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0
    perm = list(range(len(shape) - 1, -1, -1))
    for i in range(1, len(shape)):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return perm


class layout:
    """torch.layout: how a tensor's elements sit in memory.  mygrad's tensors are all ``strided`` (NumPy
    arrays); the one instance prints as torch's."""

    __slots__ = ("name",)
    name: str

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.layout' instances")

    @classmethod
    def _make(cls, name: str) -> "layout":
        self = object.__new__(cls)
        self.name = name
        return self

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


strided = layout._make("strided")
