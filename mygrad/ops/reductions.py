"""Reductions over all dims or over ``dim`` (int, tuple, negative, ``()`` meaning all), with keepdim,
and the scans (cumsum, cumprod) and index reductions (argmax, argmin).

The overload decides the node name: ``a.sum()`` is SumBackward0, ``a.sum(0)`` SumBackward1, but
``a.max()`` is MaxBackward1 and ``a.max(0)`` MaxBackward0.  Ties follow torch: a full max/min
splits the gradient evenly between equal maxima, max(dim)/min(dim) gives it all to the index
returned (the first occurrence), amax/amin split it evenly within each reduced slice.
"""
from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype
from .._argument_types import Number, argument_types, check_argument, int_list, parser_error
from .._layout import row_major
from .._quiet import quiet
from .._summation import add_reduce, ordered_prod, torch_sum
from .._tensor import Tensor, wrap_dim
from ..autograd import forward_ad, grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import inplace_method, methods, record
from ._errors import not_tensor, past_checks, python_type_name
from .elementwise import maximum, minimum, where
from .unary import _FUNCTIONS as _UNARY, _sign

# ----- formula helpers -----------------------------------------------------------------------
# Helpers written once over ``F``, the primitives of one side: NumPy arrays on the fast path,
# differentiable mygrad ops under create_graph (so double backward differentiates the same math).

class _ArrayOps:
    """The fast path: NumPy arrays, nothing recorded."""

    where = staticmethod(np.where)

    @staticmethod
    @quiet
    def mean(x, dims, keepdim):
        """torch's mean, its sum in its kernel's order (var's backward subtracts it: a last bit, or huge terms
        cancelling, decide the sign of an infinite gradient there), divided by the count."""
        axes = tuple(range(np.ndim(x))) if dims is None else dims
        count = math.prod(np.shape(x)[d] for d in axes)
        return np.asarray(torch_sum(x, axes, keepdim) / x.dtype.type(count), x.dtype)

    @staticmethod
    def unsqueeze_dims(x, dims):
        return np.expand_dims(x, dims)

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def const(array):
        """A value that carries no gradient (a mask, a sign)."""
        return array

    @staticmethod
    def raw(x):
        return x

    sign = staticmethod(_sign)  # torch's: sign(nan) is 0
    abs = staticmethod(np.abs)

    @staticmethod
    def reversed_cumsum(x, dim):
        return np.flip(scan(np.cumsum, np.flip(x, dim), dim), dim)   # (torch's cumsum kernel: scan)

    @staticmethod
    def others_product(x, dim):
        """prod_{j != i} x_j along ``dim``, zeros allowed: exclusive prefix times exclusive suffix products
        (each a cumprod as torch's, with its wider running product)."""
        ones = np.ones_like(np.take(x, [0], axis=dim))
        before = scan(np.cumprod, np.concatenate([ones, np.delete(x, -1, axis=dim)], axis=dim), dim)
        after = scan(np.cumprod, np.concatenate([ones, np.flip(np.delete(x, 0, axis=dim), dim)], axis=dim), dim)
        return before * np.flip(after, dim)

    @staticmethod
    def several_zeros(x) -> bool:
        """torch's full prod backward gives plain zeros when more than one element is 0 (outside grad mode)."""
        return bool(np.count_nonzero(x == 0) > 1)

    @staticmethod
    @quiet
    def cumprod_backward_zeros(grad, x, dim, result):
        """torch's O(n) kernel (no grad mode): before the first zero z, sum_{k >= i} g_k y_k / x_i with the
        forward's y; at z, y_{z-1} times the gradient of the products restarted after z (each masked
        product taken as torch takes it: an inf times a masked 0 is NaN there too); 0 after z."""
        is_zero = x == 0
        zeros_so_far = np.cumsum(is_zero, axis=dim)
        before = zeros_so_far == 0
        out = np.where(before, _ArrayOps.reversed_cumsum(np.where(before, result * grad, 0), dim) / x, 0)
        in_first = zeros_so_far == 1
        first_index = np.argmax(in_first, axis=dim, keepdims=True)
        first_zero = in_first & (np.arange(x.shape[dim]).reshape([-1 if d == dim else 1 for d in range(x.ndim)])
                                 == first_index)
        restarted = scan(np.cumprod, np.where(in_first & ~first_zero, x, x.dtype.type(1)), dim)
        tail = np.sum(restarted * np.where(in_first, grad, 0), axis=dim, keepdims=True)
        earlier = np.take_along_axis(result, np.maximum(first_index - 1, 0), axis=dim)
        tail = tail * np.where(first_index == 0, result.dtype.type(1), earlier)
        return np.where(first_zero, tail, out).astype(grad.dtype, copy=False)


class _TensorOps:
    """create_graph: mygrad ops, so the gradient is itself differentiable."""

    @staticmethod
    def where(cond, a, b):
        return where(cond, a, b)

    @staticmethod
    def mean(x, dims, keepdim):
        """torch's mean node (MeanBackward1) holding torch's value (``_ArrayOps.mean``'s sum order: NumPy's can
        differ in the last bit, which var's backward turns into the sign of an infinite gradient); the node
        saves no output, so the value is written into the fresh result."""
        out = x.mean(dims, keepdim=keepdim)
        out._data[...] = _ArrayOps.mean(x._data, dims, keepdim)
        return out

    @staticmethod
    def unsqueeze_dims(x, dims):
        for d in dims:
            x = x.unsqueeze(d)
        return x

    @staticmethod
    def reshape(x, shape):
        return x.reshape(shape)

    @staticmethod
    def const(array):
        return Tensor._make(np.asarray(array), False, None)

    @staticmethod
    def raw(x):
        return x._data if isinstance(x, Tensor) else np.asarray(x)

    @staticmethod
    def sign(x):
        """In the graph with a zero derivative (torch's sgn), so a norm's second derivative is 0, not absent."""
        return _UNARY["sign"](x)

    @staticmethod
    def abs(x):
        return _UNARY["abs"](x)

    @staticmethod
    def several_zeros(x) -> bool:
        return False  # under create_graph torch differentiates the others' product instead

    @staticmethod
    def reversed_cumsum(x, dim):
        return x.flip(dim).cumsum(dim).flip(dim)

    @staticmethod
    def others_product(x, dim):
        """torch's prod_safe_zeros_backward: the exclusive running products from both ends (cat, cumprod,
        flip), multiplied; so are its overflows, underflows and NaN, and its derivative (cumprod's)."""
        if x.shape[dim] == 1:   # no others: the empty product, a constant (as torch's)
            return _TensorOps.const(np.ones_like(x._data))
        from .indexing import narrow
        from .join import cat
        n = x.shape[dim]
        ones = _TensorOps.const(np.ones_like(np.take(x._data, [0], axis=dim)))
        before = cumprod(cat([ones, narrow(x, dim, 0, n - 1)], dim), dim)
        after = cumprod(cat([ones, narrow(x, dim, 1, n - 1).flip(dim)], dim), dim).flip(dim)
        return before * after

    @staticmethod
    def cumprod_backward_zeros(grad, x, dim, result):
        """torch's grad-mode formula (its derivative is cumprod's true second derivative at zeros): for each
        k, sum_{j >= k} g_j prod_{i <= j, i != k} x_i, the products as torch forms them (the product before
        k times the running product after it), one slice at a time."""
        from .indexing import narrow
        from .join import cat, stack
        n = x.shape[dim]
        ones = _TensorOps.const(np.ones_like(np.take(grad._data, [0], axis=dim)))
        slices = []
        for k in range(n):
            if k == 0:
                omitted = cat([ones, cumprod(narrow(x, dim, 1, n - 1), dim)], dim)
            else:
                until = prod(narrow(x, dim, 0, k), dim, True)
                if k == n - 1:
                    omitted = until
                else:
                    after = cumprod(narrow(x, dim, k + 1, n - k - 1), dim)
                    omitted = cat([until, until.expand_as(after) * after], dim)
            slices.append((narrow(grad, dim, k, n - k) * omitted).sum(dim))
        return stack(slices, dim)


