"""Records for the linear algebra: mm, bmm, dot, mv, outer, addmm, matmul (one record per rank family,
since each builds a different graph), einsum, trace, tril, triu, diag.

Shapes come from gufunc signatures: core dims as the op wants them, batch dims broadcasting (and,
now and then, one core dim of size 0).  Which operands require grad is drawn too: matmul's graph
depends on it (the smaller operand requiring grad makes torch fold the batch into one mm).
"""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import MAX_SIDE, arrays, grad_flags, matmul, real

FORMS = ("function", "method")
INTEGERS = ("int64", "int32")
DIAGONAL = st.integers(-3, 3)


def operands(signature: str, batch_dims: int = 0, domain=real(), **kwargs_strategies):
    """Tensors (one, two or three) whose core dims follow ``signature``, with up to ``batch_dims``
    broadcasting batch dims, drawn grad flags, and keyword arguments drawn from their strategies."""
    count = signature.split("->")[0].count("(")

    def build(dtype: str):
        def make(shapes_and_flags):
            shapes, flags = shapes_and_flags
            return st.tuples(st.tuples(*[arrays(dtype, s, domain) for s in shapes]),
                             st.fixed_dictionaries(kwargs_strategies)).map(
                lambda xk: Example(tuple(TensorArg(x, f) for x, f in zip(xk[0], flags)), xk[1]))
        shapes = hnp.mutually_broadcastable_shapes(signature=signature, max_dims=batch_dims, max_side=MAX_SIDE)
        return st.tuples(shapes.map(lambda r: r.input_shapes), grad_flags(count)).flatmap(make)
    return build


def einsum(equation: str, signature: str, batch_dims: int = 0, unchecked: tuple = ()) -> Record:
    return Record("einsum", operands(signature, batch_dims), forms=("call",), label=f"einsum ({equation})",
                  call=lambda lib, *xs: lib.einsum(equation, *xs), unchecked=unchecked)


def matmul_family(family: str, signature: str, max_dims: int, unchecked: tuple = ()) -> Record:
    return Record("matmul", matmul(signature, max_dims=max_dims), forms=("function", "method", "operator"),
                  operator="matmul", label=f"matmul ({family})", unchecked=unchecked)


# A sum of products that overflows is inf, -inf or NaN by the order the BLAS kernel adds in and where it fuses
# multiply-adds: torch's is MKL's, NumPy's OpenBLAS (measured: [0.25, -0.75, -0.625, 1.75] dotted with
# [-1.1, max, max, max] inside a (2, 4) @ (4, 4) float64 product is inf in torch, -inf in NumPy).  These rows
# draw every hostile value but the largest finite ones (NaN and inf spread the same in any order).
BLAS_OVERFLOW = (("hostile: overflow", "a sum of products that overflows is inf or NaN by the BLAS kernel's order "
                                       "and fused multiply-adds (torch's MKL, NumPy's OpenBLAS)"),)
SCALES = dict(beta=st.sampled_from([1, 0.5, 0, -2]), alpha=st.sampled_from([1, 2, -0.5]))

RECORDS = [
    Record("mm", matmul("(m,n),(n,p)->(m,p)", max_dims=2)),
    Record("mm", matmul("(m,n),(n,p)->(m,p)", max_dims=2), label="mm (integer)", dtypes=INTEGERS, grad=False),
    Record("bmm", matmul("(b,m,n),(b,n,p)->(b,m,p)", max_dims=3)),
    Record("dot", matmul("(n),(n)->()", max_dims=1)),
    Record("mv", matmul("(m,n),(n)->(m)", max_dims=2)),
    Record("outer", matmul("(m),(n)->(m,n)", max_dims=1)),
    Record("addmm", operands("(p),(m,n),(n,p)->(m,p)", **SCALES)),
    Record("addmm", operands("(m,p),(m,n),(n,p)->(m,p)", **SCALES), label="addmm (matrix input)"),
    Record("addmm", operands("(m,1),(m,n),(n,p)->(m,p)"), label="addmm (column input)"),
    Record("addmv", operands("(m),(m,n),(n)->(m)", **SCALES), forms=("function", "method", "inplace")),
    Record("addr", operands("(m,p),(m),(p)->(m,p)", **SCALES), forms=("function", "method", "inplace")),
    Record("addr", operands("(p),(m),(p)->(m,p)"), label="addr (broadcast input)"),
    Record("baddbmm", operands("(b,m,p),(b,m,n),(b,n,p)->(b,m,p)", **SCALES),
           forms=("function", "method", "inplace")),
    Record("addbmm", operands("(m,p),(b,m,n),(b,n,p)->(m,p)", **SCALES), forms=("function", "method", "inplace"),
           unchecked=BLAS_OVERFLOW),
    matmul_family("1d @ 1d", "(n),(n)->()", 1),
    matmul_family("2d @ 1d", "(m,n),(n)->(m)", 2),
    matmul_family("1d @ 2d", "(n),(n,p)->(p)", 2),
    matmul_family("2d @ 2d", "(m,n),(n,p)->(m,p)", 2, BLAS_OVERFLOW),
    matmul_family("batched @ 1d", "(m,n),(n)->(m)", 4),
    matmul_family("1d @ batched", "(n),(n,p)->(p)", 4),
    matmul_family("batched", "(m,n),(n,p)->(m,p)", 4),
    Record("matmul", matmul("(m,n),(n,p)->(m,p)", max_dims=4), label="matmul (integer)", dtypes=INTEGERS,
           grad=False, forms=("function", "operator")),
    einsum("ij,jk->ik", "(m,n),(n,p)->(m,p)"),
    einsum("bij,bjk->bik", "(b,m,n),(b,n,p)->(b,m,p)"),
    einsum("...ij,...jk->...ik", "(m,n),(n,p)->(m,p)", batch_dims=2, unchecked=BLAS_OVERFLOW),
    einsum("ij,kj->ik", "(m,n),(p,n)->(m,p)"),
    einsum("i,i->", "(n),(n)->()"),
    einsum("i,j->ij", "(m),(n)->(m,n)"),
    einsum("ij,j->i", "(m,n),(n)->(m)"),
    einsum("bi,bi->b", "(b,n),(b,n)->(b)"),
    einsum("ij,ij->ij", "(m,n),(m,n)->(m,n)"),
    einsum("ij->ji", "(m,n)->(n,m)"),
    einsum("ij->i", "(m,n)->(m)"),
    einsum("ii->i", "(n,n)->(n)"),
    einsum("ii", "(n,n)->()"),
    einsum("ij,jk,kl->il", "(m,n),(n,p),(p,q)->(m,q)", unchecked=BLAS_OVERFLOW),
    Record("trace", operands("(m,n)->()")),
    Record("trace", operands("(m,n)->()"), label="trace (integer)", dtypes=INTEGERS, grad=False),
    Record("tril", operands("(m,n)->(m,n)", batch_dims=2, diagonal=DIAGONAL)),
    Record("triu", operands("(m,n)->(m,n)", batch_dims=2, diagonal=DIAGONAL)),
    Record("diag", operands("(n)->(n,n)", diagonal=DIAGONAL), label="diag (vector)"),
    Record("diag", operands("(m,n)->(m)", diagonal=DIAGONAL), label="diag (matrix)"),
]
