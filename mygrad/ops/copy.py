"""Copies and dtype conversions: clone, contiguous, to/float/double/... (ToCopyBackward0)."""
from __future__ import annotations

from .. import _dtype
from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import methods, record

CloneBackward0 = derivative("CloneBackward0", self="grad")
ToCopyBackward0 = derivative("ToCopyBackward0", self="grad")


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy with the input's memory layout (torch's preserve_format: a transposed tensor stays transposed)."""
    return record(CloneBackward0, input._data.copy(order="K"), (input,))


def contiguous_clone(input: Tensor) -> Tensor:
    """A row-major copy (CloneBackward0), as reshape and contiguous make."""
    return record(CloneBackward0, input._data.copy(order="C"), (input,))


def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """The tensor itself when already contiguous (torch returns the same object)."""
    if input._data.flags.c_contiguous:
        return input
    return contiguous_clone(input)


def to(input: Tensor, *args, dtype=None, copy: bool = False, **kwargs) -> Tensor:
    """``to(dtype)``: the same object when nothing changes; a float result keeps the graph, others drop it."""
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
    if dtype is None or (dtype.np == input._data.dtype and not copy):
        return input
    data = input._data.astype(dtype.np)
    if dtype.is_floating_point:
        return record(ToCopyBackward0, data, (input,))
    return Tensor._make(data, False, None)


def _converter(d):
    return lambda self: to(self, d)


methods(clone=clone, contiguous=contiguous, to=to, type_as=lambda self, other: to(self, other.dtype),
        float=_converter(_dtype.float32), double=_converter(_dtype.float64), half=_converter(_dtype.float16),
        long=_converter(_dtype.int64), int=_converter(_dtype.int32), bool=_converter(_dtype.bool_),
        cpu=lambda self: self)
__all__ = ["clone"]
