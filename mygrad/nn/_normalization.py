"""Normalisation: ``layer_norm``, ``batch_norm``, ``group_norm`` and ``instance_norm`` (torch's fused
CPU nodes NativeLayerNormBackward0, NativeBatchNormBackward0 and NativeGroupNormBackward0, each one
derivative), and ``rms_norm`` and ``normalize`` (composite, built from the ops torch's CPU path uses, in
its order).

The fused nodes share one formula family: the input is (optionally) viewed so that the statistics are
taken over ``dims`` of the view, normalised to ``xhat = (x - mean) * rstd`` and scaled by a weight
broadcast as ``wshape``.  The gradients are

    d input  = rstd * (g - mean(g) - xhat * mean(g * xhat))     g = grad * weight, training statistics
    d input  = g * rstd                                          given (running) statistics
    d weight = sum(grad * xhat)            d bias = sum(grad)

written once over NumPy arrays and mygrad tensors (``_NormLayout`` helpers below), so ``create_graph``
differentiates the same expression: second-order values are torch's, the second-order graph is the
composite of those ops rather than torch's NativeLayerNormBackwardBackward0 / NativeBatchNormBackwardBackward0
/ NativeGroupNormBackwardBackward0 nodes.
"""
from __future__ import annotations

import math

import numpy as np

from .._argument_types import IntList, argument_types, check_argument
from .._layout import row_major, suggests_channels_last
from .._quiet import quiet
from .._tensor import Tensor, dim_size
from .._tensor_str import scalar_type_name
from ..autograd.backends import ARRAY, TENSOR, formula_helper
from ..autograd.engine import current_task
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import tensor_arguments
from ..ops._scalar import add_scalar
from . import _formulas  # noqa: F401  (registers zero_slope)

__all__ = ["layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize"]


class _NormLayout:
    """How an input is normalised: reshaped to ``view`` (None: as it is), statistics over ``dims`` of that
    view (or the given ``stats`` = (mean, rstd) arrays, broadcastable to the view), affine parameters of
    shape ``pshape`` broadcast against the input as ``wshape``."""

    __slots__ = ("view", "dims", "wshape", "pshape", "eps", "stats", "tie", "pending_pair")

    def __init__(self, view, dims, wshape, pshape, eps, stats=None, tie=2):
        self.view, self.dims, self.wshape, self.pshape, self.eps, self.stats = view, dims, wshape, pshape, eps, stats
        self.pending_pair: dict | None = None  # (the refusal pair of one create_graph backward: _refusing)
        self.tie = tie  # how many of (input, weight, bias) a second-order gradient requires grad through


# ----- formula helpers: one Python function over arrays and over tensors ---------------------------

def _ops(x):
    """(is an array, the formula namespace) for ``x``."""
    array = isinstance(x, np.ndarray) or not isinstance(x, Tensor)
    return array, ARRAY if array else TENSOR


def _mean(x, dims, array):
    return x.mean(axis=dims, keepdims=True) if array else x.mean(dims, keepdim=True)


def _const(a, array):
    return a if array else Tensor._make(a, False, None)


@quiet
def _xhat(x, layout: _NormLayout):
    """(xhat over the view, rstd) for ``x`` (array or tensor)."""
    array, _ = _ops(x)
    xv = x.reshape(layout.view) if layout.view is not None else x
    if layout.stats is not None:
        mean, rstd = (_const(s, array) for s in layout.stats)
        return (xv - mean) * rstd, rstd
    if array and _order_shows(xv, layout.dims):   # torch's moments, where their order decides NaN and inf
        kept = xv.shape[:xv.ndim - len(layout.dims)] + (1,) * len(layout.dims)
        mean, var = (m.reshape(kept) for m in _rowwise_moments(xv.reshape(math.prod(kept), -1)))
        rstd = 1 / np.sqrt(var + xv.dtype.type(layout.eps))
        return xv * rstd + -rstd * mean, rstd   # (x * scale + bias, as torch's kernels apply it)
    mean = _mean(xv, layout.dims, array)
    centred = xv - mean
    var = _mean(centred * centred, layout.dims, array)
    rstd = 1 / np.sqrt(var + layout.eps) if array else (var + layout.eps).rsqrt()
    return centred * rstd, rstd


