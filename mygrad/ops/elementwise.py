"""Elementwise binary ops: arithmetic with broadcasting and Python scalars, maximum/minimum,
atan2, hypot, logaddexp, lerp, where; and the comparison, logical and bitwise ops.

Node names follow the call form, as torch's do: ``a - 2`` is SubBackward0 with two edges,
``2 - a`` is RsubBackward1 with one, ``2 / a`` is a reciprocal times 2 (see the catalogue).
Unary math is in ``unary.py``, clamp in ``clamp.py``, division with rounding in ``rounding.py``.
"""
from __future__ import annotations

import math
import weakref
from functools import wraps

import numpy as np

from .. import _dtype
from .._argument_types import Number, argument_types
from .._layout import elementwise_layout
from .._quiet import IGNORE, enter as enter_quiet, leave as leave_quiet, quiet
from .._tensor import Tensor, _c_name
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad
from ..autograd.backends import formula_helper, where as _array_where
from ..autograd.forward_ad import levels as _fw_levels
from ..autograd.grad_mode import _state as _grad_state, inference_tensors as _inference_tensors
from ..autograd.node import derivative, read_from
from ._define import (
    binary_operands,
    check_broadcast,
    data_of,
    elementwise_inplace,
    inplace_method,
    methods,
    record,
    recorder,
)
from ._errors import check_scalar_fits, invalid_arguments, not_implemented, not_tensor, python_type_name
from ._views import check_no_partial_overlap
from .unary import reciprocal


@formula_helper(tensor="same")
def scalar_log(value):
    """log of a Python scalar base (``2 ** a``'s derivative): -inf at 0 and nan below, as C's log."""
    return math.log(value) if value > 0 else -math.inf if value == 0 else math.nan


def _atan2_scale_tensor(self: Tensor, other: Tensor, grad: Tensor) -> Tensor:
    """The same under create_graph, computed once per backward call (``grad`` identifies it) and shared
    by both inputs' formulas, as torch's atan2_backward shares it: the second-order gradients of the
    two then meet before the reciprocal's backward (0 * inf there would otherwise give nan)."""
    last = _last_atan2_scale[0]
    if last is not None and last[0]() is grad and last[1]() is self and last[2]() is other:
        scale = last[3]()
        if scale is not None:
            return scale
    denominator = self * self + other * other
    scale = where(denominator == 0, 0, reciprocal(denominator))
    _last_atan2_scale[0] = tuple(weakref.ref(t) for t in (grad, self, other, scale))
    return scale


@formula_helper(tensor=_atan2_scale_tensor)
def atan2_scale(self, other, grad):
    """1 / (self**2 + other**2), but 0 where that is 0: atan2's gradient at the origin is 0 in torch."""
    denominator = self * self + other * other
    return np.where(denominator == 0, 0, np.reciprocal(denominator))  # (backward runs with warnings off)


_last_atan2_scale: list = [None]   # weak references: (grad, self, other, scale) of the latest call


# torch computes tensor ** number with these shortcuts (so (-0.0) ** -0.5 is -inf, as 1 / sqrt(-0.0))
_POWER_SHORTCUTS = {1: np.copy, 2: lambda x: x * x, 3: lambda x: x * x * x, 0.5: np.sqrt,
                    -0.5: lambda x: 1 / np.sqrt(x),
                    -1: np.reciprocal, -2: lambda x: 1 / (x * x)}


@quiet
def scalar_power(x: np.ndarray, exponent) -> np.ndarray:
    """A floating array to a number's power as torch computes it: the shortcuts above, else pow.

    For float32 and an exponent that float32 cannot hold, torch's result depends on where an element
    sits: its vectorized loop takes whole blocks of 32 contiguous elements with the exponent rounded
    to float32, the remaining elements (all of them for a non-contiguous tensor) with the exponent in
    double, so (-1.0) ** -2.0000001 is 1.0 in the first 32 elements and nan after them.  So here too.
    """
    shortcut = _POWER_SHORTCUTS.get(exponent) if type(exponent) is not bool else None
    if shortcut is not None:
        return shortcut(x)
    if x.dtype != np.float32 or float(np.float32(exponent)) == exponent:
        return np.power(x, exponent)
    out = np.power(x, np.float64(exponent)).astype(np.float32)
    blocks = x.size // 32 * 32 if x.flags.c_contiguous else 0
    if blocks:
        out.reshape(-1)[:blocks] = np.power(x.reshape(-1)[:blocks], np.float32(exponent))
    return out


@formula_helper(name="pow")
def _pow_array(x, exponent):
    """The formula function ``pow`` (PowBackward's ``self.pow(exponent - 1)``): NumPy side."""
    if type(exponent) is np.ndarray or x.dtype.kind != "f":
        return np.power(x, exponent)
    return scalar_power.__wrapped__(x, exponent)  # (backward runs with NumPy's warnings off already)


# ----- derivatives (one line per input, as in torch's derivatives.yaml) -----------------------
AddBackward0 = derivative("AddBackward0", attrs="alpha", self="grad", other="grad if alpha == 1 else grad * alpha")
SubBackward0 = derivative("SubBackward0", attrs="alpha", self="grad", other="-grad if alpha == 1 else -grad * alpha")
RsubBackward0 = derivative("RsubBackward0", attrs="alpha", self="-grad if alpha == 1 else -grad * alpha", other="grad")
RsubBackward1 = derivative("RsubBackward1", attrs="alpha", self="-grad if alpha == 1 else -grad * alpha")
MulBackward0 = derivative("MulBackward0", self="grad * other", other="grad * self")
DivBackward0 = derivative("DivBackward0", self="grad / other", other="-grad * ((self / other) / other)")
PowBackward0 = derivative(
    "PowBackward0", attrs="exponent",
    self="zeros_like(grad) if exponent == 0 else grad * (exponent * pow(self, exponent - 1))")
