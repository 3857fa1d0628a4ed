"""Matrix products, einsum, trace, triangles and diagonals.

Every contraction goes to NumPy's BLAS-backed matmul/dot.  ``matmul`` and ``einsum`` are
composites that build torch's own graph from the primitives (dot, mv, mm, bmm, views), because
their node names depend on the ranks, on which operand requires grad and on memory layout:
``v @ c`` is SqueezeBackward4 over MmBackward0, ``a @ B3`` is CloneBackward0 over a transposed
folded mm, ``A3 @ B3`` is UnsafeViewBackward0 over BmmBackward0 over views of expands.
"""
from __future__ import annotations

import contextvars
import math

import numpy as np

from .. import _gemm
from .._argument_types import check_argument, python_type_name
from .._dtype import result_type
from .._quiet import quiet
from .._tensor import Tensor, dim_size
from .._tensor_str import type_name
from ..autograd import grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import check_broadcast, inplace_method, methods, record
from ._errors import not_implemented
from ._views import as_view
from .copy import contiguous
from .elementwise import mul, operator
from .layout import _diagonal_view
from .shape import (
    VIEW_MESSAGE,
    UnsafeViewBackward0,
    _strided_view,
    expand,
    movedim,
    permute,
    reshape,
    squeeze,
    t,
    transpose,
    unsqueeze,
    view,
)

# ----- formula functions (NumPy side; the mygrad side is the op of the same name) -------------

for _name, _kernel in (("unsqueeze", np.expand_dims), ("bmm", _gemm.matmul), ("mv", _gemm.matvec),
                       ("outer", np.multiply.outer), ("tril", np.tril),
                      ("triu", np.triu)):
    formula_helper(_kernel, name=_name)


def _take_diagonal_tensor(x, offset, dim1, dim2):
    return _diagonal(x, offset, dim1, dim2, DiagonalBackward0, view=True)


@formula_helper(tensor=_take_diagonal_tensor)
def take_diagonal(x, offset, dim1, dim2):
    """torch.diagonal: the diagonal as the last dim."""
    return np.diagonal(x, offset, dim1, dim2)


def _embed_diagonal_tensor(diagonal, shape, offset, dim1, dim2):
    data = embed_diagonal(diagonal._data, shape, offset, dim1, dim2)
    return record(DiagonalBackwardBackward0, data, (diagonal,), offset=offset, dim1=dim1, dim2=dim2)


@formula_helper(tensor=_embed_diagonal_tensor)
def embed_diagonal(diagonal, shape, offset, dim1, dim2):
    """The inverse of take_diagonal: zeros of ``shape`` with ``diagonal`` (last dim) on it."""
    out = np.zeros(shape, dtype=np.result_type(diagonal))
    n = np.shape(diagonal)[-1] if np.ndim(diagonal) else 0
    steps = np.arange(n)
    np.moveaxis(out, (dim1, dim2), (-2, -1))[..., steps + max(-offset, 0), steps + max(offset, 0)] = diagonal
    return out


@formula_helper(tensor="same")
def scaled(x, factor):
    """torch's maybe_multiply in the add-products' tangents: ``x * factor``, a factor of 1 skipped (None, a
    missing tangent: 0)."""
    if x is None:
        return 0
    return x if factor == 1 else x * factor


# ----- derivatives (one line per input, as in torch's derivatives.yaml) -----------------------
MmBackward0 = derivative("MmBackward0", self="mm(grad, t(mat2))", mat2="mm(t(self), grad)")
BmmBackward0 = derivative("BmmBackward0", self="bmm(grad, transpose(mat2, 1, 2))",
                          mat2="bmm(transpose(self, 1, 2), grad)")
DotBackward0 = derivative("DotBackward0", self="grad * tensor", tensor="grad * self")
MvBackward0 = derivative("MvBackward0", self="outer(grad, vec)", vec="mv(t(self), grad)")
AddmmBackward0 = derivative(
    "AddmmBackward0", attrs="beta alpha", self="grad if beta == 1 else grad * beta",
    mat1="mm(grad, t(mat2)) if alpha == 1 else mm(grad, t(mat2)) * alpha",
    mat2="mm(t(mat1), grad) if alpha == 1 else mm(t(mat1), grad) * alpha")
# the other add-products: beta * self + alpha * (product); torch's maybe_multiply skips a factor of 1
AddmvBackward0 = derivative("AddmvBackward0", attrs="beta alpha", self="grad if beta == 1 else grad * beta",
                            mat="outer(grad, vec) if alpha == 1 else outer(grad, vec) * alpha",
                            vec="mv(t(mat), grad) if alpha == 1 else mv(t(mat), grad) * alpha")
AddrBackward0 = derivative("AddrBackward0", attrs="beta alpha", self="grad if beta == 1 else grad * beta",
                           vec1="mv(grad, vec2) if alpha == 1 else mv(grad, vec2) * alpha",
                           vec2="mv(t(grad), vec1) if alpha == 1 else mv(t(grad), vec1) * alpha")
BaddbmmBackward0 = derivative(
    "BaddbmmBackward0", attrs="beta alpha", self="grad if beta == 1 else grad * beta",
    batch1="bmm(grad, transpose(batch2, 1, 2)) if alpha == 1 else bmm(grad, transpose(batch2, 1, 2)) * alpha",
    batch2="bmm(transpose(batch1, 1, 2), grad) if alpha == 1 else bmm(transpose(batch1, 1, 2), grad) * alpha")
