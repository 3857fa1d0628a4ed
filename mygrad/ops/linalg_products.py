"""torch.linalg's products: cross, vecdot, multi_dot, matrix_power, and torch.tensordot / torch.kron.

Only ``cross`` is one node (LinalgCrossBackward0); the others are torch's composites, built from the
same primitives in the same order (permute/reshape/mm for tensordot, unsafe views and a mul for kron,
mul+sum for vecdot, a cost-ordered chain of mm for multi_dot, repeated matmul for matrix_power), so
their graphs, node names and double backward are torch's.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor, dim_size
from .._tensor_str import _LEGACY
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import check_broadcast, methods, record
from ._errors import not_tensor, past_checks, python_type_name
from .copy import clone
from .decompositions import inv
from .elementwise import mul
from .linalg import _check_first_dtype, _unsafe_view, dot, matmul, mm
from .reductions import sum as _sum
from .shape import permute, reshape, squeeze, unsqueeze, view

__all__ = ["cross", "kron", "linalg_cross", "matrix_power", "multi_dot", "tensordot", "vdot", "vecdot"]


# --- cross ---------------------------------------------------------------------------------------

def _cross_tensor(a, b, dim):
    return cross(a, b, dim=dim)


@formula_helper(tensor=_cross_tensor, name="linalg_cross")
@quiet
def _cross_array(a, b, dim):
    """torch's cross kernel: each component a_i b_j - a_j b_i with the first product fused (exact) into the
    subtraction, as its FMA does (measured: so 1.375 * -max - -1.5 * inf is inf, not NaN); the wider type
    holds the exact product."""
    a, b = np.moveaxis(np.asarray(a), dim, -1), np.moveaxis(np.asarray(b), dim, -1)
    dtype = np.result_type(a, b)
    if dtype.kind != "f":
        return np.moveaxis(np.cross(a, b), -1, dim)
    i, j = [1, 2, 0], [2, 0, 1]
    second = a[..., j] * b[..., i]
    if dtype.itemsize < 8:   # (float64 holds a float32 product exactly)
        out = (a[..., i].astype(np.float64) * b[..., j] - second).astype(dtype)
    else:
        out = _fused_minus(a[..., i], b[..., j], second)
    return np.moveaxis(out, -1, dim)


def _fused_minus(x: np.ndarray, y: np.ndarray, second: np.ndarray) -> np.ndarray:
    """x * y - second with x * y exact (an FMA) for float64: the mantissas split in halves of 26 bits, whose
    products the 64-bit long double holds exactly, the largest part subtracted first (where the two cancel)."""
    wide = np.longdouble
    mx, ex = np.frexp(x)
    my, ey = np.frexp(y)
    hx, hy = np.round(mx * 2.0 ** 26) / 2.0 ** 26, np.round(my * 2.0 ** 26) / 2.0 ** 26
    lx, ly = mx - hx, my - hy
    scale = (ex + ey).astype(np.int64)
    hx, hy, lx, ly = (v.astype(wide) for v in (hx, hy, lx, ly))
    main = np.ldexp(hx * hy, scale) - second.astype(wide)
    out = main + np.ldexp(hx * ly + lx * hy, scale) + np.ldexp(lx * ly, scale)
    special = ~(np.isfinite(x) & np.isfinite(y))   # (frexp of inf/NaN: the plain product's inf/NaN)
    if special.any():
        out = np.where(special, x * y - second, out)
    return out.astype(x.dtype)


LinalgCrossBackward0 = derivative(
    "LinalgCrossBackward0", attrs="self_shape dim other_shape",
    self="sum_to(linalg_cross(other, grad, dim), self_shape)",
    other="sum_to(linalg_cross(grad, self, dim), other_shape)")


def _linalg_cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    x, y = input._data, other._data
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if not -x.ndim <= dim < max(x.ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], "
                         f"but got {dim})")
    if x.shape[dim] != 3 or y.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {x.shape[dim]} and "
                           f"{y.shape[dim]}")
    _check_first_dtype("cross", input, other)
    check_broadcast(x, y)
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = _cross_array(np.broadcast_to(x, shape), np.broadcast_to(y, shape), dim)
    return record(LinalgCrossBackward0, out, (input, other), self=input, other=other, dim=dim,
                  self_shape=tuple(x.shape), other_shape=tuple(y.shape))


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: without ``dim``, the first dimension of size 3 (deprecated in torch, with its warning)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=past_checks(2))
        sizes = [i for i, s in enumerate(input.shape) if s == 3]   # (input's own sizes, not the broadcast ones)
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    return _linalg_cross(input, other, dim)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.cross: the cross product along ``dim`` (default -1), broadcasting the other dims."""
    return _linalg_cross(input, other, dim)


