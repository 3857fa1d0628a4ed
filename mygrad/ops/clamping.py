"""clamp / clip / clamp_min / clamp_max, with scalar or tensor bounds.

torch records a different node per overload: scalar bounds give ClampBackward1 (one edge), tensor
bounds ClampBackward0 (three edges: self, min, max, with None for a missing bound), clamp_min and
clamp_max ClampMin/ClampMaxBackward0 for a scalar and ...Backward1 for a tensor.  The gradient
passes where the input lies within the bounds, bounds included; a tensor bound gets it where
the input is beyond it (and max wins when min > max).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import cast, inplace_method, methods, record
from ._quiet import quiet
from .unary import not_implemented, not_tensor

ClampBackward1 = derivative("ClampBackward1", self="where(clamp_mask(self, min, max), grad, 0)")
ClampBackward0 = derivative(
    "ClampBackward0",
    self="where(clamp_mask(self, min, max), grad, 0)",
    min="where(self < min, grad, 0) if max is None else where((self < min) & (min < max), grad, 0)",
    max="where(self > max, grad, 0) if min is None else where((self > max) | (max < min), grad, 0)")
ClampMinBackward0 = derivative("ClampMinBackward0", self="where(self >= min, grad, 0)")
ClampMaxBackward0 = derivative("ClampMaxBackward0", self="where(self <= max, grad, 0)")
ClampMinBackward1 = derivative("ClampMinBackward1", self="where(self >= min, grad, 0)",
                               min="where(self < min, grad, 0)")
ClampMaxBackward1 = derivative("ClampMaxBackward1", self="where(self <= max, grad, 0)",
                               max="where(self > max, grad, 0)")


@quiet
def _clamp_kernel(x, low, high):
    """min(max(x, low), high), keeping x on ties as torch does (NumPy keeps the second operand)."""
    if low is not None:
        x = np.maximum(low, x)
    if high is not None:
        x = np.minimum(high, x)  # low > high gives high everywhere, as in torch
    return x


def _operands(name: str, input, *bounds):
    """The input and bounds as arrays of torch's result type; bool has no clamp kernel."""
    try:
        data = input._data
    except AttributeError:
        raise not_tensor(name, input) from None
    if data.dtype.kind == "f" and not any(type(b) is Tensor for b in bounds):
        return (data,) + bounds  # the common case: float tensor, number bounds: nothing to cast
    dt = _dtype.result_type(input, *bounds)
    if dt is _dtype.bool_:
        raise not_implemented("clamp_cpu", data)
    return tuple(None if x is None else cast(x, dt.np) for x in (input,) + bounds)


def _invalid_combination(min, max) -> TypeError:
    names = ", ".join(type(v).__name__ if v is not None else "NoneType" for v in (min, max))
    return TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, {names}), but expected "
                     "one of:\n * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n * "
                     "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (torch's argument names)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensor_min, tensor_max = type(min) is Tensor, type(max) is Tensor
    if tensor_min or tensor_max:
        if (min is not None and not tensor_min) or (max is not None and not tensor_max):
            raise _invalid_combination(min, max)
        data, low, high = _operands("clamp", input, min, max)
        out = _clamp_kernel(data, low, high)
        return record(ClampBackward0, out, (input, min, max), self=input, min=min, max=max)
    data, low, high = _operands("clamp", input, min, max)
    return record(ClampBackward1, _clamp_kernel(data, low, high), (input,), self=input, min=min, max=max)


def _one_sided(name: str, bound: str, scalar_node, tensor_node):
    """clamp_min / clamp_max: the node depends on whether the bound is a number or a tensor."""
    def op(input: Tensor, value) -> Tensor:
        data, limit = _operands(name, input, value)
        out = _clamp_kernel(data, limit, None) if bound == "min" else _clamp_kernel(data, None, limit)
        if type(value) is Tensor:
            return record(tensor_node, out, (input, value), self=input, **{bound: value})
        return record(scalar_node, out, (input,), self=input, **{bound: value})
    op.__name__ = op.__qualname__ = name
    return op


clamp_min = _one_sided("clamp_min", "min", ClampMinBackward0, ClampMinBackward1)
clamp_max = _one_sided("clamp_max", "max", ClampMaxBackward0, ClampMaxBackward1)
clip = clamp
clamp_, clamp_min_, clamp_max_ = inplace_method(clamp), inplace_method(clamp_min), inplace_method(clamp_max)
clip_ = clamp_
methods(clamp=clamp, clip=clamp, clamp_min=clamp_min, clamp_max=clamp_max,
        clamp_=clamp_, clip_=clamp_, clamp_min_=clamp_min_, clamp_max_=clamp_max_)
__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_"]