def _ops(grad):
    """The primitives of the side ``grad`` is on: the helpers below are written once, over ``F``."""
    return _TensorOps if isinstance(grad, Tensor) else _ArrayOps


@formula_helper(tensor="same")
def evenly_distribute_backward(grad, input, value):
    """Full max/min: equal maxima share the gradient; a NaN maximum gets it (NaN is the max)."""
    F = _ops(grad)
    x, v = F.raw(input), F.raw(value)
    mask = np.isnan(x) if np.isnan(v) else x == v
    return F.where(F.const(mask), grad / int(mask.sum()), 0)


@formula_helper(tensor="same")
def value_selecting_reduction_backward(grad, dim, indices, shape, keepdim):
    """max(dim)/min(dim): the whole gradient goes to the returned index of each slice."""
    F = _ops(grad)
    if not shape:
        return grad
    if not keepdim:
        grad = F.unsqueeze_dims(grad, (dim,))
        indices = np.expand_dims(indices, dim)
    positions = np.arange(shape[dim]).reshape([-1 if d == dim else 1 for d in range(len(shape))])
    return F.where(F.const(positions == indices), grad, 0)


@formula_helper(tensor="same")
def scale_grad_by_count(grad, mask, dims):
    """amax/amin: ``grad`` split evenly between the ``mask``ed (tied) elements of each reduced slice.
    A NaN extremum matches nothing, so the count is 0 and the slice's gradient NaN, as torch's."""
    F = _ops(grad)
    m = F.raw(mask)
    count = np.sum(m, axis=dims, keepdims=True).astype(F.raw(grad).dtype)
    return grad / F.const(count) * F.const(m.astype(count.dtype))


@formula_helper(tensor="same")
def prod_backward(grad, input, result, dim, keepdim):
    """d prod / d x_i: result / x_i without zeros, else the product of the others (``dim`` None: all)."""
    F = _ops(grad)
    x = F.raw(input)
    if x.ndim == 0:
        return grad
    if dim is not None and not keepdim:
        grad, result = F.unsqueeze_dims(grad, (dim,)), F.unsqueeze_dims(result, (dim,))
    if not (x == 0).any():
        return grad * (result / input)
    if dim is None:
        if F.several_zeros(x):
            return F.const(np.zeros_like(x))
        return grad * F.reshape(F.others_product(F.reshape(input, (-1,)), 0), x.shape)
    return grad * F.others_product(input, dim)


@formula_helper(tensor="same")
def cumsum_backward(grad, dim):
    """Each input reaches every later output: the gradient summed from the end."""
    F = _ops(grad)
    if F.raw(grad).ndim == 0 or grad.shape[dim] == 1:
        return grad
    return F.reversed_cumsum(grad, dim)


@formula_helper(tensor="same")
def cumprod_backward(grad, input, dim, result):
    """sum_{k >= i} g_k y_k / x_i while no x is 0; zeros need the products without x_i."""
    F = _ops(grad)
    x = F.raw(input)
    if x.size <= 1 or x.shape[dim] == 1:
        return grad
    if not (x == 0).any():
        return F.reversed_cumsum(result * grad, dim) / input
    return F.cumprod_backward_zeros(grad, input, dim, result)


@formula_helper(tensor="same")
def var_backward(grad, self, dims, correction, keepdim, rnumel, full):
    """``rnumel``: how many elements each output value reduces (torch counts 1 for ``dim=()``,
    so its backward then divides by 1 - correction while the forward reduces everything)."""
    F = _ops(grad)
    if full:
        dof = rnumel - correction
        if dof <= 0:
            x = F.raw(self)
            return grad * F.const(np.where(x == _ArrayOps.mean(x, None, False), np.nan, np.inf).astype(x.dtype))
        return (2.0 / dof) * grad * (self - F.mean(self, None, False))
    if not keepdim:
        grad = F.unsqueeze_dims(grad, dims)
    dof = rnumel - correction
    scale = 2.0 / dof if dof != 0 else math.inf
    return scale * grad * (self - F.mean(self, dims or None, True))


@formula_helper(tensor="same")
def std_backward(result, grad, self, dims, correction, keepdim, rnumel, full):
    F = _ops(grad)
    grad_var = F.where(F.const(F.raw(result) == 0), 0, grad / (result * 2))
    return var_backward(grad_var, self, dims, correction, keepdim, rnumel, full)


