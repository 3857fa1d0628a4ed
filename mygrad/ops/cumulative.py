"""Cumulative ops: cummax, cummin, logcumsumexp, and the integrals and differences torch composes
from other ops (trapezoid, cumulative_trapezoid, diff), composed here the same way so that their
graphs (node names, edges) are torch's.

cummax/cummin follow torch's kernel: an element equal to the running extremum takes over its index
(the last occurrence wins), and NaN, once met, is the extremum from there on.
"""
from __future__ import annotations

import numpy as np

from .._argument_types import parser_error, python_type_name
from .._quiet import quiet
from .._tensor import Tensor, wrap_dim
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import methods, record
from ._errors import not_implemented, not_tensor
from ._scalar import DivBackward1, MulBackward1, scalar_op

cummax_return, cummin_return = return_type("cummax"), return_type("cummin")


# ----- formula helpers ---------------------------------------------------------------------------------

def _reverse_logcumsumexp_array(x, dim):
    return np.flip(np.logaddexp.accumulate(np.flip(x, dim), axis=dim), dim)


def _logcumsumexp_backward_tensor(grad, self, result, dim):
    import mygrad
    if self.ndim == 0:
        return grad
    if self._data.size == 0:   # torch's backward returns fresh zeros here, outside the graph
        return mygrad.zeros_like(self)
    lowest = float(np.finfo(grad._data.dtype).min)
    log_pos = mygrad.where(grad > 0, mygrad.where(grad > 0, grad, 1.0).log(), lowest)
    log_neg = mygrad.where(grad < 0, mygrad.where(grad < 0, -grad, 1.0).log(), lowest)

    def reverse(t):
        return logcumsumexp(t.flip(dim), dim).flip(dim)
    return (reverse(log_pos - result) + self).exp() - (reverse(log_neg - result) + self).exp()


@formula_helper(tensor=_logcumsumexp_backward_tensor, name="logcumsumexp_backward")
@quiet
def _logcumsumexp_backward_array(grad, self, result, dim):
    """torch's stable form: positive and negative parts of grad in log space, reverse-accumulated."""
    grad, x = np.asarray(grad), np.asarray(self)
    if x.ndim == 0:
        return grad
    lowest = np.finfo(grad.dtype).min
    log_pos = np.where(grad > 0, np.log(np.where(grad > 0, grad, 1)), lowest)
    log_neg = np.where(grad < 0, np.log(np.where(grad < 0, -grad, 1)), lowest)
    pos = np.exp(_reverse_logcumsumexp_array(log_pos - result, dim) + x)
    neg = np.exp(_reverse_logcumsumexp_array(log_neg - result, dim) + x)
    return (pos - neg).astype(grad.dtype, copy=False)


def _cummaxmin_backward(namespace: dict, grad, self, indices, dim):
    """grad scattered (added) to the indices; an empty input is its own gradient, as torch's."""
    if np.size(indices) == 0:
        return self
    return namespace["_gather_backward"](grad, tuple(np.shape(indices)), dim, indices)


def _cummaxmin_backward_tensor(grad, self, indices, dim):
    from ..autograd import backends
    return _cummaxmin_backward(backends.TENSOR, grad, self, indices, dim)


@formula_helper(tensor=_cummaxmin_backward_tensor, name="cummaxmin_backward")
def _cummaxmin_backward_array(grad, self, indices, dim):
    from ..autograd import backends
    return _cummaxmin_backward(backends.ARRAY, grad, self, indices, dim)


CummaxBackward0 = derivative("CummaxBackward0", freed=("indices",), attrs="indices dim",
                             self="cummaxmin_backward(grad, self, indices, dim)")
CumminBackward0 = derivative("CumminBackward0", freed=("indices",), attrs="indices dim",
                             self="cummaxmin_backward(grad, self, indices, dim)")
