"""The functions nn's derivative formulas call, in both formula namespaces, and the NumPy
kernels behind them (the forwards use the same kernels, so a forward and its formula agree).

A formula runs over NumPy arrays on the fast path and over mygrad tensors under
``create_graph=True``; each name below therefore has a NumPy implementation here and a
differentiable one: the mygrad function of that name, or the ``tensor=`` side given to
``formula_helper`` when torch has no top-level function of that name.  Import this module before any
``derivative(...)`` line that uses these names.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.backends import ARRAY, formula_helper
from ..autograd.node import derivative
from ..ops import unary  # noqa: F401  (registers the NumPy sigmoid and erf formula functions)
from ..ops._define import record

# ----- NumPy kernels (silent on inf/nan, as torch's are) -------------------------------------

def floating_data(input: Tensor, kernel: str) -> np.ndarray:
    """The input's array; torch's CPU kernels for these ops exist for floating dtypes only."""
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(input.dtype)}\'')
    return data


@quiet
def softplus_kernel(x: np.ndarray, beta=1, threshold=20) -> np.ndarray:
    """log(1 + exp(beta x)) / beta, linear above ``threshold`` as torch's is."""
    scaled = x * beta if beta != 1 else x
    soft = np.logaddexp(0, scaled)
    if beta != 1:
        soft /= beta
    return np.where(scaled > threshold, x, soft)


# ----- the formula namespaces ------------------------------------------------------------------

# sigmoid and erf: the elementwise family's NumPy kernels, which it registers as formula functions
sigmoid_kernel, erf_kernel = quiet(ARRAY["sigmoid"]), ARRAY["erf"]
for _name, _kernel in (("tanh", np.tanh), ("clamp", lambda x, min=None, max=None: np.clip(x, min, max)),
                       ("log1p", np.log1p)):
    if _name not in ARRAY:  # not (yet) registered by the elementwise family; same meaning either way
        formula_helper(_kernel, name=_name)


def _softplus_tensor(x: Tensor) -> Tensor:
    from ._activations import softplus
    return softplus(x)


formula_helper(softplus_kernel, tensor=_softplus_tensor, name="softplus")


def _keep_sum_tensor(x: Tensor, dim: int) -> Tensor:
    return x.sum(dim, keepdim=True) if x.ndim else x


@formula_helper(tensor=_keep_sum_tensor)
def keep_sum(x: np.ndarray, dim: int) -> np.ndarray:
    """Sum over ``dim`` keeping it as size 1, so the result broadcasts back (softmax backward)."""
    return x.sum(axis=dim, keepdims=True) if x.ndim else x


@formula_helper(tensor="same")
def also_saved(value, saved):
    """``value``.  ``saved`` is a tensor torch's node keeps although its formula does not need it here (it is
    folded into another saved value): reading it makes the node save it, so that an in-place edit of it
    since the forward makes the backward raise, as torch's does."""
    return value


ZeroSlopeBackward = derivative("ZeroSlopeBackward", value="grad", input="zeros_like(grad)")


def _zero_slope_tensor(value, input: Tensor) -> Tensor:
    data = value._data if isinstance(value, Tensor) else np.asarray(value)
    return record(ZeroSlopeBackward, data, (value, input))


@formula_helper(tensor=_zero_slope_tensor)
def zero_slope(value, input):
    """``value``, recorded under ``create_graph`` as depending on ``input`` with derivative 0.

    torch's double-backward nodes of piecewise-linear ops (leaky_relu, nll_loss) keep an edge
    to their input that carries zeros: the first-order gradient requires grad and the
    second-order one is a zero tensor, not None.  Nothing to do on NumPy arrays.
    """
    return value


def _constant_tensor(x):
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    return x


@formula_helper(tensor=_constant_tensor)
def constant(x):
    """A value the forward computed (class weights, a loss's per-element coefficients) that enters
    a formula as a constant: the array itself here, a tensor that requires no grad under
    ``create_graph``."""
    return x


