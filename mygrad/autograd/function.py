"""torch.autograd.Function: an operation whose forward and backward the user writes.

Each subclass ``Exp`` gets a node class ``ExpBackward`` (torch's name); the ``ctx`` its forward
receives is that node, so ``y.grad_fn`` is the very object that saw ``save_for_backward``.  The
node plugs into the engine like any generated node: ``apply(grads, create_graph, release)``
returns one gradient per edge (arrays on the fast path, tensors under ``create_graph``, so a
backward written with differentiable ops can be differentiated again).
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any

import numpy as np

from . import grad_mode
from .backends import ARRAY, TENSOR
from .node import FREED_MESSAGE, Node, OutputRef, _version_message

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable", "InplaceFunction",
           "NestedIOFunction"]

_FREED = object()


class _Transforms(threading.local):
    depth = 0  # how many torch.func transforms (mygrad.func) the current call runs inside


transforms = _Transforms()


def _tensor_cls() -> Any:
    from .._tensor import Tensor
    return Tensor


def _next_sequence_nr() -> int:
    from ..ops import _define  # (the counter every op's node draws from: the engine's order)
    return next(_define._sequence)


class _SavedOutput(OutputRef):
    """A saved output of the Function: its data and version counter without a reference to the
    node (the node holds it; the tensor would hold the node: a cycle).  Unpacked, it is re-attached."""

    __slots__ = ("requires_grad",)

    def __init__(self, tensor: Any) -> None:
        super().__init__(tensor)
        self.requires_grad = tensor._requires_grad


class FunctionCtx:
    """What ``forward``/``setup_context`` use to hand information to ``backward``."""

    def save_for_backward(self, *tensors: Any) -> None:
        self.to_save = tensors   # (checked when the graph is recorded, as torch: ``_check_saved``)

    def save_for_forward(self, *tensors: Any) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Any) -> None:
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Any) -> None:
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)

    def mark_shared_storage(self, *pairs: Any) -> None:
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are automatically "
                           "tracked. Note that calls to `set_()` are not tracked")


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of one call of a custom Function; subclassed once per Function as ``<Name>Backward``."""

    _forward_cls: type

    def __init__(self) -> None:
        self._next_nodes = self._next_nrs = ()
        self._sequence_nr = _next_sequence_nr()
        self._hooks = None
        self.to_save = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._saved: Any = None     # after forward: per saved value (tensor | _SavedOutput | None, version)
        self._arg_is_tensor: tuple[bool, ...] = ()  # per forward argument
        self._input_meta: tuple[Any, ...] = ()      # per edge: (shape, dtype)
        self._output_meta: tuple[Any, ...] = ()     # per output: (shape, dtype) of a tensor output, or None
        self._non_diff_outputs: tuple[bool, ...] = ()
        self.n_outputs = 1

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    # ----- saved tensors ---------------------------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:  # read inside forward (or no graph was recorded): what was handed over
            return tuple(self.to_save)
        if self._saved is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        from . import graph
        Tensor = _tensor_cls()
        out: list[Any] = []
        for value, version, packed in self._saved:
            if value is None:
                out.append(None)
                continue
            if packed is not graph.NOT_PACKED:   # the hooks own the value: torch checks no version then
                out.append(graph.unpack(packed))
                continue
            if value._vc[0] != version:
                raise RuntimeError(_version_message(value, version, self))
            if isinstance(value, _SavedOutput):
                t = Tensor._make(value._data, value.requires_grad, self if value.requires_grad else None,
                                 value.output_nr, value._vc)
                out.append(t)
            else:
                out.append(value)
        return tuple(out)

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def release(self) -> None:
        if self._saved is not None:
            self._saved = _FREED

    # ----- backward ----------------------------------------------------------------------------------
    def apply(self, grads: list, create_graph: bool, release: bool = False) -> list:
        Tensor = _tensor_cls()
        cls = self._forward_cls
        given: list[Any] = []
        for g, meta, non_diff in zip(grads, self._output_meta, self._non_diff_outputs):
            if meta is None:  # a non-tensor output
                given.append(None)
                continue
            if g is None or non_diff:
                if not self.materialize_grads:
                    given.append(None)
                    continue
                g = np.zeros(*meta)
            given.append(g if isinstance(g, Tensor) else Tensor._make(np.asarray(g), False, None))
        from .engine import as_user  # (the program's floating-point error state, as hooks run under)
        result = as_user(cls.backward, self, *given)  # type: ignore[attr-defined]
        if release:
            self.release()
        return self._check_gradients(result, create_graph)

    def _check_gradients(self, result: Any, create_graph: bool) -> list:
        """torch's validate_outputs: count, position, shape (a broadcastable gradient is summed), dtype."""
        Tensor = _tensor_cls()
        name = type(self).__name__
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._arg_is_tensor)
        if len(result) > n and all(g is None for g in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {n}, "
                               f"got {len(result)})")
        out = []
        for i, (g, is_tensor) in enumerate(zip(result, self._arg_is_tensor)):
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {name} returned a gradient different than None at position "
                                       f"{i + 1}, but the corresponding forward input was not a Variable")
                continue
            out.append(g)
        grads: list[Any] = []
        for index, (g, node, meta) in enumerate(zip(out, self._next_nodes, self._input_meta)):
            if g is None or node is None:
                grads.append(None)
                continue
            shape, dtype = meta
            if g._data.shape != shape:
                try:
                    ok = np.broadcast_shapes(shape, g._data.shape) == g._data.shape
                except ValueError:
                    ok = False
                if not ok:
                    raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - got "
                                       f"{list(g._data.shape)} but expected shape compatible with {list(shape)}")
            if create_graph:
                grads.append(TENSOR["_conform"](g, meta))
            else:
                grads.append(ARRAY["_conform"](g._data, meta))
        return grads


