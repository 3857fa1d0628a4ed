"""The scatter and gather family: scatter (src, value, reduce=), scatter_add, scatter_reduce, index_add,
index_copy, index_fill, index_reduce, masked_scatter, masked_select, nonzero, argwhere, take,
take_along_dim, put, where(condition), and the in-place ``_`` forms.

Duplicate indices follow torch's CPU kernels: a plain scatter, index_copy or put writes in index
order, so the last write wins (NumPy's fancy assignment does the same); the accumulating forms add
every duplicate.  The backward formulas are torch's (derivatives.yaml), so a source element whose
write was overwritten still receives ``grad.gather(...)``, as in torch.
"""
from __future__ import annotations

import numpy as np

from .._argument_types import Number, argument_types
from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import TENSOR, formula_helper
from ..autograd.node import derivative, read_from
from ._define import check_broadcast, inplace_method, methods, record
from ._errors import fill_value, not_tensor, past_checks, refuse_gradient_into
from .elementwise import _fused_alpha, no_derivative  # noqa: F401  (no_derivative: the formula helper)
from .indexing import _gather_key

# ----- formula helpers: each over arrays and over tensors (create_graph) --------------------------------

def _long(data) -> Tensor:
    return Tensor._make(np.asarray(data, dtype=np.int64), False, None)


def _scatter_zero_tensor(grad, dim, index):
    return scatter(grad, dim, _long(index), 0)


@formula_helper(tensor=_scatter_zero_tensor, name="_scatter_zero")
def _scatter_zero_array(grad, dim, index):
    """grad.scatter(dim, index, 0): the positions a scatter overwrote get no gradient."""
    out = np.array(grad, copy=True)
    if out.ndim:
        out[_gather_key(index, dim)] = 0
    elif np.size(index):
        out[...] = 0
    return out


def _index_fill_zero_tensor(grad, dim, index):
    return index_fill(grad, dim, _long(index), 0)


@formula_helper(tensor=_index_fill_zero_tensor, name="_index_fill_zero")
def _index_fill_zero_array(grad, dim, index):
    out = np.array(grad, copy=True)
    if out.ndim:
        out[(slice(None),) * dim + (index,)] = 0
    elif np.size(index):
        out[...] = 0
    return out


def _masked_select_tensor(x, mask):
    return masked_select(x, Tensor._make(mask, False, None))


@formula_helper(tensor=_masked_select_tensor, name="_masked_select")
def _masked_select_array(x, mask):
    return np.broadcast_to(x, np.broadcast_shapes(np.shape(x), mask.shape))[np.broadcast_to(mask, np.broadcast_shapes(
        np.shape(x), mask.shape))]


def _masked_select_backward_tensor(grad, shape, mask):
    from .. import zeros
    full = np.broadcast_shapes(tuple(shape), mask.shape)
    base = zeros(full, dtype=grad.dtype)
    out = masked_scatter(base, Tensor._make(np.broadcast_to(mask, full).copy(), False, None), grad)
    return TENSOR["sum_to"](out, tuple(shape))


@formula_helper(tensor=_masked_select_backward_tensor, name="_masked_select_backward")
def _masked_select_backward_array(grad, shape, mask):
    """Zeros of the broadcast shape with ``grad`` at the mask, summed back to the input's shape."""
    from ..autograd.backends import sum_to
    full = np.broadcast_shapes(tuple(shape), mask.shape)
    out = np.zeros(full, np.asarray(grad).dtype)
    out[np.broadcast_to(mask, full)] = grad
    return sum_to(out, tuple(shape))


def _masked_scatter_source_grad_tensor(grad, mask, source_shape):
    from .. import cat, zeros
    picked = masked_select(grad, Tensor._make(np.asarray(mask), False, None))
    n = int(np.prod(source_shape))
    pad = zeros(n - picked.shape[0], dtype=grad.dtype)
    return cat([picked, pad]).reshape(source_shape)


@formula_helper(tensor=_masked_scatter_source_grad_tensor, name="_masked_scatter_source_grad")
def _masked_scatter_source_grad_array(grad, mask, source_shape):
    """The gradient of masked_scatter's source: the masked grad values, zeros for unused source elements."""
    picked = np.asarray(grad)[np.broadcast_to(mask, np.shape(grad))]
    out = np.zeros(int(np.prod(source_shape)), picked.dtype)
    out[:picked.size] = picked
    return out.reshape(source_shape)


def _take_tensor(x, index):
    return take(x, _long(index))


@formula_helper(tensor=_take_tensor, name="_take")
def _take_array(x, index):
    return np.asarray(x).reshape(-1)[index]


def _take_backward_tensor(grad, shape, index):
    from .. import zeros
    return put(zeros(tuple(shape), dtype=grad.dtype), _long(index), grad, accumulate=True)


@formula_helper(tensor=_take_backward_tensor, name="_take_backward")
def _take_backward_array(grad, shape, index):
    out = np.zeros(int(np.prod(shape)), np.asarray(grad).dtype)
    np.add.at(out, np.asarray(index).reshape(-1), np.asarray(grad).reshape(-1))
    return out.reshape(shape)


def _put_zero_tensor(grad, index, source):
    from .. import zeros
    return put(grad, _long(index), zeros(np.shape(index), dtype=grad.dtype))


@formula_helper(tensor=_put_zero_tensor, name="_put_zero")
def _put_zero_array(grad, index, source):
    """torch's ``grad.put(index, zeros_like(source))``.  ``source`` is only read as torch saves it (where it
    requires grad): an in-place edit of it since then raises here, as torch's version check does."""
    out = np.array(grad, copy=True)
    out.reshape(-1)[np.asarray(index).reshape(-1)] = 0
    return out


