"""Activations and the softmax family: a NumPy forward each, and one derivative line each.

The kinks follow torch: ``leaky_relu`` at 0 takes the negative slope, ``elu`` at 0 takes
``alpha * exp(0)``; in-place forms save their result instead of their input (``LeakyReluBackward1``,
``EluBackward1``), as torch's do.  ``relu``, ``sigmoid`` and ``tanh`` are the elementwise ops.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._argument_types import Number, argument_types, check_argument
from .._creation import _rng
from .._layout import is_contiguous
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import methods, record, record_multi
from ..ops._errors import past_checks, python_type_name
from ..ops.elementwise import mul
from ..ops.join import cat

# (importing _formulas also registers the formula functions the derivatives below call)
from ._formulas import erf_kernel, floating_data, keep_sum, sigmoid_kernel, softplus_kernel

_SQRT1_2 = 0.7071067811865476  # 1 / sqrt(2)
_TANH_BETA = 0.7978845608028654  # sqrt(2 / pi)
_TANH_KAPPA = 0.044715


@formula_helper(tensor="same")
def result_slope(negative_slope: float) -> float:
    """The slope of in-place leaky_relu, whose backward reads the result: torch refuses a negative one
    there (the result's sign no longer tells which side of 0 the input was on)."""
    if negative_slope < 0:
        raise RuntimeError(
            "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
            "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
            "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting "
            "in-place leakRelu backward calculation with negative slope")
    return negative_slope


def _glu_backward_op(grad: Tensor, self: Tensor, dim: int) -> Tensor:
    """torch's glu_backward is an op of its own, with its own double backward (GluBackwardBackward0)."""
    return record(GluBackwardBackward0, glu_grad(grad._data, self._data, dim), (grad, self), grad_output=grad,
                  self=self, dim=dim)


@formula_helper(tensor=_glu_backward_op)
@quiet
def glu_grad(grad, self, dim: int):
    """glu's backward: (sigmoid(b) * grad, (1 - sigmoid(b)) * sigmoid(b) * a * grad) along ``dim``, in torch's
    kernel's order (a huge ``a`` where sigmoid(b) is 1 gives 0, not inf * 0)."""
    a, b = np.split(self, 2, axis=dim)
    s = sigmoid_kernel(b)
    return np.concatenate([s * grad, (1 - s) * s * a * grad], axis=dim)


def _glu_double(ggI, gO, self, dim: int, split, join, sigmoid):
    """torch's glu_double_backward, term by term (its inf * 0 are NaN where its products are)."""
    first_half, second_half = split(self)
    sig = sigmoid(second_half)
    one_sub_sig = 1 - sig
    sig_one_sub_sig = sig * one_sub_sig
    gg_first, gg_second = split(ggI)
    gi_first = gg_second * gO * sig_one_sub_sig
    second_order = sig_one_sub_sig * one_sub_sig - sig * sig_one_sub_sig
    gi_second = gg_second * first_half * gO * second_order + gg_first * gO * sig_one_sub_sig
    return join(gi_first, gi_second)


def _glu_double_grad_output(ggI, self, split, sigmoid):
    """torch's glu_double_backward_grad_output: ggI times glu_backward(ones), its two halves summed."""
    first_half, second_half = split(self)
    sig = sigmoid(second_half)
    gg_first, gg_second = split(ggI)
    return gg_first * sig + gg_second * ((1 - sig) * sig * first_half)


def _array_halves(dim: int):
    return lambda x: np.split(x, 2, axis=dim)


def _tensor_halves(dim: int):
    return lambda x: x.chunk(2, dim)


@formula_helper(tensor=lambda ggI, gO, self, dim: _glu_double(ggI, gO, self, dim, _tensor_halves(dim),
                                                             lambda a, b: cat([a, b], dim), Tensor.sigmoid))
@quiet
def glu_double_backward(ggI, gO, self, dim: int):
    return _glu_double(ggI, gO, self, dim, _array_halves(dim), lambda a, b: np.concatenate([a, b], axis=dim),
                       sigmoid_kernel)


@formula_helper(tensor=lambda ggI, self, dim: _glu_double_grad_output(ggI, self, _tensor_halves(dim), Tensor.sigmoid))
@quiet
def glu_double_backward_grad_output(ggI, self, dim: int):
    return _glu_double_grad_output(ggI, self, _array_halves(dim), sigmoid_kernel)


def _glu_jvp_tensor(result: Tensor, self: Tensor, self_t: Tensor, dim: int) -> Tensor:
    da, db = self_t.chunk(2, dim)
    s = self.chunk(2, dim)[1].sigmoid()
    return da * s + result * (db - s * db)


@formula_helper(tensor=_glu_jvp_tensor)
@quiet
def glu_jvp(result, self, self_t, dim: int):
    """torch's glu tangent: da * sigmoid(b) + glu * (db - sigmoid(b) * db) (the result's own overflow, not a's)."""
    da, db = np.split(self_t, 2, axis=dim)
    s = sigmoid_kernel(np.split(self, 2, axis=dim)[1])
    return da * s + result * (db - s * db)


def _gelu_slope(self, approximate: str, erf, exp, tanh):
    """gelu's slope, over arrays or tensors (the functions given), in torch's order."""
    if approximate == "none":
        return 0.5 * (1 + erf(self * 0.7071067811865476)) + self * exp(-0.5 * self * self) * 0.3989422804014327
    th = tanh(0.7978845608028654 * (self + 0.044715 * self * self * self))
    return 0.5 * (1 + th) + 0.5 * self * (1 - th * th) * (0.7978845608028654 * (1 + 0.134145 * self * self))


def _gelu_backward_op(grad: Tensor, self: Tensor, approximate: str) -> Tensor:
    return record(GeluBackwardBackward0, gelu_backward(grad._data, self._data, approximate), (grad, self),
                  grad_output=grad, self=self, approximate=approximate)


@formula_helper(tensor=_gelu_backward_op)
@quiet
def gelu_backward(grad, self, approximate):
    return grad * _gelu_slope(self, approximate, erf_kernel, np.exp, np.tanh)


def _gelu_double(ggI, gO, self, approximate: str, exp, tanh, cosh):
    """torch's gelu_double_backward, term by term (NaN where torch's inf * 0 are: measured, x * x overflowing)."""
    if approximate == "none":
        input_pdf = 0.3989422804014327 * exp(-0.5 * self * self)
        return ggI * gO * (2 * input_pdf - self * self * input_pdf)
    beta, kappa = 0.7978845608028654, 0.044715
    inner = beta * (self + kappa * self * self * self)
    tanh_inner, sech_inner = tanh(inner), 1 / cosh(inner)
    f, g, h = 0.5 * self, 1 - tanh_inner * tanh_inner, beta * (1 + 3 * kappa * self * self)
    f_prime_gh = 0.5 * g * h
    g_prime_fh = f * h * ((2 * sech_inner) * (-sech_inner * tanh_inner) * h)
    h_prime_fg = f * g * (6 * kappa * self * beta)
    return ggI * gO * (f_prime_gh + f_prime_gh + g_prime_fh + h_prime_fg)


def _gelu_double_backward_tensor(ggI: Tensor, gO: Tensor, self: Tensor, approximate: str) -> Tensor:
    return _gelu_double(ggI, gO, self, approximate, Tensor.exp, Tensor.tanh, Tensor.cosh)


@formula_helper(tensor=_gelu_double_backward_tensor)
@quiet
def gelu_double_backward(ggI, gO, self, approximate):
    return _gelu_double(ggI, gO, self, approximate, np.exp, np.tanh, np.cosh)


def _log_sigmoid_backward_op(grad: Tensor, self: Tensor) -> Tensor:
    return record(LogSigmoidBackwardBackward0, log_sigmoid_backward(grad._data, self._data), (grad, self),
                  grad_output=grad, self=self)


@formula_helper(tensor=_log_sigmoid_backward_op)
@quiet
def log_sigmoid_backward(grad, self):
    """grad * sigmoid(-x), as torch's kernel: z = exp(-|x|), grad * ((x < 0) - sign * z / (1 + z))."""
    negative = self < 0
    z = np.exp(-np.abs(self))
    return grad * (negative.astype(self.dtype) - np.where(negative, 1, -1).astype(self.dtype) * (z / (1 + z)))


def _log_sigmoid_double_tensor(grad: Tensor, self: Tensor) -> Tensor:
    z = self.sigmoid()
    return grad * (z - 1) * z


@formula_helper(tensor=_log_sigmoid_double_tensor)
@quiet
def log_sigmoid_double_backward(grad, self):
    """torch's log_sigmoid_double_backward: grad * (z - 1) * z, z = sigmoid(x)."""
    z = sigmoid_kernel(self)
    return grad * (z - 1) * z


def _log_softmax_backward_op(grad: Tensor, result: Tensor, dim: int) -> Tensor:
    return record(LogSoftmaxBackwardDataBackward0, log_softmax_backward(grad._data, result._data, dim),
                  (grad, result), grad_output=grad, output=result, dim=dim)


@formula_helper(tensor=_log_softmax_backward_op)
@quiet
def log_softmax_backward(grad, result, dim):
    """torch's kernel: grad - exp(output) * sum(grad) over ``dim``."""
    return grad - np.exp(result) * keep_sum(grad, dim)


def _softplus_backward_op(grad: Tensor, self: Tensor, beta, threshold) -> Tensor:
    return record(SoftplusBackwardBackward0, softplus_backward(grad._data, self._data, beta, threshold),
                  (grad, self), grad_output=grad, self=self, beta=beta, threshold=threshold)


@formula_helper(tensor=_softplus_backward_op)
@quiet
def softplus_backward(grad, self, beta, threshold):
    """softplus's slope times ``grad``: the identity above the threshold, sigmoid(beta x) below."""
    x = self * beta
    return np.where(x > threshold, grad, grad * sigmoid_kernel(x))


def _softplus_double_backward_tensor(grad: Tensor, self: Tensor, beta, threshold) -> Tensor:
    x = self * beta
    s = x.sigmoid()
    return grad * (1 - s) * s * (x < threshold) * beta


@formula_helper(tensor=_softplus_double_backward_tensor)
@quiet
def softplus_double_backward(grad, self, beta, threshold):
    """torch's softplus_double_backward: sigmoid's slope, strictly below the threshold, in torch's order."""
    x = self * beta
    s = sigmoid_kernel(x)
    return grad * (1 - s) * s * (x < threshold) * beta


# ----- derivatives (torch's formulas; the numbers are 1/sqrt(2), 1/sqrt(2 pi), sqrt(2/pi), 3 * 0.044715)
LeakyReluBackward0 = derivative("LeakyReluBackward0", attrs="negative_slope",
                                self="zero_slope(where(self > 0, grad, grad * negative_slope), self)")
LeakyReluBackward1 = derivative("LeakyReluBackward1", attrs="negative_slope",
                                self="zero_slope(where(result > 0, grad, grad * result_slope(negative_slope)), result)")
# torch's elu_backward, which elu, selu and celu share (scale, input_scale: 1 for elu; selu's constants;
# input_scale 1 / alpha for celu).  elu's slope at 0 is alpha, but torch's second derivative there is 0: hence
# the masked ``where(self < 0, self, 0)`` (no inf * 0 at +inf); torch tests ``x <= 0``, so NaN takes the
# positive side's slope.
_ELU_OF_INPUT = ("where(self <= 0, grad * (input_scale * alpha * scale"
                 " * exp(where(self < 0, self, 0) * input_scale)), grad * scale)")
_ELU_OF_RESULT = ("where(result <= 0, grad * (input_scale * (where(result < 0, result, 0) + alpha * scale)),"
                  " grad * scale)")
EluBackward0 = derivative("EluBackward0", attrs="scale input_scale alpha", self=_ELU_OF_INPUT)
EluBackward1 = derivative("EluBackward1", attrs="scale input_scale alpha", self=_ELU_OF_RESULT)
CeluBackward0 = derivative("CeluBackward0", attrs="scale input_scale alpha", self=_ELU_OF_INPUT)
CeluBackward1 = derivative("CeluBackward1", attrs="scale input_scale alpha", self=_ELU_OF_RESULT)
# piecewise-linear activations: a mask on grad (zero_slope: torch's double backward keeps a zero edge to self)
# (at NaN torch's vectorised kernel gives 0 and its scalar tail the gradient: 0 here, as for most elements)
HardtanhBackward0 = derivative("HardtanhBackward0", attrs="min_val max_val",
                               self="zero_slope(where((self > min_val) & (self < max_val), grad, 0), self)")
HardshrinkBackward0 = derivative("HardshrinkBackward0", attrs="lambd",
                                 self="zero_slope(where((self >= -lambd) & (self <= lambd), 0, grad), self)")
SoftshrinkBackward0 = derivative("SoftshrinkBackward0", attrs="lambd",
                                 self="zero_slope(where((self >= -lambd) & (self <= lambd), 0, grad), self)")
ThresholdBackward0 = derivative("ThresholdBackward0", attrs="threshold",
                                self="zero_slope(where(self <= threshold, 0, grad), self)")
# (threshold_: the input before the write, as torch's)
ThresholdBackward1 = derivative("ThresholdBackward1", attrs="threshold",
                                self="zero_slope(where(self <= threshold, 0, grad), self)")
HardsigmoidBackward0 = derivative("HardsigmoidBackward0",
                                  self="zero_slope(where((self > -3) & (self < 3), grad / 6, 0), self)")
HardswishBackward0 = derivative("HardswishBackward0",
                                self="where(self <= -3, 0, where(self < 3, grad * (self / 3 + 0.5), grad))")
RreluWithNoiseBackward0 = derivative(
    "RreluWithNoiseBackward0", attrs="lower upper",
    self="zero_slope(where(self > 0, grad, grad * ((lower + upper) / 2)), self)")
RreluWithNoiseBackward1 = derivative(
    "RreluWithNoiseBackward1", attrs="lower upper",
    self="zero_slope(where(result > 0, grad, grad * ((lower + upper) / 2)), result)")
# torch's derivatives of _prelu_kernel_backward (grad[0] reached the input's gradient, grad[1] the weight's): at
# x = 0 they take the positive side (x >= 0), where the first derivative takes the negative one (x > 0)
PreluKernelBackwardBackward0 = derivative(
    "PreluKernelBackwardBackward0", multi_output=True,
    grad_output=("where(self >= 0, grad[0], grad[0] * weight)", "where(self >= 0, 0, grad[1] * self)"),
    self="zeros_like(self) if grad[1] is None else where(self >= 0, 0, grad_output * grad[1])",
    weight="zeros_like(self) if grad[0] is None else where(self >= 0, 0, grad_output * grad[0])")


@quiet
def _prelu_backward_kernel(grad, self, weight, output: int):
    """torch's _prelu_kernel_backward: the input's gradient (output 0) or the weight's, at the input's shape."""
    if output == 0:
        return np.where(self > 0, grad, weight * grad)
    return np.where(self > 0, np.zeros((), np.result_type(self, grad)), self * grad)


def _prelu_backward_tensor(grad, self, weight, output: int):
    """create_graph: the kernel's two gradients as one PreluKernelBackwardBackward0 node, as torch records it."""
    datas = [_prelu_backward_kernel(grad._data, self._data, weight._data, k) for k in (0, 1)]
    return record_multi(PreluKernelBackwardBackward0, datas, (grad, self, weight), grad_output=grad, self=self,
                        weight=weight)[output]


formula_helper(_prelu_backward_kernel, tensor=_prelu_backward_tensor, name="prelu_kernel_backward")
PreluKernelBackward0 = derivative("PreluKernelBackward0", self="prelu_kernel_backward(grad, self, weight, 0)",
                                  weight="prelu_kernel_backward(grad, self, weight, 1)")
# torch's softplus here is log1p(exp(x)), without softplus's threshold: at a huge x its double backward is
# exp's inf times log1p's 0, NaN
MishBackward0 = derivative(
    "MishBackward0", self="grad * ((t := tanh(log1p(exp(self)))) + self * sigmoid(self) * (1 - t * t))")
LogSigmoidBackward0 = derivative("LogSigmoidBackward0", self="log_sigmoid_backward(grad, self)")
# torch's log_sigmoid_backward is an op of its own, with its own double backward (log_sigmoid_double_backward)
LogSigmoidBackwardBackward0 = derivative(
    "LogSigmoidBackwardBackward0", grad_output="log_sigmoid_backward(grad, self)",
    self="log_sigmoid_double_backward(grad * grad_output, self)")
GluBackward0 = derivative("GluBackward0", attrs="dim", self="glu_grad(grad, self, dim)")
GluBackwardBackward0 = derivative("GluBackwardBackward0", attrs="dim",
                                  grad_output="glu_double_backward_grad_output(grad, self, dim)",
                                  self="glu_double_backward(grad, grad_output, self, dim)")
forward_ad.TANGENTS["GluBackward0"] = "glu_jvp(result, self, self_t, dim)"   # (torch's result: line)
GeluBackward0 = derivative("GeluBackward0", attrs="approximate", self="gelu_backward(grad, self, approximate)")
# torch's gelu_backward is an op of its own, with its own double backward (gelu_double_backward)
GeluBackwardBackward0 = derivative(
    "GeluBackwardBackward0", attrs="approximate",
    grad_output="gelu_backward(grad, self, approximate)",
    self="gelu_double_backward(grad, grad_output, self, approximate)")
# (silu: torch's order, grad * sigmoid first)
SiluBackward0 = derivative("SiluBackward0", self="grad * (s := sigmoid(self)) * (1 + self * (1 - s))")
SoftplusBackward0 = derivative("SoftplusBackward0", attrs="threshold beta",
                               self="softplus_backward(grad, self, beta, threshold)")
# torch's softplus_backward is an op of its own: its double backward tests x * beta < threshold strictly, where
# the first derivative tests >, so at exactly the threshold the second derivative is 0
SoftplusBackwardBackward0 = derivative(
    "SoftplusBackwardBackward0", attrs="beta threshold",
    grad_output="softplus_backward(grad, self, beta, threshold)",
    self="softplus_double_backward(grad * grad_output, self, beta, threshold)")
SoftmaxBackward0 = derivative("SoftmaxBackward0", attrs="dim", self="result * (grad - keep_sum(grad * result, dim))")
LogSoftmaxBackward0 = derivative("LogSoftmaxBackward0", attrs="dim", self="log_softmax_backward(grad, result, dim)")
# torch's _log_softmax_backward_data is an op of its own, with its own derivatives (their order of products
# decides what overflows)
LogSoftmaxBackwardDataBackward0 = derivative(
    "LogSoftmaxBackwardDataBackward0", attrs="dim",
    grad_output="grad - keep_sum(grad * exp(output), dim)",
    output="-keep_sum(grad_output, dim) * exp(output) * grad")


# ----- the relu family and smooth activations --------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


@quiet
def _leaky_relu_kernel(x: np.ndarray, negative_slope: float) -> np.ndarray:
    """x where x > 0, else x * slope: the larger of the two when slope <= 1, the smaller when above."""
    return (np.maximum if negative_slope <= 1 else np.minimum)(x, x * negative_slope)


@quiet
def _elu_kernel(x: np.ndarray, alpha: float, scale: float = 1.0, input_scale: float = 1.0) -> np.ndarray:
    """torch's elu kernel, shared with selu and celu: expm1 (so elu(-0.) is -0.) of the scaled input."""
    negative = np.expm1(np.where(x > 0, 0, x) * input_scale) * (alpha * scale)
    return np.where(x > 0, x * scale if scale != 1 else x, negative)


# (kernel, torch's CPU kernel name, the parameter's name, node, node of the in-place form)
_LEAKY_RELU = (_leaky_relu_kernel, "leaky_relu_cpu", "negative_slope", LeakyReluBackward0, LeakyReluBackward1)


def _parametrized(spec: tuple, input: Tensor, value: float, inplace: bool) -> Tensor:
    """A one-parameter activation; the in-place form records the node that saves the result."""
    kernel, cpu_name, parameter, node, inplace_node = spec

    def forward(x: Tensor, node=node) -> Tensor:
        data = floating_data(x, cpu_name)
        return record(node, kernel(data, value), (x,), self=x, **{parameter: value})
    return input._inplace(forward, inplace_node) if inplace else forward(input)


@argument_types
def leaky_relu(input: Tensor, negative_slope: Number = 0.01, inplace: bool = False) -> Tensor:
    return _parametrized(_LEAKY_RELU, input, negative_slope, inplace)


@argument_types
def elu(input: Tensor, alpha: Number = 1.0, inplace: bool = False) -> Tensor:
    return _elu_family(input, alpha, 1.0, 1.0, inplace, EluBackward0, EluBackward1, "elu_cpu")


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with torch's constants; its node is EluBackward0, as torch's."""
    return _elu_family(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, EluBackward0, EluBackward1, "elu_cpu")


@argument_types
def celu(input: Tensor, alpha: Number = 1.0, inplace: bool = False) -> Tensor:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu_family(input, alpha, 1.0, 1.0 / alpha, inplace, CeluBackward0, CeluBackward1, "elu_cpu")


def _elu_family(input: Tensor, alpha, scale, input_scale, inplace: bool, node, inplace_node, cpu_name: str):
    """elu, selu, celu: one kernel and one backward with torch's (alpha, scale, input_scale)."""
    def forward(x: Tensor, node=node) -> Tensor:
        data = floating_data(x, cpu_name)
        return record(node, _elu_kernel(data, alpha, scale, input_scale), (x,), self=x, alpha=alpha, scale=scale,
                      input_scale=input_scale)
    return input._inplace(forward, inplace_node) if inplace else forward(input)


# ----- piecewise-linear activations ------------------------------------------------------------------

@argument_types
def hardtanh(input: Tensor, min_val: Number = -1.0, max_val: Number = 1.0, inplace: bool = False) -> Tensor:
    if max_val < min_val:
        raise ValueError("max_val cannot be less than min_val")

    def forward(x: Tensor) -> Tensor:
        data = x._data
        if data.dtype == np.bool_:   # (torch clamps integers, its bounds truncated to the dtype)
            raise RuntimeError("Bool inputs not supported for hardtanh")
        if data.dtype.kind == "u" and min_val < 0:
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
        return record(HardtanhBackward0, _clip(data, min_val, max_val), (x,), self=x, min_val=min_val,
                      max_val=max_val)
    return input._inplace(forward) if inplace else forward(input)


@quiet
def _clip(x: np.ndarray, low, high) -> np.ndarray:
    """clamp to [low, high] as torch's kernel: a bound only where x passes it (so NaN and -0. stay)."""
    low, high = np.asarray(low, x.dtype), np.asarray(high, x.dtype)
    return np.where(x > high, high, np.where(x < low, low, x))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


@argument_types
def hardshrink(input: Tensor, lambd: Number = 0.5) -> Tensor:
    x = floating_data(input, "hardshrink_cpu")
    inside = (x >= -lambd) & (x <= lambd)
    return record(HardshrinkBackward0, np.where(inside, np.zeros((), x.dtype), x), (input,), self=input,
                  lambd=lambd)


@argument_types
def softshrink(input: Tensor, lambd: Number = 0.5) -> Tensor:
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {float(lambd)}.")
    x = floating_data(input, "softshrink_cpu")
    out = _softshrink_kernel(x, lambd)
    return record(SoftshrinkBackward0, out, (input,), self=input, lambd=lambd)


@quiet
def _softshrink_kernel(x: np.ndarray, lambd: float) -> np.ndarray:
    """torch's: x - lambd above, x + lambd below, x * 0 between (NaN stays NaN)."""
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0))


