"""Views and reshapes (results share memory and the version counter with their input, as torch's
views do) and the reshaping copies: flip, roll, repeat.

Node names follow torch's spelling rules: ``a.t()`` is TBackward0, ``a.T`` PermuteBackward0,
``a.mT`` and ``a.transpose`` TransposeBackward0; ``reshape`` is a view (ViewBackward0) of a
contiguous tensor, ReshapeAliasBackward0 when the strides still allow a view, and otherwise a
copy: UnsafeViewBackward0 over CloneBackward0.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._argument_types import IntList, _fits, argument_types, int_list
from .._layout import strided_view, view_strides
from .._tensor import Tensor, wrap_dim
from .._tensor_str import type_name
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import methods, record
from ._errors import invalid_arguments, past_checks, python_type_name
from ._views import as_view
from .copy import contiguous_clone


def _swap_dims_tensor(x, dim0, dim1):
    return transpose(x, dim0, dim1)


@formula_helper(tensor=_swap_dims_tensor)
def swap_dims(x, dim0, dim1):
    """transpose, which torch also allows on a 0-d tensor (dims 0 and -1); of an array, a view (as torch's)."""
    return np.swapaxes(x, dim0, dim1) if np.ndim(x) else x.view() if type(x) is np.ndarray else x


@formula_helper(name="flip")
def _flip_array(x, dims):
    return np.flip(x, dims)


@formula_helper(name="roll")
def _roll_array(x, shifts, dims):
    return np.roll(x, shifts, dims if dims else None)


@formula_helper(tensor="same")
def repeat_backward(grad, repeats, shape):
    """Sum the tiles of ``repeat`` back onto the input: the new leading dims one by one, then every
    repeated dim split into (repeats, size) and summed over the repeats at once (torch's op sequence)."""
    if 0 in repeats:
        return _constant_zeros(grad, shape)
    for _ in range(len(repeats) - len(shape)):
        grad = grad.sum(0)
    split, summed = [], []
    for r, n in zip(repeats[len(repeats) - len(shape):], shape):
        if r != 1:
            summed.append(len(split))
            split.append(r)
        split.append(n)
    return grad.reshape(tuple(split)).sum(tuple(summed)) if summed else grad


def _constant_zeros(like, shape):
    """Zeros that carry no gradient, as an array or a tensor like ``like``."""
    zeros = np.zeros(shape, np.asarray(like._data if isinstance(like, Tensor) else like).dtype)
    return Tensor._make(zeros, False, None) if isinstance(like, Tensor) else zeros


def _unsqueeze_to_tensor(grad, dims):
    """The size-1 dims a squeeze removed put back, one unsqueeze each (ascending), as torch does."""
    for d in dims:
        grad = unsqueeze(grad, d)
    return grad


@formula_helper(tensor=_unsqueeze_to_tensor, name="unsqueeze_to")
def _unsqueeze_to_array(grad, dims):
    return np.expand_dims(grad, dims) if dims else grad


ExpandBackward0 = derivative("ExpandBackward0", attrs="shape", self="sum_to(grad, shape)")
ViewBackward0 = derivative("ViewBackward0", attrs="shape", self="reshape(grad, shape)")
ReshapeAliasBackward0 = derivative("ReshapeAliasBackward0", attrs="shape", self="reshape(grad, shape)")
UnsafeViewBackward0 = derivative("UnsafeViewBackward0", attrs="shape", self="reshape(grad, shape)")
UnsqueezeBackward0 = derivative("UnsqueezeBackward0", attrs="dim", self="squeeze(grad, dim)")
SqueezeBackward0 = derivative("SqueezeBackward0", attrs="dims", self="unsqueeze_to(grad, dims)")
SqueezeBackward1 = derivative("SqueezeBackward1", attrs="dims", self="unsqueeze_to(grad, dims)")
SqueezeBackward2 = derivative("SqueezeBackward2", attrs="dims", self="unsqueeze_to(grad, dims)")
TBackward0 = derivative("TBackward0", self="t(grad)")
TransposeBackward0 = derivative("TransposeBackward0", attrs="dim0 dim1", self="swap_dims(grad, dim0, dim1)")
PermuteBackward0 = derivative("PermuteBackward0", attrs="inverse", self="permute(grad, inverse)")
AliasBackward0 = derivative("AliasBackward0", self="grad")
FlipBackward0 = derivative("FlipBackward0", attrs="dims", self="flip(grad, dims)")
RollBackward0 = derivative("RollBackward0", attrs="back dims", self="roll(grad, back, dims)")
RepeatBackward0 = derivative("RepeatBackward0", attrs="repeats shape", self="repeat_backward(grad, repeats, shape)")

VIEW_MESSAGE = ("view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead.")


def _required(fn: str, name: str, given: tuple) -> None:
    """torch's argument parser's refusal of a call that leaves out a required argument."""
    if not given:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "{name}"')


def _dims_arg(dims) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return tuple(dims)


# ----- expand ---------------------------------------------------------------------------------------

def expanded_shape(shape: tuple, sizes: tuple, np_dtype) -> tuple:
    """The shape ``expand(sizes)`` gives a tensor of ``shape``, or torch's error."""
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({type_name(np_dtype)}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, n in enumerate(sizes):
        if i < lead:
            if n == -1 and shape:   # (torch expands a 0-d tensor without this check)
                raise RuntimeError(f"The expanded size of the tensor ({n}) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
            target.append(n)
            continue
        old = shape[i - lead]
        if n == -1:
            n = old
        elif old != n and old != 1:
            raise RuntimeError(f"The expanded size of the tensor ({n}) must match the existing size ({old}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
        target.append(n)
    if min(target, default=0) < 0:
        # (torch lets other negative sizes through to its element count, which fails as an overflow; with a
        # zero size elsewhere it returns a tensor of negative size, which NumPy cannot hold: refused the same)
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(target)


def expand(input: Tensor, *sizes) -> Tensor:
    _required("expand", "size", sizes)
    data = input._data
    target = expanded_shape(data.shape, int_list("expand", "size", sizes), data.dtype)
    out = np.broadcast_to(data, target)
    if data.flags.writeable:
        out.flags.writeable = True  # torch lets you write through an expanded view that does not alias itself
    return as_view(ExpandBackward0, out, input, shape=data.shape)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, tuple(size))


# ----- view and reshape -----------------------------------------------------------------------------

def _infer_shape(numel: int, shape: tuple) -> tuple:
    """``shape`` with its -1 filled in, or torch's error."""
    lowest = min(shape, default=0)
    if lowest >= 0 and math.prod(shape) == numel:
        return shape
    if lowest == -1 and shape.count(-1) == 1:
        known = -math.prod(shape)
        if known and not numel % known:
            i = shape.index(-1)
            return shape[:i] + (numel // known,) + shape[i + 1:]
    return _shape_error(numel, shape)


def _shape_error(numel: int, shape: tuple):
    """torch's message for a shape that does not fit ``numel`` elements (checked in torch's order)."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for n in shape:
        if n < -1:
            raise RuntimeError(f"invalid shape dimension {n}")
    if -1 in shape and not math.prod(n for n in shape if n != -1):
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                           f"unspecified dimension size -1 can be any value and is ambiguous")
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _strided_view(data: np.ndarray, shape: tuple):
    """``data`` reshaped without a copy, or None when its strides do not allow it; with torch's strides
    (``view_strides``) where NumPy's could differ (size-1 dims, non-contiguous input)."""
    if data.flags.c_contiguous and 1 not in data.shape:
        return data.reshape(shape)
    strides = view_strides(data.shape, data.strides, tuple(shape))
    if strides is None:
        return None
    out = data.reshape(shape) if data.flags.c_contiguous else np.reshape(data, shape, copy=False)
    if out.size and any(a != b for a, b, n in zip(out.strides, strides, shape) if n == 1):
        out = strided_view(data, tuple(shape), strides)
    return out


def view(input: Tensor, *shape) -> Tensor:
    if not shape:
        raise TypeError("view() received an invalid combination of arguments - got (), but expected one of:\n"
                        " * (torch.dtype dtype)\n * (tuple of ints size)\n")
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _view_dtype(input, shape[0])
    data = input._data
    shape = _infer_shape(data.size, int_list("view", "size", shape))
    out = _strided_view(data, shape)
    if out is None:
        raise RuntimeError(VIEW_MESSAGE)
    return as_view(ViewBackward0, out, input, shape=data.shape)


def _view_dtype(input: Tensor, dtype) -> Tensor:
    """``a.view(torch.int32)``: the same bytes read as another dtype of the same size; no gradient."""
    if dtype.np == input._data.dtype:
        return as_view(ViewBackward0, input._data.view(), input, shape=input._data.shape)
    if np.dtype(dtype.np).itemsize != input._data.itemsize:
        raise RuntimeError("self.size(-1) must be divisible by " + str(np.dtype(dtype.np).itemsize //
                                                                       input._data.itemsize) + " to view "
                           + repr(input.dtype) + " as " + repr(dtype) + " (different element sizes), but got "
                           + str(input._data.shape[-1] if input._data.ndim else 1))
    out = Tensor._make(input._data.view(dtype.np), False, None, 0, input._vc)
    out._base = input._base if input._base is not None else input
    return out


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other._data.shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """A view when the strides allow one, else a contiguous copy viewed (torch's three node names)."""
    _required("reshape", "shape", shape)
    data = input._data
    shape = _infer_shape(data.size, int_list("reshape", "shape", shape))
    if data.flags.c_contiguous:
        return as_view(ViewBackward0, _strided_view(data, shape), input, shape=data.shape)
    out = _strided_view(data, shape)
    if out is not None:
        return as_view(ReshapeAliasBackward0, out, input, shape=data.shape)
    copy = contiguous_clone(input)
    return record(UnsafeViewBackward0, copy._data.reshape(shape), (copy,), shape=data.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims start_dim..end_dim merged into one; the input itself when that is a single dim."""
    shape = input._data.shape
    start, end = input._wrap_dim(start_dim), input._wrap_dim(end_dim)
    if not shape:
        return reshape(input, (1,))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = 1
    for n in shape[start:end + 1]:
        merged *= n
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


# ----- adding and removing size-1 dims --------------------------------------------------------------

def unsqueeze(input: Tensor, dim: int) -> Tensor:
    dim = wrap_dim(dim, input._data.ndim + 1)
    data = input._data
    out = np.expand_dims(data, dim)
    if not data.flags.c_contiguous or 1 in data.shape:  # torch's strides: the others kept (NumPy renumbers
        # size-1 dims'), the new one size * stride of the dim it goes before (itemsize at the end): layouts read them
        strides = list(data.strides)
        strides.insert(dim, data.shape[dim] * data.strides[dim] if dim < data.ndim else data.itemsize)
        if out.strides != tuple(strides):
            out = strided_view(data, out.shape, strides)
    return as_view(UnsqueezeBackward0, out, input, dim=dim)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """No dim: SqueezeBackward0; an int: SqueezeBackward1; a tuple or list: SqueezeBackward2."""
    data = input._data
    if dim is None:
        node, dims = SqueezeBackward0, range(data.ndim)
    elif isinstance(dim, (tuple, list)):
        node, dims = SqueezeBackward2, [input._wrap_dim(d) for d in dim]
    else:
        node, dims = SqueezeBackward1, [input._wrap_dim(dim)]
    axes = tuple(sorted({d for d in dims if data.ndim and data.shape[d] == 1}))
    return as_view(node, np.squeeze(data, axes), input, dims=axes)


# ----- transposes -----------------------------------------------------------------------------------

def t(input: Tensor) -> Tensor:
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    return as_view(TBackward0, input._data.T, input)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = input._wrap_dim(dim0), input._wrap_dim(dim1)
    data = input._data
    out = np.swapaxes(data, d0, d1) if data.ndim else data.view()
    return as_view(TransposeBackward0, out, input, dim0=d0, dim1=d1)


def _permuted(input: Tensor, order: tuple) -> Tensor:
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    return as_view(PermuteBackward0, input._data.transpose(order), input, inverse=tuple(inverse))


def permute(input: Tensor, *dims) -> Tensor:
    _required("permute", "dims", dims)
    dims = _dims_arg(dims)
    ndim = input._data.ndim
    if len(dims) != ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           "length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{ndim} is not equal to len(dims) = {len(dims)}")
    order = tuple(input._wrap_dim(d) for d in dims)
    if len(set(order)) != len(order):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permuted(input, order)


_MOVEDIM = ("Tensor input, int source, int destination",
            "Tensor input, tuple of ints source, tuple of ints destination")


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move the ``source`` dims to the ``destination`` positions, the others keeping their order."""
    if not (type(source) is int or _fits("IntList", source)) \
            or not (type(destination) is int or _fits("IntList", destination)):
        raise invalid_arguments("movedim", (input, source, destination), _MOVEDIM)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    src = tuple(input._wrap_dim(d) for d in src)
    dst = tuple(input._wrap_dim(d) for d in dst)
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    if not input._data.ndim:
        return as_view(AliasBackward0, input._data.view(), input)
    rest = iter(d for d in range(input._data.ndim) if d not in src)
    placed = dict(zip(dst, src))
    return _permuted(input, tuple(placed[i] if i in placed else next(rest) for i in range(input._data.ndim)))


_warned_T = [False]


def _T(self: Tensor) -> Tensor:
    ndim = self._data.ndim
    if ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=past_checks(2))
    elif ndim != 2 and not _warned_T[0]:
        _warned_T[0] = True  # torch warns once per process
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=past_checks(2))
    return _permuted(self, tuple(range(ndim - 1, -1, -1)))


def _mT(self: Tensor) -> Tensor:
    ndim = self._data.ndim
    if ndim == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=past_checks(2))
        return self
    if ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {ndim}-D tensor.")
    return transpose(self, -2, -1)


def adjoint(input: Tensor) -> Tensor:
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {ndim}-D tensor.")
    return transpose(input, -2, -1)


def _H(self: Tensor) -> Tensor:
    ndim = self._data.ndim
    if ndim > 2 or ndim == 1:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {ndim}-D tensor.")
    return transpose(self, 0, 1) if ndim == 2 else self


# ----- reshaping copies -----------------------------------------------------------------------------

def flip(input: Tensor, *args, dims=None) -> Tensor:
    _required("flip", "dims", args if dims is None else (dims,))
    dims = _dims_arg(args) if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    wrapped = tuple(input._wrap_dim(d) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    data = input._data
    out = np.flip(data, wrapped).copy() if data.ndim else data.copy()
    return record(FlipBackward0, out, (input,), dims=wrapped if data.ndim else ())


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@argument_types
def roll(input: Tensor, shifts: IntList, dims: IntList | None = None) -> Tensor:
    """Shift elements along ``dims`` cyclically; without dims, over the flattened tensor."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if (dims or len(shifts) != 1) and len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    data = input._data
    if not data.size:   # (torch returns the empty tensor's copy before it reads any dim)
        return record(RollBackward0, data.copy(), (input,), back=0, dims=())
    if dims and not data.ndim:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(input._wrap_dim(d) for d in dims)
    out = np.roll(data, shifts if dims else shifts[0], dims if dims else None)
    back = tuple(-s for s in shifts) if dims else -shifts[0]
    return record(RollBackward0, out, (input,), back=back, dims=dims)


def repeat(input: Tensor, *repeats) -> Tensor:
    repeats = int_list("repeat", "repeats", repeats)
    shape = input._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    full = (1,) * (len(repeats) - len(shape)) + shape
    target = [r * n for r, n in zip(repeats, full)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {target}")
    return record(RepeatBackward0, np.tile(input._data, repeats), (input,), repeats=repeats, shape=shape)


def tile(input: Tensor, dims) -> Tensor:
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not {python_type_name(dims)}")
    dims = tuple(dims)
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)


def _tile_method(self: Tensor, *dims) -> Tensor:
    _required("tile", "dims", dims)
    return tile(self, int_list("tile", "dims", dims))


def _repeat_method(self: Tensor, *repeats) -> Tensor:
    _required("repeat", "repeats", repeats)
    return repeat(self, *repeats)


# ----- in-place view ops: t_, transpose_ (swapdims_, swapaxes_), squeeze_, unsqueeze_ ----------------------
# The tensor itself takes the new geometry (a view of its own memory); recording, its history becomes the op's
# own in-place node over the previous one (TBackward1, TransposeBackward1, SqueezeBackward3/4/5,
# UnsqueezeBackward1), as torch's.  A view stays a view of its base; its version bumps, so every other view
# of that base re-derives its history (AsStridedBackward0), as torch's do.

TBackward1 = derivative("TBackward1", self="t(grad)")
TransposeBackward1 = derivative("TransposeBackward1", attrs="dim0 dim1", self="swap_dims(grad, dim0, dim1)")
SqueezeBackward3 = derivative("SqueezeBackward3", attrs="shape", self="reshape(grad, shape)")
SqueezeBackward4 = derivative("SqueezeBackward4", attrs="shape", self="reshape(grad, shape)")
SqueezeBackward5 = derivative("SqueezeBackward5", attrs="shape", self="reshape(grad, shape)")
UnsqueezeBackward1 = derivative("UnsqueezeBackward1", attrs="shape", self="reshape(grad, shape)")


def view_inplace(self: Tensor, view, node, **saved) -> Tensor:
    """``self`` given ``view(self)``'s geometry in place (``view`` computes it without a graph, with the
    out-of-place op's checks), recording ``node`` over its history when it requires grad."""
    from ..autograd import forward_ad, grad_mode
    data = view(Tensor._make(self._data, False, None))._data
    self._check_inplace()
    if grad_mode._state.enabled and self._requires_grad:
        fn = self.grad_fn   # (a stale view's history brought up to date first)
        previous = Tensor._make(self._data, True, fn, self._output_nr, self._vc)
        new = record(node, data, (previous,), **saved)
        self._fn, self._output_nr = new._fn, 0
        if self._base is not None:
            self._rg = True
    self._data = data
    self._vc[0] += 1
    meta = getattr(self, "_view_meta", None)
    if meta is not None:   # its new history is current: not one to re-derive from the base
        self._view_meta = (self._vc[0], meta[1])
    if forward_ad.levels:
        forward_ad.view_tangent(self, lambda tangent: view(tangent))
    return self


def t_(self: Tensor) -> Tensor:
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
    return view_inplace(self, t, TBackward1)


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = self._wrap_dim(dim0), self._wrap_dim(dim1)
    return view_inplace(self, lambda x: transpose(x, d0, d1), TransposeBackward1, dim0=d0, dim1=d1)


def squeeze_(self: Tensor, dim=None) -> Tensor:
    """No dim: SqueezeBackward3; an int: SqueezeBackward4; a tuple or list: SqueezeBackward5."""
    node = SqueezeBackward3 if dim is None else SqueezeBackward5 if isinstance(dim, (tuple, list)) else \
        SqueezeBackward4
    return view_inplace(self, lambda x: squeeze(x, dim), node, shape=self._data.shape)


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    return view_inplace(self, lambda x: unsqueeze(x, dim), UnsqueezeBackward1, shape=self._data.shape)


methods(t_=t_, transpose_=transpose_, swapdims_=transpose_, swapaxes_=transpose_, squeeze_=squeeze_,
        unsqueeze_=unsqueeze_)

methods(expand=expand, expand_as=expand_as, broadcast_to=broadcast_to, view=view, view_as=view_as, reshape=reshape,
        reshape_as=reshape_as, flatten=flatten, unsqueeze=unsqueeze, squeeze=squeeze, t=t, transpose=transpose,
        swapaxes=transpose, swapdims=transpose, permute=permute, movedim=movedim, moveaxis=movedim,
        adjoint=adjoint, flip=flip, fliplr=fliplr, flipud=flipud, roll=roll, repeat=_repeat_method, tile=_tile_method,
        T=property(_T), mT=property(_mT), H=property(_H), mH=property(adjoint))
swapaxes = swapdims = transpose
moveaxis = movedim
__all__ = ["broadcast_to", "reshape", "flatten", "unsqueeze", "squeeze", "t", "transpose", "swapaxes", "swapdims",
           "permute", "movedim", "moveaxis", "adjoint", "flip", "fliplr", "flipud", "roll", "tile"]