class _FunctionMeta(type):
    """Gives every Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name: Any, bases: Any, attrs: Any) -> None:
        backward_cls = type(f"{name}Backward", (BackwardCFunction,), {"_forward_cls": cls,
                                                                      "__module__": BackwardCFunction.__module__})
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class of a user-defined differentiable operation; call it with ``MyFunction.apply(...)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, "
                      f"so you should invoke them on the class itself. Instantiating an autograd function will "
                      f"raise an error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-"
                           "style autograd function with static forward method. (Example: https://pytorch.org/docs/"
                           "stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @classmethod
    def _new_style(cls) -> bool:
        return _overrides(cls, "setup_context")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then hang its tensor outputs under one ``<Name>Backward`` node."""
        if kwargs:
            signature = inspect.signature(cls.forward)
            params = list(signature.parameters.values())
            if not cls._new_style():
                params = params[1:]
            bound = inspect.Signature(params).bind(*args, **kwargs)
            bound.apply_defaults()
            args = bound.args
        if transforms.depth and not cls._new_style():
            raise RuntimeError("In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, "
                               "jacrev, ...), it must override the setup_context staticmethod. For more details, "
                               "please see https://pytorch.org/docs/main/notes/extending.func.html")
        Tensor = _tensor_cls()
        ctx = cls._backward_cls()
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx._arg_is_tensor = is_tensor
        ctx.needs_input_grad = tuple(t and a._requires_grad for a, t in zip(args, is_tensor))
        executable = grad_mode._state.enabled and any(ctx.needs_input_grad)
        from . import forward_ad
        tangents = [forward_ad.tangent_of(a) if t else None for a, t in zip(args, is_tensor)] \
            if forward_ad.levels and not forward_ad._busy.on else []
        dual = any(t is not None for t in tangents)
        with grad_mode.no_grad(), forward_ad.no_propagation(dual):  # (a dual input: the tangents come from jvp)
            if cls._new_style():
                outputs = cls.forward(*args)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args)
        if _overrides(cls, "vjp") and not _overrides(cls, "backward"):
            cls.backward = cls.vjp  # type: ignore[method-assign]
        wrapped = _wrap_outputs(ctx, args, outputs, executable)
        if dual:
            with forward_ad.no_propagation(True):
                forward_ad.set_function_tangents(wrapped, cls.jvp(ctx, *tangents))
        return wrapped


def _overrides(cls: type, name: str) -> bool:
    for klass in cls.__mro__:
        if klass is Function:
            return False
        if name in klass.__dict__:
            return True
    return False


