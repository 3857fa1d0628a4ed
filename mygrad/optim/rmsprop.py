"""RMSprop, optionally centered and with momentum."""
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
    check_nonnegative,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """torch.optim.RMSprop; state ``step``, ``square_avg`` (and ``momentum_buffer``, ``grad_avg``)."""

    def __init__(self, params, lr=1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_tensor_lr(lr)
        check_nonnegative("Invalid learning rate", lr)
        check_nonnegative("Invalid epsilon value", eps)
        check_nonnegative("Invalid momentum value", momentum)
        check_nonnegative("Invalid weight_decay value", weight_decay)
        check_nonnegative("Invalid alpha value", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                                 ("differentiable", False), ("capturable", False)):
                group.setdefault(key, default)

    @_silent
    def step(self):
        for group in self.param_groups:
            lr, alpha, eps = _scalar(group["lr"]), group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p in self._with_grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                data = p._data
                grad = p.grad._data if not group["maximize"] else -p.grad._data
                square_avg = state["square_avg"]._data
                _increment(state["step"])
                if weight_decay != 0:
                    grad = k.add(grad, data, weight_decay, np.empty_like(data))
                k.addcmul(k.scale(square_avg, alpha, square_avg), grad, grad, 1 - alpha, square_avg)
                state["square_avg"]._written()
                if centered:
                    grad_avg = state["grad_avg"]._data
                    k.lerp(grad_avg, grad, 1 - alpha, grad_avg)
                    state["grad_avg"]._written()
                    avg = np.sqrt(k.addcmul(square_avg, grad_avg, grad_avg, -1, np.empty_like(data)))
                else:
                    avg = np.sqrt(square_avg)
                avg += data.dtype.type(eps)
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    k.addcdiv(k.scale(buf, momentum, buf), grad, avg, 1, buf)
                    state["momentum_buffer"]._written()
                    k.add(data, buf, -lr, data)
                else:
                    k.addcdiv(data, grad, avg, -lr, data)
                p._written()
