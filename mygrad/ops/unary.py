"""Unary elementwise math, generated from one table.

Each row gives torch's name, the NumPy kernel for floating input, what happens to bool and
integer input (promotion to the default dtype, the same kernel, or torch's error), the node
torch records and its derivative, written as in torch's derivatives.yaml (the formula and its
order of operations decide float32 rounding, so they follow torch's).  The table generates the
function ``torch.<name>``, the method ``Tensor.<name>`` and the in-place ``Tensor.<name>_``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from .._quiet import IGNORE, enter as enter_quiet, leave as leave_quiet, quiet
from .._tensor import Tensor
from .._torch_api import NAMES as TORCH_NAMES
from ..autograd.backends import formula_helper, keep_where
from ..autograd.node import derivative
from . import _special
from ._define import inplace_method, methods, record, recorder
from ._erf import erf as _erf64
from ._errors import not_implemented, not_tensor

# ----- kernels NumPy does not have in torch's form ---------------------------------------------

def _sign(x: np.ndarray) -> np.ndarray:
    """torch's sign: (x > 0) - (x < 0), so sign(nan) is 0 and sign(-0.0) is +0.0 (NumPy: nan, -0.0)."""
    if x.dtype.kind == "f":
        return np.subtract(x > 0, x < 0, dtype=x.dtype)
    return np.sign(x) if x.dtype.kind != "b" else x.copy()


def _rsqrt(x: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(x)  # torch's kernel too: a division by the rounded sqrt


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-x)  # exp(-x) overflows to inf for very negative x, and 1 / inf is the right 0
    e += 1
    return np.reciprocal(e, out=e) if type(e) is np.ndarray else np.reciprocal(e)  # (0-d: a NumPy scalar)


def _relu(x: np.ndarray) -> np.ndarray:
    """NumPy keeps the second operand on ties: relu(-0.0) is -0.0, as torch's.  Zeros as an array (and the
    output): NumPy's maximum is several times faster array-with-array than with a scalar."""
    zeros = np.zeros(x.shape, x.dtype)
    return np.maximum(zeros, x, out=zeros)


def _erf(x: np.ndarray) -> np.ndarray:
    return _erf64(x).astype(x.dtype, copy=False)


def _frac(x: np.ndarray) -> np.ndarray:
    return x - np.trunc(x)


def _sinc_backward_tensor(grad, self):
    pix, squared = self * np.pi, self * self * np.pi
    return (grad * (pix * pix.cos() - pix.sin()) / squared).masked_fill(squared == 0, 0)


@formula_helper(tensor=_sinc_backward_tensor)
def sinc_backward(grad, self):
    """torch's: grad * (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 where pi x^2 is 0 (also by underflow)."""
    pix, squared = self * np.pi, self * self * np.pi
    return np.where(squared == 0, 0, grad * (pix * np.cos(pix) - np.sin(pix)) / squared)


@formula_helper(tensor="same")
def no_inplace_derivative(op: str):
    """The backward of torch's in-place asinh_, acosh_, atanh_: torch has none."""
    raise NotImplementedError(f"the derivative for 'inplace version of {op}' is not implemented.")


for _name, _kernel in (("digamma", _special.digamma), ("polygamma", _special.polygamma), ("lgamma", _special.lgamma),
                       ("exp2", np.exp2), ("sign", _sign), ("rsqrt", _rsqrt), ("sigmoid", _sigmoid), ("erf", _erf),
                       ("sin", np.sin), ("cos", np.cos), ("sinh", np.sinh), ("cosh", np.cosh),
                       ("reciprocal", np.reciprocal), ("erfinv", quiet(_special.erfinv))):
    formula_helper(_kernel, name=_name)  # formula functions: the ARRAY side; mygrad.<name> is the TENSOR side


# Formula functions that torch differentiates as ops of their own (``<Name>BackwardBackward0``): the NumPy
# kernel on the fast path, an op recording that node under create_graph, so second-order gradients take
# torch's path (relu's is zeros, not absent: its node has an edge to ``self``).

