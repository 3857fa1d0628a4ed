"""``affine_grid`` and ``grid_sample``.

``affine_grid``: the sampling grid of a batch of affine maps, torch's ``affine_grid_generator``
(AffineGridGeneratorBackward0).  The grid is ``base_grid @ theta^T`` over a base grid of normalised
coordinates in [-1, 1] (pixel centres unless ``align_corners``), and the gradient is torch's composite
``(base_grid^T @ grad)^T``, so a second derivative goes through BmmBackward0 and TransposeBackward0 as
torch's does.

``grid_sample``: torch's grid_sampler_2d/3d (GridSampler2DBackward0 / GridSampler3DBackward0), bilinear
(trilinear) or nearest, padding zeros/border/reflection, vectorised over the output points: one gather per
corner forward, np.add.at into the corners backward.  The second derivative (one
GridSampler2D/3DBackwardBackward0 per gradient, where torch has one node for both) is torch's: its kernels
through d input, its composite of tensor ops through d grid (``grid_sampler_double``).  Bicubic and third
derivatives are not implemented.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._argument_types import check_argument
from .._quiet import quiet
from .._summation import add_reduce
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import not_tensor, past_checks, refuse_gradient_into
from ..ops.elementwise import _addc_kernel

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _linspace(steps: int, align_corners: bool, dtype) -> np.ndarray:
    if steps <= 1:
        return np.zeros(1, dtype)
    r = np.linspace(-1, 1, steps).astype(dtype)
    return r if align_corners else (r * dtype.type(steps - 1) / dtype.type(steps)).astype(dtype)


def base_grid(spatial: tuple, align_corners: bool, dtype) -> np.ndarray:
    """(*spatial, nd + 1): x (the last dim's coordinate) first, then y (then z), then 1."""
    axes = [_linspace(n, align_corners, dtype) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([*mesh[::-1], np.ones(spatial, dtype)], axis=-1).astype(dtype)


def _affine_grid_backward_tensor(grad: Tensor, spatial: tuple, align_corners: bool) -> Tensor:
    n, nd = grad.shape[0], len(spatial)
    base = np.broadcast_to(base_grid(spatial, align_corners, grad._data.dtype).reshape(1, -1, nd + 1),
                           (n, int(np.prod(spatial)), nd + 1))
    base_t = Tensor._make(np.ascontiguousarray(base), False, None)
    return base_t.transpose(1, 2).bmm(grad.reshape(n, -1, nd)).transpose(1, 2)


@formula_helper(tensor=_affine_grid_backward_tensor)
@quiet
def affine_grid_backward(grad: np.ndarray, spatial: tuple, align_corners: bool) -> np.ndarray:
    n, nd = grad.shape[0], len(spatial)
    base = base_grid(spatial, align_corners, grad.dtype).reshape(1, -1, nd + 1)
    return np.swapaxes(np.matmul(np.swapaxes(base, 1, 2), grad.reshape(n, -1, nd)), 1, 2)


AffineGridGeneratorBackward0 = derivative("AffineGridGeneratorBackward0", attrs="spatial align_corners",
                                          theta="affine_grid_backward(grad, spatial, align_corners)")


@quiet
def _affine_grid_forward(theta: np.ndarray, spatial: tuple, align_corners: bool) -> np.ndarray:
    nd = len(spatial)
    base = base_grid(spatial, align_corners, theta.dtype).reshape(1, -1, nd + 1)
    return np.matmul(base, np.swapaxes(theta, 1, 2)).reshape(theta.shape[0], *spatial, nd).astype(theta.dtype)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=past_checks(2))
        align_corners = False
    if theta._data.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", UserWarning, stacklevel=past_checks(2))
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    nd = len(spatial)
    check_argument("affine_grid_generator", "size", "IntList", size)   # (torch's kernel's parser)
    check_argument("affine_grid_generator", "align_corners", "bool", align_corners)
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {nd + 1}] "
                           f"but got: [{theta.shape[0]}, {nd + 1}].")
    out = _affine_grid_forward(theta._data, spatial, align_corners)
    return record(AffineGridGeneratorBackward0, out, (theta,), spatial=tuple(spatial),
                  align_corners=bool(align_corners))


