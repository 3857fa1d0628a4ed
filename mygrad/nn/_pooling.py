"""Pooling: max (with indices), average, adaptive average and max, Lp, and max_unpool.

Max pooling takes each window's first maximum in scan order (a NaN wins, the last NaN in the window,
as torch's CPU kernels do), records the flat input index of each, and its backward adds each
output's gradient at its index (overlapping windows accumulate).  Average pooling sums a strided
window view and divides by torch's divisor (padding counted or not, ``divisor_override``); its
backward spreads gradient/divisor over each window with one strided add per kernel offset.
Adaptive average pooling is a separable averaging matrix per dim (``_maps.py``).  The 1-D forms go
through the 2-D kernels between an unsqueeze and a squeeze, as torch's do, so their graphs match.
Every first-order gradient is itself a recorded op, so ``create_graph=True`` works.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .._argument_types import IntList, argument_types, check_argument, python_type_name
from .._layout import strided_view, suggests_channels_last
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative, read_from
from ..ops._define import record
from ..ops._errors import not_implemented
from . import (
    _formulas,  # noqa: F401  (registers zero_slope)
    _maps,
    _windows as win,
)
from ._windows import Spec

# ----- kernels ---------------------------------------------------------------------------------------

def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pool_sizes(size: tuple, kernel: tuple, stride: tuple, pad: tuple, dilation: tuple, ceil_mode: bool) -> tuple:
    """torch's pooling_output_shape: a last window may start in the right padding with ceil_mode, never past it."""
    out = []
    for n, k, s, p, d in zip(size, kernel, stride, pad, dilation):
        span = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
        o = span // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    return tuple(out)


def _overhang(size, kernel, stride, pad, dilation, out) -> tuple:
    """How far the last window reaches past the padded input (ceil_mode): padded on the right too."""
    return tuple(max((o - 1) * s + d * (k - 1) + 1 - (n + 2 * p), 0)
                 for n, k, s, p, d, o in zip(size, kernel, stride, pad, dilation, out))


@quiet
def max_pool_kernel(x: np.ndarray, kernel, stride, pad, dilation, out) -> tuple:
    """(values, flat input indices) of each window's maximum; ``x`` is (N, C, *spatial)."""
    nd = len(kernel)
    size = x.shape[2:]
    extra = _overhang(size, kernel, stride, pad, dilation, out)
    xp = win.pad_spatial(x, pad, tuple(p + e for p, e in zip(pad, extra)), _lowest(x.dtype))
    view = win.windows(xp, kernel, stride, dilation, out)                # (N, C, *K, *O)
    order = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    cols = view.transpose(order).reshape(x.shape[:2] + tuple(out) + (math.prod(kernel),))
    arg = cols.argmax(axis=-1)
    values = np.take_along_axis(cols, arg[..., None], axis=-1)[..., 0]
    # numpy's argmax stops at the first NaN, torch's kernel keeps the last: only then is a window looked at again
    if x.dtype.kind == "f" and np.isnan(values).any():
        isnan = np.isnan(cols)
        arg = np.where(isnan.any(axis=-1), cols.shape[-1] - 1 - isnan[..., ::-1].argmax(axis=-1), arg)
        values = np.take_along_axis(cols, arg[..., None], axis=-1)[..., 0]
    # torch starts each window at its first in-bounds element and moves only on a greater value: a window whose
    # maximum is the lowest value (all -inf) points at that element, not at the padding before it
    floor = values == _lowest(x.dtype)
    if floor.any() and any(pad) or floor.any() and any(extra):
        inside = win.pad_spatial(np.ones((1, 1) + size, bool), pad, tuple(p + e for p, e in zip(pad, extra)), False)
        valid = win.windows(inside, kernel, stride, dilation, out).transpose(order).reshape(
            (1, 1) + tuple(out) + (math.prod(kernel),))
        arg = np.where(floor, valid.argmax(axis=-1), arg)
    # flat input index = the window's first position (per output, small) + the argmax's offset in the window
    place = np.cumprod((1,) + tuple(size[:0:-1]))[::-1]  # row-major strides of the spatial dims, in elements
    start = sum(((np.arange(o) * s - p) * n).reshape((-1,) + (1,) * (nd - 1 - i))
                for i, (o, s, p, n) in enumerate(zip(out, stride, pad, place)))
    offsets = sum((np.arange(k) * d * n).reshape((-1,) + (1,) * (nd - 1 - i))
                  for i, (k, d, n) in enumerate(zip(kernel, dilation, place))).ravel()
    flat = offsets.take(arg)
    flat += start
    return values, flat