PowBackward1 = derivative(
    "PowBackward1",
    self="where(exponent == 0, 0, grad * (exponent * pow(self, exponent - 1)))",
    exponent="grad * where((self == 0) & (exponent >= 0), 0, result * log(self))")
PowBackward2 = derivative(
    "PowBackward2", attrs="self",
    exponent="grad * where(exponent >= 0, 0, result * scalar_log(self)) if self == 0 "
             "else grad * (result * scalar_log(self))")
# maximum/minimum: ties split the gradient in half; a NaN sends it to both sides
MaximumBackward0 = derivative("MaximumBackward0",
                              self="where(self < other, 0, where(self == other, grad / 2, grad))",
                              other="where(self > other, 0, where(self == other, grad / 2, grad))")
MinimumBackward0 = derivative("MinimumBackward0",
                              self="where(self > other, 0, where(self == other, grad / 2, grad))",
                              other="where(self < other, 0, where(self == other, grad / 2, grad))")
Atan2Backward0 = derivative("Atan2Backward0", self="grad * other * atan2_scale(self, other, grad)",
                            other="grad * -self * atan2_scale(self, other, grad)")
HypotBackward0 = derivative("HypotBackward0", self="grad * self / result", other="grad * other / result")
LogaddexpBackward0 = derivative("LogaddexpBackward0", self="grad / (1 + exp(other - self))",
                                other="grad / (1 + exp(self - other))")
LerpBackward0 = derivative("LerpBackward0", attrs="weight", self="grad * (1 - weight)", end="grad * weight")
LerpBackward1 = derivative("LerpBackward1", self="grad * (1 - weight)", end="grad * weight",
                           weight="grad * (end - self)")
WhereBackward0 = derivative("WhereBackward0", self="where(condition, grad, 0)",
                            other="where(condition, 0, grad)", freed=("condition",))
ZeroBackward0 = derivative("ZeroBackward0", self="zeros_like(grad)")
FillBackward2 = derivative("FillBackward2", self="zeros_like(grad)")
FillBackward3 = derivative("FillBackward3", self="zeros_like(grad)", value="grad.sum()")
CopyBackwards = derivative("CopyBackwards", self="zeros_like(grad)", src="grad")
CopyBackwards.name = lambda self: "torch::autograd::CopyBackwards"  # type: ignore[attr-defined]  # (torch's name)


def _raise_broadcast(*operands) -> None:
    """torch's message for the first pair of operands (left to right) whose shapes do not broadcast."""
    shape = np.shape(operands[0])
    for x in operands[1:]:
        check_broadcast(np.broadcast_to(np.empty(()), shape), x)
        shape = np.broadcast_shapes(shape, np.shape(x))


def broadcast_apply(kernel, *operands):
    """``kernel(*operands)``, with torch's message when their shapes do not broadcast."""
    try:
        return kernel(*operands)
    except ValueError:
        _raise_broadcast(*operands)
        raise


# Ops whose bad arguments torch reports against their overloads, not as "must be Tensor".
OVERLOADS = {
    "pow": ("Tensor input, Tensor exponent, *, Tensor out = None", "Number self, Tensor exponent, *, Tensor out = None",
            "Tensor input, Number exponent, *, Tensor out = None"),
    "rsub": ("Tensor input, Tensor other, *, Number alpha = 1", "Tensor input, Number other, Number alpha = 1"),
    "remainder": ("Tensor input, Tensor other, *, Tensor out = None", "Number self, Tensor other",
                  "Tensor input, Number other, *, Tensor out = None"),
    "floor_divide": ("Tensor input, Tensor other, *, Tensor out = None", "Tensor input, Number other"),
    "fmod": ("Tensor input, Tensor other, *, Tensor out = None", "Tensor input, Number other, *, Tensor out = None"),
    "xlogy": ("Tensor input, Tensor other, *, Tensor out = None", "Number self, Tensor other, *, Tensor out = None",
              "Tensor input, Number other, *, Tensor out = None"),
    "lerp": ("Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
             "Tensor input, Tensor end, Number weight, *, Tensor out = None"),
    "where": ("Tensor condition", "Tensor condition, Tensor input, Tensor other, *, Tensor out = None",
              "Tensor condition, Number self, Tensor other", "Tensor condition, Tensor input, Number other",
              "Tensor condition, Number self, Number other"),
}


def operands(name: str, input, other, *, floating: bool = False):
    """``binary_operands`` with torch's errors for an operand of the wrong type (NumPy scalars are numbers)."""
    try:
        return binary_operands(input, other, floating=floating)
    except TypeError:
        if isinstance(input, np.generic) or isinstance(other, np.generic):
            return operands(name, input.item() if isinstance(input, np.generic) else input,
                            other.item() if isinstance(other, np.generic) else other, floating=floating)
        if name in OVERLOADS:
            error = invalid_arguments(name, (input, other), OVERLOADS[name])
        elif not isinstance(input, Tensor) and not isinstance(input, (int, float)):
            error = not_tensor(name, input)
        else:
            error = not_tensor(name, other, "other", 2)
        raise error from None


_OPERAND_TYPES = (Tensor, int, float, np.generic)


def operator(fn):
    """An operator form (``a + x``): NotImplemented for an operand that is no number or tensor, so that
    Python tries the reflected operation and then raises its own ``unsupported operand type(s)``; and for
    an ndarray, whose reflected operator computes the ufunc over both (``Tensor.__array_wrap__``)."""
    return getattr(fn, "operator", None) or _operator(fn)