def _checked_grad(grad, shape, node: str, position: int):
    """torch validates a node's gradient against its input's shape: the gradient of a src larger than
    index (grad.gather has index's shape) is refused unless src's shape expands to it."""
    got = tuple(np.shape(grad))
    shape = tuple(shape)
    if got != shape:
        expandable = len(shape) <= len(got) and all(
            s == g or s == 1 for s, g in zip(shape[::-1], got[::-1]))
        if not expandable:
            raise RuntimeError(f"Function {node} returned an invalid gradient at index {position} - got {list(got)} "
                               f"but expected shape compatible with {list(shape)}")
    return grad


formula_helper(_checked_grad, tensor="same", name="_checked_grad")


def _index_fill_value_grad(namespace: dict, grad, dim, index):
    """index_fill's value gradient as torch computes it: grad.index_select(dim, unique(index)).sum(),
    where a negative index (which the forward accepted) is out of range."""
    from .indexing import _index_select_range_error
    index = np.unique(np.asarray(index))
    g = grad._data if isinstance(grad, Tensor) else np.asarray(grad)
    size = g.shape[dim] if g.ndim else 1
    if index.size and (index < 0).any():
        _index_select_range_error(Tensor._make(g, False, None), dim, index, size)
    return namespace["_index_select"](grad, dim, index).sum()


def _index_fill_value_grad_tensor(grad, dim, index):
    from ..autograd import backends
    return _index_fill_value_grad(backends.TENSOR, grad, dim, index)


@formula_helper(tensor=_index_fill_value_grad_tensor, name="_index_fill_value_grad")
def _index_fill_value_grad_array(grad, dim, index):
    from ..autograd import backends
    return _index_fill_value_grad(backends.ARRAY, grad, dim, index)


ScatterBackward0 = derivative("ScatterBackward0", freed=("index",),
                              attrs="dim index src_shape", self="_scatter_zero(grad, dim, index)",
                              src="_checked_grad(_gather(grad, dim, index), src_shape, 'ScatterBackward0', 1)")
ScatterBackward1 = derivative("ScatterBackward1", freed=("index",),
                              attrs="dim index", self="_scatter_zero(grad, dim, index)")
ScatterAddBackward0 = derivative("ScatterAddBackward0", freed=("index",), attrs="src_shape dim index", self="grad",
                                 src="_checked_grad(_gather(grad, dim, index), src_shape, 'ScatterAddBackward0', 1)")
# (source and self below are read for their shapes only, but saved, as torch's nodes save them: an in-place
# edit of them breaks the backward)
IndexAddBackward0 = derivative("IndexAddBackward0", freed=("index",), attrs="alpha dim index", self="grad",
                               source="reshape(_index_select(grad, dim, index), tuple(source.shape)) * alpha")
IndexCopyBackward0 = derivative("IndexCopyBackward0", freed=("index",), attrs="dim index",
                                self="_index_fill_zero(grad, dim, index)",
                                source="reshape(_index_select(grad, dim, index), tuple(source.shape))")
IndexFillBackward0 = derivative("IndexFillBackward0", freed=("index",),
                                attrs="dim index", self="_index_fill_zero(grad, dim, index)")
IndexFillBackward1 = derivative("IndexFillBackward1", freed=("index",), attrs="dim index given_index",
                                self="_index_fill_zero(grad, dim, index)",
                                value="_index_fill_value_grad(grad, dim, given_index)")
# (self is read for its shape only, but saved, as torch's node saves it: an in-place edit breaks the backward)
MaskedSelectBackward0 = derivative("MaskedSelectBackward0", freed=("mask",), attrs="mask",
                                   self="_masked_select_backward(grad, tuple(self.shape), mask)")
MaskedScatterBackward0 = derivative("MaskedScatterBackward0", freed=("mask",), attrs="mask source_shape",
                                    self="masked_fill(grad, mask, 0)",
                                    source="_masked_scatter_source_grad(grad, mask, source_shape)")
TakeBackward0 = derivative("TakeBackward0", freed=("index",),
                           attrs="index", self="_take_backward(grad, tuple(self.shape), index)")
PutBackward0 = derivative("PutBackward0", freed=("index",), attrs="accumulate index source_shape",
                          self="grad if accumulate else _put_zero(grad, index, source)",
                          source="reshape(_take(grad, index), source_shape)")


# ----- argument checks ----------------------------------------------------------------------------------

def _tensor(name: str, value, argument: str, position: int) -> None:
    if not isinstance(value, Tensor):
        raise not_tensor(name, value, argument, position)


def _type(data: np.ndarray) -> str:
    from .. import _dtype
    from .._tensor_str import scalar_type_name
    return scalar_type_name(_dtype.from_numpy_dtype(data.dtype))


def _nonempty_size(data: np.ndarray, d: int) -> int:
    """torch's ensure_nonempty_size: 1 for a 0-d tensor, else size(d) (a dim past the rank: IndexError)."""
    if not data.ndim:
        return 1
    if d >= data.ndim:
        n = data.ndim
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return data.shape[d]


