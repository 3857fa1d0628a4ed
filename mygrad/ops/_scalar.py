"""ATen's Scalar overloads (``mul.Scalar``, ``add.Scalar``, ``sub.Scalar``, ``div.Scalar``) as torch's C++
composites call them: a tensor with a number, recorded as MulBackward1 / AddBackward1 / SubBackward1 /
DivBackward1.  Python's ``x * 0.5``
is the Tensor overload (MulBackward0); composites such as ``special.ndtr`` and ``trapezoid`` build these."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import record

MulBackward1 = derivative("MulBackward1", attrs="other", self="grad * other")
AddBackward1 = derivative("AddBackward1", self="grad")
SubBackward1 = derivative("SubBackward1", self="grad")
DivBackward1 = derivative("DivBackward1", attrs="other", self="grad / other")


@quiet
def scalar_op(node, input: Tensor, other: float, np_op) -> Tensor:
    """``np_op(input, other)`` with the number in the tensor's precision (integers: the default float)."""
    data = input._data
    if data.dtype.kind != "f":
        data = data.astype(_dtype.get_default_dtype().np)
    return record(node, np.asarray(np_op(data, data.dtype.type(other)), data.dtype), (input,), other=other)


def mul_scalar(input: Tensor, other: float) -> Tensor:
    return scalar_op(MulBackward1, input, other, np.multiply)


def add_scalar(input: Tensor, other: float) -> Tensor:
    return scalar_op(AddBackward1, input, other, np.add)


def sub_scalar(input: Tensor, other: float) -> Tensor:
    return scalar_op(SubBackward1, input, other, np.subtract)


def div_scalar(input: Tensor, other: float) -> Tensor:
    return scalar_op(DivBackward1, input, other, np.true_divide)
