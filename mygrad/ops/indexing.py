"""Indexing: ``a[key]`` and ``a[key] = value`` with torch's rules, and the index ops (select, narrow,
index_select, gather, masked_fill, index_put).

A key is read left to right into basic steps, each a view op with its own node as in torch (an int
is SelectBackward0, a slice SliceBackward0, None UnsqueezeBackward0, a key that changes nothing
AliasBackward0).  Tensors, lists and bools in the key then index the result of those steps in one
advanced index (IndexBackward0), placed by NumPy's rules, which torch follows once the ints have
been applied.  Assignment writes through the same steps: a copy into the view (so the base's
history becomes CopySlices) or, for an advanced key, index_put_ (IndexPutBackward0).
"""
from __future__ import annotations

import math
import sys
import warnings

import numpy as np

from .. import _dtype
from .._argument_types import argument_types
from .._quiet import quiet
from .._tensor import Tensor, _c_name
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad, grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative, read_from
from ._define import inplace_method, methods, record
from ._errors import fill_value, python_type_name, refuse_gradient_into
from ._views import OVERLAP_MESSAGE, as_view, has_internal_overlap
from .elementwise import broadcast_apply, copy_op, fill_op
from .shape import AliasBackward0, expand, expanded_shape, unsqueeze, view


def _along(dim: int, index) -> tuple:
    """The NumPy key that applies ``index`` to dim ``dim`` (the trailing ``...`` keeps a 0-d result an
    array sharing memory rather than a NumPy scalar)."""
    return (slice(None),) * dim + (index, Ellipsis)


def _gather_key(index: np.ndarray, dim: int) -> tuple:
    """The NumPy key that picks ``x[i0, .., index[i], .., ik]`` for every position i of ``index``
    (a 0-d index into a 1-D tensor picks one element, as torch's gather allows)."""
    if index.ndim == 0:
        return (index,)
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


# ----- formula functions over arrays ----------------------------------------------------------------

@formula_helper(name="select")
def _select_array(x, dim, index):
    return x[_along(dim, index)]


def select_backward(grad_output: Tensor, input_sizes, dim: int, index: int) -> Tensor:
    data = _select_backward_array(grad_output._data, tuple(input_sizes), dim, index)
    return record(SelectBackwardBackward0, data, (grad_output,), dim=dim, index=index)


@formula_helper(tensor=select_backward, name="select_backward")
def _select_backward_array(grad, input_sizes, dim, index):
    out = np.zeros(input_sizes, np.asarray(grad).dtype)
    out[_along(dim, index)] = grad
    return out


def _slice(input: Tensor, dim: int, start: int, end: int, step: int) -> Tensor:
    """A slice already clamped to the dim (0 <= start <= end <= size, step > 0)."""
    return as_view(SliceBackward0, input._data[_along(dim, slice(start, end, step))], input,
                   shape=input._data.shape, dim=dim, start=start, end=end, step=step)


@formula_helper(tensor=_slice, name="slice_dim")
def _slice_array(x, dim, start, end, step):
    return x[_along(dim, slice(start, end, step))]


def slice_backward(grad_output: Tensor, input_sizes, dim: int, start: int, end: int, step: int) -> Tensor:
    data = _slice_backward_array(grad_output._data, tuple(input_sizes), dim, start, end, step)
    return record(SliceBackwardBackward0, data, (grad_output,), dim=dim, start=start, end=end, step=step)


@formula_helper(tensor=slice_backward, name="slice_backward")
def _slice_backward_array(grad, input_sizes, dim, start, end, step):
    out = np.zeros(input_sizes, np.asarray(grad).dtype)
    out[_along(dim, slice(start, end, step))] = grad
    return out


def _index(input: Tensor, indices: tuple) -> Tensor:
    """``input[indices]`` for a checked NumPy key of slices and integer arrays (a row-major copy)."""
    return record(IndexBackward0, np.ascontiguousarray(input._data[indices]), (input,), shape=input._data.shape,
                  indices=indices)


