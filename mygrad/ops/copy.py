"""Copies and dtype conversions: clone, contiguous, to/float/double/... (ToCopyBackward0)."""
from __future__ import annotations

from .. import _device, _dtype
from .._device import check_device
from .._quiet import quiet
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


@quiet   # a float64 -> float32 cast underflows or overflows silently in torch
def to(input: Tensor, *args, dtype=None, copy: bool = False, device=None, **kwargs) -> Tensor:
    """``to(dtype)``: the same object when nothing changes; a float result keeps the graph, others drop it.
    A device other than the CPU raises what a CPU-only torch raises."""
    check_device(device)
    dtype = _dtype.as_dtype(dtype)
    for a in args:
        if isinstance(a, _dtype.dtype) or isinstance(a, type) and a in _dtype.PYTHON_TYPES:
            dtype = _dtype.as_dtype(a)
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device.device, int)) and not isinstance(a, bool):
            check_device(a)
    if dtype is None or (dtype.np == input._data.dtype and not copy):
        return input
    data = input._data.astype(dtype.np)
    if dtype.is_floating_point:
        return record(ToCopyBackward0, data, (input,))
    return Tensor._make(data, False, None)


def _cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    raise AssertionError(_device.NO_CUDA)


def _converter(d):
    return lambda self: to(self, d)


methods(clone=clone, contiguous=contiguous, to=to, type_as=lambda self, other: to(self, other.dtype),
        float=_converter(_dtype.float32), double=_converter(_dtype.float64), half=_converter(_dtype.float16),
        long=_converter(_dtype.int64), int=_converter(_dtype.int32), bool=_converter(_dtype.bool_),
        byte=_converter(_dtype.uint8), char=_converter(_dtype.int8), short=_converter(_dtype.int16),
        cpu=lambda self, memory_format=None: self, cuda=_cuda)
__all__ = ["clone"]