@argument_types
def threshold(input: Tensor, threshold: Number, value: Number, inplace: bool = False) -> Tensor:
    def forward(x: Tensor, node=ThresholdBackward0) -> Tensor:
        data = x._data
        if data.dtype == np.bool_:
            raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
        return record(node, np.where(data <= threshold, np.asarray(value).astype(data.dtype), data), (x,),
                      self=x, threshold=threshold)
    return input._inplace(forward, ThresholdBackward1) if inplace else forward(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    def forward(x: Tensor) -> Tensor:
        data = floating_data(x, "hardsigmoid_cpu")
        return record(HardsigmoidBackward0, _hard_sigmoid_kernel(data), (x,), self=x)
    return input._inplace(forward) if inplace else forward(input)


@quiet
def _hard_sigmoid_kernel(x: np.ndarray) -> np.ndarray:
    return _clip(x + 3, 0, 6) / np.asarray(6, x.dtype)


@quiet
def _hard_swish_kernel(x: np.ndarray) -> np.ndarray:
    """torch's order: x * clamp(x + 3, 0, 6) / 6 (so a huge x overflows to inf, as torch's)."""
    return x * _clip(x + 3, 0, 6) / np.asarray(6, x.dtype)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    def forward(x: Tensor) -> Tensor:
        data = floating_data(x, "hardswish_cpu")
        return record(HardswishBackward0, _hard_swish_kernel(data), (x,), self=x)
    return input._inplace(forward) if inplace else forward(input)


@argument_types
def rrelu(input: Tensor, lower: Number = 1.0 / 8, upper: Number = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU.  In eval mode the slope is (lower + upper) / 2, as torch's; in training each
    negative element draws its slope from U(lower, upper) with NumPy's generator (torch's draws differ)."""
    if training:
        x = floating_data(input, "rrelu_with_noise_cpu")
        noise = Tensor._make(np.where(x > 0, 1, _rng(None).uniform(lower, upper, x.shape)).astype(x.dtype), False,
                             None)  # (mul computes quietly)
        return input._inplace(mul, noise) if inplace else mul(input, noise)

    def forward(x: Tensor, node=RreluWithNoiseBackward0) -> Tensor:
        data = floating_data(x, "rrelu_with_noise_cpu")
        slope = (lower + upper) / 2
        return record(node, _leaky_relu_kernel(data, np.asarray(slope, data.dtype)), (x,), self=x,
                      lower=lower, upper=upper)
    return input._inplace(forward, RreluWithNoiseBackward1) if inplace else forward(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """torch's composite: weight reshaped to broadcast along dim 1 (a ViewBackward0), then the kernel."""
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {scalar_type_name(input.dtype)} and "
                           f"{scalar_type_name(weight.dtype)}")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.numel() != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {channels}.")
    if input.ndim != weight.ndim:
        weight = weight.reshape([weight.numel() if d == 1 else 1 for d in range(input.ndim)])
    x, w = floating_data(input, "prelu_cpu"), weight._data
    return record(PreluKernelBackward0, _prelu_kernel(x, w), (input, weight), self=input, weight=weight)


@quiet
def _prelu_kernel(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, w * x)


# ----- smooth activations and compositions ------------------------------------------------------------

@quiet
def _mish_kernel(x: np.ndarray) -> np.ndarray:
    return x * np.tanh(softplus_kernel(x))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    def forward(x: Tensor) -> Tensor:
        return record(MishBackward0, _mish_kernel(floating_data(x, "mish_cpu")), (x,), self=x)
    return input._inplace(forward) if inplace else forward(input)


@quiet
def _log_sigmoid_kernel(x: np.ndarray) -> np.ndarray:
    """min(x, 0) - log1p(exp(-|x|)): no overflow at either end."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def logsigmoid(input: Tensor) -> Tensor:
    return record(LogSigmoidBackward0, _log_sigmoid_kernel(floating_data(input, "log_sigmoid_cpu")), (input,),
                  self=input)


def softsign(input: Tensor) -> Tensor:
    """torch's composite: input / (input.abs() + 1)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """torch's composite: input - input.tanh()."""
    return input - input.tanh()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """torch's composite: softmax of -input."""
    if dim is None:
        dim = _implicit_dim("softmin", input._data.ndim, _stacklevel)
    return softmax(-input, dim, dtype=dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = input._wrap_dim(dim)
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {input.shape[axis]}")
    x = floating_data(input, "glu_cpu")
    a, b = np.split(x, 2, axis=axis)
    return record(GluBackward0, _glu_kernel(a, b), (input,), self=input, dim=axis)


@quiet
def _glu_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * sigmoid_kernel(b)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """torch's composite: softmax((logits + Gumbel noise) / tau); ``hard``: the one-hot of its argmax with the
    soft sample's gradient (straight-through).  The noise comes from NumPy's generator."""
    gumbels = -np.log(_rng(None).exponential(size=logits.shape)).astype(logits._data.dtype)
    y_soft = ((logits + Tensor._make(gumbels, False, None)) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = Tensor._make(np.zeros_like(y_soft._data), False, None)
    np.put_along_axis(y_hard._data, index._data, 1.0, axis=y_soft._wrap_dim(dim))
    return y_hard - y_soft.detach() + y_soft


@quiet
def _gelu_kernel(x: np.ndarray, approximate: str, vectorised: bool = False) -> np.ndarray:
    if approximate == "none":
        if vectorised:   # (torch's vector kernel for float, measured: it overflows from x = 2**127, NaN at +inf)
            out = x * (1 + erf_kernel(x * _SQRT1_2)) * 0.5
            return np.where(x == np.inf, np.float32(np.nan), out)
        return x * 0.5 * (1 + erf_kernel(x * _SQRT1_2))
    return 0.5 * x * (1 + np.tanh(_TANH_BETA * (x + _TANH_KAPPA * x * x * x)))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = floating_data(input, "GeluKernelImpl")
    # torch runs its vector kernel over a contiguous float input of more than one element
    vectorised = x.dtype == np.float32 and x.size > 1 and is_contiguous(x)
    return record(GeluBackward0, _gelu_kernel(x, approximate, vectorised), (input,), self=input,
                  approximate=approximate)


@quiet
def _silu_kernel(x: np.ndarray) -> np.ndarray:
    return x * sigmoid_kernel(x)


def _silu(input: Tensor) -> Tensor:
    x = floating_data(input, "silu_cpu")
    return record(SiluBackward0, _silu_kernel(x), (input,), self=input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return input._inplace(_silu) if inplace else _silu(input)


@argument_types
def softplus(input: Tensor, beta: Number = 1, threshold: Number = 20) -> Tensor:
    x = floating_data(input, "softplus_cpu")
    return record(SoftplusBackward0, softplus_kernel(x, beta, threshold), (input,), self=input, beta=beta,
                  threshold=threshold)


# ----- softmax and log_softmax ---------------------------------------------------------------------

@quiet
def _softmax_kernel(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - max) / sum: the max subtraction keeps exp from overflowing."""
    if x.ndim == 0:
        return np.exp(x - x)  # 1, or nan for inf/nan input (as torch's)
    if x.size == 0:
        return x.copy()
    e = x - x.max(axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


@quiet
def _log_softmax_kernel(x: np.ndarray, axis: int) -> np.ndarray:
    """x - max - log(sum(exp(x - max)))."""
    if x.ndim == 0:
        return x - x
    if x.size == 0:
        return x.copy()
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=past_checks(stacklevel))
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_op(name: str, node, kernel):
    """softmax / log_softmax: ``dtype`` casts the input first (a ToCopyBackward0 below the node)."""
    def op(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
        if dim is None:
            dim = _implicit_dim(name, input._data.ndim, _stacklevel)
        elif type(dim) is not int:
            raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {python_type_name(dim)}")
        if dtype is not None:
            check_argument(name, "dtype", "ScalarType", dtype)
            input = input.to(dtype)
        axis = input._wrap_dim(dim)
        x = input._data
        if x.dtype.kind != "f" and x.size == 0:   # (no kernel runs over nothing: torch returns it, in its dtype)
            return record(node, np.empty(x.shape, x.dtype), (input,), dim=axis)
        if x.dtype.kind != "f":
            last = "lastdim_" if axis == x.ndim - 1 or x.ndim == 0 else ""
            raise NotImplementedError(
                f'"{name}_{last}kernel_impl" not implemented for \'{scalar_type_name(input.dtype)}\'')
        # (torch's kernel writes a contiguous output whatever the input's layout)
        out = kernel(x, axis)
        return record(node, out if out.flags.c_contiguous else out.copy(order="C"), (input,), dim=axis)
    op.__name__ = name
    op.__doc__ = f"torch's {name} over ``dim``, computed stably (max subtracted first)."
    return op


softmax = _softmax_op("softmax", SoftmaxBackward0, _softmax_kernel)
log_softmax = _softmax_op("log_softmax", LogSoftmaxBackward0, _log_softmax_kernel)


def _tensor_softmax(method):
    def bound(self: Tensor, dim: int, dtype=None) -> Tensor:
        return method(self, dim, dtype=dtype)
    bound.__name__ = method.__name__
    return bound


methods(softmax=_tensor_softmax(softmax), log_softmax=_tensor_softmax(log_softmax))
methods(hardshrink=hardshrink, prelu=prelu)


# ----- the in-place spellings torch.nn.functional has -------------------------------------------------

@argument_types
def elu_(input: Tensor, alpha: Number = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


@argument_types
def celu_(input: Tensor, alpha: Number = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


@argument_types
def leaky_relu_(input: Tensor, negative_slope: Number = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


@argument_types
def hardtanh_(input: Tensor, min_val: Number = -1.0, max_val: Number = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


@argument_types
def threshold_(input: Tensor, threshold: Number, value: Number) -> Tensor:
    return globals()["threshold"](input, threshold, value, inplace=True)


@argument_types
def rrelu_(input: Tensor, lower: Number = 1.0 / 8, upper: Number = 1.0 / 3, training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()
