"""Normalisation: ``layer_norm``, ``batch_norm``, ``group_norm`` and ``instance_norm`` (torch's fused
CPU nodes NativeLayerNormBackward0, NativeBatchNormBackward0 and NativeGroupNormBackward0), and ``rms_norm``
and ``normalize`` (composite, built from the ops torch's CPU path uses, in its order).

The fused nodes follow torch's kernels, so that NaN, infinities and overflow land where torch's do: the
forward saves torch's statistics (RowwiseMoments for layer_norm and group_norm, batch_norm_cpu_collect_stats
per memory layout) and applies them as its kernels do; the first-order gradients are its backward kernels
(vectorised sums over 32-byte lanes, their multiply-adds fused, as measured bit for bit).  Under
``create_graph`` batch_norm's and layer_norm's gradients keep the kernel's values, with a
NativeBatchNormBackwardBackward0 / NativeLayerNormBackwardBackward0 node above them whose backward is
torch's batchnorm_double_backward / layer_norm_double_backward; group_norm's are torch's differentiable
composite (infinitely_differentiable_native_group_norm_backward), through its saved statistics.  Forward-mode
AD is torch's batch_norm_jvp, layer_norm_jvp and group_norm_jvp.  The composite formulas are written once
over mygrad tensors (``_over_tensors`` runs them over arrays too).
"""
from __future__ import annotations

import math

import numpy as np

from .._argument_types import IntList, argument_types, check_argument
from .._layout import is_contiguous, row_major, suggests_channels_last
from .._quiet import quiet
from .._summation import torch_sum
from .._tensor import Tensor, dim_size
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.engine import current_task
from ..autograd.grad_mode import no_grad
from ..autograd.node import derivative
from ..ops._define import record, record_multi
from ..ops._errors import tensor_arguments
from ..ops._scalar import add_scalar
from . import _formulas  # noqa: F401  (registers zero_slope)

__all__ = ["layer_norm", "batch_norm", "group_norm", "instance_norm", "rms_norm", "normalize"]


class _NormLayout:
    """How an input is normalised: ``kind`` ("batch", "layer" or "group"); reshaped to ``view`` (None: as it is),
    statistics over ``dims`` of that view, affine parameters of shape ``pshape`` broadcast against the input as
    ``wshape``.  ``saved`` holds the statistics torch's forward saves (mean, inverse standard deviation: per
    channel for batch_norm, kept dims for layer_norm, (N, G, 1) for group_norm); ``running`` batch_norm's running
    statistics in evaluation mode (then ``saved`` are those its backward kernel derives from them)."""

    __slots__ = ("kind", "view", "dims", "wshape", "pshape", "eps", "saved", "running", "tie", "pending_pair",
                 "composite")

    def __init__(self, kind, view, dims, wshape, pshape, eps, saved, running=None, tie=2):
        self.kind, self.view, self.dims, self.wshape, self.pshape = kind, view, dims, wshape, pshape
        self.eps, self.saved, self.running = eps, saved, running
        self.pending_pair: dict | None = None  # (the refusal pair of one create_graph backward: _refusing)
        self.composite: tuple | None = None  # (group_norm's gradients of one create_graph backward)
        self.tie = tie  # how many of (input, weight, bias) a second-order gradient requires grad through


# ----- formula helpers: one Python function over arrays and over tensors ---------------------------

def _over_tensors(fn):
    """``fn`` written once over mygrad tensors (torch's composite formulas, op by op), run over arrays too:
    arrays become constant tensors, and with no tensor among the arguments (a backward without
    ``create_graph``) it runs without a graph and gives an array."""
    def run(*args):
        if any(isinstance(a, Tensor) for a in args):
            return fn(*(Tensor._make(a, False, None) if isinstance(a, np.ndarray) else a for a in args))
        with no_grad():
            out = fn(*(Tensor._make(np.asarray(a), False, None) if isinstance(a, np.ndarray) else a for a in args))
        return None if out is None else out._data
    run.__name__ = fn.__name__
    return run


# torch's CPU moments (moments_utils.h, RowwiseMoments): Welford steps over vectors of _LANES values (as
# measured on torch 2.13's CPU build: 8 floats, 4 doubles), in chunks of _CHUNK vectors combined by a
# cascade, then the tail value by value, then the lanes combined; the vectors' multiply-adds fused, the scalar
# tail's not.  Measured against torch.native_layer_norm's saved mean and rstd on 1280 rows of 1-300 values, a
# third of them NaN, +-inf, -0.0, subnormal or +-max: the same NaN and inf everywhere; on finite rows of 2-40
# values, the same bits.
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}
_CHUNK = 16


def _add_moments(m0_add: int, m1_add, m2_add, m0: int, m1, m2, kind, vector: bool = True) -> tuple:
    """Moments (count m0_add) merged into (m0, m1, m2) as torch's AddMoments(Vec) does, its multiply-adds fused
    (measured: the means bit for bit); an empty vector stack takes them as they are."""
    if vector and m0 == 0:
        return m0_add, m1_add + np.zeros_like(m1), m2_add + np.zeros_like(m2)
    n = m0 + m0_add
    c = kind(0) if n == 0 else kind(m0_add) / kind(n)
    delta = m1_add - m1
    return n, _fmadd(c, delta, m1), m2 + _fmadd(delta * delta * c, kind(m0), m2_add)


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
            m1v = _fmadd(delta, kind(1) / kind(j + 1), m1v)
            m2v = _fmadd(delta, xv - m1v, m2v)
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
        m2 = m2 + delta * (x - m1)   # (the scalar tail unfused, as measured)
    for lane in range(lanes):
        m0, m1, m2 = _add_moments(n, m1s[0][:, lane], m2s[0][:, lane], m0, m1, m2, kind, vector=False)
    return m1, m2 / kind(size)


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
    if isinstance(result, np.ndarray) or which == "weight" or weight is not None or not (
            needs(bias) and needs(input)):
        return result
    if layout.pending_pair is None:  # the first of the two formulas to run (bias's: torch's sorted order)
        pair = layout.pending_pair = {}
    else:
        pair, layout.pending_pair = layout.pending_pair, None
    return record(UndefinedWeightBackward, result._data, (result,), pair=pair, which=which)