def _order_shows(x: np.ndarray, dims: tuple) -> bool:
    """Whether torch's order of operations shows in the statistics of ``x`` over ``dims``: the trailing dims
    (layer_norm's and group_norm's rows) holding a non-finite value or one whose square may overflow."""
    if not dims or dims != tuple(range(x.ndim - len(dims), x.ndim)) or not x.size or x.dtype.kind != "f":
        return False
    return not np.isfinite(x).all() or float(np.abs(x).max()) > math.sqrt(float(np.finfo(x.dtype).max)) / 64


# torch's CPU moments (moments_utils.h, RowwiseMoments): Welford steps over vectors of _LANES values (as
# measured on torch 2.13's CPU build: 8 floats, 4 doubles), in chunks of _CHUNK vectors combined by a
# cascade, then the tail value by value, then the lanes combined; its multiply-adds fused.  Measured against
# torch.native_layer_norm's saved mean and rstd on 1280 rows of 1-300 values, a third of them NaN, +-inf,
# -0.0, subnormal or +-max: the same NaN and inf everywhere.
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}
_CHUNK = 16


def _fused(a, b, c):
    """a * b + c rounded once: the product does not overflow on its own."""
    kind = np.result_type(a, b, c)
    wide = np.float64 if kind == np.float32 else np.longdouble
    return (np.asarray(a, wide) * np.asarray(b, wide) + np.asarray(c, wide)).astype(kind)


def _add_moments(m0_add: int, m1_add, m2_add, m0: int, m1, m2, kind, vector: bool = True) -> tuple:
    """Moments (count m0_add) merged into (m0, m1, m2); an empty vector stack takes them as they are."""
    if vector and m0 == 0:
        return m0_add, m1_add + np.zeros_like(m1), m2_add + np.zeros_like(m2)
    n = m0 + m0_add
    c = kind(0) if n == 0 else kind(m0_add) / kind(n)
    delta = m1_add - m1
    return n, m1 + c * delta, m2 + (m2_add + delta * delta * c * kind(m0))


@quiet
def _rowwise_moments(rows: np.ndarray) -> tuple:
    """(mean, biased variance) of each row of ``rows`` (R, N) as torch's RowwiseMoments computes them."""
    kind = rows.dtype.type
    count, size = rows.shape
    lanes = _LANES.get(rows.dtype, 4)
    n = size // lanes
    m = -(-n // _CHUNK)
    depth = max((m - 1).bit_length(), 1)
    m0s = [0] * depth
    m1s = [np.zeros((count, lanes), rows.dtype) for _ in range(depth)]
    m2s = [np.zeros((count, lanes), rows.dtype) for _ in range(depth)]
    for i in range(m):
        steps = min(_CHUNK, n - i * _CHUNK)
        m1v, m2v = np.zeros((count, lanes), rows.dtype), np.zeros((count, lanes), rows.dtype)
        for j in range(steps):
            start = (i * _CHUNK + j) * lanes
            xv = rows[:, start:start + lanes]
            delta = xv - m1v
            m1v = _fused(delta, kind(1) / kind(j + 1), m1v)
            m2v = _fused(delta, xv - m1v, m2v)
        m0s[0], m1s[0], m2s[0] = _add_moments(steps, m1v, m2v, m0s[0], m1s[0], m2s[0], kind)
        mask, j = i + 1, 1
        while j < depth and mask & 1 == 0:
            m0s[j], m1s[j], m2s[j] = _add_moments(m0s[j - 1], m1s[j - 1], m2s[j - 1], m0s[j], m1s[j], m2s[j], kind)
            m0s[j - 1], m1s[j - 1], m2s[j - 1] = 0, np.zeros_like(m1v), np.zeros_like(m2v)
            mask >>= 1
            j += 1
    for i in range(1, depth):
        m0s[0], m1s[0], m2s[0] = _add_moments(m0s[i], m1s[i], m2s[i], m0s[0], m1s[0], m2s[0], kind)
    m0, m1, m2 = 0, np.zeros(count, rows.dtype), np.zeros(count, rows.dtype)
    for i in range(n * lanes, size):
        x = rows[:, i]
        delta = x - m1
        m0 += 1
        m1 = m1 + delta / kind(m0)
        m2 = _fused(delta, x - m1, m2)
    for lane in range(lanes):
        m0, m1, m2 = _add_moments(n, m1s[0][:, lane], m2s[0][:, lane], m0, m1, m2, kind, vector=False)
    return m1, m2 / kind(size)


TiedBackward = derivative("TiedBackward", value="grad", input=None)


def _tied(result, layout: _NormLayout, *tensors):
    """Under ``create_graph``, a gradient that does not otherwise depend on a differentiable input is tied
    to it, with no gradient flowing back: torch's double-backward node takes its inputs (and, for
    layer_norm, the saved statistics) together, so each of its outputs requires grad as soon as one of
    them does, while the second-order gradient of an input it does not depend on stays None."""
    if isinstance(result, np.ndarray) or result.requires_grad:
        return result
    for t in tensors[:layout.tie]:
        if isinstance(t, Tensor) and t.requires_grad:
            return record(TiedBackward, result._data, (result, t))
    return result


def undefined_weight(grad, pair, which):
    """torch's double backward of these ops (one node for the input's and the bias's gradients) multiplies
    by the undefined weight only when both of its outputs receive a gradient in the same backward: the
    first of the pair to run notes the backward it runs in, the second raises torch's error there."""
    task = current_task()
    if pair.get("bias" if which == "input" else "input") is task:
        raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument #1 "
                           "'other'")
    pair[which] = task
    return grad


