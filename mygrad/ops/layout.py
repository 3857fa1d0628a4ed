"""More shape ops: diagonals (diagonal, diag_embed, diagflat), windows (Tensor.unfold), unflatten,
repeat_interleave, meshgrid, atleast_1d/2d/3d, dstack/column_stack, the splits (tensor_split, hsplit,
vsplit, dsplit), rot90, narrow_copy; Tensor.type and the Tensor.new_* factories.

Where torch composes an op from others (repeat_interleave, meshgrid, the splits, the stacks), it is
composed here from the same ops, so its graph (views, node names) is torch's.
"""
from __future__ import annotations

import warnings
from builtins import sum as builtins_sum

import numpy as np

from .. import _dtype
from .._argument_types import IntList, Number, _fits, argument_types, int_list, python_type_name
from .._layout import _iterator_order, strided_view as _strided
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import methods, record
from ._errors import invalid_arguments, not_differentiable, not_implemented, not_tensor, past_checks
from ._views import as_view

# ----- strided views over the input's array ---------------------------------------------------------

def _diagonal_view(data: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """np.diagonal as a writable view (NumPy's own is read-only): the diagonal becomes the last dim."""
    n1, n2 = data.shape[dim1], data.shape[dim2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    start = [0] * data.ndim
    if length:
        start[dim2 if offset >= 0 else dim1] = abs(offset)
    base = data[tuple(slice(s, None) for s in start)] if length else data
    others = [d for d in range(data.ndim) if d not in (dim1, dim2)]
    shape = tuple(data.shape[d] for d in others) + (length,)
    strides = tuple(data.strides[d] for d in others) + (data.strides[dim1] + data.strides[dim2],)
    return _strided(base, shape, strides)


@formula_helper(name="diagonal")
def _diagonal_array(x, offset, dim1, dim2):
    return np.array(_diagonal_view(np.asarray(x), offset, dim1, dim2))


def _diagonal_backward_tensor(grad, shape, offset, dim1, dim2):
    return record(DiagonalBackwardBackward0, _diagonal_backward_array(grad._data, shape, offset, dim1, dim2),
                  (grad,), offset=offset, dim1=dim1, dim2=dim2)


@formula_helper(tensor=_diagonal_backward_tensor, name="diagonal_backward")
def _diagonal_backward_array(grad, shape, offset, dim1, dim2):
    out = np.zeros(shape, np.asarray(grad).dtype)
    _diagonal_view(out, offset, dim1, dim2)[...] = grad
    return out


def _windows(data: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """Tensor.unfold's view: windows of ``size`` every ``step`` along ``dim``, the window as a new last dim."""
    n = (data.shape[dim] - size) // step + 1 if data.ndim else 1
    if data.ndim == 0:   # the one element as a window of 1, or no window
        return data.reshape(1)[:size]
    shape = data.shape[:dim] + (n,) + data.shape[dim + 1:] + (size,)
    strides = data.strides[:dim] + (data.strides[dim] * step,) + data.strides[dim + 1:] + (data.strides[dim],)
    return _strided(data, shape, strides)


def _unfold_backward_tensor(grad, shape, dim, size, step):
    return record(UnfoldBackwardBackward0, _unfold_backward_array(grad._data, shape, dim, size, step), (grad,),
                  dim=dim, size=size, step=step)


@formula_helper(tensor=_unfold_backward_tensor, name="unfold_backward")
def _unfold_backward_array(grad, shape, dim, size, step):
    """Every window's gradient added back into the positions it covers."""
    grad = np.asarray(grad)
    out = np.zeros(shape, grad.dtype)
    if not shape:   # a 0-d input: one window of its element, or none
        return np.asarray(grad.sum(), grad.dtype)
    n = grad.shape[dim]
    positions = (np.arange(n)[:, None] * step + np.arange(size)).reshape(-1)
    moved = np.moveaxis(grad, dim, -2)                      # (..., n, size)
    target = np.moveaxis(out, dim, -1)                      # (..., length), a view of out
    np.add.at(target, (Ellipsis, positions), moved.reshape(moved.shape[:-2] + (n * size,)))
    return out


def _unfold_tensor(x, dim, size, step):
    return unfold(x, dim, size, step)


@formula_helper(tensor=_unfold_tensor, name="_unfold")
def _unfold_array(x, dim, size, step):
    return np.array(_windows(np.asarray(x), dim, size, step))


def _narrow_copy_backward(namespace: dict, grad, shape, dim, start, end):
    """torch's NarrowCopyBackward0 scatters into slice(start, start + length) with the start as given:
    a negative start wraps, and so does its end, which can then miss the gradient's length."""
    n = shape[dim]
    lo, hi = (start + n if start < 0 else start), (end + n if end < 0 else end)
    lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
    got = np.shape(grad)[dim]
    if max(hi - lo, 0) != got:
        if got == 1:   # broadcast into the empty slice: nothing arrives
            return namespace["slice_backward"](grad, shape, dim, lo, lo, 1) * 0
        raise RuntimeError(f"The size of tensor a ({max(hi - lo, 0)}) must match the size of tensor b ({got}) at "
                           f"non-singleton dimension {dim}")
    return namespace["slice_backward"](grad, shape, dim, lo, hi, 1)


def _narrow_copy_backward_tensor(grad, shape, dim, start, end):
    from ..autograd import backends
    return _narrow_copy_backward(backends.TENSOR, grad, shape, dim, start, end)


@formula_helper(tensor=_narrow_copy_backward_tensor, name="narrow_copy_backward")
def _narrow_copy_backward_array(grad, shape, dim, start, end):
    from ..autograd import backends
    return _narrow_copy_backward(backends.ARRAY, grad, shape, dim, start, end)


@formula_helper(name="rot90")
def _rot90_array(x, k, dims):
    return np.rot90(x, k, axes=tuple(dims))


DiagonalBackward0 = derivative("DiagonalBackward0", attrs="shape offset dim1 dim2",
                               self="diagonal_backward(grad, shape, offset, dim1, dim2)")
DiagonalBackwardBackward0 = derivative("DiagonalBackwardBackward0", attrs="offset dim1 dim2",
                                       grad_output="diagonal(grad, offset, dim1, dim2)")
DiagEmbedBackward0 = derivative("DiagEmbedBackward0", attrs="offset dim1 dim2",
                                self="diagonal(grad, offset, dim1, dim2)")
UnfoldBackward0 = derivative("UnfoldBackward0", attrs="shape dim size step",
                             self="unfold_backward(grad, shape, dim, size, step)")
UnfoldBackwardBackward0 = derivative("UnfoldBackwardBackward0", attrs="dim size step",
                                     grad_in="_unfold(grad, dim, size, step)")
Rot90Backward0 = derivative("Rot90Backward0", attrs="dims k", self="rot90(grad, -k, dims)")
NarrowCopyBackward0 = derivative("NarrowCopyBackward0", attrs="shape dim start end",
                                 self="narrow_copy_backward(grad, shape, dim, start, end)")


def _check_tensor(name: str, input, argument: str = "input") -> None:
    if not isinstance(input, Tensor):
        raise not_tensor(name, input, argument)


# ----- diagonals --------------------------------------------------------------------------------

def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, a view (DiagonalBackward0), as a new last dim."""
    _check_tensor("diagonal", input)
    data = input._data
    d1, d2 = input._wrap_dim(dim1), input._wrap_dim(dim2)   # (torch wraps first: a 0-d or 1-d tensor's dims clash)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return as_view(DiagonalBackward0, _diagonal_view(data, offset, d1, d2), input, shape=data.shape, offset=offset,
                   dim1=d1, dim2=d2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The last dim of ``input`` placed on the diagonal of new (dim1, dim2) planes."""
    _check_tensor("diag_embed", input)
    data = input._data
    ndim = data.ndim + 1   # (a 0-d input: no two dims of the result differ, torch's errors say so)
    lo, hi = -ndim, ndim - 1
    for d in (dim1, dim2):
        if not lo <= d <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
    d1, d2 = dim1 % ndim, dim2 % ndim
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = data.shape[-1] + abs(offset)
    rest = iter(data.shape[:-1])
    out_shape = tuple(n if d in (d1, d2) else next(rest) for d in range(ndim))
    out = np.zeros(out_shape, data.dtype)
    _diagonal_view(out, offset, d1, d2)[...] = data
    return record(DiagEmbedBackward0, out, (input,), offset=offset, dim1=d1, dim2=d2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened input on a diagonal of a square matrix (torch: contiguous().view(-1), then diag)."""
    _check_tensor("diagflat", input)
    return diag_embed(input.contiguous().view(-1), offset, 0, 1)


# ----- unflatten, unfold --------------------------------------------------------------------------

@argument_types
def unflatten(input: Tensor, dim: int, sizes: IntList) -> Tensor:
    _check_tensor("unflatten", input)
    if isinstance(sizes, int) or len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    dim = input._wrap_dim(dim)
    if not input._data.ndim:   # (torch's kernel wraps the dim again, without the 0-d allowance, and says so)
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has no "
                           f"dimensions")
    shape = tuple(input.shape)
    if not shape:   # (torch's sym_size(0) of a 0-d tensor, caught and re-raised by unflatten)
        raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions")
    sizes = [int(n) for n in sizes]
    if sizes.count(-1) == 1:   # inferred from the size of ``dim`` alone, as torch does
        length, known = shape[dim] if shape else 1, int(np.prod([n for n in sizes if n != -1]))
        if known == 0 or length % known:
            if known == 0:
                raise RuntimeError(f"unflatten: cannot reshape tensor of 0 elements into shape {sizes} because the "
                                   f"unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"unflatten: shape '{sizes}' is invalid for input of size {length}")
        sizes[sizes.index(-1)] = length // known
    length = shape[dim] if shape else 1
    if int(np.prod(sizes)) != length:   # checked per dim, also where the tensor is empty
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} ({length}) "
                           f"in the input tensor")
    return input.view(*shape[:dim], *sizes, *shape[dim + 1:])


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: windows of ``size`` every ``step`` along ``dimension``, a view (UnfoldBackward0)."""
    data = input._data
    dim = input._wrap_dim(dimension)
    length = data.shape[dim] if data.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return as_view(UnfoldBackward0, _windows(data, dim, size, step), input, shape=data.shape, dim=dim, size=size,
                   step=step)


# ----- repeat_interleave, meshgrid -------------------------------------------------------------------

_REPEAT_INTERLEAVE = ("Tensor input, Tensor repeats, int dim = None, *, int output_size = None",
                      "Tensor repeats, *, int output_size = None",
                      "Tensor input, int repeats, int dim = None, *, int output_size = None")


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Each element (or slice along ``dim``) repeated: an int count as torch composes it
    (unsqueeze, expand, clone, flatten); a tensor of counts through index_select."""
    from .indexing import index_select
    if not (repeats is None and dim is None or type(repeats) is int or isinstance(repeats, (Tensor, np.integer))) \
            or not (dim is None or type(dim) is int or _fits("int", dim)):
        given = (input, repeats) if repeats is not None else (input,)
        raise invalid_arguments("repeat_interleave", given, _REPEAT_INTERLEAVE)
    if repeats is None:   # repeat_interleave(counts): the indices repeated by their counts
        counts = input._data
        if counts.dtype.kind not in "iu":
            raise not_implemented("repeat_interleave_cpu", counts)
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        return Tensor._make(np.repeat(np.arange(counts.size), counts.reshape(-1)).astype(np.int64), False, None)
    _check_tensor("repeat_interleave", input)
    if dim is None:
        input, dim = input.flatten(), 0
    elif input.ndim == 0:   # torch unsqueezes at dim + 1 (or selects along dim) first
        if isinstance(repeats, Tensor):
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        input._wrap_dim(dim)
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    dim = input._wrap_dim(dim)
    if isinstance(repeats, Tensor):
        counts = repeats._data.reshape(-1)
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        size = input.shape[dim] if input.ndim else 1
        if counts.size == 1:   # one count for every slice
            counts = np.repeat(counts, size)
        if counts.size != size:
            raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({dim}) = {size}")
        if counts.dtype.kind not in "iu":
            raise not_implemented("repeat_interleave_cpu", counts)
        index = repeat_interleave(Tensor._make(counts.astype(np.int64), False, None))
        return index_select(input, dim, index)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if input.ndim == 0:
        input = input.reshape(1)
    from .copy import contiguous_clone
    sizes = list(input.shape)
    expanded = input.unsqueeze(dim + 1).expand(*sizes[:dim + 1], repeats, *sizes[dim + 1:])
    return contiguous_clone(expanded).view(*sizes[:dim], sizes[dim] * repeats, *sizes[dim + 1:])


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids: each 0-d/1-D input viewed along its own dim and expanded ('ij'); 'xy'
    swaps the first two, as torch does."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=past_checks(2))
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    _tensor_list(tensors)
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) > 1:
        raise RuntimeError("torch.meshgrid: expects all tensors to have the same dtype")
    tensors = list(tensors)
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]  # type: ignore[index]  # (a list by now)
    sizes = [t.numel() for t in tensors]
    grids = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[i] = -1
        grids.append(t.view(*view_shape).expand(*sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _tensor_list(tensors) -> None:
    """torch's TypeError for an element of a tensor list (its argument 0) that is not a tensor."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {python_type_name(t)}")


_ATLEAST = ("Tensor input", "tuple of Tensors tensors")


# ----- atleast_nd, stacks ------------------------------------------------------------------------

def _atleast(n: int):
    def one(t: Tensor) -> Tensor:
        if t.ndim >= n:
            return t
        if t.ndim == 0:
            return t.reshape(*([1] * n))
        if n == 2 or (n == 3 and t.ndim == 1):
            t = t.unsqueeze(0)
        if n == 3:
            t = t.unsqueeze(-1)
        return t

    def atleast(*tensors):
        if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
            if not isinstance(tensors[0], Tensor):
                raise invalid_arguments(f"atleast_{n}d", tensors, _ATLEAST)
            return one(tensors[0])
        items = tensors[0] if len(tensors) == 1 else tensors
        _tensor_list(items)
        return tuple(one(t) for t in items)
    atleast.__name__ = atleast.__qualname__ = f"atleast_{n}d"
    return atleast


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


def dstack(tensors) -> Tensor:
    from .join import cat
    return cat(list(atleast_3d(tuple(tensors))), 2)


def column_stack(tensors) -> Tensor:
    from .join import hstack
    return hstack([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors])


def row_stack(tensors) -> Tensor:
    from .join import vstack
    return vstack(tensors)


# ----- splits ----------------------------------------------------------------------------------------

_TENSOR_SPLIT = ("Tensor input, tuple of ints indices, int dim = 0",
                 "Tensor input, Tensor tensor_indices_or_sections, int dim = 0",
                 "Tensor input, int sections, int dim = 0")


def _split_arguments(indices_or_sections) -> bool:
    """Whether a split's sections or indices are of a type torch's overloads take (an int, ints, a tensor)."""
    return type(indices_or_sections) is int or isinstance(indices_or_sections, Tensor) \
        or _fits("IntList", indices_or_sections)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Views (SliceBackward0) between the given indices, or ``n`` near-equal sections (the first
    size % n one longer)."""
    from .indexing import narrow
    _check_tensor("tensor_split", input)
    if not _split_arguments(indices_or_sections) or not (type(dim) is int or _fits("int", dim)):
        raise invalid_arguments("tensor_split", (input, indices_or_sections), _TENSOR_SPLIT)
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    dim = input._wrap_dim(dim)
    size = input.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        values = indices_or_sections._data
        if values.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have integer dtype, but got "
                               f"{values.dtype}")
        if values.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {values.ndim} dims")
        indices_or_sections = int(values) if values.ndim == 0 else [int(v) for v in values]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        small, extra = divmod(size, n)
        bounds, start = [], 0
        for i in range(n):
            length = small + (1 if i < extra else 0)
            bounds.append((start, start + length))
            start += length
    else:
        cuts = [0] + [min(max(i if i >= 0 else i + size, 0), size) for i in indices_or_sections] + [size]
        bounds = [(cuts[i], max(cuts[i], cuts[i + 1])) for i in range(len(cuts) - 1)]
    return tuple(narrow(input, dim, s, e - s) for s, e in bounds)


def _directional_split(name: str, dim_of, min_dims: int):
    def split(input: Tensor, indices_or_sections) -> tuple:
        _check_tensor(name, input)
        if isinstance(indices_or_sections, Tensor) or not _split_arguments(indices_or_sections):
            raise invalid_arguments(name, (input, indices_or_sections),
                                    ("Tensor input, int sections", "Tensor input, tuple of ints indices"))
        if input.ndim < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                               f"with {input.ndim} dimensions!")
        dim = dim_of(input)
        if isinstance(indices_or_sections, int):
            size = input.shape[dim]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                                   f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, dim)
    split.__name__ = split.__qualname__ = name
    return split


hsplit = _directional_split("hsplit", lambda t: 1 if t.ndim > 1 else 0, 1)
vsplit = _directional_split("vsplit", lambda t: 0, 2)
dsplit = _directional_split("dsplit", lambda t: 2, 3)


# ----- rot90, narrow_copy ---------------------------------------------------------------------------

@argument_types
def rot90(input: Tensor, k: int = 1, dims: IntList = (0, 1)) -> Tensor:
    """A copy rotated by k quarter turns from dims[0] towards dims[1] (Rot90Backward0)."""
    _check_tensor("rot90", input)
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = input._wrap_dim(dims[0]), input._wrap_dim(dims[1])
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    out = np.rot90(input._data, k, axes=(d0, d1)).copy()
    return record(Rot90Backward0, out, (input,), k=k, dims=(d0, d1))


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    from .indexing import narrow
    _check_tensor("narrow_copy", input)
    if input._data.ndim and dim >= input._data.ndim:   # (torch's narrow_copy asserts this before wrapping)
        raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an enhancement request "
                           "to PyTorch.)")
    view = narrow(input, dim, start, length)   # torch's checks and messages
    dim = input._wrap_dim(dim)
    return record(NarrowCopyBackward0, view._data.copy(), (input,), shape=input._data.shape, dim=dim, start=start,
                  end=start + length)


# ----- Tensor.type, Tensor.new_* ----------------------------------------------------------------------

_TYPE_NAMES = {"torch.FloatTensor": "float32", "torch.DoubleTensor": "float64", "torch.HalfTensor": "float16",
               "torch.LongTensor": "int64", "torch.IntTensor": "int32", "torch.ShortTensor": "int16",
               "torch.CharTensor": "int8", "torch.ByteTensor": "uint8", "torch.BoolTensor": "bool_"}


def _type(self: Tensor, dtype=None, non_blocking: bool = False, **kwargs):
    """No argument: the legacy type name ('torch.FloatTensor'); a dtype or such a name: ``to`` it."""
    if dtype is None:
        by_dtype = {v: k for k, v in _TYPE_NAMES.items()}
        return by_dtype[self.dtype.name if self.dtype.name != "bool" else "bool_"]
    if isinstance(dtype, str):
        if dtype not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = getattr(_dtype, _TYPE_NAMES[dtype])
    return self.to(dtype)


def _check_sizes(size) -> None:
    """torch's error for a negative size (NumPy's is a ValueError)."""
    for n in size:
        if isinstance(n, (int, np.integer)) and n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(n)}: {list(size)}")


def _new_factory(name: str, fill):
    def factory(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
                pin_memory: bool = False) -> Tensor:
        if not size:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        size = int_list(name, "size", size)
        _check_sizes(size)
        np_dtype = (dtype or self.dtype).np
        out = Tensor._make(fill(tuple(size), np_dtype), False, None)
        return out.requires_grad_() if requires_grad else out
    return factory


def _new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None, requires_grad: bool = False,
                       layout=None, pin_memory: bool = False) -> Tensor:
    """An uninitialised (here: zeroed) tensor with the given sizes and strides (in elements), over a storage
    just large enough, as torch's empty_strided."""
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    np_dtype = np.dtype((dtype or self.dtype).np)
    needed = 1 + builtins_sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    storage = np.zeros(needed, np_dtype)
    data = np.ndarray(size, np_dtype, buffer=storage, strides=tuple(s * np_dtype.itemsize for s in stride))
    out = Tensor._make(data, False, None)
    return out.requires_grad_() if requires_grad else out


@argument_types(name="new_full")
def _new_full(self: Tensor, size: IntList, fill_value: Number, *, dtype=None, device=None, requires_grad: bool = False,
              layout=None, pin_memory: bool = False) -> Tensor:
    if not isinstance(size, (tuple, list)):   # (torch's new_full takes no single int for its size)
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not {python_type_name(size)}")
    _check_sizes(tuple(size))
    out = Tensor._make(np.full(tuple(size), fill_value, (dtype or self.dtype).np), False, None)
    return out.requires_grad_() if requires_grad else out


def _check_elements(data, floating: bool) -> None:
    """torch's TypeError for data ``new_tensor`` cannot read as numbers of its dtype (a str, a None)."""
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    shape, first = [], data
    while isinstance(first, (list, tuple)):   # (torch reads the shape down the first elements)
        shape.append(len(first))
        if not first:
            break
        first = first[0]
    if isinstance(first, str):
        raise ValueError("too many dimensions 'str'")
    level = [data]
    for depth, length in enumerate(shape):   # each level: sequences of the length read, then numbers
        for item in level:
            if not isinstance(item, (list, tuple)):
                raise TypeError("not a sequence")
            if len(item) != length:
                raise ValueError(f"expected sequence of length {length} at dim {depth} (got {len(item)})")
        level = [item for items in level for item in items]
    for item in level:
        if not isinstance(item, (bool, int, float, np.number, np.bool_, Tensor, np.ndarray)):
            if floating:
                raise TypeError(f"must be real number, not {python_type_name(item)}")
            raise TypeError(f"'{python_type_name(item)}' object cannot be interpreted as an integer")


def _new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                pin_memory: bool = False) -> Tensor:
    from .._creation import tensor
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor("
                      "sourceTensor).", UserWarning, stacklevel=past_checks(2))
        data = data._data
    elif isinstance(data, (str, list, tuple)) or data is None:
        _check_elements(data, (dtype or self.dtype).is_floating_point)
    return tensor(np.array(data), dtype=dtype or self.dtype, requires_grad=requires_grad)


methods(diagonal=diagonal, diag_embed=diag_embed, diagflat=diagflat, unflatten=unflatten, unfold=unfold,
        repeat_interleave=repeat_interleave, tensor_split=tensor_split, hsplit=hsplit, vsplit=vsplit, dsplit=dsplit,
        rot90=rot90, narrow_copy=narrow_copy, type=_type,
        new_zeros=_new_factory("new_zeros", np.zeros), new_ones=_new_factory("new_ones", np.ones),
        new_empty=_new_factory("new_empty", np.zeros),
        new_full=_new_full, new_tensor=_new_tensor, new_empty_strided=_new_empty_strided)
__all__ = ["diagonal", "diag_embed", "diagflat", "unflatten", "repeat_interleave", "meshgrid", "atleast_1d",
           "atleast_2d", "atleast_3d", "dstack", "column_stack", "row_stack", "tensor_split", "hsplit", "vsplit",
           "dsplit", "rot90", "narrow_copy"]


# ----- as_strided -----------------------------------------------------------------------------------
# A view of the input's storage (the array its memory belongs to) with any sizes, strides and offset,
# in elements.  The backward adds the gradient into a zero storage at the output's positions and reads
# it back with the input's geometry; the two directions are each other's derivative.

def _storage_positions(shape: tuple, strides: tuple, offset: int) -> np.ndarray:
    positions = np.full(shape, offset, np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        positions = positions + (np.arange(n) * s).reshape([-1 if i == d else 1 for i in range(len(shape))])
    return positions


def _strided_scatter_tensor(grad, geometry):
    return record(AsStridedScatterBackward0, _strided_scatter_array(grad._data, geometry), (grad,),
                  geometry=geometry)


@formula_helper(tensor=_strided_scatter_tensor, name="_strided_scatter")
def _strided_scatter_array(grad, geometry):
    """A gradient of the output's geometry moved, through the storage, into the input's geometry."""
    size, in_geom, out_geom = geometry
    storage = np.zeros(size, np.asarray(grad).dtype)
    np.add.at(storage, _storage_positions(*out_geom).reshape(-1), np.asarray(grad).reshape(-1))
    return storage[_storage_positions(*in_geom)]


def _strided_gather_tensor(grad, geometry):
    return record(AsStridedBackward0, _strided_gather_array(grad._data, geometry), (grad,), geometry=geometry)


@formula_helper(tensor=_strided_gather_tensor, name="_strided_gather")
def _strided_gather_array(grad, geometry):
    """The other way: a gradient of the input's geometry read with the output's."""
    size, in_geom, out_geom = geometry
    storage = np.zeros(size, np.asarray(grad).dtype)
    np.add.at(storage, _storage_positions(*in_geom).reshape(-1), np.asarray(grad).reshape(-1))
    return storage[_storage_positions(*out_geom)]


AsStridedBackward0 = derivative("AsStridedBackward0", attrs="geometry", self="_strided_scatter(grad, geometry)")
AsStridedScatterBackward0 = derivative("AsStridedScatterBackward0", attrs="geometry",
                                       grad_output="_strided_gather(grad, geometry)")


def strided_geometry(input: Tensor, size, stride, storage_offset=None) -> tuple[np.ndarray, tuple]:
    """as_strided's view of the input's storage as an array, and the geometry its gradient moves through
    (the storage's size, the input's and the output's sizes, strides and offsets, in elements)."""
    _check_tensor("as_strided", input)
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if storage_offset is not None and storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if min(size, default=0) < 0:   # (torch lets a negative size with a zero one through: NumPy cannot hold it)
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    data = input._data
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = data.dtype.itemsize
    here = (data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item if data.size else 0
    offset = here if storage_offset is None else int(storage_offset)
    needed = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1 if all(size) else 0
    if needed > root.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {needed * item} are out of bounds for "
                           f"storage of size {root.size * item}")
    buffer = root
    if not root.flags.c_contiguous:   # a dense storage in another order (a clone of a transposed tensor): flat
        buffer = root.ravel(order="K")
        if not np.shares_memory(buffer, root):
            raise NotImplementedError("as_strided: mygrad needs the input's storage to be contiguous")
    start = offset * item if needed else 0   # an empty view starts anywhere
    out = np.ndarray(size, data.dtype, buffer=buffer, offset=start, strides=tuple(s * item for s in stride))
    in_geom = (data.shape, tuple(s // item for s in data.strides), here)
    return out, (root.size, in_geom, (size, stride, offset))


@argument_types
def as_strided(input: Tensor, size: IntList, stride: IntList, storage_offset: int | None = None) -> Tensor:
    """A view with the given sizes and strides (in elements) from ``storage_offset`` of the input's
    storage (default: where the input starts)."""
    out, geometry = strided_geometry(input, size, stride, storage_offset)
    return as_view(AsStridedBackward0, out, input, geometry=geometry)


AsStridedBackward1 = derivative("AsStridedBackward1", attrs="geometry", self="_strided_scatter(grad, geometry)")


@argument_types
def as_strided_(self: Tensor, size: IntList, stride: IntList, storage_offset: int | None = None) -> Tensor:
    """as_strided in place: the tensor itself takes the geometry (AsStridedBackward1 over its history)."""
    from .shape import view_inplace
    _, geometry = strided_geometry(self, size, stride, storage_offset)
    return view_inplace(self, lambda x: as_strided(x, size, stride, storage_offset), AsStridedBackward1,
                        geometry=geometry)


_NOT_CONTIGUOUS_SCATTER = (
    '!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED at '
    '"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp":4754, please report a bug to PyTorch. '
    'as_strided_scatter is currently only supported for contiguous inputs')


class _FlatRegion:
    """Elements of a base-shaped array picked by their positions in its row-major order: what
    as_strided_scatter's formulas read and write (the duck type of ``_views.Geometry``: read, write, scatter)."""

    __slots__ = ("shape", "positions", "back")

    def __init__(self, shape: tuple, positions: np.ndarray, back: "_FlatRegion | None" = None):
        self.shape, self.positions, self.back = shape, positions, back

    def read(self, g) -> np.ndarray:
        flat = np.asarray(g).reshape(-1)
        if self.positions.size and (self.positions.min() < 0 or self.positions.max() >= flat.size):
            raise RuntimeError(f"setStorage: as_strided_scatter's region ({list(self.positions.shape)}) is out of "
                               f"bounds for a gradient of {flat.size} elements")
        return flat[self.positions]

    def write(self, g, values) -> np.ndarray:
        out = np.array(np.asarray(g), copy=True).reshape(-1)
        inside = (self.positions >= 0) & (self.positions < out.size)
        out[self.positions[inside]] = np.broadcast_to(values, self.positions.shape)[inside]
        return out.reshape(self.shape)

    def scatter(self, g) -> np.ndarray:
        out = np.zeros(int(np.prod(self.shape)), np.asarray(g).dtype)
        np.add.at(out, self.positions.reshape(-1), np.broadcast_to(g, self.positions.shape).reshape(-1))
        return out.reshape(self.shape)


# torch's derivative of as_strided_scatter (2.13's as_strided_scatter_backward): both inputs' gradients are the
# upstream gradient's as_strided region counted from its own start (offset 0 unless given), src's that region and
# self's that region in zeros -- not the complement one would derive; matched as it is (``geometry.back``).  The
# tangent is the scatter of the tangents where the forward wrote (``geometry``).
_AsStridedScatterBackward0 = derivative(
    "AsStridedScatterBackward0", attrs="geometry",
    self="with_view_region(zeros_like(grad), view_region(grad, geometry.back), geometry.back)",
    src="view_region(grad, geometry.back)")


def _positions(size: tuple, stride: tuple, offset: int) -> np.ndarray:
    positions = np.full(size, offset, np.int64)
    for d, (n, st) in enumerate(zip(size, stride)):
        positions += (np.arange(n) * st).reshape((-1,) + (1,) * (len(size) - d - 1))
    return positions


def _storage_clone(data: np.ndarray) -> np.ndarray:
    """``data`` over a copy of its whole storage, at the same offset and strides (torch's as_strided_scatter
    clones the storage: its offsets count from the input storage's start, as as_strided's do)."""
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    flat = np.array(root, order="K").ravel(order="K")
    if not data.size or not np.shares_memory(root.ravel(order="K"), root):   # (no dense storage: a plain clone)
        out = np.empty_like(data)
        out[...] = data
        return out
    start = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(data.shape, data.dtype, buffer=flat, offset=start, strides=data.strides)


def _write_in_torch_order(region: np.ndarray, values: np.ndarray, value_strides: tuple) -> None:
    """``region[...] = values``; where the region's elements overlap in memory (a stride shorter than a row), in
    the order torch's copy iterates them, so that the value written last is torch's."""
    step = region.itemsize or 1
    span = [(n - 1) * abs(st) // step for n, st in zip(region.shape, region.strides) if n > 1]
    if region.size < 2 or builtins_sum(span) + 1 >= region.size and _distinct(region):
        region[...] = values
        return
    order = _iterator_order(region.shape, [region.strides, value_strides])[::-1]   # (outermost first)
    index = tuple(np.transpose(i, order).reshape(-1) for i in np.indices(region.shape))
    region[index] = values[index]


def _distinct(region: np.ndarray) -> bool:
    """Whether no two elements of ``region`` share memory."""
    positions = _positions(region.shape, tuple(st // (region.itemsize or 1) for st in region.strides), 0)
    return np.unique(positions).size == positions.size


@argument_types
def as_strided_scatter(input: Tensor, src: Tensor, size: IntList, stride: IntList,
                       storage_offset: int | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` written into its as_strided view (torch's composite: clone, as_strided,
    copy_); AsStridedScatterBackward0, whose gradient torch supports for a contiguous input only."""
    from ._views import OVERLAP_MESSAGE, has_internal_overlap
    _check_tensor("as_strided_scatter", input)
    if not isinstance(src, Tensor):
        raise not_tensor("as_strided_scatter", src, "src", 2)
    if input.requires_grad and not input._data.flags.c_contiguous:
        raise RuntimeError(_NOT_CONTIGUOUS_SCATTER)
    if src.requires_grad and input._data.dtype.kind not in "fc" and grad_mode.is_grad_enabled():
        raise not_differentiable(input._data)
    out = _storage_clone(input._data)
    region, _ = strided_geometry(Tensor._make(out, False, None), size, stride, storage_offset)
    if region.shape != src._data.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(region.shape)}")
    if has_internal_overlap(region):
        raise RuntimeError(OVERLAP_MESSAGE)
    _write_in_torch_order(region, src._data.astype(out.dtype, copy=False), src._data.strides)
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    here = out.__array_interface__["data"][0] - _storage_start(out) if out.size else 0
    written = _positions(size, stride, (here // out.itemsize if storage_offset is None else int(storage_offset))
                         - here // out.itemsize)
    back = _positions(size, stride, 0 if storage_offset is None else int(storage_offset))
    return record(_AsStridedScatterBackward0, out, (input, src),
                  geometry=_FlatRegion(out.shape, written, _FlatRegion(out.shape, back)))


def _storage_start(data: np.ndarray) -> int:
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root.__array_interface__["data"][0]


@argument_types
def fill_diagonal_(self: Tensor, fill_value: Number, wrap: bool = False) -> Tensor:
    """torch's fill_diagonal_: the main diagonal (stride: the sum of the strides) filled in place through an
    as_strided view (CopySlices over the history); ``wrap`` continues below a tall matrix's square every
    ``width + 1`` rows."""
    data = self._data
    if data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = data.shape[0], data.shape[1]
    if data.ndim > 2 and any(n != height for n in data.shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    offset = self.storage_offset()
    size, stride = min(height, width), builtins_sum(self.stride())
    as_strided(self, (size,), (stride,), offset).fill_(fill_value)
    if wrap and data.ndim == 2 and height > width + 1:
        step = width + 1
        wrap_size = (data.size + step - 1) // step - size
        as_strided(self, (wrap_size,), (stride,), offset + self.stride(0) * (width + 1)).fill_(fill_value)
    return self


methods(as_strided=as_strided, as_strided_=as_strided_, fill_diagonal_=fill_diagonal_,
        as_strided_scatter=as_strided_scatter)
__all__ += ["as_strided_scatter"]
__all__ += ["as_strided"]