def _index_scatter_tensor(grad: Tensor, indices: np.ndarray, size: tuple) -> Tensor:
    return record(IndexScatterBackward, index_scatter(grad._data, indices, size), (grad,), indices=indices,
                  size=size)


@formula_helper(tensor=_index_scatter_tensor)
@quiet
def index_scatter(grad: np.ndarray, indices: np.ndarray, size: tuple) -> np.ndarray:
    """The gradient of a gather at flat spatial ``indices``: each value added at its index of ``size``."""
    lead = grad.shape[:grad.ndim - len(size)]
    rows, per_row = math.prod(lead), math.prod(size)
    if not grad.size:
        return np.zeros(tuple(lead) + tuple(size), grad.dtype)
    flat = (indices.reshape(rows, -1) + (np.arange(rows) * per_row)[:, None]).ravel()
    summed = np.bincount(flat, weights=grad.ravel(), minlength=rows * per_row)
    return summed.astype(grad.dtype, copy=False).reshape(tuple(lead) + tuple(size))


def _index_gather_tensor(grad: Tensor, indices: np.ndarray, nd: int) -> Tensor:
    return record(IndexGatherBackward, index_gather(grad._data, indices, nd), (grad,), indices=indices,
                  size=grad._data.shape[grad._data.ndim - nd:])


@formula_helper(tensor=_index_gather_tensor)
def index_gather(grad: np.ndarray, indices: np.ndarray, nd: int) -> np.ndarray:
    """Values of ``grad`` (..., *spatial) at flat spatial ``indices`` (..., *out), ``nd`` spatial dims."""
    lead = grad.shape[:grad.ndim - nd]
    flat = grad.reshape(tuple(lead) + (math.prod(grad.shape[grad.ndim - nd:]),))
    return np.take_along_axis(flat, indices.reshape(tuple(lead) + (-1,)), axis=-1).reshape(indices.shape)


IndexScatterBackward = derivative("MaxPoolWithIndicesBackwardBackward0", freed=("indices",), attrs="indices size",
                                  grad="index_gather(grad, indices, len(size))")
IndexGatherBackward = derivative("IndexGatherBackward", attrs="indices size", grad="index_scatter(grad, indices, size)")


def _max_node(name: str):
    """A max pool's node: it reads the indices as an array, version-checked against the indices tensor the
    call returns (torch saves that output)."""
    return derivative(name, freed=("indices",), attrs="indices size",
                      self="zero_slope(index_scatter(grad, indices, size), self)")


def _with_indices(result: Tensor, indices: np.ndarray) -> tuple:
    """``(result, indices)``, the indices a tensor whose in-place edit breaks the result's backward."""
    returned = Tensor._make(indices, False, None)
    return read_from(result, indices=returned), returned


MaxPool2DWithIndicesBackward0 = _max_node("MaxPool2DWithIndicesBackward0")
MaxPool3DWithIndicesBackward0 = _max_node("MaxPool3DWithIndicesBackward0")
AdaptiveMaxPool2DBackward0 = _max_node("AdaptiveMaxPool2DBackward0")


# average pooling: (kernel, stride, pad, extra right padding, divisor array, input size) is the geometry