@formula_helper(tensor=_index, name="advanced_index")
def _index_array(x, indices):
    return x[indices]


def _index_put(input: Tensor, indices: tuple, values, accumulate: bool = False, node=None) -> Tensor:
    """``input`` with ``values`` written (or added) at a checked NumPy key; ``values`` broadcast."""
    v = values._data if isinstance(values, Tensor) else values
    data = _index_put_array(input._data, indices, v, accumulate)
    return record(node or IndexPutBackward0, data, (input, values), indices=indices, accumulate=accumulate)


@formula_helper(tensor=_index_put, name="advanced_index_put")
@quiet
def _index_put_array(x, indices, values, accumulate):
    out = np.array(x)
    if accumulate:
        np.add.at(out, indices, values)
    else:
        out[indices] = values
    return out


def _index_backward(grad: Tensor, shape, indices: tuple) -> Tensor:
    zeros = Tensor._make(np.zeros(shape, grad._data.dtype), False, None)
    return _index_put(zeros, indices, grad, True, IndexPutImplBackward0)


@formula_helper(tensor=_index_backward, name="advanced_index_backward")
def _index_backward_array(grad, shape, indices):
    out = np.zeros(shape, np.asarray(grad).dtype)
    np.add.at(out, indices, grad)
    return out


def _index_select(input: Tensor, dim: int, index: np.ndarray) -> Tensor:
    return record(IndexSelectBackward0, _index_select_array(input._data, dim, index), (input,),
                  shape=input._data.shape, dim=dim, index=index)


@formula_helper(tensor=_index_select, name="_index_select")
def _index_select_array(x, dim, index):
    return np.take(x, index, axis=dim) if np.ndim(x) else np.array(x, copy=True).reshape(np.shape(index))


def _index_select_backward(grad: Tensor, shape, dim: int, index: np.ndarray) -> Tensor:
    return record(IndexAddBackward0, _index_select_backward_array(grad._data, shape, dim, index), (grad,),
                  dim=dim, index=index)


@formula_helper(tensor=_index_select_backward, name="_index_select_backward")
def _index_select_backward_array(grad, shape, dim, index):
    if not shape:
        return np.asarray(grad).sum()
    return _index_backward_array(grad, shape, _along(dim, index))


def _gather(input: Tensor, dim: int, index: np.ndarray) -> Tensor:
    return record(GatherBackward0, _gather_array(input._data, dim, index), (input,), self=input, dim=dim,
                  index=index)


@formula_helper(tensor=_gather, name="_gather")
def _gather_array(x, dim, index):
    if not np.size(index):   # (an empty index of any shape gathers nothing)
        return np.zeros(np.shape(index), np.asarray(x).dtype)
    if not np.ndim(x):   # a 0-d input: its one element at every position of the index (all 0)
        return np.array(np.broadcast_to(x, np.shape(index)))
    return np.asarray(x[_gather_key(index, dim)])


def _masked_fill_tensor(x: Tensor, mask: np.ndarray, value) -> Tensor:
    return masked_fill(x, Tensor._make(mask, False, None), value)


@formula_helper(tensor=_masked_fill_tensor, name="masked_fill")
def _masked_fill_array(x, mask, value):
    return np.where(mask, value, x)


def _gather_backward(grad: Tensor, shape, dim: int, index: np.ndarray) -> Tensor:
    return record(ScatterAddBackward0, _gather_backward_array(grad._data, shape, dim, index), (grad,),
                  dim=dim, index=index)


@formula_helper(tensor=_gather_backward, name="_gather_backward")
def _gather_backward_array(grad, shape, dim, index):
    if not np.size(index):
        return np.zeros(shape, np.asarray(grad).dtype)
    if not shape:
        return np.asarray(np.sum(grad), dtype=np.asarray(grad).dtype)
    return _index_backward_array(grad, shape, _gather_key(index, dim))


