"""Floating sums in the order torch's CPU kernel adds (ATen's ``cascade_sum``), so that sums whose terms
cancel or overflow give torch's result, not NumPy's pairwise one.

torch's iterator puts the reduced dims innermost (ordered by the input's strides), then the kept ones
(by the output's), merges dims that are contiguous in both, and runs a 2-D loop per position of the
dims left over.  Inside, a row that is contiguous in memory is summed in vectors of ``LANES`` elements
with four interleaved partial sums (``_row_sum``) and chunked running sums (``_cascade``), its last
elements and then the vector's lanes added one by one; columns are summed the same way across rows.
Every result starts from 0 and is added into its output in loop order.  torch registers this kernel for
AVX2 only (an AVX512 machine runs it too), so a vector holds 32 bytes: 4 doubles or 8 floats.
Single-threaded, as torch is below 32768 elements (and as the conformance harness runs it).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._layout import _iterator_order
from ._quiet import IGNORE, enter, leave, quiet

LANES = {np.dtype(np.float64): 4, np.dtype(np.float32): 8}
# each floating dtype's (eps, largest finite)
_EPS = {np.dtype(t): (float(np.finfo(t).eps), float(np.finfo(t).max)) for t in (np.float64, np.float32)}
ILP = 4          # interleaved partial sums of ``row_sum``
LEVELS = 4       # accumulator levels of ``multi_row_sum``
# Where the order shows: a sum that overflows (torch's order decides between inf, -inf and NaN), and a
# small one whose terms' magnitudes add up to more than CANCELLATION times its own (its digits are lost to
# cancellation, so what is left depends on the order).  Elsewhere orders differ in the last bits only, and
# NumPy's pairwise sum is many times faster than following torch's loops; training-sized sums (their
# gradients often cancel) stay with NumPy.
CANCELLATION = 1024.0
SMALL = 64
GRAIN = 32768    # at::internal::GRAIN_SIZE: torch splits longer sums between its threads (no one order to follow)


def add_reduce(x: np.ndarray, axes: Any, keepdims: Any = False, *, absorbing: bool = False) -> np.ndarray:
    """``np.add.reduce(x, axes)``, or torch's order (``torch_sum``) where the order shows in the result.
    ``absorbing`` (a sum op's own value): a long sum also where its result is below the rounding unit of its
    largest term (``_absorbed``: the largest floats cancelling, every digit left depends on the order)."""
    if x.dtype == np.float64 and 3 <= x.size <= SMALL and x.flags.c_contiguous:
        kept = tuple(1 if d in axes else n for d, n in enumerate(x.shape))
        if all(n == 1 for n in kept):   # (one result: torch's row, added in Python's doubles)
            return np.full(kept if keepdims else tuple(n for d, n in enumerate(x.shape) if d not in axes),
                           _short_row_sum(x.ravel().tolist()))
    token = enter(IGNORE)
    try:
        out = np.add.reduce(x, axis=axes, keepdims=keepdims)
        if x.dtype not in LANES or x.size < 3:
            return out
        if x.size <= SMALL:
            if np.isfinite(out).all() and np.all(   # (magnitudes that overflow: an order that may)
                    (np.add.reduce(np.abs(x), axis=axes, keepdims=keepdims) <= np.abs(out) * CANCELLATION)
                    & (np.abs(out) < np.finfo(x.dtype).max / CANCELLATION)):
                return out
        elif not _absorbed(x, out, axes) if absorbing and x.size < GRAIN else np.isfinite(out).all():
            return out
    finally:
        leave(token)
    return torch_sum(x, axes, keepdims)


def _short_row_sum(v: list) -> float:
    """torch's sum of one contiguous row of up to 64 doubles (``_inner`` for 4 lanes: rows of four lanes
    interleaved ILP ways from 0, the leftover rows, the other partials, then the tail and the lanes from 0),
    in Python floats, which are IEEE doubles: bit for bit, and cheaper than NumPy's sum and its gate, so a small
    sum that cancels only later (a backward's paths added together) has torch's last bits too."""
    vectors = len(v) // 4
    groups = vectors // ILP
    partial = [[0.0] * 4 for _ in range(ILP)]
    for g in range(groups):
        for k in range(ILP):
            row, base = partial[k], (g * ILP + k) * 4
            for lane in range(4):
                row[lane] += v[base + lane]
    first = partial[0]
    for base in range(groups * ILP * 4, vectors * 4, 4):
        for lane in range(4):
            first[lane] += v[base + lane]
    for row in partial[1:]:
        for lane in range(4):
            first[lane] += row[lane]
    total = 0.0
    for term in v[vectors * 4:]:
        total += term
    for lane in range(4):
        total += first[lane]
    return 0.0 + total


def _absorbed(x: np.ndarray, out: np.ndarray, axes: Any) -> bool:
    """Whether a result is not finite or is smaller than the rounding unit of its largest term (its terms
    cancelled past their precision: what is left was absorbed or not by the order).  The largest terms are
    bounded by the 2-norm of all of them (one BLAS dot, no copy of a dense layout), and only results below
    that bound are looked at again with their own terms' norms (``einsum``): nothing is allocated."""
    eps, top = _EPS[x.dtype]
    flat = x.ravel(order="K")
    norm = math.sqrt(float(np.dot(flat, flat)))
    if out.size == 1:
        return not norm * eps <= abs(float(out.reshape(()))) <= top
    size = np.abs(out)
    if norm * eps <= size.min() and norm * x.size < top:   # (no sum of these terms overflows; NaN fails)
        return False
    dims = list(range(x.ndim))
    squares = np.einsum(x, dims, x, dims, [d for d in dims if d not in axes]).reshape(out.shape)
    return not ((np.sqrt(squares) * eps <= size) & (size <= top)).all()


def _sequential(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """``0 + x[0] + x[1] + ...`` along ``axis``, strictly in order (a running sum; + 0.0 as the zero start)."""
    if x.shape[axis] == 0:
        return np.zeros(x.shape[:axis] + x.shape[axis + 1:], x.dtype)
    return np.cumsum(x, axis=axis, dtype=x.dtype).take(-1, axis=axis) + x.dtype.type(0)


def _ceil_log2(n: int) -> int:
    return 1 if n <= 2 else int(n - 1).bit_length()


def _cascade(rows: np.ndarray) -> np.ndarray:
    """``multi_row_sum``: the sum over axis 0 in chunks of ``2**power`` rows, chunk sums gathered the same way
    over up to ``LEVELS`` levels, the rest (the last level, the last rows) added at the end."""
    size = rows.shape[0]
    power = max(4, _ceil_log2(size) // LEVELS)
    step = 1 << power
    whole = size // step * step
    level = _sequential(rows[:whole].reshape((size // step, step) + rows.shape[1:]), axis=1) if whole else \
        rows[:0]
    pending = []   # what levels 1..LEVELS-1 hold at the end, lowest first
    for depth in range(1, LEVELS):
        if depth == LEVELS - 1:
            pending.append(_sequential(level))
            break
        full = level.shape[0] // step * step
        pending.append(_sequential(level[full:]))
        level = _sequential(level[:full].reshape((full // step, step) + level.shape[1:]), axis=1)
    total = _sequential(rows[whole:])
    for held in pending:
        total = total + held
    return total


def _row_sum(rows: np.ndarray) -> np.ndarray:
    """``row_sum``: over axis 0 with ``ILP`` interleaved partial sums (rows i*ILP + k go to partial k)."""
    size = rows.shape[0]
    groups = size // ILP
    partial = _cascade(rows[:groups * ILP].reshape((groups, ILP) + rows.shape[1:]))
    first = partial[0]
    for row in rows[groups * ILP:]:
        first = first + row
    for k in range(1, ILP):
        first = first + partial[k]
    return first


def _inner(rows: np.ndarray, lanes: int) -> np.ndarray:
    """``vectorized_inner_sum``: each row (axis 0 reduced, rows along axis 1) as vectors, then its tail."""
    size = rows.shape[0]
    vectors = size // lanes
    lane_sums = _row_sum(rows[:vectors * lanes].reshape((vectors, lanes) + rows.shape[1:]))
    total = _sequential(rows[vectors * lanes:])
    for k in range(lanes):
        total = total + lane_sums[k]
    return total


def _outer(rows: np.ndarray, lanes: int) -> np.ndarray:
    """``vectorized_outer_sum``: columns (axis 1) in blocks of 4 vectors summed by ``_cascade``, then
    single vectors and the last columns by ``_row_sum``."""
    size1 = rows.shape[1]
    block = ILP * lanes
    cut = size1 // block * block
    return np.concatenate([_cascade(rows[:, :cut]), _row_sum(rows[:, cut:])], axis=0)


def _scalar_outer(rows: np.ndarray) -> np.ndarray:
    """``scalar_outer_sum``: columns in fours by ``_cascade``, the rest by ``_row_sum``."""
    cut = rows.shape[1] // ILP * ILP
    return np.concatenate([_cascade(rows[:, :cut]), _row_sum(rows[:, cut:])], axis=0)


def _coalesce(shape: list, strides: list[list]) -> tuple[list, list[list]]:
    """TensorIterator's ``coalesce_dimensions``: neighbours contiguous in every operand become one dim."""
    shape, strides = list(shape), [list(s) for s in strides]
    prev = 0
    for dim in range(1, len(shape)):
        if shape[prev] == 1 or shape[dim] == 1 or all(shape[prev] * s[prev] == s[dim] for s in strides):
            if shape[prev] == 1:
                for s in strides:
                    s[prev] = s[dim]
            shape[prev] *= shape[dim]
        else:
            prev += 1
            if prev != dim:
                for s in strides:
                    s[prev] = s[dim]
                shape[prev] = shape[dim]
    return shape[:prev + 1], [s[:prev + 1] for s in strides]


def _in_torch_order(x: np.ndarray, axes: Any, keepdims: Any, ufunc: np.ufunc, walk: Any) -> np.ndarray:
    """``ufunc.reduce(x, axes)`` by ``walk(view, target, in_strides, out_strides, lanes, itemsize)`` over the
    layout TensorIterator gives the reduction (float32 and float64; other dtypes as NumPy reduces)."""
    lanes = LANES.get(x.dtype)
    axes = tuple(sorted(a % x.ndim for a in axes)) if x.ndim else ()
    if lanes is None or x.size == 0 or not axes:
        return ufunc.reduce(x, axis=axes, keepdims=keepdims)
    out, view, target, in_st, out_st = _iterated(x, axes, ufunc.identity)
    walk(view, target, in_st, out_st, lanes, x.itemsize)
    return out if keepdims else out.reshape(tuple(n for d, n in enumerate(x.shape) if d not in axes))


@quiet
def torch_sum(x: np.ndarray, axes: Any, keepdims: Any = False) -> np.ndarray:
    """``x.sum(axes)`` added in torch's order (float32 and float64; other dtypes as NumPy adds)."""
    return _in_torch_order(x, axes, keepdims, np.add, _accumulate)


def _iterated(x: np.ndarray, axes: tuple, identity) -> tuple:
    """The output (``identity`` everywhere, reduced dims kept) and the input and output as TensorIterator walks
    them for a reduction over ``axes``: dims in its order, coalesced, the output broadcast over the reduced
    ones; with their strides."""
    out = np.full(tuple(1 if d in axes else n for d, n in enumerate(x.shape)), identity, x.dtype)
    out_strides = [0 if d in axes else s for d, s in enumerate(out.strides)]
    perm = _iterator_order(x.shape, [out_strides, list(x.strides)], reduction=True)
    shape, (in_st, out_st) = _coalesce([x.shape[d] for d in perm],
                                       [[x.strides[d] for d in perm], [out_strides[d] for d in perm]])
    view = np.lib.stride_tricks.as_strided(x, shape, in_st, writeable=False)
    return out, view, np.lib.stride_tricks.as_strided(out, shape, out_st), in_st, out_st


def _accumulate(view: np.ndarray, target: np.ndarray, in_st: list, out_st: list, lanes: int, itemsize: int) -> None:
    """The 2-D loop over dims 0 and 1 for every position of the outer dims (dim 2 fastest), each result
    added into its output in that order."""
    if view.ndim == 1:
        view, target, in_st, out_st = view[:, None], target[:, None], in_st + [0], out_st + [0]
    size0, size1 = view.shape[:2]
    outer = view.shape[2:]
    order = [tuple(reversed(i)) for i in np.ndindex(*reversed(outer))] if outer else [()]
    for position in order:
        rows, into = view[(slice(None), slice(None)) + position], target[(slice(None), slice(None)) + position]
        s_in, s_out = list(in_st[:2]), list(out_st[:2])
        if s_out[0] != 0 and s_out[1] == 0:
            rows, into, s_in, s_out = rows.T, into.T, s_in[::-1], s_out[::-1]
        if s_out[0] != 0:   # not a reduction here: each element added into its own output
            into += rows
            continue
        if s_in[0] == itemsize and rows.shape[0] >= lanes:
            sums = _inner(rows, lanes)
        elif s_in[1] == itemsize and rows.shape[1] >= lanes:
            sums = _outer(rows, lanes)
        elif s_in[0] < s_in[1]:
            sums = _row_sum(rows)
        else:
            sums = _scalar_outer(rows)
        column = into[0]
        if s_out[1] == 0:   # every row into the one output, one after the other
            for value in sums:
                column[0] += value
        else:
            column += sums


# ----- products: ATen's binary_kernel_reduce_vec (prod) ---------------------------------------------------
# The same iterator order, another loop: a contiguous row is multiplied in chunks of four vectors (their
# lanes' running products, combined pairwise, then lane by lane, then the row's last elements one by one);
# rows reduced across (an outer reduction) run down columns in blocks of four vectors; anything else one
# element after another.  Every result starts from 1.  Where no partial product can leave the dtype's
# normal range (``ordered_prod``'s gate) NumPy's product is the same to the last bits or nearly so.


def _inner_product(rows: np.ndarray, lanes: int) -> np.ndarray:
    """``vectorized_inner_reduction``: axis 0 reduced for each column (axis 1)."""
    chunk = ILP * lanes
    count = rows.shape[0] // chunk
    total = np.ones(rows.shape[1:], rows.dtype)
    if count:
        acc = rows[:chunk].reshape((ILP, lanes) + rows.shape[1:]).copy()
        for i in range(1, count):
            acc = acc * rows[i * chunk:(i + 1) * chunk].reshape((ILP, lanes) + rows.shape[1:])
        folded = (acc[0] * acc[1]) * (acc[2] * acc[3])
        lane = folded[0]
        for k in range(1, lanes):
            lane = lane * folded[k]
        total = total * lane
    for row in rows[count * chunk:]:
        total = total * row
    return total


def _outer_product(rows: np.ndarray, lanes: int) -> np.ndarray:
    """``vectorized_outer_reduction``: down each block of four vectors of columns, then the other columns."""
    block = ILP * lanes
    cut = rows.shape[1] // block * block
    acc = rows[0].copy()
    for row in rows[1:]:
        acc = acc * row
    out = np.ones(rows.shape[1], rows.dtype)
    out[:cut] = out[:cut] * acc[:cut]
    rest = np.ones(rows.shape[1] - cut, rows.dtype)
    for row in rows:
        rest = rest * row[cut:]
    out[cut:] = rest
    return out


@quiet
def torch_prod(x: np.ndarray, axes: Any, keepdims: Any = False) -> np.ndarray:
    """``x.prod(axes)`` multiplied in torch's order (float32 and float64; other dtypes as NumPy does)."""
    return _in_torch_order(x, axes, keepdims, np.multiply, _multiply_into)


def _multiply_into(view: np.ndarray, target: np.ndarray, in_st: list, out_st: list, lanes: int, itemsize: int) -> None:
    """torch_prod's walk: each output multiplied by its rows, as torch's kernel loops."""
    if view.ndim == 1:
        view, target, in_st, out_st = view[:, None], target[:, None], in_st + [0], out_st + [0]
    outer = view.shape[2:]
    for position in ([tuple(reversed(i)) for i in np.ndindex(*reversed(outer))] if outer else [()]):
        rows, into = view[(slice(None), slice(None)) + position], target[(slice(None), slice(None)) + position]
        if out_st[0] != 0:   # not a reduction in dim 0: elementwise into the outputs
            into *= rows
        elif in_st[0] == itemsize:
            into[0] *= _inner_product(rows, lanes)
        elif out_st[1] == itemsize and in_st[1] == itemsize:
            into[0] *= _outer_product(rows, lanes)
        else:
            column = np.ones(rows.shape[1], view.dtype)
            for row in rows:
                column = column * row
            into[0] *= column


def ordered_prod(x: np.ndarray, axes: Any, keepdims: Any = False) -> np.ndarray:
    """``np.multiply.reduce(x, axes)``, or torch's order (``torch_prod``) where a partial product may leave the
    normal range (an inf, a NaN, a zero against them, or exponents that add up past the dtype's)."""
    if x.dtype not in LANES or x.size < 2:
        return np.multiply.reduce(x, axis=axes, keepdims=keepdims)
    token = enter(IGNORE)
    try:
        exponents = np.frexp(x)[1]
        safe = bool(np.isfinite(x).all()) and int(np.abs(exponents).sum()) < np.finfo(x.dtype).maxexp - 2
    finally:
        leave(token)
    if safe:
        return np.multiply.reduce(x, axis=axes, keepdims=keepdims)
    return torch_prod(x, axes, keepdims)