@quiet
def _avg_forward(x: np.ndarray, geometry: tuple) -> np.ndarray:
    kernel, stride, pad, extra, divisor, _ = geometry
    nd = len(kernel)
    if x.ndim == nd + 1:  # unbatched
        return _avg_forward(x[None], geometry)[0]
    xp = win.pad_spatial(x, pad, tuple(p + e for p, e in zip(pad, extra)))
    out = divisor.shape
    windows = win.windows(xp, kernel, stride, (1,) * nd, out)
    if x.dtype.kind == "f":   # torch's avg_pool kernels (1-d through 2-d): a window's values added in scan order
        sums = _scan_sum(windows.reshape(windows.shape[:2] + (-1,) + windows.shape[2 + nd:]), x.dtype)
        return (sums / divisor).astype(x.dtype)
    sums = windows.sum(axis=tuple(range(2, 2 + nd)))
    if x.dtype.kind != "f":
        return (np.sign(sums) * (np.abs(sums) // divisor)).astype(x.dtype)  # C++'s division: toward zero
    return (sums / divisor).astype(x.dtype, copy=False)


def _scan_sum(values: np.ndarray, dtype) -> np.ndarray:
    """The sum over axis 2 added left to right from +0 in ``dtype`` (a C loop's order: an inf met before
    two -max stays inf, where a pairwise sum may make it NaN)."""
    total = np.zeros(values.shape[:2] + values.shape[3:], dtype)
    for k in range(values.shape[2]):
        total = total + values[:, :, k]
    return total


@quiet
def _avg_adjoint(grad: np.ndarray, geometry: tuple) -> np.ndarray:
    kernel, stride, pad, extra, divisor, size = geometry
    nd = len(kernel)
    if grad.ndim == nd + 1:  # unbatched
        return _avg_adjoint(grad[None], geometry)[0]
    share = (grad / divisor).astype(grad.dtype, copy=False)
    cols = np.broadcast_to(share.reshape(share.shape[:2] + (1,) * nd + share.shape[2:]),
                           share.shape[:2] + tuple(kernel) + share.shape[2:])
    spec = Spec(stride, pad, tuple(p + e for p, e in zip(pad, extra)), (1,) * nd)
    return np.ascontiguousarray(win.col2im(cols, size, kernel, spec))


def _avg_forward_tensor(x: Tensor, geometry: tuple) -> Tensor:
    return record(AvgPoolForwardBackward, _avg_forward(x._data, geometry), (x,), geometry=geometry)


formula_helper(_avg_forward, tensor=_avg_forward_tensor, name="avg_pool_forward")


def _avg_adjoint_tensor(grad: Tensor, geometry: tuple) -> Tensor:
    return record(AvgPoolAdjointBackward, _avg_adjoint(grad._data, geometry), (grad,), geometry=geometry)


formula_helper(_avg_adjoint, tensor=_avg_adjoint_tensor, name="avg_pool_adjoint")
AvgPoolAdjointBackward = derivative("AvgPoolBackwardBackward0", attrs="geometry",
                                    grad="avg_pool_forward(grad, geometry)")
AvgPoolForwardBackward = derivative("AvgPoolBackward", attrs="geometry", self="avg_pool_adjoint(grad, geometry)")


AvgPool2DBackward0 = derivative("AvgPool2DBackward0", attrs="geometry",
                                self="zero_slope(avg_pool_adjoint(grad, geometry), self)")
AvgPool3DBackward0 = derivative("AvgPool3DBackward0", attrs="geometry",
                                self="zero_slope(avg_pool_adjoint(grad, geometry), self)")
AdaptiveAvgPool2DBackward0 = _maps.make_node("AdaptiveAvgPool2DBackward0")


# ----- arguments ----------------------------------------------------------------------------------------

def _tuple(name: str, fn: str, value, nd: int, default=None) -> tuple:
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0 and default is not None):
        value = default
    values = (value,) * nd if isinstance(value, int) else tuple(value)
    if len(values) == 1:
        values = values * nd
    if len(values) != nd:
        raise RuntimeError(f"{fn}: {name} must either be a single int, or a tuple of {nd} ints")
    return values


def _pair(value) -> tuple:
    """torch's Python ``_pair``: an iterable as a tuple, anything else twice (a float too, for the parser to refuse)."""
    return tuple(value) if isinstance(value, Iterable) else (value, value)


def _spatial_input(input: Tensor, nd: int, fn: str) -> bool:
    """Whether the input is batched; torch's error for other ranks or empty dims."""
    x = input._data
    if x.ndim not in (nd + 1, nd + 2) or 0 in x.shape[x.ndim - nd - 1 + (x.ndim == nd + 2):]:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    return x.ndim == nd + 2


def _as_batched(x: np.ndarray, batched: bool) -> np.ndarray:
    return x if batched else x[None]


def _geometry(input: Tensor, nd: int, fn: str, kernel_size, stride, padding, dilation, ceil_mode, avg=False):
    kernel = _tuple("kernel_size", fn, kernel_size, nd)
    stride = _tuple("stride", fn, stride, nd, default=kernel)
    pad = _tuple("padding", fn, padding, nd)
    dilation = _tuple("dilation", fn, dilation, nd)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got {list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if any(p < 0 for p in pad):
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad[0]}")
    if avg and any(p > k // 2 for p, k in zip(pad, kernel)):
        raise RuntimeError(f"pad should be at most half of kernel size, but got pad={pad[0]} and "
                           f"kernel_size={kernel[0]}")
    if not avg and nd < 3 and any(p > k // 2 for p, k in zip(pad, kernel)):  # (dilation not counted, as torch's)
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {pad[-1]}, "
                           f"padH = {pad[0]}, kW = {kernel[-1]}, kH = {kernel[0]}")
    if not avg and any(p > ((k - 1) * d + 1) // 2 for p, k, d in zip(pad, kernel, dilation)):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad[0]}, "
                           f"kernel_size={kernel[0]} and dilation={dilation[0]}")
    batched = _spatial_input(input, nd, fn)
    size = input._data.shape[-nd:]
    if avg and nd == 3 and any(n < k for n, k in zip(size, kernel)):
        raise RuntimeError(f"input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller than kernel size (kT: "
                           f"{kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    out = _pool_sizes(size, kernel, stride, pad, dilation, ceil_mode)
    if any(o < 1 for o in out):
        channels = input._data.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({channels}x{'x'.join(map(str, size))}). Calculated output size: "
                           f"({channels}x{'x'.join(map(str, out))}). Output size is too small")
    return batched, kernel, stride, pad, dilation, size, out


# ----- max pooling --------------------------------------------------------------------------------------------

def _max_pool(input: Tensor, nd: int, node, fn: str, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    batched, kernel, stride, pad, dilation, size, out = _geometry(input, nd, fn, kernel_size, stride, padding,
                                                                  dilation, ceil_mode)
    x = input._data
    if x.dtype == np.bool_:   # (torch's CPU max-pooling kernels take every dtype but bool)
        raise not_implemented(fn, x)
    values, indices = max_pool_kernel(_as_batched(x, batched), kernel, stride, pad, dilation, out)
    if not batched:
        values, indices = values[0], indices[0]
    result = record(node, values, (input,), self=input, indices=indices, size=size)
    return _with_indices(result, indices) if return_indices else result


def _one_d(op, input: Tensor, *args, return_indices=False):
    """A 1-D pooling through its 2-D kernel, as torch's: unsqueeze(-2), pool, squeeze(-2)."""
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {list(input._data.shape)}")
    result = op(input.unsqueeze(-2), *args)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


@argument_types
def max_pool2d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               dilation: IntList = 1, ceil_mode: bool = False, return_indices: bool = False):
    return _max_pool(input, 2, MaxPool2DWithIndicesBackward0, "max_pool2d", kernel_size, stride, padding,
                     dilation, ceil_mode, return_indices)


@argument_types
def max_pool3d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               dilation: IntList = 1, ceil_mode: bool = False, return_indices: bool = False):
    return _max_pool(input, 3, MaxPool3DWithIndicesBackward0, "max_pool3d", kernel_size, stride, padding,
                     dilation, ceil_mode, return_indices)


@argument_types
def max_pool1d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               dilation: IntList = 1, ceil_mode: bool = False, return_indices: bool = False):
    def one(x, k, s, p, d):
        return max_pool2d(x, (1, k[0] if isinstance(k, (tuple, list)) else k),
                          (1, (s[0] if isinstance(s, (tuple, list)) and len(s) else (k[0] if isinstance(
                              k, (tuple, list)) else k)) if s is None or isinstance(s, (tuple, list)) else s),
                          (0, p[0] if isinstance(p, (tuple, list)) else p),
                          (1, d[0] if isinstance(d, (tuple, list)) else d), ceil_mode, return_indices)
    if stride is not None and isinstance(stride, (tuple, list)) and not len(stride):
        stride = None
    if not return_indices:
        _check_max_pool1d(input._data, kernel_size, stride, padding, dilation, ceil_mode)
        if input._data.dtype.kind != "f":
            raise not_implemented("max_pool1d_impl", input._data)   # (its own kernel: floating only)
    else:   # (ATen's max_pool1d_with_indices: the input's dims, then one int each)
        if input._data.ndim not in (2, 3):
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input._data.ndim}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for max_pool1d)")
        for name, value in (("kernel_size", kernel_size), ("stride", stride if stride is not None else kernel_size),
                            ("padding", padding), ("dilation", dilation)):
            if len(_listed(value)) != 1:
                raise RuntimeError(f"max_pool1d() argument '{name}' should contain one int (got {len(_listed(value))})")
    return _one_d(one, input, kernel_size, stride, padding, dilation, return_indices=return_indices)


