"""Records for the elementwise family: arithmetic with broadcasting and Python scalars, rounding
division, maximum/minimum, atan2/hypot/logaddexp, lerp, where, clamp, and the unary math.

Each op's inputs stay in its domain (log: positive, asin: inside (-1, 1), divisors: away from 0),
and the points where torch's conventions decide the gradient are drawn on purpose: 0 for relu,
abs, sign and sqrt; the clamp bounds themselves; equal elements for maximum/minimum (ties split
the gradient); half-integers for round; a zero base for pow.  Integer and bool inputs are run
forward-only, for torch's promotion (exp of int64 is float32) and its refusals (frac of int64).
"""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import (
    MAX_DIMS,
    MAX_SIDE,
    NP_DTYPES,
    Domain,
    arrays,
    binary,
    grad_flags,
    hostile,
    nary,
    nonzero,
    open_unit,
    positive,
    real,
    unary,
)

INTEGERS = ("int64", "int32", "bool")
ALL_FORMS = ("function", "method", "operator", "roperator", "inplace")
UNARY_FORMS = ("function", "method", "inplace")
ROUNDING = real(special=(0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5))       # halves: round's ties go to even
AT_ZERO = Domain(0.0, 4.0, 0.0, (0.0, 1.0))                         # sqrt/rsqrt: the inf gradient at 0
BOUNDS = real(special=(-1.0, 0.0, 0.5, 1.0))                         # clamp: the bounds below, drawn exactly
DIVISOR = nonzero(special=(1.0, -1.0, 2.0))


# ----- strategies this family needs beyond the shared builders --------------------------------

def tied(domain: Domain = real()):
    """Two broadcastable tensors that are often equal elementwise (maximum/minimum split the gradient
    of a tie in half): both drawn from one small pool of values, or drawn independently."""
    def build(dtype: str):
        def pair(shapes_flags_pool):
            (sa, sb), flags, pool = shapes_flags_pool
            elements = st.sampled_from(pool) if pool else domain.elements(dtype)
            return st.tuples(hnp.arrays(NP_DTYPES[dtype], sa, elements=elements),
                             hnp.arrays(NP_DTYPES[dtype], sb, elements=elements)).map(
                lambda ab: Example((TensorArg(ab[0], flags[0]), TensorArg(ab[1], flags[1]))))
        pools = st.one_of(st.just(()), st.lists(domain.elements(dtype), min_size=1, max_size=3))
        return st.tuples(_shapes(2), grad_flags(2), pools).flatmap(pair)
    return build


def conditional(other_scalar: bool = False):
    """``where(condition, input, other)``: a bool condition and two values, all broadcastable; with
    ``other_scalar`` the last is a Python number (no edge, as torch records it)."""
    def build(dtype: str):
        def make(shapes_flags):
            (sc, sa, sb), flags = shapes_flags
            other = real().scalars() if other_scalar else arrays(dtype, sb).map(lambda b: TensorArg(b, flags[1]))
            return st.tuples(arrays("bool", sc), arrays(dtype, sa), other).map(
                lambda cab: Example((TensorArg(cab[0], False), TensorArg(cab[1], flags[0]), cab[2])))
        return st.tuples(_shapes(3), grad_flags(2)).flatmap(make)
    return build


def ldexp_args():
    """A floating tensor and an int64 exponent tensor (small, so 2 ** other stays finite), broadcastable."""
    def build(dtype: str):
        def make(shapes_flag):
            (sa, sb), flag = shapes_flag
            return st.tuples(arrays(dtype, sa), arrays("int64", sb, Domain(-3.0, 3.0, 0.0, ()))).map(
                lambda ab: Example((TensorArg(ab[0], flag), TensorArg(ab[1], False))))
        return st.tuples(_shapes(2), st.booleans()).flatmap(make)
    return build


def _shapes(n: int):
    return hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=MAX_DIMS, max_side=MAX_SIDE).map(
        lambda r: r.input_shapes)


# ----- unary math: (name, domain); forms function, method, in-place --------------------------

UNARY = [
    ("neg", real()), ("abs", real(special=(0.0, -0.0))), ("sign", real(special=(0.0, -0.0))),
    ("exp", real()), ("exp2", real()), ("expm1", real()),
    ("log", positive()), ("log1p", Domain(-0.95, 4.0, 0.0, (0.0,))), ("log2", positive()), ("log10", positive()),
    ("sqrt", AT_ZERO), ("rsqrt", AT_ZERO), ("reciprocal", nonzero()), ("square", real()),
    ("sin", real()), ("cos", real()), ("tan", real(-1.4, 1.4)),
    ("asin", open_unit()), ("acos", open_unit()), ("atan", real()),
    ("sinh", real()), ("cosh", real()), ("tanh", real()), ("sigmoid", real(-8.0, 8.0)),
    ("relu", real(special=(0.0, -0.0))), ("erf", real()),
    ("floor", ROUNDING), ("ceil", ROUNDING), ("round", ROUNDING), ("trunc", ROUNDING), ("frac", ROUNDING),
]
ALIASES = [("negative", real()), ("absolute", real(special=(0.0,))), ("arcsin", open_unit()),
           ("arccos", open_unit()), ("arctan", real()), ("fix", ROUNDING)]

