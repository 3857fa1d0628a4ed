"""The one mechanism every op goes through: wrap a NumPy result, and when grad mode is on
and an input requires grad, attach the op's node (its edges, what its formulas need saved,
the shape and dtype of each input so the engine can reduce broadcast gradients and cast).

An op is then a forward in NumPy plus a ``derivative(...)`` line::

    MulBackward0 = derivative("MulBackward0", self="grad * other", other="grad * self")

    def mul(input, other):
        a, b = binary_operands(input, other)
        return record(MulBackward0, a * b, (input, other), self=input, other=other)
"""
from __future__ import annotations

from itertools import count

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import OutputRef

_sequence = count()
_new = object.__new__


def _make_saver(node_cls, mask: int):
    """For one requires-grad pattern (bit i set: input i requires grad), the function that picks
    what the node keeps from the forward's ``saved`` names, and the version each checked value
    had: ``save(saved, out) -> (values, versions)``.  Only what the formulas of inputs that
    require grad read is kept (torch's rule); ``result`` is the output, saved without a reference
    to its node.  Generated once per class and pattern, so the forward does no per-name branching."""
    wanted = {n for i, uses in enumerate(node_cls.uses) if mask >> i & 1 for n in uses}
    values, versions = [], []
    for i, name in enumerate(node_cls.saved_names):
        if name == "result":
            values.append("OutputRef(out)")
            versions.append("out._vc[0]")
        elif name not in wanted:
            values.append("None")
            versions.append("None")
        elif name in node_cls.tensor_slots:  # an input: freed after backward, version-checked if a tensor
            values.append(f"v{i}")
            versions.append(f"v{i}._vc[0] if type(v{i}) is Tensor else True")
        else:  # an attribute (dim, shape, alpha...): kept as it is
            values.append(f"saved[{name!r}]")
            versions.append("None")
    loads = "".join(f"    v{i} = saved[{name!r}]\n" for i, (name, value) in enumerate(zip(node_cls.saved_names, values))
                    if value == f"v{i}")
    source = (f"def save(saved, out):\n{loads}"
              f"    return ({''.join(v + ', ' for v in values)}), ({''.join(v + ', ' for v in versions)})\n")
    namespace = {"Tensor": Tensor, "OutputRef": OutputRef}
    exec(compile(source, f"<saver {node_cls.__name__} {mask:b}>", "exec"), namespace)
    return namespace["save"]


_ZEROS = tuple((0,) * n for n in range(8))  # the output numbers of most nodes' edges (shared)
_META: dict = {}       # interned input metadata: nodes share these tuples instead of each keeping its own
_META_LIMIT = 4096


def _attach(node_cls, out: Tensor, inputs, saved: dict, output_nr: int = 0):
    """Make the node for ``inputs`` and hang ``out`` under it; None if nothing requires grad.

    The forward's hottest function: no generators, the one- and two-input cases (nearly every
    op) spelled out without building lists, and as few new container objects as possible (each
    one that lives as long as the graph is work for the garbage collector)."""
    n = len(inputs)
    if n == 1 or n == 2:
        a = inputs[0]
        if type(a) is Tensor and a._requires_grad:
            node_a = a.grad_fn  # gradient_edge(a), inlined
            nr_a = a._output_nr if node_a is not None else 0
            if node_a is None:
                node_a = a._accumulate_node()
            data = a._data
            meta_a = (data.shape, data.dtype)
        else:
            node_a = meta_a = None
            nr_a = 0
        if n == 1:
            if meta_a is None:
                return None
            nodes, nrs, meta, mask = (node_a,), (nr_a,) if nr_a else _ZEROS[1], (meta_a,), 1
        else:
            b = inputs[1]
            if type(b) is Tensor and b._requires_grad:
                node_b = b.grad_fn
                nr_b = b._output_nr if node_b is not None else 0
                if node_b is None:
                    node_b = b._accumulate_node()
                data = b._data
                meta_b = (data.shape, data.dtype)
            elif meta_a is None:
                return None
            else:
                node_b = meta_b = None
                nr_b = 0
            nodes, nrs, meta = (node_a, node_b), (nr_a, nr_b) if nr_a or nr_b else _ZEROS[2], (meta_a, meta_b)
            mask = (meta_a is not None) | (meta_b is not None) << 1
    else:
        nodes, nrs, meta, mask = _edges(inputs)
        if not mask:
            return None
    node = _new(node_cls)
    node._next_nodes = nodes
    node._next_nrs = nrs
    shared = _META.get(meta)
    if shared is None:
        if len(_META) >= _META_LIMIT:
            _META.clear()
        shared = _META[meta] = meta
    node._input_meta = shared
    save = node_cls._plans.get(mask)
    if save is None:
        save = node_cls._plans[mask] = _make_saver(node_cls, mask)
    node._saved, node._versions = save(saved, out)
    node._sequence_nr = next(_sequence)
    node._hooks = None
    return node


def _edges(inputs) -> tuple:
    """``_attach``'s work for any number of inputs: (nodes, output numbers, metadata, requires-grad mask)."""
    mask, bit, numbered = 0, 1, False
    nodes, nrs, meta = [], [], []
    for t in inputs:
        if type(t) is Tensor and t._requires_grad:
            mask |= bit
            fn = t.grad_fn  # gradient_edge(t), inlined
            if fn is None:
                nodes.append(t._accumulate_node())
                nrs.append(0)
            else:
                nodes.append(fn)
                nrs.append(t._output_nr)
                numbered = numbered or t._output_nr != 0
            data = t._data
            meta.append((data.shape, data.dtype))
        else:
            nodes.append(None)
            nrs.append(0)
            meta.append(None)
        bit <<= 1
    nrs = tuple(nrs) if numbered or len(nrs) >= len(_ZEROS) else _ZEROS[len(nrs)]
    return tuple(nodes), nrs, tuple(meta), mask


