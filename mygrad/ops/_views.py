"""Views and in-place writes through them: how torch keeps gradients right when a view is edited.

A view shares memory and the version counter with its base (``_base``).  When an in-place op
writes through a view while recording, torch rewrites the *base's* history: the base's node
becomes ``CopySlices`` (the op's node inside the view's region, the old history elsewhere) and
the view is re-derived from the new base (``AsStridedBackward0``).  Every other view of that base
is stale from then on; torch re-derives it the same way the next time its ``grad_fn`` is read.

Where a view sits in its base is a ``Geometry`` (shape, strides and offset inside the base's
memory, as torch's as_strided has it), so this works for any chain of view ops.

Stale views are found by version: each view made here remembers the version its ``grad_fn`` was
built at (``_view_meta``); ``Tensor.grad_fn`` compares it with the shared counter and calls
``refresh`` when they differ.
"""
from __future__ import annotations

import re

import numpy as np

from .._tensor import DEFAULT, IN_CUSTOM_FUNCTION, MULTI_OUTPUT, NO_GRAD, Tensor, _move_retain_grad
from ..autograd import backends, grad_mode
from ..autograd.backends import formula_helper
from ..autograd.engine import gradient_edge
from ..autograd.node import Node, derivative
from ._define import _attach, _sequence, data_of, record

OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single "
                   "memory location. Please clone() the tensor before performing the operation.")


def has_internal_overlap(data: np.ndarray) -> bool:
    """Whether writing ``data`` would write one element twice (an expanded dim); never for an empty one."""
    return 0 in data.strides and data.size > 0 and any(s == 0 and n > 1 for n, s in zip(data.shape, data.strides))


# ----- where a view sits in its base ----------------------------------------------------------------

def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


