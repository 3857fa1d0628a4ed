"""mygrad: reverse-mode autograd on NumPy whose user-visible behaviour is PyTorch's.

``import mygrad as torch`` runs the torch programs it covers unchanged.  This namespace
mirrors torch's: dtypes, factories, ops, grad modes and ``autograd``.
"""
from __future__ import annotations

from . import _dtype
from ._dtype import (bool_ as bool, float16, float32, float64, get_default_dtype, int8, int16, int32, int64,
                     promote_types, set_default_dtype, uint8, dtype)
from ._tensor import Size, Tensor
from ._creation import *  # noqa: F401,F403
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import autograd
from .ops import *  # noqa: F401,F403
from . import linalg
from . import nn
from .nn.functional import log_softmax, softmax  # torch.softmax aliases F.softmax

half, float, double = float16, float32, float64  # noqa: A001  (torch's aliases shadow builtins here too)
short, int, long = int16, int32, int64  # noqa: A001
__version__ = "0.1.0"


def result_type(tensor1, tensor2) -> dtype:
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


from .autograd.backends import install_tensor_namespace as _install  # noqa: E402

_install(globals())
del _install
