"""Records for the matrix exponential: linalg.matrix_exp and torch.matrix_exp / Tensor.matrix_exp.

Inputs are any real square matrices scaled to 1-norm <= 2 (batched, sides 0-4), so exp(A) stays well
scaled in float32; the backward is exp of the 2n x 2n block matrix [[A^T, G], [0, A^T]], as torch's.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .linalg_decompositions import BATCH


def squares(dtype: str, form=None):
    def make(batch_n):
        batch, n = batch_n
        return arrays(dtype, (*batch, n, n), real()).map(
            lambda a: Example((TensorArg((a / (2 * max(n, 1))).astype(dtype), True),), {}))
    return st.tuples(BATCH, st.integers(0, 4)).flatmap(make)


TOL = {"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("matrix_exp", squares, namespace="linalg", forms=("function",), tolerance=TOL, label="linalg.matrix_exp"),
    Record("matrix_exp", squares, tolerance=TOL),
]