LogcumsumexpBackward0 = derivative("LogcumsumexpBackward0", attrs="dim",
                                   self="logcumsumexp_backward(grad, self, result, dim)")


def _check_tensor(name: str, input) -> None:
    if not isinstance(input, Tensor):
        raise not_tensor(name, input)


# ----- cummax, cummin, logcumsumexp ----------------------------------------------------------------------

def _running_extremum(name: str, accumulate, node, result_type):
    def op(input: Tensor, dim: int):
        _check_tensor(name, input)
        data = input._data
        if data.ndim == 0 and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        if data.size:   # (torch returns an empty input as it is, whatever the dim)
            dim = input._wrap_dim(dim)
        if data.ndim == 0 or data.size == 0:
            values, indices = data.copy(), np.zeros(data.shape, np.int64)
        else:
            values = accumulate(data, axis=dim)
            takes_over = data == values
            if data.dtype.kind == "f":
                takes_over |= np.isnan(data)
            positions = np.arange(data.shape[dim]).reshape([-1 if d == dim else 1 for d in range(data.ndim)])
            indices = np.maximum.accumulate(np.where(takes_over, positions, 0), axis=dim)
        out = record(node, values, (input,), self=input, dim=dim, indices=indices)
        return result_type(out, Tensor._make(indices.astype(np.int64), False, None))

    op.__name__ = op.__qualname__ = name
    return op


cummax = _running_extremum("cummax", np.maximum.accumulate, CummaxBackward0, cummax_return)
cummin = _running_extremum("cummin", np.minimum.accumulate, CumminBackward0, cummin_return)


@quiet
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    _check_tensor("logcumsumexp", input)
    data = input._data
    if data.dtype.kind != "f":
        raise not_implemented("logcumsumexp_out_cpu", data)
    dim = input._wrap_dim(dim)
    out = np.logaddexp.accumulate(data, axis=dim) if data.ndim else data.copy()
    return record(LogcumsumexpBackward0, np.asarray(out, data.dtype), (input,), self=input, dim=dim)


# ----- trapezoid, cumulative_trapezoid ---------------------------------------------------------------

def _slices(y: Tensor, dim: int) -> tuple:
    """y.slice(dim, 0, -1) and y.slice(dim, 1): SliceBackward0 views, as torch's."""
    from .indexing import narrow
    n = y.shape[dim]
    return narrow(y, dim, 0, max(n - 1, 0)), narrow(y, dim, min(n, 1), max(n - 1, 0))


def _spacing(y: Tensor, x: Tensor, dim: int, name: str) -> Tensor:
    """dx from sample points ``x`` (1-D: along ``dim``; fewer dims: padded in front), as torch does."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        sizes = [1] * y.ndim
        sizes[dim] = x.shape[0]
        x = x.view(*sizes)
    elif x.ndim < y.ndim:
        x = x.view(*([1] * (y.ndim - x.ndim) + list(x.shape)))
    left, right = _slices(x, dim)
    return right - left


def _integration_args(name: str, y: Tensor, x, dx, dim: int):
    _check_tensor(name, y)
    if x is not None and dx is not None:
        raise RuntimeError(f"{name}: received both `x` and `dx`; only one may be specified.")
    if y._data.ndim == 0:   # (torch's messages: with ``x`` the dim is wrapped first; without, a slice fails)
        if isinstance(x, Tensor):
            dim = wrap_dim(dim, 0)
        elif name == "cumulative_trapezoid":
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return y._wrap_dim(dim)


def _check_not_bool(name: str, y: Tensor, x) -> None:
    """torch refuses bool samples (after trapezoid's empty integral, which is zeros of y's dtype)."""
    if isinstance(x, Tensor):
        if y._data.dtype == np.bool_ or x._data.dtype == np.bool_:
            raise RuntimeError(f"{name}: received a bool input for `x` or `y`, but bool is not supported")
    elif y._data.dtype == np.bool_:
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")


def trapezoid(y: Tensor, x=None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: spacing ``dx`` (default 1) or sample points ``x``."""
    from .indexing import select
    from .reductions import sum as sum_
    dim = _integration_args("trapezoid", y, x, dx, dim)
    if y.shape[dim] == 0:
        from .._creation import zeros
        return zeros(*[n for d, n in enumerate(y.shape) if d != dim], dtype=y.dtype)
    _check_not_bool("trapezoid", y, x)
    if isinstance(x, Tensor):
        left, right = _slices(y, dim)
        return scalar_op(DivBackward1, sum_((left + right) * _spacing(y, x, dim, "trapezoid"), dim), 2.0,
                          np.true_divide)
    step = 1.0 if x is None and dx is None else float(dx if dx is not None else x)
    ends = select(y, dim, 0) + select(y, dim, -1)
    return scalar_op(MulBackward1, sum_(y, dim) - scalar_op(MulBackward1, ends, 0.5, np.multiply), step,
                      np.multiply)