AddbmmBackward0 = derivative(
    "AddbmmBackward0", attrs="beta alpha batched", self="grad if beta == 1 else grad * beta",
    batch1="bmm(expand(unsqueeze(grad, 0), batched), transpose(batch2, 1, 2)) * alpha",
    batch2="bmm(transpose(batch1, 1, 2), expand(unsqueeze(grad, 0), batched)) * alpha")
TraceBackward0 = derivative("TraceBackward0", attrs="shape diagonal_shape",
                            self="embed_diagonal(expand(grad, diagonal_shape), shape, 0, 0, 1)")
TrilBackward0 = derivative("TrilBackward0", attrs="diagonal", self="tril(grad, diagonal)")
TriuBackward0 = derivative("TriuBackward0", attrs="diagonal", self="triu(grad, diagonal)")
DiagEmbedBackward0 = derivative("DiagEmbedBackward0", attrs="offset dim1 dim2",
                                self="take_diagonal(grad, offset, dim1, dim2)")
DiagonalBackward0 = derivative("DiagonalBackward0", attrs="shape offset dim1 dim2",
                               self="embed_diagonal(grad, shape, offset, dim1, dim2)")
DiagonalBackward0_copy = derivative("DiagonalBackward0_copy", attrs="shape offset dim1 dim2",
                                    self="embed_diagonal(grad, shape, offset, dim1, dim2)")
DiagonalBackwardBackward0 = derivative("DiagonalBackwardBackward0", attrs="offset dim1 dim2",
                                       grad_output="take_diagonal(grad, offset, dim1, dim2)")
SqueezeBackward4 = derivative("SqueezeBackward4", attrs="shape",
                              self="reshape(grad, shape)")   # matmul's in-place squeeze_


# ----- checks with torch's messages ----------------------------------------------------------

_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
           "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _scalar_name(t: Tensor) -> str:
    from .._tensor_str import scalar_type_name
    return scalar_type_name(t.dtype)


def _check_matrices(a: Tensor, b: Tensor, first: str = "self", second: str = "mat2", ranks: str = "") -> None:
    """mm/addmm's checks, in torch's order: ranks, then inner sizes, then (mm's message) dtypes."""
    x, y = a._data, b._data
    if x.ndim != 2:
        raise RuntimeError(f"{first} must be a matrix{ranks and f', got {x.ndim}-D tensor'}")
    if y.ndim != 2:
        raise RuntimeError(f"{second} must be a matrix{ranks and f', got {y.ndim}-D tensor'}")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and "
                           f"{y.shape[0]}x{y.shape[1]})")
    if x.dtype != y.dtype and not ranks:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_TYPE[x.dtype.name]} != "
                           f"{_C_TYPE[y.dtype.name]}")


def _check_first_dtype(kernel: str, input: Tensor, other: Tensor) -> None:
    """The dtype checks of torch's kernels that dispatch on the first operand's dtype (bmm, cross): a bool
    first operand finds no kernel (NotImplementedError) before a second operand of another dtype is seen."""
    if input._data.dtype == np.bool_:
        raise not_implemented(kernel, input._data)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(other)}")


_NUMBER_TYPES = frozenset((int, float, bool, complex))


def _check_scalars(name: str, beta, alpha) -> None:
    """beta and alpha are torch Scalars (``argument 'beta' must be Number, not list``), where NumPy would
    broadcast a list or fail on a str."""
    if type(beta) not in _NUMBER_TYPES or type(alpha) not in _NUMBER_TYPES:
        check_argument(name, "beta", "Number", beta)
        check_argument(name, "alpha", "Number", alpha)


def _check_bool(x: np.ndarray, kernel: str = "addmm_impl_cpu_") -> None:
    """torch has no bool kernel for its products (``kernel``: the one torch's message names)."""
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


# ----- the products -----------------------------------------------------------------------------

_matmul = quiet(np.matmul)  # BLAS; NaN/inf pass silently, as in torch (the ops: with torch's, by _gemm)


@quiet
def _addmm_kernel(bias: np.ndarray, a: np.ndarray, b: np.ndarray | None, beta, alpha) -> np.ndarray:
    """beta * bias + alpha * (a @ b) (``b`` None: ``a`` is the product already, and is written into)."""
    out = a if b is None else a @ b
    if alpha != 1:
        out *= alpha
    if beta != 0:
        out += bias if beta == 1 else bias * beta
    return out


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    _check_matrices(input, mat2)
    _check_bool(input._data)
    return record(MmBackward0, _gemm.matmul(input._data, mat2._data), (input, mat2), self=input, mat2=mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype or a.dtype == np.bool_:
        if a.size and b.size:
            _check_first_dtype("bmm", input, mat2)
        # an empty product or an empty contraction: torch returns zeros of mat2's dtype before its dtype checks
        out = np.zeros((a.shape[0], a.shape[1], b.shape[2]), b.dtype)
        if out.dtype.kind not in "fc" and (input._requires_grad or mat2._requires_grad) and grad_mode._state.enabled:
            raise RuntimeError(f"Autograd not support dtype: {_scalar_name(mat2)}")
        return record(BmmBackward0, out, (input, mat2), self=input, mat2=mat2)
    return record(BmmBackward0, _gemm.matmul(a, b), (input, mat2), self=input, mat2=mat2)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_scalar_name(input)} and "
                           f"{_scalar_name(tensor)}")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    _check_bool(a, "dot")
    return record(DotBackward0, np.asarray(_gemm.matvec(a, b)), (input, tensor), self=input, tensor=tensor)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    a, v = input._data, vec._data
    dim_size(a.shape, 0)   # (torch reads the matrix's rows first: an IndexError for a 0-d one)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), vec "
                           f"({v.shape[0]})")
    if a.dtype != v.dtype:
        names = _scalar_name(input), _scalar_name(vec)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names[1]}, {names[0]}, and "
                           f"{names[1]}")
    _check_bool(a, "addmv_impl_cpu")
    return record(MvBackward0, _gemm.matvec(a, v), (input, vec), self=input, vec=vec)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), input broadcast to the product (nn.Linear's bias add)."""
    _check_scalars("addmm", beta, alpha)
    _check_matrices(mat1, mat2, "mat1", "mat2", ranks="yes")
    out_shape = (mat1._data.shape[0], mat2._data.shape[1])
    bias = input._data
    for name, operand in (("self", input), ("mat1", mat1)):
        if operand._data.dtype != mat2._data.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got {_scalar_name(operand)} and "
                               f"{_scalar_name(mat2)}")
    _check_expandable(bias, out_shape)
    _check_bool(bias)
    out = _torch_gemm(bias, mat1._data, mat2._data, beta, alpha)
    return record(AddmmBackward0, out, (input, mat1, mat2), mat1=mat1, mat2=mat2, beta=beta, alpha=alpha)


