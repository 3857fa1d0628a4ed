"""NumPy versions of the CPU kernels torch's single-tensor optimizers call, rounding as torch's do.

torch's CPU kernels for ``add(alpha=)``, ``lerp`` and ``addcmul`` fuse a multiply and an add
(one rounding, vectorised FMA); ``addcdiv``, ``mul`` and ``div`` by a scalar round each step.
A Python scalar is first rounded to the tensor's dtype (torch's opmath type for float32 is
float).  NumPy has no FMA, so the fused forms are computed in a wider type and rounded once:
float64 for float16/float32 (a float32 product is exact there, so one rounding of the sum
is what remains), and for float64 Dekker's exact product and Knuth's exact sum, which give the
fused result except in rare double-rounding cases.  ``sqrt`` is NumPy's correctly rounded
one; torch's float32 sqrt is not always (1 ulp apart now and then), which NumPy cannot follow.
Every function writes into ``out`` (an array the optimizer owns) and returns it.
"""
from __future__ import annotations

import numpy as np

_SPLIT = float(2 ** 27 + 1)


def _two_product(a: np.ndarray, b: np.ndarray):
    """p, e with p = fl(a * b) and a * b = p + e exactly (Dekker)."""
    p = a * b
    t = _SPLIT * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLIT * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _fma64(a, b, c) -> np.ndarray:
    """``a * b + c`` for float64 with (almost always) one rounding."""
    a, b, c = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
    p, e = _two_product(a, b)
    s = p + c
    z = s - p
    t = (p - (s - z)) + (c - z)  # the exact error of s = fl(p + c) (Knuth's two-sum)
    out = s + (t + e)
    return np.where(np.isfinite(out), out, a * b + c)  # overflow/inf/nan: the plain formula's result


def _scalar(value: float, dtype: np.dtype):
    return dtype.type(value)


def fma(a, b, c, out: np.ndarray) -> np.ndarray:
    """``a * b + c`` rounded once into ``out``'s dtype (arrays or dtype-rounded scalars)."""
    if out.dtype == np.float64:
        np.copyto(out, _fma64(a, b, c))
    else:  # the float32 product is exact in float64: one rounding of the float64 sum remains
        wide = np.empty(out.shape, dtype=np.float64)
        np.multiply(a, b, out=wide, dtype=np.float64)  # the float64 loop: an exact product
        np.add(wide, c, out=wide)
        np.copyto(out, wide, casting="unsafe")
    return out


def add(a: np.ndarray, b: np.ndarray, alpha: float, out: np.ndarray) -> np.ndarray:
    """``a.add(b, alpha=alpha)``: fused ``b * alpha + a`` (exact when alpha is 1)."""
    if alpha == 1:
        return np.add(a, b, out=out)
    return fma(b, _scalar(alpha, out.dtype), a, out)


def lerp(start: np.ndarray, end: np.ndarray, weight: float, out: np.ndarray) -> np.ndarray:
    """``start.lerp(end, weight)`` for a scalar weight, torch's two-sided formula."""
    w = _scalar(weight, out.dtype)
    diff = end - start
    if abs(w) < 0.5:
        return fma(w, diff, start, out)
    return fma(w - out.dtype.type(1), diff, end, out)


def addcmul(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float, out: np.ndarray) -> np.ndarray:
    """``a.addcmul(t1, t2, value=value)``: fused ``(value * t1) * t2 + a``."""
    v = _scalar(value, out.dtype)
    return fma(t1 if value == 1 else v * t1, t2, a, out)


def addcdiv(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: float, out: np.ndarray) -> np.ndarray:
    """``a.addcdiv(t1, t2, value=value)``: ``a + (value * t1) / t2``, each step rounded."""
    v = _scalar(value, out.dtype)
    return np.add(a, (t1 if value == 1 else v * t1) / t2, out=out)


def scale(a: np.ndarray, factor: float, out: np.ndarray) -> np.ndarray:
    """``a.mul(factor)``."""
    return np.multiply(a, _scalar(factor, out.dtype), out=out)
