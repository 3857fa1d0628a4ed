"""Records for the modified Bessel functions (i0, special.i0e/i1/i1e), the normal distribution's
special.ndtr/ndtri/log_ndtr, special.erfcx/entr/xlog1py, mvlgamma (special.multigammaln), float_power,
frexp and nextafter.

Domains: the Bessel functions across their series/asymptotic seam (|x| = 20) and at 0, where i1/i1e's
slope is torch's guarded limit 1/2; ndtri inside [0.02, 0.98] (its slopes explode at 0 and 1, where
float32 rounding dominates); log_ndtr and erfcx far into the tails where the
naive formulas underflow or overflow; entr at 0 (its value 0, its slope -inf); mvlgamma above (p - 1) / 2.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Record
from ..strategies import Domain, binary, positive, real, unary
from .elementwise import INTEGERS, UNARY_FORMS

# i1/i1e's slope i0(x) - i1(x)/x cancels near 0, so their second derivative there is rounding noise that
# differs between the libraries: drawn away from 0, and at exactly 0 (torch's guarded 1/2) in its own record
BESSEL = Domain(-25.0, 25.0, 0.05, (20.0, -20.0, 1.0))
ZERO = Domain(0.0, 0.0, 0.0, (0.0, -0.0))
TAILS = Domain(-30.0, 12.0, 0.0, (0.0, -10.0))
ERFCX = Domain(-8.0, 30.0, 0.0, (0.0, 1.0, 6.0))
ENTROPY = Domain(0.0, 4.0, 0.0, (0.0, 1.0))
MVLGAMMA = Domain(1.6, 6.0, 0.0, (2.0, 2.5))   # above (p - 1) / 2 for p <= 3

SPECIAL = [("i0", BESSEL), ("i0e", BESSEL), ("i1", BESSEL), ("i1e", BESSEL), ("ndtr", real(-8.0, 8.0)),
           ("ndtri", Domain(0.02, 0.98, 0.0, (0.5,))), ("log_ndtr", real(-4.0, 8.0)), ("erfcx", ERFCX),
           ("entr", ENTROPY)]


def _mvlgamma(lib, input, p):
    return lib.mvlgamma(input, p)


def _frexp(lib, input):
    return lib.frexp(input)


def _nextafter(lib, input, other):
    return lib.nextafter(input, other)


RECORDS = [
    *[Record(name, unary(domain), namespace="special", forms=("function",), label=f"special.{name}")
      for name, domain in SPECIAL],
    *[Record(name, unary(ZERO), namespace="special", forms=("function",), label=f"special.{name} (at 0)")
      for name in ("i0", "i0e", "i1", "i1e")],
    # deep in the lower tail log_ndtr's slope formula cancels result against x^2/2: float32's second
    # derivative there is rounding noise in torch itself, so the tails are checked in float64
    Record("log_ndtr", unary(TAILS), namespace="special", forms=("function",), dtypes=("float64",),
           label="special.log_ndtr (tails)"),
    Record("i0", unary(BESSEL), forms=UNARY_FORMS),
    Record("i0", unary(Domain(-3.0, 3.0, 0.0, (0.0,))), forms=("function",), label="i0 (integer)",
           dtypes=INTEGERS, grad=False),
    # xlog1py: x at 0 (0 whatever y), y at 0 and near -1; y > -1 elsewhere (log1p below -1 is NaN in both)
    Record("xlog1py", binary(domain=real(special=(0.0, 1.0)), other=Domain(-0.9, 4.0, 0.0, (0.0, 1.0))),
           namespace="special", forms=("function",), label="special.xlog1py"),
    Record("mvlgamma", unary(MVLGAMMA, p=st.sampled_from([1, 2, 3])), forms=("call",), call=_mvlgamma),
    Record("mvlgamma", unary(MVLGAMMA, p=st.sampled_from([1, 2, 3])), forms=("method", "inplace"),
           label="mvlgamma (method)"),
    Record("multigammaln", unary(MVLGAMMA, p=st.sampled_from([1, 2, 3])), namespace="special",
           forms=("function",), label="special.multigammaln"),
    Record("float_power", binary(domain=positive(), other=real(-2.0, 2.0, special=(0.0, 2.0))),
           forms=("function", "method")),
    Record("float_power", binary(domain=positive(), other=real(-2.0, 2.0, special=(2.0,))), forms=("function",),
           label="float_power (integer)", dtypes=("int64",), grad=False),
    Record("frexp", unary(real(-1e4, 1e4, special=(0.0, 1.0, 0.5))), forms=("call",), call=_frexp,
           output="tuple"),
    Record("frexp", unary(real(special=(1.0,))), forms=("call",), call=_frexp, label="frexp (integer)",
           dtypes=("int64",), grad=False, raises=True),
    Record("nextafter", binary(scalars=False), forms=("call",), call=_nextafter),
]
