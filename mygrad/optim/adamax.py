"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from . import _kernels as k
from .optimizer import (
    Optimizer,
    _check_tensor_lr,
    _increment,
    _scalar,
    _silent,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """torch.optim.Adamax; state ``step``, ``exp_avg``, ``exp_inf``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False),
                                 ("capturable", False)):
                group.setdefault(key, default)

    @_silent
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, weight_decay = _scalar(group["lr"]), group["eps"], group["weight_decay"]
            for p in self._with_grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                data = p._data
                grad = p.grad._data if not group["maximize"] else -p.grad._data
                exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
                step = _increment(state["step"])
                if weight_decay != 0:
                    grad = k.add(grad, data, weight_decay, np.empty_like(data))
                k.lerp(exp_avg, grad, 1 - beta1, exp_avg)
                norm = np.abs(grad)
                norm += data.dtype.type(eps)
                np.maximum(k.scale(exp_inf, beta2, exp_inf), norm, out=exp_inf)
                clr = lr / (1 - beta1 ** step)
                k.addcdiv(data, exp_avg, exp_inf, -clr, data)
                state["exp_avg"]._written()
                state["exp_inf"]._written()
                p._written()
