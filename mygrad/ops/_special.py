"""Special functions in NumPy (NumPy has none of them, and mygrad depends on NumPy alone): lgamma,
digamma, polygamma, erfc, erfinv.  Each works on a whole float64 array at once: recurrences shift every
element together for a fixed number of steps, never a Python loop over elements.

* ``lgamma``: Lanczos' approximation (g = 7, 9 terms; relative error about 1e-15) for x >= 0.5, the
  reflection formula below; poles (0, -1, ...) give +inf, as torch's.
* ``digamma`` / ``polygamma(n)``: shift x up to >= 10 with psi(x) = psi(x + 1) - 1/x (and its n-th
  derivatives), then the asymptotic series in 1/x with Bernoulli numbers; reflection for x < 0.
* ``erfc``: the complement the erf pieces already hold (``1 - erf`` would lose every digit in the tail),
  and its asymptotic series past 6; ``erfinv``: Giles' approximation refined by Newton steps on erf.
Values are checked against torch in ``conformance/records/special.py``.
"""
from __future__ import annotations

import math

import numpy as np

from .._quiet import quiet
from ._erf import _BY_POWER, _SCALE, _SHIFT, EDGES, erf

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# the Bernoulli numbers B_2k, k = 1..8, of the asymptotic series
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x >= 0.5 (Lanczos)."""
    z = x - 1
    series = np.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series += c / (z + i)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(series)


@quiet
def lgamma(x: np.ndarray) -> np.ndarray:
    x64 = np.asarray(x, np.float64)
    small = x64 < 0.5
    out = _lgamma_positive(np.where(small, 1 - x64, x64))
    # reflection: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x); sin(pi x) by its period, exact at integers
    sine = np.abs(np.sin(np.pi * np.fmod(x64, 2.0)))
    reflected = np.log(np.pi / sine) - out
    out = np.where(small, reflected, out)
    out = np.where(np.abs(x64) < 1e-300, -np.log(np.abs(x64)), out)  # (sin(pi x) underflows: -log|x| there)
    out = np.where((x64 <= 0) & (x64 == np.floor(x64)), np.inf, out)  # the poles
    out = np.where(np.isinf(x64), np.inf, out)
    return out.astype(x.dtype, copy=False)


_MAX_SHIFT = 1000  # below -990 polygamma's recurrence stops short of its series' range (and loses digits)


def _series_shift(x: np.ndarray, n: int):
    """Shift every element up until all are >= 10; returns (shifted x, the sum of the skipped terms
    1 / x^(n+1)), since psi^(n)(x) = psi^(n)(x + 1) + (-1)^(n+1) n! / x^(n+1) (n = 0: -1 / x)."""
    finite = x[np.isfinite(x)]
    lowest = float(finite.min()) if finite.size else 10.0
    steps = min(max(10, math.ceil(10 - lowest)), _MAX_SHIFT)
    total = np.zeros_like(x)
    for _ in range(steps):
        total += 1 / x ** (n + 1)
        x = x + 1
    return x, total


@quiet
def digamma(x: np.ndarray) -> np.ndarray:
    x64 = np.asarray(x, np.float64)
    negative = x64 < 0
    y = np.where(negative, 1 - x64, x64)  # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
    shifted, skipped = _series_shift(y, 0)
    # psi(x) ~ log x - 1/(2x) - sum_k B_2k / (2k x^2k)
    inverse_square = 1 / (shifted * shifted)
    tail = np.zeros_like(shifted)
    power = inverse_square.copy()
    for k, b in enumerate(_BERNOULLI, start=1):
        tail += b / (2 * k) * power
        power = power * inverse_square
    value = np.log(shifted) - 0.5 / shifted - tail - skipped
    reflected = value - np.pi / np.tan(np.pi * np.fmod(x64, 1.0))
    out = np.where(negative, reflected, value)
    out = np.where(x64 == 0, np.where(np.signbit(x64), np.inf, -np.inf), out)  # torch: +inf at -0.
    out = np.where((x64 < 0) & (x64 == np.floor(x64)), np.nan, out)
    out = np.where(np.isposinf(x64), np.inf, out)
    return out.astype(x.dtype, copy=False)


@quiet
def polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """The n-th derivative of digamma (n >= 1): psi^(n)(x) = (-1)^(n+1) n! sum_k 1/(x+k)^(n+1), by the
    recurrence up to x >= 10 and then its asymptotic series."""
    if n == 0:
        return digamma(x)
    if n == 1:
        return trigamma(x)
    x64 = np.asarray(x, np.float64)
    shifted, skipped = _series_shift(x64, n)
    inverse = 1 / shifted
    # (n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! x^(2k+n))
    value = math.factorial(n - 1) * inverse ** n + math.factorial(n) / 2 * inverse ** (n + 1)
    for k, b in enumerate(_BERNOULLI, start=1):
        value += b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) * inverse ** (2 * k + n)
    value += math.factorial(n) * skipped
    out = (-1) ** (n + 1) * value
    out = np.where((x64 <= 0) & (x64 == np.floor(x64)), (-1) ** (n + 1) * np.inf, out)  # the poles
    out = np.where(np.isneginf(x64) & (n == 1) | np.isposinf(x64) & (n > 1), np.nan, out)  # torch's at ±inf
    return out.astype(x.dtype, copy=False)


@quiet
def trigamma(x: np.ndarray) -> np.ndarray:
    """torch's calc_trigamma, step for step and in the input's precision (float32 for float32 and half), so
    its values at the poles are its: pi^2 / sin(pi x)^2 with sin(pi x) rounded (finite at -1, -2, ...) and
    NaN where pi x overflows; then six recurrence steps and the asymptotic series (its constants double)."""
    work = np.float64 if x.dtype == np.float64 else np.float32
    y = np.asarray(x, work)
    pi = work(math.pi)
    reflect = y < work(0.5)
    sin_pi_x = np.sin(pi * y)
    result = np.where(reflect, work(0) - (pi * pi) / (sin_pi_x * sin_pi_x), work(0)).astype(work)
    y = np.where(reflect, work(1) - y, y)
    for _ in range(6):
        result += work(1) / (y * y)
        y = y + work(1)
    inverse_square = work(1) / (y * y)
    y64, ixx = y.astype(np.float64), inverse_square.astype(np.float64)
    series = (1 + 1 / (2 * y64) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / y64  # (double constants)
    result = (result + series).astype(work)
    return np.where(reflect, -result, result).astype(x.dtype, copy=False)


@quiet
def erfc(x: np.ndarray) -> np.ndarray:
    """1 - erf(x) without the cancellation: for x >= 1 the erf pieces compute exp(-x^2) P(u) = erfc(x)."""
    x64 = np.asarray(x, np.float64)
    a = np.abs(x64)
    complement = np.where(a < 1, 1.0 - erf(a), _erfc_pieces(np.maximum(a, 1.0)))
    large = a >= EDGES[-1]
    square = a * a
    asymptotic = np.exp(-square) / (a * math.sqrt(math.pi)) * (
        1 - 1 / (2 * square) + 3 / (4 * square ** 2) - 15 / (8 * square ** 3) + 105 / (16 * square ** 4))
    complement = np.where(large, asymptotic, complement)
    out = np.where(x64 < 0, 2.0 - complement, complement)
    out = np.where(np.isnan(x64), np.nan, out)
    return out.astype(x.dtype, copy=False)


def _erfc_pieces(a: np.ndarray) -> np.ndarray:
    """exp(-a^2) P(u) for 1 <= a < 6: erf's pieces before their ``1 -``."""
    piece = np.clip(np.searchsorted(EDGES, a, side="right"), 1, len(EDGES) - 1)
    u = a * _SCALE[piece] - _SHIFT[piece]
    coefficients = _BY_POWER[:, piece]
    p = coefficients[0]
    for c in coefficients[1:]:
        p = p * u + c
    return np.exp(-a * a) * p


@quiet
def erfinv(y: np.ndarray) -> np.ndarray:
    """Giles' single-precision approximation, then Newton steps x -= (erf(x) - y) / erf'(x)."""
    y64 = np.asarray(y, np.float64)
    w = -np.log((1.0 - y64) * (1.0 + y64))
    central = w < 5.0
    wc = np.where(central, w - 2.5, np.sqrt(np.where(central, 5.0, w)) - 3.0)
    p_central = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                 -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    p_tail = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    pc, pt = np.zeros_like(wc), np.zeros_like(wc)
    for c, t in zip(p_central, p_tail):
        pc = pc * wc + c
        pt = pt * wc + t
    x = np.where(central, pc, pt) * y64
    for _ in range(3):
        x = x - (erf(x) - y64) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), x)
    x = np.where((np.abs(y64) > 1) | np.isnan(y64), np.nan, x)
    return x.astype(y.dtype, copy=False)


# ----- modified Bessel functions of the first kind, orders 0 and 1, and their exp-scaled forms ----------
# A power series below |x| = 20 (every term positive, so no cancellation; 60 terms reach float64's
# precision there) and the asymptotic expansion e^|x| / sqrt(2 pi |x|) * sum_k (-1)^k a_k(nu) / |x|^k
# above (its terms shrink until k ~ 2|x| = 40, so 30 terms are enough).  i0 itself is NumPy's np.i0
# (Cephes' Chebyshev tables, torch's too).

