"""``dropout``: the input times a random keep-mask scaled by 1/(1-p), as torch computes it on the
CPU (MulBackward0 with a constant second operand).  Eval mode, p=0 and an empty input return the
input itself.

The mask comes from mygrad's default generator (``manual_seed`` reproduces it); its values
cannot be torch's, only its distribution and the gradient it implies (the mask's scaling).
"""
from __future__ import annotations

import warnings

import numpy as np

from .._argument_types import argument_types, check_argument
from .._creation import default_generator
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad, grad_mode
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import past_checks
from ..ops.elementwise import mul


def _noise(input: Tensor, p: float) -> Tensor:
    data = input._data
    if p == 1:
        return Tensor._make(np.zeros((), data.dtype), False, None)
    if data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(input.dtype)}")
    keep = 1 - p
    noise = (default_generator._rng.random(data.shape) < keep).astype(data.dtype)
    noise /= data.dtype.type(keep)
    return Tensor._make(noise, False, None)


@argument_types(training="train")
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._data.size == 0:
        return input
    noise = _noise(input, p)
    return input._inplace(mul, noise, ufunc=np.multiply) if inplace else mul(input, noise)


# ----- the channel-wise and alpha variants (torch's _dropout_impl) -----------------------------------

_ALPHA = 1.7580993408473766  # SELU's -scale * alpha: the value alpha dropout sets dropped units to


def _dropout_impl(input: Tensor, p: float, train: bool, inplace: bool, feature: bool, alpha: bool) -> Tensor:
    """torch's ATen dropout family: a keep-mask per element (per (sample, channel) with ``feature``),
    scaled by 1/(1-p); with ``alpha``, affine-corrected so that SELU's mean and variance are kept:
    input * (a * mask) + b, b = (mask - 1) * alpha * a + alpha * a * p."""
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    data = input._data
    if p == 0 or not train or data.size == 0:
        return input
    if p == 1:
        zero = Tensor._make(np.zeros((), data.dtype), False, None)
        return input._inplace(mul, zero, ufunc=np.multiply) if inplace else mul(input, zero)
    if feature and data.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(input.dtype)}")
    shape = data.shape[:2] + (1,) * (data.ndim - 2) if feature else data.shape
    keep = (default_generator._rng.random(shape) < 1 - p).astype(data.dtype)
    if not alpha:
        noise = Tensor._make(keep / data.dtype.type(1 - p), False, None)
        return input._inplace(mul, noise, ufunc=np.multiply) if inplace else mul(input, noise)
    a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = Tensor._make(((keep - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(data.dtype), False, None)
    noise = Tensor._make((keep * a).astype(data.dtype), False, None)
    out = input._inplace(mul, noise, ufunc=np.multiply) if inplace else mul(input, noise)
    return out.add_(shift)


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


UnsqueezeBackward1 = derivative("UnsqueezeBackward1", attrs="shape", self="reshape(grad, shape)")
SqueezeBackward4 = derivative("SqueezeBackward4", attrs="shape", self="reshape(grad, shape)")


def _reshape_(input: Tensor, node, shape: tuple) -> Tensor:
    """``input.unsqueeze_(0)`` / ``input.squeeze_(0)``: the tensor itself takes the new shape (a view of
    its memory) and, when recording, the history of a view node over its previous self, as torch's
    in-place view ops do."""
    input._check_inplace()
    data = input._data
    if grad_mode._state.enabled and input._requires_grad:
        old = Tensor._make(data, True, input.grad_fn, input._output_nr, input._vc)
        new = record(node, data.reshape(shape), (old,), shape=data.shape)
        input.grad_fn, input._output_nr = new.grad_fn, 0
    input._data = data.reshape(shape)
    input._vc[0] += 1
    if forward_ad.levels:   # a dual tensor's tangent takes the new shape with it
        forward_ad.reshape_tangent(input, shape)
    return input


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    """feature dropout on the input, given a batch dim first when it has none (as torch's Python does)."""
    if not batched:
        input = _reshape_(input, UnsqueezeBackward1, (1, *input.shape)) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, feature=True, alpha=False)
    if not batched:
        result = _reshape_(result, SqueezeBackward4, tuple(result.shape)[1:]) if inplace else result.squeeze(0)
    return result


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs (``training``'s type is checked after the input's
    dims, as torch's Python checks them before calling its kernel)."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    check_argument("feature_dropout", "train", "bool", training)
    return _channel_dropout(input, p, training, inplace, ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs (3-D ones are taken as (N, C, L), as torch does, with its
    warning)."""
    _check_p(p)
    check_argument("feature_dropout", "train", "bool", training)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
            "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=past_checks(2))
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=past_checks(2))
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    check_argument("feature_dropout", "train", "bool", training)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
            "Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a "
            "channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=past_checks(2))
    return _channel_dropout(input, p, training, inplace, ndim == 5)


@argument_types(training="train")
def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped units set to SELU's negative saturation, then an affine
    correction keeps the mean and variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=False, alpha=True)


@argument_types(training="train")
def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout with one mask value per (sample, channel)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)
