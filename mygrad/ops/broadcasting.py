"""torch.broadcast_tensors and torch.broadcast_shapes: NumPy's broadcasting rule with torch's outputs
(an input already of the broadcast shape comes back as itself; others are ``expand`` views, ExpandBackward0)
and torch's messages."""
from __future__ import annotations

from .._tensor import Size, Tensor
from ._errors import python_type_name
from .shape import expand


def broadcast_shapes(*shapes) -> Size:
    """The shape every argument broadcasts to; torch's RuntimeError names the argument that does not fit."""
    result: list = []
    for index, shape in enumerate(shapes):
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        if len(dims) > len(result):
            result = [1] * (len(dims) - len(result)) + result
        for k in range(1, len(dims) + 1):
            size, have = dims[-k], result[-k]
            if size == have or size == 1:
                continue
            if have == 1:
                result[-k] = size
                continue
            raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at {-k}! Mismatching argument "
                               f"at index {index} had {dims}; but expected shape should be broadcastable to "
                               f"{result}")
    return Size(result)


def broadcast_tensors(*tensors) -> tuple:
    """Each tensor expanded to the common shape (itself where it already has it), as torch's."""
    for position, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got {python_type_name(t)}")
    shape = tuple(tensors[0]._data.shape) if tensors else ()
    for t in tensors[1:]:
        other = t._data.shape
        width = max(len(shape), len(other))
        padded, padded_other = (1,) * (width - len(shape)) + shape, (1,) * (width - len(other)) + other
        merged = []
        for k, (a, b) in enumerate(zip(padded, padded_other, strict=True)):
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {k}")
            merged.append(b if a == 1 else a)
        shape = tuple(merged)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


__all__ = ["broadcast_shapes", "broadcast_tensors"]
