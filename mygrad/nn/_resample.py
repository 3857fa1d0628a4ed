"""Resampling: ``interpolate`` (and the ``upsample`` aliases), ``pixel_shuffle``/``pixel_unshuffle``
and ``one_hot``.

Every interpolation mode is separable: per spatial dim, an index map (nearest, nearest-exact) or a
weight matrix (linear; cubic with torch's A = -0.75 and clamped border taps), built with torch's
source-index arithmetic (``area_pixel_compute_source_index``; float32 for float32 inputs, as torch's
kernels compute it), then applied along each dim by ``_maps.py``.  Node names are torch's
(UpsampleBilinear2DBackward0, ...).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import invalid_arguments, past_checks
from . import _maps

_NAMES = {"nearest": "UpsampleNearest{}DBackward0", "nearest-exact": "UpsampleNearestExact{}DBackward0",
          "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
          "trilinear": "UpsampleTrilinear3DBackward0", "bicubic": "UpsampleBicubic2DBackward0"}
_NODES = {}
_RANK = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}
_A = -0.75


def _node(mode: str, nd: int):
    name = _NAMES[mode].format(nd)
    if name not in _NODES:
        _NODES[name] = _maps.make_node(name, self_edge=False)
    return _NODES[name]


def _source(dst: np.ndarray, scale, align_corners: bool, cubic: bool, ftype):
    if align_corners:
        return scale * dst
    if ftype is np.float32:  # torch's kernel fuses this multiply-add (one rounding): exact through float64
        src = (np.float64(scale) * (dst + ftype(0.5)).astype(np.float64) - 0.5).astype(np.float32)
    else:   # in float64 too (measured: 1 -> 5 has a source index of 2.8e-17, not 0, at output 2)
        src = _fused_multiply_add(np.float64(scale), dst + 0.5, -0.5)
    return src if cubic else np.maximum(src, ftype(0))


def _fused_multiply_add(a, b: np.ndarray, c: float) -> np.ndarray:
    """a * b + c with (nearly always) one rounding in float64: the product split exactly (Dekker's
    two-product, Veltkamp's split) and the sum's rounding error carried (Knuth's two-sum)."""
    product = a * b
    split = 134217729.0   # 2**27 + 1

    def halves(x):
        t = split * x
        high = t - (t - x)
        return high, x - high
    (ah, al), (bh, bl) = halves(a), halves(b)
    error = ((ah * bh - product) + ah * bl + al * bh) + al * bl
    total = product + c
    back = total - product
    carried = (product - (total - back)) + (c - back)
    return total + (carried + error)


def _scale(n: int, o: int, align_corners: bool, given, ftype):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return ftype((n - 1) / (o - 1)) if o > 1 else ftype(0)
    return ftype(1.0 / given) if given is not None and given > 0 else ftype(n / o)


def _dim_map(n: int, o: int, mode: str, align_corners: bool, given, ftype, nd: int,
             backward: bool = False) -> np.ndarray:
    if mode == "nearest" and (nd == 2 or backward) and o in (n, 2 * n):
        return np.arange(o) // (o // n)  # torch's nearest_idx shortcuts, whatever the scale (see interpolate)
    if mode in ("nearest", "nearest-exact"):
        scale = np.float32(1.0 / given) if given is not None and given > 0 else np.float32(n / o)
        shift = np.float32(0.5) if mode == "nearest-exact" else np.float32(0)
        index = np.floor((np.arange(o).astype(np.float32) + shift) * scale).astype(np.int64)
        return np.minimum(index, n - 1)
    m = np.zeros((o, n), ftype)
    rows = np.arange(o)
    for index, weight in _taps(n, o, mode, align_corners, given, ftype):
        np.add.at(m, (rows, index), weight)
    return m


def _taps(n: int, o: int, mode: str, align_corners: bool, given, ftype) -> list:
    """The (input index, weight) of each tap of each output position along one dim, as torch's kernel
    reads them: two for linear (the second clamped to the last index), four for cubic (clamped at both ends)."""
    dst = np.arange(o).astype(ftype)
    scale = _scale(n, o, align_corners, given, ftype)
    cubic = mode == "bicubic"
    src = _source(dst, scale, align_corners, cubic, ftype)
    # torch's guard_index_and_lambda: the index is floorf's (the source index rounded to float32 first:
    # 0.9999999999999999 is index 1, weight 0), at most n - 1, the weight clamped to [0, 1]
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n - 1)
    t = np.clip(src - i0, 0, 1).astype(ftype)
    if not cubic and n == o:  # torch's compute_source_index_and_lambda: the same size copies (weights 1, 0)
        return [(np.arange(n), np.ones(n, ftype)), (np.arange(n), np.zeros(n, ftype))]
    if not cubic:
        return [(np.minimum(i0, n - 1), 1 - t), (i0 + (i0 < n - 1), t)]
    a = ftype(_A)

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [(np.clip(i0 + offset, 0, n - 1), w)
            for offset, w in ((-1, far(t + 1)), (0, near(t)), (1, near(1 - t)), (2, far(2 - t)))]


def _fma(t: np.ndarray, w: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """``t * w + partial`` with the product unrounded, as the compiler contracts torch's kernel into a fused
    multiply-add (so -max * w + -max * (1 - w) can round to -inf); a wider type stands in for the fused step."""
    wide = np.longdouble if t.dtype == np.float64 else np.float64
    return (t.astype(wide) * w.astype(wide) + partial.astype(wide)).astype(t.dtype)


@quiet
def _interpolated(x: np.ndarray, taps: list) -> np.ndarray:
    """torch's linear/cubic kernel (``upsample_generic_Nd``): along the last dim first, then outwards; each
    output is its taps' value * weight added in tap order, fused as the compiler contracted it (measured bit for
    bit on one interpolated dim at a time): linear ``fma(t0, w0, t1 * w1)``, but ``fma(t1, w1, t0 * w0)`` along
    bilinear's first dim (linear and trilinear agree to the last bit; bilinear with both dims resampled, and
    bicubic, still differ in the last bits: another contraction there); cubic ``t0 * w0`` then
    ``fma(t, w, sum)`` for the others.  Only the taps are read (an inf elsewhere does not reach the output)."""
    out = x
    for axis in range(x.ndim - 1, x.ndim - 1 - len(taps), -1):
        shape = [1] * x.ndim
        shape[axis] = -1
        terms = [(out.take(index, axis=axis), weight.reshape(shape).astype(x.dtype))
                 for index, weight in taps[axis - x.ndim]]
        if len(terms) == 2:
            (t0, w0), (t1, w1) = terms
            out = _fma(t1, w1, t0 * w0) if axis == x.ndim - 2 and len(taps) == 2 else _fma(t0, w0, t1 * w1)
        else:
            out = terms[0][0] * terms[0][1]
            for t, w in terms[1:]:
                out = _fma(t, w, out)
    return out.astype(x.dtype, copy=False)


def _upsample_kernel(mode: str, nd: int) -> str:
    """The CPU kernel torch's message names when it has none for the input's dtype (2-d nearest and bilinear
    take the channels-last kernel, the others compute their indices and weights first)."""
    if nd == 2 and mode in ("nearest", "nearest-exact", "bilinear"):
        return f"upsample_{mode.split('-')[0]}2d_channels_last"
    return "compute_indices_weights_" + {"nearest-exact": "nearest", "bicubic": "cubic", "bilinear": "linear",
                                         "trilinear": "linear"}.get(mode, mode)


def _check_kernel_arguments(input: Tensor, mode: str, nd: int, sizes, align_corners, scales) -> None:
    """The argument types torch's upsample kernel (called with the expanded size or scale list) accepts:
    ints for sizes, real numbers for scales, a bool align_corners; anything else fits none of its overloads."""
    sizes_ok = sizes is None or all(isinstance(o, (int, np.integer)) and not isinstance(o, bool) for o in sizes)
    scales_ok = scales is None or all(isinstance(s, (int, float, np.integer, np.floating)) for s in scales)
    align_ok = align_corners is None or isinstance(align_corners, bool)
    if sizes_ok and scales_ok and align_ok:
        return
    name = {"nearest": "upsample_nearest", "nearest-exact": "_upsample_nearest_exact"}.get(mode, f"upsample_{mode}")
    name = f"{name}{nd}d"
    args = (input, sizes, scales) if align_corners is None else (input, sizes, align_corners, scales)
    align = "" if align_corners is None else "bool align_corners, "
    raise invalid_arguments(name, args, (
        f"Tensor input, tuple of ints output_size, {align}tuple of floats scale_factors",
        f"Tensor input, tuple of ints output_size, {align}float scales = None, *, Tensor out = None"))


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    x = input._data
    nd = x.ndim - 2
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if align_corners is None:
        align_corners = False
    if mode not in _NAMES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("mygrad: interpolate(antialias=True) is not implemented")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * nd
        if isinstance(size, (list, tuple)) and len(sizes) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(x.shape[2:])} and output size of {sizes}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             f"format.")
        if isinstance(size, (list, tuple)) and not all(isinstance(o, (int, np.integer)) for o in sizes):
            raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], "
                            f"but got size with types {[type(o) for o in sizes]}")
        scales: list = [None] * nd
    elif scale_factor is not None:
        scales = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * nd
        if isinstance(scale_factor, (list, tuple)) and len(scales) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(x.shape[2:])} and scale_factor of shape {scales}. "
                             f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             f"(s1, s2, ...,sK) format.")
        sizes = []
        if recompute_scale_factor:  # torch computes the size in Python (int(n * s)), then passes no scale
            sizes = [int(n * s) for n, s in zip(x.shape[2:], scales)]
            scales, size = [None] * nd, sizes
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode in ("linear", "bilinear", "trilinear") and nd in (1, 2, 3) and _RANK[mode] != nd:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_RANK[mode] + 2}D input")
    if nd < 1 or nd > 3 or mode == "bicubic" and nd != 2:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    _check_kernel_arguments(input, mode, nd, sizes if size is not None else None,
                            align_corners if mode in _RANK else None, scales if size is None else None)
    if size is None:
        sizes = [math.floor(float(n) * s) for n, s in zip(x.shape[2:], scales)]
    if any(o <= 0 for o in sizes) or any(n <= 0 for n in x.shape[2:]):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, x.shape[2:]))}) "
                           f"and output ({', '.join(map(str, sizes))})")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{_upsample_kernel(mode, nd)}\" not implemented for "
                                  f"'{scalar_type_name(input.dtype)}'")
    ftype = x.dtype.type
    maps = tuple(_dim_map(n, o, mode, align_corners, s, ftype, nd) for n, o, s in zip(x.shape[2:], sizes, scales))
    # torch's nearest kernels take output i from input i // 2 (or i) when the output is twice (or once) the
    # input's size, whatever the scale factor says: its 2-D forward and every backward do, its 1-D and 3-D
    # forwards do not, so there the gradient goes where the backward's index says
    backward = tuple(_dim_map(n, o, mode, align_corners, s, ftype, nd, backward=True)
                     for n, o, s in zip(x.shape[2:], sizes, scales)) if mode == "nearest" else None
    value = None
    if mode in _RANK:
        value = _interpolated(x, [_taps(n, o, mode, align_corners, s, ftype)
                                  for n, o, s in zip(x.shape[2:], sizes, scales)])
    return _maps.mapped(_node(mode, nd), input, maps, backward, value=value)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> Tensor:
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  UserWarning, stacklevel=past_checks(2))
    return interpolate(input, size, scale_factor, mode, align_corners)