# --- tensordot -------------------------------------------------------------------------------------

def _dims_list(dims) -> list:
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    return [int(d) for d in (dims if isinstance(dims, (list, tuple)) else [dims])]


def _check_tensordot_arguments(a, b, dims_a, dims_b) -> None:
    """What torch's Python tensordot passes to its C++ op, checked by its argument parser in order: two tensors,
    then the two dims lists (``tuple of ints``: a bare int is refused there)."""
    for position, key, value in ((1, "input", a), (2, "other", b)):
        if not isinstance(value, Tensor):
            raise not_tensor("tensordot", value, key, position)
    for position, key, value in ((3, "dims_self", dims_a), (4, "dims_other", dims_b)):
        if isinstance(value, (list, tuple)):
            bad = next((i for i, d in enumerate(value) if isinstance(d, (bool, float)) or not hasattr(d, "__index__")),
                       None)
            if bad is None:
                continue
            raise TypeError(f"tensordot(): argument '{key}' (position {position}) must be tuple of ints, but found "
                            f"element of type {python_type_name(value[bad])} at pos {bad}")
        raise TypeError(f"tensordot(): argument '{key}' (position {position}) must be tuple of ints, not "
                        f"{python_type_name(value)}")


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """ATen's tensordot: size-1 contracted dims summed first, then permute, reshape to matrices, mm, reshape.
    The dims are read as torch's Python code reads them, before the operands are checked (an int ``dims``
    reads ``a.dim()``: an AttributeError for a non-tensor)."""
    if not isinstance(dims, (tuple, list, Tensor, int)):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
                           f"containing two lists, but got dims={dims}")
    if isinstance(dims, (tuple, list)):
        dims_a, dims_b = dims
    elif isinstance(dims, Tensor):
        if dims.numel() > 1:
            if dims.size()[0] != 2:
                raise AssertionError(f"dims tensor must have size 2 in first dimension, got {dims.size()[0]}")
            dims_a, dims_b = dims[0].tolist(), dims[1].tolist()
        else:
            count = int(dims.item())
            if count < 0:
                raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
            dims_a, dims_b = list(range(-count, 0)), list(range(count))
    else:
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    _check_tensordot_arguments(a, b, dims_a, dims_b)
    dims_a, dims_b = _dims_list(dims_a), _dims_list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    t1, t2 = a, b
    csize = 1
    for d1, d2 in zip(dims_a, dims_b):
        s1, s2 = dim_size(a.shape, d1), dim_size(b.shape, d2)
        if s2 == 1:  # broadcast dimensions are summed right away
            t1 = _sum(t1, d1, keepdim=True)
        elif s1 == 1:
            t2 = _sum(t2, d2, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {d1} and "
                               f"second has size {s2} in dim {d2}")
        else:
            csize *= s1
    set1, set2 = {d % max(a.ndim, 1) for d in dims_a}, {d % max(b.ndim, 1) for d in dims_b}
    free1 = [i for i in range(a.ndim) if i not in set1]
    free2 = [i for i in range(b.ndim) if i not in set2]
    size1 = int(np.prod([a.shape[i] for i in free1], dtype=np.int64))
    size2 = int(np.prod([b.shape[i] for i in free2], dtype=np.int64))
    p1 = free1 + [d % a.ndim for d in dims_a]
    p2 = [d % b.ndim for d in dims_b] + free2
    shape = tuple(a.shape[i] for i in free1) + tuple(b.shape[i] for i in free2)
    q1, q2 = permute(t1, p1), permute(t2, p2)
    if size1 == 1 and size2 == 1:  # a full contraction: dot of the flattened operands, or (measured) a
        # squeezed mul + sum where either permuted operand is not contiguous
        if q1._data.flags.c_contiguous and q2._data.flags.c_contiguous:
            flat = [q if q.ndim == 1 else reshape(q, (csize,)) for q in (q1, q2)]
            return _out(view(dot(*flat), shape), out)
        return _out(view(_sum(mul(squeeze(q1), squeeze(q2))), shape), out)
    result = reshape(mm(reshape(q1, (size1, csize)), reshape(q2, (csize, size2))), shape)
    return _out(result, out)


def _out(result: Tensor, out) -> Tensor:
    return result if out is None else out.copy_(result)


# --- kron ------------------------------------------------------------------------------------------

