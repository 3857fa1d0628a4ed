"""``torch.nn.Parameter`` and ``torch.nn.Buffer``: tensors a Module registers (as a parameter, or as a
buffer) when they are assigned as its attributes.

A parameter is a leaf sharing the memory and version counter of the tensor it was made from (torch's
``_make_subclass``); ops on it return plain Tensors, in-place ops return the parameter itself.
"""
from __future__ import annotations

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A tensor that is a module's parameter: ``requires_grad`` by default, even under ``no_grad``.
    (No ``__slots__``: like torch's, a parameter accepts extra attributes.)"""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            from .._creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        return cls._make(data._data, bool(requires_grad), None, 0, data._vc)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return _rebuild_parameter, (self.detach(), self.requires_grad)


def _rebuild_parameter(data: Tensor, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """A tensor a Module registers as a buffer when assigned (``persistent``: whether it goes into the
    state_dict).  torch's Buffer returns a plain tensor flagged as one; here it is a Tensor subclass
    sharing the data's memory and version counter (ops on it return plain Tensors)."""

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> "Buffer":
        if data is None:
            from .._creation import empty
            data = empty(0)
        t = cls._make(data._data, data.requires_grad, None, 0, data._vc)
        t.persistent = persistent
        return t

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass
