"""The error function in NumPy, to within about an ulp of float64 (NumPy has no erf, and mygrad
depends on NumPy alone).

Six pieces, each a degree-12 polynomial evaluated by Horner's rule:

* ``|x| < 1``: ``erf(x) = x * P(z)`` with ``z = x**2`` (``erf(x) / x`` is smooth in ``z``);
* ``1 <= |x| < 6``, split at 1.6, 2.3, 3.1 and 4.2: ``erf(x) = 1 - exp(-x**2) * P(u)``, where
  ``P`` approximates the slowly varying ``erfc(x) * exp(x**2)`` and ``u`` maps the piece onto [-1, 1];
* ``|x| >= 6``: 1 (``erfc(6)`` is below half an ulp of 1).

The coefficients are Chebyshev fits made with mpmath at 40 digits (``mpmath.chebyfit``; fit error
below 1e-16 in each piece after the ``exp(-x**2)`` factor); ``tests/test_ops_elementwise.py``
refits them and checks erf against mpmath, ``math.erf`` and ``torch.erf``.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet

EDGES = (1.0, 1.6, 2.3, 3.1, 4.2, 6.0)
DEGREE = 12

# One row per piece: ascending powers of z = x**2 (first piece) or of u in [-1, 1] (the others).
COEFFICIENTS = np.array([
    (1.1283791670955126, -0.3761263890318375, 0.11283791670954879, -0.026866170645076792, 0.0052239776248180145, -0.000854832698083379, 0.0001205533111164271, -1.4925595266831182e-05, 1.6461000484121368e-06, -1.6350312701054695e-07, 1.4659775274047436e-08, -1.1372848856791674e-09, 5.957176147748911e-11),
    (0.3576426690860903, -0.05955246824150264, 0.008962377603561774, -0.0012429299175834034, 0.0001609356582369623, -1.963951419346894e-05, 2.274932868407991e-06, -2.515240899132445e-07, 2.6662488637177273e-08, -2.7188485512962474e-09, 2.6770865458589235e-10, -2.6214945030694596e-11, 2.4192777492005656e-12),
    (0.26084197345082444, -0.038883414723053615, 0.005415211199241562, -0.0007115577734062122, 8.886259578374431e-05, -1.0606842153896606e-05, 1.2154993746112945e-06, -1.3421741999637203e-07, 1.4323905223711403e-08, -1.4806994191780713e-09, 1.4869821145683572e-10, -1.4957751977920472e-11, 1.4223303068335974e-12),
    (0.19687412733195578, -0.026103551801180375, 0.0033080244278379154, -0.0004026012707544521, 4.7237268022893324e-05, -5.359981500945966e-06, 5.8972760220989e-07, -6.305477928385956e-08, 6.564364939779895e-09, -6.662629789674351e-10, 6.607419668599041e-11, -6.597425792277738e-12, 6.257846764310057e-13),
    (0.14932629181954885, -0.021063480247042535, 0.0028862666794741577, -0.00038501494381038036, 5.008908544267865e-05, -6.365272432656548e-06, 7.912211902342246e-07, -9.632007669801315e-08, 1.1495793349296511e-08, -1.345544449019389e-09, 1.548007658443607e-10, -1.8226324712788783e-11, 2.0250994904957784e-12),
    (0.1086110263139328, -0.01849202882404615, 0.003096519011856402, -0.0005103473890443601, 8.284294277174108e-05, -1.3252908395255162e-05, 2.090640164109982e-06, -3.253857763223074e-07, 4.998646421913803e-08, -7.567620058942363e-09, 1.1342703885953205e-09, -1.8041874846870497e-10, 2.6380412939616484e-11),
    (0.0,) * (DEGREE + 1),  # |x| >= 6 (and nan): no polynomial
])

_LOW = np.array((1.0,) + EDGES)             # the first piece's variable is z itself: scale 1, shift 0
_HIGH = np.array((3.0,) + EDGES[1:] + (7.0,))
_SCALE = 2.0 / (_HIGH - _LOW)               # u = |x| * scale - shift maps [low, high] onto [-1, 1]
_SHIFT = (_HIGH + _LOW) / (_HIGH - _LOW)
_SCALE[0], _SHIFT[0] = 1.0, 0.0
_BY_POWER = np.ascontiguousarray(COEFFICIENTS.T[::-1])   # highest power first, one row per power


@quiet
def erf(x: np.ndarray) -> np.ndarray:
    """erf of a floating array, computed in float64 (the caller casts to its dtype)."""
    a = np.abs(x, dtype=np.float64)
    piece = np.searchsorted(EDGES, a, side="right")
    square = a * a
    u = np.where(piece == 0, square, a) * _SCALE[piece] - _SHIFT[piece]
    coefficients = _BY_POWER[:, piece]
    p = coefficients[0]
    for c in coefficients[1:]:
        p = p * u + c
    value = np.where(piece == 0, a * p, 1.0 - np.exp(-square) * p)
    return np.copysign(np.where(a >= EDGES[-1], 1.0, value), x)