formula_helper(undefined_weight, tensor="same")
UndefinedWeightBackward = derivative("UndefinedWeightBackward", attrs="pair which",
                                     value="undefined_weight(grad, pair, which)")


def _refusing(result, input, weight, bias, layout: _NormLayout, which: str):
    """Without a weight, with an input and a bias that require grad, the input's and the bias's gradients
    pass through a node each that shares one ``pair`` (made by the first of the two to run, taken by the other)."""
    needs = lambda t: isinstance(t, Tensor) and t.requires_grad
    if isinstance(result, np.ndarray) or weight is not None or not (needs(bias) and needs(input)):
        return result
    if layout.pending_pair is None:  # the first of the two formulas to run (bias's: torch's sorted order)
        pair = layout.pending_pair = {}
    else:
        pair, layout.pending_pair = layout.pending_pair, None
    return record(UndefinedWeightBackward, result._data, (result,), pair=pair, which=which)


@quiet
def norm_input_grad(grad, input, weight, bias, layout: _NormLayout):
    array, _ = _ops(grad)
    if array and layout.tie == 3 and (_order_shows(input, layout.dims) or _extreme(weight)):   # (layer_norm's,
        return _layer_norm_input_grad(grad, input, weight, layout)                         # where order shows)
    g = grad * weight.reshape(layout.wshape) if weight is not None else grad
    gv = g.reshape(layout.view) if layout.view is not None else g
    xhat, rstd = _xhat(input, layout)
    if layout.stats is None:
        dx = rstd * (gv - _mean(gv, layout.dims, array) - xhat * _mean(gv * xhat, layout.dims, array))
    else:
        dx = gv * rstd
    return _refusing(_tied(dx.reshape(tuple(input.shape)), layout, input, weight, bias), input, weight, bias, layout,
                     "input")


def _extreme(weight) -> bool:
    """Whether an affine weight (an array or None) holds a non-finite value or one near the largest float."""
    return weight is not None and weight.size > 0 and (not np.isfinite(weight).all() or float(
        np.abs(weight).max()) > math.sqrt(float(np.finfo(weight.dtype).max)))


def _layer_norm_stats(x: np.ndarray, layout: _NormLayout) -> tuple:
    """(mean, rstd) of layer_norm's rows as torch's kernel saves them (RowwiseMoments), kept dims."""
    kept = x.shape[:x.ndim - len(layout.dims)] + (1,) * len(layout.dims)
    mean, var = (m.reshape(kept) for m in _rowwise_moments(x.reshape(math.prod(kept), -1)))
    return mean, 1 / np.sqrt(var + x.dtype.type(layout.eps))


