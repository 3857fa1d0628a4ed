"""Gradient clipping by total norm and by value, in place on ``.grad`` (torch.nn.utils.clip_grad).

The total norm is torch's: the ``norm_type`` norm of the per-gradient norms, computed with
``linalg.vector_norm`` under ``no_grad``; the scale is ``max_norm / (total + 1e-6)`` clamped at 1.
``foreach`` is accepted and changes nothing (mygrad has one implementation).
"""
from __future__ import annotations

import types
import warnings
from collections.abc import Iterable

import numpy as np

from ... import autograd
from ..._creation import tensor
from ..._tensor import Tensor
from ...ops import clamp, stack
from ...ops.reductions import vector_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_"]


def _get_total_norm(grads: list[Tensor], norm_type: float, error_if_nonfinite: bool) -> Tensor:
    norm_type = float(norm_type)
    if len(grads) == 0:
        return tensor(0.0)
    total = vector_norm(stack([vector_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not np.isfinite(total._data):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                           "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                           "anyway, set `error_if_nonfinite=False`")
    return total


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients so that their total ``norm_type`` norm is at most ``max_norm``; return that norm."""
    with autograd.no_grad():
        if isinstance(parameters, Tensor):
            parameters = [parameters]
        else:
            is_generator = isinstance(parameters, types.GeneratorType)
            parameters = list(parameters)
            if is_generator and len(parameters) == 0:
                warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
        grads = [p.grad for p in parameters if p.grad is not None]
        total_norm = _get_total_norm(grads, norm_type, error_if_nonfinite)
        if grads:
            coef = clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
            for g in grads:
                g.mul_(coef)
        return total_norm


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_`` (torch warns with a FutureWarning)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]`` in place."""
    with autograd.no_grad():
        if isinstance(parameters, Tensor):
            parameters = [parameters]
        clip_value = float(clip_value)
        for p in parameters:
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