def _listed(value) -> list:
    return [] if value is None else list(value) if isinstance(value, (tuple, list)) else [value]


def _check_max_pool1d(x: np.ndarray, kernel_size, stride, padding, dilation, ceil_mode: bool) -> None:
    """ATen's check_max_pool1d: max_pool1d (without indices) checks its geometry before its kernel's dtype."""
    if x.ndim not in (2, 3) or not all(x.shape[-2:]):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    k, s, p, d = _listed(kernel_size), _listed(stride), _listed(padding), _listed(dilation)
    for name, values, allowed in (("kernel_size", k, "an int, list of ints or"), ("stride", s, "None, an int, list "
                                  "of ints, or"), ("padding", p, "an int, list of ints, or"),
                                  ("dilation", d, "an int, list of ints or")):
        if len(values) != 1 and not (name == "stride" and not values):
            raise RuntimeError(f"max_pool1d() {name} must be {allowed} tuple of ints of size 1 but got size "
                               f"{len(values)}")
    s = s or k
    if k[0] <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k[0]}")
    if s[0] <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s[0]}")
    if p[0] < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p[0]}")
    if p[0] > k[0] // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p[0]} "
                           f"and kernel_size={k[0]}")
    if d[0] <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d[0]}")
    out = _pool_sizes(x.shape[-1:], k, s, p, d, ceil_mode)[0]
    if out <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")