@formula_helper(tensor="same")
def norm_backward(grad, self, ord, result, dims, keepdim):
    """Gradient of the vector ``ord``-norm; 0 where the norm is 0 (torch masks it, no NaN)."""
    F = _ops(grad)
    if not keepdim and F.raw(self).ndim:
        grad, result = F.unsqueeze_dims(grad, dims), F.unsqueeze_dims(result, dims)
    x, norm = F.raw(self), F.raw(result)
    if ord == 0:
        return None
    sign = F.sign(self)
    if ord == 1:
        return sign * grad
    if ord == 2:
        return grad * F.where(F.const(norm == 0), 0, self / result)
    if math.isinf(ord):
        mask = (np.abs(x) == norm) | np.isnan(x)
        count = np.sum(mask, axis=dims, keepdims=True).astype(x.dtype)
        return sign * (grad / F.const(count) * F.const(mask.astype(x.dtype)))
    abs_self = F.abs(self)
    if ord < 1:
        scaled = sign * F.where(F.const(x == 0), 0, abs_self ** (ord - 1))
        return scaled * grad * result ** (1 - ord)
    scaled = sign * abs_self ** (ord - 1) if ord < 2 else self * abs_self ** (ord - 2)
    return scaled * F.where(F.const(norm == 0), 0, grad / result ** (ord - 1))


# ----- derivatives (one line per input, as in torch's derivatives.yaml) -----------------------
SumBackward0 = derivative("SumBackward0", attrs="shape", self="expand(grad, shape)")
SumBackward1 = derivative("SumBackward1", attrs="shape dims keepdim", self="unreduce(grad, shape, dims, keepdim)")
MeanBackward0 = derivative("MeanBackward0", attrs="numel shape", self="expand(grad, shape) / numel")
MeanBackward1 = derivative("MeanBackward1", attrs="count shape dims keepdim",
                           self="unreduce(grad, shape, dims, keepdim) / count")
NansumBackward0 = derivative("NansumBackward0", attrs="shape dims keepdim",
                             self="unreduce(grad, shape, dims, keepdim) * (self == self)")
ProdBackward0 = derivative("ProdBackward0", self="prod_backward(grad, self, result, None, False)")
ProdBackward1 = derivative("ProdBackward1", attrs="dim keepdim", self="prod_backward(grad, self, result, dim, keepdim)")
MaxBackward1 = derivative("MaxBackward1", self="evenly_distribute_backward(grad, self, result)")
MinBackward1 = derivative("MinBackward1", self="evenly_distribute_backward(grad, self, result)")
MaxBackward0 = derivative("MaxBackward0", freed=("indices",), attrs="dim indices shape keepdim",
                          self="value_selecting_reduction_backward(grad, dim, indices, shape, keepdim)")
MinBackward0 = derivative("MinBackward0", freed=("indices",), attrs="dim indices shape keepdim",
                          self="value_selecting_reduction_backward(grad, dim, indices, shape, keepdim)")
_EXTREMUM_SLICES = ("scale_grad_by_count(unreduce(grad, shape, dims, keepdim), "
                    "self == unreduce(result, shape, dims, keepdim), dims)")
AmaxBackward0 = derivative("AmaxBackward0", attrs="dims shape keepdim", self=_EXTREMUM_SLICES)
AminBackward0 = derivative("AminBackward0", attrs="dims shape keepdim", self=_EXTREMUM_SLICES)
VarBackward0 = derivative("VarBackward0", attrs="dims correction keepdim rnumel full",
                          self="var_backward(grad, self, dims, correction, keepdim, rnumel, full)")
StdBackward0 = derivative("StdBackward0", attrs="dims correction keepdim rnumel full",
                          self="std_backward(result, grad, self, dims, correction, keepdim, rnumel, full)")
LogsumexpBackward0 = derivative(
    "LogsumexpBackward0", attrs="shape dims keepdim",
    self="unreduce(grad, shape, dims, keepdim) * exp(self - unreduce(result, shape, dims, "
                               "keepdim))")
LinalgVectorNormBackward0 = derivative("LinalgVectorNormBackward0", attrs="ord dims keepdim",
                                       self="norm_backward(grad, self, ord, result, dims, keepdim)")
def _norm_jvp_tensor(self, self_t, ord, norm, dims, keepdim):
    """torch's norm_jvp (forward mode, over tensors): each order's terms summed before the norm divides or
    multiplies them, so an infinite element or norm gives torch's inf or NaN (the transposed backward's
    elementwise product gives 0 * inf = NaN where torch's sum is then scaled by an infinite norm)."""
    if ord == 0:
        return norm.detach() * 0
    if ord == 1:
        return (self.sgn() * self_t).sum(dims, keepdim)
    if ord == 2:
        return ((self * self_t).sum(dims, keepdim) / norm).masked_fill(norm == 0, 0)
    if math.isinf(ord):
        if not keepdim and self.ndim:
            norm = _TensorOps.unsqueeze_dims(norm, dims)
        at_max = ((self.abs() == norm) | (self.isnan() & norm.isnan())).to(norm.dtype)
        count = at_max.sum(dims, keepdim=True) if self.ndim else at_max
        return (self.sgn() * self_t * at_max / count).sum(dims, keepdim)
    if ord < 1:
        terms = self.abs().pow(ord - 1).masked_fill(self == 0, 0) * (self.sgn() * self_t)
        return terms.sum(dims, keepdim) * norm.pow(1 - ord)
    terms = self.abs().pow(ord - 1) * (self.sgn() * self_t) if ord < 2 else self.abs().pow(ord - 2) * (self * self_t)
    return (terms.sum(dims, keepdim) / norm.pow(ord - 1)).masked_fill(norm == 0, 0)


def _cumprod_jvp_tensor(self_t, self, result, dim):
    """torch's cumprod_jvp (over tensors): cumsum(self_t / self) * result, and after each slice's first zero
    the running product of the inputs with that zero's tangent in its place."""
    gradient = (self_t / self).cumsum(dim) * result
    if self.ndim == 0:
        return where(self == 0, self_t, gradient)
    zeros = self == 0
    first_zero = zeros & (zeros.cumsum(dim) == 1)
    after = where(first_zero, self_t, self).cumprod(dim)
    return where(first_zero.cumsum(dim) != 0, after, gradient)


formula_helper(_cumprod_jvp_tensor, tensor=_cumprod_jvp_tensor, name="cumprod_jvp")
forward_ad.TANGENTS["CumprodBackward0"] = "cumprod_jvp(self_t, self, result, dim)"
formula_helper(_norm_jvp_tensor, tensor=_norm_jvp_tensor, name="norm_jvp")   # (tangent formulas run over tensors)
forward_ad.TANGENTS["LinalgVectorNormBackward0"] = "norm_jvp(self, self_t, ord, result, dims, keepdim)"
forward_ad.TANGENTS["NormBackward1"] = "norm_jvp(self, self_t, ord, result, dims, keepdim)"

# ATen's norm(self, p, dim, keepdim), which composites such as pairwise_distance call: the same derivative
NormBackward1 = derivative("NormBackward1", attrs="ord dims keepdim",
                           self="norm_backward(grad, self, ord, result, dims, keepdim)")
