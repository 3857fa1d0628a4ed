"""Matrix products and transposes; every contraction goes to NumPy's BLAS-backed matmul."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import methods, record

MmBackward0 = derivative("MmBackward0", self="mm(grad, t(mat2))", mat2="mm(t(self), grad)")


def _dtype_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}.get(
        t.dtype.name, t.dtype.name)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_dtype_name(input)} != "
                           f"{_dtype_name(mat2)}")
    return record(MmBackward0, a @ b, (input, mat2), self=input, mat2=mat2)


methods(mm=mm)
__all__ = ["mm"]