def _scatter_checks(name: str, input: Tensor, dim: int, index: Tensor, src: Tensor | None) -> tuple:
    """torch's scatter/gather checks, in its order (scatter_gather_dtype_check, scatter_shape_check): an empty
    index skips all but the dtypes of self and src; returns (dim, index array)."""
    _tensor(name, index, "index", 3)
    data, idx = input._data, index._data
    dim = input._wrap_dim(dim)
    if idx.size and idx.dtype not in (np.int64, np.int32):   # (every scatter's message says scatter())
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != data.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    if idx.size == 0:
        return dim, idx.astype(np.int64)
    dims = max(data.ndim, 1)
    if dims != max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = any(_nonempty_size(idx, d) > _nonempty_size(data, d) for d in range(dims) if d != dim)
    if src is not None:
        s = src._data
        if not wrong:   # (torch reads src.size(d) for every dim of self, stopping at the first too small)
            wrong = any(_nonempty_size(idx, d) > _nonempty_size(s, d) for d in range(dims))
        if max(s.ndim, 1) != max(idx.ndim, 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if wrong:
        got = f" and to be no larger size than src {list(src._data.shape)}" if src is not None else ""
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(data.shape)} apart "
                           f"from dimension {dim}{got}")
    size = data.shape[dim] if data.ndim else 1
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise RuntimeError(f"index {int(idx[bad].flat[0])} is out of bounds for dimension {dim} with size {size}")
    return dim, idx.astype(np.int64)


def _src_part(src: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The leading block of ``src`` of ``index``'s shape (the elements a scatter reads)."""
    if not idx.size:   # (an empty index reads nothing, whatever src's shape)
        return np.zeros(idx.shape, src.dtype)
    if src.ndim == 0 or idx.ndim == 0:
        return src.reshape(idx.shape) if src.size == idx.size else np.broadcast_to(src.reshape(-1)[0], idx.shape)
    return src[tuple(slice(0, n) for n in idx.shape)]


def _written(data: np.ndarray, dim: int, idx: np.ndarray, values) -> np.ndarray:
    out = data.copy()
    if idx.size:
        if out.ndim:
            out[_gather_key(idx.reshape(idx.shape if idx.ndim else (1,)), dim)] = \
                np.asarray(values).reshape(idx.shape if idx.ndim else (1,))
        else:
            out[...] = np.asarray(values).reshape(-1)[-1]
    return out


# ----- scatter, scatter_add, scatter_reduce ---------------------------------------------------------------

_REDUCE_UFUNC = {"add": np.add, "multiply": np.multiply}
_REDUCE_WARNING = ("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                   "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.")

NotImplementedScatter = derivative("NotImplemented", self="no_derivative('aten::scatter')",
                                   src="no_derivative('aten::scatter')")
NotImplementedScatterValue = derivative("NotImplemented", self="no_derivative('aten::scatter')")


@quiet
def _accumulate(data: np.ndarray, dim: int, idx: np.ndarray, values, ufunc) -> np.ndarray:
    out = data.copy()
    if idx.size:
        key = _gather_key(idx, dim) if out.ndim else (np.zeros(idx.shape, np.int64),)
        target = out if out.ndim else out.reshape(1)
        ufunc.at(target, key, np.broadcast_to(values, idx.shape))
    return out


def scatter(input: Tensor, dim: int, index: Tensor, src=None, value=None, *, reduce: str | None = None) -> Tensor:
    """``src`` a tensor: ScatterBackward0; a number (``value``): ScatterBackward1.  ``reduce='add'`` or
    ``'multiply'`` accumulates instead (torch records no derivative for it)."""
    _tensor("scatter", input, "input", 1)
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing 1 required positional argument: \"src\" or \"value\"")
    tensor_src = isinstance(src, Tensor)
    dim, idx = _scatter_checks("scatter", input, dim, index, src if tensor_src else None)
    data = input._data
    values = _src_part(src._data, idx) if tensor_src else np.asarray(src).astype(data.dtype)
    if reduce is not None:
        if reduce not in _REDUCE_UFUNC:
            raise RuntimeError("reduce argument must be either add or multiply.")
        if tensor_src:
            import warnings
            warnings.warn(_REDUCE_WARNING, UserWarning, stacklevel=past_checks(2))
        out = _accumulate(data, dim, idx, values, _REDUCE_UFUNC[reduce])
        # torch's NotImplemented node has an edge for each input that requires grad, and no others
        needing = tuple(t for t in ((input, src) if tensor_src else (input,)) if t._requires_grad)
        if len(needing) == 2:
            return record(NotImplementedScatter, out, needing)
        return record(NotImplementedScatterValue, out, needing or (input,))
    out = _written(data, dim, idx, np.broadcast_to(values, idx.shape))
    if tensor_src:
        return read_from(record(ScatterBackward0, out, (input, src), dim=dim, index=idx, src_shape=src._data.shape),
                         index=index)
    return read_from(record(ScatterBackward1, out, (input,), dim=dim, index=idx), index=index)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    _tensor("scatter_add", input, "input", 1)
    _tensor("scatter_add", src, "src", 4)
    dim, idx = _scatter_checks("scatter_add", input, dim, index, src)
    out = _accumulate(input._data, dim, idx, _src_part(src._data, idx), np.add)
    return record(ScatterAddBackward0, out, (input, src), dim=dim, index=idx, src_shape=src._data.shape)


# ----- index_add, index_copy, index_fill ---------------------------------------------------------------

def _index_vector(name: str, index: Tensor, long_only: bool, error=RuntimeError) -> np.ndarray:
    idx = index._data
    if idx.dtype.kind not in "iu" or (long_only and idx.dtype != np.int64):
        if long_only:
            raise error(f"{name}(): Expected a long tensor for index, but got {_type(idx)}")
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: {_type(idx)}")
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                         f"{_type(idx)} and size: {list(idx.shape)}")
    return idx.reshape(-1).astype(np.int64)


def _check_in_range(idx: np.ndarray, dim: int, size: int, error=RuntimeError, prefix: str = "") -> None:
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise error(f"{prefix}index {int(idx[bad][0])} is out of bounds for dimension {dim} with size {size}")