# ----- grid_sample ---------------------------------------------------------------------------------

def _source_index(coord: np.ndarray, size: int, padding_mode: str, align_corners: bool) -> tuple:
    """torch's ``grid_sampler_compute_source_index_set_grad``: a normalised coordinate in pixels, after
    the padding mode's clipping or reflection, and d(pixel)/d(coordinate) (0 on and beyond a clipped
    border, as torch counts borders out of bounds for the gradient)."""
    dt = coord.dtype.type
    if align_corners:
        scale = dt((size - 1) / 2)
        x = (coord + 1) * scale
    else:
        scale = dt(size / 2)
        x = ((coord + 1) * dt(size) - 1) / 2
    slope = np.full(x.shape, scale, coord.dtype)
    if padding_mode == "reflection":
        span = dt(size - 1) if align_corners else dt(size)
        if span == 0:
            return np.zeros_like(x), np.zeros_like(x)
        shifted = x if align_corners else x + dt(0.5)
        neg = shifted < 0
        a = np.abs(shifted)
        extra = a - np.trunc(a / (2 * span)) * (2 * span)
        other = 2 * span - extra
        more = extra > other
        x = np.where(more, other, extra)
        if not align_corners:
            x = x - dt(0.5)
        slope = slope * np.where(more ^ neg, -1, 1).astype(coord.dtype)
    if padding_mode in ("border", "reflection"):
        inside = (x > 0) & (x < size - 1)
        x = np.clip(np.nan_to_num(x, nan=0.0), 0, size - 1).astype(coord.dtype)
        slope = slope * inside
    return x.astype(coord.dtype), slope


def _in_bounds(idx: list, spatial: tuple, ok: np.ndarray) -> np.ndarray:
    """The flat spatial index of each corner, -1 for one out of bounds: read as 0 and written nowhere, as torch's
    kernels skip such corners (their weight times an inf or NaN pixel is not added)."""
    flat = np.ravel_multi_index([np.clip(i, 0, n - 1) for i, n in zip(idx, spatial)], spatial)
    return np.where(ok, flat, -1)


def _corners(x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str, align_corners: bool) -> tuple:
    """For each output point: the in-bound input corners it reads (flat spatial index, weight, and the
    weight's slope per grid component), over 2**nd corners (bilinear) or the nearest one."""
    spatial = x.shape[2:]
    nd = len(spatial)
    coords, slopes = [], []
    for d in range(nd):  # grid's last dim lists x (the last spatial dim) first
        c, s = _source_index(grid[..., d], spatial[nd - 1 - d], padding_mode, align_corners)
        coords.append(c)
        slopes.append(s)
    coords, slopes = coords[::-1], slopes[::-1]  # now in spatial-dim order
    sizes = np.array(spatial)
    out = []
    if mode == "nearest":
        idx = [np.rint(c).astype(np.int64) for c in coords]
        ok = np.logical_and.reduce([(i >= 0) & (i < n) for i, n in zip(idx, spatial)])
        flat = _in_bounds(idx, spatial, ok)
        out.append((flat, ok.astype(grid.dtype), None))
        return out, slopes
    lo = [np.floor(c) for c in coords]
    frac = [c - f for c, f in zip(coords, lo)]
    lo = [f.astype(np.int64) for f in lo]
    for bits in np.ndindex(*(2,) * nd):
        idx = [f + b for f, b in zip(lo, bits)]
        ok = np.logical_and.reduce([(i >= 0) & (i < n) for i, n in zip(idx, sizes)])
        factors = [fr if b else 1 - fr for fr, b in zip(frac, bits)]
        weight = np.prod(factors, axis=0) * ok
        dweights = []
        for d in range(nd):
            rest = [f for k, f in enumerate(factors) if k != d]
            dw = np.prod(rest, axis=0) if rest else np.ones_like(frac[0])
            dweights.append((dw if bits[d] else -dw) * ok)
        flat = _in_bounds(idx, spatial, ok)
        out.append((flat, weight.astype(grid.dtype), [w.astype(grid.dtype) for w in dweights]))
    return out, slopes


def _flat_input(x: np.ndarray) -> np.ndarray:
    return x.reshape(x.shape[0], x.shape[1], int(np.prod(x.shape[2:])))


