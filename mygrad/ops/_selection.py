"""The order torch's CPU selection kernels leave equal values in, reproduced step by step.

Among equal values (and NaNs) the index ``kthvalue`` and ``topk`` report is whatever their algorithm
leaves there: ``kthvalue`` runs ATen's ``quick_select_template`` (median-of-three quickselect), ``topk``
libstdc++'s ``std::nth_element`` then ``std::sort`` (or ``std::partial_sort`` when ``k * 64 <= n``).
Those are sequences of compares and swaps, so they are replayed here, one slice at a time, and only for
the slices where the order matters (a slice without ties has one answer whatever the algorithm): the
common case stays vectorised.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Compare = Callable[[float, float], bool]


def _isnan(x) -> bool:
    return x != x


def greater_or_nan(x, y) -> bool:
    """kthvalue's and topk(largest)'s order: NaN above everything, then ``>``."""
    return (_isnan(x) and not _isnan(y)) or x > y


def less_or_not_nan(x, y) -> bool:
    """topk(smallest)'s order: every number below NaN, then ``<``."""
    return (not _isnan(x) and _isnan(y)) or x < y


def quick_select(values: list, indices: list, k: int, gt: Compare = greater_or_nan) -> None:
    """ATen's quick_select_template: ``values[k]`` (and ``indices[k]``) in place, in its swap order."""
    def swap(i: int, j: int) -> None:
        values[i], values[j] = values[j], values[i]
        indices[i], indices[j] = indices[j], indices[i]

    lo, hi = 0, len(values) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if gt(values[lo], values[hi]):
                swap(lo, hi)
            return
        mid = lo + (hi - lo) // 2
        swap(mid, lo + 1)
        if gt(values[lo + 1], values[hi]):
            swap(lo + 1, hi)
        if gt(values[lo], values[hi]):
            swap(lo, hi)
        if gt(values[lo + 1], values[lo]):
            swap(lo + 1, lo)
        i, j, pivot = lo + 1, hi, values[lo]
        while True:
            i += 1
            while gt(pivot, values[i]):
                i += 1
            j -= 1
            while gt(values[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


# ----- libstdc++'s algorithms over a list of (value, index) pairs, compared by value ------------------

class _Std:
    def __init__(self, items: list, less: Compare):
        self.a = items
        self.less = lambda x, y: less(x[0], y[0])

    def _adjust_heap(self, first: int, hole: int, length: int, value) -> None:
        a, less = self.a, self.less
        top = second = hole
        while second < (length - 1) // 2:
            second = 2 * (second + 1)
            if less(a[first + second], a[first + second - 1]):
                second -= 1
            a[first + hole] = a[first + second]
            hole = second
        if length % 2 == 0 and second == (length - 2) // 2:
            second = 2 * (second + 1)
            a[first + hole] = a[first + second - 1]
            hole = second - 1
        parent = (hole - 1) // 2
        while hole > top and less(a[first + parent], value):
            a[first + hole] = a[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        a[first + hole] = value

    def _make_heap(self, first: int, last: int) -> None:
        length = last - first
        if length < 2:
            return
        parent = (length - 2) // 2
        while True:
            self._adjust_heap(first, parent, length, self.a[first + parent])
            if parent == 0:
                return
            parent -= 1

    def _pop_heap(self, first: int, last: int, result: int) -> None:
        value = self.a[result]
        self.a[result] = self.a[first]
        self._adjust_heap(first, 0, last - first, value)

    def _heap_select(self, first: int, middle: int, last: int) -> None:
        self._make_heap(first, middle)
        for i in range(middle, last):
            if self.less(self.a[i], self.a[first]):
                self._pop_heap(first, middle, i)

    def _sort_heap(self, first: int, last: int) -> None:
        while last - first > 1:
            last -= 1
            self._pop_heap(first, last, last)

    def partial_sort(self, first: int, middle: int, last: int) -> None:
        self._heap_select(first, middle, last)
        self._sort_heap(first, middle)

    def _move_median_to_first(self, result: int, x: int, y: int, z: int) -> None:
        a, less = self.a, self.less
        if less(a[x], a[y]):
            pick = y if less(a[y], a[z]) else z if less(a[x], a[z]) else x
        elif less(a[x], a[z]):
            pick = x
        elif less(a[y], a[z]):
            pick = z
        else:
            pick = y
        a[result], a[pick] = a[pick], a[result]

    def _partition_pivot(self, first: int, last: int) -> int:
        a, less = self.a, self.less
        self._move_median_to_first(first, first + 1, first + (last - first) // 2, last - 1)
        pivot, lo, hi = first, first + 1, last
        while True:
            while less(a[lo], a[pivot]):
                lo += 1
            hi -= 1
            while less(a[pivot], a[hi]):
                hi -= 1
            if not lo < hi:
                return lo
            a[lo], a[hi] = a[hi], a[lo]
            lo += 1

    def _linear_insert(self, last: int) -> None:
        a, less = self.a, self.less
        value = a[last]
        before = last - 1
        while less(value, a[before]):
            a[last] = a[before]
            last = before
            before -= 1
        a[last] = value

    def _insertion_sort(self, first: int, last: int) -> None:
        a, less = self.a, self.less
        for i in range(first + 1, last):
            if less(a[i], a[first]):
                value = a[i]
                a[first + 1:i + 1] = a[first:i]
                a[first] = value
            else:
                self._linear_insert(i)

    def nth_element(self, first: int, nth: int, last: int) -> None:
        depth = 2 * ((last - first).bit_length() - 1)
        while last - first > 3:
            if depth == 0:
                self._heap_select(first, nth + 1, last)
                self.a[first], self.a[nth] = self.a[nth], self.a[first]
                return
            depth -= 1
            cut = self._partition_pivot(first, last)
            if cut <= nth:
                first = cut
            else:
                last = cut
        self._insertion_sort(first, last)

    def sort(self, first: int, last: int) -> None:
        if last - first > 1:
            self._introsort(first, last, 2 * ((last - first).bit_length() - 1))
            if last - first > 16:
                self._insertion_sort(first, first + 16)
                for i in range(first + 16, last):
                    self._linear_insert(i)
            else:
                self._insertion_sort(first, last)

    def _introsort(self, first: int, last: int, depth: int) -> None:
        while last - first > 16:
            if depth == 0:
                self.partial_sort(first, last, last)
                return
            depth -= 1
            cut = self._partition_pivot(first, last)
            self._introsort(cut, last, depth)
            last = cut


def topk_order(values: list, k: int, largest: bool, sorted: bool) -> list:
    """The indices torch's topk_impl_loop leaves in the first ``k`` places of one slice."""
    n = len(values)
    items = [(v, i) for i, v in enumerate(values)]
    std = _Std(items, greater_or_nan if largest else less_or_not_nan)
    if k * 64 <= n:
        std.partial_sort(0, k, n)
    elif k:
        std.nth_element(0, k - 1, n)
        if sorted:
            std.sort(0, k - 1)
    return [i for _, i in items[:k]]


def has_ties(sorted_rows: np.ndarray) -> np.ndarray:
    """Per row of an array sorted along its last axis: whether two of its values are equal (NaNs too)."""
    if sorted_rows.shape[-1] < 2:
        return np.zeros(sorted_rows.shape[:-1], bool)
    a, b = sorted_rows[..., 1:], sorted_rows[..., :-1]
    same = a == b
    if sorted_rows.dtype.kind in "fc":
        same |= np.isnan(a) & np.isnan(b)
    return same.any(axis=-1)