def _wrap_outputs(ctx: Any, args: Any, outputs: Any, executable: bool) -> Any:
    """torch's _wrap_outputs: dirty inputs rebased onto the node, an input returned as is made a view,
    non-differentiable (and integer) outputs left without history, saved tensors recorded last."""
    Tensor = _tensor_cls()
    if any(not isinstance(t, Tensor) for t in ctx.non_differentiable):   # (torch's words, its type name empty)
        raise RuntimeError("mark_non_differentiable only accepts variable arguments, but got ")
    if any(not isinstance(t, Tensor) for t in ctx.dirty_tensors):
        raise RuntimeError("mark_dirty can only accept variables, but argument ")
    is_tuple = isinstance(outputs, tuple)
    outs = list(outputs) if is_tuple else [outputs]
    inputs = {id(a): a for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in ctx.dirty_tensors}
    non_diff = {id(t) for t in ctx.non_differentiable}
    returned = {id(o) for o in outs if isinstance(o, Tensor)}
    if dirty - returned:
        raise RuntimeError("Some elements marked as dirty during the forward method were not returned as output. "
                           "The inputs that are modified inplace must all be outputs of the Function.")
    for t in ctx.dirty_tensors:
        if executable and t.grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        t._vc[0] += 1
    if executable:
        edges = []
        input_meta = []
        for a in args:
            if isinstance(a, Tensor):
                from .engine import gradient_edge
                edges.append(gradient_edge(a) if a._requires_grad else (None, 0))
                input_meta.append((a._data.shape, a._data.dtype))
        ctx._next_nodes = tuple(e[0] for e in edges)
        ctx._next_nrs = tuple(e[1] for e in edges)
        ctx._input_meta = tuple(input_meta)
    output_meta: list[Any] = []
    non_diff_flags: list[bool] = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            output_meta.append(None)
            non_diff_flags.append(True)
            continue
        output_meta.append((o._data.shape, o._data.dtype))
        differentiable = id(o) not in non_diff and o._data.dtype.kind in "fc"
        non_diff_flags.append(not differentiable)
        if not executable:
            continue
        if id(o) in inputs and id(o) not in dirty:  # an input returned as is: a view of it, as in torch
            base = o._base if o._base is not None else o
            o = outs[i] = Tensor._make(o._data, False, None, 0, o._vc)
            o._base = base
        if differentiable and o._base is not None and id(o) not in dirty:
            from ..ops._views import IN_CUSTOM_FUNCTION  # (writing into it in place is refused, as in torch)
            o._view_meta = (o._vc[0], IN_CUSTOM_FUNCTION)
        if differentiable:
            if id(o) in dirty and o._retains_grad and o.grad_fn is not None:
                from .._tensor import _move_retain_grad
                old_fn, old_nr = o.grad_fn, o._output_nr
                o.grad_fn, o._output_nr, o._requires_grad = ctx, i, True
                _move_retain_grad(o, old_fn, old_nr)
            else:
                o.grad_fn, o._output_nr, o._requires_grad = ctx, i, True
            if id(o) in dirty:   # a new history: its hooks so far stay with the old node, as in torch
                o._hooks = None
        else:
            o._requires_grad = False
            if id(o) in dirty:
                o.grad_fn = None
    if executable:
        ctx.n_outputs = len(outs)
        ctx._output_meta = tuple(output_meta)
        ctx._non_diff_outputs = tuple(non_diff_flags)
        _check_saved(ctx.to_save)
        ctx._saved = tuple(_save(ctx, t, outs) for t in ctx.to_save)
        ctx.to_save = ()
    return tuple(outs) if is_tuple else outs[0]


def _check_saved(values: tuple) -> None:
    """torch refuses to save a value that is not a tensor (None aside), only when a graph is recorded."""
    Tensor = _tensor_cls()
    for i, t in enumerate(values):
        if t is not None and not isinstance(t, Tensor):
            from .._argument_types import python_type_name
            raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                            f"{python_type_name(t)}")


def _save(ctx: Any, t: Any, outs: Any) -> Any:
    """One saved value: the tensor (or, for an output, its data without the node), its version, and
    what a saved_tensors_hooks pack hook made of it."""
    from . import graph
    if t is None:
        return None, 0, graph.NOT_PACKED
    if type(t._vc) is grad_mode.InferenceVersion and not grad_mode._state.inference:
        raise RuntimeError(grad_mode.INFERENCE_SAVED)
    packed = graph.pack(t)
    if any(t is o for o in outs) and t.grad_fn is ctx:
        return _SavedOutput(t), t._vc[0], packed
    return t, t._vc[0], packed


# ----- once_differentiable --------------------------------------------------------------------------

class Error(Node):
    """Stands in for the backward of a backward marked @once_differentiable.  As in torch, its edges lead
    only to detached aliases of its inputs, so it runs (and raises) only in a backward that accumulates
    into every leaf; autograd.grad with respect to real inputs never reaches it."""

    def __init__(self, message: str, edges: Any) -> None:
        self._message = message
        self._next_nodes = tuple(e[0] for e in edges)
        self._next_nrs = tuple(e[1] for e in edges)
        self._sequence_nr = _next_sequence_nr()
        self._hooks = None
        self.n_outputs = len(edges)

    def name(self) -> str:
        return "torch::autograd::Error"

    def apply(self, grads: Any, create_graph: Any, release: Any = False) -> Any:
        from .engine import _task
        if _task.run_leaves:
            raise RuntimeError(self._message)
        return [None] * len(self._next_nodes)


def once_differentiable(fn: Any) -> Any:
    """Run a backward without recording; differentiating its results again raises."""
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.is_grad_enabled():
            return outputs
        Tensor = _tensor_cls()
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        is_tuple = isinstance(outputs, tuple)
        outs = list(outputs) if is_tuple else [outputs]
        fakes = [None if o is None else o.detach().requires_grad_(True) for o in outs]
        node = Error("trying to differentiate twice a function that was marked with @once_differentiable",
                     [(None, 0) if f is None else (f._accumulate_node(), 0) for f in fakes])
        for i, f in enumerate(fakes):
            if f is not None:
                outs[i] = Tensor._make(f._data, True, node, i, f._vc)
        return tuple(outs) if is_tuple else outs[0]
    return wrapper


class InplaceFunction(Function):
    """torch's base for Functions that may work in place (``inplace`` flag)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Present for torch's namespace; the legacy nested-IO style is not supported."""
