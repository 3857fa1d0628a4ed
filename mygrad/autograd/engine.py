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

import contextvars
import heapq
import itertools
import threading
from typing import Any

import numpy as np

from .. import _quiet
from .._tensor_str import type_name
from . import anomaly_mode, grad_mode
from .backends import TENSOR
from .graph import PostAccumulateGradHook
from .node import AccumulateGrad


class _Task(threading.local):
    current: object | None = None    # the running backward's task (an object per run_backward), for hooks
    callbacks: list | None = None  # what queue_callback queued during it
    run_leaves = False  # whether it accumulates into every leaf (backward() without inputs=)
    pending: dict | None = None  # its nodes still to run (register_multi_grad_hook: which gradients are still coming)


_task = _Task()


def current_task() -> Any:
    return _task.current


def queue_callback(fn: Any) -> None:
    """Run ``fn()`` when the current backward has finished (torch's engine.queue_callback)."""
    if _task.callbacks is None:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _task.callbacks.append(fn)


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
    order = itertools.count()  # ties (leaves' AccumulateGrad nodes) go first in, first out, as in torch
    for tensor, grad in zip(roots, root_grads):
        node, nr = gradient_edge(tensor)
        entry = pending.get(node)
        if entry is None:
            entry = pending[node] = [0, [None] * node.n_outputs]
            heap.append((-node._sequence_nr, next(order), node))
        buf = entry[1]
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad
    _count_dependencies(pending)
    captured: dict | None = {} if capture is not None else None
    wanted = {} if capture is None else {edge: i for i, edge in enumerate(capture)}
    # only the gradients into ``capture`` are wanted: run only the nodes on a path to them (torch's
    # exec_info); a captured node itself runs only if another lies below it (autograd.grad)
    targets: set = set() if capture is None else {node for node, _ in capture}
    needed = None if capture is None else _needed([item[2] for item in heap], targets, accumulate)
    active = None if needed is None else needed | targets
    # torch evaluates a single root's node even when nothing wanted lies below it: its tensor hooks and
    # retain_grad see the gradient, and nothing else runs
    lone_root = heap[0][2] if active is not None and len(heap) == 1 and len(roots) == 1 \
        and heap[0][2] not in active else None
    heap = [item for item in heap if pending[item[2]][0] == 0  # (a root below another root waits for it)
            and (active is None or item[2] in active)]
    heapq.heapify(heap)
    run_leaves = accumulate and capture is None
    prev_mode = grad_mode._state.enabled
    grad_mode._state.enabled = create_graph
    silenced = _silence_fp_errors()  # torch computes inf/nan gradients silently
    outer_task, outer_callbacks = _task.current, _task.callbacks
    _task.current, _task.callbacks = object(), []
    outer_leaves, _task.run_leaves = _task.run_leaves, accumulate and capture is None
    outer_pending, _task.pending = _task.pending, pending
    checking = anomaly_mode._state.enabled and anomaly_mode._state.check_nan

    heappop, heappush, heappushpop = heapq.heappop, heapq.heappush, heapq.heappushpop
    release = not retain_graph
    try:
        if lone_root is not None:
            _visit(lone_root, pending[lone_root][1], create_graph, release, captured, wanted, run_leaves, accumulate,
                   active, False)
        node = heappop(heap)[2] if heap else None
        while node is not None:
            grads = pending.pop(node)[1]
            if grads is not None and node._hooks is None and captured is None and node.__class__ is not AccumulateGrad:
                results = node.apply(grads, create_graph, release)  # the common case (and it frees what it saved)
            else:
                results = _visit(node, grads, create_graph, release, captured, wanted, run_leaves, accumulate, active,
                                 needed is None or node in needed)
            if checking:
                anomaly_mode.check_results(node, results)
            ready = None  # the last child this node made ready (the others wait in the heap)
            for child, nr, g in zip(node._next_nodes, node._next_nrs, results):
                if child is None or (active is not None and child not in active):
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
                            first = buf[0]   # (only a 0-d gradient may be stolen: see _held_later)
                            child.variable._accumulate(first, create_graph, len(results) > 1 and not first.ndim
                                                       and _held_later(first, node, child, results))
                        continue
                    if ready is not None:
                        heappush(heap, (-ready._sequence_nr, next(order), ready))
                    ready = child
            # next: the ready node first in torch's order; along a chain it never enters the heap
            if ready is not None:
                node = heappushpop(heap, (-ready._sequence_nr, next(order), ready))[2] if heap else ready
            else:
                node = heappop(heap)[2] if heap else None
        callbacks = _task.callbacks
        while callbacks:
            callbacks.pop(0)()
    finally:
        grad_mode._state.enabled = prev_mode
        _restore_fp_errors(silenced)
        _task.current, _task.callbacks, _task.run_leaves = outer_task, outer_callbacks, outer_leaves
        _task.pending = outer_pending
    if captured is not None:
        return [captured.get(edge) for edge in capture]
    return None