SelectBackward0 = derivative("SelectBackward0", attrs="shape dim index",
                             self="select_backward(grad, shape, dim, index)")
SliceBackward0 = derivative("SliceBackward0", attrs="shape dim start end step",
                            self="slice_backward(grad, shape, dim, start, end, step)")
SelectBackwardBackward0 = derivative("SelectBackwardBackward0", attrs="dim index",
                                     grad_output="select(grad, dim, index)")
SliceBackwardBackward0 = derivative("SliceBackwardBackward0", attrs="dim start end step",
                                    grad_output="slice_dim(grad, dim, start, end, step)")
IndexBackward0 = derivative("IndexBackward0", freed=("indices",), attrs="shape indices",
                            self="advanced_index_backward(grad, shape, indices)")
_INDEX_PUT = dict(self="grad if accumulate else advanced_index_put(grad, indices, 0, False)",
                  values="advanced_index(grad, indices)")
IndexPutBackward0 = derivative("IndexPutBackward0", freed=("indices",), attrs="accumulate indices", **_INDEX_PUT)
IndexPutImplBackward0 = derivative("IndexPutImplBackward0", freed=("indices",), attrs="accumulate indices",
                                   **_INDEX_PUT)  # what index's backward records
IndexSelectBackward0 = derivative("IndexSelectBackward0", freed=("index",), attrs="shape dim index",
                                  self="_index_select_backward(grad, shape, dim, index)")
IndexAddBackward0 = derivative("IndexAddBackward0", freed=("index",),
                               attrs="dim index", source="_index_select(grad, dim, index)")
# (self is read for its shape only, but saved, as torch's node saves it: an in-place edit breaks the backward)
GatherBackward0 = derivative("GatherBackward0", freed=("index",), attrs="dim index",
                             self="_gather_backward(grad, tuple(self.shape), dim, index)")
ScatterAddBackward0 = derivative("ScatterAddBackward0", freed=("index",),
                                 attrs="dim index", src="_gather(grad, dim, index)")
MaskedFillBackward0 = derivative("MaskedFillBackward0", freed=("mask",),
                                 attrs="mask", self="masked_fill(grad, mask, 0)")
MaskedFillBackward1 = derivative("MaskedFillBackward1", freed=("mask",),
                                 attrs="mask", self="masked_fill(grad, mask, 0)",
                                 value="where(mask, grad, 0).sum()")


# ----- the same functions as differentiable ops (formulas run over these under create_graph) ---------

def _select(input: Tensor, dim: int, index: int) -> Tensor:
    """A select already checked (0 <= index < size)."""
    data = input._data
    return as_view(SelectBackward0, data[_along(dim, index)], input, shape=data.shape, dim=dim, index=index)


def _alias(input: Tensor) -> Tensor:
    return as_view(AliasBackward0, input._data.view(), input)


# ----- reading a key ---------------------------------------------------------------------------------

INVALID_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
                 "(got {})")
SEQUENCE_AS_TUPLE = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                     "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                     "tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                     "result")
_INT, _SLICE, _ELLIPSIS, _NONE, _BOOL, _ARRAY, _STR = range(7)