@quiet
def _layer_norm_input_grad(grad: np.ndarray, x: np.ndarray, weight, layout: _NormLayout) -> np.ndarray:
    """torch's LayerNormBackwardKernel for the input: dx = a * dy * w + b * x + c, with a = rstd,
    b = (db * mean - ds) * a^3 / N, c = -b * mean - db * a / N over ds = sum(dy * x * w), db = sum(dy * w)."""
    mean, a = _layer_norm_stats(x, layout)
    kind = x.dtype.type
    scale = kind(1) / kind(math.prod(x.shape[d] for d in layout.dims))
    gw = grad * weight.reshape(layout.wshape) if weight is not None else grad
    ds = (grad * x * weight.reshape(layout.wshape) if weight is not None else grad * x).sum(layout.dims, keepdims=True)
    db = gw.sum(layout.dims, keepdims=True)
    b = (db * mean - ds) * a * a * a * scale
    c = -b * mean - db * a * scale
    first = _fused(a * grad, weight.reshape(layout.wshape), b * x) if weight is not None else _fused(a, grad, b * x)
    return (first + c).astype(x.dtype, copy=False)   # (the compiled kernel fuses the first product)


@quiet
def norm_weight_grad(grad, input, weight, bias, layout: _NormLayout):
    array, ns = _ops(grad)
    if array and layout.tie == 3 and _order_shows(input, layout.dims):   # torch's: dy * (rstd * x - rstd * mean)
        mean, a = _layer_norm_stats(input, layout)
        return (grad * _fused(a, input, -a * mean)).sum(tuple(range(input.ndim - len(layout.dims)))).reshape(
            layout.pshape).astype(input.dtype, copy=False)
    xhat, _ = _xhat(input, layout)
    prod = grad * xhat.reshape(tuple(input.shape))
    return _tied(ns["sum_to"](prod, layout.wshape).reshape(layout.pshape), layout, input, weight, bias)


def norm_bias_grad(grad, input, weight, bias, layout: _NormLayout):
    _, ns = _ops(grad)
    bias_grad = ns["sum_to"](grad, layout.wshape).reshape(layout.pshape)
    # group_norm's double backward is composite in torch: its bias gradient depends on nothing but grad
    if layout.view is not None:
        return bias_grad
    return _refusing(_tied(bias_grad, layout, input, weight, bias), input, weight, bias, layout, "bias")


for _fn in (norm_input_grad, norm_weight_grad, norm_bias_grad):
    formula_helper(_fn, tensor="same")

_FORMULAS = dict(input="norm_input_grad(grad, input, weight, bias, layout)",
                 weight="norm_weight_grad(grad, input, weight, bias, layout)",
                 bias="norm_bias_grad(grad, input, weight, bias, layout)")
NativeLayerNormBackward0 = derivative("NativeLayerNormBackward0", attrs="layout", **_FORMULAS)
NativeBatchNormBackward0 = derivative("NativeBatchNormBackward0", attrs="layout", **_FORMULAS)
NativeGroupNormBackward0 = derivative("NativeGroupNormBackward0", attrs="layout", **_FORMULAS)


# ----- the forwards ----------------------------------------------------------------------------------

def _float_data(input: Tensor, kernel: str) -> np.ndarray:
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(input.dtype)}\'')
    return data


def _check_parameters(input: Tensor, weight, bias, stats: tuple = ()) -> None:
    """torch's checks of the affine parameters (and running statistics) against the input's dtype: the
    weight by the mixed-dtype check, the others by the kernel's dispatch."""
    dt = input._data.dtype
    if weight is not None and weight._data.dtype != dt:
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float" if dt.kind == "f" else
                           "mixed dtype (CPU): all inputs must share same datatype.")
    for p in (bias, *stats):
        if p is not None and p._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                               f"{scalar_type_name(p.dtype)}")


@quiet
def _affine(out: np.ndarray, weight, bias, wshape) -> np.ndarray:
    if weight is not None:
        out = out * weight._data.reshape(wshape)
    if bias is not None:
        out = out + bias._data.reshape(wshape)
    return out


