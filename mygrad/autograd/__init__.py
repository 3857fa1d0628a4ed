"""torch.autograd's entry points: backward, grad, and the grad-mode switches."""
from __future__ import annotations

from typing import Any

import numpy as np

from .backends import TENSOR
from .engine import collector_paused, gradient_edge, run_backward
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, TENSOR["Tensor"]):
        return (x,)
    return tuple(x)


def _root_grads(outputs: tuple, grad_outputs: Any, create_graph: bool) -> list:
    """Check and prepare the gradient for each root, as torch's _make_grads does."""
    Tensor = TENSOR["Tensor"]
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            data = np.empty_like(out._data)
            data.fill(1)  # (np.ones_like, without its Python-level wrapper)
            grads.append(Tensor._make(data, False, None) if create_graph else data)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                               f"has a shape of {out.shape}.")
        data = g._data if g._data.dtype == out._data.dtype else g._data.astype(out._data.dtype)
        grads.append((g if data is g._data else Tensor._make(data, False, None)) if create_graph else data)
    return grads


def _check_roots(outputs: tuple) -> None:
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


@collector_paused
def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's .grad (or only into ``inputs``)."""
    Tensor = TENSOR["Tensor"]
    tensors = (tensors,) if type(tensors) is Tensor else _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    else:
        grad_tensors = tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(tensors)
    grads = _root_grads(tensors, grad_tensors, create_graph)
    if inputs is None:
        run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    edges = [gradient_edge(t) for t in inputs]
    captured = run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph,
                            capture=edges, accumulate=True)
    for t, g in zip(inputs, captured):
        if g is not None and not t.is_leaf:
            t._retain(g)


@collector_paused
def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: Any = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: Any = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple, leaving every .grad untouched."""
    Tensor = TENSOR["Tensor"]
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    _check_roots(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _root_grads(outputs, grad_outputs, create_graph)
    edges = [gradient_edge(t) for t in inputs]
    captured = run_backward(outputs, grads, retain_graph=retain_graph, create_graph=create_graph,
                            capture=edges, accumulate=False)
    result: list[Any] = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   f"graph. Set allow_unused=True if this is the desired behavior.")
            else:
                result.append(None)
                continue
        if not isinstance(g, Tensor):
            g = Tensor._make(np.array(g, dtype=t._data.dtype), False, None)
        result.append(g)
    return tuple(result)
