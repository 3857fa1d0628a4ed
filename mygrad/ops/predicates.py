"""Predicates and tests on values: isnan, isinf, isposinf, isneginf, isfinite, isreal, signbit, any, all,
isclose, allclose, equal; the integer shifts; nan_to_num; the in-place comparisons, logical and bitwise ops.

Everything here but nan_to_num returns bool (or, for ``any``/``all`` of uint8, uint8) tensors or
Python bools that never require grad, as torch's.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _check_cast, _check_output_shape
from ..autograd import forward_ad, grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import binary_operands, check_broadcast, inplace_method, methods, record
from ._errors import invalid_arguments, not_implemented, not_tensor
from .elementwise import (
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    eq,
    ge,
    gt,
    le,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
)
from .reductions import normalize_dims


def _bools(data) -> Tensor:
    return Tensor._make(np.asarray(data, dtype=np.bool_), False, None)


def _check_tensor(name: str, input, argument: str = "input", position: int = 1) -> None:
    if not isinstance(input, Tensor):
        raise not_tensor(name, input, argument, position)


def _type(data: np.ndarray) -> str:
    from .._tensor_str import scalar_type_name
    return scalar_type_name(_dtype.from_numpy_dtype(data.dtype))


# ----- elementwise tests -----------------------------------------------------------------------------

def _test(name: str, float_test, other_value: bool = False):
    """A bool test of each element: ``float_test`` on floating tensors; integers and bools are
    finite and real, never NaN or infinite."""
    def test(input: Tensor) -> Tensor:
        _check_tensor(name, input)
        data = input._data
        if data.dtype.kind == "f":
            return _bools(float_test(data))
        return _bools(np.full(data.shape, other_value))
    test.__name__ = test.__qualname__ = name
    return test


isnan = _test("isnan", np.isnan)
isinf = _test("isinf", np.isinf)
isposinf = _test("isposinf", np.isposinf)
isneginf = _test("isneginf", np.isneginf)
isfinite = _test("isfinite", np.isfinite, True)
isreal = _test("isreal", lambda d: np.ones(d.shape, bool), True)


def signbit(input: Tensor) -> Tensor:
    _check_tensor("signbit", input)
    data = input._data
    return _bools(np.signbit(data) if data.dtype.kind in "fi" else np.zeros(data.shape, bool))


formula_helper(np.isfinite, name="isfinite")


# ----- any, all -------------------------------------------------------------------------------------

def _any_all(name: str, np_reduce):
    def reduce(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
        _check_tensor(name, input)
        data = input._data
        out_dtype = np.uint8 if data.dtype == np.uint8 else np.bool_
        if isinstance(dim, (tuple, list)) and not dim:   # dim=(): torch reduces nothing
            return Tensor._make(np.asarray(data != 0, dtype=out_dtype), False, None)
        if dim is None:
            out = np_reduce(data != 0, axis=None, keepdims=keepdim) if data.ndim else np.asarray(data != 0)
        else:
            dims = normalize_dims(input, dim)
            out = np_reduce(data != 0, axis=dims, keepdims=keepdim) if data.ndim else np.asarray(data != 0)
        return Tensor._make(np.asarray(out, dtype=out_dtype), False, None)
    reduce.__name__ = reduce.__qualname__ = name
    return reduce


any = _any_all("any", np.any)   # noqa: A001  (torch's names)
all = _any_all("all", np.all)   # noqa: A001


# ----- isclose, allclose, equal ------------------------------------------------------------------

def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other| (computed in the tensors' dtype), or equal; NaNs equal
    each other only with ``equal_nan``."""
    _check_tensor("isclose", input)
    _check_tensor("isclose", other, "other", 2)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_type(a)} did not match {_type(b)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    check_broadcast(a, b)
    close = a == b
    if a.dtype == np.bool_:
        return _bools(close)
    if a.dtype.kind != "f":
        a, b = a.astype(_dtype.get_default_dtype().np), b.astype(_dtype.get_default_dtype().np)
    t = a.dtype.type
    with np.errstate(all="ignore"):   # inf - inf, underflow of rtol * other: torch's kernel is silent
        if equal_nan:
            close = close | (np.isnan(a) & np.isnan(b))
        allowed = t(atol) + np.abs(t(rtol) * b)
        actual = np.abs(a - b)
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return _bools(close)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Same shape and the same values (after promotion; NaN equals nothing)."""
    _check_tensor("equal", input)
    _check_tensor("equal", other, "other", 2)
    if input._data.shape != other._data.shape:
        return False
    return bool(np.array_equal(input._data, other._data))


# ----- shifts ---------------------------------------------------------------------------------------

def _shift(name: str, kernel: str, left: bool):
    """Integer shifts, torch's rule past the width (and for a negative amount): left gives 0, right gives the
    sign fill."""
    def shift(input, other) -> Tensor:
        a, b = binary_operands(input, other)
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            raise not_implemented(kernel, a if a.dtype.kind == "f" else b)
        if isinstance(input, Tensor) and isinstance(other, Tensor):
            check_broadcast(a, b)
        bits = a.dtype.itemsize * 8
        if a.dtype == np.bool_:
            a, b = a.astype(np.uint8), b.astype(np.uint8)
            bits = 8
        amount = np.clip(b, 0, bits - 1).astype(a.dtype)
        if b.dtype.kind == "i":
            amount = np.where(b < 0, bits - 1, amount).astype(a.dtype)
        if left:
            out = np.where((b >= bits) | (b < 0), 0, np.left_shift(a, amount)).astype(a.dtype)
        else:
            out = np.right_shift(a, amount).astype(a.dtype)
        return Tensor._make(np.asarray(out), False, None)
    shift.__name__ = shift.__qualname__ = name
    return shift


bitwise_left_shift = _shift("bitwise_left_shift", "lshift_cpu", True)
bitwise_right_shift = _shift("bitwise_right_shift", "rshift_cpu", False)


def _rshift_operator(self, other):
    return bitwise_right_shift(self, other) if isinstance(other, (Tensor, int, bool, float)) else NotImplemented


def _lshift_operator(self, other):
    return bitwise_left_shift(self, other) if isinstance(other, (Tensor, int, bool, float)) else NotImplemented


def _rlshift_operator(self, other):
    """``3 << t``: torch's reflected shift, the number shifted by the tensor's values."""
    return bitwise_left_shift(other, self) if isinstance(other, (int, bool, float)) else NotImplemented


def _rrshift_operator(self, other):
    return bitwise_right_shift(other, self) if isinstance(other, (int, bool, float)) else NotImplemented


# ----- nan_to_num ------------------------------------------------------------------------------------

NanToNumBackward0 = derivative("NanToNumBackward0", self="grad * isfinite(self)")


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest finite values by
    default); the gradient passes where the input was finite."""
    _check_tensor("nan_to_num", input)
    data = input._data
    if data.dtype.kind != "f":
        return Tensor._make(data.copy(), False, None)
    info = np.finfo(data.dtype)
    out = np.nan_to_num(data, nan=nan, posinf=info.max if posinf is None else posinf,
                        neginf=info.min if neginf is None else neginf)
    return record(NanToNumBackward0, np.asarray(out, data.dtype), (input,), self=input)


# ----- in place: eq_ ... ge_, logical_*_, bitwise_*_ ----------------------------------------------------
# The result is written in self's dtype.  A comparison records EqBackward0 (a number) / EqBackward1 (a tensor)
# ... whose gradients are zeros, as torch's (so eq_ on a leaf that requires grad is refused); the logical
# and bitwise ops record nothing: torch leaves the tensor's history as it was (even on such a leaf) and only
# bumps its version.  The bitwise ops refuse a result type self cannot hold before their kernel runs.

_COMPARISON_NODES = {
    name: (derivative(f"{name.capitalize()}Backward0", attrs="self_meta", self="zeros_of(self_meta)"),
           derivative(f"{name.capitalize()}Backward1", attrs="self_meta other_meta", self="zeros_of(self_meta)",
                      other="zeros_of(other_meta)"))
    for name in ("eq", "ne", "lt", "le", "gt", "ge")}
# torch's tangent of an in-place comparison: zeros where self has a tangent, none from other's alone
forward_ad.IGNORED.update({backward1.__name__: ("other",) for _, backward1 in _COMPARISON_NODES.values()})


def _meta(x: Tensor) -> tuple:
    return x._data.shape, x._data.dtype


def _comparison_inplace(name: str, compare):
    def op(input: Tensor, other) -> Tensor:
        data = compare(input, other)._data.astype(input._data.dtype)
        tensor_other = isinstance(other, Tensor)
        node = _COMPARISON_NODES[name][tensor_other]
        if tensor_other:
            return record(node, data, (input, other), self_meta=_meta(input), other_meta=_meta(other))
        return record(node, data, (input,), self_meta=_meta(input))
    op.__name__ = name
    return inplace_method(op)


def _untracked_inplace(op, kernel: str | None = None):
    """``self.op_(...)`` written without a history (torch's logical and bitwise in-place ops)."""
    def method(self: Tensor, *args) -> Tensor:
        if op.__name__.startswith("logical") and args and not isinstance(args[0], Tensor):
            raise not_tensor(method.__name__, args[0], "other", 1)
        if kernel is not None:
            if args and not isinstance(args[0], (Tensor, bool, int, float, complex, np.number)):
                raise invalid_arguments(method.__name__, args[:1], ("Tensor other", "Number other"))
            if args:
                _check_cast(self, args[0])
                _check_output_shape(self, np.shape(args[0]._data if isinstance(args[0], Tensor) else args[0]))
            if self._data.dtype.kind == "f":
                raise not_implemented(kernel, self._data)
        tangent = forward_ad.tangent_of(self) if forward_ad.levels else None
        with grad_mode.no_grad():
            if tangent is None:
                return self._inplace(op, *args)
            forward_ad._busy.on = True   # the write keeps the tangent torch's untracked op leaves as it was
            try:
                return self._inplace(op, *args)
            finally:
                forward_ad._busy.on = False
    method.__name__ = op.__name__ + "_"
    return method


def _bitwise_not(input: Tensor) -> Tensor:
    return Tensor._make(np.invert(input._data), False, None)


_bitwise_not.__name__ = "bitwise_not"

methods(eq_=_comparison_inplace("eq", eq), ne_=_comparison_inplace("ne", ne), lt_=_comparison_inplace("lt", lt),
        le_=_comparison_inplace("le", le), gt_=_comparison_inplace("gt", gt), ge_=_comparison_inplace("ge", ge),
        logical_and_=_untracked_inplace(logical_and), logical_or_=_untracked_inplace(logical_or),
        logical_xor_=_untracked_inplace(logical_xor), logical_not_=_untracked_inplace(logical_not),
        bitwise_and_=_untracked_inplace(bitwise_and, "bitwise_and_cpu"),
        bitwise_or_=_untracked_inplace(bitwise_or, "bitwise_or_cpu"),
        bitwise_xor_=_untracked_inplace(bitwise_xor, "bitwise_xor_cpu"),
        bitwise_not_=_untracked_inplace(_bitwise_not, "bitwise_not_cpu"),
        bitwise_left_shift_=_untracked_inplace(bitwise_left_shift, "lshift_cpu"),
        bitwise_right_shift_=_untracked_inplace(bitwise_right_shift, "rshift_cpu"))
methods(greater_=Tensor.gt_, greater_equal_=Tensor.ge_, less_=Tensor.lt_, less_equal_=Tensor.le_,
        not_equal_=Tensor.ne_)

methods(isnan=isnan, isinf=isinf, isposinf=isposinf, isneginf=isneginf, isfinite=isfinite, isreal=isreal,
        signbit=signbit, any=any, all=all, isclose=isclose, allclose=allclose, equal=equal,
        bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
        __lshift__=_lshift_operator, __rshift__=_rshift_operator, __rlshift__=_rlshift_operator,
        __rrshift__=_rrshift_operator, nan_to_num=nan_to_num,
        nan_to_num_=inplace_method(nan_to_num), bitwise_and=bitwise_and, bitwise_or=bitwise_or,
        bitwise_xor=bitwise_xor)
__all__ = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit", "any", "all", "isclose",
           "allclose", "equal", "bitwise_left_shift", "bitwise_right_shift", "nan_to_num"]