def _normalised(input: Tensor, node, layout: _NormLayout, weight, bias, value: np.ndarray | None = None) -> Tensor:
    x = input._data
    if value is None and (node is NativeGroupNormBackward0 or node is NativeLayerNormBackward0 and _order_shows(
            x, layout.dims)):
        value = _kernel_value(x, layout, weight, bias, node is NativeGroupNormBackward0)
    if value is None:
        xhat, _ = _xhat(x, layout)
        value = _affine(xhat.reshape(x.shape), weight, bias, layout.wshape)
    out = value.astype(x.dtype, copy=False)
    # torch's kernels allocate the output row-major whatever the input's layout, but batch_norm keeps a
    # channels-last one (suggest_memory_format)
    if not (node is NativeBatchNormBackward0 and suggests_channels_last(x)):
        out = row_major(out)
    return record(node, out, (input, weight, bias), input=input, weight=weight, bias=bias, layout=layout)


@quiet
def _kernel_value(x: np.ndarray, layout: _NormLayout, weight, bias, group: bool) -> np.ndarray:
    """layer_norm's or group_norm's output as torch's kernels apply the statistics (where NaN and inf show it):
    layer_norm ((x * rstd - rstd * mean) * weight + bias), group_norm (x * scale + bias, the weight folded
    into scale = rstd * weight and bias = bias - scale * mean), each multiply-add fused."""
    xv = x.reshape(layout.view) if layout.view is not None else x
    kept = xv.shape[:xv.ndim - len(layout.dims)] + (1,) * len(layout.dims)
    if _order_shows(xv, layout.dims):
        mean, var = (m.reshape(kept) for m in _rowwise_moments(xv.reshape(math.prod(kept), -1)))
    else:
        mean = xv.mean(axis=layout.dims, keepdims=True)
        var = ((xv - mean) ** 2).mean(axis=layout.dims, keepdims=True)
    kind = x.dtype.type
    rstd = 1 / np.sqrt(np.where(var < 0, kind(0), var) + kind(layout.eps))
    if not group:
        y = _fused(xv, rstd, -rstd * mean).reshape(x.shape)
        w = weight._data.reshape(layout.wshape) if weight is not None else kind(1)
        b = bias._data.reshape(layout.wshape) if bias is not None else kind(0)
        return _fused(y, w, b)
    n, groups = xv.shape[:2]
    channels = x.shape[1]
    rows = x.reshape(n, groups, channels // groups, -1)
    scale = rstd.reshape(n, groups, 1, 1)
    if weight is not None:
        scale = scale * weight._data.reshape(1, groups, channels // groups, 1)
    shift = -scale * mean.reshape(n, groups, 1, 1)
    if bias is not None:
        shift = _fused(-scale, mean.reshape(n, groups, 1, 1), bias._data.reshape(1, groups, channels // groups, 1))
    return _fused(rows, scale, shift).reshape(x.shape)


def _shape_list(shape) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


@argument_types
def layer_norm(input: Tensor, normalized_shape: IntList, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims (NativeLayerNormBackward0)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(n) for n in normalized_shape)
    x = input._data
    k = len(shape)
    _check_parameters(input, weight, bias)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                           "one element, but got normalized_shape = []")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p._data.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{_shape_list(p._data.shape)} and normalized_shape = {_shape_list(shape)}")
    if x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(n) for n in shape)}], but got input of size{_shape_list(x.shape)}")
    _float_data(input, "LayerNormKernelImpl")
    layout = _NormLayout(None, tuple(range(x.ndim - k, x.ndim)), shape, shape, eps, tie=3)
    return _normalised(input, NativeLayerNormBackward0, layout, weight, bias)


def _verify_batch_size(size) -> None:
    """torch's Python check (F.batch_norm, F.group_norm), naming ``size`` as it is given (a torch.Size, a list)."""
    prods = size[0]
    for n in size[2:]:
        prods *= n
    if prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims with the batch's statistics
    (training; the running statistics, when given, are updated in place with ``momentum`` and the
    unbiased variance) or with the running statistics (eval).  As torch's Python function: the batch size
    is checked (reading ``input.size()``) before ATen's batch_norm parses the arguments (weight first)."""
    if training:
        _verify_batch_size(input.size())
    return _checked_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, False)