CumsumBackward0 = derivative("CumsumBackward0", attrs="dim", self="cumsum_backward(grad, dim)")
CumprodBackward0 = derivative("CumprodBackward0", attrs="dim", self="cumprod_backward(grad, self, dim, result)")


# ----- shared argument handling ---------------------------------------------------------------

def dim_list(dim) -> tuple:
    """torch's int[] ``dim`` as given (an int or a sequence of ints), or its parser's TypeError."""
    dims = (dim,) if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool) else dim
    if not isinstance(dims, (list, tuple)) or not all(isinstance(d, (int, np.integer)) for d in dims):
        raise TypeError(f"argument 'dim' must be tuple of ints, not {python_type_name(dim)}")   # torch's parser
    return tuple(dims)


def normalize_dims(t: Tensor, dim, one_by_one: bool = False) -> tuple:
    """torch's ``dim`` argument as sorted non-negative axes; ``()``/``[]`` mean every dim.  Errors as torch.
    A 0-d tensor accepts dim 0 and -1 and has no axis to reduce.  ``one_by_one``: each dim wrapped and looked
    for among the ones before it in turn (torch's ``make_dim_mask``, which nansum, var, std and vector_norm
    call first: ``(0, 0, 5)`` repeats a dim there), not every dim wrapped first (sum's and mean's meta
    functions: a dim out of range)."""
    if _every_dim(dim):
        return tuple(range(t._data.ndim))
    if one_by_one:
        wrapped: list = []
        for d in dim_list(dim):
            d = t._wrap_dim(d)
            if d in wrapped:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            wrapped.append(d)
    else:
        wrapped = [t._wrap_dim(d) for d in dim_list(dim)]
        if len(set(wrapped)) < len(wrapped):
            raise RuntimeError(f"dim {next(d for i, d in enumerate(wrapped) if d in wrapped[:i])} appears multiple "
                               f"times in the list of dims")
    return tuple(sorted(wrapped)) if t._data.ndim else ()   # a 0-d tensor's dim 0 is itself


def _type_name(np_dtype) -> str:
    from .._tensor_str import scalar_type_name
    return scalar_type_name(_dtype.from_numpy_dtype(np_dtype))


def _accumulating(input: Tensor, dtype, scan: str | None = None) -> np.ndarray:
    """sum/prod/cumsum/cumprod's operand: cast to ``dtype``, integers and bools widened to int64.  The result
    is cast back to the operand's dtype (``_accumulated``): a sum in bool is an or, in uint8 it wraps.
    ``scan``: the op's kernel (cumsum/cumprod), which torch has no bool version of."""
    data = input._data
    if dtype is not None and scan is not None and dtype is _dtype.bool_ and data.ndim and data.size:  # (else a copy)
        raise NotImplementedError(f"\"{scan}_out_cpu\" not implemented for 'Bool'")
    if dtype is not None:
        if not dtype.is_floating_point and input._requires_grad and grad_mode._state.enabled:
            raise RuntimeError(f"Autograd not support dtype: {_type_name(dtype.np)}")
        return data if data.dtype == dtype.np else data.astype(dtype.np)
    return data.astype(np.int64) if data.dtype.kind in "biu" and data.dtype != np.int64 else data


def _accumulated(result, data: np.ndarray) -> np.ndarray:
    """A reduction of ``data`` (an ``_accumulating`` operand) in its dtype: NumPy sums bools and small
    integers in int64; torch in the dtype itself (bool: any, integers: wrapping)."""
    return np.asarray(result, data.dtype)


def _floating_only(input: Tensor, what: str, dim=None) -> None:
    """The op's dtype check, after its parser's check of ``dim`` (a tuple of ints: a str is a TypeError first)."""
    if input._data.dtype.kind != "f":
        if dim is not None and dim is not NO_DIM and not isinstance(dim, bool):
            dim_list(dim)
        raise RuntimeError(what.format(_type_name(input._data.dtype)))


def _every_dim(dim) -> bool:
    """Whether ``dim`` asks for a reduction over everything (None, () or [])."""
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


NO_DIM: Any = object()   # no ``dim`` given: torch's dim-less overload (``a.sum(None)`` is the dim overload)
NO_KEEPDIM: Any = object()   # no ``keepdim`` given (False): with it, prod/max/min fit only their dim overload
SUM_OVERLOADS = ("(*, torch.dtype dtype = None)",
                 "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)")
PROD_OVERLOADS = ("(*, torch.dtype dtype = None)", "(int dim, bool keepdim = False, *, torch.dtype dtype = None)")
EXTREMUM_OVERLOADS = ("()", "(Tensor other)", "(int dim, bool keepdim = False)")


def _overload_error(name: str, got: str, signatures: tuple) -> TypeError:
    """torch's message for arguments that fit none of the op's overloads (a tuple where an int is due,
    keepdim without dim)."""
    listed = "".join(f"\n * {s}" for s in signatures)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
                     f"of:{listed}\n")


def _dim_not_int(name: str, dim, signatures: tuple, named: bool) -> TypeError:
    """A dim that is no int: torch's parser names it where the call's arguments fit only the dim overload
    (``named``), else lists the overloads."""
    if named:
        return parser_error(f"{name}(): argument 'dim' must be int, not {python_type_name(dim)}")
    return _overload_error(name, type(dim).__name__, signatures)


def _dim_less(name: str, keepdim, signatures: tuple) -> None:
    """The dim-less overload takes no keepdim."""
    if keepdim:
        raise _overload_error(name, "keepdim=bool, ", signatures)


def _required_dim(name: str, dim, axis):
    """``dim`` (or its alias ``axis``) for the ops that have no dim-less overload."""
    dim = dim if axis is NO_DIM else axis
    if dim is NO_DIM:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    return dim


def _check_nonempty(name: str, data: np.ndarray, dims) -> None:
    """Reductions without an identity (max, amin, argmax, ...) reject empty slices, as torch does (``dims`` as
    given: torch checks them one by one, naming each as given, before it looks for a repeated one)."""
    if data.size:
        return
    if dims is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument.")
    for d in dims:
        if data.shape[wrap_dim(d, data.ndim)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _check_nonempty_norm(name: str, data: np.ndarray, dims) -> None:
    """The inf-norms are maxima: no identity, so empty slices raise (torch's message, its spacing too)."""
    if dims is None:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because the "
                           f"operation does not have an identity")
    for d in dims:   # (as given)
        if data.shape[wrap_dim(d, data.ndim)] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}because "
                               f"this dimension is empty and the operation does not have an identity")


