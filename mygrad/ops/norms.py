"""The matrix norms of torch.linalg (and its ``norm``), over the vector norms of ``reductions``.

Every vector norm is one LinalgVectorNormBackward0 node; the matrix 1- and inf-norms are torch's
composite (an amax/amin of a vector 1-norm), so their graphs match torch's; so are the spectral and
nuclear norms (amax/amin/sum of svdvals).
"""
from __future__ import annotations

import math

import numpy as np

from .._argument_types import check_argument, parser_error, python_type_name
from .._tensor import Tensor
from .reductions import amax, amin, dim_list, vector_norm

__all__ = ["matrix_norm", "norm"]  # torch.linalg's (mygrad.linalg re-exports them; not torch.norm)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    if not isinstance(dim, (tuple, list)):   # (torch's parser: its dim is an int[2], not an int)
        raise parser_error(f"linalg_matrix_norm(): argument 'dim' must be tuple of ints, not {python_type_name(dim)}")
    dim_list(dim)   # (an element that is no int: a TypeError before anything else)
    check_argument("linalg_matrix_norm", "dtype", "ScalarType", dtype, optional=True)
    if isinstance(ord, str) and ord not in ("fro", "nuc"):   # (torch checks a str order first)
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {_listed(dim)}")
    rows, cols = (A._wrap_dim(d) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        return _spectral(A, ord, rows, cols, keepdim, dtype)
    if not isinstance(ord, str) and abs(ord) in (1, math.inf):
        # 1: the largest column sum (sum over rows first); inf: the largest row sum
        summed, extreme = (rows, cols) if abs(ord) == 1 else (cols, rows)
        if ord > 0 and A._data.shape[extreme] == 0:   # torch: the max over nothing is 0, with no graph
            return _zeros_reduced(A, (rows, cols), keepdim, dtype)
        if not keepdim and summed < extreme:
            extreme -= 1
        return (amax if ord > 0 else amin)(vector_norm(A, 1, summed, keepdim, dtype=dtype), extreme, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _spectral(A: Tensor, ord, rows: int, cols: int, keepdim: bool, dtype) -> Tensor:
    """torch's composite: the two dims moved last, svdvals, then sum (nuc), amax (2) or amin (-2)."""
    from .decompositions import svdvals
    from .reductions import sum as _sum
    from .shape import permute, unsqueeze
    if dtype is not None:
        A = A.to(dtype)
    perm = [d for d in range(A.ndim) if d not in (rows, cols)] + [rows, cols]
    reduce = _sum if ord == "nuc" else amax if ord == 2 else amin
    result = reduce(svdvals(permute(A, perm)), -1, keepdim)
    if keepdim:
        result = permute(unsqueeze(result, -1), [perm.index(d) for d in range(A.ndim)])
    return result


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A matrix norm over two dims (or a 2-D input with an ``ord``, or any string ``ord``), else a
    vector norm: over ``dim``, or over everything when neither ``ord`` nor ``dim`` is given."""
    check_argument("linalg_norm", "dtype", "ScalarType", dtype, optional=True)
    if not isinstance(ord, str):
        check_argument("linalg_norm", "ord", "Number", ord, optional=True)
    ndim = A._data.ndim
    if dim is not None:
        dims = dim_list(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    elif ord is not None and ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{ndim}D.")
    else:
        dims = None
    if isinstance(ord, str) or (ord is not None and len(dims or range(ndim)) == 2):
        return matrix_norm(A, ord, (0, 1) if dims is None else dims, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


def _zeros_reduced(A: Tensor, dims: tuple, keepdim: bool, dtype) -> Tensor:
    shape = [1 if d in dims else n for d, n in enumerate(A._data.shape) if keepdim or d not in dims]
    return Tensor._make(np.zeros(shape, A._data.dtype if dtype is None else dtype.np), False, None)


def _listed(dim) -> str:
    """torch prints a dim list in this message as its numbers separated by spaces."""
    return " ".join(map(str, dim)) if isinstance(dim, (tuple, list)) else str(dim)

