"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique,
unique_consecutive, searchsorted, bucketize, bincount, histc, count_nonzero.

Tie rules as torch's CPU kernels: sort is stable (NaN sorts as the largest value, descending keeps
equal values in index order); mode picks the smallest of the most frequent values and the index of
its last occurrence.  kthvalue and topk pick among equal values as their CPU kernels' compares and
swaps leave them (ATen's quickselect; libstdc++'s nth_element, sort and partial_sort), replayed for
the slices that hold ties (``_selection``); median(dim) breaks ties by index, as the stable sort does.
``unique`` records a node whose backward raises, as torch's does.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .._argument_types import Number, argument_types, python_type_name
from .._tensor import Tensor, dim_size
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..return_types import return_type
from ._define import methods, record
from ._errors import check_scalar_fits, invalid_arguments, not_implemented, not_tensor
from ._selection import has_ties, quick_select, topk_order
from .elementwise import lerp, no_derivative  # noqa: F401  (no_derivative registers the formula helper)
from .linalg import _squeeze_inplace
from .reductions import normalize_dims
from .shape import TransposeBackward1, UnsqueezeBackward1  # (quantile's in-place reshapes)

# ----- formula helpers --------------------------------------------------------------------------------

def _not_implemented_derivative(message: str):
    """The backward of an op whose derivative torch leaves unimplemented (unique): NotImplementedError."""
    raise NotImplementedError(message)


formula_helper(_not_implemented_derivative, tensor="same", name="not_implemented_derivative")

SortBackward0 = derivative("SortBackward0", freed=("indices",), attrs="shape dim indices",
                           self="_gather_backward(grad, shape, dim, indices)")
SortBackward1 = derivative("SortBackward1", freed=("indices",), attrs="shape dim indices",
                           self="_gather_backward(grad, shape, dim, indices)")
TopkBackward0 = derivative("TopkBackward0", freed=("indices",), attrs="shape dim indices",
                           self="_gather_backward(grad, shape, dim, indices)")
_SELECTED = "value_selecting_reduction_backward(grad, dim, indices, shape, keepdim)"
KthvalueBackward0 = derivative("KthvalueBackward0", freed=("indices",),
                               attrs="dim indices shape keepdim", self=_SELECTED)
MedianBackward1 = derivative("MedianBackward1", freed=("indices",),
                             attrs="dim indices shape keepdim", self=_SELECTED)
NanmedianBackward1 = derivative("NanmedianBackward1", freed=("indices",),
                                attrs="dim indices shape keepdim", self=_SELECTED)
ModeBackward0 = derivative("ModeBackward0", freed=("indices",), attrs="dim indices shape keepdim", self=_SELECTED)
MedianBackward0 = derivative("MedianBackward0", self="evenly_distribute_backward(grad, self, result)")
NanmedianBackward0 = derivative("NanmedianBackward0", self="evenly_distribute_backward(grad, self, result)")
_UNIQUE_FORMULA = "not_implemented_derivative(\"the derivative for '{}' is not implemented.\")"
Unique2Backward0 = derivative("Unique2Backward0", self=_UNIQUE_FORMULA.format("_unique2"))
UniqueDimBackward0 = derivative("UniqueDimBackward0", self=_UNIQUE_FORMULA.format("unique_dim"))
UniqueConsecutiveBackward0 = derivative("UniqueConsecutiveBackward0",
                                        self=_UNIQUE_FORMULA.format("unique_consecutive"))
NotImplemented_ = derivative("NotImplemented", weights="no_derivative('aten::bincount')")

sort_return = return_type("sort")
topk_return = return_type("topk")
kthvalue_return = return_type("kthvalue")
median_return = return_type("median")
nanmedian_return = return_type("nanmedian")
mode_return = return_type("mode")

_NO_STABLE = object()


def _long(data) -> Tensor:
    return Tensor._make(np.asarray(data, dtype=np.int64), False, None)


def _check_tensor(name: str, input, argument: str = "input") -> None:
    if not isinstance(input, Tensor):
        raise not_tensor(name, input, argument)