@quiet
def _torch_gemm(bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta, alpha, layouts=None,
                gemv: bool = False) -> np.ndarray:
    """beta * bias + alpha * (a @ b) as torch's CPU gemm gives it, inf and NaN included (measured, by the
    operands' layouts, ``layouts``: the matrices whose layouts count, default a and b): alpha 0 skips the
    product (a NaN in it does not reach the result); a row-major ``b`` (more than one column) adds
    (alpha * a_ik) * b_kj in turn from beta * bias; a column-major ``b``, or a single column, adds beta * bias
    to alpha * the serial sum, but a single column of a column-major ``a`` adds a_ik * (alpha * b_kj) in
    turn.  (A 1 x 1 result of a row-major ``b`` may still differ: torch's kernel there is BLAS's dot.)
    ``gemv``: addmv's kernel, which reads ``a`` column-major first (a single row too)."""
    out = _addmm_kernel(bias, a, b, beta, alpha)
    if out.dtype.kind != "f":
        return out
    if alpha == 0:
        out = _addmm_kernel(bias, np.zeros(out.shape, out.dtype), None, beta, 1)
    elif _gemm.may_differ(out, a, b, alpha, bias * out.dtype.type(beta) if beta != 0 else None):
        start = bias * out.dtype.type(beta) if beta != 0 else None
        scale = out.dtype.type(alpha)
        first, second = layouts or (a, b)
        a_columns, b_columns = _column_major(first, gemv), _column_major(second)
        m, n = out.shape[-2], out.shape[-1]
        if n == 1 and (m > 1 or gemv) and a_columns:
            serial = _gemm.serial_gemm(a, b * scale, 1, start)
        elif b_columns or n == 1:
            serial = _gemm.serial_gemm(a, b) * scale
            serial = serial if start is None else start + serial
        else:
            serial = _gemm.serial_gemm(a, b, alpha, start)
        out[...] = serial   # (in the kernel's layout, torch's: the serial sum's may be column-major)
    _gemm_zero_signs(out, bias, a, b, beta, alpha)
    return out


def _column_major(x: np.ndarray, first: bool = False) -> bool:
    """Whether torch's gemm reads matrix ``x`` transposed: not row-major (a size-1 dim fits either) but
    column-major (``first``: gemv's order, column-major checked first)."""
    rows, cols = x.shape[-2], x.shape[-1]
    step = x.itemsize
    columns = x.strides[-2] == step and (cols == 1 or x.strides[-1] >= step * max(1, rows))
    if first or not columns:
        return columns
    return not (x.strides[-1] == step and (rows == 1 or x.strides[-2] >= step * max(1, cols)))


@quiet
def _gemm_zero_signs(out: np.ndarray, bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta, alpha) -> None:
    """The signs of ``out``'s zeros as torch's gemm gives them: each element starts from beta * input (+0 for
    beta 0) and adds alpha * a_ik * b_kj in turn, so a zero is -0 only where it started from -0 and every
    term was -0 (NumPy's matmul starts from +0)."""
    i, j = np.nonzero(out == 0)
    if not i.size:
        return
    start = np.broadcast_to(bias * beta if beta != 0 else np.zeros((), out.dtype), out.shape)[i, j]
    terms = alpha * a[i, :] * b[:, j].T
    negative = (start == 0) & np.signbit(start) & np.all((terms == 0) & np.signbit(terms), axis=1)
    out[i, j] = np.where(negative, -0.0, 0.0)


