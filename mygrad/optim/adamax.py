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
    check_beta,
    check_nonnegative,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """torch.optim.Adamax; state ``step``, ``exp_avg``, ``exp_inf``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_tensor_lr(lr)
        check_nonnegative("Invalid learning rate", lr)
        check_nonnegative("Invalid epsilon value", eps)
        check_beta(betas, 0)
        check_beta(betas, 1)
        check_nonnegative("Invalid weight_decay value", weight_decay)
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
