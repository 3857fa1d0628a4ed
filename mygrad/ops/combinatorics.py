"""Index and set helpers built from other ops as torch builds them: cartesian_prod (meshgrid, flatten,
stack), combinations (meshgrid, masked_select, stack), unravel_index (torch.functional's floor-divide and
remainder), isin (a membership mask), vander (fill, two slice copies, cumprod, flip)."""
from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ._errors import check_tensor_list, python_type_name

__all__ = ["cartesian_prod", "combinations", "unravel_index", "isin", "vander"]


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """ATen's: r copies of the input meshgridded ('ij'), each masked to the index tuples i < j < ... (<= with
    replacement) and stacked as columns; r = 0 gives an empty tensor with no history."""
    from .join import stack
    from .layout import meshgrid
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(np.empty((0,), input._data.dtype), False, None)
    n = input._data.shape[0]
    indices = np.meshgrid(*[np.arange(n)] * r, indexing="ij")
    order = operator.le if with_replacement else operator.lt
    mask = np.ones(indices[0].shape, bool)
    for a, b in itertools.pairwise(indices):
        mask &= order(a, b)
    keep = Tensor._make(mask, False, None)
    return stack([g.masked_select(keep) for g in meshgrid(*[input] * r, indexing="ij")], 1)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """ATen's: a single tensor is returned as is; else meshgrid('ij') flattened and stacked as columns."""
    from .join import stack
    from .layout import meshgrid
    check_tensor_list(tensors)
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    return stack([g.flatten() for g in meshgrid(*tensors, indexing="ij")], 1)


def unravel_index(indices: Tensor, shape) -> tuple:
    """torch.functional's: (indices // strides) % shape per dim, so negative and too large indices wrap."""
    if not isinstance(indices, Tensor):   # (torch's is Python: its first read of the indices fails)
        raise AttributeError(f"'{python_type_name(indices)}' object has no attribute 'is_complex'")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if not isinstance(shape, (int, Sequence)):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    for d in dims:
        if not isinstance(d, int):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(d)}")
    if any(d < 0 for d in dims):
        raise ValueError(f"'shape' cannot have negative values, but got {dims}")
    coefs = list(reversed(list(itertools.accumulate(reversed(dims[1:] + (1,)), func=operator.mul))))
    data = indices._data.astype(np.int64)[..., None]
    if 0 in dims and data.size:   # torch's integer division by zero
        raise RuntimeError("ZeroDivisionError")
    out = quiet(np.remainder)(quiet(np.floor_divide)(data, np.asarray(coefs, np.int64)), np.asarray(dims, np.int64))
    # one (..., len(shape)) tensor unbound along its last dim, so the results are views of it, as torch's
    return Tensor._make(np.ascontiguousarray(out), False, None).unbind(-1)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number); compared after
    promotion to a common dtype, as torch."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got (elements, test_elements), but "
                        "expected one of tensors")
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    common = np.promote_types(a.dtype, b.dtype)
    if any(isinstance(x, Tensor) and x._data.dtype.kind == "b" for x in (elements, test_elements)):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    if isinstance(test_elements, Tensor) and b.size < int(10.0 * a.size ** 0.145):
        # torch's brute-force path for few test elements flattens them with view(-1): its error for a layout
        # no view can flatten
        test_elements.detach().view(-1)
    mask = np.isin(a.astype(common), b.astype(common), invert=invert)
    return Tensor._make(np.asarray(mask), False, None)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """ATen's: ones in x's dtype promoted with int64, the columns past the first copied from x and then from
    their own cumulative product, flipped unless ``increasing`` (CopySlices, CumprodBackward0, FlipBackward0)."""
    from .. import _dtype
    from .reductions import cumprod
    from .shape import flip
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _dtype.promote_types(x.dtype, _dtype.int64)
    result = Tensor._make(np.ones((x.shape[0], n), dtype.np), False, None)
    if n > 1:
        result[:, 1:].copy_(x.unsqueeze(1))
        result[:, 1:].copy_(cumprod(result[:, 1:], 1))
    return result if increasing else flip(result, [1])