# ----- average pooling ----------------------------------------------------------------------------------------

def _divisor(size, kernel, stride, pad, out, count_include_pad: bool, divisor_override) -> np.ndarray:
    """Per output position, what its window's sum is divided by (an outer product of per-dim counts)."""
    if divisor_override is not None:
        return np.full(out, float(divisor_override))
    counts = []
    for n, k, s, p, o in zip(size, kernel, stride, pad, out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            counts.append((end - start).astype(np.float64))
        else:
            counts.append((np.minimum(end, n) - np.maximum(start, 0)).astype(np.float64))
    divisor = counts[0]
    for c in counts[1:]:
        divisor = np.multiply.outer(divisor, c)
    return divisor


def _avg_pool(input: Tensor, nd: int, node, fn: str, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    rank = input._data.ndim
    if nd == 2 and rank < 3:  # torch's avg_pool2d reads size(-3) before it checks the rank
        if rank == 0:
            raise IndexError("Dimension specified as -3 but tensor has no dimensions")
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got -3)")
    batched, kernel, stride, pad, dilation, size, out = _geometry(input, nd, fn, kernel_size, stride, padding, 1,
                                                                  ceil_mode, avg=True)
    x = input._data
    if x.dtype.kind != "f" and x.dtype != np.int64:   # (torch's CPU kernels: floating and int64 only)
        raise not_implemented("avg_pool3d_out_frame" if nd == 3 else "avg_pool2d", x)
    extra = _overhang(size, kernel, stride, pad, dilation, out)
    divisor = _divisor(size, kernel, stride, pad, out, count_include_pad, divisor_override)
    geometry = (kernel, stride, pad, extra, divisor, size)
    y = _avg_forward(_as_batched(x, batched), geometry)
    return record(node, y if batched else y[0], (input,), self=input, geometry=geometry)


@argument_types
def avg_pool2d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool(input, 2, AvgPool2DBackward0, "avg_pool2d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


@argument_types
def avg_pool3d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool(input, 3, AvgPool3DBackward0, "avg_pool3d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _first(value):
    return value[0] if isinstance(value, (tuple, list)) else value


@argument_types
def avg_pool1d(input: Tensor, kernel_size: IntList, stride: IntList | None = None, padding: IntList = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input._data.shape)}")
    k = _first(kernel_size)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not len(stride)) else _first(stride)
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _first(padding)), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ----- adaptive pooling -----------------------------------------------------------------------------------------

