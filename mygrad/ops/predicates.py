"""Predicates and tests on values: isnan, isinf, isposinf, isneginf, isfinite, isreal, signbit, any, all,
isclose, allclose, equal; the integer shifts; nan_to_num.

Everything here but nan_to_num returns bool (or, for ``any``/``all`` of uint8, uint8) tensors or
Python bools that never require grad, as torch's.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import binary_operands, check_broadcast, inplace_method, methods, record
from ._errors import not_implemented, not_tensor
from .elementwise import bitwise_and, bitwise_or, bitwise_xor
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


methods(isnan=isnan, isinf=isinf, isposinf=isposinf, isneginf=isneginf, isfinite=isfinite, isreal=isreal,
        signbit=signbit, any=any, all=all, isclose=isclose, allclose=allclose, equal=equal,
        bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
        __lshift__=_lshift_operator, __rshift__=_rshift_operator, nan_to_num=nan_to_num,
        nan_to_num_=inplace_method(nan_to_num), bitwise_and=bitwise_and, bitwise_or=bitwise_or,
        bitwise_xor=bitwise_xor)
__all__ = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit", "any", "all", "isclose",
           "allclose", "equal", "bitwise_left_shift", "bitwise_right_shift", "nan_to_num"]