def aten_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                    running_var: Tensor | None, training: bool, momentum: float, eps: float,
                    cudnn_enabled: bool) -> Tensor:
    """ATen's batch_norm (torch.batch_norm): without F's "more than 1 value per channel" check (one value
    normalises to 0)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _sequential_sum(rows: np.ndarray, dtype=np.float64) -> np.ndarray:
    """Summed along axis 0 left to right in ``dtype``, as torch's kernels loop (NumPy's sum is pairwise)."""
    return np.cumsum(rows, axis=0, dtype=dtype)[-1]


def _fma_sum_of_squares(d: np.ndarray) -> np.ndarray:
    """sum over axis 0 of d*d, accumulated left to right with a fused multiply-add in d's dtype (torch's
    vectorised kernel, compiled with FMA contraction): float32 steps in double, each rounded once to
    float32; float64 steps through an error-free product and sum (Dekker), rounded once."""
    if d.dtype == np.float32:
        y = np.zeros(d.shape[1:], np.float32)
        for row in d.astype(np.float64):
            y = (y + row * row).astype(np.float32)
        return y
    y = np.zeros(d.shape[1:], d.dtype)
    split = 134217729.0  # 2**27 + 1
    for a in d:
        p = a * a
        t = split * a
        hi = t - (t - a)
        lo = a - hi
        err = ((hi * hi - p) + 2 * hi * lo) + lo * lo
        total = p + y
        bp = total - p
        e1 = (p - (total - bp)) + (y - bp)
        y = total + (e1 + err)
    return y


def _fma(a, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once to b's dtype: through double for float32 (the product is exact there),
    through an error-free product and sum (Dekker, Knuth) for float64."""
    if b.dtype == np.float32:
        return (np.float64(a) * b.astype(np.float64) + c.astype(np.float64)).astype(np.float32)
    split = 134217729.0  # 2**27 + 1
    p = a * b
    ta, tb = split * a, split * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    total = p + c
    bp = total - p
    return total + (((p - (total - bp)) + (c - bp)) + err)


@quiet
def _collect_stats(x: np.ndarray, channels: int) -> tuple:
    """Per channel: the mean and the sum of squared deviations, rounded as torch's CPU kernels
    (batch_norm_cpu_collect_stats) round them, so the running statistics match torch's.
    Images of more than one element: sums accumulated in double along the batch then the image.
    One element per image (channels last), as torch runs it on one thread: sums in the input's dtype,
    the squares fused into them (FMA).  With several threads torch splits the batch, which may round
    differently in the last place."""
    kind = x.dtype.type
    images = np.moveaxis(x.reshape(x.shape[0], channels, -1), 1, 0).reshape(channels, -1).T  # (n, C)
    n = images.shape[0]
    if x.size // (x.shape[0] * channels) != 1:
        mean = (_sequential_sum(images) / n).astype(x.dtype)
        centred = images - mean
        return mean, _sequential_sum(centred * centred).astype(x.dtype)
    mean = _sequential_sum(images, x.dtype) / kind(n)
    return mean, _fma_sum_of_squares(images - mean)


