"""Module backward hooks as torch runs them (torch/utils/hooks.py ``BackwardHook``): the module's tensor
inputs and outputs pass through an identity node, ``BackwardHookFunctionBackward``, whose outputs are views
of what went in.  A pre-hook on the outputs' node sees (and may replace) ``grad_output``; a post-hook on the
inputs' node sees ``grad_input`` and calls the user's full backward hooks with both."""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from ..._tensor import IN_CUSTOM_FUNCTION, Tensor
from ...autograd import grad_mode
from ...autograd.node import derivative
from ...ops._define import _attach, record_view

_NODES: dict = {}
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # .../mygrad


def _user_stacklevel() -> int:
    """The stacklevel of the first frame outside mygrad, for the caller of this function: a warning raised
    during backward points at the user's ``backward()`` call, as torch's (raised from C++) does."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def _node_class(n: int) -> type:
    """The identity node of ``n`` inputs and outputs (one class per arity, as its formulas differ)."""
    if n not in _NODES:
        node = derivative("BackwardHookFunctionBackward", multi_output=True,
                          **{f"input{i}": f"grad[{i}]" for i in range(n)})
        node.__repr__ = _custom_function_repr
        _NODES[n] = node
    return _NODES[n]


def _custom_function_repr(self) -> str:
    """torch prints the nodes of Python autograd Functions with their module path."""
    return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"


def backward_hook_function(tensors: list) -> tuple[list, Any]:
    """torch's BackwardHookFunction.apply: views of ``tensors``; those that require grad get one shared
    identity node (the others are marked non-differentiable).  Returns the views and the node."""
    outs = [record_view(t._data, t, i) for i, t in enumerate(tensors)]
    node = _attach(_node_class(len(tensors)), outs[0], tuple(tensors), {}) if grad_mode._state.enabled else None
    if node is not None:
        node.n_outputs = len(outs)
        node._output_meta = tuple((t._data.shape, t._data.dtype) for t in outs)
        for t, source in zip(outs, tensors):
            if source.requires_grad:
                t.grad_fn = node
                t._requires_grad = True
                t._view_meta = (t._vc[0], IN_CUSTOM_FUNCTION)   # (a custom Function's view: torch's CreationMeta)
    return outs, node


class BackwardHook:
    """One module call's backward hooks (``user_hooks``: full backward hooks, ``user_pre_hooks``: full
    backward pre-hooks)."""

    def __init__(self, module, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: Any = None
        self.n_outputs = -1
        self.output_tensors_index: list | None = None
        self.n_inputs = -1
        self.input_tensors_index: list | None = None

    @staticmethod
    def _pack_with_none(indices: list, values, size: int) -> tuple:
        res: list = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices: list, values) -> tuple:
        return tuple(values[idx] for idx in indices)

    def _set_user_hook(self, grad_fn) -> None:
        def hook(grad_input, _):
            if self.grad_outputs is None:
                return None  # the gradient reached the inputs without passing through the outputs
            res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(out)}, but "
                                       f"expected {len(res)}")
                res = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, res)
        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args: tuple) -> tuple[tuple, list | None]:
        tensors_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (any(t.requires_grad for t in tensors) and grad_mode._state.enabled):
            return args, None
        new_tensors, node = backward_hook_function(tensors)
        if node is None:
            raise RuntimeError("Error while setting up backward hooks. Please open an issue with a code sample to "
                               "reproduce this.")
        fn(node)
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors):
            arg_list[idx] = val
        return tuple(arg_list), tensors_idx

    def setup_input_hook(self, args: tuple) -> tuple:
        res, input_idx = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_idx
        return res

    def setup_output_hook(self, args: Any) -> Any:
        def fn(grad_fn) -> None:
            def hook(grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
                if self.user_pre_hooks:
                    expected_len = len(self.grad_outputs)
                    for user_pre_hook in self.user_pre_hooks:
                        hook_grad_outputs = user_pre_hook(self.module, self.grad_outputs)
                        if hook_grad_outputs is None:
                            continue
                        if len(hook_grad_outputs) != expected_len:
                            raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                               f"{len(hook_grad_outputs)}, but expected {expected_len}")
                        self.grad_outputs = hook_grad_outputs
                local_grad_outputs = self.grad_outputs
                if self.input_tensors_index is None:
                    warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                                  "outputs since no inputs require gradients. See "
                                  "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module."
                                  "register_full_backward_hook for more details.", stacklevel=_user_stacklevel())
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                            raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                               "always return None or None for all gradients.")
                    self.grad_outputs = None
                if local_grad_outputs is not None:
                    return tuple(local_grad_outputs[i] for i in self.output_tensors_index)
                return None
            grad_fn.register_prehook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, output_idx = self._apply_on_tensors(fn, args)
        self.n_outputs = len(args)
        self.output_tensors_index = output_idx
        return res if is_tuple else res[0]
