"""Elementwise ops: arithmetic with broadcasting and Python scalars, and unary math.

Node names follow the call form, as torch's do: ``a - 2`` is SubBackward0 with two edges,
``2 - a`` is RsubBackward1 with one, ``2 / a`` is a reciprocal times 2 (see the catalogue).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.node import derivative
from ._define import binary_operands, check_broadcast, data_of, inplace_method, methods, record

# ----- derivatives (one line per input, as in torch's derivatives.yaml) -----------------------
AddBackward0 = derivative("AddBackward0", self="grad", other="grad if alpha == 1 else grad * alpha")
SubBackward0 = derivative("SubBackward0", self="grad", other="-grad if alpha == 1 else -grad * alpha")
RsubBackward0 = derivative("RsubBackward0", self="-grad if alpha == 1 else -grad * alpha", other="grad")
RsubBackward1 = derivative("RsubBackward1", self="-grad if alpha == 1 else -grad * alpha")
MulBackward0 = derivative("MulBackward0", self="grad * other", other="grad * self")
DivBackward0 = derivative("DivBackward0", self="grad / other", other="-grad * ((self / other) / other)")
NegBackward0 = derivative("NegBackward0", self="-grad")
ReciprocalBackward0 = derivative("ReciprocalBackward0", self="-grad * (result * result)")
PowBackward0 = derivative(
    "PowBackward0", self="zeros_like(grad) if exponent == 0 else grad * (exponent * self ** (exponent - 1))")
PowBackward1 = derivative(
    "PowBackward1",
    self="where(exponent == 0, 0, grad * (exponent * self ** (exponent - 1)))",
    exponent="grad * where((self == 0) & (exponent >= 0), 0, result * log(self))")
PowBackward2 = derivative(
    "PowBackward2",
    exponent="grad * where(exponent >= 0, 0, result * log(self)) if self == 0 else grad * (result * float(np.log(self)))")
ExpBackward0 = derivative("ExpBackward0", self="grad * result")
LogBackward0 = derivative("LogBackward0", self="grad / self")
WhereBackward0 = derivative("WhereBackward0", self="where(condition, grad, 0)",
                            other="where(condition, 0, grad)")
ClampBackward1 = derivative("ClampBackward1", self="where(clamp_mask(self, min, max), grad, 0)")
ZeroBackward0 = derivative("ZeroBackward0", self="grad * 0")
FillBackward2 = derivative("FillBackward2", self="grad * 0")
FillBackward3 = derivative("FillBackward3", self="grad * 0", value="grad.sum()")
CopyBackwards = derivative("CopyBackwards", self="grad * 0", src="grad")


def _binary(node_cls, ufunc, input, other, *, floating=False, **saved_extra):
    a, b = binary_operands(input, other, floating=floating)
    try:
        data = ufunc(a, b)
    except ValueError:
        check_broadcast(a, b)
        raise
    return record(node_cls, data, (input, other), self=input, other=other, **saved_extra)


def _scaled(other, alpha):
    """``alpha * other`` for add/sub's alpha argument, in the operand's own type."""
    if alpha == 1:
        return other
    return other * alpha if type(other) is not Tensor else Tensor._make(other._data * alpha, False, None)


def add(input, other, *, alpha=1) -> Tensor:
    if type(input) is not Tensor:  # torch.add(2, t): the tensor argument is still 'self'
        input, other = other, input
    if alpha == 1:
        return _binary(AddBackward0, np.add, input, other, alpha=alpha)
    a, b = binary_operands(input, other)
    check_broadcast(a, b)
    return record(AddBackward0, a + b * alpha, (input, other), alpha=alpha)


def sub(input, other, *, alpha=1) -> Tensor:
    if type(input) is Tensor and input.dtype.name == "bool" or type(other) is Tensor and other.dtype.name == "bool":
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    a, b = binary_operands(input, other)
    check_broadcast(a, b)
    return record(SubBackward0, (a - b) if alpha == 1 else a - b * alpha, (input, other), alpha=alpha)


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - alpha * input.  With a Python scalar ``other`` torch records RsubBackward1 (one edge)."""
    a, b = binary_operands(input, other)
    check_broadcast(a, b)
    data = (b - a) if alpha == 1 else b - a * alpha
    if type(other) is Tensor:
        return record(RsubBackward0, data, (input, other), alpha=alpha)
    return record(RsubBackward1, data, (input,), alpha=alpha)


def mul(input, other) -> Tensor:
    if type(input) is not Tensor:
        input, other = other, input
    return _binary(MulBackward0, np.multiply, input, other)


def div(input, other, *, rounding_mode=None) -> Tensor:
    if rounding_mode is not None:
        from .rounding import div_rounded
        return div_rounded(input, other, rounding_mode)
    if type(input) is not Tensor:
        return mul(reciprocal(other), input)
    return _binary(DivBackward0, np.true_divide, input, other, floating=True)


def _rdiv(self, other) -> Tensor:
    """``2 / a``: torch builds reciprocal(a) * 2 (MulBackward0 over ReciprocalBackward0)."""
    return mul(reciprocal(self), other)


def reciprocal(input: Tensor) -> Tensor:
    data = input._data
    if data.dtype.kind != "f":
        from .. import _dtype
        data = data.astype(_dtype.get_default_dtype().np)
    return record(ReciprocalBackward0, np.reciprocal(data), (input,))


def neg(input: Tensor) -> Tensor:
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return record(NegBackward0, np.negative(input._data), (input,))


