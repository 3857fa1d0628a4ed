"""torch.autograd's entry points: backward, grad, and the grad-mode switches."""
from typing import Any as _Any

import numpy as _np

from .._missing import module_getattr as _module_getattr
from . import anomaly_mode, forward_ad, function, graph  # noqa: F401  (torch.autograd.<module>)
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .backends import TENSOR as _TENSOR  # (mygrad.Tensor, bound once mygrad has loaded)
from .engine import gradient_edge as _gradient_edge, run_backward as _run_backward
from .function import Function, NestedIOFunction
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "Function",
           "NestedIOFunction", "detect_anomaly",
           "set_detect_anomaly", "function", "graph", "functional", "gradcheck", "gradgradcheck", "forward_ad"]


def _as_tuple(x: _Any) -> tuple:
    if isinstance(x, _TENSOR["Tensor"]):
        return (x,)
    return tuple(x)


def _root_grads(outputs: tuple, grad_outputs: _Any, create_graph: bool) -> list:
    """Check and prepare the gradient for each root, as torch's _make_grads does."""
    Tensor = _TENSOR["Tensor"]
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{out.dtype}")
            data = _np.empty_like(out._data)
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


def _expanded_copy(g: _np.ndarray) -> _Any:
    """A gradient that stays expanded, as torch returns sum's: a view (torch's expand of the gradient it
    was given) over a tensor of its distinct elements."""
    Tensor = _TENSOR["Tensor"]
    distinct = _np.array(g[tuple(slice(0, 1) if s == 0 else slice(None) for s in g.strides)])
    expanded = _np.lib.stride_tricks.as_strided(distinct, g.shape, tuple(0 if s == 0 else d for s, d in
                                                                        zip(g.strides, distinct.strides)))
    base = Tensor._make(distinct, False, None)
    view = Tensor._make(expanded, False, None, 0, base._vc)
    view._base = base
    from ..ops._views import NO_GRAD
    view._view_meta = (0, NO_GRAD)   # made while the backward ran without grad mode, as torch's expand was
    return view


def _batched_grad(outputs: _Any, inputs: _Any, grad_outputs: _Any, retain_graph: _Any, create_graph: _Any,
                  allow_unused: _Any,
                  materialize_grads: _Any) -> _Any:
    """``grad(..., is_grads_batched=True)``: the first dim of each grad_output indexes independent vector-
    Jacobian products (torch vmaps over it; here a loop), stacked along a new first dim of each result."""
    for i, g in enumerate(grad_outputs):
        if g is None:
            raise RuntimeError("Batched grad expects grad_outputs to be defined, but got an undefined tensor at "
                               f"index {i}")  # (what a user passing None with is_grads_batched meets)
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g.shape[1:] != out.shape:
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch "
                "dimension. The sizes of the remaining dimensions are expected to match the shape of "
                f"corresponding output, but a mismatch was detected: grad_output[{i}] has a shape of "
                f"{type(g.shape)(g.shape[1:])} and output[{i}] has a shape of {out.shape}. If you only want some "
                "tensors in `grad_output` to be considered batched, consider using vmap.")
    batch = grad_outputs[0].shape[0]
    per_sample = [grad(outputs, inputs, tuple(g[b] for g in grad_outputs),
                       retain_graph=True if b < batch - 1 else retain_graph, create_graph=create_graph,
                       allow_unused=allow_unused, materialize_grads=materialize_grads) for b in range(batch)]
    from ..ops.join import stack  # (the op families import this package: a call-time import)
    return tuple(None if column[0] is None else stack(column) for column in zip(*per_sample))


def _check_roots(outputs: tuple) -> None:
    for i, out in enumerate(outputs):  # (a view that requires grad through its base alone has no edge either)
        if _gradient_edge(out)[0] is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors: _Any, grad_tensors: _Any = None, retain_graph: _Any = None, create_graph: bool = False,
             inputs: _Any = None) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's .grad (or only into ``inputs``)."""
    Tensor = _TENSOR["Tensor"]
    tensors = (tensors,) if isinstance(tensors, Tensor) else _as_tuple(tensors)
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
        _run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in inputs:  # torch retains the grad of a non-leaf input, from now on (its retain hook accumulates)
        if not t.is_leaf:
            t.retain_grad()
    edges = [_gradient_edge(t) for t in inputs]
    _run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph, capture=edges, accumulate=True)


