"""The backward pass: order the graph by dependency counts, then run each node once.

Like micrograd's engine (a topological order and a loop), but iterative, so that a chain
of a million nodes needs no recursion, and run in torch's order: among the nodes whose
gradients are complete, the most recently created first, leaves' AccumulateGrad as soon
as they are ready.  That order decides when hooks fire.

The engine does not import the tensor module.  What it uses of a tensor (the protocol ``Tensor``
implements) is: ``_data`` (the ndarray) and ``_vc`` (the version counter, a one-element list);
``grad_fn``, ``_output_nr``, ``_requires_grad``, ``requires_grad``, ``is_leaf``, ``shape``, ``dtype``;
``_accumulate_node()`` (a leaf's AccumulateGrad), ``_accumulate(grad, create_graph)`` (add into
``.grad``), ``_retain(grad)`` (retain_grad) and ``_hooks`` (a leaf's hooks); and the class itself,
``backends.TENSOR["Tensor"]``, bound once mygrad has loaded, for ``_make(data, requires_grad,
grad_fn, output_nr=0, vc=None)`` and ``isinstance``.
"""
from __future__ import annotations

import functools
import gc
import heapq
from typing import Any

import numpy as np

from .._tensor_str import type_name
from . import grad_mode
from .backends import TENSOR
from .node import AccumulateGrad


def collector_paused(fn: Any) -> Any:
    """Run ``fn`` (a backward) with Python's cyclic garbage collector paused.

    A backward makes no reference cycles, but it allocates, and the first allocation after a long
    forward is usually the one that sets off a full collection, which walks the whole live graph
    (a 10,000-op chain: 12 ms, more than the backward itself).  Paused, that collection comes after
    the backward, when the saved tensors it freed are gone.  torch's engine, in C++, never meets
    the collector at all.  A collector the program had switched off stays off."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()
    return run


def gradient_edge(tensor: Any) -> Any:
    """The (node, output_nr) through which a gradient reaches ``tensor``."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn, tensor._output_nr
    if tensor._requires_grad:
        return tensor._accumulate_node(), 0
    return None, 0


def run_backward(roots: Any, root_grads: Any, *, retain_graph: bool, create_graph: bool,
                 capture: Any = None, accumulate: bool = True) -> Any:
    """Propagate ``root_grads`` from ``roots`` through the graph.

    ``capture``: edges whose incoming gradient is wanted (autograd.grad, backward(inputs=));
    returns those gradients in order.  ``accumulate``: run leaves' AccumulateGrad nodes
    (only those captured, when ``capture`` is given).
    """
    # per node still to run: [edges whose gradient has not arrived yet, its gradients (a list per output) or None]
    pending: dict = {}
    heap: list = []
    for tensor, grad in zip(roots, root_grads):
        node, nr = gradient_edge(tensor)
        entry = pending.get(node)
        if entry is None:
            entry = pending[node] = [0, [None] * node.n_outputs]
            heap.append((-node._sequence_nr, id(node), node))
        buf = entry[1]
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad
    _count_dependencies(pending)
    heap = [item for item in heap if pending[item[2]][0] == 0]  # (a root below another root waits for it)
    heapq.heapify(heap)

    captured: dict | None = {} if capture is not None else None
    wanted = {} if capture is None else {edge: i for i, edge in enumerate(capture)}
    run_leaves = accumulate and capture is None
    prev_mode = grad_mode._state.enabled
    grad_mode._state.enabled = create_graph
    silenced = _silence_fp_errors()  # torch computes inf/nan gradients silently

    heappop, heappush, heappushpop = heapq.heappop, heapq.heappush, heapq.heappushpop
    release = not retain_graph
    try:
        node = heappop(heap)[2] if heap else None
        while node is not None:
            grads = pending.pop(node)[1]
            if grads is not None and node._hooks is None and captured is None and node.__class__ is not AccumulateGrad:
                results = node.apply(grads, create_graph, release)  # the common case (and it frees what it saved)
            else:
                results = _visit(node, grads, create_graph, release, captured, wanted, run_leaves, accumulate)
            ready = None  # the last child this node made ready (the others wait in the heap)
            for child, nr, g in zip(node._next_nodes, node._next_nrs, results):
                if child is None:
                    continue
                entry = pending[child]
                if g is not None:
                    buf = entry[1]
                    if buf is None:
                        if child.n_outputs == 1:
                            entry[1] = [g]
                        else:
                            buf = entry[1] = [None] * child.n_outputs
                            buf[nr] = g
                    else:
                        buf[nr] = g if buf[nr] is None else buf[nr] + g
                remaining = entry[0] - 1
                entry[0] = remaining
                if remaining == 0:
                    if child.__class__ is AccumulateGrad and run_leaves and child._hooks is None \
                            and not child.variable._hooks:
                        # a leaf's accumulation runs as soon as it is ready (torch's order): here and now
                        del pending[child]
                        buf = entry[1]
                        if buf is not None and buf[0] is not None:
                            child.variable._accumulate(buf[0], create_graph)
                        continue
                    if ready is not None:
                        heappush(heap, (-ready._sequence_nr, id(ready), ready))
                    ready = child
            # next: the ready node first in torch's order; along a chain it never enters the heap
            if ready is not None:
                node = heappushpop(heap, (-ready._sequence_nr, id(ready), ready))[2] if heap else ready
            else:
                node = heappop(heap)[2] if heap else None
    finally:
        grad_mode._state.enabled = prev_mode
        _restore_fp_errors(silenced)
    if captured is not None:
        return [captured.get(edge) for edge in capture]
    return None