def _warn(message: str) -> None:
    """A UserWarning attributed to the user's line (the first caller outside mygrad)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("mygrad"):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _as_items(key) -> tuple:
    """The key as a tuple of items; a short list holding slices, None, ``...``, sequences or tensors
    counts as a tuple, with torch's deprecation warning (NumPy's old rule)."""
    if type(key) is tuple:
        return key
    if isinstance(key, (list, str)) and len(key) < 32:
        for item in key:
            if item is None or item is Ellipsis or isinstance(item, (slice, list, tuple, Tensor, str)):
                _warn(SEQUENCE_AS_TUPLE)
                return tuple(key)
    return (key,)


_INDEX_DTYPES = "tensors used as indices must be long, int, byte or bool tensors"


def _index_array(value, check: bool = True) -> np.ndarray:
    """A tensor, list or array used as an index, as a NumPy int64 or bool array (``check=False``: its dtype
    is checked later, by ``_advanced_key``, as torch's kernel checks it after an in-place op's checks)."""
    if isinstance(value, Tensor):
        arr = value._data
    else:
        arr = np.asarray(value)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
    if arr.dtype == np.uint8:
        _warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.")
        return arr.astype(np.bool_)
    if check and arr.dtype.kind not in "iub":
        raise IndexError(_INDEX_DTYPES)
    return arr


def _classify(item):
    """(kind, value) of one key item."""
    t = type(item)
    if t is int:
        return _INT, item
    if t is slice:
        return _SLICE, item
    if item is None:
        return _NONE, None
    if item is Ellipsis:
        return _ELLIPSIS, None
    if t is bool:
        return _BOOL, item
    if isinstance(item, Tensor):
        data = item._data
        if data.ndim == 0 and data.dtype.kind in "iu" and data.dtype != np.uint8:
            return _INT, int(data)
        if data.ndim == 0 and data.dtype == np.bool_:
            return _BOOL, bool(data)
        return _ARRAY, _index_array(item, False)
    if isinstance(item, (np.integer,)):
        return _INT, int(item)
    if isinstance(item, np.bool_):
        return _BOOL, bool(item)
    if isinstance(item, (list, tuple, np.ndarray)):
        return _ARRAY, _index_array(item, False)
    if isinstance(item, str):   # (refused once the indices are counted: torch counts it as one)
        return _STR, item
    if hasattr(item, "__index__"):
        return _INT, item.__index__()
    raise IndexError(INVALID_INDEX.format(t.__name__))


def _slice_bounds(s: slice, size: int) -> tuple:
    """(start, end, step) of a slice over ``size`` elements, clamped as torch does (end >= start)."""
    if s.step is not None and s.step.__index__() <= 0:
        raise ValueError("slice step cannot be zero" if s.step.__index__() == 0 else "step must be greater than zero")
    if not (type(s.start) in _PLAIN and type(s.stop) in _PLAIN and type(s.step) in _PLAIN):
        s = slice(*(None if v is None else v.__index__() for v in (s.start, s.stop, s.step)))  # tensors, NumPy ints
    start, end, step = s.indices(size)
    return start, max(start, end), step


_PLAIN = (int, type(None))


def _spells_whole_dim(s: slice, size: int) -> bool:
    """``:``, ``0:size`` or ``:100`` in a tuple key changes nothing, and torch records no slice for it;
    a start that only wraps to 0 (``-size:``) still makes one."""
    if s.step is not None and s.step.__index__() <= 0:
        _slice_bounds(s, size)  # torch's error for the step
    return ((s.start is None or s.start.__index__() == 0) and (s.stop is None or s.stop.__index__() >= size)
            and (s.step is None or s.step.__index__() == 1))


def _plan(shape: tuple, items: tuple) -> tuple:
    """The basic steps (select/slice/unsqueeze at a dim, checked) and the advanced items ((dim, array),
    dims of the result of the steps) that a key's items make, tracking the shape as torch does."""
    ndim = len(shape)
    classified = [_classify(item) for item in items]
    specified = 0
    for kind, value in classified:
        if kind <= _SLICE:
            specified += 1
        elif kind == _ARRAY:
            specified += value.ndim if value.dtype == np.bool_ else 1
        elif kind == _STR:
            specified += 1
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    for kind, value in classified:
        if kind == _STR:   # (torch makes a tensor of it: its error)
            raise TypeError(f"new(): invalid data type '{type(value).__name__}'")
    steps, advanced = [], []
    sizes = list(shape)
    dim = real = 0  # the dim of the result the item applies to, and of the input (for messages)
    for kind, value in classified:
        if kind == _INT:
            size = sizes[dim] if dim < len(sizes) else 0
            if not -size <= value < size:
                raise IndexError(f"index {value} is out of bounds for dimension {real} with size {size}")
            steps.append((_select, dim, value % size))
            del sizes[dim]
            real += 1
        elif kind == _SLICE:
            if not _spells_whole_dim(value, sizes[dim]):
                start, end, step = _slice_bounds(value, sizes[dim])
                steps.append((_slice, dim, start, end, step))
                sizes[dim] = len(range(start, end, step))
            dim += 1
            real += 1
        elif kind == _ELLIPSIS:
            dim += ndim - specified
            real += ndim - specified
        elif kind == _NONE or kind == _BOOL:
            steps.append((unsqueeze, dim))
            sizes.insert(dim, 1)
            if kind == _BOOL:
                advanced.append((dim, np.array([value])))
            dim += 1
        else:
            advanced.append((dim, value))
            consumed = value.ndim if value.dtype == np.bool_ else 1
            dim += consumed
            real += consumed
    return steps, advanced


