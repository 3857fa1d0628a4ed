"""Division that rounds, and its remainders: div(rounding_mode=...), floor_divide (``//``),
remainder (``%``) and fmod.

Their gradients are torch's odd ones: ``div(..., rounding_mode=...)`` is DivBackward2 with zero
gradients; ``floor_divide`` and a scalar-first ``remainder`` have no derivative at all, and torch
records a node literally named ``NotImplemented`` whose backward raises.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import check_broadcast, elementwise_inplace, methods, record
from ._errors import invalid_arguments, not_implemented
from .elementwise import OVERLOADS, inplace_operator, no_derivative_node, operands, operator, requiring_grad


@quiet
def _floor_div(a, b):
    return np.floor_divide(a, b)


@quiet
def _trunc_div(a, b):
    if np.result_type(a, b).kind == "f":
        return np.trunc(np.true_divide(a, b))
    quotient = np.floor_divide(a, b)
    return quotient + ((quotient < 0) & (quotient * b != a))  # floor rounded down where trunc rounds up


_DIVIDE = {"floor": _floor_div, "trunc": _trunc_div}


@formula_helper(name="div")
def _div_array(a, b, rounding_mode=None):
    """The formula function ``div`` (remainder's and fmod's derivatives): NumPy side."""
    return _DIVIDE[rounding_mode](a, b) if rounding_mode else np.true_divide(a, b)


# torch's line for div.Tensor_mode, whose rounding mode is always given here: zeros; the true quotient's
# terms make it save self and other (version-checked, freed) as torch's node does
DivBackward2 = derivative("DivBackward2", attrs="rounding_mode",
                          self="zeros_like(grad) if rounding_mode else grad / other",
                          other="zeros_like(grad) if rounding_mode else -grad * self / (other * other)")
RemainderBackward0 = derivative("RemainderBackward0", self="grad")
RemainderBackward1 = derivative("RemainderBackward1", self="grad",
                                other="-grad * div(self, other, rounding_mode='floor')")
FmodBackward0 = derivative("FmodBackward0", self="grad")
FmodBackward1 = derivative("FmodBackward1", self="grad", other="-grad * div(self, other, rounding_mode='trunc')")


def _integer_operands(name: str, kernel: str, input, other):
    """Promoted operands; the shapes checked first, then bool has no kernel, and an integer division by zero
    raises, in torch's order."""
    a, b = operands(name, input, other)
    check_broadcast(a, b)
    kind = np.result_type(a, b).kind
    if kind == "b":
        raise not_implemented(kernel, np.asarray(a) if isinstance(input, Tensor) else np.asarray(b))
    if kind in "iu" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")
    return a, b


def div_rounded(input, other, rounding_mode: str) -> Tensor:
    """``torch.div(a, b, rounding_mode='floor' | 'trunc')``: DivBackward2, whose gradients are zero."""
    divide = _DIVIDE.get(rounding_mode)
    if divide is None:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    a, b = _integer_operands("div", f"div_{rounding_mode}_cpu", input, other)
    return record(DivBackward2, divide(a, b), (input, other), self=input, other=other, rounding_mode=rounding_mode)


def floor_divide(input, other, *, _op: str = "aten::floor_divide") -> Tensor:
    a, b = _integer_operands("floor_divide", "div_floor_cpu", input, other)
    edges = requiring_grad(input, other)
    return record(no_derivative_node(_op, edges), _floor_div(a, b), edges)


def _floor_divide_in_place(input, other) -> Tensor:
    return floor_divide(input, other, _op="aten::floor_divide_")


_fmod = quiet(np.fmod)


@quiet
def _remainder(a, b):
    """torch's floating remainder: C's fmod moved onto the divisor's side when it is not 0, so a zero
    remainder keeps the dividend's sign (NumPy's takes the divisor's: remainder(0., -inf) is -0.)."""
    if np.result_type(a, b).kind != "f":
        return np.remainder(a, b)
    r = np.fmod(a, b)
    return np.where((r != 0) & ((r < 0) != (b < 0)), r + b, r)


def remainder(input, other) -> Tensor:
    """Python's ``%``: the sign of the divisor."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise invalid_arguments("remainder", (input, other), OVERLOADS["remainder"])
    a, b = _integer_operands("remainder", "remainder_cpu", input, other)
    data = _remainder(a, b)
    if not isinstance(input, Tensor):
        edges = requiring_grad(other)
        return record(no_derivative_node("aten::remainder", edges), data, edges)
    if isinstance(other, Tensor):
        return record(RemainderBackward1, data, (input, other), self=input, other=other)
    return record(RemainderBackward0, data, (input,))


def fmod(input: Tensor, other) -> Tensor:
    """C's fmod: the sign of the dividend."""
    if not isinstance(input, Tensor):
        raise invalid_arguments("fmod", (input, other), OVERLOADS["fmod"])
    a, b = _integer_operands("fmod", "fmod_cpu", input, other)
    data = _fmod(a, b)
    if isinstance(other, Tensor):
        return record(FmodBackward1, data, (input, other), self=input, other=other)
    return record(FmodBackward0, data, (input,))


def _rfloordiv(self, other) -> Tensor:
    return floor_divide(other, self)


def _rmod(self, other) -> Tensor:
    return remainder(other, self)


methods(floor_divide=floor_divide, floor_divide_=elementwise_inplace(_floor_divide_in_place),
        remainder=remainder, remainder_=elementwise_inplace(remainder), fmod=fmod, fmod_=elementwise_inplace(fmod),
        __floordiv__=operator(floor_divide), __rfloordiv__=operator(_rfloordiv),
        __ifloordiv__=inplace_operator(_floor_divide_in_place), __mod__=operator(remainder),
        __rmod__=operator(_rmod), __imod__=inplace_operator(remainder))
__all__ = ["floor_divide", "remainder", "fmod"]
