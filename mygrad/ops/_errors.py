"""torch's messages for bad arguments, so that a wrong call fails as it does in torch (same class,
same text): a non-tensor where a tensor is required, arguments that fit none of an op's overloads,
and a dtype a kernel has no implementation for."""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor


def not_tensor(name: str, value, argument: str = "input", position: int = 1) -> TypeError:
    return TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, "
                     f"not {type(value).__name__}")


def invalid_arguments(name: str, args: tuple, overloads: tuple) -> TypeError:
    """For an op with several overloads (``overloads``: their signatures, as torch prints them)."""
    got = ", ".join("Tensor" if type(a) is Tensor else type(a).__name__ for a in args)
    listed = "".join(f" * ({signature})\n" for signature in overloads)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                     f"{listed}")


def not_implemented(kernel: str, data: np.ndarray) -> NotImplementedError:
    from .._tensor_str import scalar_type_name
    return NotImplementedError(f'"{kernel}" not implemented for '
                               f"'{scalar_type_name(_dtype.from_numpy_dtype(np.asarray(data).dtype))}'")