def _add_product(node, input: Tensor, product, inputs: tuple, beta, alpha, finish=None, **saved) -> Tensor:
    """beta * input + alpha * product, input broadcast to the product; beta = 0 ignores input (NaN too).
    ``finish``: makes the whole result from input's
    data once the operands are checked (``product`` is then the result's shape)."""
    for operand in inputs:
        if operand._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(operand)}")
    _check_expandable(input._data, product if finish else product.shape)
    _check_bool(input._data)
    if finish is not None:
        out = finish(input._data)
    else:
        out = _addmm_kernel(input._data, product, None, beta, alpha)
    return record(node, out, (input, *inputs), beta=beta, alpha=alpha, **saved)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    _check_scalars("addmv", beta, alpha)
    ranks = input._data.ndim, mat._data.ndim, vec._data.ndim
    if ranks[1] != 2 or ranks[2] != 1 or ranks[0] > 1:   # (before mv's own checks, which read mat's rows)
        raise RuntimeError("vector + matrix @ vector expected, got {}, {}, {}".format(*ranks))
    product = mv(mat.detach(), vec.detach())._data
    if product.dtype.kind != "f":
        return _add_product(AddmvBackward0, input, product, (mat, vec), beta, alpha, mat=mat, vec=vec)
    # torch's gemv: addmm's single-column kernel (alpha 0 skips the product; the layout of mat counts)
    column = vec._data[:, None]
    return _add_product(AddmvBackward0, input, product.shape, (mat, vec), beta, alpha, mat=mat, vec=vec,
                        finish=lambda bias: _torch_gemm(np.asarray(bias)[..., None], mat._data, column, beta,
                                                        alpha, gemv=True)[:, 0])


_outer_kernel = quiet(np.multiply.outer)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    _check_scalars("addr", beta, alpha)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    a, b = vec1._data, vec2._data
    if not input._data.dtype == a.dtype == b.dtype or a.dtype == np.bool_:   # (torch promotes addr's operands)
        return _addr_promoted(input, vec1, vec2, beta, alpha)
    # torch's ger scales the first vector before the outer product: (alpha * x_i) * y_j
    product = _outer_kernel(a if alpha == 1 else quiet(np.multiply)(a, a.dtype.type(alpha)), b)
    return _add_product(AddrBackward0, input, product.shape, (vec1, vec2), beta, alpha, vec1=vec1, vec2=vec2,
                        finish=lambda bias: _fused_add(bias, product, beta))


@quiet
def _fused_add(bias: np.ndarray, product: np.ndarray, beta) -> np.ndarray:
    """beta * bias + product (written into), as torch's addr kernel adds them: one fused multiply-add, so
    beta * bias is never rounded on its own (measured: 1.5 * max + -max / 2 is max, not inf; 1.5 * max + -inf
    is -inf, not NaN).  Only where that product overflows alone does it differ from NumPy's two steps: those
    elements are redone in extended precision (long double), which holds the product."""
    if beta == 0:
        return product
    if beta == 1:
        product += bias
        return product
    beta = product.dtype.type(beta)
    scaled = bias * beta
    if product.dtype.kind != "f" or not (overflowed := np.isinf(scaled) & np.isfinite(bias)).any():
        product += scaled
        return product
    where = np.broadcast_to(overflowed, product.shape)
    wide = np.broadcast_to(bias, product.shape)[where].astype(np.longdouble) * np.longdouble(beta)
    exact = (wide + product[where].astype(np.longdouble)).astype(product.dtype)
    product += scaled
    product[where] = exact
    return product


def _addr_promoted(input: Tensor, vec1: Tensor, vec2: Tensor, beta, alpha) -> Tensor:
    """addr of operands of mixed dtypes: computed in their promoted dtype, as torch's TensorIterator does; in
    bool, (beta and input) or (alpha and the outer product)."""
    np_dtype = result_type(input, vec1, vec2).np
    bias, a, b = (x._data.astype(np_dtype, copy=False) for x in (input, vec1, vec2))
    _check_expandable(bias, (a.shape[0], b.shape[0]))
    if np_dtype == np.bool_:
        out = np.broadcast_to(bias & bool(beta), (a.shape[0], b.shape[0])) | (np.multiply.outer(a, b) & bool(alpha))
    else:
        # (alpha * x_i) * y_j, as the same-dtype path: torch's kernel is one (alpha * vec1 * vec2 + beta * self)
        out = _fused_add(bias, _outer_kernel(a if alpha == 1 else quiet(np.multiply)(a, np_dtype.type(alpha)), b),
                         beta)
    return record(AddrBackward0, out, (input, vec1, vec2), beta=beta, alpha=alpha, vec1=vec1, vec2=vec2)


def _check_batched(kernel: str, dims: tuple, input: Tensor, batch1: Tensor, batch2: Tensor) -> None:
    """What baddbmm/addbmm check before their product: the sizes they read (``dims``: batch1's; an IndexError
    for a tensor of too few dims), then the three dtypes, then a kernel for the dtype (none for bool)."""
    for d in dims:
        dim_size(batch1._data.shape, d)
    dim_size(batch2._data.shape, 2)
    if kernel == "baddbmm" and not input._data.dtype == batch1._data.dtype == batch2._data.dtype:
        names = (_C_TYPE.get(x._data.dtype.name, x._data.dtype.name) for x in (input, batch1, batch2))
        raise RuntimeError("Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}".format(*names))
    if kernel == "addbmm":
        for name, first, second in (("mat1", batch1, batch2), ("self", input, batch2)):
            if first._data.dtype != second._data.dtype:
                raise RuntimeError(f"{name} and mat2 must have the same dtype, but got {_scalar_name(first)} and "
                                   f"{_scalar_name(second)}")
    if input._data.dtype == np.bool_:
        raise not_implemented(kernel if kernel == "baddbmm" else "addmm_impl_cpu_", input._data)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    _check_scalars("baddbmm", beta, alpha)
    _check_batched("baddbmm", (0, 1), input, batch1, batch2)
    product = bmm(batch1.detach(), batch2.detach())._data
    return _add_product(BaddbmmBackward0, input, product, (batch1, batch2), beta, alpha, batch1=batch1,
                        batch2=batch2)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    _check_scalars("addbmm", beta, alpha)
    _check_batched("addbmm", (1,), input, batch1, batch2)
    bmm(batch1.detach(), batch2.detach())   # (its checks)
    b1, b2 = batch1._data, batch2._data
    count, m, k, n = b1.shape[0], b1.shape[1], b1.shape[2], b2.shape[2]
    # torch adds batch after batch into the result (addmm_ in turn): one gemm over the batch folded into k
    a = np.moveaxis(b1, 0, 1).reshape(m, count * k)
    b = b2.reshape(count * k, n)
    batched = (count, m, n)
    return _add_product(AddbmmBackward0, input, (m, n), (batch1, batch2), beta, alpha,
                        finish=lambda bias: _addbmm_gemm(bias, a, b, beta, alpha, b1, b2, count),
                        batch1=batch1, batch2=batch2,
                        batched=batched)


