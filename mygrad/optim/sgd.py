"""Stochastic gradient descent, optionally with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _kernels as k
from .optimizer import Optimizer, _check_tensor_lr, _scalar, _silent

__all__ = ["SGD"]


class SGD(Optimizer):
    """torch.optim.SGD; state ``momentum_buffer`` per parameter when ``momentum`` is non-zero."""

    def __init__(self, params, lr=1e-3, momentum: float = 0, dampening: float = 0, weight_decay=0,
                 nesterov: bool = False, *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_silent
    def step(self):
        for group in self.param_groups:
            lr, momentum, dampening = _scalar(group["lr"]), group["momentum"], group["dampening"]
            weight_decay = _scalar(group["weight_decay"])
            for p in self._with_grads(group):
                data = p._data
                grad = p.grad._data if not group["maximize"] else -p.grad._data
                if weight_decay != 0:
                    grad = k.add(grad, data, weight_decay, np.empty_like(data))
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = Tensor._make(np.array(grad, copy=True), False, None)
                        state["momentum_buffer"] = buf
                    else:
                        k.add(k.scale(buf._data, momentum, buf._data), grad, 1 - dampening, buf._data)
                        buf._written()
                    grad = k.add(grad, buf._data, momentum, np.empty_like(data)) if group["nesterov"] else buf._data
                k.add(data, grad, -lr, data)
                p._written()