def record(node_cls, data, inputs: tuple, view_of: Tensor | None = None, **saved) -> Tensor:
    """The output tensor of an op: ``data`` wrapped, with ``node_cls`` attached when recording.

    ``inputs`` are the forward's operands in the node's input order (Python scalars allowed);
    ``saved`` are the values the formulas read by name; ``view_of`` marks a result that shares
    memory with that tensor (and so its version counter), as torch's views do.
    """
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if view_of is not None:
        out = record_view(data, view_of)
    else:
        out = Tensor._make(data, False, None)
    if grad_mode._state.enabled:
        node = _attach(node_cls, out, inputs, saved)
        if node is not None:
            out.grad_fn = node
            out._requires_grad = True
    return out


def record_multi(node_cls, datas, inputs: tuple, views_of: Tensor | None = None, **saved) -> list:
    """Like ``record`` for an op with several outputs sharing one node (split, unbind): output i
    has output_nr i.  ``node_cls`` comes from ``derivative(..., multi_output=True)``."""
    outs = [record_view(np.asarray(data), views_of, i) if views_of is not None else
            Tensor._make(np.asarray(data), False, None, i) for i, data in enumerate(datas)]
    if outs and grad_mode._state.enabled:
        node = _attach(node_cls, outs[0], inputs, saved)
        if node is not None:
            node.n_outputs = len(outs)
            node._output_meta = tuple((t._data.shape, t._data.dtype) for t in outs)
            for t in outs:
                t.grad_fn = node
                t._requires_grad = True
    return outs


def record_view(data: np.ndarray, of: Tensor, output_nr: int = 0) -> Tensor:
    """A tensor over ``data``, a view of ``of``: same memory, same version counter, same base."""
    out = Tensor._make(data, False, None, output_nr, of._vc)
    out._base = of._base if of._base is not None else of
    return out


# ----- operands ----------------------------------------------------------------------------

def data_of(x):
    """The NumPy value of an operand (a tensor's array, or the Python scalar itself)."""
    return x._data if type(x) is Tensor else x


def binary_operands(a, b, *, floating: bool = False):
    """Two operands as NumPy values of torch's promoted dtype (``floating``: ints become the default float).

    Python scalars stay Python scalars where NumPy's own rule gives torch's answer (a float
    tensor with any number, or integers of one dtype), so the common case does no casting.
    """
    if type(a) is Tensor:
        ad = a._data
        if type(b) is Tensor:
            bd = b._data
            if ad.dtype is bd.dtype and (ad.dtype.kind == "f" or not floating):
                return ad, bd
        elif ad.dtype.kind == "f" and type(b) in (float, int):
            return ad, b
        elif type(b) is not Tensor and not isinstance(b, (bool, int, float)):
            raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
    elif type(b) is Tensor:
        bd = b._data
        if bd.dtype.kind == "f" and type(a) in (float, int):
            return a, bd
        if not isinstance(a, (bool, int, float)):
            raise TypeError(f"unsupported operand type: '{type(a).__name__}'")
    dt = _dtype.result_type(a, b)
    if floating and not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    return cast(a, dt.np), cast(b, dt.np)


def cast(x, np_dtype):
    if type(x) is Tensor:
        d = x._data
        return d if d.dtype == np_dtype else d.astype(np_dtype)
    return np.asarray(x, dtype=np_dtype)


def check_broadcast(a: np.ndarray, b: np.ndarray) -> None:
    """torch's message for shapes that do not broadcast (NumPy's differs), raised as RuntimeError."""
    sa, sb = np.shape(a), np.shape(b)
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(sa), len(sb)) - i}")


def to_tensor(x, like: Tensor | None = None) -> Tensor:
    """A Python scalar or array as a no-grad tensor (torch's wrapped number)."""
    if type(x) is Tensor:
        return x
    from .._creation import tensor
    return tensor(x)


# ----- installing the public forms ---------------------------------------------------------

def methods(**forms) -> None:
    """Attach functions to Tensor under the given method/operator names."""
    for name, fn in forms.items():
        setattr(Tensor, name, fn)


def inplace_method(op, ufunc=None):
    """``Tensor.op_``: the out-of-place op written into self by Tensor._inplace."""
    def method(self, *args, **kwargs):
        return self._inplace(op, *args, ufunc=ufunc, **kwargs)
    method.__name__ = op.__name__ + "_"
    return method


# ----- the ops Tensor's own in-place methods use --------------------------------------------

def zeros_like_op(t: Tensor) -> Tensor:
    from .elementwise import ZeroBackward0
    return record(ZeroBackward0, np.zeros_like(t._data), (t,))


def fill_op(t: Tensor, value) -> Tensor:
    from .elementwise import FillBackward2, FillBackward3
    if type(value) is Tensor:
        return record(FillBackward3, np.full_like(t._data, value._data), (t, value))
    return record(FillBackward2, np.full_like(t._data, value), (t,))


def copy_op(t: Tensor, src) -> Tensor:
    from .elementwise import CopyBackwards
    src_data = data_of(src)
    try:
        data = np.broadcast_to(src_data, t._data.shape).astype(t._data.dtype)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({t._data.shape[-1] if t._data.ndim else 1}) must match the size "
                           f"of tensor b ({np.shape(src_data)[-1] if np.ndim(src_data) else 1}) at non-singleton "
                           f"dimension {t._data.ndim - 1}") from None
    return record(CopyBackwards, data, (t, src), src=src)