def trapz(y: Tensor, x=None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    from .reductions import cumsum
    dim = _integration_args("cumulative_trapezoid", y, x, dx, dim)
    _check_not_bool("cumulative_trapezoid", y, x)
    left, right = _slices(y, dim)
    if isinstance(x, Tensor):
        return scalar_op(DivBackward1, cumsum((left + right) * _spacing(y, x, dim, "cumulative_trapezoid"), dim),
                          2.0, np.true_divide)
    step = 1.0 if x is None and dx is None else float(dx if dx is not None else x)
    return cumsum(scalar_op(MulBackward1, left + right, step / 2.0, np.multiply), dim)


# ----- diff -----------------------------------------------------------------------------------------

def _check_diff_other(input: Tensor, other, dim: int) -> None:
    if other is None:
        return
    if other.ndim != input.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for i in range(other.ndim):
        if i != dim and other.shape[i] != input.shape[i]:
            raise RuntimeError(f"diff expects the shape of tensor to prepend or append to match that of input except "
                               f"along the differencing dimension; input.size({i}) = {input.shape[i]}, but got "
                               f"tensor.size({i}) = {other.shape[i]}")


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """n-th forward differences along ``dim`` (the XOR of neighbours for bool), as repeated
    ``narrow(1:) - narrow(:-1)``; n = 0 is a copy (CopyBackwards), n beyond the size stops there."""
    from .indexing import narrow
    from .join import cat
    _check_tensor("diff", input)
    for key, other in (("prepend", prepend), ("append", append)):   # (torch's parser: a Tensor or None)
        if other is not None and not isinstance(other, Tensor):
            raise parser_error(f"diff(): argument '{key}' must be Tensor, not {python_type_name(other)}")
    if input.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if n == 0 and prepend is None and append is None:   # (torch's copy, before anything reads the dim)
        from .._creation import zeros_like
        return zeros_like(input).copy_(input)
    dim = input._wrap_dim(dim)
    _check_diff_other(input, prepend, dim)
    _check_diff_other(input, append, dim)
    if n == 0:
        from .._creation import zeros_like
        return zeros_like(input).copy_(input)
    if prepend is not None or append is not None:
        input = cat([t for t in (prepend, input, append) if t is not None], dim)
    result = input
    out_len = input.shape[dim] - 1
    for _ in range(min(n, input.shape[dim])):
        upper, lower = narrow(result, dim, 1, out_len), narrow(result, dim, 0, out_len)
        if result._data.dtype == np.bool_:
            result = Tensor._make(np.logical_xor(upper._data, lower._data), False, None)
        else:
            result = upper - lower
        out_len -= 1
    return result


methods(cummax=cummax, cummin=cummin, logcumsumexp=logcumsumexp, diff=diff)
__all__ = ["cummax", "cummin", "logcumsumexp", "trapezoid", "trapz", "cumulative_trapezoid", "diff"]