def _advanced_key(shape: tuple, advanced: list, bounds: bool = True) -> tuple:
    """The NumPy key (slices and int arrays) for the advanced items over a tensor of ``shape``, checked
    (``bounds=False``: all but the indices' bounds, which index_put's kernel checks after the value's shape
    and dtype: ``_key_bounds``)."""
    key = [slice(None)] * len(shape)
    arrays = []
    for dim, arr in advanced:
        if arr.dtype.kind not in "iub":
            raise IndexError(_INDEX_DTYPES)
        if arr.dtype == np.bool_:
            for j, n in enumerate(arr.shape):
                if n != shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does not match the "
                                     f"shape of the indexed tensor {list(shape)} at index {dim + j}")
            for j, positions in enumerate(np.nonzero(arr)):
                key[dim + j] = positions
                arrays.append(positions)
        else:
            key[dim] = arr
            arrays.append(arr)
    try:
        indexed = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(a.shape)) for a in arrays)) from None
    # torch checks the values only when the indices select something, and their bounds only when the
    # result has elements; NumPy checks always, so it is given indices it accepts where torch checks not
    if not math.prod(indexed):
        return tuple(k if type(k) is slice else np.broadcast_to(k, indexed) for k in key)
    for dim, k in enumerate(key):
        if type(k) is not slice and not shape[dim]:
            raise IndexError("index is out of bounds for dimension with size 0")
    return _key_bounds(shape, key) if bounds else tuple(key)


def _key_bounds(shape: tuple, key) -> tuple:
    """``_advanced_key``'s bound check of the index arrays (a key selecting nothing is clipped instead)."""
    key = list(key)
    selects = math.prod(n for n, k in zip(shape, key) if type(k) is slice)
    nth = -1   # (torch's message counts the indexed dims only)
    for dim, k in enumerate(key):
        if type(k) is slice:
            continue
        nth += 1
        size = shape[dim]
        bad = (k >= size) | (k < -size)
        if bad.any():
            if selects:
                raise IndexError(f"index {int(k[bad].flat[0])} is out of bounds for dimension {nth} with size "
                                 f"{size}")
            key[dim] = np.clip(k, -size, size - 1)
    return tuple(key)


def _apply(tensor: Tensor, steps: list) -> Tensor:
    for op, *args in steps:
        tensor = op(tensor, *args)
    return tensor


def getitem(self: Tensor, key) -> Tensor:
    t = type(key)
    if t is int:
        return _select(self, 0, _checked_first_index(self._data.shape, key))
    if t is slice:
        if not self._data.ndim:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        return _slice(self, 0, *_slice_bounds(key, self._data.shape[0]))
    if key is None:
        return unsqueeze(self, 0)
    if key is Ellipsis:
        return _alias(self)
    steps, advanced = _plan(self._data.shape, _as_items(key))
    result = _apply(self, steps)
    if advanced:
        return _index(result, _advanced_key(result._data.shape, advanced))
    return _alias(self) if result is self else result