def _operator(fn):
    def dunder(self, other):
        if isinstance(other, np.ndarray):
            return NotImplemented  # NumPy's reflected operator then runs the ufunc, as with torch
        try:
            return fn(self, other)
        except TypeError:
            if isinstance(other, _OPERAND_TYPES):
                raise
            return NotImplemented
        except AttributeError:   # an op that takes tensors only (``@``) read a tensor's attribute from a number
            if isinstance(other, Tensor):
                raise
            return NotImplemented
    dunder.__name__ = dunder.__qualname__ = fn.__name__
    return dunder


def inplace_operator(fn, ufunc=None):
    """``a += x``: the in-place method, or NotImplemented for an operand that is no number or tensor."""
    method = elementwise_inplace(fn, ufunc)

    def dunder(self, other):
        if isinstance(other, _OPERAND_TYPES):
            return method(self, other)
        return NotImplemented
    dunder.__name__ = dunder.__qualname__ = method.__name__
    return dunder


def common_case(node_cls, kernel, **saved_extra):
    """Decorate a binary op's full definition with its common case done inline: a floating tensor and
    a tensor of the same dtype or a Python number, no keyword arguments.  There the operands need no
    promotion and none of the op's checks can fire, so the kernel's result is recorded directly;
    anything else, a broadcast error included, goes to the full definition (and its torch errors).
    The operator form (``a * b``) gets the same fast path in front of ``operator(op)``."""
    def decorate(op):
        function = wraps(op)(_with_common_case(node_cls, kernel, saved_extra, op))
        function.operator = wraps(op)(_with_common_case(node_cls, kernel, saved_extra, _operator(op)))
        return function
    return decorate


def _with_common_case(node_cls, kernel, saved_extra: dict, general):
    rec = recorder(node_cls)

    def run(input, other, **kwargs):
        token = enter_quiet(IGNORE)  # (quiet(...), inlined: NumPy's warnings off, as torch computes inf/nan silently)
        try:
            if not kwargs and isinstance(input, Tensor):
                a = input._data
                if a.dtype.kind == "f":
                    kind = type(other)
                    if kind is Tensor:
                        b = other._data
                        common = b.dtype is a.dtype
                    else:
                        b = other
                        common = kind is float or kind is int
                    if common:
                        try:
                            data = kernel(a, b)
                        except ValueError:
                            return general(input, other)
                        if kind is Tensor and data.ndim > 1 and (not (a.flags.c_contiguous and b.flags.c_contiguous)
                                                                 or 1 in a.shape or 1 in b.shape):
                            data = elementwise_layout(data, a, b)   # (torch's output layout)
                        return rec(data, (input, other), {"self": input, "other": other, **saved_extra})
            return general(input, other, **kwargs)
        finally:
            leave_quiet(token)
    return run


def _binary(name: str, node_cls, kernel, input, other, *, floating=False, **saved_extra):
    """The common path of a binary op, inlined for speed: operands, one kernel call, record."""
    try:
        a, b = binary_operands(input, other, floating=floating)
    except TypeError:
        a, b = operands(name, input, other, floating=floating)  # torch's error, or a NumPy scalar converted
    try:
        data = kernel(a, b)
    except ValueError:
        _raise_broadcast(a, b)
        raise
    if type(data) is np.ndarray and data.ndim > 1 and not (
            type(a) is np.ndarray and type(b) is np.ndarray and a.flags.c_contiguous and b.flags.c_contiguous
            and 1 not in a.shape and 1 not in b.shape):
        data = elementwise_layout(data, a, b)   # (torch's output layout when an operand is not contiguous)
    return record(node_cls, data, (input, other), self=input, other=other, **saved_extra)


# ----- add, sub, rsub, mul, div, pow ----------------------------------------------------------
# A number as the first argument of the function form is torch's wrapped tensor 'self': no edge
# (torch.add(2, a) has edges (None, a)); the reflected operators keep the tensor first (2 + a).

_BOOL_MINUS_ONE = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                   "invert a mask, use the `~` or `logical_not()` operator instead.")
_BOOL_MINUS_BOTH = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                    "`logical_xor()` operator instead.")


_SUBTRACTABLE = (Tensor, bool, int, float, complex, np.number, np.bool_)


def _is_bool(x) -> bool:
    return type(x) is bool or isinstance(x, Tensor) and x._data.dtype == np.bool_


def _check_subtraction(input, other) -> None:
    """torch's refusal of bool subtraction, once both arguments are of types its parser takes (a str is
    refused by the parser first)."""
    if (_is_bool(input) or _is_bool(other)) and isinstance(input, _SUBTRACTABLE) and isinstance(other, _SUBTRACTABLE):
        raise RuntimeError(_BOOL_MINUS_BOTH if _is_bool(input) and _is_bool(other) else _BOOL_MINUS_ONE)


def _alpha_operands(name: str, input, other, alpha, *, scaled: int = 1):
    """Operands for ``input + alpha * other`` (``scaled=0``: ``alpha * input``, rsub's), after torch's checks
    of alpha against the result type; the scaled operand keeps that type (NumPy: bool * 2 is int64)."""
    if not isinstance(alpha, (int, float, complex, np.number)):
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {python_type_name(alpha)}")
    pair = list(operands(name, input, other))
    result_type = np.result_type(*pair)
    kind = result_type.kind
    if isinstance(alpha, bool) and kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and kind in "biu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if (alpha != 1 or type(alpha) is bool) and kind != "f":  # (floats: _fused_alpha scales inside its fma)
        x = pair[scaled]
        pair[scaled] = (x * alpha).astype(np.bool_) if kind == "b" else x * alpha
    return pair