def _visit(node: Any, grads: Any, create_graph: bool, release: bool,
           captured: Any, wanted: Any, run_leaves: bool, accumulate: bool) -> Any:
    """The run of a node that is not the common case: hooks, captured gradients, a leaf's AccumulateGrad,
    or a node no gradient reached.  Returns the gradients for its edges."""
    if grads is not None and node._hooks is not None:
        grads = _run_pre_hooks(node, grads)
    is_leaf = node.__class__ is AccumulateGrad
    if is_leaf and grads is not None and node.variable._hooks:
        grads = [_run_leaf_hooks(node.variable, grads[0])]
    if captured is not None and grads is not None:
        for nr, g in enumerate(grads):
            if (node, nr) in wanted:
                captured[(node, nr)] = g
    if is_leaf:
        if grads is not None and grads[0] is not None and (run_leaves or (accumulate and (node, 0) in wanted)):
            node.variable._accumulate(grads[0], create_graph)
        return ()
    if grads is None:
        if release:
            node.release()
        return [None] * len(node._next_nodes)
    results = node.apply(grads, create_graph, release)
    if node._hooks is not None and node._hooks.post:
        results = _run_post_hooks(node, results, grads)
    return results


def _count_dependencies(pending: dict) -> None:
    """Give every node reachable from the roots in ``pending`` its entry there, counting the edges that
    lead into it (an explicit stack, no recursion).  A root reached from another root counts too."""
    stack = list(pending)
    while stack:
        for child in stack.pop()._next_nodes:
            if child is None:
                continue
            entry = pending.get(child)
            if entry is None:  # first reached: count it, and walk below it once
                pending[child] = [1, None]
                stack.append(child)
            else:
                entry[0] += 1


try:  # NumPy 2.x keeps its floating-point error state in a context variable: setting it is cheap
    from numpy._core._ufunc_config import (  # type: ignore[attr-defined]
        _extobj_contextvar as _FP_STATE,
        _make_extobj,
    )
    _FP_IGNORE = _make_extobj(all="ignore")
except ImportError:
    _FP_STATE = None


def _silence_fp_errors() -> Any:
    """Turn NumPy's floating-point warnings off; returns what ``_restore_fp_errors`` needs."""
    return np.seterr(all="ignore") if _FP_STATE is None else _FP_STATE.set(_FP_IGNORE)


def _restore_fp_errors(previous: Any) -> None:
    if _FP_STATE is None:
        np.seterr(**previous)
    else:
        _FP_STATE.reset(previous)


def _run_pre_hooks(node: Any, grads: Any) -> Any:
    hooks = node._hooks
    for nr, fns in hooks.tensor.items():
        for fn in list(fns):
            if grads[nr] is None:
                break
            grads[nr] = _call_tensor_hook(fn, grads[nr])
    for nr, ref in hooks.retain.items():
        tensor = ref()
        if tensor is not None and grads[nr] is not None:
            tensor._retain(grads[nr])
    for fn in hooks.pre:
        new = fn(tuple(_as_tensor(g) for g in grads))
        if new is not None:
            grads = [None if g is None else _as_array(g) for g in new]
    return grads


def _run_leaf_hooks(leaf: Any, grad: Any) -> Any:
    """A leaf's hooks see its gradient before it is accumulated (and under autograd.grad too)."""
    for hook in list(leaf._hooks):
        grad = _call_tensor_hook(hook, grad)
    return grad


def _run_post_hooks(node: Any, results: Any, grads: Any) -> Any:
    for fn in node._hooks.post:
        new = fn(tuple(_as_tensor(g) for g in results), tuple(_as_tensor(g) for g in grads))
        if new is not None:
            results = [None if g is None else _as_array(g) for g in new]
    return results


def _call_tensor_hook(fn: Any, grad: Any) -> Any:
    """Run a tensor hook on a gradient (array or tensor) and check what it returns, as torch does."""
    Tensor = TENSOR["Tensor"]
    given = _as_tensor(grad)
    new = fn(given)
    if new is None:  # an in-place edit of the tensor it was given has already reached ``grad``
        return grad
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(fn, "__name__", repr(fn))
    if new.shape != given.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new.dtype is not given.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {type_name(given._data.dtype)} "
                           f"got {type_name(new._data.dtype)})")
    return new if isinstance(grad, Tensor) else new._data


def _as_tensor(g: Any) -> Any:
    Tensor = TENSOR["Tensor"]
    if g is None or isinstance(g, Tensor):
        return g
    return Tensor._make(np.asarray(g), False, None, 0, None)


def _as_array(g: Any) -> Any:
    if isinstance(g, TENSOR["Tensor"]) and not grad_mode._state.enabled:
        return g._data
    return g
