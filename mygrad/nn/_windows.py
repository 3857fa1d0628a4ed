"""Sliding windows over the spatial dims of an (N, C, *spatial) array: the NumPy kernels that
convolution, unfold/fold and pooling share.

A window view is ``as_strided`` over the padded input (no copy); ``im2col`` copies it once into
the (N, G, C/G * prod(kernel), prod(out)) matrix a convolution multiplies by its weight, and
``col2im`` adds such a matrix back into an input-shaped array with one strided add per kernel
offset (a loop over the few kernel offsets, never over pixels).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._quiet import quiet


class Spec(NamedTuple):
    """A window geometry per spatial dim: stride, padding before and after, dilation; and groups."""
    stride: tuple
    lo: tuple
    hi: tuple
    dilation: tuple
    groups: int = 1
    transposed: bool = False   # (a transposed convolution's: its tangent formula reads it)


def out_sizes(size: tuple, kernel: tuple, spec: Spec) -> tuple:
    return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1
                 for n, k, s, lo, hi, d in zip(size, kernel, spec.stride, spec.lo, spec.hi, spec.dilation))


def pad_spatial(x: np.ndarray, lo: tuple, hi: tuple, value=0) -> np.ndarray:
    """``x`` with its spatial dims padded by ``value`` (non-negative pads)."""
    if not any(lo) and not any(hi):
        return x
    out = np.full(x.shape[:2] + tuple(n + a + b for n, a, b in zip(x.shape[2:], lo, hi)), value, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(a, a + n) for a, n in zip(lo, x.shape[2:]))] = x
    return out


def windows(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> np.ndarray:
    """A read-only (N, C, *kernel, *out) view of the padded ``xp``: element [n, c, k..., o...] is
    ``xp[n, c, o*stride + k*dilation ...]``."""
    strides = xp.strides
    spatial = strides[2:]
    return as_strided(xp, xp.shape[:2] + tuple(kernel) + tuple(out),
                      strides[:2] + tuple(s * d for s, d in zip(spatial, dilation))
                      + tuple(s * t for s, t in zip(spatial, stride)), writeable=False)


def im2col(x: np.ndarray, kernel: tuple, spec: Spec, out: tuple | None = None) -> np.ndarray:
    """The (N, G, C/G * prod(kernel), prod(out)) columns of ``x``'s windows (one copy)."""
    n, c = x.shape[:2]
    if out is None:
        out = out_sizes(x.shape[2:], kernel, spec)
    view = windows(pad_spatial(x, spec.lo, spec.hi), kernel, spec.stride, spec.dilation, out)
    g = spec.groups
    return view.reshape(n, g, c // g * math.prod(kernel), math.prod(out))


@quiet
def col2im(cols: np.ndarray, size: tuple, kernel: tuple, spec: Spec) -> np.ndarray:
    """The adjoint of ``im2col``: ``cols`` (N, C, *kernel, *out) summed into an (N, C, *size) array."""
    n, c = cols.shape[:2]
    nd = len(size)
    out = cols.shape[2 + nd:]
    padded = np.zeros((n, c) + tuple(m + a + b for m, a, b in zip(size, spec.lo, spec.hi)), cols.dtype)
    for offset in np.ndindex(*kernel):
        target = tuple(slice(k * d, k * d + s * (o - 1) + 1, s)
                       for k, d, s, o in zip(offset, spec.dilation, spec.stride, out))
        padded[(slice(None), slice(None)) + target] += cols[(slice(None), slice(None)) + offset]
    return padded[(slice(None), slice(None)) + tuple(slice(a, a + m) for a, m in zip(spec.lo, size))]


# ----- convolution as three contractions (forward, and its two adjoints) ---------------------

@quiet
def conv_forward(x: np.ndarray, w: np.ndarray, spec: Spec, out: tuple | None = None) -> np.ndarray:
    """y[n, o] = sum over the group's channels and kernel offsets of w * window: one batched matmul."""
    kernel = w.shape[2:]
    cols = im2col(x, kernel, spec, out)
    g = spec.groups
    if out is None:
        out = out_sizes(x.shape[2:], kernel, spec)
    y = np.matmul(w.reshape(g, w.shape[0] // g, -1), cols)
    return y.reshape((x.shape[0], w.shape[0]) + tuple(out))


@quiet
def conv_input_grad(grad: np.ndarray, w: np.ndarray, spec: Spec, size: tuple) -> np.ndarray:
    """The input-shaped adjoint of ``conv_forward`` in its input (also the transposed convolution)."""
    n, cout = grad.shape[:2]
    out = grad.shape[2:]
    g = spec.groups
    kernel = w.shape[2:]
    cols = np.matmul(w.reshape(g, cout // g, -1).swapaxes(-1, -2), grad.reshape(n, g, cout // g, math.prod(out)))
    cols = cols.reshape((n, g * w.shape[1]) + tuple(kernel) + tuple(out))
    return col2im(cols, size, kernel, spec)


@quiet
def conv_weight_grad(grad: np.ndarray, x: np.ndarray, spec: Spec, kernel: tuple) -> np.ndarray:
    """The weight-shaped adjoint of ``conv_forward`` in its weight: columns times the gradient, summed over N."""
    n, cout = grad.shape[:2]
    g = spec.groups
    cols = im2col(x, kernel, spec, grad.shape[2:])
    gm = grad.reshape(n, g, cout // g, math.prod(grad.shape[2:]))
    # one GEMM per sample, then a sum over the small (N, G, C_out/G, C/G*k) products: no copy of the
    # columns into another layout (a single flattened GEMM would need one, as would einsum here)
    gw = np.add.reduce(np.matmul(gm, cols.swapaxes(-1, -2)), axis=0)
    return gw.reshape((cout, x.shape[1] // g) + tuple(kernel))