@quiet
def _fused_alpha(base: np.ndarray, scaled: np.ndarray, alpha, sign: int = 1) -> np.ndarray:
    """torch's floating kernel for base + alpha * scaled (sub and rsub: alpha negated): a fused multiply-add
    (vec::fmadd), the product unrounded, so inf + a product past the largest float is inf, not NaN; a wider
    type stands in for the fused step.  Integers and bool keep the plain expression."""
    out_type = np.result_type(base, scaled)
    if out_type.kind != "f" or (alpha == 1 and type(alpha) is not bool):
        return base + scaled if sign == 1 else base - scaled
    wide = np.longdouble if out_type == np.float64 else np.float64
    factor = wide(out_type.type(alpha)) * sign
    return (np.asarray(base).astype(wide) + np.asarray(scaled).astype(wide) * factor).astype(out_type)


@common_case(AddBackward0, np.add, alpha=1)
def add(input, other, *, alpha=1) -> Tensor:
    if alpha == 1 and type(alpha) is not bool:
        return _binary("add", AddBackward0, np.add, input, other, alpha=alpha)
    a, b = _alpha_operands("add", input, other, alpha)
    check_broadcast(a, b)
    return record(AddBackward0, _fused_alpha(a, b, alpha), (input, other), alpha=alpha)


@common_case(SubBackward0, np.subtract, alpha=1)
def sub(input, other, *, alpha=1) -> Tensor:
    _check_subtraction(input, other)
    if alpha == 1 and type(alpha) is not bool:
        return _binary("sub", SubBackward0, np.subtract, input, other, alpha=alpha)
    a, b = _alpha_operands("sub", input, other, alpha)
    check_broadcast(a, b)
    return record(SubBackward0, _fused_alpha(a, b, alpha, -1), (input, other), alpha=alpha)


def rsub(input, other, *, alpha=1) -> Tensor:
    """other - alpha * input.  With a Python scalar ``other`` torch records RsubBackward1 (one edge)."""
    if not isinstance(input, Tensor):
        raise invalid_arguments("rsub", (input, other), OVERLOADS["rsub"])
    _check_subtraction(input, other)
    a, b = _alpha_operands("rsub", input, other, alpha, scaled=0)
    check_broadcast(b, a)  # torch reports the shapes as other's, then input's
    data = _fused_alpha(b, a, alpha, -1)
    if isinstance(other, Tensor):
        return record(RsubBackward0, data, (input, other), alpha=alpha)
    if _inference_tensors[0] and input._requires_grad and input.is_inference() and not _grad_state.inference:
        # of an inference tensor outside inference mode, torch's rsub kernel subtracts from the number
        # wrapped into a tensor: recorded as SubBackward0 (the number's edge empty)
        return record(SubBackward0, data, (other, input), alpha=alpha)
    return record(RsubBackward1, data, (input,), alpha=alpha)


@common_case(MulBackward0, np.multiply)
def mul(input, other) -> Tensor:
    return _binary("mul", MulBackward0, np.multiply, input, other)


_true_divide = quiet(np.true_divide)


DIV_OVERLOADS = ("Tensor input, Tensor other, *, Tensor out = None",
                 "Tensor input, Tensor other, *, str rounding_mode, Tensor out = None",
                 "Tensor input, Number other, *, str rounding_mode")


@common_case(DivBackward0, _true_divide)
def div(input, other, *, rounding_mode=None) -> Tensor:
    if rounding_mode is not None:
        if not isinstance(rounding_mode, str):
            raise invalid_arguments("div", (input, other), DIV_OVERLOADS)
        from .rounding import div_rounded
        return div_rounded(input, other, rounding_mode)
    return _binary("div", DivBackward0, _true_divide, input, other, floating=True)


def _rdiv(self, other) -> Tensor:
    """``2 / a``: torch builds reciprocal(a) * 2 (MulBackward0 over ReciprocalBackward0)."""
    return mul(reciprocal(self), other)


def _rdiv_operator(self, other):
    """``x / a``.  torch's is the Python ``reciprocal(a) * x``, so for an array ``x`` that product is
    NumPy's (a tensor without a graph), where every other reflected operator refuses the array."""
    if isinstance(other, np.ndarray):
        return reciprocal(self) * other
    return _rdiv_dunder(self, other)


_power = quiet(np.power)


def _pow_kernel(a, b, tensor_exponent: bool):
    """np.power with torch's integer rules: a negative integer exponent gives 0 (1 for a base of 1,
    +-1 for -1) where NumPy raises; bool ** bool stays bool, and has no kernel with a tensor exponent."""
    kind = a.dtype.kind if type(a) is np.ndarray else np.asarray(b).dtype.kind
    if kind == "f":
        return scalar_power(a, b) if type(b) is not np.ndarray else _power(a, b)
    if kind == "b":
        if tensor_exponent:
            raise not_implemented("pow", np.asarray(a))
        return np.power(a, b).astype(np.bool_)
    if not np.any(np.less(b, 0)):
        return np.power(a, b)
    result = np.power(a, np.maximum(b, 0))
    reciprocal_of_integer = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(np.less(b, 0), reciprocal_of_integer, result).astype(result.dtype)


def pow(input, exponent) -> Tensor:
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise invalid_arguments("pow", (input, exponent), OVERLOADS["pow"])
        a, b = operands("pow", input, exponent)
        return record(PowBackward2, _pow_kernel(a, b, True), (exponent,), self=input, exponent=exponent)
    a, b = operands("pow", input, exponent)
    if not isinstance(exponent, Tensor):
        if a.dtype.kind in "biu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return record(PowBackward0, _pow_kernel(a, b, False), (input,), self=input, exponent=exponent)
    check_broadcast(a, b)
    return record(PowBackward1, _pow_kernel(a, b, True), (input, exponent), self=input, exponent=exponent)