def _threshold_backward_tensor(grad_output: Tensor, x: Tensor, threshold) -> Tensor:
    return record(ThresholdBackwardBackward0, threshold_backward(grad_output._data, x._data, threshold),
                  (grad_output, x), grad_output=grad_output, self=x, threshold=threshold)


@formula_helper(tensor=_threshold_backward_tensor)
def threshold_backward(grad, x, threshold):
    return keep_where(~(x <= threshold), grad)


def _sigmoid_backward_tensor(grad_output: Tensor, y: Tensor) -> Tensor:
    return record(SigmoidBackwardBackward0, sigmoid_backward(grad_output._data, y._data), (grad_output, y),
                  grad_output=grad_output, output=y)


@formula_helper(tensor=_sigmoid_backward_tensor)
def sigmoid_backward(grad, y):
    return grad * (1 - y) * y


def _tanh_backward_tensor(grad_output: Tensor, y: Tensor) -> Tensor:
    return record(TanhBackwardBackward0, tanh_backward(grad_output._data, y._data), (grad_output, y),
                  grad_output=grad_output, output=y)


@formula_helper(tensor=_tanh_backward_tensor)
def tanh_backward(grad, y):
    """grad * (1 - y^2), the slope rounded once as torch's fused multiply-add gives it: near |y| = 1 the
    slope is a cancellation, and rounding y^2 first costs float32 its last digits (measured: y = -0.99932933,
    torch's slope 1.3408929e-03, the twice-rounded one 1.3408661e-03).  A float32 y^2 is exact in float64."""
    if y.dtype.itemsize < 8 and y.dtype.kind == "f":
        wide = y.astype(np.float64)
        return grad * (1 - wide * wide).astype(y.dtype)
    return grad * (1 - y * y)


ThresholdBackwardBackward0 = derivative("ThresholdBackwardBackward0", attrs="threshold",
                                        grad_output="threshold_backward(grad, self, threshold)",
                                        self="zeros_like(grad)")
SigmoidBackwardBackward0 = derivative("SigmoidBackwardBackward0", grad_output="sigmoid_backward(grad, output)",
                                      output="grad * grad_output * (-2 * output + 1)")
TanhBackwardBackward0 = derivative("TanhBackwardBackward0", grad_output="tanh_backward(grad, output)",
                                   output="grad * (-2 * output * grad_output)")


# ----- what bool and integer inputs do -----------------------------------------------------------

def promote(kernel: Callable) -> Callable:
    """Integer and bool inputs are computed in the default float dtype (exp of int64 is float32)."""
    return lambda data: kernel(data.astype(_dtype.get_default_dtype().np))


def integral_copy(kernel_name: str) -> Callable:
    """Rounding an integer changes nothing (torch returns a copy); bool has no kernel."""
    def run(data):
        if data.dtype.kind == "b":
            raise not_implemented(kernel_name, data)
        return data.copy()
    return run


def reject_bool(kernel: Callable, error: Callable[[np.ndarray], Exception]) -> Callable:
    """Integers use the float kernel; bool raises torch's error."""
    def run(data):
        if data.dtype.kind == "b":
            raise error(data)
        return kernel(data)
    return run


def unsupported(kernel_name: str) -> Callable:
    def run(data):
        raise not_implemented(kernel_name, data)
    return run


# ----- the table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unary:
    name: str
    kernel: Callable              # floating input -> output of the same dtype
    node: str                     # torch's backward node name
    formula: str                  # its derivative w.r.t. self
    integral: Callable | None = None   # bool/integer input -> output (or torch's error); None: promote
    aliases: tuple = ()
    no_inplace_derivative: bool = False  # the in-place form's node (``<Name>Backward1``) has no derivative


@formula_helper(tensor=lambda grad, self, result: grad.new_zeros(grad.shape))
def sgn_backward(grad, self, result):
    """torch's sgn_backward for real tensors: zero, but from the saved self and result (unlike sign's, which saves
    nothing), so a second backward through a freed graph raises as torch's."""
    return np.zeros_like(grad)


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
             "mask, use the `~` or `logical_not()` operator instead.")