# ----- the first-order gradients: torch's kernels over arrays --------------------------------------

def _fmadd(a, b, c) -> np.ndarray:
    """a * b + c rounded once, in the operands' dtype (torch's vectorised kernels are compiled with fused
    multiply-adds): float32 through double, float64 as _fma64."""
    a, b, c = (np.asarray(v) for v in (a, b, c))
    kind = np.result_type(a, b, c)
    if kind == np.float32:
        wide = np.float64
        return (a.astype(wide) * b.astype(wide) + c.astype(wide)).astype(np.float32)
    return _fma64(a.astype(kind), b.astype(kind), c.astype(kind))


def _lane_sum(values: np.ndarray, factor: np.ndarray | None = None) -> np.ndarray:
    """torch's vec::reduce_all over the last axis (with ``factor``: map2_reduce_all of values * factor):
    vectors of _LANES values added lane by lane, a partial last vector merged in (its products fused into the
    sums), then the lanes added (floats pairwise across the halves, doubles in order); fewer values than a
    vector are added in order."""
    lanes = _LANES[values.dtype]
    size = values.shape[-1]
    term = (lambda s: values[..., s] * factor[..., s]) if factor is not None else (lambda s: values[..., s])
    if size < lanes:
        total = term(slice(0, 1))[..., 0]
        for i in range(1, size):
            total = total + term(slice(i, i + 1))[..., 0]
        return total
    acc = term(slice(0, lanes))
    d = lanes
    while d + lanes <= size:
        acc = acc + term(slice(d, d + lanes))
        d += lanes
    if d < size:
        acc = acc.copy()
        acc[..., :size - d] = (acc[..., :size - d] + values[..., d:] if factor is None else
                               _fmadd(values[..., d:], factor[..., d:], acc[..., :size - d]))
    if values.dtype == np.float32:
        step = lanes // 2
        while step:
            acc = acc + acc[..., np.arange(lanes) ^ step]
            step //= 2
        return acc[..., 0]
    total = acc[..., 0]
    for i in range(1, lanes):
        total = total + acc[..., i]
    return total


def _channels_last(x: np.ndarray) -> bool:
    """torch's is_contiguous(ChannelsLast / ChannelsLast3d)."""
    return x.ndim in (4, 5) and bool(np.moveaxis(x, 1, -1).flags.c_contiguous)


def _batch_norm_path(x: np.ndarray) -> str:
    """Which of torch's batch_norm loops runs on ``x``: "contiguous", "channels_last" (one value per image
    counts as that) or "strided" (TensorIterator's serial loop)."""
    if is_contiguous(x):
        return "channels_last" if x.size == x.shape[0] * x.shape[1] else "contiguous"
    return "channels_last" if _channels_last(x) else "strided"


def _in_memory_order(a: np.ndarray, *others: np.ndarray) -> list:
    """``a``'s values in the order of their addresses (TensorIterator's serial walk), then ``others``' (of its
    shape) in the same order."""
    offsets = np.zeros(a.shape, np.int64)
    for d, (n, s) in enumerate(zip(a.shape, a.strides)):
        offsets = offsets + (np.arange(n) * s).reshape([-1 if i == d else 1 for i in range(a.ndim)])
    order = np.argsort(offsets.ravel(), kind="stable")
    return [v.ravel()[order] for v in (a, *others)]


def _rows(x: np.ndarray) -> np.ndarray:
    """(values per channel, channels) in channels-last order: (N * spatial, C)."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


@quiet
def _batch_norm_backward(grad: np.ndarray, x: np.ndarray, weight, layout: _NormLayout) -> tuple:
    """(d input, d weight, d bias) as torch's CPU kernels compute them (batch_norm_cpu_backward_*_impl, or
    Normalization.cpp's serial loop for a layout it does not vectorise)."""
    mean, invstd = layout.saved
    train = layout.running is None
    n, c = x.shape[:2]
    kind = x.dtype.type
    count = x.size // c
    w = weight if weight is not None else np.ones(c, x.dtype)
    path = _batch_norm_path(x)
    if path != "strided" and not (is_contiguous(grad) or _channels_last(grad)) or \
            suggests_channels_last(x) != suggests_channels_last(grad):
        path = "strided"
    if path == "contiguous":
        xs, gs = x.reshape(n, c, -1), grad.reshape(n, c, -1)
        total, dot = np.zeros(c), np.zeros(c)
        for i in range(n):   # (per image in the input's dtype, across images in double)
            total += _lane_sum(gs[i])
            dot += _lane_sum(xs[i] - mean[:, None], gs[i])
        col = lambda a: a[:, None]
        if train:
            k = kind(dot) * invstd * invstd / kind(count)
            dx = _fmadd(-(xs - col(mean)), col(k), gs - col((total / count).astype(x.dtype))) * col(invstd) * col(w)
        else:
            dx = gs * col(invstd) * col(w)
        return dx.reshape(x.shape), (dot * invstd).astype(x.dtype), total.astype(x.dtype)
    if path == "channels_last":
        rows, grows = _rows(x), _rows(grad)
        total, dot = np.zeros(c, x.dtype), np.zeros(c, x.dtype)
        for r in range(rows.shape[0]):   # (in the input's dtype)
            total = total + grows[r]
            dot = _fmadd(rows[r] - mean, grows[r], dot)
        if train:
            k = dot * invstd * invstd / kind(count)
            dx = (grows - total / kind(count) - (rows - mean) * k) * invstd * w
        else:
            dx = grows * invstd * w
        dx = np.moveaxis(dx.reshape(np.moveaxis(x, 1, -1).shape), -1, 1)
        return dx, dot * invstd, total
    dims = (0,) + tuple(range(2, x.ndim))
    total = torch_sum(grad, dims)
    walks = [_in_memory_order(x[:, f], grad[:, f]) for f in range(c)]
    dot = np.array([float(np.cumsum((xf - mean[f]) * gf, dtype=np.float64)[-1]) for f, (xf, gf) in enumerate(walks)])
    shape = (c,) + (1,) * (x.ndim - 2)
    col = lambda a: a.reshape(shape)
    if train:
        k = kind(dot) * invstd * invstd / kind(count)
        dx = (grad - col(total / kind(count)) - (x - col(mean)) * col(k)) * col(invstd) * col(w)
    else:
        dx = grad * col(invstd) * col(w)
    return dx, (dot * invstd).astype(x.dtype), total


