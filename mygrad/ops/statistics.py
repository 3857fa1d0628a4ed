"""Reductions that return two results from one node: ``std_mean``, ``var_mean`` (StdMeanBackward0,
VarMeanBackward0) and ``aminmax`` (AminmaxBackward0, a ``torch.return_types.aminmax``).

Their derivatives are the sums of the one-result reductions' (torch's ``std_mean_backward`` and the
aminmax line of derivatives.yaml): the moment's formula on the first gradient plus the mean's on the
second; each extremum's gradient split evenly between its ties, as amax/amin do.
"""
from __future__ import annotations

import builtins

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import methods, record_multi
from .reductions import (
    NO_DIM,
    _check_nonempty,
    _floating_only,
    _signed_zero_extremum,
    benign,
    normalize_dims,
    std,
    var,
    welford,
)

_MEAN = "unreduce(grad[1], shape, dims, keepdim) / count"
# one term per output: torch's var_mean/std_mean backward skips the term of an output no gradient reached
StdMeanBackward0 = derivative(
    "StdMeanBackward0", attrs="dims correction keepdim rnumel full count shape", multi_output=True,
    self=("std_backward(result, grad[0], self, dims, correction, keepdim, rnumel, full)", _MEAN))
VarMeanBackward0 = derivative(
    "VarMeanBackward0", attrs="dims correction keepdim rnumel full count shape", multi_output=True,
    self=("var_backward(grad[0], self, dims, correction, keepdim, rnumel, full)", _MEAN))
# both extrema saved, as torch's node saves them (an in-place edit of either breaks the backward)
AminmaxBackward0 = derivative(
    "AminmaxBackward0", attrs="dims shape keepdim", multi_output=True, outputs="min max",
    self="scale_grad_by_count(unreduce(grad[0], shape, dims, keepdim), self == unreduce(min, shape, dims, keepdim), "
         "dims) + scale_grad_by_count(unreduce(grad[1], shape, dims, keepdim), self == unreduce(max, shape, dims, "
         "keepdim), dims)")

aminmax_return = return_type("aminmax", ("min", "max"))


def _running_mean(data: np.ndarray, dims: tuple, keepdim: bool) -> np.ndarray:
    """torch's mean of std_mean/var_mean: Welford's running mean, mean += (x - mean) / n over the reduced
    elements in order (the reduced dims last, in axis order), in float64 for float32 too.  On finite data of
    moderate size that is the ordinary mean; with an inf (NaN once anything follows it) or values whose
    differences overflow it is not, so there the recurrence itself runs, one step per reduced element."""
    wide = np.longdouble if data.dtype == np.float64 else np.float64
    finite = np.isfinite(data)
    if data.size == 0 or (finite.all() and np.abs(data).max() < np.finfo(data.dtype).max / 4):
        return np.asarray(data.astype(wide).mean(axis=dims, keepdims=keepdim), data.dtype)
    acc = np.float64  # torch's accumulation type on CPU
    reduced = np.moveaxis(data, dims, tuple(range(data.ndim - len(dims), data.ndim))).astype(acc)
    flat = reduced.reshape(reduced.shape[:data.ndim - len(dims)] + (-1,))
    mean = np.zeros(flat.shape[:-1], acc)
    for i in range(flat.shape[-1]):
        mean = mean + (flat[..., i] - mean) / acc(i + 1)
    shape = [1 if d in dims else n for d, n in enumerate(data.shape)] if keepdim else \
        [n for d, n in enumerate(data.shape) if d not in dims]
    return np.asarray(mean.reshape(shape), data.dtype)


def _moment_mean(name: str, node, moment):
    """std_mean/var_mean with std/var's overloads; the moment is std's or var's own forward."""
    def reduce(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
               axis=NO_DIM) -> tuple:
        dim = dim if axis is NO_DIM else axis
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        _floating_only(input, f"{name} only support floating point and complex dtypes", dim)
        with no_grad():
            spread = moment(input, dim, unbiased, keepdim, correction=correction)._data
        data = input._data
        dims = normalize_dims(input, dim, one_by_one=True)
        correction = (1 if unbiased is None or unbiased else 0) if correction is None else correction
        running = None
        if data.size and not benign(data):   # torch's Welford kernel for both (var's own is two-pass for one output)
            running = welford(data, dims, keepdim)
            dof = builtins.max(0, int(np.prod([data.shape[d] for d in dims])) - correction)
            with np.errstate(all="ignore"):
                spread = np.asarray(running[1] / np.float64(dof), np.float64)
                spread = np.asarray(np.sqrt(spread) if name == "std_mean" else spread, data.dtype)
        full = dim is None or data.ndim == 0
        rnumel = data.size if full else int(np.prod([data.shape[input._wrap_dim(d)] for d in
                                                     ((dim,) if isinstance(dim, int) else dim)]))
        count = int(np.prod([data.shape[d] for d in dims]))
        mean = np.asarray(running[0], data.dtype) if running is not None else \
            _running_mean(data, dims, keepdim) if data.ndim else data.copy()
        return tuple(record_multi(node, (spread, mean), (input,), self=input, shape=data.shape, dims=dims,
                                  correction=correction, keepdim=keepdim, rnumel=rnumel, full=full, count=count))

    reduce.__name__ = reduce.__qualname__ = name
    return quiet(reduce)  # (the mean of an empty slice is NaN, silently, as torch's)


std_mean = _moment_mean("std_mean", StdMeanBackward0, std)
var_mean = _moment_mean("var_mean", VarMeanBackward0, var)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> aminmax_return:
    """torch.aminmax: both extrema in one pass; ties share each gradient evenly (as amax/amin)."""
    data = input._data
    if dim is None:
        dims = tuple(range(data.ndim))
        if not data.size:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
    else:
        dims = normalize_dims(input, dim)
        _check_nonempty("aminmax", data, dims)
    if data.ndim:
        low, high = np.min(data, axis=dims, keepdims=keepdim), np.max(data, axis=dims, keepdims=keepdim)
        if dim is None and keepdim:  # torch's all-dims aminmax keeps every dim as size 1
            low, high = low.reshape((1,) * data.ndim), high.reshape((1,) * data.ndim)
    else:
        low, high = data.copy(), data.copy()
    low = _signed_zero_extremum(np.asarray(low), data, dims, keepdim, last=False)
    high = _signed_zero_extremum(np.asarray(high), data, dims, keepdim, last=False)
    outs = record_multi(AminmaxBackward0, (low, high), (input,), self=input, shape=data.shape, dims=dims,
                        keepdim=keepdim)
    return aminmax_return(*outs)


def _aminmax_method(self: Tensor, *, dim: int | None = None, keepdim: bool = False) -> aminmax_return:
    return aminmax(self, dim=dim, keepdim=keepdim)


methods(aminmax=_aminmax_method)

__all__ = ["aminmax", "std_mean", "var_mean"]
