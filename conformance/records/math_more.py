"""Records for mygrad/ops/math_more.py (fmax, fmin, gcd, lcm, positive, vdot, inner, dist, chain_matmul,
cov, corrcoef) and sgn."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import NP_DTYPES, Domain, arrays, binary, matmul, positive, real, shapes, unary
from .elementwise import tied

INTEGERS = ("int64", "int32")
SIGNED = real(special=(0.0, -0.0))
GCD = Domain(-60, 60, special=(0.0, 1.0, -1.0, 12.0))


def inner_pairs(dtype: str):
    """Two tensors whose last dims match (the others are kept, not broadcast), or a 0-d operand."""
    @st.composite
    def draw(draw):
        k = draw(st.integers(0, 3))
        a_shape = draw(shapes(max_dims=2)) + (k,)
        b_shape = draw(shapes(max_dims=2)) + (k,)
        if draw(st.integers(0, 5)) == 0:
            a_shape = ()
        elif draw(st.integers(0, 5)) == 0:
            b_shape = ()
        a = draw(arrays(dtype, a_shape))
        b = draw(arrays(dtype, b_shape))
        return Example((TensorArg(a, draw(st.booleans())), TensorArg(b, True)))
    return draw()


def chain(dtype: str):
    """One to four matrices whose inner sizes chain."""
    @st.composite
    def draw(draw):
        n = draw(st.integers(1, 4))
        sizes = draw(st.lists(st.integers(1, 4), min_size=n + 1, max_size=n + 1))
        mats = [TensorArg(draw(arrays(dtype, (sizes[i], sizes[i + 1]))), draw(st.booleans())) for i in range(n)]
        mats[0] = TensorArg(mats[0].array, True)
        return Example(tuple(mats))
    return draw()


def cov_args(dtype: str):
    """A 0-, 1- or 2-D input (rows: variables), a correction, and now and then integer frequency weights
    and positive float weights (0 allowed for fweights)."""
    @st.composite
    def draw(draw):
        shape = draw(st.sampled_from([(), (1,), (4,), (1, 3), (2, 4), (3, 2), (2, 1), (3, 5)]))
        x = draw(arrays(dtype, shape, real(-3.0, 3.0)))
        kwargs: dict = {"correction": draw(st.sampled_from([1, 0, 2]))}
        n = 1 if len(shape) == 0 else shape[-1]
        if draw(st.booleans()):
            kwargs["fweights"] = TensorArg(np.asarray(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)),
                                                      np.int64), False)
        if draw(st.booleans()):
            w = draw(arrays(dtype, (n,), positive(0.2, 2.0)))
            kwargs["aweights"] = TensorArg(w, draw(st.booleans()))
        return Example((TensorArg(x, True),), kwargs)
    return draw()


def _collinear_rows(rows: list) -> bool:
    """Whether two of the integer ``rows`` are exactly (anti-)correlated: their centred values parallel."""
    centred = [[len(r) * v - sum(r) for v in r] for r in rows]
    return any(all(a[k] * b[m] == a[m] * b[k] for k in range(len(a)) for m in range(k + 1, len(a)))
               for i, a in enumerate(centred) for b in centred[i + 1:])


def corrcoef_args(dtype: str):
    """Rows of distinct quarter values (each row's variance well away from 0, where corrcoef's gradient
    is rounding), no two rows exactly (anti-)correlated: their coefficient is then ±1 up to the rounding of
    the covariance's dot products, which differs between torch's BLAS (MKL: -0.9999999999999998) and
    NumPy's (OpenBLAS: -1.0000000000000002, clipped to -1), and the clip's second derivative with it."""
    @st.composite
    def draw(draw):
        shape = draw(st.sampled_from([(), (4,), (2, 4), (3, 3), (1, 5), (2, 3)]))   # (2 observations: always ±1)
        n = 1 if not shape else shape[-1]
        rows = 1 if len(shape) < 2 else shape[0]
        grid = st.lists(st.integers(-12, 12), min_size=n, max_size=n, unique=True)
        values = draw(st.lists(grid, min_size=rows, max_size=rows).filter(lambda r: not _collinear_rows(r)))
        x = np.asarray(values, NP_DTYPES[dtype]).reshape(shape) / 4
        return Example((TensorArg(x, True),))
    return draw()


P_NORMS = st.sampled_from([2, 1, 3, 0.5, math.inf, 0])

RECORDS = [
    Record("fmax", tied(SIGNED), forms=("function", "method")),
    Record("fmin", tied(SIGNED), forms=("function", "method")),
    Record("fmax", tied(GCD), forms=("function",), label="fmax (integer)", dtypes=INTEGERS + ("bool",), grad=False),
    Record("fmin", tied(GCD), forms=("function",), label="fmin (integer)", dtypes=INTEGERS + ("bool",), grad=False),
    Record("gcd", binary(GCD, scalars=False), forms=("function", "method", "inplace"), dtypes=INTEGERS, grad=False),
    Record("lcm", binary(GCD, scalars=False), forms=("function", "method", "inplace"), dtypes=INTEGERS, grad=False),
    Record("gcd", binary(GCD, scalars=False), forms=("function",), label="gcd (float: errors)",
           dtypes=("float32",), grad=False, raises=True),
    Record("sgn", unary(SIGNED), forms=("function", "method", "inplace")),
    Record("sgn", unary(GCD), forms=("function", "method"), label="sgn (integer)", dtypes=INTEGERS + ("bool",),
           grad=False),
    Record("positive", unary(SIGNED), forms=("function", "method")),
    Record("positive", unary(GCD), forms=("function",), label="positive (bool: errors)", dtypes=("bool",),
           grad=False, raises=True),
    Record("vdot", matmul("(n),(n)->()", max_dims=1), forms=("function", "method")),
    Record("vdot", matmul("(n),(n)->()", max_dims=1, domain=GCD), forms=("function",), label="vdot (integer)",
           dtypes=INTEGERS, grad=False),
    Record("inner", inner_pairs, forms=("function", "method"),
           unchecked=(("hostile: overflow", "products that overflow in the matrix product: measured, the inner "
                                            "product of [inf, max, -tiny] and [-1.92, 1.95, 1.95] (float32) is NaN "
                                            "through torch.dot and a 1-D inner, -inf through a batched inner (MKL's "
                                            "sgemm fuses the multiply-adds); NumPy's matmul gives NaN"),)),
    Record("dist", binary(SIGNED, scalars=False, p=P_NORMS), forms=("function", "method")),
    Record("chain_matmul", chain, forms=("function",)),
    Record("cov", cov_args, forms=("function", "method")),
    Record("corrcoef", corrcoef_args, forms=("function", "method"),
           unchecked=(("hostile", "a row of tiny (hostile) values has a variance whose inverse is rounding: the "
                                  "gradient's digits are then each library's summation order"),)),
]