def _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                stats_dtype: bool = True) -> Tensor:
    """(``stats_dtype``: the running statistics must have the input's dtype; instance_norm's need not.)"""
    x = input._data
    if x.size == 0:   # ATen returns before any check: a clone (the graph kept), times weight[0], plus bias[0]
        out = input.clone()
        out = out if weight is None else out * weight[0]
        return out if bias is None else out + bias[0]
    if not training:
        for name, p in (("running_mean", running_mean), ("running_var", running_var)):
            if p is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    if x.ndim < 2:
        raise RuntimeError(f"batch_norm: expected input with at least 2 dims, got {x.ndim}")
    channels = x.shape[1]
    for name, p in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if p is not None and p._data.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {p._data.size}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    for p in (running_mean, running_var):   # (the kernel reads them through a 1-d accessor)
        if p is not None and p._data.ndim != 1:
            raise RuntimeError(f"TensorAccessor expected 1 dims but tensor has {p._data.ndim}")
    _float_data(input, "batch_norm")
    _check_parameters(input, weight, bias, (running_mean, running_var) if stats_dtype else ())
    wshape = (channels,) + (1,) * (x.ndim - 2)
    dims = (0,) + tuple(range(2, x.ndim))
    if training:
        layout = _NormLayout(None, dims, wshape, (channels,), eps)
        out = _normalised(input, NativeBatchNormBackward0, layout, weight, bias)
        n = x.size // channels if channels else 0
        if running_mean is not None and n > 0:
            mean, var_sum = _collect_stats(x, channels)
            kind, f64 = x.dtype.type, np.float64
            with np.errstate(all="ignore"):
                # torch's update, as measured on 242 drawn cases (single-threaded): the momentum m and 1 - m
                # in the dtype; mean: m * mean + (1 - m) * running; variance: the unbiased variance rounded
                # to the dtype, then fma(m, unbiased, (1 - m) * running)
                m = kind(momentum)
                keep = kind(1) - m
                unbiased = (var_sum.astype(f64) / (n - 1) if n > 1 else var_sum.astype(f64) * math.inf).astype(x.dtype)
                rm, rv = running_mean._data, running_var._data
                rm[...] = (m * mean + keep * rm.reshape(mean.shape)).reshape(rm.shape)
                scaled = keep * rv.reshape(unbiased.shape)
                updated = _fma(m, unbiased, scaled) if x.dtype == np.float32 else m * unbiased + scaled
                rv[...] = updated.reshape(rv.shape)
        return out
    with np.errstate(all="ignore"):
        mean = running_mean._data.reshape(wshape).astype(x.dtype)
        rstd = (1 / np.sqrt(running_var._data.reshape(wshape) + eps)).astype(x.dtype)
    layout = _NormLayout(None, dims, wshape, (channels,), eps, (mean, rstd))
    return _normalised(input, NativeBatchNormBackward0, layout, weight, bias,
                       _batch_norm_transform(x, mean, rstd, weight, bias, wshape))


@quiet
def _batch_norm_transform(x: np.ndarray, mean, rstd, weight, bias, wshape) -> np.ndarray:
    """torch's eval kernel (batch_norm_cpu_transform_input): alpha = rstd * weight, beta = bias - mean * alpha,
    y = fma(x, alpha, beta), the product unrounded (so x * alpha past the largest float plus beta = -inf is
    -inf, not NaN): float32 through double, float64 as _fma64."""
    alpha = rstd * weight._data.reshape(wshape) if weight is not None else rstd
    beta = -mean * alpha if bias is None else bias._data.reshape(wshape) - mean * alpha
    if x.dtype == np.float32:
        return (x.astype(np.float64) * alpha.astype(np.float64) + beta.astype(np.float64)).astype(x.dtype)
    return _fma64(x, alpha, beta)


