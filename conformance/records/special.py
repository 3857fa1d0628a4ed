"""Records for the inverse hyperbolics, erfc/erfinv, the gamma family (lgamma, digamma, polygamma),
deg2rad/rad2deg, sinc, and the ``torch.special`` spellings.

Domains: acosh above 1, atanh and erfinv inside (-1, 1); the gamma family above 0 and, in records of
their own, between the poles at -1 and 0 (next to a pole the values are infinite and their gradients
differences of huge numbers, which float32 rounds differently in each library); sinc drawn at 0, where
torch defines its slope as 0.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Record
from ..strategies import Domain, open_unit, real, unary
from .elementwise import INTEGERS, UNARY_FORMS

ABOVE_ONE = Domain(1.05, 4.0, 0.0, (1.5,))
# sinc's slope (pi x cos(pi x) - sin(pi x)) / (pi x^2) cancels near 0, so its second derivative there is
# rounding noise that differs between the libraries: drawn away from 0, and at exactly 0 in its own record
SINC = Domain(-4.0, 4.0, 0.25, (1.0, -1.0, 0.5))
ZERO = Domain(0.0, 0.0, 0.0, (0.0, -0.0))
GAMMA = Domain(0.05, 4.0, 0.0, (0.5, 1.0, 2.0))
BETWEEN_POLES = Domain(-0.95, -0.05, 0.0, (-0.5,))   # (-1, 0): the reflection formulas
POSITIVE_GAMMA = Domain(0.1, 6.0, 0.0, (0.5, 1.0, 2.0))

UNARY = [
    ("asinh", real()), ("acosh", ABOVE_ONE), ("atanh", open_unit()),
    ("erfc", real(-5.0, 5.0)), ("erfinv", open_unit()),
    ("lgamma", GAMMA), ("digamma", GAMMA),
    ("deg2rad", real()), ("rad2deg", real()), ("sinc", SINC),
]
ALIASES = [("arcsinh", real()), ("arccosh", ABOVE_ONE), ("arctanh", open_unit())]
SPECIAL = [("erfc", real()), ("erfinv", open_unit()), ("expit", real(-8.0, 8.0)), ("gammaln", POSITIVE_GAMMA),
           ("psi", POSITIVE_GAMMA), ("digamma", POSITIVE_GAMMA), ("sinc", SINC),
           ("erf", real()), ("expm1", real()), ("exp2", real()), ("log1p", Domain(-0.95, 4.0, 0.0, (0.0,)))]


def _polygamma(lib, input, n):
    return lib.polygamma(n, input)


RECORDS = [
    *[Record(name, unary(domain), forms=UNARY_FORMS) for name, domain in UNARY],
    *[Record(name, unary(domain), forms=("function", "method")) for name, domain in ALIASES],
    *[Record(name, unary(domain), namespace="special", forms=("function",), label=f"special.{name}")
      for name, domain in SPECIAL],
    *[Record(name, unary(Domain(-2.0, 2.0, 0.0, (0.0, 1.0))), forms=("function",), label=f"{name} (integer)",
             dtypes=INTEGERS, grad=False) for name in ("asinh", "lgamma", "digamma", "deg2rad", "sinc")],
    Record("sinc", unary(ZERO), forms=UNARY_FORMS, label="sinc (at 0)"),
    *[Record(name, unary(BETWEEN_POLES), forms=("function",), label=f"{name} (negative)")
      for name in ("lgamma", "digamma")],
    Record("polygamma", unary(GAMMA, n=st.sampled_from([1, 2, 3])), forms=("call",), call=_polygamma),
    Record("polygamma", unary(BETWEEN_POLES, n=st.sampled_from([1, 2])), forms=("call",), call=_polygamma,
           label="polygamma (negative)"),
    Record("polygamma", unary(POSITIVE_GAMMA, n=st.sampled_from([0, 1, 2])), forms=("method",),
           label="polygamma (method)", call=None),
]