def _empty_dim_error(data: np.ndarray, dim: int, n: int) -> RuntimeError:
    """torch's error for ``n`` indices into a dim of size 0 (its kernel restrides ``self`` over them first)."""
    shape = list(data.shape) if data.ndim else [1]
    strides = [int(np.prod(shape[d + 1:])) or 1 for d in range(len(shape))]
    shape[dim], strides[dim] = n, 0
    need = (sum((s - 1) * t for s, t in zip(shape, strides)) + 1) * data.itemsize
    return RuntimeError(f"setStorage: sizes {shape}, strides {strides}, storage offset 0, and itemsize "
                        f"{data.itemsize} requiring a storage size of {need} are out of bounds for storage of size 0")


def _source_slices(name: str, input: Tensor, dim: int, idx: np.ndarray, source: Tensor) -> np.ndarray:
    """``source`` as (index entries along ``dim``) blocks matching ``input`` elsewhere."""
    data, src = input._data, source._data
    if src.dtype != data.dtype:
        raise RuntimeError(f"{name}(): self ({_type(data)}) and source ({_type(src)}) must have the same scalar "
                           f"type")
    if src.ndim == 0 and name == "index_copy_":
        if idx.size != 1:
            raise IndexError(f"index_copy_(): When source is scalar, index should have one element (got {idx.size})")
    elif src.ndim == 0:   # index_add_/index_reduce_ read source.size(dim) of the scalar, then compare the shapes
        if dim > 0:
            raise RuntimeError(f"{name}(): Indexing dim {dim} is out of bounds of the source tensor with dim 0")
        if idx.size != 1:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if data.ndim:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(data.shape)} source.shape = []")
    if data.ndim == 0:
        src_n = src.size
        if idx.size != src_n and name == "index_copy_":
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                             f"({src_n})")
        if idx.size != src_n:
            raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                               f"({src_n}), for dim: {dim}")
        return src.reshape(-1)
    src_shape = src.shape if src.ndim else (1,)
    if len(src_shape) != data.ndim or any(a != b for d, (a, b) in enumerate(zip(data.shape, src_shape)) if d != dim):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(data.shape)} source.shape = {list(src.shape)}")
    if src_shape[dim] != idx.size:
        raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({src_shape[dim]}), for dim: {dim}")
    return src.reshape(src_shape)


@argument_types
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Number = 1) -> Tensor:
    _tensor("index_add", input, "input", 1)
    _tensor("index_add", index, "index", 3)
    _tensor("index_add", source, "source", 4)
    dim = input._wrap_dim(dim)
    idx = _index_vector("index_add_", index, long_only=False)
    data = input._data
    if data.ndim == 0:
        if source._data.ndim:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = [] source.shape = {list(source._data.shape)}")
        if idx.size != 1:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    blocks = _source_slices("index_add_", input, dim, idx, source)
    if data.ndim <= 1:   # torch's 1-D kernel reports a bad index as index_select does
        if ((idx < 0) | (idx >= (data.shape[0] if data.ndim else 1))).any():
            raise IndexError("index out of range in self")
    if data.ndim > 1 and data.size == 0:   # (torch's kernel loops over no element and checks no index)
        return record(IndexAddBackward0, data.copy(), (input, source), source=source, dim=dim, index=idx,
                      alpha=alpha)
    _check_in_range(idx, dim, data.shape[dim] if data.ndim else 1)
    return record(IndexAddBackward0, _index_add_kernel(data, dim, idx, blocks, alpha), (input, source),
                  source=source, dim=dim, index=idx, alpha=alpha)