# torch's fmod/remainder compute a - b * trunc(a / b) (floor for remainder) in their vectorised blocks and
# std::fmod in the scalar tail: where a / b overflows (the largest floats over a small divisor) the blocks give
# NaN and the tail the exact remainder, so the value depends on the element's position and the CPU's vector
# width (measured on torch 2.13, float64 fmod(-max, 0.3): 7 elements -> all finite, 8 -> all NaN, 9 -> 8 NaN
# and a finite last one).
# (measured: torch.add(tensor([M] * 12, float64), tensor(-M, float64), alpha=1.5) with M the largest double is
# -8.99e307 at positions 0-8 and 11, -inf at 9 and 10: a fused multiply-add in some lanes, a rounded product in
# the others)
ALPHA_OVERFLOW_BY_POSITION = (("hostile: overflow", "torch's add/sub with alpha where alpha * other overflows: "
                                                    "finite or inf by the element's position in its vectorised "
                                                    "loop (fused multiply-add in some lanes only)"),)
_MOD_BY_POSITION = (("hostile", "torch's fmod/remainder at an overflowing quotient: NaN in the vectorised blocks, "
                                "the exact remainder in the scalar tail (position- and CPU-dependent)"),)

RECORDS = [
    # hostile values (NaN, ±inf, -0.0, subnormals, the extremes) mixed into every unary op's domain
    *[Record(name, unary(hostile(domain)), forms=UNARY_FORMS) for name, domain in UNARY],
    *[Record(name, unary(hostile(domain)), forms=("function", "method")) for name, domain in ALIASES],
    *[Record(name, unary(domain), forms=UNARY_FORMS, label=f"{name} (integer)", dtypes=INTEGERS, grad=False,
             raises=name == "frac")   # torch has no integer frac: the row checks that the error matches
      for name, domain in UNARY],
    Record("neg", unary(), forms=("operator",), label="neg (operator)"),
    Record("abs", unary(real(special=(0.0,))), forms=("operator",), label="abs (operator)"),
    Record("round", unary(ROUNDING, decimals=st.sampled_from([-1, 0, 1, 2])), forms=UNARY_FORMS,
           label="round (decimals)"),

    # ----- clamp: scalar bounds (ClampBackward1), tensor bounds (ClampBackward0), one-sided ----------
    Record("clamp", unary(BOUNDS, min=st.sampled_from([-1.0, 0.0, 0.5, None]),
                          max=st.sampled_from([1.0, 0.5, 0.0, None])), forms=UNARY_FORMS),
    Record("clip", unary(BOUNDS, min=st.sampled_from([-1.0, 0, None]), max=st.sampled_from([1, 0.5])),
           forms=UNARY_FORMS),
    Record("clamp", nary(3, (BOUNDS, BOUNDS, BOUNDS)), forms=UNARY_FORMS, label="clamp (tensor bounds)"),
    Record("clamp", nary(2, (BOUNDS, BOUNDS)), forms=UNARY_FORMS, label="clamp (tensor min)"),
    Record("clamp_min", unary(BOUNDS, min=st.sampled_from([0.0, 0.5, -1])), forms=UNARY_FORMS),
    Record("clamp_max", unary(BOUNDS, max=st.sampled_from([0.0, 0.5, 1])), forms=UNARY_FORMS),
    Record("clamp_min", nary(2, (BOUNDS, BOUNDS)), forms=UNARY_FORMS, label="clamp_min (tensor)"),
    Record("clamp_max", nary(2, (BOUNDS, BOUNDS)), forms=UNARY_FORMS, label="clamp_max (tensor)"),
    Record("clamp", unary(BOUNDS, min=st.just(0), max=st.sampled_from([2, 0.5])), forms=UNARY_FORMS,
           label="clamp (integer)", dtypes=INTEGERS, grad=False),

    # ----- arithmetic ----------------------------------------------------------------------------
    Record("add", binary(hostile(real())), forms=ALL_FORMS),
    Record("add", binary(alpha=st.sampled_from([2, -0.5, 1.5])), label="add (alpha)",
           unchecked=ALPHA_OVERFLOW_BY_POSITION),
    Record("sub", binary(hostile(real())), forms=ALL_FORMS),
    Record("sub", binary(alpha=st.sampled_from([2, -0.5])), label="sub (alpha)",
           unchecked=ALPHA_OVERFLOW_BY_POSITION),
    Record("rsub", binary(alpha=st.sampled_from([1, 2, -0.5])), forms=("function",),
           unchecked=ALPHA_OVERFLOW_BY_POSITION),
    Record("mul", binary(hostile(real())), forms=ALL_FORMS),
    Record("div", binary(hostile(real()), other=hostile(DIVISOR)), forms=("function", "method", "operator", "inplace"),
           operator="truediv"),
    Record("div", binary(domain=DIVISOR, tensor_other=False), forms=("roperator",), operator="truediv",
           label="div (reflected)"),
    Record("true_divide", binary(other=DIVISOR)),
    Record("div", binary(other=DIVISOR, rounding_mode=st.sampled_from(["floor", "trunc"])),
           forms=UNARY_FORMS, label="div (rounding)"),
    Record("floor_divide", binary(other=DIVISOR), forms=("function", "method", "inplace")),
    Record("floor_divide", binary(other=DIVISOR), forms=("operator", "roperator"), operator="floordiv",
           label="floor_divide (operator)"),
    Record("remainder", binary(other=DIVISOR), forms=("function", "method", "inplace"), unchecked=_MOD_BY_POSITION),
    Record("remainder", binary(domain=DIVISOR, other=DIVISOR), forms=("operator", "roperator"), operator="mod",
           label="remainder (operator)", unchecked=_MOD_BY_POSITION),
    Record("fmod", binary(other=DIVISOR), forms=UNARY_FORMS, unchecked=_MOD_BY_POSITION),
    *[Record(name, binary(other=DIVISOR if name in ("div", "remainder", "floor_divide") else real()),
             label=f"{name} (integer)", dtypes=INTEGERS, grad=False)
      for name in ("add", "sub", "mul", "div", "remainder", "floor_divide", "maximum", "minimum", "atan2")],

    # ----- pow: tensor ** tensor, tensor ** number, number ** tensor ------------------------------
    Record("pow", binary(domain=Domain(0.0, 4.0, 0.0, (0.0, 1.0)), other=real(-3, 3, special=(0.0, 1.0, 2.0)),
                         scalars=False), forms=("function", "method", "operator", "inplace")),
    Record("pow", binary(domain=real(special=(0.0, -1.0)),
                         other=real(-3, 3, special=(0.0, 1.0, 2.0, 3.0, 0.5, -1.0, -0.5)), tensor_other=False),
           forms=("function", "method", "operator", "inplace"), label="pow (scalar exponent)"),
    Record("pow", binary(domain=real(-3, 3, special=(0.0, 1.0)), other=Domain(0.0, 4.0, 0.0, (0.0, 1.0, 2.0)),
                         tensor_other=False), forms=("roperator",), label="pow (reflected)"),

    # ----- maximum / minimum (ties), atan2, hypot, logaddexp, lerp, where ---------------------------
    Record("maximum", tied()),
    Record("minimum", tied()),
    Record("atan2", binary(scalars=False), forms=UNARY_FORMS),
    Record("arctan2", binary(scalars=False)),
    # hypot's second order divides by result**2: with both operands below ~1e-154 that is 0 and the answer is
    # rounding noise (torch's and ours differ in the noise), so the first operand keeps away from 0
    Record("hypot", binary(domain=nonzero(gap=1e-3), other=real(), scalars=False), forms=UNARY_FORMS),
    Record("logaddexp", binary(scalars=False)),
    # xlogy: x drawn at 0 (where it is 0 whatever y) and y at 0 and 1; y > 0 elsewhere (log of a negative is NaN
    # in both, but its gradient's sign of NaN is not compared); a Python number y is torch's Scalar overload
    Record("xlogy", binary(domain=real(special=(0.0, 1.0)), other=positive(special=(1.0,))), forms=UNARY_FORMS),
    Record("addcmul", nary(3, value=st.sampled_from([1, 0.5, -2.0])), forms=UNARY_FORMS),
    Record("addcdiv", nary(3, (real(), real(), DIVISOR), value=st.sampled_from([1, 0.5, -2.0])), forms=UNARY_FORMS),
    # copysign's slope is result / self: next to 0 its second derivative is a difference of numbers near
    # 1 / self**2, which underflows differently in each library, so the double check keeps self away from 0
    Record("copysign", binary(domain=nonzero(gap=1e-3, special=(1.0, -1.0)), other=real(special=(0.0, -0.0))),
           forms=UNARY_FORMS),
    Record("copysign", binary(domain=real(special=(0.0, -0.0)), other=real(special=(0.0, -0.0))),
           forms=UNARY_FORMS, label="copysign (at 0)", second_order=False),
    Record("logaddexp2", binary(scalars=False)),
    Record("heaviside", binary(domain=real(special=(0.0, -0.0)), scalars=False), forms=UNARY_FORMS),
    Record("ldexp", ldexp_args(), forms=UNARY_FORMS),
    Record("xlogy", binary(domain=real(special=(0.0,)), other=Domain(0.0, 4.0, 0.0, (0.0, 1.0)), scalars=False),
           forms=("function",), label="xlogy (at y = 0)"),
    Record("lerp", nary(2, weight=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, -0.5, 1.5])), forms=UNARY_FORMS),
    Record("lerp", nary(3, (real(), real(), real(-0.5, 1.5, special=(0.0, 0.5, 1.0)))), forms=UNARY_FORMS,
           label="lerp (tensor weight)"),
    Record("where", conditional(), forms=("function", "call"),
           call=lambda lib, condition, input, other: input.where(condition, other)),
    Record("where", conditional(other_scalar=True), forms=("function",), label="where (scalar other)"),
]
