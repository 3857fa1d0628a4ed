"""Records for torch.linalg's spellings and small composites: linalg.vander, linalg.diagonal, linalg.matmul,
linalg.solve_ex.

solve_ex draws well-conditioned systems (linalg_decompositions.system) and exactly singular matrices (a zero
last row): there the info is compared exactly and the solution only for shape and dtype, since the NaN/inf
pattern LAPACK leaves is its own (as inv_ex's records do).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .linalg_decompositions import BATCH, singular, system


def vander_example(dtype: str, form=None):
    def make(drawn):
        shape, n = drawn
        kw = {} if n is None else {"N": n}
        if not shape and n is None:
            kw = {"N": 3}
        return arrays(dtype, shape, real(-2, 2)).map(lambda x: Example((TensorArg(x, dtype != "int64"),), kw))
    return st.tuples(st.lists(st.integers(1, 4), max_size=2).map(tuple), st.sampled_from([None, 2, 3, 5])).flatmap(make)


def vander_bad(dtype: str, form=None):
    return st.sampled_from([((3,), dtype, {"N": 1}), ((3,), "bool", {}), ((), dtype, {})]).flatmap(
        lambda c: arrays(c[1], c[0], real()).map(lambda x: Example((TensorArg(x, False),), c[2])))


def diagonal_example(dtype: str, form=None):
    def make(drawn):
        shape, offset, dims = drawn
        kw = {"offset": offset} if offset else {}
        if dims is not None:
            kw.update(dim1=dims[0], dim2=dims[1])
        return arrays(dtype, shape, real()).map(lambda a: Example((TensorArg(a, True),), kw))
    return st.tuples(st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), st.integers(-2, 2),
                     st.sampled_from([None, (0, 1), (-1, 0)])).flatmap(make)


def matmul_example(dtype: str, form=None):
    def make(drawn):
        batch, m, k, n = drawn
        return st.tuples(arrays(dtype, (*batch, m, k), real()), arrays(dtype, (k, n), real())).map(
            lambda ab: Example((TensorArg(ab[0], True), TensorArg(ab[1], True))))
    return st.tuples(BATCH, st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(make)


def singular_systems(check_errors: bool):
    def build(dtype: str, form=None):
        return singular(dtype).map(lambda e: Example(
            (e.args[0], TensorArg(np.ones((e.args[0].array.shape[-1], 2), dtype), False)),
            {"check_errors": True} if check_errors else {}))
    return build


ANY = {"float32": (np.inf, np.inf), "float64": (np.inf, np.inf)}
TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}
LINALG = {"namespace": "linalg", "forms": ("function",)}

RECORDS = [
    Record("vander", vander_example, **LINALG, tolerance=TOL, label="linalg.vander"),
    Record("vander", vander_example, **LINALG, dtypes=("int64",), grad=False, label="linalg.vander (integer)"),
    Record("vander", vander_bad, **LINALG, raises=True, grad=False, label="linalg.vander (errors)"),
    Record("diagonal", diagonal_example, **LINALG, label="linalg.diagonal"),
    Record("matmul", matmul_example, **LINALG, label="linalg.matmul"),
    Record("solve_ex", system(vector=False), **LINALG, tolerance=TOL, output="tuple", label="linalg.solve_ex"),
    Record("solve_ex", singular_systems(False), **LINALG, tolerance=ANY, output="tuple", grad=False,
           label="linalg.solve_ex (singular info)"),
    Record("solve_ex", singular_systems(True), **LINALG, output="tuple", raises=True, grad=False,
           label="linalg.solve_ex (singular, check_errors)"),
]