def _held_later(grad: Any, node: Any, leaf: Any, results: Any) -> bool:
    """Whether ``node`` hands this very ``grad`` to an edge after ``leaf``'s too (add's backward gives both
    operands one gradient): torch's AccumulateGrad then copies it, as its use count says another holds it,
    and only the last leaf to receive it may steal it."""
    after = False
    for child, g in zip(node._next_nodes, results):
        if after and g is grad:
            return True
        after = after or child is leaf
    return False


def _visit(node: Any, grads: Any, create_graph: bool, release: bool, captured: Any, wanted: Any, run_leaves: bool,
           accumulate: bool,
           active: Any = None, execute: bool = True) -> Any:
    """The run of a node that is not the common case: hooks, captured gradients, a leaf's AccumulateGrad,
    or a node no gradient reached.  Returns the gradients for its edges.  ``active``: when only some
    gradients are wanted, the nodes that run (an edge to another gets None, as torch computes no output
    for it: post hooks see that).  ``execute`` False: a captured node nothing below is wanted from: its
    tensor hooks and retain_grad see the gradient, nothing else runs."""
    if grads is not None and node._hooks is not None:
        grads = _run_pre_hooks(node, grads, node_hooks=execute)
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
            for hook in list(node.variable._hooks or ()):
                if type(hook) is PostAccumulateGradHook:
                    as_user(hook.fn, node.variable)
        return ()
    if not execute:
        return ()
    if grads is None:
        if release:
            node.release()
        return [None] * len(node._next_nodes)
    results = node.apply(grads, create_graph, release)
    if active is not None:
        results = [g if child is not None and child in active else None for child, g in zip(node._next_nodes, results)]
    if node._hooks is not None and node._hooks.post:
        results = _run_post_hooks(node, results, grads)
    return results


def _needed(roots: list, targets: set, run_targets: bool) -> set:
    """The nodes below ``roots`` from which one of ``targets`` can be reached (and the targets themselves
    when they run: backward(inputs=...)), found in one post-order walk without recursion."""
    needed = set(targets) if run_targets else set()
    seen = set()
    stack = [(node, False) for node in roots]
    while stack:
        node, done = stack.pop()
        if done:
            if any(c is not None and (c in needed or c in targets) for c in node._next_nodes):
                needed.add(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in node._next_nodes if c is not None and c not in seen)
    return needed


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


# The program's own floating-point error state while a backward runs with NumPy's warnings off: hooks
# and other user code called from the backward run under it (``as_user``), as they would under torch.
_USER_FP_STATE: contextvars.ContextVar = contextvars.ContextVar("mygrad_user_fp_state")


def _silence_fp_errors() -> Any:
    """Turn NumPy's floating-point warnings off; returns what ``_restore_fp_errors`` needs."""
    user = _quiet.current()
    return user, _USER_FP_STATE.set(user), _quiet.enter(_quiet.IGNORE)


def _restore_fp_errors(previous: Any) -> None:
    """Back to the program's state, including any change its hooks made to it (np.seterr in a hook)."""
    before, user_token, token = previous
    user = _USER_FP_STATE.get()
    _quiet.leave(token)
    _USER_FP_STATE.reset(user_token)
    if user is not before:
        _quiet.enter(user)


def as_user(fn: Any, *args: Any) -> Any:
    """``fn(*args)`` (a hook, a custom Function's backward) under the program's floating-point error
    state rather than the backward's own; a change it makes to that state is the program's to keep."""
    user = _USER_FP_STATE.get(None)
    if user is None:
        return fn(*args)
    token = _quiet.enter(user)
    try:
        return fn(*args)
    finally:
        now = _quiet.current()
        _quiet.leave(token)
        if now is not user:
            _USER_FP_STATE.set(now)


def _run_pre_hooks(node: Any, grads: Any, node_hooks: bool = True) -> Any:
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
    for fn in hooks.pre if node_hooks else ():
        new = as_user(fn, tuple(_as_tensor(g) for g in grads))
        if new is not None:
            grads = [None if g is None else _as_array(g) for g in new]
    return grads


def _run_leaf_hooks(leaf: Any, grad: Any) -> Any:
    """A leaf's hooks see its gradient before it is accumulated (and under autograd.grad too)."""
    for hook in list(leaf._hooks):
        if type(hook) is not PostAccumulateGradHook:
            grad = _call_tensor_hook(hook, grad)
    return grad


def _run_post_hooks(node: Any, results: Any, grads: Any) -> Any:
    for fn in node._hooks.post:
        new = as_user(fn, tuple(_as_tensor(g) for g in results), tuple(_as_tensor(g) for g in grads))
        if new is not None:
            results = [None if g is None else _as_array(g) for g in new]
    return results


def _call_tensor_hook(fn: Any, grad: Any) -> Any:
    """Run a tensor hook on a gradient (array or tensor) and check what it returns, as torch does."""
    Tensor = TENSOR["Tensor"]
    given = _as_tensor(grad)
    new = as_user(fn, given)
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
    Tensor = TENSOR["Tensor"]
    if isinstance(g, Tensor) and not grad_mode._state.enabled:
        return g._data
    return g