def _adaptive_bounds(n: int, o: int) -> tuple:
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_sizes(input: Tensor, output_size, nd: int, fn: str, mean: bool = False) -> tuple:
    if not isinstance(input, Tensor):  # F's _list_with_default(output_size, input.size())
        input.size()   # (torch's error for what has no size(), or a non-callable one)
    if not isinstance(output_size, int):
        if not hasattr(output_size, "__len__"):
            raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
        if input._data.ndim <= len(output_size):
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        bad = next((i for i, v in enumerate(output_size) if v is not None and (isinstance(v, (bool, float))
                                                                               or not hasattr(type(v), "__index__"))),
                   None)
        if bad is not None:
            raise TypeError(f"{fn}(): argument 'output_size' (position 2) must be tuple of ints, but found element "
                            f"of type {python_type_name(output_size[bad])} at pos {bad}")
    x = input._data
    sizes = (output_size,) * nd if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != nd:
        raise RuntimeError(f"{fn}: internal error: output_size.size() must be {nd}")
    if mean and all(s == 1 for s in sizes):  # torch's avg takes the mean over the last dims before any check
        return sizes
    if x.ndim not in (nd + 1, nd + 2) or 0 in x.shape[-nd:]:
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(x.shape)}")
    sizes = tuple(x.shape[x.ndim - nd + i] if s is None else s for i, s in enumerate(sizes))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(sizes)}")
    return sizes


# torch's out.as_strided_(size, channels-last strides) on a pooled (N, C, 1, 1) mean: every element stays where
# it is (only size-1 dims' strides change), so the gradient passes through
AsStridedBackward1 = derivative("AsStridedBackward1", self="grad")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    sizes = _adaptive_sizes(input, output_size, 2, "adaptive_avg_pool2d", mean=True)
    if sizes == (1, 1):  # torch takes the mean over the spatial dims (MeanBackward1)
        out = input.mean((-1, -2), keepdim=True)
        if suggests_channels_last(input._data):  # ... restrided channels-last in place (AsStridedBackward1)
            n, c, item = out.shape[0], out.shape[1], out._data.itemsize
            data = strided_view(out._data, out._data.shape, (c * item, item, c * item, c * item))
            out = record(AsStridedBackward1, data, (out,))
        return out
    maps, bounds = [], []
    for n, o in zip(input._data.shape[-2:], sizes):
        start, end = _adaptive_bounds(n, o)
        positions = np.arange(n)
        inside = (positions >= start[:, None]) & (positions < end[:, None])
        maps.append(inside / (end - start)[:, None])
        bounds.append((start, end))
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for '{scalar_type_name(input.dtype)}'")
    return _maps.mapped(AdaptiveAvgPool2DBackward0, input, tuple(maps),
                        value=_adaptive_avg_kernel(input._data, bounds))