# Whether the addbmm being computed writes into a column-major tensor (addbmm_ on one): torch's gemm then
# computes the product itself rather than its transpose, and the roles of the operands in its order swap.
_INTO_COLUMNS: contextvars.ContextVar[bool] = contextvars.ContextVar("addbmm_into_columns", default=False)


def _addbmm_gemm(bias: np.ndarray, a: np.ndarray, b: np.ndarray, beta, alpha, b1: np.ndarray, b2: np.ndarray,
                 count: int) -> np.ndarray:
    """addbmm's product over the batch folded into k, as torch's gemm orders it for the result's layout
    (measured: a column-major (2, 4) target of beta=0, alpha=-0.5 gives inf where a row-major one gives NaN,
    -1e-45 * inf read as (alpha * -1e-45 = 0) * inf there)."""
    if not _INTO_COLUMNS.get():
        return _torch_gemm(bias, a, b, beta, alpha, (b1[0], b2[0]) if count else None)
    shape = (a.shape[0], b.shape[1])
    return _torch_gemm(np.broadcast_to(bias, shape).T, b.T, a.T, beta, alpha,
                       (b2[0].T, b1[0].T) if count else None).T


def _written_into_columns(data: np.ndarray) -> bool:
    """torch's addmm test for a result it computes untransposed: column-major (its stride(0) is 1), more than
    one column (a single one goes the common way)."""
    m, n = data.shape if data.ndim == 2 else (0, 0)
    step = data.itemsize
    return n > 1 and data.strides[0] == step and data.strides[1] >= step * max(1, m)


_addbmm_written = inplace_method(addbmm)


def addbmm_(self: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``Tensor.addbmm_``: torch writes it through addbmm's out= kernel, which RESIZES self to the product's
    (m, n) once self broadcasts there (a 0-d, 1-d or (m, 1) self grows), where every other in-place op refuses
    a result larger than self (measured: a 0-d self with a (1, 1) product and beta != 0 is then refused as the
    written-to tensor overlapping its own input; a (1,) one is not)."""
    if self._base is None and isinstance(batch1, Tensor) and isinstance(batch2, Tensor) and \
            batch1._data.ndim == 3 == batch2._data.ndim and self._data.ndim <= 2:
        target = (batch1._data.shape[1], batch2._data.shape[2])
        if self._data.shape != target:
            return _resized_into(self, target, batch1, batch2, beta, alpha)
    if _written_into_columns(self._data):
        token = _INTO_COLUMNS.set(True)
        try:
            return _addbmm_written(self, batch1, batch2, beta=beta, alpha=alpha)
        finally:
            _INTO_COLUMNS.reset(token)
    return _addbmm_written(self, batch1, batch2, beta=beta, alpha=alpha)


addbmm_.__op__ = addbmm  # type: ignore[attr-defined]  # (its parameters name a bad argument)


def _resized_into(self: Tensor, target: tuple, batch1: Tensor, batch2: Tensor, beta, alpha) -> Tensor:
    """addbmm written into ``self`` resized to ``target``: its result's history becomes self's, as
    ``Tensor._inplace`` rebases an in-place op's output; nothing changes when a check raises."""
    from .._tensor import _move_retain_grad, _move_saved_output, _reset_hooks
    from ._views import PARTIAL_OVERLAP_MESSAGE
    self._check_inplace()
    recording = grad_mode._state.enabled and self._data.dtype.kind == "f" and (
        self._requires_grad or batch1._requires_grad or batch2._requires_grad)
    old = Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr)
    with grad_mode.set_grad_enabled(recording):
        result = addbmm(old, batch1, batch2, beta=beta, alpha=alpha)
    if beta != 0 and self._data.ndim == 0 and math.prod(target) == 1:  # (torch's copy of self into itself)
        self._data = self._data.reshape(target)   # (resized before: torch leaves it so)
        raise RuntimeError(PARTIAL_OVERLAP_MESSAGE)
    data = self._data
    if beta != 0 and data.ndim == 2 and data.shape[0] > 1 and data.shape[1] == 1 < target[1]:
        with grad_mode.no_grad():   # a column's values as torch's copy reads them: see _read_after_resize
            result._data = addbmm(Tensor._make(_read_after_resize(data, target), False, None), batch1, batch2,
                                  beta=beta, alpha=alpha)._data
    self._data = np.array(result._data, dtype=data.dtype)
    self._vc[0] += 1
    if recording:
        _move_saved_output(result, self)
        self.grad_fn, self._output_nr, self._requires_grad = result.grad_fn, result._output_nr, True
        _reset_hooks(self)
        if self._retains_grad:
            _move_retain_grad(self, old.grad_fn, old._output_nr)
    return self