def kron(input: Tensor, other: Tensor) -> Tensor:
    """ATen's kron: each operand viewed with interleaved singleton dims, one broadcast mul, one view."""
    maxdim = max(input.ndim, other.ndim)
    pad_a, pad_b = maxdim - input.ndim, maxdim - other.ndim
    a_shape, b_shape, result = [], [], []
    for i in range(maxdim):
        sa = input.shape[i - pad_a] if i >= pad_a else 1
        sb = other.shape[i - pad_b] if i >= pad_b else 1
        a_shape += [sa, 1]
        b_shape += [1, sb]
        result.append(sa * sb)
    return _unsafe_view(mul(_unsafe_view(input, tuple(a_shape)), _unsafe_view(other, tuple(b_shape))), tuple(result))


# --- vecdot ----------------------------------------------------------------------------------------

def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.vecdot: (x * y).sum(dim) for real inputs, as torch composes it."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_scalar(x)} and y of type {_scalar(y)} instead")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got {_scalar(x)}")
    if x.ndim == 1 and y.ndim == 1:  # torch: vdot for two vectors
        if x.shape != y.shape:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
                               f"have the same number of elements, but got {x.shape[0]} and {y.shape[0]} elements "
                               "respectively")
        return vdot(x, y)
    return _sum(mul(x, y), dim)


_dot_quiet = quiet(np.dot)  # BLAS: underflow and overflow pass silently, as in torch

VdotBackward0 = derivative("VdotBackward0", self="grad * other", other="grad * self")


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """torch.vdot for real vectors: the dot product, as its own node."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    data = np.asarray(_dot_quiet(input._data, other._data))
    return record(VdotBackward0, data, (input, other), self=input, other=other)


def _scalar(t: Tensor) -> str:
    from .._tensor_str import scalar_type_name
    return scalar_type_name(t.dtype)


# --- multi_dot -------------------------------------------------------------------------------------

def _chain_order(shapes: list) -> list:
    """The matrix-chain dynamic programme (first split of least cost), as ATen's matrix_chain_order."""
    n = len(shapes)
    p = [s[0] for s in shapes] + [shapes[-1][1]]
    cost: list[list] = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain(tensors: list, split: list, i: int, j: int) -> Tensor:
    if i == j:
        return tensors[i]
    k = split[i][j]
    return mm(_chain(tensors, split, i, k), _chain(tensors, split, k + 1, j))


def multi_dot(tensors, *, out=None) -> Tensor:
    """torch.linalg.multi_dot: 1-D ends as row/column vectors, mm in the cheapest order, viewed to the result."""
    tensors = list(tensors)
    for i, t in enumerate(tensors):   # torch's parser reads a TensorList before the op sees it
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {python_type_name(t)}")
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0].ndim, tensors[-1].ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i in range(1, n - 1):
        if tensors[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {tensors[i].ndim}D")
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_LEGACY[tensors[0]._data.dtype.name]} and tensor {i} "
                               f"{_LEGACY[t._data.dtype.name]}")
    out_shape = ([tensors[0].shape[0]] if first == 2 else []) + ([tensors[-1].shape[1]] if last == 2 else [])
    if first == 1:
        tensors[0] = unsqueeze(tensors[0], 0)
    if last == 1:
        tensors[-1] = unsqueeze(tensors[-1], -1)
    for i in range(n - 1):
        if tensors[i].shape[1] != tensors[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    if n == 2:
        result = mm(tensors[0], tensors[1])
    elif n == 3:
        a, b = tensors[0].shape
        c, d = tensors[1].shape[1], tensors[2].shape[1]
        if (a * c) * (b + d) > (b * d) * (a + c):
            result = mm(tensors[0], mm(tensors[1], tensors[2]))
        else:
            result = mm(mm(tensors[0], tensors[1]), tensors[2])
    else:
        result = _chain(tensors, _chain_order([t.shape for t in tensors]), 0, n - 1)
    result = view(result, tuple(out_shape))
    if out is not None:
        return out.copy_(result)
    return result


# --- matrix_power ----------------------------------------------------------------------------------

def matrix_power(A: Tensor, n: int) -> Tensor:
    """torch.linalg.matrix_power: eye for n = 0, the inverse for n < 0, then matmuls by binary decomposition."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if n == 0:
        eye = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A._data.shape)
        return clone(A).copy_(Tensor._make(np.ascontiguousarray(eye), False, None))
    a = A
    if n < 0:
        a, n = inv(A), -n
        if n == 1:
            return a
    elif n == 1:
        return clone(A)
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    z = result = None
    while n > 0:  # (n >= 1 here: result is set on the last bit)
        bit, n = n % 2, n // 2
        z = a if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    assert result is not None
    return result


methods(cross=cross, kron=kron, matrix_power=matrix_power)