@quiet
def _index_add_kernel(data: np.ndarray, dim: int, idx: np.ndarray, blocks: np.ndarray, alpha) -> np.ndarray:
    """``data`` with ``alpha * blocks`` added at ``idx`` along ``dim``, index by index in order, as torch's
    kernel: beyond 1-D each slice goes through add's kernel (a fused multiply-add: inf + a product past the
    largest float stays inf), a 0-d or 1-D ``self`` through a scalar loop (``self += source * alpha``, the
    product rounded).  A repeated index adds again on the rounded sum: the k-th occurrences of the indices
    form one vectorised wave."""
    out = data.copy()
    if data.ndim <= 1 or data.dtype.kind != "f":   # (integers and bool: the product is exact or wraps alike)
        scaled = (blocks * alpha).astype(data.dtype) if data.dtype.kind != "f" and alpha != 1 else \
            blocks * data.dtype.type(alpha) if alpha != 1 else blocks
        if data.ndim:
            np.add.at(out, (slice(None),) * dim + (idx,), scaled)
        elif idx.size:
            out = out + scaled.sum()
        return np.asarray(out, data.dtype)
    order = np.argsort(idx, kind="stable")
    sorted_idx = idx[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_idx)) + 1]
    occurrence = np.empty_like(idx)
    occurrence[order] = np.arange(idx.size) - np.repeat(starts, np.diff(np.r_[starts, idx.size]))
    lead = (slice(None),) * dim
    for k in range(int(occurrence.max()) + 1 if idx.size else 0):
        wave = np.flatnonzero(occurrence == k)
        at = lead + (idx[wave],)
        out[at] = _fused_alpha(out[at], blocks[lead + (wave,)], alpha)
    return out


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    _tensor("index_copy", input, "input", 1)
    _tensor("index_copy", index, "index", 3)
    _tensor("index_copy", source, "source", 4)
    dim = input._wrap_dim(dim)
    idx = _index_vector("index_copy_", index, long_only=True)
    data = input._data
    if data.ndim and source._data.ndim:   # (torch's own checks first, IndexError)
        if source._data.ndim != data.ndim:
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                             f"must match. Source dimensionality ({source._data.ndim}), destination dimensionality "
                             f"({data.ndim})")
        if source._data.shape[dim] != idx.size:
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                             f"({source._data.shape[dim]})")
    if data.ndim and source._data.ndim and (source._data.ndim != data.ndim or any(
            a != b for d, (a, b) in enumerate(zip(data.shape, source._data.shape)) if d != dim)):
        d = next((d for d, (a, b) in enumerate(zip(data.shape, source._data.shape)) if d != dim and a != b), dim)
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                           f"slice shape: {data.shape[d]} at dimension {d} and source slice shape: "
                           f"{source._data.shape[d] if d < source._data.ndim else 1} at dimension {d}.")
    if data.ndim == 0 and source._data.ndim > 1:
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                           f"slice shape:  at dimension 0 and source slice shape: "
                           f"{' '.join(map(str, source._data.shape[1:]))} at dimension 0.")
    blocks = _source_slices("index_copy_", input, dim, idx, source)
    if data.ndim and data.shape[dim] == 0 and idx.size:
        raise _empty_dim_error(data, dim, idx.size)
    _check_in_range(idx, dim, data.shape[dim] if data.ndim else 1, IndexError, "index_copy_(): ")
    out = data.copy()
    if data.ndim:
        out[(slice(None),) * dim + (idx,)] = blocks
    elif idx.size:
        out[...] = blocks.reshape(-1)[-1]
    return record(IndexCopyBackward0, out, (input, source), source=source, dim=dim, index=idx)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    _tensor("index_fill", input, "input", 1)
    _tensor("index_fill", index, "index", 3)
    tensor_value = isinstance(value, Tensor)
    if tensor_value and value._data.ndim:   # (torch's first check)
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    dim = input._wrap_dim(dim)
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    idx = index._data.reshape(-1)
    data = input._data
    size = data.shape[dim] if data.ndim else 1
    if size == 0 and idx.size:
        raise _empty_dim_error(data, dim, idx.size)
    bad = (idx < -size) | (idx >= size)
    if bad.any():
        raise IndexError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} with size {size}")
    idx = idx % size if size else idx
    refuse_gradient_into(data, value)
    fill = fill_value(value._data if tensor_value else value, data.dtype)
    out = data.copy()
    if data.ndim:
        out[(slice(None),) * dim + (idx,)] = fill
    elif idx.size:
        out[...] = fill
    if tensor_value:
        return record(IndexFillBackward1, out, (input, value), dim=dim, index=idx, given_index=index._data.reshape(-1))
    return record(IndexFillBackward0, out, (input,), dim=dim, index=idx)


# ----- masked_select, masked_scatter -------------------------------------------------------------------

def _bool_mask(name: str, mask) -> np.ndarray:
    if not isinstance(mask, Tensor):
        raise not_tensor(name, mask, "mask", 2)
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"{name}: expected BoolTensor for mask")
    return mask._data


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    _tensor("masked_select", input, "input", 1)
    m = _bool_mask("masked_select", mask)
    check_broadcast(input._data, m)
    out = _masked_select_array(input._data, m)
    return read_from(record(MaskedSelectBackward0, np.ascontiguousarray(out), (input,), self=input, mask=m),
                     mask=mask)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    _tensor("masked_scatter", input, "input", 1)
    m = _bool_mask("masked_scatter_", mask)
    _tensor("masked_scatter", source, "source", 3)
    data, src = input._data, source._data
    if src.dtype != data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got{_type(data)} and "
                           f"{_type(src)}")
    check_broadcast(data, m)
    shape = np.broadcast_shapes(data.shape, m.shape)
    full_mask = np.broadcast_to(m, shape)
    count = int(full_mask.sum())
    if count > src.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = np.array(np.broadcast_to(data, shape))
    out[full_mask] = src.reshape(-1)[:count]
    return read_from(record(MaskedScatterBackward0, out, (input, source), mask=full_mask, source_shape=src.shape),
                     mask=mask)


def _masked_scatter_inplace(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = _bool_mask("masked_scatter_", mask)
    shape = self._data.shape
    for i in range(1, min(len(shape), m.ndim) + 1):   # torch expands the mask to self's shape
        if m.shape[-i] not in (1, shape[-i]):
            raise RuntimeError(f"The expanded size of the tensor ({shape[-i]}) must match the existing size "
                               f"({m.shape[-i]}) at non-singleton dimension {len(shape) - i}.  Target sizes: "
                               f"{list(shape)}.  Tensor sizes: {list(m.shape)}")
    if np.broadcast_shapes(self._data.shape, m.shape) != self._data.shape:
        raise RuntimeError(f"expand(torch.BoolTensor{{{list(m.shape)}}}, size={list(self._data.shape)}): the number "
                           f"of sizes provided ({self._data.ndim}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({m.ndim})")
    return self._inplace(masked_scatter, mask, source)


# ----- nonzero, argwhere, where(condition) -----------------------------------------------------------

def nonzero(input: Tensor, *, as_tuple: bool = False):
    _tensor("nonzero", input, "input", 1)
    data = input._data
    if as_tuple:
        return tuple(_long(i) for i in np.nonzero(data.reshape(1) if data.ndim == 0 else data))
    if data.ndim == 0:
        return _long(np.zeros((1 if data.item() else 0, 0)))
    return _long(np.argwhere(data))


def argwhere(input: Tensor) -> Tensor:
    _tensor("argwhere", input, "input", 1)
    return nonzero(input)


# ----- take, take_along_dim, put ---------------------------------------------------------------------

def _flat_index(name: str, input: Tensor, index: Tensor) -> np.ndarray:
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got {_type(idx)}")
    n = input._data.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx[bad].flat[0])} on a tensor of {n} elements.")
    return idx % n if n else idx