_SERIES_EDGE = 20.0


def _bessel_series(a: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """sum_k (a/2)^(2k+order) / (k! (k+order)!), times exp(-a) if ``scaled``; a in [0, 20]."""
    half = a / 2
    term = np.ones_like(a) if order == 0 else half.copy()
    total = term.copy()
    quarter = half * half
    for k in range(1, 60):
        term = term * quarter / (k * (k + order))
        total += term
    return total * np.exp(-a) if scaled else total


def _bessel_asymptotic(a: np.ndarray, order: int) -> np.ndarray:
    """exp(-a) I_order(a) for a >= 20."""
    mu = 4.0 * order * order
    term = np.ones_like(a)
    total = term.copy()
    for k in range(1, 30):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * a)
        total += term
    return total / (math.sqrt(2 * math.pi) * np.sqrt(a))  # (2 pi a would overflow near the largest float)


def _growth(a: np.ndarray, dtype) -> np.ndarray:
    """exp(a) in torch's precision for ``dtype`` (float32 for float32 and half), so I_nu overflows to inf
    where torch's kernel does (past a = 88.7 for float32), in float64."""
    work = np.float64 if dtype == np.float64 else np.float32
    return np.exp(a.astype(work)).astype(np.float64)


@quiet
def bessel_i(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """I_0 or I_1 of ``x`` (exp(-|x|) times it if ``scaled``); I_1 is odd, I_0 even."""
    x64 = np.asarray(x, np.float64)
    a = np.abs(x64)
    small = a <= _SERIES_EDGE
    out = np.where(small, _bessel_series(np.minimum(a, _SERIES_EDGE), order, scaled),
                   _bessel_asymptotic(np.maximum(a, _SERIES_EDGE), order) * (1.0 if scaled else _growth(a, x.dtype)))
    if order == 1:
        out = np.where(x64 < 0, -out, out)
    out = np.where(np.isnan(x64), np.nan, out)
    return out.astype(x.dtype, copy=False)


# ----- erfcx, log_ndtr, ndtri ---------------------------------------------------------------------

_CONTINUED_FRACTION_EDGE = 6.0


@quiet
def erfcx(x: np.ndarray) -> np.ndarray:
    """exp(x^2) erfc(x) without overflow: below 1 from erf, on [1, 6) erfc's own pieces without their
    exp(-x^2) factor, above 6 the continued fraction 1 / (sqrt(pi) (x + (1/2) / (x + 1 / (x + ...)))),
    and for negative x the reflection 2 exp(x^2) - erfcx(-x) (inf once exp(x^2) overflows, as torch's)."""
    x64 = np.asarray(x, np.float64)
    a = np.abs(x64)
    inner = a < 1
    piece = np.clip(np.searchsorted(EDGES, a, side="right"), 1, len(EDGES) - 1)
    u = a * _SCALE[piece] - _SHIFT[piece]
    p = _BY_POWER[0, piece]
    for c in _BY_POWER[1:, piece]:
        p = p * u + c
    positive = np.where(inner, np.exp(a * a) * (1.0 - erf(np.where(inner, a, 0.0))), p)
    tail = a >= _CONTINUED_FRACTION_EDGE
    f = np.where(tail, a, 1.0)
    for k in range(60, 0, -1):
        f = np.where(tail, a, 1.0) + (k / 2) / f
    positive = np.where(tail, (1 / math.sqrt(math.pi)) / f, positive)  # (sqrt(pi) f would overflow at the largest x)
    out = np.where(x64 < 0, 2 * np.exp(a * a) - positive, positive)
    out = np.where(np.isposinf(x64), 0.0, out)
    out = np.where(np.isnan(x64), np.nan, out)
    return out.astype(x.dtype, copy=False)


@quiet
def log_ndtr(x: np.ndarray) -> np.ndarray:
    """log of the standard normal CDF, by torch's kernel's steps in the input's precision (its float32
    rounding decides the gradient's, whose formula cancels result against x^2/2): with t = x / sqrt 2,
    log(erfcx(-t) / 2) - t^2 below -1, which stays finite far past where the CDF underflows, and
    log1p(-erfc(t) / 2) above (erfc as exp(-t^2) erfcx(t))."""
    x64 = np.asarray(x, np.float64)
    kind = x.dtype.type if x.dtype.kind == "f" else np.float64
    t = (x64 * kind(math.sqrt(0.5))).astype(kind)
    t64 = t.astype(np.float64)
    lower = np.log(erfcx(-np.minimum(t64, 0.0)).astype(kind) / kind(2)) - t * t
    complement = np.where(t64 < 0, erfc(np.minimum(t64, 0.0)), np.exp(-t64 * t64) * erfcx(np.maximum(t64, 0.0)))
    upper = np.log1p(-(complement.astype(kind) / kind(2)))
    out = np.where(x64 < -1, lower, upper)
    out = np.where(np.isneginf(x64), -np.inf, out)
    return out.astype(x.dtype, copy=False)


@quiet
def ndtri(p: np.ndarray) -> np.ndarray:
    """The inverse of the standard normal CDF: the lower half by Newton steps on log_ndtr (quadratic,
    and exact in relative terms deep in the tail), the upper half by symmetry on 1 - p (exact there)."""
    p64 = np.asarray(p, np.float64)
    q = np.where(p64 > 0.5, 1.0 - p64, p64)   # in (0, 0.5]
    q_safe = np.clip(q, 5e-324, 0.5)
    x = np.where(q_safe < 1e-10, -np.sqrt(-2 * np.log(q_safe)), math.sqrt(2) * erfinv(2 * q_safe - 1))
    log_q = np.log(q_safe)
    for _ in range(6):
        log_cdf = log_ndtr(x)
        # d/dx log ndtr(x) = pdf(x) / cdf(x) = exp(-x^2/2 - log sqrt(2 pi) - log_cdf)
        slope = np.exp(-x * x / 2 - 0.5 * math.log(2 * math.pi) - log_cdf)
        x = x - (log_cdf - log_q) / slope
    out = np.where(p64 > 0.5, -x, x)
    out = np.where(p64 == 0.5, 0.0, out)
    out = np.where(p64 == 0, -np.inf, np.where(p64 == 1, np.inf, out))
    out = np.where((p64 < 0) | (p64 > 1) | np.isnan(p64), np.nan, out)
    return out.astype(p.dtype, copy=False)
