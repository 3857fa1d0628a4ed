"""Matrix products with torch's CPU inf/NaN semantics.

BLAS (NumPy's matmul) fuses multiplies and adds and reorders its sums, so where a product overflows or
terms of opposite infinite sign meet, its inf/NaN pattern differs from torch's: torch's CPU gemm/gemv add
the rounded products ``a_ik * b_kj`` one after the other, in k's order (measured against torch 2.13 for
mm, bmm, mv, dot and the add-products, whatever the sizes).  Only products that may differ pay for the
serial sum (which then replaces BLAS's result: its finite values differ too where huge terms cancel), as
the cheap test of ``may_differ`` picks them out: operands that are not finite, or whose products or sums
could overflow.
"""
from __future__ import annotations

import numpy as np

from ._quiet import quiet

_LARGEST = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): float(np.finfo(np.float32).max),
            np.dtype(np.float64): float(np.finfo(np.float64).max)}


_max, _min = np.maximum.reduce, np.minimum.reduce


def may_differ(out: np.ndarray, a: np.ndarray, b: np.ndarray, scale=1.0, start=None) -> bool:
    """Whether ``out`` (BLAS's ``start`` + a @ b times ``scale``) may differ from torch's in where it is inf or
    NaN: only where an operand is not finite or the products or the sums could overflow (bounded by the
    operands' largest magnitudes: four reductions, no pass over the output; Python floats, which overflow to
    inf without NumPy's floating-point events).  It runs on every product, so it is kept to the bare calls."""
    big = _LARGEST.get(out.dtype)
    if big is None or a.size == 0 or b.size == 0:
        return False
    scale = max(abs(float(scale)), 1.0)
    a_max = max(float(_max(a, None)), -float(_min(a, None)))   # (min and max propagate NaN)
    b_max = max(float(_max(b, None)), -float(_min(b, None)))
    total = a_max * b_max * a.shape[-1] * scale
    if start is not None and np.size(start):
        total += max(float(np.max(start)), -float(np.min(start)))
    # (NaN operands: True; the scale may multiply either operand first)
    return not (total < big and a_max * scale < big and b_max * scale < big)


@quiet
def serial_gemm(a: np.ndarray, b: np.ndarray, alpha=1, start: np.ndarray | None = None) -> np.ndarray:
    """``start + sum_k (alpha * a_ik) * b_kj``, added in k's order as torch's CPU gemm does (batched)."""
    left = a if alpha == 1 else a * a.dtype.type(alpha)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    acc = np.zeros(shape, np.result_type(a, b)) if start is None else np.array(np.broadcast_to(start, shape))
    for k in range(a.shape[-1]):
        acc += left[..., :, k:k + 1] * b[..., k:k + 1, :]
    return acc


_blas = quiet(np.matmul)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b (matrices, batches broadcast) with torch's inf/NaN."""
    out = _blas(a, b)
    if np.ndim(a) >= 2 and np.ndim(b) >= 2 and may_differ(out, a, b):
        out = serial_gemm(a, b)
    return out


def matvec(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """a @ v for a vector ``v`` (mv, dot) with torch's inf/NaN."""
    out = _blas(a, v)
    if may_differ(np.asarray(out), a, v[..., None]):
        out = serial_gemm(a if a.ndim > 1 else a[None], v[..., None])[..., 0].reshape(np.shape(out))
    return out