def square(input: Tensor) -> Tensor:
    """torch.square is pow(input, 2): PowBackward0, and bool squares to int64."""
    if not isinstance(input, Tensor):
        raise not_tensor("square", input)
    return pow(input, 2)


# ----- binary ops that take two tensors (no Python scalars) ----------------------------------

def _tensor_binary(name: str, node_cls, kernel, *, floating: bool = False, float_only: bool = False):
    """An op of two tensors, promoted as torch promotes (``floating``: integers give the default
    float; ``float_only``: integers have no kernel)."""
    kernel = quiet(kernel)

    def op(input: Tensor, other: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        a, b = binary_operands(input, other, floating=floating)
        if float_only and a.dtype.kind != "f":
            raise not_implemented(f"{name}_cpu", a)
        return record(node_cls, broadcast_apply(kernel, a, b), (input, other), self=input, other=other)
    op.__name__ = op.__qualname__ = name
    return op


# NumPy keeps the second operand on ties (maximum(-0.0, 0.0) is 0.0), torch the first: swap them.
maximum = _tensor_binary("maximum", MaximumBackward0, lambda a, b: np.maximum(b, a))
minimum = _tensor_binary("minimum", MinimumBackward0, lambda a, b: np.minimum(b, a))
atan2 = _tensor_binary("atan2", Atan2Backward0, np.arctan2, floating=True)
hypot = _tensor_binary("hypot", HypotBackward0, np.hypot, float_only=True)
logaddexp = _tensor_binary("logaddexp", LogaddexpBackward0, np.logaddexp, float_only=True)


# ----- lerp -----------------------------------------------------------------------------------

def _check_lerp_dtype(input: Tensor, value, argument: str) -> None:
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected dtype {_c_name(input.dtype)} for `{argument}` but got dtype "
                           f"{_c_name(value.dtype)}")


@quiet
def _lerp_kernel(start, end, weight):
    """torch's two-sided formula: from ``start`` for |weight| < 0.5, from ``end`` otherwise, each a fused
    multiply-add (vec::fmadd / fnmadd: the product unrounded, so a diff past the largest float scaled back into
    range stays finite); a wider type stands in for the fused step."""
    dtype = np.result_type(start, end)
    diff = end - start
    wide = np.longdouble if dtype == np.float64 else np.float64
    w = np.asarray(weight, dtype)
    small = start.astype(wide) + w.astype(wide) * diff.astype(wide)
    large = end.astype(wide) - diff.astype(wide) * (dtype.type(1) - w).astype(wide)
    return np.asarray(np.where(np.abs(w) < 0.5, small, large), dtype)


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    if not isinstance(input, Tensor):
        raise not_tensor("lerp", input)
    if not isinstance(end, Tensor) or not isinstance(weight, (Tensor, int, float)):
        raise invalid_arguments("lerp", (input, end, weight), OVERLOADS["lerp"])
    _check_lerp_dtype(input, end, "end")
    start, stop = input._data, end._data
    if start.dtype.kind != "f":
        raise not_implemented("lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar", start)
    if isinstance(weight, Tensor):
        if weight._data.ndim:   # (a 0-d weight of any dtype is taken, in the tensors' precision, as torch's)
            _check_lerp_dtype(input, weight, "weight")
        data = broadcast_apply(_lerp_kernel, start, stop, weight._data.astype(start.dtype, copy=False))
        return record(LerpBackward1, data, (input, end, weight), self=input, end=end, weight=weight)
    data = broadcast_apply(_lerp_kernel, start, stop, start.dtype.type(weight))  # weight in the tensors' precision
    return record(LerpBackward0, data, (input, end), weight=weight)


# ----- xlogy ---------------------------------------------------------------------------------

@formula_helper(name="xlogy")
@quiet
def _xlogy_kernel(x, y):
    """x * log(y), 0 where x is 0 (even for y = 0 or inf), NaN where y is NaN: torch's definition."""
    dtype = np.result_type(x, y)
    if dtype.kind != "f" or type(y) is float and np.asarray(x).dtype.kind != "f":
        dtype = _dtype.get_default_dtype().np  # (torch: integers and bools give the default float)
    y = np.asarray(y, dtype)  # (a Python number in the tensor's precision, as torch's Scalar overloads)
    out = np.where(x == 0, np.zeros((), dtype), np.multiply(x, np.log(y), dtype=dtype))
    return np.where(np.isnan(y), np.asarray(np.nan, dtype), out)


# torch's: xlogy(grad, other), masked to 0 where self is 0 and other is not positive
XlogyBackward0 = derivative("XlogyBackward0", self="where((self == 0) & (other <= 0), 0, xlogy(grad, other))",
                            other="grad * self / other")
XlogyBackward1 = derivative("XlogyBackward1", attrs="self", other="grad * self / other")
XlogyBackward2 = derivative("XlogyBackward2", attrs="other",
                            self="where((self == 0) & (other <= 0), 0, xlogy(grad, other))")


