"""``pad``: constant (ConstantPadNdBackward0; negative pads crop), reflect and replicate
(Reflection/ReplicationPad{1,2,3}DBackward0, as index maps per dim: ``_maps.py``).

``pad`` lists (before, after) pairs starting from the last dim, as torch's does.  Circular
padding is torch's composite: slice copies into a fresh tensor (a CopySlices graph over SliceBackward0).
"""
from __future__ import annotations

import numpy as np

from .._argument_types import python_type_name
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import record
from ..ops._errors import not_implemented
from . import _maps


def _constant_pad_tensor(x: Tensor, pads: tuple, value=0) -> Tensor:
    return record(ConstantPadNdBackward0, constant_pad(x._data, pads, value), (x,),
                  inverse=tuple(-p for p in pads))


@formula_helper(tensor=_constant_pad_tensor)
def constant_pad(x: np.ndarray, pads: tuple, value=0) -> np.ndarray:
    """``x`` padded by signed (before, after) pairs from the last dim: positive adds ``value``, negative crops."""
    shape = list(x.shape)
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for i in range(len(pads) // 2):
        axis = x.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        n = shape[axis]
        shape[axis] = n + lo + hi
        src[axis] = slice(max(-lo, 0), n - max(-hi, 0))
        dst[axis] = slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0))
    out = np.full(shape, value, x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


ConstantPadNdBackward0 = derivative("ConstantPadNdBackward0", attrs="inverse", self="constant_pad(grad, inverse)")


_NODES = {(mode, n): _maps.make_node(f"{prefix}Pad{n}DBackward0")
          for mode, prefix in (("reflect", "Reflection"), ("replicate", "Replication")) for n in (1, 2, 3)}
_RANKS = {2: (2, 3), 4: (3, 4), 6: (4, 5)}


def _index_map(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    j = np.arange(-lo, size + hi)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    j = np.abs(j)
    return np.where(j > size - 1, 2 * (size - 1) - j, j)


def _check_pad_list(pad) -> None:
    """torch's parser for pad's ``pad`` (a SymInt[] passed on positionally: no single int, no floats)."""
    if not isinstance(pad, (list, tuple)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {python_type_name(pad)}")
    at = next((i for i, v in enumerate(pad) if isinstance(v, (bool, float)) or not hasattr(type(v), "__index__")),
              None)
    if at is not None:
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                        f"{python_type_name(pad[at])} at pos {at}")


def _check_kernel_dtype(mode: str, nd: int, x: np.ndarray) -> None:
    """torch's reflection/replication kernels take no bool."""
    if x.dtype == np.bool_:
        kernel = {"reflect": "reflection_pad", "replicate": "replication_pad"}[mode]
        raise not_implemented(f"{kernel}{nd}d", x)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    _check_pad_list(pad)
    pads = tuple(pad)
    x = input._data
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pads)} and input of dimension {x.ndim}")
    if mode != "constant" and value is not None:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode == "constant":
        for i in range(len(pads) // 2):
            n = x.shape[x.ndim - 1 - i]
            if n + min(pads[2 * i], 0) + min(pads[2 * i + 1], 0) < 0:  # torch narrows by the crops first
                raise RuntimeError("narrow(): length must be non-negative.")
            if n + pads[2 * i] + pads[2 * i + 1] < 0:
                raise RuntimeError(f"The input size {n}, plus negative padding {pads[2 * i]} and "
                                   f"{pads[2 * i + 1]} resulted in a negative output size, which is invalid. Check "
                                   f"dimension {x.ndim - 1 - i} of your input.")
        return record(ConstantPadNdBackward0, constant_pad(x, pads, 0 if value is None else value), (input,),
                      inverse=tuple(-p for p in pads))
    if len(pads) not in _RANKS or x.ndim not in _RANKS[len(pads)]:
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular(input, pads)
    nd = len(pads) // 2
    if mode == "replicate":   # (before the sizes: replicate checks them in its kernel, reflect before it)
        _check_kernel_dtype(mode, nd, x)
    maps = []
    out_shape = list(x.shape[:x.ndim - nd]) + [x.shape[x.ndim - 1 - i] + pads[2 * i] + pads[2 * i + 1]
                                                for i in reversed(range(nd))]
    for axis in range(x.ndim - nd, x.ndim):
        i = x.ndim - 1 - axis
        size, lo, hi = x.shape[axis], pads[2 * i], pads[2 * i + 1]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {axis} of input {list(x.shape)}")
        if mode == "replicate" and nd > 1 and size:  # torch's 2-d and 3-d kernels allow an empty output
            if size + lo + hi < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {size + lo + hi}: {out_shape}")
        elif size + lo + hi < 1 or size == 0:
            raise RuntimeError(f"input tensor ({list(x.shape)}) is too small for padding ({lo}, {hi}) at "
                               f"dimension {axis}")
        maps.append(_index_map(size, lo, hi, mode))
    if mode == "reflect":
        _check_kernel_dtype(mode, nd, x)
    return _maps.mapped(_NODES[mode, nd], input, tuple(maps))


def _circular(input: Tensor, pads: tuple) -> Tensor:
    """torch's ``_pad_circular``: copy the (cropped) input into the middle of an empty tensor, then each
    dim's left and right margins from the opposite side of the tensor written so far (corners twice)."""
    from .._creation import empty
    from ..ops.indexing import _slice
    shape = list(input.shape)
    nd = len(pads) // 2
    for i in range(nd):
        dim = input.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        if lo > shape[dim] or hi > shape[dim]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        shape[dim] += lo + hi
        if shape[dim] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = empty(shape, dtype=input.dtype)
    out_slice, in_slice = out, input
    for i in range(nd):
        dim = input.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        out_slice = _slice(out_slice, dim, max(lo, 0), shape[dim] - max(hi, 0), 1)
        in_slice = _slice(in_slice, dim, max(-lo, 0), input.shape[dim] - max(-hi, 0), 1)
    out_slice.copy_(in_slice)
    for i in range(nd):
        dim = input.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        if lo > 0:
            _slice(out, dim, 0, lo, 1).copy_(
                _slice(out, dim, shape[dim] - lo - max(hi, 0), shape[dim] - max(hi, 0), 1))
        if hi > 0:
            _slice(out, dim, shape[dim] - hi, shape[dim], 1).copy_(
                _slice(out, dim, max(lo, 0), max(lo, 0) + hi, 1))
    return out