# ----- sum, mean, prod ----------------------------------------------------------------------

@quiet
def sum(input: Tensor, dim=NO_DIM, keepdim: bool = False, *, dtype=None, axis=NO_DIM) -> Tensor:
    data = _accumulating(input, dtype)
    dim = dim if axis is NO_DIM else axis
    if dim is NO_DIM:
        _dim_less("sum", keepdim, SUM_OVERLOADS)
        out = _accumulated(add_reduce(data, tuple(range(data.ndim)), absorbing=True), data)
        return record(SumBackward0, out, (input,), shape=data.shape)
    dims = normalize_dims(input, dim)
    # (row_major: torch's layout; NumPy keeps the input's)
    out = row_major(_accumulated(add_reduce(data, dims, keepdim, absorbing=True), data))
    return record(SumBackward1, out, (input,), shape=data.shape, dims=dims, keepdim=keepdim)


@quiet
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """sum with NaN counted as 0; their gradient is 0 (NansumBackward0, one node for every overload)."""
    data = _accumulating(input, dtype)
    dims = tuple(range(data.ndim)) if dim is None else normalize_dims(input, dim, one_by_one=True)
    out = add_reduce(np.where(np.isnan(data), data.dtype.type(0), data), dims, keepdim, absorbing=True) \
        if data.dtype.kind == "f" else data.sum(axis=dims, keepdims=keepdim)
    return record(NansumBackward0, _accumulated(out, data), (input,), self=input, shape=data.shape, dims=dims,
                  keepdim=keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch's composite: nansum / the count of non-NaN elements (DivBackward0 over NansumBackward0)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_type_name(input._data.dtype)}")
    dims = tuple(range(input._data.ndim)) if dim is None else normalize_dims(input, dim)
    count = Tensor._make(np.asarray((~np.isnan(input._data)).sum(axis=dims, keepdims=keepdim)), False, None)
    return nansum(input, dim, keepdim, dtype=dtype) / count


@quiet
def mean(input: Tensor, dim=NO_DIM, keepdim: bool = False, *, dtype=None, axis=NO_DIM) -> Tensor:
    dim = dim if axis is NO_DIM else axis
    if dtype is not None and not dtype.is_floating_point:
        if dim is not NO_DIM and dim is not None:
            dim_list(dim)   # (torch's parser first)
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating point or "
                           f"complex dtype. Got: {_type_name(dtype.np)}")
    if dtype is None:
        _floating_only(input, "mean(): could not infer output dtype. Input dtype must be either a floating point "
                              "or complex dtype. Got: {}", dim)
    data = input._data if dtype is None or dtype.np == input._data.dtype else input._data.astype(dtype.np)
    if dim is NO_DIM:
        _dim_less("mean", keepdim, SUM_OVERLOADS)
        # torch: sum, then divide
        out = add_reduce(data, tuple(range(data.ndim)), absorbing=True) / data.dtype.type(data.size)
        return record(MeanBackward0, np.asarray(out, data.dtype), (input,), shape=data.shape, numel=data.size)
    dims = normalize_dims(input, dim)
    count = math.prod(data.shape[d] for d in dims)
    out = add_reduce(data, dims, keepdim, absorbing=True) / data.dtype.type(count)
    return record(MeanBackward1, np.asarray(out, data.dtype), (input,), shape=data.shape, dims=dims,
                  keepdim=keepdim, count=count)


@quiet
def prod(input: Tensor, dim=NO_DIM, keepdim: bool = NO_KEEPDIM, *, dtype=None, axis=NO_DIM) -> Tensor:
    given = keepdim is not NO_KEEPDIM
    keepdim = keepdim if given else False
    data = _accumulating(input, dtype)
    dim = dim if axis is NO_DIM else axis
    if dim is NO_DIM:
        _dim_less("prod", given, PROD_OVERLOADS)
        return record(ProdBackward0, _accumulated(ordered_prod(data, tuple(range(data.ndim))), data), (input,),
                      self=input)
    if not isinstance(dim, int):   # (with keepdim or dtype only the dim overload fits: torch's parser names it)
        raise _dim_not_int("prod", dim, PROD_OVERLOADS, given or dtype is not None)
    dim = input._wrap_dim(dim)
    out = ordered_prod(data, (dim,), keepdim) if data.ndim else data.copy()
    return record(ProdBackward1, _accumulated(out, data), (input,), self=input, dim=dim, keepdim=keepdim)


# ----- max, min, amax, amin, argmax, argmin -------------------------------------------------

max_return, min_return = return_type("max"), return_type("min")


def _extremum(name: str, arg_reduce, full_node, dim_node, result_type, method: bool = False):
    """``max``/``min``: over everything, along ``dim`` with indices, or elementwise against a tensor.
    ``method``: the Tensor method, where a dim with keepdim fits only the dim overload (the function's
    (input, other, out) overload fits three arguments too)."""
    np_reduce = np.max if name == "max" else np.min

    def reduce(input: Tensor, dim=NO_DIM, keepdim: bool = NO_KEEPDIM, *, other=None, axis=NO_DIM):
        given = keepdim is not NO_KEEPDIM
        keepdim = keepdim if given else False
        if isinstance(dim, Tensor) or other is not None:
            binary = maximum if name == "max" else minimum
            return binary(input, other if other is not None else dim)
        data = input._data
        dim = dim if axis is NO_DIM else axis
        if dim is NO_DIM:
            _dim_less(name, given, EXTREMUM_OVERLOADS)
            _check_nonempty(name, data, None)
            out = _signed_zero_extremum(np.asarray(np_reduce(data)), data, tuple(range(data.ndim)), False, last=True)
            return record(full_node, out, (input,), self=input)
        if not isinstance(dim, int):
            raise _dim_not_int(name, dim, EXTREMUM_OVERLOADS, method and given)
        dim = input._wrap_dim(dim)
        if data.ndim == 0:
            values, indices = data.copy(), np.array(0)
        else:
            _check_nonempty(name, data, (dim,))
            indices = arg_reduce(data, axis=dim, keepdims=True)
            values = np.take_along_axis(data, indices, axis=dim)
            if not keepdim:
                values, indices = values.squeeze(dim), indices.squeeze(dim)
        values = record(dim_node, values, (input,), dim=dim, indices=indices, shape=data.shape, keepdim=keepdim)
        return result_type(values, Tensor._make(indices.astype(np.int64, copy=False), False, None))

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