def xlogy(input, other) -> Tensor:
    """torch.xlogy (also torch.special.xlogy); a number ``other`` is torch's Scalar overload (one edge)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise invalid_arguments("xlogy", (input, other), OVERLOADS["xlogy"])
    a, b = operands("xlogy", input, other, floating=True)
    data = broadcast_apply(_xlogy_kernel, a, b)
    if not isinstance(input, Tensor):
        return record(XlogyBackward1, data, (other,), self=input, other=other)
    if not isinstance(other, Tensor):
        return record(XlogyBackward2, data, (input,), self=input, other=other)
    return record(XlogyBackward0, data, (input, other), self=input, other=other)


# ----- ops torch gives no derivative: a node named NotImplemented whose backward raises -----------------

@formula_helper(tensor="same")
def no_derivative(op: str):
    """The backward of an op torch gives no derivative (its node is named ``NotImplemented``)."""
    raise RuntimeError(f"derivative for {op} is not implemented")


def requiring_grad(*operands) -> tuple:
    """A node with no derivative has edges only to the inputs that require grad (torch's NotImplemented);
    inside a dual level the inputs carrying a tangent count too, so forward-mode AD meets the node and
    raises torch's NotImplementedError (autograd/forward_ad.py)."""
    if forward_ad.levels:
        return tuple(x for x in operands if isinstance(x, Tensor) and (
            x._requires_grad or forward_ad.tangent_of(x) is not None))
    return tuple(x for x in operands if isinstance(x, Tensor) and x._requires_grad)


_NO_DERIVATIVE: dict = {}


def no_derivative_node(op: str, edges: tuple):
    """The node for ``edges``: one input per edge, each formula raising torch's "not implemented"."""
    key = (op, len(edges))
    if key not in _NO_DERIVATIVE:
        _NO_DERIVATIVE[key] = derivative("NotImplemented",
                                         **{f"input{i}": f"no_derivative({op!r})" for i in range(len(edges))})
    return _NO_DERIVATIVE[key]


# ----- addcmul, addcdiv: self + value * t1 (* or /) t2 -------------------------------------------

AddcmulBackward0 = derivative("AddcmulBackward0", attrs="value", self="grad", tensor1="grad * (tensor2 * value)",
                              tensor2="grad * (tensor1 * value)")
AddcdivBackward0 = derivative("AddcdivBackward0", attrs="value", self="grad", tensor1="grad * (value / tensor2)",
                              tensor2="-grad * (value * tensor1 / (tensor2 * tensor2))")


def _three_operands(name: str, input, tensor1, tensor2) -> list:
    """The three tensors' arrays in their promoted dtype (torch.result_type of all three)."""
    for t in (input, tensor1, tensor2):
        if not isinstance(t, Tensor):
            raise not_tensor(name, t)
    dt = _dtype.result_type(input, tensor1, tensor2).np
    return [t._data.astype(dt, copy=False) for t in (input, tensor1, tensor2)]


@quiet
def _addc_kernel(op, a, b, c, value):
    """torch's kernels: self + value * t1 * t2, and self + value * t1 / t2 (value in the operands' type)."""
    scaled = b * a.dtype.type(value) if a.dtype.kind == "f" else b * value
    if op is np.multiply and a.dtype.kind == "f":
        # torch's compiled kernel fuses it: fma(value * t1, t2, self), the product unrounded (so inf + a product
        # past the largest float is inf, not NaN); a wider type stands in for the fused step
        wide = np.longdouble if a.dtype == np.float64 else np.float64
        return (a.astype(wide) + scaled.astype(wide) * c.astype(wide)).astype(a.dtype)
    return a + op(scaled, c)


@argument_types
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
    a, b, c = _three_operands("addcmul", input, tensor1, tensor2)
    data = broadcast_apply(lambda *x: _addc_kernel(np.multiply, *x, value), a, b, c)
    return record(AddcmulBackward0, data, (input, tensor1, tensor2), tensor1=tensor1, tensor2=tensor2, value=value)


@argument_types
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
    a, b, c = _three_operands("addcdiv", input, tensor1, tensor2)
    if b.dtype.kind in "biu" and c.dtype.kind in "biu":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
                           "tensor2), for all dtypes.")
    data = broadcast_apply(lambda *x: _addc_kernel(np.true_divide, *x, value), a, b, c)
    return record(AddcdivBackward0, data, (input, tensor1, tensor2), tensor1=tensor1, tensor2=tensor2, value=value)


# ----- copysign, logaddexp2, heaviside, ldexp, float_power ----------------------------------------

def _copysign_self_backward_tensor(grad, self, result):
    return grad * (result / self).masked_fill(self == 0, 0)


@formula_helper(tensor=_copysign_self_backward_tensor)
def copysign_self_backward(grad, self, result):
    """torch's: grad * result / self, 0 where self is 0."""
    return grad * np.where(self == 0, 0, result / self)


CopysignBackward0 = derivative("CopysignBackward0", self="copysign_self_backward(grad, self, result)",
                               other="zeros_like(other)")
CopysignBackward1 = derivative("CopysignBackward1", self="copysign_self_backward(grad, self, result)")
Logaddexp2Backward0 = derivative("Logaddexp2Backward0", self="grad / (1 + exp2(other - self))",
                                 other="grad / (1 + exp2(self - other))")
# torch's self formula is grad * pow(2, other): for an integer ``other`` that power is an integer, 0 below 0;
# other's reads the result, which torch's node saves whichever input requires grad (an in-place edit of it
# breaks the backward, measured)
LdexpBackward0 = derivative("LdexpBackward0", attrs="integral",
                            self="grad * exp2(other) * (other >= 0) if integral else grad * exp2(other)",
                            other="grad * result * 0.6931471805599453")


def copysign(input: Tensor, other) -> Tensor:
    a, b = operands("copysign", input, other, floating=True)
    data = broadcast_apply(quiet(np.copysign), a, b)
    if isinstance(other, Tensor):
        return record(CopysignBackward0, data, (input, other), self=input, other=other)
    return record(CopysignBackward1, data, (input,), self=input)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    a, b = operands("logaddexp2", input, other, floating=True)
    return record(Logaddexp2Backward0, broadcast_apply(quiet(np.logaddexp2), a, b), (input, other), self=input,
                  other=other)


