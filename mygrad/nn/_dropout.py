"""``dropout``: the input times a random keep-mask scaled by 1/(1-p), as torch computes it on the
CPU (MulBackward0 with a constant second operand).  Eval mode, p=0 and an empty input return the
input itself.

The mask comes from mygrad's default generator (``manual_seed`` reproduces it); its values
cannot be torch's, only its distribution and the gradient it implies (the mask's scaling).
"""
from __future__ import annotations

import numpy as np

from .._creation import default_generator
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..ops.elementwise import mul


def _noise(input: Tensor, p: float) -> Tensor:
    data = input._data
    if p == 1:
        return Tensor._make(np.zeros((), data.dtype), False, None)
    if data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{scalar_type_name(input.dtype)}")
    keep = 1 - p
    noise = (default_generator._rng.random(data.shape) < keep).astype(data.dtype)
    noise /= data.dtype.type(keep)
    return Tensor._make(noise, False, None)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._data.size == 0:
        return input
    noise = _noise(input, p)
    return input._inplace(mul, noise, ufunc=np.multiply) if inplace else mul(input, noise)