@quiet
def _group_norm_backward(grad: np.ndarray, x: np.ndarray, weight, layout: _NormLayout) -> tuple:
    """(d input, d weight, d bias) as torch's GroupNormBackwardKernel computes them (its multiply-adds fused,
    measured bit for bit): per channel ds = sum(dy * x) and db = sum(dy) over the image, per group
    their sums weighted by gamma, then dx = c1 * dy + c2 * x + c3; dgamma and dbeta accumulated over the batch."""
    n, groups, _ = layout.view
    c = x.shape[1]
    d = c // groups
    kind = x.dtype.type
    xs, gs = x.reshape(n, c, -1), grad.reshape(n, c, -1)
    ds, db = _lane_sum(gs, xs), _lane_sum(gs)   # (n, C)
    mean, rstd = (v.reshape(n, groups) for v in layout.saved)
    gamma = weight.reshape(groups, d) if weight is not None else np.ones((groups, d), x.dtype)
    ds_sum, db_sum = np.zeros((n, groups), x.dtype), np.zeros((n, groups), x.dtype)
    # (the sums over a group's channels: fused in float32's loop, not in float64's, as measured)
    step = _fmadd if x.dtype == np.float32 else lambda a, b, c: c + a * b
    for j in range(d):
        ds_sum = step(ds.reshape(n, groups, d)[:, :, j], gamma[:, j], ds_sum)
        db_sum = step(db.reshape(n, groups, d)[:, :, j], gamma[:, j], db_sum)
    s = kind(1) / kind(d * xs.shape[2])
    c2 = _fmadd(db_sum, mean, -ds_sum) * rstd * rstd * rstd * s
    c3 = _fmadd(-(db_sum * rstd), s, -c2 * mean)
    per_channel = lambda v: np.repeat(v, d, axis=1)[:, :, None]
    c1 = per_channel(rstd) * gamma.reshape(1, c, 1)
    dx = _fmadd(c1, gs, per_channel(c2) * xs) + per_channel(c3)
    dw, dbias = np.zeros(c, x.dtype), np.zeros(c, x.dtype)
    for i in range(n):
        dw = _fmadd(_fmadd(-db[i], np.repeat(mean[i], d), ds[i]), np.repeat(rstd[i], d), dw)
        dbias = dbias + db[i]
    return dx.reshape(x.shape), dw, dbias


@quiet
def _layer_norm_grad(grad: np.ndarray, x: np.ndarray, weight, layout: _NormLayout, which: str) -> np.ndarray:
    """One of layer_norm's first-order gradients as torch's LayerNormBackwardKernel computes it, per row of N:
    ds = sum(dy * x * w), db = sum(dy * w) (vectorised sums), b = (db * mean - ds) * a^3 / N and
    c = -b * mean - db * a / N with a = rstd, dx = a * dy * w + b * x + c; dgamma and dbeta accumulated over
    the rows in order (its multiply-adds fused)."""
    n = math.prod(x.shape[d] for d in layout.dims)
    rows, grows = x.reshape(-1, n), grad.reshape(-1, n)
    mean, a = (v.reshape(-1, 1) for v in layout.saved)
    w = weight.reshape(1, n) if weight is not None else None
    if which == "weight":
        out = np.zeros(n, x.dtype)
        for r in range(rows.shape[0]):
            out = _fmadd(grows[r], _fmadd(a[r], rows[r], -a[r] * mean[r]), out)
        return out.reshape(layout.pshape)
    if which == "bias":
        out = np.zeros(n, x.dtype)
        for r in range(rows.shape[0]):
            out = out + grows[r]
        return out.reshape(layout.pshape)
    kind = x.dtype.type
    scale = kind(1) / kind(n)
    if w is None:
        ds, db = _lane_sum(grows, rows)[:, None], _lane_sum(grows)[:, None]
    else:
        ww = np.broadcast_to(w, grows.shape)
        ds, db = _lane_sum(grows * rows, ww)[:, None], _lane_sum(grows, ww)[:, None]
    b = _fmadd(db, mean, -ds) * a * a * a * scale
    c = _fmadd(-b, mean, -(db * a * scale))
    first = _fmadd(b, rows, (a * grows) * w if w is not None else a * grows)
    return (first + c).reshape(x.shape)


_WHICH = {"input": 0, "weight": 1, "bias": 2}


