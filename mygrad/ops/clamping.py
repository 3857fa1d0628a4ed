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
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import cast, elementwise_inplace, methods, record
from ._errors import invalid_arguments, not_implemented
from .elementwise import broadcast_apply


def _in_place(combine):
    """torch combines clamp's masks with in-place ``logical_and_``/``logical_or_``, which cannot grow
    their first operand: when the bounds broadcast the input up, torch's backward raises; so does ours."""
    def run(x, y):
        shape = np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
        if shape != tuple(x.shape):
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape {list(shape)}")
        return combine(x, y)
    return run


for _name, _combine in (("and_in_place", lambda x, y: x & y), ("or_in_place", lambda x, y: x | y)):
    formula_helper(_in_place(_combine), tensor="same", name=_name)

ClampBackward1 = derivative("ClampBackward1", attrs="min max", self="keep_where(clamp_mask(self, min, max), grad)")
ClampBackward0 = derivative(
    "ClampBackward0",
    self="where(clamp_mask(self, min, max) if min is None or max is None else "
         "and_in_place(self >= min, self <= max), grad, 0)",
    min="where(self < min, grad, 0) if max is None else where(and_in_place(self < min, min < max), grad, 0)",
    max="where(self > max, grad, 0) if min is None else where(or_in_place(self > max, max < min), grad, 0)")
ClampMinBackward0 = derivative("ClampMinBackward0", attrs="min", self="where(self >= min, grad, 0)")
ClampMaxBackward0 = derivative("ClampMaxBackward0", attrs="max", self="where(self <= max, grad, 0)")
ClampMinBackward1 = derivative("ClampMinBackward1", self="where(self >= min, grad, 0)",
                               min="where(self < min, grad, 0)")
ClampMaxBackward1 = derivative("ClampMaxBackward1", self="where(self <= max, grad, 0)",
                               max="where(self > max, grad, 0)")


@quiet
def _clamp_kernel(x, low, high):
    """min(max(x, low), high), keeping x on ties as torch does (NumPy keeps the second operand)."""
    if low is not None:
        bound = _as_array(low, x)
        x = np.maximum(bound, x, out=bound if bound is not low else None)
    if high is not None:
        bound = _as_array(high, x)
        x = np.minimum(bound, x, out=bound if bound is not high else None)  # low > high: high everywhere, as torch
    return x


def _as_array(bound, x):
    """A number bound of a float array as a new full array of its dtype (the kernel then writes into it):
    NumPy's maximum and minimum run several times faster array-with-array than array-with-scalar
    (x of 4096x1024: 5 ms against 8; of 100x32: 1.1 us against 2.9)."""
    if type(bound) not in (int, float) or type(x) is not np.ndarray or x.dtype.kind != "f" or not x.ndim:
        return bound
    return np.zeros(x.shape, x.dtype) if bound == 0 else np.full(x.shape, bound, x.dtype)


_SIGNATURES = {"clamp": "{0} min = None, {0} max = None", "clamp_min": "{0} min", "clamp_max": "{0} max"}


def _invalid_combination(name: str, *args) -> TypeError:
    """torch's message for arguments that fit none of the overloads (a non-tensor input, mixed bounds)."""
    return invalid_arguments(name, tuple(a for a in args if a is not None),
                             tuple(f"Tensor input, {_SIGNATURES[name].format(kind)}, *, Tensor out = None"
                                   for kind in ("Tensor", "Number")))


def _operands(name: str, input, *bounds):
    """The input and bounds as arrays of torch's result type; bool has no clamp kernel."""
    try:
        data = input._data
    except AttributeError:
        raise _invalid_combination(name, input, *bounds) from None
    if data.dtype.kind == "f" and not any(isinstance(b, Tensor) for b in bounds):
        return (data,) + bounds  # the common case: float tensor, number bounds: nothing to cast
    dt = _dtype.result_type(input, *bounds)
    if dt is _dtype.bool_:
        raise not_implemented("clamp_cpu", data)
    return tuple(None if x is None else cast(x, dt.np) for x in (input,) + bounds)


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002  (torch's argument names)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    # a str, a list, an array: no overload of torch's takes it
    if any(b is not None and (not hasattr(type(b), "__float__") or isinstance(b, np.ndarray)) for b in (min, max)):
        raise _invalid_combination("clamp", input, min, max)
    tensor_min, tensor_max = isinstance(min, Tensor), isinstance(max, Tensor)
    if (tensor_min or tensor_max) and ((min is not None and not tensor_min) or (max is not None and not tensor_max)):
        # a tensor and a number: torch's parser takes a 0-d tensor that needs no gradient as a number
        if any(isinstance(b, Tensor) and (b.ndim or b.requires_grad) for b in (min, max)):
            raise _invalid_combination("clamp", input, min, max)
        min, max = (b.item() if isinstance(b, Tensor) else b for b in (min, max))  # noqa: A001
        tensor_min = tensor_max = False
    if tensor_min or tensor_max:
        data, low, high = _operands("clamp", input, min, max)
        out = broadcast_apply(_clamp_kernel, data, low, high)
        return record(ClampBackward0, out, (input, min, max), self=input, min=min, max=max)
    data, low, high = _operands("clamp", input, min, max)
    return record(ClampBackward1, _clamp_kernel(data, low, high), (input,), self=input, min=min, max=max)


def _one_sided(name: str, input: Tensor, low, high, scalar_node, tensor_node) -> Tensor:
    """clamp_min / clamp_max: the node depends on whether the bound is a number or a tensor."""
    bound = high if low is None else low
    data, limit = _operands(name, input, bound)
    out = broadcast_apply(_clamp_kernel, data, *((limit, None) if low is not None else (None, limit)))
    if isinstance(bound, Tensor):
        return record(tensor_node, out, (input, bound), self=input, min=low, max=high)
    return record(scalar_node, out, (input,), self=input, min=low, max=high)


def clamp_min(input: Tensor, min) -> Tensor:  # noqa: A002
    return _one_sided("clamp_min", input, min, None, ClampMinBackward0, ClampMinBackward1)


def clamp_max(input: Tensor, max) -> Tensor:  # noqa: A002
    return _one_sided("clamp_max", input, None, max, ClampMaxBackward0, ClampMaxBackward1)


# clamp_ with number bounds checks the result type itself, and names the target as a C type
_C_TYPE = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


def _inplace(op):
    """``Tensor.clamp_``-style method: torch's own cast check (and message) for number bounds."""
    method = elementwise_inplace(op)

    def run(self: Tensor, *bounds, **named) -> Tensor:
        numbers = [b for b in (*bounds, *named.values()) if b is not None and not isinstance(b, Tensor)]
        if numbers and self._data.dtype.kind != "f":
            source = _dtype.result_type(self, *numbers)
            if source._category > self.dtype._category:
                raise RuntimeError(f"result type {scalar_type_name(source)} can't be cast to the desired output "
                                   f"type {_C_TYPE[self.dtype.name]}")
        return method(self, *bounds, **named)
    run.__name__ = run.__qualname__ = method.__name__
    run.__op__ = op  # (its parameters name a bad argument: _errors.tensor_arguments)
    return run


clip = clamp
clamp_, clamp_min_, clamp_max_ = _inplace(clamp), _inplace(clamp_min), _inplace(clamp_max)
clip_ = clamp_
methods(clamp=clamp, clip=clamp, clamp_min=clamp_min, clamp_max=clamp_max,
        clamp_=clamp_, clip_=clamp_, clamp_min_=clamp_min_, clamp_max_=clamp_max_)
__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "clamp_", "clip_", "clamp_min_", "clamp_max_"]