class Geometry:
    """A view's place in its base's memory, in elements: shapes, strides and offsets inside the span
    of memory the base covers.  Gradients are laid out the same way to read or write the region."""

    __slots__ = ("base_shape", "base_strides", "base_offset", "shape", "strides", "offset", "span", "overlapping")

    def __init__(self, base: np.ndarray, view: np.ndarray):
        size = base.itemsize
        low = _address(base) + sum((n - 1) * s for n, s in zip(base.shape, base.strides) if s < 0)
        high = _address(base) + sum((n - 1) * s for n, s in zip(base.shape, base.strides) if s > 0) + size
        self.span = (high - low) // size if base.size else 0
        self.base_shape, self.base_strides = base.shape, tuple(s // size for s in base.strides)
        self.base_offset = (_address(base) - low) // size if base.size else 0
        self.shape, self.strides = view.shape, tuple(s // size for s in view.strides)
        self.offset = (_address(view) - low) // size if view.size else 0
        self.overlapping = any(s == 0 and n > 1 for n, s in zip(view.shape, self.strides))

    def _layout(self, dtype, zeros: bool):
        """A fresh buffer shaped like the base's memory: (the base over it, the view over it)."""
        buf = np.zeros(self.span, dtype) if zeros else np.empty(self.span, dtype)
        size = buf.itemsize
        base = np.ndarray(self.base_shape, dtype, buf, self.base_offset * size,
                          tuple(s * size for s in self.base_strides))
        view = np.ndarray(self.shape, dtype, buf, self.offset * size, tuple(s * size for s in self.strides))
        return base, view

    def read(self, g: np.ndarray) -> np.ndarray:
        """The view's region of a base-shaped array."""
        g = np.asarray(g)
        base, view = self._layout(g.dtype, False)
        base[...] = g
        return view

    def write(self, g: np.ndarray, values) -> np.ndarray:
        """A base-shaped array equal to ``g`` except in the view's region, which holds ``values``."""
        g = np.asarray(g)
        base, view = self._layout(g.dtype, False)
        base[...] = g
        view[...] = values
        return base

    def scatter(self, g: np.ndarray) -> np.ndarray:
        """The gradient w.r.t. the base of a view whose gradient is ``g`` (summed where elements alias)."""
        g = np.asarray(g)
        base, view = self._layout(g.dtype, True)
        if not self.overlapping:
            view[...] = g
            return base
        flat = base.base if base.base is not None else base
        positions = np.ndarray(self.shape, np.intp, np.arange(self.span, dtype=np.intp),
                               self.offset * np.dtype(np.intp).itemsize,
                               tuple(s * np.dtype(np.intp).itemsize for s in self.strides))
        np.add.at(flat, positions.ravel(), np.broadcast_to(g, self.shape).ravel())
        return base


# ----- formula functions over that geometry (both backends) -------------------------------------------

def _view_region_op(grad, geometry):
    return record(AsStridedBackward0, geometry.read(grad._data), (grad,), geometry=geometry)


@formula_helper(tensor=_view_region_op)
def view_region(grad, geometry):
    return geometry.read(grad)


def _with_view_region_op(grad, values, geometry):
    return record(AsStridedScatterBackward0, geometry.write(grad._data, data_of(values)), (grad, values),
                  geometry=geometry)


@formula_helper(tensor=_with_view_region_op)
def with_view_region(grad, values, geometry):
    return geometry.write(grad, values)


def _view_scatter_op(grad, geometry):
    return record(ViewScatterBackward0, geometry.scatter(grad._data), (grad,), geometry=geometry)


@formula_helper(tensor=_view_scatter_op)
def view_scatter(grad, geometry):
    return geometry.scatter(grad)


AsStridedBackward0 = derivative("AsStridedBackward0", attrs="geometry", self="view_scatter(grad, geometry)")
AsStridedScatterBackward0 = derivative("AsStridedScatterBackward0", attrs="geometry",
                                       self="with_view_region(grad, 0, geometry)",
                                       src="view_region(grad, geometry)")
ViewScatterBackward0 = derivative("ViewScatterBackward0", attrs="geometry", grad="view_region(grad, geometry)")


# ----- making views -----------------------------------------------------------------------------------

def as_view(node_cls, data: np.ndarray, input: Tensor, **saved) -> Tensor:
    """The output of a view op: shares ``input``'s memory and version counter, remembers how it was made."""
    out = record(node_cls, data, (input,), view_of=input, **saved)
    if grad_mode._state.enabled:
        meta = getattr(input, "_view_meta", None) if input._base is not None else None
        out._view_meta = (input._vc[0], DEFAULT if meta is None else meta[1])  # a view of a view inherits
    else:
        out._view_meta = (input._vc[0], NO_GRAD)
        out._requires_grad = input._requires_grad  # torch: requires grad, yet a leaf with no history
    return out


def mark_multi_output(views: list, input: Tensor) -> None:
    """Views that one op returned together (split, unbind): torch forbids writing through them."""
    kind = MULTI_OUTPUT if grad_mode._state.enabled else NO_GRAD
    for v in views:
        v._view_meta = (v._vc[0], kind)
        if kind == NO_GRAD:
            v._requires_grad = input._requires_grad


def _creation_error(view: Tensor, kind: int, indirect: bool) -> RuntimeError:
    modified = "its base or another view of its base has been" if indirect else "is being"
    no_grad = f"A view was created in no_grad mode and {modified} modified inplace with grad mode enabled."
    if kind == NO_GRAD:
        return RuntimeError(
            f"{no_grad} Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
            f"code by moving both the view and the inplace either both inside the no_grad block (if you don't want "
            f"the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
    fn = view._fn
    head = no_grad if fn is None else (f"Output {view._output_nr} of {re.sub(r'Backward[0-9]*$', '', fn.name())} "
                                       f"is a view and {modified} modified inplace.")
    if kind == IN_CUSTOM_FUNCTION:  # an output of an autograd.Function that is a view (autograd/function.py)
        return RuntimeError(f"{head} This view was created inside a custom Function (or because an input was "
                            f"returned as-is) and the autograd logic to handle view+inplace would override the "
                            f"custom backward associated with the custom Function, leading to incorrect gradients. "
                            f"This behavior is forbidden. You can fix this by cloning the output of the custom "
                            f"Function.")
    return RuntimeError(f"{head} This view is the output of a function that returns multiple views. Such functions "
                        f"do not allow the output views to be modified inplace. You should replace the inplace "
                        f"operation by an out-of-place one.")


# ----- in place through a view ------------------------------------------------------------------------

def check_inplace_on_view(view: Tensor, args: tuple, overlap: bool = True) -> None:
    """torch's refusals before an in-place op with arguments ``args`` writes through ``view`` (``overlap``
    False: an op that may write one element several times, fill_ and zero_)."""
    if overlap and has_internal_overlap(view._data):
        raise RuntimeError(OVERLAP_MESSAGE)
    meta = getattr(view, "_view_meta", None)
    if meta is not None and meta[1] != DEFAULT and grad_mode._state.enabled and (
            view._requires_grad or view._base._requires_grad
            or any(isinstance(a, Tensor) and a._requires_grad for a in args)):
        raise _creation_error(view, meta[1], indirect=False)


class CopySlices(Node):
    """The base's history after an in-place op wrote through one of its views: the op's node ``fn``
    inside the view's region, the base's previous history everywhere else."""

    __slots__ = ("fn", "geometry")

    def __init__(self, base: Tensor, geometry: Geometry, fn):
        self.fn, self.geometry = fn, geometry
        self.next_functions = (gradient_edge(base),) + tuple(fn.next_functions[1:])
        self._sequence_nr = next(_sequence)
        self._hooks = None

    def apply(self, grads: list, create_graph: bool, release: bool = False) -> list:
        ns = backends.TENSOR if create_graph else backends.ARRAY
        grad = grads[0]
        region = ns["view_region"](grad, self.geometry)
        fn_grads = self.fn.apply([region], create_graph, release)
        base_grad = None
        if self._next_nodes[0] is not None:
            own = fn_grads[0]
            base_grad = ns["with_view_region"](grad, 0 if own is None else own, self.geometry)
        return [base_grad, *fn_grads[1:]]

    def release(self) -> None:
        self.fn.release()


def rebase_history(tensor: Tensor, old: Tensor, result: Tensor) -> None:
    """After ``tensor`` (whose previous value is ``old``) was overwritten in place by ``result``, recorded:
    give it ``result``'s history, or, for a view, rewrite its base's history (CopySlices) and re-derive
    the view from that."""
    fn = result.grad_fn
    base = tensor._base
    if base is None or fn is None:
        tensor.grad_fn, tensor._output_nr, tensor._requires_grad = fn, result._output_nr, True
        return
    if not fn.next_functions or fn.next_functions[0][0] is not gradient_edge(old)[0]:
        raise NotImplementedError(f"in-place {fn.name()} through a view: the op is not a single node over "
                                  f"its input, so its history cannot be spliced into the base's")
    old_fn, old_nr = base._fn, base._output_nr
    base.grad_fn = CopySlices(base, Geometry(base._data, tensor._data), fn)
    base._output_nr, base._requires_grad = 0, True
    if base._retains_grad:  # the base's retained grad follows its new history, as torch's retains_grad hook does
        _move_retain_grad(base, old_fn, old_nr)
    _regenerate(tensor)


def _regenerate(view: Tensor) -> None:
    """Re-derive a view's history from its base's current history (torch's AsStridedBackward0)."""
    base = view._base
    saved = {"geometry": Geometry(base._data, view._data)}
    if base._rg:
        node = _attach(AsStridedBackward0, view, (base,), saved)
    else:
        # a view with a history of its own (a view of a view given requires_grad_) over a base that needs
        # no gradient: torch still re-derives it, into a node whose edge to the base is empty
        node = _attach(AsStridedBackward0, view, (Tensor._make(base._data, True, None),), saved)
        node._next_nodes = (None,)
    old_fn, old_nr = view._fn, view._output_nr
    view._fn = node
    view._rg = node is not None
    view._output_nr = 0
    if view._retains_grad:
        _move_retain_grad(view, old_fn, old_nr)
    meta = getattr(view, "_view_meta", None)
    view._view_meta = (view._vc[0], DEFAULT if meta is None else meta[1])


def refresh(view: Tensor) -> None:
    """Bring a view's history up to date if its base (or another view of it) was modified in place."""
    meta = getattr(view, "_view_meta", None)
    if meta is None or meta[0] == view._vc[0]:
        return
    if view._fn is None and not view._base._rg:
        return  # nothing to re-derive yet; the version stays unseen, so a base that later requires grad does
    if meta[1] != DEFAULT:
        raise _creation_error(view, meta[1], indirect=True)
    _regenerate(view)