def _heaviside(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """torch's kernel: values where x == 0, else x > 0 (so NaN gives 0; NumPy's heaviside gives NaN)."""
    return np.where(x == 0, values, x > 0)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 below 0, ``values`` at 0, 1 above; torch has no derivative (its node is NotImplemented)."""
    if not isinstance(values, Tensor):
        raise not_tensor("heaviside", values)
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    edges = requiring_grad(input, values)
    data = broadcast_apply(_heaviside, input._data, values._data).astype(input._data.dtype, copy=False)
    return record(no_derivative_node("aten::heaviside", edges), data, edges)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2 ** other, in the floating type of the two."""
    a, b = operands("ldexp", input, other, floating=True)
    integral = not isinstance(other, Tensor) or other._data.dtype.kind in "biu"
    return record(LdexpBackward0, broadcast_apply(_ldexp_kernel, a, b), (input, other), self=input, other=other,
                  integral=integral)


@quiet
def _ldexp_kernel(x, y):
    return np.multiply(x, np.exp2(y))


# ----- where ---------------------------------------------------------------------------------

WHERE_OVERLOADS = ("Tensor condition", "Tensor condition, Tensor input, Tensor other, *, Tensor out = None",
                   "Tensor condition, Number self, Tensor other", "Tensor condition, Tensor input, Number other",
                   "Tensor condition, Number self, Number other")


def where(condition: Tensor, input=None, other=None):
    """Elementwise choice; the unselected branch gets a zero gradient (so 0 * inf stays out of it).
    With the condition alone, the indices where it holds (``nonzero(as_tuple=True)``).  A NumPy condition
    is refused, as torch's parser refuses it (the formulas' masks go through ``_where_masked``)."""
    if not isinstance(condition, Tensor):
        if input is None and other is None:
            raise not_tensor("where", condition, "condition")
        raise invalid_arguments("where", (condition, input, other), WHERE_OVERLOADS)
    return _where_masked(condition, input, other)


def _where_masked(condition, input=None, other=None):
    """``where`` taking a NumPy condition too: the formulas over tensors call it with their saved masks."""
    if not isinstance(condition, (Tensor, np.ndarray, np.generic)) or (input is None) != (other is None):
        if input is None and other is None:
            raise not_tensor("where", condition, "condition")
        raise invalid_arguments("where", (condition, input, other), WHERE_OVERLOADS)
    cond = data_of(condition)
    if input is None and other is None:
        if not isinstance(condition, Tensor):
            raise not_tensor("where", condition, "condition")
        return tuple(Tensor._make(i, False, None) for i in np.nonzero(np.atleast_1d(cond)))
    if np.asarray(cond).dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{scalar_type_name(_dtype.from_numpy_dtype(np.asarray(cond).dtype))}")
    a, b = operands("where", input, other)
    for value in (input, other):   # (a number: torch's checked conversion into the result's dtype)
        if not isinstance(value, Tensor):
            check_scalar_fits(value, np.result_type(a, b))
    data = broadcast_apply(np.where, cond, a, b)
    if type(data) is np.ndarray and data.ndim > 1:
        data = elementwise_layout(data, cond, a, b)   # (torch's output layout: the condition's first)
    out = record(WhereBackward0, data, (input, other), condition=cond, operand=condition)
    return read_from(out, condition=condition) if isinstance(condition, Tensor) else out


formula_helper(_array_where, tensor=_where_masked, name="where")   # (over tensors: a saved mask is an ndarray)


# ----- comparisons and logical ops: no gradient, bool results ----------------------------------

def _comparison(name: str, ufunc):
    def compare(input, other) -> Tensor:
        if name.startswith("logical") and not isinstance(other, Tensor):   # torch takes no number here
            raise not_tensor(name, other, "other", 2)
        a, b = operands(name, input, other)
        return Tensor._make(np.asarray(broadcast_apply(ufunc, a, b)), False, None)
    compare.__name__ = compare.__qualname__ = name
    return compare


eq, ne, lt, le, gt, ge = (_comparison(n, f) for n, f in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                                                         ("le", np.less_equal), ("gt", np.greater),
                                                         ("ge", np.greater_equal)))
logical_and, logical_or, logical_xor = (_comparison(n, f) for n, f in (("logical_and", np.logical_and),
                                                                       ("logical_or", np.logical_or),
                                                                       ("logical_xor", np.logical_xor)))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _bitwise(ufunc):
    def op(input, other) -> Tensor:
        a, b = binary_operands(input, other)
        if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":   # torch's class and dtype name
            broadcast_apply(np.broadcast, a, b)   # (the shapes first, as torch)
            raise not_implemented(f"{ufunc.__name__}_cpu", a if np.asarray(a).dtype.kind == "f" else b)
        return Tensor._make(np.asarray(broadcast_apply(ufunc, a, b)), False, None)
    op.__name__ = ufunc.__name__
    return op


bitwise_and, bitwise_or, bitwise_xor = _bitwise(np.bitwise_and), _bitwise(np.bitwise_or), _bitwise(np.bitwise_xor)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data), False, None)


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise not_implemented("bitwise_not_cpu", input._data)
    return Tensor._make(np.invert(input._data), False, None)


def _invert(input: Tensor) -> Tensor:
    """``~x``: Python's operator refuses a floating tensor with a TypeError before torch's kernel is asked."""
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(input)


def _pos(self: Tensor) -> Tensor:
    return self


_rdiv_dunder = operator(_rdiv)
_eq_dunder = operator(eq)