def _kernel_grad(grad, input, weight, layout: _NormLayout, which: str) -> np.ndarray:
    """One first-order gradient as torch's backward kernel computes it (arrays)."""
    if layout.kind == "layer":
        return _layer_norm_grad(grad, input, weight, layout, which)
    kernel = _batch_norm_backward if layout.kind == "batch" else _group_norm_backward
    return kernel(grad, input, weight, layout)[_WHICH[which]]


def _first_order(grad, input, weight, bias, layout: _NormLayout, which: str):
    """A first-order gradient: torch's kernel; under create_graph its value from the kernel too (batch_norm,
    layer_norm: a NativeBatchNormBackwardBackward0 / NativeLayerNormBackwardBackward0 node above it, whose
    backward is torch's double-backward formula) or torch's differentiable composite (group_norm)."""
    if not isinstance(grad, Tensor):
        return _kernel_grad(grad, input, weight, layout, which)
    if layout.kind == "group":
        return _group_norm_grad(grad, input, weight, bias, layout, which)
    data = lambda t: None if t is None else t._data
    value = _kernel_grad(grad._data, input._data, data(weight), layout, which)
    node = NativeLayerNormBackwardBackward0 if layout.kind == "layer" else NativeBatchNormBackwardBackward0
    tied = (bias,) if layout.tie == 3 else (None,)   # (layer_norm's node also takes the saved statistics)
    out = record(node, value, (grad, input, weight) + tied, grad_out=grad, input=input, weight=weight,
                 layout=layout, which=which)
    return _refusing(out, input, weight, bias, layout, which)


def norm_input_grad(grad, input, weight, bias, layout: _NormLayout):
    return _first_order(grad, input, weight, bias, layout, "input")


def norm_weight_grad(grad, input, weight, bias, layout: _NormLayout):
    return _first_order(grad, input, weight, bias, layout, "weight")


def norm_bias_grad(grad, input, weight, bias, layout: _NormLayout):
    return _first_order(grad, input, weight, bias, layout, "bias")


for _fn in (norm_input_grad, norm_weight_grad, norm_bias_grad):
    formula_helper(_fn, tensor="same")


# ----- under create_graph: torch's double-backward formulas, written over tensors ----------------------

def _ones(like: Tensor, shape=()) -> Tensor:
    return Tensor._make(np.ones(shape, like._data.dtype), False, None)


def _sum_exclude_dim1(t: Tensor, keepdim: bool = True) -> Tensor:
    """FunctionsManual's sum_exclude_dim1: dim 0 first, then the others from the last."""
    r = t.sum(0, keepdim=keepdim)
    for d in range(r.dim() - 1, 1 if keepdim else 0, -1):
        r = r.sum(d, keepdim=keepdim)
    return r


@_over_tensors
def _batch_norm_double(g, g_out, x, weight, mean, invstd, running_var, eps, which, wrt):
    """torch's batchnorm_double_backward, the terms of the one gradient ``g`` of the first-order output
    ``which`` (ggI, ggG or ggB), for ``wrt`` (input, weight or grad_out); None where torch's is undefined."""
    train = running_var is None
    m = x.numel() // x.shape[1]
    col = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    affine = weight is not None
    expand = lambda p: p.reshape((x.shape[1],) + (1,) * (x.dim() - 2)).expand_as(x)
    gamma = expand(weight) if affine else _ones(x)
    mu = mean.reshape(col)
    s12 = (invstd if train else running_var.add(eps).pow(-0.5)).reshape(col)
    xmu = x - mu
    s1, s32 = s12.pow(2), s12.pow(3)

    def first_back(go, gam):
        return ((gam * s12) / m) * ((go * m - _sum_exclude_dim1(go)) - xmu.mul(s1) * _sum_exclude_dim1(go * xmu))

    if which == "input":
        if wrt == "input":
            if not train:
                return None
            g_sum, g_xmu, go_xmu, go_sum = (_sum_exclude_dim1(t) for t in (g, g * xmu, g_out * xmu, g_out))
            all_sub = ((g_sum * go_sum) / m - _sum_exclude_dim1(g_out * g)) + (s1 * go_xmu * g_xmu) * (3.0 / m)
            return gamma * ((((xmu * s32) * all_sub) / m + ((g_xmu * s32) / m) * (go_sum / m - g_out))
                            + ((go_xmu * s32) / m) * (g_sum / m - g))
        if wrt == "weight":
            if not affine:
                return None
            inner = g * first_back(g_out, _ones(x)) if train else g * g_out * s12
            return _sum_exclude_dim1(inner, False)
        return first_back(g, gamma) if train else g * s12 * gamma
    if which == "weight":
        if wrt == "input":
            if not train:
                return expand(g) * s12 * g_out
            t0, t1 = g_out * s12, (s12 * _sum_exclude_dim1(g_out)) / -m
            return expand(g) * ((t0 + t1) + ((xmu * s32) * _sum_exclude_dim1(g_out * xmu)) / -m)
        return expand(g) * xmu * s12 if wrt == "grad_out" else None
    return expand(g) if wrt == "grad_out" and affine else None