def _gathered(xf: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """(N, C, *out) values of ``xf`` (N, C, P) at ``flat`` (N, *out)."""
    n = xf.shape[0]
    f = flat.reshape(n, 1, int(np.prod(flat.shape[1:])))
    values = np.take_along_axis(xf, np.broadcast_to(np.maximum(f, 0), (n, xf.shape[1], f.shape[2])), 2)
    return np.where(f >= 0, values, xf.dtype.type(0)).reshape(xf.shape[:2] + flat.shape[1:])


@quiet
def _grid_sample_forward(x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str,
                         align_corners: bool) -> np.ndarray:
    corners, _ = _corners(x, grid, mode, padding_mode, align_corners)
    xf = _flat_input(x)
    out = np.zeros(x.shape[:2] + grid.shape[1:-1], x.dtype)
    for flat, weight, _ in corners:
        out += _gathered(xf, flat) * weight[:, None]
    return out


def _grid_sampler_backward_tensor(grad: Tensor, input: Tensor, grid: Tensor, mode, padding_mode, align_corners,
                                  which) -> Tensor:
    node = GridSampler2DBackwardBackward0 if input.ndim == 4 else GridSampler3DBackwardBackward0
    data = grid_sampler_backward(grad._data, input._data, grid._data, mode, padding_mode, align_corners, which)
    return record(node, data, (grad, input, grid), grad_output=grad, input=input, grid=grid, mode=mode,
                  padding_mode=padding_mode, align_corners=align_corners, which=which)


@formula_helper(tensor=_grid_sampler_backward_tensor)
@quiet
def grid_sampler_backward(grad: np.ndarray, input: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str,
                          align_corners: bool, which: int) -> np.ndarray:
    """d input (``which`` 0: each output's gradient added into the corners it read) or d grid (1: the
    weights' slopes times the corner values, summed over channels, times d(pixel)/d(coordinate))."""
    corners, slopes = _corners(input, grid, mode, padding_mode, align_corners)
    n, c = input.shape[:2]
    if which == 0:
        out = np.zeros((n * c, int(np.prod(input.shape[2:]))), input.dtype)
        for flat, weight, _ in corners:
            _scatter(grad * weight[:, None], flat, input.shape, out)
        return out.reshape(input.shape)
    nd = input.ndim - 2
    g = np.zeros(grid.shape, grid.dtype)
    if mode == "nearest":
        return g
    xf = _flat_input(input)
    if nd == 2:
        return _grid_slope_2d(grad, xf, corners, grid, input.shape, slopes, padding_mode, align_corners)
    if nd == 3:
        return _grid_slope_3d(grad, xf, corners, grid, input.shape, slopes, padding_mode, align_corners)
    comps = [np.zeros(grid.shape[:-1], grid.dtype) for _ in range(nd)]
    for flat, _, dweights in corners:
        vals = (_gathered(xf, flat) * grad).sum(1)
        for d in range(nd):
            comps[d] += vals * dweights[d]
    for d in range(nd):  # spatial dim d is grid component nd - 1 - d
        g[..., nd - 1 - d] = comps[d] * slopes[d]
    return g


def _grid_slope_2d(grad: np.ndarray, xf: np.ndarray, corners: list, grid: np.ndarray, shape: tuple, slopes: list,
                   padding_mode: str, align_corners: bool) -> np.ndarray:
    """d grid of 2-D bilinear sampling as torch's vector kernel sums it: per channel, in channel order,
    ((ne - nw) s + (se - sw) n) gOut for x and ((sw - nw) e + (se - ne) w) gOut for y (corners out of bounds
    read as 0), then times d(pixel)/d(coordinate)."""
    y = _source_index(grid[..., 1], shape[2], padding_mode, align_corners)[0]
    x = _source_index(grid[..., 0], shape[3], padding_mode, align_corners)[0]
    n, w = y - np.floor(y), x - np.floor(x)
    s, e = 1 - n, 1 - w
    nw, ne, sw, se = (_gathered(xf, flat) for flat, _, _ in corners)   # (np.ndindex's order over (y, x))
    gx, gy = np.zeros(grid.shape[:-1], grid.dtype), np.zeros(grid.shape[:-1], grid.dtype)
    wide = np.float64 if grid.dtype == np.float32 else np.longdouble   # (each step a fused multiply-add, as
    for c in range(xf.shape[1]):                                       # torch's compiled kernel: no overflow
        g_c = grad[:, c].astype(wide)                                  # of the product alone)
        gx = (((ne[:, c] - nw[:, c]) * s + (se[:, c] - sw[:, c]) * n) * g_c + gx).astype(grid.dtype)
        gy = (((sw[:, c] - nw[:, c]) * e + (se[:, c] - ne[:, c]) * w) * g_c + gy).astype(grid.dtype)
    return np.stack([gx * slopes[1], gy * slopes[0]], -1).astype(grid.dtype, copy=False)


def _grid_slope_3d(grad: np.ndarray, xf: np.ndarray, corners: list, grid: np.ndarray, shape: tuple, slopes: list,
                   padding_mode: str, align_corners: bool) -> np.ndarray:
    """d grid of 3-D trilinear sampling as torch's scalar kernel sums it: per channel, corner by corner (those
    in bounds only), value times the other two dims' factors times gOut, added or taken off per coordinate;
    then times d(pixel)/d(coordinate)."""
    coords = [_source_index(grid[..., 2 - d], shape[2 + d], padding_mode, align_corners)[0] for d in range(3)]
    frac = [c - np.floor(c) for c in coords]   # (z, y, x)
    factor = [(1 - f, f) for f in frac]   # (a corner's 1-D weight: below, above)
    values = [(_gathered(xf, flat), flat >= 0, bits) for (flat, _, _), bits in zip(corners, np.ndindex(2, 2, 2))]
    acc = [np.zeros(grid.shape[:-1], grid.dtype) for _ in range(3)]   # (z, y, x)
    for c in range(xf.shape[1]):
        g_c = grad[:, c]
        for v, ok, bits in values:
            for d in range(3):
                a, b = (k for k in (2, 1, 0) if k != d)   # (torch's order: x before y before z)
                term = v[:, c] * factor[a][bits[a]] * factor[b][bits[b]] * g_c
                acc[d] = np.where(ok, acc[d] + term if bits[d] else acc[d] - term, acc[d])
    return np.stack([acc[2] * slopes[2], acc[1] * slopes[1], acc[0] * slopes[0]], -1).astype(grid.dtype, copy=False)


def _scatter(values: np.ndarray, flat: np.ndarray, shape: tuple, out: np.ndarray) -> None:
    """Add ``values`` (N, C, *points) into ``out`` (N*C, P) at the flat spatial indices ``flat`` (N, *points)."""
    n, c = shape[:2]
    points = int(np.prod(values.shape[2:]))
    rows = np.broadcast_to(np.arange(n * c).reshape(n * c, 1), (n * c, points))
    cols = np.broadcast_to(flat.reshape(n, 1, points), (n, c, points)).reshape(n * c, points)
    kept = cols >= 0   # (corners out of bounds: nothing written)
    np.add.at(out, (rows[kept], cols[kept]), values.reshape(n * c, points)[kept])


def _grid_sampler_double_tensor(gg: Tensor, grad_output: Tensor, input: Tensor, grid: Tensor, mode, padding_mode,
                                align_corners, which, part) -> Tensor | None:
    data = grid_sampler_double(gg._data, grad_output._data, input._data, grid._data, mode, padding_mode,
                               align_corners, which, part)
    if data is None:
        return None
    return record(GridSamplerDoubleBackward, data, (gg, grad_output, input, grid))


@formula_helper(tensor=_grid_sampler_double_tensor)
@quiet
def grid_sampler_double(gg: np.ndarray, grad_output: np.ndarray, input: np.ndarray, grid: np.ndarray, mode: str,
                        padding_mode: str, align_corners: bool, which: int, part: int) -> np.ndarray | None:
    """The second derivative: ``gg`` is the gradient reaching d input (``which`` 0) or d grid (1) of the
    backward; ``part`` the backward's operand it is taken for (0 grad_output, 1 input, 2 grid); None where
    torch's is undefined.  Through d input it is torch's kernels (sampling ``gg``, or its d grid with ``gg``
    as the input); through d grid (bilinear only: nearest's d grid is constant) it is torch's composite of
    tensor ops (``_GridTaps``), whose every step this follows, so an inf or NaN lands where torch's does."""
    if which == 0:
        if part == 0:  # d input = scatter(grad_output * w): linear in grad_output, sampled back
            return _grid_sample_forward(gg, grid, mode, padding_mode, align_corners)
        if part == 1 or mode == "nearest":  # (d input does not read the input; nearest: d grid is 0)
            return None if part == 1 else np.zeros(grid.shape, gg.dtype)
        return grid_sampler_backward(grad_output, gg, grid, mode, padding_mode, align_corners, 1)
    if mode == "nearest":
        return None
    taps = _GridTaps(input, grid, padding_mode, align_corners)
    nd = len(taps.frac)
    up = [gg[..., c] * taps.slope[c] for c in range(nd)]   # the upstream per grid component, in pixels
    dw = taps.weight_slopes()
    if part == 0:  # sum over taps of value * d weight, times the upstream (fused multiply-adds after the first)
        out = _tap_sum(taps.values, dw[0]) * up[0][:, None]
        for c in range(1, nd):
            out = _fused(_tap_sum(taps.values, dw[c]), up[c][:, None], out)
        return out
    if part == 1:  # grad_output times the same slopes, scattered into the taps
        w = up[0][..., None] * dw[0]
        for c in range(1, nd):
            w = _fused(up[c][..., None], dw[c], w)
        return taps.scatter(grad_output[..., None] * w[:, None])
    return taps.grid_second(grad_output, up)


def _fused(a: np.ndarray, b: np.ndarray, acc: np.ndarray) -> np.ndarray:
    """``acc.addcmul_(a, b)``: torch's kernel fuses it, ``a * b + acc`` rounded once (mygrad's addcmul)."""
    return _addc_kernel(np.multiply, acc, a, b, 1)


def _tap_sum(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``(values * weights.unsqueeze(1)).sum(-1)``: (N, C, *out, K) against (N, *out, K), over the taps."""
    prod = values * weights[:, None]
    return add_reduce(prod, (prod.ndim - 1,))


def _double_source(coord: np.ndarray, size: int, padding_mode: str, align_corners: bool) -> tuple:
    """The source pixel and d(pixel)/d(coordinate) as torch's double backward computes them, in tensor ops
    (not the kernels' ``_source_index``): its clamp keeps a NaN, its reflection folds by floor, fmod and
    remainder (their NaN for an infinite coordinate), and the slope is 0 outside the interior."""
    dt = coord.dtype.type
    scale = dt((size - 1) / 2 if align_corners else size / 2)
    x = (coord + dt(1)) * scale
    if not align_corners:
        x = x - dt(0.5)
    hi = dt(size - 1)
    if padding_mode == "zeros":
        return x, np.full(x.shape, scale, x.dtype)
    if padding_mode == "border":
        return np.clip(x, dt(0), hi), ((x > 0) & (x < hi)).astype(x.dtype) * scale
    low, span = (dt(0), dt(size - 1)) if align_corners else (dt(-0.5), dt(size))
    if span == 0:
        return np.zeros_like(x), np.zeros_like(x)
    shifted = x - low
    dist = np.abs(shifted)
    even = np.fmod(np.floor(dist / span), dt(2)) < 0.5
    rem = np.fmod(dist, span)   # (torch's remainder: the same for dist >= 0, NaN for an infinite one)
    folded = np.where(even, rem + low, (span - rem) + low)
    sign = np.where(shifted >= 0, dt(1), dt(-1)) * np.where(even, dt(1), dt(-1))
    inside = ((folded > 0) & (folded < hi)).astype(x.dtype)
    return np.clip(folded, dt(0), hi), sign * inside * scale


class _GridTaps:
    """The 2**nd taps of each output point as torch's double backward reads them: floor of the source pixel
    (an infinite or NaN one is INT64_MIN, as the cast gives), indices clamped into the input for one gather,
    and with zeros padding the taps out of bounds multiplied by 0 (so an inf or NaN read there is NaN, as
    torch's).  Taps in (z, y, x) order, x fastest; grid components (x, y, z) index ``frac`` and ``slope``."""

    def __init__(self, input: np.ndarray, grid: np.ndarray, padding_mode: str, align_corners: bool) -> None:
        spatial = input.shape[2:]
        nd = len(spatial)
        src = [_double_source(grid[..., c], spatial[nd - 1 - c], padding_mode, align_corners) for c in range(nd)]
        self.slope = [s for _, s in src]
        lo = [np.floor(x).astype(np.int64) for x, _ in src]
        self.frac = [x - f.astype(x.dtype) for (x, _), f in zip(src, lo)]
        self.bits = list(np.ndindex(*(2,) * nd))   # per tap, over the spatial dims (z, y, x)
        idx = [np.stack([lo[nd - 1 - s] + b[s] for b in self.bits], -1) for s in range(nd)]
        flat = np.clip(idx[0], 0, spatial[0] - 1)
        for s in range(1, nd):
            flat = flat * spatial[s] + np.clip(idx[s], 0, spatial[s] - 1)
        self.mask = None
        if padding_mode == "zeros":
            ok = np.logical_and.reduce([(i >= 0) & (i < n) for i, n in zip(idx, spatial)])
            self.mask = ok.astype(input.dtype)[:, None]
        self.flat, self.shape = flat, input.shape
        n, c = input.shape[:2]
        self.points = int(np.prod(flat.shape[1:]))   # (output points times taps)
        cols = np.broadcast_to(flat.reshape(n, 1, self.points), (n, c, self.points))
        values = np.take_along_axis(_flat_input(input), cols, 2).reshape((n, c) + flat.shape[1:])
        self.values = values if self.mask is None else values * self.mask

    def _factor(self, c: int, bit: int) -> np.ndarray:
        """A tap's 1-D weight along grid component ``c``: frac above, 1 - frac below."""
        f = self.frac[c]
        return f if bit else f.dtype.type(1) - f

    def weight_slopes(self) -> list:
        """d tap weight / d pixel per grid component: the other components' factors (x, y, z order), negated
        for the tap below."""
        nd = len(self.frac)
        out = []
        for c in range(nd):
            rows = []
            for b in self.bits:
                bit = b[nd - 1 - c]
                others = [self._factor(e, b[nd - 1 - e]) for e in range(nd) if e != c]
                term = others[0] if bit else -others[0]
                for f in others[1:]:
                    term = term * f
                rows.append(term)
            out.append(np.stack(rows, -1))
        return out

    def scatter(self, values: np.ndarray) -> np.ndarray:
        """``zeros.scatter_add_(2, flat, values)`` (out-of-bounds taps times 0 first): point by point, taps in
        order, into the (N, C, P) input."""
        if self.mask is not None:
            values = values * self.mask
        n, c = self.shape[:2]
        out = np.zeros((n * c, int(np.prod(self.shape[2:]))), values.dtype)
        cols = np.broadcast_to(self.flat.reshape(n, 1, self.points), (n, c, self.points)).reshape(n * c, self.points)
        rows = np.broadcast_to(np.arange(n * c)[:, None], cols.shape)
        np.add.at(out, (rows, cols), values.reshape(n * c, self.points))
        return out.reshape(self.shape)

    def grid_second(self, grad_output: np.ndarray, up: list) -> np.ndarray:
        """d grid: only the mixed second derivatives of the multilinear weights, as torch's composite forms
        them (the taps' alternating sums, blended along the third dim in 3-D), summed over channels with
        grad_output, times the other components' upstream and this component's slope."""
        t = [self.values[..., k] for k in range(len(self.bits))]
        if len(self.frac) == 2:
            cross = add_reduce(grad_output * (((t[0] - t[1]) - t[2]) + t[3]), (1,))
            return np.stack([(self.slope[0] * up[1]) * cross, (self.slope[1] * up[0]) * cross], -1)
        one = self.frac[0].dtype.type(1)
        fx, fy, fz = (f[:, None] for f in self.frac)
        xy = (one - fz) * (((t[0] - t[1]) - t[2]) + t[3]) + fz * (((t[4] - t[5]) - t[6]) + t[7])
        xz = _fused(fy, ((t[2] - t[3]) - t[6]) + t[7], (one - fy) * (((t[0] - t[1]) - t[4]) + t[5]))
        yz = _fused(fx, ((t[1] - t[3]) - t[5]) + t[7], (one - fx) * (((t[0] - t[2]) - t[4]) + t[6]))
        sxy, sxz, syz = (add_reduce(grad_output * d, (1,)) for d in (xy, xz, yz))
        gx = _fused(up[2], sxz, up[1] * sxy) * self.slope[0]
        gy = _fused(up[2], syz, up[0] * sxy) * self.slope[1]
        gz = _fused(up[1], syz, up[0] * sxz) * self.slope[2]
        return np.stack([gx, gy, gz], -1)


_TRIPLE = "not_implemented_derivative(\"mygrad: the third derivative of grid_sample is not implemented\")"
GridSamplerDoubleBackward = derivative("GridSamplerDoubleBackward", gg=_TRIPLE, grad_output=_TRIPLE, input=_TRIPLE,
                                       grid=_TRIPLE)


_DOUBLE = "grid_sampler_double(grad, grad_output, input, grid, mode, padding_mode, align_corners, which, {})"
GridSampler2DBackwardBackward0 = derivative("GridSampler2DBackwardBackward0",
                                            attrs="mode padding_mode align_corners which",
                                            grad_output=_DOUBLE.format(0),
                                            input=_DOUBLE.format(1), grid=_DOUBLE.format(2))
GridSampler3DBackwardBackward0 = derivative("GridSampler3DBackwardBackward0",
                                            attrs="mode padding_mode align_corners which",
                                            grad_output=_DOUBLE.format(0),
                                            input=_DOUBLE.format(1), grid=_DOUBLE.format(2))


_GRAD = "grid_sampler_backward(grad, input, grid, mode, padding_mode, align_corners, {})"
GridSampler2DBackward0 = derivative("GridSampler2DBackward0", attrs="mode padding_mode align_corners",
                                    input=_GRAD.format(0), grid=_GRAD.format(1))
GridSampler3DBackward0 = derivative("GridSampler3DBackward0", attrs="mode padding_mode align_corners",
                                    input=_GRAD.format(0), grid=_GRAD.format(1))


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=past_checks(2))
        align_corners = False
    # torch's Python checks the modes first, then its kernel's parser the types
    if not isinstance(input, Tensor):
        raise not_tensor("grid_sampler", input)
    if not isinstance(grid, Tensor):
        raise not_tensor("grid_sampler", grid, "grid", 2)
    check_argument("grid_sampler", "align_corners", "bool", align_corners)
    x, g = input._data, grid._data
    if x.shape[0] != g.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(x.shape)} and grid with sizes {list(g.shape)}")
    if g.shape[-1] != x.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {x.ndim - 2} in last dimension, but got grid "
                           f"with sizes {list(g.shape)}")
    if x.ndim not in (4, 5) or g.ndim != x.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(x.shape)} and grid with sizes {list(g.shape)}")
    for d in range(2, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(x.shape)} with dimension {d} being empty")
    if mode == "bicubic" and x.ndim != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    node = GridSampler2DBackward0 if x.ndim == 4 else GridSampler3DBackward0
    shape = x.shape[:2] + g.shape[1:-1]
    # an empty output is returned before the dtypes are looked at, except by the 3-D kernel for the input's
    if x.dtype.kind != "f" and (x.ndim == 5 or np.prod(shape) != 0):
        kernel = "grid_sampler_2d_cpu_kernel_impl" if x.ndim == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(input.dtype)}'")
    if np.prod(shape) == 0:
        empty = np.zeros(shape, x.dtype)
        refuse_gradient_into(empty, grid)   # (an integer output of a grid that requires grad: autograd's refusal)
        return record(node, empty, (input, grid), input=input, grid=grid, mode=mode,
                      padding_mode=padding_mode, align_corners=bool(align_corners))
    if g.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(grid.dtype)}")
    if mode == "bicubic":
        raise NotImplementedError("mygrad: grid_sample(mode='bicubic') is not implemented")
    out = _grid_sample_forward(x, g, mode, padding_mode, bool(align_corners))
    return record(node, out, (input, grid), input=input, grid=grid, mode=mode, padding_mode=padding_mode,
                  align_corners=bool(align_corners))