def _sorted_indices(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``dim``; descending keeps equal values in index order and puts NaN first."""
    if data.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    n = data.shape[dim]
    flipped = np.argsort(np.flip(data, dim), axis=dim, kind="stable")   # ties: later index first
    return (n - 1) - np.flip(flipped, dim)


# ----- sort, argsort, msort, topk --------------------------------------------------------------------

def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable=_NO_STABLE):
    """torch.sort: the overload with ``stable`` records SortBackward1, the other SortBackward0."""
    _check_tensor("sort", input)
    if stable is not _NO_STABLE and stable is not None and type(stable) is not bool:
        raise TypeError(f"sort(): argument 'stable' must be bool, not {python_type_name(stable)}")
    data = input._data
    dim = input._wrap_dim(dim)
    indices = _sorted_indices(data, dim, descending)
    values = np.take_along_axis(data, indices, dim) if data.ndim else data.copy()
    node = SortBackward0 if stable is _NO_STABLE else SortBackward1
    out = record(node, values, (input,), shape=data.shape, dim=dim, indices=indices)
    return sort_return(out, _long(indices))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    _check_tensor("argsort", input)
    return _long(_sorted_indices(input._data, input._wrap_dim(dim), descending))


def msort(input: Tensor) -> Tensor:
    """Sorted along dim 0 (SortBackward0, as torch's)."""
    _check_tensor("msort", input)
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    _check_tensor("topk", input)
    data = input._data
    if data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    dim = input._wrap_dim(dim)
    size = data.shape[dim] if data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    indices = _sorted_indices(data, dim, largest)
    if data.ndim:
        indices = _topk_ties(data, dim, np.take(indices, np.arange(k), axis=dim), k, largest, sorted)
        values = np.take_along_axis(data, indices, dim)
    else:
        values = data.copy()
    out = record(TopkBackward0, values, (input,), shape=data.shape, dim=dim, indices=indices)
    return topk_return(out, _long(indices))


def _rows(data: np.ndarray, dim: int) -> np.ndarray:
    moved = np.moveaxis(data, dim, -1)
    return moved.reshape(-1, moved.shape[-1])


def _topk_ties(data: np.ndarray, dim: int, indices: np.ndarray, k: int, largest: bool, sorted: bool) -> np.ndarray:
    """The stable order's indices, replaced by torch's kernel's where a slice has ties (or is not sorted)."""
    if not k or not data.size:
        return indices
    rows = _rows(data, dim)
    redo = np.ones(rows.shape[0], bool) if not sorted else has_ties(np.sort(rows, axis=-1))
    if not redo.any():
        return indices
    out = _rows(indices, dim).copy()
    for r in np.flatnonzero(redo):
        out[r] = topk_order(rows[r].tolist(), k, largest, sorted)
    moved = np.moveaxis(indices, dim, -1)
    return np.moveaxis(out.reshape(moved.shape), -1, dim)


def _kthvalue_ties(k: int):
    """kthvalue's index where a slice has ties: the one ATen's quickselect leaves at position k - 1."""
    def select(data: np.ndarray, dim: int, indices: np.ndarray) -> np.ndarray:
        if not data.size:
            return indices
        rows = _rows(data, dim)
        redo = has_ties(np.sort(rows, axis=-1))
        if not redo.any():
            return indices
        out = _rows(indices, dim).copy()
        for r in np.flatnonzero(redo):
            values, order = rows[r].tolist(), list(range(rows.shape[1]))
            quick_select(values, order, k - 1)
            out[r] = order[k - 1]
        moved = np.moveaxis(indices, dim, -1)
        return np.moveaxis(out.reshape(moved.shape), -1, dim)
    return select


# ----- kthvalue, median, nanmedian, mode --------------------------------------------------------------

def _pick(name: str, input: Tensor, dim: int, keepdim: bool, position, node, result_type, kernel: str,
          select=None):
    """The value at sorted ``position(counts)`` of each slice along ``dim``, and its index (``select``:
    torch's kernel's choice among ties)."""
    data = input._data
    dim = input._wrap_dim(dim)
    if data.ndim and data.shape[dim] == 0:   # (before the dtype; nanmedian's message names median)
        raise IndexError(f"{'median' if name == 'nanmedian' else name}(): Expected reduction dim {dim} to have "
                         f"non-zero size.")
    if data.dtype == np.bool_ and (data.ndim or name != "kthvalue"):   # (a 0-d kthvalue runs no kernel)
        raise not_implemented(kernel, data)
    if data.ndim == 0:
        values, indices = data.copy(), np.zeros((), np.int64)
    else:
        order = _sorted_indices(data, dim, False)
        pos = position(data, dim)
        indices = np.take_along_axis(order, pos, dim)
        if select is not None:
            indices = select(data, dim, indices)
        values = np.take_along_axis(data, indices, dim)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
    out = record(node, values, (input,), dim=dim, indices=indices, shape=data.shape, keepdim=keepdim)
    return result_type(out, _long(indices))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    _check_tensor("kthvalue", input)
    wrapped = input._wrap_dim(dim)
    size = input._data.shape[wrapped] if input._data.ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {wrapped} to have non-zero size.")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {wrapped}")

    def position(data, d):
        return np.full(data.shape[:d] + (1,) + data.shape[d + 1:], k - 1)

    return _pick("kthvalue", input, dim, keepdim, position, KthvalueBackward0, kthvalue_return, "kthvalue_cpu",
                 _kthvalue_ties(k))


def _lower_median(data: np.ndarray, d: int) -> np.ndarray:
    """The lower median's sorted position; a slice holding NaN gives its first NaN (NaN sorts last)."""
    n = data.shape[d]
    nans = np.isnan(data).sum(axis=d, keepdims=True) if data.dtype.kind == "f" else 0
    return np.where(nans > 0, n - nans, (n - 1) // 2) + np.zeros(data.shape[:d] + (1,) + data.shape[d + 1:], int)


def _lower_nanmedian(data: np.ndarray, d: int) -> np.ndarray:
    """The lower median of the values that are not NaN; an all-NaN slice gives its first NaN."""
    n = data.shape[d]
    nans = np.isnan(data).sum(axis=d, keepdims=True) if data.dtype.kind == "f" else np.zeros((), int)
    kept = n - nans
    return np.where(kept > 0, (kept - 1) // 2, 0) + np.zeros(data.shape[:d] + (1,) + data.shape[d + 1:], int)


def _full_median(name: str, input: Tensor, position, node) -> Tensor:
    data = input._data
    if data.size == 0:   # torch's NaN, cast to the dtype as x86 casts it (int32/int64: their minimum; bool: True)
        kind = data.dtype.kind
        value = np.nan if kind == "f" else True if kind == "b" else \
            np.iinfo(data.dtype).min if kind == "i" and data.dtype.itemsize >= 4 else 0
    elif data.dtype == np.bool_:
        raise not_implemented("median_cpu", data)   # (nanmedian's too)
    else:
        flat = data.reshape(-1)
        value = np.sort(flat)[position(flat, 0)[0]]
    return record(node, np.asarray(value, data.dtype), (input,), self=input)


def median(input: Tensor, dim=None, keepdim: bool = False):
    """median() is the lower median over everything (MedianBackward0, ties share the gradient);
    median(dim) returns values and indices (MedianBackward1)."""
    _check_tensor("median", input)
    if dim is None:
        return _full_median("median", input, _lower_median, MedianBackward0)
    return _pick("median", input, dim, keepdim, _lower_median, MedianBackward1, median_return, "median_out")


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    _check_tensor("nanmedian", input)
    if dim is None:
        return _full_median("nanmedian", input, _lower_nanmedian, NanmedianBackward0)
    return _pick("nanmedian", input, dim, keepdim, _lower_nanmedian, NanmedianBackward1, nanmedian_return,
                 "median_out")


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The smallest of the most frequent values of each slice, at the index of its last occurrence."""
    _check_tensor("mode", input)
    data = input._data
    dim = input._wrap_dim(dim)
    if data.ndim == 0:
        values, indices = data.copy(), np.zeros((), np.int64)
    else:
        if data.shape[dim] == 0:
            raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
        moved = np.moveaxis(data, dim, -1)
        n = moved.shape[-1]
        s = np.sort(moved, axis=-1)
        new_run = np.concatenate([np.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], axis=-1)
        positions = np.arange(n)
        start = np.maximum.accumulate(np.where(new_run, positions, 0), axis=-1)
        run_end = np.concatenate([new_run[..., 1:], np.ones(s.shape[:-1] + (1,), bool)], axis=-1)
        end = np.flip(np.minimum.accumulate(np.flip(np.where(run_end, positions, n), -1), axis=-1), -1)
        best = np.argmax(end - start, axis=-1)[..., None]
        values = np.take_along_axis(s, best, -1)
        last = (n - 1) - np.argmax(np.flip(moved == values, -1), axis=-1)[..., None]
        values, indices = np.moveaxis(values, -1, dim), np.moveaxis(last, -1, dim)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
    out = record(ModeBackward0, np.asarray(values, data.dtype), (input,), dim=dim, indices=indices,
                 shape=data.shape, keepdim=keepdim)
    return mode_return(out, _long(indices))


# ----- unique, unique_consecutive ----------------------------------------------------------------------

def _with_node(node, values: np.ndarray, input: Tensor) -> Tensor:
    """unique's values: a node that refuses to differentiate when the input requires grad (torch's)."""
    return record(node, values, (input,))


def _outputs(values, inverse, counts, return_inverse: bool, return_counts: bool):
    extra = ([_long(inverse)] if return_inverse else []) + ([_long(counts)] if return_counts else [])
    return (values, *extra) if extra else values


def _empty_along(data: np.ndarray, dim: int) -> bool:
    """unique(dim) of an empty tensor: empty outputs when ``dim`` is the empty one, else torch refuses."""
    if data.size:
        return data.ndim == 0
    if any(n == 0 for d, n in enumerate(data.shape) if d != dim):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    return True


def _wrap_sized_dim(input: Tensor, dim: int) -> int:
    """``dim`` wrapped, where torch reads its size first: a 0-d tensor has none (IndexError)."""
    dim_size(input._data.shape, dim)
    return input._wrap_dim(dim)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim=None):
    _check_tensor("unique", input)
    data = input._data
    if dim is None:
        # (every NaN is a value of its own, as in torch: NaN != NaN)
        values, inverse, counts = np.unique(data.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        out = _with_node(Unique2Backward0, values, input)
        return _outputs(out, inverse.reshape(data.shape), counts, return_inverse, return_counts)
    dim = _wrap_sized_dim(input, dim)
    if _empty_along(data, dim):
        values, inverse, counts = data.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
    else:
        values, inverse, counts = np.unique(data, axis=dim, return_inverse=True, return_counts=True)
    out = _with_node(UniqueDimBackward0, values, input)
    return _outputs(out, inverse.reshape(-1), counts, return_inverse, return_counts)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None):
    _check_tensor("unique_consecutive", input)
    data = input._data
    if dim is None:
        flat = data.reshape(-1)
        changed = np.concatenate([[True], flat[1:] != flat[:-1]]) if flat.size else np.zeros(0, bool)
        shape = data.shape
        values = flat[changed]
    else:
        dim = _wrap_sized_dim(input, dim)
        if _empty_along(data, dim):
            out = _with_node(UniqueConsecutiveBackward0, data.copy(), input)
            return _outputs(out, np.zeros(0), np.zeros(0), return_inverse, return_counts)
        moved = np.moveaxis(data, dim, 0).reshape(data.shape[dim] if data.ndim else 1, -1)
        n = moved.shape[0]
        changed = np.concatenate([[True], (moved[1:] != moved[:-1]).any(axis=1)]) if n else np.zeros(0, bool)
        shape = (n,)
        values = np.compress(changed, data, axis=dim) if data.ndim else data.copy()
    inverse = (np.cumsum(changed) - 1).reshape(shape)
    starts = np.flatnonzero(changed)
    counts = np.diff(np.append(starts, changed.size))
    out = _with_node(UniqueConsecutiveBackward0, values, input)
    return _outputs(out, inverse, counts, return_inverse, return_counts)


# ----- searchsorted, bucketize -------------------------------------------------------------------------

def _operands(value, seq: np.ndarray) -> tuple:
    """(values, boundaries): a Python number is compared in torch's result type of the two (a float
    against integer boundaries in the default float dtype), not cast to the boundaries' dtype."""
    if isinstance(value, Tensor):
        return value._data, seq
    kind = "b" if isinstance(value, (bool, np.bool_)) else "f" if isinstance(value, (float, np.floating)) else "i"
    common = seq.dtype
    if kind == "f" and seq.dtype.kind in "biu":
        from .. import _dtype
        common = _dtype.get_default_dtype().np
    elif kind == "i" and seq.dtype.kind == "b":
        common = np.dtype(np.int64)
    return np.asarray(value, dtype=common), seq if seq.dtype == common else seq.astype(common)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter=None) -> Tensor:
    """Insertion points of ``input`` into the last dim of ``sorted_sequence`` (1-D, or with the
    leading dims of ``input``); ``right``/``side='right'`` puts equal values after."""
    _check_tensor("searchsorted", sorted_sequence, "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    values, seq = _operands(input, sorted_sequence._data)
    if seq.dtype == np.bool_ and values.dtype == np.bool_:
        raise not_implemented("searchsorted_out_cpu", seq)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if seq.ndim != 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    out = _binary_search(seq, values, right)
    return Tensor._make(np.asarray(out, np.int32 if out_int32 else np.int64), False, None)


def _binary_search(seq: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    """torch's lower/upper bound, vectorised over the values: halve [start, end) moving right while
    ``!(seq[mid] >= value)`` (``>`` for right), so a NaN on either side lands where torch's does (NumPy's
    searchsorted orders NaN last instead)."""
    n = seq.shape[-1]
    start = np.zeros(values.shape, np.int64)
    end = np.full(values.shape, n, np.int64)
    while True:
        active = start < end
        if not active.any():
            return start
        mid = start + ((end - start) >> 1)
        at = np.minimum(mid, n - 1)
        mid_val = seq[at] if seq.ndim == 1 else np.take_along_axis(seq, at, -1)
        move = ~(mid_val > values) if right else ~(mid_val >= values)
        start = np.where(active & move, mid + 1, start)
        end = np.where(active & ~move, mid, end)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    _check_tensor("bucketize", boundaries, "boundaries")
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ----- bincount, histc, count_nonzero ------------------------------------------------------------------

def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    _check_tensor("bincount", input)
    if weights is not None and not isinstance(weights, Tensor):
        raise TypeError(f"bincount(): argument 'weights' must be Tensor, not {python_type_name(weights)}")
    data = input._data
    if data.dtype.kind not in "iu":
        raise not_implemented("bincount_cpu", data)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    length = builtins.max(int(data.max()) + 1 if data.size else 0, minlength)
    if weights is not None and forward_ad.levels and forward_ad.tangent_of(weights) is not None:
        raise NotImplementedError("Trying to use forward AD with aten::bincount that does not support it.")
    if weights is None or not data.size:   # torch ignores the weights of an empty input
        return _long(np.bincount(data, minlength=length))
    w = weights._data
    if w.shape != data.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    out = np.bincount(data, weights=w.astype(np.float64), minlength=length).astype(out_dtype)
    return record(NotImplemented_, out, (weights,))   # torch's node has the weights' edge only


def _widen(lo: float, hi: float, dtype: np.dtype) -> tuple[float, float]:
    """An empty range [x, x] widened as ATen's ``bins_edges_correction``: by 1, or to the neighbouring
    values of the input's dtype where 1 is below its spacing (x = 1e10 in float32; float16 by 1 only)."""
    if dtype == np.float16:
        return lo - 1.0, hi + 1.0
    t = dtype.type
    with np.errstate(all="ignore"):
        below = float(np.nextafter(t(lo), t(-np.finfo(dtype).max)))
        above = float(np.nextafter(t(hi), t(np.finfo(dtype).max)))
    return (lo - 1.0 if lo - 1.0 < below else below), (hi + 1.0 if above < hi + 1.0 else above)


def _histc_bins(x: np.ndarray, bins: int, lo: float, hi: float) -> np.ndarray:
    """ATen's histc kernel (LINEAR_INTERPOLATION): the outer edges as its linspace makes them, in the
    input's dtype (``start + step*0``, ``end - step*0``: NaN when the step overflows, so nothing is
    counted); an element in [first, last] goes to bin ``int64((x - first) * bins / (last - first))``,
    ``bins`` itself into the last bin.  A quotient that is not finite (the product overflows, or the edges
    round to one value) converts to INT64_MIN, which addresses bin 0 (the offset wraps)."""
    t = x.dtype.type
    with np.errstate(all="ignore"):
        start, end = t(lo), t(hi)
        step = (end - start) / t(bins)
        first, last = start + step * t(0), end - step * t(0)
        x = x.reshape(-1)
        x = x[(x >= first) & (x <= last)]
        q = (x - first) * t(bins) / (last - first)
    pos = np.trunc(np.where(np.isfinite(q), q, 0)).astype(np.int64)
    return np.bincount(np.minimum(pos, bins - 1), minlength=bins).astype(x.dtype)


@argument_types
def histc(input: Tensor, bins: int = 100, min: Number = 0, max: Number = 0) -> Tensor:
    """Equal-width bins over [min, max] (the data's range when min == max), as ATen's histc: the range
    in double, widened when empty (``_widen``), then binned in the input's dtype (``_histc_bins``);
    values outside and NaN are ignored.  No gradient, as torch's."""
    _check_tensor("histc", input)
    data = input._data
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if data.dtype.kind != "f":   # (torch checks the range before the dtype; a bool one fails in its linspace)
        if min > max:
            raise RuntimeError("torch.histc: max must be larger than min")
        if not (math.isfinite(min) and math.isfinite(max)):
            raise RuntimeError(f"torch.histc: range of [{min}, {max}] is not finite")
        raise not_implemented("linspace_cpu" if data.dtype == np.bool_ else "histogram_cpu", data)
    lo, hi = float(min), float(max)
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = _widen(lo, hi, data.dtype)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if not lo < hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    check_scalar_fits(lo, data.dtype)   # (its linspace's conversion of the range)
    check_scalar_fits(hi, data.dtype)
    return Tensor._make(_histc_bins(data, bins, lo, hi), False, None)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    _check_tensor("count_nonzero", input)
    dims = normalize_dims(input, dim)
    data = input._data
    return _long(np.count_nonzero(data, axis=dims) if data.ndim else np.count_nonzero(data))


methods(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, median=median, nanmedian=nanmedian,
        mode=mode, unique=unique, unique_consecutive=unique_consecutive, bincount=bincount, histc=histc,
        count_nonzero=count_nonzero)
__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
           "unique_consecutive", "searchsorted", "bucketize", "bincount", "histc", "count_nonzero"]


# ----- quantile, nanquantile --------------------------------------------------------------------------
# torch's composite (aten quantile_compute), node by node: the input sorted along the reduced dim moved
# last (flatten for dim=None; unsqueeze(-1).transpose(dim, -1) unless dim is already last), viewed 2-D-ish,
# gathered at the ranks below (and above, lerp_ between them for linear/midpoint), then reshaped in place
# (squeeze_, or unsqueeze_/transpose_/squeeze_ for a 1-D q): SqueezeBackward4 on top, the version counter
# bumped once per in-place step.

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")
_QUANTILE_OVERLOADS = {
    False: ('Tensor input, Tensor q, int dim = None, bool keepdim = False, *, str interpolation = "linear", '
            'Tensor out = None',
            'Tensor input, float q, int dim = None, bool keepdim = False, *, str interpolation = "linear", '
            'Tensor out = None'),
    True: ('Tensor q, int dim = None, bool keepdim = False, *, str interpolation = "linear"',
           'float q, int dim = None, bool keepdim = False, *, str interpolation = "linear"'),
}


def _bump(x: Tensor, by: int) -> Tensor:
    """The version bumps of the composite's in-place steps on its fresh result."""
    x._vc[0] += by
    return x


def _quantile(name: str, input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool,
              method: bool) -> Tensor:
    if not method:
        _check_tensor(name, input)
    scalar_q = not isinstance(q, Tensor)
    if scalar_q and not isinstance(q, (int, float)) or \
            not (dim is None or isinstance(dim, int)) or not isinstance(keepdim, bool):
        args = (q, dim, keepdim) if method else (input, q, dim, keepdim)
        raise invalid_arguments(name, args[:len(args) - (dim is None and not keepdim) * 2],
                                _QUANTILE_OVERLOADS[method])
    data = input._data
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {float(q):g}")
        qdata = np.asarray(q, data.dtype) if data.dtype.kind == "f" else np.asarray(q, np.float32)
    else:
        qdata = q._data
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if qdata.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if data.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if qdata.dtype != data.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if dim is None:
        out_shape = [1] * data.ndim if keepdim else []
    else:
        dim = input._wrap_dim(dim)
        out_shape = list(data.shape)
        if data.ndim:
            if keepdim:
                out_shape[dim] = 1
            else:
                del out_shape[dim]
    if not ((qdata >= 0) & (qdata <= 1)).all():
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    out_shape.insert(0, qdata.size if qdata.ndim else 1)

    if dim is None:
        source = input.flatten()
    elif data.ndim and dim == data.ndim - 1:
        source = input
    else:
        source = input.unsqueeze(-1).transpose(dim, -1)
    ordered = source.sort().values
    ordered = ordered.view(out_shape[1:] + [ordered.shape[-1]])
    values = ordered._data
    nan = np.isnan(values)
    with np.errstate(invalid="ignore", over="ignore"):
        if ignore_nan:
            count = (~nan).sum(-1, keepdims=True) - 1
            ranks = qdata * count.astype(qdata.dtype)
            ranks = np.where(ranks < 0, ranks.dtype.type(0), ranks)
        else:
            last = values.shape[-1] - 1
            ranks = np.broadcast_arrays(qdata * qdata.dtype.type(last), nan.any(-1, keepdims=True))[0]
            ranks = np.where(nan.any(-1, keepdims=True), ranks.dtype.type(last), ranks)
    rounding = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(interpolation)
    if rounding is not None:
        ranks = rounding(ranks)
    below = ranks.astype(np.int64)
    result = ordered.gather(-1, _long(below))
    steps = 0
    if interpolation in ("linear", "midpoint"):
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below.astype(ranks.dtype)
        above = ordered.gather(-1, _long(np.ceil(ranks).astype(np.int64)))
        result = lerp(result, above, Tensor._make(weights, False, None))
        steps = 1
    if qdata.ndim == 0:
        return _bump(_squeeze_inplace(_bump(result, steps), -1), 0)
    result = _bump(result, steps)
    result = _bump(_reshaped(UnsqueezeBackward1, result, (1,) + result.shape), 1)
    swapped = record(TransposeBackward1, np.swapaxes(result._data, 0, -1), (result,), dim0=0, dim1=result.ndim - 1)
    swapped._vc = result._vc
    result = _bump(swapped, 1)
    return _squeeze_inplace(result, -1)


def _reshaped(node, x: Tensor, shape: tuple) -> Tensor:
    out = record(node, x._data.reshape(shape), (x,), shape=x._data.shape)
    out._vc = x._vc
    return out


def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along ``dim`` (all elements for None); a NaN in a slice gives NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, False)


def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """quantile over the values that are not NaN (an all-NaN slice gives NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, False)


def _quantile_method(self: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                     interpolation: str = "linear") -> Tensor:
    return _quantile("quantile", self, q, dim, keepdim, interpolation, False, True)


def _nanquantile_method(self: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                        interpolation: str = "linear") -> Tensor:
    return _quantile("nanquantile", self, q, dim, keepdim, interpolation, True, True)


methods(quantile=_quantile_method, nanquantile=_nanquantile_method)
__all__ += ["quantile", "nanquantile"]
