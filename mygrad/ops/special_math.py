"""torch's special and floating-point functions outside the unary table's shape: the modified Bessel
functions (``i0``, ``special.i0e/i1/i1e``), the normal distribution's ``special.ndtr/ndtri/log_ndtr``,
``special.erfcx``, ``special.entr``, ``special.xlog1py``, ``mvlgamma`` (``special.multigammaln``),
``float_power``, ``frexp`` and ``nextafter``.

Node names and derivative lines are torch's (derivatives.yaml; ``i1_backward``/``i1e_backward`` guard
x = 0, where the limit is 1/2).  ``ndtr`` is a composite in torch, so it is one here: its graph is
torch's four nodes.  Kernels live in ``_special.py``.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from . import _special
from ._define import elementwise_inplace, inplace_method, methods, record, record_multi
from ._errors import not_tensor
from ._scalar import add_scalar, mul_scalar
from .elementwise import broadcast_apply, operands, pow
from .unary import Unary, _function, erf

# ----- unary special functions -----------------------------------------------------------------------


def _eps_guard(self, value, fallback):
    """torch's guard for i1/i1e's backward: ``value`` where |x| > eps, else ``fallback`` (the limit)."""
    return np.where(np.abs(self) > np.finfo(self.dtype).eps, value, fallback)


def _i1_backward_tensor(grad, self, result):
    eps = np.finfo(self._data.dtype).eps
    tiny = (self.abs() > eps).logical_not()  # (NaN too: torch takes the limit's branch for it)
    safe = self.masked_fill(tiny, eps)
    return grad * (i0(safe) - result * safe.reciprocal()).masked_fill(tiny, 0.5)


@formula_helper(tensor=_i1_backward_tensor, name="i1_backward")
@quiet
def _i1_backward(grad, self, result):
    safe = np.where(np.abs(self) > np.finfo(self.dtype).eps, self, np.finfo(self.dtype).eps)
    return grad * _eps_guard(self, np.i0(safe).astype(self.dtype) - result / safe, 0.5)


def _i1e_backward_tensor(grad, self, result):
    eps = np.finfo(self._data.dtype).eps
    tiny = (self.abs() > eps).logical_not()
    safe = self.masked_fill(tiny, eps)
    return grad * (i0e(safe) - result * (safe.sign() + safe.reciprocal())).masked_fill(tiny, 0.5)


@formula_helper(tensor=_i1e_backward_tensor, name="i1e_backward")
@quiet
def _i1e_backward(grad, self, result):
    safe = np.where(np.abs(self) > np.finfo(self.dtype).eps, self, np.finfo(self.dtype).eps)
    slope = _special.bessel_i(safe, 0, True) - result * (np.sign(safe) + 1 / safe)
    return grad * _eps_guard(self, slope, 0.5)


formula_helper(quiet(np.i0), name="i0")  # (over tensors: mygrad.i0)
# over tensors: the ops the table below makes (looked up when a formula calls them)
formula_helper(lambda x: _special.bessel_i(x, 1, False), tensor=lambda x: i1(x),  # type: ignore[has-type]
               name="special_i1")
formula_helper(lambda x: _special.bessel_i(x, 1, True), tensor=lambda x: i1e(x),  # type: ignore[has-type]
               name="special_i1e")
formula_helper(lambda x: _special.bessel_i(x, 0, True), tensor=lambda x: i0e(x),  # type: ignore[has-type]
               name="special_i0e")


def _i0_kernel(x: np.ndarray) -> np.ndarray:
    return np.i0(x).astype(x.dtype, copy=False)


_SQRT_2PI = math.sqrt(2 * math.pi)
SPECIAL = (  # torch.special.<name> (and i0 also as torch.i0 and Tensor.i0 / i0_)
    Unary("i0", quiet(_i0_kernel), "I0Backward0", "grad * special_i1(self)"),
    Unary("i0e", lambda x: _special.bessel_i(x, 0, True), "SpecialI0EBackward0",
          "grad * (special_i1e(self) - sign(self) * result)"),
    Unary("i1", lambda x: _special.bessel_i(x, 1, False), "SpecialI1Backward0", "i1_backward(grad, self, result)"),
    Unary("i1e", lambda x: _special.bessel_i(x, 1, True), "SpecialI1EBackward0", "i1e_backward(grad, self, result)"),
    Unary("ndtri", _special.ndtri, "SpecialNdtriBackward0", f"grad * {_SQRT_2PI!r} * exp(result * result / 2)"),
    Unary("log_ndtr", _special.log_ndtr, "SpecialLogNdtrBackward0",
          f"grad / {_SQRT_2PI!r} * exp(-(result + self ** 2 / 2))"),
    Unary("erfcx", _special.erfcx, "SpecialErfcxBackward0",
          f"(2.0 * self * result - {2 / math.sqrt(math.pi)!r}) * grad"),
    Unary("entr", quiet(lambda x: np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)),
                                           np.where(x == 0, 0, np.where(np.isnan(x), x, -np.inf))).astype(x.dtype)),
          "SpecialEntrBackward0", "grad * -(1 + log(self))"),
)
_SPECIAL = {spec.name: _function(spec, derivative(spec.node, self=spec.formula)) for spec in SPECIAL}
i0, i0e, i1, i1e = _SPECIAL["i0"], _SPECIAL["i0e"], _SPECIAL["i1"], _SPECIAL["i1e"]
ndtri, log_ndtr, erfcx, entr = _SPECIAL["ndtri"], _SPECIAL["log_ndtr"], _SPECIAL["erfcx"], _SPECIAL["entr"]
methods(i0=i0, i0_=inplace_method(i0))


def ndtr(input: Tensor) -> Tensor:
    """torch's composite: (1 + erf(x / sqrt 2)) * 0.5, so its graph is Mul <- Add <- Erf <- Mul."""
    if not isinstance(input, Tensor):
        raise not_tensor("special_ndtr", input)
    return mul_scalar(add_scalar(erf(mul_scalar(input, 0.7071067811865476)), 1), 0.5)


