"""``affine_grid`` and ``grid_sample``.

``affine_grid``: the sampling grid of a batch of affine maps, torch's ``affine_grid_generator``
(AffineGridGeneratorBackward0).  The grid is ``base_grid @ theta^T`` over a base grid of normalised
coordinates in [-1, 1] (pixel centres unless ``align_corners``), and the gradient is torch's composite
``(base_grid^T @ grad)^T``, so a second derivative goes through BmmBackward0 and TransposeBackward0 as
torch's does.

``grid_sample``: torch's grid_sampler_2d/3d (GridSampler2DBackward0 / GridSampler3DBackward0), bilinear
(trilinear) or nearest, padding zeros/border/reflection, vectorised over the output points: one gather per
corner forward, np.add.at into the corners backward; the second derivative is exact (one
GridSampler2D/3DBackwardBackward0 per gradient, where torch has one node for both).  Bicubic and third
derivatives are not implemented.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._argument_types import check_argument
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import not_tensor, past_checks, refuse_gradient_into

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


def _corners(x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str, align_corners: bool,
             second: bool = False) -> tuple:
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
        out.append((flat, ok.astype(grid.dtype), None, None) if second else (flat, ok.astype(grid.dtype), None))
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
        if second:  # d2 weight / d u_d d u_e (d != e): the other factors, with both signs
            cross = {}
            for d in range(nd):
                for e in range(d + 1, nd):
                    rest = [f for k, f in enumerate(factors) if k not in (d, e)]
                    h = np.prod(rest, axis=0) if rest else np.ones_like(frac[0])
                    cross[d, e] = cross[e, d] = (h * (1 if bits[d] == bits[e] else -1) * ok).astype(grid.dtype)
            out.append((flat, weight.astype(grid.dtype), [w.astype(grid.dtype) for w in dweights], cross))
        else:
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
    backward; ``part`` the backward's operand it is taken for (0 grad_output, 1 input, 2 grid).  Exact for
    the piecewise-multilinear weights (their slopes to the grid are constant between pixels); None where
    torch's is undefined (the input's, unless reached through d grid in bilinear mode)."""
    corners, slopes = _corners(input, grid, mode, padding_mode, align_corners, second=True)
    nd = input.ndim - 2
    n, c = input.shape[:2]
    xf = _flat_input(input)
    shape = (grad_output.shape, input.shape, grid.shape)[part]
    if which == 0:
        gf = _flat_input(gg)
        if part == 0:  # d input = scatter(grad_output * w): linear in grad_output, sampled back
            out = np.zeros(shape, gg.dtype)
            for flat, weight, _, _ in corners:
                out += _gathered(gf, flat) * weight[:, None]
            return out
        if part == 1:  # (d input does not depend on the input: torch leaves this gradient undefined)
            return None
        if mode == "nearest":
            return np.zeros(shape, gg.dtype)
        return grid_sampler_backward(grad_output, gg, grid, mode, padding_mode, align_corners, 1)
    if mode == "nearest":
        return None if part == 1 else np.zeros(shape, gg.dtype)
    t = [gg[..., nd - 1 - d] * slopes[d] for d in range(nd)]  # the upstream per spatial dim, in pixels
    if part == 0:
        out = np.zeros(shape, gg.dtype)
        for flat, _, dweights, _ in corners:
            slope = sum(t[d] * dweights[d] for d in range(nd))
            out += _gathered(xf, flat) * slope[:, None]
        return out
    if part == 1:
        out = np.zeros((n * c, int(np.prod(input.shape[2:]))), gg.dtype)
        for flat, _, dweights, _ in corners:
            slope = sum(t[d] * dweights[d] for d in range(nd))
            _scatter(grad_output * slope[:, None], flat, input.shape, out)
        return out.reshape(input.shape)
    out = np.zeros(shape, gg.dtype)
    for flat, _, _, cross in corners:
        vals = (_gathered(xf, flat) * grad_output).sum(1)
        for d in range(nd):
            out[..., nd - 1 - d] += vals * sum(t[e] * cross[d, e] for e in range(nd) if e != d) * slopes[d]
    return out


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