@quiet
def _adaptive_avg_kernel(x: np.ndarray, bounds: list) -> np.ndarray:
    """torch's kernel: each window's sum, divided by its height, then by its width (so an overflowing sum is
    inf, and an inf outside the window does not reach the output as the maps' 0 * inf would)."""
    (hs, he), (ws, we) = bounds
    if not np.isfinite(x).all() or np.abs(x).max(initial=0) > np.finfo(x.dtype).max / x.shape[-1] / x.shape[-2]:
        out = _scan_window_sums(x, hs, he, ws, we)   # (where the order of the additions shows: torch's)
    else:
        out = _window_sums(_window_sums(x, -1, ws, we), -2, hs, he)
    out = out / (he - hs).astype(x.dtype)[:, None]
    return (out / (we - ws).astype(x.dtype)).astype(x.dtype, copy=False)


def _scan_window_sums(x: np.ndarray, hs, he, ws, we) -> np.ndarray:
    """Each window's sum as torch's kernel adds it: from +0, row by row, left to right, in the input's dtype."""
    total = np.zeros(x.shape[:-2] + (len(hs), len(ws)), x.dtype)
    for dh in range(int((he - hs).max())):
        rows = np.minimum(hs + dh, x.shape[-2] - 1)
        for dw in range(int((we - ws).max())):
            cols = np.minimum(ws + dw, x.shape[-1] - 1)
            inside = ((hs + dh < he)[:, None] & (ws + dw < we)[None, :])
            total = np.where(inside, total + x[..., rows[:, None], cols[None, :]], total)
    return total


def _window_sums(x: np.ndarray, axis: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The sums of x[start[i]:end[i]] along ``axis`` (windows may overlap), by one reduceat over (start, end)
    pairs on ``x`` with a zero appended."""
    pad = np.zeros(x.shape[:x.ndim + axis] + (1,) + x.shape[x.ndim + axis + 1:], x.dtype)
    padded = np.concatenate([x, pad], axis=axis)
    return np.add.reduceat(padded, np.stack([start, end], 1).ravel(), axis=axis).take(
        np.arange(0, 2 * len(start), 2), axis=axis)


@argument_types
def adaptive_avg_pool1d(input: Tensor, output_size: IntList) -> Tensor:
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d() argument 'input' must be 2D or 3D, but got "
                           f"{input._data.ndim}D")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _first(output_size))).squeeze(-2)


@quiet
def _adaptive_max_kernel(x: np.ndarray, out: tuple) -> tuple:
    """(values, flat indices) of the maxima over torch's adaptive windows of (N, C, H, W)."""
    tables = []
    for n, o in zip(x.shape[2:], out):
        start, end = _adaptive_bounds(n, o)
        width = int((end - start).max()) if o else 1
        table = start[:, None] + np.arange(width)
        tables.append(np.where(table < end[:, None], table, n))  # n: the slot of the lowest value
    xp = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)), constant_values=_lowest(x.dtype))
    rows, cols = tables[0][:, None, :, None], tables[1][None, :, None, :]
    windows = xp[:, :, rows, cols]                                              # (N, C, Oh, Ow, kh, kw)
    windows = windows.reshape(windows.shape[:4] + (-1,))
    arg = windows.argmax(axis=-1) if windows.shape[-1] else np.zeros(windows.shape[:4], np.int64)
    if x.dtype.kind == "f" and np.isnan(x).any():
        isnan = np.isnan(windows)
        arg = np.where(isnan.any(axis=-1), windows.shape[-1] - 1 - isnan[..., ::-1].argmax(axis=-1), arg)
    values = np.take_along_axis(windows, arg[..., None], axis=-1)[..., 0]
    flat = (rows * x.shape[3] + cols).reshape(out + (-1,))
    indices = np.take_along_axis(np.broadcast_to(flat, arg.shape + flat.shape[-1:]), arg[..., None], axis=-1)[..., 0]
    return values, indices.astype(np.int64)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    sizes = _adaptive_sizes(input, output_size, 2, "adaptive_max_pool2d")
    x = input._data
    if x.dtype.kind != "f":
        raise not_implemented("adaptive_max_pool2d", x)
    batched = x.ndim == 4
    values, indices = _adaptive_max_kernel(_as_batched(x, batched), sizes)
    if not batched:
        values, indices = values[0], indices[0]
    result = record(AdaptiveMaxPool2DBackward0, values, (input,), self=input, indices=indices,
                    size=x.shape[-2:])
    return _with_indices(result, indices) if return_indices else result