def take(input: Tensor, index: Tensor) -> Tensor:
    _tensor("take", input, "input", 1)
    _tensor("take", index, "index", 2)
    idx = _flat_index("take", input, index)
    return read_from(record(TakeBackward0, input._data.reshape(-1)[idx], (input,), self=input, index=idx),
                     index=index)


def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    """Without ``dim``: over the flattened input; with it, input and indices broadcast except along
    ``dim`` (torch expands both, then gathers)."""
    from .indexing import gather
    from .shape import broadcast_to
    _tensor("take_along_dim", input, "input", 1)
    _tensor("take_along_dim", indices, "indices", 2)
    if dim is None:   # (torch gathers from the flattened input: gather's own index checks)
        return gather(input.view(-1), 0, indices.view(-1))
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_type(indices._data)}")
    data, idx = input._data, indices._data
    if data.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {data.ndim} dimensions for input, and {idx.ndim} dimensions for indices")
    dim = input._wrap_dim(dim)
    if not data.ndim:   # (torch reads self.size(dim) of the 0-d input)
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    self_sizes = list(data.shape)
    self_sizes[dim] = idx.shape[dim]
    check_broadcast(np.empty(self_sizes), idx)
    if idx.size:   # torch wraps the indices modulo the size along dim (Python's %), unchecked
        size = data.shape[dim]
        if size == 0:
            raise RuntimeError("ZeroDivisionError")
        if (idx < 0).any() or (idx >= size).any():
            indices = Tensor._make(np.remainder(idx, size), False, None)
    shape = list(np.broadcast_shapes(tuple(self_sizes), idx.shape))
    index_b = broadcast_to(indices, tuple(shape))
    shape[dim] = data.shape[dim]
    return gather(broadcast_to(input, tuple(shape)), dim, index_b)


_add_at = quiet(np.add.at)   # (an accumulation that overflows gives inf silently, as torch's)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    _tensor("put", input, "input", 1)
    _tensor("put", index, "index", 2)
    _tensor("put", source, "source", 3)
    data, src = input._data, source._data
    if src.dtype != data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_type(data)} and source.dtype = {_type(src)}")
    if src.size != index._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {src.size}, index.numel() = {index._data.size}")
    idx = _flat_index("put_", input, index)
    out = data.copy()
    flat = out.reshape(-1)
    if accumulate:
        _add_at(flat, idx.reshape(-1), src.reshape(-1))
    else:
        flat[idx.reshape(-1)] = src.reshape(-1)
    return record(PutBackward0, out, (input, source), index=idx, accumulate=accumulate, source_shape=src.shape,
                  source=source if source._requires_grad else None)   # (saved by torch only then)


methods(scatter=scatter, scatter_=inplace_method(scatter), scatter_add=scatter_add,
        scatter_add_=inplace_method(scatter_add), index_add=index_add, index_add_=inplace_method(index_add),
        index_copy=index_copy, index_copy_=inplace_method(index_copy), index_fill=index_fill,
        index_fill_=inplace_method(index_fill), masked_select=masked_select, masked_scatter=masked_scatter,
        masked_scatter_=_masked_scatter_inplace, nonzero=nonzero, argwhere=argwhere, take=take,
        take_along_dim=take_along_dim, put=put, put_=inplace_method(put))
__all__ = ["scatter", "scatter_add", "index_add", "index_copy", "index_fill", "masked_select", "masked_scatter",
           "nonzero", "argwhere", "take", "take_along_dim", "put"]


# ----- scatter_reduce -----------------------------------------------------------------------------------
# Its backward is torch's scatter_reduce_backward, written once over ``F`` (NumPy arrays, or mygrad ops
# under create_graph) so that double backward differentiates the same math.

_IDENTITY = {"sum": 0, "prod": 1, "mean": 0, "amax": -np.inf, "amin": np.inf}
_UFUNC = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}


@quiet
def _scatter_reduce_array(data: np.ndarray, dim: int, idx: np.ndarray, src: np.ndarray, reduce: str,
                          include_self: bool) -> np.ndarray:
    """The forward over arrays (``src`` already cut to ``idx``'s shape)."""
    out = data.copy()
    if not idx.size:
        return out
    key = _gather_key(idx, dim) if out.ndim else (np.zeros(idx.shape, np.int64),)
    target = out if out.ndim else out.reshape(1)
    if not include_self:
        identity = _IDENTITY[reduce]
        if data.dtype.kind != "f" and not np.isfinite(identity):
            info = np.iinfo(data.dtype) if data.dtype.kind in "iu" else None
            identity = (info.min if identity < 0 else info.max) if info is not None else identity
        target[key] = identity
    _UFUNC[reduce].at(target, key, src)
    if reduce == "mean":
        count = np.ones(target.shape, np.int64) if include_self else np.zeros(target.shape, np.int64)
        np.add.at(count, key, 1)
        scattered = np.zeros(target.shape, bool)
        scattered[key] = True
        count = np.maximum(count, 1)
        divided = target // count if data.dtype.kind in "iu" else target / count.astype(data.dtype)
        target[...] = np.where(scattered, divided, target)
    return out


_DOUBLE_PROD = "{}(): Double backward is unsupported for {} when >1 zeros in {} are scattered to the same position{}"


def _raise_delayed(message: str):
    raise RuntimeError(message)