@_over_tensors
def _layer_norm_double(g, g_out, x, weight, mean, rstd, ndims, which, wrt):
    """torch's layer_norm_double_backward, the terms of ``g`` (ggI, ggG or ggB) for ``wrt``."""
    shape = tuple(x.shape)
    m = math.prod(shape[:len(shape) - ndims])
    n = math.prod(shape[len(shape) - ndims:])
    xv, go = x.reshape(m, n), g_out.reshape(m, n)
    affine = weight is not None
    gamma = weight.reshape(1, n) if affine else _ones(x, (1,))
    xmu = xv - mean.reshape(m, 1)
    s12 = rstd.reshape(m, 1)
    s1, s32 = s12.pow(2), s12.pow(3)

    def first_back(gl, gam):
        return ((gam * s12) / n) * ((gl * n - gl.sum(1, True)) - xmu.mul(s1) * (gl * xmu).sum(1, True))

    if which == "input":
        gi = g.reshape(m, n)
        if wrt == "input":
            gx = go * gamma
            gx_mu, gx_sum = (gx * xmu).sum(1, True), gx.sum(1, True)
            g_sum, g_mu = gi.sum(1, True), (gi * xmu).sum(1, True)
            all_sub = ((g_sum * gx_sum) / n - (gi * gx).sum(1, True)) + (s1 * gx_mu * g_mu) * (3.0 / n)
            out = (((xmu * s32) * all_sub) / n + ((g_mu * s32) / n) * (gx_sum / n - gx)) + \
                ((gx_mu * s32) / n) * (g_sum / n - gi)
            return out.reshape(shape)
        if wrt == "weight":
            return (go * first_back(gi, _ones(x))).sum(0).reshape(tuple(weight.shape)) if affine else None
        return first_back(gi, gamma).expand(m, n).reshape(shape)
    gg = g.reshape(1, n)
    if which == "weight":
        if wrt == "input":
            t0, t1 = go * gg * s12, (s12 * (go * gg).sum(1, True)) / -n
            return ((t0 + t1) + ((xmu * s32) * (go * gg * xmu).sum(1, True)) / -n).reshape(shape)
        return (gg * xmu * s12).expand(m, n).reshape(shape) if wrt == "grad_out" else None
    return gg.expand(m, n).reshape(shape) if wrt == "grad_out" and affine else None


@formula_helper(tensor="same")
def norm_double(grad, grad_out, input, weight, layout: _NormLayout, which: str, wrt: str):
    """The double backward's term for ``wrt`` from the gradient of the first-order output ``which``."""
    mean, rstd = layout.saved
    if layout.kind == "layer":
        return _layer_norm_double(grad, grad_out, input, weight, mean, rstd, len(layout.dims), which, wrt)
    running_var = None if layout.running is None else layout.running[1]
    mean = mean if layout.running is None else layout.running[0]
    return _batch_norm_double(grad, grad_out, input, weight, mean, rstd, running_var, layout.eps, which, wrt)


_DOUBLE = {wrt: f"norm_double(grad, grad_out, input, weight, layout, which, '{wrt}')"
           for wrt in ("grad_out", "input", "weight")}
NativeBatchNormBackwardBackward0 = derivative("NativeBatchNormBackwardBackward0", attrs="layout which", **_DOUBLE,
                                              bias=None)
NativeLayerNormBackwardBackward0 = derivative("NativeLayerNormBackwardBackward0", attrs="layout which", **_DOUBLE,
                                              bias=None)


# group_norm's first-order gradients under create_graph: torch's infinitely_differentiable_native_group_norm_backward
# over tensors, its saved mean and rstd outputs of the forward whose own gradient (var_mean_backward) reaches the input

@_over_tensors
def _group_norm_statistics_grad(dmean, drstd, x, rstd, view):
    """torch's var_mean_backward(-0.5 * rstd^3 * drstd, dmean, X) over (N, G, D * HxW)."""
    xs = x.reshape(view)
    count = view[2]
    rs = rstd.reshape(view[0], view[1], 1)
    dvar = -0.5 * (rs * rs * rs) * drstd.reshape(view[0], view[1], 1)
    out = ((2.0 / count) * dvar) * (xs - xs.mean(2, True)) + dmean.reshape(view[0], view[1], 1).expand(view) / count
    return out.reshape(tuple(x.shape))


@formula_helper(tensor="same")
def group_norm_statistics_grad(grad, input, layout: _NormLayout):
    dmean, drstd = grad
    if dmean is None or drstd is None:   # (torch adds the term only when both statistics have a gradient)
        return None
    return _group_norm_statistics_grad(dmean, drstd, input, layout.saved[1], layout.view)


# (the statistics are outputs of the forward: they require grad when any of its inputs does)
GroupNormStatisticsBackward = derivative("GroupNormStatisticsBackward", attrs="layout", multi_output=True,
                                         input=("group_norm_statistics_grad(grad, input, layout)", "None"),
                                         weight=None, bias=None)


def _group_norm_composite(dy: Tensor, x: Tensor, gamma, beta, layout: _NormLayout) -> dict:
    """The gradients torch's one call computes (those of the inputs that require grad), sharing its
    intermediate tensors as torch's do, so that second-order gradients accumulate as torch's."""
    needs = lambda t: isinstance(t, Tensor) and t.requires_grad
    n, groups, _ = layout.view
    c = x.shape[1]
    d, hxw = c // groups, x.numel() // max(n * c, 1)
    s = 1.0 / (d * hxw)
    # (the ops in torch's order: the engine runs the later ones' backward first, which decides the order a
    # gradient's terms are added in, and so inf + max + max against max + max + inf)
    saved_mean, saved_rstd = record_multi(GroupNormStatisticsBackward, layout.saved, (x, gamma, beta), input=x,
                                          layout=layout)
    xt = x.reshape(n, groups, d, hxw)
    mean, rstd = saved_mean.reshape(n, groups, 1, 1), saved_rstd.reshape(n, groups, 1, 1)
    dyt = dy.reshape(n, groups, d, hxw)
    ds, db = (dyt * xt).sum(3).unsqueeze(-1), dyt.sum(3).unsqueeze(-1)
    out = {}
    if needs(x):
        gt = gamma.reshape(1, groups, d, 1) if gamma is not None else None
        rstd_cube = rstd * rstd * rstd
        a = rstd * gt if gt is not None else rstd
        b = ((ds * gt).sum(2) if gt is not None else ds.sum(2)).unsqueeze(-2)
        cc = ((db * gt).sum(2) if gt is not None else db.sum(2)).unsqueeze(-2)
        b = (cc * mean - b) * rstd_cube * s
        cc = -b * mean - cc * rstd * s
        out["input"] = (a * dyt + b * xt + cc).reshape(tuple(x.shape))
    if needs(gamma):
        out["weight"] = ((ds - db * mean) * rstd).sum(0).reshape(tuple(gamma.shape))
    if needs(beta):
        out["bias"] = db.sum(0).reshape(tuple(beta.shape))
    return out


