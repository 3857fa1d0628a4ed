"""Adam, and AdamW (decoupled weight decay), with amsgrad and maximize."""
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

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """torch.optim.Adam; state ``step`` (float32 0-d), ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq``)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 amsgrad: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_tensor_lr(lr)
        check_nonnegative("Invalid learning rate", lr)
        check_nonnegative("Invalid epsilon value", eps)
        check_beta(betas, 0)
        check_beta(betas, 1)
        check_nonnegative("Invalid weight_decay value", weight_decay)
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")  # noqa: TRY004 (torch's class)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                                 ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None)):
                group.setdefault(key, default)

    @_silent
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, weight_decay, eps, amsgrad = _scalar(group["lr"]), group["weight_decay"], group["eps"], group["amsgrad"]
            for p in self._with_grads(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                data = p._data
                grad = p.grad._data if not group["maximize"] else -p.grad._data
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                step = _increment(state["step"])
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        k.scale(data, 1 - lr * weight_decay, data)
                    else:
                        grad = k.add(grad, data, weight_decay, np.empty_like(data))
                k.lerp(exp_avg, grad, 1 - beta1, exp_avg)
                k.addcmul(k.scale(exp_avg_sq, beta2, exp_avg_sq), grad, grad, 1 - beta2, exp_avg_sq)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    max_sq = state["max_exp_avg_sq"]._data
                    np.maximum(max_sq, exp_avg_sq, out=max_sq)
                    state["max_exp_avg_sq"]._written()
                    second = max_sq
                else:
                    second = exp_avg_sq
                denom = np.sqrt(second) / data.dtype.type(bias_correction2_sqrt)
                denom += data.dtype.type(eps)
                k.addcdiv(data, exp_avg, denom, -step_size, data)
                state["exp_avg"]._written()
                state["exp_avg_sq"]._written()
                p._written()


class AdamW(Adam):
    """torch.optim.AdamW: Adam with ``decoupled_weight_decay=True`` (default weight_decay 1e-2)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
