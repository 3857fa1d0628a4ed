"""Records for the ops the engine core ships with (the tutorial's ops); op families add their own modules."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Record
from ..strategies import binary, matmul, nonzero, positive, real, reduction, unary

RECORDS = [
    Record("add", binary(), forms=("function", "method", "operator", "roperator", "inplace"), operator="add"),
    Record("add", binary(scalars=False, alpha=st.sampled_from([2, -0.5])), label="add (alpha)"),
    Record("sub", binary(), forms=("function", "method", "operator", "roperator", "inplace"), operator="sub"),
    Record("mul", binary(), forms=("function", "method", "operator", "roperator", "inplace"), operator="mul"),
    Record("div", binary(other=nonzero()), forms=("function", "method", "operator", "inplace"),
           operator="truediv"),
    Record("div", binary(domain=nonzero(), tensor_other=False), forms=("roperator",), operator="truediv",
           label="div (reflected)"),
    Record("pow", binary(domain=positive(), other=real(-3, 3, special=(0.0, 1.0, 2.0))),
           forms=("function", "method", "operator")),
    Record("neg", unary(), forms=("function", "method", "inplace")),
    Record("exp", unary(), forms=("function", "method", "inplace")),
    Record("clamp", unary(real(special=(0.0, -1.0, 1.0)), min=st.sampled_from([-1.0, 0.0, None]),
                          max=st.sampled_from([1.0, 2.0])), forms=("function", "method", "inplace")),
    Record("sum", reduction()),
    Record("mean", reduction()),
    Record("mm", matmul("(m,n),(n,p)->(m,p)", max_dims=0)),
]