def _group_norm_grad(dy: Tensor, x: Tensor, gamma, beta, layout: _NormLayout, which: str) -> Tensor:
    """group_norm's gradient ``which`` under create_graph: the formulas of one backward share one composite
    (kept on the layout until each of its gradients is taken)."""
    if layout.composite is None or layout.composite[0] is not dy or which not in layout.composite[1]:
        layout.composite = (dy, _group_norm_composite(dy, x, gamma, beta, layout))
    grads = layout.composite[1]
    out = grads.pop(which)
    if not grads:
        layout.composite = None
    return out


_FORMULAS = dict(input="norm_input_grad(grad, input, weight, bias, layout)",
                 weight="norm_weight_grad(grad, input, weight, bias, layout)",
                 bias="norm_bias_grad(grad, input, weight, bias, layout)")
NativeLayerNormBackward0 = derivative("NativeLayerNormBackward0", attrs="layout", **_FORMULAS)
NativeBatchNormBackward0 = derivative("NativeBatchNormBackward0", attrs="layout", **_FORMULAS)
NativeGroupNormBackward0 = derivative("NativeGroupNormBackward0", attrs="layout", **_FORMULAS)


# ----- forward-mode AD: torch's batch_norm_jvp, layer_norm_jvp, group_norm_jvp -----------------------------

def _norm_jvp(x: Tensor, x_t, mean: Tensor, invstd: Tensor, dims: tuple, numel: int) -> Tensor:
    """FunctionsManual's _norm_jvp (a missing input tangent counts as zeros: torch's zero tensor is
    materialised by the mean it takes)."""
    x_t = x_t if x_t is not None else Tensor._make(np.zeros(tuple(x.shape), x._data.dtype), False, None)
    centred_t = x_t - x_t.mean(dims, True)
    xmu = x - mean
    invstd_t = ((centred_t * xmu) * -invstd.pow(3)).sum(dims, True) / numel
    return centred_t * invstd + xmu * invstd_t


def _affine_jvp(result_p, result_t, weight, weight_t, bias_t, shape, full):
    """FunctionsManual's _affine_jvp: a missing tangent's term is left out (torch's zero tensor)."""
    if weight is not None:
        scaled = None if result_t is None else result_t * weight.reshape(shape)
        term = None if weight_t is None else result_p * weight_t.reshape(shape)
        result_t = scaled if term is None else term if scaled is None else scaled + term
    if bias_t is not None:
        result_t = bias_t.reshape(shape).expand(full) if result_t is None else result_t + bias_t.reshape(shape)
    return result_t