max = _extremum("max", np.argmax, MaxBackward1, MaxBackward0, max_return)
min = _extremum("min", np.argmin, MinBackward1, MinBackward0, min_return)
_max_method = _extremum("max", np.argmax, MaxBackward1, MaxBackward0, max_return, method=True)
_min_method = _extremum("min", np.argmin, MinBackward1, MinBackward0, min_return, method=True)


def _signed_zero_extremum(out: np.ndarray, data: np.ndarray, dims: tuple, keepdim: bool, last: bool):
    """NumPy's max of 0. and -0. is whichever it meets; torch's amax/amin keep the first extreme element
    of each slice and its full max/min the last (its kernels' order): give zero results that sign."""
    if data.dtype.kind != "f" or not data.size or not (out == 0).any():
        return out
    moved = np.moveaxis(data, dims, tuple(range(-len(dims), 0))) if dims else data[..., None]
    slices = moved.reshape(moved.shape[:moved.ndim - builtins.max(len(dims), 1)] + (-1,))
    wanted = out if not keepdim else out.reshape(slices.shape[:-1])
    hits = slices == np.asarray(wanted)[..., None]
    at = slices.shape[-1] - 1 - np.argmax(hits[..., ::-1], axis=-1) if last else np.argmax(hits, axis=-1)
    chosen = np.take_along_axis(slices, at[..., None], axis=-1)[..., 0]
    fixed = np.where(wanted == 0, chosen, wanted)
    return fixed.reshape(np.shape(out))


def _slice_extremum(name: str, np_reduce, node):
    def reduce(input: Tensor, dim=(), keepdim: bool = False, *, axis=NO_DIM) -> Tensor:
        data = input._data
        dim = dim if axis is NO_DIM else axis
        if not data.size:
            _check_nonempty(name, data, None if _every_dim(dim) else dim_list(dim))
        dims = normalize_dims(input, dim)
        out = np_reduce(data, axis=dims, keepdims=keepdim) if data.ndim else data.copy()
        out = _signed_zero_extremum(np.asarray(out), data, dims, keepdim, last=False)
        return record(node, np.asarray(out), (input,), self=input, shape=data.shape, dims=dims, keepdim=keepdim)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


amax = _slice_extremum("amax", np.max, AmaxBackward0)
amin = _slice_extremum("amin", np.min, AminBackward0)


def _arg_extremum(name: str, np_arg):
    def reduce(input: Tensor, dim=None, keepdim: bool = False, *, axis=NO_DIM) -> Tensor:
        data = input._data
        if data.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        dim = dim if axis is NO_DIM else axis
        if dim is None:
            if not data.size:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            out = np_arg(data)
            if keepdim:
                out = np.reshape(out, (1,) * data.ndim)
        else:
            if not isinstance(dim, int):
                raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {python_type_name(dim)}")
            dim = input._wrap_dim(dim)
            if data.ndim == 0:
                out = np.array(0)
            else:
                _check_nonempty(name, data, (dim,))
                out = np_arg(data, axis=dim, keepdims=keepdim)
        return Tensor._make(np.asarray(out, dtype=np.int64), False, None)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


argmax = _arg_extremum("argmax", np.argmax)
argmin = _arg_extremum("argmin", np.argmin)


# ----- var, std -------------------------------------------------------------------------------

_DOF_WARNING = ("{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
                "(input numel divided by output numel).")


def benign(data: np.ndarray) -> bool:
    """Finite values far from overflow: there torch's two moment kernels (two-pass, Welford) and ours differ
    in the last bits only; elsewhere an inf, a NaN or an overflow lands where each kernel's steps put it."""
    return bool(np.isfinite(data).all()) and (not data.size or float(np.abs(data).max())
                                               < float(np.finfo(data.dtype).max) / 4)


@quiet
def welford(data: np.ndarray, dims: tuple, keepdim: bool) -> tuple[np.ndarray, np.ndarray]:
    """(mean, m2) of torch's WelfordOps in float64: per reduced element in order (the reduced dims last, in
    axis order), mean += (x - mean) / n and m2 += (x - old mean) * (x - new mean), one vectorised step each
    (torch's var/std over a dim, var_mean and std_mean below its parallel grain)."""
    acc = np.float64
    moved = np.moveaxis(data, dims, tuple(range(data.ndim - len(dims), data.ndim))).astype(acc)
    flat = moved.reshape(moved.shape[:data.ndim - len(dims)] + (-1,))
    mean, m2 = np.zeros(flat.shape[:-1], acc), np.zeros(flat.shape[:-1], acc)
    for i in range(flat.shape[-1]):
        x = flat[..., i]
        delta = x - mean
        mean = mean + delta / acc(i + 1)
        m2 = m2 + delta * (x - mean)
    shape = [1 if d in dims else n for d, n in enumerate(data.shape)] if keepdim else \
        [n for d, n in enumerate(data.shape) if d not in dims]
    return mean.reshape(shape), m2.reshape(shape)


@quiet
def _central_moment(data: np.ndarray, dims: tuple, keepdim: bool, divisor: int, one_output: bool) -> np.ndarray:
    """sum((x - mean)^2) / divisor as torch's CPU kernels: for one output of several elements two-pass (the
    mean in the input's dtype, the squared deviations summed in float64: a float32 deviation of 1e-30 still
    counts), else Welford's recurrence (``welford``; the same but in the last bits where the data are
    ``benign``); a divisor of 0 gives inf or nan, silently, as torch.  A moment over no elements is NaN
    whatever the divisor (torch's mean of nothing)."""
    if not data.size:
        return np.sum(data.astype(np.float64), axis=dims, keepdims=keepdim) * np.float64(np.nan)
    if benign(data):
        mean = data.mean(axis=dims, keepdims=True)
    elif not one_output or data.size == 1:
        return welford(data, dims, keepdim)[1] / np.float64(divisor)
    else:
        mean = _ArrayOps.mean(data, dims, True)   # (torch's self.mean(): its sum's order)
    centered = data.astype(np.float64) - mean.astype(np.float64)
    return np.sum(centered * centered, axis=dims, keepdims=keepdim) / np.float64(divisor)


