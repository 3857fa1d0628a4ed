"""``affine_grid``: the sampling grid of a batch of affine maps, torch's ``affine_grid_generator``
(AffineGridGeneratorBackward0).  The grid is ``base_grid @ theta^T`` over a base grid of normalised
coordinates in [-1, 1] (pixel centres unless ``align_corners``), and the gradient is torch's composite
``(base_grid^T @ grad)^T``, so a second derivative goes through BmmBackward0 and TransposeBackward0 as
torch's does."""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor
from ..autograd.backends import array_fn, tensor_fn
from ..autograd.node import derivative
from ..ops._define import record

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


@array_fn
def affine_grid_backward(grad: np.ndarray, spatial: tuple, align_corners: bool) -> np.ndarray:
    n, nd = grad.shape[0], len(spatial)
    base = base_grid(spatial, align_corners, grad.dtype).reshape(1, -1, nd + 1)
    return np.swapaxes(np.matmul(np.swapaxes(base, 1, 2), grad.reshape(n, -1, nd)), 1, 2)


@tensor_fn(name="affine_grid_backward")
def _affine_grid_backward_tensor(grad: Tensor, spatial: tuple, align_corners: bool) -> Tensor:
    n, nd = grad.shape[0], len(spatial)
    base = np.broadcast_to(base_grid(spatial, align_corners, grad._data.dtype).reshape(1, -1, nd + 1),
                           (n, int(np.prod(spatial)), nd + 1))
    base_t = Tensor._make(np.ascontiguousarray(base), False, None)
    return base_t.transpose(1, 2).bmm(grad.reshape(n, -1, nd)).transpose(1, 2)


AffineGridGeneratorBackward0 = derivative("AffineGridGeneratorBackward0",
                                          theta="affine_grid_backward(grad, spatial, align_corners)")


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
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
                      "of affine_grid for details.", UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    nd = len(spatial)
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {nd + 1}] "
                           f"but got: [{theta.shape[0]}, {nd + 1}].")
    data = theta._data
    base = base_grid(spatial, align_corners, data.dtype).reshape(1, -1, nd + 1)
    out = np.matmul(base, np.swapaxes(data, 1, 2)).reshape(size[0], *spatial, nd).astype(data.dtype)
    return record(AffineGridGeneratorBackward0, out, (theta,), spatial=tuple(spatial),
                  align_corners=bool(align_corners))
