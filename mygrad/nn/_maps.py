"""Separable linear maps over the trailing (spatial) dims: the kernel behind reflection and replication
padding and every ``interpolate`` mode.

Each such op is, per spatial dim, one map from the input's size to the output's: an index array
(output position -> input position: padding, nearest) or a weight matrix (output x input: linear,
cubic).  The forward applies one map per dim (``take`` or a matmul along that axis); the backward
applies each map's transpose, a matrix.  Both are formula functions, and the differentiable
version records a node whose own formula is the transpose again, so any order works.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from . import _formulas  # noqa: F401  (registers zero_slope)


def along(x: np.ndarray, m: np.ndarray, axis: int) -> np.ndarray:
    """``m`` applied along ``axis``: a take for an index array, a contraction for a matrix."""
    if m.ndim == 1:
        return np.take(x, m, axis=axis)
    return np.moveaxis(np.tensordot(x, m.astype(x.dtype, copy=False), axes=([axis], [1])), -1, axis)


def _apply_maps_tensor(x: Tensor, maps: tuple) -> Tensor:
    return record(MapsBackward, apply_maps(x._data, maps), (x,),
                  adjoint=adjoint_of(maps, x._data.shape[x._data.ndim - len(maps):]))


@formula_helper(tensor=_apply_maps_tensor)
@quiet
def apply_maps(x: np.ndarray, maps: tuple) -> np.ndarray:
    """Each map applied along its dim, maps aligned with the trailing dims."""
    first = x.ndim - len(maps)
    for i, m in enumerate(maps):
        if m is not None:
            x = along(x, m, first + i)
    return np.ascontiguousarray(x)


def adjoint_of(maps: tuple, sizes: tuple) -> tuple:
    """The transposes of ``maps`` as matrices (an index map becomes its one-hot matrix's transpose);
    ``sizes`` are the input sizes of the dims."""
    out = []
    for m, n in zip(maps, sizes):
        if m is None:
            out.append(None)
        elif m.ndim == 1:
            onehot = np.zeros((n, m.shape[0]))
            onehot[m, np.arange(m.shape[0])] = 1
            out.append(onehot)
        else:
            out.append(np.ascontiguousarray(m.T))
    return tuple(out)


def make_node(name: str, self_edge: bool = True):
    """A node class ``name`` whose gradient is the adjoint maps applied to the output gradient;
    ``self_edge``: torch's double backward also keeps an edge to the input (carrying zeros), so the
    first-order gradient requires grad whenever the input does (padding, adaptive pooling; not upsampling)."""
    from ..autograd import forward_ad
    forward_ad.TANGENTS[name] = "apply_maps(self_t, maps)"   # torch's auto_linear: the forward maps on the tangent
    if self_edge:
        return derivative(name, attrs="adjoint", self="zero_slope(apply_maps(grad, adjoint), self)")
    return derivative(name, attrs="adjoint", self="apply_maps(grad, adjoint)")


MapsBackward = derivative("MapsBackward", attrs="adjoint", self="apply_maps(grad, adjoint)")


def mapped(node, input: Tensor, maps: tuple, backward_maps: tuple | None = None,
           value: np.ndarray | None = None) -> Tensor:
    """The op's output, recorded under ``node`` with the adjoint maps saved; ``backward_maps``: the maps
    whose adjoint the backward applies, where torch's backward kernel indexes differently from its forward;
    ``value``: the output computed by the op's own kernel (where the maps' products 0 * inf would make NaN
    that torch's kernel, which reads only the window, does not)."""
    x = input._data
    sizes = x.shape[x.ndim - len(maps):]
    # (``maps`` is not saved by the node: forward-mode AD reads it, torch's tangent being the op on the tangent)
    return record(node, apply_maps(x, maps) if value is None else value, (input,), self=input,
                  adjoint=adjoint_of(maps if backward_maps is None else backward_maps, sizes), maps=maps)