def grad(outputs: _Any, inputs: _Any, grad_outputs: _Any = None, retain_graph: _Any = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: _Any = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple, leaving every .grad untouched."""
    Tensor = _TENSOR["Tensor"]
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        batched: tuple = _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                                       materialize_grads)
        return batched
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError(f"Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         f"allow_unused={allow_unused}.")
    _check_roots(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _root_grads(outputs, grad_outputs, create_graph)
    edges = [_gradient_edge(t) for t in inputs]
    captured = _run_backward(outputs, grads, retain_graph=retain_graph, create_graph=create_graph,
                            capture=edges, accumulate=False)
    # the root gradients, by array: torch returns a gradient that passed through unchanged (add, clone, an
    # input that is an output) as the very tensor it was given, and one its formulas only viewed (reshape,
    # sum's expand) as a view of it, sharing its memory and version counter
    roots: dict = {}
    if not create_graph:
        for g, data in zip(grad_outputs, grads):
            roots[id(data)] = (data, g if g is not None and g._data is data else None)
    result = []
    made: dict = {}  # one gradient tensor per edge: an input given twice gets the same tensor twice, as in torch
    arrays: dict = {}  # ... and per array: two inputs whose gradient is one array get one tensor
    for i, (t, edge, g) in enumerate(zip(inputs, edges, captured)):
        if g is not None and edge in made:
            result.append(made[edge])
            continue
        if g is None:
            if materialize_grads:
                g = _np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   f"graph. Set allow_unused=True if this is the desired behavior.")
            else:
                result.append(None)
                continue
        if not isinstance(g, Tensor):
            g = _np.asarray(g)
            owner = next((x for x in inputs if x._data is g), None)
            if owner is not None:   # a formula that gives back its saved input (cummax of nothing): that tensor
                arrays[id(g)] = (g, owner)
            if id(g) not in arrays:
                arrays[id(g)] = (g, _result_tensor(g, t._data.dtype, roots))  # (the array kept alive: its id)
            g = arrays[id(g)][1]
        made[edge] = g
        result.append(g)
    return tuple(result)


def _result_tensor(g: _np.ndarray, dtype: _Any, roots: dict) -> _Any:
    """The tensor autograd.grad returns for gradient array ``g`` of an input of ``dtype``."""
    found = _of_root(g, roots) if g.dtype == dtype else None
    if found is not None:
        return found
    # an expanded gradient (sum's) is returned expanded, as torch returns it; others are copied
    if g.dtype == dtype and (0 in g.strides or (not g.flags.writeable and g.base is not None)):
        return _expanded_copy(g)
    return _TENSOR["Tensor"]._make(_np.array(g, dtype=dtype), False, None)


def _of_root(g: _np.ndarray, roots: dict) -> _Any:
    """The result tensor for gradient array ``g`` if it is a root gradient or a view of one (None if not):
    that root's tensor itself (the user's grad_output, or the implicit one made once), or a view of it."""
    root: _Any = g
    while id(root) not in roots:
        root = root.base
        if not isinstance(root, _np.ndarray):
            return None
    data, tensor = roots[id(root)]
    Tensor = _TENSOR["Tensor"]
    if tensor is None:
        tensor = Tensor._make(data, False, None)
        roots[id(root)] = (data, tensor)
    if g is data:
        return tensor
    if not g.flags.writeable:  # (NumPy's broadcast views are read-only; torch's expand is a plain view)
        if not data.flags.c_contiguous or not data.flags.writeable:
            return None
        start = (g.__array_interface__["data"][0] - data.__array_interface__["data"][0]) // data.itemsize
        g = _np.lib.stride_tricks.as_strided(data.reshape(-1)[start:], g.shape, g.strides, writeable=True)
    from ..ops._views import NO_GRAD, inference_view
    if tensor.is_inference():
        return inference_view(g, tensor)   # (no view relation for an inference tensor)
    base = tensor._base if tensor._base is not None else tensor
    view = Tensor._make(g, False, None, 0, tensor._vc)
    view._base = base
    view._view_meta = (tensor._vc[0], NO_GRAD)   # made while the backward ran without grad mode, as torch's views
    return view


from . import functional  # noqa: E402  (these read backward and grad above)
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402,F811

__getattr__ = _module_getattr(__name__, 'autograd')  # a torch name mygrad lacks: an AttributeError that says so
