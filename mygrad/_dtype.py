"""Torch's dtypes over NumPy's, and torch's type-promotion rules.

Torch promotes differently from NumPy in two ways that users see: a float tensor
wins over any integer tensor (int64 + float32 -> float32, NumPy says float64), and
operands are ranked by kind: dimensioned tensors, then 0-dim tensors, then Python
scalars; a lower rank only changes the result when it is of a higher category
(bool < integer < floating).
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A torch dtype: prints as ``torch.float32`` so that programs print what torch prints."""

    __slots__ = ("name", "np", "is_floating_point", "itemsize", "_category")

    def __init__(self, name: str, np_dtype, category: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = category == 2
        self._category = category  # 0 bool, 1 integer, 2 floating

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (from_numpy_dtype, (self.np,))

    @property
    def is_signed(self) -> bool:
        return self.name not in ("bool", "uint8")


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.np: d for d in ALL}

# torch takes Python's own types where it takes a dtype: float is float64, int int64, bool bool
PYTHON_TYPES = {float: float64, int: int64, bool: bool_}


def as_dtype(value):
    """``value`` with a Python type (``float``, ``int``, ``bool``) read as torch reads it; anything else as is."""
    return PYTHON_TYPES.get(value, value) if isinstance(value, type) else value


ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
           "int": int32, "long": int64, "bool": bool_}


def from_numpy_dtype(np_dtype) -> dtype:
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported "
                        "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


class _DefaultDtype:
    value = float32


_default = _DefaultDtype()


def get_default_dtype() -> dtype:
    return _default.value


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default.value = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: NumPy's table, except that a float always wins over an integer."""
    if a is b:
        return a
    if a._category == 2 and b._category != 2:
        return a
    if b._category == 2 and a._category != 2:
        return b
    return _BY_NUMPY[np.promote_types(a.np, b.np)]


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a Python scalar on its own (torch.tensor(value))."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return _default.value


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == 2:
        return higher
    if higher is bool_ or lower._category == 2:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """torch.result_type over tensors and Python scalars (anything with ``.dtype`` and ``.ndim`` is a tensor)."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif x is not None:
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


class finfo:  # noqa: N801  (torch's name)
    """torch.finfo: the limits of a floating dtype (the default dtype when none is given)."""

    def __init__(self, type: dtype | None = None):  # noqa: A002  (torch's argument name)
        type = get_default_dtype() if type is None else as_dtype(type)
        if not isinstance(type, dtype) or not type.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(type.np)
        self.bits, self.dtype = info.bits, type.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801  (torch's name)
    """torch.iinfo: the limits of an integer dtype."""

    def __init__(self, type: dtype):  # noqa: A002  (torch's argument name)
        if not isinstance(type, dtype) or type._category != 1:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.dtype, self.min, self.max = info.bits, type.name, int(info.min), int(info.max)

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