def _read_after_resize(column: np.ndarray, target: tuple) -> np.ndarray:
    """What torch's addbmm_ reads as an (r, 1) self broadcast to (r, n) after resizing it: self's memory grows
    in place and is copied into row by row, so row i reads element i after the rows before it overwrote it
    (measured: [[1], [2]] into a (2, 3) product reads [[1, 1, 1], [1, 1, 1]])."""
    rows, n = target
    flat = np.zeros(rows * n, column.dtype)
    flat[:rows] = column[:, 0]
    for i in range(rows):   # (a row's reads come before its writes; the rows in order)
        flat[i * n:(i + 1) * n] = flat[i]
    return flat.reshape(target)


def _check_expandable(data: np.ndarray, target: tuple) -> None:
    """torch's expand of ``data`` to ``target``: too many dims, or the LAST size that does not fit (its
    inferExpandGeometry walks the dims from the last)."""
    shape = data.shape
    if len(shape) > len(target):
        raise RuntimeError(f"expand({type_name(data.dtype)}{{{list(shape)}}}, size={list(target)}): the number of "
                           f"sizes provided ({len(target)}) must be greater or equal to the number of dimensions in "
                           f"the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    for i in reversed(range(len(shape))):
        n = shape[i]
        if n != 1 and n != target[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({target[i + lead]}) must match the existing size "
                               f"({n}) at non-singleton dimension {i + lead}.  Target sizes: {list(target)}.  "
                               f"Tensor sizes: {list(shape)}")


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """torch's composite: input viewed as a column times vec2 (MulBackward0 over ViewBackward0)."""
    for name, operand in (("self", input), ("vec2", vec2)):
        if operand._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {operand._data.ndim}-D")
    return mul(reshape(input, input._data.shape[0], 1), vec2)


# ----- the pieces of torch's composites ---------------------------------------------------------

def _unsafe_view(x: Tensor, shape: tuple) -> Tensor:
    """A reshape of a fresh intermediate (not a view in torch's bookkeeping), with view's strides rule: torch
    raises view's error when the strides do not allow one (a non-contiguous broadcast product in kron)."""
    data = _strided_view(x._data, shape)
    if data is None:
        raise RuntimeError(VIEW_MESSAGE)
    return record(UnsafeViewBackward0, data, (x,), shape=x._data.shape)


def _squeeze_inplace(x: Tensor, dim: int) -> Tensor:
    """``x.squeeze_(dim)`` on a fresh result: SqueezeBackward4, and the version bump in-place ops make."""
    out = record(SqueezeBackward4, np.squeeze(x._data, dim), (x,), shape=x._data.shape)
    out._vc = x._vc
    out._vc[0] += 1
    return out


def _diagonal(x: Tensor, offset: int, dim1: int, dim2: int, node, view: bool) -> Tensor:
    data = _diagonal_view(x._data, offset, dim1, dim2)   # (writable, as torch's view is; NumPy's is read-only)
    saved = dict(shape=x._data.shape, offset=offset, dim1=dim1, dim2=dim2)
    return as_view(node, data, x, **saved) if view else record(node, data.copy(), (x,), **saved)


# ----- matmul -------------------------------------------------------------------------------------

def matmul(input: Tensor, other: Tensor) -> Tensor:
    """torch.matmul: dot, mv, mm, a folded mm/mv, or a broadcast bmm, as torch chooses them."""
    d1, d2 = input._data.ndim, other._data.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D")
    if d1 <= 2 and d2 <= 2:
        if d1 == 1:
            return dot(input, other) if d2 == 1 else _squeeze_inplace(mm(unsqueeze(input, 0), other), 0)
        return mv(input, other) if d2 == 1 else mm(input, other)
    if _should_fold(input, other):
        return _folded(input, other)
    return _batched(input, other)


def _should_fold(t1: Tensor, t2: Tensor) -> bool:
    """Whether the bigger operand's batch dims fold into mm/mv rows: when the smaller operand requires
    grad (its gradient is then one mm, not a batch summed), or when folding needs no copy."""
    first_larger = t1._data.ndim >= t2._data.ndim
    big = t1._data if first_larger else np.swapaxes(t2._data, -1, -2)
    small = t2 if first_larger else t1
    if not (big.ndim >= 3 and small._data.ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if t1._data.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides, shape = big.strides, big.shape
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _folded(t1: Tensor, t2: Tensor) -> Tensor:
    transposed = t2._data.ndim > t1._data.ndim
    if transposed:
        big, small = transpose(t2, -2, -1), (t(t1) if t1._data.ndim == 2 else t1)
    else:
        big, small = t1, t2
    lead = big._data.shape[:-1]
    rows = reshape(big, math.prod(lead), big._data.shape[-1])
    if small._data.ndim == 1:
        return _unsafe_view(mv(rows, small), lead)
    out = _unsafe_view(mm(rows, small), lead + (small._data.shape[1],))
    if not transposed:
        return out
    return contiguous(transpose(out, -2, -1))


def _batched(t1: Tensor, t2: Tensor) -> Tensor:
    a, b = t1._data, t2._data
    d1, d2 = a.ndim, b.ndim
    n, m1 = (a.shape[-2] if d1 > 1 else 1), a.shape[-1]
    m2, p = (b.shape[-2], b.shape[-1]) if d2 > 1 else (b.shape[0], 1)
    batch1, batch2 = a.shape[:-2], b.shape[:-2]
    if d1 == 3 and d2 == 3 and batch1[0] != batch2[0]:
        # a batch of one that requires grad is squeezed, so its gradient is one folded mm
        if batch1[0] == 1 and t1._requires_grad:
            return matmul(squeeze(t1, 0), t2)
        if batch2[0] == 1 and t2._requires_grad:
            return matmul(t1, squeeze(t2, 0))
    try:
        batch = np.broadcast_shapes(batch1, batch2)
    except ValueError:
        check_broadcast(np.empty(batch1 + (0,)), np.empty(batch2 + (0,)))
        raise
    count = math.prod(batch)
    left = reshape(expand(t1, batch + (n, m1)), count, n, m1)
    if d2 == 1:
        right = unsqueeze(reshape(expand(t2, batch + (m2,)), count, m2), 2)
    else:
        right = reshape(expand(t2, batch + (m2, p)), count, m2, p)
    out = bmm(left, right)
    if d2 == 1:
        out = squeeze(out, -1)
    return _unsafe_view(out, batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ()))


def _rmatmul(self: Tensor, other) -> Tensor:
    return matmul(other, self)


_matmul_dunder = operator(matmul)


def _matmul_operator(self: Tensor, other):
    """``t @ array``: what NumPy's reflected matmul gives (torch defers to it): the product of the tensor's
    values (an error for one that requires grad) as a tensor without a graph, computed quietly as BLAS does."""
    if isinstance(other, np.ndarray):
        return Tensor._make(np.asarray(_matmul(np.asarray(self), other)), False, None)
    return _matmul_dunder(self, other)


# ----- einsum -------------------------------------------------------------------------------------

_ELLIPSIS = "..."


def _label_order(label: str) -> int:
    """torch numbers subscripts A-Z then a-z; implicit outputs and contractions follow that order."""
    return ord(label) - ord("A") if label.isupper() else ord(label) - ord("a") + 26


def _parse_operand_labels(lhs: str, count: int) -> list:
    labels, current, i = [[]], 0, 0
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if _ELLIPSIS in labels[current]:
                raise RuntimeError(f"einsum(): found '.' for operand {current} for which an ellipsis was already found")
            if lhs[i:i + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for operand {current} that is not part of any ellipsis")
            labels[current].append(_ELLIPSIS)
            i += 2
        elif c == ",":
            current += 1
            if current >= count:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            labels.append([])
        elif c.isascii() and c.isalpha():
            labels[current].append(c)
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, subscripts "
                               f"must be in [a-zA-Z]")
        i += 1
    if current != count - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def einsum(equation: str, *operands) -> Tensor:
    """torch.einsum, contracting left to right as torch does without opt_einsum: each operand's
    labels are aligned by diagonal/unsqueeze/permute, then pairs are contracted by bmm."""
    while len(operands) == 1 and isinstance(operands[0], (list, tuple)):   # (torch's unwraps again and again)
        operands = tuple(operands[0])
    for i, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {python_type_name(op)}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    lhs, arrow, rhs = equation.partition("->")
    op_labels = _parse_operand_labels(lhs, len(operands))

    counts: dict = {}
    ell_ndim = 0
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        named = [c for c in labels if c != _ELLIPSIS]
        for c in named:
            counts[c] = counts.get(c, 0) + 1
        ndim = op._data.ndim
        if _ELLIPSIS in labels:
            ell_ndim = max(ell_ndim, ndim - len(named))
            if len(named) > ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(named)}) is more than "
                                   f"the number of dimensions ({ndim}) for operand {i}")
        elif len(named) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(named)}) does not match the "
                               f"number of dimensions ({ndim}) for operand {i} and no ellipsis was given")

    # where each label goes in the aligned layout: output dims first, then contracted ones
    position: dict = {}
    if not arrow:
        ell_index, next_pos = 0, ell_ndim
        ell_in_output = True
        for c in sorted((c for c, n in counts.items() if n == 1), key=_label_order):
            position[c], next_pos = next_pos, next_pos + 1
    else:
        ell_index, next_pos, ell_in_output = 0, 0, False
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
                if rhs[i:i + 3] != _ELLIPSIS:
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                ell_index, next_pos, ell_in_output = next_pos, next_pos + ell_ndim, True
                i += 2
            elif c != " ":
                if not (c.isascii() and c.isalpha()):
                    raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                                       f"equation string, subscripts must be in [a-zA-Z]")
                if c not in counts or c in position:
                    raise RuntimeError(f"einsum(): output subscript {c}" + (" appears more than once in the output"
                                       if c in position else " does not appear in the equation for any input operand"))
                position[c], next_pos = next_pos, next_pos + 1
            i += 1
    out_ndim = next_pos
    if not ell_in_output:
        ell_index, next_pos = next_pos, next_pos + ell_ndim
    for c in sorted((c for c in counts if c not in position), key=_label_order):
        position[c], next_pos = next_pos, next_pos + 1
    total = next_pos

    sizes: dict = {}
    ell_sizes = [1] * ell_ndim
    nontrivial = [0] * total  # per aligned dim: how many operands have it with size != 1
    aligned = []
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        perm = [-1] * total
        dim = 0
        for c in labels:
            if c == _ELLIPSIS:
                covered = op._data.ndim - (len(labels) - 1)
                for j in range(ell_ndim - covered, ell_ndim):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise RuntimeError(f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size "
                                               f"{size} which does not broadcast with previously seen ellipsis with "
                                               f"size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = size
                        nontrivial[ell_index + j] += 1
                    perm[ell_index + j] = dim
                    dim += 1
            elif perm[position[c]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    if sizes.get(c, 1) not in (1, size):
                        raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} which does not "
                                           f"broadcast with previously seen size {sizes[c]}")
                    sizes[c] = size
                    nontrivial[position[c]] += 1
                perm[position[c]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, moved back to the first occurrence's place
                first = perm[position[c]]
                if op._data.shape[dim] != op._data.shape[first]:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                                       f"match, {op._data.shape[dim]} != {op._data.shape[first]}")
                op = _diagonal(op, 0, first, dim, DiagonalBackward0, view=True)
                op = movedim(op, -1, first)
        for k in range(total):
            if perm[k] == -1:
                op = unsqueeze(op, dim)
                perm[k] = dim
                dim += 1
        aligned.append(permute(op, perm))

    while len(aligned) > 1:
        a, b = aligned[0], aligned[1]
        sum_dims, a_only, b_only = [], [], []
        for d in range(out_ndim, total):
            a_has, b_has = a._data.shape[d] != 1, b._data.shape[d] != 1
            if a_has and b_has:
                nontrivial[d] -= 1
                if nontrivial[d] == 1:
                    sum_dims.append(d)
                    nontrivial[d] = 0
            elif nontrivial[d] == 1:
                if a_has:
                    a_only.append(d)
                    nontrivial[d] = 0
                elif b_has:
                    b_only.append(d)
                    nontrivial[d] = 0
        if a_only:
            a = a.sum(a_only, keepdim=True)
        if b_only:
            b = b.sum(b_only, keepdim=True)
        aligned[:2] = [_sumproduct_pair(a, b, sum_dims)]

    result = aligned[0]
    if total > out_ndim:
        if len(operands) > 1:
            return view(result, result._data.shape[:out_ndim])
        return result.sum(tuple(range(out_ndim, total)))
    return result


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """(left * right).sum(sum_dims, keepdim=True) as one bmm: both permuted to (shared, own, summed)."""
    if not sum_dims:
        return mul(left, right)
    both, left_only, right_only = [], [], []
    summed = 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i], right._data.shape[i]
        if i in sum_dims:
            if sl != 1 and sr != 1:
                if sl != sr:
                    raise RuntimeError("non-broadcast dimensions must match")
                summed *= sl
            elif sl != 1:
                left = left.sum(i, keepdim=True)
            elif sr != 1:
                right = right.sum(i, keepdim=True)
        elif sl != 1 and sr != 1:
            if sl != sr:
                raise RuntimeError("non-broadcast dimensions must match")
            both.append(i)
        elif sl != 1:
            left_only.append(i)
        else:
            right_only.append(i)
    lshape, rshape = left._data.shape, right._data.shape
    n_both = math.prod(lshape[d] for d in both)
    n_left = math.prod(lshape[d] for d in left_only)
    n_right = math.prod(rshape[d] for d in right_only)
    out_size = [lshape[d] for d in both + left_only] + [1] * len(sum_dims) + [rshape[d] for d in right_only]
    order = both + left_only + list(sum_dims) + right_only
    left = reshape(permute(left, order), n_both, n_left, summed)
    right = reshape(permute(right, both + list(sum_dims) + right_only + left_only), n_both, summed, n_right)
    result = view(bmm(left, right), out_size)
    return permute(result, np.argsort(order).tolist())