def _checked_first_index(shape: tuple, index: int) -> int:
    """``a[i]``: i made non-negative, or torch's error."""
    if not shape:
        if index == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"index {index} is out of bounds for dimension 0 with size 0")
    if not -shape[0] <= index < shape[0]:
        raise IndexError(f"index {index} is out of bounds for dimension 0 with size {shape[0]}")
    return index % shape[0]


# ----- writing through a key -------------------------------------------------------------------------

def _value_tensor(self: Tensor, value) -> Tensor:
    """The assigned value as a tensor: numbers take the target's dtype (torch's wrapped scalar)."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.integer)):   # (np.float64 is a float; np.float32, np.bool_ are not)
        return Tensor._make(np.array(value, dtype=self._data.dtype), False, None)
    from .._tensor_str import type_name
    raise TypeError(f"can't assign a {python_type_name(value)} to a {type_name(self._data.dtype)}")


def _indexed_shape(shape: tuple, key: tuple) -> tuple:
    """The shape ``x[key]`` has, for a checked key, without indexing: NumPy's placement of the indexed
    dims (where the index arrays are, if they are adjacent, else in front)."""
    at = [i for i, k in enumerate(key) if type(k) is not slice]
    if not at:
        return tuple(shape)
    indexed = np.broadcast_shapes(*(key[i].shape for i in at))
    if at == list(range(at[0], at[-1] + 1)):
        return tuple(shape[:at[0]]) + indexed + tuple(shape[at[-1] + 1:])
    return indexed + tuple(n for n, k in zip(shape, key) if type(k) is slice)


def _without_leading_ones(shape: tuple) -> tuple:
    lead = 0
    while lead < len(shape) and shape[lead] == 1:
        lead += 1
    return shape[lead:]


def _check_index_put_shape(indexed_shape: tuple, value_shape: tuple) -> None:
    """The value must broadcast to what the key selects."""
    if len(value_shape) > len(indexed_shape) or any(
            v != 1 and v != n for v, n in zip(reversed(value_shape), reversed(indexed_shape))):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to "
                           f"indexing result of shape {list(indexed_shape)}")


def _copy_to(dst: Tensor, src: Tensor) -> None:
    """torch's setitem copy: same shape copies, a 0-dim value fills, otherwise the value (less any leading
    size-1 dims) is expanded to the destination and copied."""
    if dst._data.shape == src._data.shape:
        dst._inplace(copy_op, src)
        return
    if src._data.ndim == 0:
        dst._inplace(fill_op, src)
        return
    src = view(src, _without_leading_ones(src._data.shape))
    if src._data.shape != dst._data.shape:
        src = expand(src, dst._data.shape)
    dst._inplace(copy_op, src)


def setitem(self: Tensor, key, value) -> None:
    given = isinstance(value, Tensor)
    value = _value_tensor(self, value)
    if forward_ad.levels and forward_ad.involves_dual(self, (value,)):  # forward-mode AD: the tangent follows
        forward_ad.setitem(self, key, value)
    t = type(key)
    if t is int:
        steps, advanced = [(_select, 0, _checked_first_index(self._data.shape, key))], []
    else:
        steps, advanced = _plan(self._data.shape, _as_items(key))
    recording = grad_mode._state.enabled and (self._requires_grad or value._requires_grad) and (
        self._data.dtype.kind == "f")
    strict = given and bool(advanced) and value._data.dtype != self._data.dtype \
        and not _masked_fill_dispatch(advanced, value)
    if not recording:
        _write(self, steps, advanced, value, strict)
        return
    target = _apply(self, steps)
    if advanced:
        stripped = _without_leading_ones(value._data.shape)
        if stripped != value._data.shape:
            value = view(value, stripped)
        target._inplace(_put_advanced, advanced, value, strict)
    else:
        _copy_to(target, value)


def _put_advanced(target: Tensor, advanced: list, value: Tensor, strict: bool = False) -> Tensor:
    """index_put_'s work, after the in-place checks: the key is checked against the target here."""
    key = _checked_put_key(target._data, advanced, value._data, strict)
    return _index_put(target, key, value, False)