@formula_helper(tensor="same")
def normalization_jvp(input, input_t, weight, weight_t, bias_t, layout: _NormLayout):
    """The output's tangent by torch's batch_norm_jvp / layer_norm_jvp / group_norm_jvp."""
    const = lambda a: Tensor._make(np.asarray(a), False, None)
    mean, invstd = (const(s) for s in layout.saved)
    if layout.kind == "group":
        n, groups, _ = layout.view
        shape = tuple(input.shape)
        xr = input.reshape(1, n * groups, -1 if n else 1)
        xr_t = None if input_t is None else input_t.reshape(tuple(xr.shape))
        mean, invstd = mean.reshape(1, -1, 1), invstd.reshape(1, -1, 1)
        result_t = _norm_jvp(xr, xr_t, mean, invstd, (0, 2), xr.numel() // max(xr.shape[1], 1)).reshape(shape)
        result_p = ((xr - mean) * invstd).reshape(shape) if weight is not None else None
        return _affine_jvp(result_p, result_t, weight, weight_t, bias_t, (1, shape[1]) + (1,) * (len(shape) - 2),
                           shape)
    if layout.kind == "layer":
        kept = tuple(input.shape[:input.dim() - len(layout.dims)]) + (1,) * len(layout.dims)
        mean, invstd = mean.reshape(kept), invstd.reshape(kept)
        numel = math.prod(input.shape[d] for d in layout.dims)
        result_t = _norm_jvp(input, input_t, mean, invstd, layout.dims, numel)
        affine = (1,) * (input.dim() - len(layout.dims)) + tuple(input.shape[input.dim() - len(layout.dims):])
        result_p = (input - mean) * invstd if weight is not None else None
        return _affine_jvp(result_p, result_t, weight, weight_t, bias_t, affine, tuple(input.shape))
    shape = (1, input.shape[1]) + (1,) * (input.dim() - 2)
    dims = (0,) + tuple(range(2, input.dim()))
    if layout.running is None:
        mean, invstd = mean.reshape(shape), invstd.reshape(shape)
        result_t = _norm_jvp(input, input_t, mean, invstd, dims, input.numel() // max(input.shape[1], 1))
    else:
        mean = const(layout.running[0]).reshape(shape)
        invstd = (1 / (const(layout.running[1]) + layout.eps).sqrt()).reshape(shape)
        result_t = None if input_t is None else input_t * invstd
    result_p = (input - mean) * invstd if weight is not None else None
    return _affine_jvp(result_p, result_t, weight, weight_t, bias_t, shape, tuple(input.shape))


_JVP_NODES = ("NativeBatchNormBackward0", "NativeLayerNormBackward0", "NativeGroupNormBackward0")
for _node in _JVP_NODES:
    forward_ad.TANGENTS[_node] = "normalization_jvp(input, input_t, weight, weight_t, bias_t, layout)"
# (a missing tangent reaches the formula as None: torch's zero tensor, whose terms drop out)
forward_ad.ABSENT_AS_NONE = forward_ad.ABSENT_AS_NONE | frozenset(_JVP_NODES)


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


def _normalised(input: Tensor, node, layout: _NormLayout, weight, bias, value: np.ndarray) -> Tensor:
    x = input._data
    out = value.astype(x.dtype, copy=False)
    # torch's kernels allocate the output row-major whatever the input's layout, but batch_norm keeps a
    # channels-last one (suggest_memory_format)
    if not (node is NativeBatchNormBackward0 and suggests_channels_last(x)):
        out = row_major(out)
    return record(node, out, (input, weight, bias), input=input, weight=weight, bias=bias, layout=layout)


@quiet
def _row_statistics(x: np.ndarray, layout: _NormLayout) -> tuple:
    """(mean, rstd) of layer_norm's or group_norm's rows as torch's kernels save them (RowwiseMoments,
    rstd = 1 / sqrt(max(var, 0) + eps): layer_norm's in the dtype, group_norm's in double, as measured bit for
    bit), kept dims of the view."""
    xv = x.reshape(layout.view) if layout.view is not None else x
    kept = xv.shape[:xv.ndim - len(layout.dims)] + (1,) * len(layout.dims)
    mean, var = (m.reshape(kept) for m in _rowwise_moments(xv.reshape(math.prod(kept), -1)))
    var = np.where(var < 0, var.dtype.type(0), var)
    if layout.kind == "group":
        return mean, (1 / np.sqrt(var.astype(np.float64) + layout.eps)).astype(x.dtype)
    return mean, 1 / np.sqrt(var + x.dtype.type(layout.eps))


@quiet
def _kernel_value(x: np.ndarray, layout: _NormLayout, weight, bias) -> np.ndarray:
    """layer_norm's or group_norm's output as torch's kernels apply the saved statistics: layer_norm
    ((x * rstd - rstd * mean) * weight + bias), group_norm (x * scale + bias, the weight folded into
    scale = rstd * weight and bias = bias - scale * mean), each multiply-add fused."""
    mean, rstd = layout.saved
    kind = x.dtype.type
    if layout.kind == "layer":
        y = _fmadd(x, rstd, -rstd * mean)
        w = weight._data.reshape(layout.wshape) if weight is not None else kind(1)
        b = bias._data.reshape(layout.wshape) if bias is not None else kind(0)
        return _fmadd(y, w, b)
    n, groups = layout.view[:2]
    channels = x.shape[1]
    rows = x.reshape(n, groups, channels // groups, -1)
    scale = rstd.reshape(n, groups, 1, 1)
    if weight is not None:
        scale = scale * weight._data.reshape(1, groups, channels // groups, 1)
    shift = -scale * mean.reshape(n, groups, 1, 1)
    if bias is not None:
        shift = _fmadd(-scale, mean.reshape(n, groups, 1, 1), bias._data.reshape(1, groups, channels // groups, 1))
    return _fmadd(rows, scale, shift).reshape(x.shape)


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
    layout = _NormLayout("layer", None, tuple(range(x.ndim - k, x.ndim)), shape, shape, eps, None, tie=3)
    layout.saved = _row_statistics(x, layout)
    return _normalised(input, NativeLayerNormBackward0, layout, weight, bias, _kernel_value(x, layout, weight, bias))


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
    vectorised kernel, compiled with FMA contraction)."""
    y = np.zeros(d.shape[1:], d.dtype)
    for row in d:
        y = _fmadd(row, row, y)
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
def _collect_stats(x: np.ndarray, path: str) -> tuple:
    """Per channel: the mean and the sum of squared deviations, rounded as torch's CPU kernels
    (batch_norm_cpu_collect_stats) round them, so the statistics match torch's.
    Contiguous images: sums accumulated in double along the batch then the image.  Channels last (one
    element per image among them), as torch runs it on one thread: sums in the input's dtype, the squares
    fused into them (FMA).  Other layouts (Normalization.cpp): torch's mean, then the squared deviations from
    it summed in double in memory order.  With several threads torch splits the batch, which may round
    differently in the last place."""
    kind = x.dtype.type
    channels = x.shape[1]
    if path == "contiguous":
        images = np.moveaxis(x.reshape(x.shape[0], channels, -1), 1, 0).reshape(channels, -1).T  # (n, C)
        mean = (_sequential_sum(images) / images.shape[0]).astype(x.dtype)
        centred = images - mean
        return mean, _sequential_sum(centred * centred).astype(x.dtype)
    if path == "channels_last":
        rows = _rows(x)
        mean = _sequential_sum(rows, x.dtype) / kind(rows.shape[0])
        return mean, _fma_sum_of_squares(rows - mean)
    count = x.size // channels
    mean = torch_sum(x, (0,) + tuple(range(2, x.ndim))) / kind(count)
    var_sum = np.array([np.cumsum(np.square(_in_memory_order(x[:, f])[0].astype(np.float64) - float(mean[f])))[-1]
                        for f in range(channels)])
    return mean, var_sum


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
    path = _batch_norm_path(x)
    if any(p is not None and not is_contiguous(p._data) for p in (weight, bias)):
        path = "strided"
    if training:
        n = x.size // channels if channels else 0
        mean, var_sum = _collect_stats(x, path)
        with np.errstate(all="ignore"):   # (torch's InvStd, in double: 0 for a zero variance without eps)
            var = var_sum.astype(np.float64) / n
            invstd = np.where((var == 0) & (eps == 0), 0.0, 1 / np.sqrt(var + eps)).astype(x.dtype)
        layout = _NormLayout("batch", None, dims, wshape, (channels,), eps, (mean, invstd))
        out = _normalised(input, NativeBatchNormBackward0, layout, weight, bias,
                          _batch_norm_apply(x, mean, invstd, weight, bias, wshape, path))
        if running_mean is not None and n > 0:
            _update_running(running_mean._data, running_var._data, mean, var_sum, n, momentum, path)
        return out
    rm, rv = (p._data.reshape(channels).astype(x.dtype) for p in (running_mean, running_var))
    with np.errstate(all="ignore"):
        invstd = 1 / np.sqrt(rv + x.dtype.type(eps))   # (the forward's, in the dtype; the backward's in double)
        backward_invstd = (1 / np.sqrt(rv.astype(np.float64) + eps)).astype(x.dtype)
    layout = _NormLayout("batch", None, dims, wshape, (channels,), eps, (rm, backward_invstd), (rm, rv))
    return _normalised(input, NativeBatchNormBackward0, layout, weight, bias,
                       _batch_norm_apply(x, rm, invstd, weight, bias, wshape, path))


@quiet
def _update_running(rm: np.ndarray, rv: np.ndarray, mean, var_sum, n: int, momentum: float, path: str) -> None:
    """torch's update of the running statistics with the batch's mean and unbiased variance.  Its vectorised
    layouts, as measured on 242 drawn cases (single-threaded): the momentum m and 1 - m in the dtype; mean:
    m * mean + (1 - m) * running; variance: the unbiased variance rounded to the dtype, then
    fma(m, unbiased, (1 - m) * running).  Its serial loop (Normalization.cpp): in double, then rounded."""
    kind, f64 = mean.dtype.type, np.float64
    unbiased = var_sum.astype(f64) / (n - 1) if n > 1 else var_sum.astype(f64) * math.inf
    if path == "strided":
        rm[...] = (momentum * mean.astype(f64) + (1 - momentum) * rm.astype(f64).reshape(mean.shape)).reshape(rm.shape)
        rv[...] = (momentum * unbiased + (1 - momentum) * rv.astype(f64).reshape(unbiased.shape)).reshape(rv.shape)
        return
    m = kind(momentum)
    keep = kind(1) - m
    unbiased = unbiased.astype(mean.dtype)
    rm[...] = (m * mean + keep * rm.reshape(mean.shape)).reshape(rm.shape)
    scaled = keep * rv.reshape(unbiased.shape)
    rv[...] = (_fma(m, unbiased, scaled) if mean.dtype == np.float32 else m * unbiased + scaled).reshape(rv.shape)


@quiet
def _batch_norm_apply(x: np.ndarray, mean, invstd, weight, bias, wshape, path: str) -> np.ndarray:
    """The output from the statistics: torch's vectorised kernels fold them into one fused multiply-add
    (``_batch_norm_transform``), its serial loop computes ((x - mean) * invstd) * weight + bias."""
    mean, invstd = mean.reshape(wshape), invstd.reshape(wshape)
    if path != "strided":
        return _batch_norm_transform(x, mean, invstd, weight, bias, wshape)
    out = (x - mean) * invstd
    out = out * weight._data.reshape(wshape) if weight is not None else out
    return out + bias._data.reshape(wshape) if bias is not None else out


@quiet
def _batch_norm_transform(x: np.ndarray, mean, rstd, weight, bias, wshape) -> np.ndarray:
    """torch's vectorised kernel (batch_norm_cpu_collect_linear_and_constant_terms, then the transform):
    alpha = rstd * weight, beta = bias - mean * alpha, y = x * alpha + beta, both multiply-adds fused (so
    x * alpha past the largest float plus beta = -inf is -inf, not NaN)."""
    alpha = rstd * weight._data.reshape(wshape) if weight is not None else rstd
    beta = -mean * alpha if bias is None else _fmadd(-mean, alpha, bias._data.reshape(wshape))
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
    layout = _NormLayout("group", (n, num_groups, channels // num_groups * spatial), (2,), wshape, (channels,), eps,
                         None)
    # torch's kernel takes its tensors .contiguous(): a CloneBackward0 below the node for a non-contiguous one
    weight, bias = (None if p is None else p.contiguous() for p in (weight, bias))
    input = input.contiguous()
    layout.saved = _row_statistics(input._data, layout)
    return _normalised(input, NativeGroupNormBackward0, layout, weight, bias,
                       _kernel_value(input._data, layout, weight, bias))


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
    if mean_b is not None and x.dtype.kind == "f" and mean_b._data.dtype != x.dtype:   # (kept in the input's dtype)
        mean_b = mean_b.to(input.dtype)
    out = _batch_norm(view, mean_b, var_b, rep(weight), rep(bias), use_input_stats, momentum, eps,
                      stats_dtype=False)
    for stat, repeated in ((running_mean, mean_b), (running_var, var_b)):
        if stat is not None and use_input_stats:  # (torch copies them back only when it updated them)
            if stat._data.shape != (c,):   # (copy_ into a 0-d statistic)
                raise RuntimeError(f"output with shape {list(stat._data.shape)} doesn't match the broadcast shape "
                                   f"[{c}]")
            with np.errstate(all="ignore"):
                stat._data[...] = _batch_mean(repeated._data.reshape(b, c)).astype(stat._data.dtype)
    return out.view(*x.shape)


@quiet
def _batch_mean(values: np.ndarray) -> np.ndarray:
    """torch's mean over dim 0: its sum, then divided (integers in double)."""
    values = values if values.dtype.kind == "f" else values.astype(np.float64)
    return torch_sum(values, (0,)) / values.dtype.type(values.shape[0])


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