TABLE = (
    Unary("neg", np.negative, "NegBackward0", "-grad", aliases=("negative",),
          integral=reject_bool(np.negative, lambda d: RuntimeError(_NEG_BOOL))),
    Unary("abs", np.abs, "AbsBackward0", "grad * sign(self)", aliases=("absolute",),
          integral=reject_bool(np.abs, lambda d: not_implemented("abs_cpu", d))),
    Unary("sign", _sign, "SignBackward0", "zeros_like(grad)", integral=_sign),
    Unary("sgn", _sign, "SgnBackward0", "sgn_backward(grad, self, result)", integral=_sign),  # sign, real tensors
    Unary("exp", np.exp, "ExpBackward0", "grad * result"),
    Unary("exp2", np.exp2, "Exp2Backward0", "grad * result * 0.6931471805599453"),
    Unary("expm1", np.expm1, "Expm1Backward0", "grad * (result + 1)"),
    Unary("log", np.log, "LogBackward0", "grad / self"),
    Unary("log1p", np.log1p, "Log1PBackward0", "grad / (self + 1)"),
    Unary("log2", np.log2, "Log2Backward0", "grad / (self * 0.6931471805599453)"),
    Unary("log10", np.log10, "Log10Backward0", "grad / (self * 2.3025850929940456)"),
    Unary("sqrt", np.sqrt, "SqrtBackward0", "grad / (2 * result)"),
    Unary("rsqrt", _rsqrt, "RsqrtBackward0", "-0.5 * grad * result ** 3"),
    Unary("reciprocal", np.reciprocal, "ReciprocalBackward0", "-grad * (result * result)"),
    Unary("sin", np.sin, "SinBackward0", "grad * cos(self)"),
    Unary("cos", np.cos, "CosBackward0", "grad * -sin(self)"),
    Unary("tan", np.tan, "TanBackward0", "grad * (1 + result ** 2)"),
    Unary("asin", np.arcsin, "AsinBackward0", "grad * rsqrt(-self * self + 1)", aliases=("arcsin",)),
    Unary("acos", np.arccos, "AcosBackward0", "grad * -rsqrt(-self * self + 1)", aliases=("arccos",)),
    Unary("atan", np.arctan, "AtanBackward0", "grad / (self * self + 1)", aliases=("arctan",)),
    Unary("sinh", np.sinh, "SinhBackward0", "grad * cosh(self)"),
    Unary("cosh", np.cosh, "CoshBackward0", "grad * sinh(self)"),
    Unary("tanh", np.tanh, "TanhBackward0", "tanh_backward(grad, result)"),
    Unary("sigmoid", _sigmoid, "SigmoidBackward0", "sigmoid_backward(grad, result)"),
    Unary("relu", _relu, "ReluBackward0", "threshold_backward(grad, result, 0)",  # 0 at the kink
          integral=reject_bool(_relu, lambda d: RuntimeError("Boolean inputs not supported for relu"))),
    Unary("erf", _erf, "ErfBackward0", "1.1283791670955126 * exp(-self ** 2) * grad"),
    Unary("floor", np.floor, "FloorBackward0", "zeros_like(grad)", integral=integral_copy("floor_vml_cpu")),
    Unary("ceil", np.ceil, "CeilBackward0", "zeros_like(grad)", integral=integral_copy("ceil_vml_cpu")),
    Unary("trunc", np.trunc, "TruncBackward0", "zeros_like(grad)", integral=integral_copy("trunc_vml_cpu"),
          aliases=("fix",)),
    Unary("frac", _frac, "FracBackward0", "grad", integral=unsupported("frac_cpu")),
    Unary("asinh", np.arcsinh, "AsinhBackward0", "grad * rsqrt(self ** 2 + 1)", aliases=("arcsinh",),
          no_inplace_derivative=True),
    Unary("acosh", np.arccosh, "AcoshBackward0", "grad * rsqrt(self * self - 1)", aliases=("arccosh",),
          no_inplace_derivative=True),
    Unary("atanh", np.arctanh, "AtanhBackward0", "grad * (1 / (1 - self ** 2))", aliases=("arctanh",),
          no_inplace_derivative=True),
    Unary("erfc", _special.erfc, "ErfcBackward0", "-1.1283791670955126 * exp(-self ** 2) * grad"),
    # (torch's formula recomputes erfinv from the input it saved: an edit of the output leaves it valid)
    Unary("erfinv", _special.erfinv, "ErfinvBackward0", "0.886226925452758 * exp(erfinv(self) ** 2) * grad"),
    Unary("lgamma", _special.lgamma, "LgammaBackward0", "grad * digamma(self)"),
    Unary("digamma", _special.digamma, "DigammaBackward0", "grad * polygamma(1, self)"),
    Unary("deg2rad", np.deg2rad, "Deg2RadBackward0", "grad * 0.017453292519943295"),
    Unary("rad2deg", np.rad2deg, "Rad2DegBackward0", "grad * 57.29577951308232"),
    Unary("sinc", np.sinc, "SincBackward0", "sinc_backward(grad, self)"),
)