def _checked_put_key(data: np.ndarray, advanced: list, v: np.ndarray, strict: bool) -> tuple:
    """index_put's key checked in torch's order: the indices, the value's shape, with ``strict`` (a tensor
    value) its dtype, then the indices' bounds."""
    key = _advanced_key(data.shape, advanced, bounds=False)
    _check_index_put_shape(_indexed_shape(data.shape, key), v.shape)
    if strict and v.dtype != data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(_dtype.from_numpy_dtype(data.dtype))} for the destination and "
                           f"{scalar_type_name(_dtype.from_numpy_dtype(v.dtype))} for the source.")
    return _key_bounds(data.shape, key)


def _masked_fill_dispatch(advanced: list, value: Tensor) -> bool:
    """torch's index_put_ fills through masked_fill_ (casting the value) for one bool mask and a one-element value."""
    return len(advanced) == 1 and advanced[0][1].dtype == np.bool_ and value._data.size == 1


def _write(self: Tensor, steps: list, advanced: list, value: Tensor, strict: bool = False) -> None:
    """Assignment with no graph to record: NumPy writes straight into the memory, one version bump."""
    data = self._data
    for op, *args in steps:
        if op is _select:
            data = data[_along(*args)]
        elif op is _slice:
            data = data[_along(args[0], slice(*args[1:]))]
        else:
            data = np.expand_dims(data, args[0])
    v = value._data
    if advanced:
        v = v.reshape(_without_leading_ones(v.shape))
        data[_checked_put_key(data, advanced, v, strict)] = v
    else:
        if data.shape != v.shape and v.ndim:
            expanded_shape(_without_leading_ones(v.shape), data.shape, v.dtype)  # torch's errors
        if has_internal_overlap(data):
            raise RuntimeError(OVERLAP_MESSAGE)
        _copy_cast(data, v)
    self._vc[0] += 1


@quiet
def _copy_cast(data: np.ndarray, v: np.ndarray) -> None:
    """``v`` written into ``data``, cast as torch casts (NaN or an out-of-range float into an integer dtype
    without a word)."""
    np.copyto(data, v, casting="unsafe")


# ----- index ops -------------------------------------------------------------------------------------

@argument_types
def select(input: Tensor, dim: int, index: int) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = input._wrap_dim(dim)
    index = int(index)
    if not -shape[dim] <= index < shape[dim]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at dimension {dim}")
    return _select(input, dim, index % shape[dim])


@argument_types
def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    if not isinstance(start, Tensor) and not hasattr(type(start), "__index__"):   # (its overloads: int or Tensor)
        raise TypeError(f"narrow() received an invalid combination of arguments - got (Tensor, int, "
                        f"{python_type_name(start)}, int)")
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = input._wrap_dim(dim)
    size, start = shape[dim], int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, dim, start, start + length, 1)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    idx = index._data
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = input._wrap_dim(dim)
    shape = input._data.shape
    if not shape:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        size = 1
    else:
        size = shape[dim]
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        _index_select_range_error(input, dim, idx, size)
    return read_from(_index_select(input, dim, idx.reshape(-1) if shape else idx.reshape(())), index=index)


