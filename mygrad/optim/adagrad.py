"""Adagrad, with learning-rate decay and an initial accumulator value."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _kernels as k
from .optimizer import (
    Optimizer,
    _check_tensor_lr,
    _increment,
    _scalar,
    _silent,
    _step_tensor,
    check_nonnegative,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """torch.optim.Adagrad; state ``step`` and ``sum``, created for every parameter at construction."""

    def __init__(self, params, lr=1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_tensor_lr(lr)
        check_nonnegative("Invalid learning rate", lr)
        check_nonnegative("Invalid lr_decay value", lr_decay)
        check_nonnegative("Invalid weight_decay value", weight_decay)
        check_nonnegative("Invalid initial_accumulator_value value", initial_accumulator_value)
        check_nonnegative("Invalid epsilon value", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = Tensor._make(np.full_like(p._data, initial_accumulator_value), False, None)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False),
                                 ("fused", None)):
                group.setdefault(key, default)

    @_silent
    def step(self):
        for group in self.param_groups:
            lr, lr_decay, eps = _scalar(group["lr"]), group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in self._with_grads(group):
                state = self.state[p]
                data = p._data
                state_sum = state["sum"]._data
                step = _increment(state["step"])
                grad = p.grad._data if not group["maximize"] else -p.grad._data
                if weight_decay != 0:
                    grad = k.add(grad, data, weight_decay, np.empty_like(data))
                clr = lr / (1 + (step - 1) * lr_decay)
                k.addcmul(state_sum, grad, grad, 1, state_sum)
                state["sum"]._written()
                std = np.sqrt(state_sum)
                std += data.dtype.type(eps)
                k.addcdiv(data, grad, std, -clr, data)
                p._written()