# ----- trace, triangles, diagonals ---------------------------------------------------------------

def trace(input: Tensor) -> Tensor:
    data = input._data
    if data.dtype == np.bool_:   # (before the rank: torch dispatches on the dtype first)
        raise not_implemented("trace", data)
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    out = quiet(np.trace)(data)
    if data.dtype.kind in "biu":
        out = np.asarray(out, np.int64)
    return record(TraceBackward0, np.asarray(out), (input,), shape=data.shape,
                  diagonal_shape=(min(data.shape),))


def _triangle(name: str, np_fn, node):
    def triangle(input: Tensor, diagonal: int = 0) -> Tensor:
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return record(node, np_fn(input._data, diagonal), (input,), diagonal=diagonal)

    triangle.__name__ = triangle.__qualname__ = name
    return triangle


tril = _triangle("tril", np.tril, TrilBackward0)
triu = _triangle("triu", np.triu, TriuBackward0)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector onto the ``diagonal`` of a square matrix (DiagEmbedBackward0), or a matrix's diagonal."""
    data = input._data
    if data.ndim == 1:
        n = data.shape[0] + abs(diagonal)
        out = embed_diagonal(data, (n, n), diagonal, 0, 1)
        return record(DiagEmbedBackward0, out, (input,), offset=diagonal, dim1=0, dim2=1)
    if data.ndim == 2:
        return _diagonal(input, diagonal, 0, 1, DiagonalBackward0_copy, view=False)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {data.ndim}D")


methods(addmv=addmv, addr=addr, baddbmm=baddbmm, addbmm=addbmm, addmv_=inplace_method(addmv),
        addr_=inplace_method(addr), baddbmm_=inplace_method(baddbmm), addbmm_=addbmm_,
        addmm_=inplace_method(addmm))
methods(mm=mm, bmm=bmm, dot=dot, mv=mv, addmm=addmm, outer=outer, ger=outer, matmul=matmul, __matmul__=_matmul_operator,
        __rmatmul__=operator(_rmatmul), trace=trace, tril=tril, triu=triu, diag=diag, tril_=inplace_method(tril),
        triu_=inplace_method(triu))
ger = outer
__all__ = ["addmv", "addr", "baddbmm", "addbmm", "mm", "bmm", "dot", "mv", "addmm", "outer", "ger", "matmul", "einsum",
           "trace", "tril", "triu", "diag"]