formula_helper(_raise_delayed, tensor="same", name="raise_delayed")
DelayedError = derivative("DelayedError", attrs="message", self="raise_delayed(message)")


class _ArraySide:
    @staticmethod
    def gather(x, dim, index):
        return _gather_array_any(x, dim, index)

    @staticmethod
    def scatter_add(x, dim, index, src):
        out = np.array(x, copy=True)
        if np.size(index):
            target = out if out.ndim else out.reshape(1)
            key = _gather_key(index, dim) if out.ndim else (np.zeros(np.shape(index), np.int64),)
            np.add.at(target, key, _src_part(np.asarray(src), np.asarray(index)))
        return out

    @staticmethod
    def scatter_zero(x, dim, index):
        return _scatter_zero_array(x, dim, index)

    @staticmethod
    def scatter_reduce(x, dim, index, src, reduce, include_self):
        return _scatter_reduce_array(np.asarray(x), dim, index, _src_part(np.asarray(src), index), reduce,
                                     include_self)

    where = staticmethod(np.where)

    @staticmethod
    def const(a):
        return a

    @staticmethod
    def delayed_error(x, message):
        return x

    @staticmethod
    def raw(x):
        return np.asarray(x)

    @staticmethod
    def masked_fill(x, mask, value):
        return np.where(mask, np.asarray(value, np.asarray(x).dtype), x)


def _gather_array_any(x, dim, index):
    x = np.asarray(x)
    if not x.ndim:
        return np.array(np.broadcast_to(x, np.shape(index)))
    return np.asarray(x[_gather_key(index, dim)])


class _TensorSide:
    @staticmethod
    def gather(x, dim, index):
        from .indexing import _gather
        return _gather(x, dim, index)

    @staticmethod
    def scatter_add(x, dim, index, src):
        return scatter_add(x, dim, _long(index), src)

    @staticmethod
    def scatter_zero(x, dim, index):
        return scatter(x, dim, _long(index), 0)

    @staticmethod
    def scatter_reduce(x, dim, index, src, reduce, include_self):
        return scatter_reduce(x, dim, _long(index), src, reduce, include_self=include_self)

    @staticmethod
    def where(cond, a, b):
        from .elementwise import where
        return where(_TensorSide.const(cond) if not isinstance(cond, Tensor) else cond, a, b)

    @staticmethod
    def const(a):
        return Tensor._make(np.asarray(a), False, None)

    @staticmethod
    def delayed_error(x, message):
        return record(DelayedError, x._data, (x,), message=message)

    @staticmethod
    def raw(x):
        return x._data if isinstance(x, Tensor) else np.asarray(x)

    @staticmethod
    def masked_fill(x, mask, value):
        from .indexing import masked_fill
        return masked_fill(x, _TensorSide.const(mask), value)


def _scatter_reduce_backward(F, grad, self, dim, index, src, reduce, include_self, result, src_shape, which):
    """torch's scatter_reduce_backward: the gradient of ``which`` ('self' or 'src')."""
    x, s, r = F.raw(self), F.raw(src), F.raw(result)
    if reduce in ("prod", "amax", "amin"):   # torch's formula meets src (whole) with index-shaped values
        check_broadcast(s, np.empty(np.shape(index), bool))
    if reduce == "sum":
        grad_self, grad_src = grad, F.gather(grad, dim, index)
    elif reduce == "mean":
        n = np.ones(r.shape, r.dtype) if include_self else np.zeros(r.shape, r.dtype)
        n = _ArraySide.scatter_add(n, dim, index, np.ones(np.shape(index), r.dtype))
        n = F.const(np.where(n == 0, 1, n).astype(r.dtype))
        grad_self = grad / n
        grad_src = F.gather(grad_self, dim, index)
    elif reduce == "prod":
        masked_self = F.masked_fill(self, x == 0, 1)
        grad_self = grad * F.scatter_reduce(masked_self, dim, index, src, "prod", include_self) / masked_self
        src_zero = s == 0
        zeros_in_group = _gather_array_any(_ArraySide.scatter_add(np.zeros(x.shape, x.dtype), dim, index,
                                                                  src_zero.astype(x.dtype)), dim, index)
        single_zero = src_zero & (zeros_in_group == 1)
        masked_src = F.masked_fill(src, single_zero, 1)
        masked_src_result = F.scatter_reduce(self, dim, index, masked_src, "prod", include_self)
        grad_src = F.where(F.const(single_zero), F.gather(grad * masked_src_result, dim, index),
                           F.gather(grad * result, dim, index) / F.masked_fill(src, src_zero, 1))
        if which != "self" and (zeros_in_group > 1).any():   # torch's DelayedError: only a second backward fails
            grad_src = F.delayed_error(grad_src, _DOUBLE_PROD.format(*(("index_reduce", "source", "source", " in self")
                                                                       if which == "source" else
                                                                       ("scatter_reduce", "src", "src", ""))))
    else:   # amax, amin: ties share the gradient
        value = _gather_array_any(r, dim, index)
        self_is_result = (x == r).astype(r.dtype)
        src_is_result = (s == value).astype(r.dtype)
        count = _ArraySide.scatter_add(self_is_result, dim, index, src_is_result)
        distributed = grad / F.const(count)
        grad_self = F.const(self_is_result) * distributed
        grad_src = F.const(src_is_result) * F.gather(distributed, dim, index)
    if which == "self":
        return grad_self if include_self else F.scatter_zero(grad_self, dim, index)
    if which == "source":
        which = "src"
    return _checked_grad(grad_src, src_shape, "ScatterReduceBackward0", 1)