def _function(spec: Unary, node: type) -> Callable:
    kernel, rec = spec.kernel, recorder(node)
    integral = spec.integral or promote(quiet(kernel))
    name = spec.name

    def op(input: Tensor) -> Tensor:
        try:
            data = input._data
        except AttributeError:
            raise not_tensor(name, input) from None
        dtype = data.dtype
        if dtype.kind != "f":
            out = integral(data)
        else:
            token = enter_quiet(IGNORE)  # (quiet(kernel), inlined: the hot path of every unary op)
            try:
                if dtype.itemsize == 2:  # half: computed in float32 and rounded once, as torch's kernels do
                    out = kernel(data.astype(np.float32)).astype(np.float16)
                else:
                    out = kernel(data)
            finally:
                leave_quiet(token)
        return rec(out, (input,), {"self": input})  # (record, without its dispatch)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"torch.{name}: elementwise, recorded as {spec.node}."
    return op


def _install(table) -> dict:
    """Attach every row's methods and in-place methods; returns the torch-level functions by name."""
    exported = {}
    for spec in table:
        fn = _function(spec, derivative(spec.node, self=spec.formula))
        in_place = inplace_method(fn)
        if spec.no_inplace_derivative:
            node = derivative(spec.node[:-1] + "1", self=f"no_inplace_derivative({spec.name!r})")
            in_place = inplace_method(_function(spec, node))
        for name in (spec.name,) + spec.aliases:
            methods(**{name: fn, name + "_": in_place})
            exported[name] = fn
            if name + "_" in TORCH_NAMES[""]:  # (some are Tensor methods only: sign_, digamma_, ...)
                exported[name + "_"] = in_place
    return exported


# ----- round: two overloads (RoundBackward0, and RoundBackward1 with decimals) -------------------

RoundBackward0 = derivative("RoundBackward0", self="zeros_like(grad)")
RoundBackward1 = derivative("RoundBackward1", self="zeros_like(grad)")


@quiet
def _round_decimals(x: np.ndarray, decimals: int) -> np.ndarray:
    """torch's kernel: rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d for negative d,
    in float32 for half inputs (NumPy's np.round multiplies by 10**d in both cases)."""
    work = np.float32 if x.dtype == np.float16 else x.dtype.type
    ten = work(10.0 ** (-decimals if decimals < 0 else decimals))  # (this module's abs is torch's)
    y = x.astype(work, copy=False)
    out = np.rint(y / ten) * ten if decimals < 0 else np.rint(y * ten) / ten
    return out.astype(x.dtype, copy=False)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:  # noqa: A001  (torch's name)
    """Half to even, as torch; integers are returned unchanged (but refuse ``decimals``)."""
    try:
        data = input._data
    except AttributeError:
        raise not_tensor("round", input) from None
    if decimals is None:
        if data.dtype.kind == "f":
            return record(RoundBackward0, np.rint(data), (input,))
        return record(RoundBackward0, integral_copy("round_vml_cpu")(data), (input,))
    if data.dtype.kind != "f":
        raise not_implemented("round_cpu", data)
    return record(RoundBackward1, _round_decimals(data, decimals), (input,))


# ----- polygamma(n, input): the n-th derivative of digamma --------------------------------------

PolygammaBackward0 = derivative("PolygammaBackward0", attrs="n", self="grad * polygamma(n + 1, self)")