# ----- xlog1py --------------------------------------------------------------------------------------

@formula_helper(tensor=lambda *args, **kwargs: xlog1py(*args, **kwargs), name="xlog1py")
@quiet
def _xlog1py_kernel(x, y):
    """x * log1p(y), 0 where x is 0 (whatever y), NaN where y is NaN: torch's definition."""
    dtype = np.result_type(x, y)
    if dtype.kind != "f" or type(y) is float and np.asarray(x).dtype.kind != "f":
        dtype = _dtype.get_default_dtype().np
    y = np.asarray(y, dtype)
    out = np.where(x == 0, np.zeros((), dtype), np.multiply(x, np.log1p(y), dtype=dtype))
    return np.where(np.isnan(y), np.asarray(np.nan, dtype), out)


# torch's: xlog1py(grad, other), masked to 0 where self is 0 and other <= -1 (as xlogy's at other <= 0)
_XLOG1PY_SELF = "where((self == 0) & (other <= -1), 0, xlog1py(grad, other))"
SpecialXlog1PyBackward0 = derivative("SpecialXlog1PyBackward0", self=_XLOG1PY_SELF, other="grad * self / (other + 1)")
SpecialXlog1PyBackward1 = derivative("SpecialXlog1PyBackward1", attrs="self", other="grad * self / (other + 1)")
SpecialXlog1PyBackward2 = derivative("SpecialXlog1PyBackward2", attrs="other", self=_XLOG1PY_SELF)


def xlog1py(input, other) -> Tensor:
    """torch.special.xlog1py; a number on either side is torch's Scalar overload (one edge)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"special_xlog1py() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")
    a, b = operands("special_xlog1py", input, other, floating=True)
    data = broadcast_apply(_xlog1py_kernel, a, b)
    if not isinstance(input, Tensor):
        return record(SpecialXlog1PyBackward1, data, (other,), self=input, other=other)
    if not isinstance(other, Tensor):
        return record(SpecialXlog1PyBackward2, data, (input,), self=input, other=other)
    return record(SpecialXlog1PyBackward0, data, (input, other), self=input, other=other)


# ----- mvlgamma -------------------------------------------------------------------------------------

def _mvlgamma_shifts(p: int, dtype) -> np.ndarray:
    """torch's arange(-p/2 + 1/2, 1/2, 1/2), added to x in that order: the shift 0 comes last and is +0.0, so
    x = -0.0 gives +0.0 + -0.0 = +0.0 (digamma -inf, lgamma +inf), and the sum over j runs in torch's order."""
    return ((np.arange(p) - (p - 1)) / 2).astype(dtype)


