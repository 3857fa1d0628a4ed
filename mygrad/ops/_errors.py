"""torch's messages for bad arguments, so that a wrong call fails as it does in torch (same class,
same text): a non-tensor where a tensor is required, arguments that fit none of an op's overloads,
and a dtype a kernel has no implementation for."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .._tensor_str import scalar_type_name


def not_tensor(name: str, value, argument: str = "input", position: int = 1) -> TypeError:
    return TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                     f"not {type(value).__name__}")


def _type_name(value) -> str:
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


def _fits(parameter: str, value) -> bool:
    """As torch marks them: a tensor fits a Tensor parameter; nothing is marked as fitting a Number."""
    return parameter.startswith("Tensor") and isinstance(value, Tensor)


def _described(value) -> str:
    """A value's type as torch's notes spell it (a list names its items' types)."""
    if type(value) is list:
        return f"list of [{', '.join(_type_name(v) for v in value)}]"
    return _type_name(value)


def _mismatch(signature: str, args: tuple) -> str:
    """torch's note under an overload of the same arity and no keyword-only part: the misfits, marked."""
    parameters = signature.split(", ")
    if "*" in parameters or len(parameters) != len(args):
        return ""
    marked = ", ".join(_type_name(a) if _fits(p, a) else f"!{_described(a)}!" for p, a in zip(parameters, args))
    return f"      didn't match because some of the arguments have invalid types: ({marked})\n"


def invalid_arguments(name: str, args: tuple, overloads: tuple) -> TypeError:
    """For an op with several overloads (``overloads``: their signatures, as torch prints them)."""
    got = ", ".join(_type_name(a) for a in args)
    listed = "".join(f" * ({signature})\n{_mismatch(signature, args)}" for signature in overloads)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                     f"{listed}")


def not_implemented(kernel: str, data: np.ndarray) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{scalar_type_name(_dtype.from_numpy_dtype(np.asarray(data).dtype))}'")
