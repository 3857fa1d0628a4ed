"""torch.autograd.graph: the graph's nodes as objects, and hooks on saved tensors and gradients.

Saved-tensor hooks (``saved_tensors_hooks``, ``save_on_cpu``) apply to every tensor saved for
backward: those a custom ``autograd.Function`` saves with ``ctx.save_for_backward``, and those the
built-in ops' nodes save (their generated recording code calls ``pack_saved``), each packed once when
saved and unpacked each time a backward reads it.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from .node import Node

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "increment_version", "saved_tensors_hooks",
           "save_on_cpu", "disable_saved_tensors_hooks", "register_multi_grad_hook",
           "allow_mutation_on_saved_tensors"]

NOT_PACKED = object()  # a saved value no pack hook saw


class _HookState(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[Callable, Callable]] = []  # (pack_hook, unpack_hook), innermost last
        self.disabled: str | None = None  # the error message while disable_saved_tensors_hooks is active


_state = _HookState()


class GradientEdge(NamedTuple):
    """Where a tensor's gradient enters the graph: a node and which of its outputs."""
    node: Node
    output_nr: int


def get_gradient_edge(tensor: Any) -> GradientEdge:
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    from .engine import gradient_edge
    return GradientEdge(*gradient_edge(tensor))


def increment_version(tensor: Any) -> None:
    """Tell autograd the tensor was changed in place behind its back."""
    tensors = (tensor,) if not isinstance(tensor, (tuple, list)) else tensor
    for t in tensors:
        t._vc[0] += 1


# ----- saved-tensor hooks ------------------------------------------------------------------------

def pack(tensor: Any) -> Any:
    """What the innermost pack hook makes of a tensor being saved (``(unpack, packed)``)."""
    if not _state.stack:
        return NOT_PACKED
    pack_hook, unpack_hook = _state.stack[-1]
    return unpack_hook, pack_hook(tensor)


def unpack(packed: Any) -> Any:
    from .._tensor import Tensor
    unpack_hook, value = packed
    out = unpack_hook(value)
    if not isinstance(out, Tensor):
        raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                        f"{type(out).__name__}")
    return out


class PackedSaved:
    """A tensor a built-in op's node saved, as its pack hook made it.  It stands where the tensor (or,
    for the op's output, the ``OutputRef``) stood: ``_vc`` for the version check, ``_data`` unpacks it
    (the generated backward reads it once per run), ``as_tensor`` gives it its place in the graph for
    ``create_graph``."""

    __slots__ = ("_vc", "_unpack", "_packed", "output_nr", "_is_output", "_grad_fn", "_acc", "_requires_grad",
                 "_meta")

    def __init__(self, tensor: Any, is_output: bool, output_nr: int, unpack_hook: Any, packed: Any) -> None:
        # the hooks own the saved value now: torch checks no version of a hooked tensor, so the counter is
        # a snapshot an in-place write to the original no longer moves
        self._vc = [tensor._vc[0]]
        self._unpack, self._packed = unpack_hook, packed
        self.output_nr, self._is_output = output_nr, is_output
        self._requires_grad = tensor._requires_grad
        self._grad_fn = None if is_output else tensor.grad_fn
        self._acc = tensor._accumulate_node() if not is_output and tensor.grad_fn is None \
            and tensor._requires_grad else None
        self._meta = (tensor._data.shape, tensor._data.dtype)

    def tensor(self) -> Any:
        return unpack((self._unpack, self._packed))

    @property
    def _data(self) -> Any:
        return self.tensor()._data

    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    def as_tensor(self, node: Any) -> Any:
        from .._tensor import Tensor
        data = self.tensor()._data
        if self._is_output:
            return Tensor._make(data, True, node, self.output_nr, self._vc)
        t = Tensor._make(data, self._requires_grad, self._grad_fn, self.output_nr, self._vc)
        if self._acc is not None:  # the original leaf's AccumulateGrad: gradients still reach that leaf
            import weakref
            t._acc = weakref.ref(self._acc)
        return t


def pack_saved(node: Any, out: Any) -> None:
    """Replace the tensors ``node`` saved (inputs, and its output ``out``) by what the innermost pack hook
    makes of them."""
    from .._tensor import Tensor
    from .node import OutputRef
    saved, versions = node._saved, node._versions
    if not saved:
        return
    pack_hook, unpack_hook = _state.stack[-1]
    packed = list(saved)
    for i, (value, version) in enumerate(zip(saved, versions)):  # (in the order the formulas read them: torch's)
        if version is None or version is True or value is None:
            continue
        if type(value) is OutputRef:
            packed[i] = PackedSaved(out, True, value.output_nr, unpack_hook, pack_hook(out))
        elif isinstance(value, Tensor):  # (nn.Parameter too)
            packed[i] = PackedSaved(value, False, value._output_nr, unpack_hook, pack_hook(value))
    node._saved = tuple(packed)


class saved_tensors_hooks:
    """Within the block, every tensor saved for backward goes through ``pack_hook``, and comes back
    through ``unpack_hook`` when backward reads it."""

    def __init__(self, pack_hook: Callable, unpack_hook: Callable) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> Any:
        if _state.disabled is not None:
            raise RuntimeError(_state.disabled)
        _state.stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc: Any) -> Any:
        _state.stack.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept on the CPU: as torch's, ``tensor.cpu()`` (the tensor itself, so an in-place
    edit after saving is seen by the backward, and no version check refuses it), a copy with
    ``pin_memory`` (no device to pin for: torch copies into an unpinned tensor)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor: Any) -> Any:
            return tensor.device, (tensor.detach().clone() if pin_memory else tensor.cpu())

        def unpack_from_cpu(packed: Any) -> Any:
            device, tensor = packed
            return tensor

        super().__init__(pack_to_cpu, unpack_from_cpu)


class _AllowMutationOnSavedContext:
    """What ``allow_mutation_on_saved_tensors`` yields; ``closed`` once its block is left."""

    def __init__(self) -> None:
        self.closed = False


_mutation_context: list = []   # the active allow_mutation_on_saved_tensors context (process-wide, as torch's)


@contextlib.contextmanager
def allow_mutation_on_saved_tensors() -> Any:
    """Within the block, a tensor saved for backward may be modified in place: backward still sees the value
    it had when it was saved.  torch clones a saved tensor when it is first mutated; mygrad clones it when it
    is saved (the same values reach backward).  A graph recorded in the block cannot be backwarded after it:
    torch's AssertionError."""
    if _mutation_context:
        raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
    ctx = _AllowMutationOnSavedContext()

    def pack_hook(tensor: Any) -> Any:
        return tensor.detach().clone()

    def unpack_hook(saved: Any) -> Any:
        if ctx.closed:
            raise AssertionError("Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
                                 "in which the graph was originally recorded.")
        return saved

    _mutation_context.append(ctx)
    try:
        with saved_tensors_hooks(pack_hook, unpack_hook):
            yield ctx
    finally:
        ctx.closed = True
        _mutation_context.clear()


class disable_saved_tensors_hooks:
    """Within the block, installing saved-tensor hooks raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> Any:
        self._prev = _state.disabled
        _state.disabled = self.error_message
        return self

    def __exit__(self, *exc: Any) -> Any:
        _state.disabled = self._prev
        return False


# ----- multi-grad hooks --------------------------------------------------------------------------

class _MultiHandle:
    def __init__(self, handles: Any) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()


def register_multi_grad_hook(tensors: Any, fn: Callable, *, mode: str = "all") -> Any:
    """``mode="all"``: ``fn(grads)`` once per backward that reaches any of ``tensors``, with the gradient of
    each (None where none came), after the backward's gradients for them are in.  ``mode="any"``:
    ``fn(grad)`` with the first gradient computed for any of them."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    from .engine import current_task, queue_callback
    tensors = tuple(tensors)
    handles = []
    if mode == "any":
        fired: dict[str, Any] = {}

        def any_hook(grad: Any) -> Any:
            task = current_task()
            if fired.get("task") is task:
                return None
            fired["task"] = task
            fn(grad)
            return None

        for t in tensors:
            if t.requires_grad:
                handles.append(t.register_hook(any_hook))
        return _MultiHandle(handles)

    states: dict[int, list] = {}  # per running backward: [gradients so far, indices still expected, fired]

    def fire(state: Any) -> Any:
        if not state[2]:
            state[2] = True
            fn(tuple(state[0]))

    def make_hook(i: Any) -> Any:
        def hook(grad: Any) -> Any:
            task = current_task()
            state = states.get(id(task))
            if state is None:
                state = states[id(task)] = [[None] * len(tensors), _still_coming(tensors, i), False]

                def finish() -> Any:  # a gradient that was expected but never came (None all the way)
                    fire(states.pop(id(task)))
                queue_callback(finish)
            state[0][i] = grad
            state[1].discard(i)
            if not state[1]:
                fire(state)
            return None
        return hook

    for i, t in enumerate(tensors):
        if t.requires_grad:
            handles.append(t.register_hook(make_hook(i)))
    return _MultiHandle(handles)


def _still_coming(tensors: Any, current: int) -> set:
    """Indices of ``tensors`` whose gradient the running backward will still compute: their gradient
    edge's node has yet to run (torch asks its engine the same, ``_will_engine_execute_node``)."""
    from .engine import _task, gradient_edge
    pending: Any = _task.pending or {}
    coming = {current}
    for j, t in enumerate(tensors):
        if j != current and t.requires_grad and gradient_edge(t)[0] in pending:
            coming.add(j)
    return coming


class PostAccumulateGradHook:
    """A ``register_post_accumulate_grad_hook`` hook, kept in the leaf's hook list (so the engine takes
    the leaf's slow path) but called with the tensor after its ``.grad`` was updated."""

    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __eq__(self, other: Any) -> Any:
        return isinstance(other, PostAccumulateGradHook) and other.fn is self.fn or other is self

    __hash__ = object.__hash__


def register_post_accumulate_grad_hook(tensor: Any, hook: Callable) -> Any:
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    from .node import _Handle
    if tensor._hooks is None:
        tensor._hooks = []
    return _Handle(tensor._hooks, PostAccumulateGradHook(hook))