def _scatter_reduce_backward_tensor(grad, self, dim, index, src, reduce, include_self, result, src_shape, which):
    return _scatter_reduce_backward(_TensorSide, grad, self, dim, index, src, reduce, include_self, result,
                                    src_shape, which)


@formula_helper(tensor=_scatter_reduce_backward_tensor, name="scatter_reduce_backward")
@quiet
def _scatter_reduce_backward_array(grad, self, dim, index, src, reduce, include_self, result, src_shape, which):
    return _scatter_reduce_backward(_ArraySide, grad, self, dim, index, src, reduce, include_self, result,
                                    src_shape, which)


_SR_ARGS = "dim, index, src, reduce, include_self, result, src_shape"
def _scatter_reduce_tangent(self_t, src_t, self, src, dim, index, reduce, include_self, result):
    """torch's scatter_reduce_jvp (forward mode): linear for sum and mean; for amax/amin the tangents of the
    elements equal to the result, averaged over ties (src must be index-shaped there, torch's own broadcast
    error otherwise); prod has no tangent out of place, and in place (no src tangent in torch's formula)
    torch's undefined-tensor error."""
    from ..autograd import forward_ad
    index_t = Tensor._make(np.asarray(index), False, None)
    if reduce in ("sum", "mean"):
        return self_t.scatter_reduce(dim, index_t, src_t, reduce, include_self=include_self)
    if reduce == "prod":
        if forward_ad.in_place_depth():
            raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument "
                               "#1 'src'")
        return None
    check_broadcast(src._data, np.empty(index_t.shape, bool))   # torch's message when src is larger than index
    self_mask = self == result
    src_mask = src == result.gather(dim, index_t)
    total = (self_t * self_mask).scatter_reduce(dim, index_t, src_t * src_mask, "sum", include_self=include_self)
    count = self_mask.to(self_t.dtype).scatter_reduce(dim, index_t, src_mask.to(self_t.dtype), "sum",
                                                       include_self=include_self)
    return total / count


formula_helper(_scatter_reduce_tangent, tensor="same", name="scatter_reduce_tangent")


ScatterReduceBackward0 = derivative(
    "ScatterReduceBackward0", freed=("index",), attrs="dim index reduce include_self src_shape",
    self=f"scatter_reduce_backward(grad, self, {_SR_ARGS}, 'self')",
    src=f"scatter_reduce_backward(grad, self, {_SR_ARGS}, 'src')")


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` along ``dim``: sum, prod, mean, amax or amin,
    with or without the input's own value (ScatterReduceBackward0, ties share the gradient)."""
    _tensor("scatter_reduce", input, "input", 1)
    _tensor("scatter_reduce", src, "src", 4)
    if reduce not in _IDENTITY:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    dim, idx = _scatter_checks("scatter_reduce", input, dim, index, src)
    out = _scatter_reduce_array(input._data, dim, idx, _src_part(src._data, idx), reduce, include_self)
    return record(ScatterReduceBackward0, out, (input, src), self=input, dim=dim, index=idx, src=src,
                  reduce=reduce, include_self=include_self, src_shape=src._data.shape)


methods(scatter_reduce=scatter_reduce, scatter_reduce_=inplace_method(scatter_reduce))
__all__ += ["scatter_reduce"]


# ----- index_reduce: scatter_reduce along one dim with a 1-D index, expanded over the source -------------

IndexReduceBackward0 = derivative(
    "IndexReduceBackward0", freed=("index",), attrs="dim index reduce include_self source_shape",
    self="scatter_reduce_backward(grad, self, dim, index, source, reduce, include_self, result, source_shape, "
         "'self')",
    source="scatter_reduce_backward(grad, self, dim, index, source, reduce, include_self, result, source_shape, "
           "'source')")
_INDEX_REDUCE_WARNING = "index_reduce() is in beta and the API may change at any time."


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """Slices of ``source`` reduced (prod, mean, amax, amin) into ``input`` at ``index`` along ``dim``."""
    import warnings
    _tensor("index_reduce", input, "input", 1)
    _tensor("index_reduce", index, "index", 3)
    _tensor("index_reduce", source, "source", 4)
    warnings.warn(_INDEX_REDUCE_WARNING, UserWarning, stacklevel=past_checks(2))
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    dim = input._wrap_dim(dim)
    idx = _index_vector("index_reduce_", index, long_only=False)
    data = input._data
    if data.ndim == 0 and source._data.ndim:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = [] source.shape = {list(source._data.shape)}")
    blocks = _source_slices("index_reduce_", input, dim, idx, source)
    size = data.shape[dim] if data.ndim else 1
    if not include_self:   # (torch first fills self at the indices, as index_fill_ checks them)
        if size == 0 and idx.size:
            raise _empty_dim_error(data, dim, idx.size)
        bad = (idx < -size) | (idx >= size)
        if bad.any():
            raise IndexError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} with size {size}")
    if ((idx < 0) | (idx >= size)).any():
        raise IndexError("index out of range in self")
    if data.ndim == 0:
        expanded = np.zeros(np.shape(blocks), np.int64)
    else:
        shape = [1] * data.ndim
        shape[dim] = idx.size
        expanded = np.broadcast_to(idx.reshape(shape), blocks.shape).copy()
    out = _scatter_reduce_array(data, dim, expanded, blocks.reshape(expanded.shape), reduce, include_self)
    return record(IndexReduceBackward0, out, (input, source), self=input, dim=dim, index=expanded, source=source,
                  reduce=reduce, include_self=include_self, source_shape=source._data.shape)


methods(index_reduce=index_reduce, index_reduce_=inplace_method(index_reduce))
__all__ += ["index_reduce"]
