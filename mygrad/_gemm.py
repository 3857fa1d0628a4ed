"""Matrix products with torch's CPU inf/NaN semantics.

BLAS (NumPy's matmul) fuses multiplies and adds and reorders its sums, so where a product overflows or
terms of opposite infinite sign meet, its inf/NaN pattern differs from torch's: torch's CPU gemm/gemv add
the rounded products ``a_ik * b_kj`` one after the other, in k's order (measured against torch 2.13 for
mm, bmm, mv, dot and the add-products, whatever the sizes).  Only products that may differ pay for the serial sum (which
then replaces BLAS's result: its finite values differ too where huge terms cancel), as the cheap test of
``may_differ`` picks them out: an output that is not all finite, or operands whose products could overflow.
"""
from __future__ import annotations

import numpy as np

from ._quiet import quiet


@quiet
def may_differ(out: np.ndarray, a: np.ndarray, b: np.ndarray, scale=1.0) -> bool:
    """Whether ``out`` (BLAS's a @ b, times ``scale``) may differ from torch's in where it is inf or NaN."""
    if out.dtype.kind != "f" or out.size == 0:
        return False
    if not np.isfinite(out).all():
        return True
    if a.size == 0 or b.size == 0:
        return False
    big, scale = float(np.finfo(out.dtype).max), max(abs(float(scale)), 1.0)
    a_max, b_max = float(np.abs(a).max()), float(np.abs(b).max())
    # (NaN operands: True; the scale may multiply either operand first)
    return not (a_max * b_max * a.shape[-1] * scale < big and a_max * scale < big and b_max * scale < big)


@quiet
def serial_gemm(a: np.ndarray, b: np.ndarray, alpha=1, start: np.ndarray | None = None) -> np.ndarray:
    """``start + sum_k (alpha * a_ik) * b_kj``, added in k's order as torch's CPU gemm does (batched)."""
    left = a if alpha == 1 else a * a.dtype.type(alpha)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    acc = np.zeros(shape, np.result_type(a, b)) if start is None else np.array(np.broadcast_to(start, shape))
    for k in range(a.shape[-1]):
        acc += left[..., :, k:k + 1] * b[..., k:k + 1, :]
    return acc


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b (matrices, batches broadcast) with torch's inf/NaN."""
    out = quiet(np.matmul)(a, b)
    if np.ndim(a) >= 2 and np.ndim(b) >= 2 and may_differ(out, a, b):
        out = serial_gemm(a, b)
    return out


def matvec(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """a @ v for a vector ``v`` (mv, dot) with torch's inf/NaN."""
    out = quiet(np.matmul)(a, v)
    if may_differ(np.asarray(out), a, v[..., None]):
        out = serial_gemm(a if a.ndim > 1 else a[None], v[..., None])[..., 0].reshape(np.shape(out))
    return out