def polygamma(n: int, input: Tensor) -> Tensor:
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    data = input._data if input._data.dtype.kind == "f" else input._data.astype(_dtype.get_default_dtype().np)
    return record(PolygammaBackward0, _special.polygamma(n, data), (input,), self=input, n=n)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


def _polygamma_in_place(self: Tensor, n: int) -> Tensor:
    return self._inplace(lambda x: polygamma(n, x))


# ----- logit(input, eps=None): log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given ----------

def _logit_bounds(data: np.ndarray, eps: float):
    """torch's bounds, computed in the input's dtype: lo = eps, hi = 1 - lo."""
    lo = data.dtype.type(eps)
    return lo, data.dtype.type(1) - lo


def _logit_backward_tensor(grad, self, eps):
    """torch's differentiable version (create_graph): where(lo <= x <= hi, grad / (x (1 - x)), NaN or 0),
    so a NaN input gives NaN without eps and 0 with it, and 0 and 1 divide (unlike the kernel's grad * inf)."""
    slope = grad / (self * (1 - self))
    lo, hi = (0.0, 1.0) if eps is None else _logit_bounds(self._data, eps)
    inside = (self >= lo).logical_and(self <= hi)
    return slope.masked_fill(inside.logical_not(), float("nan") if eps is None else 0.0)


@formula_helper(tensor=_logit_backward_tensor)
def logit_backward(grad, self, eps):
    """torch's first-order kernel: grad / (x (1 - x)); without eps NaN outside [0, 1] (inf at 0 and 1),
    with eps 0 outside [eps, 1 - eps] (a NaN input gives NaN either way); grad * inf at 0 and 1 exactly (so the
    sign is grad's alone, also at -0.0). Its vectorized loop takes whole blocks of 128 bytes of contiguous
    elements (16 float64, 32 float32) and divides there, so -0.0 gives -grad * inf in them (measured), the
    remaining elements (all of them for a non-contiguous tensor) grad * inf."""
    slope = np.where((self == 0) | (self == 1), grad * np.inf, grad / (self * (1 - self)))
    if self.flags.c_contiguous and np.shape(grad) == self.shape and np.asarray(grad).flags.c_contiguous:
        blocks = self.size // (128 // self.itemsize) * (128 // self.itemsize)
        if blocks:
            head = self.reshape(-1)[:blocks]
            slope.reshape(-1)[:blocks] = np.asarray(grad).reshape(-1)[:blocks] / (head * (1 - head))
    if eps is None:
        return np.where((self < 0) | (self > 1), np.nan, slope)
    lo, hi = _logit_bounds(self, eps)
    return np.where((self < lo) | (self > hi), 0, slope)


LogitBackward0 = derivative("LogitBackward0", attrs="eps", self="logit_backward(grad, self, eps)")


@quiet
def _logit(data: np.ndarray, eps) -> np.ndarray:
    if eps is not None:
        lo, hi = _logit_bounds(data, eps)
        data = np.where(data < lo, lo, np.where(data > hi, hi, data))  # (a NaN stays NaN)
    return np.log(data / (1 - data))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    try:
        data = input._data
    except AttributeError:
        raise not_tensor("logit", input) from None
    if data.dtype.kind != "f":
        data = data.astype(_dtype.get_default_dtype().np)
    return record(LogitBackward0, _logit(data, eps), (input,), self=input, eps=eps)


def _logit_in_place(self: Tensor, eps: float | None = None) -> Tensor:
    return self._inplace(logit, eps)


_FUNCTIONS = _install(TABLE)
if TYPE_CHECKING:  # for type checkers: the table's ops (exp, log, sigmoid, ...) are module attributes
    def __getattr__(name: str) -> Any: ...
globals().update(_FUNCTIONS)  # exp, exp_, log, ... as module attributes, like hand-written defs
round_ = inplace_method(round)
methods(round=round, round_=round_, __abs__=_FUNCTIONS["abs"], __neg__=_FUNCTIONS["neg"],
        polygamma=_polygamma_method, polygamma_=_polygamma_in_place, logit=logit, logit_=_logit_in_place)

__all__ = sorted(_FUNCTIONS) + ["round", "round_", "polygamma", "logit"]
