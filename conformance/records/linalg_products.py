"""Records for the linear-algebra products: cross, tensordot, kron, vecdot, multi_dot, matrix_power.

Shapes are drawn so the products are defined (broadcast batches, matching contracted sizes, size-1
contracted dims that tensordot sums first), plus a record per family of torch's shape and dtype errors.
matrix_power's negative powers draw well-conditioned matrices (A/(8n) + I, as the inverse's records).
"""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, matmul, real
from .linalg import BLAS_OVERFLOW
from .linalg_decompositions import square


def _pair(dtype, shapes, kwargs):
    return st.tuples(arrays(dtype, shapes[0], real()), arrays(dtype, shapes[1], real()), grad_flags(2)).map(
        lambda x: Example((TensorArg(x[0], x[2][0]), TensorArg(x[1], x[2][1])), kwargs))


def cross_pairs(keyword: bool):
    """Two broadcastable operands of equal rank with size 3 along the drawn dim."""
    def build(dtype: str, form=None):
        def make(drawn):
            shapes, dim = drawn
            ndim = len(shapes.input_shapes[0]) + 1
            axis = dim % ndim
            full = [tuple(s[:axis]) + (3,) + tuple(s[axis:]) for s in shapes.input_shapes]
            return _pair(dtype, full, {"dim": dim})
        ranks = st.integers(0, 2).flatmap(lambda r: st.tuples(
            hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=r, max_dims=r, max_side=3),
            st.integers(-r - 1, r)))
        return ranks.flatmap(make)
    return build


def cross_errors(dtype: str, form=None):
    return st.sampled_from([((2, 2), (2, 2), -1), ((3,), (2, 3), -1), ((3, 4), (3, 4), -1),
                            ((2, 3), (2, 3), 2)]).flatmap(lambda s: _pair(dtype, s[:2], {"dim": s[2]}))


@st.composite
def _tensordot_call(draw, dtype: str):
    """a, b and dims: an int (a's last k dims against b's first k), or two lists pairing dims of equal size,
    or of size 1 on either side (which torch sums first)."""
    a_shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    na = len(a_shape)
    k = draw(st.integers(0, na))
    dims_a = draw(st.permutations(list(range(na))))[:k]
    free_b = draw(st.lists(st.integers(1, 3), max_size=2))
    nb = k + len(free_b)
    dims_b = draw(st.permutations(list(range(nb))))[:k]
    b_shape = [0] * nb
    for da, db in zip(dims_a, dims_b):
        b_shape[db] = 1 if draw(st.integers(0, 3)) == 0 else a_shape[da]
    rest = iter(free_b)
    b_shape = tuple(s or next(rest) for s in b_shape)
    as_int = dims_a == list(range(na - k, na)) and dims_b == list(range(k)) and draw(st.booleans())
    dims = k if as_int else (dims_a, dims_b)
    a, b = draw(arrays(dtype, a_shape, real())), draw(arrays(dtype, b_shape, real()))
    flags = draw(grad_flags(2))
    return Example((TensorArg(a, flags[0]), TensorArg(b, flags[1])), {"dims": dims})


def tensordot_pairs(dtype: str, form=None):
    return _tensordot_call(dtype)


def tensordot_errors(dtype: str, form=None):
    return st.sampled_from([((2, 3), (4, 3), 1), ((2, 3), (3, 3), ([1], [0, 1])), ((2, 3), (3, 3), -1),
                            ((2, 3), (3, 3), 3)]).flatmap(lambda s: _pair(dtype, s[:2], {"dims": s[2]}))


def kron_pairs(dtype: str, form=None):
    shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
    return st.tuples(shape, shape).flatmap(lambda s: _pair(dtype, s, {}))


def chains(dtype: str, form=None):
    """2-5 matrices of matching inner sizes; the ends sometimes vectors."""
    def make(drawn):
        sizes, first_vec, last_vec = drawn
        shapes = [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
        if first_vec:
            shapes[0] = shapes[0][1:]
        if last_vec:
            shapes[-1] = shapes[-1][:1]
        return st.tuples(*[arrays(dtype, s, real()) for s in shapes], grad_flags(len(shapes))).map(
            lambda x: Example(([TensorArg(a, f) for a, f in zip(x[:-1], x[-1])],), {}))
    return st.tuples(st.lists(st.integers(1, 6), min_size=3, max_size=6), st.booleans(), st.booleans()).flatmap(make)


def chain_errors(dtype: str, form=None):
    cases: list[list[tuple]] = [[(3,)], [(2, 3), (2, 4)], [(2, 3, 3), (3, 4)], [(2, 3), (3, 4, 1)],
                                [(2, 3), (3,), (3, 2)]]
    return st.sampled_from(cases).flatmap(lambda shapes: st.tuples(
        *[arrays(dtype, s, real()) for s in shapes]).map(
        lambda xs: Example(([TensorArg(x, False) for x in xs],), {})))


def powers(dtype: str, form=None):
    return st.tuples(square(dtype), st.integers(-3, 7)).map(lambda an: Example((TensorArg(an[0], True), an[1]), {}))


def power_errors(dtype: str, form=None):
    return st.sampled_from([(2, 3), (3,), (2, 2, 3)]).flatmap(lambda s: arrays(dtype, s, real())).map(
        lambda a: Example((TensorArg(a, False), 2), {}))


def integer_power(dtype: str, form=None):
    return st.tuples(st.sampled_from([-1, 0, 1, 2, 5]), arrays(dtype, (2, 3, 3), real(-2, 2))).map(
        lambda na: Example((TensorArg(na[1], False), na[0]), {}))


LINALG = {"namespace": "linalg", "forms": ("function",)}
ERR = {"raises": True, "grad": False}
TOL = {"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("cross", cross_pairs(True), **LINALG, label="linalg.cross"),
    Record("cross", cross_errors, **LINALG, label="linalg.cross (errors)", **ERR),
    Record("cross", cross_pairs(False), forms=("function", "method")),
    Record("cross", cross_pairs(True), **LINALG, label="linalg.cross (integer)", dtypes=("int64",), grad=False),
    Record("tensordot", tensordot_pairs, forms=("function",)),
    Record("tensordot", tensordot_errors, forms=("function",), label="tensordot (errors)", **ERR),
    Record("kron", kron_pairs),
    Record("kron", kron_pairs, label="kron (integer)", dtypes=("int64",), grad=False),
    Record("vecdot", matmul("(n),(n)->()"), **LINALG, label="linalg.vecdot"),
    Record("vecdot", matmul("(n),(n)->()"), **LINALG, label="linalg.vecdot (integer)", dtypes=("int64",), **ERR),
    Record("multi_dot", chains, **LINALG, label="linalg.multi_dot", tolerance=TOL),
    Record("multi_dot", chain_errors, **LINALG, label="linalg.multi_dot (errors)", **ERR),
    # (a chain of matrix products: matmul's overflow by BLAS order, measured there; matrix_power's float32 grad
    # of [[2.1e37, 2.1e37], [0.03, 2.1e37]] ** 5 is inf in torch, NaN in a serial order)
    Record("matrix_power", powers, **LINALG, label="linalg.matrix_power", tolerance=TOL, unchecked=BLAS_OVERFLOW),
    Record("matrix_power", powers, forms=("function", "method"), tolerance=TOL, unchecked=BLAS_OVERFLOW),
    Record("matrix_power", power_errors, **LINALG, label="linalg.matrix_power (errors)", **ERR),
    Record("matrix_power", integer_power, **LINALG, label="linalg.matrix_power (integer)", dtypes=("int64",),
           grad=False, raises=True),
]