def _mvlgamma_backward_tensor(grad, self, p):
    from .shape import unsqueeze
    from .unary import digamma
    shifts = Tensor._make(_mvlgamma_shifts(p, self._data.dtype), False, None)
    return grad * digamma(shifts + unsqueeze(self, -1)).sum(-1)


@formula_helper(tensor=_mvlgamma_backward_tensor, name="mvlgamma_backward")
def _mvlgamma_backward(grad, self, p):
    digammas = _special.digamma(_mvlgamma_shifts(p, self.dtype) + self[..., None])
    return grad * digammas.sum(-1).astype(self.dtype, copy=False)


MvlgammaBackward0 = derivative("MvlgammaBackward0", attrs="p", self="mvlgamma_backward(grad, self, p)")


@quiet
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """log of the multivariate gamma function: p(p-1)/4 log(pi) + sum_j lgamma(x - j/2), j < p."""
    if not isinstance(input, Tensor):
        raise not_tensor("mvlgamma", input)
    if input._data.dtype == np.bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    data = input._data if input._data.dtype.kind == "f" else input._data.astype(_dtype.get_default_dtype().np)
    out = (_special.lgamma(_mvlgamma_shifts(p, data.dtype) + data[..., None]).sum(-1)
           + data.dtype.type(p * (p - 1) / 4 * math.log(math.pi)))
    return record(MvlgammaBackward0, np.asarray(out, data.dtype), (input,), self=input, p=p)


def _mvlgamma_method(self: Tensor, p: int) -> Tensor:
    return mvlgamma(self, p)


methods(mvlgamma=_mvlgamma_method, mvlgamma_=inplace_method(_mvlgamma_method))


# ----- float_power, frexp, nextafter ----------------------------------------------------------------

def _as_double(x):
    if isinstance(x, Tensor):
        return x.to(_dtype.float64)
    if isinstance(x, (bool, int, float)):
        return float(x)
    return x


def float_power(input, exponent) -> Tensor:
    """torch's composite: both operands to float64 (ToCopyBackward0 where they were not), then pow."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"float_power() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__})")
    return pow(_as_double(input), _as_double(exponent))


def _float_power_in_place(self: Tensor, exponent) -> Tensor:
    if self._data.dtype != np.float64:
        from .._tensor_str import type_name
        raise RuntimeError(f"the base given to float_power_ has dtype {type_name(self._data.dtype)} but the "
                           f"operation's result requires dtype Double")
    return self.pow_(_as_double(exponent))


# torch's grad / exp2(exponent), where exp2 of the int32 exponent is float32 (0 below 2**-149, inf above 2**127)
FrexpBackward0 = derivative("FrexpBackward0", attrs="power", multi_output=True, self="grad[0] / power",
                            freed=("power",))
frexp_return = return_type("frexp", ("mantissa", "exponent"))


def frexp(input: Tensor) -> frexp_return:
    """mantissa * 2**exponent == input, mantissa in [0.5, 1); the exponent is int32, without a gradient."""
    if not isinstance(input, Tensor):
        raise not_tensor("frexp", input)
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(input._data)
    exponent = exponent.astype(np.int32)
    power = quiet(np.exp2)(exponent.astype(np.float32))
    out, = record_multi(FrexpBackward0, (mantissa,), (input,), power=Tensor._make(power, False, None))
    return frexp_return(out, Tensor._make(exponent, False, None))


# measured on torch 2.13: the whole gradient to ``input`` where it differs from ``other``, none to ``other``
NextafterBackward0 = derivative("NextafterBackward0", self="grad * (self != other)", other="zeros_like(grad)")


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next float after ``input`` towards ``other`` (NumPy's, quietly: stepping into subnormals underflows)."""
    if not isinstance(input, Tensor):
        raise not_tensor("nextafter", input)
    if not isinstance(other, Tensor):
        raise not_tensor("nextafter", other, "other", 2)
    a, b = operands("nextafter", input, other)
    data = broadcast_apply(quiet(np.nextafter), a, b)
    return record(NextafterBackward0, data, (input, other), self=input, other=other)


methods(float_power=float_power, float_power_=_float_power_in_place, frexp=frexp, nextafter=nextafter,
        nextafter_=elementwise_inplace(nextafter))

__all__ = ["float_power", "frexp", "i0", "mvlgamma", "nextafter"]
