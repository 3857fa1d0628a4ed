"""Records for torch.svd / Tensor.svd (over linalg.svd's well-separated matrices; singular pairs compared
with their signs fixed, as linalg.svd's record does) and the removed torch.matrix_rank/solve/lstsq/symeig/eig,
which raise torch's RuntimeError."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .linalg_svd import SVD_NON_FINITE, TOL, separated


def svd_args(dtype: str, form=None):
    return st.tuples(separated(dtype, distinct=True), st.sampled_from([{}, {"some": True}, {"some": False}])).map(
        lambda ak: Example((TensorArg(ak[0], True),), ak[1]))


def _fixed(u, s, v, lib):
    """Each column's sign fixed by its first entry within 0.1% of the column's largest magnitude: a plain
    argmax of |u| is not unique where two entries tie in magnitude (±0.7071 from a drawn matrix with
    repeated rows), and there torch's and NumPy's rounding pick different entries (torch's own singular
    vectors are unique only up to sign, so a tie-robust fixing is the record's part)."""
    k = s.shape[-1]
    u, v = u[..., :k], v[..., :k]
    magnitude = u.detach().abs()
    near_top = (magnitude >= magnitude.amax(-2, keepdim=True) * 0.999).to(u.dtype)
    top = u.detach().gather(-2, near_top.argmax(-2, keepdim=True))
    sign = lib.where(top < 0, -1.0, 1.0).to(u.dtype)
    return u * sign, s, v * sign


def svd_fixed_signs(lib, A, **kwargs):
    """torch.svd's first k singular pairs, each pair's sign fixed the same way on both sides."""
    u, s, v = lib.svd(A, **kwargs)
    return _fixed(u, s, v, lib)


def svd_method_fixed_signs(lib, A, **kwargs):
    u, s, v = A.svd(**kwargs)
    return _fixed(u, s, v, lib)


def svd_values_only(lib, A, **kwargs):
    return tuple(lib.svd(A, compute_uv=False, **kwargs))


def svd_errors(dtype: str, form=None):
    """1-D and integer inputs, and non-bool flags: torch's errors."""
    return st.sampled_from([
        Example((TensorArg(arrays_value((3,), dtype), False),)),
        Example((TensorArg(arrays_value((2, 2), "int64"), False),)),
        Example((TensorArg(arrays_value((2, 2), dtype), False), 1)),
        Example((TensorArg(arrays_value((2, 2), dtype), False),), {"compute_uv": 0}),
    ])


def arrays_value(shape, dtype):
    import numpy as np
    return np.arange(1, 1 + int(np.prod(shape))).reshape(shape).astype(dtype)


def removed_args(two: bool):
    def build(dtype: str, form=None):
        square = arrays(dtype, (3, 3), real())
        return st.tuples(square, square).map(lambda ab: Example(
            (TensorArg(ab[0], True),) + ((TensorArg(ab[1], True),) if two else ())))
    return build


ERR = dict(grad=False, raises=True)

RECORDS = [
    Record("svd", svd_args, forms=("call",), call=svd_fixed_signs, output="tuple", tolerance=TOL,
           label="svd (sign-fixed singular vectors)", unchecked=(SVD_NON_FINITE,)),
    Record("svd", svd_args, forms=("call",), call=svd_method_fixed_signs, output="tuple", tolerance=TOL,
           label="Tensor.svd (sign-fixed singular vectors)", unchecked=(SVD_NON_FINITE,)),
    Record("svd", svd_args, forms=("call",), call=svd_values_only, output="tuple", tolerance=TOL,
           label="svd (compute_uv=False)", unchecked=(SVD_NON_FINITE,)),
    Record("svd", svd_errors, forms=("function",), label="svd (errors)", **ERR),
    Record("matrix_rank", removed_args(False), forms=("function",), label="matrix_rank (removed)", **ERR),
    Record("symeig", removed_args(False), forms=("function", "method"), label="symeig (removed)", **ERR),
    Record("eig", removed_args(False), forms=("function", "method"), label="eig (removed)", **ERR),
    Record("solve", removed_args(True), forms=("function", "method"), label="solve (removed)", **ERR),
    Record("lstsq", removed_args(True), forms=("function", "method"), label="lstsq (removed)", **ERR),
]
