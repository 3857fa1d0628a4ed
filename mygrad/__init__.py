"""mygrad: reverse-mode autograd on NumPy whose user-visible behaviour is PyTorch's.

``import mygrad as torch`` runs the torch programs it covers unchanged.  This namespace
mirrors torch's: dtypes, factories, ops, grad modes and ``autograd``.
"""
from ._missing import module_getattr as _module_getattr

import math as _math

from . import _dtype
from ._dtype import (bool_ as bool, float16, float32, float64, get_default_dtype, int8, int16, int32, int64,
                     promote_types, set_default_dtype, uint8, dtype, finfo, iinfo)
from ._tensor_str import set_printoptions
from ._tensor import Size, Tensor
from ._device import device
from ._layout import layout, strided  # noqa: F401
from . import cuda
from ._creation import *  # noqa: F401,F403
from .autograd import enable_grad, no_grad, set_grad_enabled
from .autograd.grad_mode import is_grad_enabled
from . import autograd
from .autograd import inference_mode  # noqa: F401
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: F401
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: F401
from .ops import *  # noqa: F401,F403
from . import linalg
from .ops.decompositions import det, inverse, logdet  # noqa: F401  torch.* aliases of torch.linalg
from .ops.decompositions import torch_slogdet as slogdet  # noqa: F401
from .ops.decompositions import torch_cholesky as cholesky  # noqa: F401
from .ops.decompositions import cholesky_solve  # noqa: F401
from .ops.linalg_solvers import cholesky_inverse, triangular_solve  # noqa: F401
from .ops.decompositions import torch_qr as qr  # noqa: F401
from .ops.decompositions import pinverse  # noqa: F401
from .ops.decompositions import matrix_exp  # noqa: F401
from .ops.linalg_products import cross, kron, matrix_power, tensordot  # noqa: F401  torch.* products
from .ops.distances import cdist  # noqa: F401
from .ops.householder import orgqr  # noqa: F401
from .ops.lu import lu_unpack, torch_lu as lu, torch_lu_solve as lu_solve  # noqa: F401
from . import special
from . import nn
from .ops.aten_aliases import *  # noqa: F401,F403  torch.conv2d, torch.layer_norm, ...: ATen signatures
from .ops.math_more import *  # noqa: F401,F403  fmax, fmin, gcd, lcm, positive, vdot, inner, dist, cov, ...
from .ops.tensor_misc import *  # noqa: F401,F403  detach, ravel, fill, scalar_tensor, is_* predicates, conj, ...
from ._runtime import *  # noqa: F401,F403  thread counts, rng state, deterministic mode, default device, ...
from .ops.decompositions import torch_svd as svd  # noqa: F401
from .ops.removed_linalg import *  # noqa: F401,F403  matrix_rank, solve, lstsq, symeig, eig: torch's removal errors
from .ops.view_copies import *  # noqa: F401,F403  the *_copy and *_scatter forms of the views
from .ops.combinatorics import *  # noqa: F401,F403  cartesian_prod, combinations, unravel_index, isin, vander
from . import optim
from . import utils
from . import serialization
from .serialization import load, save
from .nn.functional import log_softmax, softmax  # torch.softmax aliases F.softmax
from . import func  # noqa: E402
from . import distributions  # noqa: E402
from . import return_types  # noqa: E402

half, float, double = float16, float32, float64  # noqa: A001  (torch's aliases shadow builtins here too)
short, int, long = int16, int32, int64  # noqa: A001
__version__ = "0.1.0"
inf, nan, pi, e = _math.inf, _math.nan, _math.pi, _math.e


def result_type(tensor1, tensor2) -> dtype:
    return _dtype.result_type(tensor1, tensor2)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


from .ops._errors import check_tensor_inputs as _check_tensor_inputs  # noqa: E402

_check_tensor_inputs(globals(), list(globals()))   # torch's argument check of every function's input
del _check_tensor_inputs

from .autograd.backends import install_tensor_namespace as _install  # noqa: E402

_install(globals())
del _install

__getattr__ = _module_getattr(__name__, '')  # a torch name mygrad lacks: an AttributeError that says so
