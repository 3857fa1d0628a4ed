"""Small tensor functions torch has at the top level: detach, ravel, fill, scalar_tensor, and the
predicates and conjugation/negation-bit functions, which for mygrad's real tensors are identities
(no tensor is complex or carries a lazy conjugate or negative bit); the metadata methods torch has
(storage_offset, itemsize, nbytes, is_cpu, layout, output_nr, get_device)."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._layout import strided
from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import methods, record

__all__ = ["detach", "ravel", "fill", "scalar_tensor", "is_nonzero", "is_same_size", "is_signed", "is_inference",
           "is_complex", "is_conj", "is_neg", "conj", "resolve_conj", "resolve_neg"]

FillBackward0 = derivative("FillBackward0", self="zeros_like(grad)")
FillBackward1 = derivative("FillBackward1", self="zeros_like(grad)", value="grad.sum()")


def detach(input: Tensor) -> Tensor:
    return input.detach()


def ravel(input: Tensor) -> Tensor:
    """ATen's ``contiguous().view(-1)``: a view of the input, or of its contiguous copy."""
    return input.contiguous().view(-1)


def fill(input: Tensor, value) -> Tensor:
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number, or a 0-d tensor whose
    gradient is the sum of the output's)."""
    data = input._data
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        out = np.full(data.shape, value._data, data.dtype)
        return record(FillBackward1, out, (input, value), value=value)
    return record(FillBackward0, np.full(data.shape, value, data.dtype), (input,))


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor of ``s``, in the default float dtype unless ``dtype`` is given (even for ints and bools)."""
    if isinstance(s, Tensor):
        s = s.item()
    from .._creation import _filled
    return _filled("scalar_tensor", (), s, dtype, requires_grad, _dtype.get_default_dtype())


def is_nonzero(input: Tensor) -> bool:
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape


def is_signed(input: Tensor) -> bool:
    return input._data.dtype.kind in "if"


def is_inference(input: Tensor) -> bool:
    return input.is_inference()


def is_complex(input: Tensor) -> bool:
    return False


def is_conj(input: Tensor) -> bool:
    return False


def is_neg(input: Tensor) -> bool:
    return False


def conj(input: Tensor) -> Tensor:
    """The conjugate of a real tensor is the tensor itself (torch returns ``input``)."""
    return input


def resolve_conj(input: Tensor) -> Tensor:
    return input


def resolve_neg(input: Tensor) -> Tensor:
    return input


methods(ravel=ravel, is_nonzero=is_nonzero, is_same_size=is_same_size, is_signed=is_signed,
        is_complex=is_complex, is_conj=is_conj, is_neg=is_neg, conj=conj, resolve_conj=resolve_conj,
        resolve_neg=resolve_neg)


# ----- metadata ---------------------------------------------------------------------------------------

def storage_offset(self: Tensor) -> int:
    """Elements between the start of the memory the tensor's array lives in and its first element (the
    NumPy array that owns the memory stands for torch's storage)."""
    data = self._data
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not data.size:
        return 0
    start = root.__array_interface__["data"][0]
    return (data.__array_interface__["data"][0] - start) // data.itemsize


def get_device(self: Tensor) -> int:
    """-1: a CPU tensor (torch's index of a CUDA device otherwise)."""
    return -1


methods(storage_offset=storage_offset, get_device=get_device,
        itemsize=property(lambda self: self._data.itemsize, doc="Bytes per element."),
        nbytes=property(lambda self: self._data.size * self._data.itemsize, doc="numel() * itemsize."),
        is_cpu=property(lambda self: True), layout=property(lambda self: strided),
        output_nr=property(lambda self: self._output_nr, doc="Which output of its grad_fn the tensor is."))