def _fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once, for float64 arrays: Dekker's error-free product (``_fma``) with a huge ``a``
    scaled by 2**-600 first (so the split cannot overflow); where an operand is not finite or ``b`` is huge,
    long double (whose exponent range holds the product)."""
    a, b, c = np.broadcast_arrays(a, b, c)
    huge = np.abs(a) >= 2.0 ** 900
    scale = np.where(huge, 2.0 ** -600, 1.0)
    exact = _fma(a * scale, b, c * scale) / scale
    wide = (a.astype(np.longdouble) * b + c).astype(np.float64)
    safe = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & (np.abs(b) < 2.0 ** 900) & np.isfinite(exact)
    return np.where(safe, exact, wide)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels of each sample (NativeGroupNormBackward0).  As
    torch's Python function: the input's dims and the batch size are checked (reading ``input.dim()``,
    ``input.size()``, dividing by ``num_groups``) before ATen's group_norm parses the arguments."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:]))
    return _checked_group_norm(input, num_groups, weight, bias, eps, False)


def aten_group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
                    eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:
    """ATen's group_norm (torch.group_norm): without F's "more than 1 value per channel" check."""
    return _group_norm(input, num_groups, weight, bias, eps)


def _group_norm(input: Tensor, num_groups: int, weight: Tensor | None, bias: Tensor | None, eps: float) -> Tensor:
    x = input._data
    _check_parameters(input, weight, bias)
    n, channels = dim_size(x.shape, 0), dim_size(x.shape, 1)   # (ATen reads them first: an IndexError)
    spatial = 1
    for s in x.shape[2:]:
        spatial *= s
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {_shape_list(x.shape)} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p._data.ndim != 1 or p._data.size != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {_shape_list(p._data.shape)} and input of shape "
                               f"{_shape_list(x.shape)}")
    _float_data(input, "GroupNormKernelImpl")
    wshape = (channels,) + (1,) * (x.ndim - 2)
    layout = _NormLayout((n, num_groups, channels // num_groups * spatial), (2,), wshape, (channels,), eps)
    # torch's kernel takes its tensors .contiguous(): a CloneBackward0 below the node for a non-contiguous one
    weight, bias = (None if p is None else p.contiguous() for p in (weight, bias))
    return _normalised(input.contiguous(), NativeGroupNormBackward0, layout, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """batch_norm over the input viewed as (1, N*C, *), as torch composes it: the parameters and running
    statistics repeated N times, the running statistics averaged back over the batch afterwards.  As torch's
    Python function: the spatial size is checked (reading ``input.size()``) before ATen's instance_norm
    parses the arguments (weight first)."""
    if use_input_stats:
        size = input.size()
        prods = 1
        for s in size[2:]:
            prods *= s
        if prods == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")
    return _checked_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                                  False)


def aten_instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                       running_var: Tensor | None, use_input_stats: bool, momentum: float, eps: float,
                       cudnn_enabled: bool) -> Tensor:
    """ATen's instance_norm (torch.instance_norm): F's without its spatial-size check."""
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def _instance_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None,
                   bias: Tensor | None, use_input_stats: bool, momentum: float, eps: float) -> Tensor:
    x = input._data
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    b, c = dim_size(x.shape, 0), dim_size(x.shape, 1)   # (ATen reads them first: an IndexError)
    if x.dtype.kind == "f":   # (measured: a running_var of another dtype is refused, a running_mean is cast)
        _check_parameters(input, weight, bias, (running_var,))
    view = input.contiguous().view(1, b * c, *x.shape[2:])
    rep = lambda t: None if t is None else t.repeat(b)
    mean_b, var_b = rep(running_mean), rep(running_var)
    out = _batch_norm(view, mean_b, var_b, rep(weight), rep(bias), use_input_stats, momentum, eps,
                      stats_dtype=False)
    for stat, repeated in ((running_mean, mean_b), (running_var, var_b)):
        if stat is not None and use_input_stats:  # (torch copies them back only when it updated them)
            if stat._data.shape != (c,):   # (copy_ into a 0-d statistic)
                raise RuntimeError(f"output with shape {list(stat._data.shape)} doesn't match the broadcast shape "
                                   f"[{c}]")
            stat._data[...] = repeated._data.reshape(b, c).mean(axis=0).astype(stat._data.dtype)
    return out.view(*x.shape)


@argument_types
def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """input * rsqrt(mean(input^2) + eps) (* weight), composite as torch's CPU path is; ``eps`` defaults to
    the dtype's machine epsilon."""
    check_argument("rms_norm", "normalized_shape", "IntArray", normalized_shape, position=1)   # (torch's int[])
    shape = tuple(normalized_shape)
    x = input._data
    k = len(shape)
    if x.ndim < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {x.ndim}")
    if tuple(x.shape[x.ndim - k:]) != shape or k == 0:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(n) for n in shape)}], but got input of size{_shape_list(x.shape)}")
    if weight is not None and tuple(weight._data.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{_shape_list(weight._data.shape)} and normalized_shape = {_shape_list(shape)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{scalar_type_name(input.dtype)}'")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    scale = add_scalar(input.pow(2).mean(dims, keepdim=True), eps).rsqrt()  # AddBackward1: C++'s add_(eps)
    out = input.mul(scale)
    out = out.mul(weight) if weight is not None else out
    return out.contiguous()  # (torch's composite ends so: a CloneBackward0 on top for a non-contiguous input)


# the ATen functions F's Python functions call, checking their arguments as torch's parser does
_checked_batch_norm = tensor_arguments(aten_batch_norm, "batch_norm")
_checked_instance_norm = tensor_arguments(aten_instance_norm, "instance_norm")
_checked_group_norm = tensor_arguments(aten_group_norm, "group_norm")


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """input / max(||input||_p along dim, eps), composite as torch's Python code is."""
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported by mygrad")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom
