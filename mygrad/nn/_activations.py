"""Activations and the softmax family: a NumPy forward each, and one derivative line each.

The kinks follow torch: ``leaky_relu`` at 0 takes the negative slope, ``elu`` at 0 takes
``alpha * exp(0)``; in-place forms save their result instead of their input (``LeakyReluBackward1``,
``EluBackward1``), as torch's do.  ``relu``, ``sigmoid`` and ``tanh`` are the elementwise ops.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import methods, record
from ..ops._quiet import quiet

# (importing _formulas also registers the formula functions the derivatives below call)
from ._formulas import erf_kernel, floating_data, sigmoid_kernel, softplus_kernel

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


# ----- derivatives (torch's formulas; the numbers are 1/sqrt(2), 1/sqrt(2 pi), sqrt(2/pi), 3 * 0.044715)
LeakyReluBackward0 = derivative("LeakyReluBackward0", attrs="negative_slope",
                                self="zero_slope(where(self > 0, grad, grad * negative_slope), self)")
LeakyReluBackward1 = derivative("LeakyReluBackward1", attrs="negative_slope",
                                self="zero_slope(where(result > 0, grad, grad * result_slope(negative_slope)), result)")
# elu's slope at 0 is alpha, but torch's second derivative there is 0: hence the masked ``self * (self < 0)``
EluBackward0 = derivative("EluBackward0", attrs="alpha",
                          self="where(self > 0, grad, grad * (alpha * exp(self * (self < 0))))")
EluBackward1 = derivative("EluBackward1", attrs="alpha",
                          self="where(result > 0, grad, grad * (result * (result < 0) + alpha))")
GeluBackward0 = derivative(
    "GeluBackward0", attrs="approximate",
    self="grad * (0.5 * (1 + erf(self * 0.7071067811865476)) + self * exp(-0.5 * self * self) * 0.3989422804014327"
         " if approximate == 'none' else"
         " 0.5 * (1 + (th := tanh(0.7978845608028654 * (self + 0.044715 * self * self * self))))"
         " + 0.5 * self * (1 - th * th) * (0.7978845608028654 * (1 + 0.134145 * self * self)))")
SiluBackward0 = derivative("SiluBackward0", self="grad * ((s := sigmoid(self)) * (1 + self * (1 - s)))")
SoftplusBackward0 = derivative("SoftplusBackward0", attrs="threshold beta",
                               self="where(self * beta > threshold, grad, grad * sigmoid(self * beta))")
SoftmaxBackward0 = derivative("SoftmaxBackward0", attrs="dim", self="result * (grad - keep_sum(grad * result, dim))")
LogSoftmaxBackward0 = derivative("LogSoftmaxBackward0", attrs="dim", self="grad - exp(result) * keep_sum(grad, dim)")


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
def _elu_kernel(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)) * alpha)


# (kernel, torch's CPU kernel name, the parameter's name, node, node of the in-place form)
_LEAKY_RELU = (_leaky_relu_kernel, "leaky_relu_cpu", "negative_slope", LeakyReluBackward0, LeakyReluBackward1)
_ELU = (_elu_kernel, "elu_cpu", "alpha", EluBackward0, EluBackward1)


def _parametrized(spec: tuple, input: Tensor, value: float, inplace: bool) -> Tensor:
    """A one-parameter activation; the in-place form records the node that saves the result."""
    kernel, cpu_name, parameter, node, inplace_node = spec

    def forward(x: Tensor, node=node) -> Tensor:
        data = floating_data(x, cpu_name)
        return record(node, kernel(data, value), (x,), self=x, **{parameter: value})
    return input._inplace(forward, inplace_node) if inplace else forward(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return _parametrized(_LEAKY_RELU, input, negative_slope, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _parametrized(_ELU, input, alpha, inplace)


@quiet
def _gelu_kernel(x: np.ndarray, approximate: str) -> np.ndarray:
    if approximate == "none":
        return x * 0.5 * (1 + erf_kernel(x * _SQRT1_2))
    return 0.5 * x * (1 + np.tanh(_TANH_BETA * (x + _TANH_KAPPA * x * x * x)))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = floating_data(input, "GeluKernelImpl")
    return record(GeluBackward0, _gelu_kernel(x, approximate), (input,), self=input, approximate=approximate)


def _silu(input: Tensor) -> Tensor:
    x = floating_data(input, "silu_cpu")
    return record(SiluBackward0, x * sigmoid_kernel(x), (input,), self=input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return input._inplace(_silu) if inplace else _silu(input)


def softplus(input: Tensor, beta: float = 1, threshold: float = 20) -> Tensor:
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
                  "as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_op(name: str, node, kernel):
    """softmax / log_softmax: ``dtype`` casts the input first (a ToCopyBackward0 below the node)."""
    def op(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
        if dim is None:
            dim = _implicit_dim(name, input._data.ndim, _stacklevel)
        elif type(dim) is not int:
            raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
        if dtype is not None:
            input = input.to(dtype)
        axis = input._wrap_dim(dim)
        x = input._data
        if x.dtype.kind != "f":
            last = "lastdim_" if axis == x.ndim - 1 or x.ndim == 0 else ""
            raise NotImplementedError(
                f'"{name}_{last}kernel_impl" not implemented for \'{scalar_type_name(input.dtype)}\'')
        return record(node, kernel(x, axis), (input,), dim=axis)
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