# ----- pixel shuffle -----------------------------------------------------------------------------------------

def _shuffle_tensor(x: Tensor, r: int) -> Tensor:
    return record(PixelShuffleBackward0, shuffle_pixels(x._data, r), (x,), upscale_factor=r)


@formula_helper(tensor=_shuffle_tensor)
def shuffle_pixels(x: np.ndarray, r: int) -> np.ndarray:
    """(..., C*r*r, H, W) -> (..., C, H*r, W*r)."""
    *lead, c, h, w = x.shape
    out = x.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    n = len(lead)
    out = out.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return out.copy().reshape(tuple(lead) + (c // (r * r), h * r, w * r))  # (a copy, as torch makes, even for r = 1)


def _unshuffle_tensor(x: Tensor, r: int) -> Tensor:
    return record(PixelUnshuffleBackward0, unshuffle_pixels(x._data, r), (x,), downscale_factor=r)


@formula_helper(tensor=_unshuffle_tensor)
def unshuffle_pixels(x: np.ndarray, r: int) -> np.ndarray:
    """(..., C, H*r, W*r) -> (..., C*r*r, H, W)."""
    *lead, c, h, w = x.shape
    out = x.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    n = len(lead)
    out = out.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return out.copy().reshape(tuple(lead) + (c * r * r, h // r, w // r))


PixelShuffleBackward0 = derivative("PixelShuffleBackward0", attrs="upscale_factor",
                                   self="unshuffle_pixels(grad, upscale_factor)")
PixelUnshuffleBackward0 = derivative("PixelUnshuffleBackward0", attrs="downscale_factor",
                                     self="shuffle_pixels(grad, downscale_factor)")


def _check_pixels(fn: str, x: np.ndarray, r: int, factor: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           f"dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{fn} expects a positive {factor}, but got {r}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    x = input._data
    _check_pixels("pixel_shuffle", x, upscale_factor, "upscale_factor")
    if x.shape[-3] % (upscale_factor * upscale_factor):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by "
                           f"{upscale_factor * upscale_factor}")
    return _shuffle_tensor(input, upscale_factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    x = input._data
    _check_pixels("pixel_unshuffle", x, downscale_factor, "downscale_factor")
    for name, axis in (("height", -2), ("width", -1)):
        if x.shape[axis] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({axis})={x.shape[axis]} is not divisible by {downscale_factor}")
    return _unshuffle_tensor(input, downscale_factor)


# ----- one_hot -------------------------------------------------------------------------------------------------

def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 indicator vectors along a new last dim (no gradient: the input is an index tensor)."""
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if x.size == 0 and num_classes <= 0:  # torch infers (and so fails) for any non-positive count
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if num_classes == -1:
        num_classes = int(x.max()) + 1
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if x.size and x.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((x[..., None] == np.arange(num_classes)).astype(np.int64), False, None)