def _index_select_range_error(input: Tensor, dim: int, idx: np.ndarray, size: int):
    """torch's CPU kernels word an out-of-range index differently: its dim-1 kernel and its path for empty
    tensors raise RuntimeError, the others IndexError."""
    data = input._data
    if data.ndim < 2 or (data.size and dim != 1):
        raise IndexError("index out of range in self")
    if size == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    bad = idx[(idx < 0) | (idx >= size)].flat[0]
    raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad)} axis_dim={size}")


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    idx = index._data
    shape = input._data.shape
    dim = input._wrap_dim(dim)
    if not idx.size:   # (torch checks neither the dtype nor the shape of an empty index)
        return read_from(record(GatherBackward0, np.zeros(idx.shape, input._data.dtype), (input,), self=input,
                                dim=dim, index=idx.astype(np.int64)), index=index)
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if idx.ndim != len(shape) and not (idx.ndim <= 1 and len(shape) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d, (n, m) in enumerate(zip(idx.shape, shape)):
        if d != dim and n > m:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(shape)} apart from dimension {dim}")
    size = shape[dim] if shape else 1
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise RuntimeError(f"index {int(idx[bad].flat[0])} is out of bounds for dimension {dim} with size {size}")
    return read_from(_gather(input, dim, idx), index=index)


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_c_name(mask.dtype)}")
    data = input._data
    if isinstance(value, Tensor):
        refuse_gradient_into(data, value)
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        out = broadcast_apply(np.where, m, fill_value(value._data, data.dtype), data)
        return read_from(record(MaskedFillBackward1, out, (input, value), mask=m), mask=mask)
    out = broadcast_apply(np.where, m, fill_value(value, data.dtype), data)
    return read_from(record(MaskedFillBackward0, out, (input,), mask=m), mask=mask)


def _index_put_arguments(name: str, input, indices, values, accumulate, method: bool) -> None:
    """torch's parser on index_put's arguments (``method``: positions counted after self, as torch's)."""
    at = int(method)
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {python_type_name(input)}")
    if type(indices) not in (tuple, list):
        raise TypeError(f"{name}(): argument 'indices' (position {2 - at}) must be tuple of Tensors, not "
                        f"{python_type_name(indices)}")
    for k, index in enumerate(indices):
        if not isinstance(index, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument {1 - at}, but got {python_type_name(index)}")
    if not isinstance(values, Tensor):
        raise TypeError(f"{name}(): argument 'values' (position {3 - at}) must be Tensor, not "
                        f"{python_type_name(values)}")
    if not isinstance(accumulate, (bool, np.bool_)):
        raise TypeError(f"{name}(): argument 'accumulate' must be bool, not {python_type_name(accumulate)}")


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` with ``values`` put (or added, with ``accumulate``) at ``indices``, a tuple of index tensors."""
    _index_put_arguments("index_put", input, indices, values, accumulate, False)
    return _index_put_checked(input, indices, values, accumulate)


def _index_put_checked(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    pairs = [(d, _index_array(i)) for d, i in _index_dims(indices)]
    strict = not (not accumulate and _masked_fill_dispatch(pairs, values))
    key = _checked_put_key(input._data, pairs, values._data, strict)
    if not strict and values._data.dtype != input._data.dtype:
        values = Tensor._make(values._data.astype(input._data.dtype), False, None) \
            if not values._requires_grad else values.to(input.dtype)
    return read_from(_index_put(input, key, values, accumulate), indices=list(indices))


def _index_dims(indices) -> list:
    """(dim, index) pairs for index_put's tuple of tensors (a bool mask covers as many dims as it has)."""
    pairs, dim = [], 0
    for i in indices:
        if i is not None:
            pairs.append((dim, i))
        dim += i._data.ndim if i is not None and i._data.dtype == np.bool_ else 1
    return pairs


def _index_put_method(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    _index_put_arguments("index_put", self, indices, values, accumulate, True)
    return _index_put_checked(self, indices, values, accumulate)


def _index_put_inplace(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    _index_put_arguments("index_put_", self, indices, values, accumulate, True)
    return self._inplace(_index_put_checked, indices, values, accumulate)


methods(__getitem__=getitem, __setitem__=setitem, select=select, narrow=narrow, index_select=index_select,
        gather=gather, masked_fill=masked_fill, masked_fill_=inplace_method(masked_fill), index_put=_index_put_method,
        index_put_=_index_put_inplace)
__all__ = ["select", "narrow", "index_select", "gather", "masked_fill", "index_put"]