def pow(input, exponent) -> Tensor:
    if type(input) is not Tensor:
        a, b = binary_operands(input, exponent)
        return record(PowBackward2, np.power(a, b), (exponent,), self=input, exponent=exponent)
    if type(exponent) is not Tensor:
        a, b = binary_operands(input, exponent)
        if np.issubdtype(np.asarray(a).dtype, np.integer) and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return record(PowBackward0, np.power(a, b), (input,), self=input, exponent=exponent)
    a, b = binary_operands(input, exponent)
    check_broadcast(a, b)
    return record(PowBackward1, np.power(a, b), (input, exponent), self=input, exponent=exponent)


def exp(input: Tensor) -> Tensor:
    return record(ExpBackward0, np.exp(_floating(input)), (input,))


def log(input: Tensor) -> Tensor:
    with np.errstate(divide="ignore", invalid="ignore"):
        return record(LogBackward0, np.log(_floating(input)), (input,), self=input)


def where(condition: Tensor, input, other) -> Tensor:
    """Elementwise choice; the unselected branch gets a zero gradient (so 0 * inf stays out of it)."""
    a, b = binary_operands(input, other)
    cond = data_of(condition)
    if np.asarray(cond).dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype.name.capitalize()}")
    return record(WhereBackward0, np.where(cond, a, b), (input, other), condition=cond)


def _floating(t: Tensor) -> np.ndarray:
    """Unary float ops promote integer input to the default dtype."""
    data = t._data
    if data.dtype.kind == "f":
        return data
    from .. import _dtype
    return data.astype(_dtype.get_default_dtype().np)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if type(min) is Tensor or type(max) is Tensor:
        from .clamp import clamp_tensor
        return clamp_tensor(input, min, max)
    data = input._data
    if min is not None:
        data = np.maximum(data, min)
    if max is not None:
        data = np.minimum(data, max)  # min > max gives max everywhere, as in torch
    return record(ClampBackward1, data, (input,), self=input, min=min, max=max)


# ----- comparisons and logical ops: no gradient, bool results ----------------------------------

def _comparison(ufunc):
    def compare(input, other) -> Tensor:
        a, b = binary_operands(input, other)
        check_broadcast(a, b)
        return Tensor._make(np.asarray(ufunc(a, b)), False, None)
    compare.__name__ = ufunc.__name__
    return compare


eq, ne, lt, le, gt, ge = (_comparison(f) for f in (np.equal, np.not_equal, np.less, np.less_equal,
                                                   np.greater, np.greater_equal))
logical_and, logical_or, logical_xor = (_comparison(f) for f in (np.logical_and, np.logical_or, np.logical_xor))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _bitwise(ufunc):
    def op(input, other) -> Tensor:
        a, b = binary_operands(input, other)
        if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            raise RuntimeError(f'"{ufunc.__name__}_cpu" not implemented for \'Float\'')
        return Tensor._make(np.asarray(ufunc(a, b)), False, None)
    op.__name__ = ufunc.__name__
    return op


bitwise_and, bitwise_or, bitwise_xor = _bitwise(np.bitwise_and), _bitwise(np.bitwise_or), _bitwise(np.bitwise_xor)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data), False, None)


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Tensor._make(np.invert(input._data), False, None)


def _pos(self: Tensor) -> Tensor:
    return self


methods(
    add=add, __add__=add, __radd__=add, __iadd__=inplace_method(add, np.add), add_=inplace_method(add, np.add),
    sub=sub, __sub__=sub, __rsub__=lambda self, other: rsub(self, other), __isub__=inplace_method(sub, np.subtract),
    sub_=inplace_method(sub, np.subtract),
    mul=mul, __mul__=mul, __rmul__=mul, __imul__=inplace_method(mul, np.multiply), mul_=inplace_method(mul, np.multiply),
    div=div, true_divide=div, __truediv__=div, __rtruediv__=_rdiv, __itruediv__=inplace_method(div, np.true_divide),
    div_=inplace_method(div, np.true_divide),
    neg=neg, __neg__=neg, negative=neg, neg_=inplace_method(neg), __pos__=_pos,
    pow=pow, __pow__=pow, __rpow__=lambda self, other: pow(other, self), pow_=inplace_method(pow, np.power),
    __ipow__=inplace_method(pow, np.power),
    reciprocal=reciprocal, exp=exp, log=log, where=lambda self, condition, other: where(condition, self, other), exp_=inplace_method(exp),
    clamp=clamp, clip=clamp, clamp_=inplace_method(clamp), clip_=inplace_method(clamp),
    eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, __eq__=eq, __ne__=ne, __lt__=lt, __le__=le, __gt__=gt, __ge__=ge,
    greater=gt, greater_equal=ge, less=lt, less_equal=le, not_equal=ne,
    logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor, logical_not=logical_not,
    __and__=bitwise_and, __or__=bitwise_or, __xor__=bitwise_xor, __rand__=bitwise_and, __ror__=bitwise_or,
    __rxor__=bitwise_xor, __invert__=bitwise_not, bitwise_not=bitwise_not,
)
true_divide = divide = div
subtract, multiply, negative, clip = sub, mul, neg, clamp
__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide", "reciprocal",
           "neg", "negative", "pow", "exp", "log", "where", "clamp", "clip", "eq", "ne", "lt", "le", "gt", "ge", "greater",
           "greater_equal", "less", "less_equal", "not_equal", "logical_and", "logical_or", "logical_xor",
           "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]