@argument_types
def adaptive_max_pool1d(input: Tensor, output_size: IntList, return_indices: bool = False):
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d() argument 'input' must be 2D or 3D, but got "
                           f"{input._data.ndim}D")
    result = adaptive_max_pool2d(input.unsqueeze(-2), (1, _first(output_size)), return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


# ----- Lp pooling and max_unpool ------------------------------------------------------------------------------

def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """torch's composite: (sign(avg) * relu(|avg|) * kw * kh) ** (1 / p) over avg_pool2d(x ** p)."""
    from ..ops import sign  # type: ignore[attr-defined]  # (unary makes its ops from a table)
    from ._activations import relu
    kw, kh = _pair(kernel_size)
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    from ..ops import sign  # type: ignore[attr-defined]  # (unary makes its ops from a table)
    from ._activations import relu
    if stride is not None:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type)


MaxUnpool2DBackward0 = derivative("MaxUnpool2DBackward0", freed=("indices",),
                                  attrs="indices", self="index_gather(grad, indices, 2)")


def _unpool_output_size(input: Tensor, kernel: tuple, stride: tuple, padding: tuple, output_size) -> list:
    """torch's Python ``_unpool_output_size``: the default size, or ``output_size`` (its last two, of four)
    checked to lie within a stride of it."""
    input_size = input.size()
    default = [(input_size[-len(kernel) + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(len(kernel))]
    if output_size is None:
        size = default
    else:
        if len(output_size) == len(kernel) + 2:
            output_size = output_size[2:]
        if len(output_size) != len(kernel):
            raise ValueError(f"output_size should be a sequence containing {len(kernel)} or {len(kernel) + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(len(kernel)):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
        size = output_size
    for d in range(len(kernel)):
        if size[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={size[d]}")
    return size


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Each input value placed at its flat index in a zero (N, C, H, W) output (max_pool2d's inverse)."""
    kernel = _pair(kernel_size)
    stride = _pair(stride) if stride is not None else kernel
    size = _unpool_output_size(input, kernel, stride, _pair(padding), output_size)
    check_argument("max_unpool2d", "output_size", "IntArray", size, position=2)   # (ATen's parser)
    size = tuple(size)
    x, idx = input._data, indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {scalar_type_name(indices.dtype)}")
    if len(size) != 2:
        raise RuntimeError(f"There should be exactly two elements (height, width) in output_size, but got "
                           f"{len(size)} elements.")
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {x.ndim} "
                           f"dimensions.")
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(x.shape)}) but "
                           f"got indices tensor with shape: {list(idx.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] <= 0:
            raise RuntimeError(f"max_unpooling2d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(x.shape)} with dimension {i} being empty.")
    if x.dtype.kind != "f":
        raise not_implemented("max_unpool2d", x)
    batched = x.ndim == 4
    xb, ib = _as_batched(x, batched), _as_batched(idx, batched)
    per = size[0] * size[1]
    if idx.size and (idx.min() < 0 or idx.max() >= per):
        bad = int(idx.max() if idx.max() >= per else idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {size[0]}x{size[1]})")
    out = np.zeros(xb.shape[:2] + (per,), x.dtype)
    np.put_along_axis(out, ib.reshape(ib.shape[:2] + (-1,)), xb.reshape(xb.shape[:2] + (-1,)), axis=-1)
    out = out.reshape(xb.shape[:2] + size)
    return record(MaxUnpool2DBackward0, out if batched else out[0], (input,), indices=idx)