def _moments(name: str, node, finish):
    """var/std with torch's three overloads: (unbiased), (dim, unbiased, keepdim), (dim, *, correction, keepdim)."""
    def reduce(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *, correction=None,
               axis=NO_DIM) -> Tensor:
        dim = dim if axis is NO_DIM else axis
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        _floating_only(input, "std and var only support floating point and complex dtypes", dim)
        data = input._data
        full = dim is None or data.ndim == 0
        dims = normalize_dims(input, dim, one_by_one=True)
        reduced = math.prod(data.shape[d] for d in dims)
        rnumel = data.size if full else math.prod(data.shape[input._wrap_dim(d)] for d in
                                                  ((dim,) if isinstance(dim, int) else dim))
        kept = math.prod(n for d, n in enumerate(data.shape) if d not in dims)
        if data.size / builtins.max(kept, 1) - correction <= 0:  # torch's reduction factor: numel in / numel out
            warnings.warn(_DOF_WARNING.format(name), UserWarning, stacklevel=past_checks(3))  # (caller, above quiet)
        out = finish(_central_moment(data, dims, keepdim, builtins.max(0, reduced - correction), kept == 1))
        return record(node, np.asarray(out, data.dtype), (input,), self=input, dims=dims, correction=correction,
                      keepdim=keepdim, rnumel=rnumel, full=full)

    reduce.__name__ = reduce.__qualname__ = name
    return quiet(reduce)  # (the float64 moments cast to float32 may overflow: silently, as torch)


var = _moments("var", VarBackward0, lambda v: v)
std = _moments("std", StdBackward0, np.sqrt)


# ----- logsumexp, norms -----------------------------------------------------------------------

@quiet
def logsumexp(input: Tensor, dim=NO_DIM, keepdim: bool = False, *, axis=NO_DIM) -> Tensor:
    dim = _required_dim("logsumexp", dim, axis)
    data = input._data
    if data.dtype.kind != "f":
        data = data.astype(_dtype.get_default_dtype().np)
    if isinstance(dim, (tuple, list)) and not dim and data.ndim and data.size and not keepdim:  # torch fails here
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * data.ndim}")
    dims = normalize_dims(input, dim)
    if data.size:
        maxes = np.max(data, axis=dims, keepdims=True)
        maxes = np.where(np.isinf(maxes), 0, maxes)   # all -inf (or an inf): no shift
        out = np.log(np.sum(np.exp(data - maxes), axis=dims, keepdims=True)) + maxes
        out = out if keepdim else out.squeeze(dims)
    else:
        out = np.log(np.sum(np.exp(data), axis=dims, keepdims=keepdim))
    return record(LogsumexpBackward0, np.asarray(out, data.dtype), (input,), self=input, shape=data.shape,
                  dims=dims, keepdim=keepdim)


def aten_norm(x: Tensor, p: float, dim, keepdim: bool = False) -> Tensor:
    """ATen's ``at::norm(self, p, dim, keepdim)`` as C++ composites call it (NormBackward1); Python's
    ``torch.norm`` goes through linalg.vector_norm instead."""
    return vector_norm(x, p, dim, keepdim, _node=NormBackward1)


