"""Records for ``logit(input, eps=None)`` (and ``special.logit``): CONTRIBUTING.md's worked example.

logit has three regions, each drawn on purpose: inside (0, 1) its value and slope are finite; without
``eps`` it is NaN outside [0, 1] with a NaN slope there and an infinite one at 0 and 1; with ``eps`` the
input is clamped to [eps, 1 - eps] first, so the slope is 0 outside those bounds.  Inputs are drawn over
[-0.5, 1.5] with the bounds themselves (0, 1, each eps and 1 - eps) as special points, and eps among a few
values whose bounds are exact in float32 (0.25) or not (0.1), plus 0 and a bound past one half (0.6,
where lo > hi and torch's clamp sends everything to one of the two).
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Record
from ..strategies import Domain, unary
from .elementwise import INTEGERS, UNARY_FORMS

EPS = st.sampled_from([None, 0.0, 1e-6, 0.1, 0.25, 0.6])
BOUNDS = (0.0, 1.0, 0.1, 0.9, 0.25, 0.75, 0.5, 1e-6)
WIDE = Domain(-0.5, 1.5, 0.0, BOUNDS)            # every region: outside [0, 1], the bounds, inside
INSIDE = Domain(0.05, 0.95, 0.0, (0.1, 0.9, 0.25, 0.75, 0.5))

# torch's logit_backward computes differently in its vectorised loop (blocks of twice the CPU's vector width)
# and its scalar tail: with eps a NaN input's gradient is 0 in the blocks and NaN in the tail (measured on
# torch 2.13, float64: 15 NaN inputs -> 15 NaN, 16 -> 16 zeros, 17 -> 16 zeros and a NaN); without eps the
# tail gives grad * inf at 0 and 1 and the blocks grad / (x (1 - x)), -inf for a positive grad at -0.0.  So
# the gradient at these values depends on the element's position and the machine.
_NAN_SLOPE_BY_POSITION = (("hostile", "torch's logit_backward differs between its vectorised blocks and its "
                                      "scalar tail at NaN (with eps: 0 vs NaN) and at -0.0 (no eps: the sign of "
                                      "the inf), so it depends on the element's position and the CPU"),)

RECORDS = [
    Record("logit", unary(WIDE, eps=EPS), forms=UNARY_FORMS, unchecked=_NAN_SLOPE_BY_POSITION),
    Record("logit", unary(INSIDE), forms=("function",), label="logit (inside (0, 1), no eps)",
           unchecked=_NAN_SLOPE_BY_POSITION),
    Record("logit", unary(WIDE, eps=EPS), namespace="special", forms=("function",), label="special.logit",
           unchecked=_NAN_SLOPE_BY_POSITION),
    Record("logit", unary(Domain(0.0, 1.0, 0.0, (0.0, 1.0)), eps=EPS), forms=("function",),
           label="logit (integer)", dtypes=INTEGERS, grad=False),
]