def _eq_operator(self, other):
    """``a == array`` (either order) is NumPy's elementwise comparison, a tensor without a graph, as in
    torch; ``!=`` and the orderings refuse the array (Python then compares identities or raises)."""
    if isinstance(other, np.ndarray):
        return Tensor._make(np.asarray(np.equal(other, self._data)), False, None)
    return _eq_dunder(self, other)


def _rpow(self, other) -> Tensor:
    return pow(other, self)


def _method_where(self, condition, other) -> Tensor:
    return where(condition, self, other)


# ----- zero_, fill_, copy_: in-place writes of a value (the ops their histories record) -------------

def zeros_like_op(t: Tensor) -> Tensor:
    return record(ZeroBackward0, np.zeros_like(t._data), (t,))


def fill_op(t: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        return record(FillBackward3, np.full_like(t._data, value._data), (t, value))
    return record(FillBackward2, np.full_like(t._data, value), (t,))


@quiet
def _cast_copy(data: np.ndarray, dtype) -> np.ndarray:
    """A copy of ``data`` in ``dtype``, silently as torch casts (a float64 subnormal into float32 is 0)."""
    return data.astype(dtype)


def copy_op(t: Tensor, src) -> Tensor:
    src_data = data_of(src)
    try:
        data = _cast_copy(np.broadcast_to(src_data, t._data.shape), t._data.dtype)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({t._data.shape[-1] if t._data.ndim else 1}) must match the size "
                           f"of tensor b ({np.shape(src_data)[-1] if np.ndim(src_data) else 1}) at non-singleton "
                           f"dimension {t._data.ndim - 1}") from None
    return record(CopyBackwards, data, (t, src), src=src)


def _zero_(self: Tensor) -> Tensor:
    if self._base is None and not (self._requires_grad and _grad_state.enabled) and not _fw_levels:
        # what _inplace does here (nothing to refuse or record), without building a zeros tensor:
        # optimizer.zero_grad()'s common case
        self._data.fill(0)
        return self._written()
    return self._inplace(zeros_like_op)


def _fill_(self: Tensor, value) -> Tensor:
    return self._inplace(fill_op, value)


def _copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    if src is not self:
        check_no_partial_overlap(self, (src,))
    return self._inplace(copy_op, src)


methods(zero_=_zero_, fill_=_fill_, copy_=_copy_)
_add_, _sub_, _mul_ = (elementwise_inplace(add, np.add), elementwise_inplace(sub, np.subtract),
                       elementwise_inplace(mul, np.multiply))
_div_, _pow_ = elementwise_inplace(div, _true_divide), elementwise_inplace(pow)  # pow_: torch's shortcuts, no ufunc
methods(xlogy=xlogy, xlogy_=elementwise_inplace(xlogy), addcmul=addcmul, addcmul_=elementwise_inplace(addcmul),
        addcdiv=addcdiv, addcdiv_=elementwise_inplace(addcdiv), copysign=copysign,
        copysign_=elementwise_inplace(copysign), logaddexp2=logaddexp2,
        heaviside=heaviside, heaviside_=elementwise_inplace(heaviside), ldexp=ldexp,
        ldexp_=inplace_method(ldexp))
methods(
    add=add, add_=_add_, sub=sub, subtract=sub, sub_=_sub_, subtract_=_sub_, mul=mul, multiply=mul, mul_=_mul_,
    multiply_=_mul_, div=div, divide=div, true_divide=div, div_=_div_, divide_=_div_, true_divide_=_div_,
    pow=pow, pow_=_pow_, square=square, square_=inplace_method(square),
    maximum=maximum, minimum=minimum, atan2=atan2, arctan2=atan2, atan2_=elementwise_inplace(atan2),
    arctan2_=inplace_method(atan2), hypot=hypot, hypot_=elementwise_inplace(hypot), logaddexp=logaddexp,
    lerp=lerp, lerp_=elementwise_inplace(lerp), where=_method_where, __pos__=_pos,
    __add__=operator(add), __radd__=operator(add), __iadd__=inplace_operator(add, np.add),
    __sub__=operator(sub), __rsub__=operator(rsub), __isub__=inplace_operator(sub, np.subtract),
    __mul__=operator(mul), __rmul__=operator(mul), __imul__=inplace_operator(mul, np.multiply),
    __truediv__=operator(div), __div__=operator(div), __rtruediv__=_rdiv_operator, __rdiv__=_rdiv_operator,
    __itruediv__=inplace_operator(div, _true_divide), __idiv__=inplace_operator(div, _true_divide),
    __pow__=operator(pow), __rpow__=operator(_rpow), __ipow__=inplace_operator(pow),
    __eq__=_eq_operator, __ne__=operator(ne), __lt__=operator(lt), __le__=operator(le), __gt__=operator(gt),
    __ge__=operator(ge),
    eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge,
    greater=gt, greater_equal=ge, less=lt, less_equal=le, not_equal=ne,
    logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor, logical_not=logical_not,
    __and__=operator(bitwise_and), __or__=operator(bitwise_or), __xor__=operator(bitwise_xor),
    __rand__=operator(bitwise_and), __ror__=operator(bitwise_or),
    __rxor__=operator(bitwise_xor), __invert__=_invert, bitwise_not=bitwise_not,
)
true_divide = divide = div
subtract, multiply, arctan2 = sub, mul, atan2
square_ = inplace_method(square)
__all__ = ["xlogy", "addcmul", "addcdiv", "copysign", "logaddexp2", "heaviside", "ldexp", "add", "sub", "subtract",
           "rsub", "mul", "multiply", "div", "divide", "true_divide", "pow", "square",
           "square_", "maximum", "minimum", "atan2", "arctan2", "hypot", "logaddexp", "lerp", "where",
           "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
           "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not"]