@quiet
def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                _node=LinalgVectorNormBackward0) -> Tensor:
    """torch.linalg.vector_norm: every p-norm of the flattened ``dim`` slices (LinalgVectorNormBackward0)."""
    check_argument("linalg_vector_norm", "ord", "Number", ord)
    data = x._data
    if data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(data.dtype)}")
    if dtype is not None:
        if np.promote_types(data.dtype, dtype.np) != dtype.np:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_type_name(data.dtype)}) should be "
                               f"convertible without narrowing to the specified dtype ({_type_name(dtype.np)})")
        data = data.astype(dtype.np, copy=False)
    ord = float(ord)
    if (ord < 0 or math.isinf(ord)) and not data.size:   # (a max, a min or a 1 / sum(|x|^ord) of nothing; torch
        _check_nonempty_norm(f"{ord:g}", data, None if _every_dim(dim) else dim_list(dim))   # checks it first)
    dims = normalize_dims(x, dim, one_by_one=True)
    axis = dims if data.ndim else None
    magnitude = np.abs(data)
    if math.prod(data.shape[d] for d in dims) == 1 and (data.ndim or _every_dim(dim)):
        # one element per norm: torch takes |x| itself (not for a 0-d input given a dim: its p-norm formula)
        out = (magnitude != 0).astype(data.dtype) if ord == 0 else magnitude
        out = out if keepdim or not data.ndim else out.reshape([n for d, n in enumerate(data.shape) if d not in dims])
    elif ord == 2:
        out = np.sqrt(np.sum(data * data, axis=axis, keepdims=keepdim))
    elif ord == 1:
        out = np.sum(magnitude, axis=axis, keepdims=keepdim)
    elif ord == math.inf:
        out = np.max(magnitude, axis=axis, keepdims=keepdim)
    elif ord == -math.inf:
        out = np.min(magnitude, axis=axis, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(magnitude != 0, axis=axis, keepdims=keepdim).astype(data.dtype)
    else:
        out = np.sum(magnitude ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)
    return record(_node, np.asarray(out, data.dtype), (x,), self=x, ord=ord, dims=dims, keepdim=keepdim)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm / Tensor.norm: 'fro' and numeric p are vector norms; 'nuc' is a matrix norm.  (torch's is
    Python, passing its arguments on to linalg_vector_norm, whose parser names them.)"""
    check_argument("linalg_vector_norm", "keepdim", "bool", keepdim)
    if not isinstance(p, str):
        check_argument("linalg_vector_norm", "ord", "Number", p, optional=True)
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        from .norms import matrix_norm
        return matrix_norm(input, p, (-2, -1) if dim is None else [dim] if isinstance(dim, int) else dim, keepdim,
                           dtype=dtype)   # (torch's Python makes an int dim a list)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


# ----- scans ----------------------------------------------------------------------------------

def scan(ufunc_scan, data: np.ndarray, dim: int) -> np.ndarray:
    """A cumulative sum or product as torch's CPU kernel computes it: the running value of a float32 or
    float16 input kept in float64 (so a sum that overflows on the way can come back), each output rounded
    to the input's dtype; a sum starts from +0 (so ``cumsum([-0.])`` is 0)."""
    if data.dtype.kind != "f":
        return ufunc_scan(data, axis=dim)
    out = ufunc_scan(data, axis=dim, dtype=np.float64 if data.dtype.itemsize < 8 else data.dtype)
    if ufunc_scan is np.cumsum:
        out += 0.0
    return out.astype(data.dtype, copy=False)


@quiet
def cumsum(input: Tensor, dim=NO_DIM, *, dtype=None, axis=NO_DIM) -> Tensor:
    dim = input._wrap_dim(_required_dim("cumsum", dim, axis))
    data = _accumulating(input, dtype, "cumsum")
    out = _accumulated(scan(np.cumsum, data, dim), data) if data.ndim else data.copy()
    return record(CumsumBackward0, out, (input,), dim=dim)


@quiet
def cumprod(input: Tensor, dim=NO_DIM, *, dtype=None, axis=NO_DIM) -> Tensor:
    dim = input._wrap_dim(_required_dim("cumprod", dim, axis))
    data = _accumulating(input, dtype, "cumprod")
    out = _accumulated(scan(np.cumprod, data, dim), data) if data.ndim else data.copy()
    return record(CumprodBackward0, out, (input,), self=input, dim=dim)


# ----- renorm ----------------------------------------------------------------------------------------
# Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it (by maxnorm / (norm + 1e-7),
# as torch's kernel); RenormBackward0 is torch's renorm_backward, through the norm's own derivative.

@formula_helper(tensor="same")
def renorm_backward(grad, self, p, dims, maxnorm):
    """torch's renorm_backward: the norm and the slice sums in the CPU accumulation type (double for float32:
    a slice whose float32 norm underflows to 0 is still over maxnorm there, unlike in the forward), then
    ``maxnorm * invnorm * (grad - invnorm * nb)`` cast back to the gradient's dtype where a slice is over."""
    wide = (self._data if isinstance(self, Tensor) else np.asarray(self)).dtype == np.float32
    if isinstance(grad, Tensor):
        acc = _dtype.float64 if wide else None
        norm = vector_norm(self, p, dims, True, dtype=acc)
        summed = (self * grad).sum(dims, keepdim=True, dtype=acc)
    else:
        acc_np = np.float64 if wide else np.asarray(self).dtype
        norm = vector_norm(Tensor._make(np.asarray(self), False, None), p, dims, True,
                           dtype=_dtype.float64 if wide else None)._data
        summed = add_reduce(np.asarray(self * grad).astype(acc_np), dims, True)
    nb = norm_backward(summed, self, p, norm, dims, True)
    invnorm = 1 / (norm + 1e-7)
    scaled = maxnorm * invnorm * (grad - invnorm * nb)
    if isinstance(grad, Tensor):
        return where(Tensor._make(norm._data > maxnorm, False, None), scaled.to(grad.dtype), grad)
    return np.where(norm > maxnorm, np.asarray(scaled).astype(np.asarray(grad).dtype), grad)


def _norm_jvp(F, self, self_t, p, norm, dims):
    """torch's norm_jvp (keepdim), term by term: its NaN and inf where hostile values meet."""
    x = F.raw(self)
    if p == 1:
        return (self.sgn() * self_t).sum(dims, keepdim=True)
    if p == 2:
        return ((self * self_t).sum(dims, keepdim=True) / norm).masked_fill(F.const(F.raw(norm) == 0), 0)
    if math.isinf(p):
        n = F.raw(norm)
        is_max = F.const(((np.abs(x) == n) | (np.isnan(x) & np.isnan(n))).astype(x.dtype))
        return (self.sgn() * self_t * is_max).sum(dims, keepdim=True) / is_max.sum(dims, keepdim=True)
    if p < 2:
        return (self.abs().pow(p - 1).masked_fill(F.const(x == 0), 0) * self.sgn() * self_t).sum(
            dims, keepdim=True) * norm.pow(1 - p)
    return (self.abs().pow(p - 2) * self * self_t).sum(dims, keepdim=True) * norm.pow(1 - p)


@formula_helper(tensor="same")
def renorm_jvp(self, self_t, p, dims, maxnorm):
    """torch's renorm tangent: ``factor * (self_t - self * invnorm * norm_t)`` on the scaled slices (invnorm =
    1 / (norm + 1e-7), factor = invnorm * maxnorm), ``self_t`` itself elsewhere (no 0/0 at a zero norm)."""
    F = _ops(self_t)
    norm = vector_norm(self, p, dims, True)
    invnorm = (norm + 1e-7).reciprocal()
    scaled = (invnorm * maxnorm) * (self_t - self * invnorm * _norm_jvp(F, self, self_t, p, norm, dims))
    return F.where(F.const(F.raw(norm) > maxnorm), scaled, self_t)


RenormBackward0 = derivative("RenormBackward0", attrs="p dims maxnorm",
                             self="renorm_backward(grad, self, p, dims, maxnorm)")


@argument_types
def renorm(input: Tensor, p: Number, dim: int, maxnorm: Number) -> Tensor:
    if not isinstance(input, Tensor):
        raise not_tensor("renorm", input)
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if not maxnorm >= 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm):g}")
    data = input._data
    if data.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {data.ndim} dimensions")
    dim = input._wrap_dim(dim)
    dims = tuple(d for d in range(data.ndim) if d != dim)
    with grad_mode.no_grad():
        norm = vector_norm(Tensor._make(data, False, None), p, dims, True)._data
    with np.errstate(all="ignore"):
        factor = np.where(norm > maxnorm, norm.dtype.type(maxnorm) / (norm + norm.dtype.type(1e-7)),
                          norm.dtype.type(1))
        out = (data * factor).astype(data.dtype)
    return record(RenormBackward0, out, (input,), self=input, p=p, dims=dims, maxnorm=maxnorm)


def sum_to_size(self: Tensor, *size, **keywords) -> Tensor:
    """``self`` summed down to ``size`` (torch's at::sum_to: leading dims summed away, dims of size 1 kept
    with keepdim, then viewed); ``self`` itself when it already has that size."""
    if "size" in keywords and not size:
        size = (keywords.pop("size"),)
    if keywords:
        raise TypeError(f"sum_to_size() got an unexpected keyword argument '{next(iter(keywords))}'")
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    shape = int_list("sum_to_size", "size", size)
    sizes = self._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0 or any(n != m and n != 1 for n, m in zip(shape, sizes[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(sizes)}}}.")
    if not shape:
        return sum(self)
    dims = list(range(lead)) + [i for i in range(lead, len(sizes)) if shape[i - lead] == 1 and sizes[i] != 1]
    out = sum(self, dims, True) if dims else self
    return out.view(shape) if lead else out


methods(sum_to_size=sum_to_size, renorm=renorm, renorm_=inplace_method(renorm))
methods(nansum=nansum, nanmean=nanmean, sum=sum, mean=mean, prod=prod, max=_max_method, min=_min_method, amax=amax,
        amin=amin, argmax=argmax, argmin=argmin,
        var=var, std=std, logsumexp=logsumexp, norm=norm, cumsum=cumsum, cumprod=cumprod,
        cumsum_=inplace_method(cumsum), cumprod_=inplace_method(cumprod))
__all__ = ["nansum", "nanmean", "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
           "logsumexp",
           "norm", "cumsum", "cumprod"]
__all__ += ["renorm"]
